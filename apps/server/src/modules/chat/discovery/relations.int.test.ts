import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  roomPath,
  startDiscoveryFixture,
  v1,
  type DiscoveryFixture,
  type MatrixEvent,
  type InjectMatrixClient,
} from './testing/discovery-fixture.ts';

const text = (body: string) => ({ msgtype: 'm.text', body });
const inThread = (root: string, body: string) => ({
  ...text(body),
  'm.relates_to': { rel_type: 'm.thread', event_id: root, is_falling_back: true, 'm.in_reply_to': { event_id: root } },
});
const edit = (original: string, body: string) => ({
  ...text(`* ${body}`),
  'm.new_content': text(body),
  'm.relates_to': { rel_type: 'm.replace', event_id: original },
});
const reaction = (target: string, key: string) => ({
  'm.relates_to': { rel_type: 'm.annotation', event_id: target, key },
});

type Relations = {
  'm.replace'?: MatrixEvent & { origin_server_ts: number };
  'm.thread'?: { latest_event: MatrixEvent; count: number; current_user_participated: boolean };
  'm.reference'?: { chunk: Array<{ event_id: string }> };
};
const relationsOf = (event: MatrixEvent | undefined): Relations => event?.unsigned?.['m.relations'] ?? {};

describe('Relations, threads and bundled aggregations', () => {
  let fixture: DiscoveryFixture;
  let alice: InjectMatrixClient;
  let bob: InjectMatrixClient;
  let roomId: string;

  beforeEach(async () => {
    fixture = await startDiscoveryFixture();
    alice = await fixture.signIn('alice@min.gouv.fr', 'Alice Martin');
    bob = await fixture.signIn('bob@min.gouv.fr', 'Bob Durand');
    roomId = await alice.createRoom({ preset: 'private_chat', invite: [bob.userId] });
    await bob.ok('POST', `join/${encodeURIComponent(roomId)}`, {});
  });

  afterEach(async () => {
    await fixture.close();
  });

  const eventOf = (client: InjectMatrixClient, eventId: string) =>
    client.ok<MatrixEvent>('GET', roomPath(roomId, `/event/${encodeURIComponent(eventId)}`));

  it('bundles the latest edit, the thread summary and the references in /event, /messages and /sync', async () => {
    const root = await alice.send(roomId, text('Réunion à 10 h'));
    const firstEdit = await alice.send(roomId, edit(root, 'Réunion à 11 h'));
    // Someone else's "edit" is not an edit.
    await bob.send(roomId, edit(root, 'Réunion annulée'));
    await bob.send(roomId, inThread(root, 'Je viens'));
    const latestReply = await bob.send(roomId, inThread(root, 'Avec Claire'));
    const reference = await alice.send(roomId, {
      ...text('Compte rendu'),
      'm.relates_to': { rel_type: 'm.reference', event_id: root },
    });
    await bob.send(roomId, reaction(root, '👍'), 'm.reaction');

    const fromEvent = relationsOf(await eventOf(alice, root));
    expect(fromEvent['m.replace']).toMatchObject({
      event_id: firstEdit,
      sender: alice.userId,
      content: { 'm.new_content': { body: 'Réunion à 11 h' } },
    });
    expect(fromEvent['m.thread']).toMatchObject({
      count: 2,
      current_user_participated: true,
      latest_event: { event_id: latestReply, sender: bob.userId, content: { body: 'Avec Claire' } },
    });
    expect(fromEvent['m.reference']).toEqual({ chunk: [{ event_id: reference }] });
    // Reactions are counted by clients, not bundled.
    expect(Object.keys(fromEvent).sort()).toEqual(['m.reference', 'm.replace', 'm.thread']);

    const messages = await bob.ok<{ chunk: MatrixEvent[] }>('GET', roomPath(roomId, '/messages?dir=b&limit=50'));
    const rootInMessages = messages.chunk.find((event) => event.event_id === root);
    expect(relationsOf(rootInMessages)['m.replace']?.event_id).toBe(firstEdit);
    expect(relationsOf(rootInMessages)['m.thread']).toMatchObject({ count: 2, current_user_participated: true });

    const sync = await alice.sync({ filter: JSON.stringify({ room: { timeline: { limit: 50 } } }) });
    const rootInSync = sync.rooms.join[roomId]?.timeline.events.find((event) => event.event_id === root) as
      MatrixEvent | undefined;
    expect(relationsOf(rootInSync)['m.thread']?.latest_event.event_id).toBe(latestReply);
    expect(relationsOf(rootInSync)['m.replace']?.event_id).toBe(firstEdit);

    // A newer edit wins; a redacted edit no longer counts.
    const secondEdit = await alice.send(roomId, edit(root, 'Réunion à 14 h'));
    expect(relationsOf(await eventOf(bob, root))['m.replace']?.event_id).toBe(secondEdit);
    await alice.ok('PUT', roomPath(roomId, `/redact/${encodeURIComponent(secondEdit)}/${alice.nextTxnId()}`), {});
    expect(relationsOf(await eventOf(bob, root))['m.replace']?.event_id).toBe(firstEdit);
    await alice.ok('PUT', roomPath(roomId, `/redact/${encodeURIComponent(firstEdit)}/${alice.nextTxnId()}`), {});
    expect(relationsOf(await eventOf(bob, root))['m.replace']).toBeUndefined();

    // Participation is per user: someone who neither wrote the root nor replied has not taken part.
    const carol = await fixture.signIn('carol@min.gouv.fr', 'Carol');
    await alice.ok('POST', roomPath(roomId, '/invite'), { user_id: carol.userId });
    await carol.ok('POST', `join/${encodeURIComponent(roomId)}`, {});
    expect(relationsOf(await eventOf(carol, root))['m.thread']?.current_user_participated).toBe(false);
    // Children sent by someone the viewer ignores are left out.
    await carol.ok('PUT', `user/${encodeURIComponent(carol.userId)}/account_data/m.ignored_user_list`, {
      ignored_users: { [bob.userId]: {} },
    });
    const ignoring = relationsOf(await eventOf(carol, root));
    expect(ignoring['m.thread']).toBeUndefined();
    expect(ignoring['m.reference']).toEqual({ chunk: [{ event_id: reference }] });
  });

  it('refuses a second identical reaction and a thread started from a relation', async () => {
    const root = await alice.send(roomId, text('Sondage'));
    const first = await bob.request(
      'PUT',
      roomPath(roomId, `/send/m.reaction/${bob.nextTxnId()}`),
      reaction(root, '👍'),
    );
    expect(first.status).toBe(200);
    const twice = await bob.request(
      'PUT',
      roomPath(roomId, `/send/m.reaction/${bob.nextTxnId()}`),
      reaction(root, '👍'),
    );
    expect(twice).toMatchObject({ status: 400, body: { errcode: 'M_DUPLICATE_ANNOTATION' } });
    // Another key, or the same key from someone else, is fine.
    await bob.send(roomId, reaction(root, '🎉'), 'm.reaction');
    await alice.send(roomId, reaction(root, '👍'), 'm.reaction');
    // Once the first is redacted, the reaction can be sent again.
    const firstId = (first.body as { event_id: string }).event_id;
    await bob.ok('PUT', roomPath(roomId, `/redact/${encodeURIComponent(firstId)}/${bob.nextTxnId()}`), {});
    await bob.send(roomId, reaction(root, '👍'), 'm.reaction');

    const reply = await bob.send(roomId, inThread(root, 'Réponse'));
    const nested = await alice.request('PUT', roomPath(roomId, `/send/m.room.message/${alice.nextTxnId()}`), {
      ...text('Fil dans un fil'),
      'm.relates_to': { rel_type: 'm.thread', event_id: reply },
    });
    expect(nested).toMatchObject({ status: 400, body: { errcode: 'M_UNKNOWN' } });
  });

  it('pages through child events both ways, by relation type, event type and recursively', async () => {
    const root = await alice.send(roomId, text('Ordre du jour'));
    const replies: string[] = [];
    for (let index = 0; index < 5; index += 1) replies.push(await bob.send(roomId, inThread(root, `point ${index}`)));
    const reactions = [
      await alice.send(roomId, reaction(root, '👍'), 'm.reaction'),
      await bob.send(roomId, reaction(root, '👍'), 'm.reaction'),
    ];
    const nestedReaction = await alice.send(roomId, reaction(replies[0] ?? '', '✅'), 'm.reaction');
    const base = v1(roomPath(roomId, `/relations/${encodeURIComponent(root)}`));

    const collected: string[] = [];
    let from: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const response = await alice.ok<{ chunk: MatrixEvent[]; next_batch?: string; prev_batch?: string }>(
        'GET',
        `${base}?limit=2${from ? `&from=${from}` : ''}`,
      );
      expect(response.chunk.length).toBeLessThanOrEqual(2);
      if (from) expect(response.prev_batch).toBe(from);
      collected.push(...response.chunk.map((event) => event.event_id));
      if (!response.next_batch) break;
      from = response.next_batch;
    }
    expect(collected).toEqual([...replies, ...reactions].reverse());

    const threadForward = await alice.ok<{ chunk: MatrixEvent[] }>('GET', `${base}/m.thread?dir=f&limit=10`);
    expect(threadForward.chunk.map((event) => event.event_id)).toEqual(replies);
    const byType = await alice.ok<{ chunk: MatrixEvent[] }>('GET', `${base}/m.annotation/m.reaction`);
    expect(byType.chunk.map((event) => event.event_id)).toEqual([...reactions].reverse());
    const none = await alice.ok<{ chunk: MatrixEvent[] }>('GET', `${base}/m.annotation/m.room.message`);
    expect(none.chunk).toEqual([]);

    const recursive = await alice.ok<{ chunk: MatrixEvent[]; recursion_depth: number }>(
      'GET',
      `${base}/m.annotation?recurse=true`,
    );
    expect(recursive.recursion_depth).toBe(3);
    expect(recursive.chunk.map((event) => event.event_id)).toEqual([nestedReaction, ...[...reactions].reverse()]);
    const direct = await alice.ok<Record<string, unknown>>('GET', `${base}/m.annotation`);
    expect(direct['recursion_depth']).toBeUndefined();

    // Thread replies served here carry their own aggregations (an edit of a reply).
    const editOfReply = await bob.send(roomId, edit(replies[4] ?? '', 'point 4 corrigé'));
    const latest = await alice.ok<{ chunk: MatrixEvent[] }>('GET', `${base}/m.thread?limit=1`);
    expect(relationsOf(latest.chunk[0])['m.replace']?.event_id).toBe(editOfReply);
  });

  it('answers the specification’s error codes', async () => {
    const root = await alice.send(roomId, text('Bonjour'));
    const carol = await fixture.signIn('carol@min.gouv.fr', 'Carol');
    const base = v1(roomPath(roomId, `/relations/${encodeURIComponent(root)}`));
    expect(await carol.request('GET', base)).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    expect(await alice.request('GET', v1(roomPath(roomId, '/relations/%24nope')))).toMatchObject({
      status: 404,
      body: { errcode: 'M_NOT_FOUND' },
    });
    expect(await alice.request('GET', `${base}?from=garbage`)).toMatchObject({
      status: 400,
      body: { errcode: 'M_INVALID_PARAM' },
    });
    expect(await alice.request('GET', `${base}?dir=x`)).toMatchObject({
      status: 400,
      body: { errcode: 'M_INVALID_PARAM' },
    });
    expect(await alice.request('GET', `${base}?limit=-3`)).toMatchObject({ status: 400 });
    expect(await alice.request('GET', v1(roomPath('!unknown:bureau.test', '/threads')))).toMatchObject({
      status: 404,
      body: { errcode: 'M_NOT_FOUND' },
    });
    expect(await alice.request('GET', v1(roomPath(roomId, '/threads?include=mine')))).toMatchObject({
      status: 400,
      body: { errcode: 'M_INVALID_PARAM' },
    });
    expect(await carol.request('GET', v1(roomPath(roomId, '/threads')))).toMatchObject({
      status: 403,
      body: { errcode: 'M_FORBIDDEN' },
    });
  });

  it('lists thread roots by latest activity, all or only those the user took part in', async () => {
    const first = await alice.send(roomId, text('Sujet 1'));
    const second = await alice.send(roomId, text('Sujet 2'));
    const third = await bob.send(roomId, text('Sujet 3'));
    await alice.send(roomId, text('Sans fil'));
    await bob.send(roomId, inThread(first, 'a'));
    await alice.send(roomId, inThread(second, 'b'));
    await bob.send(roomId, inThread(third, 'c'));
    const latestOfFirst = await bob.send(roomId, inThread(first, 'd'));

    const threads = await alice.ok<{ chunk: MatrixEvent[]; next_batch?: string }>(
      'GET',
      v1(roomPath(roomId, '/threads')),
    );
    expect(threads.chunk.map((event) => event.event_id)).toEqual([first, third, second]);
    expect(threads.next_batch).toBeUndefined();
    expect(relationsOf(threads.chunk[0])['m.thread']).toMatchObject({
      count: 2,
      current_user_participated: true,
      latest_event: { event_id: latestOfFirst },
    });

    const paged: string[] = [];
    let from: string | undefined;
    for (let page = 0; page < 5; page += 1) {
      const response = await alice.ok<{ chunk: MatrixEvent[]; next_batch?: string }>(
        'GET',
        v1(roomPath(roomId, `/threads?limit=1${from ? `&from=${from}` : ''}`)),
      );
      paged.push(...response.chunk.map((event) => event.event_id));
      if (!response.next_batch) break;
      from = response.next_batch;
    }
    expect(paged).toEqual([first, third, second]);

    const aliceTook = await alice.ok<{ chunk: MatrixEvent[] }>(
      'GET',
      v1(roomPath(roomId, '/threads?include=participated')),
    );
    expect(aliceTook.chunk.map((event) => event.event_id)).toEqual([first, second]);
    const bobTook = await bob.ok<{ chunk: MatrixEvent[] }>(
      'GET',
      v1(roomPath(roomId, '/threads?include=participated')),
    );
    expect(bobTook.chunk.map((event) => event.event_id)).toEqual([first, third]);
  });
});
