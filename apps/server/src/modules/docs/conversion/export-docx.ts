import {
  AlignmentType,
  BorderStyle,
  CheckBox,
  Document,
  ExternalHyperlink,
  HeadingLevel,
  ImageRun,
  LevelFormat,
  LineRuleType,
  Packer,
  Paragraph,
  ShadingType,
  Tab,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  WidthType,
  type ILevelsOptions,
  type INumberingOptions,
  type ICharacterStyleOptions,
  type IParagraphStyleOptions,
  type ParagraphChild,
} from 'docx';
import {
  columnWidthsPx,
  imageFallbackText,
  type Alignment,
  type ExportCell,
  type ExportListItem,
  type ExportNode,
  type ExportTable,
  type ListKind,
  type TextRun as ModelRun,
} from './export-model.ts';
import { displaySize } from './images.ts';
import { documentFonts, languageTag, type ExportLanguage } from './typography.ts';

// A4 with 2 cm margins, in twentieths of a point (twips); CSS pixels are 15 twips.
const pageWidth = 11906;
const pageHeight = 16838;
const margin = 1134;
const contentWidth = pageWidth - 2 * margin;
const twipsPerPixel = 15;
const listIndentStep = 360;
const maxListLevel = 8;

const headingLevels = [
  HeadingLevel.HEADING_1,
  HeadingLevel.HEADING_2,
  HeadingLevel.HEADING_3,
  HeadingLevel.HEADING_4,
  HeadingLevel.HEADING_5,
  HeadingLevel.HEADING_6,
] as const;

const alignments: Readonly<Record<Alignment, (typeof AlignmentType)[keyof typeof AlignmentType]>> = {
  left: AlignmentType.LEFT,
  center: AlignmentType.CENTER,
  right: AlignmentType.RIGHT,
  justify: AlignmentType.JUSTIFIED,
};

const bulletSymbols = ['•', '◦', '▪'] as const;
const numberFormats = [LevelFormat.DECIMAL, LevelFormat.LOWER_LETTER, LevelFormat.LOWER_ROMAN] as const;

type Block = Paragraph | Table;

/** What the writing of one document keeps track of: the numbered lists met so far (each restarts at 1). */
interface WriteState {
  numberedLists: number;
  /** The numbering definitions needed for lists that start at another number than 1. */
  readonly startsUsed: Set<number>;
}

function hex(colour: string | undefined): string | undefined {
  return colour?.replace('#', '').toUpperCase();
}

function listLevels(kind: ListKind, start: number): ILevelsOptions[] {
  return Array.from({ length: maxListLevel + 1 }, (_, level): ILevelsOptions => {
    const indent = { left: 720 + listIndentStep * level, hanging: listIndentStep };
    if (kind === 'numbered') {
      return {
        level,
        format: numberFormats[level % numberFormats.length],
        text: `%${level + 1}.`,
        start: level === 0 ? start : 1,
        alignment: AlignmentType.START,
        style: { paragraph: { indent } },
      };
    }
    return {
      level,
      format: LevelFormat.BULLET,
      // Check items show their box (a content control) instead of a bullet (a no-break space: Word and
      // LibreOffice draw a default bullet for an empty one); the list keeps their nesting.
      text: kind === 'check' ? '\u00a0' : bulletSymbols[level % bulletSymbols.length],
      alignment: AlignmentType.START,
      style: { paragraph: { indent } },
    };
  });
}

function numberingReference(kind: ListKind, start: number): string {
  return kind === 'numbered' && start !== 1 ? `numbered-from-${start}` : kind;
}

function numbering(state: WriteState): INumberingOptions {
  return {
    config: [
      { reference: 'bullet', levels: listLevels('bullet', 1) },
      { reference: 'numbered', levels: listLevels('numbered', 1) },
      { reference: 'check', levels: listLevels('check', 1) },
      ...[...state.startsUsed].map((start) => ({
        reference: numberingReference('numbered', start),
        levels: listLevels('numbered', start),
      })),
    ],
  };
}

/** The pieces of a run's text: tabs become real tabs; line breaks start a new run with a break. */
function textRuns(run: ModelRun, extra: { bold?: boolean } = {}): TextRun[] {
  const bold = run.bold || extra.bold === true;
  return run.text.split('\n').map(
    (line, index) =>
      new TextRun({
        children: line.split('\t').flatMap((piece, tabIndex) => (tabIndex === 0 ? [piece] : [new Tab(), piece])),
        ...(index > 0 ? { break: 1 } : {}),
        ...(bold ? { bold: true } : {}),
        ...(run.italic ? { italics: true } : {}),
        ...(run.underline ? { underline: {} } : {}),
        ...(run.strike ? { strike: true } : {}),
        ...(run.colour ? { color: hex(run.colour) } : {}),
        ...(run.background ? { shading: { type: ShadingType.CLEAR, fill: hex(run.background), color: 'auto' } } : {}),
        // Inline code is a character style, which importers (mammoth, ours) read back as code.
        ...(run.href ? { style: 'Hyperlink' } : run.code ? { style: 'SourceCodeChar' } : {}),
        ...(run.href && run.code ? { font: documentFonts.monospace } : {}),
      }),
  );
}

/** A paragraph's children: runs, consecutive runs of one link gathered into one hyperlink. */
function paragraphChildren(runs: readonly ModelRun[], extra: { bold?: boolean } = {}): ParagraphChild[] {
  const children: ParagraphChild[] = [];
  let index = 0;
  while (index < runs.length) {
    const run = runs[index];
    if (!run) break;
    if (!run.href) {
      children.push(...textRuns(run, extra));
      index += 1;
      continue;
    }
    const linked: TextRun[] = [];
    while (runs[index]?.href === run.href) {
      const piece = runs[index];
      if (piece) linked.push(...textRuns(piece, extra));
      index += 1;
    }
    children.push(new ExternalHyperlink({ link: run.href, children: linked }));
  }
  return children;
}

/** The left indent of a block nested `depth` levels deep: under the text of the list item above it. */
function nestedIndent(depth: number): { left: number } | undefined {
  return depth === 0 ? undefined : { left: 720 + listIndentStep * (depth - 1) };
}

function plainRun(text: string, options: { italic?: boolean } = {}): ModelRun {
  return {
    text,
    bold: false,
    italic: options.italic === true,
    underline: false,
    strike: false,
    code: false,
    colour: undefined,
    background: undefined,
    href: undefined,
  };
}

function cellParagraph(cell: ExportCell): Paragraph {
  return new Paragraph({
    alignment: alignments[cell.alignment],
    spacing: { after: 0 },
    children: paragraphChildren(cell.runs, { bold: cell.isHeader }),
  });
}

function table(model: ExportTable, depth: number): Table {
  const indent = nestedIndent(depth)?.left ?? 0;
  const widths = columnWidthsPx(model, (contentWidth - indent) / twipsPerPixel).map((width) =>
    Math.round(width * twipsPerPixel),
  );
  const rows = model.grid.map((slots, rowIndex) => {
    const cells: TableCell[] = [];
    slots.forEach((slot, column) => {
      if (slot.kind === 'covered') return;
      if (slot.kind === 'empty') {
        cells.push(
          new TableCell({ width: { size: widths[column] ?? 0, type: WidthType.DXA }, children: [new Paragraph({})] }),
        );
        return;
      }
      const { cell } = slot;
      const width = widths.slice(column, column + cell.colspan).reduce((total, value) => total + value, 0);
      const fill = cell.background ?? (cell.isHeader ? '#eeeeee' : undefined);
      cells.push(
        new TableCell({
          width: { size: width, type: WidthType.DXA },
          ...(cell.colspan > 1 ? { columnSpan: cell.colspan } : {}),
          ...(cell.rowspan > 1 ? { rowSpan: cell.rowspan } : {}),
          ...(fill ? { shading: { type: ShadingType.CLEAR, fill: hex(fill), color: 'auto' } } : {}),
          margins: { top: 60, bottom: 60, left: 100, right: 100 },
          children: [cellParagraph(cell)],
        }),
      );
    });
    return new TableRow({ tableHeader: rowIndex < model.headerRows, children: cells });
  });
  return new Table({
    // Fixed widths: Word's "autofit" shrinks columns to their content and collapses the narrow ones.
    layout: TableLayoutType.FIXED,
    width: { size: widths.reduce((total, value) => total + value, 0), type: WidthType.DXA },
    columnWidths: widths,
    ...(indent ? { indent: { size: indent, type: WidthType.DXA } } : {}),
    rows,
  });
}

function captionParagraph(text: string, depth: number): Paragraph {
  return new Paragraph({
    style: 'Caption',
    indent: nestedIndent(depth),
    children: paragraphChildren([plainRun(text)]),
  });
}

function listItem(kind: ListKind, reference: string, instance: number, item: ExportListItem, level: number): Paragraph {
  const children = paragraphChildren(item.runs);
  return new Paragraph({
    numbering: { reference, level: Math.min(level, maxListLevel), instance },
    children:
      kind === 'check' ? [new CheckBox({ checked: item.checked }), new TextRun({ text: ' ' }), ...children] : children,
  });
}

function blocks(nodes: readonly ExportNode[], depth: number, state: WriteState): Block[] {
  const written: Block[] = [];
  for (const node of nodes) {
    switch (node.kind) {
      case 'list': {
        const reference = numberingReference(node.listKind, node.start);
        if (reference !== node.listKind) state.startsUsed.add(node.start);
        // Each numbered list is an instance of its definition: its numbering starts again.
        state.numberedLists += 1;
        const instance = state.numberedLists;
        for (const item of node.items) {
          written.push(listItem(node.listKind, reference, instance, item, depth));
          written.push(...blocks(item.children, depth + 1, state));
        }
        continue;
      }
      case 'heading':
        written.push(
          new Paragraph({
            heading: headingLevels[node.level - 1] ?? HeadingLevel.HEADING_6,
            alignment: alignments[node.alignment],
            indent: nestedIndent(depth),
            children: paragraphChildren(node.runs),
          }),
        );
        break;
      case 'paragraph':
        written.push(
          new Paragraph({
            alignment: alignments[node.alignment],
            indent: nestedIndent(depth),
            children: paragraphChildren(node.runs),
          }),
        );
        break;
      case 'quote':
        written.push(new Paragraph({ style: 'Quote', children: paragraphChildren(node.runs) }));
        break;
      case 'code':
        written.push(
          new Paragraph({
            style: 'SourceCode',
            indent: nestedIndent(depth),
            children: textRuns(plainRun(node.text.replace(/\t/g, '    '))),
          }),
        );
        break;
      case 'divider':
        written.push(
          new Paragraph({
            border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '929292', space: 1 } },
            children: [],
          }),
        );
        break;
      case 'table':
        written.push(table(node.table, depth));
        // Word merges two tables that follow each other: an empty paragraph keeps them apart.
        written.push(new Paragraph({ spacing: { after: 0 }, children: [] }));
        break;
      case 'image': {
        if (!node.image) {
          written.push(
            new Paragraph({
              indent: nestedIndent(depth),
              children: paragraphChildren([plainRun(imageFallbackText(node), { italic: true })]),
            }),
          );
          break;
        }
        const maxWidth = (contentWidth - (nestedIndent(depth)?.left ?? 0)) / twipsPerPixel;
        const size = displaySize(node.image, node.previewWidthPx, maxWidth);
        written.push(
          new Paragraph({
            alignment: alignments[node.alignment],
            indent: nestedIndent(depth),
            children: [
              new ImageRun({
                type: node.image.format === 'png' ? 'png' : 'jpg',
                data: node.image.data,
                transformation: { width: size.widthPx, height: size.heightPx },
                altText: { name: node.name || 'image', description: node.caption || node.name, title: node.name },
              }),
            ],
          }),
        );
        if (node.caption) written.push(captionParagraph(node.caption, depth));
        break;
      }
      case 'file': {
        const name = node.name || node.url;
        const link = { ...plainRun(name), href: node.url || undefined };
        written.push(new Paragraph({ indent: nestedIndent(depth), children: paragraphChildren([link]) }));
        if (node.caption) written.push(captionParagraph(node.caption, depth));
        break;
      }
    }
    written.push(...blocks(node.children, depth + 1, state));
  }
  return written;
}

const paragraphStyles: IParagraphStyleOptions[] = [
  {
    id: 'Quote',
    name: 'Quote',
    basedOn: 'Normal',
    next: 'Normal',
    quickFormat: true,
    run: { italics: true, color: '3A3A3A' },
    paragraph: {
      indent: { left: 567 },
      border: { left: { style: BorderStyle.SINGLE, size: 18, color: '929292', space: 8 } },
    },
  },
  {
    id: 'SourceCode',
    name: 'Source Code',
    basedOn: 'Normal',
    next: 'Normal',
    quickFormat: true,
    run: { font: documentFonts.monospace, size: 19 },
    paragraph: {
      shading: { type: ShadingType.CLEAR, fill: 'F6F6F6', color: 'auto' },
      spacing: { before: 120, after: 120, line: 240, lineRule: LineRuleType.AUTO },
    },
  },
  {
    id: 'Caption',
    name: 'caption',
    basedOn: 'Normal',
    next: 'Normal',
    quickFormat: true,
    run: { italics: true, size: 18, color: '3A3A3A' },
    paragraph: { spacing: { before: 60, after: 200 } },
  },
];

const characterStyles: ICharacterStyleOptions[] = [
  {
    id: 'SourceCodeChar',
    name: 'Source Code Char',
    basedOn: 'DefaultParagraphFont',
    quickFormat: true,
    run: {
      font: documentFonts.monospace,
      size: 20,
      shading: { type: ShadingType.CLEAR, fill: 'F0F0F0', color: 'auto' },
    },
  },
];

function headingStyle(size: number) {
  return {
    run: { size, bold: true, color: '161616', font: documentFonts.sans },
    paragraph: { spacing: { before: 320, after: 120 }, keepNext: true, keepLines: true },
  };
}

/**
 * A Word font table that names Marianne with what Word and LibreOffice should use in its place where it is
 * not installed (Arial, then any sans-serif of the same class): the `docx` package writes an empty one.
 */
function fontTable(): string {
  const fonts = [
    {
      name: documentFonts.sans,
      altName: documentFonts.sansFallback,
      panose: '020B0604020202020204',
      family: 'swiss',
      pitch: 'variable',
    },
    {
      name: documentFonts.monospace,
      altName: 'Liberation Mono',
      panose: '02070309020205020404',
      family: 'modern',
      pitch: 'fixed',
    },
  ];
  const entries = fonts
    .map(
      (font) =>
        `<w:font w:name="${font.name}"><w:altName w:val="${font.altName}"/><w:panose1 w:val="${font.panose}"/><w:charset w:val="00"/><w:family w:val="${font.family}"/><w:pitch w:val="${font.pitch}"/></w:font>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">${entries}</w:fonts>`;
}

/** The page as a Word document (DOCX), written with the `docx` package. */
export async function writeDocx(
  nodes: readonly ExportNode[],
  options: { readonly title: string; readonly language: ExportLanguage },
): Promise<Uint8Array> {
  const state: WriteState = { numberedLists: 0, startsUsed: new Set() };
  const body = blocks(nodes, 0, state);
  const font = {
    ascii: documentFonts.sans,
    hAnsi: documentFonts.sans,
    cs: documentFonts.sansFallback,
    eastAsia: documentFonts.sansFallback,
  };
  const document = new Document({
    title: options.title,
    creator: 'Bureau',
    lastModifiedBy: 'Bureau',
    styles: {
      default: {
        document: {
          run: { font, size: 22, language: { value: languageTag(options.language) } },
          // "auto" said explicitly: LibreOffice reads a line spacing without a rule as exact, which clips images.
          paragraph: { spacing: { after: 120, line: 276, lineRule: LineRuleType.AUTO } },
        },
        title: {
          run: { size: 48, bold: true, color: '161616', font },
          paragraph: { spacing: { after: 240 } },
        },
        heading1: headingStyle(36),
        heading2: headingStyle(30),
        heading3: headingStyle(26),
        heading4: headingStyle(24),
        heading5: headingStyle(22),
        heading6: headingStyle(22),
      },
      paragraphStyles,
      characterStyles,
    },
    numbering: numbering(state),
    sections: [
      {
        properties: {
          page: {
            size: { width: pageWidth, height: pageHeight },
            margin: { top: margin, right: margin, bottom: margin, left: margin },
          },
        },
        children: [new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(options.title)] }), ...body],
      },
    ],
  });
  const buffer = await Packer.toBuffer(document, false, [{ path: 'word/fontTable.xml', data: fontTable() }]);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
