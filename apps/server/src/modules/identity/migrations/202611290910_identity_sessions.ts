import type { Migration } from '../../../platform/db/migrations.ts';

/** Server-side sessions and API keys: only hashes of their secrets are stored. */
export const identitySessionsMigration: Migration = {
  name: '202611290910_identity_sessions',
  async up(db, { types }) {
    await db.schema
      .createTable('identity_sessions')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('token_hash', 'text', (column) => column.notNull().unique())
      .addColumn('user_id', types.id, (column) => column.notNull().references('identity_users.id').onDelete('cascade'))
      .addColumn('method', 'text', (column) => column.notNull())
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('last_seen_at', types.timestamp, (column) => column.notNull())
      .addColumn('expires_at', types.timestamp, (column) => column.notNull())
      .addColumn('revoked_at', types.timestamp)
      .execute();
    await db.schema.createIndex('identity_sessions_user').on('identity_sessions').column('user_id').execute();

    await db.schema
      .createTable('identity_api_keys')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('prefix', 'text', (column) => column.notNull().unique())
      .addColumn('secret_hash', 'text', (column) => column.notNull())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('owner_user_id', types.id, (column) => column.references('identity_users.id').onDelete('cascade'))
      .addColumn('owner_organisation_id', types.id, (column) =>
        column.references('identity_organisations.id').onDelete('cascade'),
      )
      .addColumn('scopes', types.json, (column) => column.notNull())
      .addColumn('created_by', types.id, (column) => column.references('identity_users.id'))
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('expires_at', types.timestamp)
      .addColumn('last_used_at', types.timestamp)
      .addColumn('revoked_at', types.timestamp)
      .execute();
    await db.schema.createIndex('identity_api_keys_user').on('identity_api_keys').column('owner_user_id').execute();
    await db.schema
      .createIndex('identity_api_keys_organisation')
      .on('identity_api_keys')
      .column('owner_organisation_id')
      .execute();
  },
};
