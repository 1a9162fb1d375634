import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobStore } from '../../../platform/blobs/index.ts';
import type { Clock } from '../../../platform/clock.ts';
import { AppError } from '../../../platform/errors.ts';
import type { IdGenerator } from '../../../platform/ids.ts';
import type { Logger } from '../../../platform/logging.ts';
import { matrixError } from '../matrix-errors.ts';
import type { MediaRepository, StoredContent } from './media.repository.ts';
import type { ChatMediaRow } from './media.tables.ts';
import { contradictsDeclaredType, normaliseContentType, SNIFF_LENGTH } from './media-types.ts';

/** How long a media ID made by `/create` waits for its content (the spec's recommended 24 hours). */
export const PENDING_UPLOAD_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Pending uploads one user may hold at once (beyond: 429 M_LIMIT_EXCEEDED, as the spec advises). */
export const MAX_PENDING_UPLOADS_PER_USER = 20;
/** The spec's default wait for content not yet uploaded, and the longest Bureau accepts. */
export const DEFAULT_DOWNLOAD_WAIT_MS = 20_000;
export const MAX_DOWNLOAD_WAIT_MS = 30_000;
/** Downloads of a pending upload also look at the database this often (another process may complete it). */
const PENDING_POLL_MS = 1_000;

const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;

/** Media whose content is in the blob store. */
export type UploadedMedia = ChatMediaRow & {
  blob_key: string;
  content_type: string;
  size: number;
  sha256: string;
  uploaded_at: string;
};

function isUploaded(row: ChatMediaRow): row is UploadedMedia {
  return row.uploaded_at !== null && row.blob_key !== null;
}

/** The body of an upload request and what its headers say about it. */
export interface UploadInput {
  readonly body: Readable;
  readonly declaredContentType: string | undefined;
  readonly declaredLength: number | undefined;
  readonly fileName: string | undefined;
}

export interface MediaService {
  readonly serverName: string;
  readonly maxUploadBytes: number;
  /** `POST /upload`: stores the content under a new media ID. */
  upload(uploader: string, input: UploadInput): Promise<{ contentUri: string }>;
  /** `POST /create`: reserves a media ID whose content comes later. */
  create(uploader: string): Promise<{ contentUri: string; unusedExpiresAt: number }>;
  /** `PUT /upload/{serverName}/{mediaId}`: the content of a reserved media ID. */
  uploadTo(uploader: string, serverName: string, mediaId: string, input: UploadInput): Promise<void>;
  /**
   * The uploaded media `mxc://serverName/mediaId`, waiting up to `waitMs` for a pending upload to complete.
   * M_NOT_FOUND when unknown, expired or of another server; M_NOT_YET_UPLOADED when still pending.
   */
  uploaded(serverName: string, mediaId: string, waitMs: number): Promise<UploadedMedia>;
  /** Wakes every download waiting for a pending upload (shutdown). */
  close(): void;
}

export interface MediaServiceDeps {
  readonly repository: MediaRepository;
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly logger: Logger;
  readonly serverName: string;
  readonly maxUploadBytes: number;
}

/** 24 characters of the spec's media ID alphabet (`A-Za-z0-9_-`), 144 random bits. */
function newMediaId(): string {
  return randomBytes(18).toString('base64url');
}

function tooLarge(limit: number): AppError {
  return matrixError('M_TOO_LARGE', { reason: `the file is larger than ${limit} bytes` });
}

function isInterruption(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || error.message === 'aborted';
}

export function createMediaService(deps: MediaServiceDeps): MediaService {
  const { repository, blobs, serverName, maxUploadBytes } = deps;
  const waiting = new Map<string, Set<() => void>>();
  let closed = false;

  const contentUri = (mediaId: string) => `mxc://${serverName}/${mediaId}`;
  const nowIso = () => deps.clock.now().toISOString();

  function wake(mediaId: string): void {
    for (const resolve of waiting.get(mediaId) ?? []) resolve();
    waiting.delete(mediaId);
  }

  async function waitForUpload(mediaId: string, milliseconds: number): Promise<void> {
    const controller = new AbortController();
    let waiters = waiting.get(mediaId);
    if (!waiters) waiting.set(mediaId, (waiters = new Set()));
    const resolve = () => controller.abort();
    waiters.add(resolve);
    try {
      await sleep(milliseconds, undefined, { signal: controller.signal });
    } catch {
      // Woken by the upload (or by shutdown).
    } finally {
      waiters.delete(resolve);
      if (waiters.size === 0 && waiting.get(mediaId) === waiters) waiting.delete(mediaId);
    }
  }

  /**
   * The request's bytes, counted and checked on their way to the blob store: more than the limit fails
   * with M_TOO_LARGE as soon as it is crossed (whatever Content-Length said), an empty body fails, and
   * the first bytes must agree with a declared image type. Failing the generator fails the blob write,
   * which then keeps nothing. The request stream itself is not destroyed on failure, so that the error
   * can still be answered on its connection.
   */
  async function* checkedBytes(body: Readable, contentType: string): AsyncGenerator<Uint8Array> {
    let size = 0;
    let head = Buffer.alloc(0);
    let isHeadChecked = false;
    const check = () => {
      const contradiction = contradictsDeclaredType(contentType, head);
      if (contradiction) throw matrixError('M_UNKNOWN', { reason: contradiction });
      isHeadChecked = true;
    };
    for await (const chunk of body.iterator({ destroyOnReturn: false })) {
      const bytes: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += bytes.byteLength;
      if (size > maxUploadBytes) throw tooLarge(maxUploadBytes);
      if (!isHeadChecked) {
        head = Buffer.concat([head, bytes.subarray(0, SNIFF_LENGTH - head.byteLength)]);
        if (head.byteLength >= SNIFF_LENGTH) check();
      }
      yield bytes;
    }
    if (size === 0) throw matrixError('M_UNKNOWN', { reason: 'the file is empty' });
    if (!isHeadChecked) check();
  }

  async function store(mediaId: string, input: UploadInput): Promise<StoredContent> {
    if (input.declaredLength !== undefined && input.declaredLength > maxUploadBytes) throw tooLarge(maxUploadBytes);
    if (input.declaredLength === 0) throw matrixError('M_UNKNOWN', { reason: 'the file is empty' });
    const contentType = normaliseContentType(input.declaredContentType);
    // One key per attempt: two concurrent uploads to one pending ID never write the same blob.
    const blobKey = `chat/media/${mediaId}/${deps.newId()}`;
    try {
      const info = await blobs.put(checkedBytes(input.body, contentType), {
        key: blobKey,
        contentType,
        maxBytes: maxUploadBytes,
      });
      return {
        blobKey,
        contentType,
        size: info.size,
        sha256: info.sha256,
        fileName: input.fileName,
        uploadedAt: nowIso(),
      };
    } catch (error) {
      if (error instanceof AppError && error.code === 'BLOB_TOO_LARGE') throw tooLarge(maxUploadBytes);
      if (isInterruption(error)) throw matrixError('M_UNKNOWN', { reason: 'the upload was interrupted' });
      throw error;
    }
  }

  return {
    serverName,
    maxUploadBytes,

    async upload(uploader, input) {
      const mediaId = newMediaId();
      const content = await store(mediaId, input);
      try {
        await repository.insertUploaded(serverName, mediaId, uploader, content);
      } catch (error) {
        await blobs.delete(content.blobKey).catch(() => false);
        throw error;
      }
      deps.logger.debug({ mediaId, size: content.size, contentType: content.contentType }, 'media uploaded');
      return { contentUri: contentUri(mediaId) };
    },

    async create(uploader) {
      const now = deps.clock.now();
      await repository.deleteExpiredPending(now.toISOString());
      if ((await repository.countPending(uploader, now.toISOString())) >= MAX_PENDING_UPLOADS_PER_USER) {
        throw matrixError('M_LIMIT_EXCEEDED');
      }
      const mediaId = newMediaId();
      const expiresAt = now.getTime() + PENDING_UPLOAD_LIFETIME_MS;
      await repository.insertPending(
        serverName,
        mediaId,
        uploader,
        now.toISOString(),
        new Date(expiresAt).toISOString(),
      );
      return { contentUri: contentUri(mediaId), unusedExpiresAt: expiresAt };
    },

    async uploadTo(uploader, targetServer, mediaId, input) {
      const row =
        targetServer === serverName && MEDIA_ID.test(mediaId) ? await repository.find(serverName, mediaId) : undefined;
      const isExpired =
        row?.uploaded_at === null && row.unused_expires_at !== null && row.unused_expires_at <= nowIso();
      if (!row || isExpired) throw matrixError('M_NOT_FOUND', { what: `mxc://${targetServer}/${mediaId}` });
      if (row.uploader !== uploader) {
        throw matrixError('M_FORBIDDEN', { reason: 'this media ID was created by another user' });
      }
      if (row.uploaded_at !== null) throw matrixError('M_CANNOT_OVERWRITE_MEDIA');
      const content = await store(mediaId, input);
      const isRecorded = await repository
        .completePending(serverName, mediaId, content, nowIso())
        .catch(async (error: unknown) => {
          await blobs.delete(content.blobKey).catch(() => false);
          throw error;
        });
      if (!isRecorded) {
        await blobs.delete(content.blobKey).catch(() => false);
        const current = await repository.find(serverName, mediaId);
        if (current?.uploaded_at) throw matrixError('M_CANNOT_OVERWRITE_MEDIA');
        throw matrixError('M_NOT_FOUND', { what: `mxc://${targetServer}/${mediaId}` });
      }
      wake(mediaId);
    },

    async uploaded(targetServer, mediaId, waitMs) {
      const what = `mxc://${targetServer}/${mediaId}`;
      // No federation: media of another server is unknown here.
      if (targetServer !== serverName || !MEDIA_ID.test(mediaId)) throw matrixError('M_NOT_FOUND', { what });
      const deadline = Date.now() + Math.min(Math.max(waitMs, 0), MAX_DOWNLOAD_WAIT_MS);
      for (;;) {
        const row = await repository.find(serverName, mediaId);
        if (!row) throw matrixError('M_NOT_FOUND', { what });
        if (isUploaded(row)) return row;
        if (row.unused_expires_at !== null && row.unused_expires_at <= nowIso()) {
          throw matrixError('M_NOT_FOUND', { what });
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0 || closed) throw matrixError('M_NOT_YET_UPLOADED');
        await waitForUpload(mediaId, Math.min(remaining, PENDING_POLL_MS));
      }
    },

    close() {
      closed = true;
      for (const mediaId of [...waiting.keys()]) wake(mediaId);
    },
  };
}
