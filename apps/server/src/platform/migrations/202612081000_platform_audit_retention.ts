import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';

/**
 * The audit log's retention, decided by an operator (`bureau audit purge --before`): the table stays
 * append-only, except for the events older than a purge window opened in the same transaction
 * (`platform_audit_retention`, a row that only exists while `AuditLog.purgeBefore` runs). A stray `DELETE`
 * is still refused; updates and `TRUNCATE` always are.
 */
export const platformAuditRetentionMigration: Migration = {
  name: '202612081000_platform_audit_retention',
  async up(db, { dialect, types }) {
    await db.schema
      .createTable('platform_audit_retention')
      .addColumn('purge_before', types.timestamp, (column) => column.notNull())
      .execute();
    if (dialect === 'postgres') {
      await sql`
        create or replace function platform_audit_events_reject_change() returns trigger language plpgsql as $$
        begin
          if tg_op = 'DELETE' then
            if exists (select 1 from platform_audit_retention r where old.occurred_at < r.purge_before) then
              return old;
            end if;
          end if;
          raise exception 'platform_audit_events is append-only: % is not allowed', tg_op
            using errcode = 'insufficient_privilege';
        end;
        $$
      `.execute(db);
      return;
    }
    await sql`drop trigger platform_audit_events_no_delete`.execute(db);
    await sql`
      create trigger platform_audit_events_no_delete before delete on platform_audit_events
      when not exists (select 1 from platform_audit_retention where old.occurred_at < purge_before)
      begin select raise(abort, 'platform_audit_events is append-only: DELETE is not allowed'); end
    `.execute(db);
  },
};
