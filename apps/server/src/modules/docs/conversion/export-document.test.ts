import { unzipSync } from 'fflate';
import { extractText } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.ts';
import type { DocsBlock } from './blocks.ts';
import { exportBlocks } from './export-document.ts';
import type { ResolveFile } from './images.ts';
import { blocksFromMarkdown, buildPng, samplePageMarkdown, zipNames, zipText } from './testing/fixtures.ts';

const imageUrl = '/api/docs/files/plan-du-site.png';

async function pageWithImage(): Promise<DocsBlock[]> {
  const blocks = await blocksFromMarkdown(`# Plan\n\n![Plan du site](${imageUrl})\n\nAprès l’image.`);
  // The editor keeps the caption in the image's props; Markdown has no syntax for it.
  return blocks.map((block) =>
    block.type === 'image'
      ? { ...block, props: { ...block.props, caption: 'Plan du site, été 2025', previewWidth: 300 } }
      : block,
  );
}

async function imageResolver(): Promise<ResolveFile> {
  const png = await buildPng();
  return (url) => Promise.resolve(url === imageUrl ? { data: png, contentType: 'image/png' } : undefined);
}

async function pdfText(body: Uint8Array): Promise<string> {
  const { text } = await extractText(new Uint8Array(body), { mergePages: true });
  return text;
}

describe(exportBlocks.name, () => {
  describe('Markdown', () => {
    it('writes the title as the first heading, then BlockNote’s Markdown of the page', async () => {
      const blocks = await blocksFromMarkdown(samplePageMarkdown);

      const { body, contentType, extension } = await exportBlocks(blocks, 'md', { title: 'Guide *des* congés' });
      const markdown = new TextDecoder().decode(body);

      expect(contentType).toBe('text/markdown; charset=utf-8');
      expect(extension).toBe('md');
      expect(markdown.startsWith('# Guide \\*des\\* congés\n\n# Congés d’été\n')).toBe(true);
      expect(markdown).toContain('* [x] Valider avec le chef de service');
      expect(markdown).toContain('| Élodie Müller | 15');
    });

    it('keeps an image’s URL', async () => {
      const { body } = await exportBlocks(await pageWithImage(), 'md', { title: 'Plan' });

      expect(new TextDecoder().decode(body)).toContain(imageUrl);
    });
  });

  describe('HTML', () => {
    it('is a complete standalone page in the document’s language, without BlockNote’s internal attributes', async () => {
      const blocks = await blocksFromMarkdown(samplePageMarkdown);

      const { body, contentType } = await exportBlocks(blocks, 'html', {
        title: 'Guide <b>des</b> congés',
        language: 'en',
      });
      const html = new TextDecoder().decode(body);

      expect(contentType).toBe('text/html; charset=utf-8');
      expect(html.startsWith('<!doctype html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">')).toBe(true);
      expect(html).toContain('<title>Guide &lt;b&gt;des&lt;/b&gt; congés</title>');
      expect(html).toContain('<h1>Guide &lt;b&gt;des&lt;/b&gt; congés</h1>');
      expect(html).toContain('<h2>Démarches à effectuer</h2>');
      expect(html).toContain('<input type="checkbox" checked disabled>');
      expect(html).toContain('<th colspan="1" rowspan="1"><p>Agent</p></th>');
      expect(html).toContain('<code class="language-sh">');
      expect(html).not.toMatch(/\sdata-|bn-|classname=/);
      expect(html.trimEnd().endsWith('</body>\n</html>')).toBe(true);
    });

    it('keeps an image’s URL and caption', async () => {
      const { body } = await exportBlocks(await pageWithImage(), 'html', { title: 'Plan' });
      const html = new TextDecoder().decode(body);

      expect(html).toContain(`<img src="${imageUrl}" alt="Plan du site" width="300">`);
      expect(html).toContain('<figcaption>Plan du site, été 2025</figcaption>');
    });
  });

  describe('Word (DOCX)', () => {
    it('writes real numbering definitions, fixed-width tables, heading styles, check boxes and Marianne with its fallbacks', async () => {
      const blocks = await blocksFromMarkdown(samplePageMarkdown);

      const { body, contentType } = await exportBlocks(blocks, 'docx', { title: 'Guide des congés' });
      const document = zipText(body, 'word/document.xml');

      expect(contentType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      expect(zipText(body, 'word/numbering.xml')).toMatch(/<w:numFmt w:val="decimal"\/><w:lvlText w:val="%1."\/>/);
      expect(document).toContain('<w:pStyle w:val="Title"/>');
      expect(document).toContain('<w:pStyle w:val="Heading2"/>');
      expect(document).toContain('<w:tblLayout w:type="fixed"/>');
      expect([...document.matchAll(/<w:gridCol w:w="(\d+)"\/>/g)].map((match) => Number(match[1]))).toEqual([
        3213, 3213, 3213,
      ]);
      expect(document).toMatch(/<w14:checked w14:val="1"\/>/);
      expect(document).toContain('<w:tblHeader/>');
      expect(zipText(body, 'word/fontTable.xml')).toContain('<w:font w:name="Marianne"><w:altName w:val="Arial"/>');
      expect(zipText(body, 'docProps/core.xml')).toContain('<dc:title>Guide des congés</dc:title>');
    });

    it('gives columns the widths the editor shows, in proportion', async () => {
      const [table] = await blocksFromMarkdown('| Court | Beaucoup plus long |\n|---|---|\n| a | b |');
      if (table?.type !== 'table') throw new Error('Expected a table');
      const resized = { ...table, content: { ...table.content, columnWidths: [100, 300] } };

      const { body } = await exportBlocks([resized], 'docx', { title: 'Tableau' });

      expect(
        [...zipText(body, 'word/document.xml').matchAll(/<w:gridCol w:w="(\d+)"\/>/g)].map((match) => Number(match[1])),
      ).toEqual([1500, 4500]);
    });

    it('embeds an image resolveFile reads, and writes the caption of one it cannot', async () => {
      const blocks = await pageWithImage();

      const embedded = await exportBlocks(blocks, 'docx', { title: 'Plan', resolveFile: await imageResolver() });
      const degraded = await exportBlocks(blocks, 'docx', { title: 'Plan' });
      const failing = await exportBlocks(blocks, 'docx', {
        title: 'Plan',
        resolveFile: () => Promise.reject(new Error('stockage indisponible')),
      });

      expect(zipNames(embedded.body).filter((name) => name.startsWith('word/media/'))).toHaveLength(1);
      expect(zipText(embedded.body, 'word/document.xml')).toContain(
        '<w:t xml:space="preserve">Plan du site, été 2025</w:t>',
      );
      for (const { body } of [degraded, failing]) {
        expect(zipNames(body).filter((name) => name.startsWith('word/media/'))).toEqual([]);
        expect(zipText(body, 'word/document.xml')).toContain('Plan du site, été 2025');
      }
    });
  });

  describe('OpenDocument (ODT)', () => {
    it('stores the mimetype entry first and uncompressed, as ODF requires, and lists every part in the manifest', async () => {
      const blocks = await blocksFromMarkdown(samplePageMarkdown);

      const { body, contentType } = await exportBlocks(blocks, 'odt', { title: 'Guide des congés' });
      const header = new DataView(body.buffer, body.byteOffset, body.byteLength);

      expect(contentType).toBe('application/vnd.oasis.opendocument.text');
      expect(new TextDecoder().decode(body.subarray(30, 38))).toBe('mimetype');
      expect(header.getUint16(8, true)).toBe(0);
      expect(header.getUint16(28, true)).toBe(0);
      expect(new TextDecoder().decode(body.subarray(38, 77))).toBe('application/vnd.oasis.opendocument.text');
      expect(zipText(body, 'META-INF/manifest.xml')).toContain('manifest:full-path="content.xml"');
      expect(zipText(body, 'meta.xml')).toContain('<dc:title>Guide des congés</dc:title>');
      const content = zipText(body, 'content.xml');
      expect(content).toContain(
        '<text:h text:style-name="Heading_20_2" text:outline-level="2">Démarches à effectuer</text:h>',
      );
      expect(content).toContain('<table:table-header-rows>');
      expect(content).toContain('☑ ');
      expect(zipText(body, 'styles.xml')).toContain(
        'style:name="Marianne" svg:font-family="Marianne;Arial;Liberation Sans"',
      );
    });

    it('embeds an image resolveFile reads under Pictures/, and writes the caption of one it cannot', async () => {
      const blocks = await pageWithImage();

      const embedded = await exportBlocks(blocks, 'odt', { title: 'Plan', resolveFile: await imageResolver() });
      const degraded = await exportBlocks(blocks, 'odt', { title: 'Plan' });

      expect(zipNames(embedded.body)).toContain('Pictures/image1.png');
      expect(zipText(embedded.body, 'META-INF/manifest.xml')).toContain(
        'manifest:full-path="Pictures/image1.png" manifest:media-type="image/png"',
      );
      expect(zipText(embedded.body, 'content.xml')).toContain('svg:width="7.938cm"');
      expect(zipNames(degraded.body).some((name) => name.startsWith('Pictures/'))).toBe(false);
      expect(zipText(degraded.body, 'content.xml')).toContain('Plan du site, été 2025');
    });
  });

  describe('PDF', () => {
    it('is a PDF whose text holds the title, the headings, the lists and the table, accents included', async () => {
      const blocks = await blocksFromMarkdown(samplePageMarkdown);

      const { body, contentType } = await exportBlocks(blocks, 'pdf', { title: 'Guide des congés d’été' });
      const text = await pdfText(body);

      expect(contentType).toBe('application/pdf');
      expect(new TextDecoder().decode(body.subarray(0, 5))).toBe('%PDF-');
      for (const expected of [
        'Guide des congés d’été',
        'Congés d’été',
        'Démarches à effectuer',
        'Après le retour',
        'Élodie Müller',
        'Période',
        'remplir le formulaire',
        'echo "déploiement"',
      ]) {
        expect(text).toContain(expected);
      }
    });

    it('embeds an image resolveFile reads, and writes the caption of one it cannot', async () => {
      const blocks = await pageWithImage();

      const embedded = await exportBlocks(blocks, 'pdf', { title: 'Plan', resolveFile: await imageResolver() });
      const degraded = await exportBlocks(blocks, 'pdf', {
        title: 'Plan',
        resolveFile: () => Promise.resolve({ data: new Uint8Array([1, 2, 3]), contentType: 'image/png' }),
      });

      expect(Buffer.from(embedded.body).includes('/Subtype /Image')).toBe(true);
      expect(Buffer.from(degraded.body).includes('/Subtype /Image')).toBe(false);
      expect(await pdfText(degraded.body)).toContain('Plan du site, été 2025');
    });
  });

  it('shrinks an image taller than a page to fit on one', async () => {
    const tall = await buildPng(200, 4000);
    const blocks = await blocksFromMarkdown(`![Frise](${imageUrl})`);
    const resolveFile: ResolveFile = () => Promise.resolve({ data: tall, contentType: 'image/png' });

    const pdf = await exportBlocks(blocks, 'pdf', { title: 'Frise', resolveFile });
    const odt = await exportBlocks(blocks, 'odt', { title: 'Frise', resolveFile });

    expect(Buffer.from(pdf.body).includes('/Subtype /Image')).toBe(true);
    expect(zipText(odt.body, 'content.xml')).toContain('svg:width="1.164cm" svg:height="23.283cm"');
  });

  it('fails with DOCS_EXPORT_FAILED and the format, keeping the cause, when the blocks cannot be exported', async () => {
    const broken = [{ id: 'x', type: 'inexistant', props: {}, content: [], children: [] }] as unknown as DocsBlock[];

    const error: unknown = await exportBlocks(broken, 'md', { title: 'Cassé' }).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('DOCS_EXPORT_FAILED');
    expect((error as AppError).details).toEqual({ format: 'md' });
    expect((error as AppError).cause).toBeInstanceOf(Error);
  });

  it.each(['md', 'html', 'docx', 'odt', 'pdf'] as const)('exports an empty page (%s)', async (format) => {
    const { body } = await exportBlocks([], format, { title: 'Page vide' });

    expect(body.length).toBeGreaterThan(0);
  });

  it('runs Markdown and HTML exports side by side without leaving jsdom’s window in the process', async () => {
    const blocks = await blocksFromMarkdown(samplePageMarkdown);

    const exported = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        exportBlocks(blocks, index % 2 ? 'md' : 'html', { title: `Page ${index}` }),
      ),
    );

    expect(exported.map(({ body }) => new TextDecoder().decode(body).includes('Démarches à effectuer'))).toEqual(
      Array(6).fill(true),
    );
    expect(Reflect.get(globalThis, 'window')).toBeUndefined();
  });

  it('writes a table nested in a list item after the list in ODT, where list items cannot hold tables', async () => {
    const [table] = await blocksFromMarkdown('| A | B |\n|---|---|\n| 1 | 2 |');
    const [item] = await blocksFromMarkdown('- Point avec tableau');
    if (!table || !item) throw new Error('Expected blocks');

    const { body } = await exportBlocks([{ ...item, children: [table] }], 'odt', { title: 'Imbrication' });
    const content = zipText(body, 'content.xml');

    expect(content.indexOf('<table:table ')).toBeGreaterThan(content.indexOf('</text:list>'));
  });

  it('writes an untitled page’s title as « Sans titre »', async () => {
    const { body } = await exportBlocks([], 'odt', { title: '  ' });

    expect(unzipSync(body)['meta.xml']).toBeDefined();
    expect(zipText(body, 'meta.xml')).toContain('<dc:title>Sans titre</dc:title>');
  });
});
