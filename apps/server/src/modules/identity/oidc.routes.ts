import { apiErrorSchema, meSchema } from '@bureau/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import type { HttpServer } from '../../platform/http/http-server.ts';
import { acceptsHtml } from '../../platform/http/web-app.ts';
import { csrfTokenOf } from './auth.service.ts';
import type { SessionRow } from './credentials.repository.ts';
import type { UserRow } from './directory.repository.ts';
import type { DirectoryService } from './directory.service.ts';
import { actorOf, sessionCookieOptions, setSessionCookie } from './identity.http.ts';
import { presentMe } from './identity.presenter.ts';
import type { OidcService } from './oidc.service.ts';

/** Binds a sign-in flow (and a pending link) to the browser that started it. */
export const oidcFlowCookieName = 'bureau_oidc_flow';
/** Set by a silent sign-in attempt: while present, silent sign-in does not go to the provider again. */
export const oidcSilentCookieName = 'bureau_oidc_silent';
const flowCookieSeconds = 10 * 60;
const silentCookieSeconds = 10 * 60;

export interface OidcRoutesDeps {
  /** Undefined when no OpenID provider is configured: only `GET /api/auth/providers` is registered. */
  oidc: OidcService | undefined;
  directory: DirectoryService;
  publicUrl: string;
  sessionMaxAgeMs: number;
}

const errors = { 400: apiErrorSchema, 401: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema };

const providersSchema = z
  .object({
    password: z.boolean(),
    oidc: z.object({ name: z.string(), loginUrl: z.string() }).nullable(),
  })
  .meta({ id: 'AuthProviders' });

const loginQuerySchema = z.object({
  returnTo: z.string().max(2048).optional(),
  prompt: z.enum(['none', 'login']).optional(),
});

const callbackQuerySchema = z.looseObject({
  state: z.string().max(1024).optional(),
  code: z.string().max(4096).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});

/** Sets the silent-attempt marker (loop protection), e.g. also at logout so that it is not undone at once. */
export function markSilentAttempt(reply: FastifyReply, publicUrl: string): void {
  void reply.setCookie(oidcSilentCookieName, '1', { ...sessionCookieOptions(publicUrl), maxAge: silentCookieSeconds });
}

/**
 * OIDC single sign-on: `GET /auth/oidc/login`, `GET /auth/oidc/callback`, the pending link
 * (`GET`/`POST /api/auth/oidc/link`), back-channel logout (`POST /auth/oidc/backchannel-logout`), and
 * `GET /api/auth/providers` for the sign-in page (registered even without a provider).
 */
export async function registerOidcRoutes(http: HttpServer, deps: OidcRoutesDeps): Promise<void> {
  const { oidc, publicUrl } = deps;
  const cookieOptions = sessionCookieOptions(publicUrl);

  http.get(
    '/api/auth/providers',
    {
      schema: {
        tags: ['identity'],
        summary: 'The ways to sign in, for the sign-in page.',
        response: { 200: providersSchema },
      },
    },
    () => ({
      password: true,
      oidc: oidc ? { name: oidc.providerName, loginUrl: '/auth/oidc/login' } : null,
    }),
  );

  if (!oidc) return;

  async function me(user: UserRow, session: SessionRow, token: string) {
    const [organisation, administered] = await Promise.all([
      user.organisation_id === null ? Promise.resolve(undefined) : deps.directory.getOrganisation(user.organisation_id),
      deps.directory.administeredOrganisations(user.id),
    ]);
    return presentMe(
      { user, credential: { kind: 'session', session, csrfToken: csrfTokenOf(token) } },
      organisation,
      administered,
    );
  }

  function openSessionCookie(reply: FastifyReply, token: string, session: SessionRow): void {
    const expiry = new Date(new Date(session.created_at).getTime() + deps.sessionMaxAgeMs).toISOString();
    setSessionCookie(reply, token, publicUrl, expiry);
  }

  function clearFlowCookie(reply: FastifyReply): void {
    void reply.clearCookie(oidcFlowCookieName, cookieOptions);
  }

  /** A browser navigating is sent to the sign-in page with the error's code; a program gets the JSON error. */
  function answerBrowserError(request: FastifyRequest, reply: FastifyReply, error: unknown) {
    if (error instanceof AppError && acceptsHtml(request.headers.accept)) {
      return reply.redirect(`/connexion?erreur=sso&code=${encodeURIComponent(error.code)}`, 303);
    }
    throw error;
  }

  http.get(
    '/auth/oidc/login',
    {
      schema: {
        tags: ['identity'],
        summary:
          'Starts single sign-on: redirects to the OpenID provider (prompt=none: silent, prompt=login: ask again).',
        querystring: loginQuerySchema,
      },
    },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      const returnTo = oidc.safeReturnTo(request.query.returnTo);
      const isSilent = request.query.prompt === 'none';
      if (isSilent) {
        if (request.auth) return reply.redirect(returnTo, 302);
        // Loop protection: one silent attempt per browser per 10 minutes.
        if (request.cookies[oidcSilentCookieName]) return reply.redirect(oidc.withSsoUnavailable(returnTo), 302);
      }
      let started: { authorizationUrl: string; flowToken: string };
      try {
        started = await oidc.startLogin({
          returnTo,
          isSilent,
          forceLogin: request.query.prompt === 'login',
          previousFlowToken: request.cookies[oidcFlowCookieName],
        });
      } catch (error) {
        if (isSilent) return reply.redirect(oidc.withSsoUnavailable(returnTo), 302);
        return answerBrowserError(request, reply, error);
      }
      void reply.setCookie(oidcFlowCookieName, started.flowToken, { ...cookieOptions, maxAge: flowCookieSeconds });
      if (isSilent) markSilentAttempt(reply, publicUrl);
      else void reply.clearCookie(oidcSilentCookieName, cookieOptions);
      return reply.redirect(started.authorizationUrl, 302);
    },
  );

  http.get(
    '/auth/oidc/callback',
    {
      schema: {
        tags: ['identity'],
        summary: 'Where the OpenID provider sends the browser back; opens the session and returns to the page.',
        querystring: callbackQuerySchema,
      },
    },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      const search = new URL(request.url, 'http://callback.invalid').search;
      try {
        const outcome = await oidc.handleCallback({
          flowToken: request.cookies[oidcFlowCookieName],
          search,
          actor: actorOf(request),
        });
        switch (outcome.kind) {
          case 'signed-in':
            clearFlowCookie(reply);
            openSessionCookie(reply, outcome.token, outcome.session);
            return reply.redirect(outcome.returnTo, 302);
          case 'silent-unavailable':
            clearFlowCookie(reply);
            return reply.redirect(oidc.withSsoUnavailable(outcome.returnTo), 302);
          case 'link-required':
            // The flow cookie now holds the pending link; the sign-in page asks for the existing account.
            void reply.setCookie(oidcFlowCookieName, request.cookies[oidcFlowCookieName] ?? '', {
              ...cookieOptions,
              maxAge: flowCookieSeconds,
            });
            return reply.redirect('/connexion?lier=1', 302);
        }
      } catch (error) {
        clearFlowCookie(reply);
        return answerBrowserError(request, reply, error);
      }
    },
  );

  http.get(
    '/api/auth/oidc/link',
    {
      schema: {
        tags: ['identity'],
        summary: 'The identity waiting, in this browser, to be linked to the existing account with its e-mail.',
        response: {
          200: z.object({ email: z.string(), displayName: z.string().nullable(), provider: z.string() }),
          ...errors,
        },
      },
    },
    async (request) => ({
      ...(await oidc.pendingLink(request.cookies[oidcFlowCookieName])),
      provider: oidc.providerName,
    }),
  );

  http.post(
    '/api/auth/oidc/link',
    {
      schema: {
        tags: ['identity'],
        summary:
          'Proves the existing account with its password, links the waiting identity to it and signs in; sets the session cookie.',
        body: z.object({ password: z.string().min(1).max(1024) }),
        response: { 200: z.object({ user: meSchema, redirectTo: z.string() }), ...errors, 409: apiErrorSchema },
      },
    },
    async (request, reply) => {
      const { token, session, user, returnTo } = await oidc.linkWithPassword(
        request.cookies[oidcFlowCookieName],
        request.body.password,
        actorOf(request),
      );
      clearFlowCookie(reply);
      openSessionCookie(reply, token, session);
      return { user: await me(user, session, token), redirectTo: returnTo };
    },
  );

  // Server to server, form-encoded (OpenID Connect Back-Channel Logout 1.0); no cookie, hence no CSRF.
  await http.register((plugin, _options, done) => {
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    scope.post(
      '/auth/oidc/backchannel-logout',
      {
        schema: {
          tags: ['identity'],
          summary: 'Back-channel logout: the OpenID provider ends the sessions of one of its sessions or users.',
          body: z.looseObject({ logout_token: z.string().max(16_384).optional() }),
          response: { 200: z.object({}), 400: apiErrorSchema },
        },
      },
      async (request, reply) => {
        void reply.header('cache-control', 'no-store');
        await oidc.backchannelLogout(request.body.logout_token, actorOf(request));
        return {};
      },
    );
    done();
  });
}

/**
 * For `POST /api/auth/logout` (identity.routes.ts): the provider's end-session URL of a session opened
 * by OIDC. It also marks a silent attempt, so that silent sign-in does not undo the logout at once
 * when the browser does not reach the provider.
 */
export function oidcLogout(oidc: OidcService, publicUrl: string) {
  return async (session: SessionRow, reply: FastifyReply): Promise<string | undefined> => {
    if (session.method !== 'oidc') return undefined;
    markSilentAttempt(reply, publicUrl);
    return oidc.endSessionUrl(session);
  };
}
