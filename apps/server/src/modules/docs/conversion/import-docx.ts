import mammoth from 'mammoth';
import { SaxesParser } from 'saxes';
import type { ImportedFiles } from './imported-files.ts';
import { ZipUnreadableError, type ZipReader } from './zip-reader.ts';

// mammoth's own map already turns the "heading 1"… styles into h1…. Word's Title is marked so that it can
// become the page's title; quotes, code and captions get the elements BlockNote reads as such.
const styleMap = [
  "p[style-name='Title'] => h1.bureau-title:fresh",
  "p[style-name='Subtitle'] => p:fresh",
  "p[style-name='Quote'] => blockquote:fresh",
  "p[style-name='Intense Quote'] => blockquote:fresh",
  "p[style-name='Source Code'] => pre:separator('\\n')",
  "p[style-name='HTML Preformatted'] => pre:separator('\\n')",
  "p[style-name='caption'] => p.bureau-caption:fresh",
  "p[style-name='Caption'] => p.bureau-caption:fresh",
  "r[style-name='Source Code Char'] => code",
  "r[style-name='HTML Code'] => code",
];

function coreTitle(xml: string | undefined): string | undefined {
  if (!xml) return undefined;
  const parser = new SaxesParser({ xmlns: false });
  let text: string | undefined;
  let title: string | undefined;
  parser.on('opentag', (tag) => {
    if (tag.name === 'dc:title' && title === undefined) text = '';
  });
  parser.on('text', (value) => {
    if (text !== undefined) text += value;
  });
  parser.on('closetag', (tag) => {
    if (tag.name === 'dc:title' && text !== undefined) {
      title = text.replace(/\s+/g, ' ').trim() || undefined;
      text = undefined;
    }
  });
  try {
    parser.write(xml).close();
  } catch {
    // The document properties are optional: damaged, they only cost the title.
    return undefined;
  }
  return title;
}

/**
 * Reads a Word document into HTML for BlockNote's parser, with mammoth: headings, lists (with their
 * nesting), tables, bold, italic, underline, strike-through, links, check boxes; images are added to
 * `files` and referred to by their `bureau-import:` URL. Returns `docProps/core.xml`'s title.
 */
export async function docxToHtml(
  zip: ZipReader,
  bytes: Uint8Array,
  files: ImportedFiles,
): Promise<{ html: string; title: string | undefined }> {
  if (!zip.has('word/document.xml')) throw new ZipUnreadableError('No word/document.xml: not a Word document.');
  // mammoth inflates whole parts in memory: every part is measured first, as a stream, so that a
  // decompression bomb is refused before mammoth reads it.
  zip.measureAll();
  const title = coreTitle(zip.readText('docProps/core.xml'));
  let imageCount = 0;
  const convertImage = mammoth.images.imgElement(async (image) => {
    imageCount += 1;
    const data = new Uint8Array(await image.readAsArrayBuffer());
    const src = files.addImage(data, `image-${imageCount}`);
    // An image of a type browsers cannot show (EMF, WMF...) is left out: BlockNote skips an image without source.
    return { src: src ?? '' };
  });
  const { value } = await mammoth.convertToHtml(
    { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
    { styleMap, convertImage },
  );
  return { html: value, title };
}
