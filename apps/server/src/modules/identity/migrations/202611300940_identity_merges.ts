import type { Migration } from '../../../platform/db/migrations.ts';

/**
 * Accounts merged by an administrator: the merged (source) account remembers which account it became,
 * so that support and modules can follow an old id to the account that carries on.
 */
export const identityMergesMigration: Migration = {
  name: '202611300940_identity_merges',
  async up(db, { types }) {
    await db.schema
      .alterTable('identity_users')
      .addColumn('merged_into', types.id, (column) => column.references('identity_users.id'))
      .execute();
  },
};
