import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { createManualClock, type ManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { createMigrationRunner } from '../db/migrations.ts';
import { AppError } from '../errors.ts';
import { createInProcessEventBus, type BureauEvent, type EventBus } from '../events.ts';
import { createIdGenerator } from '../ids.ts';
import { createLogger } from '../logging.ts';
import { platformMigrations } from '../migrations/index.ts';
import { createJobService, type JobExecution, type JobService, type JobServiceDependencies } from './jobs.service.ts';

const logger = createLogger('silent');

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Background jobs', () => {
  let environment: TestEnvironment;
  let database: Database;
  let clock: ManualClock;
  let events: EventBus;
  let failures: Array<BureauEvent<'platform.job.failed'>>;
  const services: JobService[] = [];

  function createService(overrides: Partial<JobServiceDependencies> = {}): JobService {
    const service = createJobService({
      database,
      clock,
      newId: createIdGenerator(clock),
      logger,
      events,
      concurrency: 2,
      random: () => 0,
      ...overrides,
    });
    services.push(service);
    return service;
  }

  beforeEach(async () => {
    environment = await createTestEnvironment();
    database = environment.openDatabase();
    await createMigrationRunner(database, platformMigrations).migrateToLatest();
    clock = createManualClock('2026-12-01T08:00:00.000Z');
    events = createInProcessEventBus({ logger, now: () => clock.now() });
    failures = [];
    events.subscribe('platform.job.failed', (event) => {
      failures.push(event);
    });
  });

  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop({ timeoutMs: 0 });
    await environment.destroy();
  });

  it('runs a due job once and records its success', async () => {
    const sut = createService();
    const seen: Array<JobExecution<{ n: number }>> = [];
    sut.register<{ n: number }>('test.echo', (job) => {
      seen.push(job);
    });

    const id = await sut.enqueue('test.echo', { n: 42 });
    expect(await sut.runDue()).toBe(1);
    expect(await sut.runDue()).toBe(0);

    expect(seen.map(({ id: jobId, type, payload, attempt }) => ({ jobId, type, payload, attempt }))).toEqual([
      { jobId: id, type: 'test.echo', payload: { n: 42 }, attempt: 1 },
    ]);
    expect(await sut.get(id)).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      maxAttempts: 5,
      lockedBy: null,
      lockedUntil: null,
      lastError: null,
      createdAt: '2026-12-01T08:00:00.000Z',
      finishedAt: '2026-12-01T08:00:00.000Z',
    });
  });

  it('refuses to enqueue a job of a type nobody registered', async () => {
    const sut = createService();
    const attempt = sut.enqueue('test.nobody', {});
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: 'JOB_TYPE_UNKNOWN', details: { type: 'test.nobody' } });
  });

  it('waits for the run time of a job scheduled later', async () => {
    const sut = createService();
    sut.register('test.later', () => undefined);
    const id = await sut.enqueue('test.later', null, { runAt: '2026-12-01T09:00:00.000Z' });

    expect(await sut.runDue()).toBe(0);
    clock.set('2026-12-01T09:00:00.000Z');
    expect(await sut.runDue()).toBe(1);
    expect((await sut.get(id))?.status).toBe('succeeded');
  });

  it('retries a failing job with exponential backoff, then gives up and publishes platform.job.failed', async () => {
    const sut = createService();
    const dead: unknown[] = [];
    const attempts: number[] = [];
    sut.register(
      'test.flaky',
      ({ attempt }) => {
        attempts.push(attempt);
        throw new Error(`SMTP refused attempt ${attempt}`);
      },
      { maxAttempts: 3, onDead: (job) => void dead.push(job) },
    );
    const id = await sut.enqueue('test.flaky', { to: 'agent@example.org' });

    expect(await sut.runDue()).toBe(1);
    expect(await sut.get(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      runAt: '2026-12-01T08:00:02.000Z',
      lastError: 'Error: SMTP refused attempt 1',
      finishedAt: null,
    });

    // 2^1 s after the first failure, not a millisecond before.
    clock.advance(1999);
    expect(await sut.runDue()).toBe(0);
    clock.advance(1);
    expect(await sut.runDue()).toBe(1);
    expect(await sut.get(id)).toMatchObject({ status: 'failed', attempts: 2, runAt: '2026-12-01T08:00:06.000Z' });

    clock.advance(4000);
    expect(await sut.runDue()).toBe(1);
    expect(await sut.get(id)).toMatchObject({
      status: 'dead',
      attempts: 3,
      lastError: 'Error: SMTP refused attempt 3',
      finishedAt: '2026-12-01T08:00:06.000Z',
    });
    clock.advance(24 * 3_600_000);
    expect(await sut.runDue()).toBe(0);
    expect(attempts).toEqual([1, 2, 3]);

    await events.drain();
    expect(failures.map((event) => event.payload)).toEqual([
      { jobId: id, type: 'test.flaky', attempts: 3, error: 'Error: SMTP refused attempt 3' },
    ]);
    expect(dead).toEqual([
      {
        id,
        type: 'test.flaky',
        payload: { to: 'agent@example.org' },
        attempts: 3,
        error: 'Error: SMTP refused attempt 3',
      },
    ]);
  });

  it('spreads retries with jitter, never later than the backoff', async () => {
    const sut = createService({ random: () => 0.5 });
    sut.register(
      'test.jitter',
      () => {
        throw new Error('no');
      },
      { backoff: (attempt) => 10_000 * attempt },
    );
    const id = await sut.enqueue('test.jitter', null);
    await sut.runDue();
    // 10 s less up to 25 %: with random() = 0.5, 12.5 % earlier.
    expect((await sut.get(id))?.runAt).toBe('2026-12-01T08:00:08.750Z');
  });

  it('never creates a job enqueued in a rolled-back transaction, and wakes the worker after a commit', async () => {
    const sut = createService({ pollIntervalMs: 3_600_000 });
    const handled: unknown[] = [];
    sut.register('test.tx', ({ payload }) => void handled.push(payload));
    sut.start();

    await expect(
      database.transaction(async (context) => {
        await sut.enqueue('test.tx', 'rolled back', { context });
        throw new Error('the business operation failed');
      }),
    ).rejects.toThrow('the business operation failed');
    expect((await sut.list({ limit: 10 })).items).toEqual([]);

    const id = await database.transaction((context) => sut.enqueue('test.tx', 'committed', { context }));
    // Only the wake-up after the commit can run it: the next poll is an hour away.
    await vi.waitFor(() => expect(handled).toEqual(['committed']));
    await vi.waitFor(async () => expect((await sut.get(id))?.status).toBe('succeeded'));
    expect(await sut.counts()).toEqual({ queued: 0, running: 0, succeeded: 1, failed: 0, dead: 0 });
  });

  it('runs again, on another worker, a job whose worker died while running it', async () => {
    const hung = deferred();
    const first = createService({ workerId: 'worker-a', leaseMs: 60_000 });
    first.register('test.report', () => hung.promise);
    const id = await first.enqueue('test.report', { reportId: 7 });
    // The first worker claims the job, then is "killed": its handler never returns in time.
    const firstRun = first.runDue();
    await vi.waitFor(async () => expect((await first.get(id))?.status).toBe('running'));
    expect(await first.get(id)).toMatchObject({ lockedBy: 'worker-a', lockedUntil: '2026-12-01T08:01:00.000Z' });

    // A new process, with its own connection, starts.
    const second = createService({ database: environment.openDatabase(), workerId: 'worker-b', leaseMs: 60_000 });
    const reruns: number[] = [];
    second.register('test.report', ({ attempt }) => void reruns.push(attempt));
    expect(await second.runDue()).toBe(0);

    clock.advance(60_000);
    expect(await second.runDue()).toBe(1);
    expect(reruns).toEqual([2]);
    expect(await second.get(id)).toMatchObject({ status: 'succeeded', attempts: 2, lockedBy: null });

    // Should the first attempt come back after all, its outcome no longer counts.
    hung.reject(new Error('late failure'));
    await firstRun;
    expect(await second.get(id)).toMatchObject({ status: 'succeeded', attempts: 2, lastError: null });
  });

  it('gives up a job whose worker died during its last attempt', async () => {
    const first = createService({ workerId: 'worker-a', leaseMs: 60_000 });
    first.register('test.once', () => new Promise<void>(() => undefined), { maxAttempts: 1 });
    const id = await first.enqueue('test.once', null);
    void first.runDue();
    await vi.waitFor(async () => expect((await first.get(id))?.status).toBe('running'));

    const second = createService({ database: environment.openDatabase(), workerId: 'worker-b', leaseMs: 60_000 });
    const runs: number[] = [];
    second.register('test.once', ({ attempt }) => void runs.push(attempt), { maxAttempts: 1 });
    clock.advance(60_000);
    await second.runDue();

    expect(runs).toEqual([]);
    expect(await second.get(id)).toMatchObject({ status: 'dead', attempts: 1 });
    await events.drain();
    expect(failures.map((event) => event.payload)).toEqual([
      { jobId: id, type: 'test.once', attempts: 1, error: expect.stringMatching(/lease expired/) as unknown },
    ]);
  });

  it('never runs a job twice when two workers claim at the same time', async () => {
    const handled = new Map<string, string[]>();
    const workers = ['worker-a', 'worker-b'].map((workerId, index) => {
      const worker = createService({
        database: index === 0 ? database : environment.openDatabase(),
        workerId,
        concurrency: 3,
      });
      worker.register('test.count', async ({ id }) => {
        handled.set(id, [...(handled.get(id) ?? []), workerId]);
        // Yield so that the two workers' claims interleave.
        await new Promise((resolve) => setTimeout(resolve, 1));
      });
      return worker;
    });
    const [a, b] = workers as [JobService, JobService];
    const ids: string[] = [];
    for (let index = 0; index < 60; index += 1) ids.push(await a.enqueue('test.count', { index }));

    const [ranByA, ranByB] = await Promise.all([a.runDue(), b.runDue()]);

    expect(ranByA + ranByB).toBe(60);
    expect([...handled.keys()].sort()).toEqual([...ids].sort());
    expect([...handled.values()].filter((runs) => runs.length !== 1)).toEqual([]);
    expect((await a.counts()).succeeded).toBe(60);
  });

  it('waits for running jobs on stop, then gives back the ones that overran', async () => {
    const sut = createService({ concurrency: 2 });
    const quick = deferred();
    let slowSignal: AbortSignal | undefined;
    sut.register('test.quick', () => quick.promise);
    sut.register('test.slow', ({ signal }) => {
      slowSignal = signal;
      return new Promise<void>(() => undefined);
    });
    const quickId = await sut.enqueue('test.quick', null);
    const slowId = await sut.enqueue('test.slow', null);
    sut.start();
    await vi.waitFor(async () => expect((await sut.counts()).running).toBe(2));

    setTimeout(() => quick.resolve(), 20);
    await sut.stop({ timeoutMs: 200 });

    expect((await sut.get(quickId))?.status).toBe('succeeded');
    expect(slowSignal?.aborted).toBe(true);
    // The interrupted attempt does not count: the job is due again at once, for the next worker.
    expect(await sut.get(slowId)).toMatchObject({
      status: 'queued',
      attempts: 0,
      lockedBy: null,
      runAt: '2026-12-01T08:00:00.000Z',
    });
    const next = createService({ workerId: 'next' });
    const attempts: number[] = [];
    next.register('test.slow', ({ attempt }) => void attempts.push(attempt));
    expect(await next.runDue()).toBe(1);
    expect(attempts).toEqual([1]);
  });

  it('lists jobs newest first, page by page, filters them and counts them by status', async () => {
    const sut = createService();
    sut.register('test.a', () => undefined);
    sut.register('test.b', () => {
      throw new Error('b fails');
    });
    const ids: string[] = [];
    for (const type of ['test.a', 'test.b', 'test.a', 'test.a', 'test.b']) {
      ids.push(await sut.enqueue(type, null));
      clock.advance(1);
    }
    const newestFirst = [...ids].reverse();

    const first = await sut.list({ limit: 2 });
    expect(first.items.map((job) => job.id)).toEqual(newestFirst.slice(0, 2));
    const second = await sut.list({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((job) => job.id)).toEqual(newestFirst.slice(2, 4));
    const third = await sut.list({ limit: 2, cursor: second.nextCursor ?? undefined });
    expect(third.items.map((job) => job.id)).toEqual(newestFirst.slice(4));
    expect(third.nextCursor).toBeNull();

    expect((await sut.list({ type: 'test.b', limit: 10 })).items.map((job) => job.id)).toEqual([ids[4], ids[1]]);
    expect(await sut.counts()).toEqual({ queued: 5, running: 0, succeeded: 0, failed: 0, dead: 0 });

    await sut.runDue();
    expect(await sut.counts()).toEqual({ queued: 0, running: 0, succeeded: 3, failed: 2, dead: 0 });
    expect((await sut.list({ status: 'failed', limit: 10 })).items.map((job) => job.id)).toEqual([ids[4], ids[1]]);
    expect(await sut.get('not-a-uuid')).toBeUndefined();
    await expect(sut.list({ limit: 10, cursor: 'not-a-uuid' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
