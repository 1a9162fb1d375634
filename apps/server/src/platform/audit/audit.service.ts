import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import type { IdGenerator } from '../ids.ts';
import type { Logger } from '../logging.ts';
import type {
  AuditActor,
  AuditEvent,
  AuditEventInput,
  AuditLog,
  AuditOutcome,
  AuditPage,
  AuditQuery,
} from './audit-log.ts';
import { auditErrors } from './audit.errors.ts';
import { createAuditRepository, type AuditEventRow, type AuditFilter } from './audit.repository.ts';

export interface AuditLogDependencies {
  database: Database;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
  /** Rows read per query by `exportJsonLines`; 500 by default. */
  exportBatchSize?: number;
}

/** The actor of what Bureau does by itself (scheduled purges, boot-time registrations...). */
export const systemAuditActor: AuditActor = { system: true, label: 'Bureau' };

export const auditOutcomes: readonly AuditOutcome[] = ['success', 'failure', 'denied'];

/** `module.entity.verb`: lower case, at least two dot-separated parts. */
export const auditActionPattern = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

/** The limits of one event; texts that come from people (labels, user agent, ip) are cut, not refused. */
export const auditLimits = {
  actionLength: 128,
  identifierLength: 256,
  labelLength: 512,
  userAgentLength: 512,
  ipLength: 64,
  /** Bytes of the details' JSON, after redaction. */
  detailsBytes: 16_384,
  pageSize: 500,
  /**
   * The youngest events an operator may delete are this old: six months, the floor the French guidance on
   * security logs asks for (ANSSI; the CNIL recommends six months to a year).
   */
  minimumRetentionDays: 180,
  organisationIds: 1000,
} as const;

const defaultExportBatchSize = 500;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const actionPrefixPattern = /^[a-z0-9_.]+$/;
/**
 * Keys that name a secret, compared in lower case without `-` and `_`. Counts and limits of model tokens
 * (`promptTokens`, `tokenCount`, `tokensPerMinute`) are facts, not secrets, and are kept.
 */
const secretKeyPattern = /password|passwd|passphrase|secret|token|apikey|privatekey|authorization|cookie/;
const tokenCountPattern = /tokens(per[a-z]+)?$|tokencount$/;

/** Whether a details key names a secret, which the audit log drops before storing. */
export function isSecretDetailKey(key: string): boolean {
  const normalised = key.toLowerCase().replace(/[-_]/g, '');
  return secretKeyPattern.test(normalised) && !tokenCountPattern.test(normalised);
}

/**
 * The audit log over the `platform_audit_events` table. It only ever inserts and reads: the table's
 * triggers refuse updates and deletes on both databases.
 */
export function createAuditLog(deps: AuditLogDependencies): AuditLog {
  const repository = createAuditRepository({ executor: deps.database.executor });
  const logger = deps.logger.child({ component: 'audit' });
  const exportBatchSize = deps.exportBatchSize ?? defaultExportBatchSize;
  if (!Number.isInteger(exportBatchSize) || exportBatchSize < 1) {
    throw new RangeError(`exportBatchSize must be a whole number of at least 1, got ${exportBatchSize}`);
  }

  function toRow(event: AuditEventInput): AuditEventRow {
    const action = checkAction(event.action);
    if (!(auditOutcomes as readonly unknown[]).includes(event.outcome)) {
      throw auditErrors.create('AUDIT_OUTCOME_INVALID', { outcome: String(event.outcome) });
    }
    const actor = event.actor as AuditActor | undefined;
    if (typeof actor !== 'object' || actor === null) {
      throw auditErrors.create('AUDIT_EVENT_INVALID', {
        field: 'actor',
        max: auditLimits.identifierLength,
        reason: 'an actor is required (systemAuditActor for Bureau itself)',
      });
    }
    const target = event.target ?? null;
    const details = serialiseDetails(event.details, action);
    return {
      id: deps.newId(),
      occurred_at: deps.clock.now().toISOString(),
      action,
      outcome: event.outcome,
      actor_user_id: identifier(actor.userId, 'actor.userId'),
      actor_api_key_id: identifier(actor.apiKeyId, 'actor.apiKeyId'),
      actor_label: freeText(actor.label, 'actor.label', auditLimits.labelLength),
      actor_system: actor.system === true ? 1 : 0,
      ip: freeText(actor.ip, 'actor.ip', auditLimits.ipLength),
      user_agent: freeText(actor.userAgent, 'actor.userAgent', auditLimits.userAgentLength),
      target_type: target === null ? null : requiredIdentifier(target.type, 'target.type'),
      target_id: target === null ? null : requiredIdentifier(target.id, 'target.id'),
      target_label: target === null ? null : freeText(target.label, 'target.label', auditLimits.labelLength),
      organisation_id: identifier(event.organisationId, 'organisationId'),
      details,
    };
  }

  /** Drops secret-looking keys (warning the developer), checks the size, returns the JSON text. */
  function serialiseDetails(details: AuditEventInput['details'], action: string): string {
    if (details === undefined || details === null) return '{}';
    if (typeof details !== 'object' || Array.isArray(details)) {
      throw auditErrors.create('AUDIT_DETAILS_INVALID', { reason: 'details must be a plain object' });
    }
    let plain: unknown;
    try {
      // Through JSON once, so that what is checked and stored is exactly what serialises (dates become
      // strings, undefined and functions vanish); BigInts and cycles throw here.
      plain = JSON.parse(JSON.stringify(details)) as unknown;
    } catch (error) {
      throw auditErrors.create(
        'AUDIT_DETAILS_INVALID',
        { reason: error instanceof Error ? error.message : String(error) },
        { cause: error },
      );
    }
    const dropped: string[] = [];
    const json = JSON.stringify(redact(plain, '', dropped));
    if (dropped.length > 0) {
      logger.warn({ action, droppedKeys: dropped }, 'audit event details named secrets: those keys were not stored');
    }
    const size = Buffer.byteLength(json, 'utf8');
    if (size > auditLimits.detailsBytes) {
      throw auditErrors.create('AUDIT_DETAILS_TOO_LARGE', { size, max: auditLimits.detailsBytes });
    }
    return json;
  }

  return {
    async record(event, options = {}) {
      const row = toRow(event);
      await repository.insert(row, options.context?.executor);
      logger.debug({ auditId: row.id, action: row.action, outcome: row.outcome }, 'audit event recorded');
    },

    async query(query) {
      const filter = checkQuery(query);
      if (query.cursor !== undefined && (typeof query.cursor !== 'string' || !uuidPattern.test(query.cursor))) {
        throw auditErrors.create('AUDIT_QUERY_INVALID', {
          field: 'cursor',
          reason: 'not the nextCursor of a previous page',
        });
      }
      if (typeof query.limit !== 'number' || Number.isNaN(query.limit)) {
        throw auditErrors.create('AUDIT_QUERY_INVALID', { field: 'limit', reason: 'not a number' });
      }
      const size = Math.min(Math.max(Math.trunc(query.limit), 1), auditLimits.pageSize);
      const rows = await repository.listNewestFirst(filter, { limit: size + 1, before: query.cursor?.toLowerCase() });
      const items = rows.slice(0, size).map(toEvent);
      return { items, nextCursor: rows.length > size ? (items.at(-1)?.id ?? null) : null } satisfies AuditPage;
    },

    async purgeBefore(before, actor) {
      const limit = deps.clock.now().getTime() - auditLimits.minimumRetentionDays * 86_400_000;
      if (Number.isNaN(before.getTime()) || before.getTime() > limit) {
        throw auditErrors.create('AUDIT_RETENTION_TOO_SHORT', { minimumDays: auditLimits.minimumRetentionDays });
      }
      const cutoff = before.toISOString();
      const deleted = await deps.database.transaction(async (context) => {
        const count = await repository.deleteBefore(cutoff, context.executor);
        await repository.insert(
          toRow({
            action: 'platform.audit.purged',
            outcome: 'success',
            actor,
            details: { before: cutoff, deleted: count },
          }),
          context.executor,
        );
        return count;
      });
      logger.info({ before: cutoff, deleted }, 'audit events past their retention deleted');
      return deleted;
    },

    exportJsonLines(query) {
      // Checked at once, so that a bad query fails before the caller starts a response.
      const filter = checkQuery(query);
      return (async function* lines() {
        let after: string | undefined;
        for (;;) {
          const rows = await repository.listOldestFirst(filter, { limit: exportBatchSize, after });
          for (const row of rows) yield `${JSON.stringify(toEvent(row))}\n`;
          if (rows.length < exportBatchSize) return;
          after = rows.at(-1)?.id;
        }
      })();
    },
  };
}

function checkAction(action: unknown): string {
  if (typeof action !== 'string' || action.length > auditLimits.actionLength || !auditActionPattern.test(action)) {
    throw auditErrors.create('AUDIT_ACTION_INVALID', {
      action: typeof action === 'string' ? action.slice(0, auditLimits.actionLength) : String(action),
      max: auditLimits.actionLength,
    });
  }
  return action;
}

/** An identifier given by code: refused when it is not a non-empty text of bounded length. */
function identifier(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  return requiredIdentifier(value, field);
}

function requiredIdentifier(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > auditLimits.identifierLength) {
    throw auditErrors.create('AUDIT_EVENT_INVALID', {
      field,
      max: auditLimits.identifierLength,
      reason: typeof value === 'string' ? `length ${value.length}` : `not a string but ${typeof value}`,
    });
  }
  return clean(value);
}

/**
 * A text that comes from people or their software (a label, a user agent, an address): cut to `max`
 * characters rather than refused, so that no one keeps an event out of the log by sending a long header.
 */
function freeText(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw auditErrors.create('AUDIT_EVENT_INVALID', { field, max, reason: `not a string but ${typeof value}` });
  }
  const text = clean(value);
  if (text.length <= max) return text;
  // Not in the middle of a surrogate pair.
  return text
    .slice(0, max)
    .toWellFormed()
    .replace(/\uFFFD$/, '');
}

/** PostgreSQL stores neither NUL characters nor lone surrogates (in text or jsonb): they are dropped. */
function clean(text: string): string {
  return text.replaceAll('\u0000', '').toWellFormed();
}

/** A copy of a JSON value without secret-named keys, whose paths are added to `dropped`. */
function redact(value: unknown, path: string, dropped: string[]): unknown {
  if (typeof value === 'string') return clean(value);
  if (Array.isArray(value)) return value.map((item, index) => redact(item, `${path}[${index}]`, dropped));
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path === '' ? key : `${path}.${key}`;
    if (isSecretDetailKey(key)) {
      dropped.push(itemPath);
      continue;
    }
    copy[clean(key)] = redact(item, itemPath, dropped);
  }
  return copy;
}

function checkQuery(query: AuditQuery): AuditFilter {
  const text = (value: unknown, field: string, max: number = auditLimits.identifierLength): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length === 0 || value.length > max) {
      throw auditErrors.create('AUDIT_QUERY_INVALID', { field, reason: `expected a text of 1 to ${max} characters` });
    }
    return value;
  };
  const instant = (value: unknown, field: string): string | undefined => {
    if (value === undefined) return undefined;
    const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(time)) {
      throw auditErrors.create('AUDIT_QUERY_INVALID', { field, reason: 'expected an ISO-8601 instant' });
    }
    // SQLite compares instants as text: only the exact shape of toISOString sorts right.
    return new Date(time).toISOString();
  };

  const actionPrefix = text(query.actionPrefix, 'actionPrefix', auditLimits.actionLength);
  if (actionPrefix !== undefined && !actionPrefixPattern.test(actionPrefix)) {
    throw auditErrors.create('AUDIT_QUERY_INVALID', {
      field: 'actionPrefix',
      reason: 'expected lower-case letters, digits, _ and .',
    });
  }
  if (query.outcome !== undefined && !auditOutcomes.includes(query.outcome)) {
    throw auditErrors.create('AUDIT_QUERY_INVALID', {
      field: 'outcome',
      reason: 'expected success, failure or denied',
    });
  }
  const organisationIds = query.organisationIds;
  if (organisationIds !== undefined) {
    if (!Array.isArray(organisationIds) || organisationIds.length > auditLimits.organisationIds) {
      throw auditErrors.create('AUDIT_QUERY_INVALID', {
        field: 'organisationIds',
        reason: `expected a list of at most ${auditLimits.organisationIds} ids`,
      });
    }
    organisationIds.forEach((id, index) => text(id, `organisationIds[${index}]`));
  }
  return {
    action: text(query.action, 'action', auditLimits.actionLength),
    actionPrefix,
    outcome: query.outcome,
    actorUserId: text(query.actorUserId, 'actorUserId'),
    targetType: text(query.targetType, 'targetType'),
    targetId: text(query.targetId, 'targetId'),
    organisationIds,
    since: instant(query.since, 'since'),
    until: instant(query.until, 'until'),
  };
}

function toEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    action: row.action,
    outcome: row.outcome,
    actor: {
      userId: row.actor_user_id,
      apiKeyId: row.actor_api_key_id,
      label: row.actor_label,
      ip: row.ip,
      userAgent: row.user_agent,
      system: Boolean(row.actor_system),
    },
    target:
      row.target_type === null || row.target_id === null
        ? null
        : { type: row.target_type, id: row.target_id, label: row.target_label },
    organisationId: row.organisation_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
