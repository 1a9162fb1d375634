import { assistantErrors } from '../assistant.errors.ts';

export type QuotaScopeType = 'organisation' | 'api-key';

export interface QuotaLimits {
  readonly requestsPerMinute: number | null;
  readonly tokensPerMinute: number | null;
  readonly tokensPerDay: number | null;
}

/** Limits for an organisation or an API key, for one model alias or for all (`*`). */
export interface QuotaRule extends QuotaLimits {
  readonly scopeType: QuotaScopeType;
  readonly scopeId: string;
  readonly model: string;
}

/** Who asks for which model: every rule of the organisation and of the key that names it (or `*`) applies. */
export interface QuotaSubject {
  readonly organisationId: string | null;
  readonly apiKeyId: string | null;
  readonly model: string;
}

/** What a request holds until it settles. */
export interface Reservation {
  readonly tokens: number;
  readonly entries: ReadonlyArray<{ readonly counter: Counter; readonly second: number; readonly minute: number }>;
}

const secondsPerMinuteWindow = 60;
const minutesPerDayWindow = 24 * 60;

/**
 * A sliding window of `length` buckets: the buckets in use, oldest first, with running sums, so that a check
 * costs no more than the buckets that left the window since the last one.
 */
class SlidingWindow {
  readonly #length: number;
  #buckets: Array<{ at: number; requests: number; tokens: number }> = [];
  #first = 0;
  #requests = 0;
  #tokens = 0;

  constructor(length: number) {
    this.#length = length;
  }

  #prune(now: number): void {
    while (this.#first < this.#buckets.length) {
      const oldest = this.#buckets[this.#first];
      if (!oldest || oldest.at > now - this.#length) break;
      this.#requests -= oldest.requests;
      this.#tokens -= oldest.tokens;
      this.#first += 1;
    }
    if (this.#first > 64 && this.#first * 2 > this.#buckets.length) {
      this.#buckets = this.#buckets.slice(this.#first);
      this.#first = 0;
    }
  }

  total(now: number, kind: 'requests' | 'tokens'): number {
    this.#prune(now);
    return kind === 'requests' ? this.#requests : this.#tokens;
  }

  /** The uses within the window ending at `now`, oldest first: `[bucket, amount]`. */
  uses(now: number, kind: 'requests' | 'tokens'): Array<[number, number]> {
    this.#prune(now);
    return this.#buckets.slice(this.#first).map((bucket) => [bucket.at, bucket[kind]] as [number, number]);
  }

  add(at: number, requests: number, tokens: number): void {
    this.#prune(at);
    const last = this.#buckets.at(-1);
    if (last && this.#buckets.length > this.#first && last.at === at) {
      last.requests += requests;
      last.tokens += tokens;
    } else {
      this.#buckets.push({ at, requests, tokens });
    }
    this.#requests += requests;
    this.#tokens += tokens;
  }

  /** Corrects the tokens counted in bucket `at`, if it is still in the window. */
  adjust(at: number, tokens: number): void {
    for (let index = this.#buckets.length - 1; index >= this.#first; index -= 1) {
      const bucket = this.#buckets[index];
      if (!bucket || bucket.at < at) return;
      if (bucket.at === at) {
        const corrected = Math.max(0, bucket.tokens + tokens);
        this.#tokens += corrected - bucket.tokens;
        bucket.tokens = corrected;
        return;
      }
    }
  }
}

/**
 * One counter (an organisation's or a key's use of one rule): requests and tokens per second over the last
 * minute, tokens per minute over the last 24 hours.
 */
class Counter {
  readonly #minute = new SlidingWindow(secondsPerMinuteWindow);
  readonly #day = new SlidingWindow(minutesPerDayWindow);

  minuteTotal(second: number, kind: 'requests' | 'tokens'): number {
    return this.#minute.total(second, kind);
  }

  dayTotal(minute: number): number {
    return this.#day.total(minute, 'tokens');
  }

  minuteUses(second: number, kind: 'requests' | 'tokens'): Array<[number, number]> {
    return this.#minute.uses(second, kind);
  }

  dayUses(minute: number): Array<[number, number]> {
    return this.#day.uses(minute, 'tokens');
  }

  add(second: number, minute: number, requests: number, tokens: number): void {
    this.#minute.add(second, requests, tokens);
    this.#day.add(minute, 0, tokens);
  }

  adjust(second: number, minute: number, tokens: number): void {
    this.#minute.adjust(second, tokens);
    this.#day.adjust(minute, tokens);
  }
}

/**
 * Seconds until enough of `uses` (bucket time, amount; oldest first) leaves a window of `windowLength`
 * buckets of `bucketSeconds` for `needed` more to fit under `limit`.
 */
function secondsUntilFits(
  uses: ReadonlyArray<[number, number]>,
  limit: number,
  needed: number,
  now: number,
  windowLength: number,
  bucketSeconds: number,
): number {
  let used = uses.reduce((sum, [, amount]) => sum + amount, 0);
  for (const [at, amount] of uses) {
    used -= amount;
    if (used + needed <= limit) return Math.max(1, Math.ceil((at + windowLength) * bucketSeconds - now));
  }
  return windowLength * bucketSeconds;
}

/**
 * Quotas of the gateway, counted in this process: requests per minute, tokens per minute and tokens per
 * day (sliding windows of 60 s and 24 h), per organisation and per API key, for one model or all. A
 * request reserves one request and its expected tokens before the call (every applicable rule must
 * have room: otherwise AI_QUOTA_EXCEEDED with the seconds to wait); the reservation is settled with the
 * tokens actually used. Checking and reserving happen in one synchronous step, so concurrent requests
 * never overshoot a limit.
 */
export class QuotaLedger {
  readonly #now: () => number;
  readonly #counters = new Map<string, Counter>();
  #rules = new Map<string, QuotaRule>();

  constructor(now: () => number) {
    this.#now = now;
  }

  setRules(rules: readonly QuotaRule[]): void {
    this.#rules = new Map(rules.map((rule) => [ruleKey(rule.scopeType, rule.scopeId, rule.model), rule]));
  }

  /** The rules that apply to `subject`. */
  rulesFor(subject: QuotaSubject): QuotaRule[] {
    const rules: QuotaRule[] = [];
    const scopes: Array<[QuotaScopeType, string | null]> = [
      ['organisation', subject.organisationId],
      ['api-key', subject.apiKeyId],
    ];
    for (const [scopeType, scopeId] of scopes) {
      if (scopeId === null) continue;
      for (const model of [subject.model, '*']) {
        const rule = this.#rules.get(ruleKey(scopeType, scopeId, model));
        if (rule) rules.push(rule);
      }
    }
    return rules;
  }

  /** Reserves one request and `tokens` for `subject`, or throws AI_QUOTA_EXCEEDED / AI_REQUEST_TOO_LARGE. */
  reserve(subject: QuotaSubject, tokens: number): Reservation {
    const nowSeconds = this.#now() / 1000;
    const second = Math.floor(nowSeconds);
    const minute = Math.floor(nowSeconds / 60);
    const rules = this.rulesFor(subject);
    for (const rule of rules) {
      const counter = this.#counter(rule);
      const scope = `${rule.scopeType === 'organisation' ? 'organisation' : 'API key'} ${rule.scopeId}${rule.model === '*' ? '' : `, ${rule.model}`}`;
      const checks: Array<{
        limit: number | null;
        name: string;
        used: () => number;
        uses: () => Array<[number, number]>;
        needed: number;
        day: boolean;
      }> = [
        {
          limit: rule.requestsPerMinute,
          name: 'requests/minute',
          used: () => counter.minuteTotal(second, 'requests'),
          uses: () => counter.minuteUses(second, 'requests'),
          needed: 1,
          day: false,
        },
        {
          limit: rule.tokensPerMinute,
          name: 'tokens/minute',
          used: () => counter.minuteTotal(second, 'tokens'),
          uses: () => counter.minuteUses(second, 'tokens'),
          needed: tokens,
          day: false,
        },
        {
          limit: rule.tokensPerDay,
          name: 'tokens/day',
          used: () => counter.dayTotal(minute),
          uses: () => counter.dayUses(minute),
          needed: tokens,
          day: true,
        },
      ];
      for (const check of checks) {
        if (check.limit === null) continue;
        if (check.needed > check.limit) {
          throw assistantErrors.create('AI_REQUEST_TOO_LARGE', {
            tokens: check.needed,
            limit: check.name,
            allowed: check.limit,
            scope,
          });
        }
        if (check.used() + check.needed > check.limit) {
          const uses = check.uses();
          const retryAfterSeconds = check.day
            ? secondsUntilFits(uses, check.limit, check.needed, nowSeconds, minutesPerDayWindow, 60)
            : secondsUntilFits(uses, check.limit, check.needed, nowSeconds, secondsPerMinuteWindow, 1);
          throw assistantErrors.create('AI_QUOTA_EXCEEDED', {
            limit: check.name,
            scope,
            scopeType: rule.scopeType,
            model: rule.model,
            retryAfterSeconds,
          });
        }
      }
    }
    const entries = rules.map((rule) => {
      const counter = this.#counter(rule);
      counter.add(second, minute, 1, tokens);
      return { counter, second, minute };
    });
    return { tokens, entries };
  }

  /** Replaces the reserved tokens by those used. */
  settle(reservation: Reservation, usedTokens: number): void {
    const delta = usedTokens - reservation.tokens;
    if (delta === 0) return;
    for (const entry of reservation.entries) entry.counter.adjust(entry.second, entry.minute, delta);
  }

  #counter(rule: QuotaRule): Counter {
    const key = ruleKey(rule.scopeType, rule.scopeId, rule.model);
    let counter = this.#counters.get(key);
    if (!counter) {
      counter = new Counter();
      this.#counters.set(key, counter);
    }
    return counter;
  }
}

function ruleKey(scopeType: QuotaScopeType, scopeId: string, model: string): string {
  return `${scopeType}\u0000${scopeId}\u0000${model}`;
}

export type { Counter as QuotaCounter };
