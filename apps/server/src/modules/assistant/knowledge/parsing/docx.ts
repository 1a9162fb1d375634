import mammoth from 'mammoth';
import { parseHtml } from './html.ts';
import {
  firstElementText,
  inflateZipEntry,
  isEncryptedOfficeFile,
  listZipEntries,
  readZipEntry,
  ZipFormatError,
} from './office-package.ts';
import { documentParsingErrors } from './parsing.errors.ts';
import type { SectionBuilder } from './sections.ts';

const metadataMaxBytes = 1024 * 1024;

// mammoth's own map already turns the "heading 1"… styles into h1…; Word's "Title" style is the
// document's title, the top of its outline.
const styleMap = ["p[style-name='Title'] => h1:fresh", "p[style-name='Subtitle'] => p:fresh"];

// Images are not text: mammoth would otherwise inline each one in the HTML as a data URL.
const withoutImages = mammoth.images.imgElement(() => Promise.resolve({ src: '' }));

/**
 * Reads a Word document (.docx) into `builder`: mammoth turns it into HTML (Heading styles into h1–h6,
 * lists, tables), read as any HTML page. Returns the `dc:title` of `docProps/core.xml`.
 */
export async function parseDocx(
  bytes: Uint8Array,
  builder: SectionBuilder,
  maxExpandedBytes: number,
): Promise<{ title: string | undefined }> {
  if (isEncryptedOfficeFile(bytes)) throw documentParsingErrors.create('AI_DOCUMENT_ENCRYPTED', { format: 'docx' });
  const entries = listZipEntries(bytes);
  if (!entries.has('word/document.xml')) throw new ZipFormatError('No word/document.xml: not a Word document.');
  // mammoth decompresses whole parts in memory: the XML parts are measured first, as a stream, so that a
  // decompression bomb is refused before it is read.
  let remaining = maxExpandedBytes;
  for (const entry of entries.values()) {
    if (!/\.(xml|rels)$/i.test(entry.name)) continue;
    inflateZipEntry(bytes, entry, remaining, (chunk) => {
      remaining -= chunk.length;
    });
  }
  const core = entries.get('docProps/core.xml');
  const title = core
    ? firstElementText(new TextDecoder().decode(readZipEntry(bytes, core, metadataMaxBytes)), 'dc:title')
    : undefined;
  const { value: html } = await mammoth.convertToHtml(
    { buffer: Buffer.from(bytes) },
    { styleMap, convertImage: withoutImages },
  );
  parseHtml(html, builder);
  return { title };
}
