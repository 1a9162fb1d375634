import type { EventIdFormat, RoomIdFormat } from './identifiers.ts';

/**
 * What the event format, hashing and redaction code needs to know about each room version
 * (spec: content/rooms/v1.md … v12.md and the fragments they include). Authorisation rules differ too but
 * live in auth-rules.ts.
 */

/** Every stable room version of the specification (rooms/_index.md), oldest first. */
export const KNOWN_ROOM_VERSIONS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'] as const;
export type KnownRoomVersion = (typeof KNOWN_ROOM_VERSIONS)[number];

/** Versions whose events Bureau builds: the v4+ event format with v6+ canonical JSON. */
export const BUILDABLE_ROOM_VERSIONS = ['10', '11', '12'] as const satisfies readonly KnownRoomVersion[];
export type BuildableRoomVersion = (typeof BUILDABLE_ROOM_VERSIONS)[number];

/** Which keys the redaction algorithm protects, by the fragment each version includes. */
export interface RedactionRules {
  /** Top-level `origin`, `membership`, `prev_state` survive redaction (v1–v10; dropped by v11). */
  keepsLegacyTopLevelKeys: boolean;
  /** `m.room.create` keeps its whole content (v11+) rather than only `creator`. */
  keepsAllCreateContent: boolean;
  /** `m.room.aliases` keeps `aliases` (v1–v5, v1-redactions fragment). */
  keepsAliases: boolean;
  /** `m.room.join_rules` keeps `allow` (v8+). */
  keepsJoinRulesAllow: boolean;
  /** `m.room.member` keeps `join_authorised_via_users_server` (v9+). */
  keepsJoinAuthorisedViaUsersServer: boolean;
  /** `m.room.member` keeps `third_party_invite.signed` (v11+). */
  keepsThirdPartyInviteSigned: boolean;
  /** `m.room.power_levels` keeps `invite` (v11+). */
  keepsPowerLevelsInvite: boolean;
  /** `m.room.redaction` keeps `content.redacts` (v11+). */
  keepsRedactionRedacts: boolean;
}

export interface RoomVersionRules {
  version: KnownRoomVersion;
  eventIdFormat: EventIdFormat;
  roomIdFormat: RoomIdFormat;
  /** Canonical JSON is strictly enforced from v6 (rooms/fragments/v6-canonical-json.md). */
  enforcesCanonicalJson: boolean;
  /** `m.room.redaction` carries `redacts` in `content` (v11+) rather than at the top level. */
  hasRedactsInContent: boolean;
  /** The `m.room.create` event has no `room_id`; the room ID is `!` + its reference hash (v12+). */
  derivesRoomIdFromCreateEvent: boolean;
  redaction: RedactionRules;
}

export class UnsupportedRoomVersionError extends Error {
  readonly code = 'MATRIX_UNSUPPORTED_ROOM_VERSION';
  readonly errcode = 'M_UNSUPPORTED_ROOM_VERSION';
  readonly roomVersion: string;

  constructor(roomVersion: string, detail = 'is not a known room version') {
    super(`Room version ${JSON.stringify(roomVersion)} ${detail}`);
    this.name = 'UnsupportedRoomVersionError';
    this.roomVersion = roomVersion;
  }
}

export function isKnownRoomVersion(roomVersion: string): roomVersion is KnownRoomVersion {
  return (KNOWN_ROOM_VERSIONS as readonly string[]).includes(roomVersion);
}

export function isBuildableRoomVersion(roomVersion: string): roomVersion is BuildableRoomVersion {
  return (BUILDABLE_ROOM_VERSIONS as readonly string[]).includes(roomVersion);
}

/** The rules of `roomVersion`; throws `UnsupportedRoomVersionError` for an unknown (e.g. experimental) version. */
export function roomVersionRules(roomVersion: string): RoomVersionRules {
  if (!isKnownRoomVersion(roomVersion)) throw new UnsupportedRoomVersionError(roomVersion);
  const number = Number(roomVersion);
  return {
    version: roomVersion,
    eventIdFormat: number <= 2 ? 'domain' : number === 3 ? 'base64-hash' : 'url-safe-hash',
    roomIdFormat: number >= 12 ? 'create-event-hash' : 'domain',
    enforcesCanonicalJson: number >= 6,
    hasRedactsInContent: number >= 11,
    derivesRoomIdFromCreateEvent: number >= 12,
    redaction: {
      keepsLegacyTopLevelKeys: number <= 10,
      keepsAllCreateContent: number >= 11,
      keepsAliases: number <= 5,
      keepsJoinRulesAllow: number >= 8,
      keepsJoinAuthorisedViaUsersServer: number >= 9,
      keepsThirdPartyInviteSigned: number >= 11,
      keepsPowerLevelsInvite: number >= 11,
      keepsRedactionRedacts: number >= 11,
    },
  };
}
