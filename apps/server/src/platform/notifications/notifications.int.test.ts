import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotificationItem, NotificationPage, NotificationPreferences } from '@bureau/contracts';
import {
  createNotificationsTestbed,
  memberAddedType,
  publicUrl,
  signInType,
  type NotificationsTestbed,
  type SignedIn,
} from './notifications.test-support.ts';
import type { NotificationStreamEvent } from './notifications.service.ts';

interface ApiError {
  error: { code: string; message: string };
}

/** The test's own types (the identity module registers its types too). */
function testTypes(preferences: NotificationPreferences): NotificationPreferences['types'] {
  return preferences.types.filter((type) => type.type.startsWith('test.'));
}

describe('Notifications: emitting, the inbox API and preferences', () => {
  let bed: NotificationsTestbed;

  beforeEach(async () => {
    bed = await createNotificationsTestbed();
  });
  afterEach(async () => {
    await bed.destroy();
  });

  function request(
    as: SignedIn,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    options: { payload?: unknown; headers?: Record<string, string> } = {},
  ) {
    return bed.app.http.inject({
      method,
      url,
      headers: {
        cookie: as.cookie,
        ...(method === 'GET' ? {} : { origin: publicUrl }),
        ...options.headers,
      },
      ...(options.payload === undefined ? {} : { payload: options.payload as Record<string, unknown> }),
    });
  }

  const addedToGroup = (recipient: SignedIn, groupName: string, actor?: SignedIn) =>
    bed.notifications.notify({
      type: memberAddedType,
      recipientId: recipient.userId,
      params: { groupId: `group-${groupName}`, groupName },
      resource: { type: 'identity.group', id: `group-${groupName}` },
      actorId: actor?.userId ?? null,
    });

  async function inbox(as: SignedIn, query = ''): Promise<NotificationPage> {
    const response = await request(as, 'GET', `/api/notifications${query}`);
    expect(response.statusCode).toBe(200);
    return response.json<NotificationPage>();
  }

  async function unreadCount(as: SignedIn): Promise<number> {
    const response = await request(as, 'GET', '/api/notifications/unread-count');
    expect(response.statusCode).toBe(200);
    return response.json<{ count: number }>().count;
  }

  it('stores a notification emitted in a transaction once it commits, and pushes it only then', async () => {
    const heard: NotificationStreamEvent[] = [];
    const stop = bed.notifications.watch(bed.agnes.userId, { locale: 'fr' }, (event) => heard.push(event));
    await expect.poll(() => heard).toEqual([{ kind: 'unread-count', count: 0 }]);

    await bed.app.platform.database.transaction(async (context) => {
      await bed.notifications.notify(
        {
          type: memberAddedType,
          recipientIds: [bed.agnes.userId],
          params: { groupId: 'g1', groupName: 'Juristes' },
        },
        { context },
      );
      // Written in the transaction, not yet committed: nobody has heard of it.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(heard).toHaveLength(1);
    });
    await expect.poll(() => heard.map((event) => event.kind)).toEqual(['unread-count', 'notification', 'unread-count']);
    expect(heard[1]).toMatchObject({
      kind: 'notification',
      item: { type: memberAddedType, title: 'Vous avez été ajouté au groupe « Juristes »' },
    });
    expect(heard[2]).toEqual({ kind: 'unread-count', count: 1 });
    stop();

    expect((await inbox(bed.agnes)).items.map((item) => item.title)).toEqual([
      'Vous avez été ajouté au groupe « Juristes »',
    ]);
  });

  it('leaves nothing, stored or pushed, when the producer’s transaction rolls back', async () => {
    const heard: NotificationStreamEvent[] = [];
    const stop = bed.notifications.watch(bed.agnes.userId, { locale: 'fr' }, (event) => heard.push(event));
    await expect(
      bed.app.platform.database.transaction(async (context) => {
        await bed.notifications.notify(
          { type: memberAddedType, recipientId: bed.agnes.userId, params: { groupId: 'g1', groupName: 'Juristes' } },
          { context },
        );
        throw new Error('the group could not be saved');
      }),
    ).rejects.toThrow('the group could not be saved');
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop();

    expect(heard).toEqual([{ kind: 'unread-count', count: 0 }]);
    expect((await inbox(bed.agnes)).items).toEqual([]);
    expect(await unreadCount(bed.agnes)).toBe(0);
    // Nor a digest scheduled by the rolled-back transaction.
    expect((await bed.app.platform.jobs.list({ type: 'platform.notifications.digest', limit: 10 })).items).toEqual([]);
  });

  it('lists newest first page by page, counts the unread, marks one and then all read', async () => {
    for (const name of ['A', 'B', 'C', 'D', 'E']) {
      await addedToGroup(bed.agnes, name, bed.bruno);
      bed.clock.advance(1000);
    }
    expect(await unreadCount(bed.agnes)).toBe(5);

    const first = await inbox(bed.agnes, '?limit=2');
    expect(first.items.map((item) => item.resource?.id)).toEqual(['group-E', 'group-D']);
    expect(first.nextCursor).toBe(first.items[1]?.id);
    const second = await inbox(bed.agnes, `?limit=2&cursor=${first.nextCursor ?? ''}`);
    expect(second.items.map((item) => item.resource?.id)).toEqual(['group-C', 'group-B']);
    const third = await inbox(bed.agnes, `?limit=2&cursor=${second.nextCursor ?? ''}`);
    expect(third.items.map((item) => item.resource?.id)).toEqual(['group-A']);
    expect(third.nextCursor).toBeNull();

    const [newest] = first.items;
    expect(newest).toEqual({
      id: expect.any(String) as unknown,
      type: memberAddedType,
      title: 'Vous avez été ajouté au groupe « E »',
      body: 'Ajouté par Bruno Bureau.',
      url: '/groups/group-E',
      resource: { type: 'identity.group', id: 'group-E' },
      actor: { id: bed.bruno.userId, displayName: 'Bruno Bureau' },
      createdAt: '2026-12-01T08:00:04.000Z',
      readAt: null,
    });

    bed.clock.advance(60_000);
    const marked = await request(bed.agnes, 'POST', `/api/notifications/${newest?.id ?? ''}/read`);
    expect(marked.statusCode).toBe(200);
    expect(marked.json<NotificationItem>()).toMatchObject({ id: newest?.id, readAt: '2026-12-01T08:01:05.000Z' });
    // Idempotent: marking it again keeps the first reading time.
    bed.clock.advance(1000);
    const again = await request(bed.agnes, 'POST', `/api/notifications/${newest?.id ?? ''}/read`);
    expect(again.json<NotificationItem>().readAt).toBe('2026-12-01T08:01:05.000Z');
    expect(await unreadCount(bed.agnes)).toBe(4);
    expect((await inbox(bed.agnes, '?unread=true')).items.map((item) => item.resource?.id)).toEqual([
      'group-D',
      'group-C',
      'group-B',
      'group-A',
    ]);
    expect((await inbox(bed.agnes, '?unread=false')).items.map((item) => item.id)).toEqual([newest?.id]);

    // "Mark all read" up to what the user saw: a notification that arrived since stays unread.
    const seen = (await inbox(bed.agnes, '?unread=true&limit=1')).items[0]?.id ?? '';
    await addedToGroup(bed.agnes, 'F');
    const upTo = await request(bed.agnes, 'POST', '/api/notifications/read-all', { payload: { upTo: seen } });
    expect(upTo.json()).toEqual({ marked: 4 });
    expect(await unreadCount(bed.agnes)).toBe(1);
    const all = await request(bed.agnes, 'POST', '/api/notifications/read-all');
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual({ marked: 1 });
    expect(await unreadCount(bed.agnes)).toBe(0);
  });

  it('shows a user only their own notifications: another’s id is not found', async () => {
    await addedToGroup(bed.agnes, 'Juristes');
    const [agnesNotification] = (await inbox(bed.agnes)).items;
    const id = agnesNotification?.id ?? '';

    expect((await inbox(bed.bruno)).items).toEqual([]);
    expect(await unreadCount(bed.bruno)).toBe(0);
    const stolen = await request(bed.bruno, 'POST', `/api/notifications/${id}/read`);
    expect(stolen.statusCode).toBe(404);
    expect(stolen.json<ApiError>().error.code).toBe('NOTIFICATION_NOT_FOUND');
    const readAll = await request(bed.bruno, 'POST', '/api/notifications/read-all', { payload: {} });
    expect(readAll.json()).toEqual({ marked: 0 });
    expect(await unreadCount(bed.agnes)).toBe(1);

    const malformed = await request(bed.bruno, 'POST', '/api/notifications/not-an-id/read');
    expect(malformed.statusCode).toBe(404);
    expect(malformed.json<ApiError>().error.code).toBe('NOTIFICATION_NOT_FOUND');
  });

  it('renders each notification in the reader’s language, from lang or Accept-Language', async () => {
    await addedToGroup(bed.agnes, 'Juristes', bed.bruno);
    const french = await request(bed.agnes, 'GET', '/api/notifications');
    expect(french.json<NotificationPage>().items[0]).toMatchObject({
      title: 'Vous avez été ajouté au groupe « Juristes »',
      body: 'Ajouté par Bruno Bureau.',
    });
    const english = await request(bed.agnes, 'GET', '/api/notifications', {
      headers: { 'accept-language': 'en-GB,en;q=0.9' },
    });
    expect(english.json<NotificationPage>().items[0]).toMatchObject({
      title: 'You were added to the group “Juristes”',
      body: 'Added by Bruno Bureau.',
    });
    const forced = await request(bed.agnes, 'GET', '/api/notifications?lang=fr', {
      headers: { 'accept-language': 'en' },
    });
    expect(forced.json<NotificationPage>().items[0]?.title).toBe('Vous avez été ajouté au groupe « Juristes »');

    const preferences = await request(bed.agnes, 'GET', '/api/notifications/preferences?lang=en');
    expect(testTypes(preferences.json<NotificationPreferences>()).map((type) => type.label)).toEqual([
      'New sign-in',
      'Added to a group',
    ]);
  });

  it('keeps a user’s own action out of their inbox unless asked', async () => {
    const self = await bed.notifications.notify({
      type: memberAddedType,
      recipientIds: [bed.agnes.userId, bed.bruno.userId],
      params: { groupId: 'g1', groupName: 'Juristes' },
      actorId: bed.agnes.userId,
    });
    expect(self.ids).toHaveLength(1);
    expect((await inbox(bed.agnes)).items).toEqual([]);
    expect((await inbox(bed.bruno)).items).toHaveLength(1);
  });

  it('follows the preferences: in-app off stores nothing for the inbox, e-mail on keeps it for the digest', async () => {
    const initial = await request(bed.agnes, 'GET', '/api/notifications/preferences');
    expect({ ...initial.json<NotificationPreferences>(), types: testTypes(initial.json()) }).toEqual({
      types: [
        { type: signInType, category: 'security', label: 'Nouvelle connexion', inApp: true, email: false },
        { type: memberAddedType, category: 'test', label: 'Ajout à un groupe', inApp: true, email: true },
      ],
      digest: 'daily',
      emailLocale: 'fr',
    });

    const changed = await request(bed.agnes, 'PUT', '/api/notifications/preferences', {
      payload: {
        types: [
          { type: memberAddedType, inApp: false },
          { type: signInType, inApp: false, email: false },
        ],
        digest: 'weekly',
        emailLocale: 'en',
      },
    });
    expect(changed.statusCode).toBe(200);
    expect({ ...changed.json<NotificationPreferences>(), types: testTypes(changed.json()) }).toEqual({
      types: [
        { type: signInType, category: 'security', label: 'Nouvelle connexion', inApp: false, email: false },
        { type: memberAddedType, category: 'test', label: 'Ajout à un groupe', inApp: false, email: true },
      ],
      digest: 'weekly',
      emailLocale: 'en',
    });

    const heard: NotificationStreamEvent[] = [];
    const stop = bed.notifications.watch(bed.agnes.userId, { locale: 'fr' }, (event) => heard.push(event));
    await expect.poll(() => heard).toHaveLength(1);
    const memberAdded = await addedToGroup(bed.agnes, 'Juristes');
    const signIn = await bed.notifications.notify({
      type: signInType,
      recipientId: bed.agnes.userId,
      params: { ip: '192.0.2.1' },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop();

    expect(signIn.ids).toEqual([]);
    // Kept for the e-mail digest only: neither in the inbox nor pushed.
    expect(memberAdded.ids).toHaveLength(1);
    expect(heard).toEqual([{ kind: 'unread-count', count: 0 }]);
    expect((await inbox(bed.agnes)).items).toEqual([]);
    expect(await unreadCount(bed.agnes)).toBe(0);
    const digests = await bed.app.platform.jobs.list({ type: 'platform.notifications.digest', limit: 10 });
    expect(digests.items).toMatchObject([
      // 2026-12-01 is a Tuesday: the weekly digest goes out the next Monday at 06:00 UTC.
      { payload: { userId: bed.agnes.userId, dueAt: '2026-12-07T06:00:00.000Z' }, status: 'queued' },
    ]);

    // Bruno's preferences are his own.
    expect((await addedToGroup(bed.bruno, 'Juristes')).ids).toHaveLength(1);
    expect((await inbox(bed.bruno)).items).toHaveLength(1);
  });

  it('refuses bad input with a stable code', async () => {
    const cases: Array<[string, Awaited<ReturnType<typeof request>>, string]> = [
      ['limit 0', await request(bed.agnes, 'GET', '/api/notifications?limit=0'), 'VALIDATION_FAILED'],
      ['limit 1000', await request(bed.agnes, 'GET', '/api/notifications?limit=1000'), 'VALIDATION_FAILED'],
      ['cursor', await request(bed.agnes, 'GET', '/api/notifications?cursor=abc'), 'VALIDATION_FAILED'],
      ['unread', await request(bed.agnes, 'GET', '/api/notifications?unread=yes'), 'VALIDATION_FAILED'],
      ['lang', await request(bed.agnes, 'GET', '/api/notifications?lang=de'), 'VALIDATION_FAILED'],
      [
        'digest',
        await request(bed.agnes, 'PUT', '/api/notifications/preferences', { payload: { digest: 'hourly' } }),
        'VALIDATION_FAILED',
      ],
      [
        'unknown type',
        await request(bed.agnes, 'PUT', '/api/notifications/preferences', {
          payload: { types: [{ type: 'nobody.knows.this', inApp: false }] },
        }),
        'NOTIFICATION_TYPE_UNKNOWN',
      ],
      [
        'upTo',
        await request(bed.agnes, 'POST', '/api/notifications/read-all', { payload: { upTo: 'yesterday' } }),
        'VALIDATION_FAILED',
      ],
    ];
    for (const [name, response, code] of cases) {
      expect({ name, status: response.statusCode }).toEqual({ name, status: 400 });
      expect({ name, code: response.json<ApiError>().error.code }).toEqual({ name, code });
    }
    const french = await request(bed.agnes, 'PUT', '/api/notifications/preferences', {
      payload: { types: [{ type: 'nobody.knows.this' }] },
    });
    expect(french.json<ApiError>().error.message).toBe(
      'Aucun type de notification « nobody.knows.this » n’est déclaré.',
    );

    // A preferences change that failed changed nothing.
    expect((await request(bed.agnes, 'GET', '/api/notifications/preferences')).json()).toMatchObject({
      digest: 'daily',
    });
  });

  it('refuses a producer’s unknown type, invalid parameters or recipients', async () => {
    await expect(
      bed.notifications.notify({ type: 'test.nothing.here', recipientId: bed.agnes.userId }),
    ).rejects.toMatchObject({ code: 'NOTIFICATION_TYPE_UNKNOWN' });
    await expect(
      bed.notifications.notify({ type: memberAddedType, recipientId: bed.agnes.userId, params: { groupId: 1 } }),
    ).rejects.toMatchObject({ code: 'NOTIFICATION_PARAMS_INVALID', details: { type: memberAddedType } });
    await expect(
      bed.notifications.notify({
        type: signInType,
        recipientId: bed.agnes.userId,
        params: { ip: 'x'.repeat(9000) },
      }),
    ).rejects.toMatchObject({ code: 'NOTIFICATION_PARAMS_INVALID' });
    await expect(
      bed.notifications.notify({ type: signInType, recipientIds: [''], params: { ip: '192.0.2.1' } }),
    ).rejects.toMatchObject({ code: 'NOTIFICATION_RECIPIENTS_INVALID' });
    expect(() =>
      bed.notifications.defineType({
        type: memberAddedType,
        category: 'test',
        label: { fr: 'Doublon', en: 'Duplicate' },
        defaultChannels: { inApp: true, email: false },
        render: () => ({ title: 'x' }),
      }),
    ).toThrow(/already registered/);
    expect(await unreadCount(bed.agnes)).toBe(0);
  });

  it('asks for a signed-in user and a same-origin state change', async () => {
    const anonymous = await bed.app.http.inject({ url: '/api/notifications' });
    expect(anonymous.statusCode).toBe(401);
    const forged = await bed.app.http.inject({
      method: 'POST',
      url: '/api/notifications/read-all',
      headers: { cookie: bed.agnes.cookie, origin: 'https://evil.example' },
      payload: {},
    });
    expect(forged.statusCode).toBe(403);
    const withToken = await bed.app.http.inject({
      method: 'POST',
      url: '/api/notifications/read-all',
      headers: { cookie: bed.agnes.cookie, 'x-csrf-token': bed.agnes.csrfToken },
      payload: {},
    });
    expect(withToken.statusCode).toBe(200);
  });
});
