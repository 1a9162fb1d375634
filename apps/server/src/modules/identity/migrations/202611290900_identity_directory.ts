import type { Migration } from '../../../platform/db/migrations.ts';

/** Organisations (a tree), their e-mail domains, users, organisation administrators, groups. */
export const identityDirectoryMigration: Migration = {
  name: '202611290900_identity_directory',
  async up(db, { types }) {
    await db.schema
      .createTable('identity_organisations')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('parent_id', types.id, (column) => column.references('identity_organisations.id'))
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('siret', 'text')
      .addColumn('default_label', 'text', (column) => column.notNull().defaultTo('internal'))
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('identity_organisations_parent')
      .on('identity_organisations')
      .column('parent_id')
      .execute();

    await db.schema
      .createTable('identity_organisation_domains')
      .addColumn('domain', 'text', (column) => column.primaryKey())
      .addColumn('organisation_id', types.id, (column) =>
        column.notNull().references('identity_organisations.id').onDelete('cascade'),
      )
      .execute();

    await db.schema
      .createTable('identity_users')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('email', 'text', (column) => column.notNull().unique())
      .addColumn('display_name', 'text', (column) => column.notNull())
      .addColumn('title', 'text')
      .addColumn('phone', 'text')
      .addColumn('avatar_blob_key', 'text')
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('organisation_id', types.id, (column) => column.references('identity_organisations.id'))
      .addColumn('is_instance_admin', types.boolean, (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('failed_logins', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('locked_until', types.timestamp)
      .addColumn('last_login_at', types.timestamp)
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addColumn('deactivated_at', types.timestamp)
      .execute();
    await db.schema.createIndex('identity_users_organisation').on('identity_users').column('organisation_id').execute();

    await db.schema
      .createTable('identity_organisation_admins')
      .addColumn('organisation_id', types.id, (column) =>
        column.notNull().references('identity_organisations.id').onDelete('cascade'),
      )
      .addColumn('user_id', types.id, (column) => column.notNull().references('identity_users.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('identity_organisation_admins_pk', ['organisation_id', 'user_id'])
      .execute();

    await db.schema
      .createTable('identity_groups')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('description', 'text')
      .addColumn('organisation_id', types.id, (column) => column.references('identity_organisations.id'))
      .addColumn('created_by', types.id, (column) => column.references('identity_users.id'))
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('identity_group_members')
      .addColumn('group_id', types.id, (column) =>
        column.notNull().references('identity_groups.id').onDelete('cascade'),
      )
      .addColumn('user_id', types.id, (column) => column.notNull().references('identity_users.id').onDelete('cascade'))
      .addColumn('role', 'text', (column) => column.notNull())
      .addColumn('added_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('identity_group_members_pk', ['group_id', 'user_id'])
      .execute();
    await db.schema.createIndex('identity_group_members_user').on('identity_group_members').column('user_id').execute();
  },
};
