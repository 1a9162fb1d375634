import { docsLimits } from '@bureau/contracts';
import {
  AlignmentType,
  Document,
  ExternalHyperlink,
  HeadingLevel,
  ImageRun,
  LevelFormat,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
} from 'docx';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.ts';
import { importDocument } from './import-document.ts';
import { buildHandwrittenOdt, buildPng, buildZipBomb, outline } from './testing/fixtures.ts';

const encoder = new TextEncoder();

/** The error `importing` fails with, failing the test when it succeeds or throws anything else. */
async function importError(importing: Promise<unknown>, code: string): Promise<AppError> {
  const error: unknown = await importing.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

/** A Word document as a user of Word would write one, built with the `docx` package. */
async function buildWordDocument(options: { title?: string; picture?: Uint8Array } = {}): Promise<Uint8Array> {
  const document = new Document({
    ...(options.title ? { title: options.title } : {}),
    numbering: {
      config: [
        {
          reference: 'steps',
          levels: [
            { level: 0, format: LevelFormat.DECIMAL, text: '%1.', alignment: AlignmentType.START },
            { level: 1, format: LevelFormat.BULLET, text: '•', alignment: AlignmentType.START },
          ],
        },
      ],
    },
    sections: [
      {
        children: [
          new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun('Note de service')] }),
          new Paragraph({
            children: [
              new TextRun('Merci de lire '),
              new TextRun({ text: 'attentivement', bold: true }),
              new TextRun(' cette note '),
              new TextRun({ text: 'révisée', italics: true }),
              new TextRun(', et le '),
              new ExternalHyperlink({
                link: 'https://www.service-public.fr/',
                children: [new TextRun({ text: 'site officiel', style: 'Hyperlink' })],
              }),
              new TextRun('.'),
            ],
          }),
          new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun('Procédure')] }),
          new Paragraph({ text: 'Ouvrir le dossier', numbering: { reference: 'steps', level: 0 } }),
          new Paragraph({ text: 'vérifier les pièces', numbering: { reference: 'steps', level: 1 } }),
          new Paragraph({ text: 'Transmettre', numbering: { reference: 'steps', level: 0 } }),
          new Table({
            rows: [
              new TableRow({
                tableHeader: true,
                children: ['Service', 'Délai'].map((text) => new TableCell({ children: [new Paragraph(text)] })),
              }),
              new TableRow({
                children: ['Ressources humaines', '5 jours'].map(
                  (text) => new TableCell({ children: [new Paragraph(text)] }),
                ),
              }),
            ],
          }),
          ...(options.picture
            ? [
                new Paragraph({
                  children: [
                    new ImageRun({ type: 'png', data: options.picture, transformation: { width: 120, height: 60 } }),
                  ],
                }),
              ]
            : []),
          new Paragraph('Fin de la note.'),
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(document));
}

describe(importDocument.name, () => {
  describe('Word documents', () => {
    it('keeps headings, formatting, links, nested lists and tables, and returns the images as files', async () => {
      const picture = await buildPng();

      const imported = await importDocument(
        await buildWordDocument({ title: 'Note de service', picture }),
        'note.docx',
      );

      expect(imported.title).toBe('Note de service');
      expect(outline(imported.blocks)).toEqual([
        'p Merci de lire <b>attentivement</b> cette note <i>révisée</i>, et le [site officiel](https://www.service-public.fr/).',
        'h2 Procédure',
        '1. Ouvrir le dossier',
        '  - vérifier les pièces',
        '1. Transmettre',
        'table Service | Délai / Ressources humaines | 5 jours',
        'image bureau-import:image-1',
        'p Fin de la note.',
      ]);
      expect(imported.files).toEqual([
        { id: 'image-1', fileName: 'image-1.png', contentType: 'image/png', data: picture },
      ]);
    });

    it('takes the first heading as the title when the document properties have none', async () => {
      const imported = await importDocument(await buildWordDocument(), 'sans-titre.docx');

      expect(imported.title).toBe('Note de service');
      expect(outline(imported.blocks)[0]).toBe(
        'p Merci de lire <b>attentivement</b> cette note <i>révisée</i>, et le [site officiel](https://www.service-public.fr/).',
      );
    });

    it('finds the file by its content type when its name has no extension', async () => {
      const imported = await importDocument(
        await buildWordDocument(),
        'note',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      );

      expect(imported.blocks.length).toBeGreaterThan(0);
    });
  });

  describe('OpenDocument texts', () => {
    it('keeps headings, bold and italic from automatic styles, lists by their list style, tables, links and pictures', async () => {
      const picture = await buildPng();

      const imported = await importDocument(buildHandwrittenOdt({ title: 'Rapport annuel', picture }), 'rapport.odt');

      expect(imported.title).toBe('Rapport annuel');
      expect(outline(imported.blocks)).toEqual([
        'h1 Rapport d’activité',
        'p Texte <b>important</b> et <i>nuancé</i>,  avec un [lien](https://www.service-public.fr/).',
        'h2 Étapes',
        '1. Préparer',
        '  - les pièces',
        '1. Envoyer',
        'table Mois | Dossiers / Février | 42',
        'image bureau-import:image-1',
        'p Fin.',
      ]);
      expect(imported.files).toEqual([
        { id: 'image-1', fileName: 'photo.png', contentType: 'image/png', data: picture },
      ]);
      expect(imported.blocks.find((block) => block.type === 'image')?.props).toMatchObject({ name: 'Photo du site' });
    });

    it('takes the first heading as the title when the metadata has none, and leaves it out of the blocks', async () => {
      const imported = await importDocument(buildHandwrittenOdt(), 'rapport.odt');

      expect(imported.title).toBe('Rapport d’activité');
      expect(outline(imported.blocks)[0]).toBe(
        'p Texte <b>important</b> et <i>nuancé</i>,  avec un [lien](https://www.service-public.fr/).',
      );
    });
  });

  describe('HTML pages', () => {
    it('removes scripts, styles, event handlers, javascript: links and files it does not hold, and takes the <title>', async () => {
      const html = `<!doctype html><html><head><title>Compte rendu
        de réunion</title><style>p{color:red}</style><script>alert('head')</script></head>
        <body><h1 onclick="steal()">Réunion du 3 mai</h1><script>document.cookie</script>
        <p>Présents : <a href="javascript:alert(1)">Jeanne</a>, <a href="https://annuaire.example.fr">Paul</a></p>
        <noscript>Activez JavaScript</noscript><iframe src="https://evil.example"></iframe>
        <ul><li>Budget</li><li>Calendrier</li></ul><img src="bureau-import:image-9" alt="fichier d’un autre import"></body></html>`;

      const imported = await importDocument(encoder.encode(html), 'compte-rendu.html');

      expect(imported.title).toBe('Compte rendu de réunion');
      expect(outline(imported.blocks)).toEqual([
        'h1 Réunion du 3 mai',
        'p Présents : Jeanne, [Paul](https://annuaire.example.fr)',
        '- Budget',
        '- Calendrier',
        'p fichier d’un autre import',
      ]);
      expect(JSON.stringify(imported.blocks)).not.toMatch(/alert|cookie|steal|evil|JavaScript|color|image-9/);
    });

    it('keeps the formatting Word and Google Docs write as inline styles, and flattens tables nested in cells', async () => {
      const html = `<b style="font-weight:normal" id="docs-internal-guid-1"><p><span style="font-weight:700">Gras</span> et <span style="font-style:italic;text-decoration:underline">souligné</span></p>
        <table><tr><td><p>Ligne 1</p><p>Ligne 2</p></td><td><table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table></td></tr></table></b>`;

      const imported = await importDocument(encoder.encode(html), 'copie.html');

      expect(outline(imported.blocks)).toEqual(['p <b>Gras</b> et <i>souligné</i>', 'table Ligne 1\nLigne 2 | a b\nc']);
      expect(JSON.stringify(imported.blocks)).toContain('"underline":true');
    });

    it('turns images inlined as data: URLs into files, even inside a paragraph', async () => {
      const png = await buildPng();
      const dataUrl = `data:image/png;base64,${Buffer.from(png).toString('base64')}`;

      const imported = await importDocument(
        encoder.encode(`<p>Voici le logo <img src="${dataUrl}" alt="Logo"> de l’équipe.</p>`),
        'page.html',
      );

      expect(outline(imported.blocks)).toEqual(['p Voici le logo  de l’équipe.', 'image bureau-import:image-1']);
      expect(imported.files.map((file) => [file.fileName, file.contentType, file.data.length])).toEqual([
        ['image.png', 'image/png', png.length],
      ]);
    });
  });

  describe('Markdown files', () => {
    it('takes the title from the front matter', async () => {
      const imported = await importDocument(
        encoder.encode('---\ntitle: "Procédure d’accueil"\n---\n\n## Étape 1\n\nAccueillir.'),
        'accueil.md',
      );

      expect(imported.title).toBe('Procédure d’accueil');
      expect(outline(imported.blocks)).toEqual(['h2 Étape 1', 'p Accueillir.']);
    });

    it('takes the file name as the title when there is no heading', async () => {
      const imported = await importDocument(
        encoder.encode('Simple note, avec des accents : é à ù.'),
        'Notes de réunion.md',
        'text/markdown',
      );

      expect(imported.title).toBe('Notes de réunion');
      expect(outline(imported.blocks)).toEqual(['p Simple note, avec des accents : é à ù.']);
    });
  });

  describe('files it refuses', () => {
    it('refuses a format it does not read as unsupported', async () => {
      await importError(
        importDocument(encoder.encode('%PDF-1.7'), 'rapport.pdf', 'application/pdf'),
        'DOCS_IMPORT_UNSUPPORTED',
      );
    });

    it('refuses random bytes named .docx or .odt, and a truncated Word document, as corrupt, naming the file', async () => {
      const randomBytes = new Uint8Array(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256));
      const word = await buildWordDocument();

      const error = await importError(importDocument(randomBytes, 'rapport.docx'), 'DOCS_IMPORT_CORRUPT');
      await importError(importDocument(randomBytes, 'rapport.odt'), 'DOCS_IMPORT_CORRUPT');
      await importError(importDocument(word.slice(0, word.length / 2), 'rapport.docx'), 'DOCS_IMPORT_CORRUPT');

      expect(error.details).toEqual({ fileName: 'rapport.docx' });
      expect(error.messages.fr).toBe('Le fichier « rapport.docx » est illisible ou endommagé.');
    });

    it('refuses a file that is not what its extension says as corrupt', async () => {
      await importError(importDocument(buildHandwrittenOdt(), 'rapport.docx'), 'DOCS_IMPORT_CORRUPT');
      await importError(importDocument(await buildWordDocument(), 'rapport.odt'), 'DOCS_IMPORT_CORRUPT');
      await importError(importDocument(await buildWordDocument(), 'rapport.md'), 'DOCS_IMPORT_CORRUPT');
    });

    it('refuses an empty Markdown file, and a document without text, as empty', async () => {
      await importError(importDocument(encoder.encode(' \n\n \t'), 'vide.md'), 'DOCS_IMPORT_EMPTY');
      await importError(importDocument(new Uint8Array(0), 'vide.html'), 'DOCS_IMPORT_EMPTY');
      await importError(
        importDocument(encoder.encode('<html><body><script>x()</script></body></html>'), 'vide.html'),
        'DOCS_IMPORT_EMPTY',
      );
      const emptyWord = new Uint8Array(
        await Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph('')] }] })),
      );
      await importError(importDocument(emptyWord, 'vide.docx'), 'DOCS_IMPORT_EMPTY');
    });

    it('refuses a file over the import limit as too large, before reading it', async () => {
      const error = await importError(
        importDocument(new Uint8Array(docsLimits.importMaxBytes + 1), 'enorme.md'),
        'DOCS_IMPORT_TOO_LARGE',
      );

      expect(error.details).toEqual({ maxMegabytes: 20 });
    });

    it('refuses a zip bomb (an office file inflating to more than ten times the limit) as too large', async () => {
      const inflatedMegabytes = (docsLimits.importMaxBytes * 10) / (1024 * 1024) + 1;

      await importError(
        importDocument(buildZipBomb('odt', 'content.xml', inflatedMegabytes), 'bombe.odt'),
        'DOCS_IMPORT_TOO_LARGE',
      );
      await importError(
        importDocument(buildZipBomb('docx', 'word/media/bombe.xml', inflatedMegabytes), 'bombe.docx'),
        'DOCS_IMPORT_TOO_LARGE',
      );
    });
  });
});
