import type { Migration } from '../../../platform/db/migrations.ts';

/**
 * The Matrix homeserver's core: accounts, devices and access tokens; rooms and their events in one
 * stream ordered by `stream_ordering` (the position /sync tokens count in); the current state of each
 * room; per-user data (account data, receipts, filters, push rules, unread counts); aliases.
 *
 * One counter row (`chat_stream`) gives every change its stream position inside the transaction that
 * writes it; its row lock makes commits happen in position order, so a reader that saw position N has
 * seen everything below N, whichever process wrote it.
 */
export const chatCoreMigration: Migration = {
  name: '202612010900_chat_core',
  async up(db, { types }) {
    await db.schema
      .createTable('chat_stream')
      .addColumn('name', 'text', (column) => column.primaryKey())
      .addColumn('position', types.bigint, (column) => column.notNull())
      .execute();
    await db
      .withTables<{ chat_stream: { name: string; position: number } }>()
      .insertInto('chat_stream')
      .values({ name: 'main', position: 0 })
      .execute();

    // The homeserver's ed25519 signing keys (events are signed as federation expects).
    await db.schema
      .createTable('chat_signing_keys')
      .addColumn('key_id', 'text', (column) => column.primaryKey())
      .addColumn('seed', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('chat_accounts')
      .addColumn('user_id', types.id, (column) =>
        column.primaryKey().references('identity_users.id').onDelete('cascade'),
      )
      .addColumn('matrix_id', 'text', (column) => column.notNull().unique())
      .addColumn('localpart', 'text', (column) => column.notNull().unique())
      .addColumn('displayname', 'text')
      .addColumn('avatar_url', 'text')
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      /** Account validity (Tchap): past this instant every authenticated request is refused. */
      .addColumn('expires_at', types.timestamp)
      .execute();

    await db.schema
      .createTable('chat_devices')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('device_id', 'text', (column) => column.notNull())
      .addColumn('display_name', 'text')
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('last_seen_at', types.timestamp)
      .addColumn('last_seen_ip', 'text')
      .addPrimaryKeyConstraint('chat_devices_pk', ['matrix_id', 'device_id'])
      .execute();

    await db.schema
      .createTable('chat_access_tokens')
      .addColumn('token_hash', 'text', (column) => column.primaryKey())
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('device_id', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('chat_access_tokens_device')
      .on('chat_access_tokens')
      .columns(['matrix_id', 'device_id'])
      .execute();

    // m.login.token: short-lived, single-use tokens handed out by the single sign-on redirect.
    await db.schema
      .createTable('chat_login_tokens')
      .addColumn('token_hash', 'text', (column) => column.primaryKey())
      .addColumn('user_id', types.id, (column) => column.notNull().references('identity_users.id').onDelete('cascade'))
      .addColumn('expires_at', types.timestamp, (column) => column.notNull())
      .addColumn('used_at', types.timestamp)
      .execute();

    await db.schema
      .createTable('chat_rooms')
      .addColumn('room_id', 'text', (column) => column.primaryKey())
      .addColumn('room_version', 'text', (column) => column.notNull())
      .addColumn('creator', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      /** Listed in the public room directory. */
      .addColumn('is_public', types.boolean, (column) => column.notNull().defaultTo(false))
      /** The room's resource in the platform's permission model (its readers are its joined members). */
      .addColumn('resource_id', types.id)
      /** The forward extremity: the last event appended (rooms are written linearly, by one writer). */
      .addColumn('last_event_id', 'text', (column) => column.notNull())
      .addColumn('last_depth', types.bigint, (column) => column.notNull())
      .addColumn('last_stream', types.bigint, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('chat_events')
      .addColumn('stream_ordering', types.bigint, (column) => column.primaryKey())
      .addColumn('event_id', 'text', (column) => column.notNull().unique())
      .addColumn('room_id', 'text', (column) => column.notNull())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('state_key', 'text')
      .addColumn('sender', 'text', (column) => column.notNull())
      /** For m.room.member events, content.membership (membership history without parsing JSON). */
      .addColumn('membership', 'text')
      .addColumn('depth', types.bigint, (column) => column.notNull())
      .addColumn('origin_server_ts', types.bigint, (column) => column.notNull())
      /** The PDU as canonical JSON (its redacted form once redacted). */
      .addColumn('json', 'text', (column) => column.notNull())
      .addColumn('redacted_by', 'text')
      /** m.relates_to of the content: the event it relates to and how (m.annotation, m.replace, m.thread...). */
      .addColumn('relates_to', 'text')
      .addColumn('rel_type', 'text')
      /** The device that sent it, for `unsigned.transaction_id` (sent back to that device only). */
      .addColumn('sender_device', 'text')
      .addColumn('txn_id', 'text')
      .execute();
    await db.schema.createIndex('chat_events_room').on('chat_events').columns(['room_id', 'stream_ordering']).execute();
    await db.schema
      .createIndex('chat_events_room_state')
      .on('chat_events')
      .columns(['room_id', 'type', 'state_key', 'stream_ordering'])
      .execute();
    await db.schema
      .createIndex('chat_events_relations')
      .on('chat_events')
      .columns(['relates_to', 'rel_type'])
      .execute();

    await db.schema
      .createTable('chat_transactions')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('device_id', 'text', (column) => column.notNull())
      .addColumn('txn_id', 'text', (column) => column.notNull())
      .addColumn('event_id', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_transactions_pk', ['matrix_id', 'device_id', 'txn_id'])
      .execute();

    await db.schema
      .createTable('chat_current_state')
      .addColumn('room_id', 'text', (column) => column.notNull())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('state_key', 'text', (column) => column.notNull())
      .addColumn('event_id', 'text', (column) => column.notNull())
      .addColumn('stream_ordering', types.bigint, (column) => column.notNull())
      .addColumn('membership', 'text')
      .addPrimaryKeyConstraint('chat_current_state_pk', ['room_id', 'type', 'state_key'])
      .execute();
    await db.schema
      .createIndex('chat_current_state_members')
      .on('chat_current_state')
      .columns(['state_key', 'membership', 'room_id'])
      .execute();

    await db.schema
      .createTable('chat_account_data')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      /** '' for global account data. */
      .addColumn('room_id', 'text', (column) => column.notNull())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('content', 'text', (column) => column.notNull())
      .addColumn('stream_ordering', types.bigint, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_account_data_pk', ['matrix_id', 'room_id', 'type'])
      .execute();
    await db.schema
      .createIndex('chat_account_data_stream')
      .on('chat_account_data')
      .columns(['matrix_id', 'stream_ordering'])
      .execute();

    await db.schema
      .createTable('chat_receipts')
      .addColumn('room_id', 'text', (column) => column.notNull())
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('receipt_type', 'text', (column) => column.notNull())
      /** '' for unthreaded receipts, 'main' for the main timeline, else the thread root. */
      .addColumn('thread_id', 'text', (column) => column.notNull())
      .addColumn('event_id', 'text', (column) => column.notNull())
      /** Position of the event read, for unread counts. */
      .addColumn('event_stream', types.bigint, (column) => column.notNull())
      .addColumn('ts', types.bigint, (column) => column.notNull())
      .addColumn('stream_ordering', types.bigint, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_receipts_pk', ['room_id', 'matrix_id', 'receipt_type', 'thread_id'])
      .execute();
    await db.schema
      .createIndex('chat_receipts_stream')
      .on('chat_receipts')
      .columns(['room_id', 'stream_ordering'])
      .execute();

    await db.schema
      .createTable('chat_filters')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('filter_id', 'text', (column) => column.notNull())
      .addColumn('json', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_filters_pk', ['matrix_id', 'filter_id'])
      .execute();

    await db.schema
      .createTable('chat_push_rules')
      .addColumn('matrix_id', 'text', (column) => column.primaryKey())
      .addColumn('rules', 'text', (column) => column.notNull())
      .execute();

    // What the push rules decided for each recipient of each event: unread and highlight counts.
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

    await db.schema
      .createTable('chat_room_aliases')
      .addColumn('alias', 'text', (column) => column.primaryKey())
      .addColumn('room_id', 'text', (column) => column.notNull())
      .addColumn('creator', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema.createIndex('chat_room_aliases_room').on('chat_room_aliases').column('room_id').execute();

    // A forgotten room disappears from the user's /sync.
    await db.schema
      .createTable('chat_forgotten_rooms')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('room_id', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_forgotten_rooms_pk', ['matrix_id', 'room_id'])
      .execute();

    await db.schema
      .createTable('chat_pushers')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('app_id', 'text', (column) => column.notNull())
      .addColumn('pushkey', 'text', (column) => column.notNull())
      .addColumn('json', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_pushers_pk', ['matrix_id', 'app_id', 'pushkey'])
      .execute();
  },
};
