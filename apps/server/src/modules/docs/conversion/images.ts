import type { default as Sharp } from 'sharp';
import type { PartialDocsBlock } from './blocks.ts';

/** Reads the bytes of a file a page refers to (an image's URL); undefined when it is gone or not allowed. */
export type ResolveFile = (url: string) => Promise<{ data: Uint8Array; contentType: string } | undefined>;

/** An image ready to embed: PNG or JPEG (what DOCX, ODT and PDF readers all display), with its size. */
export interface EmbeddableImage {
  readonly data: Uint8Array;
  readonly format: 'png' | 'jpeg';
  readonly widthPx: number;
  readonly heightPx: number;
}

// sharp (libvips) is loaded with the first exported image: a server that exports none spares its memory.
let sharpModule: Promise<{ default: typeof Sharp }> | undefined;
async function loadSharp(): Promise<typeof Sharp> {
  sharpModule ??= import('sharp');
  return (await sharpModule).default;
}

/** Images decoded for an export: enough for any photo, far below what would exhaust memory. */
const maxImagePixels = 100_000_000;
/** Files fetched at once for one export. */
const resolveConcurrency = 4;

function collectImageUrls(blocks: readonly PartialDocsBlock[], urls: Set<string>): void {
  for (const block of blocks) {
    if (block.type === 'image') {
      const url = (block.props as { url?: unknown } | undefined)?.url;
      if (typeof url === 'string' && url.trim() !== '') urls.add(url);
    }
    if (block.children?.length) collectImageUrls(block.children, urls);
  }
}

/**
 * The image in `data` as PNG or JPEG, upright, with its size in pixels; undefined when it is not an image
 * libvips can read. PNG and JPEG files are kept as they are unless their EXIF orientation asks for a
 * rotation (Word ignores it); other formats (WebP, GIF, AVIF, TIFF, SVG...) become PNG.
 */
export async function embeddableImage(data: Uint8Array): Promise<EmbeddableImage | undefined> {
  try {
    const sharp = await loadSharp();
    const options = { limitInputPixels: maxImagePixels, failOn: 'error' as const };
    const metadata = await sharp(data, options).metadata();
    const isUpright = metadata.orientation === undefined || metadata.orientation === 1;
    if ((metadata.format === 'png' || metadata.format === 'jpeg') && isUpright && metadata.width && metadata.height) {
      return { data, format: metadata.format, widthPx: metadata.width, heightPx: metadata.height };
    }
    const format = metadata.format === 'jpeg' ? 'jpeg' : 'png';
    const pipeline = sharp(data, { ...options, animated: false }).rotate();
    const { data: converted, info } = await (
      format === 'jpeg' ? pipeline.jpeg({ quality: 90 }) : pipeline.png()
    ).toBuffer({
      resolveWithObject: true,
    });
    return { data: new Uint8Array(converted), format, widthPx: info.width, heightPx: info.height };
  } catch {
    // Not an image, or a damaged one: the export shows its caption instead.
    return undefined;
  }
}

/**
 * The images of `blocks`, by URL, read through `resolveFile` and made embeddable. An image that cannot be
 * read (no resolver, unknown URL, failing storage, not an image) is simply absent: the exporters write
 * its caption or name in its place, and the export goes on.
 */
export async function resolveImages(
  blocks: readonly PartialDocsBlock[],
  resolveFile: ResolveFile | undefined,
): Promise<Map<string, EmbeddableImage>> {
  const images = new Map<string, EmbeddableImage>();
  if (!resolveFile) return images;
  const urls = new Set<string>();
  collectImageUrls(blocks, urls);
  const queue = [...urls];
  const worker = async (): Promise<void> => {
    for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
      const file = await resolveFile(url).catch(() => undefined);
      const image = file ? await embeddableImage(file.data) : undefined;
      if (image) images.set(url, image);
    }
  };
  await Promise.all(Array.from({ length: Math.min(resolveConcurrency, queue.length) }, worker));
  return images;
}

/**
 * The tallest an image is shown, in CSS pixels: an A4 page's height inside 2 cm margins, less room for a
 * caption. A taller image would not fit on a page (pdfmake cannot split one).
 */
const maxHeightPx = 880;

/**
 * The size to show an image at, in CSS pixels (96 per inch): the width the editor gave it, else its own,
 * never wider than `maxWidthPx` nor taller than a page, keeping its proportions.
 */
export function displaySize(
  image: EmbeddableImage,
  previewWidthPx: number | undefined,
  maxWidthPx: number,
): { widthPx: number; heightPx: number } {
  const wanted = previewWidthPx && previewWidthPx > 0 ? previewWidthPx : image.widthPx;
  let widthPx = Math.max(1, Math.min(wanted, maxWidthPx));
  let heightPx = (widthPx * image.heightPx) / image.widthPx;
  if (heightPx > maxHeightPx) {
    widthPx = Math.max(1, (widthPx * maxHeightPx) / heightPx);
    heightPx = maxHeightPx;
  }
  return { widthPx: Math.round(widthPx), heightPx: Math.max(1, Math.round(heightPx)) };
}
