import { describe, expect, it } from 'vitest';
import {
  authStateFromEvents,
  checkEventAuth,
  defaultPowerLevelsContent,
  mayRedact,
  powerLevelOf,
  requiredNotificationLevel,
  requiredPowerLevel,
  type AuthCheckOptions,
  type AuthErrorCode,
  type AuthEvent,
  type AuthState,
  type AuthStateEvent,
  type EventContent,
  type RoomPreset,
} from './auth-rules.ts';
import type { BuildableRoomVersion as RoomVersion } from './room-versions.ts';

/*
 * Table-driven tests of the authorisation rules, one row per rule and edge case. A row's `rule` is the
 * spec rule it covers in the numbering of rooms/v10.md and rooms/v11.md; it is renumbered for v12
 * (rooms/v12.md inserted rule 2 and rule 10.4), except in rows marked `literal` (numbered as written).
 * Rejections must name exactly that rule.
 */

const ALL_VERSIONS: readonly RoomVersion[] = ['10', '11', '12'];
const V10_V11: readonly RoomVersion[] = ['10', '11'];
const V12: readonly RoomVersion[] = ['12'];

const alice = '@alice:bureau.test'; // the room creator (100 in v10/v11, infinite in v12)
const admin = '@admin:bureau.test'; // 100, joined
const mod = '@mod:bureau.test'; // 50, joined
const mod2 = '@mod2:bureau.test'; // 50, joined
const bob = '@bob:bureau.test'; // joined, default level 0
const carol = '@carol:bureau.test'; // never in the room
const dan = '@dan:bureau.test'; // invited
const eve = '@eve:bureau.test'; // banned
const kim = '@kim:bureau.test'; // knocking
const leo = '@leo:bureau.test'; // left
const zed = '@zed:remote.test'; // joined, on another server

const CREATE_EVENT_ID = '$Create0123456789abcdefghijklmnopqrstuvwxyzAB';
const PLAIN_ROOM_ID = '!room:bureau.test';

function roomIdFor(version: RoomVersion): string {
  return version === '12' ? `!${CREATE_EVENT_ID.slice(1)}` : PLAIN_ROOM_ID;
}

type Content = Record<string, unknown>;

interface RoomSpec {
  /** Only the create event (the moment between create and the creator's join). */
  readonly bare?: boolean;
  /** Drop the create event from the state (a broken or foreign room). */
  readonly withoutCreate?: boolean;
  /** `null` removes the join rules event; defaults to `invite`. */
  readonly joinRule?: string | null;
  /** `null` removes the power levels event; a function edits the base content. */
  readonly powerLevels?: null | ((base: Content) => Content);
  readonly createContent?: Content;
  readonly members?: Readonly<Record<string, string>>;
  /** Appended last, so they replace events of the same type and state key (room ID defaults to the room's). */
  readonly extraState?: readonly AuthStateEvent[];
  readonly roomIdOverride?: string;
}

function basePowerLevels(version: RoomVersion): Content {
  return {
    users: { ...(version === '12' ? {} : { [alice]: 100 }), [admin]: 100, [mod]: 50, [mod2]: 50 },
    users_default: 0,
    events: { 'm.room.power_levels': 100, 'm.room.encryption': 100, 'm.room.name': 50 },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    invite: 0,
  };
}

function buildRoom(version: RoomVersion, spec: RoomSpec = {}): AuthState {
  const roomId = roomIdFor(version);
  const state: AuthStateEvent[] = [];
  const add = (type: string, stateKey: string, sender: string, content: Content) =>
    state.push({ type, state_key: stateKey, sender, content, room_id: roomId, event_id: `$${type}-${stateKey}` });

  state.push({
    type: 'm.room.create',
    state_key: '',
    sender: alice,
    content: { room_version: version, ...(version === '10' ? { creator: alice } : {}), ...spec.createContent },
    event_id: CREATE_EVENT_ID,
    ...(version === '12' ? {} : { room_id: spec.roomIdOverride ?? roomId }),
  });
  if (!spec.bare) {
    const members: Record<string, string> = {
      [alice]: 'join',
      [admin]: 'join',
      [mod]: 'join',
      [mod2]: 'join',
      [bob]: 'join',
      [dan]: 'invite',
      [eve]: 'ban',
      [kim]: 'knock',
      [leo]: 'leave',
      [zed]: 'join',
      ...spec.members,
    };
    for (const [userId, membership] of Object.entries(members)) {
      add('m.room.member', userId, membership === 'join' || membership === 'knock' ? userId : mod, { membership });
    }
    if (spec.powerLevels !== null) {
      const base = basePowerLevels(version);
      add('m.room.power_levels', '', alice, spec.powerLevels ? spec.powerLevels(base) : base);
    }
    if (spec.joinRule !== null) add('m.room.join_rules', '', alice, { join_rule: spec.joinRule ?? 'invite' });
    add('m.room.third_party_invite', 'tok', mod, {
      display_name: 'c…@example.fr',
      key_validity_url: 'https://id.example.fr/_matrix/identity/v2/pubkey/isvalid',
      public_key: 'key-A',
      public_keys: [{ public_key: 'key-B' }],
    });
  }
  for (const event of spec.extraState ?? []) state.push({ room_id: roomId, ...event });
  return authStateFromEvents(spec.withoutCreate ? state.filter((event) => event.type !== 'm.room.create') : state);
}

/** Stands in for ed25519 verification: a "signature" verifies when it equals one of the keys. */
const fakeSignatureVerifier: AuthCheckOptions['verifyThirdPartyInviteSignature'] = (signed, publicKeys) => {
  const signatures = Object.values((signed.signatures ?? {}) as Record<string, Record<string, string>>);
  return signatures.some((byKey) => Object.values(byKey).some((signature) => publicKeys.includes(signature)));
};

interface EventSpec {
  readonly type: string;
  readonly sender: string;
  readonly state_key?: string;
  readonly content?: EventContent;
  readonly prev_events?: readonly string[];
  /** `null` omits the room ID; by default the room's ID (omitted for a v12 create event). */
  readonly room_id?: string | null;
}

interface Row {
  readonly rule: string;
  readonly title: string;
  readonly versions?: readonly RoomVersion[];
  /** The rule is written in the numbering of the (single) version the row runs on. */
  readonly literal?: boolean;
  readonly room?: RoomSpec;
  readonly event: EventSpec;
  readonly options?: AuthCheckOptions;
  readonly allowed: boolean;
  readonly code?: AuthErrorCode;
}

function buildEvent(version: RoomVersion, spec: EventSpec): AuthEvent {
  const { room_id: roomId, ...rest } = spec;
  const defaultRoomId = version === '12' && spec.type === 'm.room.create' ? undefined : roomIdFor(version);
  const resolvedRoomId = roomId === null ? undefined : (roomId ?? defaultRoomId);
  return { content: {}, ...rest, ...(resolvedRoomId === undefined ? {} : { room_id: resolvedRoomId }) };
}

/** Renumbers a v10/v11 rule for v12: top-level rules from 2 move down by one, power-levels sub-rules from 4 too. */
function ruleIn(version: RoomVersion, rule: string): string {
  if (version !== '12') return rule;
  const [top = 0, sub, ...rest] = rule.split('.').map(Number);
  if (top < 2) return rule;
  const shiftedSub = top === 9 && sub !== undefined && sub >= 4 ? sub + 1 : sub;
  return [top + 1, ...(shiftedSub === undefined ? [] : [shiftedSub]), ...rest].join('.');
}

const member = (sender: string, target: string, membership: string, extra: Content = {}): EventSpec => ({
  type: 'm.room.member',
  sender,
  state_key: target,
  content: { membership, ...extra },
});
const message = (sender: string, type = 'm.room.message'): EventSpec => ({ type, sender, content: { body: 'hi' } });
const state = (sender: string, type: string, stateKey = '', content: EventContent = {}): EventSpec => ({
  type,
  sender,
  state_key: stateKey,
  content,
});
const powerLevelsEvent = (sender: string, content: Content): EventSpec =>
  state(sender, 'm.room.power_levels', '', content);
const create = (sender: string, content: Content, extra: Partial<EventSpec> = {}): EventSpec => ({
  type: 'm.room.create',
  sender,
  state_key: '',
  content,
  ...extra,
});
const thirdPartyInvite = (signed: unknown): Content => ({ third_party_invite: { display_name: 'c…', signed } });
const signedBy = (key: string, fields: Content = { mxid: carol, token: 'tok' }): Content => ({
  ...fields,
  signatures: { 'id.example.fr': { 'ed25519:0': key } },
});
/** A room where the power levels event can be changed at level 50, so moderators exercise rule 9. */
const modsEditLevels = (edit: (base: Content) => Content = (base) => base): RoomSpec => ({
  powerLevels: (base) => edit({ ...base, events: { ...(base.events as Content), 'm.room.power_levels': 50 } }),
});
const withLevels = (levels: Content) => (base: Content) => ({ ...base, ...levels });
const withUsers = (users: Content) => (base: Content) => ({ ...base, users: { ...(base.users as Content), ...users } });
const withEvents = (events: Content) => (base: Content) => ({
  ...base,
  events: { ...(base.events as Content), ...events },
});

const createRows: Row[] = [
  {
    rule: '1.1',
    title: 'create: an event with previous events is rejected',
    event: create(alice, { room_version: '11', creator: alice }, { prev_events: ['$earlier'] }),
    allowed: false,
  },
  {
    rule: '1.1',
    title: 'create: a second create event in an existing room is rejected',
    room: {},
    event: create(alice, { room_version: '11', creator: alice }),
    allowed: false,
  },
  {
    rule: '1.2',
    title: 'create: the room ID must be on the sender’s server',
    versions: V10_V11,
    event: create(alice, { creator: alice }, { room_id: '!room:elsewhere.test' }),
    allowed: false,
  },
  {
    rule: '1.2',
    title: 'create: a room without a room ID is rejected',
    versions: V10_V11,
    event: create(alice, { creator: alice }, { room_id: null }),
    allowed: false,
  },
  {
    rule: '1.2',
    title: 'create: a v12 create event must not carry a room ID',
    versions: V12,
    literal: true,
    event: create(alice, {}, { room_id: '!room:bureau.test' }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '1.3',
    title: 'create: an unrecognised room_version is rejected',
    event: create(alice, { room_version: '99', creator: alice }),
    allowed: false,
    code: 'M_UNSUPPORTED_ROOM_VERSION',
  },
  {
    rule: '1.3',
    title: 'create: a non-string room_version is rejected',
    event: create(alice, { room_version: 11, creator: alice }),
    allowed: false,
    code: 'M_UNSUPPORTED_ROOM_VERSION',
  },
  {
    rule: '1.3',
    title: 'create: an older room_version is still a recognised one',
    event: create(alice, { room_version: '9', creator: alice }),
    allowed: true,
  },
  {
    rule: '1.3',
    title: 'create: an absent room_version passes the version rule',
    event: create(alice, { creator: alice }),
    allowed: true,
  },
  {
    rule: '1.4',
    title: 'create: v10 requires content.creator',
    versions: ['10'],
    event: create(alice, { room_version: '10' }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '1.4',
    title: 'create: v11 no longer requires content.creator',
    versions: ['11'],
    event: create(alice, { room_version: '11' }),
    allowed: true,
  },
  {
    rule: '1.4',
    title: 'create: additional_creators that is not an array is rejected',
    versions: V12,
    literal: true,
    event: create(alice, { room_version: '12', additional_creators: bob }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '1.4',
    title: 'create: additional_creators with an invalid user ID is rejected',
    versions: V12,
    literal: true,
    event: create(alice, { room_version: '12', additional_creators: [bob, 'carol'] }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '1.4',
    title: 'create: additional_creators with a non-string entry is rejected',
    versions: V12,
    literal: true,
    event: create(alice, { room_version: '12', additional_creators: [42] }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '1.5',
    title: 'create: valid additional_creators are accepted',
    versions: V12,
    literal: true,
    event: create(alice, { room_version: '12', additional_creators: [bob, '@Historic.User:old.example:8448'] }),
    allowed: true,
  },
  {
    rule: '1.4',
    title: 'create: additional_creators is not validated before v12',
    versions: V10_V11,
    event: create(alice, { room_version: '11', creator: alice, additional_creators: 'anything' }),
    allowed: true,
  },
  {
    rule: '1.5',
    title: 'create: a well-formed create event is allowed',
    versions: ['10', '12'],
    event: create(alice, { room_version: '12', creator: alice }),
    allowed: true,
  },
];

const roomRows: Row[] = [
  {
    rule: '2.4',
    title: 'room: an event in a room without create event is rejected',
    versions: V10_V11,
    room: { withoutCreate: true },
    event: message(bob),
    allowed: false,
  },
  {
    rule: '2',
    title: 'room: without the create event the v12 room ID cannot be checked',
    versions: V12,
    literal: true,
    room: { withoutCreate: true },
    event: message(bob),
    allowed: false,
  },
  {
    rule: '2',
    title: 'room: the room ID must be derived from the create event',
    versions: V12,
    literal: true,
    event: { ...message(bob), room_id: '!room:bureau.test' },
    allowed: false,
  },
  {
    rule: '2',
    title: 'room: an event in the create event’s room passes',
    versions: V12,
    literal: true,
    event: message(bob),
    allowed: true,
  },
  {
    rule: '2.5',
    title: 'room: an event whose room differs from its create event’s is rejected',
    versions: V10_V11,
    room: { roomIdOverride: '!other:bureau.test' },
    event: message(bob),
    allowed: false,
  },
  {
    rule: '2.5',
    title: 'room: an auth event (the sender’s membership) from another room is rejected',
    room: {
      extraState: [
        {
          type: 'm.room.member',
          state_key: bob,
          sender: bob,
          content: { membership: 'join' },
          room_id: '!other:b.test',
        },
      ],
    },
    event: message(bob),
    allowed: false,
  },
  {
    rule: '3',
    title: 'federate: a remote sender cannot post in a non-federated room',
    room: { createContent: { 'm.federate': false } },
    event: message(zed),
    allowed: false,
  },
  {
    rule: '3',
    title: 'federate: a local sender can post in a non-federated room',
    room: { createContent: { 'm.federate': false } },
    event: message(bob),
    allowed: true,
  },
  {
    rule: '3',
    title: 'federate: a remote sender can post in a federated room',
    event: message(zed),
    allowed: true,
  },
];

const joinRows: Row[] = [
  {
    rule: '4.1',
    title: 'member: an event without state_key is rejected',
    event: { type: 'm.room.member', sender: bob, content: { membership: 'join' } },
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '4.1',
    title: 'member: an event without membership is rejected',
    event: { type: 'm.room.member', sender: bob, state_key: bob, content: {} },
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '4.2.1',
    title: 'member: join_authorised_via_users_server on another server is not signed by it',
    room: { joinRule: 'restricted' },
    event: member(carol, carol, 'join', { join_authorised_via_users_server: zed }),
    allowed: false,
  },
  {
    rule: '4.2.1',
    title: 'member: join_authorised_via_users_server that is not a user ID is rejected',
    room: { joinRule: 'restricted' },
    event: member(carol, carol, 'join', { join_authorised_via_users_server: 'mod' }),
    allowed: false,
  },
  {
    rule: '4.2.1',
    title: 'member: the caller’s signature check is authoritative',
    room: { joinRule: 'restricted' },
    event: member(carol, carol, 'join', { join_authorised_via_users_server: mod }),
    options: { isSignedByServerOf: () => false },
    allowed: false,
  },
  {
    rule: '4.3.1',
    title: 'join: the creator joins right after the create event',
    room: { bare: true },
    event: { ...member(alice, alice, 'join'), prev_events: [CREATE_EVENT_ID] },
    allowed: true,
  },
  {
    rule: '4.3.1',
    title: 'join: the v10 creator is content.creator, not the sender of the create event',
    versions: ['10'],
    room: { bare: true, createContent: { creator: carol } },
    event: { ...member(carol, carol, 'join'), prev_events: [CREATE_EVENT_ID] },
    allowed: true,
  },
  {
    rule: '4.3.4',
    title: 'join: from v11 content.creator no longer designates the creator',
    versions: ['11'],
    room: { bare: true, createContent: { creator: carol } },
    event: { ...member(carol, carol, 'join'), prev_events: [CREATE_EVENT_ID] },
    allowed: false,
  },
  {
    rule: '4.3.4',
    title: 'join: another user cannot take the creator’s first join (no join rule means invite)',
    room: { bare: true },
    event: { ...member(bob, bob, 'join'), prev_events: [CREATE_EVENT_ID] },
    allowed: false,
  },
  {
    rule: '4.3.4',
    title: 'join: the creator’s join after other events needs the join rule',
    room: { bare: true },
    event: { ...member(alice, alice, 'join'), prev_events: ['$something-else'] },
    allowed: false,
  },
  {
    rule: '5.3.4',
    title: 'join: an additional creator does not get the first-join exemption',
    versions: V12,
    literal: true,
    room: { bare: true, createContent: { additional_creators: [carol] } },
    event: { ...member(carol, carol, 'join'), prev_events: [CREATE_EVENT_ID] },
    allowed: false,
  },
  {
    rule: '4.3.2',
    title: 'join: a user cannot join on behalf of someone else',
    room: { joinRule: 'public' },
    event: member(bob, carol, 'join'),
    allowed: false,
  },
  {
    rule: '4.3.3',
    title: 'join: a banned sender is rejected even in a public room',
    room: { joinRule: 'public' },
    event: member(eve, eve, 'join'),
    allowed: false,
  },
  {
    rule: '4.3.3',
    title: 'join: a banned sender is rejected even with a restricted-join authoriser',
    room: { joinRule: 'restricted' },
    event: member(eve, eve, 'join', { join_authorised_via_users_server: mod }),
    allowed: false,
  },
  {
    rule: '4.3.4',
    title: 'join (invite rule): an invited user joins',
    event: member(dan, dan, 'join'),
    allowed: true,
  },
  {
    rule: '4.3.4',
    title: 'join (invite rule): a joined user re-joins (profile change)',
    event: member(bob, bob, 'join', { displayname: 'Bob' }),
    allowed: true,
  },
  {
    rule: '4.3.4',
    title: 'join (invite rule): an uninvited user is rejected',
    event: member(carol, carol, 'join'),
    allowed: false,
  },
  {
    rule: '4.3.4',
    title: 'join (invite rule): a user who left is rejected',
    event: member(leo, leo, 'join'),
    allowed: false,
  },
  {
    rule: '4.3.4',
    title: 'join (no join rules event): an uninvited user is rejected',
    room: { joinRule: null },
    event: member(carol, carol, 'join'),
    allowed: false,
  },
  {
    rule: '4.3.4',
    title: 'join (knock rule): a knocking user cannot join before being invited',
    room: { joinRule: 'knock' },
    event: member(kim, kim, 'join'),
    allowed: false,
  },
  {
    rule: '4.3.4',
    title: 'join (knock rule): an invited user joins',
    room: { joinRule: 'knock' },
    event: member(dan, dan, 'join'),
    allowed: true,
  },
  {
    rule: '4.3.5.1',
    title: 'join (restricted): an invited user joins without authoriser',
    room: { joinRule: 'restricted' },
    event: member(dan, dan, 'join'),
    allowed: true,
  },
  {
    rule: '4.3.5.1',
    title: 'join (restricted): a joined user re-joins without authoriser',
    room: { joinRule: 'restricted' },
    event: member(bob, bob, 'join'),
    allowed: true,
  },
  {
    rule: '4.3.5.2',
    title: 'join (restricted): an uninvited user without authoriser is rejected',
    room: { joinRule: 'restricted' },
    event: member(carol, carol, 'join'),
    allowed: false,
  },
  {
    rule: '4.3.5.2',
    title: 'join (restricted): an authoriser who is not joined is rejected',
    room: { joinRule: 'restricted' },
    event: member(carol, carol, 'join', { join_authorised_via_users_server: dan }),
    allowed: false,
  },
  {
    rule: '4.3.5.2',
    title: 'join (restricted): an authoriser below the invite level is rejected',
    room: { joinRule: 'restricted', powerLevels: withLevels({ invite: 50 }) },
    event: member(carol, carol, 'join', { join_authorised_via_users_server: bob }),
    allowed: false,
  },
  {
    rule: '4.3.5.3',
    title: 'join (restricted): a joined authoriser with invite power admits the user',
    room: { joinRule: 'restricted', powerLevels: withLevels({ invite: 50 }) },
    event: member(carol, carol, 'join', { join_authorised_via_users_server: mod }),
    allowed: true,
  },
  {
    rule: '4.3.5.3',
    title: 'join (knock_restricted): a joined authoriser with invite power admits the user',
    room: { joinRule: 'knock_restricted' },
    event: member(kim, kim, 'join', { join_authorised_via_users_server: bob }),
    allowed: true,
  },
  {
    rule: '4.3.5.2',
    title: 'join (knock_restricted): a knocking user without authoriser is rejected',
    room: { joinRule: 'knock_restricted' },
    event: member(kim, kim, 'join'),
    allowed: false,
  },
  {
    rule: '4.3.5.2',
    title: 'join (restricted): the creator at 100 cannot authorise when invite needs 150',
    versions: V10_V11,
    room: { joinRule: 'restricted', powerLevels: withLevels({ invite: 150 }) },
    event: member(carol, carol, 'join', { join_authorised_via_users_server: alice }),
    allowed: false,
  },
  {
    rule: '5.3.5.3',
    title: 'join (restricted): a v12 creator’s infinite power authorises any join',
    versions: V12,
    literal: true,
    room: { joinRule: 'restricted', powerLevels: withLevels({ invite: 150 }) },
    event: member(carol, carol, 'join', { join_authorised_via_users_server: alice }),
    allowed: true,
  },
  {
    rule: '4.3.6',
    title: 'join (public): anyone joins',
    room: { joinRule: 'public' },
    event: member(carol, carol, 'join'),
    allowed: true,
  },
  {
    rule: '4.3.6',
    title: 'join (public): a user who left re-joins',
    room: { joinRule: 'public' },
    event: member(leo, leo, 'join'),
    allowed: true,
  },
  {
    rule: '4.3.6',
    title: 'join (public): a knocking user joins',
    room: { joinRule: 'public' },
    event: member(kim, kim, 'join'),
    allowed: true,
  },
  {
    rule: '4.3.7',
    title: 'join (private, reserved): no one joins',
    room: { joinRule: 'private' },
    event: member(dan, dan, 'join'),
    allowed: false,
  },
  {
    rule: '4.3.7',
    title: 'join (unknown join rule): no one joins',
    room: { joinRule: 'org.example.secret' },
    event: member(carol, carol, 'join'),
    allowed: false,
  },
];

const inviteRows: Row[] = [
  {
    rule: '4.4.2',
    title: 'invite: a non-member cannot invite',
    event: member(carol, bob, 'invite'),
    allowed: false,
  },
  {
    rule: '4.4.2',
    title: 'invite: an invited user cannot invite',
    event: member(dan, carol, 'invite'),
    allowed: false,
  },
  {
    rule: '4.4.3',
    title: 'invite: a joined user cannot be invited',
    event: member(mod, bob, 'invite'),
    allowed: false,
  },
  {
    rule: '4.4.3',
    title: 'invite: a banned user cannot be invited',
    event: member(mod, eve, 'invite'),
    allowed: false,
  },
  {
    rule: '4.4.4',
    title: 'invite: a member at the invite level invites a newcomer',
    event: member(bob, carol, 'invite'),
    allowed: true,
  },
  {
    rule: '4.4.4',
    title: 'invite: an invited user can be invited again',
    event: member(bob, dan, 'invite'),
    allowed: true,
  },
  {
    rule: '4.4.4',
    title: 'invite: inviting a knocking user accepts the knock',
    room: { joinRule: 'knock' },
    event: member(mod, kim, 'invite'),
    allowed: true,
  },
  {
    rule: '4.4.4',
    title: 'invite: a user who left can be invited back',
    event: member(bob, leo, 'invite'),
    allowed: true,
  },
  {
    rule: '4.4.5',
    title: 'invite: a member below the invite level is rejected',
    room: { powerLevels: withLevels({ invite: 50 }) },
    event: member(bob, carol, 'invite'),
    allowed: false,
  },
  {
    rule: '4.4.4',
    title: 'invite: a moderator at exactly the invite level invites',
    room: { powerLevels: withLevels({ invite: 50 }) },
    event: member(mod, carol, 'invite'),
    allowed: true,
  },
  {
    rule: '4.4.4',
    title: 'invite: without power levels the invite level is 0',
    room: { powerLevels: null },
    event: member(bob, carol, 'invite'),
    allowed: true,
  },
  {
    rule: '4.4.4',
    title: 'invite: users_default lifts every unlisted member',
    room: { powerLevels: withLevels({ invite: 50, users_default: 60 }) },
    event: member(bob, carol, 'invite'),
    allowed: true,
  },
  {
    rule: '4.4.1.1',
    title: 'third-party invite: a banned target is rejected',
    event: member(mod, eve, 'invite', thirdPartyInvite(signedBy('key-A', { mxid: eve, token: 'tok' }))),
    allowed: false,
  },
  {
    rule: '4.4.1.2',
    title: 'third-party invite: a missing signed object is rejected',
    event: member(mod, carol, 'invite', { third_party_invite: { display_name: 'c…' } }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '4.4.1.2',
    title: 'third-party invite: a third_party_invite that is not an object is rejected',
    event: member(mod, carol, 'invite', { third_party_invite: 'tok' }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '4.4.1.3',
    title: 'third-party invite: signed without token is rejected',
    event: member(mod, carol, 'invite', thirdPartyInvite(signedBy('key-A', { mxid: carol }))),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '4.4.1.3',
    title: 'third-party invite: signed without mxid is rejected',
    event: member(mod, carol, 'invite', thirdPartyInvite(signedBy('key-A', { token: 'tok' }))),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '4.4.1.4',
    title: 'third-party invite: mxid must be the invited user',
    event: member(mod, carol, 'invite', thirdPartyInvite(signedBy('key-A', { mxid: leo, token: 'tok' }))),
    allowed: false,
  },
  {
    rule: '4.4.1.5',
    title: 'third-party invite: the token must match an m.room.third_party_invite',
    event: member(mod, carol, 'invite', thirdPartyInvite(signedBy('key-A', { mxid: carol, token: 'unknown' }))),
    allowed: false,
  },
  {
    rule: '4.4.1.6',
    title: 'third-party invite: only the sender of the pending invite can complete it',
    event: member(admin, carol, 'invite', thirdPartyInvite(signedBy('key-A'))),
    allowed: false,
  },
  {
    rule: '4.4.1.7',
    title: 'third-party invite: a signature by public_key is accepted',
    event: member(mod, carol, 'invite', thirdPartyInvite(signedBy('key-A'))),
    allowed: true,
  },
  {
    rule: '4.4.1.7',
    title: 'third-party invite: a signature by an entry of public_keys is accepted',
    event: member(mod, carol, 'invite', thirdPartyInvite(signedBy('key-B'))),
    allowed: true,
  },
  {
    rule: '4.4.1.7',
    title: 'third-party invite: the inviter’s current membership is not re-checked',
    room: { members: { [mod]: 'leave' } },
    event: member(mod, carol, 'invite', thirdPartyInvite(signedBy('key-A'))),
    allowed: true,
  },
  {
    rule: '4.4.1.8',
    title: 'third-party invite: a signature by no known key is rejected',
    event: member(mod, carol, 'invite', thirdPartyInvite(signedBy('key-Z'))),
    allowed: false,
  },
  {
    rule: '4.4.1.8',
    title: 'third-party invite: without a signature verifier the invite is rejected',
    event: member(mod, carol, 'invite', thirdPartyInvite(signedBy('key-A'))),
    options: {},
    allowed: false,
  },
];

const leaveRows: Row[] = [
  { rule: '4.5.1', title: 'leave: a joined user leaves', event: member(bob, bob, 'leave'), allowed: true },
  { rule: '4.5.1', title: 'leave: an invited user declines', event: member(dan, dan, 'leave'), allowed: true },
  {
    rule: '4.5.1',
    title: 'leave: a knocking user rescinds the knock',
    event: member(kim, kim, 'leave'),
    allowed: true,
  },
  {
    rule: '4.5.1',
    title: 'leave: a banned user cannot unban themself',
    event: member(eve, eve, 'leave'),
    allowed: false,
  },
  {
    rule: '4.5.1',
    title: 'leave: a user who already left cannot leave again',
    event: member(leo, leo, 'leave'),
    allowed: false,
  },
  {
    rule: '4.5.1',
    title: 'leave: a user never in the room cannot leave',
    event: member(carol, carol, 'leave'),
    allowed: false,
  },
  {
    rule: '4.5.2',
    title: 'kick: an invited sender cannot kick',
    room: { members: { [mod]: 'invite' } },
    event: member(mod, bob, 'leave'),
    allowed: false,
  },
  {
    rule: '4.5.3',
    title: 'unban: the kick level is not enough without the ban level',
    room: { powerLevels: withLevels({ ban: 60 }) },
    event: member(mod, eve, 'leave'),
    allowed: false,
  },
  {
    rule: '4.5.4',
    title: 'unban: a moderator with ban and kick levels unbans',
    event: member(mod, eve, 'leave'),
    allowed: true,
  },
  {
    rule: '4.5.5',
    title: 'unban: the ban level is not enough without the kick level',
    room: { powerLevels: withLevels({ kick: 60 }) },
    event: member(mod, eve, 'leave'),
    allowed: false,
  },
  { rule: '4.5.4', title: 'kick: a moderator kicks a member', event: member(mod, bob, 'leave'), allowed: true },
  {
    rule: '4.5.4',
    title: 'kick: a moderator revokes an invite',
    event: member(mod, dan, 'leave'),
    allowed: true,
  },
  {
    rule: '4.5.4',
    title: 'kick: a moderator denies a knock',
    event: member(mod, kim, 'leave'),
    allowed: true,
  },
  {
    rule: '4.5.5',
    title: 'kick: a member below the kick level is rejected',
    event: member(bob, leo, 'leave'),
    allowed: false,
  },
  {
    rule: '4.5.5',
    title: 'kick: a moderator cannot kick an equal',
    event: member(mod, mod2, 'leave'),
    allowed: false,
  },
  {
    rule: '4.5.5',
    title: 'kick: a moderator cannot kick a higher user',
    event: member(mod, admin, 'leave'),
    allowed: false,
  },
  { rule: '4.5.4', title: 'kick: an admin kicks a moderator', event: member(admin, mod, 'leave'), allowed: true },
  {
    rule: '4.5.5',
    title: 'kick: the v10/v11 creator at 100 cannot kick another 100',
    versions: V10_V11,
    event: member(alice, admin, 'leave'),
    allowed: false,
  },
  {
    rule: '5.5.4',
    title: 'kick: a v12 creator kicks a 100 admin',
    versions: V12,
    literal: true,
    event: member(alice, admin, 'leave'),
    allowed: true,
  },
  {
    rule: '5.5.4',
    title: 'kick: a v12 additional creator kicks a 100 admin',
    versions: V12,
    literal: true,
    room: { createContent: { additional_creators: [carol] }, members: { [carol]: 'join' } },
    event: member(carol, admin, 'leave'),
    allowed: true,
  },
  {
    rule: '4.5.5',
    title: 'kick: an admin cannot kick the creator',
    event: member(admin, alice, 'leave'),
    allowed: false,
  },
  {
    rule: '4.5.4',
    title: 'kick: without power levels the creator kicks a member',
    room: { powerLevels: null },
    event: member(alice, bob, 'leave'),
    allowed: true,
  },
  {
    rule: '4.5.5',
    title: 'kick: without power levels a member cannot kick',
    room: { powerLevels: null },
    event: member(bob, zed, 'leave'),
    allowed: false,
  },
];

const banRows: Row[] = [
  {
    rule: '4.6.1',
    title: 'ban: a sender who left cannot ban',
    room: { members: { [mod]: 'leave' } },
    event: member(mod, bob, 'ban'),
    allowed: false,
  },
  { rule: '4.6.2', title: 'ban: a moderator bans a member', event: member(mod, bob, 'ban'), allowed: true },
  {
    rule: '4.6.2',
    title: 'ban: a moderator pre-emptively bans a non-member',
    event: member(mod, carol, 'ban'),
    allowed: true,
  },
  {
    rule: '4.6.2',
    title: 'ban: banning a banned user again is allowed',
    event: member(mod, eve, 'ban'),
    allowed: true,
  },
  {
    rule: '4.6.3',
    title: 'ban: a member below the ban level is rejected',
    event: member(bob, carol, 'ban'),
    allowed: false,
  },
  {
    rule: '4.6.3',
    title: 'ban: a moderator cannot ban an equal',
    event: member(mod, mod2, 'ban'),
    allowed: false,
  },
  {
    rule: '4.6.3',
    title: 'ban: a moderator cannot ban a higher user',
    event: member(mod, admin, 'ban'),
    allowed: false,
  },
  {
    rule: '4.6.3',
    title: 'ban: with ban level 0 a member still cannot ban an equal-level user',
    room: { powerLevels: withLevels({ ban: 0 }) },
    event: member(bob, carol, 'ban'),
    allowed: false,
  },
  {
    rule: '4.6.3',
    title: 'ban: nobody can ban a v12 creator, not even another creator',
    versions: V12,
    room: { createContent: { additional_creators: [carol] }, members: { [carol]: 'join' } },
    event: member(carol, alice, 'ban'),
    allowed: false,
  },
];

const knockRows: Row[] = [
  {
    rule: '4.7.1',
    title: 'knock: an invite-only room refuses knocks',
    event: member(carol, carol, 'knock'),
    allowed: false,
  },
  {
    rule: '4.7.1',
    title: 'knock: a public room refuses knocks',
    room: { joinRule: 'public' },
    event: member(carol, carol, 'knock'),
    allowed: false,
  },
  {
    rule: '4.7.1',
    title: 'knock: a restricted room refuses knocks',
    room: { joinRule: 'restricted' },
    event: member(carol, carol, 'knock'),
    allowed: false,
  },
  {
    rule: '4.7.3',
    title: 'knock: a newcomer knocks on a knock room',
    room: { joinRule: 'knock' },
    event: member(carol, carol, 'knock'),
    allowed: true,
  },
  {
    rule: '4.7.3',
    title: 'knock: a newcomer knocks on a knock_restricted room',
    room: { joinRule: 'knock_restricted' },
    event: member(carol, carol, 'knock'),
    allowed: true,
  },
  {
    rule: '4.7.2',
    title: 'knock: a user cannot knock for someone else',
    room: { joinRule: 'knock' },
    event: member(bob, carol, 'knock'),
    allowed: false,
  },
  {
    rule: '4.7.4',
    title: 'knock: a banned user cannot knock',
    room: { joinRule: 'knock' },
    event: member(eve, eve, 'knock'),
    allowed: false,
  },
  {
    rule: '4.7.4',
    title: 'knock: an invited user cannot knock',
    room: { joinRule: 'knock' },
    event: member(dan, dan, 'knock'),
    allowed: false,
  },
  {
    rule: '4.7.4',
    title: 'knock: a joined user cannot knock',
    room: { joinRule: 'knock' },
    event: member(bob, bob, 'knock'),
    allowed: false,
  },
  {
    rule: '4.7.3',
    title: 'knock: a user who left knocks again',
    room: { joinRule: 'knock' },
    event: member(leo, leo, 'knock'),
    allowed: true,
  },
  {
    rule: '4.7.3',
    title: 'knock: a knocking user knocks again',
    room: { joinRule: 'knock' },
    event: member(kim, kim, 'knock'),
    allowed: true,
  },
  {
    rule: '4.8',
    title: 'member: an unknown membership is rejected',
    room: { joinRule: 'public' },
    event: member(carol, carol, 'org.example.lurk'),
    allowed: false,
    code: 'M_BAD_JSON',
  },
];

const senderRows: Row[] = [
  { rule: '5', title: 'non-member: a stranger cannot send a message', event: message(carol), allowed: false },
  { rule: '5', title: 'non-member: an invited user cannot send a message', event: message(dan), allowed: false },
  { rule: '5', title: 'non-member: a banned user cannot send a message', event: message(eve), allowed: false },
  { rule: '5', title: 'non-member: a knocking user cannot send a message', event: message(kim), allowed: false },
  {
    rule: '5',
    title: 'non-member: a user who left cannot send state, whatever their level',
    room: { members: { [admin]: 'leave' } },
    event: state(admin, 'm.room.topic', '', { topic: 'x' }),
    allowed: false,
  },
  {
    rule: '5',
    title: 'non-member: a user who left cannot send a redaction',
    event: { type: 'm.room.redaction', sender: leo, content: { redacts: '$x' } },
    allowed: false,
  },
  {
    rule: '6.1',
    title: 'third_party_invite: a member at the invite level creates one',
    event: state(bob, 'm.room.third_party_invite', 'tok2', { public_key: 'k' }),
    allowed: true,
  },
  {
    rule: '6.1',
    title: 'third_party_invite: a member below the invite level is rejected',
    room: { powerLevels: withLevels({ invite: 50 }) },
    event: state(bob, 'm.room.third_party_invite', 'tok2', { public_key: 'k' }),
    allowed: false,
  },
  {
    rule: '6.1',
    title: 'third_party_invite: only the invite level counts, not events or state_default',
    room: { powerLevels: withEvents({ 'm.room.third_party_invite': 100 }) },
    event: state(bob, 'm.room.third_party_invite', 'tok2', { public_key: 'k' }),
    allowed: true,
  },
];

const eventLevelRows: Row[] = [
  { rule: '7', title: 'event level: a member sends a message', event: message(bob), allowed: true },
  {
    rule: '7',
    title: 'event level: events_default above the sender’s level blocks messages',
    room: { powerLevels: withLevels({ events_default: 10 }) },
    event: message(bob),
    allowed: false,
  },
  {
    rule: '7',
    title: 'event level: events[type] overrides events_default',
    room: { powerLevels: (base) => withEvents({ 'm.room.message': 0 })(withLevels({ events_default: 10 })(base)) },
    event: message(bob),
    allowed: true,
  },
  {
    rule: '7',
    title: 'event level: a custom message type above the sender’s level is rejected',
    room: { powerLevels: withEvents({ 'org.example.poll': 20 }) },
    event: message(bob, 'org.example.poll'),
    allowed: false,
  },
  {
    rule: '7',
    title: 'state level: a member below state_default cannot set the topic',
    event: state(bob, 'm.room.topic', '', { topic: 'x' }),
    allowed: false,
  },
  {
    rule: '7',
    title: 'state level: a moderator at state_default sets the topic',
    event: state(mod, 'm.room.topic', '', { topic: 'x' }),
    allowed: true,
  },
  {
    rule: '7',
    title: 'state level: events[type] lowers a state event below state_default',
    room: { powerLevels: withEvents({ 'm.room.name': 0 }) },
    event: state(bob, 'm.room.name', '', { name: 'x' }),
    allowed: true,
  },
  {
    rule: '7',
    title: 'state level: events[type] raises a state event above state_default',
    event: state(mod, 'm.room.encryption', '', { algorithm: 'm.megolm.v1.aes-sha2' }),
    allowed: false,
  },
  {
    rule: '7',
    title: 'state level: an empty state key makes a custom type a state event',
    event: state(bob, 'org.example.widget', '', {}),
    allowed: false,
  },
  {
    rule: '7',
    title: 'state level: the same custom type without state key is a message',
    event: message(bob, 'org.example.widget'),
    allowed: true,
  },
  {
    rule: '7',
    title: 'no power levels: state_default is 50, so a member cannot send state',
    room: { powerLevels: null },
    event: state(bob, 'm.room.topic', '', { topic: 'x' }),
    allowed: false,
  },
  {
    rule: '7',
    title: 'no power levels: the creator sends state',
    room: { powerLevels: null },
    event: state(alice, 'm.room.topic', '', { topic: 'x' }),
    allowed: true,
  },
  {
    rule: '7',
    title: 'no power levels: events_default is 0, so a member sends messages',
    room: { powerLevels: null },
    event: message(bob),
    allowed: true,
  },
  {
    rule: '7',
    title: 'event level: the v10/v11 creator at 100 cannot send a 150 tombstone',
    versions: V10_V11,
    room: { powerLevels: withEvents({ 'm.room.tombstone': 150 }) },
    event: state(alice, 'm.room.tombstone', '', { replacement_room: '!new:bureau.test' }),
    allowed: false,
  },
  {
    rule: '8',
    title: 'event level: a v12 creator sends a 150 tombstone',
    versions: V12,
    literal: true,
    room: { powerLevels: withEvents({ 'm.room.tombstone': 150 }) },
    event: state(alice, 'm.room.tombstone', '', { replacement_room: '!new' }),
    allowed: true,
  },
  {
    rule: '7',
    title: 'redaction: a member may send a redaction by default (the redact level is not an auth rule)',
    event: { type: 'm.room.redaction', sender: bob, content: { redacts: '$someone-else' } },
    allowed: true,
  },
  {
    rule: '7',
    title: 'redaction: events[m.room.redaction] above the sender’s level blocks redactions',
    room: { powerLevels: withEvents({ 'm.room.redaction': 50 }) },
    event: { type: 'm.room.redaction', sender: bob, content: { redacts: '$own' } },
    allowed: false,
  },
  {
    rule: '7',
    title: 'redaction: events_default governs redactions when events has no entry',
    room: { powerLevels: withLevels({ events_default: 10 }) },
    event: { type: 'm.room.redaction', sender: bob, content: { redacts: '$own' } },
    allowed: false,
  },
  {
    rule: '8',
    title: 'owned state: a member writes the state key of their own user ID',
    room: { powerLevels: withEvents({ 'org.example.status': 0 }) },
    event: state(bob, 'org.example.status', bob, { status: 'busy' }),
    allowed: true,
  },
  {
    rule: '8',
    title: 'owned state: a member cannot write another user’s state key',
    room: { powerLevels: withEvents({ 'org.example.status': 0 }) },
    event: state(bob, 'org.example.status', mod, { status: 'busy' }),
    allowed: false,
  },
  {
    rule: '8',
    title: 'owned state: an admin cannot write another user’s state key either',
    event: state(admin, 'org.example.status', bob, { status: 'busy' }),
    allowed: false,
  },
  {
    rule: '8',
    title: 'owned state: a v12 creator cannot write another user’s state key',
    versions: V12,
    event: state(alice, 'org.example.status', bob, { status: 'busy' }),
    allowed: false,
  },
  {
    rule: '8',
    title: 'owned state: a key that starts with _@ (Element Call) is not owned',
    room: { powerLevels: withEvents({ 'org.matrix.msc3401.call.member': 0 }) },
    event: state(bob, 'org.matrix.msc3401.call.member', `_${mod}_DEVICE_m.call`, {}),
    allowed: true,
  },
];

const powerLevelRows: Row[] = [
  {
    rule: '9.1',
    title: 'power levels: a string ban level is rejected',
    event: powerLevelsEvent(admin, { ...basePowerLevels('11'), ban: '50' }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '9.1',
    title: 'power levels: a fractional users_default is rejected',
    event: powerLevelsEvent(admin, { users_default: 1.5 }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '9.1',
    title: 'power levels: a kick level beyond the canonical JSON range is rejected',
    event: powerLevelsEvent(admin, { kick: 2 ** 53 }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '9.1',
    title: 'power levels: a null invite level is rejected',
    event: powerLevelsEvent(admin, { invite: null }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '9.2',
    title: 'power levels: a string value in events is rejected',
    event: powerLevelsEvent(admin, { events: { 'm.room.name': '50' } }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '9.2',
    title: 'power levels: notifications that is not an object is rejected',
    event: powerLevelsEvent(admin, { notifications: [50] }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '9.3',
    title: 'power levels: a users key that is not a user ID is rejected',
    event: powerLevelsEvent(admin, { users: { bob: 10 } }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '9.3',
    title: 'power levels: a users key with an invalid server name is rejected',
    event: powerLevelsEvent(admin, { users: { '@bob:bad server': 10 } }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '9.3',
    title: 'power levels: a non-integer users value is rejected',
    event: powerLevelsEvent(admin, { users: { [bob]: '10' } }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '9.3',
    title: 'power levels: users that is not an object is rejected',
    event: powerLevelsEvent(admin, { users: [bob] }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '9.3',
    title: 'power levels: a historical user ID (upper case, port) is a valid users key',
    event: powerLevelsEvent(admin, {
      ...basePowerLevels('11'),
      users: { ...modUsers(), '@Old_User:old.test:8448': 0, '@ops:[1234:5678::abcd]:8448': 0 },
    }),
    allowed: true,
  },
  {
    rule: '10.4',
    title: 'power levels: a v12 creator cannot be listed in users',
    versions: V12,
    literal: true,
    event: powerLevelsEvent(admin, { ...basePowerLevels('12'), users: { [admin]: 100, [alice]: 0 } }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '10.4',
    title: 'power levels: a v12 additional creator cannot be listed in users',
    versions: V12,
    literal: true,
    room: { createContent: { additional_creators: [carol] } },
    event: powerLevelsEvent(alice, { ...basePowerLevels('12'), users: { [carol]: 100 } }),
    allowed: false,
    code: 'M_BAD_JSON',
  },
  {
    rule: '9.4',
    title: 'power levels: the first power levels event is accepted whatever its values',
    room: { powerLevels: null },
    event: powerLevelsEvent(alice, { users: { [bob]: 9000 }, ban: 9000, events: { 'm.room.name': 9000 } }),
    allowed: true,
  },
  {
    rule: '7',
    title: 'power levels: without power levels a member cannot send the first one',
    room: { powerLevels: null },
    event: powerLevelsEvent(bob, { users: { [bob]: 100 } }),
    allowed: false,
  },
  {
    rule: '7',
    title: 'power levels: changing them needs events[m.room.power_levels]',
    event: powerLevelsEvent(mod, basePowerLevels('11')),
    allowed: false,
  },
  {
    rule: '9.5.1',
    title: 'power levels: a level currently above the sender cannot be changed',
    room: modsEditLevels(withLevels({ ban: 60 })),
    event: powerLevelsEvent(mod, { ban: 40 }),
    allowed: false,
  },
  {
    rule: '9.5.1',
    title: 'power levels: a level currently above the sender cannot be removed',
    room: modsEditLevels(withLevels({ ban: 60 })),
    event: powerLevelsEvent(mod, {}),
    allowed: false,
  },
  {
    rule: '9.5.2',
    title: 'power levels: a level cannot be set above the sender’s',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { kick: 60 }),
    allowed: false,
  },
  {
    rule: '9.5.2',
    title: 'power levels: users_default cannot be raised above the sender’s level',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { users_default: 51 }),
    allowed: false,
  },
  {
    rule: '9.10',
    title: 'power levels: a moderator changes users_default and the kick level within reach',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), users_default: 10, kick: 50, redact: 40 }),
    allowed: true,
  },
  {
    rule: '9.6.1',
    title: 'power levels: an events entry above the sender cannot be lowered',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), events: { ...modEvents(), 'm.room.encryption': 50 } }),
    allowed: false,
  },
  {
    rule: '9.6.1',
    title: 'power levels: an events entry above the sender cannot be removed',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), events: { 'm.room.power_levels': 50, 'm.room.name': 50 } }),
    allowed: false,
  },
  {
    rule: '9.7.1',
    title: 'power levels: an events entry cannot be added above the sender’s level',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), events: { ...modEvents(), 'm.room.topic': 60 } }),
    allowed: false,
  },
  {
    rule: '9.10',
    title: 'power levels: an events entry is added at the sender’s level',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), events: { ...modEvents(), 'm.room.topic': 50 } }),
    allowed: true,
  },
  {
    rule: '9.6.1',
    title: 'power levels: a notifications entry above the sender cannot be changed',
    room: modsEditLevels((base) => ({ ...base, notifications: { room: 100 } })),
    event: powerLevelsEvent(mod, { ...modLevels(), notifications: { room: 0 } }),
    allowed: false,
  },
  {
    rule: '9.7.1',
    title: 'power levels: a notifications entry cannot be set above the sender’s level',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), notifications: { room: 60 } }),
    allowed: false,
  },
  {
    rule: '9.10',
    title: 'power levels: a notifications entry is set within the sender’s level',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), notifications: { room: 20 } }),
    allowed: true,
  },
  {
    rule: '9.8.1',
    title: 'power levels: a moderator cannot demote an equal-level user',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), users: { ...modUsers(), [mod2]: 0 } }),
    allowed: false,
  },
  {
    rule: '9.8.1',
    title: 'power levels: a moderator cannot remove a higher user',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), users: { [mod]: 50, [mod2]: 50 } }),
    allowed: false,
  },
  {
    rule: '9.10',
    title: 'power levels: a moderator demotes themself',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), users: { ...modUsers(), [mod]: 0 } }),
    allowed: true,
  },
  {
    rule: '9.9.1',
    title: 'power levels: a moderator cannot raise their own level',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), users: { ...modUsers(), [mod]: 60 } }),
    allowed: false,
  },
  {
    rule: '9.9.1',
    title: 'power levels: a moderator cannot raise someone above themself',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), users: { ...modUsers(), [bob]: 60 } }),
    allowed: false,
  },
  {
    rule: '9.10',
    title: 'power levels: a moderator promotes a member to their own level',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), users: { ...modUsers(), [bob]: 50 } }),
    allowed: true,
  },
  {
    rule: '9.10',
    title: 'power levels: a moderator demotes and removes lower users',
    room: modsEditLevels(withUsers({ [bob]: 10, [leo]: 20 })),
    event: powerLevelsEvent(mod, { ...modLevels(), users: { ...modUsers(), [bob]: 0 } }),
    allowed: true,
  },
  {
    rule: '9.10',
    title: 'power levels: re-sending unchanged content is allowed',
    room: modsEditLevels(),
    event: powerLevelsEvent(mod, { ...modLevels(), users: modUsers() }),
    allowed: true,
  },
  {
    rule: '9.8.1',
    title: 'power levels: a 100 admin cannot demote the v10/v11 creator at 100',
    versions: V10_V11,
    event: powerLevelsEvent(admin, { ...basePowerLevels('11'), users: { [alice]: 0, [admin]: 100 } }),
    allowed: false,
  },
  {
    rule: '9.9.1',
    title: 'power levels: the v10/v11 creator cannot raise anyone above 100',
    versions: V10_V11,
    event: powerLevelsEvent(alice, { ...basePowerLevels('11'), users: { ...modUsers(), [alice]: 100, [bob]: 1000 } }),
    allowed: false,
  },
  {
    rule: '10.10',
    title: 'power levels: a v12 creator raises anyone to any level',
    versions: V12,
    literal: true,
    event: powerLevelsEvent(alice, { ...basePowerLevels('12'), users: { ...modUsers(), [bob]: 1000 } }),
    allowed: true,
  },
  {
    rule: '9.8.1',
    title: 'power levels: the v10/v11 creator cannot demote another 100 admin',
    versions: V10_V11,
    event: powerLevelsEvent(alice, { ...basePowerLevels('11'), users: { [alice]: 100, [admin]: 0 } }),
    allowed: false,
  },
  {
    rule: '10.10',
    title: 'power levels: a v12 creator demotes a 100 admin and raises state_default',
    versions: V12,
    literal: true,
    event: powerLevelsEvent(alice, { ...basePowerLevels('12'), users: { [mod]: 50 }, state_default: 500 }),
    allowed: true,
  },
];

/** The base levels of {@link modsEditLevels} rooms, for events that keep everything but one change. */
function modLevels(): Content {
  const { users: _users, events: _events, ...levels } = basePowerLevels('11');
  return { ...levels, users: modUsers(), events: modEvents() };
}
function modUsers(): Content {
  return { [alice]: 100, [admin]: 100, [mod]: 50, [mod2]: 50 };
}
function modEvents(): Content {
  return { 'm.room.power_levels': 50, 'm.room.encryption': 100, 'm.room.name': 50 };
}

const tables: Record<string, Row[]> = {
  'm.room.create (rule 1)': createRows,
  'room identity, auth events and m.federate (rules 2–3)': roomRows,
  'm.room.member join (rule 4.1–4.3)': joinRows,
  'm.room.member invite and third-party invites (rule 4.4)': inviteRows,
  'm.room.member leave, kick and unban (rule 4.5)': leaveRows,
  'm.room.member ban (rule 4.6)': banRows,
  'm.room.member knock and unknown memberships (rules 4.7–4.8)': knockRows,
  'sender membership and m.room.third_party_invite (rules 5–6)': senderRows,
  'event power levels and owned state keys (rules 7–8)': eventLevelRows,
  'm.room.power_levels changes (rule 9)': powerLevelRows,
};

describe(checkEventAuth.name, () => {
  for (const [tableName, rows] of Object.entries(tables)) {
    describe(tableName, () => {
      const cases = rows.flatMap((row) =>
        (row.versions ?? ALL_VERSIONS).map((version) => ({
          name: `v${version} ${row.literal ? row.rule : ruleIn(version, row.rule)} ${row.title}`,
          version,
          row,
        })),
      );
      it.each(cases)('$name', ({ version, row }) => {
        const sut = checkEventAuth(
          buildEvent(version, adaptToVersion(version, row.event)),
          // A create event is checked against an empty room unless the row supplies one.
          row.event.type === 'm.room.create' && !row.room ? authStateFromEvents([]) : buildRoom(version, row.room),
          version,
          row.options ?? { verifyThirdPartyInviteSignature: fakeSignatureVerifier },
        );
        if (row.allowed) {
          expect(sut).toEqual({ allowed: true });
        } else {
          expect(sut).toMatchObject({
            allowed: false,
            rule: row.literal ? row.rule : ruleIn(version, row.rule),
            code: row.code ?? 'M_FORBIDDEN',
          });
        }
      });
    });
  }

  it('has at least one hundred rows', () => {
    expect(Object.values(tables).flat().length).toBeGreaterThanOrEqual(100);
  });

  it.each(ALL_VERSIONS)('v%s: replays a createRoom sequence for every preset', (version) => {
    for (const preset of ['private_chat', 'trusted_private_chat', 'public_chat'] as const) {
      const roomId = roomIdFor(version);
      const events: AuthStateEvent[] = [];
      const send = (event: Omit<AuthStateEvent, 'room_id'>) => {
        const full: AuthStateEvent = {
          ...event,
          ...(event.type === 'm.room.create' && version === '12' ? {} : { room_id: roomId }),
        };
        expect(checkEventAuth(full, authStateFromEvents(events), version), `${preset} ${event.type}`).toEqual({
          allowed: true,
        });
        events.push(full);
      };
      send({
        type: 'm.room.create',
        state_key: '',
        sender: alice,
        event_id: CREATE_EVENT_ID,
        content: { room_version: version, ...(version === '10' ? { creator: alice } : {}) },
      });
      send({ ...stateOf(member(alice, alice, 'join')), prev_events: [CREATE_EVENT_ID] });
      send(
        stateOf(powerLevelsEvent(alice, defaultPowerLevelsContent({ preset, creator: alice, roomVersion: version }))),
      );
      send(
        stateOf(state(alice, 'm.room.join_rules', '', { join_rule: preset === 'public_chat' ? 'public' : 'invite' })),
      );
      send(stateOf(state(alice, 'm.room.history_visibility', '', { history_visibility: 'shared' })));
      send(stateOf(member(alice, bob, 'invite')));
      send(stateOf(member(bob, bob, 'join')));
      expect(checkEventAuth(buildEvent(version, message(bob)), authStateFromEvents(events), version)).toEqual({
        allowed: true,
      });
    }
  });
});

function stateOf(spec: EventSpec): Omit<AuthStateEvent, 'room_id'> {
  return { content: {}, ...spec, state_key: spec.state_key ?? '' };
}

/**
 * v10/v11 power levels list the creator at 100, which v12 forbids (the creator is implicit there): the
 * shared rows' `alice: 100` entry is dropped for v12. Other entries for alice are kept, so rule 10.4 rows work.
 */
function adaptToVersion(version: RoomVersion, event: EventSpec): EventSpec {
  if (version !== '12' || event.type !== 'm.room.power_levels' || !event.content) return event;
  const users = event.content.users;
  if (typeof users !== 'object' || users === null || Array.isArray(users)) return event;
  if ((users as Content)[alice] !== 100) return event;
  const { [alice]: _creator, ...others } = users as Content;
  return { ...event, content: { ...event.content, users: others } };
}

describe(powerLevelOf.name, () => {
  const rows: { title: string; version: RoomVersion; room: RoomSpec; user: string; expected: number }[] = [
    {
      title: 'v10 without power levels: content.creator has 100',
      version: '10',
      room: { powerLevels: null, createContent: { creator: carol } },
      user: carol,
      expected: 100,
    },
    {
      title: 'v10 without power levels: the create sender who is not content.creator has 0',
      version: '10',
      room: { powerLevels: null, createContent: { creator: carol } },
      user: alice,
      expected: 0,
    },
    {
      title: 'v11 without power levels: the create sender has 100',
      version: '11',
      room: { powerLevels: null },
      user: alice,
      expected: 100,
    },
    {
      title: 'v11 without power levels: others have 0',
      version: '11',
      room: { powerLevels: null },
      user: bob,
      expected: 0,
    },
    {
      title: 'v12 without power levels: the create sender is infinite',
      version: '12',
      room: { powerLevels: null },
      user: alice,
      expected: Infinity,
    },
    {
      title: 'v12: an additional creator is infinite',
      version: '12',
      room: { createContent: { additional_creators: [carol] } },
      user: carol,
      expected: Infinity,
    },
    {
      title: 'v11: additional_creators means nothing',
      version: '11',
      room: { powerLevels: null, createContent: { additional_creators: [carol] } },
      user: carol,
      expected: 0,
    },
    { title: 'with power levels: users entry', version: '11', room: {}, user: mod, expected: 50 },
    {
      title: 'with power levels: users_default for unlisted users',
      version: '11',
      room: { powerLevels: withLevels({ users_default: 7 }) },
      user: bob,
      expected: 7,
    },
    {
      title: 'with power levels: users_default absent means 0',
      version: '11',
      room: { powerLevels: () => ({ users: {} }) },
      user: bob,
      expected: 0,
    },
    {
      title: 'v11 with power levels: the creator has only what users says',
      version: '11',
      room: { powerLevels: withUsers({ [alice]: 10 }) },
      user: alice,
      expected: 10,
    },
  ];
  it.each(rows)('$title', ({ version, room, user, expected }) => {
    expect(powerLevelOf(user, buildRoom(version, room), version)).toBe(expected);
  });
});

describe(requiredPowerLevel.name, () => {
  const noLevels = buildRoom('11', { powerLevels: null });
  const custom = buildRoom('11', {
    powerLevels: () => ({ events: { 'm.room.topic': 5, 'm.reaction': 3 }, state_default: 70, events_default: 20 }),
  });
  it.each([
    {
      title: 'without power levels a state event needs 50',
      state: noLevels,
      type: 'm.room.topic',
      isState: true,
      expected: 50,
    },
    {
      title: 'without power levels a message needs 0',
      state: noLevels,
      type: 'm.room.message',
      isState: false,
      expected: 0,
    },
    { title: 'events[type] wins for a state event', state: custom, type: 'm.room.topic', isState: true, expected: 5 },
    { title: 'events[type] wins for a message', state: custom, type: 'm.reaction', isState: false, expected: 3 },
    {
      title: 'state_default applies to unlisted state',
      state: custom,
      type: 'm.room.name',
      isState: true,
      expected: 70,
    },
    {
      title: 'events_default applies to unlisted messages',
      state: custom,
      type: 'm.room.message',
      isState: false,
      expected: 20,
    },
  ])('$title', ({ state: authState, type, isState, expected }) => {
    expect(requiredPowerLevel(type, isState, authState)).toBe(expected);
  });

  it('gives @room notifications level 50 unless notifications says otherwise', () => {
    expect(requiredNotificationLevel('room', noLevels)).toBe(50);
    expect(
      requiredNotificationLevel('room', buildRoom('11', { powerLevels: () => ({ notifications: { room: 0 } }) })),
    ).toBe(0);
  });
});

describe(mayRedact.name, () => {
  const redaction = (version: RoomVersion, sender: string): AuthEvent => ({
    type: 'm.room.redaction',
    sender,
    room_id: roomIdFor(version),
    content: { redacts: '$original' },
  });
  const original = (version: RoomVersion, sender: string, roomId = roomIdFor(version)): AuthEvent => ({
    type: 'm.room.message',
    sender,
    room_id: roomId,
    content: { body: 'oops' },
  });
  const rows: {
    title: string;
    versions?: readonly RoomVersion[];
    room?: RoomSpec;
    redactor: string;
    author: string;
    otherRoom?: boolean;
    allowed: boolean;
  }[] = [
    { title: 'a member redacts their own event', redactor: bob, author: bob, allowed: true },
    { title: 'a member cannot redact someone else’s event', redactor: bob, author: zed, allowed: false },
    {
      title: 'a moderator at the redact level redacts someone else’s event',
      redactor: mod,
      author: bob,
      allowed: true,
    },
    {
      title: 'the redact level can be lowered to let members redact others',
      room: { powerLevels: withLevels({ redact: 0 }) },
      redactor: bob,
      author: zed,
      allowed: true,
    },
    { title: 'a same-server sender is not enough on a single server', redactor: bob, author: leo, allowed: false },
    {
      title: 'without power levels the creator redacts others (redact level 50)',
      room: { powerLevels: null },
      redactor: alice,
      author: bob,
      allowed: true,
    },
    {
      title: 'the v10/v11 creator at 100 cannot redact when redact needs 200',
      versions: V10_V11,
      room: { powerLevels: withLevels({ redact: 200 }) },
      redactor: alice,
      author: bob,
      allowed: false,
    },
    {
      title: 'a v12 creator always reaches the redact level',
      versions: V12,
      room: { powerLevels: withLevels({ redact: 200 }) },
      redactor: alice,
      author: bob,
      allowed: true,
    },
    {
      title: 'an event of another room cannot be redacted',
      redactor: mod,
      author: bob,
      otherRoom: true,
      allowed: false,
    },
  ];
  const cases = rows.flatMap((row) =>
    (row.versions ?? ALL_VERSIONS).map((version) => ({ ...row, version, name: `v${version} ${row.title}` })),
  );
  it.each(cases)('$name', ({ version, room, redactor, author, otherRoom, allowed }) => {
    const target = original(version, author, otherRoom ? '!elsewhere:bureau.test' : undefined);
    const sut = mayRedact(redaction(version, redactor), target, buildRoom(version, room), version);
    expect(sut.allowed).toBe(allowed);
    if (otherRoom) expect(sut).toMatchObject({ code: 'M_INVALID_PARAM' });
  });
});

describe(defaultPowerLevelsContent.name, () => {
  const content = (preset: RoomPreset, roomVersion: RoomVersion) =>
    defaultPowerLevelsContent({ preset, creator: alice, roomVersion, invitees: [bob] });

  it.each([
    { preset: 'private_chat' as const, invite: 0 },
    { preset: 'trusted_private_chat' as const, invite: 0 },
    { preset: 'public_chat' as const, invite: 50 },
  ])('$preset sets the invite level to $invite', ({ preset, invite }) => {
    expect(content(preset, '11')).toMatchObject({ invite, state_default: 50, events_default: 0, ban: 50, kick: 50 });
  });

  it('lists the v10/v11 creator at 100 and, for trusted_private_chat, the invitees too', () => {
    expect(content('private_chat', '11').users).toEqual({ [alice]: 100 });
    expect(content('trusted_private_chat', '10').users).toEqual({ [alice]: 100, [bob]: 100 });
  });

  it('lists no creator in v12 and puts the tombstone above state_default', () => {
    const v12 = content('trusted_private_chat', '12');
    expect(v12.users).toEqual({});
    expect((v12.events as Content)['m.room.tombstone']).toBe(150);
    expect((content('public_chat', '11').events as Content)['m.room.tombstone']).toBe(100);
  });
});
