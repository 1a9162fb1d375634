import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../../platform/audit/audit-log.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, TransactionContext } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { HttpServer } from '../../platform/http/http-server.ts';
import type { ChatAccounts, MatrixPrincipal } from './accounts.ts';
import type { ChatTables } from './chat.tables.ts';
import { matrixError } from './matrix-errors.ts';
import type { MatrixAuthenticator } from './matrix-http.ts';
import { jsonObjectBody, parseMatrix } from './matrix-validation.ts';
import {
  BUILDABLE_ROOM_VERSIONS,
  deleteUserPushRule,
  findPushRule,
  isValidUserId,
  putUserPushRule,
  setPushRuleActions,
  setPushRuleEnabled,
  type PushRuleResult,
  type UserPushRules,
} from './protocol/index.ts';
import type { PushService } from './push.ts';
import type { RoomEngine } from './room-engine.ts';
import { userKey, type StreamNotifier } from './stream.ts';

/** What the client routes need from Bureau's identity module (kept narrow: the chat module is a client of it). */
export interface ChatIdentity {
  /** Checks an e-mail and password (lockout, audit); throws Bureau's identity errors. */
  checkPassword(
    email: string,
    password: string,
    request: FastifyRequest,
  ): Promise<{ id: string; email: string; display_name: string }>;
  /** The user of a Bureau web session cookie, if the request carries one. */
  sessionUser(request: FastifyRequest): { id: string; email: string; display_name: string; kind: string } | undefined;
  getUser(userId: string): Promise<
    | {
        id: string;
        email: string;
        display_name: string;
        status: string;
        kind: string;
        /** The user's organisation unit (whose default sensitivity label new rooms get). */
        organisation_id?: string | null;
      }
    | undefined
  >;
  findUserByEmail(
    email: string,
  ): Promise<{ id: string; email: string; display_name: string; status: string; kind: string } | undefined>;
  /** Whether single sign-on through an OpenID provider is configured (and its name). */
  readonly sso: { readonly name: string } | undefined;
  /** An organisation's default sensitivity label (what resources it creates are labelled), if known. */
  organisationLabel?(organisationId: string): Promise<string | undefined>;
}

export interface ClientRoutesDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly accounts: ChatAccounts;
  readonly authenticate: MatrixAuthenticator;
  readonly identity: ChatIdentity;
  readonly push: PushService;
  readonly rooms: RoomEngine;
  readonly notifier: StreamNotifier;
  readonly serverName: string;
  readonly publicUrl: string;
  readonly defaultRoomVersion: string;
  /** `unstable_features` and `versions` of `/versions`, as implemented features say. */
  readonly versions: { readonly versions: readonly string[]; readonly unstableFeatures: Record<string, boolean> };
}

const c = '/_matrix/client';
const hidden = { schema: { hide: true } } as const;

const identifierSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('m.id.user'), user: z.string().min(1).max(320) }),
  z.object({ type: z.literal('m.id.thirdparty'), medium: z.string(), address: z.string().min(3).max(320) }),
  z.object({ type: z.literal('m.id.phone'), country: z.string(), phone: z.string() }),
]);

const loginSchema = z.object({
  type: z.string(),
  identifier: identifierSchema.optional(),
  user: z.string().max(320).optional(),
  medium: z.string().optional(),
  address: z.string().max(320).optional(),
  password: z.string().max(1024).optional(),
  token: z.string().max(512).optional(),
  device_id: z.string().min(1).max(255).optional(),
  initial_device_display_name: z.string().max(255).optional(),
  refresh_token: z.boolean().optional(),
});

const openIdQuery = z.object({ access_token: z.string().min(1).max(256) });

function pushResult<T>(result: PushRuleResult<T>): T {
  if (result.ok) return result.value;
  const { errcode: code, error: message } = result.error;
  if (code === 'M_NOT_FOUND') throw matrixError('M_NOT_FOUND', { what: message });
  if (code === 'M_INVALID_PARAM') throw matrixError('M_INVALID_PARAM', { reason: message });
  if (code === 'M_BAD_JSON') throw matrixError('M_BAD_JSON', { reason: message });
  throw matrixError('M_UNKNOWN', { reason: message });
}

function isSameOrigin(url: URL, publicUrl: string): boolean {
  return url.origin === new URL(publicUrl).origin;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * The account-level endpoints of the client-server API: discovery (`/versions`, `.well-known`), login
 * (password by user ID or by e-mail — Tchap logs in by e-mail —, single sign-on through Bureau's
 * sign-in and `m.login.token`), logout, whoami, capabilities, push rules, filters, account data, profiles,
 * registration (closed: accounts come from Bureau's directory), and Tchap's identity lookup and password
 * policy.
 */
export function registerClientRoutes(http: HttpServer, deps: ClientRoutesDeps): void {
  const tables = () => deps.database.executor.withTables<ChatTables>();
  const baseUrl = deps.publicUrl;
  // OpenID tokens live one hour in this process (a restart asks widgets for a new one).
  const openIdTokens = new Map<string, { userId: string; expiresAt: number }>();

  http.get('/_matrix/client/versions', hidden, () => ({
    versions: deps.versions.versions,
    unstable_features: deps.versions.unstableFeatures,
  }));

  http.get('/.well-known/matrix/client', hidden, () => ({ 'm.homeserver': { base_url: baseUrl } }));

  // --- Login ---------------------------------------------------------------------------------------------------

  http.get(`${c}/v3/login`, hidden, () => ({
    flows: [
      { type: 'm.login.password' },
      { type: 'm.login.token' },
      {
        type: 'm.login.sso',
        identity_providers: deps.identity.sso
          ? [{ id: 'bureau', name: deps.identity.sso.name }]
          : [{ id: 'bureau', name: 'Bureau' }],
      },
    ],
  }));

  async function userForLogin(body: z.output<typeof loginSchema>, request: FastifyRequest) {
    if (body.type === 'm.login.password') {
      if (body.password === undefined) throw matrixError('M_MISSING_PARAM', { param: 'password' });
      const identifier =
        body.identifier ??
        (body.user !== undefined
          ? { type: 'm.id.user' as const, user: body.user }
          : body.medium !== undefined && body.address !== undefined
            ? { type: 'm.id.thirdparty' as const, medium: body.medium, address: body.address }
            : undefined);
      if (!identifier) throw matrixError('M_MISSING_PARAM', { param: 'identifier' });
      let email: string | undefined;
      if (identifier.type === 'm.id.user') {
        const localpart = identifier.user.startsWith('@')
          ? identifier.user.slice(1, identifier.user.includes(':') ? identifier.user.indexOf(':') : undefined)
          : identifier.user;
        const serverOk =
          !identifier.user.startsWith('@') ||
          identifier.user.slice(identifier.user.indexOf(':') + 1) === deps.serverName;
        const account = serverOk
          ? await tables()
              .selectFrom('chat_accounts')
              .select('user_id')
              .where('localpart', '=', localpart.toLowerCase())
              .executeTakeFirst()
          : undefined;
        const user = account ? await deps.identity.getUser(account.user_id) : undefined;
        email = user?.email;
      } else if (identifier.type === 'm.id.thirdparty') {
        if (identifier.medium !== 'email')
          throw matrixError('M_UNKNOWN', { reason: 'only e-mail identifiers are accepted' });
        email = identifier.address;
      } else {
        throw matrixError('M_UNKNOWN', { reason: 'phone identifiers are not accepted' });
      }
      try {
        // An unknown user still costs a password check (same answer, same time).
        return await deps.identity.checkPassword(email ?? `unknown@${deps.serverName}`, body.password, request);
      } catch (error) {
        if (error instanceof AppError && error.code === 'IDENTITY_ACCOUNT_LOCKED') {
          const seconds = Number(error.details?.['retryAfterSeconds'] ?? 60);
          throw matrixError('M_LIMIT_EXCEEDED', undefined, { retry_after_ms: seconds * 1000 });
        }
        if (error instanceof AppError && error.code === 'IDENTITY_INVALID_CREDENTIALS') {
          throw matrixError('M_FORBIDDEN', { reason: 'invalid user name or password' });
        }
        throw error;
      }
    }
    if (body.type === 'm.login.token') {
      if (!body.token) throw matrixError('M_MISSING_PARAM', { param: 'token' });
      const userId = await deps.accounts.consumeLoginToken(body.token);
      const user = userId ? await deps.identity.getUser(userId) : undefined;
      if (!user || user.status !== 'active')
        throw matrixError('M_FORBIDDEN', { reason: 'invalid or expired login token' });
      return user;
    }
    throw matrixError('M_UNKNOWN', { reason: `unknown login type ${body.type.slice(0, 60)}` });
  }

  http.post(`${c}/v3/login`, hidden, async (request) => {
    const body = parseMatrix(loginSchema, request.body);
    const user = await userForLogin(body, request);
    const account = await deps.accounts.ensureAccount(user);
    const { deviceId, accessToken } = await deps.accounts.openDevice(account, {
      deviceId: body.device_id,
      displayName: body.initial_device_display_name,
      ip: request.ip,
    });
    await deps.audit.record({
      action: 'chat.login.succeeded',
      outcome: 'success',
      actor: { userId: user.id, label: user.email, ip: request.ip, userAgent: request.headers['user-agent'] ?? null },
      target: { type: 'chat.device', id: `${account.matrix_id}/${deviceId}` },
      details: { method: body.type },
    });
    return {
      user_id: account.matrix_id,
      access_token: accessToken,
      device_id: deviceId,
      home_server: deps.serverName,
      well_known: { 'm.homeserver': { base_url: baseUrl } },
    };
  });

  const ssoRedirect = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = parseMatrix(z.object({ redirectUrl: z.string().min(1).max(2048) }), request.query, 'query');
    let target: URL;
    try {
      target = new URL(query.redirectUrl);
    } catch {
      throw matrixError('M_INVALID_PARAM', { reason: 'redirectUrl must be an absolute URL' });
    }
    if (!['http:', 'https:'].includes(target.protocol) && !/^[a-z][a-z0-9+.-]*:$/.test(target.protocol)) {
      throw matrixError('M_INVALID_PARAM', { reason: 'redirectUrl' });
    }
    void reply.header('cache-control', 'no-store');
    const user = deps.identity.sessionUser(request);
    if (!user) {
      // Signs in to Bureau first (password or ProConnect), then comes back here.
      const back = request.url;
      return reply.redirect(`/connexion?retour=${encodeURIComponent(back)}`, 302);
    }
    if (user.kind === 'service') throw matrixError('M_FORBIDDEN', { reason: 'service accounts cannot sign in' });
    await deps.accounts.ensureAccount(user);
    const loginToken = await deps.accounts.issueLoginToken(user.id);
    target.searchParams.set('loginToken', loginToken);
    if (isSameOrigin(target, deps.publicUrl) || target.hostname === 'localhost' || target.hostname === '127.0.0.1') {
      return reply.redirect(target.toString(), 302);
    }
    // Another site asks for a session: the user confirms where their session goes (as Synapse does).
    const host = escapeHtml(target.host || target.protocol);
    const href = escapeHtml(target.toString());
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Bureau — connexion à la messagerie</title></head>` +
          `<body><main><h1>Continuer vers ${host} ?</h1><p>L’application à l’adresse ${host} demande l’accès à votre messagerie Bureau.</p>` +
          `<p><a href="${href}">Continuer</a></p><p lang="en">The application at ${host} asks for access to your Bureau chat.</p></main></body></html>`,
      );
  };
  http.get(`${c}/v3/login/sso/redirect`, hidden, ssoRedirect);
  http.get(`${c}/v3/login/sso/redirect/:idpId`, hidden, ssoRedirect);

  http.post(`${c}/v3/logout`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    await deps.accounts.logout(me);
    return {};
  });

  http.post(`${c}/v3/logout/all`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    await deps.accounts.logoutAll(me.userId);
    return {};
  });

  http.get(`${c}/v3/account/whoami`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    return { user_id: me.userId, device_id: me.deviceId, is_guest: false };
  });

  // Registration is closed: accounts are Bureau's directory accounts (spec: 403 M_FORBIDDEN).
  http.post(`${c}/v3/register`, hidden, (request) => {
    const query = request.query as Record<string, unknown>;
    if (query['kind'] === 'guest') throw matrixError('M_GUEST_ACCESS_FORBIDDEN');
    throw matrixError('M_FORBIDDEN', {
      reason: 'registration is closed: accounts come from the administration’s directory',
    });
  });
  http.get(`${c}/v3/register/available`, hidden, () => {
    throw matrixError('M_FORBIDDEN', { reason: 'registration is closed' });
  });

  http.get(`${c}/v3/capabilities`, hidden, async (request) => {
    await deps.authenticate(request);
    return {
      capabilities: {
        'm.room_versions': {
          default: deps.defaultRoomVersion,
          available: Object.fromEntries(BUILDABLE_ROOM_VERSIONS.map((version) => [version, 'stable'])),
        },
        // Passwords are Bureau's: changed in Bureau's account pages (or through ProConnect).
        'm.change_password': { enabled: false },
        'm.set_displayname': { enabled: true },
        'm.set_avatar_url': { enabled: true },
        'm.3pid_changes': { enabled: false },
        'm.get_login_token': { enabled: false },
      },
    };
  });

  // --- Push rules ----------------------------------------------------------------------------------------------

  http.get(`${c}/v3/pushrules/`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    return deps.push.rulesetOf(me.userId);
  });
  http.get(`${c}/v3/pushrules`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    return deps.push.rulesetOf(me.userId);
  });
  http.get(`${c}/v3/pushrules/global/`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    return (await deps.push.rulesetOf(me.userId)).global;
  });

  async function changeRules(me: MatrixPrincipal, change: (rules: UserPushRules) => UserPushRules) {
    await deps.database.transaction(async (context) => {
      const current = await deps.push.userRules(me.userId, context.executor);
      await deps.push.saveUserRules(me.userId, change(current), context);
      await writeAccountData(context, me.userId, '', 'm.push_rules', null);
      context.afterCommit(() => deps.notifier.notify([userKey(me.userId)]));
    });
  }

  async function writeAccountData(
    context: TransactionContext,
    matrixId: string,
    roomId: string,
    type: string,
    content: Record<string, unknown> | null,
  ) {
    const executor = context.executor;
    const position = await deps.notifier.nextPosition(context);
    const json = JSON.stringify(content ?? (await deps.push.rulesetOf(matrixId, executor)));
    await executor
      .withTables<ChatTables>()
      .insertInto('chat_account_data')
      .values({ matrix_id: matrixId, room_id: roomId, type, content: json, stream_ordering: position })
      .onConflict((conflict) =>
        conflict.columns(['matrix_id', 'room_id', 'type']).doUpdateSet({ content: json, stream_ordering: position }),
      )
      .execute();
  }

  const ruleParams = z.object({ scope: z.string(), kind: z.string(), ruleId: z.string().min(1).max(255) });
  const checkScope = (scope: string) => {
    if (scope !== 'global') throw matrixError('M_INVALID_PARAM', { reason: 'the only scope is global' });
  };

  http.get(`${c}/v3/pushrules/:scope/:kind/:ruleId`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(ruleParams, request.params, 'query');
    checkScope(params.scope);
    return pushResult(findPushRule(await deps.push.rulesetOf(me.userId), { kind: params.kind, ruleId: params.ruleId }));
  });
  http.put(`${c}/v3/pushrules/:scope/:kind/:ruleId`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(ruleParams, request.params, 'query');
    checkScope(params.scope);
    const query = parseMatrix(
      z.object({ before: z.string().optional(), after: z.string().optional() }),
      request.query,
      'query',
    );
    await changeRules(me, (rules) =>
      pushResult(putUserPushRule(rules, { kind: params.kind, ruleId: params.ruleId }, request.body, query)),
    );
    return {};
  });
  http.delete(`${c}/v3/pushrules/:scope/:kind/:ruleId`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(ruleParams, request.params, 'query');
    checkScope(params.scope);
    await changeRules(me, (rules) =>
      pushResult(deleteUserPushRule(rules, { kind: params.kind, ruleId: params.ruleId })),
    );
    return {};
  });
  for (const attribute of ['enabled', 'actions'] as const) {
    http.get(`${c}/v3/pushrules/:scope/:kind/:ruleId/${attribute}`, hidden, async (request) => {
      const me = await deps.authenticate(request);
      const params = parseMatrix(ruleParams, request.params, 'query');
      checkScope(params.scope);
      const rule = pushResult(
        findPushRule(await deps.push.rulesetOf(me.userId), { kind: params.kind, ruleId: params.ruleId }),
      );
      return attribute === 'enabled' ? { enabled: rule.enabled } : { actions: rule.actions };
    });
    http.put(`${c}/v3/pushrules/:scope/:kind/:ruleId/${attribute}`, hidden, async (request) => {
      const me = await deps.authenticate(request);
      const params = parseMatrix(ruleParams, request.params, 'query');
      checkScope(params.scope);
      const defaults = await deps.push.rulesetOf(me.userId);
      await changeRules(me, (rules) =>
        pushResult(
          attribute === 'enabled'
            ? setPushRuleEnabled(defaults, rules, { kind: params.kind, ruleId: params.ruleId }, request.body)
            : setPushRuleActions(defaults, rules, { kind: params.kind, ruleId: params.ruleId }, request.body),
        ),
      );
      return {};
    });
  }

  // --- Filters -------------------------------------------------------------------------------------------------

  const userParams = z.object({ userId: z.string() });
  const assertSelf = (me: MatrixPrincipal, userId: string) => {
    if (userId !== me.userId) throw matrixError('M_FORBIDDEN', { reason: 'this is another user’s data' });
  };

  http.post(`${c}/v3/user/:userId/filter`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    assertSelf(me, parseMatrix(userParams, request.params, 'query').userId);
    const filter = jsonObjectBody(request.body);
    const json = JSON.stringify(filter);
    if (json.length > 65_536) throw matrixError('M_TOO_LARGE', { reason: 'filter larger than 64 KiB' });
    const filterId = randomBytes(6).toString('base64url').replace(/[-_]/g, '0');
    await tables().insertInto('chat_filters').values({ matrix_id: me.userId, filter_id: filterId, json }).execute();
    return { filter_id: filterId };
  });

  http.get(`${c}/v3/user/:userId/filter/:filterId`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(z.object({ userId: z.string(), filterId: z.string() }), request.params, 'query');
    assertSelf(me, params.userId);
    const row = await tables()
      .selectFrom('chat_filters')
      .select('json')
      .where('matrix_id', '=', me.userId)
      .where('filter_id', '=', params.filterId)
      .executeTakeFirst();
    if (!row) throw matrixError('M_NOT_FOUND', { what: `filter ${params.filterId}` });
    return JSON.parse(row.json) as unknown;
  });

  // --- Account data --------------------------------------------------------------------------------------------

  const accountDataParams = z.object({ userId: z.string(), type: z.string().min(1).max(255) });
  const roomAccountDataParams = accountDataParams.extend({ roomId: z.string().min(1).max(255) });

  async function putAccountData(me: MatrixPrincipal, roomId: string, type: string, body: unknown) {
    if (type === 'm.fully_read' || type === 'm.push_rules') {
      throw matrixError('M_BAD_JSON', { reason: `${type} is set by its own endpoint` });
    }
    const content = jsonObjectBody(body);
    if (JSON.stringify(content).length > 65_536)
      throw matrixError('M_TOO_LARGE', { reason: 'account data larger than 64 KiB' });
    await deps.database.transaction(async (context) => {
      await writeAccountData(context, me.userId, roomId, type, content);
      context.afterCommit(() => deps.notifier.notify([userKey(me.userId)]));
    });
    return {};
  }

  async function getAccountData(me: MatrixPrincipal, roomId: string, type: string) {
    const row = await tables()
      .selectFrom('chat_account_data')
      .select('content')
      .where('matrix_id', '=', me.userId)
      .where('room_id', '=', roomId)
      .where('type', '=', type)
      .executeTakeFirst();
    if (!row) throw matrixError('M_NOT_FOUND', { what: `account data ${type}` });
    const content = JSON.parse(row.content) as Record<string, unknown>;
    // A deleted entry (MSC3391) is stored as {}.
    if (Object.keys(content).length === 0) throw matrixError('M_NOT_FOUND', { what: `account data ${type}` });
    return content;
  }

  http.put(`${c}/v3/user/:userId/account_data/:type`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(accountDataParams, request.params, 'query');
    assertSelf(me, params.userId);
    return putAccountData(me, '', params.type, request.body);
  });
  http.get(`${c}/v3/user/:userId/account_data/:type`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(accountDataParams, request.params, 'query');
    assertSelf(me, params.userId);
    return getAccountData(me, '', params.type);
  });
  http.put(`${c}/v3/user/:userId/rooms/:roomId/account_data/:type`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(roomAccountDataParams, request.params, 'query');
    assertSelf(me, params.userId);
    return putAccountData(me, params.roomId, params.type, request.body);
  });
  http.get(`${c}/v3/user/:userId/rooms/:roomId/account_data/:type`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(roomAccountDataParams, request.params, 'query');
    assertSelf(me, params.userId);
    return getAccountData(me, params.roomId, params.type);
  });

  // Tags (m.tag room account data).
  const tagParams = z.object({ userId: z.string(), roomId: z.string(), tag: z.string().min(1).max(255) });
  http.get(`${c}/v3/user/:userId/rooms/:roomId/tags`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(z.object({ userId: z.string(), roomId: z.string() }), request.params, 'query');
    assertSelf(me, params.userId);
    try {
      return { tags: (await getAccountData(me, params.roomId, 'm.tag'))['tags'] ?? {} };
    } catch {
      return { tags: {} };
    }
  });
  async function changeTags(me: MatrixPrincipal, roomId: string, change: (tags: Record<string, unknown>) => void) {
    let tags: Record<string, unknown> = {};
    try {
      const current = await getAccountData(me, roomId, 'm.tag');
      tags = { ...((current['tags'] as Record<string, unknown> | undefined) ?? {}) };
    } catch {
      tags = {};
    }
    change(tags);
    await deps.database.transaction(async (context) => {
      await writeAccountData(context, me.userId, roomId, 'm.tag', { tags });
      context.afterCommit(() => deps.notifier.notify([userKey(me.userId)]));
    });
  }
  http.put(`${c}/v3/user/:userId/rooms/:roomId/tags/:tag`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(tagParams, request.params, 'query');
    assertSelf(me, params.userId);
    const body = jsonObjectBody(request.body);
    await changeTags(me, params.roomId, (tags) => {
      tags[params.tag] = body;
    });
    return {};
  });
  http.delete(`${c}/v3/user/:userId/rooms/:roomId/tags/:tag`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const params = parseMatrix(tagParams, request.params, 'query');
    assertSelf(me, params.userId);
    await changeTags(me, params.roomId, (tags) => {
      delete tags[params.tag];
    });
    return {};
  });

  // --- Profiles ------------------------------------------------------------------------------------------------

  const profileOf = async (userId: string) => {
    if (!isValidUserId(userId)) throw matrixError('M_INVALID_PARAM', { reason: 'invalid user ID' });
    const account = await deps.accounts.accountOfMatrixId(userId);
    if (!account) throw matrixError('M_NOT_FOUND', { what: userId });
    return {
      ...(account.displayname !== null ? { displayname: account.displayname } : {}),
      ...(account.avatar_url !== null ? { avatar_url: account.avatar_url } : {}),
    };
  };

  http.get(`${c}/v3/profile/:userId`, hidden, async (request) => {
    await deps.authenticate(request);
    return profileOf(parseMatrix(userParams, request.params, 'query').userId);
  });
  for (const field of ['displayname', 'avatar_url'] as const) {
    http.get(`${c}/v3/profile/:userId/${field}`, hidden, async (request) => {
      await deps.authenticate(request);
      const profile = await profileOf(parseMatrix(userParams, request.params, 'query').userId);
      if (profile[field] === undefined) throw matrixError('M_NOT_FOUND', { what: field });
      return { [field]: profile[field] };
    });
    http.put(`${c}/v3/profile/:userId/${field}`, hidden, async (request) => {
      const me = await deps.authenticate(request);
      assertSelf(me, parseMatrix(userParams, request.params, 'query').userId);
      const body = parseMatrix(
        z.object({ [field]: z.string().max(field === 'displayname' ? 256 : 1024) }),
        request.body,
      );
      const value = body[field] as string;
      if (field === 'avatar_url' && value !== '' && !value.startsWith('mxc://')) {
        throw matrixError('M_INVALID_PARAM', { reason: 'avatar_url must be an mxc:// URI' });
      }
      await tables()
        .updateTable('chat_accounts')
        .set({ [field]: value === '' ? null : value })
        .where('matrix_id', '=', me.userId)
        .execute();
      deps.accounts.forgetAccount(me.userId);
      // The new profile goes into the member event of every joined room (spec: "Events on Change of Profile").
      const joined = await tables()
        .selectFrom('chat_current_state as s')
        .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
        .select(['s.room_id', 'e.json'])
        .where('s.type', '=', 'm.room.member')
        .where('s.state_key', '=', me.userId)
        .where('s.membership', '=', 'join')
        .execute();
      for (const room of joined) {
        const current = (JSON.parse(room.json) as { content: Record<string, unknown> }).content;
        const content: Record<string, unknown> = { ...current, membership: 'join' };
        if (value === '') delete content[field];
        else content[field] = value;
        await deps.rooms
          .append(room.room_id, [
            { type: 'm.room.member', stateKey: me.userId, sender: me.userId, content: content as never },
          ])
          .catch(() => undefined);
      }
      return {};
    });
  }

  // --- Small endpoints Element calls at start-up ---------------------------------------------------------------

  http.get(`${c}/v3/voip/turnServer`, hidden, async (request) => {
    await deps.authenticate(request);
    return {};
  });
  http.get(`${c}/v3/thirdparty/protocols`, hidden, async (request) => {
    await deps.authenticate(request);
    return {};
  });
  http.get(`${c}/v3/pushers`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const rows = await tables().selectFrom('chat_pushers').select('json').where('matrix_id', '=', me.userId).execute();
    return { pushers: rows.map((row) => JSON.parse(row.json) as unknown) };
  });
  http.post(`${c}/v3/pushers/set`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const body = parseMatrix(
      z
        .object({
          pushkey: z.string().min(1).max(512),
          kind: z.string().nullable(),
          app_id: z.string().min(1).max(64),
          app_display_name: z.string().max(255).optional(),
          device_display_name: z.string().max(255).optional(),
          lang: z.string().max(32).optional(),
          data: z.record(z.string(), z.unknown()).optional(),
          append: z.boolean().optional(),
        })
        .loose(),
      request.body,
    );
    if (body.kind === null) {
      await tables()
        .deleteFrom('chat_pushers')
        .where('matrix_id', '=', me.userId)
        .where('app_id', '=', body.app_id)
        .where('pushkey', '=', body.pushkey)
        .execute();
      return {};
    }
    const json = JSON.stringify(body);
    await tables()
      .insertInto('chat_pushers')
      .values({ matrix_id: me.userId, app_id: body.app_id, pushkey: body.pushkey, json })
      .onConflict((conflict) => conflict.columns(['matrix_id', 'app_id', 'pushkey']).doUpdateSet({ json }))
      .execute();
    return {};
  });
  // Presence is off, as in Tchap: everyone is shown offline.
  http.get(`${c}/v3/presence/:userId/status`, hidden, async (request) => {
    await deps.authenticate(request);
    return { presence: 'offline' };
  });
  http.put(`${c}/v3/presence/:userId/status`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    assertSelf(me, parseMatrix(userParams, request.params, 'query').userId);
    return {};
  });
  http.get(`${c}/v3/account/3pid`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    const user = await deps.identity.getUser(me.account.user_id);
    return {
      threepids: user
        ? [
            {
              medium: 'email',
              address: user.email,
              validated_at: Date.parse(me.account.created_at),
              added_at: Date.parse(me.account.created_at),
            },
          ]
        : [],
    };
  });

  // Passwords and accounts are Bureau's: changed and closed in Bureau's account pages and administration.
  http.post(`${c}/v3/account/password`, hidden, async (request) => {
    await deps.authenticate(request);
    throw matrixError('M_FORBIDDEN', { reason: 'change your password in Bureau’s account pages' });
  });
  http.post(`${c}/v3/account/deactivate`, hidden, async (request) => {
    await deps.authenticate(request);
    throw matrixError('M_FORBIDDEN', { reason: 'accounts are closed by the administration in Bureau' });
  });

  // OpenID tokens (module openid): a short-lived proof of the user's Matrix ID for widgets and call services.
  http.post(`${c}/v3/user/:userId/openid/request_token`, hidden, async (request) => {
    const me = await deps.authenticate(request);
    assertSelf(me, parseMatrix(userParams, request.params, 'query').userId);
    const token = randomBytes(24).toString('base64url');
    const expiresInSeconds = 3600;
    openIdTokens.set(token, { userId: me.userId, expiresAt: deps.clock.now().getTime() + expiresInSeconds * 1000 });
    for (const [key, value] of openIdTokens) {
      if (value.expiresAt <= deps.clock.now().getTime()) openIdTokens.delete(key);
    }
    return {
      access_token: token,
      token_type: 'Bearer',
      matrix_server_name: deps.serverName,
      expires_in: expiresInSeconds,
    };
  });
  // What a widget's server asks to check such a token (server-server API § OpenID).
  http.get('/_matrix/federation/v1/openid/userinfo', hidden, (request) => {
    const query = parseMatrix(openIdQuery, request.query, 'query');
    const entry = openIdTokens.get(query.access_token);
    if (!entry || entry.expiresAt <= deps.clock.now().getTime()) {
      throw matrixError('M_UNKNOWN_TOKEN');
    }
    return { sub: entry.userId };
  });

  // --- Tchap compatibility -------------------------------------------------------------------------------------

  // Which homeserver an e-mail address belongs to (Tchap's Sydent `info` servlet): this one for Bureau's users.
  http.get('/_matrix/identity/api/v1/info', hidden, async (request) => {
    const query = parseMatrix(
      z.object({ medium: z.literal('email'), address: z.string().min(3).max(320) }),
      request.query,
      'query',
    );
    const user = await deps.identity.findUserByEmail(query.address);
    return { hs: deps.serverName, ...(user ? {} : { requires_invite: true }), invited: false };
  });
  const passwordPolicy = () => ({
    'm.minimum_length': 12,
    'm.require_digit': false,
    'm.require_symbol': false,
    'm.require_lowercase': false,
    'm.require_uppercase': false,
  });
  http.get('/_matrix/client/r0/password_policy', hidden, passwordPolicy);
  http.get(`${c}/v3/password_policy`, hidden, passwordPolicy);
}
