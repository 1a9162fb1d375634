import { sql } from 'kysely';
import type { Migration } from '../../../platform/db/migrations.ts';

/**
 * Fewer index pages written by each message (`bench/chat/append-pages.ts`: 19.5 pages per message on
 * SQLite before, each one a write at commit):
 * - the two relation indexes of `chat_events` only hold events that relate to another one (replies,
 *   threads, edits, reactions): every query on them names the related event or the relation type, which
 *   implies a value, so SQLite and PostgreSQL still use them;
 * - on SQLite, `chat_transactions` is WITHOUT ROWID: its primary key is the table, one page per insert
 *   instead of the table's and its key's.
 */
export const chatFewerPagesPerMessageMigration: Migration = {
  name: '202612070900_chat_fewer_pages_per_message',
  async up(db, { dialect, types }) {
    await db.schema.dropIndex('chat_events_relations').execute();
    await db.schema
      .createIndex('chat_events_relations')
      .on('chat_events')
      .columns(['relates_to', 'rel_type'])
      .where(sql.ref('relates_to'), 'is not', null)
      .execute();
    await db.schema.dropIndex('chat_events_room_relations').execute();
    await db.schema
      .createIndex('chat_events_room_relations')
      .on('chat_events')
      .columns(['room_id', 'rel_type', 'relates_to', 'stream_ordering'])
      .where(sql.ref('rel_type'), 'is not', null)
      .execute();
    if (dialect !== 'sqlite') return;
    await db.schema
      .createTable('chat_transactions_keyed')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('device_id', 'text', (column) => column.notNull())
      .addColumn('txn_id', 'text', (column) => column.notNull())
      .addColumn('event_id', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_transactions_pk', ['matrix_id', 'device_id', 'txn_id'])
      .modifyEnd(sql`without rowid`)
      .execute();
    await sql`
      insert into chat_transactions_keyed (matrix_id, device_id, txn_id, event_id, created_at)
      select matrix_id, device_id, txn_id, event_id, created_at from chat_transactions
    `.execute(db);
    await db.schema.dropTable('chat_transactions').execute();
    await db.schema.alterTable('chat_transactions_keyed').renameTo('chat_transactions').execute();
  },
};
