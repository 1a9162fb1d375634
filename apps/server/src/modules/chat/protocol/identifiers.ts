import { isIPv6 } from 'node:net';

/**
 * Matrix identifier grammar (spec: appendices.md § "Identifier Grammar"): server names, user IDs, room IDs,
 * room aliases, event IDs, and the derivation of Bureau's own user localparts from e-mail addresses.
 * Validation never throws; `parse*` functions return `undefined` for invalid input and `assert*` functions
 * throw an `InvalidIdentifierError` for code that wants an exception.
 */

/** User IDs, room IDs, room aliases and event IDs, sigil and domain included, MUST NOT exceed 255 bytes. */
export const MAX_IDENTIFIER_BYTES = 255;

/** Spec recommendation for the complete server name (appendices.md § "Server Name"). */
export const RECOMMENDED_MAX_SERVER_NAME_LENGTH = 230;

export type IdentifierKind = 'server_name' | 'user_id' | 'room_id' | 'room_alias' | 'event_id' | 'localpart';

export class InvalidIdentifierError extends Error {
  readonly code = 'MATRIX_INVALID_IDENTIFIER';
  /** Client-server API errcode for a malformed identifier in a request. */
  readonly errcode = 'M_INVALID_PARAM';
  readonly kind: IdentifierKind;
  readonly value: string;

  constructor(kind: IdentifierKind, value: string) {
    super(`Invalid ${kind.replace('_', ' ')}: ${JSON.stringify(value)}`);
    this.name = 'InvalidIdentifierError';
    this.kind = kind;
    this.value = value;
  }
}

function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

// ---------------------------------------------------------------------------------------------------------------
// Server names

export type HostKind = 'dns' | 'ipv4' | 'ipv6';

export interface ParsedServerName {
  /** The host as written; an IPv6 literal keeps its brackets (`[::1]`). */
  host: string;
  hostKind: HostKind;
  port: number | undefined;
}

const dottedQuad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const dnsName = /^[A-Za-z0-9.-]{1,255}$/;
const ipv6Characters = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * Parses `hostname [":" port]` per the spec's grammar. A dotted quad is an IPv4 literal and each number
 * must be 0–255 (the spec's "must"); IPv6 literals must be valid RFC 3513 addresses in brackets; a DNS name
 * is 1–255 characters of letters, digits, `-` and `.`. The port is 1–5 digits, as the grammar says.
 */
export function parseServerName(serverName: string): ParsedServerName | undefined {
  let host = serverName;
  let port: number | undefined;
  const portMatch = /:(\d{1,5})$/.exec(serverName);
  if (portMatch?.[1] !== undefined && (serverName.startsWith('[') ? serverName.includes(']:') : true)) {
    host = serverName.slice(0, portMatch.index);
    port = Number(portMatch[1]);
  }
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) return undefined;
    const address = host.slice(1, -1);
    return ipv6Characters.test(address) && isIPv6(address) ? { host, hostKind: 'ipv6', port } : undefined;
  }
  const quad = dottedQuad.exec(host);
  if (quad) {
    return quad.slice(1).every((part) => Number(part) <= 255) ? { host, hostKind: 'ipv4', port } : undefined;
  }
  return dnsName.test(host) ? { host, hostKind: 'dns', port } : undefined;
}

export function isValidServerName(serverName: string): boolean {
  return parseServerName(serverName) !== undefined;
}

/**
 * Stricter than the grammar, for the names Bureau itself is configured with: the spec's recommendations
 * (at most 230 characters, no upper case) and conventional DNS labels (non-empty, no leading or trailing `-`).
 */
export function isRecommendedServerName(serverName: string): boolean {
  const parsed = parseServerName(serverName);
  if (!parsed || serverName.length > RECOMMENDED_MAX_SERVER_NAME_LENGTH || serverName !== serverName.toLowerCase()) {
    return false;
  }
  if (parsed.hostKind !== 'dns') return true;
  return parsed.host.split('.').every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label));
}

// ---------------------------------------------------------------------------------------------------------------
// User IDs

/**
 * `current`: the localpart grammar of spec v1.8+ (`[a-z0-9._=/+-]`, non-empty), the only one Bureau creates.
 * `historical`: what servers and clients MUST still accept in room events (any code point except `:` and
 * NUL, possibly empty), because older users and rooms contain such IDs.
 */
export type UserIdGrammar = 'current' | 'historical';

export interface ParsedUserId {
  localpart: string;
  serverName: string;
}

const currentUserLocalpart = /^[a-z0-9._=/+-]+$/;

/** True if `localpart` fits the current user ID grammar (`[a-z0-9._=/+-]+`). */
export function isValidUserLocalpart(localpart: string): boolean {
  return currentUserLocalpart.test(localpart);
}

function isValidHistoricalLocalpart(localpart: string): boolean {
  return localpart.isWellFormed() && !localpart.includes(':') && !localpart.includes('\u0000');
}

/**
 * A historical localpart outside U+0021–U+007E, or an empty one, is "non-compliant": servers accept it in
 * events but SHOULD NOT forward such IDs to clients outside the context of an event.
 */
export function isCompliantUserLocalpart(localpart: string): boolean {
  return /^[\u0021-\u0039\u003b-\u007e]+$/.test(localpart);
}

function splitSigilled(value: string, sigil: string): { localpart: string; domain: string } | undefined {
  if (!value.startsWith(sigil)) return undefined;
  const colon = value.indexOf(':');
  if (colon < 0) return undefined;
  return { localpart: value.slice(1, colon), domain: value.slice(colon + 1) };
}

export function parseUserId(userId: string, grammar: UserIdGrammar = 'current'): ParsedUserId | undefined {
  if (byteLength(userId) > MAX_IDENTIFIER_BYTES) return undefined;
  const parts = splitSigilled(userId, '@');
  if (!parts || !isValidServerName(parts.domain)) return undefined;
  const isValidLocalpart =
    grammar === 'current' ? isValidUserLocalpart(parts.localpart) : isValidHistoricalLocalpart(parts.localpart);
  return isValidLocalpart ? { localpart: parts.localpart, serverName: parts.domain } : undefined;
}

export function isValidUserId(userId: string, grammar: UserIdGrammar = 'current'): boolean {
  return parseUserId(userId, grammar) !== undefined;
}

export function assertValidUserId(userId: string, grammar: UserIdGrammar = 'current'): ParsedUserId {
  const parsed = parseUserId(userId, grammar);
  if (!parsed) throw new InvalidIdentifierError('user_id', userId);
  return parsed;
}

/** `@localpart:serverName`, checked against the current grammar and the 255-byte limit. */
export function buildUserId(localpart: string, serverName: string): string {
  const userId = `@${localpart}:${serverName}`;
  assertValidUserId(userId);
  return userId;
}

// ---------------------------------------------------------------------------------------------------------------
// Room IDs, event IDs, room aliases

/** Unpadded base64 of a 32-byte SHA-256 digest: 43 characters of the URL-safe (or, in room v3, standard) alphabet. */
const urlSafeHash = /^[A-Za-z0-9_-]{43}$/;
const standardHash = /^[A-Za-z0-9+/]{43}$/;

/** Formats of event and room IDs by room version (rooms/v1.md, v3.md, v4.md, v12.md § "Event IDs"). */
export type EventIdFormat = 'domain' | 'base64-hash' | 'url-safe-hash';
export type RoomIdFormat = 'domain' | 'create-event-hash';

export type ParsedRoomId =
  { format: 'domain'; localpart: string; serverName: string } | { format: 'create-event-hash'; hash: string };

/**
 * Room IDs are `!localpart:domain` up to room version 11 and `!<URL-safe hash of the create event>` in
 * room version 12 (appendices.md § "Room IDs"). Without `format` either form is accepted.
 */
export function parseRoomId(roomId: string, format?: RoomIdFormat): ParsedRoomId | undefined {
  if (!roomId.startsWith('!') || byteLength(roomId) > MAX_IDENTIFIER_BYTES) return undefined;
  if (format !== 'domain' && urlSafeHash.test(roomId.slice(1))) {
    return { format: 'create-event-hash', hash: roomId.slice(1) };
  }
  if (format === 'create-event-hash') return undefined;
  const parts = splitSigilled(roomId, '!');
  if (!parts || !isValidHistoricalLocalpart(parts.localpart) || !isValidServerName(parts.domain)) return undefined;
  return { format: 'domain', localpart: parts.localpart, serverName: parts.domain };
}

export function isValidRoomId(roomId: string, format?: RoomIdFormat): boolean {
  return parseRoomId(roomId, format) !== undefined;
}

export function assertValidRoomId(roomId: string, format?: RoomIdFormat): ParsedRoomId {
  const parsed = parseRoomId(roomId, format);
  if (!parsed) throw new InvalidIdentifierError('room_id', roomId);
  return parsed;
}

/**
 * Event IDs are `$opaque:domain` in room versions 1–2, `$` + standard unpadded base64 of the reference hash
 * in v3, and `$` + URL-safe unpadded base64 from v4 on. Without `format`, any of the three is accepted.
 */
export function isValidEventId(eventId: string, format?: EventIdFormat): boolean {
  if (!eventId.startsWith('$') || byteLength(eventId) > MAX_IDENTIFIER_BYTES) return false;
  const body = eventId.slice(1);
  if ((format === undefined || format === 'url-safe-hash') && urlSafeHash.test(body)) return true;
  if ((format === undefined || format === 'base64-hash') && standardHash.test(body)) return true;
  if (format !== undefined && format !== 'domain') return false;
  const parts = splitSigilled(eventId, '$');
  return parts !== undefined && isValidHistoricalLocalpart(parts.localpart) && isValidServerName(parts.domain);
}

export function assertValidEventId(eventId: string, format?: EventIdFormat): string {
  if (!isValidEventId(eventId, format)) throw new InvalidIdentifierError('event_id', eventId);
  return eventId;
}

export interface ParsedRoomAlias {
  localpart: string;
  serverName: string;
}

/** `#localpart:domain`; the localpart is any non-empty run of code points except `:` and NUL. */
export function parseRoomAlias(alias: string): ParsedRoomAlias | undefined {
  if (byteLength(alias) > MAX_IDENTIFIER_BYTES) return undefined;
  const parts = splitSigilled(alias, '#');
  if (!parts || parts.localpart === '' || !isValidHistoricalLocalpart(parts.localpart)) return undefined;
  return isValidServerName(parts.domain) ? { localpart: parts.localpart, serverName: parts.domain } : undefined;
}

export function isValidRoomAlias(alias: string): boolean {
  return parseRoomAlias(alias) !== undefined;
}

export function assertValidRoomAlias(alias: string): ParsedRoomAlias {
  const parsed = parseRoomAlias(alias);
  if (!parsed) throw new InvalidIdentifierError('room_alias', alias);
  return parsed;
}

// ---------------------------------------------------------------------------------------------------------------
// Other grammars

/**
 * Common Namespaced Identifier Grammar (appendices.md): 1–255 characters, `[a-z][a-z0-9._-]*`. `m.` is
 * reserved for the specification.
 */
export function isValidNamespacedIdentifier(identifier: string): boolean {
  return /^[a-z][a-z0-9._-]{0,254}$/.test(identifier);
}

/** Opaque Identifier Grammar (appendices.md): 1–255 characters of `[0-9A-Za-z._~-]`. */
export function isValidOpaqueIdentifier(identifier: string): boolean {
  return /^[0-9A-Za-z._~-]{1,255}$/.test(identifier);
}

// ---------------------------------------------------------------------------------------------------------------
// Localparts of Bureau's users

/** Longest base Bureau derives, before any numeric suffix (an e-mail local part is at most 64 octets). */
export const MAX_DERIVED_LOCALPART_LENGTH = 64;

/** Letters that Unicode decomposition does not reduce to ASCII but that French and European names use. */
const transliterations: Readonly<Record<string, string>> = {
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};

/**
 * Turns free text (usually an e-mail local part) into a localpart of the current grammar: letters lose their
 * accents (`é` → `e`, `œ` → `oe`), everything is lower-cased, each run of other characters becomes one `_`,
 * and leading or trailing `_` are dropped (localparts starting with `_` are left to bridges and system
 * users, by Matrix custom). Returns `''` when nothing usable remains.
 */
export function normaliseLocalpart(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{ASCII}]/gu, (character) => transliterations[character] ?? character);
  return ascii
    .replace(/[^a-z0-9._=/+-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_DERIVED_LOCALPART_LENGTH)
    .replace(/_+$/, '');
}

export interface DeriveLocalpartOptions {
  /** Used when the e-mail local part has no usable character (e.g. only CJK): `user`, then `user2`... */
  fallback?: string;
  /** Gives up after this many candidates (default 1,000) rather than looping on a broken `isTaken`. */
  maxAttempts?: number;
}

/**
 * The localpart of a new Bureau user: `normaliseLocalpart(emailLocalPart)`, then `2`, `3`... appended while
 * `isTaken` says the candidate exists (`jean.dupont`, `jean.dupont2`, `jean.dupont3`). `isTaken` may be async
 * (a database lookup); the caller still needs a unique constraint, since two sign-ups can race.
 */
export async function deriveLocalpart(
  emailLocalPart: string,
  isTaken: (candidate: string) => boolean | Promise<boolean>,
  options: DeriveLocalpartOptions = {},
): Promise<string> {
  const base = normaliseLocalpart(emailLocalPart) || (options.fallback ?? 'user');
  if (!isValidUserLocalpart(base)) throw new InvalidIdentifierError('localpart', base);
  const maxAttempts = options.maxAttempts ?? 1000;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const candidate = attempt === 1 ? base : `${base}${attempt}`;
    if (!(await isTaken(candidate))) return candidate;
  }
  throw new Error(`No free localpart derived from "${base}" after ${maxAttempts} attempts`);
}
