import type { Migration } from '../db/migrations.ts';

/** Instance-wide settings (key → JSON value): the administration's name given at first start, later ones. */
export const platformSettingsMigration: Migration = {
  name: '202611290500_platform_settings',
  async up(db, { types }) {
    await db.schema
      .createTable('platform_settings')
      .addColumn('key', 'text', (column) => column.primaryKey())
      .addColumn('value', types.json, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();
  },
};
