import { describe, expect, it } from 'vitest';
import { retentionCutoff, retentionRule } from './retention.ts';
import { buildRoom, stateEvent } from './room-rules.test-support.ts';

describe('Retention (m.room.retention)', () => {
  const sut = retentionRule;

  it('accepts durations in milliseconds, and none', () => {
    expect(sut.check(stateEvent('m.room.retention', { max_lifetime: 86_400_000 }), buildRoom())).toBeNull();
    expect(
      sut.check(stateEvent('m.room.retention', { min_lifetime: 1000, max_lifetime: 2000 }), buildRoom()),
    ).toBeNull();
    expect(sut.check(stateEvent('m.room.retention', {}), buildRoom())).toBeNull();
  });

  it('refuses what is not a positive duration, or a minimum above the maximum', () => {
    expect(sut.check(stateEvent('m.room.retention', { max_lifetime: '1d' }), buildRoom())).toMatch(/max_lifetime/);
    expect(sut.check(stateEvent('m.room.retention', { max_lifetime: 0 }), buildRoom())).toMatch(/max_lifetime/);
    expect(sut.check(stateEvent('m.room.retention', { min_lifetime: 3000, max_lifetime: 2000 }), buildRoom())).toMatch(
      /cannot exceed/,
    );
  });

  it('purges before now minus max_lifetime, or never', () => {
    const now = new Date('2026-12-01T12:00:00.000Z');
    expect(retentionCutoff({ max_lifetime: 3_600_000 }, now)).toBe(now.getTime() - 3_600_000);
    expect(retentionCutoff({}, now)).toBeUndefined();
    expect(retentionCutoff(undefined, now)).toBeUndefined();
  });
});
