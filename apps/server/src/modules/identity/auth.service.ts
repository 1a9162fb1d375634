import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuditActor, AuditLog } from '../../platform/audit/audit-log.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, TransactionContext } from '../../platform/db/database.ts';
import type { EventBus } from '../../platform/events.ts';
import type { IdGenerator } from '../../platform/ids.ts';
import { credentialsRepository, type ApiKeyRow, type SessionRow } from './credentials.repository.ts';
import { directoryRepository, type UserRow } from './directory.repository.ts';
import { normaliseEmail } from './directory.service.ts';
import { identityErrors } from './identity.errors.ts';
import { verifyAgainstDecoy, verifyPassword } from './password.ts';

/** Scopes an API key may carry. A session has every right of its user; a key only those of its scopes. */
export const apiKeyScopes = ['ai', 'chat', 'docs:read', 'docs:write', 'files', 'procedures', 'admin'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

export interface SessionSettings {
  /** A session unused for this long ends. */
  idleTimeoutMs: number;
  /** A session ends this long after sign-in, used or not. */
  maxAgeMs: number;
}

export interface AuthServiceDependencies {
  database: Database;
  clock: Clock;
  newId: IdGenerator;
  events: EventBus;
  audit: AuditLog;
  sessions: SessionSettings;
}

/** How a request proved who it is. */
export type Credential =
  | { kind: 'session'; session: SessionRow; csrfToken: string }
  | { kind: 'api-key'; apiKey: ApiKeyRow; scopes: readonly string[] };

export interface Authentication {
  user: UserRow;
  credential: Credential;
}

// --- OIDC (see oidc.service.ts): what a session opened by single sign-on remembers. ---

/** For a session opened by OIDC: what logout needs (RP-initiated with `id_token_hint`, back-channel by sid/sub). */
export interface OidcSessionData {
  issuer: string;
  subject: string;
  sid: string | null;
  idToken: string;
}

export interface OpenSessionOptions {
  /** The session is opened by OIDC single sign-on. */
  oidc?: OidcSessionData;
  /** Opens the session inside this transaction (e.g. the one that links an identity to the account). */
  context?: TransactionContext;
}

/**
 * A password sign-in that proves an existing account in order to link an OIDC identity to it: `attach`
 * runs in the transaction that opens the session, which is then an OIDC session.
 */
export interface PasswordProofOfAccount {
  oidc: OidcSessionData;
  attach(user: UserRow, context: TransactionContext): Promise<void>;
}

// --- end OIDC ---

/** Failed sign-ins allowed before the account is locked; each further failure doubles the lock. */
const freeFailures = 5;
const firstLockMs = 60_000;
const longestLockMs = 60 * 60_000;
/** last_seen_at is written at most this often, so that reading pages does not write at every request. */
const touchIntervalMs = 60_000;

const apiKeyPattern = /^bk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** The CSRF token of a session: derived from its secret, so nothing more is stored. */
export function csrfTokenOf(sessionToken: string): string {
  return sha256(`csrf:${sessionToken}`);
}

/** A new API key: `bk_<prefix>_<secret>`; only the hash of the secret part is stored. */
export function newApiKeySecret(): { prefix: string; secretHash: string; secret: string } {
  const prefix = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const secretPart = randomBytes(32).toString('base64url');
  return { prefix, secretHash: sha256(secretPart), secret: `bk_${prefix}_${secretPart}` };
}

function isActive(user: UserRow): boolean {
  return user.status === 'active';
}

/**
 * Sign-in with a password (with lockout after repeated failures), server-side sessions with idle and
 * absolute timeouts, and API keys (hashed at rest, scoped, expiring, revocable).
 */
export function createAuthService(deps: AuthServiceDependencies) {
  const now = () => deps.clock.now();

  function sessionExpiry(session: { created_at: string }, lastSeen: Date): string {
    const idleEnd = lastSeen.getTime() + deps.sessions.idleTimeoutMs;
    const absoluteEnd = new Date(session.created_at).getTime() + deps.sessions.maxAgeMs;
    return new Date(Math.min(idleEnd, absoluteEnd)).toISOString();
  }

  async function openSession(
    user: UserRow,
    method: string,
    actor: AuditActor,
    options: OpenSessionOptions = {},
  ): Promise<{ token: string; session: SessionRow }> {
    const token = randomBytes(32).toString('base64url');
    const at = now();
    const createdAt = at.toISOString();
    const session: SessionRow = {
      id: deps.newId(),
      token_hash: sha256(token),
      user_id: user.id,
      method,
      ip: actor.ip ?? null,
      user_agent: actor.userAgent?.slice(0, 512) ?? null,
      created_at: createdAt,
      last_seen_at: createdAt,
      expires_at: sessionExpiry({ created_at: createdAt }, at),
      revoked_at: null,
      oidc_issuer: options.oidc?.issuer ?? null,
      oidc_sid: options.oidc?.sid ?? null,
      oidc_subject: options.oidc?.subject ?? null,
      id_token: options.oidc?.idToken ?? null,
    };
    await deps.database.transaction(async (context) => {
      await credentialsRepository(context.executor).insertSession(session);
      await directoryRepository(context.executor).updateUser(user.id, {
        failed_logins: 0,
        locked_until: null,
        last_login_at: createdAt,
      });
      await deps.audit.record(
        {
          action: 'identity.login.succeeded',
          outcome: 'success',
          actor: { ...actor, userId: user.id, label: user.email },
          target: { type: 'identity.session', id: session.id },
          organisationId: user.organisation_id,
          details: { method, ...(options.oidc ? { issuer: options.oidc.issuer } : {}) },
        },
        { context },
      );
      deps.events.publish(context, 'identity.session.created', {
        userId: user.id,
        sessionId: session.id,
        method,
        ip: session.ip,
        userAgent: session.user_agent,
      });
    }, options.context);
    return { token, session };
  }

  async function recordFailure(user: UserRow | undefined, email: string, actor: AuditActor, reason: string) {
    const at = now();
    if (user) {
      const failures = user.failed_logins + 1;
      const lockMs =
        failures >= freeFailures ? Math.min(firstLockMs * 2 ** (failures - freeFailures), longestLockMs) : 0;
      await directoryRepository(deps.database.executor).updateUser(user.id, {
        failed_logins: failures,
        locked_until: lockMs > 0 ? new Date(at.getTime() + lockMs).toISOString() : user.locked_until,
      });
    }
    await deps.audit.record({
      action: 'identity.login.failed',
      outcome: 'failure',
      actor: { ...actor, userId: user?.id ?? null, label: email },
      target: user ? { type: 'identity.user', id: user.id, label: user.email } : null,
      organisationId: user?.organisation_id ?? null,
      details: { method: 'password', reason },
    });
  }

  /**
   * The account of `email` when `password` is its password and the account is active; otherwise the
   * failure is counted (lockout) and audited, and IDENTITY_INVALID_CREDENTIALS (or _ACCOUNT_LOCKED) thrown.
   * Opens nothing: callers open their own kind of session (a web session, a Matrix device...).
   */
  async function checkPassword(input: { email: string; password: string }, actor: AuditActor): Promise<UserRow> {
    const email = normaliseEmail(input.email);
    const user = await directoryRepository(deps.database.executor).getUserByEmail(email);
    if (user?.locked_until && new Date(user.locked_until) > now()) {
      await deps.audit.record({
        action: 'identity.login.failed',
        outcome: 'denied',
        actor: { ...actor, userId: user.id, label: email },
        target: { type: 'identity.user', id: user.id, label: email },
        organisationId: user.organisation_id,
        details: { method: 'password', reason: 'locked' },
      });
      const retryAfterSeconds = Math.ceil((new Date(user.locked_until).getTime() - now().getTime()) / 1000);
      throw identityErrors.create('IDENTITY_ACCOUNT_LOCKED', { retryAfterSeconds });
    }
    const isValid =
      user?.password_hash != null
        ? await verifyPassword(input.password, user.password_hash)
        : await verifyAgainstDecoy(input.password);
    if (!user || !isValid || !isActive(user)) {
      await recordFailure(user, email, actor, !user ? 'unknown-email' : !isValid ? 'wrong-password' : 'deactivated');
      throw identityErrors.create('IDENTITY_INVALID_CREDENTIALS');
    }
    if (user.failed_logins > 0 || user.locked_until !== null) {
      await directoryRepository(deps.database.executor).updateUser(user.id, { failed_logins: 0, locked_until: null });
    }
    return user;
  }

  return {
    openSession,
    checkPassword,

    /**
     * Checks an e-mail and password and opens a session. Unknown address, wrong password and
     * deactivated account all answer IDENTITY_INVALID_CREDENTIALS (in the same time); a locked account
     * answers IDENTITY_ACCOUNT_LOCKED with the wait. With `proof`, the password proves the account to
     * link an OIDC identity to it (see PasswordProofOfAccount).
     */
    async loginWithPassword(
      input: { email: string; password: string },
      actor: AuditActor,
      proof?: PasswordProofOfAccount,
    ): Promise<{ token: string; session: SessionRow; user: UserRow }> {
      const user = await checkPassword(input, actor);
      const { token, session } = proof
        ? await deps.database.transaction(async (context) => {
            await proof.attach(user, context);
            return openSession(user, 'oidc', actor, { oidc: proof.oidc, context });
          })
        : await openSession(user, 'password', actor);
      return { token, session, user };
    },

    /** The session of a cookie, or undefined when unknown, revoked, expired, or its user deactivated. */
    async authenticateSession(token: string): Promise<Authentication | undefined> {
      const credentials = credentialsRepository(deps.database.executor);
      const session = await credentials.sessionByTokenHash(sha256(token));
      const at = now();
      if (!session || session.revoked_at !== null || new Date(session.expires_at) <= at) return undefined;
      const user = await directoryRepository(deps.database.executor).getUser(session.user_id);
      if (!user || !isActive(user)) return undefined;
      if (at.getTime() - new Date(session.last_seen_at).getTime() >= touchIntervalMs) {
        const expiresAt = sessionExpiry(session, at);
        await credentials.touchSession(session.id, at.toISOString(), expiresAt);
        session.last_seen_at = at.toISOString();
        session.expires_at = expiresAt;
      }
      return { user, credential: { kind: 'session', session, csrfToken: csrfTokenOf(token) } };
    },

    async logout(session: SessionRow, actor: AuditActor): Promise<void> {
      await credentialsRepository(deps.database.executor).revokeSession(
        session.user_id,
        session.id,
        now().toISOString(),
      );
      await deps.audit.record({
        action: 'identity.logout',
        outcome: 'success',
        actor,
        target: { type: 'identity.session', id: session.id },
      });
    },

    listSessions: (userId: string) =>
      credentialsRepository(deps.database.executor).activeSessions(userId, now().toISOString()),

    async revokeSession(userId: string, sessionId: string, actor: AuditActor): Promise<void> {
      const revoked = await credentialsRepository(deps.database.executor).revokeSession(
        userId,
        sessionId,
        now().toISOString(),
      );
      if (!revoked) throw identityErrors.create('IDENTITY_SESSION_NOT_FOUND', { sessionId });
      await deps.audit.record({
        action: 'identity.session.revoked',
        outcome: 'success',
        actor,
        target: { type: 'identity.session', id: sessionId },
      });
    },

    /** Creates a key for the user; the secret is in the result only, never stored or shown again. */
    async createUserApiKey(
      user: UserRow,
      input: { name: string; scopes: readonly ApiKeyScope[]; expiresAt?: string | null },
      actor: AuditActor,
    ): Promise<{ secret: string; apiKey: ApiKeyRow }> {
      const { prefix, secretHash, secret } = newApiKeySecret();
      if (input.expiresAt != null && new Date(input.expiresAt) <= now()) {
        throw identityErrors.create('IDENTITY_EXPIRY_IN_PAST');
      }
      const apiKey: ApiKeyRow = {
        id: deps.newId(),
        prefix,
        secret_hash: secretHash,
        name: input.name,
        owner_user_id: user.id,
        owner_organisation_id: null,
        scopes: JSON.stringify([...new Set(input.scopes)]),
        created_by: user.id,
        created_at: now().toISOString(),
        expires_at: input.expiresAt == null ? null : new Date(input.expiresAt).toISOString(),
        last_used_at: null,
        revoked_at: null,
      };
      await deps.database.transaction(async (context) => {
        await credentialsRepository(context.executor).insertApiKey(apiKey);
        await deps.audit.record(
          {
            action: 'identity.api_key.created',
            outcome: 'success',
            actor,
            target: { type: 'identity.api_key', id: apiKey.id, label: apiKey.name },
            organisationId: user.organisation_id,
            details: { scopes: input.scopes, expiresAt: apiKey.expires_at },
          },
          { context },
        );
      });
      return { secret, apiKey };
    },

    listUserApiKeys: (userId: string) => credentialsRepository(deps.database.executor).apiKeysOfUser(userId),

    async revokeUserApiKey(userId: string, apiKeyId: string, actor: AuditActor): Promise<void> {
      const revoked = await credentialsRepository(deps.database.executor).revokeApiKey(
        apiKeyId,
        userId,
        now().toISOString(),
      );
      if (!revoked) throw identityErrors.create('IDENTITY_API_KEY_NOT_FOUND', { apiKeyId });
      await deps.audit.record({
        action: 'identity.api_key.revoked',
        outcome: 'success',
        actor,
        target: { type: 'identity.api_key', id: apiKeyId },
      });
    },

    /** The user of a bearer API key, or undefined when malformed, unknown, revoked, expired or deactivated. */
    async authenticateApiKey(secret: string): Promise<Authentication | undefined> {
      const match = apiKeyPattern.exec(secret);
      if (!match?.[1] || !match[2]) return undefined;
      const credentials = credentialsRepository(deps.database.executor);
      const apiKey = await credentials.apiKeyByPrefix(match[1]);
      if (!apiKey) return undefined;
      const expected = Buffer.from(apiKey.secret_hash);
      const given = Buffer.from(sha256(match[2]));
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
      const at = now();
      if (apiKey.revoked_at !== null || (apiKey.expires_at !== null && new Date(apiKey.expires_at) <= at)) {
        return undefined;
      }
      // A user's key acts as its user; an organisation's service key as the key's service account.
      if (apiKey.owner_user_id === null) return undefined;
      const user = await directoryRepository(deps.database.executor).getUser(apiKey.owner_user_id);
      if (!user || !isActive(user)) return undefined;
      if (apiKey.last_used_at === null || at.getTime() - new Date(apiKey.last_used_at).getTime() >= touchIntervalMs) {
        await credentials.markApiKeyUsed(apiKey.id, at.toISOString());
      }
      return {
        user,
        credential: { kind: 'api-key', apiKey, scopes: JSON.parse(apiKey.scopes) as string[] },
      };
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
