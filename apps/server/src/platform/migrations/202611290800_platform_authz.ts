import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';

/**
 * The permission model (platform/authz): the resources modules register, a closure table of their
 * ancestors (one row per resource and ancestor, itself included, so that a check and a filtered list are
 * single indexed joins whatever the depth) and the grants of roles to principals.
 */
export const platformAuthzMigration: Migration = {
  name: '202611290800_platform_authz',
  async up(db, { dialect, types }) {
    const levels = sql`('public', 'internal', 'sensitive', 'restricted')`;

    await db.schema
      .createTable('platform_authz_resources')
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('id', types.id, (column) => column.notNull())
      .addColumn('parent_type', 'text')
      .addColumn('parent_id', types.id)
      .addColumn('organisation_id', types.id)
      // null: inherited from the parent.
      .addColumn('label', 'text')
      // The organisation's default when the resource was registered, used when no ancestor has a label.
      .addColumn('default_label', 'text')
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('platform_authz_resources_pk', ['type', 'id'])
      // A resource with children cannot be deleted alone (the service says so before the database does).
      .addForeignKeyConstraint(
        'platform_authz_resources_parent_fk',
        ['parent_type', 'parent_id'],
        'platform_authz_resources',
        ['type', 'id'],
      )
      .addCheckConstraint('platform_authz_resources_parent_check', sql`(parent_type is null) = (parent_id is null)`)
      .addCheckConstraint('platform_authz_resources_label_check', sql`label is null or label in ${levels}`)
      .addCheckConstraint(
        'platform_authz_resources_default_label_check',
        sql`default_label is null or default_label in ${levels}`,
      )
      .execute();
    await db.schema
      .createIndex('platform_authz_resources_parent_idx')
      .on('platform_authz_resources')
      .columns(['parent_type', 'parent_id'])
      .execute();

    await db.schema
      .createTable('platform_authz_ancestors')
      .addColumn('resource_type', 'text', (column) => column.notNull())
      .addColumn('resource_id', types.id, (column) => column.notNull())
      .addColumn('ancestor_type', 'text', (column) => column.notNull())
      .addColumn('ancestor_id', types.id, (column) => column.notNull())
      // 0 for the resource itself, 1 for its parent...
      .addColumn('depth', 'integer', (column) => column.notNull())
      .addPrimaryKeyConstraint('platform_authz_ancestors_pk', [
        'resource_type',
        'resource_id',
        'ancestor_type',
        'ancestor_id',
      ])
      .addForeignKeyConstraint(
        'platform_authz_ancestors_resource_fk',
        ['resource_type', 'resource_id'],
        'platform_authz_resources',
        ['type', 'id'],
        (constraint) => constraint.onDelete('cascade'),
      )
      .addForeignKeyConstraint(
        'platform_authz_ancestors_ancestor_fk',
        ['ancestor_type', 'ancestor_id'],
        'platform_authz_resources',
        ['type', 'id'],
        (constraint) => constraint.onDelete('cascade'),
      )
      // The closure table is only ever read through its keys: without a rowid, SQLite keeps its rows in
      // the primary-key B-tree itself, smaller and one lookup shorter.
      .$call((builder) => (dialect === 'sqlite' ? builder.modifyEnd(sql`without rowid`) : builder))
      .execute();
    // From a granted resource down to its descendants of a type (filtered lists, moves).
    await db.schema
      .createIndex('platform_authz_ancestors_descendants_idx')
      .on('platform_authz_ancestors')
      .columns(['ancestor_type', 'ancestor_id', 'resource_type', 'resource_id'])
      .execute();

    await db.schema
      .createTable('platform_authz_grants')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('resource_type', 'text', (column) => column.notNull())
      .addColumn('resource_id', types.id, (column) => column.notNull())
      .addColumn('principal_kind', 'text', (column) => column.notNull())
      .addColumn('principal_id', types.id)
      .addColumn('link_scope', 'text')
      // `user:<id>`, `group:<id>`, `organisation:<id>`, `all_agents`, `link:public`, `link:authenticated`.
      .addColumn('principal_key', 'text', (column) => column.notNull())
      .addColumn('role', 'text', (column) => column.notNull())
      .addColumn('created_by', types.id)
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('expires_at', types.timestamp)
      .addForeignKeyConstraint(
        'platform_authz_grants_resource_fk',
        ['resource_type', 'resource_id'],
        'platform_authz_resources',
        ['type', 'id'],
        (constraint) => constraint.onDelete('cascade'),
      )
      .addCheckConstraint(
        'platform_authz_grants_principal_check',
        sql`(principal_kind in ('user', 'group', 'organisation') and principal_id is not null and link_scope is null)
          or (principal_kind = 'all_agents' and principal_id is null and link_scope is null)
          or (principal_kind = 'link' and principal_id is null and link_scope in ('authenticated', 'public'))`,
      )
      .execute();
    // One grant per principal and resource; also the lookup of a check (grants on the resource's ancestors).
    await db.schema
      .createIndex('platform_authz_grants_resource_principal_idx')
      .unique()
      .on('platform_authz_grants')
      .columns(['resource_type', 'resource_id', 'principal_key'])
      .execute();
    // A subject's grants, for filtered lists that start from them.
    await db.schema
      .createIndex('platform_authz_grants_principal_idx')
      .on('platform_authz_grants')
      .columns(['principal_key', 'resource_type', 'resource_id'])
      .execute();

    if (dialect === 'postgres') {
      // The query of a check (authz.repository.ts, matchingGrants), in PL/pgSQL so that PostgreSQL keeps
      // its plan per connection: planning the join took longer than running it. Change both together.
      await sql`
        create function platform_authz_grants_on(
          wanted_type text, wanted_id uuid, principal_keys text[], at_instant timestamptz
        ) returns table (granted_type text, granted_role text)
        language plpgsql stable
        as $body$
        begin
          return query
            select g.resource_type, g.role
            from platform_authz_ancestors a
            join platform_authz_grants g on g.resource_type = a.ancestor_type and g.resource_id = a.ancestor_id
            where a.resource_type = wanted_type
              and a.resource_id = wanted_id
              and g.principal_key = any (principal_keys)
              and (g.expires_at is null or g.expires_at > at_instant);
        end
        $body$
      `.execute(db);
    }
  },
};
