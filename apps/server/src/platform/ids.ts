import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.ts';

/**
 * Generates time-ordered identifiers: UUID version 7 (RFC 9562) whose 12 `rand_a` bits are a counter,
 * so ids made by one generator sort in creation order even within the same millisecond (method 1 of
 * the RFC). Time-ordered keys keep B-tree indexes compact and give a natural creation order.
 */
export type IdGenerator = () => string;

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
    const bytes = randomBytes(16);
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
