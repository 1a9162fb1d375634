import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../platform/db/database.ts';
import { portableColumnTypes } from '../../../platform/db/migrations.ts';
import { createTestEnvironment, type TestEnvironment } from '../../../testing/test-database.ts';
import type { ChatTables } from '../chat.tables.ts';
import { chatPushActionsByRoomMigration } from './202612011200_chat_push_actions_by_room.ts';

describe('Migration 202612011200_chat_push_actions_by_room', () => {
  let environment: TestEnvironment;
  let database: Database;

  beforeEach(async () => {
    environment = await createTestEnvironment();
    database = environment.openDatabase();
  });

  afterEach(async () => {
    await environment.destroy();
  });

  it('keeps every push action, now keyed by room, position and user', async () => {
    const types = portableColumnTypes(database.dialect);
    const db = database.executor as Kysely<unknown>;
    // The table as migration 202612010900_chat_core created it.
    await db.schema
      .createTable('chat_push_actions')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('room_id', 'text', (column) => column.notNull())
      .addColumn('stream_ordering', types.bigint, (column) => column.notNull())
      .addColumn('thread_id', 'text', (column) => column.notNull())
      .addColumn('notify', types.boolean, (column) => column.notNull())
      .addColumn('highlight', types.boolean, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_push_actions_pk', ['matrix_id', 'room_id', 'stream_ordering'])
      .execute();
    const isTrue = database.dialect === 'sqlite' ? 1 : true;
    const isFalse = database.dialect === 'sqlite' ? 0 : false;
    const rows = [
      { matrix_id: '@b:x', room_id: '!r:x', stream_ordering: 7, thread_id: 'main', notify: isTrue, highlight: isFalse },
      { matrix_id: '@a:x', room_id: '!r:x', stream_ordering: 7, thread_id: 'main', notify: isTrue, highlight: isTrue },
      { matrix_id: '@a:x', room_id: '!r:x', stream_ordering: 9, thread_id: '$t', notify: isTrue, highlight: isFalse },
      { matrix_id: '@a:x', room_id: '!s:x', stream_ordering: 8, thread_id: 'main', notify: isTrue, highlight: isFalse },
    ];
    const tables = database.executor.withTables<ChatTables>();
    await tables.insertInto('chat_push_actions').values(rows).execute();

    await chatPushActionsByRoomMigration.up(db, { dialect: database.dialect, types });

    const read = await tables
      .selectFrom('chat_push_actions')
      .selectAll()
      .orderBy('room_id')
      .orderBy('stream_ordering')
      .orderBy('matrix_id')
      .execute();
    const normalised = read.map((row) => ({
      ...row,
      stream_ordering: Number(row.stream_ordering),
      notify: Boolean(row.notify),
      highlight: Boolean(row.highlight),
    }));
    expect(normalised).toEqual(
      [rows[1], rows[0], rows[2], rows[3]].map((row) => ({
        ...row,
        notify: Boolean(row?.notify),
        highlight: Boolean(row?.highlight),
      })),
    );
    // One action per user and event.
    await expect(tables.insertInto('chat_push_actions').values(rows[0]!).execute()).rejects.toThrow();
    if (database.dialect === 'sqlite') {
      const { rows: plan } = await sql<{ detail: string }>`
        explain query plan select 1 from chat_push_actions
        where room_id = '!r:x' and stream_ordering > 7 and stream_ordering <= 9 and matrix_id = '@a:x'
      `.execute(database.executor);
      expect(plan.map((step) => step.detail).join(' ')).toMatch(
        /USING PRIMARY KEY \(room_id=\? AND stream_ordering>\?/,
      );
    }
  });
});
