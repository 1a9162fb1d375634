import { zipSync, type Zippable } from 'fflate';

/** A block of a test document, whatever its format. */
export type FixtureBlock =
  | { readonly heading: string; readonly level: number }
  | { readonly paragraph: string }
  | { readonly bullets: readonly string[] }
  | { readonly table: readonly (readonly string[])[] };

export interface FixtureDocument {
  readonly title?: string;
  readonly blocks: readonly FixtureBlock[];
}

const encoder = new TextEncoder();

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (character) => `&#${character.charCodeAt(0)};`);
}

function xmlFile(text: string): Uint8Array {
  return encoder.encode(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${text}`);
}

// ---------------------------------------------------------------------------------------------------
// DOCX: a minimal Office Open XML package, as Word writes it.

const wordNamespace = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const relationshipTypes = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

function wordParagraph(text: string, properties = ''): string {
  return `<w:p>${properties ? `<w:pPr>${properties}</w:pPr>` : ''}<w:r><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r></w:p>`;
}

function wordBlock(block: FixtureBlock): string {
  if ('heading' in block) return wordParagraph(block.heading, `<w:pStyle w:val="Heading${block.level}"/>`);
  if ('paragraph' in block) return wordParagraph(block.paragraph);
  if ('bullets' in block) {
    return block.bullets
      .map((item) =>
        wordParagraph(
          item,
          '<w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>',
        ),
      )
      .join('');
  }
  const rows = block.table
    .map((row) => `<w:tr>${row.map((cell) => `<w:tc>${wordParagraph(cell)}</w:tc>`).join('')}</w:tr>`)
    .join('');
  return `<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>${rows}</w:tbl>`;
}

function wordHeadingStyle(level: number): string {
  return `<w:style w:type="paragraph" w:styleId="Heading${level}"><w:name w:val="heading ${level}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:outlineLvl w:val="${level - 1}"/></w:pPr></w:style>`;
}

/** The entries of a Word document's package, to zip whole or damaged. */
export function docxEntries(document: FixtureDocument): Zippable {
  const contentTypes = `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>`;
  const packageRelationships = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="${relationshipTypes}/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>`;
  const documentRelationships = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="${relationshipTypes}/styles" Target="styles.xml"/>
<Relationship Id="rId2" Type="${relationshipTypes}/numbering" Target="numbering.xml"/>
</Relationships>`;
  const body = document.blocks.map(wordBlock).join('\n');
  const wordDocument = `<w:document xmlns:w="${wordNamespace}"><w:body>${body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`;
  const styles = `<w:styles xmlns:w="${wordNamespace}">
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
${wordHeadingStyle(1)}
${wordHeadingStyle(2)}
${wordHeadingStyle(3)}
<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/></w:style>
</w:styles>`;
  const numbering = `<w:numbering xmlns:w="${wordNamespace}">
<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/><w:lvlJc w:val="left"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>`;
  const core = `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${document.title === undefined ? '' : `<dc:title>${escapeXml(document.title)}</dc:title>`}<dc:creator>Bureau</dc:creator></cp:coreProperties>`;
  return {
    '[Content_Types].xml': xmlFile(contentTypes),
    '_rels/.rels': xmlFile(packageRelationships),
    'word/_rels/document.xml.rels': xmlFile(documentRelationships),
    'word/document.xml': xmlFile(wordDocument),
    'word/styles.xml': xmlFile(styles),
    'word/numbering.xml': xmlFile(numbering),
    'docProps/core.xml': xmlFile(core),
  };
}

/** A real Word document (.docx): headings in the Heading 1… styles, paragraphs, bullet lists, tables. */
export function buildDocx(document: FixtureDocument): Uint8Array {
  return zipSync(docxEntries(document));
}

/**
 * A password-protected Word document as Word saves it: not a zip but an OLE compound file holding the
 * `EncryptionInfo` and `EncryptedPackage` streams (empty here: only the container matters to the parser).
 */
export function buildEncryptedDocx(): Uint8Array {
  const sectorSize = 512;
  const file = new Uint8Array(sectorSize * 3);
  const view = new DataView(file.buffer);
  file.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 0);
  view.setUint16(0x18, 0x003e, true); // minor version
  view.setUint16(0x1a, 0x0003, true); // major version 3: 512-byte sectors
  view.setUint16(0x1c, 0xfffe, true); // little-endian
  view.setUint16(0x1e, 9, true); // sector size 2^9
  view.setUint16(0x20, 6, true); // mini sector size 2^6
  view.setUint32(0x2c, 1, true); // one FAT sector
  view.setUint32(0x30, 1, true); // the directory starts at sector 1
  view.setUint32(0x38, 4096, true); // mini stream cut-off
  view.setUint32(0x3c, 0xfffffffe, true); // no mini FAT
  view.setUint32(0x44, 0xfffffffe, true); // no DIFAT sector
  for (let offset = 0x4c; offset < sectorSize; offset += 4) view.setUint32(offset, 0xffffffff, true);
  view.setUint32(0x4c, 0, true); // the FAT is sector 0
  const fat = sectorSize;
  for (let offset = fat; offset < fat + sectorSize; offset += 4) view.setUint32(offset, 0xffffffff, true);
  view.setUint32(fat, 0xfffffffd, true); // sector 0 holds the FAT
  view.setUint32(fat + 4, 0xfffffffe, true); // sector 1, the directory, ends its chain
  const entries = [
    { name: 'Root Entry', type: 5, child: 1, right: 0xffffffff },
    { name: 'EncryptionInfo', type: 2, child: 0xffffffff, right: 2 },
    { name: 'EncryptedPackage', type: 2, child: 0xffffffff, right: 0xffffffff },
  ];
  entries.forEach((entry, index) => {
    const offset = sectorSize * 2 + index * 128;
    const name = Buffer.from(`${entry.name}\u0000`, 'utf16le');
    file.set(name, offset);
    view.setUint16(offset + 0x40, name.length, true);
    file[offset + 0x42] = entry.type;
    file[offset + 0x43] = 1; // black
    view.setUint32(offset + 0x44, 0xffffffff, true);
    view.setUint32(offset + 0x48, entry.right, true);
    view.setUint32(offset + 0x4c, entry.child, true);
    view.setUint32(offset + 0x74, 0xfffffffe, true);
  });
  return file;
}

// ---------------------------------------------------------------------------------------------------
// ODT: an OpenDocument text package, as LibreOffice writes it.

const odfNamespaces = [
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"',
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"',
  'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"',
  'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"',
  'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"',
  'xmlns:dc="http://purl.org/dc/elements/1.1/"',
].join(' ');

/** OpenDocument markup for `text`: runs of spaces as `text:s`, tabs as `text:tab`, line breaks as `text:line-break`. */
function odfText(text: string): string {
  return escapeXml(text)
    .replace(/ {2,}/g, (spaces) => ` <text:s text:c="${spaces.length - 1}"/>`)
    .replace(/\t/g, '<text:tab/>')
    .replace(/\n/g, '<text:line-break/>');
}

function odfBlock(block: FixtureBlock): string {
  if ('heading' in block) {
    return `<text:h text:style-name="Heading_20_${block.level}" text:outline-level="${block.level}">${odfText(block.heading)}</text:h>`;
  }
  if ('paragraph' in block) return `<text:p text:style-name="Standard">${odfText(block.paragraph)}</text:p>`;
  if ('bullets' in block) {
    const items = block.bullets.map((item) => `<text:list-item><text:p>${odfText(item)}</text:p></text:list-item>`);
    return `<text:list text:style-name="L1">${items.join('')}</text:list>`;
  }
  const columns = Math.max(...block.table.map((row) => row.length));
  const rows = block.table.map(
    (row) =>
      `<table:table-row>${row.map((cell) => `<table:table-cell office:value-type="string"><text:p>${odfText(cell)}</text:p></table:table-cell>`).join('')}</table:table-row>`,
  );
  return `<table:table table:name="Tableau1"><table:table-column table:number-columns-repeated="${columns}"/>${rows.join('')}</table:table>`;
}

function odfManifest(encryptedContent: boolean): string {
  const encryption = encryptedContent
    ? '<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="AAAA"/><manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" manifest:iteration-count="100000" manifest:salt="AAAA"/></manifest:encryption-data>'
    : '';
  return `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">${encryption}</manifest:file-entry>
<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>`;
}

/**
 * A real OpenDocument text (.odt): `mimetype` first and stored, the manifest, `content.xml` (headings
 * with their outline level, paragraphs, lists, tables) and `meta.xml` with the title. `extraContent` is
 * OpenDocument markup appended to the body as is; `encrypted` makes the content unreadable without a
 * password, as LibreOffice stores it.
 */
export function buildOdt(document: FixtureDocument & { extraContent?: string; encrypted?: boolean }): Uint8Array {
  const body = document.blocks.map(odfBlock).join('\n') + (document.extraContent ?? '');
  const content = `<office:document-content ${odfNamespaces} office:version="1.3"><office:automatic-styles><style:style style:name="P1" style:family="paragraph"/></office:automatic-styles><office:body><office:text><text:sequence-decls/>${body}</office:text></office:body></office:document-content>`;
  const meta = `<office:document-meta ${odfNamespaces} office:version="1.3"><office:meta><meta:generator>Bureau</meta:generator>${document.title === undefined ? '' : `<dc:title>${escapeXml(document.title)}</dc:title>`}</office:meta></office:document-meta>`;
  const contentBytes = document.encrypted ? crypto.getRandomValues(new Uint8Array(2048)) : xmlFile(content);
  return zipSync({
    mimetype: [encoder.encode('application/vnd.oasis.opendocument.text'), { level: 0 }],
    'META-INF/manifest.xml': xmlFile(odfManifest(document.encrypted ?? false)),
    'content.xml': [contentBytes, { level: document.encrypted ? 0 : 6 }],
    'meta.xml': xmlFile(meta),
  });
}

// ---------------------------------------------------------------------------------------------------
// PDF: written object by object, with a cross-reference table of true byte offsets.

/** A line drawn on a PDF page in Helvetica: its text, font size (points) and the space left above it. */
export interface PdfFixtureLine {
  readonly text: string;
  readonly size: number;
  /** Extra space above the line, in points (a paragraph break). */
  readonly spaceBefore?: number;
  /** Where the line sits, from the bottom of the page; by default under the previous line. */
  readonly y?: number;
  /** Where the line starts, from the left edge; 72 (one inch) by default. */
  readonly x?: number;
}

export interface PdfFixture {
  readonly title?: string;
  /** The lines of each page; a page without lines holds only a filled rectangle. */
  readonly pages: readonly (readonly PdfFixtureLine[])[];
  /** Protects the document with a user password (RC4, as Acrobat 3 did). */
  readonly encrypted?: boolean;
}

// The few characters of windows-1252 above 0x7F that tests use, for Helvetica's WinAnsiEncoding.
const winAnsi: Readonly<Record<string, number>> = { '’': 0x92, '€': 0x80, œ: 0x9c, '–': 0x96, '—': 0x97, '•': 0x95 };

function pdfString(text: string): string {
  let encoded = '';
  for (const character of text) {
    const code = winAnsi[character] ?? character.charCodeAt(0);
    if (code > 0xff) throw new Error(`No WinAnsiEncoding for ${character}`);
    const byte = String.fromCharCode(code);
    encoded += byte === '(' || byte === ')' || byte === '\\' ? `\\${byte}` : byte;
  }
  return `(${encoded})`;
}

function pdfTextString(text: string): string {
  const utf16 = Buffer.from(text, 'utf16le').swap16().toString('hex');
  return `<FEFF${utf16}>`;
}

function pageContent(lines: readonly PdfFixtureLine[]): string {
  if (lines.length === 0) return '0.2 0.2 0.8 rg 100 300 300 300 re f\n';
  let y = 800;
  return lines
    .map((line, index) => {
      if (line.y !== undefined) y = line.y;
      else if (index > 0) y -= line.size * 1.25 + (line.spaceBefore ?? 0);
      return `BT /F1 ${line.size} Tf ${line.x ?? 72} ${y.toFixed(2)} Td ${pdfString(line.text)} Tj ET\n`;
    })
    .join('');
}

/** A real PDF of Helvetica text lines, with an /Info title; pdf.js reads it as Acrobat would. */
export function buildPdf(fixture: PdfFixture): Uint8Array {
  const objects: string[] = [];
  const add = (body: string) => objects.push(body);
  const pageCount = fixture.pages.length;
  const firstPage = 4;
  add('<< /Type /Catalog /Pages 2 0 R >>');
  const kids = fixture.pages.map((_page, index) => `${firstPage + index * 2} 0 R`).join(' ');
  add(`<< /Type /Pages /Kids [${kids}] /Count ${pageCount} >>`);
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  for (const lines of fixture.pages) {
    const content = pageContent(lines);
    const contentObject = objects.length + 2;
    add(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contentObject} 0 R >>`,
    );
    add(`<< /Length ${content.length} >>\nstream\n${content}endstream`);
  }
  const infoObject = objects.length + 1;
  add(`<< ${fixture.title === undefined ? '' : `/Title ${pdfTextString(fixture.title)} `}/Producer (Bureau tests) >>`);
  let encryption = '';
  if (fixture.encrypted) {
    const random = (length: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(length))).toString('hex');
    const encryptObject = objects.length + 1;
    // /O and /U that no empty password matches: pdf.js asks for a password.
    add(`<< /Filter /Standard /V 1 /R 2 /O <${random(32)}> /U <${random(32)}> /P -44 >>`);
    const id = random(16);
    encryption = ` /Encrypt ${encryptObject} 0 R /ID [<${id}> <${id}>]`;
  }

  let file = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(file.length);
    file += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = file.length;
  file += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  file += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  file += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${infoObject} 0 R${encryption} >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(file, 'latin1'));
}
