import {
  apiErrorSchema,
  apiKeySchema,
  createApiKeyRequestSchema,
  createdApiKeySchema,
  loginRequestSchema,
  meSchema,
  sessionSchema,
  userSchema,
} from '@bureau/contracts';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { HttpServer } from '../../platform/http/http-server.ts';
import { csrfTokenOf, type AuthService, type Authentication } from './auth.service.ts';
import type { SessionRow } from './credentials.repository.ts';
import type { DirectoryService } from './directory.service.ts';
import {
  actorOf,
  clearSessionCookie,
  requireAuthentication,
  requireInstanceAdmin,
  requireSession,
  setSessionCookie,
} from './identity.http.ts';
import { presentApiKey, presentMe, presentSession, presentUser } from './identity.presenter.ts';

export interface IdentityRoutesDeps {
  auth: AuthService;
  directory: DirectoryService;
  publicUrl: string;
  sessionMaxAgeMs: number;
  /**
   * OIDC (oidc.routes.ts): for a session opened by single sign-on, the provider's end-session URL the
   * browser must visit (RP-initiated logout); undefined otherwise.
   */
  endOidcSession?: (session: SessionRow, reply: FastifyReply) => Promise<string | undefined>;
}

const idParams = z.object({ id: z.uuid() });
const errors = { 400: apiErrorSchema, 401: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema };

export function registerIdentityRoutes(http: HttpServer, deps: IdentityRoutesDeps): void {
  async function me(authentication: Authentication) {
    const organisationId = authentication.user.organisation_id;
    const [organisation, administered] = await Promise.all([
      organisationId === null ? Promise.resolve(undefined) : deps.directory.getOrganisation(organisationId),
      deps.directory.administeredOrganisations(authentication.user.id),
    ]);
    return presentMe(authentication, organisation, administered);
  }

  http.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['identity'],
        summary: 'Signs in with an e-mail address and a password; sets the session cookie.',
        body: loginRequestSchema,
        response: { 200: z.object({ user: meSchema }), ...errors, 429: apiErrorSchema },
      },
    },
    async (request, reply) => {
      const { token, session, user } = await deps.auth.loginWithPassword(request.body, actorOf(request));
      const cookieExpiry = new Date(new Date(session.created_at).getTime() + deps.sessionMaxAgeMs).toISOString();
      setSessionCookie(reply, token, deps.publicUrl, cookieExpiry);
      return { user: await me({ user, credential: { kind: 'session', session, csrfToken: csrfTokenOf(token) } }) };
    },
  );

  http.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['identity'],
        summary:
          'Ends the current session. For a session opened by single sign-on, answers 200 with the OpenID provider’s logout address, where the browser must go to end the provider’s session too.',
        response: { 200: z.object({ redirectTo: z.string() }), 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const authentication = request.auth;
      let redirectTo: string | undefined;
      if (authentication?.credential.kind === 'session') {
        await deps.auth.logout(authentication.credential.session, actorOf(request));
        redirectTo = await deps.endOidcSession?.(authentication.credential.session, reply);
      }
      clearSessionCookie(reply, deps.publicUrl);
      if (redirectTo !== undefined) return reply.code(200).send({ redirectTo });
      return reply.code(204).send(null);
    },
  );

  http.get(
    '/api/me',
    { schema: { tags: ['identity'], summary: 'The signed-in user.', response: { 200: meSchema, ...errors } } },
    (request) => me(requireAuthentication(request)),
  );

  http.get(
    '/api/me/sessions',
    {
      schema: {
        tags: ['identity'],
        summary: "The user's open sessions.",
        response: { 200: z.object({ items: z.array(sessionSchema) }), ...errors },
      },
    },
    async (request) => {
      const { user, credential } = requireAuthentication(request);
      const sessions = await deps.auth.listSessions(user.id);
      const currentId = credential.kind === 'session' ? credential.session.id : undefined;
      return { items: sessions.map((session) => presentSession(session, currentId)) };
    },
  );

  http.delete(
    '/api/me/sessions/:id',
    {
      schema: {
        tags: ['identity'],
        summary: 'Ends one of the user’s sessions, at once.',
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { user } = requireAuthentication(request);
      await deps.auth.revokeSession(user.id, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  http.get(
    '/api/me/api-keys',
    {
      schema: {
        tags: ['identity'],
        summary: "The user's API keys (never their secrets).",
        response: { 200: z.object({ items: z.array(apiKeySchema) }), ...errors },
      },
    },
    async (request) => {
      const { user } = requireAuthentication(request);
      return { items: (await deps.auth.listUserApiKeys(user.id)).map(presentApiKey) };
    },
  );

  http.post(
    '/api/me/api-keys',
    {
      schema: {
        tags: ['identity'],
        summary: 'Creates an API key for programs; its secret is shown once.',
        body: createApiKeyRequestSchema,
        response: { 201: createdApiKeySchema, ...errors },
      },
    },
    async (request, reply) => {
      const { user } = requireSession(request);
      const { secret, apiKey } = await deps.auth.createUserApiKey(
        user,
        { name: request.body.name, scopes: request.body.scopes, expiresAt: request.body.expiresAt ?? null },
        actorOf(request),
      );
      return reply.code(201).send({ apiKey: presentApiKey(apiKey), secret });
    },
  );

  http.delete(
    '/api/me/api-keys/:id',
    {
      schema: {
        tags: ['identity'],
        summary: 'Revokes one of the user’s API keys, at once.',
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { user } = requireAuthentication(request);
      await deps.auth.revokeUserApiKey(user.id, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  http.get(
    '/api/admin/users',
    {
      schema: {
        tags: ['administration'],
        summary: 'Users, newest first (instance administrators).',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.uuid().optional(),
          search: z.string().trim().max(100).optional(),
          /** People by default; `service` lists the accounts of organisations' service keys. */
          kind: z.enum(['agent', 'external', 'service']).optional(),
        }),
        response: { 200: z.object({ items: z.array(userSchema), nextCursor: z.string().nullable() }), ...errors },
      },
    },
    async (request) => {
      requireInstanceAdmin(request);
      const { limit, cursor, search, kind } = request.query;
      const rows = await deps.directory.listUsers({
        limit: limit + 1,
        kinds: kind === undefined ? ['agent', 'external'] : [kind],
        ...(cursor === undefined ? {} : { before: cursor }),
        ...(search === undefined ? {} : { search }),
      });
      const items = rows.slice(0, limit).map(presentUser);
      return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
    },
  );

  http.get(
    '/api/admin/users/:id',
    {
      schema: {
        tags: ['administration'],
        summary: 'One account, whatever its kind or status (instance administrators).',
        params: idParams,
        response: { 200: userSchema, ...errors },
      },
    },
    async (request) => {
      requireInstanceAdmin(request);
      return presentUser(await deps.directory.getUser(request.params.id));
    },
  );

  http.post(
    '/api/admin/users/:id/deactivate',
    {
      schema: {
        tags: ['administration'],
        summary: 'Deactivates a user: their sessions and API keys stop working at once.',
        params: idParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      requireInstanceAdmin(request);
      await deps.directory.deactivateUser(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
}
