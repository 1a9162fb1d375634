import { PassThrough } from 'node:stream';
import {
  apiErrorSchema,
  markAllReadRequestSchema,
  markAllReadResponseSchema,
  notificationItemSchema,
  notificationListQuerySchema,
  notificationLocaleSchema,
  notificationPageSchema,
  notificationPreferencesSchema,
  unreadCountSchema,
  updateNotificationPreferencesRequestSchema,
} from '@bureau/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Locale } from '../errors.ts';
import { preferredLocale } from '../http/error-mapper.ts';
import type { HttpServer } from '../http/http-server.ts';
import { notificationErrors } from './notifications.errors.ts';
import type { NotificationService, NotificationStreamEvent } from './notifications.service.ts';

/** Who calls the inbox: given by the identity module through app.ts (platform/ never imports modules/). */
export interface NotificationCaller {
  userId: string;
  /** The user's language, when known; the request's `lang`, then Accept-Language, otherwise. */
  locale?: Locale | undefined;
}

export interface NotificationStreamOptions {
  /** Between two heartbeats (and authentication checks); 25 s by default. */
  heartbeatMs?: number;
  /** The reconnection delay the browser is told (`retry:`); 5 s by default. */
  retryMs?: number;
  /** Streams one user may keep open at once (tabs); 10 by default. */
  maxPerUser?: number;
  /** A client that lets this much pile up unread is disconnected (it reconnects and replays); 1 MiB by default. */
  maxBufferedBytes?: number;
}

export interface NotificationRoutesDependencies {
  notifications: NotificationService;
  /** The signed-in user of the request; throws the identity module's error when there is none. */
  requireUser(request: FastifyRequest): NotificationCaller | Promise<NotificationCaller>;
  /**
   * Asked at each heartbeat of an open stream: false (session revoked or expired, account deactivated)
   * ends the stream. Without it, a stream lasts until the client or the server closes it.
   */
  isStillAuthenticated?(request: FastifyRequest): Promise<boolean>;
  stream?: NotificationStreamOptions;
}

const errors = { 400: apiErrorSchema, 401: apiErrorSchema, 403: apiErrorSchema };
const langQuerySchema = z.object({ lang: notificationLocaleSchema.optional() });

/** The text of one Server-Sent Event. JSON never contains a raw line break, so `data` is one line. */
export function formatStreamEvent(event: NotificationStreamEvent): string {
  if (event.kind === 'notification') {
    return `id: ${event.item.id}\nevent: notification\ndata: ${JSON.stringify(event.item)}\n\n`;
  }
  return `event: unread-count\ndata: ${JSON.stringify({ count: event.count })}\n\n`;
}

/**
 * The inbox API under /api/notifications and its Server-Sent Events stream. State changes are
 * CSRF-checked by the identity module's hook, like every cookie-authenticated state change.
 */
export function registerNotificationRoutes(http: HttpServer, deps: NotificationRoutesDependencies): void {
  const { notifications } = deps;
  const heartbeatMs = deps.stream?.heartbeatMs ?? 25_000;
  const retryMs = deps.stream?.retryMs ?? 5_000;
  const maxPerUser = deps.stream?.maxPerUser ?? 10;
  const maxBufferedBytes = deps.stream?.maxBufferedBytes ?? 1024 * 1024;

  async function callerOf(request: FastifyRequest, lang: Locale | undefined) {
    const caller = await deps.requireUser(request);
    return {
      userId: caller.userId,
      locale: lang ?? caller.locale ?? preferredLocale(request.headers['accept-language']),
    };
  }

  http.get(
    '/api/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'The user’s notifications, newest first, rendered in their language.',
        querystring: notificationListQuerySchema,
        response: { 200: notificationPageSchema, ...errors },
      },
    },
    async (request) => {
      const { unread, limit, cursor, lang } = request.query;
      const { userId, locale } = await callerOf(request, lang);
      return notifications.list(userId, { unread, limit, cursor }, locale);
    },
  );

  http.get(
    '/api/notifications/unread-count',
    {
      schema: {
        tags: ['notifications'],
        summary: 'How many of the user’s notifications are unread.',
        response: { 200: unreadCountSchema, ...errors },
      },
    },
    async (request) => {
      const { userId } = await callerOf(request, undefined);
      return { count: await notifications.unreadCount(userId) };
    },
  );

  http.post(
    '/api/notifications/:id/read',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Marks one of the user’s notifications read (idempotent).',
        params: z.object({ id: z.string().max(64) }),
        querystring: langQuerySchema,
        response: { 200: notificationItemSchema, ...errors, 404: apiErrorSchema },
      },
    },
    async (request) => {
      const { userId, locale } = await callerOf(request, request.query.lang);
      return notifications.markRead(userId, request.params.id, locale);
    },
  );

  http.post(
    '/api/notifications/read-all',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Marks every unread notification of the user read, or those up to `upTo`.',
        // Fastify gives null for a request without a body.
        body: markAllReadRequestSchema.nullish(),
        response: { 200: markAllReadResponseSchema, ...errors },
      },
    },
    async (request) => {
      const { userId } = await callerOf(request, undefined);
      const upTo = request.body?.upTo;
      return notifications.markAllRead(userId, upTo === undefined ? {} : { upTo });
    },
  );

  http.get(
    '/api/notifications/preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: 'The user’s channels per notification type, and their e-mail digest.',
        querystring: langQuerySchema,
        response: { 200: notificationPreferencesSchema, ...errors },
      },
    },
    async (request) => {
      const { userId, locale } = await callerOf(request, request.query.lang);
      return notifications.getPreferences(userId, locale);
    },
  );

  http.put(
    '/api/notifications/preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Changes the channels of some types, the digest frequency or its language.',
        querystring: langQuerySchema,
        body: updateNotificationPreferencesRequestSchema,
        response: { 200: notificationPreferencesSchema, ...errors },
      },
    },
    async (request) => {
      const { userId, locale } = await callerOf(request, request.query.lang);
      const { types, digest, emailLocale } = request.body;
      return notifications.updatePreferences(
        userId,
        {
          ...(types === undefined ? {} : { types }),
          ...(digest === undefined ? {} : { digest }),
          ...(emailLocale === undefined ? {} : { emailLocale }),
        },
        locale,
      );
    },
  );

  // --- The stream (Server-Sent Events) ---

  const openStreams = new Set<() => void>();
  const streamsByUser = new Map<string, number>();

  // Open streams would keep the server from closing until the shutdown timeout: end them first.
  http.addHook('preClose', (done) => {
    for (const close of [...openStreams]) close();
    done();
  });

  http.get(
    '/api/notifications/stream',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Server-Sent Events: `notification` (an item, its id as event id) and `unread-count` ({count}).',
        description:
          'Heartbeat comments every 25 s. After a reconnection, `Last-Event-ID` (or `lastEventId`) replays ' +
          'the notifications created since, at most 100. The stream ends when the session ends.',
        querystring: z.object({
          lang: notificationLocaleSchema.optional(),
          lastEventId: z.string().max(64).optional(),
        }),
        response: {
          // A stream: Fastify pipes it as it is, without serialising it.
          200: z.unknown().describe('text/event-stream'),
          ...errors,
          429: apiErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { userId, locale } = await callerOf(request, request.query.lang);
      const open = streamsByUser.get(userId) ?? 0;
      if (open >= maxPerUser) throw notificationErrors.create('NOTIFICATION_TOO_MANY_STREAMS', { max: maxPerUser });
      streamsByUser.set(userId, open + 1);

      const header = request.headers['last-event-id'];
      const lastEventId = (typeof header === 'string' ? header.trim() : undefined) || request.query.lastEventId;
      const body = new PassThrough();
      let isClosed = false;

      const write = (text: string) => {
        if (isClosed) return;
        body.write(text);
        // A client that does not read (or a dead connection) must not make the server hold its events.
        if (body.writableLength + body.readableLength > maxBufferedBytes) close();
      };
      const stopWatching = notifications.watch(
        userId,
        { locale, ...(lastEventId === undefined ? {} : { lastEventId }) },
        (event) => write(formatStreamEvent(event)),
      );
      const heartbeat = setInterval(() => void beat(), heartbeatMs);

      async function beat(): Promise<void> {
        if (deps.isStillAuthenticated) {
          const isAuthenticated = await deps.isStillAuthenticated(request).catch((error: unknown) => {
            request.log.warn({ err: error }, 'could not check the authentication of a notification stream');
            return true;
          });
          if (!isAuthenticated) {
            close();
            return;
          }
        }
        write(': heartbeat\n\n');
      }

      function close(): void {
        if (isClosed) return;
        isClosed = true;
        clearInterval(heartbeat);
        stopWatching();
        openStreams.delete(close);
        const remaining = (streamsByUser.get(userId) ?? 1) - 1;
        if (remaining > 0) streamsByUser.set(userId, remaining);
        else streamsByUser.delete(userId);
        body.end();
      }

      // Fastify destroys the body when the client goes away.
      body.on('close', close);
      openStreams.add(close);
      write(`retry: ${retryMs}\n\n`);
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no')
        .send(body);
    },
  );
}
