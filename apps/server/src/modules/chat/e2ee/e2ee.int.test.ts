import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BureauApp } from '../../../app.ts';
import {
  aliceAndBob,
  chatTestPublicUrl as publicUrl,
  chatTestSystemActor as system,
  startChatTestApp,
  type ChatTestApp,
} from '../testing/chat-test-app.ts';
import { InjectMatrixClient, testPassword, type SyncBody } from '../testing/matrix-test-client.ts';
import type { E2eeTables } from './e2ee.tables.ts';
import {
  crossSigningKey,
  deviceKeysFor,
  newSigningKey,
  oneTimeKeysFor,
  signObject,
  type TestSigningKey,
} from './test-keys.ts';

type KeysQuery = {
  device_keys: Record<
    string,
    Record<string, Record<string, unknown> & { signatures: Record<string, Record<string, string>> }>
  >;
  master_keys: Record<string, { signatures?: Record<string, Record<string, string>> }>;
  self_signing_keys: Record<string, unknown>;
  user_signing_keys: Record<string, unknown>;
};

type E2eeSync = SyncBody & {
  to_device: { events: Array<{ sender: string; type: string; content: Record<string, unknown> }> };
  device_lists?: { changed: string[]; left: string[] };
  device_one_time_keys_count: Record<string, number>;
  device_unused_fallback_key_types: string[];
};

type UiaChallenge = {
  flows: Array<{ stages: string[] }>;
  params: Record<string, unknown>;
  session: string;
  completed?: string[];
  errcode?: string;
};

describe('Matrix end-to-end encryption, server side', () => {
  let world: ChatTestApp<'alice' | 'bob'>;
  let app: BureauApp;
  let alice: InjectMatrixClient;
  let bob: InjectMatrixClient;

  beforeEach(async () => {
    world = await startChatTestApp(aliceAndBob);
    app = world.app;
    ({ alice, bob } = world.clients);
  });

  afterEach(async () => {
    await world.close();
  });

  async function uploadDeviceKeys(client: InjectMatrixClient, extra: Record<string, unknown> = {}) {
    const { key, deviceKeys } = deviceKeysFor(client.userId, client.deviceId);
    await client.ok('POST', 'keys/upload', { device_keys: deviceKeys, ...extra });
    return key;
  }

  const sync = (client: InjectMatrixClient, query: Record<string, string> = {}) =>
    client.sync(query) as Promise<E2eeSync>;

  async function sharedRoom(): Promise<string> {
    const roomId = await alice.createRoom({ preset: 'private_chat', invite: [bob.userId] });
    await bob.ok('POST', `join/${encodeURIComponent(roomId)}`, {});
    return roomId;
  }

  async function deleteWithPassword(
    client: InjectMatrixClient,
    path: string,
    body: Record<string, unknown>,
    method: 'DELETE' | 'POST',
  ) {
    const first = await client.request<UiaChallenge>(method, path, body);
    expect(first.status).toBe(401);
    return client.request(method, path, {
      ...body,
      auth: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: client.userId },
        password: testPassword,
        session: first.body.session,
      },
    });
  }

  it('stores device, one-time and fallback keys and answers their counts', async () => {
    const key = newSigningKey();
    const { deviceKeys } = deviceKeysFor(alice.userId, alice.deviceId, key);
    const uploaded = await alice.ok<{ one_time_key_counts: Record<string, number> }>('POST', 'keys/upload', {
      device_keys: deviceKeys,
      one_time_keys: oneTimeKeysFor(alice.userId, alice.deviceId, key, ['AAAAAA', 'AAAAAB', 'AAAAAC']),
      fallback_keys: oneTimeKeysFor(alice.userId, alice.deviceId, key, ['FFFFFF'], true),
    });
    expect(uploaded.one_time_key_counts).toEqual({ signed_curve25519: 3 });
    // The same upload again changes nothing (a retry after a lost response).
    const again = await alice.ok<{ one_time_key_counts: Record<string, number> }>('POST', 'keys/upload', {
      device_keys: deviceKeys,
      one_time_keys: oneTimeKeysFor(alice.userId, alice.deviceId, key, []),
    });
    expect(again.one_time_key_counts).toEqual({ signed_curve25519: 3 });

    const initial = await sync(alice);
    expect(initial.device_one_time_keys_count).toEqual({ signed_curve25519: 3 });
    expect(initial.device_unused_fallback_key_types).toEqual(['signed_curve25519']);
    expect(initial.to_device.events).toEqual([]);

    await alice.ok('PUT', `devices/${alice.deviceId}`, { display_name: 'Poste de travail' });
    const query = await bob.ok<KeysQuery>('POST', 'keys/query', {
      device_keys: { [alice.userId]: [], '@nobody:bureau.test': [], '@someone:elsewhere.org': [] },
    });
    expect(Object.keys(query.device_keys)).toEqual([alice.userId, '@nobody:bureau.test']);
    expect(query.device_keys[alice.userId]?.[alice.deviceId]).toEqual({
      ...deviceKeys,
      unsigned: { device_display_name: 'Poste de travail' },
    });
    expect(query.device_keys['@nobody:bureau.test']).toEqual({});
    const oneDevice = await bob.ok<KeysQuery>('POST', 'keys/query', { device_keys: { [alice.userId]: ['OTHER'] } });
    expect(oneDevice.device_keys[alice.userId]).toEqual({});
  });

  it('hands out each one-time key once, even to concurrent claims, then the fallback key', async () => {
    const key = newSigningKey();
    const { deviceKeys } = deviceKeysFor(alice.userId, alice.deviceId, key);
    const ids = Array.from({ length: 10 }, (_, index) => `K${String(index).padStart(4, '0')}`);
    await alice.ok('POST', 'keys/upload', {
      device_keys: deviceKeys,
      one_time_keys: oneTimeKeysFor(alice.userId, alice.deviceId, key, ids),
      fallback_keys: oneTimeKeysFor(alice.userId, alice.deviceId, key, ['FALLBK'], true),
    });
    const claim = () =>
      bob.ok<{ one_time_keys: Record<string, Record<string, Record<string, unknown>>> }>('POST', 'keys/claim', {
        one_time_keys: { [alice.userId]: { [alice.deviceId]: 'signed_curve25519' } },
      });
    const claims = await Promise.all(Array.from({ length: 14 }, () => claim()));
    const names = claims.map((answer) => Object.keys(answer.one_time_keys[alice.userId]?.[alice.deviceId] ?? {})[0]);
    const oneTime = names.filter((name) => name !== 'signed_curve25519:FALLBK');
    expect(new Set(oneTime).size).toBe(10);
    expect(oneTime.sort()).toEqual(ids.map((id) => `signed_curve25519:${id}`));
    expect(names.filter((name) => name === 'signed_curve25519:FALLBK')).toHaveLength(4);

    const afterClaims = await sync(alice);
    expect(afterClaims.device_one_time_keys_count).toEqual({ signed_curve25519: 0 });
    // The fallback key was used: the device is told to replace it.
    expect(afterClaims.device_unused_fallback_key_types).toEqual([]);
    await alice.ok('POST', 'keys/upload', {
      fallback_keys: oneTimeKeysFor(alice.userId, alice.deviceId, key, ['FALLB2'], true),
    });
    expect((await sync(alice)).device_unused_fallback_key_types).toEqual(['signed_curve25519']);

    const unknownDevice = await bob.ok<{ one_time_keys: Record<string, unknown> }>('POST', 'keys/claim', {
      one_time_keys: { [alice.userId]: { NOPE: 'signed_curve25519' } },
    });
    expect(unknownDevice.one_time_keys).toEqual({});
  });

  it('tells room peers whose device list changed, in /sync and /keys/changes, and who left', async () => {
    const roomId = await sharedRoom();
    const before = await sync(alice);
    expect(before.device_lists).toBeUndefined();

    // A long-poll wakes up when a room peer uploads new device keys.
    const waiting = sync(alice, { since: before.next_batch, timeout: '5000' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await uploadDeviceKeys(bob);
    const woken = await waiting;
    expect(woken.device_lists).toEqual({ changed: [bob.userId], left: [] });
    const changes = await alice.ok('GET', `keys/changes?from=${before.next_batch}&to=${woken.next_batch}`);
    expect(changes).toEqual({ changed: [bob.userId], left: [] });

    // Renaming a device is not a device-list change.
    await bob.ok('PUT', `devices/${bob.deviceId}`, { display_name: 'Téléphone' });
    // Nor is a new display name in the room (a member event of someone already joined).
    await bob.ok('PUT', `profile/${encodeURIComponent(bob.userId)}/displayname`, { displayname: 'Bob D.' });
    const renamed = await sync(alice, { since: woken.next_batch });
    expect(renamed.device_lists).toEqual({ changed: [], left: [] });

    // Someone joining a shared room is a new peer; someone leaving every shared room is "left".
    const carol = await newUser('carol@min.gouv.fr');
    await alice.ok('POST', `rooms/${encodeURIComponent(roomId)}/invite`, { user_id: carol.userId });
    await carol.ok('POST', `join/${encodeURIComponent(roomId)}`, {});
    const joined = await sync(alice, { since: renamed.next_batch });
    expect(joined.device_lists?.changed).toContain(carol.userId);
    await bob.ok('POST', `rooms/${encodeURIComponent(roomId)}/leave`, {});
    const left = await sync(alice, { since: joined.next_batch });
    expect(left.device_lists).toEqual({ changed: [], left: [bob.userId] });
    // A user no longer sharing a room is not told of changes.
    await uploadDeviceKeys(await new InjectMatrixClient(app).loginWithEmail('bob@min.gouv.fr'));
    expect((await sync(alice, { since: left.next_batch })).device_lists).toEqual({ changed: [], left: [] });
    const bobSync = await sync(bob);
    expect(bobSync.device_lists).toBeUndefined();
  });

  async function newUser(email: string): Promise<InjectMatrixClient> {
    await app.identity.directory.createUser(
      { email, password: testPassword, displayName: email.split('@')[0] ?? email },
      system,
    );
    return new InjectMatrixClient(app).loginWithEmail(email);
  }

  it('delivers to-device messages in order, at least once, until a later sync acknowledges them', async () => {
    const bobSecond = await new InjectMatrixClient(app).loginWithEmail('bob@min.gouv.fr');
    const start = await sync(bob);
    const send = (txnId: string, messages: Record<string, Record<string, unknown>>) =>
      alice.request('PUT', `sendToDevice/m.room_key_request/${txnId}`, { messages: { [bob.userId]: messages } });
    expect((await send('t1', { [bob.deviceId]: { n: 1 } })).status).toBe(200);
    expect((await send('t2', { '*': { n: 2 } })).status).toBe(200);
    // The same transaction again is not sent twice.
    expect((await send('t2', { '*': { n: 2 } })).status).toBe(200);
    expect((await send('t3', { [bobSecond.deviceId]: { n: 3 }, UNKNOWN: { n: 4 } })).status).toBe(200);

    const first = await sync(bob, { since: start.next_batch });
    expect(first.to_device.events).toEqual([
      { sender: alice.userId, type: 'm.room_key_request', content: { n: 1 } },
      { sender: alice.userId, type: 'm.room_key_request', content: { n: 2 } },
    ]);
    // The response was lost: syncing again from the same token delivers the same messages.
    const retried = await sync(bob, { since: start.next_batch });
    expect(retried.to_device.events.map((event) => event.content)).toEqual([{ n: 1 }, { n: 2 }]);
    // Syncing from its next_batch acknowledges them: they are gone.
    const acknowledged = await sync(bob, { since: retried.next_batch });
    expect(acknowledged.to_device.events).toEqual([]);
    expect((await sync(bob, { since: start.next_batch })).to_device.events).toEqual([]);

    const second = await sync(bobSecond);
    expect(second.to_device.events.map((event) => event.content)).toEqual([{ n: 2 }, { n: 3 }]);

    // A long-poll wakes up for a message.
    const waiting = sync(bob, { since: acknowledged.next_batch, timeout: '5000' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await send('t4', { [bob.deviceId]: { n: 5 } });
    expect((await waiting).to_device.events.map((event) => event.content)).toEqual([{ n: 5 }]);

    // Messages to a deleted device are dropped.
    const gone = await deleteWithPassword(bobSecond, `devices/${bobSecond.deviceId}`, {}, 'DELETE');
    expect(gone.status).toBe(200);
    expect((await send('t5', { [bobSecond.deviceId]: { n: 6 }, [bob.deviceId]: { n: 7 } })).status).toBe(200);
    const database = world.environment.openDatabase();
    const queued = await database.executor
      .withTables<E2eeTables>()
      .selectFrom('chat_e2ee_to_device')
      .select('device_id')
      .where('matrix_id', '=', bob.userId)
      .execute();
    // Bob's device still has its unacknowledged message and the new one; the deleted device has nothing.
    expect(queued.map((row) => row.device_id)).toEqual([bob.deviceId, bob.deviceId]);
  });

  it('sends at most 100 to-device messages per sync and keeps the rest for the next one', async () => {
    const start = await sync(bob);
    for (let index = 0; index < 130; index += 1) {
      await alice.ok('PUT', `sendToDevice/m.test/txn${index}`, {
        messages: { [bob.userId]: { [bob.deviceId]: { index } } },
      });
    }
    const first = await sync(bob, { since: start.next_batch });
    expect(first.to_device.events.map((event) => event.content['index'])).toEqual(
      Array.from({ length: 100 }, (_, index) => index),
    );
    const second = await sync(bob, { since: first.next_batch });
    expect(second.to_device.events.map((event) => event.content['index'])).toEqual(
      Array.from({ length: 30 }, (_, index) => 100 + index),
    );
    // A lost second response: the 30 come again from the first token, then are acknowledged.
    expect((await sync(bob, { since: first.next_batch })).to_device.events).toHaveLength(30);
    const third = await sync(bob, { since: second.next_batch, timeout: '0' });
    expect(third.to_device.events).toEqual([]);
  });

  it('deletes a device behind user-interactive authentication: tokens, keys and queue go, peers are told', async () => {
    await sharedRoom();
    const bobPhone = await new InjectMatrixClient(app).loginWithEmail('bob@min.gouv.fr');
    await uploadDeviceKeys(bobPhone);
    const devices = await bob.ok<{ devices: Array<{ device_id: string; last_seen_ts?: number }> }>('GET', 'devices');
    expect(devices.devices.map((device) => device.device_id).sort()).toEqual([bob.deviceId, bobPhone.deviceId].sort());
    expect(await bob.ok('GET', `devices/${bobPhone.deviceId}`)).toMatchObject({ device_id: bobPhone.deviceId });
    const aliceBefore = await sync(alice);

    // No auth: the challenge. A wrong password: 401 M_FORBIDDEN in the same session.
    const challenge = await bob.request<UiaChallenge>('DELETE', `devices/${bobPhone.deviceId}`, {});
    expect(challenge.status).toBe(401);
    expect(challenge.body).toMatchObject({ params: {} });
    expect(challenge.body.flows).toContainEqual({ stages: ['m.login.password'] });
    expect(challenge.body.errcode).toBeUndefined();
    expect(typeof challenge.body.session).toBe('string');
    const wrong = await bob.request<UiaChallenge>('DELETE', `devices/${bobPhone.deviceId}`, {
      auth: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: bob.userId },
        password: 'nope-nope-nope',
        session: challenge.body.session,
      },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ errcode: 'M_FORBIDDEN', session: challenge.body.session, completed: [] });
    // Someone else's password does not do either.
    const otherUser = await bob.request<UiaChallenge>('DELETE', `devices/${bobPhone.deviceId}`, {
      auth: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: alice.userId },
        password: testPassword,
        session: challenge.body.session,
      },
    });
    expect(otherUser.body.errcode).toBe('M_FORBIDDEN');
    const deleted = await bob.request('DELETE', `devices/${bobPhone.deviceId}`, {
      auth: {
        type: 'm.login.password',
        identifier: { type: 'm.id.thirdparty', medium: 'email', address: 'bob@min.gouv.fr' },
        password: testPassword,
        session: challenge.body.session,
      },
    });
    expect(deleted.status).toBe(200);

    expect(await bobPhone.request('GET', 'account/whoami')).toMatchObject({
      status: 401,
      body: { errcode: 'M_UNKNOWN_TOKEN' },
    });
    const query = await alice.ok<KeysQuery>('POST', 'keys/query', { device_keys: { [bob.userId]: [] } });
    expect(query.device_keys[bob.userId]).toEqual({});
    const aliceAfter = await sync(alice, { since: aliceBefore.next_batch });
    expect(aliceAfter.device_lists?.changed).toEqual([bob.userId]);
    expect(await bob.request('GET', `devices/${bobPhone.deviceId}`)).toMatchObject({
      status: 404,
      body: { errcode: 'M_NOT_FOUND' },
    });
    // The session authorised one operation: it cannot be used again.
    const reused = await bob.request<UiaChallenge>('POST', 'delete_devices', {
      devices: ['X'],
      auth: { session: challenge.body.session },
    });
    expect(reused.status).toBe(401);

    // Bulk deletion, including a device that no longer exists.
    const laptop = await new InjectMatrixClient(app).loginWithEmail('bob@min.gouv.fr');
    const bulk = await deleteWithPassword(bob, 'delete_devices', { devices: [laptop.deviceId, 'GONE'] }, 'POST');
    expect(bulk.status).toBe(200);
    expect((await laptop.request('GET', 'account/whoami')).status).toBe(401);
  });

  it('completes the m.login.sso stage on the fallback page for a browser signed in to Bureau as the same user', async () => {
    const phone = await new InjectMatrixClient(app).loginWithEmail('alice@min.gouv.fr');
    const challenge = await alice.request<UiaChallenge>('DELETE', `devices/${phone.deviceId}`, {});
    expect(challenge.body.flows).toContainEqual({ stages: ['m.login.sso'] });
    const url = `/_matrix/client/v3/auth/m.login.sso/fallback/web?session=${encodeURIComponent(challenge.body.session)}`;

    const anonymous = await app.http.inject({ method: 'GET', url });
    expect(anonymous.statusCode).toBe(302);
    expect(anonymous.headers.location).toContain('/connexion?retour=');

    const bobCookie = await webSession('bob@min.gouv.fr');
    const someoneElse = await app.http.inject({ method: 'GET', url, headers: { cookie: bobCookie } });
    expect(someoneElse.statusCode).toBe(403);

    const cookie = await webSession('alice@min.gouv.fr');
    const confirm = await app.http.inject({ method: 'GET', url, headers: { cookie } });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`<form method="post"`);
    // Not done until confirmed.
    const early = await alice.request<UiaChallenge>('DELETE', `devices/${phone.deviceId}`, {
      auth: { session: challenge.body.session },
    });
    expect(early.status).toBe(401);
    const done = await app.http.inject({ method: 'POST', url, headers: { cookie, origin: publicUrl } });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('authDone');
    expect(done.headers['content-security-policy']).toContain("script-src 'sha256-");
    const deleted = await alice.request('DELETE', `devices/${phone.deviceId}`, {
      auth: { session: challenge.body.session },
    });
    expect(deleted.status).toBe(200);
    expect((await phone.request('GET', 'account/whoami')).status).toBe(401);
  });

  async function webSession(email: string): Promise<string> {
    const response = await app.http.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { origin: publicUrl },
      payload: { email, password: testPassword },
    });
    const cookie = response.cookies.find((candidate) => candidate.name === 'bureau_session');
    if (!cookie) throw new Error(`no session cookie (${response.statusCode})`);
    return `bureau_session=${cookie.value}`;
  }

  it('uploads cross-signing keys, free the first time, behind user-interactive authentication to replace them', async () => {
    await uploadDeviceKeys(alice);
    await uploadDeviceKeys(bob);
    const master = newSigningKey();
    const selfSigning = newSigningKey();
    const userSigning = newSigningKey();
    const keys = {
      master_key: crossSigningKey(alice.userId, 'master', master),
      self_signing_key: crossSigningKey(alice.userId, 'self_signing', selfSigning, master),
      user_signing_key: crossSigningKey(alice.userId, 'user_signing', userSigning, master),
    };
    const before = await sync(bob);
    await sharedRoom();
    const afterRoom = await sync(bob, { since: before.next_batch });
    expect(await alice.ok('POST', 'keys/device_signing/upload', keys)).toEqual({});
    expect(await alice.ok('POST', 'keys/device_signing/upload', keys)).toEqual({});
    expect((await sync(bob, { since: afterRoom.next_batch })).device_lists?.changed).toEqual([alice.userId]);

    const byBob = await bob.ok<KeysQuery>('POST', 'keys/query', { device_keys: { [alice.userId]: [] } });
    expect(byBob.master_keys[alice.userId]).toEqual(keys.master_key);
    expect(byBob.self_signing_keys[alice.userId]).toEqual(keys.self_signing_key);
    expect(byBob.user_signing_keys).toEqual({});
    const byAlice = await alice.ok<KeysQuery>('POST', 'keys/query', { device_keys: { [alice.userId]: [] } });
    expect(byAlice.user_signing_keys[alice.userId]).toEqual(keys.user_signing_key);

    // A self-signing key not signed by the master key.
    const forged = await alice.request('POST', 'keys/device_signing/upload', {
      self_signing_key: crossSigningKey(alice.userId, 'self_signing', newSigningKey(), newSigningKey()),
    });
    expect(forged).toMatchObject({ status: 400, body: { errcode: 'M_INVALID_SIGNATURE' } });

    // Replacing the master key needs the password.
    const newMaster = newSigningKey();
    const replacement = { master_key: crossSigningKey(alice.userId, 'master', newMaster) };
    const challenge = await alice.request<UiaChallenge>('POST', 'keys/device_signing/upload', replacement);
    expect(challenge.status).toBe(401);
    const replaced = await alice.request('POST', 'keys/device_signing/upload', {
      ...replacement,
      auth: { type: 'm.login.password', user: alice.userId, password: testPassword, session: challenge.body.session },
    });
    expect(replaced.status).toBe(200);
    const afterReplace = await bob.ok<KeysQuery>('POST', 'keys/query', { device_keys: { [alice.userId]: [] } });
    expect(afterReplace.master_keys[alice.userId]).toEqual(replacement.master_key);
  });

  it('attaches checked signatures to device keys and master keys, reporting failures per key', async () => {
    const aliceDevice = await uploadDeviceKeys(alice);
    await uploadDeviceKeys(bob);
    const aliceKeys = await crossSign(alice);
    const bobKeys = await crossSign(bob);
    const query = async (client: InjectMatrixClient, user: string) =>
      client.ok<KeysQuery>('POST', 'keys/query', { device_keys: { [user]: [] } });

    const aliceDeviceKeys: Record<string, unknown> =
      (await query(alice, alice.userId)).device_keys[alice.userId]?.[alice.deviceId] ?? {};
    const { unsigned: _unsigned, ...deviceKeys } = aliceDeviceKeys;
    const masterKey = (await query(alice, alice.userId)).master_keys[alice.userId] as Record<string, unknown>;
    const bobMaster = (await query(alice, bob.userId)).master_keys[bob.userId] as Record<string, unknown>;
    const result = await alice.ok<{ failures: Record<string, Record<string, { errcode: string }>> }>(
      'POST',
      'keys/signatures/upload',
      {
        [alice.userId]: {
          [alice.deviceId]: signObject(
            deviceKeys,
            alice.userId,
            `ed25519:${aliceKeys.selfSigning.publicKey}`,
            aliceKeys.selfSigning,
          ),
          [aliceKeys.master.publicKey]: signObject(masterKey, alice.userId, `ed25519:${alice.deviceId}`, aliceDevice),
          UNKNOWN: { user_id: alice.userId },
        },
        [bob.userId]: {
          [bobKeys.master.publicKey]: signObject(
            bobMaster,
            alice.userId,
            `ed25519:${aliceKeys.userSigning.publicKey}`,
            aliceKeys.userSigning,
          ),
        },
      },
    );
    // Only the unknown key failed.
    expect(Object.keys(result.failures)).toEqual([alice.userId]);
    expect(Object.keys(result.failures[alice.userId] ?? {})).toEqual(['UNKNOWN']);
    expect(result.failures[alice.userId]?.['UNKNOWN']?.errcode).toBe('M_NOT_FOUND');

    const seenByBob = await query(bob, alice.userId);
    expect(seenByBob.device_keys[alice.userId]?.[alice.deviceId]?.signatures[alice.userId]).toHaveProperty(
      `ed25519:${aliceKeys.selfSigning.publicKey}`,
    );
    expect(seenByBob.master_keys[alice.userId]?.signatures?.[alice.userId]).toHaveProperty(`ed25519:${alice.deviceId}`);
    // Alice's signature on Bob's master key is Alice's business.
    expect((await query(alice, bob.userId)).master_keys[bob.userId]?.signatures?.[alice.userId]).toBeDefined();
    expect((await query(bob, bob.userId)).master_keys[bob.userId]?.signatures?.[alice.userId]).toBeUndefined();

    // A forged signature and a modified object are refused.
    const forged = await alice.ok<{ failures: Record<string, Record<string, { errcode: string }>> }>(
      'POST',
      'keys/signatures/upload',
      {
        [alice.userId]: {
          [alice.deviceId]: signObject(
            deviceKeys,
            alice.userId,
            `ed25519:${aliceKeys.selfSigning.publicKey}`,
            newSigningKey(),
          ),
        },
        [bob.userId]: {
          [bobKeys.master.publicKey]: signObject(
            { ...bobMaster, usage: ['other'] },
            alice.userId,
            `ed25519:${aliceKeys.userSigning.publicKey}`,
            aliceKeys.userSigning,
          ),
        },
      },
    );
    expect(forged.failures[alice.userId]?.[alice.deviceId]?.errcode).toBe('M_INVALID_SIGNATURE');
    expect(forged.failures[bob.userId]?.[bobKeys.master.publicKey]?.errcode).toBe('M_INVALID_SIGNATURE');
  });

  async function crossSign(client: InjectMatrixClient) {
    const master = newSigningKey();
    const selfSigning = newSigningKey();
    const userSigning = newSigningKey();
    await client.ok('POST', 'keys/device_signing/upload', {
      master_key: crossSigningKey(client.userId, 'master', master),
      self_signing_key: crossSigningKey(client.userId, 'self_signing', selfSigning, master),
      user_signing_key: crossSigningKey(client.userId, 'user_signing', userSigning, master),
    });
    return { master, selfSigning, userSigning } satisfies Record<string, TestSigningKey>;
  }

  it('keeps key backups: versions, the replacement rule, etag and count, the current version only for writes', async () => {
    expect(await alice.request('GET', 'room_keys/version')).toMatchObject({
      status: 404,
      body: { errcode: 'M_NOT_FOUND' },
    });
    const algorithm = 'm.megolm_backup.v1.curve25519-aes-sha2';
    const { version } = await alice.ok<{ version: string }>('POST', 'room_keys/version', {
      algorithm,
      auth_data: { public_key: 'abc', signatures: {} },
    });
    const current = await alice.ok('GET', 'room_keys/version');
    expect(current).toEqual({
      algorithm,
      auth_data: { public_key: 'abc', signatures: {} },
      count: 0,
      etag: '0',
      version,
    });

    const key = (first: number, forwarded: number, verified: boolean, marker: string) => ({
      first_message_index: first,
      forwarded_count: forwarded,
      is_verified: verified,
      session_data: { ciphertext: marker },
    });
    const path = (suffix: string) => `room_keys/keys${suffix}?version=${version}`;
    const put = await alice.ok<{ etag: string; count: number }>('PUT', path(''), {
      rooms: { '!a:bureau.test': { sessions: { s1: key(5, 1, false, 'first'), s2: key(0, 0, false, 'other') } } },
    });
    expect(put.count).toBe(2);
    // A worse key is ignored (etag unchanged); better ones replace it: verified, then lower index, then fewer forwards.
    const ignored = await alice.ok<{ etag: string }>('PUT', path('/!a:bureau.test/s1'), key(9, 0, false, 'worse'));
    expect(ignored.etag).toBe(put.etag);
    const lowerIndex = await alice.ok<{ etag: string }>(
      'PUT',
      path('/!a:bureau.test/s1'),
      key(2, 3, false, 'lower-index'),
    );
    expect(lowerIndex.etag).not.toBe(put.etag);
    await alice.ok('PUT', path('/!a:bureau.test/s1'), key(2, 1, false, 'fewer-forwards'));
    expect(await alice.ok('GET', path('/!a:bureau.test/s1'))).toEqual(key(2, 1, false, 'fewer-forwards'));
    await alice.ok('PUT', path('/!a:bureau.test'), { sessions: { s1: key(7, 4, true, 'verified') } });
    await alice.ok('PUT', path('/!a:bureau.test/s1'), key(0, 0, false, 'unverified'));
    expect(await alice.ok('GET', path('/!a:bureau.test/s1'))).toEqual(key(7, 4, true, 'verified'));

    expect(await alice.ok('GET', path('/!a:bureau.test'))).toEqual({
      sessions: { s1: key(7, 4, true, 'verified'), s2: key(0, 0, false, 'other') },
    });
    expect(await alice.ok('GET', path('/!empty:bureau.test'))).toEqual({ sessions: {} });
    expect(await alice.request('GET', path('/!a:bureau.test/nope'))).toMatchObject({
      status: 404,
      body: { errcode: 'M_NOT_FOUND' },
    });
    expect(Object.keys((await alice.ok<{ rooms: Record<string, unknown> }>('GET', path(''))).rooms)).toEqual([
      '!a:bureau.test',
    ]);
    // Bob sees none of it.
    expect(await bob.request('GET', 'room_keys/version')).toMatchObject({ status: 404 });

    const deleted = await alice.ok<{ count: number }>('DELETE', path('/!a:bureau.test/s2'));
    expect(deleted.count).toBe(1);

    // A new version becomes the current one: writes to the old one are refused with the current version.
    const second = await alice.ok<{ version: string }>('POST', 'room_keys/version', {
      algorithm,
      auth_data: { public_key: 'def' },
    });
    expect(second.version).not.toBe(version);
    const stale = await alice.request('PUT', path('/!a:bureau.test/s3'), key(0, 0, false, 'stale'));
    expect(stale).toMatchObject({
      status: 403,
      body: { errcode: 'M_WRONG_ROOM_KEYS_VERSION', current_version: second.version },
    });
    expect((await alice.ok<{ count: number }>('GET', `room_keys/version/${version}`)).count).toBe(1);

    // Updating: only auth_data, the same algorithm, the same version.
    expect(
      await alice.ok('PUT', `room_keys/version/${second.version}`, { algorithm, auth_data: { public_key: 'ghi' } }),
    ).toEqual({});
    expect((await alice.ok<{ auth_data: unknown }>('GET', 'room_keys/version')).auth_data).toEqual({
      public_key: 'ghi',
    });
    expect(
      await alice.request('PUT', `room_keys/version/${second.version}`, { algorithm: 'other', auth_data: {} }),
    ).toMatchObject({
      status: 400,
      body: { errcode: 'M_INVALID_PARAM' },
    });

    expect(await alice.ok('DELETE', `room_keys/version/${second.version}`)).toEqual({});
    expect(await alice.ok('DELETE', `room_keys/version/${second.version}`)).toEqual({});
    expect(await alice.request('GET', `room_keys/version/${second.version}`)).toMatchObject({ status: 404 });
    expect((await alice.ok<{ version: string }>('GET', 'room_keys/version')).version).toBe(version);
    expect(await alice.request('DELETE', 'room_keys/version/999')).toMatchObject({
      status: 404,
      body: { errcode: 'M_NOT_FOUND' },
    });
  });

  it('answers bad requests with the spec’s error codes, never a server error', async () => {
    const key = newSigningKey();
    const { deviceKeys } = deviceKeysFor(alice.userId, alice.deviceId, key);
    await alice.ok('POST', 'keys/upload', {
      device_keys: deviceKeys,
      one_time_keys: oneTimeKeysFor(alice.userId, alice.deviceId, key, ['SAME']),
    });
    const bobKeys = deviceKeysFor(bob.userId, bob.deviceId).deviceKeys;
    const cases: Array<{
      name: string;
      method: 'GET' | 'POST' | 'PUT' | 'DELETE';
      path: string;
      body?: unknown;
      status: number;
      errcode: string;
    }> = [
      {
        name: 'not JSON',
        method: 'POST',
        path: 'keys/upload',
        body: '{"device_keys":',
        status: 400,
        errcode: 'M_NOT_JSON',
      },
      { name: 'not an object', method: 'POST', path: 'keys/upload', body: '[1]', status: 400, errcode: 'M_NOT_JSON' },
      {
        name: 'wrong field type',
        method: 'POST',
        path: 'keys/upload',
        body: { device_keys: 'x' },
        status: 400,
        errcode: 'M_BAD_JSON',
      },
      {
        name: 'another user’s device keys',
        method: 'POST',
        path: 'keys/upload',
        body: { device_keys: bobKeys },
        status: 400,
        errcode: 'M_INVALID_PARAM',
      },
      {
        name: 'badly signed device keys',
        method: 'POST',
        path: 'keys/upload',
        body: { device_keys: { ...deviceKeys, algorithms: ['m.megolm.v1.aes-sha2'] } },
        status: 400,
        errcode: 'M_INVALID_SIGNATURE',
      },
      {
        name: 'new identity keys for a device',
        method: 'POST',
        path: 'keys/upload',
        body: { device_keys: deviceKeysFor(alice.userId, alice.deviceId).deviceKeys },
        status: 400,
        errcode: 'M_INVALID_PARAM',
      },
      {
        name: 'a one-time key ID reused for another key',
        method: 'POST',
        path: 'keys/upload',
        body: { one_time_keys: oneTimeKeysFor(alice.userId, alice.deviceId, key, ['SAME']) },
        status: 400,
        errcode: 'M_INVALID_PARAM',
      },
      {
        name: 'badly named one-time key',
        method: 'POST',
        path: 'keys/upload',
        body: { one_time_keys: { nocolon: 'x' } },
        status: 400,
        errcode: 'M_BAD_JSON',
      },
      {
        name: 'query without device_keys',
        method: 'POST',
        path: 'keys/query',
        body: {},
        status: 400,
        errcode: 'M_MISSING_PARAM',
      },
      {
        name: 'query of an invalid user ID',
        method: 'POST',
        path: 'keys/query',
        body: { device_keys: { nobody: [] } },
        status: 400,
        errcode: 'M_INVALID_PARAM',
      },
      {
        name: 'claim of a list',
        method: 'POST',
        path: 'keys/claim',
        body: { one_time_keys: [] },
        status: 400,
        errcode: 'M_BAD_JSON',
      },
      { name: 'changes without tokens', method: 'GET', path: 'keys/changes', status: 400, errcode: 'M_MISSING_PARAM' },
      {
        name: 'changes with a bad token',
        method: 'GET',
        path: 'keys/changes?from=x&to=s1_0',
        status: 400,
        errcode: 'M_INVALID_PARAM',
      },
      {
        name: 'sendToDevice without messages',
        method: 'PUT',
        path: 'sendToDevice/m.x/t1',
        body: {},
        status: 400,
        errcode: 'M_MISSING_PARAM',
      },
      {
        name: 'sendToDevice with a non-object content',
        method: 'PUT',
        path: 'sendToDevice/m.x/t2',
        body: { messages: { [bob.userId]: { '*': 3 } } },
        status: 400,
        errcode: 'M_BAD_JSON',
      },
      {
        name: 'a float in a to-device message',
        method: 'PUT',
        path: 'sendToDevice/m.x/t3',
        body: { messages: { [bob.userId]: { '*': { n: 1.5 } } } },
        status: 400,
        errcode: 'M_BAD_JSON',
      },
      {
        name: 'cross-signing keys of someone else',
        method: 'POST',
        path: 'keys/device_signing/upload',
        body: { master_key: crossSigningKey(bob.userId, 'master', newSigningKey()) },
        status: 400,
        errcode: 'M_INVALID_PARAM',
      },
      {
        name: 'a self-signing key without a master key',
        method: 'POST',
        path: 'keys/device_signing/upload',
        body: { self_signing_key: crossSigningKey(alice.userId, 'self_signing', newSigningKey()) },
        status: 400,
        errcode: 'M_MISSING_PARAM',
      },
      {
        name: 'signatures upload of a list',
        method: 'POST',
        path: 'keys/signatures/upload',
        body: { [alice.userId]: [] },
        status: 400,
        errcode: 'M_BAD_JSON',
      },
      { name: 'an unknown device', method: 'GET', path: 'devices/NOPE', status: 404, errcode: 'M_NOT_FOUND' },
      {
        name: 'renaming an unknown device',
        method: 'PUT',
        path: 'devices/NOPE',
        body: { display_name: 'x' },
        status: 404,
        errcode: 'M_NOT_FOUND',
      },
      {
        name: 'deleting devices without a list',
        method: 'POST',
        path: 'delete_devices',
        body: {},
        status: 400,
        errcode: 'M_MISSING_PARAM',
      },
      {
        name: 'an unknown UIA stage',
        method: 'POST',
        path: 'delete_devices',
        body: { devices: [], auth: { type: 'm.login.dummy' } },
        status: 401,
        errcode: 'M_UNRECOGNIZED',
      },
      {
        name: 'backup keys without version',
        method: 'GET',
        path: 'room_keys/keys',
        status: 400,
        errcode: 'M_MISSING_PARAM',
      },
      {
        name: 'backup keys of no backup',
        method: 'PUT',
        path: 'room_keys/keys?version=1',
        body: { rooms: {} },
        status: 404,
        errcode: 'M_NOT_FOUND',
      },
      {
        name: 'backup keys of an unknown version',
        method: 'GET',
        path: 'room_keys/keys?version=abc',
        status: 404,
        errcode: 'M_NOT_FOUND',
      },
      {
        name: 'a backup without auth_data',
        method: 'POST',
        path: 'room_keys/version',
        body: { algorithm: 'x' },
        status: 400,
        errcode: 'M_MISSING_PARAM',
      },
      {
        name: 'a backup with a list as auth_data',
        method: 'POST',
        path: 'room_keys/version',
        body: { algorithm: 'x', auth_data: [] },
        status: 400,
        errcode: 'M_BAD_JSON',
      },
      {
        name: 'no access token',
        method: 'POST',
        path: 'keys/upload',
        body: {},
        status: 401,
        errcode: 'M_MISSING_TOKEN',
      },
    ];
    for (const testCase of cases) {
      const client = testCase.errcode === 'M_MISSING_TOKEN' ? new InjectMatrixClient(app) : alice;
      const response = await client.request(testCase.method, testCase.path, testCase.body);
      expect({
        name: testCase.name,
        status: response.status,
        errcode: (response.body as { errcode?: string }).errcode,
      }).toEqual({
        name: testCase.name,
        status: testCase.status,
        errcode: testCase.errcode,
      });
    }

    // A wrong backup version once there is a backup.
    const { version } = await alice.ok<{ version: string }>('POST', 'room_keys/version', {
      algorithm: 'x',
      auth_data: {},
    });
    const wrongVersion = await alice.request('PUT', `room_keys/keys/!r:bureau.test/s?version=${Number(version) + 5}`, {
      first_message_index: 0,
      forwarded_count: 0,
      is_verified: false,
      session_data: {},
    });
    expect(wrongVersion).toMatchObject({
      status: 403,
      body: { errcode: 'M_WRONG_ROOM_KEYS_VERSION', current_version: version },
    });
    const negative = await alice.request('PUT', `room_keys/keys/!r:bureau.test/s?version=${version}`, {
      first_message_index: -1,
      forwarded_count: 0,
      is_verified: false,
      session_data: {},
    });
    expect(negative).toMatchObject({ status: 400, body: { errcode: 'M_BAD_JSON' } });
  });
});
