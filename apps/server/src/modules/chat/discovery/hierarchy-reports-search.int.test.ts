import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  roomPath,
  startDiscoveryFixture,
  v1,
  type DiscoveryFixture,
  type MatrixEvent,
  type InjectMatrixClient,
} from './testing/discovery-fixture.ts';

type Hierarchy = {
  rooms: Array<Record<string, unknown> & { room_id: string; children_state: Array<{ state_key: string }> }>;
  next_batch?: string;
};
type SearchResults = {
  search_categories: {
    room_events: {
      results: Array<{
        rank: number;
        result: MatrixEvent & { room_id: string };
        context?: { events_before: MatrixEvent[]; events_after: MatrixEvent[]; profile_info?: Record<string, unknown> };
      }>;
      count?: number;
      highlights: string[];
      next_batch?: string;
      state?: Record<string, unknown[]>;
    };
  };
};

describe('Space hierarchy, content reports and server-side search', () => {
  let fixture: DiscoveryFixture;
  let alice: InjectMatrixClient;
  let bob: InjectMatrixClient;

  beforeEach(async () => {
    fixture = await startDiscoveryFixture();
    alice = await fixture.signIn('alice@min.gouv.fr', 'Alice Martin');
    bob = await fixture.signIn('bob@min.gouv.fr', 'Bob Durand');
  });

  afterEach(async () => {
    await fixture.close();
  });

  const addChild = (space: string, child: string, content: Record<string, unknown> = {}) =>
    alice.ok('PUT', roomPath(space, `/state/m.space.child/${encodeURIComponent(child)}`), {
      via: ['bureau.test'],
      ...content,
    });

  it('walks a space: the rooms the user may see, in order, to a maximum depth, page by page', async () => {
    const space = await alice.createRoom({
      preset: 'public_chat',
      name: 'Direction',
      creation_content: { type: 'm.space' },
    });
    const open = await alice.createRoom({ preset: 'public_chat', name: 'Annonces' });
    const closed = await alice.createRoom({ preset: 'private_chat', name: 'Comité' });
    const subspace = await alice.createRoom({
      preset: 'public_chat',
      name: 'Pôle',
      creation_content: { type: 'm.space' },
    });
    const deep = await alice.createRoom({ preset: 'public_chat', name: 'Projet' });
    await addChild(space, open, { order: 'b' });
    await addChild(space, closed, { order: 'a' });
    await addChild(space, subspace, { suggested: true });
    await addChild(subspace, deep);
    // A removed link (no via) is no child.
    await alice.ok('PUT', roomPath(space, `/state/m.space.child/${encodeURIComponent(deep)}`), {});

    const forAlice = await alice.ok<Hierarchy>('GET', v1(roomPath(space, '/hierarchy')));
    expect(forAlice.rooms.map((room) => room.room_id)).toEqual([space, closed, open, subspace, deep]);
    expect(forAlice.rooms[0]).toMatchObject({ name: 'Direction', room_type: 'm.space', join_rule: 'public' });
    expect(forAlice.rooms[0]?.children_state.map((child) => child.state_key)).toEqual([closed, open, subspace]);

    // Bob sees the public rooms, not the invitation-only committee.
    const forBob = await bob.ok<Hierarchy>('GET', v1(roomPath(space, '/hierarchy')));
    expect(forBob.rooms.map((room) => room.room_id)).toEqual([space, open, subspace, deep]);

    const shallow = await alice.ok<Hierarchy>('GET', v1(roomPath(space, '/hierarchy?max_depth=1')));
    expect(shallow.rooms.map((room) => room.room_id)).toEqual([space, closed, open, subspace]);
    const suggested = await alice.ok<Hierarchy>('GET', v1(roomPath(space, '/hierarchy?suggested_only=true')));
    // Only suggested links are followed: the sub-space's own child is not suggested.
    expect(suggested.rooms.map((room) => room.room_id)).toEqual([space, subspace]);

    const paged: string[] = [];
    let from: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const response = await alice.ok<Hierarchy>(
        'GET',
        v1(roomPath(space, `/hierarchy?limit=2${from ? `&from=${from}` : ''}`)),
      );
      paged.push(...response.rooms.map((room) => room.room_id));
      if (!response.next_batch) break;
      from = response.next_batch;
    }
    expect(paged).toEqual([space, closed, open, subspace, deep]);

    expect(await bob.request('GET', v1(roomPath(closed, '/hierarchy')))).toMatchObject({
      status: 403,
      body: { errcode: 'M_FORBIDDEN' },
    });
    expect(await bob.request('GET', v1(roomPath('!nope:bureau.test', '/hierarchy')))).toMatchObject({ status: 404 });
    expect(await bob.request('GET', v1(roomPath(space, '/hierarchy?from=abc')))).toMatchObject({
      status: 400,
      body: { errcode: 'M_INVALID_PARAM' },
    });
  });

  it('stores and audits reports of events, rooms and users; hides what the reporter cannot see', async () => {
    const roomId = await alice.createRoom({ preset: 'private_chat', invite: [bob.userId] });
    await bob.ok('POST', `join/${encodeURIComponent(roomId)}`, {});
    const message = await alice.send(roomId, { msgtype: 'm.text', body: 'contenu douteux' });
    expect(
      await bob.ok('POST', roomPath(roomId, `/report/${encodeURIComponent(message)}`), { reason: 'spam', score: -100 }),
    ).toEqual({});
    expect(await bob.ok('POST', roomPath(roomId, '/report'), { reason: 'salon trompeur' })).toEqual({});
    expect(await bob.ok('POST', `users/${encodeURIComponent(alice.userId)}/report`, { reason: 'harcèlement' })).toEqual(
      {},
    );

    const audit = await fixture.app.platform.audit.query({ action: 'chat.content.reported', limit: 10 });
    expect(audit.items).toHaveLength(3);
    expect(audit.items.map((item) => item.target?.type).sort()).toEqual(['chat.event', 'chat.room', 'chat.user']);
    expect(audit.items.find((item) => item.target?.type === 'chat.event')).toMatchObject({
      target: { id: message },
      details: { roomId, reason: 'spam' },
    });

    const carol = await fixture.signIn('carol@min.gouv.fr', 'Carol');
    expect(await carol.request('POST', roomPath(roomId, `/report/${encodeURIComponent(message)}`), {})).toMatchObject({
      status: 404,
      body: { errcode: 'M_NOT_FOUND' },
    });
    expect(await bob.request('POST', roomPath(roomId, '/report/%24unknown'), {})).toMatchObject({ status: 404 });
    expect(await bob.request('POST', roomPath('!nope:bureau.test', '/report'), { reason: 'x' })).toMatchObject({
      status: 404,
    });
    expect(await bob.request('POST', 'users/not-a-user/report', { reason: 'x' })).toMatchObject({
      status: 400,
      body: { errcode: 'M_INVALID_PARAM' },
    });
    expect(
      await bob.request('POST', roomPath(roomId, `/report/${encodeURIComponent(message)}`), { reason: 42 }),
    ).toMatchObject({ status: 400, body: { errcode: 'M_BAD_JSON' } });
  });

  it('searches the messages of the user’s unencrypted rooms, accents aside, with context and pages', async () => {
    const roomId = await alice.createRoom({ preset: 'private_chat', name: 'Budget', invite: [bob.userId] });
    await bob.ok('POST', `join/${encodeURIComponent(roomId)}`, {});
    const before = await alice.send(roomId, { msgtype: 'm.text', body: 'Bonjour' });
    const hit = await bob.send(roomId, { msgtype: 'm.text', body: 'Réunion budget lundi' });
    const after = await alice.send(roomId, { msgtype: 'm.text', body: 'Entendu' });
    const secondHit = await alice.send(roomId, { msgtype: 'm.text', body: 'Nouvelle REUNION mardi' });
    const encrypted = await alice.createRoom({
      preset: 'private_chat',
      initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    });
    await alice.send(encrypted, { msgtype: 'm.text', body: 'réunion secrète' });
    const elsewhere = await bob.createRoom({ preset: 'private_chat' });
    await bob.send(elsewhere, { msgtype: 'm.text', body: 'réunion de Bob' });

    const response = await alice.ok<SearchResults>('POST', 'search', {
      search_categories: {
        room_events: {
          search_term: 'reunion',
          event_context: { before_limit: 1, after_limit: 1, include_profile: true },
          include_state: true,
        },
      },
    });
    const roomEvents = response.search_categories.room_events;
    expect(roomEvents.results.map((result) => result.result.event_id)).toEqual([secondHit, hit]);
    expect(roomEvents.count).toBe(2);
    expect(roomEvents.highlights).toEqual(['reunion']);
    expect(roomEvents.results[1]?.result.room_id).toBe(roomId);
    expect(roomEvents.results[1]?.context?.events_before.map((event) => event.event_id)).toEqual([before]);
    expect(roomEvents.results[1]?.context?.events_after.map((event) => event.event_id)).toEqual([after]);
    expect(roomEvents.results[1]?.context?.profile_info?.[bob.userId]).toEqual({ displayname: 'Bob Durand' });
    expect(Object.keys(roomEvents.state ?? {})).toEqual([roomId]);

    const both = await alice.ok<SearchResults>('POST', 'search', {
      search_categories: { room_events: { search_term: 'réunion budget', keys: ['content.body'] } },
    });
    expect(both.search_categories.room_events.results.map((result) => result.result.event_id)).toEqual([hit]);
    const byName = await alice.ok<SearchResults>('POST', 'search', {
      search_categories: { room_events: { search_term: 'budget', keys: ['content.name'] } },
    });
    expect(byName.search_categories.room_events.results.map((result) => result.result.type)).toEqual(['m.room.name']);

    const firstPage = await alice.ok<SearchResults>('POST', 'search', {
      search_categories: { room_events: { search_term: 'reunion', filter: { limit: 1 } } },
    });
    expect(firstPage.search_categories.room_events.results.map((result) => result.result.event_id)).toEqual([
      secondHit,
    ]);
    const nextBatch = firstPage.search_categories.room_events.next_batch ?? '';
    expect(nextBatch).not.toBe('');
    const secondPage = await alice.ok<SearchResults>('POST', `search?next_batch=${encodeURIComponent(nextBatch)}`, {
      search_categories: { room_events: { search_term: 'reunion', filter: { limit: 1 } } },
    });
    expect(secondPage.search_categories.room_events.results.map((result) => result.result.event_id)).toEqual([hit]);

    expect(await alice.request('POST', 'search', { search_categories: { room_events: {} } })).toMatchObject({
      status: 400,
      body: { errcode: 'M_MISSING_PARAM' },
    });
    expect(await alice.request('POST', 'search', {})).toMatchObject({
      status: 400,
      body: { errcode: 'M_MISSING_PARAM' },
    });
    expect(await alice.ok('POST', 'search', { search_categories: {} })).toEqual({ search_categories: {} });
  });
});
