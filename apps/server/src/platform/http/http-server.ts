import helmet, { type HelmetOptions } from 'helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import findMyWay, { type HTTPMethod } from 'find-my-way';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';
import { platformErrors } from '../errors.ts';
import type { IdGenerator } from '../ids.ts';
import { ErrorSurfaces, toAppError } from './error-mapper.ts';

/** The Fastify instance of Bureau, typed by zod schemas. */
export type HttpServer = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface HttpServerOptions {
  logger: Logger;
  newId: IdGenerator;
  metrics: Registry;
  version: string;
  publicUrl: string;
  bodyLimit: number;
  rateLimitPerMinute: number;
  trustProxy: boolean;
  /** True once shutdown has begun: new requests are then refused with 503. */
  isShuttingDown: () => boolean;
}

const requestIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;
const allMethods: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * The Fastify instance every route of Bureau is registered on, with the platform's HTTP policy:
 * zod validation and serialisation, one error mapper with per-surface shapes, 404 and 405 in that
 * shape, request ids, security headers (CSP), rate limiting, OpenAPI and request metrics.
 */
export async function createHttpServer(
  options: HttpServerOptions,
): Promise<{ http: HttpServer; errorSurfaces: ErrorSurfaces }> {
  const loggerInstance: FastifyBaseLogger = options.logger;
  const http: HttpServer = Fastify({
    loggerInstance,
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy,
    // A client may send its own X-Request-Id (e.g. from a reverse proxy) so that logs can be correlated.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : options.newId();
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // Shutdown answers 503 in the platform's shape (see onRequest below) instead of Fastify's own.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  }).withTypeProvider<ZodTypeProvider>();

  http.setValidatorCompiler(validatorCompiler);
  http.setSerializerCompiler(serializerCompiler);

  const errorSurfaces = new ErrorSurfaces();

  // Every route is mirrored in a router used only to tell 405 (the path exists with another method) from 404.
  const knownRoutes = findMyWay();
  http.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // Catch-all routes (the web app's fallback) would make every path look known.
    if (route.url.endsWith('*')) return;
    for (const method of methods) {
      const known = allMethods.find((candidate) => candidate === method.toUpperCase());
      if (known && !knownRoutes.hasRoute(known, route.url)) knownRoutes.on(known, route.url, () => undefined);
    }
  });

  http.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    if (options.isShuttingDown()) {
      void reply.header('connection', 'close');
      throw platformErrors.create('SHUTTING_DOWN');
    }
  });

  http.setErrorHandler((error, request, reply) => {
    const { appError, isUnexpected } = toAppError(error, request);
    if (isUnexpected) {
      request.log.error({ err: error }, 'unexpected error while handling the request');
    } else {
      request.log.info({ code: appError.code }, 'request refused');
    }
    return errorSurfaces.send(reply, request, appError);
  });

  http.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = allMethods.filter((method) => knownRoutes.find(method, path) !== null);
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      return errorSurfaces.send(
        reply,
        request,
        platformErrors.create('METHOD_NOT_ALLOWED', { method: request.method }),
      );
    }
    return errorSurfaces.send(reply, request, platformErrors.create('NOT_FOUND', { path }));
  });

  // Security headers (helmet), computed once: they are the same for every response. The Fastify plugin
  // would rebuild helmet's middleware and parse the policy on each request.
  const securityHeaders = helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // WebAssembly compilation only (no eval of scripts): the chat's end-to-end encryption runs Matrix's
        // Rust crypto compiled to WebAssembly, as Element and Tchap's web apps do.
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        styleSrc: ["'self'"],
        // Style attributes only (never <style> elements nor scripts): the documents' editor (BlockNote's
        // floating menus) positions its popovers with them.
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        mediaSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
      },
    },
    // Same-origin only, except what Matrix clients and other administrations' software call from elsewhere.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    strictTransportSecurity: options.publicUrl.startsWith('https://'),
  });
  http.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(securityHeaders);
    done();
  });

  await http.register(fastifyRateLimit, {
    global: true,
    max: options.rateLimitPerMinute,
    timeWindow: 60_000,
    // Only what programs and people call is throttled: the API, sign-in and protocol surfaces. Probes and
    // metrics scrapers never are, nor the web app's files (one page loads dozens of icons and fonts).
    allowList: (request) => !isThrottled(request.url.split('?')[0] ?? ''),
    // A program or a Matrix client presenting a bearer token is counted by its token, so that the agents of
    // an administration behind one proxy address do not share one allowance; anything else by address.
    keyGenerator: (request) => {
      const authorization = request.headers.authorization;
      return authorization?.startsWith('Bearer ')
        ? `token:${createHash('sha256').update(authorization).digest('base64url').slice(0, 22)}`
        : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) =>
      platformErrors.create('RATE_LIMITED', { retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)) }),
  });

  await http.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Bureau API',
        description:
          'API of Bureau, the digital workplace of the administration. Errors: `{ error: { code, message, details } }`.',
        version: options.version,
        license: { name: 'MIT' },
      },
      // Relative, so that "Try it out" calls the server that served the page, whatever its host name.
      servers: [{ url: '/' }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await http.register(fastifySwaggerUi, {
    routePrefix: '/api/reference',
    // The platform's policy, plus the hash of the one inline <style> of Swagger UI's logo. The plugin's
    // own default policy would be looser and adds upgrade-insecure-requests, which blanks the page over
    // plain HTTP under a host name.
    staticCSP: [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='",
      "img-src 'self' data:",
      "font-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
    ].join('; '),
    uiConfig: { deepLinking: true },
  });

  const requestDuration = new Histogram({
    name: 'bureau_http_request_duration_seconds',
    help: 'Duration of HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [options.metrics],
  });
  http.addHook('onResponse', async (request, reply) => {
    requestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  return { http, errorSurfaces };
}

/** Paths counted by the rate limit: everything but probes, metrics, Matrix's /sync and the web app's static files. */
export function isThrottled(path: string): boolean {
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return false;
  // Matrix's /sync is not rate-limited by the specification: every client repeats it as a long-poll, and
  // each one waits for news rather than costing work.
  if (path === '/_matrix/client/v3/sync') return false;
  return /^\/(api|auth|_matrix|v1|collab|\.well-known)(\/|$)/.test(path);
}

/** The headers helmet sets with these options (it sets the same ones on every response). */
function helmetHeaders(options: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error('helmet refused its options');
  return headers;
}
