import { searchLimits, searchTypePattern } from '@bureau/contracts';
import { isResourceId, type AuthzService, type ResourceRef } from '../authz/index.ts';
import type { Subject } from '../authz/subject.ts';
import type { Clock } from '../clock.ts';
import type { Database, TransactionContext } from '../db/database.ts';
import type { BureauEvent, EventBus, EventMap, EventName } from '../events.ts';
import type { Logger } from '../logging.ts';
import { isSensitivityLevel, type SensitivityLevel } from '../sensitivity/levels.ts';
import { indexedWords, queryTerms } from './french-analyser.ts';
import { searchErrors } from './search.errors.ts';
import {
  createSearchRepository,
  permittedCondition,
  type DocumentKey,
  type HitRow,
  type IndexedDocument,
  type PermittedTypes,
} from './search.repository.ts';
import { buildSnippet, type SnippetSegment } from './snippet.ts';

/** What a module declares, at boot, for each kind of thing it indexes. */
export interface SearchTypeDefinition {
  /** `module.entity`, e.g. `identity.user`: what results and facets are grouped by. */
  readonly type: string;
  /** The authz resource type of the documents' `resource` (defined with `authz.defineResourceType`). */
  readonly resourceType: string;
  /** The action on the resource that lets a subject see a document: `read` by default. */
  readonly action?: string;
}

/** One thing to find, as a module describes it. */
export interface SearchDocument {
  readonly type: string;
  /** The module's own key of the thing (at most 256 characters). */
  readonly id: string;
  /** Shown as the result's title and weighs more than the text; cut to 500 characters. */
  readonly title: string;
  /** The text to search, shown in snippets; cut to 100,000 characters. */
  readonly text?: string;
  /** The authz resource whose action (the type's, `read` by default) decides who finds the document. */
  readonly resource: ResourceRef;
  /** Its sensitivity level, shown with the result. */
  readonly label?: SensitivityLevel | null;
  /** Where the web app opens it: a path, e.g. `/annuaire/personnes/<id>`. */
  readonly url: string;
  readonly updatedAt: Date | string;
  readonly organisationId?: string | null;
}

/** What an event means for the index; see `follow`. */
export interface SearchIndexChange {
  readonly index?: readonly SearchDocument[];
  readonly remove?: readonly DocumentKey[];
  /** Every document of these resources goes (a deleted room and its messages). */
  readonly removeResources?: readonly ResourceRef[];
}

export interface SearchQuery {
  /** The words to find (1 to 200 characters, blanks aside). */
  readonly q: string;
  /** Only results of these types; every type by default. Facets always count every type. */
  readonly types?: readonly string[];
  /** 1 to 50; 20 by default. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface SearchHit {
  readonly type: string;
  readonly id: string;
  readonly title: string;
  readonly snippet: SnippetSegment[];
  readonly url: string;
  readonly updatedAt: string;
  readonly label: SensitivityLevel | null;
}

export interface SearchFacet {
  readonly type: string;
  readonly count: number;
  /**
   * The query has more permitted hits than the search reads (`hitsMax`, 1,000): `count` is of those
   * read, and there may be more (the web app shows "1,000+").
   */
  readonly isLowerBound: boolean;
}

export interface SearchResult {
  /** Best first: bm25 on SQLite, ts_rank_cd on PostgreSQL; title words weigh five times text words. */
  readonly items: SearchHit[];
  /** Hits by type, counting only what the subject may see, largest first; see `isLowerBound`. */
  readonly facets: SearchFacet[];
  readonly nextCursor: string | null;
}

export interface SearchWriteOptions {
  /** The caller's transaction: the index changes commit, or roll back, with it. */
  readonly context?: TransactionContext;
}

export interface SearchReadOptions {
  readonly context?: TransactionContext;
}

export interface ReindexOptions {
  /** Documents written per transaction; 500 by default. */
  readonly batchSize?: number;
  /** Called after each batch. */
  readonly onProgress?: (progress: { readonly indexed: number }) => void;
}

/**
 * The unified search: modules declare their types and index their documents; people search them all at
 * once, and only ever find what the permission model lets them read, checked in the query itself.
 */
export interface SearchService {
  /** Declares a type of document (at boot); a mistake throws an `Error`. */
  defineType(definition: SearchTypeDefinition): void;
  /**
   * Adds or replaces (by type and id) one document. With `context`, in the caller's transaction: the
   * document is searchable once it commits, and never if it rolls back. An invalid document (unknown
   * type, resource of another type, id not a UUID...) is a programmer error (`Error`).
   */
  index(document: SearchDocument, options?: SearchWriteOptions): Promise<void>;
  /** The same for many documents, in one transaction. */
  indexMany(documents: readonly SearchDocument[], options?: SearchWriteOptions): Promise<void>;
  /** Removes one document; false when it was not indexed. */
  remove(type: string, id: string, options?: SearchWriteOptions): Promise<boolean>;
  /** Removes every document (of any type) whose visibility `resource` decides; returns how many. */
  removeByResource(resource: ResourceRef, options?: SearchWriteOptions): Promise<number>;
  /**
   * Rebuilds one type from the module's own data: every document given is upserted (in batches, each
   * its own transaction, so searches go on meanwhile), then the type's documents not given are removed.
   * Documents indexed or removed by the module while it runs are kept as they are.
   */
  reindex(
    type: string,
    documents: Iterable<SearchDocument> | AsyncIterable<SearchDocument>,
    options?: ReindexOptions,
  ): Promise<{ indexed: number; removed: number }>;
  /**
   * Keeps the index in step with a module's event, delivered after its transaction commits (never for
   * a rolled-back one): `project` says what the event changes. Delivery is at most once; a failure is
   * logged and `reindex` catches up. Returns the function that stops following.
   */
  follow<Name extends EventName>(
    name: Name,
    project: (
      payload: EventMap[Name],
      event: BureauEvent<Name>,
    ) => SearchIndexChange | undefined | Promise<SearchIndexChange | undefined>,
  ): () => void;
  /**
   * Registers what brings a module's documents up to date before `search` and `recent` read the index
   * outside a transaction: a module indexing in the background after its commits (chat messages) is then
   * read its own writes. A rejection is the module's to log; reading goes on.
   */
  beforeReading(catchUp: () => Promise<void>): void;
  /** What `subject` may read, most recently changed first (the home page's recent items); no snippet. */
  recent(
    subject: Subject,
    query: { types?: readonly string[]; limit?: number },
    options?: SearchReadOptions,
  ): Promise<{ items: SearchHit[] }>;
  /** What `subject` finds for `query`: full pages of results it may read, facets, highlighted snippets. */
  search(subject: Subject, query: SearchQuery, options?: SearchReadOptions): Promise<SearchResult>;
}

export interface SearchServiceDependencies {
  database: Database;
  clock: Clock;
  authz: AuthzService;
  logger: Logger;
  /** Needed by `follow` only. */
  events?: EventBus;
  /**
   * How each query checks permissions on SQLite (`authz.filter`'s strategy), and `recent` on both. `in`
   * (the default) computes once the resources the subject may read and looks every hit up in that set: a
   * common word has thousands of hits, each checked on its own with `exists`. bench/search measures
   * both. A search on PostgreSQL always computes the set once (`authz.accessibleIds`).
   */
  permissionStrategy?: 'auto' | 'exists' | 'in';
  /**
   * How many hits are ranked at most, and so paged through: the contract's `resultsMax` (500) by
   * default; tests lower it.
   */
  maxResults?: number;
  /**
   * A subject who may read at most this many documents (2,000 by default; on PostgreSQL, and at most
   * this many resources) has each checked against the query: every hit is found and counted, at a cost
   * bounded by what the subject reads.
   */
  permittedMax?: number;
  /**
   * Otherwise the query reads the index's hits until this many permitted ones (1,000 by default): the
   * facets count those (`isLowerBound`), and the candidates ranked are taken among them.
   */
  hitsMax?: number;
  /**
   * Up to this many hits in the index (5,000 on SQLite, 1,000 on PostgreSQL by default), readable or
   * not, a query reads them all instead of starting from the subject's readable documents (on
   * PostgreSQL, for a subject who reads at most `permittedMax` resources); tests set 0.
   */
  narrowHits?: number;
  /**
   * PostgreSQL: up to this many readable documents (200 by default), a query checks each of them
   * without first probing the index's hits (a GIN bitmap of the whole query); tests set 0.
   */
  readableFirst?: number;
}

/** Limits of an indexed document; texts are cut, not refused. */
export const searchDocumentLimits = {
  idLength: 256,
  titleLength: 500,
  textLength: 100_000,
  urlLength: 2048,
} as const;

const limits = searchDocumentLimits;
const defaultReindexBatchSize = 500;

function cut(text: string, length: number): string {
  return text.length > length ? text.slice(0, length) : text;
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined, maxResults: number): number {
  if (cursor === undefined) return 0;
  let offset: unknown;
  try {
    offset = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown }).offset;
  } catch {
    offset = undefined;
  }
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 1 || offset >= maxResults) {
    throw searchErrors.create('SEARCH_CURSOR_INVALID');
  }
  return offset;
}

export function createSearchService(deps: SearchServiceDependencies): SearchService {
  const repository = createSearchRepository({ executor: deps.database.executor, dialect: deps.database.dialect });
  const logger = deps.logger.child({ component: 'search' });
  const definitions = new Map<string, Required<SearchTypeDefinition>>();
  const permissionStrategy = deps.permissionStrategy ?? 'in';
  const maxResults = deps.maxResults ?? searchLimits.resultsMax;
  const permittedMax = deps.permittedMax ?? 2000;
  // SQLite counts FTS5 rowids without reading a document; PostgreSQL reads each hit's heap page.
  const narrowHits = deps.narrowHits ?? (deps.database.dialect === 'postgres' ? 1000 : 5000);
  const hitsMax = Math.max(deps.hitsMax ?? searchLimits.facetCountMax, maxResults);
  const readableFirst = deps.readableFirst ?? 200;

  function transaction<T>(options: SearchWriteOptions | undefined, work: (context: TransactionContext) => Promise<T>) {
    return deps.database.transaction(work, options?.context);
  }

  function definitionOf(type: string): Required<SearchTypeDefinition> {
    const definition = definitions.get(type);
    if (!definition) throw new Error(`Unknown search type ${type}: declare it with search.defineType first`);
    return definition;
  }

  function prepare(document: SearchDocument, indexedAt: string): IndexedDocument {
    const definition = definitionOf(document.type);
    const fail = (message: string): never => {
      throw new Error(`Search document ${document.type} ${JSON.stringify(document.id)}: ${message}`);
    };
    if (typeof document.id !== 'string' || document.id.length === 0 || document.id.length > limits.idLength) {
      fail(`its id must be a string of 1 to ${limits.idLength} characters`);
    }
    if (typeof document.title !== 'string') fail('its title must be a string');
    if (document.text !== undefined && typeof document.text !== 'string') fail('its text must be a string');
    if (document.resource.type !== definition.resourceType) {
      fail(`its resource must be a ${definition.resourceType}, not a ${document.resource.type}`);
    }
    if (!isResourceId(document.resource.id)) fail('its resource id must be a UUID');
    const label = document.label ?? null;
    if (label !== null && !isSensitivityLevel(label)) fail(`its label ${String(label)} is not a sensitivity level`);
    if (typeof document.url !== 'string' || !document.url.startsWith('/') || document.url.length > limits.urlLength) {
      fail('its url must be a path of the web app (starting with /)');
    }
    const updatedAt = new Date(document.updatedAt);
    if (Number.isNaN(updatedAt.getTime())) fail('its updatedAt is not a date');
    const organisationId = document.organisationId ?? null;
    if (organisationId !== null && !isResourceId(organisationId)) fail('its organisationId must be a UUID');
    const title = cut(document.title, limits.titleLength);
    const body = cut(document.text ?? '', limits.textLength);
    return {
      type: document.type,
      id: document.id,
      title,
      body,
      resource_type: document.resource.type,
      resource_id: document.resource.id,
      label,
      url: document.url,
      updated_at: updatedAt.toISOString(),
      organisation_id: organisationId,
      indexed_at: indexedAt,
      titleWords: indexedWords(title),
      bodyWords: indexedWords(body),
    };
  }

  async function indexMany(documents: readonly SearchDocument[], options?: SearchWriteOptions): Promise<void> {
    if (documents.length === 0) return;
    const indexedAt = deps.clock.now().toISOString();
    const prepared = documents.map((document) => prepare(document, indexedAt));
    await transaction(options, ({ executor }) => repository.upsert(prepared, executor));
  }

  async function apply(change: SearchIndexChange): Promise<void> {
    const toIndex = change.index ?? [];
    const toRemove = change.remove ?? [];
    const resources = change.removeResources ?? [];
    if (toIndex.length + toRemove.length + resources.length === 0) return;
    const indexedAt = deps.clock.now().toISOString();
    const prepared = toIndex.map((document) => prepare(document, indexedAt));
    await deps.database.transaction(async ({ executor }) => {
      for (const resource of resources) await repository.removeByResource(resource, executor);
      await repository.remove(toRemove, executor);
      await repository.upsert(prepared, executor);
    });
  }

  /** The searched types by resource type and action, each group decided by one permission. */
  function typeGroups() {
    const groups = new Map<string, { resourceType: string; action: string; types: string[] }>();
    for (const definition of definitions.values()) {
      const key = `${definition.resourceType}\u0000${definition.action}`;
      const group = groups.get(key);
      if (group) group.types.push(definition.type);
      else
        groups.set(key, { resourceType: definition.resourceType, action: definition.action, types: [definition.type] });
    }
    return [...groups.values()];
  }

  /** The permission conditions of the searched types: one `authz.filter` per resource type and action. */
  async function permittedTypes(subject: Subject, context: TransactionContext | undefined): Promise<PermittedTypes[]> {
    return Promise.all(
      typeGroups().map(async ({ resourceType, action, types }) => ({
        resourceType,
        types,
        readable: await deps.authz.filter(subject, {
          type: resourceType,
          action,
          idColumn: 'd.resource_id',
          strategy: permissionStrategy,
          ...(context ? { context } : {}),
        }),
      })),
    );
  }

  /**
   * PostgreSQL: the set of resources the subject may read per resource type and action
   * (`authz.accessibleIds`), which the search statement computes once for all its plans; no query now.
   */
  function permittedSets(subject: Subject, context: TransactionContext): PermittedTypes[] {
    return typeGroups().map(({ resourceType, action, types }) => ({
      resourceType,
      types,
      readableIds: deps.authz.accessibleIds(subject, { type: resourceType, action, context }),
    }));
  }

  function validateQuery(query: SearchQuery) {
    const q = typeof query.q === 'string' ? query.q : '';
    const trimmed = q.trim();
    if (trimmed.length === 0) throw searchErrors.create('SEARCH_QUERY_EMPTY');
    const tooLong = { max: searchLimits.queryMaxLength, maxWords: searchLimits.queryMaxWords };
    if (trimmed.length > searchLimits.queryMaxLength) throw searchErrors.create('SEARCH_QUERY_TOO_LONG', tooLong);
    // Leading blanks mean nothing; trailing ones say the last word is complete.
    const terms = queryTerms(q.trimStart());
    if (terms.length === 0) throw searchErrors.create('SEARCH_QUERY_EMPTY');
    if (terms.length > searchLimits.queryMaxWords) throw searchErrors.create('SEARCH_QUERY_TOO_LONG', tooLong);
    const limit = query.limit ?? searchLimits.pageSizeDefault;
    if (!Number.isInteger(limit) || limit < 1 || limit > searchLimits.pageSizeMax) {
      throw searchErrors.create('SEARCH_LIMIT_INVALID', { max: searchLimits.pageSizeMax });
    }
    for (const type of query.types ?? []) {
      if (!definitions.has(type)) throw searchErrors.create('SEARCH_TYPE_UNKNOWN', { type });
    }
    const types = query.types && query.types.length > 0 ? [...new Set(query.types)] : [...definitions.keys()];
    return { terms, limit, offset: decodeCursor(query.cursor, maxResults), types };
  }

  function present(hit: HitRow, terms: ReturnType<typeof queryTerms>): SearchHit {
    return {
      type: hit.type,
      id: hit.id,
      title: hit.title,
      snippet: buildSnippet(hit.body, terms),
      url: hit.url,
      updatedAt: new Date(hit.updated_at).toISOString(),
      label: isSensitivityLevel(hit.label) ? hit.label : null,
    };
  }

  const catchUps: Array<() => Promise<void>> = [];
  /** Runs the modules' catch-ups (see `beforeReading`), except inside a caller's transaction. */
  async function catchUp(options: SearchReadOptions | undefined): Promise<void> {
    if (options?.context !== undefined || catchUps.length === 0) return;
    await Promise.allSettled(catchUps.map((run) => run()));
  }

  return {
    defineType(definition) {
      const fail = (message: string): never => {
        throw new Error(`Search type ${definition.type}: ${message}`);
      };
      if (!searchTypePattern.test(definition.type))
        fail('its name must read module.entity (lowercase letters, digits, _)');
      if (definitions.has(definition.type)) fail('it is already defined');
      if (!searchTypePattern.test(definition.resourceType)) fail('its resourceType must be an authz resource type');
      definitions.set(definition.type, { ...definition, action: definition.action ?? 'read' });
    },

    index: (document, options) => indexMany([document], options),

    indexMany,

    async remove(type, id, options) {
      definitionOf(type);
      const removed = await transaction(options, ({ executor }) => repository.remove([{ type, id }], executor));
      return removed > 0;
    },

    async removeByResource(resource, options) {
      if (!isResourceId(resource.id)) return 0;
      return transaction(options, ({ executor }) => repository.removeByResource(resource, executor));
    },

    async reindex(type, documents, options = {}) {
      definitionOf(type);
      const batchSize = options.batchSize ?? defaultReindexBatchSize;
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a whole number ≥ 1');
      const started = Date.now();
      await deps.database.transaction(({ executor }) => repository.markStale(type, executor));
      let indexed = 0;
      let batch: SearchDocument[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await indexMany(batch);
        indexed += batch.length;
        batch = [];
        options.onProgress?.({ indexed });
        logger.info({ type, indexed }, 'search reindex in progress');
      };
      for await (const document of documents) {
        if (document.type !== type) throw new Error(`reindex(${type}) was given a document of type ${document.type}`);
        batch.push(document);
        if (batch.length >= batchSize) await flush();
      }
      await flush();
      const removed = await deps.database.transaction(({ executor }) => repository.removeStale(type, executor));
      logger.info({ type, indexed, removed, durationMs: Date.now() - started }, 'search reindex done');
      return { indexed, removed };
    },

    follow(name, project) {
      const events = deps.events;
      if (!events) throw new Error('search.follow needs the event bus: give createSearchService its `events`');
      return events.subscribe(name, async (event) => {
        try {
          const change = await project(event.payload, event);
          if (change) await apply(change);
        } catch (error) {
          logger.error({ err: error, event: name }, 'search index update failed: reindex the type to catch up');
        }
      });
    },

    beforeReading(run) {
      catchUps.push(run);
    },

    async recent(subject, query, options) {
      await catchUp(options);
      const limit = query.limit ?? 10;
      if (!Number.isInteger(limit) || limit < 1 || limit > searchLimits.pageSizeMax) {
        throw searchErrors.create('SEARCH_LIMIT_INVALID', { max: searchLimits.pageSizeMax });
      }
      for (const type of query.types ?? []) {
        if (!definitions.has(type)) throw searchErrors.create('SEARCH_TYPE_UNKNOWN', { type });
      }
      if (definitions.size === 0) return { items: [] };
      const types = query.types && query.types.length > 0 ? [...new Set(query.types)] : [...definitions.keys()];
      const context = options?.context;
      const permitted = permittedCondition(await permittedTypes(subject, context));
      const rows = await repository.recent({ permitted, types, limit }, context?.executor);
      return {
        items: rows.map((row) => ({
          type: row.type,
          id: row.id,
          title: row.title,
          snippet: [],
          url: row.url,
          updatedAt: new Date(row.updated_at).toISOString(),
          label: isSensitivityLevel(row.label) ? row.label : null,
        })),
      };
    },

    async search(subject, query, options) {
      const { terms, limit, offset, types } = validateQuery(query);
      await catchUp(options);
      if (definitions.size === 0) return { items: [], facets: [], nextCursor: null };
      const context = options?.context;
      // One more than the page, to know whether another follows.
      const input = {
        terms,
        pageTypes: types,
        candidates: maxResults,
        permittedMax,
        hitsMax,
        narrowHits,
        readableFirst,
        limit: limit + 1,
        offset,
      };
      // PostgreSQL: in a transaction (the query changes a planner setting for itself), with the sets of
      // readable resources built for its executor.
      const { hits, facets } =
        deps.database.dialect === 'postgres'
          ? await deps.database.transaction(
              (transaction) =>
                repository.search(
                  { ...input, permitted: permittedSets(subject, transaction), ownTransaction: context === undefined },
                  transaction.executor,
                ),
              context,
            )
          : await repository.search({ ...input, permitted: await permittedTypes(subject, context) }, context?.executor);
      const hasMore = hits.length > limit && offset + limit < maxResults;
      return {
        items: hits.slice(0, limit).map((hit) => present(hit, terms)),
        facets: facets.sort((a, b) => b.count - a.count || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)),
        nextCursor: hasMore ? encodeCursor(offset + limit) : null,
      };
    },
  };
}
