import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { encodeCanonicalJsonBytes, encodeUnpaddedBase64 } from '../protocol/index.ts';

/**
 * Client-side key material for tests: ed25519 keys and JSON signed as a Matrix client signs it (the
 * canonical JSON without `signatures` and `unsigned`), so the server's checks meet real signatures.
 */
export interface TestSigningKey {
  readonly privateKey: KeyObject;
  /** Unpadded base64 of the 32-byte public key. */
  readonly publicKey: string;
}

export function newSigningKey(): TestSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey: encodeUnpaddedBase64(der.subarray(der.length - 32)) };
}

type Signed = Record<string, unknown> & { signatures?: Record<string, Record<string, string>> };

export function signObject<T extends Signed>(value: T, userId: string, keyId: string, key: TestSigningKey): T {
  const { signatures, unsigned: _unsigned, ...content } = value;
  const signature = encodeUnpaddedBase64(sign(null, encodeCanonicalJsonBytes(content), key.privateKey));
  return { ...value, signatures: { ...signatures, [userId]: { ...signatures?.[userId], [keyId]: signature } } };
}

/** A device's signed identity keys, as /keys/upload takes them. */
export function deviceKeysFor(userId: string, deviceId: string, key = newSigningKey()) {
  const keys = {
    user_id: userId,
    device_id: deviceId,
    algorithms: ['m.olm.v1.curve25519-aes-sha2', 'm.megolm.v1.aes-sha2'],
    keys: { [`ed25519:${deviceId}`]: key.publicKey, [`curve25519:${deviceId}`]: newSigningKey().publicKey },
  };
  return { key, deviceKeys: signObject(keys, userId, `ed25519:${deviceId}`, key) };
}

/** Signed one-time keys `signed_curve25519:<id>` (or fallback keys). */
export function oneTimeKeysFor(userId: string, deviceId: string, key: TestSigningKey, ids: string[], fallback = false) {
  return Object.fromEntries(
    ids.map((id) => [
      `signed_curve25519:${id}`,
      signObject(
        { key: newSigningKey().publicKey, ...(fallback ? { fallback: true } : {}) },
        userId,
        `ed25519:${deviceId}`,
        key,
      ),
    ]),
  );
}

/** A cross-signing key `{user_id, usage, keys}`, signed by `signer` when given. */
export function crossSigningKey(
  userId: string,
  usage: string,
  key: TestSigningKey,
  signer?: TestSigningKey,
): Record<string, unknown> {
  const value = { user_id: userId, usage: [usage], keys: { [`ed25519:${key.publicKey}`]: key.publicKey } };
  return signer ? signObject(value, userId, `ed25519:${signer.publicKey}`, signer) : value;
}
