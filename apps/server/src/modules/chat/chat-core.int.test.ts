import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { InjectMatrixClient, testPassword } from './testing/matrix-test-client.ts';

const publicUrl = 'http://bureau.test';
const system = { system: true, label: 'test' };

describe('Matrix homeserver core (login, rooms, messages, sync)', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let alice: InjectMatrixClient;
  let bob: InjectMatrixClient;

  beforeEach(async () => {
    environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl, BUREAU_LOG_LEVEL: 'error' });
    app = await buildApp(environment.config);
    await app.migrate();
    const directory = app.identity.directory;
    await directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
    await directory.createUser(
      { email: 'alice.martin@min.gouv.fr', password: testPassword, displayName: 'Alice Martin' },
      system,
    );
    await directory.createUser({ email: 'bob@min.gouv.fr', password: testPassword, displayName: 'Bob' }, system);
    alice = await new InjectMatrixClient(app).loginWithEmail('alice.martin@min.gouv.fr');
    bob = await new InjectMatrixClient(app).loginWithEmail('bob@min.gouv.fr');
  });

  afterEach(async () => {
    await app.close();
    await environment.destroy();
  });

  it('derives the Matrix ID from the e-mail and the server name from the public URL', async () => {
    expect(alice.userId).toBe('@alice.martin:bureau.test');
    const whoami = await alice.ok('GET', 'account/whoami');
    expect(whoami).toEqual({ user_id: '@alice.martin:bureau.test', device_id: alice.deviceId, is_guest: false });
    const byUser = await new InjectMatrixClient(app).request('POST', 'login', {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: 'alice.martin' },
      password: testPassword,
    });
    expect(byUser.status).toBe(200);
    const wrong = await new InjectMatrixClient(app).request('POST', 'login', {
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: '@alice.martin:bureau.test' },
      password: 'wrong-password-123',
    });
    expect(wrong).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
  });

  it('creates a room, invites, joins, exchanges messages in order and syncs incrementally', async () => {
    const roomId = await alice.createRoom({ name: 'Équipe', invite: [bob.userId], preset: 'private_chat' });
    const bobInitial = await bob.sync();
    expect(Object.keys(bobInitial.rooms.invite)).toEqual([roomId]);
    await bob.ok('POST', `join/${encodeURIComponent(roomId)}`, {});
    const first = await alice.send(roomId, { msgtype: 'm.text', body: 'Bonjour' });
    const second = await bob.send(roomId, { msgtype: 'm.text', body: 'Salut' });
    const aliceSync = await alice.sync();
    const timeline = aliceSync.rooms.join[roomId]?.timeline.events ?? [];
    const messages = timeline.filter((event) => event.type === 'm.room.message').map((event) => event.event_id);
    expect(messages).toEqual([first, second]);
    // Bob's message counts as unread for Alice until she reads it.
    expect(aliceSync.rooms.join[roomId]?.unread_notifications.notification_count).toBe(1);

    const since = aliceSync.next_batch;
    const waiting = alice.sync({ since, timeout: '5000' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = await bob.send(roomId, { msgtype: 'm.text', body: 'Encore' });
    const incremental = await waiting;
    expect(incremental.rooms.join[roomId]?.timeline.events.map((event) => event.event_id)).toEqual([third]);
    expect(incremental.rooms.join[roomId]?.unread_notifications.notification_count).toBe(2);

    await alice.ok('POST', `rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(third)}`, {});
    const afterRead = await alice.sync({ since: incremental.next_batch });
    expect(afterRead.rooms.join[roomId]?.unread_notifications.notification_count).toBe(0);
  });

  it('is idempotent per transaction ID and paginates history both ways', async () => {
    const roomId = await alice.createRoom({});
    const path = `rooms/${encodeURIComponent(roomId)}/send/m.room.message/same-txn`;
    const once = await alice.ok<{ event_id: string }>('PUT', path, { msgtype: 'm.text', body: 'un' });
    const twice = await alice.ok<{ event_id: string }>('PUT', path, { msgtype: 'm.text', body: 'un' });
    expect(twice.event_id).toBe(once.event_id);
    for (let index = 0; index < 25; index += 1) await alice.send(roomId, { msgtype: 'm.text', body: `m${index}` });
    const bodies: string[] = [];
    let from: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const query = new URLSearchParams({ dir: 'b', limit: '10', ...(from ? { from } : {}) });
      const response = await alice.ok<{ chunk: Array<{ content: { body?: string } }>; end?: string }>(
        'GET',
        `rooms/${encodeURIComponent(roomId)}/messages?${query.toString()}`,
      );
      bodies.push(
        ...response.chunk.map((event) => event.content.body).filter((body): body is string => body !== undefined),
      );
      if (!response.end) break;
      from = response.end;
    }
    expect(bodies.slice(0, 3)).toEqual(['m24', 'm23', 'm22']);
    expect(bodies.filter((body) => body.startsWith('m'))).toHaveLength(25);
    expect(bodies.at(-1)).toBe('un');
  });

  it('enforces the room rules and answers Matrix error codes', async () => {
    const roomId = await alice.createRoom({ preset: 'private_chat' });
    const notInvited = await bob.request('POST', `join/${encodeURIComponent(roomId)}`, {});
    expect(notInvited).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    const sendOutside = await bob.request('PUT', `rooms/${encodeURIComponent(roomId)}/send/m.room.message/t1`, {
      body: 'x',
    });
    expect(sendOutside).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    const unknown = await alice.request(
      'PUT',
      `rooms/${encodeURIComponent('!nope:bureau.test')}/send/m.room.message/t2`,
      { body: 'x' },
    );
    expect(unknown).toMatchObject({ status: 404, body: { errcode: 'M_NOT_FOUND' } });
    const badJson = await alice.request(
      'PUT',
      `rooms/${encodeURIComponent(roomId)}/send/m.room.message/t3`,
      '{"body":',
    );
    expect(badJson).toMatchObject({ status: 400, body: { errcode: 'M_NOT_JSON' } });
    const float = await alice.request('PUT', `rooms/${encodeURIComponent(roomId)}/send/m.room.message/t4`, { n: 1.5 });
    expect(float).toMatchObject({ status: 400, body: { errcode: 'M_BAD_JSON' } });
    const noToken = await new InjectMatrixClient(app).request('GET', 'account/whoami');
    expect(noToken).toMatchObject({ status: 401, body: { errcode: 'M_MISSING_TOKEN' } });
    const badToken = await new InjectMatrixClient(app, 'bmx_nope').request('GET', 'account/whoami');
    expect(badToken).toMatchObject({ status: 401, body: { errcode: 'M_UNKNOWN_TOKEN' } });
    const unrecognised = await alice.request('GET', '/_matrix/client/v3/nothing-here');
    expect(unrecognised).toMatchObject({ status: 404, body: { errcode: 'M_UNRECOGNIZED' } });
    const registration = await new InjectMatrixClient(app).request('POST', 'register', { username: 'x' });
    expect(registration).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
  });

  it('answers CORS preflights on every Matrix path', async () => {
    const response = await app.http.inject({ method: 'OPTIONS', url: '/_matrix/client/v3/anything' });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    const versions = await app.http.inject({ method: 'GET', url: '/_matrix/client/versions' });
    expect(versions.headers['access-control-allow-origin']).toBe('*');
    expect(versions.json<{ versions: string[] }>().versions).toContain('v1.1');
  });
});
