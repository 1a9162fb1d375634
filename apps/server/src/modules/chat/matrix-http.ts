import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock.ts';
import type { HttpServer } from '../../platform/http/http-server.ts';
import type { ChatAccounts, MatrixPrincipal } from './accounts.ts';
import { matrixError } from './matrix-errors.ts';

/** URL prefixes of the Matrix surface: the client-server API, media, Tchap's identity lookup, discovery. */
export function isMatrixUrl(url: string): boolean {
  return url.startsWith('/_matrix/') || url.startsWith('/.well-known/matrix/');
}

const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
  'access-control-allow-headers': 'X-Requested-With, Content-Type, Authorization, Date',
  'access-control-expose-headers': 'ETag, Content-Disposition, Content-Length',
} as const;

/**
 * The HTTP policy of the Matrix surface (client-server-api § "Web Browser Clients"): CORS headers on every
 * response and an immediate 204 to every preflight `OPTIONS`, whether or not the path exists; resources
 * (media) readable cross-origin.
 */
export function registerMatrixHttpPolicy(http: HttpServer): void {
  http.addHook('onRequest', async (request, reply) => {
    if (!isMatrixUrl(request.url)) return;
    void reply.headers(corsHeaders);
    if (request.method === 'OPTIONS') {
      await reply.code(204).send();
    }
  });
  http.addHook('onSend', async (request, reply, payload) => {
    if (isMatrixUrl(request.url)) void reply.header('cross-origin-resource-policy', 'cross-origin');
    return payload;
  });
}

/** The access token of a request: `Authorization: Bearer` (or the deprecated `access_token` query parameter). */
export function accessTokenOf(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.['access_token'];
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}

export type MatrixAuthenticator = (request: FastifyRequest) => Promise<MatrixPrincipal>;

/**
 * Authenticates a Matrix request: M_MISSING_TOKEN without a token, M_UNKNOWN_TOKEN for an unknown or
 * revoked one (deactivated Bureau users have none left), ORG_MATRIX_EXPIRED_ACCOUNT past the account's
 * validity (Tchap). Records the device's last use.
 */
export function createMatrixAuthenticator(deps: { accounts: ChatAccounts; clock: Clock }): MatrixAuthenticator {
  const principals = new WeakMap<FastifyRequest, MatrixPrincipal>();
  return async (request) => {
    const known = principals.get(request);
    if (known) return known;
    const token = accessTokenOf(request);
    if (!token) throw matrixError('M_MISSING_TOKEN');
    const principal = await deps.accounts.authenticate(token);
    if (!principal) throw matrixError('M_UNKNOWN_TOKEN', undefined, { soft_logout: false });
    const expiresAt = principal.account.expires_at;
    if (expiresAt !== null && new Date(expiresAt) <= deps.clock.now()) {
      throw matrixError('ORG_MATRIX_EXPIRED_ACCOUNT');
    }
    principals.set(request, principal);
    void deps.accounts.touchDevice(principal, request.ip)?.catch(() => undefined);
    return principal;
  };
}
