import { stateTypes } from '../room-state.ts';
import type { RoomRule } from './room-rule.ts';

/**
 * A room's message retention (`m.room.retention`, MSC1763, as Synapse and Tchap use it): messages older
 * than `max_lifetime` milliseconds are purged by a periodic job (see retention-job.ts). The rule only
 * checks that the durations are durations; forums' limits are in forum-rooms.ts.
 */
export function retentionContentRefusal(content: Readonly<Record<string, unknown>>): string | null {
  const durations: Array<[string, unknown]> = [
    ['max_lifetime', content['max_lifetime']],
    ['min_lifetime', content['min_lifetime']],
  ];
  for (const [name, value] of durations) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      return `${name} must be a positive number of milliseconds`;
    }
  }
  const max = content['max_lifetime'];
  const min = content['min_lifetime'];
  if (typeof max === 'number' && typeof min === 'number' && min > max) {
    return 'min_lifetime cannot exceed max_lifetime';
  }
  return null;
}

/** The instant before which a room's messages are purged, or undefined when the room keeps them. */
export function retentionCutoff(content: Readonly<Record<string, unknown>> | undefined, now: Date): number | undefined {
  const max = content?.['max_lifetime'];
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max <= 0) return undefined;
  return now.getTime() - max;
}

export const retentionRule: RoomRule = {
  name: 'bureau.retention',
  check(event) {
    if (event.type !== stateTypes.retention || event.stateKey !== '') return null;
    return retentionContentRefusal(event.content);
  },
};
