import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationItem } from '@bureau/contracts';
import {
  createNotificationsTestbed,
  memberAddedType,
  publicUrl,
  readEventStream,
  type NotificationsTestbed,
  type SignedIn,
} from './notifications.test-support.ts';

const heartbeatMs = 200;

describe('Notifications: the Server-Sent Events stream over a listening server', () => {
  let bed: NotificationsTestbed;
  let address: string;
  const aborts: AbortController[] = [];

  async function start(env: Record<string, string> = {}) {
    bed = await createNotificationsTestbed(env, { notificationStream: { heartbeatMs, maxPerUser: 3 } });
    address = await bed.app.listen();
  }

  afterEach(async () => {
    for (const abort of aborts.splice(0)) abort.abort();
    await bed.destroy();
  });

  async function openStream(as: SignedIn, options: { query?: string; headers?: Record<string, string> } = {}) {
    const abort = new AbortController();
    aborts.push(abort);
    const response = await fetch(`${address}/api/notifications/stream${options.query ?? ''}`, {
      headers: { cookie: as.cookie, ...options.headers },
      signal: abort.signal,
    });
    if (!response.body) throw new Error('no body');
    return { response, events: readEventStream(response.body), close: () => abort.abort() };
  }

  const addedToGroup = (recipient: SignedIn, groupName: string) =>
    bed.notifications.notify({
      type: memberAddedType,
      recipientId: recipient.userId,
      params: { groupId: `group-${groupName}`, groupName },
    });

  async function streamsOpen(): Promise<number> {
    const text = await bed.app.platform.metrics.metrics();
    return Number(/^bureau_notification_streams (\d+)$/m.exec(text)?.[1]);
  }

  it('pushes a notification emitted after connecting, in the reader’s language, with the unread count', async () => {
    await start();
    const { response, events } = await openStream(bed.agnes, { query: '?lang=en' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await events.next()).toEqual({ event: 'unread-count', data: '{"count":0}', id: undefined });
    expect(events.retry()).toBe(5000);

    await expect(
      bed.app.platform.database.transaction(async (context) => {
        await bed.notifications.notify(
          { type: memberAddedType, recipientId: bed.agnes.userId, params: { groupId: 'x', groupName: 'Rolled back' } },
          { context },
        );
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const { ids } = await addedToGroup(bed.agnes, 'Juristes');
    await addedToGroup(bed.bruno, 'Not for Agnès');

    const pushed = await events.next();
    expect(pushed?.event).toBe('notification');
    expect(pushed?.id).toBe(ids[0]);
    expect(JSON.parse(pushed?.data ?? '')).toMatchObject({
      id: ids[0],
      type: memberAddedType,
      title: 'You were added to the group “Juristes”',
      url: '/groups/group-Juristes',
      readAt: null,
    });
    expect(await events.next()).toMatchObject({ event: 'unread-count', data: '{"count":1}' });

    // Read in another tab: every open stream of the user hears the new count.
    const read = await bed.app.http.inject({
      method: 'POST',
      url: `/api/notifications/${ids[0] ?? ''}/read`,
      headers: { cookie: bed.agnes.cookie, origin: publicUrl },
    });
    expect(read.statusCode).toBe(200);
    expect(await events.next()).toMatchObject({ event: 'unread-count', data: '{"count":0}' });

    // Heartbeats keep proxies from closing an idle stream.
    await new Promise((resolve) => setTimeout(resolve, heartbeatMs * 2.5));
    await addedToGroup(bed.agnes, 'Greffe');
    expect((await events.next())?.event).toBe('notification');
    expect(events.comments).toContain('heartbeat');
  });

  it('replays the notifications missed while disconnected, from Last-Event-ID', async () => {
    await start();
    const first = await openStream(bed.agnes);
    expect((await first.events.next())?.event).toBe('unread-count');
    await addedToGroup(bed.agnes, 'A');
    const seen = await first.events.next();
    expect(seen?.event).toBe('notification');
    first.close();

    await addedToGroup(bed.agnes, 'B');
    await addedToGroup(bed.agnes, 'C');

    const again = await openStream(bed.agnes, { headers: { 'last-event-id': seen?.id ?? '' } });
    const replayed = [await again.events.next(), await again.events.next()];
    expect(replayed.map((event) => event?.event)).toEqual(['notification', 'notification']);
    expect(
      replayed.map((event) => JSON.parse(event?.data ?? '{}') as NotificationItem).map((item) => item.title),
    ).toEqual(['Vous avez été ajouté au groupe « B »', 'Vous avez été ajouté au groupe « C »']);
    expect(await again.events.next()).toMatchObject({ event: 'unread-count', data: '{"count":3}' });

    // Without Last-Event-ID (a first connection), nothing is replayed.
    const fresh = await openStream(bed.agnes);
    expect(await fresh.events.next()).toMatchObject({ event: 'unread-count', data: '{"count":3}' });
  });

  it('ends the stream at the next heartbeat once the session is signed out', async () => {
    await start();
    const { events } = await openStream(bed.agnes);
    expect((await events.next())?.event).toBe('unread-count');
    const logout = await bed.app.http.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: bed.agnes.cookie, origin: publicUrl },
    });
    expect(logout.statusCode).toBeLessThan(300);
    await events.ended(heartbeatMs * 10);
    await expect.poll(streamsOpen).toBe(0);
  });

  it('ends the stream once the account is deactivated', async () => {
    await start();
    const { events } = await openStream(bed.bruno);
    expect((await events.next())?.event).toBe('unread-count');
    await bed.app.identity.directory.deactivateUser(bed.bruno.userId, { system: true, label: 'test' });
    await events.ended(heartbeatMs * 10);
  });

  it('forgets a stream the client closed, and refuses more streams than a user may open', async () => {
    await start();
    const streams = await Promise.all([openStream(bed.agnes), openStream(bed.agnes), openStream(bed.agnes)]);
    for (const stream of streams) expect((await stream.events.next())?.event).toBe('unread-count');
    expect(await streamsOpen()).toBe(3);

    const refused = await fetch(`${address}/api/notifications/stream`, { headers: { cookie: bed.agnes.cookie } });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('NOTIFICATION_TOO_MANY_STREAMS');
    // Bruno has his own allowance.
    const bruno = await openStream(bed.bruno);
    expect(bruno.response.status).toBe(200);

    streams[0]?.close();
    await expect.poll(streamsOpen).toBe(3);
    const replacement = await openStream(bed.agnes);
    expect(replacement.response.status).toBe(200);
  });

  it('refuses an anonymous stream', async () => {
    await start();
    const response = await fetch(`${address}/api/notifications/stream`);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/json');
  });

  it('ends open streams when the server shuts down, without waiting for the shutdown timeout', async () => {
    await start({ BUREAU_SHUTDOWN_TIMEOUT: '30000' });
    const { events } = await openStream(bed.agnes);
    expect((await events.next())?.event).toBe('unread-count');
    const startedAt = Date.now();
    await Promise.all([bed.app.close(), events.ended()]);
    expect(Date.now() - startedAt).toBeLessThan(5000);
  });
});
