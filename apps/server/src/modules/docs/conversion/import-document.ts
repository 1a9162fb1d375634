import { docsLimits } from '@bureau/contracts';
import { AppError } from '../../../platform/errors.ts';
import { docsErrors } from '../docs.errors.ts';
import { withDomEditor } from './blocknote-editor.ts';
import { fullInlines, inlineText, isSafeHref, type DocsBlock, type DocsInline } from './blocks.ts';
import { ImportedFiles, importedFileScheme, type ImportedFile } from './imported-files.ts';
import { oneLineTitle } from './plain-text.ts';
import { decodeText, declaredHtmlEncoding } from './text-decoding.ts';
import { ZipReader, ZipTooLargeError } from './zip-reader.ts';

export type ImportFormat = 'md' | 'html' | 'docx' | 'odt';

/** What an imported file becomes: a title, the page's blocks, and the images they refer to. */
export interface ImportedDocument {
  /** The file's metadata title, else its first heading, else its name without extension. */
  readonly title: string | null;
  readonly blocks: DocsBlock[];
  /** Images found in the file; image blocks refer to them as `bureau-import:<id>`, to be stored and rewritten. */
  readonly files: ImportedFile[];
}

/** An office file inflates to at most this many times the import limit: beyond, it is a decompression bomb. */
const maxExpansion = 10;

const formatsByExtension: Readonly<Record<string, ImportFormat>> = {
  md: 'md',
  markdown: 'md',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  docx: 'docx',
  odt: 'odt',
};

const formatsByContentType: Readonly<Record<string, ImportFormat>> = {
  'text/markdown': 'md',
  'text/x-markdown': 'md',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.oasis.opendocument.text': 'odt',
};

function extensionOf(fileName: string): string | undefined {
  return /\.([a-z0-9]+)$/i.exec(fileName.trim())?.[1]?.toLowerCase();
}

/** The format of an upload: its name's extension, else its declared content type. */
export function importFormat(fileName: string, contentType: string | undefined): ImportFormat | undefined {
  const extension = extensionOf(fileName);
  if (extension !== undefined && extension in formatsByExtension) return formatsByExtension[extension];
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === undefined ? undefined : formatsByContentType[mediaType];
}

/** Whether `bytes` look like a binary file rather than text: NUL bytes, or a zip or PDF signature. */
function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 8192);
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return true;
  if (new TextDecoder('latin1').decode(head.subarray(0, 5)) === '%PDF-') return true;
  // UTF-16 text has NUL bytes: its byte order mark says so.
  const isUtf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  return !isUtf16 && head.includes(0);
}

function fileStem(fileName: string): string {
  const base = fileName.split(/[/\\]/).pop() ?? fileName;
  return base.replace(/\.[a-z0-9]{1,10}$/i, '').trim();
}

/** A Markdown file's YAML front matter title (`title: ...`), and the Markdown after it. */
function frontMatter(markdown: string): { title: string | undefined; body: string } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(markdown);
  if (!match) return { title: undefined, body: markdown };
  const title = /^title:\s*(.+)$/m
    .exec(match[1] ?? '')?.[1]
    ?.trim()
    .replace(/^(["'])(.*)\1$/, '$2');
  return { title: title || undefined, body: markdown.slice(match[0].length) };
}

const checkPrefix = /^\s*([☐☑☒✓✔])\s?/;

/** Safe inline content: links to `javascript:` and the like become their text. */
function safeInlines(inlines: readonly DocsInline[]): DocsInline[] {
  return inlines.flatMap((inline) => (inline.type === 'link' && !isSafeHref(inline.href) ? inline.content : [inline]));
}

function withoutCheckPrefix(inlines: readonly DocsInline[]): DocsInline[] {
  const [first, ...rest] = inlines;
  if (!first || first.type !== 'text') return [...inlines];
  const text = first.text.replace(checkPrefix, '');
  return text ? [{ ...first, text }, ...rest] : rest;
}

/** A media URL an imported block may keep: a file of this import (not one a crafted file names), or a web address. */
function isUsableMediaUrl(url: string, files: ImportedFiles): boolean {
  if (url.startsWith(importedFileScheme)) return files.has(url.slice(importedFileScheme.length));
  return isSafeHref(url) && !/^(mailto|tel):/i.test(url);
}

/**
 * The blocks BlockNote parsed (changed in place), made safe and complete: images given as `data:` URLs
 * become files of the import, media and links with unsafe addresses are dropped (their text kept), and
 * list items and paragraphs that start with ☐ or ☑ (how DOCX and ODT check lists come back) become
 * check items.
 */
function finishBlocks(blocks: readonly DocsBlock[], files: ImportedFiles): DocsBlock[] {
  const finished: DocsBlock[] = [];
  for (const block of blocks) {
    block.children = finishBlocks(block.children, files);
    if (block.type === 'image' || block.type === 'file' || block.type === 'video' || block.type === 'audio') {
      const rawUrl = block.props.url.trim();
      const url = /^data:/i.test(rawUrl) ? files.addDataUrl(rawUrl) : rawUrl;
      if (url !== undefined && isUsableMediaUrl(url, files)) {
        finished.push(withUrl(block, url));
      } else {
        const text = block.props.caption || block.props.name;
        if (text) finished.push(paragraph(block.id, fullInlines(text), block.children));
        else finished.push(...block.children);
      }
      continue;
    }
    if (block.type === 'table') {
      for (const row of block.content.rows) {
        row.cells = row.cells.map((cell) =>
          Array.isArray(cell) ? safeInlines(cell) : { ...cell, content: safeInlines(cell.content) },
        ) as typeof row.cells;
      }
      finished.push(block);
      continue;
    }
    if (!Array.isArray(block.content)) {
      finished.push(block);
      continue;
    }
    const content = safeInlines(block.content);
    const check = checkPrefix.exec(inlineText(content));
    if (check && (block.type === 'bulletListItem' || block.type === 'numberedListItem' || block.type === 'paragraph')) {
      finished.push({
        id: block.id,
        type: 'checkListItem',
        props: { backgroundColor: 'default', textColor: 'default', textAlignment: 'left', checked: check[1] !== '☐' },
        content: withoutCheckPrefix(content),
        children: block.children,
      });
      continue;
    }
    block.content = content;
    finished.push(block);
  }
  return finished;
}

type MediaBlock = Extract<DocsBlock, { type: 'image' | 'file' | 'video' | 'audio' }>;

function withUrl(block: MediaBlock, url: string): DocsBlock {
  switch (block.type) {
    case 'image':
      return { ...block, props: { ...block.props, url } };
    case 'file':
      return { ...block, props: { ...block.props, url } };
    case 'video':
      return { ...block, props: { ...block.props, url } };
    case 'audio':
      return { ...block, props: { ...block.props, url } };
  }
}

function paragraph(id: string, content: DocsInline[], children: DocsBlock[]): DocsBlock {
  return {
    id,
    type: 'paragraph',
    props: { backgroundColor: 'default', textColor: 'default', textAlignment: 'left' },
    content,
    children,
  };
}

function hasContent(blocks: readonly DocsBlock[]): boolean {
  return blocks.some((block) => {
    if (block.type === 'image' || block.type === 'file' || block.type === 'video' || block.type === 'audio')
      return true;
    if (block.type === 'table')
      return block.content.rows.some((row) =>
        row.cells.some((cell) => inlineText(Array.isArray(cell) ? cell : cell.content).trim() !== ''),
      );
    return inlineText(block.content).trim() !== '' || hasContent(block.children);
  });
}

function normalised(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function firstHeading(blocks: readonly DocsBlock[]): string | undefined {
  for (const block of blocks) {
    if (block.type === 'heading' && inlineText(block.content).trim()) return normalised(inlineText(block.content));
  }
  return undefined;
}

/**
 * The blocks without the heading that repeats the title at their top (leading empty paragraphs too):
 * Bureau shows a page's title above its content, and exports write it there.
 */
function withoutTitleHeading(blocks: readonly DocsBlock[], title: string): DocsBlock[] {
  const index = blocks.findIndex(
    (block) => block.type !== 'paragraph' || inlineText(block.content).trim() !== '' || block.children.length > 0,
  );
  const first = blocks[index];
  if (first?.type !== 'heading' || normalised(inlineText(first.content)) !== title || first.children.length > 0)
    return [...blocks];
  return blocks.slice(index + 1);
}

async function htmlToBlocks(
  html: string,
): Promise<{ blocks: DocsBlock[]; title: string | undefined; titleParagraph: string | undefined }> {
  // htmlparser2 is loaded by the first import that needs it: its entity tables take a tenth of a second.
  const { sanitiseImportedHtml } = await import('./html.ts');
  const sanitised = sanitiseImportedHtml(html);
  const blocks = await withDomEditor((editor) => editor.tryParseHTMLToBlocks(sanitised.html));
  return { blocks, title: sanitised.title, titleParagraph: sanitised.titleParagraph };
}

async function readFormat(
  format: ImportFormat,
  bytes: Uint8Array,
  files: ImportedFiles,
): Promise<{ blocks: DocsBlock[]; metadataTitle: string | undefined; titleParagraph?: string | undefined }> {
  const maxInflatedBytes = docsLimits.importMaxBytes * maxExpansion;
  switch (format) {
    case 'md': {
      const { title, body } = frontMatter(decodeText(bytes));
      const blocks = await withDomEditor((editor) => editor.tryParseMarkdownToBlocks(body));
      return { blocks, metadataTitle: title };
    }
    case 'html': {
      const { blocks, title, titleParagraph } = await htmlToBlocks(decodeText(bytes, declaredHtmlEncoding(bytes)));
      return { blocks, metadataTitle: title, titleParagraph };
    }
    case 'docx': {
      const { docxToHtml } = await import('./import-docx.ts');
      const { html, title } = await docxToHtml(new ZipReader(bytes, maxInflatedBytes), bytes, files);
      const { blocks, titleParagraph } = await htmlToBlocks(html);
      return { blocks, metadataTitle: title, titleParagraph };
    }
    case 'odt': {
      const { odtToHtml } = await import('./import-odt.ts');
      const { html, title } = odtToHtml(new ZipReader(bytes, maxInflatedBytes), files);
      const { blocks, titleParagraph } = await htmlToBlocks(html);
      return { blocks, metadataTitle: title, titleParagraph };
    }
  }
}

function megabytes(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 10) / 10;
}

/** Whether `bytes` can be what `format` says, before a parser is given them. */
function matchesFormat(format: ImportFormat, bytes: Uint8Array): boolean {
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  return format === 'docx' || format === 'odt' ? isZip : !looksBinary(bytes);
}

/**
 * Reads an uploaded file into a page: Markdown and HTML (through BlockNote's parsers; scripts and styles
 * removed), Word (.docx, through mammoth) and OpenDocument text (.odt, read by hand). The format comes
 * from the name's extension, else the content type.
 *
 * Fails only with `docsErrors`: `DOCS_IMPORT_TOO_LARGE` (over the import limit, or an office file
 * inflating to more than ten times it), `DOCS_IMPORT_UNSUPPORTED`, `DOCS_IMPORT_CORRUPT` (unreadable,
 * or not what its name says), `DOCS_IMPORT_EMPTY` (no text).
 */
export async function importDocument(
  bytes: Uint8Array,
  fileName: string,
  contentType?: string,
): Promise<ImportedDocument> {
  if (bytes.byteLength > docsLimits.importMaxBytes) {
    throw docsErrors.create('DOCS_IMPORT_TOO_LARGE', { maxMegabytes: megabytes(docsLimits.importMaxBytes) });
  }
  const format = importFormat(fileName, contentType);
  if (!format) throw docsErrors.create('DOCS_IMPORT_UNSUPPORTED');
  if (bytes.byteLength === 0 || (format !== 'docx' && format !== 'odt' && decodeText(bytes).trim() === '')) {
    throw docsErrors.create('DOCS_IMPORT_EMPTY', { fileName });
  }
  if (!matchesFormat(format, bytes)) throw docsErrors.create('DOCS_IMPORT_CORRUPT', { fileName });

  const files = new ImportedFiles();
  let read: Awaited<ReturnType<typeof readFormat>>;
  try {
    read = await readFormat(format, bytes, files);
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof ZipTooLargeError) {
      throw docsErrors.create(
        'DOCS_IMPORT_TOO_LARGE',
        { maxMegabytes: megabytes(docsLimits.importMaxBytes) },
        { cause: error },
      );
    }
    throw docsErrors.create('DOCS_IMPORT_CORRUPT', { fileName }, { cause: error });
  }
  const blocks = finishBlocks(read.blocks, files);
  if (!hasContent(blocks)) throw docsErrors.create('DOCS_IMPORT_EMPTY', { fileName });
  const source = read.metadataTitle ?? read.titleParagraph ?? firstHeading(blocks) ?? fileStem(fileName);
  const title = source ? oneLineTitle(source) || null : null;
  return { title, blocks: title ? withoutTitleHeading(blocks, title) : blocks, files: files.files };
}
