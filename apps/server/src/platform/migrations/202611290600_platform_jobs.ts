import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';

/**
 * Background jobs (platform/jobs). A job is claimed by setting its lease (`locked_by`, `locked_until`);
 * a lease that runs out makes the job claimable again, so a job survives the death of its worker.
 */
export const platformJobsMigration: Migration = {
  name: '202611290600_platform_jobs',
  async up(db, { types }) {
    await db.schema
      .createTable('platform_jobs')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('payload', types.json, (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (column) => column.notNull())
      .addColumn('run_at', types.timestamp, (column) => column.notNull())
      .addColumn('locked_by', 'text')
      .addColumn('locked_until', types.timestamp)
      .addColumn('last_error', 'text')
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addColumn('finished_at', types.timestamp)
      .addCheckConstraint(
        'platform_jobs_status_check',
        sql`status in ('queued', 'running', 'succeeded', 'failed', 'dead')`,
      )
      .execute();
    // The claim query looks for queued/failed jobs by run_at and running ones by locked_until.
    await db.schema.createIndex('platform_jobs_due_idx').on('platform_jobs').columns(['status', 'run_at']).execute();
    await db.schema
      .createIndex('platform_jobs_lease_idx')
      .on('platform_jobs')
      .columns(['status', 'locked_until'])
      .execute();
    // The administration's listing filters by type, newest first (ids are time-ordered UUIDv7).
    await db.schema.createIndex('platform_jobs_type_idx').on('platform_jobs').columns(['type', 'id']).execute();
  },
};
