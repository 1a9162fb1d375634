import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { AuditOutcome } from './audit-log.ts';

export type AuditEventRow = {
  id: string;
  occurred_at: string;
  action: string;
  outcome: AuditOutcome;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  actor_label: string | null;
  /** 0/1 on SQLite, a boolean on PostgreSQL. */
  actor_system: number | boolean;
  ip: string | null;
  user_agent: string | null;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  organisation_id: string | null;
  /** JSON text of an object. */
  details: string;
};

type AuditTables = { platform_audit_events: AuditEventRow };

/** Filters already checked by the service: instants are ISO-8601 UTC strings, the prefix is `[a-z0-9_.]+`. */
export interface AuditFilter {
  readonly action?: string;
  readonly actionPrefix?: string;
  readonly outcome?: AuditOutcome;
  readonly actorUserId?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  /** When given, only these organisations' events (none for an empty list). */
  readonly organisationIds?: readonly string[];
  /** Inclusive. */
  readonly since?: string;
  /** Exclusive. */
  readonly until?: string;
}

export interface AuditRepository {
  insert(row: AuditEventRow, executor?: Executor): Promise<void>;
  /** Newest first, older than `before` (an id) when given. */
  listNewestFirst(filter: AuditFilter, page: { limit: number; before?: string }): Promise<AuditEventRow[]>;
  /** Oldest first, newer than `after` (an id) when given: one batch of an export. */
  listOldestFirst(filter: AuditFilter, page: { limit: number; after?: string }): Promise<AuditEventRow[]>;
  /**
   * Deletes the events that occurred before `before`, in the caller's transaction: opens the purge window
   * the table's triggers let through, deletes, closes it. How many went.
   */
  deleteBefore(before: string, executor: Executor): Promise<number>;
}

type AuditRetentionTables = { platform_audit_retention: { purge_before: string } };

type AuditSelect = SelectQueryBuilder<AuditTables, 'platform_audit_events', AuditEventRow>;

export function createAuditRepository(deps: { executor: Executor }): AuditRepository {
  const events = (executor: Executor = deps.executor) => executor.withTables<AuditTables>();

  function filtered(filter: AuditFilter): AuditSelect {
    let query: AuditSelect = events().selectFrom('platform_audit_events').selectAll();
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.actionPrefix !== undefined) {
      // `_` is a LIKE wildcard and action names use it; SQLite has no default escape character.
      const pattern = `${filter.actionPrefix.replaceAll('_', '\\_')}%`;
      query = query.where(
        (eb: ExpressionBuilder<AuditTables, 'platform_audit_events'>) =>
          sql<boolean>`${eb.ref('action')} like ${pattern} escape '\\'`,
      );
    }
    if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
    if (filter.actorUserId !== undefined) query = query.where('actor_user_id', '=', filter.actorUserId);
    if (filter.targetType !== undefined) query = query.where('target_type', '=', filter.targetType);
    if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
    if (filter.organisationIds !== undefined) {
      const ids = filter.organisationIds;
      query = ids.length === 0 ? query.where(sql<boolean>`1 = 0`) : query.where('organisation_id', 'in', ids);
    }
    if (filter.since !== undefined) query = query.where('occurred_at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('occurred_at', '<', filter.until);
    return query;
  }

  return {
    async insert(row, executor) {
      await events(executor).insertInto('platform_audit_events').values(row).execute();
    },

    async deleteBefore(before, executor) {
      const window = executor.withTables<AuditRetentionTables>();
      await window.insertInto('platform_audit_retention').values({ purge_before: before }).execute();
      const result = await events(executor)
        .deleteFrom('platform_audit_events')
        .where('occurred_at', '<', before)
        .executeTakeFirst();
      await window.deleteFrom('platform_audit_retention').execute();
      return Number(result.numDeletedRows);
    },

    async listNewestFirst(filter, { limit, before }) {
      let query = filtered(filter);
      if (before !== undefined) query = query.where('id', '<', before);
      return query.orderBy('id', 'desc').limit(limit).execute();
    },

    async listOldestFirst(filter, { limit, after }) {
      let query = filtered(filter);
      if (after !== undefined) query = query.where('id', '>', after);
      return query.orderBy('id', 'asc').limit(limit).execute();
    },
  };
}
