import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { createManualClock, type ManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { createMigrationRunner } from '../db/migrations.ts';
import { AppError } from '../errors.ts';
import { createIdGenerator } from '../ids.ts';
import { createLogger } from '../logging.ts';
import { platformMigrations } from '../migrations/index.ts';
import type { AuditEventInput, AuditLog } from './audit-log.ts';
import { createAuditLog, isSecretDetailKey, systemAuditActor } from './audit.service.ts';

const logger = createLogger('silent');

function buildEvent(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    action: 'identity.login.succeeded',
    outcome: 'success',
    actor: { userId: 'user-1', label: 'agent@example.org', ip: '192.0.2.10', userAgent: 'Firefox/140' },
    ...overrides,
  };
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

describe('Audit log', () => {
  let environment: TestEnvironment;
  let database: Database;
  let clock: ManualClock;
  let sut: AuditLog;

  beforeEach(async () => {
    environment = await createTestEnvironment();
    database = environment.openDatabase();
    await createMigrationRunner(database, platformMigrations).migrateToLatest();
    clock = createManualClock('2026-12-01T08:00:00.000Z');
    sut = createAuditLog({ database, clock, newId: createIdGenerator(clock), logger });
  });

  afterEach(async () => {
    await environment.destroy();
  });

  it('records an event and reads it back with every field', async () => {
    await sut.record({
      action: 'authz.grant.created',
      outcome: 'success',
      actor: {
        userId: 'user-1',
        apiKeyId: 'key-9',
        label: 'agent@example.org',
        ip: '2001:db8::1',
        userAgent: 'curl/8',
      },
      target: { type: 'document', id: 'doc-42', label: 'Budget 2027' },
      organisationId: 'org-7',
      details: { role: 'editor', principal: { type: 'group', id: 'group-3' }, inherited: false, count: 2 },
    });

    const page = await sut.query({ limit: 10 });
    expect(page.nextCursor).toBeNull();
    expect(page.items).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) as string,
        occurredAt: '2026-12-01T08:00:00.000Z',
        action: 'authz.grant.created',
        outcome: 'success',
        actor: {
          userId: 'user-1',
          apiKeyId: 'key-9',
          label: 'agent@example.org',
          ip: '2001:db8::1',
          userAgent: 'curl/8',
          system: false,
        },
        target: { type: 'document', id: 'doc-42', label: 'Budget 2027' },
        organisationId: 'org-7',
        details: { role: 'editor', principal: { type: 'group', id: 'group-3' }, inherited: false, count: 2 },
      },
    ]);
  });

  it('records what Bureau does by itself as the system actor, with empty details when none are given', async () => {
    await sut.record({ action: 'platform.retention.applied', outcome: 'success', actor: systemAuditActor });
    const [event] = (await sut.query({ limit: 1 })).items;
    expect(event).toMatchObject({
      actor: { userId: null, apiKeyId: null, label: 'Bureau', ip: null, userAgent: null, system: true },
      target: null,
      organisationId: null,
      details: {},
    });
  });

  it('keeps an event recorded in a transaction that commits and loses one recorded in a transaction that rolls back', async () => {
    await database.transaction(async (context) => {
      await sut.record(buildEvent({ action: 'docs.document.shared' }), { context });
    });
    await expect(
      database.transaction(async (context) => {
        await sut.record(buildEvent({ action: 'docs.document.deleted' }), { context });
        throw new Error('the deletion failed');
      }),
    ).rejects.toThrow('the deletion failed');

    const page = await sut.query({ limit: 10 });
    expect(page.items.map((event) => event.action)).toEqual(['docs.document.shared']);
  });

  it('filters by action, action prefix, outcome, actor, target, organisations and time range', async () => {
    const record = async (event: Partial<AuditEventInput>) => {
      await sut.record(buildEvent(event));
      clock.advance(60_000);
    };
    await record({ action: 'identity.login.succeeded', organisationId: 'org-a' }); // 08:00
    await record({ action: 'identity.login_failed.recorded', outcome: 'failure', organisationId: 'org-b' }); // 08:01
    await record({ action: 'identity.loginxfailed.recorded', outcome: 'failure', organisationId: 'org-c' }); // 08:02
    await record({ action: 'authz.grant.created', actor: { userId: 'user-2' }, target: { type: 'room', id: 'r1' } }); // 08:03
    await record({ action: 'authz.grant.deleted', outcome: 'denied', target: { type: 'room', id: 'r2' } }); // 08:04

    const actions = async (query: Parameters<AuditLog['query']>[0]) =>
      (await sut.query(query)).items.map((event) => event.action);

    expect(await actions({ limit: 50, action: 'authz.grant.created' })).toEqual(['authz.grant.created']);
    expect(await actions({ limit: 50, actionPrefix: 'authz.' })).toEqual([
      'authz.grant.deleted',
      'authz.grant.created',
    ]);
    // `_` is matched literally, not as a LIKE wildcard.
    expect(await actions({ limit: 50, actionPrefix: 'identity.login_' })).toEqual(['identity.login_failed.recorded']);
    expect(await actions({ limit: 50, outcome: 'failure' })).toEqual([
      'identity.loginxfailed.recorded',
      'identity.login_failed.recorded',
    ]);
    expect(await actions({ limit: 50, actorUserId: 'user-2' })).toEqual(['authz.grant.created']);
    expect(await actions({ limit: 50, targetType: 'room' })).toEqual(['authz.grant.deleted', 'authz.grant.created']);
    expect(await actions({ limit: 50, targetType: 'room', targetId: 'r2' })).toEqual(['authz.grant.deleted']);
    expect(await actions({ limit: 50, organisationIds: ['org-a', 'org-c'] })).toEqual([
      'identity.loginxfailed.recorded',
      'identity.login.succeeded',
    ]);
    expect(await actions({ limit: 50, organisationIds: [] })).toEqual([]);
    // since is inclusive, until exclusive; any ISO-8601 form of an instant is accepted.
    expect(await actions({ limit: 50, since: '2026-12-01T08:01:00.000Z', until: '2026-12-01T09:03:00+01:00' })).toEqual(
      ['identity.loginxfailed.recorded', 'identity.login_failed.recorded'],
    );
    expect(
      await actions({ limit: 50, actionPrefix: 'identity.', outcome: 'failure', organisationIds: ['org-b'] }),
    ).toEqual(['identity.login_failed.recorded']);
  });

  it('pages newest first with a cursor until the last page, clamping the page size to 1..500', async () => {
    const recorded: string[] = [];
    for (let index = 0; index < 7; index += 1) {
      await sut.record(buildEvent({ details: { index } }));
      recorded.push(String(index));
    }

    const seen: unknown[] = [];
    let cursor: string | undefined;
    const sizes: number[] = [];
    for (;;) {
      const page = await sut.query({ limit: 3, cursor, action: 'identity.login.succeeded' });
      sizes.push(page.items.length);
      seen.push(...page.items.map((event) => event.details?.index));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(sizes).toEqual([3, 3, 1]);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0]);

    expect((await sut.query({ limit: 0 })).items).toHaveLength(1);
    expect((await sut.query({ limit: -5 })).items).toHaveLength(1);
    expect((await sut.query({ limit: 100_000 })).items).toHaveLength(7);
  });

  it('refuses an invalid cursor, instant, prefix or outcome in a query', async () => {
    await expect(sut.query({ limit: 10, cursor: 'not-an-id' })).rejects.toMatchObject({
      code: 'AUDIT_QUERY_INVALID',
      kind: 'invalid',
      details: { field: 'cursor' },
    });
    await expect(sut.query({ limit: 10, since: 'yesterday' })).rejects.toMatchObject({
      code: 'AUDIT_QUERY_INVALID',
      details: { field: 'since' },
      messages: { fr: 'Le critère since de la recherche dans le journal d’audit est invalide.' },
    });
    await expect(sut.query({ limit: 10, actionPrefix: 'Identity%' })).rejects.toMatchObject({
      code: 'AUDIT_QUERY_INVALID',
      details: { field: 'actionPrefix' },
    });
    await expect(sut.query({ limit: 10, outcome: 'maybe' as never })).rejects.toMatchObject({
      code: 'AUDIT_QUERY_INVALID',
      details: { field: 'outcome' },
    });
    expect(() => sut.exportJsonLines({ until: 'never' })).toThrow(AppError);
  });

  it('exports every matching event oldest first, one JSON object per line, across batches', async () => {
    await database.transaction(async (context) => {
      for (let index = 0; index < 1200; index += 1) {
        await sut.record(buildEvent({ details: { index } }), { context });
        if (index % 100 === 99) clock.advance(1000);
      }
      await sut.record(buildEvent({ action: 'identity.logout.succeeded' }), { context });
    });

    const lines = await collect(sut.exportJsonLines({ action: 'identity.login.succeeded' }));
    expect(lines).toHaveLength(1200);
    expect(lines.every((line) => line.endsWith('}\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    const events = lines.map((line) => JSON.parse(line) as { id: string; action: string; details: { index: number } });
    expect(events.map((event) => event.details.index)).toEqual(Array.from({ length: 1200 }, (_, index) => index));
    expect(events.every((event) => event.action === 'identity.login.succeeded')).toBe(true);
    expect(new Set(events.map((event) => event.id)).size).toBe(1200);

    const small = createAuditLog({ database, clock, newId: createIdGenerator(clock), logger, exportBatchSize: 7 });
    expect(await collect(small.exportJsonLines({ since: '2026-12-01T08:00:11.000Z' }))).toHaveLength(101);
    expect(await collect(small.exportJsonLines({ organisationIds: [] }))).toEqual([]);
  });

  it('drops details keys that name secrets before storing, at any depth, and warns the developer', async () => {
    const logLines: string[] = [];
    const captured = createLogger('warn', { write: (line: string) => void logLines.push(line) });
    sut = createAuditLog({ database, clock, newId: createIdGenerator(clock), logger: captured });
    await sut.record(
      buildEvent({
        details: {
          method: 'password',
          password: 'hunter2',
          newPassword: 'hunter3',
          client_secret: 's3cr3t',
          API_KEY: 'k',
          nested: { accessToken: 'eyJ...', 'x-api-key': 'k', kept: 1 },
          attempts: [{ refreshToken: 'r', at: 'now' }],
          promptTokens: 120,
          tokenCount: 3,
        },
      }),
    );
    const [event] = (await sut.query({ limit: 1 })).items;
    expect(event?.details).toEqual({
      method: 'password',
      nested: { kept: 1 },
      attempts: [{ at: 'now' }],
      promptTokens: 120,
      tokenCount: 3,
    });
    expect(logLines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        level: 'warn',
        component: 'audit',
        action: 'identity.login.succeeded',
        droppedKeys: [
          'password',
          'newPassword',
          'client_secret',
          'API_KEY',
          'nested.accessToken',
          'nested.x-api-key',
          'attempts[0].refreshToken',
        ],
      }),
    ]);
    expect(logLines.join('')).not.toMatch(/hunter|s3cr3t|eyJ/);
    expect(isSecretDetailKey('Authorization')).toBe(true);
    expect(isSecretDetailKey('maxTokens')).toBe(false);
    expect(isSecretDetailKey('tokensPerMinute')).toBe(false);
    expect(isSecretDetailKey('tokens_per_day')).toBe(false);
    expect(isSecretDetailKey('tokenPerMinute')).toBe(true);
  });

  it('refuses to update, delete or replace a recorded event, even with raw SQL', async () => {
    await sut.record(buildEvent());
    const [event] = (await sut.query({ limit: 1 })).items;
    const id = event?.id ?? '';

    await expect(sql`update platform_audit_events set outcome = 'failure'`.execute(database.executor)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from platform_audit_events where id = ${id}`.execute(database.executor)).rejects.toThrow(
      /append-only/,
    );
    if (database.dialect === 'postgres') {
      await expect(sql`truncate platform_audit_events`.execute(database.executor)).rejects.toThrow(/append-only/);
      await expect(
        sql`insert into platform_audit_events (id, occurred_at, action, outcome, actor_system, details)
            values (${id}, now(), 'x.y', 'success', false, '{}')
            on conflict (id) do update set action = 'x.z'`.execute(database.executor),
      ).rejects.toThrow(/append-only/);
    } else {
      await expect(
        sql`insert or replace into platform_audit_events (id, occurred_at, action, outcome, actor_system, details)
            values (${id}, '2026-01-01T00:00:00.000Z', 'x.y', 'success', 0, '{}')`.execute(database.executor),
      ).rejects.toThrow(/append-only/);
    }

    expect((await sut.query({ limit: 10 })).items).toEqual([event]);
  });

  it('deletes, on an operator’s decision, the events older than six months and nothing else, recording it', async () => {
    await sut.record(buildEvent({ action: 'identity.login.failed', outcome: 'failure' }));
    clock.advance(100 * 86_400_000);
    await sut.record(buildEvent({ action: 'identity.login.succeeded' }));
    clock.advance(100 * 86_400_000);
    await sut.record(buildEvent({ action: 'identity.logout.done' }));
    const cutoff = new Date(clock.now().getTime() - 150 * 86_400_000);

    // Six months at least: a cutoff 150 days ago is refused, and nothing goes.
    await expect(sut.purgeBefore(cutoff, systemAuditActor)).rejects.toMatchObject({
      code: 'AUDIT_RETENTION_TOO_SHORT',
    });
    expect((await sut.query({ limit: 10 })).items).toHaveLength(3);

    const sixMonths = new Date(clock.now().getTime() - 180 * 86_400_000);
    expect(await sut.purgeBefore(sixMonths, { system: true, label: 'bureau CLI (test)' })).toBe(1);
    const left = (await sut.query({ limit: 10 })).items;
    expect(left.map((event) => event.action)).toEqual([
      'platform.audit.purged',
      'identity.logout.done',
      'identity.login.succeeded',
    ]);
    expect(left[0]).toMatchObject({
      actor: { system: true, label: 'bureau CLI (test)' },
      details: { before: sixMonths.toISOString(), deleted: 1 },
    });
    // Outside a purge, the table is as append-only as before, old events included.
    clock.advance(200 * 86_400_000);
    await expect(
      sql`delete from platform_audit_events where action = 'identity.login.succeeded'`.execute(database.executor),
    ).rejects.toThrow(/append-only/);
    expect((await sut.query({ limit: 10 })).items).toHaveLength(3);
  });

  it('refuses an invalid action, outcome, identifier or details with a clear error', async () => {
    const refusal = (event: Partial<AuditEventInput>) => sut.record(buildEvent(event));

    await expect(refusal({ action: 'LoginFailed' })).rejects.toMatchObject({
      code: 'AUDIT_ACTION_INVALID',
      kind: 'invalid',
      messages: {
        fr: 'L’action d’audit « LoginFailed » est invalide : attendu module.entité.verbe en minuscules, d’au plus 128 caractères.',
      },
    });
    await expect(refusal({ action: 'identity' })).rejects.toMatchObject({ code: 'AUDIT_ACTION_INVALID' });
    await expect(refusal({ action: `identity.${'a'.repeat(130)}` })).rejects.toMatchObject({
      code: 'AUDIT_ACTION_INVALID',
    });
    await expect(refusal({ outcome: 'ok' as never })).rejects.toMatchObject({ code: 'AUDIT_OUTCOME_INVALID' });
    await expect(refusal({ actor: { userId: 'u'.repeat(257) } })).rejects.toMatchObject({
      code: 'AUDIT_EVENT_INVALID',
      details: { field: 'actor.userId', max: 256 },
    });
    await expect(refusal({ target: { type: '', id: 'x' } })).rejects.toMatchObject({
      code: 'AUDIT_EVENT_INVALID',
      details: { field: 'target.type' },
    });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    await expect(refusal({ details: cycle })).rejects.toMatchObject({ code: 'AUDIT_DETAILS_INVALID' });
    await expect(refusal({ details: { size: 10n } })).rejects.toMatchObject({ code: 'AUDIT_DETAILS_INVALID' });
    await expect(refusal({ details: ['a'] as never })).rejects.toMatchObject({ code: 'AUDIT_DETAILS_INVALID' });
    await expect(refusal({ details: { text: 'é'.repeat(9000) } })).rejects.toMatchObject({
      code: 'AUDIT_DETAILS_TOO_LARGE',
      kind: 'too_large',
      details: { size: 18_011, max: 16_384 },
    });

    expect((await sut.query({ limit: 10 })).items).toEqual([]);
  });

  it('cuts long texts that come from people and drops characters PostgreSQL cannot store', async () => {
    await sut.record(
      buildEvent({
        actor: { label: `mallory\u0000@example.org`, ip: '1'.repeat(100), userAgent: `${'A'.repeat(511)}😀tail` },
        target: { type: 'document', id: 'doc-1', label: `Note \ud800 ${'x'.repeat(600)}` },
        details: { note: 'nul\u0000here', 'key\u0000': 'lone \udc00' },
      }),
    );
    const [event] = (await sut.query({ limit: 1 })).items;
    expect(event?.actor.label).toBe('mallory@example.org');
    expect(event?.actor.ip).toHaveLength(64);
    // 511 characters, then half of the emoji's surrogate pair would come: it is left out.
    expect(event?.actor.userAgent).toBe('A'.repeat(511));
    expect(event?.target?.label).toHaveLength(512);
    expect(event?.target?.label?.startsWith('Note \uFFFD x')).toBe(true);
    expect(event?.details).toEqual({ note: 'nulhere', key: 'lone \uFFFD' });
  });
});
