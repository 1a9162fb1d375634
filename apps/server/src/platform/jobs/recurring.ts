import type { Clock } from '../clock.ts';
import type { JobService } from './jobs.service.ts';

export interface RecurringJob {
  /**
   * Queues the next run in `delayMs` unless one waits already (queued, or failed and due again): several
   * processes may ask at start, and one more run is harmless.
   */
  readonly scheduleNext: (delayMs: number) => Promise<void>;
}

/**
 * A sweep that runs every `intervalMs` as a job (retention, trash purge...): each run queues its successor,
 * also when the job is given up, so the chain never breaks; a process calls `scheduleNext(0)` at start so that
 * one is queued. Runs are at least once, like every job: `run` must be idempotent.
 */
export function registerRecurringJob(
  jobs: JobService,
  clock: Clock,
  type: string,
  intervalMs: number,
  run: () => Promise<void>,
): RecurringJob {
  async function scheduleNext(delayMs: number): Promise<void> {
    for (const status of ['queued', 'failed'] as const) {
      const waiting = await jobs.list({ status, type, limit: 1 });
      if (waiting.items.length > 0) return;
    }
    await jobs.enqueue(type, {}, { runAt: new Date(clock.now().getTime() + delayMs) });
  }
  jobs.register(
    type,
    async () => {
      await run();
      await scheduleNext(intervalMs);
    },
    { onDead: () => scheduleNext(intervalMs) },
  );
  return { scheduleNext };
}
