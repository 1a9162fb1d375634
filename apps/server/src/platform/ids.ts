import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.ts';

/**
 * Generates time-ordered identifiers: UUID version 7 (RFC 9562) whose 12 `rand_a` bits are a counter,
 * so ids made by one generator sort in creation order even within the same millisecond (method 1 of
 * the RFC). Time-ordered keys keep B-tree indexes compact and give a natural creation order.
 */
export type IdGenerator = () => string;

// Random bytes drawn 4 KiB at a time from the system's generator: one call per id cost as much as the rest
// of the id (ids are made for every request).
let pool = Buffer.alloc(0);
let poolOffset = 0;
function random16(): Buffer {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  pool.copy(bytes, 0, poolOffset, poolOffset + 16);
  poolOffset += 16;
  return bytes;
}

export function createIdGenerator(clock: Clock): IdGenerator {
  let lastMillis = -1;
  let counter = 0;
  return () => {
    let millis = clock.now().getTime();
    if (millis <= lastMillis) {
      millis = lastMillis;
      counter += 1;
      if (counter > 0xfff) {
        millis += 1;
        counter = 0;
      }
    } else {
      counter = 0;
    }
    lastMillis = millis;
    const bytes = random16();
    bytes.writeUIntBE(millis, 0, 6);
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

/** The creation time encoded in a UUID version 7. */
export function timeOfId(id: string): Date {
  return new Date(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16));
}
