/**
 * Attachments of end-to-end encrypted rooms, as the Matrix specification has them ("Sending encrypted
 * attachments", `v2`): the file is encrypted in the browser with AES-256-CTR under a fresh key, the
 * ciphertext is uploaded, and the key, the counter block and the SHA-256 of the ciphertext travel inside the
 * (encrypted) event as `file`. The server only ever stores ciphertext. WebCrypto does the work.
 */

/** The `file` of an encrypted attachment's event content (`EncryptedFile`). */
export interface EncryptedFile {
  url: string;
  key: { kty: 'oct'; key_ops: string[]; alg: 'A256CTR'; k: string; ext: true };
  iv: string;
  hashes: { sha256: string };
  v: 'v2';
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Unpadded base64, as Matrix writes `iv` and `hashes`. */
function unpaddedBase64(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/=+$/, '');
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const normal = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = normal + '='.repeat((4 - (normal.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (character) => character.charCodeAt(0));
}

async function sha256(data: ArrayBuffer): Promise<string> {
  return unpaddedBase64(new Uint8Array(await crypto.subtle.digest('SHA-256', data)));
}

/** Encrypts a file's bytes; `file` lacks only the `url` the upload of `data` will give. */
export async function encryptAttachment(
  plain: ArrayBuffer,
): Promise<{ data: ArrayBuffer; file: Omit<EncryptedFile, 'url'> }> {
  const key = await crypto.subtle.generateKey({ name: 'AES-CTR', length: 256 }, true, ['encrypt', 'decrypt']);
  // The first 8 bytes random, the last 8 (the block counter) zero: room for 2^64 blocks.
  const iv = new Uint8Array(16);
  crypto.getRandomValues(iv.subarray(0, 8));
  const data = await crypto.subtle.encrypt({ name: 'AES-CTR', counter: iv, length: 64 }, key, plain);
  const jwk = await crypto.subtle.exportKey('jwk', key);
  return {
    data,
    file: {
      key: { kty: 'oct', key_ops: ['encrypt', 'decrypt'], alg: 'A256CTR', k: jwk.k ?? '', ext: true },
      iv: unpaddedBase64(iv),
      hashes: { sha256: await sha256(data) },
      v: 'v2',
    },
  };
}

/** Checks the ciphertext against its hash, then decrypts it; throws on a mismatch or a malformed `file`. */
export async function decryptAttachment(data: ArrayBuffer, file: EncryptedFile): Promise<ArrayBuffer> {
  if (file.v !== 'v2' || file.key.alg !== 'A256CTR' || !file.hashes.sha256) {
    throw new Error('unsupported encrypted attachment');
  }
  if ((await sha256(data)) !== file.hashes.sha256.replace(/=+$/, '')) {
    throw new Error('encrypted attachment: hash mismatch');
  }
  const key = await crypto.subtle.importKey(
    'jwk',
    { kty: 'oct', k: file.key.k, alg: 'A256CTR', ext: true, key_ops: ['encrypt', 'decrypt'] },
    { name: 'AES-CTR' },
    false,
    ['decrypt'],
  );
  const iv = fromBase64(file.iv);
  return crypto.subtle.decrypt({ name: 'AES-CTR', counter: iv, length: 64 }, key, data);
}

/** The `file` of an event's content, when it is a well-formed encrypted attachment. */
export function encryptedFileOf(content: Record<string, unknown>): EncryptedFile | undefined {
  const file = content['file'];
  if (typeof file !== 'object' || file === null) return undefined;
  const candidate = file as Partial<EncryptedFile>;
  if (typeof candidate.url !== 'string' || !candidate.url.startsWith('mxc://')) return undefined;
  if (typeof candidate.iv !== 'string' || typeof candidate.key?.k !== 'string') return undefined;
  if (typeof candidate.hashes?.sha256 !== 'string') return undefined;
  return candidate as EncryptedFile;
}
