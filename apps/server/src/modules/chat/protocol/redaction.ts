import { roomVersionRules } from './room-versions.ts';
import type { RedactionRules } from './room-versions.ts';

/**
 * The redaction algorithm (spec: rooms/fragments/v1-redactions.md, v6-, v8 (in rooms/v8.md), v9-,
 * v11-redactions.md): what is left of an event once redacted. Event IDs, content hashes' signatures and
 * auth all depend on it, so it must match other servers key for key.
 */

export type JsonObject = Record<string, unknown>;

/** Top-level keys every room version keeps. */
const alwaysKeptTopLevelKeys = [
  'event_id',
  'type',
  'room_id',
  'sender',
  'state_key',
  'content',
  'hashes',
  'signatures',
  'depth',
  'prev_events',
  'auth_events',
  'origin_server_ts',
] as const;

/** Kept up to room version 10, no longer from v11. */
const legacyTopLevelKeys = ['prev_state', 'origin', 'membership'] as const;

/** Top-level keys `redactEvent` keeps in `roomVersion`. */
export function protectedTopLevelKeys(roomVersion: string): readonly string[] {
  const rules = roomVersionRules(roomVersion).redaction;
  return rules.keepsLegacyTopLevelKeys ? [...alwaysKeptTopLevelKeys, ...legacyTopLevelKeys] : alwaysKeptTopLevelKeys;
}

/**
 * Content keys of an event of `eventType` that survive redaction in `roomVersion`; `'all'` when the whole
 * content is kept (`m.room.create` from v11). `m.room.member`'s `third_party_invite` is listed when only its
 * `signed` member survives (v11+).
 */
export function protectedContentKeys(eventType: string, roomVersion: string): readonly string[] | 'all' {
  return contentKeysFor(eventType, roomVersionRules(roomVersion).redaction);
}

function contentKeysFor(eventType: string, rules: RedactionRules): readonly string[] | 'all' {
  switch (eventType) {
    case 'm.room.member':
      return [
        'membership',
        ...(rules.keepsJoinAuthorisedViaUsersServer ? ['join_authorised_via_users_server'] : []),
        ...(rules.keepsThirdPartyInviteSigned ? ['third_party_invite'] : []),
      ];
    case 'm.room.create':
      return rules.keepsAllCreateContent ? 'all' : ['creator'];
    case 'm.room.join_rules':
      return rules.keepsJoinRulesAllow ? ['join_rule', 'allow'] : ['join_rule'];
    case 'm.room.power_levels':
      return [
        'ban',
        'events',
        'events_default',
        ...(rules.keepsPowerLevelsInvite ? ['invite'] : []),
        'kick',
        'redact',
        'state_default',
        'users',
        'users_default',
      ];
    case 'm.room.history_visibility':
      return ['history_visibility'];
    case 'm.room.aliases':
      return rules.keepsAliases ? ['aliases'] : [];
    case 'm.room.redaction':
      return rules.keepsRedactionRedacts ? ['redacts'] : [];
    default:
      return [];
  }
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOwn(object: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/**
 * The redacted copy of `content` for an event of `eventType`. Kept values are deep copies, so editing the
 * result never changes the original.
 */
export function redactContent(eventType: string, content: JsonObject, roomVersion: string): JsonObject {
  const keys = contentKeysFor(eventType, roomVersionRules(roomVersion).redaction);
  if (keys === 'all') return structuredClone(content);
  const redacted: JsonObject = {};
  for (const key of keys) {
    if (!hasOwn(content, key)) continue;
    if (eventType === 'm.room.member' && key === 'third_party_invite') {
      // v11: "allows the `signed` key of the `third_party_invite` key" — the rest of the invite goes.
      const invite = content[key];
      if (isPlainObject(invite) && hasOwn(invite, 'signed')) {
        redacted[key] = { signed: structuredClone(invite.signed) };
      }
      continue;
    }
    redacted[key] = structuredClone(content[key]);
  }
  return redacted;
}

/**
 * Applies the redaction algorithm of `roomVersion` to `event` (federation or client format) and returns a
 * new object: top-level keys outside the version's list go (`unsigned` included; the client-server layer
 * adds `unsigned.redacted_because` itself when serving), and `content` keeps only the protected keys of the
 * event's type. Throws `UnsupportedRoomVersionError` for an unknown room version.
 */
export function redactEvent(event: JsonObject, roomVersion: string): JsonObject {
  const redacted: JsonObject = {};
  for (const key of protectedTopLevelKeys(roomVersion)) {
    if (!hasOwn(event, key)) continue;
    const value = event[key];
    if (key === 'content') {
      // A malformed (non-object) content protects nothing.
      const eventType = typeof event.type === 'string' ? event.type : '';
      redacted.content = isPlainObject(value) ? redactContent(eventType, value, roomVersion) : {};
    } else {
      redacted[key] = structuredClone(value);
    }
  }
  return redacted;
}
