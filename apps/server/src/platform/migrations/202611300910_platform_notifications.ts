import { sql } from 'kysely';
import type { Migration } from '../db/migrations.ts';

/**
 * The notification inbox (platform/notifications): one row per notification and recipient, the users'
 * per-type preferences and their digest settings. User, actor and resource identifiers belong to other
 * modules: they are kept as text without foreign keys, like the audit log's.
 */
export const platformNotificationsMigration: Migration = {
  name: '202611300910_platform_notifications',
  async up(db, { types }) {
    await db.schema
      .createTable('platform_notifications')
      .addColumn('id', types.id, (column) => column.primaryKey())
      .addColumn('recipient_id', 'text', (column) => column.notNull())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('params', types.json, (column) => column.notNull())
      .addColumn('resource_type', 'text')
      .addColumn('resource_id', 'text')
      .addColumn('actor_id', 'text')
      // False for a notification kept only for the e-mail digest (in-app channel off for its type).
      .addColumn('in_app', types.boolean, (column) => column.notNull())
      // True while it waits for the recipient's next digest.
      .addColumn('email_pending', types.boolean, (column) => column.notNull())
      .addColumn('created_at', types.timestamp, (column) => column.notNull())
      .addColumn('read_at', types.timestamp)
      .addColumn('emailed_at', types.timestamp)
      .addCheckConstraint('platform_notifications_resource_check', sql`(resource_type is null) = (resource_id is null)`)
      .execute();
    // Unread counts and unread pages (newest first: ids are UUIDv7, time-ordered), and the digest's pick.
    await db.schema
      .createIndex('platform_notifications_recipient_read_idx')
      .on('platform_notifications')
      .columns(['recipient_id', 'read_at', 'id'])
      .execute();
    // Pages of every notification, and the replay of a stream after a reconnection (id > Last-Event-ID).
    await db.schema
      .createIndex('platform_notifications_recipient_idx')
      .on('platform_notifications')
      .columns(['recipient_id', 'id'])
      .execute();

    // A row only for the types whose channels the user changed; the type's defaults apply otherwise.
    await db.schema
      .createTable('platform_notification_preferences')
      .addColumn('user_id', 'text', (column) => column.notNull())
      .addColumn('type', 'text', (column) => column.notNull())
      .addColumn('in_app', types.boolean, (column) => column.notNull())
      .addColumn('email', types.boolean, (column) => column.notNull())
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addPrimaryKeyConstraint('platform_notification_preferences_pk', ['user_id', 'type'])
      .execute();

    await db.schema
      .createTable('platform_notification_settings')
      .addColumn('user_id', 'text', (column) => column.primaryKey())
      .addColumn('digest', 'text', (column) => column.notNull())
      // The language of the digest; null: French.
      .addColumn('email_locale', 'text')
      // When this user's next digest job is due; null when none is scheduled.
      .addColumn('digest_due_at', types.timestamp)
      .addColumn('last_digest_at', types.timestamp)
      .addColumn('updated_at', types.timestamp, (column) => column.notNull())
      .addCheckConstraint('platform_notification_settings_digest_check', sql`digest in ('off', 'daily', 'weekly')`)
      .addCheckConstraint(
        'platform_notification_settings_locale_check',
        sql`email_locale is null or email_locale in ('fr', 'en')`,
      )
      .execute();
  },
};
