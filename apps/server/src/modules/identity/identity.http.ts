import fastifyCookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditActor } from '../../platform/audit/audit-log.ts';
import type { HttpServer } from '../../platform/http/http-server.ts';
import type { Authentication, AuthService } from './auth.service.ts';
import { identityErrors } from './identity.errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request, when it carried a valid session cookie or API key; null otherwise. */
    auth: Authentication | null;
  }
}

export const sessionCookieName = 'bureau_session';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface IdentityHttpOptions {
  publicUrl: string;
  auth: AuthService;
}

/** The cookie's attributes: httpOnly, SameSite=Lax, Secure when Bureau is served over https. */
export function sessionCookieOptions(publicUrl: string) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: publicUrl.startsWith('https://'),
  };
}

/**
 * Authenticates every request (session cookie or `Authorization: Bearer bk_...` API key) and refuses
 * cross-site state changes: a cookie-authenticated POST/PUT/PATCH/DELETE must come from Bureau's own
 * origin (`Origin` equal to BUREAU_PUBLIC_URL's) or carry the session's CSRF token in `X-CSRF-Token`.
 */
export async function registerAuthentication(http: HttpServer, options: IdentityHttpOptions): Promise<void> {
  const publicOrigin = new URL(options.publicUrl).origin;
  await http.register(fastifyCookie);
  http.decorateRequest('auth', null);

  http.addHook('onRequest', async (request, reply) => {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer bk_')) {
      const authentication = await options.auth.authenticateApiKey(authorization.slice('Bearer '.length).trim());
      if (!authentication) throw identityErrors.create('IDENTITY_NOT_AUTHENTICATED', { reason: 'invalid API key' });
      request.auth = authentication;
      return;
    }
    const token = request.cookies[sessionCookieName];
    if (token) {
      const authentication = await options.auth.authenticateSession(token);
      if (authentication) {
        request.auth = authentication;
      } else {
        void reply.clearCookie(sessionCookieName, sessionCookieOptions(options.publicUrl));
      }
    }
    if (safeMethods.has(request.method)) return;
    const origin = request.headers.origin;
    if (request.auth?.credential.kind === 'session') {
      const credential = request.auth.credential;
      const isSameOrigin = origin === publicOrigin;
      const hasToken = request.headers['x-csrf-token'] === credential.csrfToken;
      if (!isSameOrigin && !hasToken) {
        throw identityErrors.create('IDENTITY_CSRF_REJECTED', { origin: origin ?? 'absente / missing' });
      }
    } else if (origin !== undefined && origin !== publicOrigin && request.url.startsWith('/api/auth/')) {
      // Login CSRF: another site must not sign a visitor into an account of its choosing.
      throw identityErrors.create('IDENTITY_CSRF_REJECTED', { origin });
    }
  });
}

/** The request's user, or IDENTITY_NOT_AUTHENTICATED. */
export function requireAuthentication(request: FastifyRequest): Authentication {
  if (!request.auth) throw identityErrors.create('IDENTITY_NOT_AUTHENTICATED');
  return request.auth;
}

/** The request's user, when a session or an API key with `scope` authenticated it. */
export function requireScope(request: FastifyRequest, scope: string): Authentication {
  const authentication = requireAuthentication(request);
  const { credential } = authentication;
  if (credential.kind === 'api-key' && !credential.scopes.includes(scope)) {
    throw identityErrors.create('IDENTITY_SCOPE_MISSING', { scope });
  }
  return authentication;
}

/** A session, not an API key: for what a program must not do on its own (creating keys...). */
export function requireSession(request: FastifyRequest): Authentication & { credential: { kind: 'session' } } {
  const authentication = requireAuthentication(request);
  if (authentication.credential.kind !== 'session') throw identityErrors.create('IDENTITY_FORBIDDEN');
  return authentication as Authentication & { credential: { kind: 'session' } };
}

export function requireInstanceAdmin(request: FastifyRequest): Authentication {
  const authentication = requireScope(request, 'admin');
  if (!authentication.user.is_instance_admin) throw identityErrors.create('IDENTITY_FORBIDDEN');
  return authentication;
}

/** Who is acting, for the audit log. */
export function actorOf(request: FastifyRequest): AuditActor {
  const auth = request.auth;
  return {
    userId: auth?.user.id ?? null,
    apiKeyId: auth?.credential.kind === 'api-key' ? auth.credential.apiKey.id : null,
    label: auth?.user.email ?? null,
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
  };
}

export function setSessionCookie(reply: FastifyReply, token: string, publicUrl: string, expiresAt: string): void {
  void reply.setCookie(sessionCookieName, token, { ...sessionCookieOptions(publicUrl), expires: new Date(expiresAt) });
}

export function clearSessionCookie(reply: FastifyReply, publicUrl: string): void {
  void reply.clearCookie(sessionCookieName, sessionCookieOptions(publicUrl));
}
