import { crc32, deflateRawSync } from 'node:zlib';
import { strToU8, unzipSync, zipSync } from 'fflate';
import sharp from 'sharp';
import { blockNoteEditor } from '../blocknote-editor.ts';
import { inlineText, tableRows, type DocsBlock, type DocsInline } from '../blocks.ts';

/** A page with every kind of block the exports keep, French accents included. */
export const samplePageMarkdown = `# Congés d’été

Un **gras**, un *italique*, un ~~barré~~, du \`code\` et un [lien vers l’intranet](https://intranet.example.fr/congés).

## Démarches à effectuer

- Déposer la demande
  - dans l’application
    1. se connecter
    2. remplir le formulaire
- Prévenir l’équipe

1. Première étape
2. Deuxième étape

- [ ] Réserver les billets
- [x] Valider avec le chef de service

| Agent | Jours | Période |
|---|---|---|
| Élodie Müller | 15 | août |
| François | 10 | juillet |

\`\`\`sh
echo "déploiement"
  indentation gardée
\`\`\`

> La continuité du service public prime.

### Après le retour

Fin du guide.
`;

/** The blocks BlockNote reads from `markdown`, as the editor would hold them. */
export async function blocksFromMarkdown(markdown: string): Promise<DocsBlock[]> {
  const editor = await blockNoteEditor();
  return editor.tryParseMarkdownToBlocks(markdown);
}

function inlineSummary(inlines: readonly DocsInline[]): string {
  return inlines
    .map((inline) => {
      if (inline.type === 'link') return `[${inline.content.map((piece) => piece.text).join('')}](${inline.href})`;
      const marks = [
        inline.styles.bold ? 'b' : '',
        inline.styles.italic ? 'i' : '',
        inline.styles.strike ? 's' : '',
        inline.styles.code ? 'c' : '',
      ]
        .filter(Boolean)
        .join('');
      return marks ? `<${marks}>${inline.text}</${marks}>` : inline.text;
    })
    .join('');
}

/** A comparable outline of blocks: type (heading level, check state), text with formatting marks, nesting. */
export function outline(blocks: readonly DocsBlock[], depth = 0): string[] {
  return blocks.flatMap((block) => {
    const indent = '  '.repeat(depth);
    let line: string;
    switch (block.type) {
      case 'heading':
        line = `h${block.props.level} ${inlineSummary(block.content)}`;
        break;
      case 'checkListItem':
        line = `${block.props.checked ? '[x]' : '[ ]'} ${inlineSummary(block.content)}`;
        break;
      case 'bulletListItem':
        line = `- ${inlineSummary(block.content)}`;
        break;
      case 'numberedListItem':
        line = `1. ${inlineSummary(block.content)}`;
        break;
      case 'table':
        line = `table ${tableRows(block.content)
          .map((row) => row.map((cell) => inlineText(cell.content)).join(' | '))
          .join(' / ')}`;
        break;
      case 'codeBlock':
        line = `code ${JSON.stringify(inlineText(block.content))}`;
        break;
      case 'quote':
        line = `> ${inlineSummary(block.content)}`;
        break;
      case 'image':
        line = `image ${block.props.url}`;
        break;
      case 'paragraph':
        line = `p ${inlineSummary(block.content)}`;
        break;
      default:
        line = block.type;
    }
    return [`${indent}${line}`, ...outline(block.children, depth + 1)];
  });
}

/** A small PNG picture, as a user would insert one. */
export async function buildPng(width = 120, height = 60): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({ create: { width, height, channels: 3, background: '#000091' } })
      .png()
      .toBuffer(),
  );
}

/** The names of the files a zip archive (DOCX, ODT) holds. */
export function zipNames(bytes: Uint8Array): string[] {
  return Object.keys(unzipSync(bytes));
}

/** One file of a zip archive, as text. */
export function zipText(bytes: Uint8Array, name: string): string {
  const file = unzipSync(bytes, { filter: (entry) => entry.name === name })[name];
  if (!file) throw new Error(`${name} is not in the archive`);
  return new TextDecoder().decode(file);
}

const odtNamespaces =
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"';

/**
 * An OpenDocument text as LibreOffice writes one (not as our exporter does): automatic styles for bold and
 * italic, a list style with numbered and bullet levels, a table with a header row, a picture, metadata.
 */
export function buildHandwrittenOdt(options: { title?: string; picture?: Uint8Array } = {}): Uint8Array {
  const picture = options.picture
    ? '<text:p text:style-name="Standard"><draw:frame draw:name="Photo" text:anchor-type="as-char" svg:width="3cm" svg:height="1.5cm"><draw:image xlink:href="Pictures/photo.png" xlink:type="simple"/><svg:title>Photo du site</svg:title></draw:frame></text:p>'
    : '';
  const content = `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content ${odtNamespaces} office:version="1.3">
<office:automatic-styles>
  <style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
  <style:style style:name="T2" style:family="text"><style:text-properties fo:font-style="italic"/></style:style>
  <style:style style:name="P1" style:family="paragraph" style:parent-style-name="Text_20_body"><style:paragraph-properties fo:text-align="center"/></style:style>
  <text:list-style style:name="L1">
    <text:list-level-style-number text:level="1" style:num-suffix="." style:num-format="1"/>
    <text:list-level-style-bullet text:level="2" text:bullet-char="•"/>
  </text:list-style>
</office:automatic-styles>
<office:body><office:text>
  <text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Illustration"/></text:sequence-decls>
  <text:h text:style-name="Heading_20_1" text:outline-level="1">Rapport d’activité</text:h>
  <text:p text:style-name="P1">Texte <text:span text:style-name="T1">important</text:span> et <text:span text:style-name="T2">nuancé</text:span>,<text:s text:c="2"/>avec un <text:a xlink:type="simple" xlink:href="https://www.service-public.fr/">lien</text:a>.</text:p>
  <text:h text:style-name="Heading_20_2" text:outline-level="2">Étapes</text:h>
  <text:list text:style-name="L1">
    <text:list-item><text:p>Préparer</text:p>
      <text:list><text:list-item><text:p>les pièces</text:p></text:list-item></text:list>
    </text:list-item>
    <text:list-item><text:p>Envoyer</text:p></text:list-item>
  </text:list>
  <table:table table:name="Tableau1">
    <table:table-column table:number-columns-repeated="2"/>
    <table:table-header-rows><table:table-row>
      <table:table-cell office:value-type="string"><text:p>Mois</text:p></table:table-cell>
      <table:table-cell office:value-type="string"><text:p>Dossiers</text:p></table:table-cell>
    </table:table-row></table:table-header-rows>
    <table:table-row>
      <table:table-cell office:value-type="string"><text:p>Février</text:p></table:table-cell>
      <table:table-cell office:value-type="string"><text:p>42</text:p></table:table-cell>
    </table:table-row>
  </table:table>
  ${picture}
  <text:p text:style-name="Standard">Fin<office:annotation><text:p>commentaire à ne pas importer</text:p></office:annotation>.</text:p>
</office:text></office:body>
</office:document-content>`;
  const meta = options.title
    ? `<?xml version="1.0" encoding="UTF-8"?><office:document-meta ${odtNamespaces} office:version="1.3"><office:meta><dc:title>${options.title}</dc:title></office:meta></office:document-meta>`
    : undefined;
  return zipSync({
    mimetype: [strToU8('application/vnd.oasis.opendocument.text'), { level: 0 }],
    'content.xml': strToU8(content),
    ...(meta ? { 'meta.xml': strToU8(meta) } : {}),
    ...(options.picture ? { 'Pictures/photo.png': options.picture } : {}),
    'META-INF/manifest.xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
    ),
  });
}

/** A zip archive of `entries`, each deflated by Node's zlib (fast enough for hundreds of megabytes). */
function zipWithZlib(entries: readonly { name: string; data: Uint8Array; isStored?: boolean }[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const compressed = entry.isStored ? Buffer.from(entry.data) : deflateRawSync(entry.data, { level: 1 });
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.isStored ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.isStored ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

/**
 * An ODT or DOCX whose entry `bombEntry` inflates to `inflatedMegabytes` megabytes of zeros (deflate
 * shrinks them about a thousand times): a decompression bomb.
 */
export function buildZipBomb(format: 'odt' | 'docx', bombEntry: string, inflatedMegabytes: number): Uint8Array {
  const zeros = new Uint8Array(inflatedMegabytes * 1024 * 1024);
  return zipWithZlib(
    format === 'odt'
      ? [
          { name: 'mimetype', data: strToU8('application/vnd.oasis.opendocument.text'), isStored: true },
          { name: bombEntry, data: zeros },
        ]
      : [
          { name: 'word/document.xml', data: strToU8('<w:document/>') },
          { name: bombEntry, data: zeros },
        ],
  );
}
