import { sql } from 'kysely';
import type { Database, Executor } from '../../../platform/db/database.ts';

export type CollectionScope = 'public' | 'organisation' | 'group' | 'user';

export interface AssistantCollectionRow {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  scope: CollectionScope;
  owner_id: string | null;
  organisation_id: string | null;
  version: number;
  document_count: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface AssistantSourceRow {
  id: string;
  collection_id: string;
  external_id: string;
  kind: string;
  title: string;
  url: string | null;
  date: string | null;
  description: string | null;
  metadata: string;
  content_hash: string;
  status: 'ready' | 'pending' | 'failed';
  error_code: string | null;
  file_name: string | null;
  content_type: string | null;
  size_bytes: number | null;
  blob_key: string | null;
  import_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface AssistantChunkRow {
  source_id: string;
  ordinal: number;
  collection_id: string;
  headings: string;
  text: string;
}

export type ImportStatus = 'running' | 'completed' | 'failed';

export interface AssistantImportRow {
  id: string;
  collection_id: string;
  source: string;
  origin: string;
  status: ImportStatus;
  total: number | null;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
  error: string | null;
  started_by: string | null;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface AssistantChunkEmbeddingRow {
  source_id: string;
  ordinal: number;
  model: string;
  collection_id: string;
  dimensions: number;
  embedding: Uint8Array;
}

type KnowledgeTables = {
  assistant_chunk_embeddings: AssistantChunkEmbeddingRow;
  assistant_collections: AssistantCollectionRow;
  assistant_sources: AssistantSourceRow;
  assistant_chunks: AssistantChunkRow;
  assistant_imports: AssistantImportRow;
};

/** All SQL of Albert's knowledge: collections, source documents, chunks and import runs. */
export function createKnowledgeRepository(database: Database) {
  const tables = (executor: Executor = database.executor) => executor.withTables<KnowledgeTables>();

  return {
    findCollection: (id: string, executor?: Executor) =>
      tables(executor).selectFrom('assistant_collections').selectAll().where('id', '=', id).executeTakeFirst(),

    findCollectionBySlug: (slug: string, executor?: Executor) =>
      tables(executor).selectFrom('assistant_collections').selectAll().where('slug', '=', slug).executeTakeFirst(),

    listCollections: (executor?: Executor) =>
      tables(executor).selectFrom('assistant_collections').selectAll().orderBy('scope').orderBy('name').execute(),

    insertCollection: (row: AssistantCollectionRow, executor?: Executor) =>
      tables(executor).insertInto('assistant_collections').values(row).execute(),

    /** The versions of the collections, to know which in-memory indexes are stale. */
    collectionVersions: async (ids: readonly string[], executor?: Executor): Promise<Map<string, number>> => {
      if (ids.length === 0) return new Map();
      const rows = await tables(executor)
        .selectFrom('assistant_collections')
        .select(['id', 'version'])
        .where('id', 'in', [...ids])
        .execute();
      return new Map(rows.map((row) => [row.id, Number(row.version)]));
    },

    /** A change of its documents: a new version, and the count of ready documents. */
    touchCollection: async (id: string, updatedAt: string, executor?: Executor) => {
      const count = await tables(executor)
        .selectFrom('assistant_sources')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('collection_id', '=', id)
        .where('status', '=', 'ready')
        .executeTakeFirstOrThrow();
      await tables(executor)
        .updateTable('assistant_collections')
        .set((eb) => ({
          version: eb('version', '+', 1),
          document_count: Number(count.count),
          updated_at: updatedAt,
        }))
        .where('id', '=', id)
        .execute();
    },

    /** External id → id and content hash of a collection's documents. */
    sourceHashes: async (collectionId: string, executor?: Executor) => {
      const rows = await tables(executor)
        .selectFrom('assistant_sources')
        .select(['id', 'external_id', 'content_hash'])
        .where('collection_id', '=', collectionId)
        .execute();
      return new Map(rows.map((row) => [row.external_id, { id: row.id, contentHash: row.content_hash }]));
    },

    insertSource: (row: AssistantSourceRow, executor?: Executor) =>
      tables(executor).insertInto('assistant_sources').values(row).execute(),

    updateSource: (
      id: string,
      changes: Partial<Omit<AssistantSourceRow, 'id' | 'collection_id' | 'created_at'>>,
      executor?: Executor,
    ) => tables(executor).updateTable('assistant_sources').set(changes).where('id', '=', id).execute(),

    /** Marks documents met again by an import whose content did not change. */
    markSeen: async (ids: readonly string[], importId: string, executor?: Executor) => {
      for (let start = 0; start < ids.length; start += 500) {
        await tables(executor)
          .updateTable('assistant_sources')
          .set({ import_id: importId })
          .where('id', 'in', ids.slice(start, start + 500))
          .execute();
      }
    },

    replaceChunks: async (sourceId: string, chunks: readonly AssistantChunkRow[], executor?: Executor) => {
      await tables(executor).deleteFrom('assistant_chunk_embeddings').where('source_id', '=', sourceId).execute();
      await tables(executor).deleteFrom('assistant_chunks').where('source_id', '=', sourceId).execute();
      for (let start = 0; start < chunks.length; start += 200) {
        await tables(executor)
          .insertInto('assistant_chunks')
          .values(chunks.slice(start, start + 200))
          .execute();
      }
    },

    /** Removes the documents of a collection that the import did not meet; returns how many. */
    removeSourcesNotSeen: async (collectionId: string, importId: string, executor?: Executor) => {
      const stale = tables(executor)
        .selectFrom('assistant_sources')
        .select('id')
        .where('collection_id', '=', collectionId)
        .where((eb) => eb.or([eb('import_id', 'is', null), eb('import_id', '!=', importId)]));
      await tables(executor).deleteFrom('assistant_chunk_embeddings').where('source_id', 'in', stale).execute();
      await tables(executor).deleteFrom('assistant_chunks').where('source_id', 'in', stale).execute();
      const result = await tables(executor)
        .deleteFrom('assistant_sources')
        .where('collection_id', '=', collectionId)
        .where((eb) => eb.or([eb('import_id', 'is', null), eb('import_id', '!=', importId)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** A collection's documents, failed ones included (with their error), newest first. */
    listSources: (collectionId: string, limit: number, executor?: Executor) =>
      tables(executor)
        .selectFrom('assistant_sources')
        .select(['id', 'external_id', 'kind', 'title', 'status', 'error_code', 'file_name', 'size_bytes', 'updated_at'])
        .where('collection_id', '=', collectionId)
        .orderBy('updated_at', 'desc')
        .orderBy('id')
        .limit(limit)
        .execute(),

    /** The ready documents of a collection, for its index. */
    readySources: (collectionId: string, executor?: Executor) =>
      tables(executor)
        .selectFrom('assistant_sources')
        .select(['id', 'external_id', 'kind', 'title', 'url', 'date', 'description', 'metadata'])
        .where('collection_id', '=', collectionId)
        .where('status', '=', 'ready')
        .orderBy('external_id')
        .execute(),

    chunksOfCollection: (collectionId: string, executor?: Executor) =>
      tables(executor)
        .selectFrom('assistant_chunks')
        .select(['source_id', 'ordinal', 'headings', 'text'])
        .where('collection_id', '=', collectionId)
        .orderBy('source_id')
        .orderBy('ordinal')
        .execute(),

    /** Chunks of ready documents not yet embedded by the model, with their document's title. */
    chunksToEmbed: (collectionId: string, model: string, limit: number, executor?: Executor) =>
      tables(executor)
        .selectFrom('assistant_chunks')
        .innerJoin('assistant_sources', 'assistant_sources.id', 'assistant_chunks.source_id')
        .leftJoin('assistant_chunk_embeddings', (join) =>
          join
            .onRef('assistant_chunk_embeddings.source_id', '=', 'assistant_chunks.source_id')
            .onRef('assistant_chunk_embeddings.ordinal', '=', 'assistant_chunks.ordinal')
            .on('assistant_chunk_embeddings.model', '=', model),
        )
        .select([
          'assistant_chunks.source_id',
          'assistant_chunks.ordinal',
          'assistant_chunks.headings',
          'assistant_chunks.text',
          'assistant_sources.title',
        ])
        .where('assistant_chunks.collection_id', '=', collectionId)
        .where('assistant_sources.status', '=', 'ready')
        .where('assistant_chunk_embeddings.source_id', 'is', null)
        .orderBy('assistant_chunks.source_id')
        .orderBy('assistant_chunks.ordinal')
        .limit(limit)
        .execute(),

    insertEmbeddings: async (rows: readonly AssistantChunkEmbeddingRow[], executor?: Executor) => {
      for (let start = 0; start < rows.length; start += 100) {
        await tables(executor)
          .insertInto('assistant_chunk_embeddings')
          .values(rows.slice(start, start + 100))
          .onConflict((conflict) => conflict.columns(['source_id', 'ordinal', 'model']).doNothing())
          .execute();
      }
    },

    embeddingCount: async (collectionId: string, model: string, executor?: Executor) =>
      Number(
        (
          await tables(executor)
            .selectFrom('assistant_chunk_embeddings')
            .select((eb) => eb.fn.countAll<number>().as('count'))
            .where('collection_id', '=', collectionId)
            .where('model', '=', model)
            .executeTakeFirstOrThrow()
        ).count,
      ),

    embeddingsOf: (collectionId: string, model: string, executor?: Executor) =>
      tables(executor)
        .selectFrom('assistant_chunk_embeddings')
        .select(['source_id', 'ordinal', 'embedding'])
        .where('collection_id', '=', collectionId)
        .where('model', '=', model)
        .execute(),

    /** On PostgreSQL: whether the pgvector extension is installed in the database, or only available. */
    pgvectorStatus: async (): Promise<'installed' | 'available' | 'absent'> => {
      const { rows } = await sql<{ installed_version: string | null }>`
        select installed_version from pg_available_extensions where name = 'vector'`.execute(database.executor);
      if (rows.length === 0) return 'absent';
      return rows[0]?.installed_version ? 'installed' : 'available';
    },

    insertImport: (row: AssistantImportRow, executor?: Executor) =>
      tables(executor).insertInto('assistant_imports').values(row).execute(),

    updateImport: (
      id: string,
      changes: Partial<Omit<AssistantImportRow, 'id' | 'collection_id' | 'source' | 'origin' | 'started_at'>>,
      executor?: Executor,
    ) => tables(executor).updateTable('assistant_imports').set(changes).where('id', '=', id).execute(),

    /** The last unfinished import of this collection from this origin: the one to resume. */
    findResumableImport: (collectionId: string, origin: string, executor?: Executor) =>
      tables(executor)
        .selectFrom('assistant_imports')
        .selectAll()
        .where('collection_id', '=', collectionId)
        .where('origin', '=', origin)
        .where('status', '!=', 'completed')
        .orderBy('started_at', 'desc')
        .limit(1)
        .executeTakeFirst(),

    listImports: (collectionId: string, limit: number, executor?: Executor) =>
      tables(executor)
        .selectFrom('assistant_imports')
        .selectAll()
        .where('collection_id', '=', collectionId)
        .orderBy('started_at', 'desc')
        .limit(limit)
        .execute(),
  };
}

export type KnowledgeRepository = ReturnType<typeof createKnowledgeRepository>;
