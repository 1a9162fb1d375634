import type { Migration } from '../../../../platform/db/migrations.ts';

/**
 * The media repository: one row per `mxc://<server_name>/<media_id>`, its bytes in the blob store.
 *
 * A row made by `POST /_matrix/media/v1/create` is pending (`uploaded_at` null, no blob) until its
 * uploader sends the content, and is only usable until `unused_expires_at`. Thumbnails are cached as
 * blobs too, one row per (media, size, method, animation), so that they can be found and removed with
 * their media. An image no larger than a requested thumbnail is its own thumbnail: that row points at
 * the media's own blob (so removing a media's thumbnails must not delete blobs it shares with the media).
 */
export const chatMediaMigration: Migration = {
  name: '202612010920_chat_media',
  async up(db, { types }) {
    await db.schema
      .createTable('chat_media')
      .addColumn('server_name', 'text', (column) => column.notNull())
      .addColumn('media_id', 'text', (column) => column.notNull())
      /** The Matrix user who uploaded (or created) it. */
      .addColumn('uploader', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      /** Null while an asynchronous upload is pending. */
      .addColumn('uploaded_at', types.timestamp)
      /** Pending uploads only: past this instant the media ID can no longer be uploaded to. */
      .addColumn('unused_expires_at', types.timestamp)
      .addColumn('blob_key', 'text')
      .addColumn('content_type', 'text')
      .addColumn('size', types.bigint)
      .addColumn('sha256', 'text')
      .addColumn('file_name', 'text')
      .addPrimaryKeyConstraint('chat_media_pk', ['server_name', 'media_id'])
      .execute();
    await db.schema.createIndex('chat_media_uploader').on('chat_media').columns(['uploader', 'created_at']).execute();
    await db.schema.createIndex('chat_media_unused_expiry').on('chat_media').column('unused_expires_at').execute();

    await db.schema
      .createTable('chat_media_thumbnails')
      .addColumn('server_name', 'text', (column) => column.notNull())
      .addColumn('media_id', 'text', (column) => column.notNull())
      .addColumn('width', 'integer', (column) => column.notNull())
      .addColumn('height', 'integer', (column) => column.notNull())
      .addColumn('method', 'text', (column) => column.notNull())
      .addColumn('animated', types.boolean, (column) => column.notNull())
      .addColumn('blob_key', 'text', (column) => column.notNull())
      .addColumn('content_type', 'text', (column) => column.notNull())
      .addColumn('size', types.bigint, (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_media_thumbnails_pk', [
        'server_name',
        'media_id',
        'width',
        'height',
        'method',
        'animated',
      ])
      .execute();
  },
};
