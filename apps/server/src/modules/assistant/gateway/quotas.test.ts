import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.ts';
import { QuotaLedger, type QuotaRule } from './quotas.ts';

const organisationId = '00000000-0000-4000-8000-000000000001';
const apiKeyId = '00000000-0000-4000-8000-000000000002';
const subject = { organisationId, apiKeyId, model: 'albert-large' };

function rule(overrides: Partial<QuotaRule>): QuotaRule {
  return {
    scopeType: 'api-key',
    scopeId: apiKeyId,
    model: '*',
    requestsPerMinute: null,
    tokensPerMinute: null,
    tokensPerDay: null,
    ...overrides,
  };
}

function refusal(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe(QuotaLedger.name, () => {
  it('refuses the request past the limit per minute and says when one fits again', () => {
    let now = Date.parse('2026-12-02T10:00:00.000Z');
    const sut = new QuotaLedger(() => now);
    sut.setRules([rule({ requestsPerMinute: 3 })]);
    sut.reserve(subject, 10);
    now += 20_000;
    sut.reserve(subject, 10);
    sut.reserve(subject, 10);
    const error = refusal(() => sut.reserve(subject, 10));
    expect(error.code).toBe('AI_QUOTA_EXCEEDED');
    // The first request leaves the window 60 s after it was made, 40 s from now.
    expect(error.details).toMatchObject({ limit: 'requests/minute', retryAfterSeconds: 40 });
    now += 40_000;
    expect(() => sut.reserve(subject, 10)).not.toThrow();
  });

  it('counts the tokens reserved, then those used once settled', () => {
    const now = Date.parse('2026-12-02T10:00:00.000Z');
    const sut = new QuotaLedger(() => now);
    sut.setRules([rule({ tokensPerMinute: 1000 })]);
    const first = sut.reserve(subject, 900);
    expect(refusal(() => sut.reserve(subject, 200)).code).toBe('AI_QUOTA_EXCEEDED');
    sut.settle(first, 300);
    expect(() => sut.reserve(subject, 200)).not.toThrow();
    expect(() => sut.reserve(subject, 500)).not.toThrow();
    expect(refusal(() => sut.reserve(subject, 1)).code).toBe('AI_QUOTA_EXCEEDED');
  });

  it('refuses at once a request larger than the limit itself', () => {
    const sut = new QuotaLedger(() => 0);
    sut.setRules([rule({ tokensPerDay: 100 })]);
    expect(refusal(() => sut.reserve(subject, 101))).toMatchObject({
      code: 'AI_REQUEST_TOO_LARGE',
      details: { allowed: 100 },
    });
  });

  it('keeps tokens per day over 24 hours, and frees them as they get older', () => {
    let now = Date.parse('2026-12-02T10:00:00.000Z');
    const sut = new QuotaLedger(() => now);
    sut.setRules([rule({ tokensPerDay: 1000 })]);
    sut.reserve(subject, 600);
    now += 12 * 3_600_000;
    sut.reserve(subject, 400);
    const error = refusal(() => sut.reserve(subject, 100));
    expect(error.details).toMatchObject({ limit: 'tokens/day', retryAfterSeconds: 12 * 3600 });
    now += 12 * 3_600_000;
    expect(() => sut.reserve(subject, 100)).not.toThrow();
  });

  it('applies the rules of the organisation and of the key, for the model and for all models', () => {
    const sut = new QuotaLedger(() => 0);
    sut.setRules([
      rule({ scopeType: 'organisation', scopeId: organisationId, model: 'albert-large', requestsPerMinute: 2 }),
      rule({ requestsPerMinute: 5 }),
    ]);
    expect(sut.rulesFor(subject)).toHaveLength(2);
    expect(sut.rulesFor({ ...subject, model: 'albert-small' })).toHaveLength(1);
    sut.reserve(subject, 1);
    sut.reserve(subject, 1);
    expect(refusal(() => sut.reserve(subject, 1)).details).toMatchObject({ scopeType: 'organisation' });
    // Another model is only bound by the key's rule for all models (5 a minute, 2 used already).
    for (let index = 0; index < 3; index += 1) sut.reserve({ ...subject, model: 'albert-small' }, 1);
    expect(refusal(() => sut.reserve({ ...subject, model: 'albert-small' }, 1)).details).toMatchObject({
      scopeType: 'api-key',
    });
  });

  it('lets everything through when no rule applies', () => {
    const sut = new QuotaLedger(() => 0);
    for (let index = 0; index < 1000; index += 1) sut.reserve(subject, 1_000_000);
    expect(sut.rulesFor(subject)).toEqual([]);
  });
});
