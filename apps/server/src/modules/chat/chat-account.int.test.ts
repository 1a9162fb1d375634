import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BureauApp } from '../../app.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import {
  aliceAndBob,
  chatTestPublicUrl as publicUrl,
  chatTestSystemActor as system,
  startChatTestApp,
  type ChatTestApp,
} from './testing/chat-test-app.ts';
import { InjectMatrixClient, testPassword, type SyncBody } from './testing/matrix-test-client.ts';

/** Account-level endpoints: single sign-on, deactivation, profiles, account data, filters, push rules, state. */
describe('Matrix homeserver: accounts, profiles, account data, push rules, state', () => {
  let world: ChatTestApp<'alice' | 'bob'>;
  let app: BureauApp;
  let alice: InjectMatrixClient;
  let bob: InjectMatrixClient;
  let bobId: string;

  beforeEach(async () => {
    world = await startChatTestApp(aliceAndBob);
    app = world.app;
    ({ alice, bob } = world.clients);
    bobId = world.userIds.bob;
  });

  afterEach(async () => {
    await world.close();
  });

  it('signs in by single sign-on: Bureau session → login token → access token, single use', async () => {
    const cookies = await signInHeaders(app, { email: 'alice@min.gouv.fr', password: testPassword, publicUrl });
    const redirectUrl = `${publicUrl}/messagerie/connexion`;
    const redirect = await app.http.inject({
      method: 'GET',
      url: `/_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent(redirectUrl)}`,
      headers: cookies,
    });
    expect(redirect.statusCode).toBe(302);
    const location = new URL(String(redirect.headers.location));
    expect(`${location.origin}${location.pathname}`).toBe(redirectUrl);
    const loginToken = location.searchParams.get('loginToken') ?? '';
    const client = new InjectMatrixClient(app);
    const login = await client.request<{ user_id: string }>('POST', 'login', {
      type: 'm.login.token',
      token: loginToken,
    });
    expect(login).toMatchObject({ status: 200, body: { user_id: '@alice:bureau.test' } });
    const again = await client.request('POST', 'login', { type: 'm.login.token', token: loginToken });
    expect(again).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });

    // Without a Bureau session: to Bureau's sign-in page, coming back afterwards.
    const anonymous = await app.http.inject({
      method: 'GET',
      url: `/_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent(redirectUrl)}`,
    });
    expect(anonymous.statusCode).toBe(302);
    expect(String(anonymous.headers.location)).toMatch(
      /^\/connexion\?retour=%2F_matrix%2Fclient%2Fv3%2Flogin%2Fsso%2Fredirect/,
    );
    // Another site asking for a session gets a confirmation page, not a silent redirect.
    const elsewhere = await app.http.inject({
      method: 'GET',
      url: `/_matrix/client/v3/login/sso/redirect?redirectUrl=${encodeURIComponent('https://client.example.org/')}`,
      headers: cookies,
    });
    expect(elsewhere.statusCode).toBe(200);
    expect(elsewhere.body).toContain('client.example.org');
    const flows = await client.ok<{ flows: Array<{ type: string }> }>('GET', 'login');
    expect(flows.flows.map((flow) => flow.type)).toEqual(['m.login.password', 'm.login.token', 'm.login.sso']);
  });

  it('cuts a deactivated Bureau user off at once, and logs devices out', async () => {
    await app.identity.directory.deactivateUser(bobId, system);
    await app.platform.events.drain();
    const refused = await bob.request('GET', 'account/whoami');
    expect(refused).toMatchObject({ status: 401, body: { errcode: 'M_UNKNOWN_TOKEN' } });
    const login = await new InjectMatrixClient(app).request('POST', 'login', {
      type: 'm.login.password',
      identifier: { type: 'm.id.thirdparty', medium: 'email', address: 'bob@min.gouv.fr' },
      password: testPassword,
    });
    expect(login.status).toBe(403);

    await alice.ok('POST', 'logout');
    expect((await alice.request('GET', 'account/whoami')).status).toBe(401);
  });

  it('changes the profile and the member events of joined rooms', async () => {
    const roomId = await alice.createRoom({ invite: [bob.userId] });
    await bob.ok('POST', `rooms/${encodeURIComponent(roomId)}/join`, {});
    await alice.ok('PUT', `profile/${encodeURIComponent(alice.userId)}/displayname`, { displayname: 'Alice M.' });
    expect(await bob.ok('GET', `profile/${encodeURIComponent(alice.userId)}`)).toEqual({ displayname: 'Alice M.' });
    const member = await bob.ok<{ displayname: string }>(
      'GET',
      `rooms/${encodeURIComponent(roomId)}/state/m.room.member/${encodeURIComponent(alice.userId)}`,
    );
    expect(member.displayname).toBe('Alice M.');
    const other = await bob.request('PUT', `profile/${encodeURIComponent(alice.userId)}/displayname`, {
      displayname: 'x',
    });
    expect(other).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    const unknown = await bob.request('GET', `profile/${encodeURIComponent('@nobody:bureau.test')}`);
    expect(unknown).toMatchObject({ status: 404, body: { errcode: 'M_NOT_FOUND' } });
  });

  it('stores account data, filters and push rules, and delivers changes in /sync', async () => {
    const first = await alice.sync();
    expect(first.account_data.events).toEqual([]);
    await alice.ok('PUT', `user/${encodeURIComponent(alice.userId)}/account_data/m.direct`, {
      [bob.userId]: ['!r:bureau.test'],
    });
    const next = await alice.sync({ since: first.next_batch });
    expect(next.account_data.events).toEqual([{ type: 'm.direct', content: { [bob.userId]: ['!r:bureau.test'] } }]);
    expect(await alice.ok('GET', `user/${encodeURIComponent(alice.userId)}/account_data/m.direct`)).toEqual({
      [bob.userId]: ['!r:bureau.test'],
    });
    const foreign = await bob.request('GET', `user/${encodeURIComponent(alice.userId)}/account_data/m.direct`);
    expect(foreign.status).toBe(403);

    const { filter_id: filterId } = await alice.ok<{ filter_id: string }>(
      'POST',
      `user/${encodeURIComponent(alice.userId)}/filter`,
      {
        room: { timeline: { limit: 2 } },
      },
    );
    expect(await alice.ok('GET', `user/${encodeURIComponent(alice.userId)}/filter/${filterId}`)).toEqual({
      room: { timeline: { limit: 2 } },
    });
    const roomId = await alice.createRoom({ name: 'Filtré' });
    for (const body of ['a', 'b', 'c']) await alice.send(roomId, { msgtype: 'm.text', body });
    const filtered = await alice.sync({ filter: filterId });
    const room = filtered.rooms.join[roomId];
    expect(room?.timeline.events.map((event) => event.content['body'])).toEqual(['b', 'c']);
    expect(room?.timeline.limited).toBe(true);
    expect(room?.state.events.some((event) => event.type === 'm.room.create')).toBe(true);

    const rules = await alice.ok<{ global: { override: Array<{ rule_id: string }> } }>('GET', 'pushrules/');
    expect(rules.global.override[0]?.rule_id).toBe('.m.rule.master');
    await alice.ok('PUT', 'pushrules/global/room/' + encodeURIComponent(roomId), { actions: [] });
    const afterRule = await alice.ok<{ global: { room: Array<{ rule_id: string }> } }>('GET', 'pushrules/');
    expect(afterRule.global.room.map((rule) => rule.rule_id)).toContain(roomId);
    const pushSync: SyncBody = await alice.sync({ since: filtered.next_batch });
    expect(pushSync.account_data.events.map((event) => event.type)).toContain('m.push_rules');
    const missing = await alice.request('DELETE', 'pushrules/global/override/nope');
    expect(missing).toMatchObject({ status: 404, body: { errcode: 'M_NOT_FOUND' } });
    await alice.ok('PUT', 'pushrules/global/override/.m.rule.master/enabled', { enabled: true });
    expect(await alice.ok('GET', 'pushrules/global/override/.m.rule.master/enabled')).toEqual({ enabled: true });
  });

  it('reads and writes state, with and without a trailing slash, and enforces power levels', async () => {
    const roomId = await alice.createRoom({ invite: [bob.userId] });
    await bob.ok('POST', `rooms/${encodeURIComponent(roomId)}/join`, {});
    const path = `rooms/${encodeURIComponent(roomId)}/state/m.room.name`;
    await alice.ok('PUT', path, { name: 'Nom' });
    expect(await bob.ok('GET', `${path}/`)).toEqual({ name: 'Nom' });
    expect(await bob.ok('GET', path)).toEqual({ name: 'Nom' });
    const refused = await bob.request('PUT', path, { name: 'Autre' });
    expect(refused).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    const kick = await bob.request('POST', `rooms/${encodeURIComponent(roomId)}/kick`, { user_id: alice.userId });
    expect(kick).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    await alice.ok('POST', `rooms/${encodeURIComponent(roomId)}/ban`, { user_id: bob.userId, reason: 'test' });
    const banned = await bob.request('POST', `join/${encodeURIComponent(roomId)}`, {});
    expect(banned).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    const members = await alice.ok<{ chunk: Array<{ state_key: string; content: { membership: string } }> }>(
      'GET',
      `rooms/${encodeURIComponent(roomId)}/members`,
    );
    expect(members.chunk.find((member) => member.state_key === bob.userId)?.content.membership).toBe('ban');
    // Bob left (banned): his /sync shows the room under "leave" and he can forget it.
    await bob.ok('POST', `rooms/${encodeURIComponent(roomId)}/forget`, {});
    const joined = await alice.ok<{ joined_rooms: string[] }>('GET', 'joined_rooms');
    expect(joined.joined_rooms).toContain(roomId);
  });

  it('upgrades a room: tombstone in the old one, state and aliases carried to the new one', async () => {
    const roomId = await alice.createRoom({ name: 'Ancien', room_alias_name: 'projet', invite: [bob.userId] });
    await bob.ok('POST', `rooms/${encodeURIComponent(roomId)}/join`, {});
    const refused = await bob.request('POST', `rooms/${encodeURIComponent(roomId)}/upgrade`, { new_version: '12' });
    expect(refused).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    const unsupported = await alice.request('POST', `rooms/${encodeURIComponent(roomId)}/upgrade`, {
      new_version: '99',
    });
    expect(unsupported).toMatchObject({ status: 400, body: { errcode: 'M_UNSUPPORTED_ROOM_VERSION' } });
    const { replacement_room: newRoomId } = await alice.ok<{ replacement_room: string }>(
      'POST',
      `rooms/${encodeURIComponent(roomId)}/upgrade`,
      { new_version: '12' },
    );
    const tombstone = await bob.ok('GET', `rooms/${encodeURIComponent(roomId)}/state/m.room.tombstone`);
    expect(tombstone).toMatchObject({ replacement_room: newRoomId });
    expect(await alice.ok('GET', `rooms/${encodeURIComponent(newRoomId)}/state/m.room.name`)).toEqual({
      name: 'Ancien',
    });
    const create = await alice.ok<{ predecessor: { room_id: string } }>(
      'GET',
      `rooms/${encodeURIComponent(newRoomId)}/state/m.room.create`,
    );
    expect(create.predecessor.room_id).toBe(roomId);
    // Bob can follow (the join rule was carried: invite only — he is invited by Alice).
    await alice.ok('POST', `rooms/${encodeURIComponent(newRoomId)}/invite`, { user_id: bob.userId });
    await bob.ok('POST', `join/${encodeURIComponent('#projet:bureau.test')}`, {});
    const joined = await bob.ok<{ joined_rooms: string[] }>('GET', 'joined_rooms');
    expect(joined.joined_rooms).toContain(newRoomId);
    // Ordinary members can no longer write in the old room.
    const late = await bob.request('PUT', `rooms/${encodeURIComponent(roomId)}/send/m.room.message/late`, {
      body: 'x',
    });
    expect(late).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
  });

  it('hands out OpenID tokens that the userinfo endpoint resolves, and keeps passwords in Bureau', async () => {
    const token = await alice.ok<{ access_token: string; matrix_server_name: string }>(
      'POST',
      `user/${encodeURIComponent(alice.userId)}/openid/request_token`,
      {},
    );
    expect(token.matrix_server_name).toBe('bureau.test');
    const userinfo = await new InjectMatrixClient(app).request(
      'GET',
      `/_matrix/federation/v1/openid/userinfo?access_token=${token.access_token}`,
    );
    expect(userinfo).toEqual({ status: 200, body: { sub: alice.userId } });
    const forged = await new InjectMatrixClient(app).request(
      'GET',
      '/_matrix/federation/v1/openid/userinfo?access_token=nope',
    );
    expect(forged).toMatchObject({ status: 401, body: { errcode: 'M_UNKNOWN_TOKEN' } });
    const password = await alice.request('POST', 'account/password', { new_password: 'x'.repeat(20) });
    expect(password).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
  });
});
