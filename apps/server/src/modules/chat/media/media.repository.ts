import type { Database } from '../../../platform/db/database.ts';
import type { ChatMediaRow, ChatMediaTables, ChatMediaThumbnailRow } from './media.tables.ts';

/** What an uploaded file's row records, once its bytes are in the blob store. */
export interface StoredContent {
  readonly blobKey: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
  readonly fileName: string | undefined;
  readonly uploadedAt: string;
}

export interface ThumbnailKey {
  readonly serverName: string;
  readonly mediaId: string;
  readonly width: number;
  readonly height: number;
  readonly method: 'crop' | 'scale';
  readonly animated: boolean;
}

/** All SQL of the media repository. */
export interface MediaRepository {
  find(serverName: string, mediaId: string): Promise<ChatMediaRow | undefined>;
  insertUploaded(serverName: string, mediaId: string, uploader: string, content: StoredContent): Promise<void>;
  insertPending(
    serverName: string,
    mediaId: string,
    uploader: string,
    createdAt: string,
    expiresAt: string,
  ): Promise<void>;
  /** Pending uploads of `uploader` not yet expired at `now`. */
  countPending(uploader: string, now: string): Promise<number>;
  /** Forgets pending uploads that expired before `now` (they never had content). */
  deleteExpiredPending(now: string): Promise<number>;
  /**
   * Records the content of a pending upload, if it is still pending and unexpired at `now`; false when
   * another request completed it first or it expired meanwhile.
   */
  completePending(serverName: string, mediaId: string, content: StoredContent, now: string): Promise<boolean>;
  findThumbnail(key: ThumbnailKey): Promise<ChatMediaThumbnailRow | undefined>;
  insertThumbnail(
    key: ThumbnailKey,
    thumbnail: { blobKey: string; contentType: string; size: number; createdAt: string },
  ): Promise<void>;
  deleteThumbnail(key: ThumbnailKey): Promise<void>;
}

export function createMediaRepository(database: Database): MediaRepository {
  const tables = () => database.executor.withTables<ChatMediaTables>();
  const contentColumns = (content: StoredContent) => ({
    blob_key: content.blobKey,
    content_type: content.contentType,
    size: content.size,
    sha256: content.sha256,
    file_name: content.fileName ?? null,
    uploaded_at: content.uploadedAt,
  });
  const thumbnailWhere = (key: ThumbnailKey) => ({
    server_name: key.serverName,
    media_id: key.mediaId,
    width: key.width,
    height: key.height,
    method: key.method,
    animated: key.animated ? 1 : 0,
  });

  return {
    find: (serverName, mediaId) =>
      tables()
        .selectFrom('chat_media')
        .selectAll()
        .where('server_name', '=', serverName)
        .where('media_id', '=', mediaId)
        .executeTakeFirst(),

    async insertUploaded(serverName, mediaId, uploader, content) {
      await tables()
        .insertInto('chat_media')
        .values({
          server_name: serverName,
          media_id: mediaId,
          uploader,
          created_at: content.uploadedAt,
          unused_expires_at: null,
          ...contentColumns(content),
        })
        .execute();
    },

    async insertPending(serverName, mediaId, uploader, createdAt, expiresAt) {
      await tables()
        .insertInto('chat_media')
        .values({
          server_name: serverName,
          media_id: mediaId,
          uploader,
          created_at: createdAt,
          uploaded_at: null,
          unused_expires_at: expiresAt,
          blob_key: null,
          content_type: null,
          size: null,
          sha256: null,
          file_name: null,
        })
        .execute();
    },

    async countPending(uploader, now) {
      const row = await tables()
        .selectFrom('chat_media')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('uploader', '=', uploader)
        .where('uploaded_at', 'is', null)
        .where('unused_expires_at', '>', now)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    async deleteExpiredPending(now) {
      const result = await tables()
        .deleteFrom('chat_media')
        .where('uploaded_at', 'is', null)
        .where('unused_expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async completePending(serverName, mediaId, content, now) {
      const result = await tables()
        .updateTable('chat_media')
        .set(contentColumns(content))
        .where('server_name', '=', serverName)
        .where('media_id', '=', mediaId)
        .where('uploaded_at', 'is', null)
        .where('unused_expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    findThumbnail(key) {
      const where = thumbnailWhere(key);
      return tables()
        .selectFrom('chat_media_thumbnails')
        .selectAll()
        .where('server_name', '=', where.server_name)
        .where('media_id', '=', where.media_id)
        .where('width', '=', where.width)
        .where('height', '=', where.height)
        .where('method', '=', where.method)
        .where('animated', '=', where.animated)
        .executeTakeFirst();
    },

    async insertThumbnail(key, thumbnail) {
      await tables()
        .insertInto('chat_media_thumbnails')
        .values({
          ...thumbnailWhere(key),
          blob_key: thumbnail.blobKey,
          content_type: thumbnail.contentType,
          size: thumbnail.size,
          created_at: thumbnail.createdAt,
        })
        .onConflict((conflict) =>
          conflict.columns(['server_name', 'media_id', 'width', 'height', 'method', 'animated']).doUpdateSet({
            blob_key: thumbnail.blobKey,
            content_type: thumbnail.contentType,
            size: thumbnail.size,
            created_at: thumbnail.createdAt,
          }),
        )
        .execute();
    },

    async deleteThumbnail(key) {
      const where = thumbnailWhere(key);
      await tables()
        .deleteFrom('chat_media_thumbnails')
        .where('server_name', '=', where.server_name)
        .where('media_id', '=', where.media_id)
        .where('width', '=', where.width)
        .where('height', '=', where.height)
        .where('method', '=', where.method)
        .where('animated', '=', where.animated)
        .execute();
    },
  };
}
