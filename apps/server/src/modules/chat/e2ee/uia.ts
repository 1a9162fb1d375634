import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { AppError } from '../../../platform/errors.ts';
import type { HttpServer } from '../../../platform/http/http-server.ts';
import type { ChatAccounts, MatrixPrincipal } from '../accounts.ts';
import type { ChatIdentity } from '../client.routes.ts';
import { matrixError } from '../matrix-errors.ts';
import { parseMatrix } from '../matrix-validation.ts';
import type { E2eeTables, UiaSessionRow } from './e2ee.tables.ts';

/** The stages Bureau offers: the account's password, or Bureau's own sign-in (for accounts without one). */
export const uiaStages = { password: 'm.login.password', sso: 'm.login.sso' } as const;

const flows = [{ stages: [uiaStages.password] }, { stages: [uiaStages.sso] }];

/** What a user confirms with user-interactive authentication: one operation, described to them. */
export interface UiaOperation {
  /** Identifies the operation (method and route); a session authorises this operation only. */
  readonly action: string;
  /** Shown on the single sign-on confirmation page. */
  readonly description: { readonly fr: string; readonly en: string };
}

export interface UiaDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly identity: ChatIdentity;
  readonly accounts: ChatAccounts;
  /** How long a session may take to complete (30 minutes by default). */
  readonly sessionLifetimeMs?: number;
}

const authSchema = z
  .object({
    type: z.string().max(255).optional(),
    session: z.string().max(255).optional(),
    password: z.string().max(1024).optional(),
    user: z.string().max(320).optional(),
    identifier: z
      .object({
        type: z.string().max(64),
        user: z.string().max(320).optional(),
        medium: z.string().max(64).optional(),
        address: z.string().max(320).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

// The fallback page's end (client-server-api § "Fallback"): tells the client the stage is complete.
const authDoneScript =
  'if (window.onAuthDone) { window.onAuthDone(); } ' +
  'else if (window.opener && window.opener.postMessage) { window.opener.postMessage("authDone", "*"); }';
const authDoneScriptHash = `sha256-${createHash('sha256').update(authDoneScript).digest('base64')}`;

/**
 * User-interactive authentication (client-server-api § "User-Interactive Authentication API") for the
 * operations that need the user to prove who they are again: deleting devices, replacing cross-signing
 * keys... One flow per stage: `m.login.password` (checked by Bureau's identity module, with its lockout)
 * or `m.login.sso` for accounts without a password, completed on the fallback page by a browser signed in
 * to Bureau as the same user. Sessions live in the database (any process can serve any step), expire, and
 * authorise one operation once.
 */
export function createUserInteractiveAuth(deps: UiaDependencies) {
  const tables = () => deps.database.executor.withTables<E2eeTables>();
  const lifetimeMs = deps.sessionLifetimeMs ?? 30 * 60_000;
  const now = () => deps.clock.now().toISOString();

  function completedOf(session: UiaSessionRow): string[] {
    const parsed = JSON.parse(session.completed) as unknown;
    return Array.isArray(parsed) ? parsed.filter((stage): stage is string => typeof stage === 'string') : [];
  }

  /**
   * The 401 answer. The first one carries no `errcode` (clients would show it as a failed attempt): the
   * extra top-level fields replace the presenter's `errcode` and `error`, and undefined ones are dropped.
   */
  function challenge(sessionId: string, completed?: readonly string[], failure?: { errcode: string; error: string }) {
    return matrixError('M_UNAUTHORIZED', undefined, {
      errcode: failure?.errcode,
      error: failure?.error,
      flows,
      params: {},
      session: sessionId,
      ...(completed ? { completed } : {}),
    });
  }

  async function openSession(principal: MatrixPrincipal, operation: UiaOperation): Promise<string> {
    const sessionId = randomBytes(18).toString('base64url');
    const at = deps.clock.now();
    await tables().deleteFrom('chat_uia_sessions').where('expires_at', '<', at.toISOString()).execute();
    await tables()
      .insertInto('chat_uia_sessions')
      .values({
        session_id: sessionId,
        matrix_id: principal.userId,
        action: operation.action,
        description: JSON.stringify(operation.description),
        completed: '[]',
        created_at: at.toISOString(),
        expires_at: new Date(at.getTime() + lifetimeMs).toISOString(),
      })
      .execute();
    return sessionId;
  }

  async function findSession(sessionId: string): Promise<UiaSessionRow | undefined> {
    return tables()
      .selectFrom('chat_uia_sessions')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('expires_at', '>', now())
      .executeTakeFirst();
  }

  async function complete(session: UiaSessionRow, stage: string): Promise<string[]> {
    const completed = [...new Set([...completedOf(session), stage])];
    await tables()
      .updateTable('chat_uia_sessions')
      .set({ completed: JSON.stringify(completed) })
      .where('session_id', '=', session.session_id)
      .execute();
    return completed;
  }

  function isFlowComplete(completed: readonly string[]): boolean {
    return flows.some((flow) => flow.stages.every((stage) => completed.includes(stage)));
  }

  /** Whether the password stage's identifier names the signed-in user (or is absent). */
  function identifiesPrincipal(principal: MatrixPrincipal, auth: z.output<typeof authSchema>, email: string): boolean {
    const identifier =
      auth.identifier ?? (auth.user !== undefined ? { type: 'm.id.user', user: auth.user } : undefined);
    if (!identifier) return true;
    if (identifier.type === 'm.id.user' && identifier.user !== undefined) {
      const name = identifier.user;
      return name === principal.userId || name.toLowerCase() === principal.account.localpart;
    }
    if (identifier.type === 'm.id.thirdparty' && identifier.medium === 'email' && identifier.address !== undefined) {
      return identifier.address.trim().toLowerCase() === email.toLowerCase();
    }
    return false;
  }

  async function checkPassword(
    request: FastifyRequest,
    principal: MatrixPrincipal,
    auth: z.output<typeof authSchema>,
  ): Promise<boolean> {
    const user = await deps.identity.getUser(principal.account.user_id);
    if (!user || auth.password === undefined) return false;
    if (!identifiesPrincipal(principal, auth, user.email)) return false;
    try {
      const checked = await deps.identity.checkPassword(user.email, auth.password, request);
      return checked.id === principal.account.user_id;
    } catch (error) {
      if (error instanceof AppError && error.code === 'IDENTITY_ACCOUNT_LOCKED') {
        const seconds = Number(error.details?.['retryAfterSeconds'] ?? 60);
        throw matrixError('M_LIMIT_EXCEEDED', undefined, { retry_after_ms: seconds * 1000 });
      }
      if (error instanceof AppError && error.code === 'IDENTITY_INVALID_CREDENTIALS') return false;
      throw error;
    }
  }

  async function requireAuthentication(
    request: FastifyRequest,
    principal: MatrixPrincipal,
    auth: unknown,
    operation: UiaOperation,
  ): Promise<void> {
    if (auth === undefined || auth === null) throw challenge(await openSession(principal, operation));
    const parsed = parseMatrix(authSchema, auth);
    const found = parsed.session !== undefined ? await findSession(parsed.session) : undefined;
    // An unknown or expired session starts over (the attempt is made in the new session).
    const session =
      found?.matrix_id === principal.userId ? found : await findSession(await openSession(principal, operation));
    if (!session) throw new Error('The new user-interactive authentication session is missing');
    if (session.action !== operation.action) {
      throw matrixError('M_FORBIDDEN', { reason: 'this authentication session was started for another operation' });
    }
    let completed = completedOf(session);
    if (parsed.type === uiaStages.password) {
      if (!(await checkPassword(request, principal, parsed))) {
        throw challenge(session.session_id, completed, {
          errcode: 'M_FORBIDDEN',
          error: 'Mot de passe incorrect. / Invalid password.',
        });
      }
      completed = await complete(session, uiaStages.password);
    } else if (parsed.type !== undefined && parsed.type !== uiaStages.sso) {
      throw challenge(session.session_id, completed, {
        errcode: 'M_UNRECOGNIZED',
        error: `Étape d’authentification inconnue. / Unknown authentication stage ${parsed.type.slice(0, 60)}.`,
      });
    }
    // m.login.sso (or a bare session): completed on the fallback page, or not yet.
    if (!isFlowComplete(completed)) throw challenge(session.session_id, completed);
    // Done: the session authorised this operation and cannot authorise another one.
    await tables().deleteFrom('chat_uia_sessions').where('session_id', '=', session.session_id).execute();
  }

  function page(reply: FastifyReply, status: number, title: string, body: string, withScript = false) {
    const policy = [
      "default-src 'none'",
      withScript ? `script-src '${authDoneScriptHash}'` : "script-src 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; ');
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .header('content-security-policy', policy)
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
          `<body><main>${body}</main>${withScript ? `<script>${authDoneScript}</script>` : ''}</body></html>`,
      );
  }

  /**
   * The session of the fallback page, when the browser is signed in to Bureau as its user; otherwise the
   * answer (sign in first, unknown session, another user) has been sent.
   */
  async function fallbackSession(request: FastifyRequest, reply: FastifyReply): Promise<UiaSessionRow | undefined> {
    const query = parseMatrix(z.object({ session: z.string().min(1).max(255) }), request.query, 'query');
    const session = await findSession(query.session);
    if (!session) {
      await page(
        reply,
        400,
        'Session expirée',
        '<h1>Session inconnue ou expirée</h1><p>Recommencez depuis votre application.</p>' +
          '<p lang="en">Unknown or expired session: start again from your application.</p>',
      );
      return undefined;
    }
    const user = deps.identity.sessionUser(request);
    if (!user) {
      await reply.redirect(`/connexion?retour=${encodeURIComponent(request.url)}`, 302);
      return undefined;
    }
    const account = await deps.accounts.accountOfUser(user.id);
    if (account?.matrix_id !== session.matrix_id) {
      await page(
        reply,
        403,
        'Autre compte',
        '<h1>Vous êtes connecté avec un autre compte</h1><p>Connectez-vous à Bureau avec le compte de la messagerie qui demande cette confirmation.</p>' +
          '<p lang="en">You are signed in to Bureau with another account than the one asking for this confirmation.</p>',
      );
      return undefined;
    }
    return session;
  }

  function registerFallbackRoutes(http: HttpServer): void {
    const path = `/_matrix/client/v3/auth/${uiaStages.sso}/fallback/web`;
    const hidden = { schema: { hide: true } } as const;
    http.get(path, hidden, async (request, reply) => {
      const session = await fallbackSession(request, reply);
      if (!session) return reply;
      const description = JSON.parse(session.description) as { fr: string; en: string };
      const action = `?session=${encodeURIComponent(session.session_id)}`;
      // A confirmation, not an automatic completion: a link alone must not approve someone else's request.
      return page(
        reply,
        200,
        'Confirmer votre identité',
        `<h1>Confirmer votre identité</h1><p>Votre application de messagerie demande à ${escapeHtml(description.fr)}.</p>` +
          `<p lang="en">Your chat application asks to ${escapeHtml(description.en)}.</p>` +
          `<form method="post" action="${escapeHtml(action)}"><button type="submit">Confirmer / Confirm</button></form>`,
      );
    });
    http.post(path, hidden, async (request, reply) => {
      const session = await fallbackSession(request, reply);
      if (!session) return reply;
      await complete(session, uiaStages.sso);
      return page(
        reply,
        200,
        'Identité confirmée',
        '<h1>Identité confirmée</h1><p>Vous pouvez revenir à votre application.</p>' +
          '<p lang="en">Confirmed: you may go back to your application.</p>',
        true,
      );
    });
  }

  return {
    /**
     * Resolves when `auth` (the `auth` field of the request body) completes a flow for the principal's
     * account and this operation; otherwise throws the spec's 401 (`flows`, `params`, `session`, and
     * `completed` with `errcode` M_FORBIDDEN after a wrong password).
     */
    require: requireAuthentication,
    /** The `m.login.sso` fallback page (GET: confirmation, POST: completes the stage). Registered once. */
    registerFallbackRoutes,
  };
}

export type UserInteractiveAuth = ReturnType<typeof createUserInteractiveAuth>;
