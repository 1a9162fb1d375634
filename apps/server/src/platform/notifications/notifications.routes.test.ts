import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../http/http-server.ts';
import { createLogger } from '../logging.ts';
import { formatStreamEvent, registerNotificationRoutes } from './notifications.routes.ts';
import type { NotificationService } from './notifications.service.ts';

describe(registerNotificationRoutes.name, () => {
  let http: HttpServer | undefined;
  afterEach(async () => {
    await http?.close();
  });

  it('describes every route of the inbox in the OpenAPI document', async () => {
    ({ http } = await createHttpServer({
      logger: createLogger('silent'),
      newId: () => '00000000-0000-7000-8000-000000000000',
      metrics: new Registry(),
      version: 'test',
      publicUrl: 'http://bureau.test',
      bodyLimit: 1024 * 1024,
      rateLimitPerMinute: 1000,
      trustProxy: false,
      isShuttingDown: () => false,
    }));
    // The document is built from the schemas alone: no route runs.
    registerNotificationRoutes(http, {
      notifications: {} as NotificationService,
      requireUser: () => ({ userId: 'u' }),
    });
    await http.ready();
    const document = http.swagger() as { paths: Record<string, Record<string, unknown>> };
    expect(
      Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method} ${path}`),
      ),
    ).toEqual([
      'get /api/notifications',
      'get /api/notifications/unread-count',
      'post /api/notifications/{id}/read',
      'post /api/notifications/read-all',
      'get /api/notifications/preferences',
      'put /api/notifications/preferences',
      'get /api/notifications/stream',
    ]);
  });
});

describe(formatStreamEvent.name, () => {
  it('writes a notification with its id as the event id, and the count without one', () => {
    const item = {
      id: '019a0000-0000-7000-8000-000000000001',
      type: 'test.thing.happened',
      title: 'Deux\nlignes',
      body: null,
      url: null,
      resource: null,
      actor: null,
      createdAt: '2026-12-01T08:00:00.000Z',
      readAt: null,
    };
    expect(formatStreamEvent({ kind: 'notification', item })).toBe(
      `id: ${item.id}\nevent: notification\ndata: ${JSON.stringify(item)}\n\n`,
    );
    expect(formatStreamEvent({ kind: 'notification', item }).split('\n')).toHaveLength(5);
    expect(formatStreamEvent({ kind: 'unread-count', count: 3 })).toBe('event: unread-count\ndata: {"count":3}\n\n');
  });
});
