import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import pdfmake from 'pdfmake';
import {
  columnWidthsPx,
  imageFallbackText,
  type Alignment,
  type ExportCell,
  type ExportListItem,
  type ExportNode,
  type ExportTable,
  type TextRun,
} from './export-model.ts';
import { displaySize } from './images.ts';
import { languageTag, type ExportLanguage } from './typography.ts';

type PdfFontFaces = pdfmake.PdfFontFaces;

/** A piece of pdfmake's document definition (its content is plain JSON-like objects). */
type PdfNode = Record<string, unknown>;

// A4 with 2 cm margins, in points; CSS pixels are 0.75 point.
const pageMargin = 56.7;
const contentWidth = 595.28 - 2 * pageMargin;
const pointsPerPixel = 0.75;
const nestedIndent = 18;
const cellPadding = 4;
const grey = '#929292';
const linkColour = '#000091';

function facesIn(directory: string, names: readonly [string, string, string, string]): PdfFontFaces | undefined {
  const [normal, bold, italics, bolditalics] = names.map((name) => join(directory, name));
  if (!normal || !bold || !italics || !bolditalics) return undefined;
  return [normal, bold, italics, bolditalics].every((path) => existsSync(path))
    ? { normal, bold, italics, bolditalics }
    : undefined;
}

const standardCourier: PdfFontFaces = {
  normal: 'Courier',
  bold: 'Courier-Bold',
  italics: 'Courier-Oblique',
  bolditalics: 'Courier-BoldOblique',
};

let fonts: { sans: PdfFontFaces; mono: PdfFontFaces; files: Set<string> } | undefined;

/**
 * The fonts of the PDF, found once: Liberation Sans (Arial's metrics, the closest to the DOCX and ODT
 * exports' fallback for Marianne) when Debian's fonts-liberation2 is installed, else Roboto, which pdfmake
 * ships; Liberation Mono or DejaVu Sans Mono for code, else the standard Courier. All cover French.
 */
function pdfFonts(): { sans: PdfFontFaces; mono: PdfFontFaces; files: Set<string> } {
  if (fonts) return fonts;
  const roboto = join(dirname(createRequire(import.meta.url).resolve('pdfmake/package.json')), 'fonts', 'Roboto');
  const sans = facesIn('/usr/share/fonts/truetype/liberation2', [
    'LiberationSans-Regular.ttf',
    'LiberationSans-Bold.ttf',
    'LiberationSans-Italic.ttf',
    'LiberationSans-BoldItalic.ttf',
  ]) ??
    facesIn('/usr/share/fonts/truetype/liberation', [
      'LiberationSans-Regular.ttf',
      'LiberationSans-Bold.ttf',
      'LiberationSans-Italic.ttf',
      'LiberationSans-BoldItalic.ttf',
    ]) ?? {
      normal: join(roboto, 'Roboto-Regular.ttf'),
      bold: join(roboto, 'Roboto-Medium.ttf'),
      italics: join(roboto, 'Roboto-Italic.ttf'),
      bolditalics: join(roboto, 'Roboto-MediumItalic.ttf'),
    };
  const mono =
    facesIn('/usr/share/fonts/truetype/liberation2', [
      'LiberationMono-Regular.ttf',
      'LiberationMono-Bold.ttf',
      'LiberationMono-Italic.ttf',
      'LiberationMono-BoldItalic.ttf',
    ]) ??
    facesIn('/usr/share/fonts/truetype/dejavu', [
      'DejaVuSansMono.ttf',
      'DejaVuSansMono-Bold.ttf',
      'DejaVuSansMono-Oblique.ttf',
      'DejaVuSansMono-BoldOblique.ttf',
    ]) ??
    standardCourier;
  const faces = (font: PdfFontFaces) => [font.normal, font.bold, font.italics, font.bolditalics];
  fonts = { sans, mono, files: new Set([...faces(sans), ...faces(mono)]) };
  return fonts;
}

function inlines(runs: readonly TextRun[], options: { bold?: boolean } = {}): PdfNode[] {
  return runs.map((run) => {
    const decoration = [run.underline || run.href ? 'underline' : '', run.strike ? 'lineThrough' : ''].filter(Boolean);
    return {
      // pdfmake has no tab stops.
      text: run.text.replace(/\t/g, '    '),
      ...(run.bold || options.bold ? { bold: true } : {}),
      ...(run.italic ? { italics: true } : {}),
      ...(decoration.length ? { decoration } : {}),
      ...(run.code ? { font: 'Mono', fontSize: 9.5 } : {}),
      ...(run.colour || run.href ? { color: run.colour ?? linkColour } : {}),
      ...(run.background ? { background: run.background } : {}),
      ...(run.href ? { link: run.href } : {}),
    };
  });
}

function paragraphText(runs: readonly TextRun[], extra: PdfNode = {}): PdfNode {
  // An empty paragraph keeps its line, as in the editor.
  return { text: runs.length ? inlines(runs) : ' ', ...extra };
}

function alignment(value: Alignment): PdfNode {
  return value === 'left' ? {} : { alignment: value };
}

function checkbox(checked: boolean): PdfNode {
  // Drawn, not typed: no font on every machine has ☐ and ☑.
  const box = { type: 'rect', x: 0, y: 2.5, w: 8, h: 8, lineWidth: 0.8, lineColor: '#3a3a3a' };
  const tick = {
    type: 'polyline',
    lineWidth: 1.2,
    lineColor: '#161616',
    points: [
      { x: 1.6, y: 6.5 },
      { x: 3.4, y: 8.6 },
      { x: 6.8, y: 4 },
    ],
  };
  return { width: 12, canvas: checked ? [box, tick] : [box] };
}

const bulletTypes = ['disc', 'circle', 'square'] as const;
const numberTypes = ['decimal', 'lower-alpha', 'lower-roman'] as const;

function listItem(item: ExportListItem, isCheck: boolean, depth: number, images: Map<string, string>): PdfNode {
  const text = isCheck
    ? { columns: [checkbox(item.checked), { width: '*', ...paragraphText(item.runs) }], columnGap: 2 }
    : paragraphText(item.runs);
  const children = content(item.children, depth + 1, images, { isInList: true });
  return children.length ? { stack: [text, ...children] } : text;
}

function table(model: ExportTable, availableWidth: number): PdfNode {
  const columnCount = Math.max(1, model.columnCount);
  // pdfmake's widths leave out the cells' padding and the rules between them.
  const chrome = columnCount * (2 * cellPadding + 0.5) + 0.5;
  const widths = columnWidthsPx(model, (availableWidth - chrome) / pointsPerPixel).map(
    (width) => width * pointsPerPixel,
  );
  const body = model.grid.map((slots) =>
    slots.map((slot): PdfNode => {
      if (slot.kind === 'covered') return {};
      if (slot.kind === 'empty') return { text: '' };
      const cell: ExportCell = slot.cell;
      const fill = cell.background ?? (cell.isHeader ? '#eeeeee' : undefined);
      return {
        text: inlines(cell.runs, { bold: cell.isHeader }),
        ...(cell.colspan > 1 ? { colSpan: cell.colspan } : {}),
        ...(cell.rowspan > 1 ? { rowSpan: cell.rowspan } : {}),
        ...(fill ? { fillColor: fill } : {}),
        ...alignment(cell.alignment),
      };
    }),
  );
  return {
    table: { headerRows: model.headerRows, widths, body },
    layout: {
      hLineWidth: () => 0.5,
      vLineWidth: () => 0.5,
      hLineColor: () => grey,
      vLineColor: () => grey,
      paddingLeft: () => cellPadding,
      paddingRight: () => cellPadding,
      paddingTop: () => 3,
      paddingBottom: () => 3,
    },
    margin: [0, 4, 0, 8],
  };
}

function caption(text: string): PdfNode {
  return { text, style: 'caption' };
}

function content(
  nodes: readonly ExportNode[],
  depth: number,
  images: Map<string, string>,
  context: { isInList?: boolean } = {},
): PdfNode[] {
  const availableWidth =
    contentWidth - (context.isInList ? 0 : depth * nestedIndent) - (context.isInList ? depth * 20 : 0);
  const written: PdfNode[] = [];
  for (const node of nodes) {
    let block: PdfNode;
    switch (node.kind) {
      case 'list': {
        const items = node.items.map((item) => listItem(item, node.listKind === 'check', depth, images));
        block =
          node.listKind === 'numbered'
            ? { ol: items, type: numberTypes[depth % numberTypes.length], start: node.start }
            : { ul: items, type: node.listKind === 'check' ? 'none' : bulletTypes[depth % bulletTypes.length] };
        // Space after a list, not after each nested one.
        if (!context.isInList) block.margin = [0, 0, 0, 6];
        written.push(block);
        continue;
      }
      case 'heading':
        block = paragraphText(node.runs, { style: `heading${node.level}`, ...alignment(node.alignment) });
        break;
      case 'paragraph':
        block = paragraphText(node.runs, { style: 'paragraph', ...alignment(node.alignment) });
        break;
      case 'quote':
        block = {
          table: { widths: ['*'], body: [[paragraphText(node.runs, { italics: true, color: '#3a3a3a' })]] },
          layout: {
            hLineWidth: () => 0,
            vLineWidth: (index: number) => (index === 0 ? 2 : 0),
            vLineColor: () => grey,
            paddingLeft: () => 10,
          },
          margin: [0, 2, 0, 8],
        };
        break;
      case 'code':
        block = {
          table: {
            widths: ['*'],
            body: [
              [
                {
                  text: node.text.replace(/\t/g, '    ') || ' ',
                  font: 'Mono',
                  fontSize: 9,
                  preserveLeadingSpaces: true,
                },
              ],
            ],
          },
          layout: {
            hLineWidth: () => 0,
            vLineWidth: () => 0,
            fillColor: () => '#f6f6f6',
            paddingLeft: () => 6,
            paddingRight: () => 6,
            paddingTop: () => 5,
            paddingBottom: () => 5,
          },
          margin: [0, 2, 0, 8],
        };
        break;
      case 'divider':
        block = {
          canvas: [{ type: 'line', x1: 0, y1: 0, x2: availableWidth, y2: 0, lineWidth: 0.5, lineColor: grey }],
          margin: [0, 6, 0, 10],
        };
        break;
      case 'table':
        block = table(node.table, availableWidth);
        break;
      case 'image': {
        if (!node.image) {
          block = { text: imageFallbackText(node), italics: true, style: 'paragraph' };
          break;
        }
        const key = `image${images.size + 1}`;
        images.set(key, `data:image/${node.image.format};base64,${Buffer.from(node.image.data).toString('base64')}`);
        const size = displaySize(node.image, node.previewWidthPx, availableWidth / pointsPerPixel);
        const picture = {
          image: key,
          width: size.widthPx * pointsPerPixel,
          ...alignment(node.alignment),
          margin: [0, 2, 0, 4],
        };
        block = node.caption ? { stack: [picture, caption(node.caption)], unbreakable: true } : picture;
        break;
      }
      case 'file': {
        const name = node.name || node.url;
        const link = node.url
          ? { text: name, link: node.url, color: linkColour, decoration: 'underline' }
          : { text: name };
        block = { stack: [{ text: [link], style: 'paragraph' }, ...(node.caption ? [caption(node.caption)] : [])] };
        break;
      }
    }
    written.push(block);
    if (node.children.length) {
      written.push({ stack: content(node.children, depth + 1, images, context), margin: [nestedIndent, 0, 0, 0] });
    }
  }
  return written;
}

/** The page as a PDF, laid out by pdfmake (A4, page numbers at the foot of each page). */
export async function writePdf(
  nodes: readonly ExportNode[],
  options: { readonly title: string; readonly language: ExportLanguage },
): Promise<Uint8Array> {
  const { sans, mono, files } = pdfFonts();
  const images = new Map<string, string>();
  const body = content(nodes, 0, images);
  // pdfmake is one object for the whole process: its settings are set right before the synchronous
  // createPdf that reads them, so another user of pdfmake cannot change them in between.
  pdfmake.setFonts({ Sans: sans, Mono: mono });
  // Nothing is fetched from the network or read from disk but the fonts: images come as data URLs.
  pdfmake.setUrlAccessPolicy(() => false);
  pdfmake.setLocalAccessPolicy((path) => files.has(path));
  const document = pdfmake.createPdf({
    info: { title: options.title, creator: 'Bureau', producer: 'Bureau' },
    language: languageTag(options.language),
    pageSize: 'A4',
    pageMargins: [pageMargin, pageMargin, pageMargin, pageMargin],
    defaultStyle: { font: 'Sans', fontSize: 10.5, lineHeight: 1.2, color: '#161616' },
    styles: {
      title: { fontSize: 22, bold: true, margin: [0, 0, 0, 14] },
      heading1: { fontSize: 17, bold: true, margin: [0, 14, 0, 6] },
      heading2: { fontSize: 14.5, bold: true, margin: [0, 12, 0, 5] },
      heading3: { fontSize: 12.5, bold: true, margin: [0, 10, 0, 4] },
      heading4: { fontSize: 11.5, bold: true, margin: [0, 8, 0, 4] },
      heading5: { fontSize: 10.5, bold: true, margin: [0, 8, 0, 4] },
      heading6: { fontSize: 10.5, bold: true, italics: true, margin: [0, 8, 0, 4] },
      paragraph: { margin: [0, 0, 0, 6] },
      caption: { fontSize: 9, italics: true, color: '#3a3a3a', margin: [0, 0, 0, 8] },
    },
    images: Object.fromEntries(images),
    footer: (currentPage, pageCount) => ({
      text: `${currentPage} / ${pageCount}`,
      alignment: 'center',
      fontSize: 8,
      color: '#666666',
      margin: [0, 20, 0, 0],
    }),
    content: [{ text: options.title, style: 'title' }, ...body],
  });
  const buffer = await document.getBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
