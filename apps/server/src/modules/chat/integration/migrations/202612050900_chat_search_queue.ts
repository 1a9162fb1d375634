import type { Migration } from '../../../../platform/db/migrations.ts';

/**
 * The messages waiting for the unified search: the appending transaction records that a message (or an
 * edit) is to be indexed, and a background pass indexes a batch of them in one transaction (room-search.ts).
 * Indexing in the appending transaction cost about 0.8 ms of CPU per message on SQLite, most of it the
 * full-text index written at each commit.
 */
export const chatSearchQueueMigration: Migration = {
  name: '202612050900_chat_search_queue',
  async up(db, { types }) {
    await db.schema
      .createTable('chat_search_queue')
      .addColumn('stream_ordering', types.bigint, (column) => column.primaryKey())
      .addColumn('room_id', 'text', (column) => column.notNull())
      .addColumn('event_id', 'text', (column) => column.notNull())
      .execute();
    // No secondary index: the queue holds a batch or two, and each index would be one more page written by
    // every message's commit; a redaction or a room's encryption scans it.
  },
};
