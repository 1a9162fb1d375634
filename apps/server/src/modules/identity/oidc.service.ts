import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import * as client from 'openid-client';
import type { AuditActor, AuditLog } from '../../platform/audit/audit-log.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, TransactionContext } from '../../platform/db/database.ts';
import type { Logger } from '../../platform/logging.ts';
import type { AuthService, OidcSessionData } from './auth.service.ts';
import type { SessionRow } from './credentials.repository.ts';
import { directoryRepository, type UserRow } from './directory.repository.ts';
import { normaliseEmail, type DirectoryService } from './directory.service.ts';
import { identityErrors } from './identity.errors.ts';
import { oidcRepository, type OidcFlowRow } from './oidc.repository.ts';

/** config.identity.oidc: the OpenID provider Bureau signs in with. */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated. */
  scopes: string;
  /** Space-separated; when set, the ID token's `acr` must be one of them. */
  acrValues?: string | undefined;
  redirectUri: string;
}

export interface OidcServiceDependencies {
  database: Database;
  clock: Clock;
  audit: AuditLog;
  logger: Logger;
  auth: AuthService;
  directory: DirectoryService;
  publicUrl: string;
  settings: OidcSettings;
}

/** How a callback ended, for the route to answer the browser. */
export type OidcCallbackOutcome =
  | { kind: 'signed-in'; token: string; session: SessionRow; user: UserRow; returnTo: string }
  | { kind: 'silent-unavailable'; returnTo: string }
  /** The identity's e-mail is an existing account's: the browser must prove that account to link it. */
  | { kind: 'link-required'; email: string };

/** A sign-in flow lives 10 minutes; so does a pending link. */
const flowTtlMs = 10 * 60_000;
/** The configuration discovered from the provider is refreshed after an hour. */
const discoveryTtlMs = 60 * 60_000;
/** Answers to `prompt=none` meaning "the user must interact": silent sign-in is unavailable, not failed. */
const silentErrors = new Set([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);
const backchannelLogoutEvent = 'http://schemas.openid.net/event/backchannel-logout';
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function isSameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(sha256(given));
  const b = Buffer.from(sha256(expected));
  return timingSafeEqual(a, b);
}

function stringClaim(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** ProConnect gives `given_name` + `usual_name`; other providers `name` or `family_name`. */
export function displayNameOf(claims: Readonly<Record<string, unknown>>): string | undefined {
  const given = stringClaim(claims, 'given_name');
  const family = stringClaim(claims, 'usual_name') ?? stringClaim(claims, 'family_name');
  const full = [given, family].filter((part) => part !== undefined).join(' ');
  return full || stringClaim(claims, 'name');
}

/** "ProConnect" for ProConnect (and its predecessor AgentConnect), "OpenID" otherwise. */
export function providerNameOf(issuer: string): string {
  return /(^|\.)(proconnect|agentconnect)\./i.test(new URL(issuer).hostname) ? 'ProConnect' : 'OpenID';
}

/**
 * Where to send the browser after sign-in: a path of Bureau itself, never another site (open
 * redirect) nor the OIDC routes (a loop); anything else becomes `/`.
 */
export function safeReturnTo(value: string | undefined, publicUrl: string): string {
  const origin = new URL(publicUrl).origin;
  // eslint-disable-next-line no-control-regex
  if (!value || !value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f]/.test(value)) return '/';
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return '/';
  }
  if (url.origin !== origin || url.pathname.startsWith('/auth/oidc/')) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}

/** `returnTo` with `?sso=unavailable`, which tells the web app that silent sign-in did not work. */
export function withSsoUnavailable(returnTo: string, publicUrl: string): string {
  const url = new URL(returnTo, new URL(publicUrl).origin);
  url.searchParams.set('sso', 'unavailable');
  return `${url.pathname}${url.search}${url.hash}`;
}

/** A network failure or timeout reaching the provider (as opposed to an answer Bureau refuses). */
function isUnreachable(error: unknown): boolean {
  if (error instanceof client.ClientError) return error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_ABORT';
  return error instanceof TypeError && error.message === 'fetch failed';
}

/** What an OAuth/OIDC error says, for the audit log (never a token). */
function reasonOf(error: unknown): string {
  if (error instanceof client.ResponseBodyError) return `${error.error}: ${error.error_description ?? ''}`.trim();
  if (error instanceof client.ClientError) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.code ?? 'error'}: ${error.message}${cause}`;
  }
  return error instanceof Error ? error.message : String(error);
}

interface Discovered {
  configuration: client.Configuration;
  keys: JWTVerifyGetKey;
  discoveredAt: number;
}

/**
 * OIDC single sign-on with one OpenID provider (ProConnect or any other): authorization code flow with
 * PKCE, state and nonce, silent sign-in, account provisioning and identity linking, RP-initiated and
 * back-channel logout.
 */
export function createOidcService(deps: OidcServiceDependencies) {
  const { settings } = deps;
  const issuerUrl = new URL(settings.issuer);
  const isInsecureAllowed = issuerUrl.protocol === 'http:' && loopbackHosts.has(issuerUrl.hostname);
  if (issuerUrl.protocol !== 'https:' && !isInsecureAllowed) {
    throw new Error('BUREAU_OIDC_ISSUER must be an https:// URL (http:// only on a loopback address, for development)');
  }
  const now = () => deps.clock.now();
  const read = () => oidcRepository(deps.database.executor);
  const logger = deps.logger.child({ component: 'oidc' });
  let discovered: Promise<Discovered> | undefined;

  async function discover(): Promise<Discovered> {
    const options = { execute: isInsecureAllowed ? [client.allowInsecureRequests] : [], timeout: 10 };
    const probe = await client.discovery(issuerUrl, settings.clientId, undefined, client.None(), options);
    const server = probe.serverMetadata();
    // client_secret_basic is the default of OpenID Connect; client_secret_post for providers that only know it.
    const methods = server.token_endpoint_auth_methods_supported;
    const authentication =
      methods === undefined || methods.includes('client_secret_basic')
        ? client.ClientSecretBasic(settings.clientSecret)
        : client.ClientSecretPost(settings.clientSecret);
    const configuration = new client.Configuration(server, settings.clientId, undefined, authentication);
    if (isInsecureAllowed) client.allowInsecureRequests(configuration);
    // Verifies the signatures of the ID token and of a JWT userinfo answer (ProConnect signs both).
    client.enableNonRepudiationChecks(configuration);
    if (!server.jwks_uri) throw new Error('the provider publishes no jwks_uri');
    const remoteKeys = createRemoteJWKSet(new URL(server.jwks_uri));
    const secret = new TextEncoder().encode(settings.clientSecret);
    const keys: JWTVerifyGetKey = (header, token) => (header.alg.startsWith('HS') ? secret : remoteKeys(header, token));
    return { configuration, keys, discoveredAt: now().getTime() };
  }

  /** The provider's configuration, discovered once and cached; a failure is retried at the next call. */
  async function provider(): Promise<Discovered> {
    const current = discovered;
    if (current) {
      const value = await current.catch(() => undefined);
      if (value && now().getTime() - value.discoveredAt < discoveryTtlMs) return value;
      if (discovered === current) discovered = undefined;
    }
    const attempt = (discovered ??= discover());
    try {
      return await attempt;
    } catch (error) {
      if (discovered === attempt) discovered = undefined;
      logger.warn({ err: error, issuer: settings.issuer }, 'OpenID provider discovery failed');
      throw identityErrors.create('IDENTITY_OIDC_UNAVAILABLE', undefined, { cause: error });
    }
  }

  /** After a network failure, the next sign-in rediscovers (the provider may have moved its endpoints). */
  function forgetProvider(): void {
    discovered = undefined;
  }

  async function recordFailure(actor: AuditActor, reason: string, details: Record<string, unknown> = {}) {
    await deps.audit.record({
      action: 'identity.login.failed',
      outcome: reason === 'state-mismatch' ? 'denied' : 'failure',
      actor,
      target: null,
      details: { method: 'oidc', issuer: settings.issuer, reason, ...details },
    });
  }

  /** The flow held by the browser's cookie, following a carried pending link, when it holds one. */
  async function pendingLinkFlow(flowToken: string | undefined): Promise<OidcFlowRow | undefined> {
    if (!flowToken) return undefined;
    let flow = await read().flowById(sha256(flowToken));
    if (flow && flow.pending_user_id === null && flow.link_flow_id !== null) {
      flow = await read().flowById(flow.link_flow_id);
    }
    if (!flow || flow.pending_user_id === null || new Date(flow.expires_at) <= now()) return undefined;
    return flow;
  }

  async function linkIdentity(
    context: TransactionContext,
    user: UserRow,
    identity: { issuer: string; subject: string; email: string | null },
    actor: AuditActor,
    proof: 'new-account' | 'password' | 'oidc',
  ): Promise<void> {
    const repository = oidcRepository(context.executor);
    if (await repository.identity(identity.issuer, identity.subject)) {
      throw identityErrors.create('IDENTITY_OIDC_IDENTITY_TAKEN');
    }
    await repository.insertIdentity({
      issuer: identity.issuer,
      subject: identity.subject,
      user_id: user.id,
      email: identity.email,
      created_at: now().toISOString(),
      last_login_at: now().toISOString(),
    });
    await deps.audit.record(
      {
        action: 'identity.oidc_identity.linked',
        outcome: 'success',
        actor: { ...actor, userId: user.id, label: user.email },
        target: { type: 'identity.user', id: user.id, label: user.email },
        organisationId: user.organisation_id,
        details: { issuer: identity.issuer, subject: identity.subject, email: identity.email, proof },
      },
      { context },
    );
  }

  /** Creates the account of a new identity: an agent of the organisation of its SIRET or e-mail domain, else external. */
  async function provisionUser(
    context: TransactionContext,
    email: string,
    claims: Readonly<Record<string, unknown>>,
    actor: AuditActor,
  ): Promise<UserRow> {
    const siret = stringClaim(claims, 'siret')?.replace(/\s/g, '');
    const bySiret = siret ? await oidcRepository(context.executor).organisationBySiret(siret) : undefined;
    const byDomain = bySiret
      ? undefined
      : await directoryRepository(context.executor).domainOwner(email.slice(email.lastIndexOf('@') + 1));
    const organisationId = bySiret?.id ?? byDomain?.organisation_id ?? null;
    const displayName = displayNameOf(claims);
    return deps.directory.createUser(
      {
        email,
        ...(displayName === undefined ? {} : { displayName }),
        kind: organisationId === null ? 'external' : 'agent',
        organisationId,
      },
      { ...actor, label: email },
      context,
    );
  }

  return {
    providerName: providerNameOf(settings.issuer),
    safeReturnTo: (value: string | undefined) => safeReturnTo(value, deps.publicUrl),
    withSsoUnavailable: (returnTo: string) => withSsoUnavailable(returnTo, deps.publicUrl),

    /**
     * Starts a sign-in: records the flow (state, nonce, PKCE verifier) and answers the provider's
     * authorization URL and the flow token for the browser's cookie. A flow started while the browser
     * holds a pending link carries it, so that signing in with the existing account proves it.
     */
    async startLogin(input: {
      returnTo: string;
      isSilent: boolean;
      forceLogin: boolean;
      previousFlowToken: string | undefined;
    }): Promise<{ authorizationUrl: string; flowToken: string }> {
      const { configuration } = await provider();
      const flowToken = randomBytes(32).toString('base64url');
      const state = client.randomState();
      const nonce = client.randomNonce();
      const codeVerifier = client.randomPKCECodeVerifier();
      const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
      const pending = await pendingLinkFlow(input.previousFlowToken);
      const at = now();
      const repository = read();
      await repository.deleteExpiredFlows(at.toISOString());
      await repository.insertFlow({
        id: sha256(flowToken),
        state,
        nonce,
        code_verifier: codeVerifier,
        return_to: input.returnTo,
        is_silent: input.isSilent ? 1 : 0,
        created_at: at.toISOString(),
        expires_at: new Date(at.getTime() + flowTtlMs).toISOString(),
        link_flow_id: pending?.id ?? null,
        pending_issuer: null,
        pending_subject: null,
        pending_email: null,
        pending_user_id: null,
        pending_claims: null,
        pending_sid: null,
        pending_id_token: null,
      });
      const parameters: Record<string, string> = {
        redirect_uri: settings.redirectUri,
        scope: settings.scopes,
        state,
        nonce,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      };
      if (settings.acrValues) parameters.acr_values = settings.acrValues;
      if (input.isSilent) parameters.prompt = 'none';
      else if (input.forceLogin) parameters.prompt = 'login';
      return { authorizationUrl: client.buildAuthorizationUrl(configuration, parameters).href, flowToken };
    },

    /**
     * Ends a sign-in at the provider's redirect: the flow must be the browser's (cookie) and match the
     * `state`; the code is exchanged (PKCE, nonce, signatures checked), then the identity (issuer,
     * subject) leads to its account, or a new account is created, or, when its e-mail is an existing
     * account's, a pending link waits for proof of that account.
     */
    async handleCallback(input: {
      flowToken: string | undefined;
      /** The query string of the callback, as received (`?code=...&state=...`). */
      search: string;
      actor: AuditActor;
    }): Promise<OidcCallbackOutcome> {
      const { actor } = input;
      const parameters = new URLSearchParams(input.search);
      const state = parameters.get('state');
      const flow = input.flowToken ? await read().flowById(sha256(input.flowToken)) : undefined;
      if (!flow || state === null || flow.pending_user_id !== null || !isSameSecret(state, flow.state)) {
        if (flow) await read().deleteFlow(flow.id);
        await recordFailure(actor, 'state-mismatch', {
          cause: !input.flowToken ? 'no-flow-cookie' : !flow ? 'unknown-flow' : 'state-differs',
        });
        throw identityErrors.create('IDENTITY_OIDC_STATE_MISMATCH');
      }
      // A flow is used once, even when the same callback arrives twice at the same time.
      if (!(await read().deleteFlow(flow.id)) || new Date(flow.expires_at) <= now()) {
        await recordFailure(actor, 'state-mismatch', { cause: 'expired-or-used' });
        throw identityErrors.create('IDENTITY_OIDC_STATE_MISMATCH');
      }
      const returnTo = flow.return_to;
      const providerError = parameters.get('error');
      if (providerError !== null) {
        if (Boolean(flow.is_silent) && silentErrors.has(providerError)) return { kind: 'silent-unavailable', returnTo };
        await recordFailure(actor, 'provider-error', { error: providerError });
        throw identityErrors.create('IDENTITY_OIDC_PROVIDER_ERROR', { error: providerError });
      }

      const { configuration } = await provider();
      const currentUrl = new URL(settings.redirectUri);
      currentUrl.search = input.search;
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      let userinfo: Record<string, unknown> = {};
      try {
        tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
          pkceCodeVerifier: flow.code_verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        const idClaims = tokens.claims();
        if (idClaims && configuration.serverMetadata().userinfo_endpoint) {
          userinfo = { ...(await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub)) };
        }
      } catch (error) {
        if (isUnreachable(error)) {
          forgetProvider();
          await recordFailure(actor, 'provider-unreachable', { error: reasonOf(error) });
          throw identityErrors.create('IDENTITY_OIDC_UNAVAILABLE', undefined, { cause: error });
        }
        await recordFailure(actor, 'token-rejected', { error: reasonOf(error) });
        throw identityErrors.create('IDENTITY_OIDC_TOKEN_REJECTED', undefined, { cause: error });
      }
      const idClaims = tokens.claims();
      const idToken = tokens.id_token;
      if (!idClaims || !idToken) {
        await recordFailure(actor, 'token-rejected', { error: 'no ID token' });
        throw identityErrors.create('IDENTITY_OIDC_TOKEN_REJECTED');
      }
      if (settings.acrValues) {
        const accepted = settings.acrValues.split(/\s+/);
        if (typeof idClaims.acr !== 'string' || !accepted.includes(idClaims.acr)) {
          await recordFailure(actor, 'token-rejected', {
            error: `acr ${JSON.stringify(idClaims.acr ?? null)} not in ${settings.acrValues}`,
          });
          throw identityErrors.create('IDENTITY_OIDC_TOKEN_REJECTED');
        }
      }
      // The ID token says who (iss, sub); userinfo completes the profile.
      const claims: Record<string, unknown> = { ...idClaims, ...userinfo, iss: idClaims.iss, sub: idClaims.sub };
      const issuer = idClaims.iss;
      const subject = idClaims.sub;
      const rawEmail = stringClaim(claims, 'email');
      const email = rawEmail === undefined ? null : normaliseEmail(rawEmail);
      const oidc: OidcSessionData = {
        issuer,
        subject,
        sid: typeof idClaims.sid === 'string' ? idClaims.sid : null,
        idToken,
      };
      const who: AuditActor = { ...actor, label: email ?? `${issuer} ${subject}` };

      const identity = await read().identity(issuer, subject);
      if (identity) {
        const user = await deps.directory.getUser(identity.user_id);
        if (user.status !== 'active') {
          await recordFailure({ ...who, userId: user.id }, 'deactivated', { subject });
          throw identityErrors.create('IDENTITY_OIDC_ACCOUNT_DEACTIVATED');
        }
        const carried = flow.link_flow_id === null ? undefined : await read().flowById(flow.link_flow_id);
        const { token, session } = await deps.database.transaction(async (context) => {
          const repository = oidcRepository(context.executor);
          await repository.touchIdentity(issuer, subject, { email, last_login_at: now().toISOString() });
          // Signing in with an identity of the pending link's account proves that account.
          if (
            carried?.pending_user_id === user.id &&
            carried.pending_issuer !== null &&
            carried.pending_subject !== null &&
            new Date(carried.expires_at) > now()
          ) {
            await repository.deleteFlow(carried.id);
            await linkIdentity(
              context,
              user,
              { issuer: carried.pending_issuer, subject: carried.pending_subject, email: carried.pending_email },
              who,
              'oidc',
            );
          }
          return deps.auth.openSession(user, 'oidc', who, { oidc, context });
        });
        return { kind: 'signed-in', token, session, user, returnTo };
      }

      // A new identity. Its e-mail decides the account, so it must be one the provider verified
      // (ProConnect only gives verified addresses and sends no email_verified claim).
      if (email === null || claims.email_verified === false) {
        await recordFailure(who, 'email-unverified', { subject });
        throw identityErrors.create('IDENTITY_OIDC_EMAIL_UNVERIFIED');
      }
      const existing = await deps.directory.findUserByEmail(email);
      // Linking needs the user: a silent sign-in only says that single sign-on is not available.
      if (existing && Boolean(flow.is_silent)) return { kind: 'silent-unavailable', returnTo };
      if (existing) {
        // Never linked on the e-mail alone: the browser must prove the existing account first.
        const at = now();
        await deps.database.transaction(async (context) => {
          await oidcRepository(context.executor).insertFlow({
            ...flow,
            state: `used:${client.randomState()}`,
            expires_at: new Date(at.getTime() + flowTtlMs).toISOString(),
            link_flow_id: null,
            pending_issuer: issuer,
            pending_subject: subject,
            pending_email: email,
            pending_user_id: existing.id,
            pending_claims: JSON.stringify(claims),
            pending_sid: oidc.sid,
            pending_id_token: idToken,
          });
          await deps.audit.record(
            {
              action: 'identity.oidc_identity.link_pending',
              outcome: 'denied',
              actor: who,
              target: { type: 'identity.user', id: existing.id, label: existing.email },
              organisationId: existing.organisation_id,
              details: { issuer, subject, email },
            },
            { context },
          );
        });
        return { kind: 'link-required', email };
      }
      const { token, session, user } = await deps.database.transaction(async (context) => {
        const created = await provisionUser(context, email, claims, who);
        await linkIdentity(context, created, { issuer, subject, email }, who, 'new-account');
        return { ...(await deps.auth.openSession(created, 'oidc', who, { oidc, context })), user: created };
      });
      return { kind: 'signed-in', token, session, user, returnTo };
    },

    /** The identity waiting, in this browser, for proof of the existing account with its e-mail. */
    async pendingLink(flowToken: string | undefined): Promise<{ email: string; displayName: string | null }> {
      const flow = await pendingLinkFlow(flowToken);
      if (!flow?.pending_email) throw identityErrors.create('IDENTITY_OIDC_NO_PENDING_LINK');
      const claims = flow.pending_claims === null ? {} : (JSON.parse(flow.pending_claims) as Record<string, unknown>);
      return { email: flow.pending_email, displayName: displayNameOf(claims) ?? null };
    },

    /**
     * Proves the existing account of a pending link with its password (lockout and audit of password
     * sign-in apply), then links the identity and opens an OIDC session, in one transaction.
     */
    async linkWithPassword(
      flowToken: string | undefined,
      password: string,
      actor: AuditActor,
    ): Promise<{ token: string; session: SessionRow; user: UserRow; returnTo: string }> {
      const flow = await pendingLinkFlow(flowToken);
      if (
        !flow?.pending_user_id ||
        flow.pending_issuer === null ||
        flow.pending_subject === null ||
        flow.pending_id_token === null
      ) {
        throw identityErrors.create('IDENTITY_OIDC_NO_PENDING_LINK');
      }
      const { pending_issuer: issuer, pending_subject: subject, pending_user_id: userId } = flow;
      const account = await deps.directory.getUser(userId);
      const result = await deps.auth.loginWithPassword({ email: account.email, password }, actor, {
        oidc: { issuer, subject, sid: flow.pending_sid, idToken: flow.pending_id_token },
        attach: async (user, context) => {
          if (user.id !== userId) throw identityErrors.create('IDENTITY_OIDC_NO_PENDING_LINK');
          await oidcRepository(context.executor).deleteFlow(flow.id);
          await linkIdentity(context, user, { issuer, subject, email: flow.pending_email }, actor, 'password');
        },
      });
      return { ...result, returnTo: flow.return_to };
    },

    /**
     * Where the browser must go to end the provider's session too (RP-initiated logout), for a session
     * opened by OIDC; undefined otherwise or when the provider cannot be reached.
     */
    async endSessionUrl(session: SessionRow): Promise<string | undefined> {
      if (session.method !== 'oidc' || session.id_token === null) return undefined;
      let configuration: client.Configuration;
      try {
        ({ configuration } = await provider());
      } catch {
        return undefined;
      }
      const metadata = configuration.serverMetadata();
      if (!metadata.end_session_endpoint || session.oidc_issuer !== metadata.issuer) return undefined;
      return client.buildEndSessionUrl(configuration, {
        id_token_hint: session.id_token,
        post_logout_redirect_uri: `${deps.publicUrl}/`,
        state: client.randomState(),
      }).href;
    },

    /**
     * OpenID Connect Back-Channel Logout: verifies the provider's logout token (signature against its
     * keys, issuer, audience, age, `events`, no `nonce`, `sid` or `sub`) and revokes at once the
     * sessions of that provider session (`sid`), or every OIDC session of the subject.
     */
    async backchannelLogout(logoutToken: string | undefined, actor: AuditActor): Promise<{ revokedSessions: number }> {
      const refuse = async (reason: string, cause?: unknown): Promise<never> => {
        await deps.audit.record({
          action: 'identity.logout.backchannel',
          outcome: 'failure',
          actor: { ...actor, label: settings.issuer },
          target: null,
          details: { issuer: settings.issuer, reason },
        });
        throw identityErrors.create('IDENTITY_OIDC_LOGOUT_TOKEN_INVALID', { reason }, { cause });
      };
      if (!logoutToken) return refuse('logout_token missing');
      const { configuration, keys } = await provider();
      const metadata = configuration.serverMetadata();
      let payload: JWTPayload;
      let type: string | undefined;
      try {
        const verified = await jwtVerify(logoutToken, keys, {
          issuer: metadata.issuer,
          audience: settings.clientId,
          currentDate: now(),
          maxTokenAge: '5 minutes',
          clockTolerance: 60,
          ...(Array.isArray(metadata.id_token_signing_alg_values_supported)
            ? { algorithms: metadata.id_token_signing_alg_values_supported }
            : {}),
        });
        payload = verified.payload;
        type = verified.protectedHeader.typ;
      } catch (error) {
        return refuse(reasonOf(error), error);
      }
      if (type !== undefined && !['logout+jwt', 'application/logout+jwt', 'jwt'].includes(type.toLowerCase())) {
        return refuse(`unexpected typ ${type}`);
      }
      const events = payload.events;
      if (
        typeof events !== 'object' ||
        events === null ||
        typeof (events as Record<string, unknown>)[backchannelLogoutEvent] !== 'object'
      ) {
        return refuse('events claim without the back-channel logout event');
      }
      if (payload.nonce !== undefined) return refuse('a logout token has no nonce');
      const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
      const subject = typeof payload.sub === 'string' ? payload.sub : undefined;
      if (sid === undefined && subject === undefined) return refuse('neither sid nor sub');

      const at = now().toISOString();
      const issuer = metadata.issuer;
      const sessions = await read().openOidcSessions(
        { issuer, ...(sid === undefined ? {} : { sid }), ...(subject === undefined ? {} : { subject }) },
        at,
      );
      await deps.database.transaction(async (context) => {
        await oidcRepository(context.executor).revokeSessions(
          sessions.map((session) => session.id),
          at,
        );
        const userIds = [...new Set(sessions.map((session) => session.user_id))];
        const directory = directoryRepository(context.executor);
        for (const userId of userIds.length === 0 ? [null] : userIds) {
          const user = userId === null ? undefined : await directory.getUser(userId);
          await deps.audit.record(
            {
              action: 'identity.logout.backchannel',
              outcome: 'success',
              actor: { ...actor, label: issuer },
              target: user ? { type: 'identity.user', id: user.id, label: user.email } : null,
              organisationId: user?.organisation_id ?? null,
              details: {
                issuer,
                sid: sid ?? null,
                subject: subject ?? null,
                sessionIds: sessions.filter((session) => session.user_id === userId).map((session) => session.id),
              },
            },
            { context },
          );
        }
      });
      return { revokedSessions: sessions.length };
    },
  };
}

export type OidcService = ReturnType<typeof createOidcService>;
