import type { Migration } from '../../../../platform/db/migrations.ts';

/**
 * Discovery and relations: the user directory's entries (kind and status of each Bureau user, searchable
 * text), content reports, and an index that lists a room's threads without reading the whole room.
 */
export const chatDiscoveryMigration: Migration = {
  name: '202612010930_chat_discovery',
  async up(db, { types }) {
    await db.schema
      .createTable('chat_user_directory')
      .addColumn('user_id', types.id, (column) => column.primaryKey())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('is_active', types.boolean, (column) => column.notNull())
      .addColumn('search_text', 'text', (column) => column.notNull())
      .addColumn('email', 'text', (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema.createIndex('chat_user_directory_email').on('chat_user_directory').column('email').execute();

    await db.schema
      .createTable('chat_reports')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('reporter', 'text', (column) => column.notNull())
      .addColumn('room_id', 'text')
      .addColumn('event_id', 'text')
      .addColumn('reported_user', 'text')
      .addColumn('reason', 'text')
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema.createIndex('chat_reports_room').on('chat_reports').columns(['room_id', 'created_at']).execute();

    // The thread list: a room's m.thread children grouped by root, newest first.
    await db.schema
      .createIndex('chat_events_room_relations')
      .on('chat_events')
      .columns(['room_id', 'rel_type', 'relates_to', 'stream_ordering'])
      .execute();
  },
};
