import { strToU8, zipSync, type Zippable } from 'fflate';
import {
  columnWidthsPx,
  imageFallbackText,
  type Alignment,
  type ExportCell,
  type ExportListItem,
  type ExportNode,
  type ExportTable,
  type ListKind,
  type TextRun,
} from './export-model.ts';
import { displaySize } from './images.ts';
import { documentFonts, languageTag, type ExportLanguage } from './typography.ts';
import { escapeXml, xmlDeclaration } from './xml.ts';

const odtMediaType = 'application/vnd.oasis.opendocument.text';

// A4 with 2 cm margins; CSS pixels are 2.54/96 cm.
const contentWidthCm = 17;
const cmPerPixel = 2.54 / 96;
const maxListLevel = 10;

const namespaces = [
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"',
  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"',
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"',
  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"',
  'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"',
  'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"',
  'xmlns:xlink="http://www.w3.org/1999/xlink"',
  'xmlns:dc="http://purl.org/dc/elements/1.1/"',
  'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"',
  'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"',
].join(' ');

function cm(value: number): string {
  return `${value.toFixed(3)}cm`;
}

const listStyleNames: Readonly<Record<ListKind, string>> = {
  bullet: 'Bureau_20_Bullets',
  numbered: 'Bureau_20_Numbering',
  check: 'Bureau_20_Checklist',
};

/**
 * Writes OpenDocument text content: body XML and the automatic styles it needs (a text style for each
 * combination of formatting met, a paragraph style for each alignment or indent, table and cell styles).
 */
class OdtContentWriter {
  readonly body: string[] = [];
  readonly pictures: { path: string; data: Uint8Array; mediaType: string }[] = [];
  private readonly automaticStyles: string[] = [];
  private readonly textStyles = new Map<string, string>();
  private readonly paragraphStyles = new Map<string, string>();
  private readonly cellStyles = new Map<string, string>();
  private tableCount = 0;

  get automaticStylesXml(): string {
    return this.automaticStyles.join('');
  }

  private textStyle(run: TextRun): string | undefined {
    const properties = [
      run.bold ? 'fo:font-weight="bold" style:font-weight-asian="bold" style:font-weight-complex="bold"' : '',
      run.italic ? 'fo:font-style="italic" style:font-style-asian="italic" style:font-style-complex="italic"' : '',
      run.underline
        ? 'style:text-underline-style="solid" style:text-underline-width="auto" style:text-underline-color="font-color"'
        : '',
      run.strike ? 'style:text-line-through-style="solid" style:text-line-through-type="single"' : '',
      run.code ? `style:font-name="${documentFonts.monospace}"` : '',
      run.colour ? `fo:color="${run.colour}"` : '',
      run.background ? `fo:background-color="${run.background}"` : '',
    ]
      .filter(Boolean)
      .join(' ');
    if (!properties) return undefined;
    let name = this.textStyles.get(properties);
    if (!name) {
      name = `T${this.textStyles.size + 1}`;
      this.textStyles.set(properties, name);
      this.automaticStyles.push(
        `<style:style style:name="${name}" style:family="text"><style:text-properties ${properties}/></style:style>`,
      );
    }
    return name;
  }

  /** The paragraph style `parent`, or an automatic one based on it when the block is aligned or indented. */
  paragraphStyle(parent: string, alignment: Alignment = 'left', marginLeftCm = 0): string {
    if (alignment === 'left' && marginLeftCm === 0) return parent;
    const key = `${parent}|${alignment}|${marginLeftCm}`;
    let name = this.paragraphStyles.get(key);
    if (!name) {
      name = `P${this.paragraphStyles.size + 1}`;
      this.paragraphStyles.set(key, name);
      const properties = [
        alignment === 'left'
          ? ''
          : `fo:text-align="${alignment === 'justify' ? 'justify' : alignment === 'center' ? 'center' : 'end'}"`,
        marginLeftCm ? `fo:margin-left="${cm(marginLeftCm)}"` : '',
      ]
        .filter(Boolean)
        .join(' ');
      this.automaticStyles.push(
        `<style:style style:name="${name}" style:family="paragraph" style:parent-style-name="${parent}"><style:paragraph-properties ${properties}/></style:style>`,
      );
    }
    return name;
  }

  private cellStyle(background: string | undefined): string {
    const key = background ?? '';
    let name = this.cellStyles.get(key);
    if (!name) {
      name = `Cell${this.cellStyles.size + 1}`;
      this.cellStyles.set(key, name);
      this.automaticStyles.push(
        `<style:style style:name="${name}" style:family="table-cell"><style:table-cell-properties fo:padding="0.1cm" fo:border="0.5pt solid #929292"${background ? ` fo:background-color="${background}"` : ''}/></style:style>`,
      );
    }
    return name;
  }

  /** Runs as ODF text: spaces beyond the first become `text:s` (ODF collapses them), breaks and tabs elements. */
  runsXml(runs: readonly TextRun[]): string {
    const state = { isAfterSpace: true };
    const parts: string[] = [];
    let index = 0;
    while (index < runs.length) {
      const run = runs[index];
      if (!run) break;
      if (!run.href) {
        parts.push(this.runXml(run, state));
        index += 1;
        continue;
      }
      const linked: string[] = [];
      while (runs[index]?.href === run.href) {
        const piece = runs[index];
        if (piece) linked.push(this.runXml(piece, state));
        index += 1;
      }
      parts.push(
        `<text:a xlink:type="simple" xlink:href="${escapeXml(run.href)}" text:style-name="Internet_20_link" text:visited-style-name="Visited_20_Internet_20_Link">${linked.join('')}</text:a>`,
      );
    }
    return parts.join('');
  }

  private runXml(run: TextRun, state: { isAfterSpace: boolean }): string {
    const text = odfText(run.text, state);
    const style = this.textStyle(run);
    return style ? `<text:span text:style-name="${style}">${text}</text:span>` : text;
  }

  paragraph(style: string, runs: readonly TextRun[]): string {
    return `<text:p text:style-name="${style}">${this.runsXml(runs)}</text:p>`;
  }

  private table(model: ExportTable): string {
    this.tableCount += 1;
    const name = `Tableau${this.tableCount}`;
    const widths = columnWidthsPx(model, contentWidthCm / cmPerPixel).map((width) => width * cmPerPixel);
    const total = widths.reduce((sum, width) => sum + width, 0);
    this.automaticStyles.push(
      `<style:style style:name="${name}" style:family="table"><style:table-properties style:width="${cm(total)}" table:align="left" fo:margin-top="0.1cm" fo:margin-bottom="0.2cm"/></style:style>`,
      ...widths.map(
        (width, index) =>
          `<style:style style:name="${name}.C${index + 1}" style:family="table-column"><style:table-column-properties style:column-width="${cm(width)}"/></style:style>`,
      ),
    );
    const columns = widths.map((_, index) => `<table:table-column table:style-name="${name}.C${index + 1}"/>`).join('');
    const rows = model.grid.map(
      (slots) => `<table:table-row>${slots.map((slot) => this.cellXml(slot)).join('')}</table:table-row>`,
    );
    const header =
      model.headerRows > 0
        ? `<table:table-header-rows>${rows.slice(0, model.headerRows).join('')}</table:table-header-rows>`
        : '';
    return `<table:table table:name="${name}" table:style-name="${name}">${columns}${header}${rows.slice(model.headerRows).join('')}</table:table>`;
  }

  private cellXml(slot: ExportTable['grid'][number][number]): string {
    if (slot.kind === 'covered') return '<table:covered-table-cell/>';
    if (slot.kind === 'empty') {
      return `<table:table-cell table:style-name="${this.cellStyle(undefined)}" office:value-type="string"><text:p text:style-name="Table_20_Contents"/></table:table-cell>`;
    }
    const cell: ExportCell = slot.cell;
    const spans = [
      cell.colspan > 1 ? ` table:number-columns-spanned="${cell.colspan}"` : '',
      cell.rowspan > 1 ? ` table:number-rows-spanned="${cell.rowspan}"` : '',
    ].join('');
    const background = cell.background ?? (cell.isHeader ? '#eeeeee' : undefined);
    const paragraphStyle = this.paragraphStyle(
      cell.isHeader ? 'Table_20_Heading' : 'Table_20_Contents',
      cell.alignment,
    );
    return `<table:table-cell table:style-name="${this.cellStyle(background)}" office:value-type="string"${spans}>${this.paragraph(paragraphStyle, cell.runs)}</table:table-cell>`;
  }

  private image(node: Extract<ExportNode, { kind: 'image' }>, marginLeftCm: number): string[] {
    const style = this.paragraphStyle('Text_20_body', node.alignment, marginLeftCm);
    if (!node.image) return [this.paragraph(style, [plainRun(imageFallbackText(node), { italic: true })])];
    const index = this.pictures.length + 1;
    const extension = node.image.format === 'png' ? 'png' : 'jpg';
    const path = `Pictures/image${index}.${extension}`;
    const mediaType = `image/${node.image.format}`;
    this.pictures.push({ path, data: node.image.data, mediaType });
    const size = displaySize(node.image, node.previewWidthPx, (contentWidthCm - marginLeftCm) / cmPerPixel);
    const description = node.caption ? `<svg:desc>${escapeXml(node.caption)}</svg:desc>` : '';
    const frame =
      `<draw:frame draw:style-name="Bureau_20_Image" draw:name="Image${index}" text:anchor-type="as-char" svg:width="${cm(size.widthPx * cmPerPixel)}" svg:height="${cm(size.heightPx * cmPerPixel)}" draw:z-index="0">` +
      `<draw:image xlink:href="${path}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad" draw:mime-type="${mediaType}"/>` +
      `<svg:title>${escapeXml(node.name)}</svg:title>${description}</draw:frame>`;
    const written = [`<text:p text:style-name="${style}">${frame}</text:p>`];
    if (node.caption)
      written.push(this.paragraph(this.paragraphStyle('Caption', 'left', marginLeftCm), [plainRun(node.caption)]));
    return written;
  }

  private listItem(kind: ListKind, item: ExportListItem, index: number, start: number, deferred: ExportNode[]): string {
    const prefix = kind === 'check' ? [plainRun(item.checked ? '☑ ' : '☐ ')] : [];
    const startValue = index === 0 && kind === 'numbered' && start !== 1 ? ` text:start-value="${start}"` : '';
    const children = item.children.flatMap((child) => {
      // A list item holds paragraphs and lists only: a table nested in one is written after the list.
      if (child.kind === 'table') {
        deferred.push(child);
        return [];
      }
      return this.blocks([child], 0, deferred);
    });
    return `<text:list-item${startValue}>${this.paragraph('List_20_Contents', [...prefix, ...item.runs])}${children.join('')}</text:list-item>`;
  }

  /** The ODF of `nodes`; `deferred` collects tables met inside list items, for the caller to write after the list. */
  blocks(nodes: readonly ExportNode[], depth: number, deferred?: ExportNode[]): string[] {
    const written: string[] = [];
    const marginLeftCm = Math.min(depth, maxListLevel) * 0.635;
    for (const node of nodes) {
      switch (node.kind) {
        case 'list': {
          const ownDeferred: ExportNode[] = deferred ?? [];
          const items = node.items.map((item, index) =>
            this.listItem(node.listKind, item, index, node.start, ownDeferred),
          );
          written.push(`<text:list text:style-name="${listStyleNames[node.listKind]}">${items.join('')}</text:list>`);
          if (!deferred) written.push(...this.blocks(ownDeferred, depth));
          continue;
        }
        case 'heading':
          written.push(
            `<text:h text:style-name="${this.paragraphStyle(`Heading_20_${node.level}`, node.alignment, marginLeftCm)}" text:outline-level="${node.level}">${this.runsXml(node.runs)}</text:h>`,
          );
          break;
        case 'paragraph':
          written.push(this.paragraph(this.paragraphStyle('Text_20_body', node.alignment, marginLeftCm), node.runs));
          break;
        case 'quote':
          written.push(this.paragraph(this.paragraphStyle('Quotations', 'left', marginLeftCm), node.runs));
          break;
        case 'code':
          written.push(
            this.paragraph(this.paragraphStyle('Preformatted_20_Text', 'left', marginLeftCm), [plainRun(node.text)]),
          );
          break;
        case 'divider':
          written.push('<text:p text:style-name="Horizontal_20_Line"/>');
          break;
        case 'table':
          written.push(this.table(node.table));
          break;
        case 'image':
          written.push(...this.image(node, marginLeftCm));
          break;
        case 'file': {
          const style = this.paragraphStyle('Text_20_body', 'left', marginLeftCm);
          written.push(this.paragraph(style, [{ ...plainRun(node.name || node.url), href: node.url || undefined }]));
          if (node.caption)
            written.push(
              this.paragraph(this.paragraphStyle('Caption', 'left', marginLeftCm), [plainRun(node.caption)]),
            );
          break;
        }
      }
      written.push(...this.blocks(node.children, depth + 1, deferred));
    }
    return written;
  }
}

function plainRun(text: string, options: { italic?: boolean } = {}): TextRun {
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

/** `text` as ODF paragraph content; `state` carries whether the previous character was a (kept) space. */
function odfText(text: string, state: { isAfterSpace: boolean }): string {
  let xml = '';
  let spaces = 0;
  const flushSpaces = () => {
    if (spaces === 0) return;
    if (!state.isAfterSpace) {
      xml += ' ';
      spaces -= 1;
    }
    if (spaces > 0) xml += spaces === 1 ? '<text:s/>' : `<text:s text:c="${spaces}"/>`;
    spaces = 0;
    state.isAfterSpace = true;
  };
  for (const character of text) {
    if (character === ' ') {
      spaces += 1;
      continue;
    }
    flushSpaces();
    if (character === '\n') {
      xml += '<text:line-break/>';
      state.isAfterSpace = true;
    } else if (character === '\t') {
      xml += '<text:tab/>';
      state.isAfterSpace = false;
    } else {
      xml += escapeXml(character);
      state.isAfterSpace = false;
    }
  }
  flushSpaces();
  return xml;
}

function fontFaces(): string {
  const sans = `${documentFonts.sans};${documentFonts.sansFallback};${documentFonts.sansFallbackLinux}`;
  const mono = `${documentFonts.monospace};${documentFonts.monospaceFallbackLinux}`;
  // LibreOffice reads a font name list separated by semicolons as "the first one installed".
  return (
    '<office:font-face-decls>' +
    `<style:font-face style:name="${documentFonts.sans}" svg:font-family="${escapeXml(sans)}" style:font-family-generic="swiss" style:font-pitch="variable"/>` +
    `<style:font-face style:name="${documentFonts.monospace}" svg:font-family="${escapeXml(mono)}" style:font-family-generic="modern" style:font-pitch="fixed"/>` +
    '</office:font-face-decls>'
  );
}

function listLevelStyles(kind: ListKind): string {
  return Array.from({ length: maxListLevel }, (_, index) => {
    const level = index + 1;
    const indent = 0.635 * (level + 1);
    const alignment = `<style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="${cm(indent)}" fo:text-indent="-0.635cm" fo:margin-left="${cm(indent)}"/></style:list-level-properties>`;
    if (kind === 'bullet') {
      const bullet = ['•', '◦', '▪'][index % 3] ?? '•';
      return `<text:list-level-style-bullet text:level="${level}" text:bullet-char="${bullet}">${alignment}</text:list-level-style-bullet>`;
    }
    if (kind === 'check') {
      // No label: the item's text starts with its box (☐ or ☑).
      return `<text:list-level-style-number text:level="${level}" style:num-format="">${alignment}</text:list-level-style-number>`;
    }
    const format = ['1', 'a', 'i'][index % 3] ?? '1';
    return `<text:list-level-style-number text:level="${level}" style:num-suffix="." style:num-format="${format}">${alignment}</text:list-level-style-number>`;
  }).join('');
}

function paragraphStyleXml(
  name: string,
  displayName: string,
  options: { parent?: string; className?: string; paragraph?: string; text?: string; extra?: string } = {},
): string {
  return (
    `<style:style style:name="${name}" style:display-name="${displayName}" style:family="paragraph"` +
    (options.parent ? ` style:parent-style-name="${options.parent}"` : '') +
    (options.className ? ` style:class="${options.className}"` : '') +
    (options.extra ?? '') +
    '>' +
    (options.paragraph ? `<style:paragraph-properties ${options.paragraph}/>` : '') +
    (options.text ? `<style:text-properties ${options.text}/>` : '') +
    '</style:style>'
  );
}

function bold(size: string): string {
  return `fo:font-size="${size}" fo:font-weight="bold" style:font-weight-asian="bold" style:font-weight-complex="bold"`;
}

function stylesXml(language: ExportLanguage): string {
  const [languageCode, country] = languageTag(language).split('-');
  const headingSizes = ['18pt', '15pt', '13pt', '12pt', '11pt', '11pt'];
  const headings = headingSizes
    .map((size, index) =>
      paragraphStyleXml(`Heading_20_${index + 1}`, `Heading ${index + 1}`, {
        parent: 'Heading',
        className: 'text',
        extra: ` style:default-outline-level="${index + 1}"`,
        text: bold(size),
      }),
    )
    .join('');
  const outline = Array.from(
    { length: 10 },
    (_, index) =>
      `<text:outline-level-style text:level="${index + 1}" style:num-format=""><style:list-level-properties text:list-level-position-and-space-mode="label-alignment"><style:list-level-label-alignment text:label-followed-by="listtab"/></style:list-level-properties></text:outline-level-style>`,
  ).join('');
  return (
    xmlDeclaration +
    `<office:document-styles ${namespaces} office:version="1.3">` +
    fontFaces() +
    '<office:styles>' +
    `<style:default-style style:family="paragraph"><style:paragraph-properties fo:hyphenation-ladder-count="no-limit" style:writing-mode="page"/><style:text-properties style:font-name="${documentFonts.sans}" fo:font-size="11pt" fo:language="${languageCode}" fo:country="${country}" fo:hyphenate="false"/></style:default-style>` +
    paragraphStyleXml('Standard', 'Standard', { className: 'text' }) +
    paragraphStyleXml('Text_20_body', 'Text body', {
      parent: 'Standard',
      className: 'text',
      paragraph: 'fo:margin-top="0cm" fo:margin-bottom="0.212cm" fo:line-height="115%"',
    }) +
    paragraphStyleXml('Heading', 'Heading', {
      parent: 'Standard',
      className: 'text',
      paragraph: 'fo:margin-top="0.423cm" fo:margin-bottom="0.212cm" fo:keep-with-next="always"',
      text: 'fo:color="#161616"',
    }) +
    headings +
    paragraphStyleXml('Title', 'Title', {
      parent: 'Heading',
      className: 'chapter',
      paragraph: 'fo:margin-bottom="0.423cm"',
      text: bold('24pt'),
    }) +
    paragraphStyleXml('Quotations', 'Quotations', {
      parent: 'Standard',
      className: 'html',
      paragraph:
        'fo:margin-left="1cm" fo:margin-top="0cm" fo:margin-bottom="0.212cm" fo:padding-left="0.25cm" fo:border-left="1.5pt solid #929292" fo:border-right="none" fo:border-top="none" fo:border-bottom="none"',
      text: 'fo:font-style="italic" fo:color="#3a3a3a"',
    }) +
    paragraphStyleXml('Preformatted_20_Text', 'Preformatted Text', {
      parent: 'Standard',
      className: 'html',
      paragraph: 'fo:margin-top="0.1cm" fo:margin-bottom="0.2cm" fo:background-color="#f6f6f6" fo:padding="0.1cm"',
      text: `style:font-name="${documentFonts.monospace}" fo:font-size="9.5pt"`,
    }) +
    paragraphStyleXml('Caption', 'Caption', {
      parent: 'Standard',
      className: 'extra',
      paragraph: 'fo:margin-top="0.1cm" fo:margin-bottom="0.3cm"',
      text: 'fo:font-size="9pt" fo:font-style="italic" fo:color="#3a3a3a"',
    }) +
    paragraphStyleXml('List_20_Contents', 'List Contents', {
      parent: 'Standard',
      className: 'html',
      paragraph: 'fo:margin-top="0cm" fo:margin-bottom="0.1cm"',
    }) +
    paragraphStyleXml('Table_20_Contents', 'Table Contents', { parent: 'Standard', className: 'extra' }) +
    paragraphStyleXml('Table_20_Heading', 'Table Heading', {
      parent: 'Table_20_Contents',
      className: 'extra',
      text: bold('11pt'),
    }) +
    paragraphStyleXml('Horizontal_20_Line', 'Horizontal Line', {
      parent: 'Standard',
      className: 'html',
      paragraph:
        'fo:margin-top="0.2cm" fo:margin-bottom="0.3cm" fo:padding="0cm" fo:border-bottom="0.5pt solid #929292" fo:border-top="none" fo:border-left="none" fo:border-right="none"',
      text: 'fo:font-size="6pt"',
    }) +
    '<style:style style:name="Internet_20_link" style:display-name="Internet link" style:family="text"><style:text-properties fo:color="#000091" style:text-underline-style="solid" style:text-underline-width="auto" style:text-underline-color="font-color"/></style:style>' +
    '<style:style style:name="Visited_20_Internet_20_Link" style:display-name="Visited Internet Link" style:family="text"><style:text-properties fo:color="#6a1b9a" style:text-underline-style="solid" style:text-underline-width="auto" style:text-underline-color="font-color"/></style:style>' +
    '<style:style style:name="Bureau_20_Image" style:display-name="Bureau Image" style:family="graphic"><style:graphic-properties style:vertical-pos="top" style:vertical-rel="baseline" fo:border="none"/></style:style>' +
    `<text:outline-style style:name="Outline">${outline}</text:outline-style>` +
    (['bullet', 'numbered', 'check'] as const)
      .map((kind) => `<text:list-style style:name="${listStyleNames[kind]}">${listLevelStyles(kind)}</text:list-style>`)
      .join('') +
    '</office:styles>' +
    '<office:automatic-styles><style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" style:print-orientation="portrait" fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="2cm" fo:margin-right="2cm"/></style:page-layout></office:automatic-styles>' +
    '<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="A4"/></office:master-styles>' +
    '</office:document-styles>'
  );
}

function metaXml(title: string, language: ExportLanguage, now: Date): string {
  const date = now.toISOString().replace(/\.\d{3}Z$/, '');
  return (
    xmlDeclaration +
    `<office:document-meta ${namespaces} office:version="1.3"><office:meta>` +
    `<meta:generator>Bureau</meta:generator><dc:title>${escapeXml(title)}</dc:title><dc:language>${languageTag(language)}</dc:language>` +
    `<meta:creation-date>${date}</meta:creation-date><dc:date>${date}</dc:date>` +
    '</office:meta></office:document-meta>'
  );
}

function manifestXml(pictures: readonly { path: string; mediaType: string }[]): string {
  const entries = [
    `<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="${odtMediaType}"/>`,
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>',
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>',
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>',
    ...pictures.map(
      (picture) =>
        `<manifest:file-entry manifest:full-path="${picture.path}" manifest:media-type="${picture.mediaType}"/>`,
    ),
  ];
  return `${xmlDeclaration}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">${entries.join('')}</manifest:manifest>`;
}

/**
 * The page as an OpenDocument text (ODT), written by hand: `content.xml`, `styles.xml`, `meta.xml`, the
 * manifest and the pictures, zipped with the `mimetype` entry first and stored uncompressed, as ODF
 * requires (it is how readers recognise the format).
 */
export function writeOdt(
  nodes: readonly ExportNode[],
  options: { readonly title: string; readonly language: ExportLanguage; readonly now?: Date },
): Uint8Array {
  const writer = new OdtContentWriter();
  const body = [
    `<text:p text:style-name="Title">${writer.runsXml([plainRun(options.title)])}</text:p>`,
    ...writer.blocks(nodes, 0),
  ].join('');
  const content =
    xmlDeclaration +
    `<office:document-content ${namespaces} office:version="1.3">` +
    fontFaces() +
    `<office:automatic-styles>${writer.automaticStylesXml}</office:automatic-styles>` +
    `<office:body><office:text>${body}</office:text></office:body></office:document-content>`;
  const files: Zippable = {
    mimetype: [strToU8(odtMediaType), { level: 0 }],
    'content.xml': strToU8(content),
    'styles.xml': strToU8(stylesXml(options.language)),
    'meta.xml': strToU8(metaXml(options.title, options.language, options.now ?? new Date())),
    'META-INF/manifest.xml': strToU8(manifestXml(writer.pictures)),
  };
  for (const picture of writer.pictures) files[picture.path] = [picture.data, { level: 0 }];
  return zipSync(files, { level: 6 });
}
