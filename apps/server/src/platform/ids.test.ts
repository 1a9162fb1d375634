import { describe, expect, it } from 'vitest';
import { createManualClock } from './clock.ts';
import { createIdGenerator, timeOfId } from './ids.ts';

describe('createIdGenerator', () => {
  it('makes UUID version 7 ids that carry their creation time', () => {
    const clock = createManualClock('2026-11-29T10:00:00.000Z');
    const id = createIdGenerator(clock)();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(timeOfId(id).toISOString()).toBe('2026-11-29T10:00:00.000Z');
  });

  it('keeps ids in creation order within one millisecond and when the clock goes back', () => {
    const clock = createManualClock('2026-11-29T10:00:00.000Z');
    const sut = createIdGenerator(clock);
    const ids = Array.from({ length: 5000 }, (_, index) => {
      if (index === 2500) clock.advance(-1000);
      return sut();
    });
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
