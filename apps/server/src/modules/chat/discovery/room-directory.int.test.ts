import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  roomPath,
  startDiscoveryFixture,
  type DiscoveryFixture,
  type InjectMatrixClient,
} from './testing/discovery-fixture.ts';

type PublicRooms = {
  chunk: Array<Record<string, unknown> & { room_id: string }>;
  total_room_count_estimate: number;
  next_batch?: string;
  prev_batch?: string;
};

const aliasPath = (alias: string) => `directory/room/${encodeURIComponent(alias)}`;

describe('Room aliases and the published room directory', () => {
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

  it('creates an alias, resolves it, joins through it and lets only its creator or an administrator remove it', async () => {
    const roomId = await alice.createRoom({ preset: 'public_chat', name: 'Entraide' });
    expect(await alice.ok('PUT', aliasPath('#entraide:bureau.test'), { room_id: roomId })).toEqual({});
    expect(await bob.ok('GET', aliasPath('#entraide:bureau.test'))).toEqual({
      room_id: roomId,
      servers: ['bureau.test'],
    });

    expect(await alice.request('PUT', aliasPath('#entraide:bureau.test'), { room_id: roomId })).toMatchObject({
      status: 409,
      body: { errcode: 'M_ROOM_IN_USE' },
    });
    expect(await alice.request('PUT', aliasPath('#entraide:ailleurs.fr'), { room_id: roomId })).toMatchObject({
      status: 400,
      body: { errcode: 'M_INVALID_PARAM' },
    });
    expect(await alice.request('PUT', aliasPath('entraide'), { room_id: roomId })).toMatchObject({
      status: 400,
      body: { errcode: 'M_INVALID_PARAM' },
    });
    expect(await alice.request('PUT', aliasPath('#x:bureau.test'), {})).toMatchObject({
      status: 400,
      body: { errcode: 'M_MISSING_PARAM' },
    });
    expect(await alice.request('PUT', aliasPath('#x:bureau.test'), { room_id: '!nope:bureau.test' })).toMatchObject({
      status: 404,
      body: { errcode: 'M_NOT_FOUND' },
    });
    // Only members of the room give it addresses.
    expect(await bob.request('PUT', aliasPath('#par-bob:bureau.test'), { room_id: roomId })).toMatchObject({
      status: 403,
      body: { errcode: 'M_FORBIDDEN' },
    });
    expect(await bob.request('GET', roomPath(roomId, '/aliases'))).toMatchObject({ status: 403 });

    expect(await bob.ok('POST', `join/${encodeURIComponent('#entraide:bureau.test')}`, {})).toEqual({
      room_id: roomId,
    });
    expect(await bob.ok('PUT', aliasPath('#par-bob:bureau.test'), { room_id: roomId })).toEqual({});
    expect(await bob.ok('GET', roomPath(roomId, '/aliases'))).toEqual({
      aliases: ['#entraide:bureau.test', '#par-bob:bureau.test'],
    });

    // Bob is neither the creator of Alice's alias nor an administrator of the room.
    expect(await bob.request('DELETE', aliasPath('#entraide:bureau.test'))).toMatchObject({
      status: 403,
      body: { errcode: 'M_FORBIDDEN' },
    });
    // Alice administers the room: she may remove Bob's alias; Bob may remove his own.
    expect(await alice.ok('DELETE', aliasPath('#par-bob:bureau.test'))).toEqual({});
    expect(await bob.ok('DELETE', aliasPath('#entraide:bureau.test')).catch(() => 'refused')).toBe('refused');
    expect(await alice.ok('DELETE', aliasPath('#entraide:bureau.test'))).toEqual({});
    expect(await alice.request('GET', aliasPath('#entraide:bureau.test'))).toMatchObject({
      status: 404,
      body: { errcode: 'M_NOT_FOUND' },
    });
    expect(await alice.request('DELETE', aliasPath('#entraide:bureau.test'))).toMatchObject({ status: 404 });
  });

  it('removes a deleted alias from the room’s canonical alias', async () => {
    const roomId = await alice.createRoom({ preset: 'public_chat', room_alias_name: 'accueil' });
    const before = await alice.ok('GET', roomPath(roomId, '/state/m.room.canonical_alias'));
    expect(before).toEqual({ alias: '#accueil:bureau.test' });
    await alice.ok('DELETE', aliasPath('#accueil:bureau.test'));
    expect(await alice.ok('GET', roomPath(roomId, '/state/m.room.canonical_alias'))).toEqual({});
  });

  it('lists public rooms with their summary, searches them without regard to accents and pages', async () => {
    const forum = await alice.createRoom({
      visibility: 'public',
      preset: 'public_chat',
      name: 'Forum des agents',
      topic: 'Échanges entre collègues',
      room_alias_name: 'forum',
    });
    const cafe = await bob.createRoom({ visibility: 'public', preset: 'public_chat', name: 'Café' });
    await alice.ok('POST', `join/${encodeURIComponent(cafe)}`, {});
    const secret = await alice.createRoom({ preset: 'private_chat', name: 'Équipe restreinte' });

    const all = await bob.ok<PublicRooms>('GET', 'publicRooms');
    expect(all.total_room_count_estimate).toBe(2);
    // Most joined members first.
    expect(all.chunk.map((room) => room.room_id)).toEqual([cafe, forum]);
    expect(all.chunk[1]).toEqual({
      room_id: forum,
      name: 'Forum des agents',
      topic: 'Échanges entre collègues',
      canonical_alias: '#forum:bureau.test',
      num_joined_members: 1,
      world_readable: false,
      guest_can_join: false,
      join_rule: 'public',
    });

    const searched = await bob.ok<PublicRooms>('POST', 'publicRooms', {
      filter: { generic_search_term: 'echanges COLLEGUES' },
    });
    expect(searched.chunk.map((room) => room.room_id)).toEqual([forum]);
    const byAlias = await bob.ok<PublicRooms>('POST', 'publicRooms', { filter: { generic_search_term: '#forum' } });
    expect(byAlias.chunk.map((room) => room.room_id)).toEqual([forum]);

    const first = await bob.ok<PublicRooms>('GET', 'publicRooms?limit=1');
    expect(first.chunk.map((room) => room.room_id)).toEqual([cafe]);
    expect(first.next_batch).toBeDefined();
    const second = await bob.ok<PublicRooms>('POST', 'publicRooms', { limit: 1, since: first.next_batch });
    expect(second.chunk.map((room) => room.room_id)).toEqual([forum]);
    expect(second.next_batch).toBeUndefined();
    expect(second.prev_batch).toBeDefined();

    // Publishing is for the room's administrators.
    expect(await bob.ok('GET', `directory/list/room/${encodeURIComponent(secret)}`)).toEqual({ visibility: 'private' });
    expect(
      await bob.request('PUT', `directory/list/room/${encodeURIComponent(secret)}`, { visibility: 'public' }),
    ).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    await alice.ok('PUT', `directory/list/room/${encodeURIComponent(secret)}`, { visibility: 'public' });
    expect((await bob.ok<PublicRooms>('GET', 'publicRooms')).chunk.map((room) => room.room_id)).toContain(secret);
    await alice.ok('PUT', `directory/list/room/${encodeURIComponent(forum)}`, { visibility: 'private' });
    expect((await bob.ok<PublicRooms>('GET', 'publicRooms')).chunk.map((room) => room.room_id)).not.toContain(forum);

    expect(await bob.request('GET', 'publicRooms?since=nonsense')).toMatchObject({
      status: 400,
      body: { errcode: 'M_INVALID_PARAM' },
    });
    expect(await bob.request('POST', 'publicRooms', { limit: 'ten' })).toMatchObject({
      status: 400,
      body: { errcode: 'M_BAD_JSON' },
    });
    expect(await bob.request('GET', 'directory/list/room/%21nope%3Abureau.test')).toMatchObject({ status: 404 });
    expect(
      await alice.request('PUT', `directory/list/room/${encodeURIComponent(secret)}`, { visibility: 'everyone' }),
    ).toMatchObject({ status: 400, body: { errcode: 'M_BAD_JSON' } });
    // No federation: another server's directory is empty.
    expect(await bob.ok<PublicRooms>('GET', 'publicRooms?server=matrix.org')).toMatchObject({ chunk: [] });
  });
});
