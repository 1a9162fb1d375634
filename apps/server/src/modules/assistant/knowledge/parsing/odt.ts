import { SaxesParser } from 'saxes';
import { firstElementText, inflateZipEntry, listZipEntries, readZipEntry, ZipFormatError } from './office-package.ts';
import { documentParsingErrors } from './parsing.errors.ts';
import { BlockAssembler, type CloseBlock, type SectionBuilder } from './sections.ts';

// Content that is not the document's running text: comments, deleted text kept for change tracking,
// footnotes (they would cut their paragraph in two), generated indexes that repeat the headings, and
// the descriptions of drawings.
const skippedElements = new Set([
  'office:annotation',
  'text:tracked-changes',
  'text:note',
  'text:table-of-content',
  'text:alphabetical-index',
  'text:illustration-index',
  'text:table-index',
  'text:object-index',
  'text:user-index',
  'text:bibliography',
  'svg:title',
  'svg:desc',
]);

const groupElements = new Set(['text:list', 'table:table']);
const blockElements = new Set(['text:p', 'text:section', 'draw:text-box']);
const metadataMaxBytes = 1024 * 1024;
const noop: CloseBlock = () => undefined;

/** Thrown from inside the XML walk once the builder holds all the characters it may keep. */
class BuilderFull extends Error {}

/**
 * Reads an OpenDocument text (.odt) into `builder`: `text:h` headings at their outline level, paragraphs,
 * lists, tables. `content.xml` is decompressed and parsed as a stream, never more than
 * `maxExpandedBytes` of it. Returns the metadata's `dc:title`.
 */
export function parseOdt(
  bytes: Uint8Array,
  builder: SectionBuilder,
  maxExpandedBytes: number,
): { title: string | undefined } {
  const entries = listZipEntries(bytes);
  // ODF 1.3's "wholesome" encryption hides the whole package, content.xml included, in one entry.
  if (entries.has('encrypted-package')) throw documentParsingErrors.create('AI_DOCUMENT_ENCRYPTED', { format: 'odt' });
  const content = entries.get('content.xml');
  if (!content) throw new ZipFormatError('No content.xml: not an OpenDocument file.');
  const manifest = entries.get('META-INF/manifest.xml');
  const manifestXml = manifest ? new TextDecoder().decode(readZipEntry(bytes, manifest, metadataMaxBytes)) : '';
  if (content.isEncrypted || manifestXml.includes('encryption-data')) {
    throw documentParsingErrors.create('AI_DOCUMENT_ENCRYPTED', { format: 'odt' });
  }
  const meta = entries.get('meta.xml');
  const title = meta
    ? firstElementText(new TextDecoder().decode(readZipEntry(bytes, meta, metadataMaxBytes)), 'dc:title')
    : undefined;

  const parser = new SaxesParser({ xmlns: false });
  walkContent(parser, builder);
  const decoder = new TextDecoder();
  try {
    inflateZipEntry(bytes, content, maxExpandedBytes, (chunk) => {
      parser.write(decoder.decode(chunk, { stream: true }));
      if (builder.isFull) throw new BuilderFull();
    });
    parser.write(decoder.decode()).close();
  } catch (error) {
    if (!(error instanceof BuilderFull)) throw error;
  }
  return { title };
}

function walkContent(parser: SaxesParser<{ xmlns: false }>, builder: SectionBuilder): void {
  const assembler = new BlockAssembler(builder);
  const closers: CloseBlock[] = [];
  let bodyDepth = 0;
  let skipDepth = 0;

  const enter = (name: string, attributes: Readonly<Record<string, string>>): CloseBlock => {
    if (name === 'office:body') {
      bodyDepth += 1;
      return () => {
        bodyDepth -= 1;
        assembler.finish();
      };
    }
    if (bodyDepth === 0) return noop;
    if (skipDepth > 0 || skippedElements.has(name)) {
      skipDepth += 1;
      return () => {
        skipDepth -= 1;
      };
    }
    switch (name) {
      case 'text:h':
        return assembler.openHeading(Number(attributes['text:outline-level'] ?? '1') || 1);
      case 'text:list-item':
      case 'text:list-header':
        return assembler.openListItem();
      case 'table:table-row':
        return assembler.openRow();
      case 'table:table-cell':
        return assembler.openCell();
      case 'text:s':
      case 'text:tab':
        assembler.text(' ');
        return noop;
      case 'text:line-break':
        assembler.lineBreak();
        return noop;
      default:
        break;
    }
    if (groupElements.has(name)) {
      assembler.blockBoundary();
      return () => assembler.endGroup();
    }
    if (!blockElements.has(name)) return noop;
    assembler.blockBoundary();
    return () => assembler.blockBoundary();
  };

  parser.on('opentag', (tag) => closers.push(enter(tag.name, tag.attributes)));
  parser.on('closetag', () => closers.pop()?.());
  parser.on('text', (text) => {
    // In OpenDocument as in HTML, whitespace in the markup collapses; spaces that count are <text:s/>.
    if (bodyDepth > 0 && skipDepth === 0) assembler.text(text.replace(/\s+/g, ' '));
  });
}
