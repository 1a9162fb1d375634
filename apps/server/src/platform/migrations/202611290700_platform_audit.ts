import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';

/**
 * The audit log (platform/audit): one row per security event, never updated nor deleted. Triggers make
 * the table append-only in the database itself, so neither a bug nor a stray `UPDATE` in a console
 * rewrites history through Bureau's own connection.
 */
export const platformAuditMigration: Migration = {
  name: '202611290700_platform_audit',
  async up(db, { dialect, types }) {
    await db.schema
      .createTable('platform_audit_events')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('occurred_at', types.timestamp, (column) => column.notNull())
      .addColumn('action', 'text', (column) => column.notNull())
      .addColumn('outcome', 'text', (column) => column.notNull())
      // Identifiers of other modules' rows (and of external systems) are kept as text without foreign
      // keys: the record must outlive the user, key or document it names.
      .addColumn('actor_user_id', 'text')
      .addColumn('actor_api_key_id', 'text')
      .addColumn('actor_label', 'text')
      .addColumn('actor_system', types.boolean, (column) => column.notNull())
      .addColumn('ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('target_type', 'text')
      .addColumn('target_id', 'text')
      .addColumn('target_label', 'text')
      .addColumn('organisation_id', 'text')
      .addColumn('details', types.json, (column) => column.notNull())
      .addCheckConstraint('platform_audit_events_outcome_check', sql`outcome in ('success', 'failure', 'denied')`)
      .execute();
    // Pages are read newest first by id (UUIDv7, time-ordered); each filter has an index ending in id.
    await db.schema
      .createIndex('platform_audit_events_occurred_at_idx')
      .on('platform_audit_events')
      .columns(['occurred_at', 'id'])
      .execute();
    await db.schema
      .createIndex('platform_audit_events_action_idx')
      .on('platform_audit_events')
      .columns(['action', 'id'])
      .execute();
    await db.schema
      .createIndex('platform_audit_events_actor_idx')
      .on('platform_audit_events')
      .columns(['actor_user_id', 'id'])
      .execute();
    await db.schema
      .createIndex('platform_audit_events_target_idx')
      .on('platform_audit_events')
      .columns(['target_type', 'target_id', 'id'])
      .execute();
    await db.schema
      .createIndex('platform_audit_events_organisation_idx')
      .on('platform_audit_events')
      .columns(['organisation_id', 'id'])
      .execute();

    if (dialect === 'postgres') {
      await sql`
        create function platform_audit_events_reject_change() returns trigger language plpgsql as $$
        begin
          raise exception 'platform_audit_events is append-only: % is not allowed', tg_op
            using errcode = 'insufficient_privilege';
        end;
        $$
      `.execute(db);
      await sql`
        create trigger platform_audit_events_append_only
        before update or delete on platform_audit_events
        for each row execute function platform_audit_events_reject_change()
      `.execute(db);
      // TRUNCATE fires no row trigger: it needs its own, per statement.
      await sql`
        create trigger platform_audit_events_no_truncate
        before truncate on platform_audit_events
        for each statement execute function platform_audit_events_reject_change()
      `.execute(db);
      return;
    }
    await sql`
      create trigger platform_audit_events_no_update before update on platform_audit_events
      begin select raise(abort, 'platform_audit_events is append-only: UPDATE is not allowed'); end
    `.execute(db);
    await sql`
      create trigger platform_audit_events_no_delete before delete on platform_audit_events
      begin select raise(abort, 'platform_audit_events is append-only: DELETE is not allowed'); end
    `.execute(db);
    // INSERT OR REPLACE deletes the row it replaces without firing delete triggers (unless
    // recursive_triggers is on): refuse any insert that reuses an existing id.
    await sql`
      create trigger platform_audit_events_no_replace before insert on platform_audit_events
      when exists (select 1 from platform_audit_events where id = new.id)
      begin select raise(abort, 'platform_audit_events is append-only: an existing event cannot be replaced'); end
    `.execute(db);
  },
};
