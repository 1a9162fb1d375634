import { isValidUserId } from './identifiers.ts';
import { isKnownRoomVersion, type BuildableRoomVersion } from './room-versions.ts';

/**
 * Matrix event authorisation rules for room versions 10, 11 and 12.
 *
 * A pure function of (event, current room state, room version): no I/O, no clock. It implements the
 * "Authorisation rules" section of `rooms/v10.md`, `rooms/v11.md` and `rooms/v12.md` of the Matrix
 * specification, rule by rule and in the spec's order; every rejection names the rule that fired in
 * the numbering of the room version being checked (v12 inserted a rule 2, so its later rules are shifted).
 *
 * A single homeserver appends each room's events linearly and computes the auth state itself, so the
 * rules about the `auth_events` list (v10/v11 rule 2, v12 rule 3) reduce to "the room has a create event
 * and every auth event belongs to this room", and state resolution is not needed. See AUTH-RULES.md.
 */

export type EventContent = Readonly<Record<string, unknown>>;

/** The fields of a PDU that the authorisation rules read. */
export interface AuthEvent {
  readonly type: string;
  /** Present on state events (an empty string is a valid state key). */
  readonly state_key?: string;
  readonly sender: string;
  readonly content: EventContent;
  /** Absent on a v12 `m.room.create` event: its room ID is derived from its event ID. */
  readonly room_id?: string;
  readonly event_id?: string;
  /**
   * The events this one follows. Only rule 1.1 (a create event has none) and the creator's first join
   * (join rule 1: "the only previous event is an `m.room.create`") read it.
   */
  readonly prev_events?: readonly string[];
}

/** A state event as held in the room's current state. */
export interface AuthStateEvent extends AuthEvent {
  readonly state_key: string;
}

/**
 * The room state the rules consult: `m.room.create`, `m.room.power_levels`, `m.room.join_rules`,
 * `m.room.member` (sender, target, restricted-join authoriser) and `m.room.third_party_invite` (by token).
 */
export interface AuthState {
  get(type: string, stateKey: string): AuthStateEvent | undefined;
}

/** Hooks for the checks that need cryptography or knowledge of the signing servers. */
export interface AuthCheckOptions {
  /**
   * Member rule 2: is the event validly signed by the homeserver of `authorisingUserId` (the value of
   * `join_authorised_via_users_server`)? Defaults to "that user is on the sender's server": on a single
   * homeserver every event is signed by the one local server and nothing else.
   */
  readonly isSignedByServerOf?: (event: AuthEvent, authorisingUserId: string) => boolean;
  /**
   * Third-party invite rule 7: does any signature in `signed` verify against one of `publicKeys`
   * (unpadded base64 ed25519 keys from the `m.room.third_party_invite` event)? Without it, every
   * third-party invite is rejected.
   */
  readonly verifyThirdPartyInviteSignature?: (signed: EventContent, publicKeys: readonly string[]) => boolean;
}

export type AuthErrorCode = 'M_FORBIDDEN' | 'M_BAD_JSON' | 'M_UNSUPPORTED_ROOM_VERSION' | 'M_INVALID_PARAM';

export type AuthResult =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly code: AuthErrorCode;
      /** The spec rule that rejected the event, numbered as in the room version's own page (e.g. `5.3.3`). */
      readonly rule: string;
      readonly reason: string;
    };

/** A user's power level; room creators in v12 have `Infinity`. */
export type PowerLevel = number;

/** The `m.room.power_levels` content with every default of the spec applied. */
export interface PowerLevels {
  readonly ban: number;
  readonly kick: number;
  readonly invite: number;
  readonly redact: number;
  readonly stateDefault: number;
  readonly eventsDefault: number;
  readonly usersDefault: number;
  readonly events: Readonly<Record<string, number>>;
  readonly notifications: Readonly<Record<string, number>>;
  readonly users: Readonly<Record<string, number>>;
}

export type RoomPreset = 'private_chat' | 'trusted_private_chat' | 'public_chat';

const CREATE = 'm.room.create';
const MEMBER = 'm.room.member';
const POWER_LEVELS = 'm.room.power_levels';
const JOIN_RULES = 'm.room.join_rules';
const THIRD_PARTY_INVITE = 'm.room.third_party_invite';

/** Power-level properties that rule "power_levels 1" and "5" (v12: 1 and 6) inspect. */
const LEVEL_PROPERTIES = [
  'users_default',
  'events_default',
  'state_default',
  'ban',
  'redact',
  'kick',
  'invite',
] as const;

const ALLOWED: AuthResult = { allowed: true };

/**
 * Decides whether `event` may be appended to a room whose current state is `authState`.
 *
 * Implements every rule of the room version's "Authorisation rules" section. The result of a rejection
 * carries a Matrix error code (`M_FORBIDDEN` for permissions, `M_BAD_JSON` for malformed content),
 * the rule number and an English reason.
 */
export function checkEventAuth(
  event: AuthEvent,
  authState: AuthState,
  roomVersion: BuildableRoomVersion,
  options: AuthCheckOptions = {},
): AuthResult {
  const rules = new RuleNumbering(roomVersion);

  if (event.type === CREATE) return checkCreateEvent(event, authState, roomVersion);

  const create = authState.get(CREATE, '');
  if (!create) {
    return reject('M_FORBIDDEN', roomVersion === '12' ? '2' : '2.4', 'The room has no m.room.create event.');
  }
  // v12 rule 2: the room ID is the create event's ID with the `!` sigil.
  if (roomVersion === '12' && (!create.event_id?.startsWith('$') || event.room_id !== `!${create.event_id.slice(1)}`)) {
    return reject('M_FORBIDDEN', '2', 'The room ID is not the ID of the room’s create event.');
  }

  const foreignAuthEvent = selectAuthEvents(event, authState).find(
    (authEvent) => authEvent.room_id !== undefined && authEvent.room_id !== event.room_id,
  );
  if (foreignAuthEvent) {
    return reject('M_FORBIDDEN', rules.top('2.5'), `An auth event (${foreignAuthEvent.type}) belongs to another room.`);
  }

  if (create.content['m.federate'] === false && serverNameOf(event.sender) !== serverNameOf(create.sender)) {
    return reject('M_FORBIDDEN', rules.top('3'), 'The room is not federated and the sender is on another server.');
  }

  if (event.type === MEMBER) return checkMemberEvent(event, authState, roomVersion, create, rules, options);

  if (membershipOf(event.sender, authState) !== 'join') {
    return reject('M_FORBIDDEN', rules.top('5'), 'The sender is not joined to the room.');
  }

  const senderLevel = powerLevelOf(event.sender, authState, roomVersion);
  const levels = powerLevelsOf(authState);

  if (event.type === THIRD_PARTY_INVITE) {
    return senderLevel >= levels.invite
      ? ALLOWED
      : reject('M_FORBIDDEN', rules.top('6.1'), 'The sender’s power level is below the invite level.');
  }

  const required = requiredPowerLevel(event.type, event.state_key !== undefined, authState);
  if (required > senderLevel) {
    return reject(
      'M_FORBIDDEN',
      rules.top('7'),
      `Sending ${event.type} requires power level ${required}; the sender has ${formatLevel(senderLevel)}.`,
    );
  }

  if (event.state_key?.startsWith('@') && event.state_key !== event.sender) {
    return reject('M_FORBIDDEN', rules.top('8'), 'A state key starting with @ must be the sender’s own user ID.');
  }

  if (event.type === POWER_LEVELS) {
    return checkPowerLevelsEvent(event, authState, roomVersion, create, senderLevel, rules);
  }

  return ALLOWED;
}

/**
 * A user's power level in the room: `Infinity` for v12 creators; otherwise `users[userId]`, else
 * `users_default`, else 0; without a power levels event, 100 for the v10/v11 creator and 0 for others.
 */
export function powerLevelOf(userId: string, authState: AuthState, roomVersion: BuildableRoomVersion): PowerLevel {
  const create = authState.get(CREATE, '');
  if (roomVersion === '12' && create && roomCreatorsOf(create, roomVersion).includes(userId)) return Infinity;
  const powerLevelsEvent = authState.get(POWER_LEVELS, '');
  if (powerLevelsEvent) {
    const levels = normalisePowerLevels(powerLevelsEvent.content);
    return levels.users[userId] ?? levels.usersDefault;
  }
  if (roomVersion !== '12' && create && roomCreatorsOf(create, roomVersion).includes(userId)) return 100;
  return 0;
}

/**
 * The power level needed to send an event of `eventType`: `events[eventType]`, else `state_default`
 * (50) for a state event or `events_default` (0) for a message event. Membership events are governed
 * by the invite/kick/ban levels in the auth rules instead; this returns their `events` level.
 */
export function requiredPowerLevel(eventType: string, isState: boolean, authState: AuthState): number {
  const levels = powerLevelsOf(authState);
  return levels.events[eventType] ?? (isState ? levels.stateDefault : levels.eventsDefault);
}

/** The level a sender needs for a `sender_notification_permission` push condition (e.g. `room` for @room). */
export function requiredNotificationLevel(key: string, authState: AuthState): number {
  // The spec only gives `room` a default (50); other keys use the same value rather than letting anyone notify.
  return powerLevelsOf(authState).notifications[key] ?? 50;
}

/** The room's power levels with the spec's defaults (also when the room has no power levels event). */
export function powerLevelsOf(authState: AuthState): PowerLevels {
  return normalisePowerLevels(authState.get(POWER_LEVELS, '')?.content ?? {});
}

/**
 * The room creators: the create event's sender, plus `additional_creators` in v12; `content.creator`
 * in v10 (the field was removed in v11).
 */
export function roomCreatorsOf(create: AuthEvent, roomVersion: BuildableRoomVersion): readonly string[] {
  if (roomVersion === '10') {
    const creator = create.content.creator;
    return typeof creator === 'string' ? [creator] : [];
  }
  if (roomVersion === '11') return [create.sender];
  const additional = create.content.additional_creators;
  const extra = Array.isArray(additional) ? additional.filter((id): id is string => typeof id === 'string') : [];
  return [create.sender, ...extra];
}

/**
 * Whether a redaction authorised by {@link checkEventAuth} may be applied to `original` ("Handling
 * redactions", and the `redact` level of `m.room.power_levels`): a user may redact their own events;
 * redacting someone else's needs the redact level. The room-version rule that also accepts any sender
 * of the original event's server exists for federation (the remote server vouches for its users); on
 * a single server that server is this one, so it narrows to "same sender".
 */
export function mayRedact(
  redaction: AuthEvent,
  original: AuthEvent,
  authState: AuthState,
  roomVersion: BuildableRoomVersion,
): AuthResult {
  if (original.room_id !== redaction.room_id) {
    return reject('M_INVALID_PARAM', 'handling-redactions', 'The redacted event belongs to another room.');
  }
  if (redaction.sender === original.sender) return ALLOWED;
  const redactorLevel = powerLevelOf(redaction.sender, authState, roomVersion);
  const redactLevel = powerLevelsOf(authState).redact;
  return redactorLevel >= redactLevel
    ? ALLOWED
    : reject(
        'M_FORBIDDEN',
        'handling-redactions',
        `Redacting another user’s event requires power level ${redactLevel}; the sender has ${formatLevel(redactorLevel)}.`,
      );
}

/**
 * The content of the `m.room.power_levels` event `createRoom` sends (spec: createRoom step 3), before
 * `power_level_content_override`. The numbers follow Synapse's widely deployed defaults (the spec fixes
 * only the property defaults): the creator at 100 in v10/v11 (v12 creators are implicit and must not be
 * listed), `trusted_private_chat` invitees at the creator's level in v10/v11 (in v12 they belong in the
 * create event's `additional_creators` instead), invite level 0 in private presets, and in v12 the
 * tombstone level above `state_default` as the spec requires.
 */
export function defaultPowerLevelsContent(input: {
  readonly preset: RoomPreset;
  readonly creator: string;
  readonly roomVersion: BuildableRoomVersion;
  readonly invitees?: readonly string[];
}): Record<string, unknown> {
  const isV12 = input.roomVersion === '12';
  const users: Record<string, number> = {};
  if (!isV12) {
    users[input.creator] = 100;
    if (input.preset === 'trusted_private_chat') for (const invitee of input.invitees ?? []) users[invitee] = 100;
  }
  return {
    users,
    users_default: 0,
    events: {
      'm.room.name': 50,
      'm.room.power_levels': 100,
      'm.room.history_visibility': 100,
      'm.room.canonical_alias': 50,
      'm.room.avatar': 50,
      'm.room.tombstone': isV12 ? 150 : 100,
      'm.room.server_acl': 100,
      'm.room.encryption': 100,
    },
    events_default: 0,
    state_default: 50,
    ban: 50,
    kick: 50,
    redact: 50,
    invite: input.preset === 'public_chat' ? 50 : 0,
  };
}

/** A Map-backed {@link AuthState} over a room's current state events (later events replace earlier ones). */
export function authStateFromEvents(events: Iterable<AuthStateEvent>): AuthState {
  const byKey = new Map<string, AuthStateEvent>();
  for (const event of events) byKey.set(stateMapKey(event.type, event.state_key), event);
  return { get: (type, stateKey) => byKey.get(stateMapKey(type, stateKey)) };
}

// ---------------------------------------------------------------------------------------------------------------
// Rule 1: m.room.create

function checkCreateEvent(event: AuthEvent, authState: AuthState, roomVersion: BuildableRoomVersion): AuthResult {
  // A caller that leaves prev_events out is still held to rule 1.1: a room that already has state has events.
  if ((event.prev_events?.length ?? 0) > 0 || authState.get(CREATE, '') !== undefined) {
    return reject('M_FORBIDDEN', '1.1', 'A create event must be the first event of its room.');
  }
  if (roomVersion === '12') {
    if (event.room_id !== undefined) {
      return reject('M_BAD_JSON', '1.2', 'A v12 create event must not have a room_id: it is derived from its ID.');
    }
  } else if (event.room_id === undefined || serverNameOf(event.room_id) !== serverNameOf(event.sender)) {
    return reject('M_FORBIDDEN', '1.2', 'The room ID’s server name differs from the sender’s.');
  }
  const version = event.content.room_version;
  if (version !== undefined && (typeof version !== 'string' || !isKnownRoomVersion(version))) {
    return reject('M_UNSUPPORTED_ROOM_VERSION', '1.3', `Room version ${JSON.stringify(version)} is not recognised.`);
  }
  if (roomVersion === '10' && !('creator' in event.content)) {
    return reject('M_BAD_JSON', '1.4', 'A v10 create event needs content.creator.');
  }
  if (roomVersion === '12' && 'additional_creators' in event.content) {
    const additional = event.content.additional_creators;
    if (!Array.isArray(additional) || !additional.every((id) => typeof id === 'string' && isHistoricalUserId(id))) {
      return reject('M_BAD_JSON', '1.4', 'additional_creators must be an array of valid user IDs.');
    }
  }
  return ALLOWED;
}

// ---------------------------------------------------------------------------------------------------------------
// Rule 4 (v12: 5): m.room.member

function checkMemberEvent(
  event: AuthEvent,
  authState: AuthState,
  roomVersion: BuildableRoomVersion,
  create: AuthStateEvent,
  rules: RuleNumbering,
  options: AuthCheckOptions,
): AuthResult {
  const target = event.state_key;
  const membership = event.content.membership;
  if (target === undefined || typeof membership !== 'string') {
    return reject('M_BAD_JSON', rules.top('4.1'), 'A member event needs a state_key and content.membership.');
  }

  const authoriser = event.content.join_authorised_via_users_server;
  if (authoriser !== undefined) {
    const isSignedByServerOf = options.isSignedByServerOf ?? isOnSendersServer;
    if (typeof authoriser !== 'string' || !isHistoricalUserId(authoriser) || !isSignedByServerOf(event, authoriser)) {
      return reject(
        'M_FORBIDDEN',
        rules.top('4.2.1'),
        'The event is not signed by the server of join_authorised_via_users_server.',
      );
    }
  }

  const senderMembership = membershipOf(event.sender, authState);
  const targetMembership = membershipOf(target, authState);
  const levels = powerLevelsOf(authState);
  const levelOf = (userId: string) => powerLevelOf(userId, authState, roomVersion);

  switch (membership) {
    case 'join': {
      const isFirstEventAfterCreate =
        event.prev_events?.length === 1 && create.event_id !== undefined && event.prev_events[0] === create.event_id;
      if (isFirstEventAfterCreate && roomCreatorsOf(create, roomVersion)[0] === target) return ALLOWED;
      if (event.sender !== target) {
        return reject('M_FORBIDDEN', rules.top('4.3.2'), 'A user can only join on their own behalf.');
      }
      if (senderMembership === 'ban') return reject('M_FORBIDDEN', rules.top('4.3.3'), 'The sender is banned.');
      const joinRule = joinRuleOf(authState);
      if (joinRule === 'invite' || joinRule === 'knock') {
        return senderMembership === 'invite' || senderMembership === 'join'
          ? ALLOWED
          : reject('M_FORBIDDEN', rules.top('4.3.4'), `The room is ${joinRule}-only and the sender is not invited.`);
      }
      if (joinRule === 'restricted' || joinRule === 'knock_restricted') {
        if (senderMembership === 'join' || senderMembership === 'invite') return ALLOWED;
        if (
          typeof authoriser !== 'string' ||
          membershipOf(authoriser, authState) !== 'join' ||
          levelOf(authoriser) < levels.invite
        ) {
          return reject(
            'M_FORBIDDEN',
            rules.top('4.3.5.2'),
            'A restricted join needs join_authorised_via_users_server naming a joined member with invite power.',
          );
        }
        return ALLOWED;
      }
      if (joinRule === 'public') return ALLOWED;
      return reject('M_FORBIDDEN', rules.top('4.3.7'), `The join rule ${JSON.stringify(joinRule)} admits no one.`);
    }

    case 'invite': {
      if ('third_party_invite' in event.content) {
        return checkThirdPartyInvite(event, target, targetMembership, authState, rules, options);
      }
      if (senderMembership !== 'join') {
        return reject('M_FORBIDDEN', rules.top('4.4.2'), 'The inviter is not joined to the room.');
      }
      if (targetMembership === 'join' || targetMembership === 'ban') {
        return reject(
          'M_FORBIDDEN',
          rules.top('4.4.3'),
          `The invited user is ${targetMembership === 'join' ? 'already joined' : 'banned'}.`,
        );
      }
      return levelOf(event.sender) >= levels.invite
        ? ALLOWED
        : reject('M_FORBIDDEN', rules.top('4.4.5'), 'The inviter’s power level is below the invite level.');
    }

    case 'leave': {
      if (event.sender === target) {
        return senderMembership === 'invite' || senderMembership === 'join' || senderMembership === 'knock'
          ? ALLOWED
          : reject('M_FORBIDDEN', rules.top('4.5.1'), 'Only an invited, joined or knocking user can leave.');
      }
      if (senderMembership !== 'join') {
        return reject('M_FORBIDDEN', rules.top('4.5.2'), 'The sender is not joined to the room.');
      }
      const senderLevel = levelOf(event.sender);
      if (targetMembership === 'ban' && senderLevel < levels.ban) {
        return reject('M_FORBIDDEN', rules.top('4.5.3'), 'Unbanning needs the ban level.');
      }
      return senderLevel >= levels.kick && levelOf(target) < senderLevel
        ? ALLOWED
        : reject(
            'M_FORBIDDEN',
            rules.top('4.5.5'),
            'Kicking needs the kick level and a power level above the target’s.',
          );
    }

    case 'ban': {
      if (senderMembership !== 'join') {
        return reject('M_FORBIDDEN', rules.top('4.6.1'), 'The sender is not joined to the room.');
      }
      const senderLevel = levelOf(event.sender);
      return senderLevel >= levels.ban && levelOf(target) < senderLevel
        ? ALLOWED
        : reject(
            'M_FORBIDDEN',
            rules.top('4.6.3'),
            'Banning needs the ban level and a power level above the target’s.',
          );
    }

    case 'knock': {
      const joinRule = joinRuleOf(authState);
      if (joinRule !== 'knock' && joinRule !== 'knock_restricted') {
        return reject('M_FORBIDDEN', rules.top('4.7.1'), 'The room does not accept knocks.');
      }
      if (event.sender !== target) {
        return reject('M_FORBIDDEN', rules.top('4.7.2'), 'A user can only knock on their own behalf.');
      }
      return senderMembership !== 'ban' && senderMembership !== 'invite' && senderMembership !== 'join'
        ? ALLOWED
        : reject('M_FORBIDDEN', rules.top('4.7.4'), `The sender is already ${senderMembership ?? 'in the room'}.`);
    }

    default:
      return reject('M_BAD_JSON', rules.top('4.8'), `Unknown membership ${JSON.stringify(membership)}.`);
  }
}

function checkThirdPartyInvite(
  event: AuthEvent,
  target: string,
  targetMembership: string | undefined,
  authState: AuthState,
  rules: RuleNumbering,
  options: AuthCheckOptions,
): AuthResult {
  if (targetMembership === 'ban') return reject('M_FORBIDDEN', rules.top('4.4.1.1'), 'The invited user is banned.');
  const invite = event.content.third_party_invite;
  const signed = isRecord(invite) ? invite.signed : undefined;
  if (!isRecord(signed)) {
    return reject('M_BAD_JSON', rules.top('4.4.1.2'), 'third_party_invite has no signed object.');
  }
  const { mxid, token } = signed;
  if (typeof mxid !== 'string' || typeof token !== 'string') {
    return reject('M_BAD_JSON', rules.top('4.4.1.3'), 'third_party_invite.signed needs mxid and token.');
  }
  if (mxid !== target) {
    return reject('M_FORBIDDEN', rules.top('4.4.1.4'), 'third_party_invite.signed.mxid is not the invited user.');
  }
  const thirdPartyInvite = authState.get(THIRD_PARTY_INVITE, token);
  if (!thirdPartyInvite) {
    return reject('M_FORBIDDEN', rules.top('4.4.1.5'), 'No m.room.third_party_invite matches the token.');
  }
  if (thirdPartyInvite.sender !== event.sender) {
    return reject('M_FORBIDDEN', rules.top('4.4.1.6'), 'Only the sender of the third-party invite can complete it.');
  }
  const publicKeys = thirdPartyInvitePublicKeys(thirdPartyInvite.content);
  const verify = options.verifyThirdPartyInviteSignature;
  if (publicKeys.length > 0 && verify?.(signed, publicKeys)) return ALLOWED;
  return reject(
    'M_FORBIDDEN',
    rules.top('4.4.1.8'),
    'No signature in third_party_invite.signed matches a public key of the invite.',
  );
}

function thirdPartyInvitePublicKeys(content: EventContent): string[] {
  const keys: string[] = [];
  if (typeof content.public_key === 'string') keys.push(content.public_key);
  if (Array.isArray(content.public_keys)) {
    for (const entry of content.public_keys as unknown[]) {
      if (isRecord(entry) && typeof entry.public_key === 'string') keys.push(entry.public_key);
    }
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------------------------
// Rule 9 (v12: 10): m.room.power_levels

function checkPowerLevelsEvent(
  event: AuthEvent,
  authState: AuthState,
  roomVersion: BuildableRoomVersion,
  create: AuthStateEvent,
  senderLevel: PowerLevel,
  rules: RuleNumbering,
): AuthResult {
  const content = event.content;
  for (const property of LEVEL_PROPERTIES) {
    if (property in content && !isPowerLevelInteger(content[property])) {
      return reject('M_BAD_JSON', rules.powerLevels(1), `${property} must be an integer.`);
    }
  }
  for (const property of ['events', 'notifications'] as const) {
    if (property in content && !isIntegerMap(content[property])) {
      return reject('M_BAD_JSON', rules.powerLevels(2), `${property} must be an object of integers.`);
    }
  }
  if ('users' in content) {
    const users = content.users;
    if (!isIntegerMap(users) || !Object.keys(users).every(isHistoricalUserId)) {
      return reject('M_BAD_JSON', rules.powerLevels(3), 'users must map valid user IDs to integers.');
    }
    if (roomVersion === '12') {
      const listedCreator = roomCreatorsOf(create, roomVersion).find((creator) => Object.hasOwn(users, creator));
      if (listedCreator !== undefined) {
        return reject('M_BAD_JSON', '10.4', `Room creator ${listedCreator} cannot be listed in users.`);
      }
    }
  }

  const previous = authState.get(POWER_LEVELS, '');
  if (!previous) return ALLOWED;
  const before = previous.content;
  const exceeds = (value: unknown) => typeof value === 'number' && value > senderLevel;

  for (const property of LEVEL_PROPERTIES) {
    const [oldValue, newValue] = [before[property], content[property]];
    if (oldValue === newValue) continue;
    if (exceeds(oldValue)) {
      return reject('M_FORBIDDEN', rules.powerLevels(5, 1), `Cannot change ${property}: it is above your level.`);
    }
    if (exceeds(newValue)) {
      return reject('M_FORBIDDEN', rules.powerLevels(5, 2), `Cannot set ${property} above your level.`);
    }
  }

  for (const property of ['events', 'notifications'] as const) {
    const oldMap = asRecord(before[property]);
    const newMap = asRecord(content[property]);
    for (const key of Object.keys(oldMap)) {
      if (oldMap[key] !== newMap[key] && exceeds(oldMap[key])) {
        return reject(
          'M_FORBIDDEN',
          rules.powerLevels(6, 1),
          `Cannot change ${property}.${key}: it is above your level.`,
        );
      }
    }
    for (const key of Object.keys(newMap)) {
      if (oldMap[key] !== newMap[key] && exceeds(newMap[key])) {
        return reject('M_FORBIDDEN', rules.powerLevels(7, 1), `Cannot set ${property}.${key} above your level.`);
      }
    }
  }

  const oldUsers = asRecord(before.users);
  const newUsers = asRecord(content.users);
  for (const userId of Object.keys(oldUsers)) {
    const oldValue = oldUsers[userId];
    if (userId === event.sender || oldValue === newUsers[userId]) continue;
    if (typeof oldValue === 'number' && oldValue >= senderLevel) {
      return reject('M_FORBIDDEN', rules.powerLevels(8, 1), `Cannot change ${userId}: their level is not below yours.`);
    }
  }
  for (const userId of Object.keys(newUsers)) {
    if (oldUsers[userId] !== newUsers[userId] && exceeds(newUsers[userId])) {
      return reject('M_FORBIDDEN', rules.powerLevels(9, 1), `Cannot give ${userId} a level above yours.`);
    }
  }
  return ALLOWED;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** Maps the v10/v11 rule numbers to the room version's own numbering (v12 inserted rules 2 and 10.4). */
class RuleNumbering {
  private readonly isV12: boolean;

  constructor(roomVersion: BuildableRoomVersion) {
    this.isV12 = roomVersion === '12';
  }

  /** `rule` in v10/v11 numbering (rule 2 onwards), shifted by one top-level rule in v12. */
  top(rule: string): string {
    if (!this.isV12) return rule;
    const [first = '', ...rest] = rule.split('.');
    return [String(Number(first) + 1), ...rest].join('.');
  }

  /** Sub-rule `sub` of the power levels rule (v10/v11: 9, v12: 10, where 10.4 was inserted). */
  powerLevels(sub: number, subSub?: number): string {
    const suffix = subSub === undefined ? '' : `.${subSub}`;
    return this.isV12 ? `10.${sub >= 4 ? sub + 1 : sub}${suffix}` : `9.${sub}${suffix}`;
  }
}

function reject(code: AuthErrorCode, rule: string, reason: string): AuthResult {
  return { allowed: false, code, rule, reason };
}

/** The auth events a server would select for `event` (server-server API "Auth events selection"). */
function selectAuthEvents(event: AuthEvent, authState: AuthState): AuthStateEvent[] {
  const selected = [authState.get(CREATE, ''), authState.get(POWER_LEVELS, ''), authState.get(MEMBER, event.sender)];
  if (event.type === MEMBER && event.state_key !== undefined) {
    const membership = event.content.membership;
    selected.push(authState.get(MEMBER, event.state_key));
    if (membership === 'join' || membership === 'invite' || membership === 'knock') {
      selected.push(authState.get(JOIN_RULES, ''));
    }
    const signed = asRecord(asRecord(event.content.third_party_invite).signed);
    if (membership === 'invite' && typeof signed.token === 'string') {
      selected.push(authState.get(THIRD_PARTY_INVITE, signed.token));
    }
    const authoriser = event.content.join_authorised_via_users_server;
    if (membership === 'join' && typeof authoriser === 'string') selected.push(authState.get(MEMBER, authoriser));
  }
  return selected.filter((authEvent): authEvent is AuthStateEvent => authEvent !== undefined);
}

function normalisePowerLevels(content: EventContent): PowerLevels {
  const level = (key: string, fallback: number) => {
    const value = content[key];
    return isPowerLevelInteger(value) ? value : fallback;
  };
  return {
    ban: level('ban', 50),
    kick: level('kick', 50),
    invite: level('invite', 0),
    redact: level('redact', 50),
    stateDefault: level('state_default', 50),
    eventsDefault: level('events_default', 0),
    usersDefault: level('users_default', 0),
    events: integerEntries(content.events),
    notifications: { room: 50, ...integerEntries(content.notifications) },
    users: integerEntries(content.users),
  };
}

function integerEntries(value: unknown): Record<string, number> {
  const entries: Record<string, number> = {};
  for (const [key, entry] of Object.entries(asRecord(value))) if (isPowerLevelInteger(entry)) entries[key] = entry;
  return entries;
}

function membershipOf(userId: string, authState: AuthState): string | undefined {
  const membership = authState.get(MEMBER, userId)?.content.membership;
  return typeof membership === 'string' ? membership : undefined;
}

/** The room's join rule; a room without `m.room.join_rules` is invite-only (as Synapse and Conduit assume). */
function joinRuleOf(authState: AuthState): string {
  const joinRule = authState.get(JOIN_RULES, '')?.content.join_rule;
  return typeof joinRule === 'string' ? joinRule : 'invite';
}

/** Canonical JSON integers: the range [-(2^53)+1, (2^53)-1] that power levels must respect. */
function isPowerLevelInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function isIntegerMap(value: unknown): value is Record<string, number> {
  return isRecord(value) && Object.values(value).every(isPowerLevelInteger);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function stateMapKey(type: string, stateKey: string): string {
  return JSON.stringify([type, stateKey]);
}

/** User IDs in events follow the historical grammar (any localpart but `:` and NUL), which servers must accept. */
function isHistoricalUserId(userId: string): boolean {
  return isValidUserId(userId, 'historical');
}

/** The server name of a user or room ID (`@local:server` or `!opaque:server`), or undefined. */
function serverNameOf(id: string): string | undefined {
  const separator = id.indexOf(':');
  return separator < 0 ? undefined : id.slice(separator + 1);
}

function isOnSendersServer(event: AuthEvent, authorisingUserId: string): boolean {
  return serverNameOf(authorisingUserId) === serverNameOf(event.sender);
}

function formatLevel(level: PowerLevel): string {
  return level === Infinity ? 'creator (infinite) power' : String(level);
}
