import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, encodeCanonicalJson } from './canonical-json.ts';
import {
  buildPdu,
  computeContentHash,
  computeReferenceHash,
  createSignedPdu,
  decodeBase64,
  encodeUnpaddedBase64,
  EventFormatError,
  eventIdOf,
  generateSigningKey,
  hasValidContentHash,
  hashAndSignEvent,
  publicKeyFromRaw,
  roomIdOfCreateEvent,
  signEvent,
  signingKeyFromSeed,
  signJson,
  verifyEventSignature,
  verifyJsonSignature,
} from './event-format.ts';
import type { EventSigner, PduInput } from './event-format.ts';
import { isValidEventId, isValidRoomId } from './identifiers.ts';
import { redactEvent } from './redaction.ts';
import { UnsupportedRoomVersionError } from './room-versions.ts';

// appendices.md § "Cryptographic Test Vectors" (matrix-org/matrix-spec@d0ba2aae): seed, server name, key ID.
const specKey = signingKeyFromSeed('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1', 'ed25519:1');
const specSigner: EventSigner = { serverName: 'domain', keyId: 'ed25519:1', privateKey: specKey.seedBase64 };
const specVerifier = { serverName: 'domain', keyId: 'ed25519:1', publicKey: specKey.publicKeyBase64 };

/** Same bytes as the spec's printed JSON, whatever its layout: compare canonical encodings. */
function expectSameJson(actual: unknown, expectedPrinted: string): void {
  expect(encodeCanonicalJson(actual)).toBe(encodeCanonicalJson(JSON.parse(expectedPrinted)));
}

describe('spec test vectors (appendices.md § "Cryptographic Test Vectors")', () => {
  it('signs the empty JSON object', () => {
    expectSameJson(
      signJson({}, specSigner),
      `{ "signatures": { "domain": {
          "ed25519:1": "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ" } } }`,
    );
  });

  it('signs a JSON object with data values', () => {
    expectSameJson(
      signJson({ one: 1, two: 'Two' }, specSigner),
      `{ "one": 1, "signatures": { "domain": {
          "ed25519:1": "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw" } },
         "two": "Two" }`,
    );
  });

  // The event vectors keep the top-level `origin`, which the redaction algorithm protects up to room
  // version 10 only: they hold for versions 1–10 and produce different signatures under v11's rules.
  const minimalEvent = {
    room_id: '!x:domain',
    sender: '@a:domain',
    origin: 'domain',
    origin_server_ts: 1000000,
    signatures: {},
    hashes: {},
    type: 'X',
    content: {},
    prev_events: [],
    auth_events: [],
    depth: 3,
    unsigned: { age_ts: 1000000 },
  };
  const minimalEventSigned = `{
    "auth_events": [], "content": {}, "depth": 3,
    "hashes": { "sha256": "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos" },
    "origin": "domain", "origin_server_ts": 1000000, "prev_events": [], "room_id": "!x:domain", "sender": "@a:domain",
    "signatures": { "domain": {
      "ed25519:1": "KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg" } },
    "type": "X", "unsigned": { "age_ts": 1000000 } }`;

  const redactableEvent = {
    content: { body: 'Here is the message content' },
    event_id: '$0:domain',
    origin: 'domain',
    origin_server_ts: 1000000,
    type: 'm.room.message',
    room_id: '!r:domain',
    sender: '@u:domain',
    signatures: {},
    unsigned: { age_ts: 1000000 },
  };
  const redactableEventSigned = `{
    "content": { "body": "Here is the message content" }, "event_id": "$0:domain",
    "hashes": { "sha256": "onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g" },
    "origin": "domain", "origin_server_ts": 1000000, "type": "m.room.message", "room_id": "!r:domain",
    "sender": "@u:domain",
    "signatures": { "domain": {
      "ed25519:1": "Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA" } },
    "unsigned": { "age_ts": 1000000 } }`;

  it.each(['1', '10'])('hashes and signs the minimally-sized event (room version %s)', (version) => {
    expectSameJson(hashAndSignEvent(minimalEvent, version, specSigner), minimalEventSigned);
  });

  it.each(['1', '10'])('hashes and signs the event with redactable content (room version %s)', (version) => {
    expectSameJson(hashAndSignEvent(redactableEvent, version, specSigner), redactableEventSigned);
  });

  it('verifies the spec-signed events, and their redacted copies, with the public key of the seed', () => {
    for (const printed of [minimalEventSigned, redactableEventSigned]) {
      const event = JSON.parse(printed) as Record<string, unknown>;
      expect(verifyEventSignature(event, '10', specVerifier)).toBe(true);
      expect(verifyEventSignature(redactEvent(event, '10'), '10', specVerifier)).toBe(true);
      expect(hasValidContentHash(event)).toBe(true);
      expect(verifyEventSignature(event, '11', specVerifier)).toBe(false);
    }
  });

  it('normalises the seed (its last base64 character carries non-zero padding bits)', () => {
    expect(specKey.seedBase64).toBe('YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0');
    expect(decodeBase64(specKey.publicKeyBase64)).toHaveLength(32);
  });
});

describe(eventIdOf.name, () => {
  // A create event made by Synapse (jki.re, room version 5), with the event IDs that gomatrixserverlib's
  // eventversion_test.go (TestEventIDForRoomVersionV3, …V4) expects for it in the v3 and v4 formats.
  const synapseCreateEvent = JSON.parse(
    `{"auth_events": [], "prev_events": [], "type": "m.room.create", "room_id": "!uXDCzlYgCTHtiWCkEx:jki.re", "sender": "@erikj:jki.re", "content": {"room_version": "5", "predecessor": {"room_id": "!gdRMqOrTFdOCYHNwOo:half-shot.uk", "event_id": "$LP7ROBc4b+cMc1UE9haIz8q5AK2AIW4eJ90FfKLvyZI"}, "creator": "@erikj:jki.re"}, "depth": 1, "prev_state": [], "state_key": "", "origin": "jki.re", "origin_server_ts": 1560284621137, "hashes": {"sha256": "IX6zuNiJpJPNf70BLleL3HSCpjKeq9Uhu7uUpyDjBmc"}, "signatures": {"jki.re": {"ed25519:auto": "O4IyFfF2PPtGp5uaDm8t57dZbdh8vc8Q64LgCwvzYRVItAMI0uisfiAFaxkVT7MRpzh6N2QNN5NMRXZKmgPYDA"}}, "unsigned": {"age": 1321650}}`,
  ) as Record<string, unknown>;

  it('matches the event IDs another implementation computes for a real Synapse event', () => {
    expect(eventIdOf(synapseCreateEvent, '3')).toBe('$RrGxF28UrHLmoASHndYb9Jb/1SFww2ptmtur9INS438');
    expect(eventIdOf(synapseCreateEvent, '4')).toBe('$RrGxF28UrHLmoASHndYb9Jb_1SFww2ptmtur9INS438');
    expect(eventIdOf(synapseCreateEvent, '5')).toBe('$RrGxF28UrHLmoASHndYb9Jb_1SFww2ptmtur9INS438');
  });

  it('recomputes the content hash Synapse put on that event', () => {
    expect(computeContentHash(synapseCreateEvent)).toBe('IX6zuNiJpJPNf70BLleL3HSCpjKeq9Uhu7uUpyDjBmc');
    expect(hasValidContentHash(synapseCreateEvent)).toBe(true);
  });

  it('ignores what redaction removes, signatures and unsigned', () => {
    const changed = {
      ...synapseCreateEvent,
      unsigned: { age: 1 },
      signatures: {},
      content: { ...(synapseCreateEvent.content as object), extra: 'x' },
    };
    expect(eventIdOf(changed, '5')).toBe(eventIdOf(synapseCreateEvent, '5'));
    expect(computeReferenceHash(changed, '5')).toEqual(computeReferenceHash(synapseCreateEvent, '5'));
    expect(eventIdOf({ ...synapseCreateEvent, depth: 2 }, '5')).not.toBe(eventIdOf(synapseCreateEvent, '5'));
  });

  it('depends on the room version, through its redaction algorithm', () => {
    // v11 keeps the whole create content and drops origin and prev_state.
    expect(eventIdOf(synapseCreateEvent, '11')).not.toBe(eventIdOf(synapseCreateEvent, '10'));
  });

  it('refuses room versions 1 and 2, whose event IDs are not hashes', () => {
    expect(() => eventIdOf(synapseCreateEvent, '1')).toThrow(UnsupportedRoomVersionError);
    expect(() => eventIdOf(synapseCreateEvent, '2')).toThrow(UnsupportedRoomVersionError);
  });
});

const alice = '@alice:bureau.example';
const signingKey = generateSigningKey();
const signer: EventSigner = {
  serverName: 'bureau.example',
  keyId: signingKey.keyId,
  privateKey: signingKey.seedBase64,
};
const verifier = { serverName: 'bureau.example', keyId: signingKey.keyId, publicKey: signingKey.publicKeyBase64 };
const someEventId = '$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg';

function buildInput(overrides: Partial<PduInput> = {}): PduInput {
  return {
    type: 'm.room.message',
    sender: alice,
    content: { msgtype: 'm.text', body: 'Bonjour' },
    roomId: '!abc:bureau.example',
    authEvents: [someEventId],
    prevEvents: [someEventId],
    depth: 5,
    originServerTs: 1_764_000_000_000,
    ...overrides,
  };
}

describe(buildPdu.name, () => {
  it('builds a v11 event with exactly the PDU fields and a valid content hash', () => {
    const sut = buildPdu(buildInput({ stateKey: undefined }), '11');
    expect(Object.keys(sut).sort()).toEqual([
      'auth_events',
      'content',
      'depth',
      'hashes',
      'origin_server_ts',
      'prev_events',
      'room_id',
      'sender',
      'signatures',
      'type',
    ]);
    expect(sut.signatures).toEqual({});
    expect(hasValidContentHash(sut)).toBe(true);
    expect(sut.hashes.sha256).toMatch(/^[A-Za-z0-9+/]{43}$/);
  });

  it('keeps a state key, even an empty one', () => {
    expect(buildPdu(buildInput({ type: 'm.room.name', stateKey: '', content: { name: 'x' } }), '10').state_key).toBe(
      '',
    );
  });

  it('puts redacts at the top level in v10 and in content from v11', () => {
    const input = buildInput({ type: 'm.room.redaction', content: { reason: 'spam' }, redacts: someEventId });
    const v10 = buildPdu(input, '10');
    expect(v10.redacts).toBe(someEventId);
    expect(v10.content).toEqual({ reason: 'spam' });
    for (const version of ['11', '12']) {
      const roomId = version === '12' ? `!${someEventId.slice(1)}` : input.roomId;
      const pdu = buildPdu({ ...input, roomId }, version);
      expect(pdu).not.toHaveProperty('redacts');
      expect(pdu.content).toEqual({ reason: 'spam', redacts: someEventId });
      // The v11 redaction algorithm keeps it, so a redacted redaction still says what it redacted.
      expect(redactEvent(pdu, version).content).toEqual({ redacts: someEventId });
    }
  });

  it('does not share the caller content', () => {
    const content = { body: 'x', nested: { a: 1 } };
    const sut = buildPdu(buildInput({ content }), '11');
    content.nested.a = 2;
    expect(sut.content).toEqual({ body: 'x', nested: { a: 1 } });
  });

  const invalidInputs: [string, Partial<PduInput>, string][] = [
    ['an empty type', { type: '' }, 'type'],
    ['a sender outside the current grammar', { sender: '@Alice:bureau.example' }, 'sender'],
    ['a missing room ID', { roomId: undefined }, 'room_id'],
    ['a v12 room ID in a v11 room', { roomId: `!${someEventId.slice(1)}` }, 'room_id'],
    ['11 auth events', { authEvents: Array<string>(11).fill(someEventId) }, 'auth_events'],
    ['21 prev events', { prevEvents: Array<string>(21).fill(someEventId) }, 'prev_events'],
    ['a v1 event ID in prev_events', { prevEvents: ['$abc:bureau.example'] }, 'prev_events'],
    ['a fractional depth', { depth: 1.5 }, 'depth'],
    ['a negative depth', { depth: -1 }, 'depth'],
    ['a depth beyond 2^53-1', { depth: 2 ** 53 }, 'depth'],
    ['a timestamp that is not an integer', { originServerTs: 1.5 }, 'origin_server_ts'],
    ['redacts on a message', { redacts: someEventId }, 'redacts'],
    ['a state key of 256 bytes', { stateKey: 'é'.repeat(128) }, 'state_key'],
    ['a type of 256 bytes', { type: 'x'.repeat(256) }, 'type'],
    ['a create event with prev events', { type: 'm.room.create', stateKey: '', content: {} }, 'prev_events'],
  ];

  it.each(invalidInputs)('rejects %s', (_name, overrides, field) => {
    let caught: unknown;
    try {
      buildPdu(buildInput(overrides), '11');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EventFormatError);
    expect((caught as EventFormatError).field).toBe(field);
  });

  it('rejects content that is not canonical JSON', () => {
    expect(() => buildPdu(buildInput({ content: { ratio: 0.5 } }), '11')).toThrow(CanonicalJsonError);
  });

  it('rejects an event above 65,536 bytes with M_TOO_LARGE', () => {
    const input = buildInput({ content: { body: 'x'.repeat(65_536) } });
    expect(() => buildPdu(input, '11')).toThrow(expect.objectContaining({ errcode: 'M_TOO_LARGE' }) as Error);
  });

  it('only builds room versions 10, 11 and 12', () => {
    expect(() => buildPdu(buildInput(), '9')).toThrow(UnsupportedRoomVersionError);
    expect(() => buildPdu(buildInput(), 'org.matrix.msc')).toThrow(UnsupportedRoomVersionError);
  });
});

describe('room version 12 room IDs', () => {
  const createInput = buildInput({
    type: 'm.room.create',
    stateKey: '',
    content: { room_version: '12' },
    roomId: undefined,
    authEvents: [],
    prevEvents: [],
    depth: 1,
  });

  it('derives the room ID from the create event, which has none', () => {
    const { pdu, eventId } = createSignedPdu(createInput, '12', signer);
    expect(pdu).not.toHaveProperty('room_id');
    const roomId = roomIdOfCreateEvent(pdu, '12');
    expect(roomId).toBe(`!${eventId.slice(1)}`);
    expect(isValidRoomId(roomId, 'create-event-hash')).toBe(true);
    expect(isValidEventId(eventId, 'url-safe-hash')).toBe(true);
    // Signatures are not part of the reference hash: a second server's signature keeps the room ID.
    const other = generateSigningKey();
    const cosigned = signEvent(pdu, '12', {
      serverName: 'other.example',
      keyId: other.keyId,
      privateKey: other.seedBase64,
    });
    expect(roomIdOfCreateEvent(cosigned, '12')).toBe(roomId);
  });

  it('builds later events in that room with the hash room ID', () => {
    const { pdu: create, eventId: createId } = createSignedPdu(createInput, '12', signer);
    const roomId = roomIdOfCreateEvent(create, '12');
    const { pdu } = createSignedPdu(buildInput({ roomId, authEvents: [], prevEvents: [createId] }), '12', signer);
    expect(pdu.room_id).toBe(roomId);
    expect(() => buildPdu(buildInput({ roomId: '!abc:bureau.example' }), '12')).toThrow(EventFormatError);
    expect(() => buildPdu({ ...createInput, roomId }, '12')).toThrow(EventFormatError);
  });

  it('refuses to derive room IDs before room version 12 or from another event type', () => {
    const { pdu } = createSignedPdu(createInput, '12', signer);
    expect(() => roomIdOfCreateEvent(pdu, '11')).toThrow(UnsupportedRoomVersionError);
    expect(() => roomIdOfCreateEvent({ ...pdu, type: 'm.room.message' }, '12')).toThrow(EventFormatError);
    expect(() => roomIdOfCreateEvent({ ...pdu, room_id: '!x:y' }, '12')).toThrow(EventFormatError);
  });
});

describe(signEvent.name, () => {
  it('signs so that the full event and its redacted copy both verify, and a change does not', () => {
    const { pdu, eventId } = createSignedPdu(buildInput(), '11', signer);
    expect(eventId).toBe(eventIdOf(pdu, '11'));
    expect(verifyEventSignature(pdu, '11', verifier)).toBe(true);
    expect(verifyEventSignature(redactEvent(pdu, '11'), '11', verifier)).toBe(true);
    // Content is covered through the content hash, not the signature.
    const edited = { ...pdu, content: { body: 'Au revoir' } };
    expect(verifyEventSignature(edited, '11', verifier)).toBe(true);
    expect(hasValidContentHash(edited)).toBe(false);
    // Protected keys are covered by the signature itself.
    expect(verifyEventSignature({ ...pdu, depth: 6 }, '11', verifier)).toBe(false);
    expect(verifyEventSignature({ ...pdu, unsigned: { age: 5 } }, '11', verifier)).toBe(true);
  });

  it('keeps the signatures of other servers', () => {
    const { pdu } = createSignedPdu(buildInput(), '11', signer);
    const other = generateSigningKey();
    const sut = signEvent(pdu, '11', { serverName: 'other.example', keyId: other.keyId, privateKey: other.seedBase64 });
    expect(Object.keys(sut.signatures).sort()).toEqual(['bureau.example', 'other.example']);
    expect(verifyEventSignature(sut, '11', verifier)).toBe(true);
    expect(
      verifyEventSignature(sut, '11', {
        serverName: 'other.example',
        keyId: other.keyId,
        publicKey: other.publicKeyBase64,
      }),
    ).toBe(true);
  });

  it('accepts KeyObjects as well as base64 keys', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const signed = signJson({ a: 1 }, { serverName: 's.example', keyId: 'ed25519:k', privateKey });
    expect(verifyJsonSignature(signed, { serverName: 's.example', keyId: 'ed25519:k', publicKey })).toBe(true);
  });

  it('refuses key IDs that are not ed25519 with a [a-zA-Z0-9_] version', () => {
    expect(() => signJson({}, { ...signer, keyId: 'curve25519:1' })).toThrow();
    expect(() => signJson({}, { ...signer, keyId: 'ed25519:a-b' })).toThrow();
  });
});

describe(verifyJsonSignature.name, () => {
  const signed = signJson({ a: 1, unsigned: { x: 1 } }, signer);

  it('answers false rather than throwing for missing or malformed signatures', () => {
    expect(verifyJsonSignature(signed, verifier)).toBe(true);
    expect(verifyJsonSignature({ a: 1 }, verifier)).toBe(false);
    expect(verifyJsonSignature(signed, { ...verifier, serverName: 'other.example' })).toBe(false);
    expect(verifyJsonSignature(signed, { ...verifier, keyId: 'ed25519:other' })).toBe(false);
    const withSignature = (signature: unknown) => ({
      a: 1,
      signatures: { 'bureau.example': { [signer.keyId]: signature } },
    });
    expect(verifyJsonSignature(withSignature('not base64!'), verifier)).toBe(false);
    expect(verifyJsonSignature(withSignature('AAAA'), verifier)).toBe(false);
    expect(verifyJsonSignature(withSignature(42), verifier)).toBe(false);
    expect(verifyJsonSignature({ ...signed, a: 1.5 }, verifier)).toBe(false);
  });

  it('accepts a padded signature, as decoders should', () => {
    const signature = signed.signatures['bureau.example']?.[signer.keyId] ?? '';
    const padded = { ...signed, signatures: { 'bureau.example': { [signer.keyId]: `${signature}==` } } };
    expect(verifyJsonSignature(padded, verifier)).toBe(true);
  });

  it('rejects a signature by another key', () => {
    expect(verifyJsonSignature(signed, { ...verifier, publicKey: generateSigningKey().publicKeyBase64 })).toBe(false);
  });
});

describe(generateSigningKey.name, () => {
  it('makes a storable key with an ed25519 key ID', () => {
    const sut = generateSigningKey();
    expect(sut.keyId).toMatch(/^ed25519:[a-zA-Z0-9_]+$/);
    expect(decodeBase64(sut.seedBase64)).toHaveLength(32);
    expect(decodeBase64(sut.publicKeyBase64)).toHaveLength(32);
    const restored = JSON.parse(JSON.stringify(sut)) as typeof sut;
    expect(signingKeyFromSeed(restored.seedBase64, restored.keyId)).toEqual(sut);
    expect(generateSigningKey().seedBase64).not.toBe(sut.seedBase64);
    expect(() => publicKeyFromRaw(sut.publicKeyBase64)).not.toThrow();
  });

  it('refuses seeds that are not 32 bytes', () => {
    expect(() => signingKeyFromSeed(encodeUnpaddedBase64(Buffer.alloc(31)), 'ed25519:1')).toThrow(/32 bytes/);
  });
});

describe(decodeBase64.name, () => {
  const table: [string, string | undefined][] = [
    // Examples of appendices.md § "Unpadded Base64", then padded input, then invalid input.
    ['', ''],
    ['Zg', 'f'],
    ['Zm8', 'fo'],
    ['Zm9v', 'foo'],
    ['Zm9vYg', 'foob'],
    ['Zm9vYmE', 'fooba'],
    ['Zm9vYmFy', 'foobar'],
    ['Zg==', 'f'],
    ['Zm8=', 'fo'],
    ['Zm9vY', undefined],
    ['Zg=', undefined],
    ['Zm9v!', undefined],
    ['Zm-v', undefined],
  ];

  it.each(table)('decodes %j', (input, expected) => {
    expect(decodeBase64(input)?.toString('utf8')).toBe(expected);
    if (expected !== undefined && !input.includes('=')) expect(encodeUnpaddedBase64(Buffer.from(expected))).toBe(input);
  });
});
