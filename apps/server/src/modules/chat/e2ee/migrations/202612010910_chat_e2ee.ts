import type { Migration } from '../../../../platform/db/migrations.ts';

/**
 * End-to-end encryption, server side: the server relays and stores public keys and opaque encrypted data.
 * Device keys, one-time and fallback keys per device; cross-signing keys and the signatures uploaded on
 * keys; the device-list change log (stream positions, for `device_lists` in /sync and /keys/changes); the
 * to-device queue of each device and the transactions already sent; key backup versions and their keys;
 * user-interactive authentication sessions.
 */
export const chatE2eeMigration: Migration = {
  name: '202612010910_chat_e2ee',
  async up(db, { types }) {
    await db.schema
      .createTable('chat_e2ee_device_keys')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('device_id', 'text', (column) => column.notNull())
      .addColumn('json', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_e2ee_device_keys_pk', ['matrix_id', 'device_id'])
      .execute();

    await db.schema
      .createTable('chat_e2ee_one_time_keys')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('device_id', 'text', (column) => column.notNull())
      .addColumn('algorithm', 'text', (column) => column.notNull())
      .addColumn('key_id', 'text', (column) => column.notNull())
      .addColumn('json', 'text', (column) => column.notNull())
      .addColumn('uploaded_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_e2ee_one_time_keys_pk', ['matrix_id', 'device_id', 'algorithm', 'key_id'])
      .execute();
    await db.schema
      .createIndex('chat_e2ee_one_time_keys_order')
      .on('chat_e2ee_one_time_keys')
      .columns(['matrix_id', 'device_id', 'algorithm', 'uploaded_at'])
      .execute();

    await db.schema
      .createTable('chat_e2ee_fallback_keys')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('device_id', 'text', (column) => column.notNull())
      .addColumn('algorithm', 'text', (column) => column.notNull())
      .addColumn('key_id', 'text', (column) => column.notNull())
      .addColumn('json', 'text', (column) => column.notNull())
      .addColumn('used', types.boolean, (column) => column.notNull().defaultTo(false))
      .addColumn('uploaded_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_e2ee_fallback_keys_pk', ['matrix_id', 'device_id', 'algorithm'])
      .execute();

    await db.schema
      .createTable('chat_e2ee_cross_signing_keys')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('usage', 'text', (column) => column.notNull())
      .addColumn('public_key', 'text', (column) => column.notNull())
      .addColumn('json', 'text', (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_e2ee_cross_signing_keys_pk', ['matrix_id', 'usage'])
      .execute();

    await db.schema
      .createTable('chat_e2ee_signatures')
      .addColumn('target_user', 'text', (column) => column.notNull())
      .addColumn('target_key', 'text', (column) => column.notNull())
      .addColumn('signer_user', 'text', (column) => column.notNull())
      .addColumn('signer_key_id', 'text', (column) => column.notNull())
      .addColumn('signature', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_e2ee_signatures_pk', ['target_user', 'target_key', 'signer_user', 'signer_key_id'])
      .execute();
    await db.schema
      .createIndex('chat_e2ee_signatures_signer')
      .on('chat_e2ee_signatures')
      .columns(['signer_user', 'signer_key_id'])
      .execute();

    await db.schema
      .createTable('chat_e2ee_device_list_changes')
      .addColumn('stream_position', types.bigint, (column) => column.notNull())
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('visible_to', 'text')
      .addPrimaryKeyConstraint('chat_e2ee_device_list_changes_pk', ['stream_position', 'matrix_id'])
      .execute();

    await db.schema
      .createTable('chat_e2ee_to_device')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('device_id', 'text', (column) => column.notNull())
      .addColumn('sent_position', types.bigint, (column) => column.notNull())
      .addColumn('ack_position', types.bigint, (column) => column.notNull())
      .addColumn('sender', 'text', (column) => column.notNull())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('content', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_e2ee_to_device_pk', ['matrix_id', 'device_id', 'sent_position'])
      .execute();

    await db.schema
      .createTable('chat_e2ee_to_device_transactions')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('device_id', 'text', (column) => column.notNull())
      .addColumn('txn_id', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_e2ee_to_device_transactions_pk', ['matrix_id', 'device_id', 'txn_id'])
      .execute();

    await db.schema
      .createTable('chat_e2ee_backup_versions')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('version', types.bigint, (column) => column.notNull())
      .addColumn('algorithm', 'text', (column) => column.notNull())
      .addColumn('auth_data', 'text', (column) => column.notNull())
      .addColumn('etag', types.bigint, (column) => column.notNull())
      .addColumn('deleted', types.boolean, (column) => column.notNull().defaultTo(false))
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_e2ee_backup_versions_pk', ['matrix_id', 'version'])
      .execute();

    await db.schema
      .createTable('chat_e2ee_backup_keys')
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('version', types.bigint, (column) => column.notNull())
      .addColumn('room_id', 'text', (column) => column.notNull())
      .addColumn('session_id', 'text', (column) => column.notNull())
      .addColumn('first_message_index', types.bigint, (column) => column.notNull())
      .addColumn('forwarded_count', types.bigint, (column) => column.notNull())
      .addColumn('is_verified', types.boolean, (column) => column.notNull())
      .addColumn('session_data', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_e2ee_backup_keys_pk', ['matrix_id', 'version', 'room_id', 'session_id'])
      .execute();

    await db.schema
      .createTable('chat_uia_sessions')
      .addColumn('session_id', 'text', (column) => column.primaryKey())
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('action', 'text', (column) => column.notNull())
      .addColumn('description', 'text', (column) => column.notNull())
      .addColumn('completed', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('expires_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema.createIndex('chat_uia_sessions_expiry').on('chat_uia_sessions').column('expires_at').execute();
  },
};
