import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../clock.ts';
import { platformErrors } from '../errors.ts';
import type { IdGenerator } from '../ids.ts';
import { createBlobMeter } from './blob-meter.ts';
import {
  checkBlobKey,
  DEFAULT_BLOB_CONTENT_TYPE,
  resolveBlobRange,
  type BlobInfo,
  type BlobStore,
} from './blob-store.ts';

export interface LocalBlobStoreOptions {
  /** The store's root directory, created when missing; only this store may write in it. */
  directory: string;
  clock: Clock;
  /** Makes generated keys and the version of each write. */
  newId: IdGenerator;
}

/** The sidecar of a blob: its info and the version naming the data file that holds its content. */
interface StoredMetadata extends BlobInfo {
  version: string;
}

interface Location {
  directory: string;
  metadataPath: string;
  dataPath(version: string): string;
}

/**
 * A `BlobStore` in a local directory, for a single node (see README.md for the layout on disk).
 *
 * Each write streams to a temporary file, is fsynced and renamed under a name of its own
 * (`<hash>.<version>.blob`); then the sidecar `<hash>.json` naming that version is written the same way
 * and renamed over the previous one. That rename is the commit point: a crash or a failure before it
 * leaves the previous blob whole, and readers, who go through the sidecar, never see half a write.
 * Overwrites and deletes of one key are serialised within the process.
 */
export function createLocalBlobStore(options: LocalBlobStoreOptions): BlobStore {
  // Temporary files live in the store's own tree, so that renaming them into place stays on one file system.
  const temporaryDirectory = join(options.directory, 'tmp');
  const objectsDirectory = join(options.directory, 'objects');
  const keyLock = createKeyLock();

  function locate(key: string): Location {
    // Hashing the key gives file names that are safe, of fixed length, and distinct on case-insensitive
    // file systems; its first bytes spread blobs over 65,536 directories.
    const name = createHash('sha256').update(key).digest('hex');
    const directory = join(objectsDirectory, name.slice(0, 2), name.slice(2, 4));
    return {
      directory,
      metadataPath: join(directory, `${name}.json`),
      dataPath: (version) => join(directory, `${name}.${version}.blob`),
    };
  }

  async function readMetadata(location: Location, key: string): Promise<StoredMetadata | undefined> {
    let text: string;
    try {
      text = await readFile(location.metadataPath, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    return parseMetadata(text, key, location.metadataPath);
  }

  async function commit(metadata: StoredMetadata, partPath: string): Promise<void> {
    const location = locate(metadata.key);
    const previous = await readMetadata(location, metadata.key);
    const dataPath = location.dataPath(metadata.version);
    const metadataPartPath = join(temporaryDirectory, `${metadata.version}.json.part`);
    await mkdir(location.directory, { recursive: true });
    try {
      await rename(partPath, dataPath);
      await writeDurably(metadataPartPath, (handle) => handle.writeFile(JSON.stringify(metadata)));
      await rename(metadataPartPath, location.metadataPath);
    } catch (error) {
      await Promise.all([rm(dataPath, { force: true }), rm(metadataPartPath, { force: true })]);
      throw error;
    }
    await syncDirectory(location.directory);
    if (previous) await rm(location.dataPath(previous.version), { force: true });
  }

  return {
    async put(body, putOptions = {}) {
      const version = options.newId();
      const partPath = join(temporaryDirectory, `${version}.blob.part`);
      try {
        const key = putOptions.key === undefined ? options.newId() : checkBlobKey(putOptions.key);
        const meter = createBlobMeter(putOptions.maxBytes);
        await mkdir(temporaryDirectory, { recursive: true });
        // `flush` fsyncs the file before the stream closes, and the pipeline resolves only once it has
        // closed: the content is on disk before it is renamed into place.
        await pipeline(body, meter.transform, createWriteStream(partPath, { flags: 'wx', flush: true }));
        const metadata: StoredMetadata = {
          key,
          ...meter.measure(),
          contentType: putOptions.contentType ?? DEFAULT_BLOB_CONTENT_TYPE,
          createdAt: options.clock.now().toISOString(),
          version,
        };
        await keyLock.run(key, () => commit(metadata, partPath));
        return toInfo(metadata);
      } catch (error) {
        // The pipeline has destroyed the body if it started; a body refused before then is destroyed
        // here so that, say, an upload's socket is not left paused.
        if (body instanceof Readable) body.destroy();
        await rm(partPath, { force: true });
        throw error;
      }
    },

    async get(key, range) {
      const location = locate(checkBlobKey(key));
      // A concurrent overwrite or delete may remove the data file between reading the sidecar and
      // opening the file; the sidecar read again then names the new content, or none. Once open, the
      // file stays readable even if it is removed.
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const metadata = await readMetadata(location, key);
        if (!metadata) throw platformErrors.create('BLOB_NOT_FOUND', { key });
        const bounds = range ? resolveBlobRange(range, metadata.size) : {};
        let handle: FileHandle;
        try {
          handle = await open(location.dataPath(metadata.version), 'r');
        } catch (error) {
          if (isNotFound(error)) continue;
          throw error;
        }
        return { info: toInfo(metadata), body: handle.createReadStream(bounds) };
      }
      throw new Error(`The data file of blob ${key} is missing, or the blob keeps changing`);
    },

    async head(key) {
      const metadata = await readMetadata(locate(checkBlobKey(key)), key);
      return metadata && toInfo(metadata);
    },

    async delete(key) {
      const location = locate(checkBlobKey(key));
      return keyLock.run(key, async () => {
        const metadata = await readMetadata(location, key);
        if (!metadata) return false;
        try {
          await rm(location.metadataPath);
        } catch (error) {
          if (isNotFound(error)) return false;
          throw error;
        }
        await rm(location.dataPath(metadata.version), { force: true });
        await syncDirectory(location.directory);
        return true;
      });
    },
  };
}

/** Creates `path` (which must not exist), lets `write` fill it, and fsyncs it before closing. */
async function writeDurably(path: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await write(handle);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Fsyncs a directory, so that the renames made in it survive a crash. */
async function syncDirectory(path: string): Promise<void> {
  // Windows cannot open a directory as a file; its file system journals renames anyway.
  if (process.platform === 'win32') return;
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Runs the work on one key one after the other, in call order. */
function createKeyLock() {
  const tails = new Map<string, Promise<void>>();
  return {
    async run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const result = (tails.get(key) ?? Promise.resolve()).then(work);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      try {
        return await result;
      } finally {
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}

function toInfo({ key, size, sha256, contentType, createdAt }: StoredMetadata): BlobInfo {
  return { key, size, sha256, contentType, createdAt };
}

function parseMetadata(text: string, key: string, path: string): StoredMetadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`Unreadable blob metadata in ${path}`, { cause: error });
  }
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { size, sha256, contentType, createdAt, version } = fields;
  if (
    fields.key === key &&
    typeof size === 'number' &&
    Number.isSafeInteger(size) &&
    size >= 0 &&
    typeof sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(sha256) &&
    typeof contentType === 'string' &&
    typeof createdAt === 'string' &&
    typeof version === 'string' &&
    // The version becomes part of a path: it must not be able to leave the directory.
    /^[A-Za-z0-9-]+$/.test(version)
  ) {
    return { key, size, sha256, contentType, createdAt, version };
  }
  throw new Error(`Invalid blob metadata in ${path}`);
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
