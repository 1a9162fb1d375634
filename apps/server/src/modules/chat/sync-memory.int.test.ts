import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import type { TestEnvironment } from '../../testing/test-database.ts';
import type { ChatTables } from './chat.tables.ts';
import {
  aliceAndBob,
  chatTestSystemActor as system,
  startChatTestApp,
  type ChatTestApp,
} from './testing/chat-test-app.ts';
import { InjectMatrixClient, testPassword, type SyncBody } from './testing/matrix-test-client.ts';

/**
 * What /sync serves from memory (recent events, unread counts, key counts, principals, stored filters) is
 * what the database says: checked against the same syncs answered by a fresh process, and through the
 * changes that must make it read the database again (relations, redactions, receipts, another writer).
 */
describe('Incremental /sync from memory', () => {
  let world: ChatTestApp<'alice' | 'bob'>;
  let environment: TestEnvironment;
  let app: BureauApp;
  let alice: InjectMatrixClient;
  let bob: InjectMatrixClient;
  let roomId: string;

  beforeEach(async () => {
    world = await startChatTestApp(aliceAndBob);
    ({ environment, app } = world);
    ({ alice, bob } = world.clients);
    roomId = await alice.createRoom({ name: 'Équipe', invite: [bob.userId], preset: 'private_chat' });
    await bob.ok('POST', `join/${encodeURIComponent(roomId)}`, {});
  });

  afterEach(async () => {
    await world.close();
  });

  /** The same sync answered by a new process on the same database (nothing in memory). */
  async function fromDatabase(client: InjectMatrixClient, since: string, filter?: string) {
    const other = await buildApp(environment.config);
    await other.migrate();
    try {
      const body = await new InjectMatrixClient(other, client.accessToken).sync({
        since,
        ...(filter ? { filter } : {}),
      });
      return body;
    } finally {
      await other.close();
    }
  }

  // `age` moves with time; the typing part of `next_batch` is each process's own serial.
  const withoutAge = (body: SyncBody) =>
    JSON.parse(
      JSON.stringify(body, (key, value: unknown) => {
        if (key === 'age') return undefined;
        if (key === 'next_batch' && typeof value === 'string') return value.split('_')[0];
        return value;
      }),
    ) as SyncBody;

  it('serves new messages, transaction IDs and unread counts as the database does', async () => {
    const since = (await bob.sync()).next_batch;
    const first = await alice.send(roomId, { msgtype: 'm.text', body: 'Un' });
    const second = await alice.send(roomId, {
      msgtype: 'm.text',
      body: 'Deux @bob',
      'm.mentions': { user_ids: [bob.userId] },
    });
    const own = await bob.send(roomId, { msgtype: 'm.text', body: 'Trois' });

    const fromMemory = await bob.sync({ since });
    const room = fromMemory.rooms.join[roomId];
    expect(room?.timeline.events.map((event) => event.event_id)).toEqual([first, second, own]);
    expect(room?.timeline.limited).toBe(false);
    expect(room?.unread_notifications).toEqual({ notification_count: 2, highlight_count: 1 });
    // Only the sending device gets its transaction ID back.
    const transactionIds = room?.timeline.events.map(
      (event) => (event['unsigned'] as Record<string, unknown>)['transaction_id'],
    );
    expect(transactionIds?.map((id) => id !== undefined)).toEqual([false, false, true]);
    expect(withoutAge(fromMemory)).toEqual(withoutAge(await fromDatabase(bob, since)));

    // A receipt drops the counts held in memory; later messages count from it.
    await bob.ok('POST', `rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(first)}`, {});
    await alice.send(roomId, { msgtype: 'm.text', body: 'Quatre' });
    const afterReceipt = await bob.sync({ since: fromMemory.next_batch });
    expect(afterReceipt.rooms.join[roomId]?.unread_notifications).toEqual({
      notification_count: 2,
      highlight_count: 1,
    });
    expect(withoutAge(afterReceipt)).toEqual(withoutAge(await fromDatabase(bob, fromMemory.next_batch)));
  });

  it('counts from successive and threaded receipts as a fresh process does, and forgets what they cover', async () => {
    const since = (await bob.sync()).next_batch;
    const first = await alice.send(roomId, { msgtype: 'm.text', body: 'Un' });
    const second = await alice.send(roomId, { msgtype: 'm.text', body: 'Deux' });
    const root = await alice.send(roomId, { msgtype: 'm.text', body: 'Fil' });
    const reply = await alice.send(roomId, {
      msgtype: 'm.text',
      body: 'Dans le fil',
      'm.relates_to': {
        rel_type: 'm.thread',
        event_id: root,
        is_falling_back: true,
        'm.in_reply_to': { event_id: root },
      },
    });
    await alice.send(roomId, { msgtype: 'm.text', body: 'Trois' });
    const receipt = (eventId: string, body: Record<string, unknown> = {}) =>
      bob.ok('POST', `rooms/${encodeURIComponent(roomId)}/receipt/m.read/${encodeURIComponent(eventId)}`, body);
    await receipt(first);
    await receipt(second);
    await receipt(reply, { thread_id: root });
    await alice.send(roomId, { msgtype: 'm.text', body: 'Quatre' });

    const synced = await bob.sync({ since });
    // Unread: the thread's root, "Trois" and "Quatre" (the thread is read).
    expect(synced.rooms.join[roomId]?.unread_notifications).toEqual({ notification_count: 3, highlight_count: 0 });
    expect(withoutAge(synced)).toEqual(withoutAge(await fromDatabase(bob, since)));
    const kept = await app.platform.database.executor
      .withTables<ChatTables>()
      .selectFrom('chat_push_actions')
      .select('stream_ordering')
      .where('matrix_id', '=', bob.userId)
      .where('room_id', '=', roomId)
      .execute();
    expect(kept).toHaveLength(3);
  });

  it('answers a long-poll at the head of the stream at its timeout as a sync with nothing new', async () => {
    await alice.send(roomId, { msgtype: 'm.text', body: 'Avant' });
    const head = await bob.sync();
    const immediate = await bob.sync({ since: head.next_batch, timeout: '0' });
    const waited = await bob.sync({ since: head.next_batch, timeout: '60' });
    expect(waited.next_batch).toBe(head.next_batch);
    expect(withoutAge(waited)).toEqual(withoutAge(immediate));
    expect(waited).toMatchObject({ rooms: { join: {} }, device_one_time_keys_count: {} });
  });

  it('reads the database for an event another one relates to, and after a redaction', async () => {
    const since = (await bob.sync()).next_batch;
    const root = await alice.send(roomId, { msgtype: 'm.text', body: 'Fil' });
    await bob.send(roomId, {
      msgtype: 'm.text',
      body: 'Réponse',
      'm.relates_to': {
        rel_type: 'm.thread',
        event_id: root,
        is_falling_back: true,
        'm.in_reply_to': { event_id: root },
      },
    });
    const threaded = await bob.sync({ since });
    const rootEvent = threaded.rooms.join[roomId]?.timeline.events.find((event) => event.event_id === root);
    // The root carries its thread's summary, which only the database knows.
    expect(
      (rootEvent?.['unsigned'] as Record<string, Record<string, unknown>>)['m.relations']?.['m.thread'],
    ).toMatchObject({
      count: 1,
    });
    expect(withoutAge(threaded)).toEqual(withoutAge(await fromDatabase(bob, since)));

    const doomed = await alice.send(roomId, { msgtype: 'm.text', body: 'À effacer' });
    const beforeRedaction = threaded.next_batch;
    await alice.ok('PUT', `rooms/${encodeURIComponent(roomId)}/redact/${encodeURIComponent(doomed)}/r1`, {});
    const redacted = await bob.sync({ since: beforeRedaction });
    const event = redacted.rooms.join[roomId]?.timeline.events.find((candidate) => candidate.event_id === doomed);
    expect(event?.content).toEqual({});
    expect(withoutAge(redacted)).toEqual(withoutAge(await fromDatabase(bob, beforeRedaction)));
  });

  it('sees what another process wrote once it writes itself, and wakes a long-poll meanwhile at its timeout', async () => {
    const since = (await bob.sync()).next_batch;
    const other = await buildApp(environment.config);
    await other.migrate();
    let foreign = '';
    try {
      const aliceElsewhere = new InjectMatrixClient(other, alice.accessToken);
      foreign = await aliceElsewhere.send(roomId, { msgtype: 'm.text', body: 'Écrit ailleurs' });
    } finally {
      await other.close();
    }
    // This process has not seen the stream move: the sync stops where it knows everything.
    const quiet = await bob.sync({ since, timeout: '50' });
    expect(quiet.rooms.join[roomId]).toBeUndefined();
    // Its next write reveals the gap: nothing in memory is trusted before it.
    const otherRoom = await alice.createRoom({ name: 'Autre' });
    await alice.send(otherRoom, { msgtype: 'm.text', body: 'Ici' });
    const local = await alice.send(roomId, { msgtype: 'm.text', body: 'Écrit ici' });
    const caughtUp = await bob.sync({ since: quiet.next_batch });
    expect(caughtUp.rooms.join[roomId]?.timeline.events.map((event) => event.event_id)).toEqual([foreign, local]);
    expect(caughtUp.rooms.join[roomId]?.unread_notifications.notification_count).toBe(2);
  });

  it('appends concurrent joins and messages to one room one after the other, each seeing the one before', async () => {
    const directory = app.identity.directory;
    const people = await Promise.all(
      Array.from({ length: 6 }, async (_, index) => {
        const email = `agent${index}@min.gouv.fr`;
        await directory.createUser({ email, password: testPassword, displayName: `Agent ${index}` }, system);
        return new InjectMatrixClient(app).loginWithEmail(email);
      }),
    );
    const publicRoom = await alice.createRoom({ name: 'Ouverte', preset: 'public_chat' });
    await Promise.all(people.map((person) => person.ok('POST', `join/${encodeURIComponent(publicRoom)}`, {})));
    const sent = await Promise.all(
      people.map((person) => person.send(publicRoom, { msgtype: 'm.text', body: 'Présent' })),
    );
    expect(sent).toHaveLength(people.length);
    // One linear history: each event follows the one appended before it.
    const history = await alice.ok<{ chunk: Array<{ event_id: string }> }>(
      'GET',
      `rooms/${encodeURIComponent(publicRoom)}/messages?dir=f&limit=100`,
    );
    const rows = await app.platform.database.executor
      .withTables<ChatTables>()
      .selectFrom('chat_events')
      .select(['event_id', 'json', 'depth'])
      .where('room_id', '=', publicRoom)
      .orderBy('stream_ordering')
      .execute();
    expect(rows.map((row) => row.event_id)).toEqual(history.chunk.map((event) => event.event_id));
    for (const [index, row] of rows.entries()) {
      if (index === 0) continue;
      const previous = rows[index - 1];
      expect((JSON.parse(row.json) as { prev_events: string[] }).prev_events).toEqual([previous?.event_id]);
      expect(Number(row.depth)).toBe(Number(previous?.depth) + 1);
    }
  });

  it('answers a revoked token at once, and a stored filter by its ID', async () => {
    const filter = await bob.ok<{ filter_id: string }>('POST', `user/${encodeURIComponent(bob.userId)}/filter`, {
      room: { timeline: { limit: 1 } },
    });
    const since = (await bob.sync({ filter: filter.filter_id })).next_batch;
    await alice.send(roomId, { msgtype: 'm.text', body: 'Un' });
    const last = await alice.send(roomId, { msgtype: 'm.text', body: 'Deux' });
    const limited = await bob.sync({ since, filter: filter.filter_id });
    expect(limited.rooms.join[roomId]?.timeline).toMatchObject({ limited: true });
    expect(limited.rooms.join[roomId]?.timeline.events.map((event) => event.event_id)).toEqual([last]);
    const unknown = await bob.request('GET', 'sync?filter=nope');
    expect(unknown).toMatchObject({ status: 404, body: { errcode: 'M_NOT_FOUND' } });

    await bob.ok('POST', 'logout', {});
    expect(await bob.request('GET', 'account/whoami')).toMatchObject({
      status: 401,
      body: { errcode: 'M_UNKNOWN_TOKEN' },
    });
  });
});
