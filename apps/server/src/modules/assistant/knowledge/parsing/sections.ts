/** A piece of a parsed document: the text under one heading. */
export interface ParsedSection {
  /** The chain of headings above this text, outermost first (e.g. ['Congés', 'Congés payés']); empty before any heading. */
  readonly headings: readonly string[];
  /** The text of the section: paragraphs separated by '\n\n', list items on their own lines starting with '- ', table rows as cells joined by ' | ' one row per line. Whitespace normalised. */
  readonly text: string;
}

// Soft hyphens, zero-width spaces and joiners, word joiners and stray byte-order marks carry no text, and
// split words for the search index if kept.
const invisibleCharacters = /[\u00AD\u200B-\u200D\u2060\uFEFF]/g;
// Control characters (form feeds, NUL...) come from broken extractions; tabs and line feeds are whitespace.
const controlCharacters = /[^\P{Cc}\t\n]/gu;

function withoutInvisibles(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(invisibleCharacters, '').replace(controlCharacters, '');
}

/** `text` on one line: invisible characters removed, every run of whitespace (line breaks included) made one space. */
export function normaliseInline(text: string): string {
  return withoutInvisibles(text).replace(/\s+/g, ' ').trim();
}

/** `text` with its lines kept: spaces collapsed and lines trimmed, at most one blank line in a row. */
export function normaliseBlock(text: string): string {
  return withoutInvisibles(text)
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface SectionBuilderOptions {
  /** Text beyond this many characters is dropped: the document is kept up to there. */
  readonly maxCharacters: number;
  /** Called on every addition; throws to abandon the parsing (the deadline is past). */
  readonly checkpoint?: () => void;
}

interface Run {
  readonly kind: 'list' | 'table';
  readonly lines: string[];
}

/**
 * Builds the sections of a document from its blocks in reading order, whatever the format: headings
 * (with their level), paragraphs, list items and table rows. A heading of level N replaces the headings
 * at level N and deeper in the current path; the text met under a path becomes one section.
 */
export class SectionBuilder {
  readonly #options: SectionBuilderOptions;
  readonly #path: { level: number; text: string }[] = [];
  readonly #sections: ParsedSection[] = [];
  #blocks: string[] = [];
  #run: Run | undefined;
  #characters = 0;
  #isFull = false;
  #firstTopHeading: string | undefined;

  constructor(options: SectionBuilderOptions) {
    this.#options = options;
  }

  /** Whether `maxCharacters` was reached: everything added from now on is ignored. */
  get isFull(): boolean {
    return this.#isFull;
  }

  /** The most characters the builder keeps. */
  get characterLimit(): number {
    return this.#options.maxCharacters;
  }

  /** How many characters were kept so far. */
  get characterCount(): number {
    return this.#characters;
  }

  /** The text of the first level-1 heading, the document's title when its metadata has none. */
  get firstTopHeading(): string | undefined {
    return this.#firstTopHeading;
  }

  heading(level: number, rawText: string): void {
    this.#options.checkpoint?.();
    const text = this.#take(normaliseInline(rawText));
    if (!text) return;
    this.#closeSection();
    while (this.#path.length > 0 && (this.#path.at(-1)?.level ?? 0) >= level) this.#path.pop();
    this.#path.push({ level, text });
    if (level === 1) this.#firstTopHeading ??= text;
  }

  paragraph(rawText: string): void {
    this.#options.checkpoint?.();
    const text = this.#take(normaliseBlock(rawText));
    if (!text) return;
    this.endRun();
    this.#blocks.push(text);
  }

  listItem(rawText: string): void {
    this.#options.checkpoint?.();
    const text = normaliseInline(rawText);
    if (!text) return;
    const line = this.#take(`- ${text}`);
    if (line) this.#runOf('list').lines.push(line);
  }

  tableRow(rawCells: readonly string[]): void {
    this.#options.checkpoint?.();
    const cells = rawCells.map(normaliseInline);
    if (cells.every((cell) => cell === '')) return;
    const line = this.#take(cells.join(' | ').trim());
    if (line) this.#runOf('table').lines.push(line);
  }

  /** Ends the current list or table, so that the next one starts a block of its own. */
  endRun(): void {
    if (!this.#run) return;
    this.#blocks.push(this.#run.lines.join('\n'));
    this.#run = undefined;
  }

  build(): ParsedSection[] {
    this.#closeSection();
    return [...this.#sections];
  }

  #runOf(kind: Run['kind']): Run {
    if (this.#run?.kind !== kind) {
      this.endRun();
      this.#run = { kind, lines: [] };
    }
    return this.#run;
  }

  #closeSection(): void {
    this.endRun();
    if (this.#blocks.length === 0) return;
    this.#sections.push({ headings: this.#path.map((heading) => heading.text), text: this.#blocks.join('\n\n') });
    this.#blocks = [];
  }

  /** `text` as far as the character budget allows ('' once it is spent). */
  #take(text: string): string {
    if (this.#isFull || !text) return '';
    const room = this.#options.maxCharacters - this.#characters;
    if (text.length < room) {
      this.#characters += text.length;
      return text;
    }
    this.#isFull = true;
    let kept = text.slice(0, Math.max(room, 0));
    // A cut between the two halves of a surrogate pair would leave half a character.
    if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
    // A cut inside a word keeps the words before it, not a fragment a search would match wrongly.
    const wordStart = /\s\S*$/.exec(kept);
    if (/^[\p{L}\p{N}]/u.test(text.slice(kept.length)) && wordStart) kept = kept.slice(0, wordStart.index);
    kept = kept.trimEnd();
    this.#characters += kept.length;
    return kept;
  }
}

interface Capture {
  readonly kind: 'heading' | 'item' | 'cell';
  text: string;
}

/** Undoes what an `open…` call of `BlockAssembler` did, when the element it opened closes. */
export type CloseBlock = () => void;

/**
 * Turns the events of a markup walk (elements opening and closing, text) into the blocks of a
 * `SectionBuilder`, for HTML and OpenDocument alike. Each `open…` returns the function to call when the
 * element closes; an element met where it cannot be one (a heading inside a table cell, a cell outside a
 * row) is kept as text.
 */
export class BlockAssembler {
  readonly #builder: SectionBuilder;
  readonly #captures: Capture[] = [];
  readonly #rows: string[][] = [];
  #paragraph = '';

  constructor(builder: SectionBuilder) {
    this.#builder = builder;
  }

  text(text: string): void {
    const capture = this.#captures.at(-1);
    if (capture) capture.text += text;
    else this.#paragraph += text;
  }

  lineBreak(): void {
    this.text(this.#captures.length > 0 ? ' ' : '\n');
  }

  /** The edge of a block element (a paragraph, a div): ends the paragraph, or separates words in a cell. */
  blockBoundary(): void {
    if (this.#captures.length > 0) this.text(' ');
    else this.#flushParagraph();
  }

  /** The end of a list or a table: the next one starts a block of its own. */
  endGroup(): void {
    if (this.#captures.length > 0 || this.#rows.length > 0) return;
    this.#flushParagraph();
    this.#builder.endRun();
  }

  openHeading(level: number): CloseBlock {
    if (this.#captures.length > 0) return this.#boundary();
    this.#flushParagraph();
    return this.#capture('heading', (text) => this.#builder.heading(level, text));
  }

  openListItem(): CloseBlock {
    const top = this.#captures.at(-1);
    if (top && top.kind !== 'item') return this.#boundary();
    if (top) {
      // A nested list: the parent item's own text comes first, on its own line.
      this.#builder.listItem(top.text);
      top.text = '';
    } else {
      this.#flushParagraph();
    }
    return this.#capture('item', (text) => this.#builder.listItem(text));
  }

  openRow(): CloseBlock {
    if (this.#captures.length > 0) return this.#boundary();
    this.#flushParagraph();
    const row: string[] = [];
    this.#rows.push(row);
    return () => {
      this.#rows.pop();
      this.#builder.tableRow(row);
    };
  }

  openCell(): CloseBlock {
    const row = this.#rows.at(-1);
    if (!row || this.#captures.length > 0) return this.#boundary();
    return this.#capture('cell', (text) => row.push(text));
  }

  /** Emits what is left (a paragraph not closed by the markup). */
  finish(): void {
    this.#flushParagraph();
    this.#builder.endRun();
  }

  #boundary(): CloseBlock {
    this.blockBoundary();
    return () => this.blockBoundary();
  }

  #capture(kind: Capture['kind'], emit: (text: string) => void): CloseBlock {
    const capture: Capture = { kind, text: '' };
    this.#captures.push(capture);
    return () => {
      const index = this.#captures.lastIndexOf(capture);
      if (index >= 0) this.#captures.splice(index, 1);
      emit(capture.text);
    };
  }

  #flushParagraph(): void {
    const text = this.#paragraph;
    this.#paragraph = '';
    this.#builder.paragraph(text);
  }
}
