import type { Migration } from '../../../platform/db/migrations.ts';

/**
 * The embedding of each chunk by the embeddings model of the gateway, when one is configured: float32
 * vectors stored as bytes (a BLOB on SQLite, searched with sqlite-vec's distance functions; `bytea` on
 * PostgreSQL, searched in process unless pgvector is installed). Keyed by model: a new model re-embeds.
 */
export const assistantEmbeddingsMigration: Migration = {
  name: '202612031200_assistant_embeddings',
  async up(db, { dialect, types }) {
    await db.schema
      .createTable('assistant_chunk_embeddings')
      .addColumn('source_id', types.id, (column) => column.notNull())
      .addColumn('ordinal', 'integer', (column) => column.notNull())
      .addColumn('model', 'text', (column) => column.notNull())
      .addColumn('collection_id', types.id, (column) => column.notNull())
      .addColumn('dimensions', 'integer', (column) => column.notNull())
      .addColumn('embedding', dialect === 'sqlite' ? 'blob' : 'bytea', (column) => column.notNull())
      .addPrimaryKeyConstraint('assistant_chunk_embeddings_pk', ['source_id', 'ordinal', 'model'])
      .execute();
    await db.schema
      .createIndex('assistant_chunk_embeddings_by_collection')
      .on('assistant_chunk_embeddings')
      .columns(['collection_id', 'model'])
      .execute();
  },
};
