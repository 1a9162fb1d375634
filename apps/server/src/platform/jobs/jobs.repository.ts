import type { DatabaseDialect, Executor } from '../db/database.ts';

/** What a job is doing: waiting, being run, done, waiting for a retry, or given up. */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'dead';

export const jobStatuses: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'dead'];

export type JobRow = {
  id: string;
  type: string;
  /** JSON text. */
  payload: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: string;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
};

type JobsTables = { platform_jobs: JobRow };

/**
 * Identifies one claim of a job: the worker and the attempt it claimed. An outcome is written only
 * while the claim still holds, so a worker whose lease ran out (and whose job another worker claimed
 * since) cannot overwrite the newer attempt.
 */
export interface JobClaim {
  readonly id: string;
  readonly workerId: string;
  readonly attempt: number;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** PostgreSQL rejects a malformed uuid with an error; a malformed id simply names no job. */
export function isJobId(value: string): boolean {
  return uuidPattern.test(value);
}

export interface JobsRepository {
  insert(row: JobRow, executor?: Executor): Promise<void>;
  /**
   * Atomically marks up to `limit` due jobs of `types` as running under `workerId` until `lockedUntil`
   * and returns them with their incremented attempt count. Due means queued or failed with `run_at`
   * reached, or running with an expired lease (its worker died).
   */
  claim(input: {
    types: readonly string[];
    workerId: string;
    now: string;
    lockedUntil: string;
    limit: number;
  }): Promise<JobRow[]>;
  /** Writes the outcome of an attempt if `claim` still holds; returns whether it did. */
  finish(
    claim: JobClaim,
    outcome: {
      status: 'succeeded' | 'failed' | 'dead';
      now: string;
      runAt?: string;
      lastError?: string;
      /** Corrects the count of attempts (a claim that was not run does not count). */
      attempts?: number;
    },
  ): Promise<boolean>;
  /** Gives a claimed job back (worker stopping): queued again, its interrupted attempt not counted. */
  release(claim: JobClaim, now: string): Promise<boolean>;
  get(id: string): Promise<JobRow | undefined>;
  list(query: { status?: JobStatus; type?: string; limit: number; before?: string }): Promise<JobRow[]>;
  counts(): Promise<Array<{ status: string; count: number }>>;
  /** Deletes succeeded jobs finished before `succeededBefore` and dead ones before `deadBefore`; how many. */
  purgeFinished(before: { succeededBefore: string; deadBefore: string }): Promise<number>;
}

export function createJobsRepository(deps: { executor: Executor; dialect: DatabaseDialect }): JobsRepository {
  const jobs = (executor: Executor = deps.executor) => executor.withTables<JobsTables>();

  function whereClaimHolds(claim: JobClaim) {
    return jobs()
      .updateTable('platform_jobs')
      .where('id', '=', claim.id)
      .where('status', '=', 'running')
      .where('locked_by', '=', claim.workerId)
      .where('attempts', '=', claim.attempt);
  }

  return {
    async insert(row, executor) {
      await jobs(executor).insertInto('platform_jobs').values(row).execute();
    },

    async claim({ types, workerId, now, lockedUntil, limit }) {
      if (types.length === 0 || limit <= 0) return [];
      return jobs()
        .updateTable('platform_jobs')
        .set((eb) => ({
          status: 'running',
          attempts: eb('attempts', '+', 1),
          locked_by: workerId,
          locked_until: lockedUntil,
          updated_at: now,
        }))
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('platform_jobs')
            .select('id')
            .where('type', 'in', types)
            .where((inner) =>
              inner.or([
                inner.and([inner('status', 'in', ['queued', 'failed']), inner('run_at', '<=', now)]),
                inner.and([inner('status', '=', 'running'), inner('locked_until', '<=', now)]),
              ]),
            )
            .orderBy('run_at')
            .orderBy('id')
            .limit(limit)
            // Concurrent workers on PostgreSQL skip the rows another one is claiming instead of
            // waiting for it; SQLite has a single writer, so its one UPDATE statement is atomic.
            .$if(deps.dialect === 'postgres', (query) => query.forUpdate().skipLocked()),
        )
        .returningAll()
        .execute();
    },

    async finish(claim, outcome) {
      const result = await whereClaimHolds(claim)
        .set({
          status: outcome.status,
          locked_by: null,
          locked_until: null,
          updated_at: outcome.now,
          ...(outcome.runAt === undefined ? {} : { run_at: outcome.runAt }),
          ...(outcome.lastError === undefined ? {} : { last_error: outcome.lastError }),
          ...(outcome.attempts === undefined ? {} : { attempts: outcome.attempts }),
          ...(outcome.status === 'failed' ? {} : { finished_at: outcome.now }),
        })
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async release(claim, now) {
      const result = await whereClaimHolds(claim)
        .set((eb) => ({
          status: 'queued',
          attempts: eb('attempts', '-', 1),
          locked_by: null,
          locked_until: null,
          run_at: now,
          updated_at: now,
        }))
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async get(id) {
      if (!isJobId(id)) return undefined;
      return jobs().selectFrom('platform_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async list({ status, type, limit, before }) {
      let query = jobs().selectFrom('platform_jobs').selectAll();
      if (status !== undefined) query = query.where('status', '=', status);
      if (type !== undefined) query = query.where('type', '=', type);
      if (before !== undefined) query = query.where('id', '<', before);
      return query.orderBy('id', 'desc').limit(limit).execute();
    },

    async counts() {
      const rows = await jobs()
        .selectFrom('platform_jobs')
        .select((eb) => ['status', eb.fn.countAll<number | string>().as('count')])
        .groupBy('status')
        .execute();
      // PostgreSQL's count is a bigint, which the driver reads as a number; SQLite's already is.
      return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
    },

    async purgeFinished({ succeededBefore, deadBefore }) {
      const result = await jobs()
        .deleteFrom('platform_jobs')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'succeeded'), eb('finished_at', '<', succeededBefore)]),
            eb.and([eb('status', '=', 'dead'), eb('finished_at', '<', deadBefore)]),
          ]),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
