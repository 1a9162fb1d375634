import {
  colourHex,
  fullInlines,
  isSafeHref,
  tableColumnWidths,
  tableGrid,
  tableHeaderRows,
  tableRows,
  xmlSafe,
  type DocsBlock,
  type DocsInline,
  type DocsStyles,
  type GridSlot,
} from './blocks.ts';
import type { EmbeddableImage } from './images.ts';

/**
 * The page as the DOCX, ODT and PDF writers see it: BlockNote's blocks with their styles resolved,
 * consecutive list items gathered into lists, images read. Each writer then only decides how things
 * look in its format.
 */
export interface TextRun {
  readonly text: string;
  readonly bold: boolean;
  readonly italic: boolean;
  readonly underline: boolean;
  readonly strike: boolean;
  readonly code: boolean;
  /** `#rrggbb` */
  readonly colour: string | undefined;
  /** `#rrggbb` */
  readonly background: string | undefined;
  /** Set when the run is (part of) a link whose target is safe to write. */
  readonly href: string | undefined;
}

export type Alignment = 'left' | 'center' | 'right' | 'justify';

export interface ExportCell {
  readonly runs: readonly TextRun[];
  readonly colspan: number;
  readonly rowspan: number;
  readonly isHeader: boolean;
  readonly background: string | undefined;
  readonly alignment: Alignment;
}

export type ExportGridSlot =
  { readonly kind: 'cell'; readonly cell: ExportCell } | { readonly kind: 'covered' } | { readonly kind: 'empty' };

export interface ExportTable {
  /** The cells each row starts, in order (DOCX lays spans out itself). */
  readonly rows: readonly (readonly ExportCell[])[];
  /** Every position of the grid (ODT and PDF write covered places too). */
  readonly grid: readonly (readonly ExportGridSlot[])[];
  readonly columnCount: number;
  readonly headerRows: number;
  /** The columns' widths as the editor shows them, in CSS pixels; undefined where never resized. */
  readonly columnWidthsPx: readonly (number | undefined)[];
}

export interface ExportListItem {
  readonly runs: readonly TextRun[];
  readonly checked: boolean;
  /** Nested lists and blocks, shown under the item. */
  readonly children: readonly ExportNode[];
}

export type ListKind = 'bullet' | 'numbered' | 'check';

/** A block of the page; `children` are the blocks nested under it (shown indented). */
export type ExportNode =
  | {
      readonly kind: 'heading';
      readonly level: number;
      readonly runs: readonly TextRun[];
      readonly alignment: Alignment;
      readonly children: readonly ExportNode[];
    }
  | {
      readonly kind: 'paragraph';
      readonly runs: readonly TextRun[];
      readonly alignment: Alignment;
      readonly children: readonly ExportNode[];
    }
  | { readonly kind: 'quote'; readonly runs: readonly TextRun[]; readonly children: readonly ExportNode[] }
  | {
      readonly kind: 'code';
      readonly text: string;
      readonly language: string;
      readonly children: readonly ExportNode[];
    }
  | { readonly kind: 'divider'; readonly children: readonly ExportNode[] }
  | { readonly kind: 'table'; readonly table: ExportTable; readonly children: readonly ExportNode[] }
  | {
      readonly kind: 'image';
      readonly url: string;
      /** Absent when the image could not be read: its caption (or name) is written instead. */
      readonly image: EmbeddableImage | undefined;
      readonly caption: string;
      readonly name: string;
      readonly previewWidthPx: number | undefined;
      readonly alignment: Alignment;
      readonly children: readonly ExportNode[];
    }
  | {
      readonly kind: 'file';
      readonly url: string;
      readonly name: string;
      readonly caption: string;
      readonly children: readonly ExportNode[];
    }
  | {
      readonly kind: 'list';
      readonly listKind: ListKind;
      /** The first number of a numbered list. */
      readonly start: number;
      readonly items: readonly ExportListItem[];
    };

interface RunDefaults {
  readonly colour: string | undefined;
  readonly background: string | undefined;
}

function runOf(text: string, styles: DocsStyles, defaults: RunDefaults, href: string | undefined): TextRun {
  return {
    text: xmlSafe(text),
    bold: styles.bold === true,
    italic: styles.italic === true,
    underline: styles.underline === true,
    strike: styles.strike === true,
    code: styles.code === true,
    colour: colourHex(styles.textColor, 'text') ?? defaults.colour,
    background: colourHex(styles.backgroundColor, 'background') ?? defaults.background,
    href: href !== undefined && isSafeHref(href) ? href.trim() : undefined,
  };
}

/** The runs of inline content: one per styled piece, links giving their target to their pieces. */
export function textRuns(
  inlines: readonly DocsInline[],
  defaults: RunDefaults = { colour: undefined, background: undefined },
): TextRun[] {
  const runs: TextRun[] = [];
  for (const inline of inlines) {
    if (inline.type === 'link') {
      for (const piece of inline.content) runs.push(runOf(piece.text, piece.styles, defaults, inline.href));
    } else {
      runs.push(runOf(inline.text, inline.styles, defaults, undefined));
    }
  }
  return runs.filter((run) => run.text !== '');
}

function propsOf(block: DocsBlock): Readonly<Record<string, unknown>> {
  return block.props;
}

function stringProp(block: DocsBlock, name: string): string {
  const value = propsOf(block)[name];
  return typeof value === 'string' ? xmlSafe(value) : '';
}

function alignmentOf(block: DocsBlock): Alignment {
  const value = propsOf(block).textAlignment;
  return value === 'center' || value === 'right' || value === 'justify' ? value : 'left';
}

function blockRuns(block: DocsBlock): TextRun[] {
  return textRuns(fullInlines(block.content), {
    colour: colourHex(stringProp(block, 'textColor'), 'text'),
    background: colourHex(stringProp(block, 'backgroundColor'), 'background'),
  });
}

function exportTable(block: DocsBlock): ExportTable {
  const rows = tableRows(block.content);
  const headerRows = Math.min(tableHeaderRows(block.content), rows.length);
  const toCell =
    (rowIndex: number) =>
    (cell: (typeof rows)[number][number]): ExportCell => ({
      runs: textRuns(cell.content, { colour: colourHex(cell.textColor, 'text'), background: undefined }),
      colspan: cell.colspan,
      rowspan: cell.rowspan,
      isHeader: rowIndex < headerRows,
      background: colourHex(cell.backgroundColor, 'background'),
      alignment: cell.textAlignment,
    });
  const { slots, columnCount } = tableGrid(rows);
  const grid = slots.map((line, rowIndex) =>
    line.map((slot: GridSlot): ExportGridSlot =>
      slot.kind === 'cell' ? { kind: 'cell', cell: toCell(rowIndex)(slot.cell) } : slot,
    ),
  );
  return {
    rows: rows.map((cells, rowIndex) => cells.map(toCell(rowIndex))),
    grid,
    columnCount,
    headerRows,
    columnWidthsPx: tableColumnWidths(block.content),
  };
}

function listKindOf(block: DocsBlock): ListKind | undefined {
  switch (block.type) {
    case 'bulletListItem':
    case 'toggleListItem':
      return 'bullet';
    case 'numberedListItem':
      return 'numbered';
    case 'checkListItem':
      return 'check';
    default:
      return undefined;
  }
}

function numberProp(block: DocsBlock, name: string): number | undefined {
  const value = propsOf(block)[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function exportNode(block: DocsBlock, images: ReadonlyMap<string, EmbeddableImage>): ExportNode | undefined {
  const children = exportNodes(block.children, images);
  switch (block.type) {
    case 'heading':
      return {
        kind: 'heading',
        level: Math.min(6, Math.max(1, numberProp(block, 'level') ?? 1)),
        runs: blockRuns(block),
        alignment: alignmentOf(block),
        children,
      };
    case 'quote':
      return { kind: 'quote', runs: blockRuns(block), children };
    case 'codeBlock':
      return {
        kind: 'code',
        text: blockRuns(block)
          .map((run) => run.text)
          .join(''),
        language: stringProp(block, 'language'),
        children,
      };
    case 'divider':
      return { kind: 'divider', children };
    case 'table':
      return { kind: 'table', table: exportTable(block), children };
    case 'image': {
      const url = stringProp(block, 'url');
      return {
        kind: 'image',
        url,
        image: images.get(url),
        caption: stringProp(block, 'caption'),
        name: stringProp(block, 'name'),
        previewWidthPx: numberProp(block, 'previewWidth'),
        alignment: alignmentOf(block),
        children,
      };
    }
    case 'file':
    case 'video':
    case 'audio':
      return {
        kind: 'file',
        url: stringProp(block, 'url'),
        name: stringProp(block, 'name'),
        caption: stringProp(block, 'caption'),
        children,
      };
    default:
      // Paragraphs, and any block of a schema extended later: its text is what every format can keep.
      return { kind: 'paragraph', runs: blockRuns(block), alignment: alignmentOf(block), children };
  }
}

/** The export model of `blocks`: list items gathered into lists, a numbered item with a `start` opening a new list. */
export function exportNodes(blocks: readonly DocsBlock[], images: ReadonlyMap<string, EmbeddableImage>): ExportNode[] {
  const nodes: ExportNode[] = [];
  let list: { listKind: ListKind; start: number; items: ExportListItem[] } | undefined;
  for (const block of blocks) {
    const listKind = listKindOf(block);
    if (!listKind) {
      list = undefined;
      const node = exportNode(block, images);
      if (node) nodes.push(node);
      continue;
    }
    const start = listKind === 'numbered' ? numberProp(block, 'start') : undefined;
    if (!list || list.listKind !== listKind || (start !== undefined && list.items.length > 0)) {
      list = { listKind, start: start ?? 1, items: [] };
      nodes.push({ kind: 'list', ...list, items: list.items });
    }
    list.items.push({
      runs: blockRuns(block),
      checked: block.type === 'checkListItem' && propsOf(block).checked === true,
      children: exportNodes(block.children, images),
    });
  }
  return nodes;
}

/** The text that stands for an image that could not be embedded. */
export function imageFallbackText(node: {
  readonly caption: string;
  readonly name: string;
  readonly url: string;
}): string {
  return node.caption || node.name || node.url;
}

/**
 * Column widths in CSS pixels that fit in `maxWidthPx`: the editor's widths when the user resized columns
 * (the others get the average of those), the page's width shared equally otherwise. Word and LibreOffice
 * get explicit widths rather than "auto", which collapses narrow columns.
 */
export function columnWidthsPx(table: ExportTable, maxWidthPx: number): number[] {
  const count = Math.max(1, table.columnCount);
  const known = table.columnWidthsPx.slice(0, count).filter((width): width is number => width !== undefined);
  if (known.length === 0) return Array.from({ length: count }, () => maxWidthPx / count);
  const average = known.reduce((total, width) => total + width, 0) / known.length;
  const widths = Array.from({ length: count }, (_, index) => Math.max(24, table.columnWidthsPx[index] ?? average));
  const total = widths.reduce((sum, width) => sum + width, 0);
  return total > maxWidthPx ? widths.map((width) => (width * maxWidthPx) / total) : widths;
}
