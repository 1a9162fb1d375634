export {
  createJobService,
  defaultJobBackoff,
  jobStatuses,
  type DeadJob,
  type EnqueueOptions,
  type Job,
  type JobExecution,
  type JobHandler,
  type JobListQuery,
  type JobPage,
  type JobService,
  type JobServiceDependencies,
  type JobStatus,
  type JobTypeOptions,
} from './jobs.service.ts';
export { registerRecurringJob, type RecurringJob } from './recurring.ts';
