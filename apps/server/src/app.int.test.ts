import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, type BureauApp } from './app.ts';
import { defineErrors } from './platform/errors.ts';
import { isThrottled } from './platform/http/http-server.ts';
import { captureLogs } from './testing/capture-logs.ts';
import { createTestEnvironment, type TestEnvironment } from './testing/test-database.ts';

const exampleErrors = defineErrors({
  EXAMPLE_ROOM_NOT_FOUND: { kind: 'not_found', fr: 'Salon {roomId} introuvable.', en: 'Room {roomId} not found.' },
});

describe('Bureau HTTP platform', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let logs: ReturnType<typeof captureLogs>;

  async function start(env: Record<string, string> = {}): Promise<void> {
    environment = await createTestEnvironment({ BUREAU_LOG_LEVEL: 'info', ...env });
    logs = captureLogs();
    app = await buildApp(environment.config, { logDestination: logs.stream });
    app.http.post(
      '/api/test/echo',
      { schema: { body: z.object({ title: z.string().min(1).max(20), count: z.number().int().positive() }) } },
      (request) => request.body,
    );
    app.http.get('/api/test/rooms/:roomId', (request) => {
      throw exampleErrors.create('EXAMPLE_ROOM_NOT_FOUND', { roomId: (request.params as { roomId: string }).roomId });
    });
    app.http.get('/api/test/crash', () => {
      throw new Error('secret internals: password=hunter2');
    });
    app.http.get('/_example/v1/test', () => {
      throw exampleErrors.create('EXAMPLE_ROOM_NOT_FOUND', { roomId: '!abc' });
    });
    // A made-up protocol surface (the chat module registers the real Matrix one).
    app.errorSurfaces.register('/_example', (error, { status }) => ({
      body: { errcode: status === 404 ? 'M_NOT_FOUND' : 'M_UNKNOWN', error: error.messages.en },
    }));
  }

  beforeEach(async () => {
    await start();
  });
  afterEach(async () => {
    await app.close();
    await environment.destroy();
  });

  it('answers liveness at once and readiness only once migrated', async () => {
    expect((await app.http.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });

    const before = await app.http.inject({ url: '/readyz' });
    expect(before.statusCode).toBe(503);
    expect(before.json<{ error: { code: string } }>().error.code).toBe('NOT_READY');

    await app.migrate();
    const after = await app.http.inject({ url: '/readyz' });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  });

  it('serves the instance from the database', async () => {
    await app.migrate();
    const response = await app.http.inject({ url: '/api/instance' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      name: 'Administration de démonstration',
      defaultLocale: 'fr',
      locales: ['fr', 'en'],
    });
  });

  it('answers an unknown address with 404 in the platform shape, in French by default', async () => {
    const response = await app.http.inject({ url: '/api/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'NOT_FOUND', message: "Cette adresse n'existe pas.", details: { path: '/api/nothing-here' } },
    });
  });

  it('answers in English when the client prefers it', async () => {
    const response = await app.http.inject({
      url: '/api/nothing-here',
      headers: { 'accept-language': 'en-GB,en;q=0.9,fr;q=0.5' },
    });
    expect(response.json<{ error: { message: string } }>().error.message).toBe('This address does not exist.');
  });

  it('answers a known address with the wrong method with 405 and the allowed methods', async () => {
    const response = await app.http.inject({ method: 'DELETE', url: '/api/test/echo' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(response.json<{ error: { code: string } }>().error.code).toBe('METHOD_NOT_ALLOWED');
    const withParameters = await app.http.inject({ method: 'POST', url: '/api/test/rooms/42' });
    expect(withParameters.statusCode).toBe(405);
    expect(withParameters.headers.allow).toBe('GET, HEAD');
  });

  it('rejects invalid input with 400 and says which fields are wrong', async () => {
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload: { title: '', count: -1 },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json<{ error: { code: string; details: { issues: Array<{ path: string }> } } }>();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details.issues.map((issue) => issue.path).sort()).toEqual(['count', 'title']);
  });

  it('accepts valid input', async () => {
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload: { title: 'Bonjour', count: 2 },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ title: 'Bonjour', count: 2 });
  });

  it('rejects malformed JSON with 400', async () => {
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"title": "x",',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('MALFORMED_BODY');
  });

  it('rejects an unsupported content type with 415', async () => {
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/test/echo',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'title=x',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('rejects a body over the limit with 413', async () => {
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024), count: 1 }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', details: { limit: 1048576 } } });
  });

  it('maps a business error to its status through its kind, with its details', async () => {
    const response = await app.http.inject({ url: '/api/test/rooms/42' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'EXAMPLE_ROOM_NOT_FOUND', message: 'Salon 42 introuvable.', details: { roomId: '42' } },
    });
  });

  it('answers an unexpected error with 500 without internals, and logs it with the request id', async () => {
    const response = await app.http.inject({ url: '/api/test/crash', headers: { 'x-request-id': 'support-case-1' } });
    expect(response.statusCode).toBe(500);
    expect(response.headers['x-request-id']).toBe('support-case-1');
    expect(response.body).not.toContain('hunter2');
    expect(response.json()).toMatchObject({
      error: { code: 'INTERNAL_ERROR', details: { requestId: 'support-case-1' } },
    });
    const logged = logs.lines().find((line) => line.msg === 'unexpected error while handling the request');
    expect(logged).toMatchObject({ requestId: 'support-case-1', level: 'error' });
  });

  it('gives every response a request id, generated when the client sends none', async () => {
    const response = await app.http.inject({ url: '/healthz' });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await app.http.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lets a protocol surface keep its own error shape', async () => {
    const thrown = await app.http.inject({ url: '/_example/v1/test' });
    expect(thrown.statusCode).toBe(404);
    expect(thrown.json()).toEqual({ errcode: 'M_NOT_FOUND', error: 'Room !abc not found.' });
    const unknown = await app.http.inject({ url: '/_example/v1/unknown' });
    expect(unknown.json()).toEqual({ errcode: 'M_NOT_FOUND', error: 'This address does not exist.' });
  });

  it('sends security headers with a strict content security policy', async () => {
    const response = await app.http.inject({ url: '/healthz' });
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('publishes request metrics for Prometheus', async () => {
    await app.http.inject({ url: '/healthz' });
    const response = await app.http.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toMatch(
      /bureau_http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} 1/,
    );
    expect(response.body).toContain('bureau_process_cpu_seconds_total');
  });

  it('describes its API in OpenAPI and serves interactive docs', async () => {
    const document = await app.http.inject({ url: '/api/openapi.json' });
    expect(document.statusCode).toBe(200);
    const spec = document.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/api/instance']));
    const docs = await app.http.inject({ url: '/api/reference/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });
});

describe('Rate limiting', () => {
  it('answers 429 in the platform shape past the limit, but never throttles probes', async () => {
    const environment = await createTestEnvironment({ BUREAU_RATE_LIMIT: '3' });
    const app = await buildApp(environment.config);
    try {
      await app.migrate();
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 4; attempt += 1) {
        statuses.push((await app.http.inject({ url: '/api/instance' })).statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await app.http.inject({ url: '/api/instance' });
      expect(limited.json<{ error: { code: string } }>().error.code).toBe('RATE_LIMITED');
      expect(limited.headers['retry-after']).toBeDefined();
      for (let attempt = 0; attempt < 5; attempt += 1) {
        expect((await app.http.inject({ url: '/healthz' })).statusCode).toBe(200);
        // Nor the web app's files (one page loads dozens of icons and fonts).
        expect((await app.http.inject({ url: '/dsfr/icons/system/search-line.svg' })).statusCode).not.toBe(429);
        expect((await app.http.inject({ url: '/administration' })).statusCode).not.toBe(429);
      }
      // A bearer token has its own allowance (agents behind one proxy address do not share one).
      const withToken = (token: string) =>
        app.http.inject({ url: '/api/instance', headers: { authorization: `Bearer ${token}` } });
      expect((await withToken('client-a')).statusCode).not.toBe(429);
      expect((await withToken('client-b')).statusCode).not.toBe(429);
      expect(isThrottled('/api/me')).toBe(true);
      expect(isThrottled('/auth/oidc/login')).toBe(true);
      expect(isThrottled('/_matrix/client/versions')).toBe(true);
      expect(isThrottled('/_matrix/client/v3/sync')).toBe(false);
      expect(isThrottled('/assets/index.js')).toBe(false);
      expect(isThrottled('/apiary')).toBe(false);
    } finally {
      await app.close();
      await environment.destroy();
    }
  });
});

describe('Graceful shutdown', () => {
  it('lets in-flight requests finish, refuses new ones, then closes the database', async () => {
    const environment = await createTestEnvironment();
    const app = await buildApp(environment.config);
    let releaseSlowRequest: () => void = () => undefined;
    let slowRequestStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (slowRequestStarted = resolve));
    app.http.get('/api/test/slow', async () => {
      slowRequestStarted();
      await new Promise<void>((resolve) => (releaseSlowRequest = resolve));
      return { finished: true };
    });
    try {
      const address = await app.listen();
      const inFlight = fetch(`${address}/api/test/slow`);
      await started;

      const closing = app.close();
      expect(app.isShuttingDown()).toBe(true);
      releaseSlowRequest();
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ finished: true });
      await closing;

      await expect(fetch(`${address}/healthz`)).rejects.toThrow();
      await expect(app.platform.database.ping()).rejects.toThrow();
    } finally {
      await app.close();
      await environment.destroy();
    }
  });
});
