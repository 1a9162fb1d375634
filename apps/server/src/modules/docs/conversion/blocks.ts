import type {
  Block,
  DefaultStyleSchema,
  Link,
  PartialBlock,
  StyledText,
  Styles,
  TableCellProps,
} from '@blocknote/core';

/** A block of a page, as BlockNote's default schema writes it (what the editor and the Yjs document hold). */
export type DocsBlock = Block;

/** A block to write into a page: BlockNote fills in what is missing (ids, default props, empty content). */
export type PartialDocsBlock = PartialBlock;

export type DocsStyles = Styles<DefaultStyleSchema>;
export type DocsStyledText = StyledText<DefaultStyleSchema>;
export type DocsLink = Link<DefaultStyleSchema>;
export type DocsInline = DocsStyledText | DocsLink;

/** Content as a partial block may hold it: a string, a list of strings and pieces, or a table. */
type LooseInline = string | { readonly type: string; readonly text?: string; readonly content?: unknown };

/** One cell of a table as the exporters see it, whatever shape the block gave it. */
export interface DocsTableCell {
  readonly content: readonly DocsInline[];
  readonly colspan: number;
  readonly rowspan: number;
  readonly backgroundColor: string;
  readonly textColor: string;
  readonly textAlignment: TableCellProps['textAlignment'];
}

/**
 * BlockNote's named colours (its default palette, `COLORS_DEFAULT`), for the formats that need a real
 * colour; a block may also hold a CSS colour of its own.
 */
const namedColours: Readonly<Record<string, { readonly text: string; readonly background: string }>> = {
  gray: { text: '#9b9a97', background: '#ebeced' },
  brown: { text: '#64473a', background: '#e9e5e3' },
  red: { text: '#e03e3e', background: '#fbe4e4' },
  orange: { text: '#d9730d', background: '#f6e9d9' },
  yellow: { text: '#dfab01', background: '#fbf3db' },
  green: { text: '#4d6461', background: '#ddedea' },
  blue: { text: '#0b6e99', background: '#ddebf1' },
  purple: { text: '#6940a5', background: '#eae4f2' },
  pink: { text: '#ad1a72', background: '#f4dfeb' },
};

/** `#rrggbb` for a BlockNote colour name or a hex colour; undefined for `default` and anything else. */
export function colourHex(value: string | undefined, usage: 'text' | 'background'): string | undefined {
  if (!value || value === 'default') return undefined;
  const named = namedColours[value];
  if (named) return named[usage];
  const hex = /^#?([0-9a-f]{6})$/i.exec(value.trim())?.[1];
  return hex ? `#${hex.toLowerCase()}` : undefined;
}

// Characters XML 1.0 forbids (controls other than tab and line breaks, lone surrogates, U+FFFE and U+FFFF),
// and the C1 controls it discourages: a pasted one would make a DOCX or an ODT that Word and LibreOffice
// refuse to open.
const xmlForbidden = /(?![\t\n\r])[\p{Cc}\p{Cs}\uFFFE\uFFFF]/gu;

/** `text` without the characters XML cannot hold. */
export function xmlSafe(text: string): string {
  return text.replace(xmlForbidden, '');
}

function looseInlineText(item: LooseInline): string {
  if (typeof item === 'string') return item;
  if (typeof item.text === 'string') return item.text;
  if (typeof item.content === 'string') return item.content;
  if (Array.isArray(item.content)) return item.content.map((piece) => looseInlineText(piece as LooseInline)).join('');
  return '';
}

/** The text of a block's (or a cell's) inline content, full or partial; empty for tables and media. */
export function inlineText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((item) => looseInlineText(item as LooseInline)).join('');
}

function isTableCellObject(
  cell: unknown,
): cell is { type: 'tableCell'; props?: Partial<TableCellProps>; content?: unknown } {
  return (
    typeof cell === 'object' &&
    cell !== null &&
    !Array.isArray(cell) &&
    (cell as { type?: unknown }).type === 'tableCell'
  );
}

/** Normalises a partial inline content (strings, pieces without styles) into BlockNote's full shape. */
export function fullInlines(content: unknown): DocsInline[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content, styles: {} }] : [];
  if (!Array.isArray(content)) return [];
  const inlines: DocsInline[] = [];
  for (const item of content as LooseInline[]) {
    if (typeof item === 'string') {
      inlines.push({ type: 'text', text: item, styles: {} });
    } else if (item.type === 'link') {
      const link = item as { href?: unknown; content?: unknown };
      const pieces = fullInlines(link.content).filter((piece): piece is DocsStyledText => piece.type === 'text');
      inlines.push({ type: 'link', href: typeof link.href === 'string' ? link.href : '', content: pieces });
    } else if (item.type === 'text') {
      const text = item as { text?: unknown; styles?: DocsStyles };
      inlines.push({ type: 'text', text: typeof text.text === 'string' ? text.text : '', styles: text.styles ?? {} });
    } else {
      // Custom inline content (mentions...) of a schema extended later: its text is what can be kept.
      const text = looseInlineText(item);
      if (text) inlines.push({ type: 'text', text, styles: {} });
    }
  }
  return inlines;
}

/** The rows of a table block as cells with their spans and props, whatever shape the rows hold. */
export function tableRows(content: unknown): DocsTableCell[][] {
  if (typeof content !== 'object' || content === null || !('rows' in content)) return [];
  const rows = (content as { rows?: unknown }).rows;
  if (!Array.isArray(rows)) return [];
  return rows.map((row) => {
    const cells = (row as { cells?: unknown }).cells;
    if (!Array.isArray(cells)) return [];
    return cells.map((cell): DocsTableCell => {
      const props: Partial<TableCellProps> = isTableCellObject(cell) ? (cell.props ?? {}) : {};
      return {
        content: fullInlines(isTableCellObject(cell) ? cell.content : cell),
        colspan: Math.max(1, Math.floor(props.colspan ?? 1)),
        rowspan: Math.max(1, Math.floor(props.rowspan ?? 1)),
        backgroundColor: props.backgroundColor ?? 'default',
        textColor: props.textColor ?? 'default',
        textAlignment: props.textAlignment ?? 'left',
      };
    });
  });
}

/** A table's column widths (pixels in the editor; undefined where the user never resized the column). */
export function tableColumnWidths(content: unknown): (number | undefined)[] {
  if (typeof content !== 'object' || content === null) return [];
  const widths = (content as { columnWidths?: unknown }).columnWidths;
  if (!Array.isArray(widths)) return [];
  return widths.map((width) => (typeof width === 'number' && width > 0 ? width : undefined));
}

/** How many leading rows of a table are header rows. */
export function tableHeaderRows(content: unknown): number {
  if (typeof content !== 'object' || content === null) return 0;
  const headerRows = (content as { headerRows?: unknown }).headerRows;
  return typeof headerRows === 'number' && headerRows > 0 ? Math.floor(headerRows) : 0;
}

/**
 * A position of a table's grid: the cell that starts there, a place another cell spans over, or a place
 * no cell fills (a row shorter than the others).
 */
export type GridSlot =
  { readonly kind: 'cell'; readonly cell: DocsTableCell } | { readonly kind: 'covered' } | { readonly kind: 'empty' };

/**
 * Lays a table's cells out on its grid of rows × columns, as HTML does (a cell takes the next free place
 * of its row), for the formats that write every position of the grid (ODT's covered cells, pdfmake's
 * placeholders). Spans running past the table are cut.
 */
export function tableGrid(rows: readonly (readonly DocsTableCell[])[]): { slots: GridSlot[][]; columnCount: number } {
  const occupied: boolean[][] = rows.map(() => []);
  const starts: { row: number; column: number; cell: DocsTableCell }[] = [];
  let columnCount = 0;
  rows.forEach((cells, rowIndex) => {
    let column = 0;
    for (const cell of cells) {
      while (occupied[rowIndex]?.[column]) column += 1;
      const rowspan = Math.min(cell.rowspan, rows.length - rowIndex);
      for (let row = rowIndex; row < rowIndex + rowspan; row += 1) {
        for (let offset = 0; offset < cell.colspan; offset += 1) {
          const line = occupied[row];
          if (line) line[column + offset] = true;
        }
      }
      starts.push({ row: rowIndex, column, cell: { ...cell, rowspan } });
      column += cell.colspan;
      columnCount = Math.max(columnCount, column);
    }
  });
  const slots: GridSlot[][] = occupied.map((line) =>
    Array.from({ length: columnCount }, (_, column): GridSlot =>
      line[column] ? { kind: 'covered' } : { kind: 'empty' },
    ),
  );
  for (const start of starts) {
    const line = slots[start.row];
    if (line) line[start.column] = { kind: 'cell', cell: start.cell };
  }
  return { slots, columnCount };
}

/** A link target an exported document may carry: web, mail and telephone addresses, and relative paths. */
export function isSafeHref(href: string): boolean {
  const trimmed = href.trim();
  if (!trimmed) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  return scheme === undefined || ['http', 'https', 'mailto', 'tel'].includes(scheme);
}
