import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import type { AuditActor, AuditLog } from '../audit/audit-log.ts';
import { createAuditLog } from '../audit/audit.service.ts';
import { createManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { createMigrationRunner } from '../db/migrations.ts';
import { AppError } from '../errors.ts';
import { createIdGenerator } from '../ids.ts';
import { createLogger } from '../logging.ts';
import { platformMigrations } from '../migrations/index.ts';
import { sensitivityLevels, type SensitivityLevel } from './levels.ts';
import type { ProcessorHosting } from './processors.ts';
import { createSensitivityService, type ProcessorDeclaration, type SensitivityService } from './sensitivity.service.ts';

const logger = createLogger('silent');
const agent: AuditActor = { userId: 'user-1', label: 'agent@example.org', ip: '192.0.2.10', userAgent: 'Firefox/140' };

/** The least trusted hosting that may still be cleared up to `clearance`. */
const hostingFor: Record<SensitivityLevel, ProcessorHosting> = {
  public: 'public-cloud',
  internal: 'public-cloud',
  sensitive: 'secnumcloud',
  restricted: 'on-premises',
};

function buildProcessor(overrides: Partial<ProcessorDeclaration> = {}): ProcessorDeclaration {
  return {
    id: 'albert',
    kind: 'model-provider',
    name: 'Albert (DINUM)',
    clearance: 'sensitive',
    hosting: 'state-cloud',
    operator: 'DINUM',
    ...overrides,
  };
}

describe('Sensitivity service', () => {
  let environment: TestEnvironment;
  let database: Database;
  let audit: AuditLog;
  let sut: SensitivityService;

  beforeEach(async () => {
    environment = await createTestEnvironment();
    database = environment.openDatabase();
    await createMigrationRunner(database, platformMigrations).migrateToLatest();
    const clock = createManualClock('2026-12-01T08:00:00.000Z');
    audit = createAuditLog({ database, clock, newId: createIdGenerator(clock), logger });
    sut = createSensitivityService({ audit, logger });
  });

  afterEach(async () => {
    await environment.destroy();
  });

  it('allows data up to each clearance and refuses anything above it, recording all 16 decisions', async () => {
    for (const clearance of sensitivityLevels) {
      sut.registerProcessor(
        buildProcessor({
          id: `cleared-${clearance}`,
          name: `Cleared ${clearance}`,
          clearance,
          hosting: hostingFor[clearance],
        }),
      );
    }

    const outcomes: string[] = [];
    for (const clearance of sensitivityLevels) {
      for (const level of sensitivityLevels) {
        try {
          const decision = await sut.assertMayProcess(`cleared-${clearance}`, [level], { actor: agent });
          expect(decision).toMatchObject({ processor: { id: `cleared-${clearance}` }, level });
          outcomes.push(`${clearance}/${level}: allowed`);
        } catch (error) {
          expect(error).toMatchObject({
            code: 'SENSITIVITY_PROCESSING_REFUSED',
            details: { processorId: `cleared-${clearance}`, level, clearance },
          });
          outcomes.push(`${clearance}/${level}: refused`);
        }
      }
    }
    expect(outcomes).toEqual([
      'public/public: allowed',
      'public/internal: refused',
      'public/sensitive: refused',
      'public/restricted: refused',
      'internal/public: allowed',
      'internal/internal: allowed',
      'internal/sensitive: refused',
      'internal/restricted: refused',
      'sensitive/public: allowed',
      'sensitive/internal: allowed',
      'sensitive/sensitive: allowed',
      'sensitive/restricted: refused',
      'restricted/public: allowed',
      'restricted/internal: allowed',
      'restricted/sensitive: allowed',
      'restricted/restricted: allowed',
    ]);

    const recorded = (await audit.query({ limit: 100, actionPrefix: 'sensitivity.processing.' })).items.reverse();
    expect(
      recorded.map((event) => {
        const details = event.details ?? {};
        return `${String(details.clearance)}/${String(details.level)}: ${event.action.split('.').at(-1)} (${event.outcome})`;
      }),
    ).toEqual(
      outcomes.map((line) => line.replace('allowed', 'allowed (success)').replace('refused', 'refused (denied)')),
    );
  });

  it('refuses with a clear message in French and English and records who, what and why', async () => {
    sut.registerProcessor(
      buildProcessor({
        id: 'gpt',
        name: 'Fournisseur américain',
        clearance: 'internal',
        hosting: 'public-cloud',
        operator: null,
      }),
    );

    const attempt = sut.assertMayProcess('gpt', ['internal', 'sensitive'], {
      actor: agent,
      target: { type: 'document', id: 'doc-42', label: 'Note au ministre' },
      purpose: 'assistant.summary',
      organisationId: 'org-7',
    });

    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({
      code: 'SENSITIVITY_PROCESSING_REFUSED',
      kind: 'forbidden',
      details: { processorId: 'gpt', level: 'sensitive', clearance: 'internal' },
      messages: {
        fr: 'Ces données sont classées « Sensible » : Fournisseur américain n’est habilité que jusqu’au niveau « Interne ». Bureau ne les lui envoie pas.',
        en: 'This data is labelled “Sensitive”: Fournisseur américain is only cleared up to “Internal”. Bureau does not send it there.',
      },
    });

    const [event] = (await audit.query({ limit: 10 })).items;
    expect(event).toMatchObject({
      action: 'sensitivity.processing.refused',
      outcome: 'denied',
      actor: { userId: 'user-1', label: 'agent@example.org', ip: '192.0.2.10' },
      target: { type: 'document', id: 'doc-42', label: 'Note au ministre' },
      organisationId: 'org-7',
      details: {
        processor: 'gpt',
        processorKind: 'model-provider',
        hosting: 'public-cloud',
        level: 'sensitive',
        clearance: 'internal',
        purpose: 'assistant.summary',
        reason: 'clearance',
      },
    });
  });

  it('records an allowed processing with its facts and returns the processor and the level', async () => {
    sut.registerProcessor(buildProcessor());

    const decision = await sut.assertMayProcess('albert', ['public', 'sensitive'], {
      actor: agent,
      target: { type: 'room', id: 'room-1' },
      purpose: 'assistant.chat',
    });

    expect(decision).toEqual({
      processor: {
        id: 'albert',
        kind: 'model-provider',
        name: 'Albert (DINUM)',
        clearance: 'sensitive',
        hosting: 'state-cloud',
        operator: 'DINUM',
      },
      level: 'sensitive',
    });
    expect((await audit.query({ limit: 10 })).items).toEqual([
      expect.objectContaining({
        action: 'sensitivity.processing.allowed',
        outcome: 'success',
        target: { type: 'room', id: 'room-1', label: null },
        organisationId: null,
        details: {
          processor: 'albert',
          processorKind: 'model-provider',
          hosting: 'state-cloud',
          level: 'sensitive',
          clearance: 'sensitive',
          purpose: 'assistant.chat',
        },
      }),
    ]);
  });

  it('refuses data to a processor nobody registered, and records it', async () => {
    const attempt = sut.assertMayProcess('mystery', ['public'], { actor: agent });

    await expect(attempt).rejects.toMatchObject({
      code: 'SENSITIVITY_PROCESSOR_UNKNOWN',
      kind: 'forbidden',
      details: { processorId: 'mystery' },
      messages: { fr: 'Aucun service de traitement « mystery » n’est déclaré : Bureau ne lui envoie aucune donnée.' },
    });
    expect((await audit.query({ limit: 10 })).items).toEqual([
      expect.objectContaining({
        action: 'sensitivity.processing.refused',
        outcome: 'denied',
        details: { processor: 'mystery', level: 'public', clearance: null, purpose: null, reason: 'unknown-processor' },
      }),
    ]);
  });

  it('counts a label it does not know as restricted', async () => {
    sut.registerProcessor(buildProcessor());
    await expect(
      sut.assertMayProcess('albert', ['internal', 'top-secret' as SensitivityLevel], { actor: agent }),
    ).rejects.toMatchObject({ code: 'SENSITIVITY_PROCESSING_REFUSED', details: { level: 'restricted' } });
  });

  it('lets nothing leave when the allowed decision cannot be recorded, but still refuses clearly when a refusal cannot', async () => {
    sut.registerProcessor(buildProcessor());
    const badActor: AuditActor = { userId: 'u'.repeat(300) };

    await expect(sut.assertMayProcess('albert', ['public'], { actor: badActor })).rejects.toMatchObject({
      code: 'AUDIT_EVENT_INVALID',
    });
    await expect(sut.assertMayProcess('albert', ['restricted'], { actor: badActor })).rejects.toMatchObject({
      code: 'SENSITIVITY_PROCESSING_REFUSED',
    });
    expect((await audit.query({ limit: 10 })).items).toEqual([]);
  });

  it('refuses to clear a public cloud above internal, and a qualified or State cloud above sensitive', () => {
    const refusal = (hosting: ProcessorHosting, clearance: SensitivityLevel) => () =>
      sut.registerProcessor(buildProcessor({ id: `${hosting}-${clearance}`, hosting, clearance }));

    expect(refusal('public-cloud', 'sensitive')).toThrow(
      expect.objectContaining({
        code: 'SENSITIVITY_CLEARANCE_ABOVE_HOSTING',
        kind: 'invalid',
        details: {
          processorId: 'public-cloud-sensitive',
          hosting: 'public-cloud',
          clearance: 'sensitive',
          maximum: 'internal',
        },
        messages: {
          fr: 'Hébergement « Cloud public » : la doctrine « Cloud au centre » ne permet pas d’habiliter Albert (DINUM) au-delà du niveau « Interne » (demandé : « Sensible »).',
          en: 'Hosting “Public cloud”: the “Cloud au centre” doctrine does not allow clearing Albert (DINUM) above “Internal” (asked: “Sensitive”).',
        },
      }),
    );
    expect(refusal('public-cloud', 'restricted')).toThrow(
      expect.objectContaining({ code: 'SENSITIVITY_CLEARANCE_ABOVE_HOSTING' }),
    );
    expect(refusal('secnumcloud', 'restricted')).toThrow(
      expect.objectContaining({ code: 'SENSITIVITY_CLEARANCE_ABOVE_HOSTING' }),
    );
    expect(refusal('state-cloud', 'restricted')).toThrow(
      expect.objectContaining({ code: 'SENSITIVITY_CLEARANCE_ABOVE_HOSTING' }),
    );

    expect(refusal('public-cloud', 'internal')).not.toThrow();
    expect(refusal('secnumcloud', 'sensitive')).not.toThrow();
    expect(refusal('state-cloud', 'sensitive')).not.toThrow();
    expect(refusal('on-premises', 'restricted')).not.toThrow();
    expect(sut.listProcessors().map((processor) => processor.id)).toEqual([
      'public-cloud-internal',
      'secnumcloud-sensitive',
      'state-cloud-sensitive',
      'on-premises-restricted',
    ]);
  });

  it('refuses a duplicate id and invalid declarations', () => {
    sut.registerProcessor(buildProcessor());
    expect(() => sut.registerProcessor(buildProcessor({ name: 'Another' }))).toThrow(
      expect.objectContaining({ code: 'SENSITIVITY_PROCESSOR_DUPLICATE', kind: 'conflict' }),
    );
    expect(() => sut.registerProcessor(buildProcessor({ id: 'Bad Id' }))).toThrow(
      expect.objectContaining({
        code: 'SENSITIVITY_PROCESSOR_INVALID',
        details: expect.objectContaining({ field: 'id' }) as unknown,
      }),
    );
    for (const [field, value] of [
      ['kind', 'oracle'],
      ['name', '  '],
      ['clearance', 'secret'],
      ['hosting', 'basement'],
      ['operator', ''],
    ] as const) {
      expect(() => sut.registerProcessor({ ...buildProcessor({ id: `p-${field}` }), [field]: value })).toThrow(
        expect.objectContaining({
          code: 'SENSITIVITY_PROCESSOR_INVALID',
          details: expect.objectContaining({ field }) as unknown,
        }),
      );
    }
    expect(sut.listProcessors()).toHaveLength(1);
  });

  it('updates and unregisters processors at run time, checking each change like a registration', async () => {
    sut.registerProcessor(
      buildProcessor({
        id: 'store',
        kind: 'object-store',
        name: 'Stockage',
        clearance: 'internal',
        hosting: 'public-cloud',
      }),
    );

    expect(() => sut.updateProcessor('store', { clearance: 'sensitive' })).toThrow(
      expect.objectContaining({ code: 'SENSITIVITY_CLEARANCE_ABOVE_HOSTING' }),
    );
    expect(sut.getProcessor('store')?.clearance).toBe('internal');

    const moved = sut.updateProcessor('store', {
      hosting: 'secnumcloud',
      clearance: 'sensitive',
      operator: 'OVHcloud',
    });
    expect(moved).toEqual({
      id: 'store',
      kind: 'object-store',
      name: 'Stockage',
      clearance: 'sensitive',
      hosting: 'secnumcloud',
      operator: 'OVHcloud',
    });
    expect(Object.isFrozen(moved)).toBe(true);
    await expect(sut.assertMayProcess('store', ['sensitive'], { actor: agent })).resolves.toMatchObject({
      level: 'sensitive',
    });

    expect(() => sut.updateProcessor('nowhere', { name: 'x' })).toThrow(
      expect.objectContaining({ code: 'SENSITIVITY_PROCESSOR_NOT_FOUND', kind: 'not_found' }),
    );
    expect(sut.unregisterProcessor('store')).toBe(true);
    expect(sut.unregisterProcessor('store')).toBe(false);
    expect(sut.getProcessor('store')).toBeUndefined();
    await expect(sut.assertMayProcess('store', ['public'], { actor: agent })).rejects.toMatchObject({
      code: 'SENSITIVITY_PROCESSOR_UNKNOWN',
    });
  });

  it('lists the processors cleared for a level, optionally of one kind', () => {
    sut.registerProcessor(buildProcessor({ id: 'public-llm', clearance: 'internal', hosting: 'public-cloud' }));
    sut.registerProcessor(buildProcessor({ id: 'albert', clearance: 'sensitive', hosting: 'state-cloud' }));
    sut.registerProcessor(buildProcessor({ id: 'local-llm', clearance: 'restricted', hosting: 'on-premises' }));
    sut.registerProcessor(
      buildProcessor({ id: 'local-whisper', kind: 'transcription', clearance: 'restricted', hosting: 'on-premises' }),
    );

    const ids = (level: SensitivityLevel, kind?: 'model-provider') =>
      sut.processorsClearedFor(level, kind).map((p) => p.id);
    expect(ids('public')).toEqual(['public-llm', 'albert', 'local-llm', 'local-whisper']);
    expect(ids('sensitive')).toEqual(['albert', 'local-llm', 'local-whisper']);
    expect(ids('restricted', 'model-provider')).toEqual(['local-llm']);
  });
});
