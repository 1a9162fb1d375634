import { describe, expect, it } from 'vitest';
import { protectedContentKeys, protectedTopLevelKeys, redactContent, redactEvent } from './redaction.ts';
import { KNOWN_ROOM_VERSIONS, roomVersionRules, UnsupportedRoomVersionError } from './room-versions.ts';

/** An event with every top-level key any room version protects, and some no version does. */
function buildEvent(type: string, content: Record<string, unknown>): Record<string, unknown> {
  return {
    event_id: '$0:domain',
    type,
    room_id: '!r:domain',
    sender: '@u:domain',
    state_key: '',
    content,
    hashes: { sha256: 'hash' },
    signatures: { domain: { 'ed25519:1': 'sig' } },
    depth: 3,
    prev_events: ['$p'],
    prev_state: [],
    auth_events: ['$a'],
    origin: 'domain',
    origin_server_ts: 1000000,
    membership: 'join',
    unsigned: { age_ts: 1000000 },
    redacts: '$target',
    custom: 'gone',
  };
}

const versions = (from: number, to: number) =>
  KNOWN_ROOM_VERSIONS.filter((version) => Number(version) >= from && Number(version) <= to);

describe(redactEvent.name, () => {
  const commonTopLevel = [
    'auth_events',
    'content',
    'depth',
    'event_id',
    'hashes',
    'origin_server_ts',
    'prev_events',
    'room_id',
    'sender',
    'signatures',
    'state_key',
    'type',
  ];

  it.each(versions(1, 10))('keeps origin, membership and prev_state in room version %s', (version) => {
    const redacted = redactEvent(buildEvent('m.room.message', {}), version);
    expect(Object.keys(redacted).sort()).toEqual([...commonTopLevel, 'membership', 'origin', 'prev_state'].sort());
  });

  it.each(versions(11, 12))('drops origin, membership and prev_state from room version %s', (version) => {
    const redacted = redactEvent(buildEvent('m.room.message', {}), version);
    expect(Object.keys(redacted).sort()).toEqual(commonTopLevel);
  });

  it.each(KNOWN_ROOM_VERSIONS)(
    'drops unsigned, custom keys and the top-level redacts in room version %s',
    (version) => {
      const redacted = redactEvent(buildEvent('m.room.redaction', {}), version);
      expect(redacted).not.toHaveProperty('unsigned');
      expect(redacted).not.toHaveProperty('custom');
      expect(redacted).not.toHaveProperty('redacts');
    },
  );

  // Kept content keys by event type and room version: rooms/fragments/v1-, v6-, v9-, v11-redactions.md and
  // the v8 algorithm in rooms/v8.md.
  const memberContent = {
    membership: 'join',
    displayname: 'Alice',
    avatar_url: 'mxc://a/b',
    join_authorised_via_users_server: '@admin:domain',
    third_party_invite: {
      display_name: 'alice@example.org',
      signed: { mxid: '@a:domain', token: 't', signatures: {} },
    },
    reason: 'hello',
  };
  const createContent = {
    creator: '@u:domain',
    room_version: '10',
    'm.federate': false,
    predecessor: { room_id: '!o:d' },
  };
  const joinRulesContent = {
    join_rule: 'restricted',
    allow: [{ type: 'm.room_membership', room_id: '!s:d' }],
    extra: 1,
  };
  const powerLevelsContent = {
    ban: 50,
    events: { 'm.room.name': 50 },
    events_default: 0,
    invite: 0,
    kick: 50,
    redact: 50,
    state_default: 50,
    users: { '@u:domain': 100 },
    users_default: 0,
    notifications: { room: 50 },
  };

  const table: [string, Record<string, unknown>, string[], Record<string, unknown>][] = [
    ['m.room.member', memberContent, versions(1, 8), { membership: 'join' }],
    [
      'm.room.member',
      memberContent,
      versions(9, 10),
      { membership: 'join', join_authorised_via_users_server: '@admin:domain' },
    ],
    [
      'm.room.member',
      memberContent,
      versions(11, 12),
      {
        membership: 'join',
        join_authorised_via_users_server: '@admin:domain',
        third_party_invite: { signed: memberContent.third_party_invite.signed },
      },
    ],
    ['m.room.create', createContent, versions(1, 10), { creator: '@u:domain' }],
    ['m.room.create', createContent, versions(11, 12), createContent],
    ['m.room.join_rules', joinRulesContent, versions(1, 7), { join_rule: 'restricted' }],
    [
      'm.room.join_rules',
      joinRulesContent,
      versions(8, 12),
      { join_rule: 'restricted', allow: joinRulesContent.allow },
    ],
    [
      'm.room.power_levels',
      powerLevelsContent,
      versions(1, 10),
      {
        ban: 50,
        events: { 'm.room.name': 50 },
        events_default: 0,
        kick: 50,
        redact: 50,
        state_default: 50,
        users: { '@u:domain': 100 },
        users_default: 0,
      },
    ],
    [
      'm.room.power_levels',
      powerLevelsContent,
      versions(11, 12),
      {
        ban: 50,
        events: { 'm.room.name': 50 },
        events_default: 0,
        invite: 0,
        kick: 50,
        redact: 50,
        state_default: 50,
        users: { '@u:domain': 100 },
        users_default: 0,
      },
    ],
    [
      'm.room.history_visibility',
      { history_visibility: 'shared', x: 1 },
      versions(1, 12),
      { history_visibility: 'shared' },
    ],
    ['m.room.aliases', { aliases: ['#a:domain'], x: 1 }, versions(1, 5), { aliases: ['#a:domain'] }],
    ['m.room.aliases', { aliases: ['#a:domain'], x: 1 }, versions(6, 12), {}],
    ['m.room.redaction', { redacts: '$target', reason: 'spam' }, versions(1, 10), {}],
    ['m.room.redaction', { redacts: '$target', reason: 'spam' }, versions(11, 12), { redacts: '$target' }],
    ['m.room.message', { msgtype: 'm.text', body: 'secret' }, versions(1, 12), {}],
    ['m.room.name', { name: 'Secret plans' }, versions(1, 12), {}],
    ['m.room.topic', { topic: 'x' }, versions(1, 12), {}],
    ['m.room.encrypted', { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'x' }, versions(1, 12), {}],
    ['m.room.guest_access', { guest_access: 'can_join' }, versions(1, 12), {}],
  ];

  for (const [type, content, roomVersions, expected] of table) {
    it.each(roomVersions)(`keeps ${JSON.stringify(Object.keys(expected))} of ${type} in room version %s`, (version) => {
      expect(redactEvent(buildEvent(type, content), version).content).toEqual(expected);
      expect(redactContent(type, content, version)).toEqual(expected);
    });
  }

  it('keeps nothing of a third-party invite without signed (v11)', () => {
    const content = { membership: 'invite', third_party_invite: { display_name: 'x' } };
    expect(redactContent('m.room.member', content, '11')).toEqual({ membership: 'invite' });
    expect(redactContent('m.room.member', { membership: 'invite', third_party_invite: 'x' }, '11')).toEqual({
      membership: 'invite',
    });
  });

  it('keeps only the keys present, adding none', () => {
    expect(redactContent('m.room.power_levels', { users: {} }, '11')).toEqual({ users: {} });
    expect(redactEvent({ type: 'm.room.message', content: { body: 'x' } }, '11')).toEqual({
      type: 'm.room.message',
      content: {},
    });
  });

  it('replaces a malformed content by an empty object', () => {
    expect(redactEvent({ type: 'm.room.member', content: 'join' }, '10')).toEqual({
      type: 'm.room.member',
      content: {},
    });
  });

  it('copies kept values, so that the redacted event never aliases the original', () => {
    const event = buildEvent('m.room.create', { creator: '@u:domain', nested: { a: 1 } });
    const redacted = redactEvent(event, '11') as { content: { nested: { a: number } }; signatures: object };
    redacted.content.nested.a = 2;
    expect(event.content).toEqual({ creator: '@u:domain', nested: { a: 1 } });
    expect(redacted.signatures).not.toBe(event.signatures);
  });

  it('is idempotent', () => {
    for (const version of KNOWN_ROOM_VERSIONS) {
      const once = redactEvent(buildEvent('m.room.member', memberContent), version);
      expect(redactEvent(once, version)).toEqual(once);
    }
  });

  it('refuses unknown room versions', () => {
    expect(() => redactEvent(buildEvent('m.room.message', {}), 'org.example.custom')).toThrow(
      UnsupportedRoomVersionError,
    );
    expect(() => redactEvent(buildEvent('m.room.message', {}), '13')).toThrow(UnsupportedRoomVersionError);
  });
});

describe('redaction tables', () => {
  it('lists the protected keys of a version', () => {
    expect(protectedTopLevelKeys('11')).not.toContain('origin');
    expect(protectedTopLevelKeys('10')).toContain('origin');
    expect(protectedContentKeys('m.room.create', '12')).toBe('all');
    expect(protectedContentKeys('m.room.create', '10')).toEqual(['creator']);
    expect(protectedContentKeys('m.room.power_levels', '11')).toContain('invite');
    expect(protectedContentKeys('m.room.power_levels', '10')).not.toContain('invite');
  });

  it('describes each version by the fragments the spec includes', () => {
    expect(KNOWN_ROOM_VERSIONS.map((version) => roomVersionRules(version).eventIdFormat)).toEqual([
      'domain',
      'domain',
      'base64-hash',
      ...Array<string>(9).fill('url-safe-hash'),
    ]);
    expect(roomVersionRules('11').roomIdFormat).toBe('domain');
    expect(roomVersionRules('12').roomIdFormat).toBe('create-event-hash');
    expect(roomVersionRules('5').enforcesCanonicalJson).toBe(false);
    expect(roomVersionRules('6').enforcesCanonicalJson).toBe(true);
  });
});
