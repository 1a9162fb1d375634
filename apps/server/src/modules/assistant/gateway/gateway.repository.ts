import { sql } from 'kysely';
import type { Database, Executor } from '../../../platform/db/database.ts';
import type { QuotaRule, QuotaScopeType } from './quotas.ts';

export interface AssistantProviderRow {
  id: string;
  definition: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface AssistantQuotaRow {
  scope_type: QuotaScopeType;
  scope_id: string;
  model: string;
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
  tokens_per_day: number | null;
  updated_by: string | null;
  updated_at: string;
}

export interface AssistantUsageRow {
  id: string;
  at: string;
  organisation_id: string | null;
  user_id: string | null;
  api_key_id: string | null;
  endpoint: 'chat' | 'embeddings' | 'rerank';
  model: string;
  provider_id: string | null;
  upstream_model: string | null;
  is_stream: number | boolean;
  status: UsageStatus;
  error_code: string | null;
  sensitivity: string;
  routing: string;
  prompt_tokens: number;
  completion_tokens: number;
  latency_ms: number;
  first_token_ms: number | null;
  pseudonymised: number;
}

export type UsageStatus = 'success' | 'error' | 'refused' | 'rate-limited' | 'busy' | 'cancelled';

export type AssistantTables = {
  assistant_providers: AssistantProviderRow;
  assistant_quotas: AssistantQuotaRow;
  assistant_usage: AssistantUsageRow;
};

export interface UsageQuery {
  readonly organisationId?: string;
  readonly apiKeyId?: string;
  readonly userId?: string;
  readonly since?: string;
  readonly until?: string;
}

export interface UsageAggregate {
  readonly day: string;
  readonly organisationId: string | null;
  readonly model: string;
  readonly status: UsageStatus;
  readonly sensitivity: string;
  readonly requests: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly averageLatencyMs: number;
}

/** All SQL of the gateway: database providers, quotas and usage records. */
export function createGatewayRepository(database: Database) {
  const tables = (executor: Executor = database.executor) => executor.withTables<AssistantTables>();

  function filtered(query: UsageQuery) {
    let select = tables().selectFrom('assistant_usage');
    if (query.organisationId !== undefined) select = select.where('organisation_id', '=', query.organisationId);
    if (query.apiKeyId !== undefined) select = select.where('api_key_id', '=', query.apiKeyId);
    if (query.userId !== undefined) select = select.where('user_id', '=', query.userId);
    if (query.since !== undefined) select = select.where('at', '>=', query.since);
    if (query.until !== undefined) select = select.where('at', '<', query.until);
    return select;
  }

  return {
    listProviders: () => tables().selectFrom('assistant_providers').selectAll().orderBy('created_at').execute(),

    insertProvider: (row: AssistantProviderRow) => tables().insertInto('assistant_providers').values(row).execute(),

    updateProvider: (id: string, definition: string, updatedAt: string) =>
      tables()
        .updateTable('assistant_providers')
        .set({ definition, updated_at: updatedAt })
        .where('id', '=', id)
        .execute(),

    deleteProvider: async (id: string) =>
      Number(
        (await tables().deleteFrom('assistant_providers').where('id', '=', id).executeTakeFirst()).numDeletedRows,
      ) > 0,

    listQuotas: async (): Promise<QuotaRule[]> => {
      const rows = await tables()
        .selectFrom('assistant_quotas')
        .selectAll()
        .orderBy('scope_type')
        .orderBy('scope_id')
        .orderBy('model')
        .execute();
      return rows.map((row) => ({
        scopeType: row.scope_type,
        scopeId: row.scope_id,
        model: row.model,
        requestsPerMinute: row.requests_per_minute === null ? null : Number(row.requests_per_minute),
        tokensPerMinute: row.tokens_per_minute === null ? null : Number(row.tokens_per_minute),
        tokensPerDay: row.tokens_per_day === null ? null : Number(row.tokens_per_day),
      }));
    },

    upsertQuota: (row: AssistantQuotaRow) =>
      tables()
        .insertInto('assistant_quotas')
        .values(row)
        .onConflict((conflict) =>
          conflict.columns(['scope_type', 'scope_id', 'model']).doUpdateSet({
            requests_per_minute: row.requests_per_minute,
            tokens_per_minute: row.tokens_per_minute,
            tokens_per_day: row.tokens_per_day,
            updated_by: row.updated_by,
            updated_at: row.updated_at,
          }),
        )
        .execute(),

    deleteQuota: async (scopeType: QuotaScopeType, scopeId: string, model: string) =>
      Number(
        (
          await tables()
            .deleteFrom('assistant_quotas')
            .where('scope_type', '=', scopeType)
            .where('scope_id', '=', scopeId)
            .where('model', '=', model)
            .executeTakeFirst()
        ).numDeletedRows,
      ) > 0,

    insertUsage: async (rows: readonly AssistantUsageRow[]) => {
      if (rows.length > 0)
        await tables()
          .insertInto('assistant_usage')
          .values([...rows])
          .execute();
    },

    /** Usage records, newest first, `limit` of them after the cursor (`at`, `id` of the last one read). */
    listUsage: (query: UsageQuery, page: { limit: number; before?: { at: string; id: string } }) => {
      let select = filtered(query).selectAll();
      const before = page.before;
      if (before) {
        select = select.where((eb) =>
          eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]),
        );
      }
      return select.orderBy('at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
    },

    totals: async (query: UsageQuery) => {
      const row = await filtered(query)
        .select((eb) => [
          eb.fn.countAll<number>().as('requests'),
          eb.fn.coalesce(eb.fn.sum<number>('prompt_tokens'), sql<number>`0`).as('prompt_tokens'),
          eb.fn.coalesce(eb.fn.sum<number>('completion_tokens'), sql<number>`0`).as('completion_tokens'),
        ])
        .executeTakeFirstOrThrow();
      return {
        requests: Number(row.requests),
        promptTokens: Number(row.prompt_tokens),
        completionTokens: Number(row.completion_tokens),
      };
    },

    /** Per day (UTC), organisation, model, status and level: what the usage dashboard charts. */
    aggregates: async (query: UsageQuery): Promise<UsageAggregate[]> => {
      const day =
        database.dialect === 'sqlite'
          ? sql<string>`substr(at, 1, 10)`
          : sql<string>`to_char(at at time zone 'UTC', 'YYYY-MM-DD')`;
      const rows = await filtered(query)
        .select((eb) => [
          day.as('day'),
          'organisation_id',
          'model',
          'status',
          'sensitivity',
          eb.fn.countAll<number>().as('requests'),
          eb.fn.sum<number>('prompt_tokens').as('prompt_tokens'),
          eb.fn.sum<number>('completion_tokens').as('completion_tokens'),
          eb.fn.avg<number>('latency_ms').as('average_latency_ms'),
        ])
        .groupBy([day, 'organisation_id', 'model', 'status', 'sensitivity'])
        .orderBy(day)
        .execute();
      return rows.map((row) => ({
        day: row.day,
        organisationId: row.organisation_id,
        model: row.model,
        status: row.status,
        sensitivity: row.sensitivity,
        requests: Number(row.requests),
        promptTokens: Number(row.prompt_tokens ?? 0),
        completionTokens: Number(row.completion_tokens ?? 0),
        averageLatencyMs: Math.round(Number(row.average_latency_ms ?? 0)),
      }));
    },
  };
}

export type GatewayRepository = ReturnType<typeof createGatewayRepository>;
