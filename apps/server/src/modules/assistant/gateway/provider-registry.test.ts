import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AuditLog } from '../../../platform/audit/audit-log.ts';
import {
  createSensitivityService,
  sensitivityLevels,
  type ProcessorHosting,
  type SensitivityLevel,
} from '../../../platform/sensitivity/index.ts';
import { ProviderRegistry } from './provider-registry.ts';
import type { ProviderDefinition } from './providers-file.ts';

const silentAudit = { record: () => Promise.resolve() } as unknown as AuditLog;

function provider(
  id: string,
  hosting: ProcessorHosting,
  clearance: SensitivityLevel,
  maxConcurrency = 4,
): ProviderDefinition {
  return {
    id,
    name: id,
    baseUrl: `http://${id}.test/v1`,
    apiKey: null,
    hosting,
    clearance,
    operator: null,
    models: [{ name: 'albert-large', upstream: `${id}-model`, type: 'chat', costPerMillionTokens: null }],
    maxConcurrency,
    timeouts: { firstByteMs: 1000, totalMs: 5000 },
    requiresPseudonymisation: false,
    healthCheck: { path: '/models', intervalMs: 30_000 },
  };
}

function buildRegistry() {
  const logger = pino({ level: 'silent' });
  const sensitivity = createSensitivityService({ audit: silentAudit, logger });
  const sut = new ProviderRegistry({ sensitivity, logger });
  sut.add(provider('public-api', 'public-cloud', 'internal'), 'file');
  sut.add(provider('secnum', 'secnumcloud', 'sensitive'), 'file');
  sut.add(provider('onprem', 'on-premises', 'restricted'), 'database');
  return { sut, sensitivity };
}

describe(ProviderRegistry.name, () => {
  it('makes eligible, for each level, exactly the providers cleared for it', () => {
    const { sut } = buildRegistry();
    const eligible = Object.fromEntries(
      sensitivityLevels.map((level) => [
        level,
        sut
          .candidates('albert-large', level)
          .cleared.map((candidate) => candidate.provider.definition.id)
          .sort(),
      ]),
    );
    expect(eligible).toEqual({
      public: ['onprem', 'public-api', 'secnum'],
      internal: ['onprem', 'public-api', 'secnum'],
      sensitive: ['onprem', 'secnum'],
      restricted: ['onprem'],
    });
    expect(sut.candidates('albert-large', 'restricted').serving).toBe(3);
    expect(sut.candidates('unknown', 'public')).toEqual({ cleared: [], serving: 0 });
  });

  it('follows the sensitivity registry when a clearance changes, and refuses one above the hosting', () => {
    const { sut, sensitivity } = buildRegistry();
    sensitivity.updateProcessor('secnum', { clearance: 'internal' });
    expect(sut.candidates('albert-large', 'sensitive').cleared.map((c) => c.provider.definition.id)).toEqual([
      'onprem',
    ]);
    expect(() => sut.add(provider('cloud-dr', 'public-cloud', 'restricted'), 'database')).toThrow();
  });

  it('tries the least busy first, the unhealthy last, and skips a provider at capacity', () => {
    const { sut } = buildRegistry();
    const onprem = sut.get('onprem');
    const secnum = sut.get('secnum');
    if (!onprem || !secnum) throw new Error('providers');
    expect(sut.acquire(onprem)).toBe(true);
    expect(sut.acquire(onprem)).toBe(true);
    expect(sut.candidates('albert-large', 'sensitive').cleared[0]?.provider.definition.id).toBe('secnum');
    sut.markFailed(secnum, '2026-12-02T10:00:00.000Z', 'HTTP 503');
    expect(sut.candidates('albert-large', 'sensitive').cleared.map((c) => c.provider.definition.id)).toEqual([
      'onprem',
      'secnum',
    ]);
    expect(sut.acquire(onprem)).toBe(true);
    expect(sut.acquire(onprem)).toBe(true);
    expect(sut.acquire(onprem)).toBe(false);
    sut.release(onprem);
    expect(sut.acquire(onprem)).toBe(true);
  });

  it('takes providers with the same load in turn', () => {
    const { sut } = buildRegistry();
    const firsts = Array.from(
      { length: 6 },
      () => sut.candidates('albert-large', 'internal').cleared[0]?.provider.definition.id,
    );
    expect(new Set(firsts)).toEqual(new Set(['public-api', 'secnum', 'onprem']));
  });

  it('refuses an alias served with another type elsewhere', () => {
    const { sut } = buildRegistry();
    const clash = { ...provider('tei', 'on-premises', 'restricted') };
    expect(() =>
      sut.add(
        {
          ...clash,
          models: [{ name: 'albert-large', upstream: 'bge', type: 'embeddings', costPerMillionTokens: null }],
        },
        'database',
      ),
    ).toThrow(/chat model/);
  });
});
