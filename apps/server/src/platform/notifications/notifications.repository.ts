import type { Executor } from '../db/database.ts';

export type DigestFrequency = 'off' | 'daily' | 'weekly';

export const digestFrequencies: readonly DigestFrequency[] = ['off', 'daily', 'weekly'];

export type NotificationRow = {
  id: string;
  recipient_id: string;
  type: string;
  /** JSON object. */
  params: string;
  resource_type: string | null;
  resource_id: string | null;
  actor_id: string | null;
  /** 0 or 1 (SQLite), boolean (PostgreSQL): read with `Boolean()`. */
  in_app: number | boolean;
  email_pending: number | boolean;
  created_at: string;
  read_at: string | null;
  emailed_at: string | null;
};

export type PreferenceRow = {
  user_id: string;
  type: string;
  in_app: number | boolean;
  email: number | boolean;
  updated_at: string;
};

export type SettingsRow = {
  user_id: string;
  digest: DigestFrequency;
  email_locale: 'fr' | 'en' | null;
  digest_due_at: string | null;
  last_digest_at: string | null;
  updated_at: string;
};

type NotificationTables = {
  platform_notifications: NotificationRow;
  platform_notification_preferences: PreferenceRow;
  platform_notification_settings: SettingsRow;
};

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** PostgreSQL rejects a malformed uuid with an error; a malformed id simply names no notification. */
export function isNotificationId(value: string): boolean {
  return uuidPattern.test(value);
}

/** Booleans are written as numbers: 0/1 on SQLite, and PostgreSQL reads '0'/'1' as booleans. */
export function flag(value: boolean): number {
  return value ? 1 : 0;
}

/** Rows are inserted by batches small enough for SQLite's and PostgreSQL's bound-parameter limits. */
const insertBatchSize = 500;

/** All SQL of the notification inbox. Every function takes the executor to run on. */
export function notificationsRepository(executor: Executor) {
  const db = executor.withTables<NotificationTables>();
  return {
    async insert(rows: readonly NotificationRow[]): Promise<void> {
      for (let start = 0; start < rows.length; start += insertBatchSize) {
        await db
          .insertInto('platform_notifications')
          .values(rows.slice(start, start + insertBatchSize))
          .execute();
      }
    },

    get: (recipientId: string, id: string) =>
      db
        .selectFrom('platform_notifications')
        .selectAll()
        .where('recipient_id', '=', recipientId)
        .where('id', '=', id)
        .where('in_app', '=', flag(true))
        .executeTakeFirst(),

    /** Newest first; `before` is the last id of the previous page. */
    list(query: { recipientId: string; unread?: boolean; limit: number; before?: string }) {
      let select = db
        .selectFrom('platform_notifications')
        .selectAll()
        .where('recipient_id', '=', query.recipientId)
        .where('in_app', '=', flag(true));
      if (query.unread === true) select = select.where('read_at', 'is', null);
      if (query.unread === false) select = select.where('read_at', 'is not', null);
      if (query.before !== undefined) select = select.where('id', '<', query.before);
      return select.orderBy('id', 'desc').limit(query.limit).execute();
    },

    /** The newest in-app notifications created after `afterId`, newest first. */
    newerThan: (recipientId: string, afterId: string, limit: number) =>
      db
        .selectFrom('platform_notifications')
        .selectAll()
        .where('recipient_id', '=', recipientId)
        .where('in_app', '=', flag(true))
        .where('id', '>', afterId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),

    async unreadCount(recipientId: string): Promise<number> {
      const row = await db
        .selectFrom('platform_notifications')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('recipient_id', '=', recipientId)
        .where('read_at', 'is', null)
        .where('in_app', '=', flag(true))
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },

    /** Marks one notification read unless it already was; true when this call did. */
    async markRead(recipientId: string, id: string, now: string): Promise<boolean> {
      const result = await db
        .updateTable('platform_notifications')
        .set({ read_at: now, email_pending: flag(false) })
        .where('recipient_id', '=', recipientId)
        .where('id', '=', id)
        .where('read_at', 'is', null)
        .where('in_app', '=', flag(true))
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Marks every unread notification read (up to `upTo` included, when given); returns how many. */
    async markAllRead(recipientId: string, now: string, upTo?: string): Promise<number> {
      let update = db
        .updateTable('platform_notifications')
        .set({ read_at: now, email_pending: flag(false) })
        .where('recipient_id', '=', recipientId)
        .where('read_at', 'is', null)
        .where('in_app', '=', flag(true));
      if (upTo !== undefined) update = update.where('id', '<=', upTo);
      const result = await update.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** The unread notifications waiting for the user's digest, oldest first. */
    pendingForDigest: (recipientId: string) =>
      db
        .selectFrom('platform_notifications')
        .selectAll()
        .where('recipient_id', '=', recipientId)
        .where('read_at', 'is', null)
        .where('email_pending', '=', flag(true))
        .orderBy('id', 'asc')
        .execute(),

    async markEmailed(recipientId: string, ids: readonly string[], now: string): Promise<void> {
      for (let start = 0; start < ids.length; start += insertBatchSize) {
        await db
          .updateTable('platform_notifications')
          .set({ email_pending: flag(false), emailed_at: now })
          .where('recipient_id', '=', recipientId)
          .where('id', 'in', ids.slice(start, start + insertBatchSize))
          .where('email_pending', '=', flag(true))
          .execute();
      }
    },

    /** Nothing (of `type`, when given) waits for a digest any more: digest or e-mail turned off, no address. */
    async clearPendingEmails(recipientId: string, type?: string): Promise<void> {
      let update = db
        .updateTable('platform_notifications')
        .set({ email_pending: flag(false) })
        .where('recipient_id', '=', recipientId)
        .where('email_pending', '=', flag(true));
      if (type !== undefined) update = update.where('type', '=', type);
      await update.execute();
    },

    async preferencesOf(userIds: readonly string[], type?: string): Promise<PreferenceRow[]> {
      const rows: PreferenceRow[] = [];
      for (let start = 0; start < userIds.length; start += insertBatchSize) {
        let select = db
          .selectFrom('platform_notification_preferences')
          .selectAll()
          .where('user_id', 'in', userIds.slice(start, start + insertBatchSize));
        if (type !== undefined) select = select.where('type', '=', type);
        rows.push(...(await select.execute()));
      }
      return rows;
    },

    upsertPreference: (row: PreferenceRow) =>
      db
        .insertInto('platform_notification_preferences')
        .values(row)
        .onConflict((conflict) =>
          conflict
            .columns(['user_id', 'type'])
            .doUpdateSet({ in_app: row.in_app, email: row.email, updated_at: row.updated_at }),
        )
        .execute(),

    async settingsOf(userIds: readonly string[]): Promise<SettingsRow[]> {
      const rows: SettingsRow[] = [];
      for (let start = 0; start < userIds.length; start += insertBatchSize) {
        rows.push(
          ...(await db
            .selectFrom('platform_notification_settings')
            .selectAll()
            .where('user_id', 'in', userIds.slice(start, start + insertBatchSize))
            .execute()),
        );
      }
      return rows;
    },

    getSettings: (userId: string) =>
      db.selectFrom('platform_notification_settings').selectAll().where('user_id', '=', userId).executeTakeFirst(),

    /** Creates the user's settings row with `defaults` unless it exists. */
    ensureSettings: (defaults: SettingsRow) =>
      db
        .insertInto('platform_notification_settings')
        .values(defaults)
        .onConflict((conflict) => conflict.column('user_id').doNothing())
        .execute(),

    updateSettings: (userId: string, changes: Partial<Omit<SettingsRow, 'user_id'>>) =>
      db.updateTable('platform_notification_settings').set(changes).where('user_id', '=', userId).execute(),

    /**
     * Records that a digest is due at `dueAt` unless one is already scheduled (a stale schedule, older
     * than `staleBefore`, is replaced); true when this call scheduled it, so its caller enqueues the job.
     * Concurrent callers serialise on the row: only one of them sees it unscheduled.
     */
    async scheduleDigest(userId: string, dueAt: string, staleBefore: string): Promise<boolean> {
      const result = await db
        .updateTable('platform_notification_settings')
        .set({ digest_due_at: dueAt })
        .where('user_id', '=', userId)
        .where('digest', '!=', 'off')
        .where((eb) => eb.or([eb('digest_due_at', 'is', null), eb('digest_due_at', '<', staleBefore)]))
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Takes the digest due at `dueAt` (so that a repeated job sends nothing); true when this call took it. */
    async claimDigest(userId: string, dueAt: string): Promise<boolean> {
      const result = await db
        .updateTable('platform_notification_settings')
        .set({ digest_due_at: null })
        .where('user_id', '=', userId)
        .where('digest_due_at', '=', dueAt)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /**
     * Deletes notifications read before `readBefore`, and any created before `createdBefore` that no digest
     * still waits to e-mail; how many.
     */
    async purgeOld({ readBefore, createdBefore }: { readBefore: string; createdBefore: string }): Promise<number> {
      const result = await db
        .deleteFrom('platform_notifications')
        .where((eb) =>
          eb.or([
            eb('read_at', '<', readBefore),
            eb.and([eb('created_at', '<', createdBefore), eb('email_pending', '=', flag(false))]),
          ]),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type NotificationsRepository = ReturnType<typeof notificationsRepository>;
