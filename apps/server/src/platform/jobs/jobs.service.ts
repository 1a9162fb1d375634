import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock.ts';
import type { Database, TransactionContext } from '../db/database.ts';
import { AppError, platformErrors } from '../errors.ts';
import type { EventBus } from '../events.ts';
import type { IdGenerator } from '../ids.ts';
import type { Logger } from '../logging.ts';
import {
  createJobsRepository,
  isJobId,
  jobStatuses,
  type JobClaim,
  type JobRow,
  type JobStatus,
} from './jobs.repository.ts';

export { jobStatuses, type JobStatus };

/** A job as stored, for the administration and for tests. Instants are ISO-8601 strings in UTC. */
export interface Job {
  id: string;
  type: string;
  payload: unknown;
  status: JobStatus;
  /** Attempts started so far, including the running one. */
  attempts: number;
  maxAttempts: number;
  /** When the job is due (its next attempt, for a failed job). */
  runAt: string;
  lockedBy: string | null;
  /** End of the running attempt's lease; after it, another worker may claim the job. */
  lockedUntil: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** What a handler receives for one attempt. */
export interface JobExecution<Payload = unknown> {
  readonly id: string;
  readonly type: string;
  /** The payload given to `enqueue`, read back from JSON (not validated: handlers check what they rely on). */
  readonly payload: Payload;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Aborted when the worker stops and gives the job back before the handler finished. */
  readonly signal: AbortSignal;
}

/** Runs one attempt of a job; throwing (or rejecting) makes the attempt fail. */
export type JobHandler<Payload = unknown> = (job: JobExecution<Payload>) => Promise<void> | void;

/** A job that will not be retried any more, as given to `onDead`. */
export interface DeadJob {
  readonly id: string;
  readonly type: string;
  readonly payload: unknown;
  readonly attempts: number;
  readonly error: string;
}

export interface JobTypeOptions {
  /** Attempts before the job is dead; 5 unless the job's `enqueue` says otherwise. */
  maxAttempts?: number;
  /** Milliseconds to wait after failed attempt `attempt` (1, 2...); `defaultJobBackoff` unless given. */
  backoff?: (attempt: number) => number;
  /**
   * Called once when a job of this type becomes dead (its last attempt failed, or its worker died
   * during it), after `platform.job.failed` is published. Its errors are logged, not retried.
   */
  onDead?: (job: DeadJob) => Promise<void> | void;
}

export interface EnqueueOptions {
  /** Not before this instant; now when omitted. */
  runAt?: Date | string;
  maxAttempts?: number;
  /** Inserts the job in this transaction: it exists only if the transaction commits. */
  context?: TransactionContext;
}

export interface JobListQuery {
  status?: JobStatus;
  type?: string;
  /** At most 500. */
  limit: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface JobPage {
  items: Job[];
  /** Pass it as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Background jobs kept in the database, so that they survive restarts and can be run by any of
 * several processes. Delivery is at least once: a handler may run again after a crash, a lost
 * lease or a failure, so handlers must be idempotent.
 */
export interface JobService {
  /** Declares the handler of `type`. Every process registers the same types, whether it runs jobs or not. */
  register<Payload = unknown>(type: string, handler: JobHandler<Payload>, options?: JobTypeOptions): void;
  /**
   * Records a job of a registered `type` (JOB_TYPE_UNKNOWN otherwise) and returns its id. The payload
   * must survive JSON.stringify. A started worker of this process is woken once the job is committed.
   */
  enqueue(type: string, payload: unknown, options?: EnqueueOptions): Promise<string>;
  /** Starts claiming and running due jobs, `concurrency` at a time (none when it is 0). */
  start(): void;
  /**
   * Stops claiming, waits up to `timeoutMs` for the running handlers, then aborts the ones still
   * running and gives their jobs back (queued again, the interrupted attempt not counted).
   */
  stop(options: { timeoutMs: number }): Promise<void>;
  /** Claims and runs every job due now until none is left, and returns how many ran (for tests). */
  runDue(): Promise<number>;
  get(id: string): Promise<Job | undefined>;
  /** Newest first. */
  list(query: JobListQuery): Promise<JobPage>;
  /** How many jobs are in each status (for metrics). */
  counts(): Promise<Record<JobStatus, number>>;
  /**
   * Forgets finished jobs (the platform's retention sweep): succeeded ones finished before
   * `succeededBefore`, dead ones before `deadBefore` (kept longer, for operators to look into). How many.
   */
  purgeFinished(before: { succeededBefore: Date; deadBefore: Date }): Promise<number>;
}

export interface JobServiceDependencies {
  database: Database;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
  events: EventBus;
  /** Names this process in `locked_by`; host, pid and a random suffix by default. */
  workerId?: string;
  /** Jobs run at once by `start`ed workers (0: this process runs none). */
  concurrency: number;
  /** Real-time interval between two looks for due jobs when nothing woke the worker; 1 s by default. */
  pollIntervalMs?: number;
  /** How long an attempt may run before another worker may claim the job again; 5 min by default. */
  leaseMs?: number;
  /** Source of the retry jitter, in [0, 1); Math.random by default. Tests pass `() => 0`. */
  random?: () => number;
}

const defaultMaxAttempts = 5;
const defaultPollIntervalMs = 1000;
const defaultLeaseMs = 5 * 60_000;
const maxListLimit = 500;
const maxErrorLength = 4000;
/** A retry comes up to this fraction earlier than its backoff, so failures of one outage spread out. */
const jitterRatio = 0.25;

/** 2^attempt seconds (2 s, 4 s, 8 s...), at most one hour. */
export function defaultJobBackoff(attempt: number): number {
  return Math.min(1000 * 2 ** attempt, 3_600_000);
}

interface Registration {
  readonly handler: JobHandler;
  readonly maxAttempts: number;
  readonly backoff: (attempt: number) => number;
  readonly onDead: ((job: DeadJob) => Promise<void> | void) | undefined;
}

interface RunningJob {
  readonly claim: JobClaim;
  readonly type: string;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

export function createJobService(deps: JobServiceDependencies): JobService {
  const repository = createJobsRepository({ executor: deps.database.executor, dialect: deps.database.dialect });
  const logger = deps.logger.child({ component: 'jobs' });
  const workerId = deps.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pollIntervalMs = deps.pollIntervalMs ?? defaultPollIntervalMs;
  const leaseMs = deps.leaseMs ?? defaultLeaseMs;
  const random = deps.random ?? Math.random;
  if (!Number.isInteger(deps.concurrency) || deps.concurrency < 0) {
    throw new RangeError(`Job concurrency must be a whole number, got ${deps.concurrency}`);
  }

  const registrations = new Map<string, Registration>();
  const running = new Map<string, RunningJob>();
  let started = false;
  let pumping: Promise<void> | undefined;
  let pumpAgain = false;
  let pollTimer: NodeJS.Timeout | undefined;

  const now = () => deps.clock.now();

  async function claim(limit: number): Promise<JobRow[]> {
    const at = now();
    return repository.claim({
      types: [...registrations.keys()],
      workerId,
      now: at.toISOString(),
      lockedUntil: new Date(at.getTime() + leaseMs).toISOString(),
      limit,
    });
  }

  /** Runs a claimed job in the background and tracks it until its outcome is recorded. */
  function launch(row: JobRow): Promise<void> {
    const claim: JobClaim = { id: row.id, workerId, attempt: row.attempts };
    const key = `${row.id}#${row.attempts}`;
    const controller = new AbortController();
    const done = execute(row, claim, controller.signal)
      .catch((error: unknown) => {
        // The outcome could not be recorded (database unreachable): the lease will expire and the job
        // will be claimed again, so nothing is lost.
        logger.error({ err: error, jobId: row.id, type: row.type }, 'could not record the outcome of a job');
      })
      .finally(() => {
        running.delete(key);
        wake();
      });
    running.set(key, { claim, type: row.type, controller, done });
    return done;
  }

  async function execute(row: JobRow, claim: JobClaim, signal: AbortSignal): Promise<void> {
    const registration = registrations.get(row.type);
    if (!registration) throw new Error(`Claimed a job of unregistered type ${row.type}`);
    if (row.attempts > row.max_attempts) {
      // Only a job whose worker died during its last attempt gets here: it is not run once more.
      await bury(
        row,
        claim,
        registration,
        `Attempt ${row.max_attempts} of ${row.max_attempts} never finished: its worker stopped and its lease expired.`,
      );
      return;
    }
    const payload = JSON.parse(row.payload) as unknown;
    const startedAt = Date.now();
    try {
      await registration.handler({
        id: row.id,
        type: row.type,
        payload,
        attempt: row.attempts,
        maxAttempts: row.max_attempts,
        signal,
      });
    } catch (error) {
      const message = describeError(error);
      if (row.attempts >= row.max_attempts) {
        await bury(row, claim, registration, message, error);
        return;
      }
      const delay = Math.round(Math.max(0, registration.backoff(row.attempts)) * (1 - jitterRatio * random()));
      const runAt = new Date(now().getTime() + delay).toISOString();
      const recorded = await repository.finish(claim, {
        status: 'failed',
        now: now().toISOString(),
        runAt,
        lastError: message,
      });
      if (recorded) {
        logger.warn(
          { err: error, jobId: row.id, type: row.type, attempt: row.attempts, retryAt: runAt },
          'job attempt failed, will retry',
        );
      } else {
        warnLeaseLost(row);
      }
      return;
    }
    const recorded = await repository.finish(claim, { status: 'succeeded', now: now().toISOString() });
    if (recorded) {
      logger.debug(
        { jobId: row.id, type: row.type, attempt: row.attempts, durationMs: Date.now() - startedAt },
        'job succeeded',
      );
    } else {
      warnLeaseLost(row);
    }
  }

  async function bury(
    row: JobRow,
    claim: JobClaim,
    registration: Registration,
    message: string,
    error?: unknown,
  ): Promise<void> {
    const attempts = Math.min(row.attempts, row.max_attempts);
    const recorded = await repository.finish(claim, {
      status: 'dead',
      now: now().toISOString(),
      lastError: message,
      attempts,
    });
    if (!recorded) {
      warnLeaseLost(row);
      return;
    }
    logger.error({ err: error ?? message, jobId: row.id, type: row.type, attempts }, 'job failed for good');
    deps.events.publishNow('platform.job.failed', { jobId: row.id, type: row.type, attempts, error: message });
    if (!registration.onDead) return;
    try {
      await registration.onDead({
        id: row.id,
        type: row.type,
        payload: JSON.parse(row.payload) as unknown,
        attempts,
        error: message,
      });
    } catch (hookError) {
      logger.error({ err: hookError, jobId: row.id, type: row.type }, 'onDead hook of a job failed');
    }
  }

  function warnLeaseLost(row: JobRow): void {
    // The attempt outlived its lease and the job was claimed again (or given back at shutdown): the
    // newer claim owns the outcome.
    logger.warn({ jobId: row.id, type: row.type, attempt: row.attempts }, 'job lease lost, outcome discarded');
  }

  /** Claims as many jobs as there are free slots, again while batches come back full. */
  async function pump(): Promise<void> {
    try {
      do {
        pumpAgain = false;
        const free = deps.concurrency - running.size;
        if (free <= 0) break; // a finishing job wakes the worker
        const rows = await claim(free);
        for (const row of rows) void launch(row);
        if (rows.length === free) pumpAgain = true;
      } while (pumpAgain && started);
    } catch (error) {
      logger.error({ err: error }, 'could not claim jobs');
    }
  }

  function wake(): void {
    if (!started) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    clearTimeout(pollTimer);
    pumping = pump().finally(() => {
      pumping = undefined;
      if (!started) return;
      pollTimer = setTimeout(wake, pollIntervalMs);
      // The poll alone must not keep a process alive that has nothing else to do.
      pollTimer.unref();
    });
  }

  function toJob(row: JobRow): Job {
    return {
      id: row.id,
      type: row.type,
      payload: JSON.parse(row.payload) as unknown,
      status: row.status,
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      runAt: row.run_at,
      lockedBy: row.locked_by,
      lockedUntil: row.locked_until,
      lastError: row.last_error,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      finishedAt: row.finished_at,
    };
  }

  return {
    register(type, handler, options = {}) {
      if (registrations.has(type)) throw new Error(`A handler of job type ${type} is already registered`);
      const maxAttempts = options.maxAttempts ?? defaultMaxAttempts;
      assertMaxAttempts(maxAttempts);
      registrations.set(type, {
        handler: handler as JobHandler,
        maxAttempts,
        backoff: options.backoff ?? defaultJobBackoff,
        onDead: options.onDead,
      });
    },

    async enqueue(type, payload, options = {}) {
      const registration = registrations.get(type);
      if (!registration) throw platformErrors.create('JOB_TYPE_UNKNOWN', { type });
      const maxAttempts = options.maxAttempts ?? registration.maxAttempts;
      assertMaxAttempts(maxAttempts);
      const createdAt = now().toISOString();
      const row: JobRow = {
        id: deps.newId(),
        type,
        payload: JSON.stringify(payload ?? null),
        status: 'queued',
        attempts: 0,
        max_attempts: maxAttempts,
        run_at: options.runAt === undefined ? createdAt : new Date(options.runAt).toISOString(),
        locked_by: null,
        locked_until: null,
        last_error: null,
        created_at: createdAt,
        updated_at: createdAt,
        finished_at: null,
      };
      if (options.context) {
        await repository.insert(row, options.context.executor);
        options.context.afterCommit(wake);
      } else {
        await repository.insert(row);
        wake();
      }
      return row.id;
    },

    start() {
      if (started) return;
      if (deps.concurrency === 0) {
        logger.info('job concurrency is 0: this process runs no jobs');
        return;
      }
      started = true;
      logger.info({ workerId, concurrency: deps.concurrency }, 'job worker started');
      wake();
    },

    async stop({ timeoutMs }) {
      started = false;
      clearTimeout(pollTimer);
      await pumping;
      const jobs = [...running.values()];
      if (jobs.length === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.all(jobs.map((job) => job.done)), timedOut]);
      clearTimeout(timer);
      for (const job of jobs) {
        if (![...running.values()].includes(job)) continue;
        job.controller.abort(new Error('The job worker is stopping'));
        try {
          if (await repository.release(job.claim, now().toISOString())) {
            logger.warn({ jobId: job.claim.id, type: job.type }, 'job still running at shutdown, given back');
          }
        } catch (error) {
          logger.error({ err: error, jobId: job.claim.id }, 'could not give back a job at shutdown');
        }
      }
    },

    async runDue() {
      let count = 0;
      for (;;) {
        const rows = await claim(Math.max(deps.concurrency, 1));
        if (rows.length === 0) return count;
        await Promise.all(rows.map(launch));
        count += rows.length;
      }
    },

    async get(id) {
      const row = await repository.get(id);
      return row && toJob(row);
    },

    async list({ status, type, limit, cursor }) {
      if (cursor !== undefined && !isJobId(cursor)) {
        throw platformErrors.create('VALIDATION_FAILED', { field: 'cursor' });
      }
      const size = Math.min(Math.max(Math.trunc(limit), 1), maxListLimit);
      const rows = await repository.list({ status, type, limit: size + 1, before: cursor });
      const items = rows.slice(0, size).map(toJob);
      return { items, nextCursor: rows.length > size ? (items.at(-1)?.id ?? null) : null };
    },

    async counts() {
      const counts = Object.fromEntries(jobStatuses.map((status) => [status, 0])) as Record<JobStatus, number>;
      for (const row of await repository.counts()) {
        if ((jobStatuses as readonly string[]).includes(row.status)) counts[row.status as JobStatus] = row.count;
      }
      return counts;
    },

    purgeFinished({ succeededBefore, deadBefore }) {
      return repository.purgeFinished({
        succeededBefore: succeededBefore.toISOString(),
        deadBefore: deadBefore.toISOString(),
      });
    },
  };
}

function assertMaxAttempts(maxAttempts: number): void {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a whole number of at least 1, got ${maxAttempts}`);
  }
}

/** The error text kept in `last_error` and published: what went wrong, without the stack. */
function describeError(error: unknown): string {
  const text =
    error instanceof AppError
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? `${error.name}: ${error.message}`
        : String(error);
  return text.length > maxErrorLength ? `${text.slice(0, maxErrorLength - 1)}…` : text;
}
