import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Database, Executor } from '../../../platform/db/database.ts';
import type { AssistantFeedbackRow, AssistantMessageRow } from './conversations.repository.ts';

/** The knowledge module's collections, as far as the dashboard reads them (names, and which are personal). */
interface CollectionNameRow {
  id: string;
  slug: string;
  name: string;
  scope: string;
}

type ImpactTables = {
  assistant_messages: AssistantMessageRow;
  assistant_feedback: AssistantFeedbackRow;
  assistant_collections: CollectionNameRow;
};

/** Which questions a figure counts: those asked in [since, until) by agents of the organisations given. */
export interface ImpactScope {
  /** ISO instant, included. */
  readonly since: string;
  /** ISO instant, excluded. */
  readonly until: string;
  /** undefined: every question, those of agents without an organisation included; [] : none. */
  readonly organisationIds?: readonly string[] | undefined;
}

export interface MessageTotals {
  readonly questions: number;
  readonly activeUsers: number;
  readonly generative: number;
  readonly extractive: number;
  readonly noAnswer: number;
  readonly withSources: number;
  readonly failed: number;
  readonly flaggedCitations: number;
}

export interface FeedbackTotals {
  readonly rated: number;
  readonly up: number;
  readonly down: number;
}

export interface DayTotals {
  readonly day: string;
  readonly questions: number;
  readonly activeUsers: number;
}

export interface OrganisationTotals {
  readonly organisationId: string | null;
  readonly questions: number;
  readonly activeUsers: number;
  readonly rated: number;
  readonly up: number;
}

export interface DayOrganisationTotals {
  readonly day: string;
  readonly organisationId: string | null;
  readonly questions: number;
  readonly activeUsers: number;
  readonly withSources: number;
  readonly noAnswer: number;
  readonly up: number;
  readonly down: number;
  /** Median duration of the group's answers (nearest rank). */
  readonly latencyP50Ms: number;
}

export interface CitedSource {
  readonly sourceId: string;
  readonly title: string;
  readonly url: string | null;
  readonly collectionName: string;
  /** Answers citing it. */
  readonly answers: number;
}

export interface SearchedCollection {
  readonly slug: string;
  /** null when the collection no longer exists. */
  readonly name: string | null;
  /** `user`: an agent's personal collection; null when it no longer exists. */
  readonly scope: string | null;
  /** Questions whose search found passages in it. */
  readonly questions: number;
}

export interface FeedbackComment {
  readonly at: string;
  readonly rating: 'up' | 'down';
  readonly reasons: string;
  readonly comment: string;
}

/** `sum(case when … then 1 else 0 end)`: literals, so PostgreSQL needs no parameter type. */
function countWhere(condition: Expression<SqlBool>): RawBuilder<number | null> {
  return sql<number | null>`sum(case when ${condition} then 1 else 0 end)`;
}

/**
 * All SQL of Albert's impact dashboard: aggregates of the questions (`assistant_messages`) and their
 * feedback over a period. JSON columns (citations, collections searched, reasons, who served) are
 * expanded in the database, with SQLite's `json_each` / `json_extract` or PostgreSQL's `jsonb_*`, so a
 * period of many thousands of questions never travels to the process; percentiles use window functions,
 * which both engines have.
 */
export function createImpactRepository(database: Database) {
  const tables = (executor: Executor = database.executor) => executor.withTables<ImpactTables>();
  const isSqlite = database.dialect === 'sqlite';

  /** The UTC day ('YYYY-MM-DD') of a timestamp column (ISO text on SQLite, timestamptz on PostgreSQL). */
  const dayOf = (column: string) =>
    isSqlite
      ? sql<string>`substr(${sql.ref(column)}, 1, 10)`
      : sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD')`;

  /** A text field of a JSON document (a JSON text column, or a JSON value of an expanded array). */
  const jsonField = (document: Expression<unknown>, path: readonly string[]) =>
    isSqlite
      ? sql<string | null>`json_extract(${document}, ${sql.lit(`$.${path.join('.')}`)})`
      : sql<string | null>`((${document})::jsonb #>> ${sql.lit(`{${path.join(',')}}`)})`;

  /** The elements of a JSON array column, as a table `alias(value)` to join. */
  const arrayElements = <Alias extends string>(column: string, alias: Alias, { asText }: { asText: boolean }) =>
    isSqlite
      ? sql<{ value: string }>`json_each(${sql.ref(column)})`.as(alias)
      : asText
        ? sql<{ value: string }>`jsonb_array_elements_text(${sql.ref(column)}::jsonb)`.as(alias)
        : sql<{ value: string }>`jsonb_array_elements(${sql.ref(column)}::jsonb)`.as(alias);

  function messages(scope: ImpactScope) {
    let select = tables()
      .selectFrom('assistant_messages as m')
      .where('m.created_at', '>=', scope.since)
      .where('m.created_at', '<', scope.until);
    const organisationIds = scope.organisationIds;
    if (organisationIds !== undefined) {
      select =
        organisationIds.length === 0
          ? select.where(sql<SqlBool>`1 = 0`)
          : select.where('m.organisation_id', 'in', [...organisationIds]);
    }
    return select;
  }

  const hasSources = sql<SqlBool>`(m.mode = 'extractive' or (m.mode = 'generative' and m.citations <> '[]'))`;

  return {
    messageTotals: async (scope: ImpactScope): Promise<MessageTotals> => {
      const row = await messages(scope)
        .select((eb) => [
          eb.fn.countAll<number>().as('questions'),
          eb.fn.count<number>('m.user_id').distinct().as('active_users'),
          countWhere(sql`m.mode = 'generative'`).as('generative'),
          countWhere(sql`m.mode = 'extractive'`).as('extractive'),
          countWhere(sql`m.mode = 'no-answer'`).as('no_answer'),
          countWhere(hasSources).as('with_sources'),
          countWhere(sql`m.status = 'failed'`).as('failed'),
          countWhere(sql`m.flagged_citations <> '[]'`).as('flagged'),
        ])
        .executeTakeFirstOrThrow();
      return {
        questions: Number(row.questions),
        activeUsers: Number(row.active_users),
        generative: Number(row.generative ?? 0),
        extractive: Number(row.extractive ?? 0),
        noAnswer: Number(row.no_answer ?? 0),
        withSources: Number(row.with_sources ?? 0),
        failed: Number(row.failed ?? 0),
        flaggedCitations: Number(row.flagged ?? 0),
      };
    },

    /** Questions and distinct askers per UTC day (only the days that had questions). */
    perDay: async (scope: ImpactScope): Promise<DayTotals[]> => {
      const day = dayOf('m.created_at');
      const rows = await messages(scope)
        .select((eb) => [
          day.as('day'),
          eb.fn.countAll<number>().as('questions'),
          eb.fn.count<number>('m.user_id').distinct().as('active_users'),
        ])
        .groupBy(day)
        .orderBy(day)
        .execute();
      return rows.map((row) => ({
        day: row.day,
        questions: Number(row.questions),
        activeUsers: Number(row.active_users),
      }));
    },

    /** Questions, askers and thumbs per organisation of the asker (null: no organisation). */
    perOrganisation: async (scope: ImpactScope): Promise<OrganisationTotals[]> => {
      const rows = await messages(scope)
        .leftJoin('assistant_feedback as f', 'f.message_id', 'm.id')
        .select((eb) => [
          'm.organisation_id',
          eb.fn.countAll<number>().as('questions'),
          eb.fn.count<number>('m.user_id').distinct().as('active_users'),
          eb.fn.count<number>('f.message_id').as('rated'),
          countWhere(sql`f.rating = 'up'`).as('up'),
        ])
        .groupBy('m.organisation_id')
        .orderBy('questions', 'desc')
        .execute();
      return rows.map((row) => ({
        organisationId: row.organisation_id,
        questions: Number(row.questions),
        activeUsers: Number(row.active_users),
        rated: Number(row.rated),
        up: Number(row.up ?? 0),
      }));
    },

    /** The CSV's rows: per UTC day and organisation, with the median duration of each group. */
    perDayAndOrganisation: async (scope: ImpactScope): Promise<DayOrganisationTotals[]> => {
      const day = dayOf('m.created_at');
      const totals = await messages(scope)
        .leftJoin('assistant_feedback as f', 'f.message_id', 'm.id')
        .select((eb) => [
          day.as('day'),
          'm.organisation_id',
          eb.fn.countAll<number>().as('questions'),
          eb.fn.count<number>('m.user_id').distinct().as('active_users'),
          countWhere(hasSources).as('with_sources'),
          countWhere(sql`m.mode = 'no-answer'`).as('no_answer'),
          countWhere(sql`f.rating = 'up'`).as('up'),
          countWhere(sql`f.rating = 'down'`).as('down'),
        ])
        .groupBy([day, 'm.organisation_id'])
        .orderBy(day)
        .execute();
      const ranked = messages(scope).select([
        day.as('day'),
        'm.organisation_id',
        'm.latency_ms',
        sql<number>`row_number() over (partition by ${day}, m.organisation_id order by m.latency_ms)`.as('position'),
        sql<number>`count(*) over (partition by ${day}, m.organisation_id)`.as('total'),
      ]);
      const medians = await tables()
        .selectFrom(ranked.as('r'))
        .select(['r.day', 'r.organisation_id', 'r.latency_ms'])
        // Nearest rank: the ⌈n/2⌉-th duration, in integer arithmetic both engines share.
        .where(sql<SqlBool>`r.position = (r.total * 50 + 99) / 100`)
        .execute();
      const key = (dayValue: string, organisationId: string | null) => `${dayValue} ${organisationId ?? ''}`;
      const medianOf = new Map(
        medians.map((row) => [key(row.day, row.organisation_id), Number(row.latency_ms)] as const),
      );
      return totals.map((row) => ({
        day: row.day,
        organisationId: row.organisation_id,
        questions: Number(row.questions),
        activeUsers: Number(row.active_users),
        withSources: Number(row.with_sources ?? 0),
        noAnswer: Number(row.no_answer ?? 0),
        up: Number(row.up ?? 0),
        down: Number(row.down ?? 0),
        latencyP50Ms: medianOf.get(key(row.day, row.organisation_id)) ?? 0,
      }));
    },

    /**
     * Durations at the given percentiles (nearest rank, e.g. 50 and 95), undefined for an empty period.
     * Ranked in the database: only the chosen rows come back.
     */
    latencyPercentiles: async (
      scope: ImpactScope,
      percentiles: readonly number[],
    ): Promise<Map<number, number | undefined>> => {
      const ranked = messages(scope).select([
        'm.latency_ms',
        sql<number>`row_number() over (order by m.latency_ms)`.as('position'),
        sql<number>`count(*) over ()`.as('total'),
      ]);
      const rankOf = (total: number, percentile: number) => Math.max(1, Math.ceil((total * percentile) / 100));
      const rows = await tables()
        .selectFrom(ranked.as('r'))
        .select(['r.latency_ms', 'r.position', 'r.total'])
        .where((eb) =>
          eb.or(
            percentiles.map(
              (percentile) => sql<SqlBool>`r.position = (r.total * ${sql.lit(Math.round(percentile))} + 99) / 100`,
            ),
          ),
        )
        .execute();
      const byPosition = new Map(rows.map((row) => [Number(row.position), Number(row.latency_ms)] as const));
      const total = Number(rows[0]?.total ?? 0);
      return new Map(
        percentiles.map((percentile) => [
          percentile,
          total === 0 ? undefined : byPosition.get(rankOf(total, Math.round(percentile))),
        ]),
      );
    },

    feedbackTotals: async (scope: ImpactScope): Promise<FeedbackTotals> => {
      const row = await messages(scope)
        .innerJoin('assistant_feedback as f', 'f.message_id', 'm.id')
        .select((eb) => [
          eb.fn.countAll<number>().as('rated'),
          countWhere(sql`f.rating = 'up'`).as('up'),
          countWhere(sql`f.rating = 'down'`).as('down'),
        ])
        .executeTakeFirstOrThrow();
      return { rated: Number(row.rated), up: Number(row.up ?? 0), down: Number(row.down ?? 0) };
    },

    /** How many ratings carry each reason tag. */
    feedbackReasons: async (scope: ImpactScope): Promise<Map<string, number>> => {
      const rows = await messages(scope)
        .innerJoin('assistant_feedback as f', 'f.message_id', 'm.id')
        .innerJoin(arrayElements('f.reasons', 'r', { asText: true }), (join) => join.onTrue())
        .select((eb) => ['r.value as reason', eb.fn.countAll<number>().as('ratings')])
        .groupBy('r.value')
        .execute();
      return new Map(rows.map((row) => [row.reason, Number(row.ratings)] as const));
    },

    /** The latest non-empty comments, newest first; nothing that names who wrote them. */
    latestComments: async (scope: ImpactScope, limit: number): Promise<FeedbackComment[]> => {
      const rows = await messages(scope)
        .innerJoin('assistant_feedback as f', 'f.message_id', 'm.id')
        .select(['f.updated_at', 'f.rating', 'f.reasons', 'f.comment'])
        .where('f.comment', 'is not', null)
        .where('f.comment', '<>', '')
        .orderBy('f.updated_at', 'desc')
        .orderBy('f.message_id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        at: row.updated_at,
        rating: row.rating,
        reasons: row.reasons,
        comment: row.comment ?? '',
      }));
    },

    /**
     * The sources cited in the most answers. Those of personal collections (an agent's own uploads) and of
     * collections since deleted are left out: their titles are the agent's business, not the dashboard's.
     */
    topSources: async (scope: ImpactScope, limit: number): Promise<CitedSource[]> => {
      const citation = sql.ref('c.value');
      const sourceId = jsonField(citation, ['sourceId']);
      const collectionId = jsonField(citation, ['collection', 'id']);
      const rows = await messages(scope)
        .innerJoin(arrayElements('m.citations', 'c', { asText: false }), (join) => join.onTrue())
        .innerJoin('assistant_collections as k', (join) =>
          // A uuid column on PostgreSQL, compared as text with the JSON's value (collections are few).
          join.on(sql<SqlBool>`cast(k.id as text) = ${collectionId}`),
        )
        .where('k.scope', '<>', 'user')
        .select((eb) => [
          sourceId.as('source_id'),
          eb.fn.max(jsonField(citation, ['title'])).as('title'),
          eb.fn.max(jsonField(citation, ['url'])).as('url'),
          eb.fn.max('k.name').as('collection_name'),
          eb.fn.count<number>('m.id').distinct().as('answers'),
        ])
        .groupBy(sourceId)
        .orderBy('answers', 'desc')
        .orderBy(sourceId)
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        sourceId: row.source_id ?? '',
        title: row.title ?? '',
        url: row.url ?? null,
        collectionName: row.collection_name,
        answers: Number(row.answers),
      }));
    },

    /** Per collection searched: the questions whose search found passages in it. */
    searchedCollections: async (scope: ImpactScope): Promise<SearchedCollection[]> => {
      const rows = await messages(scope)
        .innerJoin(arrayElements('m.collections', 's', { asText: true }), (join) => join.onTrue())
        .leftJoin('assistant_collections as k', 'k.slug', 's.value')
        .select((eb) => [
          's.value as slug',
          eb.fn.max('k.name').as('name'),
          eb.fn.max('k.scope').as('scope'),
          eb.fn.count<number>('m.id').distinct().as('questions'),
        ])
        .groupBy('s.value')
        .orderBy('questions', 'desc')
        .orderBy('s.value')
        .execute();
      return rows.map((row) => ({
        slug: row.slug,
        name: row.name ?? null,
        scope: row.scope ?? null,
        questions: Number(row.questions),
      }));
    },

    bySensitivity: async (scope: ImpactScope): Promise<{ sensitivity: string; questions: number }[]> => {
      const rows = await messages(scope)
        .select((eb) => ['m.sensitivity', eb.fn.countAll<number>().as('questions')])
        .groupBy('m.sensitivity')
        .execute();
      return rows.map((row) => ({ sensitivity: row.sensitivity, questions: Number(row.questions) }));
    },

    /** Answers per provider that wrote them (null: no model wrote it, extractive or no-answer). */
    byProvider: async (
      scope: ImpactScope,
    ): Promise<{ providerId: string | null; providerName: string | null; questions: number }[]> => {
      const servedBy = sql.ref('m.served_by');
      const providerId = jsonField(servedBy, ['providerId']);
      const rows = await messages(scope)
        .select((eb) => [
          providerId.as('provider_id'),
          eb.fn.max(jsonField(servedBy, ['providerName'])).as('provider_name'),
          eb.fn.countAll<number>().as('questions'),
        ])
        .groupBy(providerId)
        .orderBy('questions', 'desc')
        .execute();
      return rows.map((row) => ({
        providerId: row.provider_id ?? null,
        providerName: row.provider_name ?? null,
        questions: Number(row.questions),
      }));
    },
  };
}

export type ImpactRepository = ReturnType<typeof createImpactRepository>;
