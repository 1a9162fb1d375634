import { getResolvedPDFJS } from 'unpdf';
import { documentParsingErrors } from './parsing.errors.ts';
import { normaliseInline, type SectionBuilder } from './sections.ts';

type PdfDocument = Awaited<ReturnType<Awaited<ReturnType<typeof getResolvedPDFJS>>['getDocument']>['promise']>;
type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;
type PdfTextItem = Extract<Awaited<ReturnType<PdfPage['getTextContent']>>['items'][number], { str: string }>;

/** A line of text as drawn on a page: its position (PDF units, y upwards) and its dominant font size. */
interface PdfLine {
  readonly page: number;
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly text: string;
}

// A line at least this much larger than the body text is a heading...
const headingSizeRatio = 1.15;
// ...if it is short enough to be one.
const headingMaxLength = 150;
// A gap between lines this much larger than the usual line spacing ends a paragraph.
const paragraphGapRatio = 1.4;
// Lines repeated at the top or bottom of this many pages are running headers and footers.
const runningLineMinPages = 3;
const bulletPattern = /^[•◦▪▫‣●○■□➢►–—*-]\s+/u;
const pageNumberPattern = /^(?:page\s+)?[-–—]?\s*(\d{1,4})\s*[-–—]?(?:\s*(?:\/|sur|of|de)\s*\d{1,4})?$/i;

/** Why a PDF is refused, told by pdf.js through the name of its exception. */
function isPasswordError(error: unknown): boolean {
  return error instanceof Error && error.name === 'PasswordException';
}

function fontSizeOf(item: PdfTextItem): number {
  const [a = 0, b = 0, c = 0, d = 0] = item.transform as number[];
  // The length of the text matrix's vertical vector is the font's height, whatever the horizontal scaling.
  return Math.hypot(c, d) || Math.hypot(a, b);
}

/** Rebuilds the lines of a page from pdf.js's text items, which may hold a word, a line or a run of a line. */
function linesOfPage(items: readonly PdfTextItem[], page: number): PdfLine[] {
  const lines: PdfLine[] = [];
  let text = '';
  let x = 0;
  let y = 0;
  let endX = 0;
  let height = 0;
  const sizes = new Map<number, number>();
  const closeLine = () => {
    if (text.trim()) {
      const size = [...sizes].reduce((best, entry) => (entry[1] > best[1] ? entry : best), [0, -1])[0];
      lines.push({ page, x, y, size, text });
    }
    text = '';
    sizes.clear();
  };
  for (const item of items) {
    if (item.str) {
      const size = fontSizeOf(item);
      const [, , , , itemX = 0, itemY = 0] = item.transform as number[];
      if (text && Math.abs(itemY - y) > Math.max(size, height) * 0.5) closeLine();
      if (!text) {
        x = itemX;
        y = itemY;
        height = size;
      } else if (itemX - endX > size * 0.15 && !/\s$/.test(text) && !/^\s/.test(item.str)) {
        text += ' ';
      }
      text += item.str;
      endX = itemX + item.width;
      height = Math.max(height, size);
      const rounded = Math.round(size * 2) / 2;
      sizes.set(rounded, (sizes.get(rounded) ?? 0) + item.str.length);
    }
    if (item.hasEOL) closeLine();
  }
  closeLine();
  return lines.map((line) => ({ ...line, text: normaliseInline(line.text) })).filter((line) => line.text);
}

/** Lines at the top and bottom of each page that are page numbers or repeat on several pages. */
function runningLines(pages: readonly PdfLine[][]): Set<PdfLine> {
  const keyOf = (line: PdfLine) => line.text.toLowerCase().replace(/\d+/g, '#');
  const edgesOfPages = pages.map((lines) => {
    const byHeight = [...lines].sort((first, second) => second.y - first.y);
    return new Set([...byHeight.slice(0, 2), ...byHeight.slice(-2)]);
  });
  const pagesOfKey = new Map<string, Set<number>>();
  for (const edges of edgesOfPages) {
    for (const line of edges) pagesOfKey.set(keyOf(line), (pagesOfKey.get(keyOf(line)) ?? new Set()).add(line.page));
  }
  const running = new Set<PdfLine>();
  for (const edges of edgesOfPages) {
    for (const line of edges) {
      const pageNumber = pageNumberPattern.exec(line.text)?.[1];
      const isPageNumber = pageNumber !== undefined && Number(pageNumber) <= pages.length + 10;
      if (isPageNumber || (pagesOfKey.get(keyOf(line))?.size ?? 0) >= runningLineMinPages) running.add(line);
    }
  }
  return running;
}

/** The median of `values` weighted by `weights`: the body text's font size, weighted by characters. */
function weightedMedian(values: readonly { value: number; weight: number }[]): number {
  const sorted = [...values].sort((first, second) => first.value - second.value);
  const half = sorted.reduce((total, entry) => total + entry.weight, 0) / 2;
  let seen = 0;
  for (const entry of sorted) {
    seen += entry.weight;
    if (seen >= half) return entry.value;
  }
  return sorted.at(-1)?.value ?? 0;
}

function isHeadingLine(line: PdfLine, bodySize: number): boolean {
  return (
    line.size >= bodySize * headingSizeRatio &&
    line.text.length < headingMaxLength &&
    !/[.,;]$/.test(line.text) &&
    /\p{L}/u.test(line.text) &&
    !bulletPattern.test(line.text)
  );
}

/** `next` appended to `text` as the next line of the same paragraph. */
function joinLines(text: string, next: string): string {
  // A word hyphenated at the end of the line: its halves join, keeping the hyphen of compound words.
  if (/\p{L}-$/u.test(text) && /^\p{Ll}/u.test(next)) return text + next;
  return `${text} ${next}`;
}

/** Lays the lines of the document out as headings, paragraphs and list items into `builder`. */
function emitLines(pages: readonly PdfLine[][], builder: SectionBuilder): void {
  const running = runningLines(pages);
  const lines = pages.flat().filter((line) => !running.has(line));
  const bodySize = weightedMedian(lines.map((line) => ({ value: line.size, weight: line.text.length })));
  const headingSizes = [...new Set(lines.filter((line) => isHeadingLine(line, bodySize)).map((line) => line.size))];
  headingSizes.sort((first, second) => second - first);
  const levelOf = (size: number) => Math.min(headingSizes.indexOf(size) + 1, 6);

  const bodyGaps: { value: number; weight: number }[] = [];
  for (let index = 1; index < lines.length; index += 1) {
    const previous = lines[index - 1];
    const line = lines[index];
    if (!previous || !line || previous.page !== line.page || previous.size !== bodySize || line.size !== bodySize) {
      continue;
    }
    const gap = previous.y - line.y;
    if (gap > 0 && gap < bodySize * 3) bodyGaps.push({ value: gap, weight: 1 });
  }
  const lineSpacing = bodyGaps.length > 0 ? weightedMedian(bodyGaps) : bodySize * 1.2;

  let pending: { kind: 'heading' | 'paragraph' | 'item'; text: string; first: PdfLine; last: PdfLine } | undefined;
  const flush = () => {
    if (!pending) return;
    if (pending.kind === 'heading') builder.heading(levelOf(pending.last.size), pending.text);
    else if (pending.kind === 'item') builder.listItem(pending.text);
    else builder.paragraph(pending.text);
    pending = undefined;
  };
  for (const line of lines) {
    if (builder.isFull) return;
    const previous = pending?.last;
    const isHeading = isHeadingLine(line, bodySize);
    const gap = previous ? previous.y - line.y : 0;
    const isSamePage = previous?.page === line.page;
    if (isHeading) {
      // A long heading wraps onto several lines of the same size.
      const continues =
        pending?.kind === 'heading' && isSamePage && pending.last.size === line.size && gap > 0 && gap < line.size * 2;
      if (pending && continues) pending = { ...pending, text: `${pending.text} ${line.text}`, last: line };
      else {
        flush();
        pending = { kind: 'heading', text: line.text, first: line, last: line };
      }
      continue;
    }
    const bullet = bulletPattern.exec(line.text);
    if (bullet) {
      flush();
      pending = { kind: 'item', text: line.text.slice(bullet[0].length), first: line, last: line };
      continue;
    }
    const continues =
      pending !== undefined &&
      pending.kind !== 'heading' &&
      // A list item goes on with the lines indented under its text, not with the paragraph after it.
      (pending.kind !== 'item' || line.x > pending.first.x + 1) &&
      (isSamePage
        ? gap > 0 && gap <= lineSpacing * paragraphGapRatio
        : // Across a page break, a paragraph goes on when its sentence is not finished.
          !/[.!?:;»"”)]$/.test(pending.text) && /^\p{Ll}/u.test(line.text));
    if (pending && continues) pending = { ...pending, text: joinLines(pending.text, line.text), last: line };
    else {
      flush();
      pending = { kind: 'paragraph', text: line.text, first: line, last: line };
    }
  }
  flush();
}

function infoTitle(info: unknown, metadataTitle: unknown): string | undefined {
  const title: unknown =
    info !== null && typeof info === 'object' ? (info as Record<string, unknown>).Title : undefined;
  for (const candidate of [title, metadataTitle]) {
    if (typeof candidate !== 'string') continue;
    // Word writes "Microsoft Word - report.docx" when the author left the title empty.
    const cleaned = normaliseInline(candidate.replace(/^Microsoft Word - /, ''));
    if (cleaned && !/\.(docx?|odt|pdf|rtf)$/i.test(cleaned)) return cleaned;
  }
  return undefined;
}

/**
 * Reads a PDF's text layer into `builder`: lines rebuilt from pdf.js's text items, paragraphs from the
 * gaps between lines, headings from font sizes clearly above the body's (nested by size), running
 * headers, footers and page numbers dropped. A PDF without a text layer (a scan) yields nothing.
 * Aborting `signal` destroys the pdf.js document, so a parsing past its deadline stops.
 */
export async function parsePdf(
  bytes: Uint8Array,
  builder: SectionBuilder,
  signal: AbortSignal,
): Promise<{ title: string | undefined; pageCount: number }> {
  const pdfjs = await getResolvedPDFJS();
  // pdf.js takes ownership of the buffer it is given (it detaches it): it gets a copy.
  const task = pdfjs.getDocument({
    data: bytes.slice(),
    verbosity: 0,
    useSystemFonts: true,
    disableFontFace: true,
    stopAtErrors: false,
  });
  const destroy = () => void task.destroy();
  signal.addEventListener('abort', destroy, { once: true });
  try {
    let document: PdfDocument;
    try {
      document = await task.promise;
    } catch (error) {
      if (isPasswordError(error))
        throw documentParsingErrors.create('AI_DOCUMENT_ENCRYPTED', { format: 'pdf' }, { cause: error });
      throw error;
    }
    const { info, metadata } = await document.getMetadata();
    const title = infoTitle(info, metadata?.get('dc:title'));
    const pages: PdfLine[][] = [];
    let characters = 0;
    let pageFailure: Error | undefined;
    for (let number = 1; number <= document.numPages; number += 1) {
      // Reading stops once there is more text than the builder keeps (plus the running lines it will drop).
      if (signal.aborted || characters > builder.characterLimit * 1.1) break;
      let items: PdfTextItem[];
      try {
        const page = await document.getPage(number);
        const content = await page.getTextContent();
        page.cleanup();
        items = content.items.filter((item): item is PdfTextItem => 'str' in item);
      } catch (error) {
        // One damaged page costs its own text, not the document's; a document whose every page fails is corrupt.
        if (signal.aborted) throw error;
        pageFailure ??= error instanceof Error ? error : new Error(String(error));
        items = [];
      }
      const lines = linesOfPage(items, number);
      characters += lines.reduce((total, line) => total + line.text.length, 0);
      pages.push(lines);
    }
    if (pageFailure !== undefined && pages.every((lines) => lines.length === 0)) throw pageFailure;
    emitLines(pages, builder);
    return { title, pageCount: document.numPages };
  } finally {
    signal.removeEventListener('abort', destroy);
    await task.destroy();
  }
}
