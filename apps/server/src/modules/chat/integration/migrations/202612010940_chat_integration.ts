import type { Migration } from '../../../../platform/db/migrations.ts';

/**
 * Bureau integration and Tchap policies: who is external (for the access rules, read inside the appending
 * transaction), the grant of each joined member on their room's resource, account renewal tokens.
 */
export const chatIntegrationMigration: Migration = {
  name: '202612010940_chat_integration',
  async up(db, { types }) {
    await db.schema
      .createTable('chat_integration_people')
      .addColumn('user_id', types.id, (column) =>
        column.primaryKey().references('identity_users.id').onDelete('cascade'),
      )
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('organisation_id', types.id)
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('chat_integration_room_grants')
      .addColumn('room_id', 'text', (column) => column.notNull())
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('user_id', types.id, (column) => column.notNull())
      .addColumn('grant_id', types.id, (column) => column.notNull())
      .addColumn('role', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint('chat_integration_room_grants_pk', ['room_id', 'matrix_id'])
      .execute();

    await db.schema
      .createTable('chat_integration_renewal_tokens')
      .addColumn('token_hash', 'text', (column) => column.primaryKey())
      .addColumn('matrix_id', 'text', (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('expires_at', types.timestamp, (column) => column.notNull())
      .addColumn('used_at', types.timestamp)
      .execute();
    await db.schema
      .createIndex('chat_integration_renewal_tokens_account')
      .on('chat_integration_renewal_tokens')
      .columns(['matrix_id', 'created_at'])
      .execute();
  },
};
