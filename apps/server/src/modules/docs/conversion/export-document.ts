import type { DocsExportFormat } from '@bureau/contracts';
import { AppError } from '../../../platform/errors.ts';
import { docsErrors } from '../docs.errors.ts';
import { withDomEditor } from './blocknote-editor.ts';
import { xmlSafe, type DocsBlock } from './blocks.ts';
import { exportNodes } from './export-model.ts';
import { resolveImages, type ResolveFile } from './images.ts';
import { oneLineTitle } from './plain-text.ts';
import { languageTag, type ExportLanguage } from './typography.ts';
import { escapeXml } from './xml.ts';

export interface ExportOptions {
  /** The page's title, written at the top of the document and in its metadata. */
  readonly title: string;
  /** Reads an image's bytes from its URL, to embed it in DOCX, ODT and PDF; without it images become their caption. */
  readonly resolveFile?: ResolveFile;
  /** The document's language (spelling, hyphenation, `lang`); French by default. */
  readonly language?: ExportLanguage;
}

export interface ExportedDocument {
  readonly body: Uint8Array;
  readonly contentType: string;
  /** Without the dot. */
  readonly extension: string;
}

const contentTypes: Readonly<Record<DocsExportFormat, string>> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
  pdf: 'application/pdf',
};

// Enough style for the page to read well on its own, in the State's typeface when installed.
const htmlStyle = [
  'body{font-family:Marianne,Arial,"Liberation Sans",sans-serif;line-height:1.5;color:#161616;max-width:48rem;margin:2rem auto;padding:0 1rem}',
  'table{border-collapse:collapse;margin:.5rem 0 1rem}',
  'th,td{border:1px solid #929292;padding:.25rem .5rem;vertical-align:top;text-align:left}',
  'th{background:#eee}',
  'pre{background:#f6f6f6;padding:.75rem;overflow:auto}',
  'code{font-family:"Courier New","Liberation Mono",monospace}',
  'blockquote{margin:0 0 1rem;padding-left:1rem;border-left:3px solid #929292;color:#3a3a3a}',
  'img{max-width:100%;height:auto}',
  'figcaption{font-size:.875rem;font-style:italic;color:#3a3a3a}',
  'li:has(>input[type=checkbox]){list-style:none}',
  'li>p,td>p,th>p{margin:.125rem 0}',
  'li>input[type=checkbox]{margin-right:.5rem}',
  'li>input[type=checkbox]+p{display:inline}',
].join('');

async function exportMarkdown(blocks: readonly DocsBlock[], title: string): Promise<string> {
  const markdown = await withDomEditor((editor) => editor.blocksToMarkdownLossy([...blocks]));
  // The title is escaped as Markdown text so that a title such as "*Brouillon*" stays literal.
  return `# ${title.replace(/([\\`*_[\]<>#|])/g, '\\$1')}\n\n${markdown.trim()}\n`;
}

async function exportHtml(blocks: readonly DocsBlock[], title: string, language: ExportLanguage): Promise<string> {
  // htmlparser2 is loaded by the first HTML export: its entity tables take a tenth of a second.
  const { cleanExportedHtml } = await import('./html.ts');
  const body = cleanExportedHtml(await withDomEditor((editor) => editor.blocksToHTMLLossy([...blocks])));
  const escapedTitle = escapeXml(title);
  return [
    '<!doctype html>',
    `<html lang="${languageTag(language)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="Bureau">',
    `<title>${escapedTitle}</title>`,
    `<style>${htmlStyle}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapedTitle}</h1>`,
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

async function exportOffice(
  format: 'docx' | 'odt' | 'pdf',
  blocks: readonly DocsBlock[],
  options: { title: string; language: ExportLanguage; resolveFile: ResolveFile | undefined },
): Promise<Uint8Array> {
  const images = await resolveImages(blocks, options.resolveFile);
  const nodes = exportNodes(blocks, images);
  switch (format) {
    case 'docx': {
      const { writeDocx } = await import('./export-docx.ts');
      return writeDocx(nodes, options);
    }
    case 'odt': {
      const { writeOdt } = await import('./export-odt.ts');
      return writeOdt(nodes, options);
    }
    case 'pdf': {
      const { writePdf } = await import('./export-pdf.ts');
      try {
        return await writePdf(nodes, options);
      } catch (error) {
        // pdfkit refuses some images libvips reads (unusual PNG variants): the page is not lost for them.
        if (images.size === 0) throw error;
        return writePdf(exportNodes(blocks, new Map()), options);
      }
    }
  }
}

/**
 * Exports a page in `format`: Markdown and HTML (BlockNote's exporters; a complete standalone HTML page),
 * Word (DOCX, the `docx` package), OpenDocument (ODT, written by hand) or PDF (pdfmake). The title comes
 * first, as the document's title; headings, formatting, links, lists (nested, numbered, checked), tables
 * (header row, column widths), code, quotes, dividers, images and files follow. Images are embedded in
 * DOCX, ODT and PDF when `resolveFile` reads them, and replaced by their caption otherwise; Markdown and
 * HTML keep their URL.
 *
 * Fails only with `DOCS_EXPORT_FAILED` (`{ format }`), the cause attached.
 */
export async function exportBlocks(
  blocks: readonly DocsBlock[],
  format: DocsExportFormat,
  options: ExportOptions,
): Promise<ExportedDocument> {
  const title = oneLineTitle(xmlSafe(options.title)) || (options.language === 'en' ? 'Untitled' : 'Sans titre');
  const language = options.language ?? 'fr';
  try {
    const body =
      format === 'md'
        ? new TextEncoder().encode(await exportMarkdown(blocks, title))
        : format === 'html'
          ? new TextEncoder().encode(await exportHtml(blocks, title, language))
          : await exportOffice(format, blocks, { title, language, resolveFile: options.resolveFile });
    return { body, contentType: contentTypes[format], extension: format };
  } catch (error) {
    if (error instanceof AppError && error.code === 'DOCS_EXPORT_FAILED') throw error;
    throw docsErrors.create('DOCS_EXPORT_FAILED', { format }, { cause: error });
  }
}
