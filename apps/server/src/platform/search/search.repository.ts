import { sql, type Expression, type Generated, type RawBuilder, type SqlBool } from 'kysely';
import type { DatabaseDialect, Executor } from '../db/database.ts';
import type { QueryTerm } from './french-analyser.ts';

/** A document as stored, with its analysed terms. */
export type SearchDocumentRow = {
  type: string;
  id: string;
  title: string;
  body: string;
  resource_type: string;
  resource_id: string;
  label: string | null;
  url: string;
  updated_at: string;
  organisation_id: string | null;
  indexed_at: string;
};

/** A document's words, each as its forms (folded, then its stem when it differs). */
export type IndexedWords = ReadonlyArray<readonly string[]>;

export interface IndexedDocument extends SearchDocumentRow {
  readonly titleWords: IndexedWords;
  readonly bodyWords: IndexedWords;
}

export interface DocumentKey {
  readonly type: string;
  readonly id: string;
}

export interface HitRow {
  seq: number;
  type: string;
  id: string;
  title: string;
  body: string;
  url: string;
  updated_at: string;
  label: string | null;
  score: number;
}

export interface SearchPage {
  readonly hits: HitRow[];
  /**
   * Permitted hits by type, over every type searched. When the query has more permitted hits than
   * `hitsMax`, the counts are of the `hitsMax` read, and `isLowerBound`.
   */
  readonly facets: Array<{ type: string; count: number; isLowerBound: boolean }>;
}

export interface SearchQueryInput {
  readonly terms: readonly QueryTerm[];
  /**
   * Which rows the subject may see, per resource type (and action): the search types whose documents it
   * decides and what the subject may read of it, as a condition on `d.resource_id` (`authz.filter`,
   * SQLite) or as the set of resource ids (`authz.accessibleIds`, PostgreSQL).
   */
  readonly permitted: ReadonlyArray<PermittedTypes>;
  /** The types of the page; facets count every permitted type. */
  readonly pageTypes: readonly string[];
  /** How many hits are ranked at most: those whose title matches, then the most recent. */
  readonly candidates: number;
  /**
   * Up to this many readable documents (whatever they hold), the query starts from them and checks
   * each against the terms: exact, and cheap for a subject who reads little (an external user). On
   * PostgreSQL, only for a subject who may read at most this many resources.
   */
  readonly permittedMax: number;
  /**
   * Otherwise it starts from the hits and reads at most this many permitted ones (the most recently
   * indexed first on SQLite, in the index's order on PostgreSQL): facets then count those.
   */
  readonly hitsMax: number;
  /**
   * Up to this many hits in the index (permitted or not), the query starts from the hits whoever asks
   * (on PostgreSQL, whoever reads at most `permittedMax` resources): listing a subject's readable
   * documents costs more than reading a rare word's hits.
   */
  readonly narrowHits: number;
  /**
   * PostgreSQL: up to this many readable documents, the query checks them whatever the index holds,
   * without first probing the index's hits (whose GIN bitmap costs more than checking so few).
   */
  readonly readableFirst: number;
  readonly limit: number;
  readonly offset: number;
  /**
   * PostgreSQL: whether the query runs in a transaction of its own (its planner setting then ends with
   * it), rather than in the caller's.
   */
  readonly ownTransaction?: boolean;
}

export interface PermittedTypes {
  readonly resourceType: string;
  readonly types: readonly string[];
  /** Whether the subject may read the resource whose id is `d.resource_id` (`authz.filter`): SQLite. */
  readonly readable?: Expression<SqlBool>;
  /**
   * The ids of the resources the subject may read (`authz.accessibleIds`), which the statement computes
   * once: PostgreSQL.
   */
  readonly readableIds?: Expression<{ resource_id: string }>;
}

/**
 * The rows the subject may see, on `d.type` and `d.resource_id` only: SQLite reads them from the
 * covering index `(seq, type, resource_id, updated_at)` alongside the hits.
 */
export function permittedCondition(permitted: ReadonlyArray<PermittedTypes>): Expression<SqlBool> {
  if (permitted.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`(${sql.join(
    permitted.map(({ types, readable }) => sql`(d.type in (${sql.join([...types])}) and ${readableOf(readable)})`),
    sql` or `,
  )})`;
}

function readableOf<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('The search query was given the other form of the permissions');
  return value;
}

export interface SearchRepository {
  /** Inserts or replaces the documents (by type and id) with their terms. */
  upsert(documents: readonly IndexedDocument[], executor: Executor): Promise<void>;
  /** Removes the documents; returns how many there were. */
  remove(keys: readonly DocumentKey[], executor: Executor): Promise<number>;
  /** Removes every document whose visibility `resource` decides. */
  removeByResource(resource: { type: string; id: string }, executor: Executor): Promise<number>;
  /** Marks every document of the type as stale: the next upsert of each clears it. */
  markStale(type: string, executor: Executor): Promise<void>;
  /** Removes the documents of the type still stale; returns how many. */
  removeStale(type: string, executor: Executor): Promise<number>;
  /** On PostgreSQL, run it in a transaction (it changes a planner setting for its own query). */
  search(input: SearchQueryInput, executor?: Executor): Promise<SearchPage>;
  /** The permitted documents of the types, most recently changed first. */
  recent(
    input: { permitted: Expression<SqlBool>; types: readonly string[]; limit: number },
    executor?: Executor,
  ): Promise<Array<Omit<HitRow, 'score' | 'body' | 'seq'>>>;
}

type DocumentsTable = SearchDocumentRow & {
  seq: Generated<number>;
  is_stale: number | boolean;
  title_terms?: string;
  terms?: string;
};
type SearchTables = { platform_search_documents: DocumentsTable };

/** Rows per INSERT: 14 values each, far under both databases' limits on bound values. */
const batchSize = 500;
/** Title terms weigh this many times text terms, on both databases. */
const titleWeight = 5;
/**
 * PostgreSQL: the lengths (in characters) of the prefixes of its terms that a document's `terms` hold as
 * entries of their own, marked (no analysed term starts with `~`). Migration
 * 202612011100_platform_search_prefixes wrote them for the documents indexed before.
 */
const prefixEntryLengths = [3, 4];
const prefixEntryMark = '~';

/** PostgreSQL keeps at most 256 positions of a lexeme, each at most 16,383. */
const maxPositionsPerTerm = 256;
const maxPosition = 16_383;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

function groupIdsByType(keys: readonly DocumentKey[]): Map<string, string[]> {
  const byType = new Map<string, string[]>();
  for (const { type, id } of keys) {
    const ids = byType.get(type);
    if (ids) ids.push(id);
    else byType.set(type, [id]);
  }
  return byType;
}

/** An FTS5 string: the analyser's tokens hold no quote, but an FTS5 string doubles them anyway. */
const ftsString = (token: string) => `"${token.replaceAll('"', '""')}"`;
/** A tsquery/tsvector lexeme: the analyser's tokens hold no quote or backslash, escaped anyway. */
const pgLexeme = (token: string) => `'${token.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

/** The FTS5 query of the terms: all required, each its stem, its prefix or either. */
export function ftsMatchExpression(terms: readonly QueryTerm[]): string {
  return terms
    .map((term) => {
      if (term.match === 'exact') return ftsString(term.stem);
      if (term.match === 'prefix') return `${ftsString(term.surface)}*`;
      return `(${ftsString(term.stem)} OR ${ftsString(term.surface)}*)`;
    })
    .join(' AND ');
}

/**
 * The page of the ranked candidates with the documents' columns, then one row per type with its count
 * of permitted hits (`count` set, `bounded` when the hits read stopped at `hitsMax`).
 */
function pageAndFacets(limit: number, offset: number, bounded: RawBuilder<unknown>) {
  return sql`
    select page.seq, page.type, page.score, d.id, d.title, d.body, d.url, d.updated_at, d.label,
      null as count, null as bounded
    from (select seq, type, score from ranked order by score desc, seq limit ${limit} offset ${offset}) as page
    join platform_search_documents as d on d.seq = page.seq
    union all
    select null, type, null, null, null, null, null, null, null, count(*), ${bounded}
    from hits group by type`;
}

/**
 * Whether the query starts from the subject's readable documents (`plan.small`): when the index has
 * more than `narrowHits` hits (`anyHits`: a query on them, counted up to that bound, cheap: no
 * document is read) and the subject may read at most `permittedMax` documents. Those are listed up to
 * one more (`readable`), each resource type's rows through the `(resource_type, resource_id)` index on
 * both databases (an `or` of the conditions would scan the table); never for a narrow query (CASE).
 */
function permittedPlan(
  permitted: ReadonlyArray<PermittedTypes>,
  { permittedMax, narrowHits }: { permittedMax: number; narrowHits: number },
  anyHits: RawBuilder<unknown>,
) {
  const parts = permitted.map(
    ({ resourceType, types, readable }) => sql`
      select d.seq from platform_search_documents as d
      where d.resource_type = ${resourceType} and d.type in (${sql.join([...types])}) and ${readableOf(readable)}`,
  );
  return sql`
    readable as materialized (
      select seq from (${sql.join(parts, sql` union all `)}) as readable_rows limit ${permittedMax + 1}
    ),
    plan as materialized (
      ${
        narrowHits > 0
          ? sql`select case
              when (select count(*) from (${anyHits} limit ${narrowHits + 1}) as any_hits) <= ${narrowHits}
                then ${sql.lit(false)}
              else (select count(*) from readable) <= ${permittedMax}
            end as small`
          : sql`select count(*) <= ${permittedMax} as small from readable`
      }
    )`;
}

type SearchRow = HitRow & { count: number | null; bounded: number | boolean | null };

/**
 * SQLite's search statement: the permitted hits (a materialised CTE), by one of two plans chosen in the
 * query itself by `plan.small` (the other branch is skipped): from the subject's readable documents when
 * they are few (every hit, exact), or from the index's hits, stopping at `hitsMax` permitted ones. The
 * facets count them; the candidates to rank are those whose title matches, then the most recent; the
 * page is the best ranked of them. Scores are higher for better hits on both databases.
 */
function sqliteSearch(input: SearchQueryInput) {
  const { terms, pageTypes, candidates, hitsMax, limit, offset } = input;
  const permitted = permittedCondition(input.permitted);
  return sql<SearchRow>`
    with ${permittedPlan(
      input.permitted,
      input,
      sql`select 1 from platform_search_fts where platform_search_fts match ${ftsMatchExpression(terms)}`,
    )},
    hits as materialized (
      select d.seq as seq, d.type as type, d.updated_at as updated_at,
        -bm25(platform_search_fts, ${titleWeight}, 1.0) as score,
        bm25(platform_search_fts, 1.0, 0.0) < 0 as in_title
      from platform_search_fts
      join platform_search_documents as d indexed by platform_search_documents_hits_idx
        on d.seq = platform_search_fts.rowid
      -- The unary + keeps the rowid test out of FTS5, which would look each rowid up on its own.
      where (select small from plan) and platform_search_fts match ${ftsMatchExpression(terms)}
        and +platform_search_fts.rowid in (select seq from readable)
      union all
      select * from (
        select d.seq as seq, d.type as type, d.updated_at as updated_at,
          -bm25(platform_search_fts, ${titleWeight}, 1.0) as score,
          bm25(platform_search_fts, 1.0, 0.0) < 0 as in_title
        from platform_search_fts
        join platform_search_documents as d indexed by platform_search_documents_hits_idx
          on d.seq = platform_search_fts.rowid
        where not (select small from plan) and platform_search_fts match ${ftsMatchExpression(terms)}
          and ${permitted}
        order by platform_search_fts.rowid desc
        limit ${hitsMax}
      )
    ),
    ranked as (
      select seq, type, score from hits
      where type in (${sql.join(pageTypes)})
      order by in_title desc, updated_at desc, seq desc
      limit ${candidates}
    )
    ${pageAndFacets(
      limit,
      offset,
      sql`case when (select small from plan) then 0 when (select count(*) from hits) >= ${hitsMax} then 1 else 0 end`,
    )}`;
}

/**
 * PostgreSQL's search statement. The resources the subject may read (`perm`, from `authz.accessibleIds`)
 * are computed once, with the search type each opens, and serve every plan; the plan is chosen in the
 * statement (`mode`; CASE and the materialised CTEs compute only what the chosen plan reads):
 *
 * - `hits`: a subject who may read more than `permittedMax` resources (an agent): the index's hits, read
 *   in the GIN bitmap's order (the table's) and checked against `perm`, until `hitsMax` permitted ones.
 *   Facets count those, flagged when the bound is reached. The bitmap is built once.
 * - otherwise, when the subject reads at most `readableFirst` documents, each is checked against the terms
 *   (`readable`, exact). Else the first `narrowHits + 1` hits (`probe`), whether permitted or not: when
 *   there are no more, the query is narrow and those are every hit (`probe`, exact); else the subject's
 *   readable documents, up to `permittedMax + 1` (`readable`): when they are so few, `readable`, else
 *   `hits`.
 *
 * Then, as on SQLite: the candidates to rank are those whose title matches, then the most recent; only
 * they are ranked (ts_rank_cd reads a row's terms out of TOAST); the page is the best ranked of them.
 */
function postgresSearch(input: SearchQueryInput) {
  const { terms, pageTypes, candidates, hitsMax, permittedMax, narrowHits, readableFirst, limit, offset } = input;
  const query = sql`${tsqueryLiteral(terms, { prefixEntries: true })}::tsquery`;
  const inTitle = sql`d.title_terms @@ ${anyTermTsquery(terms)}::tsquery`;
  // The resources the subject may read, each with the search type it opens (with every type of its group).
  const arms = input.permitted.map(({ resourceType, types, readableIds }) => {
    const ids = sql`(${readableOf(readableIds)}) as ids`;
    return types.length === 1
      ? sql`select ids.resource_id, ${types[0]}::text as type, ${resourceType}::text as resource_type from ${ids}`
      : sql`select ids.resource_id, t.type, ${resourceType}::text as resource_type from ${ids}
          cross join (values ${sql.join(types.map((type) => sql`(${type}::text)`))}) as t (type)`;
  });
  const perm =
    arms.length === 0
      ? sql`select null::uuid as resource_id, null::text as type, null::text as resource_type where false`
      : sql.join(arms, sql` union all `);
  // A hashed subplan (`is true`: not a semi-join, which PostgreSQL might plan as a nested loop from a
  // low estimate of the set's size, rescanning it for every hit).
  const isPermitted = sql`((d.type, d.resource_id) in (select type, resource_id from perm)) is true`;
  return sql<SearchRow>`
    with perm as materialized (${perm}),
    probe as materialized (
      select d.seq, d.type, d.updated_at, ${inTitle} as in_title, ${isPermitted} as permitted
      from platform_search_documents as d
      where d.terms @@ ${query}
      limit ${narrowHits + 1}
    ),
    readable as materialized (
      -- The terms stay in TOAST until a document is checked (only when the plan is readable).
      select d.seq, d.type, d.updated_at, ${inTitle} as in_title, d.terms
      from (select distinct type, resource_type, resource_id from perm) as p
      join platform_search_documents as d
        on d.resource_type = p.resource_type and d.resource_id = p.resource_id and d.type = p.type
      limit ${permittedMax + 1}
    ),
    mode as materialized (
      select case
        when (select count(*) from (select 1 from perm limit ${permittedMax + 1}) as perm_rows) > ${permittedMax}
          then 'hits'
        when (select count(*) from (select 1 from readable limit ${readableFirst + 1}) as few) <= ${readableFirst}
          then 'readable'
        when (select count(*) from probe) <= ${narrowHits} then 'probe'
        when (select count(*) from readable) <= ${permittedMax} then 'readable'
        else 'hits'
      end as plan
    ),
    hits as materialized (
      select seq, type, updated_at, in_title from probe
      where (select plan from mode) = 'probe' and permitted
      union all
      select seq, type, updated_at, in_title from readable
      where (select plan from mode) = 'readable' and terms @@ ${query}
      union all
      (
        select d.seq, d.type, d.updated_at, ${inTitle} as in_title
        from platform_search_documents as d
        where (select plan from mode) = 'hits' and d.terms @@ ${query} and ${isPermitted}
        limit ${hitsMax}
      )
    ),
    ranked as (
      select candidate.seq, candidate.type,
        ts_rank_cd(
          ${`{0, 0, ${1 / titleWeight}, 1}`}::float4[],
          ts_filter(d.terms, '{a,b}'),
          ${tsqueryLiteral(terms)}::tsquery,
          1
        ) as score
      from (
        select seq, type from hits
        where type in (${sql.join(pageTypes)})
        order by in_title desc, updated_at desc, seq desc
        limit ${candidates}
      ) as candidate
      join platform_search_documents as d on d.seq = candidate.seq
    )
    ${pageAndFacets(
      limit,
      offset,
      sql`case when (select plan from mode) <> 'hits' then 0 when (select count(*) from hits) >= ${hitsMax} then 1 else 0 end`,
    )}`;
}

/** The rows of the search query: the page's hits, best first, and the facets. */
function presentRows(rows: readonly SearchRow[]): SearchPage {
  const hits: HitRow[] = [];
  const facets: Array<{ type: string; count: number; isLowerBound: boolean }> = [];
  for (const row of rows) {
    if (row.count === null) {
      const { count: _count, bounded: _bounded, ...hit } = row;
      hits.push({ ...hit, seq: Number(row.seq), score: Number(row.score) });
    } else facets.push({ type: row.type, count: Number(row.count), isLowerBound: Boolean(Number(row.bounded)) });
  }
  hits.sort((a, b) => b.score - a.score || a.seq - b.seq);
  return { hits, facets };
}

/** A tsquery matching a text where any of the terms is (whether a title holds part of the query). */
export function anyTermTsquery(terms: readonly QueryTerm[]): string {
  return terms
    .map((term) => {
      if (term.match === 'exact') return pgLexeme(term.stem);
      if (term.match === 'prefix') return `${pgLexeme(term.surface)}:*`;
      return `${pgLexeme(term.stem)} | ${pgLexeme(term.surface)}:*`;
    })
    .join(' | ');
}

/**
 * The same query as a PostgreSQL tsquery literal. For matching (`prefixEntries`), a prefix of
 * `prefixEntryLengths` characters is the document's prefix entry (`'~pres'`, one posting list) rather
 * than `'pres':*` (the posting lists of every word so starting, merged: 15 ms for `pro` on bench/search);
 * ranking reads the terms without those entries, with the plain query.
 */
export function tsqueryLiteral(terms: readonly QueryTerm[], { prefixEntries = false } = {}): string {
  const prefix = (surface: string) =>
    prefixEntries && prefixEntryLengths.includes([...surface].length)
      ? pgLexeme(`${prefixEntryMark}${surface}`)
      : `${pgLexeme(surface)}:*`;
  return terms
    .map((term) => {
      if (term.match === 'exact') return pgLexeme(term.stem);
      if (term.match === 'prefix') return prefix(term.surface);
      return `(${pgLexeme(term.stem)} | ${prefix(term.surface)})`;
    })
    .join(' & ');
}

/**
 * A tsvector literal of the title's and the text's words: title terms weighted A, text terms B, each
 * word at its position (its stem at the same one). Cast as it is, without PostgreSQL's own parsing, so
 * that both databases index the same terms. With `prefixEntries` (the `terms` column), also the prefix
 * entries of its terms, without positions (`ts_filter` leaves them out for ranking): `~` and the first 3,
 * then 4, characters of each term (the same as migration 202612011100_platform_search_prefixes).
 */
export function tsvectorLiteral(
  titleWords: IndexedWords,
  bodyWords: IndexedWords,
  { prefixEntries = false } = {},
): string {
  const positions = new Map<string, string[]>();
  let position = 0;
  const add = (words: IndexedWords, weight: 'A' | 'B') => {
    for (const forms of words) {
      position = Math.min(position + 1, maxPosition);
      for (const form of forms) {
        const list = positions.get(form);
        if (!list) positions.set(form, [`${position}${weight}`]);
        else if (list.length < maxPositionsPerTerm) list.push(`${position}${weight}`);
      }
    }
  };
  add(titleWords, 'A');
  add(bodyWords, 'B');
  const entries = [...positions].map(([term, list]) => `${pgLexeme(term)}:${list.join(',')}`);
  if (prefixEntries) {
    const prefixes = new Set<string>();
    for (const term of positions.keys()) {
      const characters = [...term];
      for (const length of prefixEntryLengths) {
        if (characters.length >= length) prefixes.add(`${prefixEntryMark}${characters.slice(0, length).join('')}`);
      }
    }
    for (const entry of prefixes) entries.push(pgLexeme(entry));
  }
  return entries.join(' ');
}

/** The FTS5 text of a column: every form of every word, separated by spaces. */
const ftsText = (words: IndexedWords) => words.map((forms) => forms.join(' ')).join(' ');

export function createSearchRepository(deps: { executor: Executor; dialect: DatabaseDialect }): SearchRepository {
  const tables = (executor: Executor = deps.executor) => executor.withTables<SearchTables>();
  const isSqlite = deps.dialect === 'sqlite';
  const stale = (value: boolean) => (isSqlite ? Number(value) : value);

  async function seqsOf(keys: readonly DocumentKey[], executor: Executor): Promise<number[]> {
    const seqs: number[] = [];
    for (const [type, ids] of groupIdsByType(keys)) {
      for (const batch of chunks(ids, batchSize)) {
        const rows = await tables(executor)
          .selectFrom('platform_search_documents')
          .select('seq')
          .where('type', '=', type)
          .where('id', 'in', batch)
          .execute();
        seqs.push(...rows.map((row) => row.seq));
      }
    }
    return seqs;
  }

  async function deleteFtsRows(seqs: readonly number[], executor: Executor): Promise<void> {
    for (const batch of chunks(seqs, batchSize)) {
      await sql`delete from platform_search_fts where rowid in (${sql.join(batch)})`.execute(executor);
    }
  }

  const updatableColumns = [
    'title',
    'body',
    'resource_type',
    'resource_id',
    'label',
    'url',
    'updated_at',
    'organisation_id',
    'indexed_at',
    'is_stale',
  ] as const;

  return {
    async recent({ permitted, types, limit }, executor) {
      if (types.length === 0) return [];
      return tables(executor)
        .selectFrom('platform_search_documents as d')
        .select(['d.type', 'd.id', 'd.title', 'd.url', 'd.updated_at', 'd.label'])
        .where('d.type', 'in', [...types])
        .where(permitted)
        .orderBy('d.updated_at', 'desc')
        .orderBy('d.seq', 'desc')
        .limit(limit)
        .execute();
    },

    async upsert(documents, executor) {
      // One row per key, the last given winning: an upsert cannot touch a row twice in one statement.
      const byKey = new Map<string, IndexedDocument>();
      for (const document of documents) byKey.set(`${document.type}\u0000${document.id}`, document);
      for (const batch of chunks([...byKey.values()], batchSize)) {
        const rows = batch.map(({ titleWords, bodyWords, ...row }) => ({
          ...row,
          is_stale: stale(false),
          ...(isSqlite
            ? {}
            : {
                title_terms: sql<string>`${tsvectorLiteral(titleWords, [])}::tsvector`,
                terms: sql<string>`${tsvectorLiteral(titleWords, bodyWords, { prefixEntries: true })}::tsvector`,
              }),
        }));
        const previous = isSqlite ? await seqsOf(batch, executor) : [];
        const written = await tables(executor)
          .insertInto('platform_search_documents')
          .values(rows)
          .onConflict((conflict) =>
            conflict.columns(['type', 'id']).doUpdateSet((update) => {
              const columns = isSqlite
                ? updatableColumns
                : [...updatableColumns, 'title_terms' as const, 'terms' as const];
              return Object.fromEntries(columns.map((column) => [column, update.ref(`excluded.${column}`)]));
            }),
          )
          .returning(['seq', 'type', 'id'])
          .execute();
        if (!isSqlite) continue;
        await deleteFtsRows(previous, executor);
        const seqByKey = new Map(written.map((row) => [`${row.type}\u0000${row.id}`, row.seq]));
        const ftsRows = batch.map((document) => {
          const seq = seqByKey.get(`${document.type}\u0000${document.id}`);
          if (seq === undefined) throw new Error('An upserted search document returned no seq');
          return sql`(${seq}, ${ftsText(document.titleWords)}, ${ftsText(document.bodyWords)})`;
        });
        await sql`insert into platform_search_fts (rowid, title, body) values ${sql.join(ftsRows)}`.execute(executor);
      }
    },

    async remove(keys, executor) {
      if (isSqlite) await deleteFtsRows(await seqsOf(keys, executor), executor);
      let removed = 0;
      for (const [type, ids] of groupIdsByType(keys)) {
        for (const batch of chunks(ids, batchSize)) {
          const result = await tables(executor)
            .deleteFrom('platform_search_documents')
            .where('type', '=', type)
            .where('id', 'in', batch)
            .executeTakeFirst();
          removed += Number(result.numDeletedRows);
        }
      }
      return removed;
    },

    async removeByResource(resource, executor) {
      const where = tables(executor)
        .selectFrom('platform_search_documents')
        .where('resource_type', '=', resource.type)
        .where('resource_id', '=', resource.id);
      if (isSqlite) {
        const rows = await where.select('seq').execute();
        await deleteFtsRows(
          rows.map((row) => row.seq),
          executor,
        );
      }
      const result = await tables(executor)
        .deleteFrom('platform_search_documents')
        .where('resource_type', '=', resource.type)
        .where('resource_id', '=', resource.id)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async markStale(type, executor) {
      await tables(executor)
        .updateTable('platform_search_documents')
        .set({ is_stale: stale(true) })
        .where('type', '=', type)
        .execute();
    },

    async removeStale(type, executor) {
      const staleRows = tables(executor)
        .selectFrom('platform_search_documents')
        .where('type', '=', type)
        .where('is_stale', '=', stale(true));
      if (isSqlite) {
        const rows = await staleRows.select('seq').execute();
        await deleteFtsRows(
          rows.map((row) => row.seq),
          executor,
        );
      }
      const result = await tables(executor)
        .deleteFrom('platform_search_documents')
        .where('type', '=', type)
        .where('is_stale', '=', stale(true))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async search(input, executor = deps.executor) {
      const statement = isSqlite ? sqliteSearch(input) : postgresSearch(input);
      if (!isSqlite) {
        // PostgreSQL does not count reading a row's terms out of TOAST: for a common word it may plan a
        // sequential scan that reads every row's terms (0.6 s on bench/search's 100,000 items) instead of
        // the GIN index (40 ms). Off for this query only (it runs in a transaction), then as it was when the
        // transaction is the caller's (set locally, it ends with the search's own).
        const { rows: settings } = await sql<{ previous: string }>`
          select current_setting('enable_seqscan') as previous, set_config('enable_seqscan', 'off', true)
        `.execute(executor);
        const { rows } = await statement.execute(executor);
        if (input.ownTransaction !== true) {
          await sql`select set_config('enable_seqscan', ${settings[0]?.previous ?? 'on'}, true)`.execute(executor);
        }
        return presentRows(rows);
      }
      const { rows } = await statement.execute(executor);
      return presentRows(rows);
    },
  };
}
