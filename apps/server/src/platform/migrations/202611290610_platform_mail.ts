import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';

/**
 * Every e-mail Bureau sends (platform/mail), with its status: queued until its job delivers it, then
 * sent (SMTP), kept (development outbox, when no SMTP server is configured) or failed (gave up).
 */
export const platformMailMigration: Migration = {
  name: '202611290610_platform_mail',
  async up(db, { types }) {
    await db.schema
      .createTable('platform_mail_outbox')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('from_address', 'text', (column) => column.notNull())
      .addColumn('recipients', types.json, (column) => column.notNull())
      .addColumn('reply_to', 'text')
      .addColumn('subject', 'text', (column) => column.notNull())
      .addColumn('text_body', 'text', (column) => column.notNull())
      .addColumn('html_body', 'text')
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('transport', 'text')
      .addColumn('job_id', types.id)
      .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('smtp_message_id', 'text')
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addColumn('sent_at', types.timestamp)
      .addCheckConstraint('platform_mail_outbox_status_check', sql`status in ('queued', 'sent', 'kept', 'failed')`)
      .addCheckConstraint(
        'platform_mail_outbox_transport_check',
        sql`transport is null or transport in ('smtp', 'outbox')`,
      )
      .execute();
    // The administrators' listing may filter by status, newest first (ids are time-ordered UUIDv7).
    await db.schema
      .createIndex('platform_mail_outbox_status_idx')
      .on('platform_mail_outbox')
      .columns(['status', 'id'])
      .execute();
  },
};
