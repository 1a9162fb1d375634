import { buffer } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import type { default as Sharp, Metadata } from 'sharp';
import type { BlobStore } from '../../../platform/blobs/index.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/logging.ts';
import { matrixError } from '../matrix-errors.ts';
import type { MediaRepository, ThumbnailKey } from './media.repository.ts';
import type { UploadedMedia } from './media.service.ts';
import { essenceOf, mediaTypeOfImage, SNIFF_LENGTH, sniffImage, type SniffedImage } from './media-types.ts';

// sharp (libvips) is loaded with the first thumbnail: about 20 MB of memory a server that makes none spares.
let sharpModule: Promise<{ default: typeof Sharp }> | undefined;
async function loadSharp(): Promise<typeof Sharp> {
  sharpModule ??= import('sharp');
  return (await sharpModule).default;
}

export type ThumbnailMethod = 'crop' | 'scale';

/** Largest file thumbnailed (it is decoded in memory). */
export const MAX_THUMBNAIL_SOURCE_BYTES = 20 * 1024 * 1024;
/** Largest image thumbnailed, in pixels (all frames together for an animation). */
export const MAX_THUMBNAIL_SOURCE_PIXELS = 40_000_000;
/** Thumbnails generated at once by this process (libvips uses several threads for each). */
const MAX_CONCURRENT_GENERATIONS = 2;
const GENERATION_TIMEOUT_SECONDS = 30;

/** The sizes the spec recommends (client-server API § Thumbnails), smallest first for each method. */
const recommendedSizes: ReadonlyArray<{ width: number; height: number; method: ThumbnailMethod }> = [
  { width: 32, height: 32, method: 'crop' },
  { width: 96, height: 96, method: 'crop' },
  { width: 320, height: 240, method: 'scale' },
  { width: 640, height: 480, method: 'scale' },
  { width: 800, height: 600, method: 'scale' },
];

/**
 * Sides of the thumbnails made for other requests: each requested side is rounded up to the next step,
 * so that one media has a bounded number of cached thumbnails whatever sizes clients ask for.
 */
const sideSteps = [32, 48, 64, 96, 128, 192, 256, 320, 384, 480, 512, 640, 768, 800, 960, 1024, 1280, 1600, 2048];

/**
 * The thumbnail made for a request: the smallest recommended size of the method that is at least the
 * requested size (for crop, also of the requested aspect ratio), else each side rounded up to a step.
 * Requests beyond the largest step get the largest step.
 */
export function thumbnailTarget(
  width: number,
  height: number,
  method: ThumbnailMethod,
): { width: number; height: number; method: ThumbnailMethod } {
  const recommended = recommendedSizes.find(
    (size) =>
      size.method === method &&
      size.width >= width &&
      size.height >= height &&
      (method === 'scale' || size.width * height === size.height * width),
  );
  if (recommended) return recommended;
  const step = (side: number) => sideSteps.find((candidate) => candidate >= side) ?? sideSteps.at(-1) ?? side;
  return { width: step(width), height: step(height), method };
}

const thumbnailable: ReadonlySet<string> = new Set(['png', 'jpeg', 'gif', 'webp']);

/** What a thumbnail request is answered with: a blob (a cached thumbnail, or the original image). */
export interface ThumbnailBlob {
  readonly blobKey: string;
  readonly contentType: string;
  readonly size: number;
  readonly fileName: string;
}

export interface ThumbnailRequest {
  readonly width: number;
  readonly height: number;
  readonly method: ThumbnailMethod;
  readonly animated: boolean;
}

export interface Thumbnailer {
  thumbnail(media: UploadedMedia, request: ThumbnailRequest): Promise<ThumbnailBlob>;
}

export interface ThumbnailerDeps {
  readonly repository: MediaRepository;
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

const extensionOf: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

function cannotThumbnail(): Error {
  return matrixError('M_UNKNOWN', { reason: 'cannot generate a thumbnail of this content' });
}

function tooLargeToThumbnail(): Error {
  return matrixError('M_TOO_LARGE', { reason: 'the content is too large to thumbnail' });
}

/** Limits how many generations run at once; the others wait their turn. */
function createGate(capacity: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: Array<() => void> = [];
  return async (work) => {
    if (running >= capacity) await new Promise<void>((resolve) => queue.push(resolve));
    running += 1;
    try {
      return await work();
    } finally {
      running -= 1;
      queue.shift()?.();
    }
  };
}

/**
 * Thumbnails of uploaded images (PNG, JPEG, GIF, WebP) made with sharp (libvips), cached in the blob
 * store per (media, size, method, animation). Never upscales: an image no larger than the request is
 * answered with itself. Other content (video, PDF, SVG, encrypted files) is refused with 400 M_UNKNOWN,
 * as the spec says when a thumbnail cannot be made.
 */
export function createThumbnailer(deps: ThumbnailerDeps): Thumbnailer {
  const inFlight = new Map<string, Promise<ThumbnailBlob>>();
  const gate = createGate(MAX_CONCURRENT_GENERATIONS);

  async function cached(key: ThumbnailKey): Promise<ThumbnailBlob | undefined> {
    const row = await deps.repository.findThumbnail(key);
    if (!row) return undefined;
    if (!(await deps.blobs.head(row.blob_key))) {
      await deps.repository.deleteThumbnail(key);
      return undefined;
    }
    return {
      blobKey: row.blob_key,
      contentType: row.content_type,
      size: row.size,
      fileName: `thumbnail.${extensionOf[row.content_type] ?? 'png'}`,
    };
  }

  async function generate(media: UploadedMedia, request: ThumbnailRequest, key: ThumbnailKey): Promise<ThumbnailBlob> {
    const { body } = await deps.blobs.get(media.blob_key);
    const source = await buffer(body);
    // libvips only ever sees the four formats thumbnails are made of, recognised by their signature.
    if (!sniffImage(source.subarray(0, SNIFF_LENGTH))) throw cannotThumbnail();
    let metadata: Metadata;
    try {
      const sharp = await loadSharp();
      metadata = await sharp(source, { limitInputPixels: false }).metadata();
    } catch {
      throw cannotThumbnail();
    }
    if (!thumbnailable.has(metadata.format)) throw cannotThumbnail();
    const format = metadata.format as SniffedImage;
    const { width: sourceWidth, height: sourceHeight } = metadata.autoOrient;
    if (sourceWidth * sourceHeight > MAX_THUMBNAIL_SOURCE_PIXELS) throw tooLargeToThumbnail();
    const pages = metadata.pages ?? 1;
    const isAnimation = pages > 1;
    const isAnimatedOutput =
      request.animated && isAnimation && sourceWidth * sourceHeight * pages <= MAX_THUMBNAIL_SOURCE_PIXELS;

    // An image no larger than the thumbnail is its own thumbnail (unless it is an animation and none was
    // asked for). The decision is cached like a thumbnail, pointing at the original's blob.
    if (sourceWidth <= key.width && sourceHeight <= key.height && (!isAnimation || isAnimatedOutput)) {
      const contentType = mediaTypeOfImage[format];
      await deps.repository.insertThumbnail(key, {
        blobKey: media.blob_key,
        contentType,
        size: media.size,
        createdAt: deps.clock.now().toISOString(),
      });
      return {
        blobKey: media.blob_key,
        contentType,
        size: media.size,
        fileName: `thumbnail.${extensionOf[contentType] ?? format}`,
      };
    }

    const sharp = await loadSharp();
    let image = sharp(source, { limitInputPixels: MAX_THUMBNAIL_SOURCE_PIXELS, animated: isAnimatedOutput })
      .timeout({ seconds: GENERATION_TIMEOUT_SECONDS })
      .autoOrient();
    if (key.method === 'scale') {
      image = image.resize(key.width, key.height, { fit: 'inside', withoutEnlargement: true });
    } else {
      // The requested aspect ratio, as large as the target but never larger than the image: no upscaling.
      const ratio = key.width / key.height;
      const width = Math.max(1, Math.min(key.width, sourceWidth, Math.round(sourceHeight * ratio)));
      const height = Math.max(1, Math.min(key.height, sourceHeight, Math.round(sourceWidth / ratio)));
      image = image.resize(width, height, { fit: 'cover', position: 'centre' });
    }
    const contentType = isAnimatedOutput ? 'image/webp' : format === 'jpeg' ? 'image/jpeg' : 'image/png';
    image = isAnimatedOutput
      ? image.webp({ quality: 80 })
      : contentType === 'image/jpeg'
        ? image.jpeg({ quality: 80 })
        : image.png();
    let output: Buffer;
    try {
      output = await image.toBuffer();
    } catch (error) {
      if (error instanceof Error && /pixel limit/i.test(error.message)) throw tooLargeToThumbnail();
      deps.logger.info({ err: error, mediaId: media.media_id }, 'thumbnail generation failed');
      throw cannotThumbnail();
    }

    const blobKey = `chat/media-thumbnails/${media.media_id}/${key.width}x${key.height}-${key.method}${key.animated ? '-animated' : ''}`;
    const stored = await deps.blobs.put(Readable.from([output]), { key: blobKey, contentType });
    await deps.repository.insertThumbnail(key, {
      blobKey,
      contentType,
      size: stored.size,
      createdAt: deps.clock.now().toISOString(),
    });
    return { blobKey, contentType, size: stored.size, fileName: `thumbnail.${extensionOf[contentType] ?? 'png'}` };
  }

  return {
    async thumbnail(media, request) {
      const essence = essenceOf(media.content_type);
      // Only images (or files of unknown type, which may be images) are worth decoding.
      if ((!essence.startsWith('image/') && essence !== 'application/octet-stream') || essence === 'image/svg+xml') {
        throw cannotThumbnail();
      }
      if (media.size > MAX_THUMBNAIL_SOURCE_BYTES) throw tooLargeToThumbnail();
      const target = thumbnailTarget(request.width, request.height, request.method);
      const key: ThumbnailKey = {
        serverName: media.server_name,
        mediaId: media.media_id,
        width: target.width,
        height: target.height,
        method: target.method,
        animated: request.animated,
      };
      const hit = await cached(key);
      if (hit) return hit;
      const flightKey = `${media.server_name}/${media.media_id}/${target.width}x${target.height}/${target.method}/${request.animated}`;
      let flight = inFlight.get(flightKey);
      if (!flight) {
        flight = gate(() => generate(media, request, key)).finally(() => inFlight.delete(flightKey));
        inFlight.set(flightKey, flight);
      }
      return flight;
    },
  };
}
