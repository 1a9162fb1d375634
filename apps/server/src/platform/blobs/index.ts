export {
  BLOB_KEY_MAX_LENGTH,
  checkBlobKey,
  DEFAULT_BLOB_CONTENT_TYPE,
  isValidBlobKey,
  resolveBlobRange,
  type BlobInfo,
  type BlobPutOptions,
  type BlobRange,
  type BlobStore,
} from './blob-store.ts';
export { blobErrors } from './blob.errors.ts';
export { createBlobMeter, type BlobMeasure, type BlobMeter } from './blob-meter.ts';
export { createLocalBlobStore, type LocalBlobStoreOptions } from './local-blob-store.ts';
