import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../../platform/clock.ts';
import type { IntegrationTables } from './integration.tables.ts';
import {
  apiKeyHeaders,
  createChatWorld,
  invite,
  join,
  matrixClientOf,
  roomResource,
  type InjectMatrixClient,
  statePath,
  type ChatWorld,
} from './chat-world.test-support.ts';

const forbidden = { status: 403, body: { errcode: 'M_FORBIDDEN' } };
/** A refusal of one of the rules (not of the room version's authorisation rules), by its reason. */
const refusedBy = (reason: string) => ({
  status: 403,
  body: { errcode: 'M_FORBIDDEN', error: expect.stringContaining(reason) as unknown },
});
const threeMonths = 90 * 24 * 60 * 60 * 1000;

async function powerLevels(client: InjectMatrixClient, roomId: string) {
  return client.ok<{ users: Record<string, number> } & Record<string, unknown>>(
    'GET',
    statePath(roomId, 'm.room.power_levels'),
  );
}

async function setPowerLevel(client: InjectMatrixClient, roomId: string, changes: Record<string, unknown>) {
  const current = await powerLevels(client, roomId);
  return client.request('PUT', statePath(roomId, 'm.room.power_levels'), { ...current, ...changes });
}

describe('Tchap policies', () => {
  let world: ChatWorld;

  beforeEach(async () => {
    world = await createChatWorld();
  });

  afterEach(async () => {
    await world.close();
  });

  it('lets agents create rooms, never external users', async () => {
    const { alice, eve } = world;
    expect(await eve.request('POST', 'createRoom', { name: 'Partenaires' })).toMatchObject(
      refusedBy('external users cannot create rooms'),
    );
    expect(await eve.request('POST', 'createRoom', { is_direct: true, invite: [alice.userId] })).toMatchObject(
      forbidden,
    );
    expect(await alice.createRoom({ name: 'Agents' })).toMatch(/^!/);
  });

  it('keeps external users out of restricted rooms and without power in unrestricted ones', async () => {
    const { alice, bob, eve } = world;
    const restricted = await alice.createRoom({ name: 'Interne', invite: [bob.userId] });
    expect(await alice.ok('GET', statePath(restricted, 'im.vector.room.access_rules'))).toEqual({ rule: 'restricted' });
    expect(await invite(alice, restricted, eve.userId)).toMatchObject(refusedBy('access rule restricted'));
    expect(await alice.request('POST', 'createRoom', { name: 'Avec Eve', invite: [eve.userId] })).toMatchObject(
      forbidden,
    );
    await join(bob, restricted);

    const open = await alice.createRoom({
      name: 'Ouvert aux partenaires',
      invite: [bob.userId],
      initial_state: [{ type: 'im.vector.room.access_rules', state_key: '', content: { rule: 'unrestricted' } }],
    });
    expect((await invite(alice, open, eve.userId)).status).toBe(200);
    await join(eve, open);
    await join(bob, open);
    expect(await setPowerLevel(alice, open, { users: { [alice.userId]: 100, [eve.userId]: 50 } })).toMatchObject(
      refusedBy('external users cannot be given power'),
    );
    expect(await setPowerLevel(alice, open, { users_default: 10 })).toMatchObject(refusedBy('users_default'));
    expect((await setPowerLevel(alice, open, { users: { [alice.userId]: 100, [bob.userId]: 50 } })).status).toBe(200);
    // Once open, never closed again.
    expect(
      await alice.request('PUT', statePath(open, 'im.vector.room.access_rules'), { rule: 'restricted' }),
    ).toMatchObject(refusedBy('cannot be closed to them again'));
    // A public room must be restricted.
    expect(await alice.request('PUT', statePath(open, 'm.room.join_rules'), { join_rule: 'public' })).toMatchObject(
      forbidden,
    );

    // An agent whose directory facts were lost is looked up again before being invited (the rule fails closed).
    await world.app.platform.database.executor
      .withTables<IntegrationTables>()
      .deleteFrom('chat_integration_people')
      .where('user_id', '=', world.userIds.carol)
      .execute();
    expect((await invite(alice, restricted, world.carol.userId)).status).toBe(200);

    // Opening a restricted room: administrators only (a moderator passes the power levels, not the rule).
    expect((await setPowerLevel(alice, restricted, { users: { [alice.userId]: 100, [bob.userId]: 50 } })).status).toBe(
      200,
    );
    expect(
      await bob.request('PUT', statePath(restricted, 'im.vector.room.access_rules'), { rule: 'unrestricted' }),
    ).toMatchObject(refusedBy('only the room’s administrators'));
    expect(
      (await alice.request('PUT', statePath(restricted, 'im.vector.room.access_rules'), { rule: 'unrestricted' }))
        .status,
    ).toBe(200);
    expect((await invite(alice, restricted, eve.userId)).status).toBe(200);
  });

  it('keeps direct chats to two members, without name, topic or rule changes', async () => {
    const { alice, bob, carol } = world;
    const direct = await alice.createRoom({ is_direct: true, preset: 'trusted_private_chat', invite: [bob.userId] });
    expect(await alice.ok('GET', statePath(direct, 'im.vector.room.access_rules'))).toEqual({ rule: 'direct' });
    await join(bob, direct);
    expect(await invite(alice, direct, carol.userId)).toMatchObject(refusedBy('at most two members'));
    expect(await alice.request('PUT', statePath(direct, 'm.room.name'), { name: 'Renommé' })).toMatchObject(forbidden);
    expect(await alice.request('PUT', statePath(direct, 'm.room.topic'), { topic: 'Sujet' })).toMatchObject(forbidden);
    expect(
      await alice.request('PUT', statePath(direct, 'im.vector.room.access_rules'), { rule: 'restricted' }),
    ).toMatchObject(forbidden);
    expect(await alice.request('PUT', statePath(direct, 'm.room.join_rules'), { join_rule: 'public' })).toMatchObject(
      forbidden,
    );
    expect(
      await alice.request('POST', 'createRoom', {
        is_direct: true,
        invite: [bob.userId, carol.userId],
      }),
    ).toMatchObject(forbidden);
  });

  it('keeps forums unencrypted and their messages at most three months', async () => {
    const { alice, bob } = world;
    const forum = await alice.createRoom({ name: 'Forum', preset: 'public_chat' });
    expect(await alice.ok('GET', statePath(forum, 'm.room.retention'))).toEqual({ max_lifetime: threeMonths });
    expect(await alice.ok('GET', statePath(forum, 'm.room.join_rules'))).toEqual({ join_rule: 'public' });
    await join(bob, forum);
    const encryption = { algorithm: 'm.megolm.v1.aes-sha2' };
    expect(await alice.request('PUT', statePath(forum, 'm.room.encryption'), encryption)).toMatchObject(
      refusedBy('cannot be encrypted'),
    );
    expect(
      await alice.request('PUT', statePath(forum, 'm.room.retention'), { max_lifetime: 365 * 86_400_000 }),
    ).toMatchObject(refusedBy('at most three months'));
    expect(await alice.request('PUT', statePath(forum, 'm.room.retention'), {})).toMatchObject(forbidden);
    expect(
      (await alice.request('PUT', statePath(forum, 'm.room.retention'), { max_lifetime: 30 * 86_400_000 })).status,
    ).toBe(200);
    const state = await alice.ok<Array<{ type: string; event_id: string }>>(
      'GET',
      `rooms/${encodeURIComponent(forum)}/state`,
    );
    const retention = state.find((event) => event.type === 'm.room.retention')?.event_id ?? '';
    expect(
      await alice.request('PUT', `rooms/${encodeURIComponent(forum)}/redact/${encodeURIComponent(retention)}/r1`, {}),
    ).toMatchObject(forbidden);

    // A private room becomes a forum only unencrypted and with a retention.
    const encrypted = await alice.createRoom({
      name: 'Privé chiffré',
      initial_state: [{ type: 'm.room.encryption', state_key: '', content: encryption }],
    });
    expect(
      await alice.request('PUT', statePath(encrypted, 'm.room.join_rules'), { join_rule: 'public' }),
    ).toMatchObject(forbidden);
    const plain = await alice.createRoom({ name: 'Privé' });
    expect(await alice.request('PUT', statePath(plain, 'm.room.join_rules'), { join_rule: 'public' })).toMatchObject(
      forbidden,
    );
    await alice.ok('PUT', statePath(plain, 'm.room.retention'), { max_lifetime: threeMonths });
    expect((await alice.request('PUT', statePath(plain, 'm.room.join_rules'), { join_rule: 'public' })).status).toBe(
      200,
    );
    // Whatever the room, a retention is a duration.
    expect(await alice.request('PUT', statePath(plain, 'm.room.retention'), { max_lifetime: 'long' })).toMatchObject(
      forbidden,
    );
  });

  it('carries access rules, forum retention and the sensitivity label over to an upgraded room', async () => {
    const { app, alice } = world;
    const forum = await alice.createRoom({ name: 'Forum', preset: 'public_chat' });
    const upgradedForum = await alice.ok<{ replacement_room: string }>(
      'POST',
      `rooms/${encodeURIComponent(forum)}/upgrade`,
      { new_version: '11' },
    );
    const newForum = upgradedForum.replacement_room;
    expect(await alice.ok('GET', statePath(newForum, 'm.room.retention'))).toEqual({ max_lifetime: threeMonths });
    expect(await alice.ok('GET', statePath(newForum, 'm.room.join_rules'))).toEqual({ join_rule: 'public' });

    const direct = await alice.createRoom({ is_direct: true, invite: [world.bob.userId] });
    const upgradedDirect = await alice.ok<{ replacement_room: string }>(
      'POST',
      `rooms/${encodeURIComponent(direct)}/upgrade`,
      { new_version: '11' },
    );
    expect(await alice.ok('GET', statePath(upgradedDirect.replacement_room, 'im.vector.room.access_rules'))).toEqual({
      rule: 'direct',
    });

    const labelled = await alice.createRoom({ name: 'Diffusion restreinte' });
    await alice.ok('PUT', statePath(labelled, 'fr.gouv.bureau.sensitivity'), { level: 'restricted' });
    const upgraded = await alice.ok<{ replacement_room: string }>(
      'POST',
      `rooms/${encodeURIComponent(labelled)}/upgrade`,
      { new_version: '11' },
    );
    const resource = await roomResource(app, upgraded.replacement_room);
    expect(await app.platform.authz.effectiveLabel(resource)).toBe('restricted');
    expect(await alice.ok('GET', statePath(upgraded.replacement_room, 'fr.gouv.bureau.sensitivity'))).toEqual({
      level: 'restricted',
    });
  });

  it('promotes the moderators, else the longest-standing agent, when the last administrator leaves', async () => {
    const { alice, bob, carol, eve } = world;
    const withModerator = await alice.createRoom({ name: 'Avec modérateur', invite: [bob.userId, carol.userId] });
    await join(bob, withModerator);
    await join(carol, withModerator);
    await setPowerLevel(alice, withModerator, { users: { [alice.userId]: 100, [bob.userId]: 50 } });
    await alice.ok('POST', `rooms/${encodeURIComponent(withModerator)}/leave`, {});
    expect((await powerLevels(bob, withModerator)).users).toEqual({ [alice.userId]: 100, [bob.userId]: 100 });

    // No moderator: the member who joined first, unless external (Eve joined before Carol).
    const open = await alice.createRoom({
      name: 'Sans modérateur',
      invite: [eve.userId, carol.userId],
      initial_state: [{ type: 'im.vector.room.access_rules', state_key: '', content: { rule: 'unrestricted' } }],
    });
    await join(eve, open);
    await join(carol, open);
    await alice.ok('PUT', statePath(open, 'm.room.member', alice.userId), { membership: 'leave' });
    expect((await powerLevels(carol, open)).users).toEqual({ [alice.userId]: 100, [carol.userId]: 100 });

    // Another administrator stays: nobody is promoted.
    await carol.ok('POST', `rooms/${encodeURIComponent(open)}/invite`, { user_id: bob.userId });
    await join(bob, open);
    await setPowerLevel(carol, open, { users: { [alice.userId]: 100, [carol.userId]: 100, [bob.userId]: 100 } });
    await carol.ok('POST', `rooms/${encodeURIComponent(open)}/leave`, {});
    expect((await powerLevels(bob, open)).users).toEqual({
      [alice.userId]: 100,
      [carol.userId]: 100,
      [bob.userId]: 100,
    });
  });

  it('answers ORG_MATRIX_EXPIRED_ACCOUNT past an account’s validity, until the e-mailed link renews it', async () => {
    const { app, bob, userIds } = world;
    const admin = await app.identity.directory.createUser(
      { email: 'admin@min.gouv.fr', isInstanceAdmin: true },
      { system: true, label: 'test' },
    );
    const adminHeaders = await apiKeyHeaders(app, admin.id, ['admin']);
    const url = `/api/admin/chat/accounts/${userIds.bob}/validity`;
    const notAdmin = await app.http.inject({
      method: 'PUT',
      url,
      headers: await apiKeyHeaders(app, userIds.carol, ['admin']),
      payload: { expiresAt: null },
    });
    expect(notAdmin.statusCode).toBe(403);
    const past = new Date(Date.now() - 60_000).toISOString();
    const set = await app.http.inject({ method: 'PUT', url, headers: adminHeaders, payload: { expiresAt: past } });
    expect(set.json()).toEqual({ userId: userIds.bob, matrixId: bob.userId, expiresAt: past });
    expect(await bob.request('GET', 'account/whoami')).toMatchObject({
      status: 403,
      body: { errcode: 'ORG_MATRIX_EXPIRED_ACCOUNT' },
    });

    expect((await bob.request('POST', '/_matrix/client/unstable/account_validity/send_mail', {})).status).toBe(200);
    const outbox = await app.platform.mail.listOutbox({ limit: 10 });
    const mail = outbox.items.find((message) => message.to.includes('bob.durand@min.gouv.fr'));
    const link = /https?:\/\/\S+renew\?token=\S+/.exec(mail?.text ?? '')?.[0] ?? '';
    expect(link).toContain('/_matrix/client/unstable/account_validity/renew?token=');
    const renewal = await app.http.inject({ method: 'GET', url: link.replace('http://bureau.test', '') });
    expect(renewal.statusCode).toBe(200);
    expect(renewal.headers['content-type']).toContain('text/html');
    expect((await bob.request('GET', 'account/whoami')).status).toBe(200);
    // The link works once.
    expect((await app.http.inject({ method: 'GET', url: link.replace('http://bureau.test', '') })).statusCode).toBe(
      404,
    );
  });
});

describe('Retention', () => {
  let clock: ManualClock;
  let world: ChatWorld;

  beforeEach(async () => {
    clock = createManualClock(new Date());
    world = await createChatWorld({ clock });
  });

  afterEach(async () => {
    await world.close();
  });

  it('purges the messages older than their room’s max_lifetime, in the periodic job', async () => {
    const { app, alice, userIds } = world;
    const day = 86_400_000;
    const roomId = await alice.createRoom({ name: 'Éphémère' });
    await alice.ok('PUT', statePath(roomId, 'm.room.retention'), { max_lifetime: day });
    const old = await alice.send(roomId, { msgtype: 'm.text', body: 'Un vieux message périmé' });
    const kept = await alice.createRoom({ name: 'Durable' });
    const keptMessage = await alice.send(kept, { msgtype: 'm.text', body: 'Un message sans limite' });
    clock.advance(2 * day);
    const recent = await alice.send(roomId, { msgtype: 'm.text', body: 'Un message récent' });
    // The hourly sweep (a running server queues the first at start), which queues the next one itself.
    await app.platform.jobs.enqueue('chat.retention.purge', {});
    await app.platform.jobs.runDue();

    const event = (id: string, room: string) =>
      alice.ok<{ content: Record<string, unknown>; unsigned?: Record<string, unknown> }>(
        'GET',
        `rooms/${encodeURIComponent(room)}/event/${encodeURIComponent(id)}`,
      );
    expect((await event(old, roomId)).content).toEqual({});
    expect((await event(recent, roomId)).content).toMatchObject({ body: 'Un message récent' });
    expect((await event(keptMessage, kept)).content).toMatchObject({ body: 'Un message sans limite' });
    const headers = await apiKeyHeaders(app, userIds.alice);
    const search = await app.http.inject({ method: 'GET', url: '/api/search?q=périmé', headers });
    expect(search.json<{ items: unknown[] }>().items).toEqual([]);
    const next = await app.platform.jobs.list({ status: 'queued', type: 'chat.retention.purge', limit: 5 });
    expect(next.items).toHaveLength(1);
    // A second Matrix client still signs in with a clock two days on (nothing else expired).
    expect((await matrixClientOf(app, userIds.alice)).userId).toBe(alice.userId);
  });
});
