import type { BlobStore } from '../../platform/blobs/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { registerRecurringJob, type JobService, type RecurringJob } from '../../platform/jobs/index.ts';
import type { Logger } from '../../platform/logging.ts';
import type { DocsService } from './docs.service.ts';

export const trashPurgeJobType = 'docs.trash.purge';
/** How often the trash is swept. */
export const trashPurgeIntervalMs = 60 * 60 * 1000;

/**
 * The trash empties itself: every hour, the pages in the trash for `docsTrashRetentionDays` (30) are deleted
 * for good with their sub-pages — rows, versions, discussions, permission-model resources, search entries —
 * and then their files' blobs (a blob that fails to go is logged; the page is gone either way).
 */
export function registerTrashPurge(deps: {
  jobs: JobService;
  clock: Clock;
  logger: Logger;
  docs: Pick<DocsService, 'purgeExpiredTrash'>;
  blobs: Pick<BlobStore, 'delete'>;
}): RecurringJob {
  return registerRecurringJob(deps.jobs, deps.clock, trashPurgeJobType, trashPurgeIntervalMs, async () => {
    const { purged, blobKeys } = await deps.docs.purgeExpiredTrash();
    for (const key of blobKeys) {
      await deps.blobs.delete(key).catch((error: unknown) => {
        deps.logger.warn({ err: error, key }, 'docs: a file of a purged page could not be deleted');
      });
    }
    if (purged > 0)
      deps.logger.info({ purged, files: blobKeys.length }, 'docs: pages past their time in the trash deleted');
  });
}
