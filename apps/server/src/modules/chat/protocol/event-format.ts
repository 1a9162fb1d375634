import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  assertCanonicalJsonValue,
  assertPduWithinSizeLimit,
  CanonicalJsonError,
  encodeCanonicalJsonBytes,
  MAX_CANONICAL_INTEGER,
} from './canonical-json.ts';
import type { CanonicalJsonObject } from './canonical-json.ts';
import { isValidEventId, isValidRoomId, isValidUserId, MAX_IDENTIFIER_BYTES } from './identifiers.ts';
import { redactEvent } from './redaction.ts';
import type { JsonObject } from './redaction.ts';
import { isBuildableRoomVersion, roomVersionRules, UnsupportedRoomVersionError } from './room-versions.ts';

/**
 * PDUs (federation-format events) of room versions 10, 11 and 12: building, content hash, reference hash,
 * event IDs, v12 room IDs, and ed25519 signatures (spec: server-server-api.md § "Signing Events",
 * appendices.md § "Signing JSON", rooms/v12.md, data/api/server-server/definitions/pdu_v11.yaml, pdu_v12.yaml).
 * Hashing and verification also work on events of older versions (3+ for event IDs).
 */

export type EventSignatures = Record<string, Record<string, string>>;

/** A PDU of room version 10, 11 or 12 as Bureau stores and would send it over federation. */
export type Pdu = {
  auth_events: string[];
  content: CanonicalJsonObject;
  depth: number;
  hashes: { sha256: string };
  origin_server_ts: number;
  prev_events: string[];
  /** Absent from the `m.room.create` event in room version 12. */
  room_id?: string;
  sender: string;
  signatures: EventSignatures;
  state_key?: string;
  type: string;
  /** `m.room.redaction` up to room version 10; in `content` from v11. */
  redacts?: string;
  /** Not covered by hashes nor signatures. */
  unsigned?: CanonicalJsonObject;
};

export interface PduInput {
  type: string;
  sender: string;
  content: CanonicalJsonObject;
  /** Required, except for the `m.room.create` event of a room version 12 room. */
  roomId?: string;
  stateKey?: string;
  authEvents: readonly string[];
  prevEvents: readonly string[];
  depth: number;
  originServerTs: number;
  /** For `m.room.redaction`: placed at the top level (v10) or in `content` (v11+). */
  redacts?: string;
}

/** Limits of the PDU schema (auth_events_prev_events_v4.yaml) and of client-server-api.md § "Size limits". */
export const MAX_AUTH_EVENTS = 10;
export const MAX_PREV_EVENTS = 20;
export const MAX_EVENT_TYPE_BYTES = 255;
export const MAX_STATE_KEY_BYTES = 255;

export type EventFormatErrorCode = 'EVENT_FORMAT_INVALID' | 'EVENT_FORMAT_TOO_LARGE';

export class EventFormatError extends Error {
  readonly code: EventFormatErrorCode;
  readonly errcode: 'M_BAD_JSON' | 'M_TOO_LARGE';
  /** The PDU field at fault (`room_id`, `prev_events`...). */
  readonly field: string;

  constructor(code: EventFormatErrorCode, field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'EventFormatError';
    this.code = code;
    this.field = field;
    this.errcode = code === 'EVENT_FORMAT_TOO_LARGE' ? 'M_TOO_LARGE' : 'M_BAD_JSON';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Base64 (appendices.md § "Unpadded Base64")

export function encodeUnpaddedBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

export function encodeUrlSafeUnpaddedBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * Decodes standard base64 with or without padding (the spec says decoders SHOULD accept both); `undefined`
 * for characters outside the alphabet or an impossible length, which Node's decoder would silently skip.
 */
export function decodeBase64(text: string): Buffer | undefined {
  const unpadded = text.replace(/={1,2}$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(unpadded) || unpadded.length % 4 === 1) return undefined;
  if (text.length !== unpadded.length && text.length % 4 !== 0) return undefined;
  return Buffer.from(unpadded, 'base64');
}

// ---------------------------------------------------------------------------------------------------------------
// Building

function invalid(field: string, message: string): EventFormatError {
  return new EventFormatError('EVENT_FORMAT_INVALID', field, message);
}

function isSafeNonNegativeInteger(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_CANONICAL_INTEGER;
}

function checkEventIdList(field: string, eventIds: readonly string[], max: number): string[] {
  if (eventIds.length > max) throw invalid(field, `at most ${max} events, got ${eventIds.length}`);
  for (const eventId of eventIds) {
    if (!isValidEventId(eventId, 'url-safe-hash'))
      throw invalid(field, `${JSON.stringify(eventId)} is not an event ID`);
  }
  return [...eventIds];
}

/**
 * Builds the PDU of a new event in room version 10, 11 or 12 with its content hash (`hashes.sha256`) and no
 * signature yet. Validates what the format fixes: identifiers (sender per the current user ID grammar),
 * the room ID form of the version (v12: none on the create event, `!<hash>` elsewhere), at most 10
 * `auth_events` and 20 `prev_events`, integer `depth` and `origin_server_ts`, canonical JSON content, the
 * per-key and total size limits. Authorisation (auth-rules.ts) is not checked here.
 */
export function buildPdu(input: PduInput, roomVersion: string): Pdu {
  if (!isBuildableRoomVersion(roomVersion)) {
    throw new UnsupportedRoomVersionError(roomVersion, 'is not a version Bureau builds events for');
  }
  const rules = roomVersionRules(roomVersion);
  const isCreate = input.type === 'm.room.create';

  if (typeof input.type !== 'string' || input.type === '') throw invalid('type', 'must be a non-empty string');
  if (!isValidUserId(input.sender)) throw invalid('sender', `${JSON.stringify(input.sender)} is not a user ID`);
  if (isCreate && rules.derivesRoomIdFromCreateEvent) {
    if (input.roomId !== undefined) throw invalid('room_id', `the create event of a v${roomVersion} room has none`);
  } else if (input.roomId === undefined || !isValidRoomId(input.roomId, rules.roomIdFormat)) {
    throw invalid('room_id', `${JSON.stringify(input.roomId)} is not a room ID of room version ${roomVersion}`);
  }
  if (input.stateKey !== undefined && typeof input.stateKey !== 'string') throw invalid('state_key', 'not a string');
  if (isCreate && (input.prevEvents.length > 0 || input.authEvents.length > 0)) {
    throw invalid('prev_events', 'the create event has no prev_events nor auth_events');
  }
  const authEvents = checkEventIdList('auth_events', input.authEvents, MAX_AUTH_EVENTS);
  const prevEvents = checkEventIdList('prev_events', input.prevEvents, MAX_PREV_EVENTS);
  if (!isSafeNonNegativeInteger(input.depth)) throw invalid('depth', 'must be an integer in [0, 2^53-1]');
  if (!isSafeNonNegativeInteger(input.originServerTs)) {
    throw invalid('origin_server_ts', 'must be an integer in [0, 2^53-1]');
  }
  if (typeof input.content !== 'object' || input.content === null || Array.isArray(input.content)) {
    throw invalid('content', 'must be an object');
  }
  assertCanonicalJsonValue(input.content);

  let content: CanonicalJsonObject = structuredClone(input.content);
  let topLevelRedacts: string | undefined;
  if (input.redacts !== undefined) {
    if (input.type !== 'm.room.redaction') throw invalid('redacts', 'only m.room.redaction events redact');
    if (!isValidEventId(input.redacts, 'url-safe-hash')) throw invalid('redacts', 'not an event ID');
    if (rules.hasRedactsInContent) content = { ...content, redacts: input.redacts };
    else topLevelRedacts = input.redacts;
  }

  const pdu: Pdu = {
    auth_events: authEvents,
    content,
    depth: input.depth,
    hashes: { sha256: '' },
    origin_server_ts: input.originServerTs,
    prev_events: prevEvents,
    ...(input.roomId === undefined ? {} : { room_id: input.roomId }),
    sender: input.sender,
    signatures: {},
    ...(input.stateKey === undefined ? {} : { state_key: input.stateKey }),
    type: input.type,
    ...(topLevelRedacts === undefined ? {} : { redacts: topLevelRedacts }),
  };
  pdu.hashes.sha256 = computeContentHash(pdu);
  assertEventWithinSizeLimits(pdu);
  return pdu;
}

/**
 * Checks client-server-api.md § "Size limits": `type` and `state_key` at most 255 bytes, `sender`, `room_id`
 * and `event_id` within their identifier limits (EventFormatError, `M_TOO_LARGE`), and the whole event in
 * canonical JSON, signatures included, at most 65,536 bytes (CanonicalJsonError, `M_TOO_LARGE`).
 */
export function assertEventWithinSizeLimits(event: JsonObject): void {
  const limits: [string, number][] = [
    ['type', MAX_EVENT_TYPE_BYTES],
    ['state_key', MAX_STATE_KEY_BYTES],
    ['sender', MAX_IDENTIFIER_BYTES],
    ['room_id', MAX_IDENTIFIER_BYTES],
    ['event_id', MAX_IDENTIFIER_BYTES],
  ];
  for (const [field, limit] of limits) {
    const value = event[field];
    if (typeof value === 'string' && Buffer.byteLength(value, 'utf8') > limit) {
      throw new EventFormatError('EVENT_FORMAT_TOO_LARGE', field, `longer than ${limit} bytes`);
    }
  }
  assertPduWithinSizeLimit(event);
}

// ---------------------------------------------------------------------------------------------------------------
// Hashes and identifiers

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

function withoutKeys(event: JsonObject, keys: readonly string[]): JsonObject {
  const copy: JsonObject = { ...event };
  for (const key of keys) delete copy[key];
  return copy;
}

function contentHashBytes(event: JsonObject): Buffer {
  return sha256(encodeCanonicalJsonBytes(withoutKeys(event, ['unsigned', 'signatures', 'hashes'])));
}

/**
 * The content hash (server-server-api.md § "Calculating the content hash for an event"): SHA-256 of the
 * canonical JSON of the complete, unredacted event without `unsigned`, `signatures` and `hashes`, as
 * unpadded base64 — the value of `hashes.sha256`.
 */
export function computeContentHash(event: JsonObject): string {
  return encodeUnpaddedBase64(contentHashBytes(event));
}

/**
 * False when `hashes.sha256` is missing or does not match the event: the event was redacted (or tampered
 * with) since it was hashed, and the spec says to keep only its redacted form.
 */
export function hasValidContentHash(event: JsonObject): boolean {
  const hashes = event.hashes;
  if (typeof hashes !== 'object' || hashes === null) return false;
  const claimed = (hashes as Record<string, unknown>).sha256;
  if (typeof claimed !== 'string') return false;
  const decoded = decodeBase64(claimed);
  try {
    return decoded !== undefined && decoded.equals(contentHashBytes(event));
  } catch (error) {
    if (error instanceof CanonicalJsonError) return false;
    throw error;
  }
}

/**
 * The reference hash (server-server-api.md § "Calculating the reference hash for an event"): SHA-256 of the
 * canonical JSON of the event redacted per `roomVersion`, without `signatures` and `unsigned`. Pass the
 * federation format: a client-format `event_id` key would be hashed too (the v1–v11 redaction keeps it).
 */
export function computeReferenceHash(event: JsonObject, roomVersion: string): Buffer {
  const redacted = withoutKeys(redactEvent(event, roomVersion), ['signatures', 'unsigned']);
  return sha256(encodeCanonicalJsonBytes(redacted));
}

/**
 * The event ID of `event`: `$` + its reference hash in URL-safe unpadded base64 (room versions 4+,
 * rooms/fragments/v4-event-ids.md) or standard unpadded base64 (v3). Room versions 1 and 2 carry a chosen
 * `event_id` instead: UnsupportedRoomVersionError.
 */
export function eventIdOf(event: JsonObject, roomVersion: string): string {
  const { eventIdFormat } = roomVersionRules(roomVersion);
  if (eventIdFormat === 'domain') {
    throw new UnsupportedRoomVersionError(roomVersion, 'does not derive event IDs from hashes');
  }
  const hash = computeReferenceHash(event, roomVersion);
  return `$${eventIdFormat === 'base64-hash' ? encodeUnpaddedBase64(hash) : encodeUrlSafeUnpaddedBase64(hash)}`;
}

/**
 * The room ID of a room version 12+ room: the event ID of its `m.room.create` event with the sigil `!`
 * (appendices.md § "Room IDs", rooms/v12.md auth rule 1.2). The create event has no `room_id` to hash.
 */
export function roomIdOfCreateEvent(createEvent: JsonObject, roomVersion: string): string {
  if (!roomVersionRules(roomVersion).derivesRoomIdFromCreateEvent) {
    throw new UnsupportedRoomVersionError(roomVersion, 'does not derive room IDs from the create event');
  }
  if (createEvent.type !== 'm.room.create') throw invalid('type', 'not an m.room.create event');
  if ('room_id' in createEvent) throw invalid('room_id', `the create event of a v${roomVersion} room has none`);
  return `!${eventIdOf(createEvent, roomVersion).slice(1)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Keys and signatures (ed25519, appendices.md § "Signing Details")

/** A server signing key in a form that can be stored (JSON, a database row) and turned back into keys. */
export interface SigningKey {
  /** `ed25519:<version>`, the version made of `[a-zA-Z0-9_]` (server-server keys.yaml). */
  keyId: string;
  /** The 32-byte ed25519 seed (the private key), unpadded base64. A secret. */
  seedBase64: string;
  /** The 32-byte ed25519 public key, unpadded base64, as published under `verify_keys`. */
  publicKeyBase64: string;
}

export interface EventSigner {
  serverName: string;
  keyId: string;
  /** A KeyObject, or the seed in base64 (`SigningKey.seedBase64`). */
  privateKey: KeyObject | string;
}

export interface SignatureVerifier {
  serverName: string;
  keyId: string;
  /** A KeyObject, or the raw public key in base64 (`SigningKey.publicKeyBase64`). */
  publicKey: KeyObject | string;
}

const ed25519KeyId = /^ed25519:[a-zA-Z0-9_]+$/;
/** DER prefixes that wrap a raw 32-byte ed25519 seed (PKCS#8) or public key (SPKI), RFC 8410. */
const pkcs8Ed25519Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
const spkiEd25519Prefix = Buffer.from('302a300506032b6570032100', 'hex');

function exactly32Bytes(text: string | Uint8Array, what: string): Buffer {
  const bytes = typeof text === 'string' ? decodeBase64(text) : Buffer.from(text);
  if (bytes?.length !== 32) throw new Error(`An ed25519 ${what} is 32 bytes of base64`);
  return bytes;
}

/** The ed25519 private key of a 32-byte seed (base64 or bytes). */
export function privateKeyFromSeed(seed: string | Uint8Array): KeyObject {
  const der = Buffer.concat([pkcs8Ed25519Prefix, exactly32Bytes(seed, 'seed')]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

/** The ed25519 public key of its 32 raw bytes (base64 or bytes). */
export function publicKeyFromRaw(publicKey: string | Uint8Array): KeyObject {
  const der = Buffer.concat([spkiEd25519Prefix, exactly32Bytes(publicKey, 'public key')]);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

function rawPublicKey(privateKey: KeyObject): Buffer {
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

/** The storable signing key of a seed, e.g. to load the configured key or a test vector. */
export function signingKeyFromSeed(seedBase64: string, keyId: string): SigningKey {
  if (!ed25519KeyId.test(keyId)) throw new Error(`Invalid ed25519 key ID ${JSON.stringify(keyId)}`);
  const seed = exactly32Bytes(seedBase64, 'seed');
  return {
    keyId,
    seedBase64: encodeUnpaddedBase64(seed),
    publicKeyBase64: encodeUnpaddedBase64(rawPublicKey(privateKeyFromSeed(seed))),
  };
}

/** A new random ed25519 signing key with a random key ID (`ed25519:` + 8 hexadecimal characters). */
export function generateSigningKey(): SigningKey {
  return signingKeyFromSeed(encodeUnpaddedBase64(randomBytes(32)), `ed25519:${randomBytes(4).toString('hex')}`);
}

function toPrivateKey(key: KeyObject | string): KeyObject {
  return typeof key === 'string' ? privateKeyFromSeed(key) : key;
}

function toPublicKey(key: KeyObject | string): KeyObject {
  return typeof key === 'string' ? publicKeyFromRaw(key) : key;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function copySignatures(value: unknown): EventSignatures {
  return isPlainObject(value) ? (structuredClone(value) as EventSignatures) : {};
}

/**
 * Signs a JSON object (appendices.md § "Signing JSON"): the canonical JSON of the object without
 * `signatures` and `unsigned` is signed, and the signature joins any existing ones under
 * `signatures[serverName][keyId]`. Returns a new object; `unsigned` is kept but not covered.
 */
export function signJson<T extends JsonObject>(value: T, signer: EventSigner): T & { signatures: EventSignatures } {
  if (!ed25519KeyId.test(signer.keyId)) throw new Error(`Invalid ed25519 key ID ${JSON.stringify(signer.keyId)}`);
  const signature = sign(
    null,
    encodeCanonicalJsonBytes(withoutKeys(value, ['signatures', 'unsigned'])),
    toPrivateKey(signer.privateKey),
  );
  const signatures = copySignatures(value.signatures);
  const ofServer = signatures[signer.serverName];
  signatures[signer.serverName] = {
    ...(isPlainObject(ofServer) ? ofServer : {}),
    [signer.keyId]: encodeUnpaddedBase64(signature),
  };
  return { ...value, signatures };
}

/**
 * Checks `signatures[serverName][keyId]` over the object without `signatures` and `unsigned`
 * (appendices.md § "Checking for a Signature"). False when the signature is missing, not base64, not
 * 64 bytes, wrong, or the object is not canonical JSON; throws only for a malformed public key.
 */
export function verifyJsonSignature(value: JsonObject, verifier: SignatureVerifier): boolean {
  const publicKey = toPublicKey(verifier.publicKey);
  const signatures = value.signatures;
  if (typeof signatures !== 'object' || signatures === null) return false;
  const ofServer = (signatures as Record<string, unknown>)[verifier.serverName];
  if (typeof ofServer !== 'object' || ofServer === null) return false;
  const encoded = (ofServer as Record<string, unknown>)[verifier.keyId];
  if (typeof encoded !== 'string') return false;
  const signature = decodeBase64(encoded);
  if (signature?.length !== 64) return false;
  try {
    return verify(null, encodeCanonicalJsonBytes(withoutKeys(value, ['signatures', 'unsigned'])), publicKey, signature);
  } catch (error) {
    if (error instanceof CanonicalJsonError) return false;
    throw error;
  }
}

/**
 * Signs an event (server-server-api.md § "Adding hashes and signatures to outgoing events"): the event
 * redacted per `roomVersion` is signed and the signature is copied into the full event's `signatures`.
 * The content hash must already be in `hashes` (see `hashAndSignEvent`). Returns a new object.
 */
export function signEvent<T extends JsonObject>(
  event: T,
  roomVersion: string,
  signer: EventSigner,
): T & { signatures: EventSignatures } {
  const signedRedacted = signJson(redactEvent(event, roomVersion), signer);
  return { ...event, signatures: signedRedacted.signatures };
}

/** Sets `hashes.sha256` to the content hash, then signs: the spec's `hash_and_sign_event`. */
export function hashAndSignEvent<T extends JsonObject>(
  event: T,
  roomVersion: string,
  signer: EventSigner,
): T & { hashes: { sha256: string }; signatures: EventSignatures } {
  const hashes = { ...(isPlainObject(event.hashes) ? event.hashes : {}), sha256: computeContentHash(event) };
  return signEvent({ ...event, hashes }, roomVersion, signer);
}

/**
 * Checks a server's signature on an event: over its redacted form, so that it holds for the full event and
 * for a redacted copy alike. The content hash is a separate check (`hasValidContentHash`).
 */
export function verifyEventSignature(event: JsonObject, roomVersion: string, verifier: SignatureVerifier): boolean {
  return verifyJsonSignature(redactEvent(event, roomVersion), verifier);
}

/**
 * Builds, hashes and signs a new event and returns it with its event ID (for a v12 create event, the room
 * ID is `'!' + eventId.slice(1)`, see `roomIdOfCreateEvent`). Checks the size limit once signed.
 */
export function createSignedPdu(
  input: PduInput,
  roomVersion: string,
  signer: EventSigner,
): { pdu: Pdu; eventId: string } {
  const pdu = signEvent(buildPdu(input, roomVersion), roomVersion, signer);
  assertEventWithinSizeLimits(pdu);
  return { pdu, eventId: eventIdOf(pdu, roomVersion) };
}
