import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { identityErrors } from './identity.errors.ts';

/** scrypt parameters: N=2^15, r=8, p=1 (32 MiB, about 50 ms on one core), within OWASP's recommended range. */
const parameters = { N: 2 ** 15, r: 8, p: 1 } as const;
const keyLength = 32;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(
      password.normalize('NFKC'),
      salt,
      keyLength,
      { ...options, maxmem: 128 * 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** `scrypt$N$r$p$salt$hash` (base64url), self-describing so that parameters can grow later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, parameters);
  return [
    'scrypt',
    parameters.N,
    parameters.r,
    parameters.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [algorithm, n, r, p, salt, hash] = stored.split('$');
  if (algorithm !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let decoy: Promise<string> | undefined;

/**
 * Checks `password` against a hash of a random password: a sign-in for an unknown address then costs
 * the same time as a wrong password, so timing does not tell which addresses have accounts.
 */
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await decoy);
  return false;
}

const commonPasswords = new Set([
  'motdepasse',
  'motdepasse123',
  'password',
  'password123',
  'azertyuiop',
  'azertyuiop123',
  'qwertyuiop',
  '123456789012',
  'bonjour123456',
  'administrateur',
  'soleil123456',
  'marianne2024',
]);

export const minimumPasswordLength = 12;

/**
 * The password policy (ANSSI / NIST SP 800-63B style: length over composition rules): at least 12
 * characters, at most 256, not a common password, not the e-mail address, not one repeated character.
 */
export function assertPasswordPolicy(password: string, email: string): void {
  const reject = (fr: string, en: string) => {
    throw identityErrors.create('IDENTITY_WEAK_PASSWORD', { reason: fr, reasonEn: en });
  };
  if (password.length < minimumPasswordLength) {
    reject(`au moins ${minimumPasswordLength} caractères.`, `at least ${minimumPasswordLength} characters.`);
  }
  if (password.length > 256) reject('au plus 256 caractères.', 'at most 256 characters.');
  const lowered = password.toLowerCase();
  if (commonPasswords.has(lowered)) reject('ce mot de passe est trop courant.', 'this password is too common.');
  if (lowered === email.toLowerCase() || lowered === email.split('@')[0]?.toLowerCase()) {
    reject('il ne doit pas reprendre votre adresse électronique.', 'it must not repeat your e-mail address.');
  }
  if (new Set(password).size < 4)
    reject('il doit varier davantage ses caractères.', 'it must use more varied characters.');
}
