import type { Readable } from 'node:stream';
import { platformErrors } from '../errors.ts';
import { blobErrors } from './blob.errors.ts';

/** What the store knows about a blob. */
export interface BlobInfo {
  key: string;
  /** In bytes. */
  size: number;
  /** SHA-256 of the content, lowercase hexadecimal, computed while it was written. */
  sha256: string;
  contentType: string;
  /** ISO-8601 UTC instant of the write that made this content. */
  createdAt: string;
}

export interface BlobPutOptions {
  /** Defaults to `application/octet-stream`. */
  contentType?: string;
  /** The key to write (replacing any blob under it); without it the store makes a new time-ordered key. */
  key?: string;
  /** Writing more bytes than this aborts the write with BLOB_TOO_LARGE and keeps nothing of it. */
  maxBytes?: number;
}

/** A byte range with both ends included, as in HTTP `Range: bytes=start-end`; no end means to the last byte. */
export interface BlobRange {
  start: number;
  end?: number;
}

/**
 * Stores opaque binary content (uploads, attachments, exports) under string keys. Writes are streamed,
 * in constant memory, and all-or-nothing: a reader sees the whole previous content or the whole new
 * one, never a part. The local-directory implementation serves one node; an S3 implementation of this
 * interface will serve several.
 *
 * Keys are 1 to 1024 characters of `[A-Za-z0-9._-]` in segments separated by `/`, with no empty, `.` or
 * `..` segment; any method given another key throws BLOB_INVALID_KEY.
 */
export interface BlobStore {
  /**
   * Streams `body` into the store and resolves once it is durably stored. The body is consumed (and
   * destroyed if the write fails); on failure nothing of the write remains and a previous blob under
   * the same key is left as it was.
   */
  put(body: Readable | AsyncIterable<Uint8Array>, options?: BlobPutOptions): Promise<BlobInfo>;
  /**
   * Opens a blob for reading, or the given `range` of it (BLOB_RANGE_NOT_SATISFIABLE when it starts past
   * the end; an end past the end is clamped). Throws BLOB_NOT_FOUND. The caller must consume or destroy
   * `body`, which holds an open file or connection until then.
   */
  get(key: string, range?: BlobRange): Promise<{ info: BlobInfo; body: Readable }>;
  head(key: string): Promise<BlobInfo | undefined>;
  /** Deletes a blob; resolves whether there was one, so deleting twice is not an error. */
  delete(key: string): Promise<boolean>;
}

export const DEFAULT_BLOB_CONTENT_TYPE = 'application/octet-stream';

/** Matches S3's own limit on key length, so keys can move between implementations. */
export const BLOB_KEY_MAX_LENGTH = 1024;

const KEY_SEGMENT = /^[A-Za-z0-9._-]+$/;

/** Whether `key` is a valid blob key (see `BlobStore`). */
export function isValidBlobKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > BLOB_KEY_MAX_LENGTH) return false;
  return key.split('/').every((segment) => KEY_SEGMENT.test(segment) && segment !== '.' && segment !== '..');
}

/** Returns `key`, or throws BLOB_INVALID_KEY; for the implementations of `BlobStore`. */
export function checkBlobKey(key: unknown): string {
  if (!isValidBlobKey(key)) {
    throw platformErrors.create('BLOB_INVALID_KEY', { key: typeof key === 'string' ? key.slice(0, 100) : key });
  }
  return key;
}

/**
 * The inclusive byte range `range` covers in a blob of `size` bytes, or BLOB_RANGE_NOT_SATISFIABLE; for
 * the implementations of `BlobStore`. Malformed numbers are a programming error, hence a RangeError.
 */
export function resolveBlobRange(range: BlobRange, size: number): { start: number; end: number } {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
    throw new RangeError(`Invalid blob range ${start}-${end ?? ''}`);
  }
  if (start >= size) {
    throw blobErrors.create('BLOB_RANGE_NOT_SATISFIABLE', { start, end: end ?? '', size });
  }
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}
