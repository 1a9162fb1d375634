import { createHash } from 'node:crypto';
import { blobErrors } from './blob.errors.ts';

/** What a meter measured once the body has gone through it. */
export interface BlobMeasure {
  size: number;
  sha256: string;
}

/**
 * A pass-through step for `stream.pipeline` that counts and hashes a blob's bytes on their way to
 * storage, and fails with BLOB_TOO_LARGE as soon as they exceed `maxBytes`: failing the pipeline stops
 * the source too, so an oversized upload is not read to its end. Shared by the implementations of
 * `BlobStore`, so that every store enforces limits and computes checksums the same way.
 */
export interface BlobMeter {
  readonly transform: (source: AsyncIterable<unknown>) => AsyncGenerator<Uint8Array>;
  /** The measure; only once `transform` has consumed the whole source. */
  measure(): BlobMeasure;
}

export function createBlobMeter(maxBytes = Number.POSITIVE_INFINITY): BlobMeter {
  if (maxBytes !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(maxBytes) || maxBytes < 0)) {
    throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
  }
  const hash = createHash('sha256');
  let size = 0;
  let measured: BlobMeasure | undefined;
  return {
    transform: async function* (source) {
      for await (const chunk of source) {
        // A Readable in string mode would give strings; a blob is bytes, so they are taken as UTF-8.
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        if (!(bytes instanceof Uint8Array)) throw new TypeError('A blob body must yield Uint8Array chunks');
        size += bytes.byteLength;
        if (size > maxBytes) throw blobErrors.create('BLOB_TOO_LARGE', { limit: maxBytes });
        hash.update(bytes);
        yield bytes;
      }
      measured = { size, sha256: hash.digest('hex') };
    },
    measure() {
      if (!measured) throw new Error('The blob meter has not seen the end of the body');
      return measured;
    },
  };
}
