import { AppError } from '../../../../platform/errors.ts';
import { parseDocx } from './docx.ts';
import { parseHtmlFile } from './html.ts';
import { parseMarkdown } from './markdown.ts';
import { parseOdt } from './odt.ts';
import { listZipEntries, ZipTooLargeError } from './office-package.ts';
import { documentParsingErrors } from './parsing.errors.ts';
import { parsePdf } from './pdf.ts';
import { SectionBuilder, type ParsedSection } from './sections.ts';
import { looksBinary, parseText } from './text.ts';

export type { ParsedSection } from './sections.ts';

export interface ParsedDocument {
  /** The document's title: its metadata title, else its first level-1 heading, else undefined. */
  readonly title: string | undefined;
  readonly format: 'pdf' | 'docx' | 'odt' | 'html' | 'markdown' | 'text';
  readonly sections: readonly ParsedSection[];
  /** Pages of a PDF. */
  readonly pageCount?: number;
}

export type DocumentFormat = ParsedDocument['format'];

export interface ParseLimits {
  /** Larger files are refused before any parsing. */
  readonly maxBytes: number;
  /** Text beyond this many characters is dropped: the beginning of the document is kept. */
  readonly maxCharacters: number;
  /** A parsing that takes longer is abandoned. */
  readonly timeoutMs: number;
}

export const defaultParseLimits: ParseLimits = {
  maxBytes: 50 * 1024 * 1024,
  maxCharacters: 5_000_000,
  timeoutMs: 60_000,
};

// Decompressed XML an office file may hold for each byte of its size: well above real documents (text
// compresses about ten times, images not at all), far below a decompression bomb's ratio.
const expansionRatio = 4;

const formatsByExtension: Readonly<Record<string, DocumentFormat>> = {
  pdf: 'pdf',
  docx: 'docx',
  odt: 'odt',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  md: 'markdown',
  markdown: 'markdown',
  txt: 'text',
};

const formatsByContentType: Readonly<Record<string, DocumentFormat>> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/plain': 'text',
};

const textFormats: ReadonlySet<DocumentFormat> = new Set(['html', 'markdown', 'text']);

function asciiAt(bytes: Uint8Array, start: number, length: number): string {
  return new TextDecoder('latin1').decode(bytes.subarray(start, start + length));
}

/** The format the content of `bytes` proves, whatever the file is called: PDF, Word or OpenDocument text. */
function formatOfContent(bytes: Uint8Array): DocumentFormat | undefined {
  // Only at the very start: a text about PDFs may well quote their header. (A PDF with junk before its
  // header is still read when its name or type says PDF.)
  if (asciiAt(bytes, 0, 5) === '%PDF-') return 'pdf';
  if (asciiAt(bytes, 0, 4) !== 'PK\u0003\u0004') return undefined;
  // An OpenDocument package starts with its uncompressed `mimetype` file.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length > 30 && asciiAt(bytes, 30, 8) === 'mimetype') {
    const dataStart = 30 + view.getUint16(26, true) + view.getUint16(28, true);
    if (asciiAt(bytes, dataStart, 39) === 'application/vnd.oasis.opendocument.text') return 'odt';
  }
  try {
    return listZipEntries(bytes).has('word/document.xml') ? 'docx' : undefined;
  } catch {
    // A truncated archive has no central directory; the local header of its main part may remain.
    const content = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return content.indexOf('PK\u0003\u0004', 0, 'latin1') >= 0 && content.indexOf('word/document.xml', 0, 'latin1') >= 0
      ? 'docx'
      : undefined;
  }
}

/**
 * The format of an uploaded file: by its content first (a PDF, a Word or an OpenDocument text whatever
 * its name), then by its name's extension, then by its declared content type. Undefined when it is none
 * of the supported formats, or when a file named as text holds binary data.
 */
export function detectFormat(
  fileName: string,
  contentType: string | undefined,
  bytes: Uint8Array,
): DocumentFormat | undefined {
  const byContent = formatOfContent(bytes);
  if (byContent) return byContent;
  const extension = /\.([a-z0-9]+)$/i.exec(fileName.trim())?.[1]?.toLowerCase();
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  const declared =
    (extension === undefined ? undefined : formatsByExtension[extension]) ??
    (mediaType === undefined ? undefined : formatsByContentType[mediaType]);
  if (declared && textFormats.has(declared) && looksBinary(bytes)) return undefined;
  return declared;
}

function megabytes(bytes: number): number {
  return Math.round((bytes / (1024 * 1024)) * 10) / 10;
}

function timeoutError(limits: ParseLimits): AppError {
  return documentParsingErrors.create('AI_DOCUMENT_TIMEOUT', { seconds: limits.timeoutMs / 1000 });
}

/** What a parsing failure means to the person who uploaded the file. */
function asParsingError(error: unknown, format: DocumentFormat, limits: ParseLimits): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZipTooLargeError) {
    return documentParsingErrors.create(
      'AI_DOCUMENT_TOO_LARGE',
      { maxMegabytes: megabytes(limits.maxBytes * expansionRatio) },
      { cause: error },
    );
  }
  return documentParsingErrors.create('AI_DOCUMENT_CORRUPT', { format }, { cause: error });
}

async function readFormat(
  format: DocumentFormat,
  bytes: Uint8Array,
  builder: SectionBuilder,
  limits: ParseLimits,
  signal: AbortSignal,
): Promise<{ title: string | undefined; pageCount?: number }> {
  switch (format) {
    case 'pdf':
      return parsePdf(bytes, builder, signal);
    case 'docx':
      return parseDocx(bytes, builder, limits.maxBytes * expansionRatio);
    case 'odt':
      return parseOdt(bytes, builder, limits.maxBytes * expansionRatio);
    case 'html':
      return parseHtmlFile(bytes, builder);
    case 'markdown':
      return parseMarkdown(bytes, builder);
    case 'text':
      parseText(bytes, builder);
      return { title: undefined };
  }
}

/**
 * Parses an uploaded document (PDF, DOCX, ODT, HTML, Markdown or plain text) into its sections: the text
 * under each heading, with the chain of headings above it. The format is detected from the content
 * first, then from the name and the content type.
 *
 * Fails only with `documentParsingErrors`: too large (checked before parsing), unsupported type,
 * corrupt, encrypted, empty (no text layer) or too slow (`limits.timeoutMs`). A document longer than
 * `limits.maxCharacters` is cut there, not refused.
 */
export async function parseDocument(
  input: { bytes: Uint8Array; fileName: string; contentType?: string },
  limits: ParseLimits = defaultParseLimits,
): Promise<ParsedDocument> {
  const { bytes, fileName, contentType } = input;
  if (bytes.byteLength > limits.maxBytes) {
    throw documentParsingErrors.create('AI_DOCUMENT_TOO_LARGE', { maxMegabytes: megabytes(limits.maxBytes) });
  }
  const format = detectFormat(fileName, contentType, bytes);
  if (!format) throw documentParsingErrors.create('AI_DOCUMENT_UNSUPPORTED_TYPE', { fileName });

  const deadline = Date.now() + limits.timeoutMs;
  const builder = new SectionBuilder({
    maxCharacters: limits.maxCharacters,
    // The synchronous parsers (HTML, Markdown, OpenDocument) never yield to a timer: they check the
    // deadline at each block they add.
    checkpoint: () => {
      if (Date.now() > deadline) throw timeoutError(limits);
    },
  });
  const abandon = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(timeoutError(limits)), limits.timeoutMs);
  });
  const parsing = readFormat(format, bytes, builder, limits, abandon.signal);
  // A parsing abandoned at its deadline may still fail afterwards, when nobody waits for it any more.
  parsing.catch(() => undefined);
  let result: Awaited<typeof parsing>;
  try {
    result = await Promise.race([parsing, expiry]);
  } catch (error) {
    throw asParsingError(error, format, limits);
  } finally {
    clearTimeout(timer);
    // Stops the work of an abandoned parsing (pdf.js destroys its document).
    abandon.abort();
  }

  const sections = builder.build();
  if (sections.length === 0) throw documentParsingErrors.create('AI_DOCUMENT_EMPTY', { format });
  const title = result.title ?? builder.firstTopHeading;
  return { title, format, sections, ...(result.pageCount === undefined ? {} : { pageCount: result.pageCount }) };
}
