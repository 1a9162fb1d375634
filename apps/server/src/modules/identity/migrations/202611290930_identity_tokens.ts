import type { Migration } from '../../../platform/db/migrations.ts';

/** Invitations by e-mail link and password reset tokens: only hashes of their secrets are stored. */
export const identityTokensMigration: Migration = {
  name: '202611290930_identity_tokens',
  async up(db, { types }) {
    await db.schema
      .createTable('identity_invitations')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('token_hash', 'text', (column) => column.notNull().unique())
      .addColumn('email', 'text', (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('organisation_id', types.id, (column) =>
        column.references('identity_organisations.id').onDelete('cascade'),
      )
      .addColumn('group_id', types.id, (column) => column.references('identity_groups.id').onDelete('set null'))
      .addColumn('invited_by', types.id, (column) => column.references('identity_users.id').onDelete('set null'))
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('expires_at', types.timestamp, (column) => column.notNull())
      .addColumn('accepted_at', types.timestamp)
      .addColumn('accepted_user_id', types.id, (column) => column.references('identity_users.id').onDelete('set null'))
      .addColumn('revoked_at', types.timestamp)
      .execute();
    await db.schema.createIndex('identity_invitations_email').on('identity_invitations').column('email').execute();

    await db.schema
      .createTable('identity_password_resets')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('token_hash', 'text', (column) => column.notNull().unique())
      .addColumn('user_id', types.id, (column) => column.notNull().references('identity_users.id').onDelete('cascade'))
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('expires_at', types.timestamp, (column) => column.notNull())
      .addColumn('used_at', types.timestamp)
      .execute();
    await db.schema
      .createIndex('identity_password_resets_user')
      .on('identity_password_resets')
      .column('user_id')
      .execute();
  },
};
