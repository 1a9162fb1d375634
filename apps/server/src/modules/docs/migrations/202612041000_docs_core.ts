import type { Migration } from '../../../platform/db/migrations.ts';

/**
 * Spaces, the page tree, the content of each page (a compacted Yjs state plus the updates received since,
 * stored one by one before they are acknowledged), versions, favourites, visits, collaboration tokens and
 * the files inserted in pages. Permissions and labels live in the permission model (`docs.space`,
 * `docs.document` resources), not here.
 */
export const docsCoreMigration: Migration = {
  name: '202612041000_docs_core',
  async up(db, { dialect, types }) {
    const bytes = dialect === 'sqlite' ? 'blob' : 'bytea';
    await db.schema
      .createTable('docs_spaces')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('description', 'text', (column) => column.notNull().defaultTo(''))
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('organisation_id', types.id)
      // The user of a personal space (one each).
      .addColumn('owner_id', types.id, (column) => column.unique())
      .addColumn('created_by', types.id)
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('docs_documents')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('space_id', types.id, (column) => column.notNull().references('docs_spaces.id'))
      .addColumn('parent_id', types.id, (column) => column.references('docs_documents.id'))
      // Order among siblings; gaps leave room for moves, siblings are renumbered when none is left.
      .addColumn('position', 'integer', (column) => column.notNull())
      .addColumn('title', 'text', (column) => column.notNull().defaultTo(''))
      .addColumn('created_by', types.id)
      .addColumn('updated_by', types.id)
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addColumn('trashed_at', types.timestamp)
      .addColumn('trashed_by', types.id)
      // The page whose trashing took this one along (itself for the page trashed by hand).
      .addColumn('trash_root_id', types.id)
      // A page offered as a template: to its space's members (`space`) or to its organisation (`organisation`).
      .addColumn('template_scope', 'text')
      .addColumn('organisation_id', types.id)
      .execute();
    await db.schema
      .createIndex('docs_documents_by_parent')
      .on('docs_documents')
      .columns(['space_id', 'parent_id', 'position'])
      .execute();
    await db.schema.createIndex('docs_documents_by_trash_root').on('docs_documents').column('trash_root_id').execute();
    await db.schema
      .createIndex('docs_documents_templates')
      .on('docs_documents')
      .columns(['template_scope', 'organisation_id'])
      .execute();

    await db.schema
      .createTable('docs_content')
      .addColumn('document_id', types.id, (column) => column.primaryKey())
      .addColumn('state', bytes, (column) => column.notNull())
      .addColumn('size_bytes', 'integer', (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema
      .createTable('docs_updates')
      .addColumn('document_id', types.id, (column) => column.notNull())
      .addColumn('id', types.id, (column) => column.notNull())
      .addColumn('data', bytes, (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('docs_updates_pk', ['document_id', 'id'])
      .execute();

    await db.schema
      .createTable('docs_versions')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('document_id', types.id, (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('name', 'text')
      .addColumn('state', bytes, (column) => column.notNull())
      .addColumn('size_bytes', 'integer', (column) => column.notNull())
      .addColumn('created_by', types.id)
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('docs_versions_by_document')
      .on('docs_versions')
      .columns(['document_id', 'created_at'])
      .execute();

    await db.schema
      .createTable('docs_favourites')
      .addColumn('user_id', types.id, (column) => column.notNull())
      .addColumn('document_id', types.id, (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('docs_favourites_pk', ['user_id', 'document_id'])
      .execute();
    await db.schema
      .createTable('docs_visits')
      .addColumn('user_id', types.id, (column) => column.notNull())
      .addColumn('document_id', types.id, (column) => column.notNull())
      .addColumn('visited_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('docs_visits_pk', ['user_id', 'document_id'])
      .execute();
    await db.schema.createIndex('docs_visits_by_time').on('docs_visits').columns(['user_id', 'visited_at']).execute();

    await db.schema
      .createTable('docs_collab_tokens')
      .addColumn('token_hash', 'text', (column) => column.primaryKey())
      .addColumn('user_id', types.id, (column) => column.notNull())
      .addColumn('document_id', types.id, (column) => column.notNull())
      .addColumn('expires_at', types.timestamp, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('docs_files')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('document_id', types.id, (column) => column.notNull())
      .addColumn('blob_key', 'text', (column) => column.notNull())
      .addColumn('file_name', 'text', (column) => column.notNull())
      .addColumn('content_type', 'text', (column) => column.notNull())
      .addColumn('size_bytes', 'integer', (column) => column.notNull())
      .addColumn('created_by', types.id)
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema.createIndex('docs_files_by_document').on('docs_files').column('document_id').execute();
  },
};
