import type { Clock } from '../clock.ts';
import { registerRecurringJob, type JobService, type RecurringJob } from '../jobs/index.ts';
import type { Logger } from '../logging.ts';
import type { MailService } from '../mail/index.ts';
import type { NotificationService } from '../notifications/index.ts';

export const retentionJobType = 'platform.retention.purge';
/** How often the sweep runs. */
export const retentionSweepIntervalMs = 24 * 60 * 60 * 1000;

/**
 * How long the platform keeps what it no longer needs (data minimisation): days after which rows go.
 * The audit log is not here: it is append-only, and its retention is an operator's decision.
 */
export const platformRetentionDays = {
  /** Jobs that succeeded (their outcome is in the data they changed). */
  succeededJobs: 7,
  /** Jobs given up, kept longer for operators to look into (`bureau jobs --status dead`). */
  deadJobs: 30,
  /** Messages of the outbox delivered, kept (no SMTP server) or given up: addresses and bodies go. */
  mail: 30,
  /** Notifications once read. */
  readNotifications: 90,
  /** Any notification (unless a digest still waits to send it). */
  notifications: 365,
} as const;

export interface RetentionSweep extends RecurringJob {
  /** Runs the sweep now; how many rows of each kind went. */
  purge(): Promise<{ jobs: number; mail: number; notifications: number }>;
}

/** The daily sweep of `platformRetentionDays`, as a recurring job (queued at start). */
export function registerRetentionSweep(deps: {
  jobs: JobService;
  mail: Pick<MailService, 'purgeFinished'>;
  notifications: Pick<NotificationService, 'purgeOld'>;
  clock: Clock;
  logger: Logger;
}): RetentionSweep {
  const daysAgo = (days: number) => new Date(deps.clock.now().getTime() - days * 86_400_000);

  async function purge() {
    const jobs = await deps.jobs.purgeFinished({
      succeededBefore: daysAgo(platformRetentionDays.succeededJobs),
      deadBefore: daysAgo(platformRetentionDays.deadJobs),
    });
    const mail = await deps.mail.purgeFinished(daysAgo(platformRetentionDays.mail));
    const notifications = await deps.notifications.purgeOld({
      readBefore: daysAgo(platformRetentionDays.readNotifications),
      createdBefore: daysAgo(platformRetentionDays.notifications),
    });
    if (jobs + mail + notifications > 0) {
      deps.logger.info({ jobs, mail, notifications }, 'retention: rows past their time deleted');
    }
    return { jobs, mail, notifications };
  }

  const recurring = registerRecurringJob(
    deps.jobs,
    deps.clock,
    retentionJobType,
    retentionSweepIntervalMs,
    async () => {
      await purge();
    },
  );
  return { ...recurring, purge };
}
