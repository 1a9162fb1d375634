import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDiscoveryFixture, type DiscoveryFixture, type InjectMatrixClient } from './testing/discovery-fixture.ts';

type Results = { results: Array<{ user_id: string; display_name?: string; avatar_url?: string }>; limited: boolean };

describe('User directory search (Tchap-style annuaire)', () => {
  let fixture: DiscoveryFixture;
  let alice: InjectMatrixClient;
  let bob: InjectMatrixClient;
  let helene: InjectMatrixClient;
  let external: InjectMatrixClient;

  beforeEach(async () => {
    fixture = await startDiscoveryFixture();
    alice = await fixture.signIn('alice.martin@min.gouv.fr', 'Alice Martin');
    bob = await fixture.signIn('bob@min.gouv.fr', 'Bob Durand');
    helene = await fixture.signIn('h.dupont@min.gouv.fr', 'Hélène Dupont');
    external = await fixture.signIn('claire@partenaire.fr', 'Claire Prestataire', 'external');
  });

  afterEach(async () => {
    await fixture.close();
  });

  const search = (client: InjectMatrixClient, term: string, limit?: number) =>
    client.ok<Results>('POST', 'user_directory/search', { search_term: term, ...(limit ? { limit } : {}) });
  const ids = (results: Results) => results.results.map((result) => result.user_id);

  it('finds every active agent by name, accents aside, by e-mail and by Matrix ID', async () => {
    expect(await search(alice, 'helene')).toEqual({
      results: [{ user_id: helene.userId, display_name: 'Hélène Dupont' }],
      limited: false,
    });
    expect(ids(await search(alice, 'DUPONT hél'))).toEqual([helene.userId]);
    // The e-mail's local part, the whole address, the Matrix ID.
    expect(ids(await search(alice, 'h.dupont'))).toEqual([helene.userId]);
    expect(ids(await search(alice, 'bob@min.gouv.fr'))).toEqual([bob.userId]);
    expect(ids(await search(alice, bob.userId))).toEqual([bob.userId]);
    expect(ids(await search(alice, 'personne'))).toEqual([]);
    // Wildcards are literal characters.
    expect(ids(await search(alice, '%'))).toEqual([]);

    // A Matrix display name of one's own choosing is searchable too.
    await bob.createRoom({ preset: 'private_chat' });
    await bob.ok('PUT', `profile/${encodeURIComponent(bob.userId)}/displayname`, { displayname: 'Bob le Bricoleur' });
    await fixture.app.platform.events.drain();
    expect(await search(alice, 'bricoleur')).toEqual({
      results: [{ user_id: bob.userId, display_name: 'Bob le Bricoleur' }],
      limited: false,
    });

    const limited = await search(alice, 'a', 1);
    expect(limited.results).toHaveLength(1);
    expect(limited.limited).toBe(true);
  });

  it('shows external users only to those who share a room with them, and gives externals nothing', async () => {
    expect(ids(await search(alice, 'claire'))).toEqual([]);
    const roomId = await alice.createRoom({
      preset: 'private_chat',
      invite: [external.userId],
      // Tchap: a room open to external users.
      initial_state: [{ type: 'im.vector.room.access_rules', state_key: '', content: { rule: 'unrestricted' } }],
    });
    // An invitation is not a shared room yet.
    expect(ids(await search(alice, 'claire'))).toEqual([]);
    await external.ok('POST', `join/${encodeURIComponent(roomId)}`, {});
    expect(ids(await search(alice, 'prestataire'))).toEqual([external.userId]);
    expect(ids(await search(bob, 'claire'))).toEqual([]);

    expect(await search(external, 'alice')).toEqual({ results: [], limited: false });
    expect(await search(external, 'bob')).toEqual({ results: [], limited: false });
  });

  it('never shows people on the red list (im.vector.hide_profile) nor deactivated accounts', async () => {
    expect(ids(await search(alice, 'bob'))).toEqual([bob.userId]);
    await bob.ok('PUT', `user/${encodeURIComponent(bob.userId)}/account_data/im.vector.hide_profile`, {
      hide_profile: true,
    });
    expect(ids(await search(alice, 'bob'))).toEqual([]);
    await bob.ok('PUT', `user/${encodeURIComponent(bob.userId)}/account_data/im.vector.hide_profile`, {
      hide_profile: false,
    });
    expect(ids(await search(alice, 'bob'))).toEqual([bob.userId]);

    const heleneUser = await fixture.app.identity.directory.findUserByEmail('h.dupont@min.gouv.fr');
    await fixture.app.identity.directory.deactivateUser(heleneUser?.id ?? '', { system: true, label: 'test' });
    await fixture.app.platform.events.drain();
    expect(ids(await search(alice, 'dupont'))).toEqual([]);
  });

  it('refuses malformed searches with the specification’s error codes', async () => {
    expect(await alice.request('POST', 'user_directory/search', {})).toMatchObject({
      status: 400,
      body: { errcode: 'M_MISSING_PARAM' },
    });
    expect(await alice.request('POST', 'user_directory/search', { search_term: 'a', limit: 'x' })).toMatchObject({
      status: 400,
      body: { errcode: 'M_BAD_JSON' },
    });
    expect(await alice.request('POST', 'user_directory/search', '{')).toMatchObject({
      status: 400,
      body: { errcode: 'M_NOT_JSON' },
    });
    expect(await alice.ok('POST', 'user_directory/search', { search_term: '   ' })).toEqual({
      results: [],
      limited: false,
    });
  });
});
