import { describe, expect, it } from 'vitest';
import { defaultDigestSchedule, nextDigestAt, renderDigest } from './notifications.digest.ts';

const at = (iso: string) => new Date(iso);

describe(nextDigestAt.name, () => {
  it('gives the next 06:00 UTC for a daily digest, never the current instant', () => {
    expect(nextDigestAt(at('2026-12-01T05:59:59.999Z'), 'daily', defaultDigestSchedule)?.toISOString()).toBe(
      '2026-12-01T06:00:00.000Z',
    );
    expect(nextDigestAt(at('2026-12-01T06:00:00.000Z'), 'daily', defaultDigestSchedule)?.toISOString()).toBe(
      '2026-12-02T06:00:00.000Z',
    );
    expect(nextDigestAt(at('2026-12-31T23:00:00.000Z'), 'daily', defaultDigestSchedule)?.toISOString()).toBe(
      '2027-01-01T06:00:00.000Z',
    );
  });

  it('gives the next Monday at 06:00 UTC for a weekly digest', () => {
    // 2026-12-01 is a Tuesday, 2026-12-07 a Monday.
    expect(nextDigestAt(at('2026-12-01T08:00:00.000Z'), 'weekly', defaultDigestSchedule)?.toISOString()).toBe(
      '2026-12-07T06:00:00.000Z',
    );
    expect(nextDigestAt(at('2026-12-07T05:00:00.000Z'), 'weekly', defaultDigestSchedule)?.toISOString()).toBe(
      '2026-12-07T06:00:00.000Z',
    );
    expect(nextDigestAt(at('2026-12-07T06:00:00.000Z'), 'weekly', defaultDigestSchedule)?.toISOString()).toBe(
      '2026-12-14T06:00:00.000Z',
    );
  });

  it('gives nothing when the digest is off', () => {
    expect(nextDigestAt(at('2026-12-01T08:00:00.000Z'), 'off', defaultDigestSchedule)).toBeUndefined();
  });
});

describe(renderDigest.name, () => {
  it('lists at most 50 notifications and counts the others, on one line each', () => {
    const entries = Array.from({ length: 52 }, (_, index) => ({
      title: `Title ${index}\nwith a break`,
      body: null,
      url: null,
      createdAt: '2026-12-01T08:00:00.000Z',
    }));
    const { subject, text } = renderDigest({
      locale: 'en',
      displayName: 'Agnès',
      entries,
      inboxUrl: 'http://bureau.test/notifications',
    });
    expect(subject).toBe('Bureau: 52 unread notifications');
    expect(text).toContain('- Title 0 with a break\n');
    expect(text).toContain('- Title 49 with a break\n');
    expect(text).not.toContain('Title 50');
    expect(text).toContain('… and 2 more.');
  });
});
