import type { TransactionContext } from '../db/database.ts';

/**
 * Who did something, as far as the request tells: the signed-in user or API key, and where from.
 * Built by the identity module from each request; `system` for what Bureau does by itself.
 */
export interface AuditActor {
  readonly userId?: string | null;
  readonly apiKeyId?: string | null;
  /** What the user was seen as at the time (e-mail), so the record stays readable if the user is deleted. */
  readonly label?: string | null;
  readonly ip?: string | null;
  readonly userAgent?: string | null;
  readonly system?: boolean;
}

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** One security event. `action` is `module.entity.verb` (`identity.login.failed`, `authz.grant.created`...). */
export interface AuditEventInput {
  readonly action: string;
  readonly outcome: AuditOutcome;
  readonly actor: AuditActor;
  readonly target?: { readonly type: string; readonly id: string; readonly label?: string | null } | null;
  /** The organisation the event belongs to, so organisation administrators see their own. */
  readonly organisationId?: string | null;
  /** Facts about the event; never secrets (passwords, tokens, keys). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditEvent extends AuditEventInput {
  readonly id: string;
  readonly occurredAt: string;
}

export interface AuditQuery {
  readonly action?: string;
  /** Every action starting with this prefix, e.g. `identity.login.`. */
  readonly actionPrefix?: string;
  readonly outcome?: AuditOutcome;
  readonly actorUserId?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  readonly organisationIds?: readonly string[];
  readonly since?: string;
  readonly until?: string;
}

export interface AuditPage {
  readonly items: AuditEvent[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

/** The append-only log of security events. Nothing updates or deletes a record through it. */
export interface AuditLog {
  /**
   * Appends an event. With `context`, the event is written in that transaction (it exists only if the
   * action it records committed); without, at once. Refusals are recorded without a context, since the
   * refused operation rolls back.
   */
  record(event: AuditEventInput, options?: { context?: TransactionContext }): Promise<void>;
  /** Newest first, filtered, paginated (`limit` at most 500). */
  query(query: AuditQuery & { limit: number; cursor?: string }): Promise<AuditPage>;
  /** Every matching event, oldest first, one JSON object per line, streamed (for a CSIRT or a SIEM). */
  exportJsonLines(query: AuditQuery): AsyncIterable<string>;
  /**
   * Deletes the events that occurred before `before` (an operator's retention decision, `bureau audit purge`),
   * and records `platform.audit.purged` in the same transaction. `before` must be at least
   * `auditLimits.minimumRetentionDays` ago (AUDIT_RETENTION_TOO_SHORT). How many went.
   */
  purgeBefore(before: Date, actor: AuditEventInput['actor']): Promise<number>;
}
