import { Counter, Gauge, type Registry } from 'prom-client';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Database, TransactionContext } from '../db/database.ts';
import type { Locale } from '../errors.ts';
import type { EventBus } from '../events.ts';
import type { IdGenerator } from '../ids.ts';
import type { JobExecution, JobService } from '../jobs/jobs.service.ts';
import type { Logger } from '../logging.ts';
import type { MailService } from '../mail/mail.service.ts';
import {
  createInProcessFanout,
  type FanoutMessage,
  type NotificationFanout,
  type StoredNotification,
} from './notification-fanout.ts';
import { defaultDigestSchedule, nextDigestAt, renderDigest, type DigestSchedule } from './notifications.digest.ts';
import { notificationErrors } from './notifications.errors.ts';
import './notifications.events.ts';
import {
  flag,
  isNotificationId,
  notificationsRepository,
  type DigestFrequency,
  type NotificationRow,
  type SettingsRow,
} from './notifications.repository.ts';

/** What a notification says, in one language. Plain text: the web app and the e-mails never read it as markup. */
export interface NotificationRendering {
  title: string;
  body?: string | null;
  /** Where the notification leads: a path of the web app (`/groups/...`) or an absolute URL. */
  url?: string | null;
}

/** What `render` may use besides the parameters. */
export interface NotificationRenderContext {
  /** Who caused the notification, with their current display name. */
  readonly actor: { readonly id: string; readonly displayName: string } | null;
}

/** A kind of notification a module emits, registered once at boot with `defineType`. */
export interface NotificationTypeDefinition<Params extends Record<string, unknown> = Record<string, unknown>> {
  /** `module.entity.what`, e.g. `identity.group.member_added`. */
  readonly type: string;
  /** Groups the types in the preferences page, e.g. `identity`. */
  readonly category: string;
  /** The type's name in the preferences page. */
  readonly label: Readonly<Record<Locale, string>>;
  /** Channels of a user who did not choose. */
  readonly defaultChannels: { readonly inApp: boolean; readonly email: boolean };
  /** Checks the parameters given to `notify` (and read back from the database before `render`). */
  readonly params?: z.ZodType<Params>;
  /** Runs at read time, in the reader's language: texts follow the current code, not the one that stored them. */
  render(params: Params, locale: Locale, context: NotificationRenderContext): NotificationRendering;
}

/** What a producer asks for, inside its own transaction. */
export interface NotifyInput {
  /** A type registered with `defineType` (NOTIFICATION_TYPE_UNKNOWN otherwise). */
  type: string;
  recipientId?: string;
  recipientIds?: readonly string[];
  /** JSON-serialisable, at most 8 KiB; checked by the type's `params` schema. */
  params?: Record<string, unknown>;
  /** What the notification is about, e.g. `{ type: 'identity.group', id }`. */
  resource?: { type: string; id: string } | null;
  /** Who caused it; not notified of their own action unless `includeActor`. */
  actorId?: string | null;
  includeActor?: boolean;
}

/** A notification as the inbox shows it, rendered in the reader's language. */
export interface NotificationItem {
  id: string;
  type: string;
  title: string;
  body: string | null;
  url: string | null;
  resource: { type: string; id: string } | null;
  actor: { id: string; displayName: string } | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  items: NotificationItem[];
  /** Pass it as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface NotificationTypePreference {
  type: string;
  category: string;
  label: string;
  inApp: boolean;
  email: boolean;
}

export interface NotificationPreferences {
  types: NotificationTypePreference[];
  digest: DigestFrequency;
  /** The language of the e-mail digest. */
  emailLocale: Locale;
}

export interface NotificationPreferencesChange {
  types?: ReadonlyArray<{ type: string; inApp?: boolean; email?: boolean }>;
  digest?: DigestFrequency;
  emailLocale?: Locale;
}

/** What an open stream receives, in order. */
export type NotificationStreamEvent =
  { kind: 'notification'; item: NotificationItem } | { kind: 'unread-count'; count: number };

/** A user as the notifications need them; provided by the identity module through app.ts. */
export interface NotificationUser {
  displayName: string;
  /** Where the digest goes; null: no digest. */
  email: string | null;
  /** A deactivated user gets no digest. */
  isActive: boolean;
  /** The user's language, when the directory knows it (the digest's otherwise French). */
  locale?: Locale | undefined;
}

export interface NotificationUserDirectory {
  /** Undefined when unknown. Never called inside a transaction. */
  find(userId: string): Promise<NotificationUser | undefined>;
}

export interface NotificationServiceDependencies {
  database: Database;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
  events: EventBus;
  jobs: JobService;
  mail: MailService;
  /** Display names of actors, addresses of digest recipients. */
  users: NotificationUserDirectory;
  /** Links of the e-mail digest are made absolute with it. */
  publicUrl: string;
  /** Registers `bureau_notification_streams` and `bureau_notifications_created_total` when given. */
  metrics?: Registry;
  /** In-process by default; several nodes need a shared one. */
  fanout?: NotificationFanout;
  digest?: Partial<DigestSchedule> & {
    /** A user who never chose gets this digest; 'daily' by default. */
    defaultFrequency?: DigestFrequency;
  };
}

/**
 * The notification inbox. Modules register their types at boot and `notify` inside their own
 * transaction: the rows exist only if it commits, and open streams hear of them only after the commit.
 * Every read is scoped to one user: another user's notification is not found.
 */
export interface NotificationService {
  /** Registers a type; twice the same name is a programming error. */
  defineType<Params extends Record<string, unknown>>(definition: NotificationTypeDefinition<Params>): void;
  /**
   * Stores the notification for each recipient whose preferences keep it (in-app, e-mail digest, or
   * both) and returns the ids stored. Without `context`, runs in its own transaction.
   */
  notify(input: NotifyInput, options?: { context?: TransactionContext }): Promise<{ ids: string[] }>;
  list(
    userId: string,
    query: { unread?: boolean; limit: number; cursor?: string },
    locale: Locale,
  ): Promise<NotificationPage>;
  unreadCount(userId: string): Promise<number>;
  /** Marks one of the user's notifications read (NOTIFICATION_NOT_FOUND for anyone else's); idempotent. */
  markRead(userId: string, id: string, locale: Locale): Promise<NotificationItem>;
  /** Marks every unread notification read, or those up to `upTo` (an id) included; returns how many. */
  markAllRead(userId: string, options?: { upTo?: string }): Promise<{ marked: number }>;
  getPreferences(userId: string, locale: Locale): Promise<NotificationPreferences>;
  updatePreferences(
    userId: string,
    change: NotificationPreferencesChange,
    locale: Locale,
  ): Promise<NotificationPreferences>;
  /**
   * Follows the user's inbox: first the notifications created after `lastEventId` (at most 100, the
   * newest, oldest first) and the unread count, then each new notification and each change of the count.
   * Events reach `listener` in order. Returns the function that stops it.
   */
  watch(
    userId: string,
    options: { locale: Locale; lastEventId?: string },
    listener: (event: NotificationStreamEvent) => void,
  ): () => void;
  /**
   * Forgets old notifications (the platform's retention sweep): read before `readBefore`, or created before
   * `createdBefore` and not waiting for a digest. How many.
   */
  purgeOld(before: { readBefore: Date; createdBefore: Date }): Promise<number>;
}

/** The job that sends one user's digest; its payload is `{ userId, dueAt }`. */
export const notificationDigestJobType = 'platform.notifications.digest';

const typeNamePattern = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
const maxParamsBytes = 8 * 1024;
const maxRecipients = 10_000;
const maxIdentifierLength = 256;
const maxListLimit = 100;
const replayLimit = 100;
/** A digest schedule this far in the past belongs to a job that will not run: it is replaced. */
const staleDigestMs = 24 * 3_600_000;

const digestPayloadSchema = z.object({ userId: z.string(), dueAt: z.string() });

interface RegisteredType {
  readonly definition: NotificationTypeDefinition;
}

export function createNotificationService(deps: NotificationServiceDependencies): NotificationService {
  const logger = deps.logger.child({ component: 'notifications' });
  const fanout = deps.fanout ?? createInProcessFanout({ logger });
  const schedule: DigestSchedule = {
    hourUtc: deps.digest?.hourUtc ?? defaultDigestSchedule.hourUtc,
    weekday: deps.digest?.weekday ?? defaultDigestSchedule.weekday,
  };
  const defaultFrequency = deps.digest?.defaultFrequency ?? 'daily';
  const types = new Map<string, RegisteredType>();
  const read = () => notificationsRepository(deps.database.executor);
  const now = () => deps.clock.now();
  const inboxUrl = new URL('/notifications', deps.publicUrl).toString();

  const created = deps.metrics
    ? new Counter({
        name: 'bureau_notifications_created_total',
        help: 'Notifications stored, by type.',
        labelNames: ['type'] as const,
        registers: [deps.metrics],
      })
    : undefined;
  if (deps.metrics) {
    new Gauge({
      name: 'bureau_notification_streams',
      help: 'Notification streams open on this node.',
      registers: [deps.metrics],
      collect() {
        this.set(fanout.size());
      },
    });
  }

  function defaultSettings(userId: string): SettingsRow {
    return {
      user_id: userId,
      digest: defaultFrequency,
      email_locale: null,
      digest_due_at: null,
      last_digest_at: null,
      updated_at: now().toISOString(),
    };
  }

  function requireType(type: string): NotificationTypeDefinition {
    const registered = types.get(type);
    if (!registered) throw notificationErrors.create('NOTIFICATION_TYPE_UNKNOWN', { type });
    return registered.definition;
  }

  function checkParams(definition: NotificationTypeDefinition, params: Record<string, unknown>): string {
    let checked: unknown = params;
    if (definition.params) {
      const result = definition.params.safeParse(params);
      if (!result.success) {
        const issue = result.error.issues[0];
        const reason = `${issue?.path.join('.') || 'params'}: ${issue?.message ?? 'invalid'}`;
        throw notificationErrors.create('NOTIFICATION_PARAMS_INVALID', { type: definition.type, reason });
      }
      checked = result.data;
    }
    let json: string;
    try {
      json = JSON.stringify(checked);
    } catch {
      throw notificationErrors.create('NOTIFICATION_PARAMS_INVALID', {
        type: definition.type,
        reason: 'not serialisable to JSON',
      });
    }
    if (Buffer.byteLength(json) > maxParamsBytes) {
      throw notificationErrors.create('NOTIFICATION_PARAMS_INVALID', {
        type: definition.type,
        reason: `more than ${maxParamsBytes} bytes of JSON`,
      });
    }
    return json;
  }

  function recipientsOf(input: NotifyInput): string[] {
    const given = [...(input.recipientId === undefined ? [] : [input.recipientId]), ...(input.recipientIds ?? [])];
    for (const id of given) {
      if (typeof id !== 'string' || id.length === 0 || id.length > maxIdentifierLength) {
        throw notificationErrors.create('NOTIFICATION_RECIPIENTS_INVALID', { reason: 'not a user id' });
      }
    }
    const unique = [...new Set(given)];
    if (unique.length > maxRecipients) {
      throw notificationErrors.create('NOTIFICATION_RECIPIENTS_INVALID', {
        reason: `more than ${maxRecipients} recipients`,
      });
    }
    const actorId = input.actorId ?? null;
    return input.includeActor === true || actorId === null ? unique : unique.filter((id) => id !== actorId);
  }

  function checkIdentifier(type: string, value: string | null | undefined, field: string): void {
    if (value === null || value === undefined) return;
    if (typeof value !== 'string' || value.length === 0 || value.length > maxIdentifierLength) {
      throw notificationErrors.create('NOTIFICATION_PARAMS_INVALID', {
        type,
        reason: `${field} must be a non-empty text of at most ${maxIdentifierLength} characters`,
      });
    }
  }

  function toStored(row: NotificationRow): StoredNotification {
    return {
      id: row.id,
      recipientId: row.recipient_id,
      type: row.type,
      params: JSON.parse(row.params) as Record<string, unknown>,
      resource:
        row.resource_type !== null && row.resource_id !== null
          ? { type: row.resource_type, id: row.resource_id }
          : null,
      actorId: row.actor_id,
      createdAt: row.created_at,
      readAt: row.read_at,
    };
  }

  /** Display names of the actors of `notifications`, one lookup per distinct actor. Outside transactions only. */
  async function actorsOf(notifications: readonly StoredNotification[]): Promise<Map<string, NotificationUser>> {
    const ids = [...new Set(notifications.flatMap((notification) => notification.actorId ?? []))];
    const found = await Promise.all(ids.map(async (id) => [id, await deps.users.find(id)] as const));
    return new Map(found.flatMap(([id, user]) => (user ? [[id, user] as const] : [])));
  }

  function render(
    notification: StoredNotification,
    locale: Locale,
    actors: ReadonlyMap<string, NotificationUser>,
  ): NotificationItem {
    const actor =
      notification.actorId === null
        ? null
        : {
            id: notification.actorId,
            displayName:
              actors.get(notification.actorId)?.displayName ??
              (locale === 'fr' ? 'Utilisateur inconnu' : 'Unknown user'),
          };
    let rendering: NotificationRendering = { title: 'Notification' };
    const definition = types.get(notification.type)?.definition;
    if (definition) {
      const params = definition.params ? definition.params.safeParse(notification.params) : undefined;
      if (params && !params.success) {
        logger.warn(
          { notificationId: notification.id, type: notification.type },
          'stored notification parameters no longer match their type',
        );
      } else {
        try {
          rendering = definition.render(params ? params.data : notification.params, locale, { actor });
        } catch (error) {
          logger.error(
            { err: error, notificationId: notification.id, type: notification.type },
            'a notification could not be rendered',
          );
        }
      }
    } else {
      logger.warn({ notificationId: notification.id, type: notification.type }, 'notification of an unregistered type');
    }
    return {
      id: notification.id,
      type: notification.type,
      title: rendering.title,
      body: rendering.body ?? null,
      url: rendering.url ?? null,
      resource: notification.resource,
      actor,
      createdAt: notification.createdAt,
      readAt: notification.readAt,
    };
  }

  async function present(rows: readonly NotificationRow[], locale: Locale): Promise<NotificationItem[]> {
    const stored = rows.map(toStored);
    const actors = await actorsOf(stored);
    return stored.map((notification) => render(notification, locale, actors));
  }

  /** Schedules the user's digest job unless one is; in the caller's transaction. */
  async function scheduleDigest(context: TransactionContext, settings: SettingsRow): Promise<void> {
    const at = now();
    const dueAt = nextDigestAt(at, settings.digest, schedule);
    if (!dueAt) return;
    const repository = notificationsRepository(context.executor);
    const staleBefore = new Date(at.getTime() - staleDigestMs).toISOString();
    if (!(await repository.scheduleDigest(settings.user_id, dueAt.toISOString(), staleBefore))) return;
    await deps.jobs.enqueue(
      notificationDigestJobType,
      { userId: settings.user_id, dueAt: dueAt.toISOString() },
      { context, runAt: dueAt },
    );
  }

  function isScheduled(settings: SettingsRow, at: Date): boolean {
    return (
      settings.digest_due_at !== null && new Date(settings.digest_due_at).getTime() >= at.getTime() - staleDigestMs
    );
  }

  async function notifyIn(context: TransactionContext, input: NotifyInput): Promise<{ ids: string[] }> {
    const definition = requireType(input.type);
    const params = checkParams(definition, input.params ?? {});
    checkIdentifier(input.type, input.actorId, 'actorId');
    if (input.resource) {
      checkIdentifier(input.type, input.resource.type, 'resource.type');
      checkIdentifier(input.type, input.resource.id, 'resource.id');
    }
    const recipients = recipientsOf(input);
    if (recipients.length === 0) return { ids: [] };

    const repository = notificationsRepository(context.executor);
    const preferences = new Map(
      (await repository.preferencesOf(recipients, input.type)).map((row) => [
        row.user_id,
        { inApp: Boolean(row.in_app), email: Boolean(row.email) },
      ]),
    );
    const channelsOf = (userId: string) => preferences.get(userId) ?? definition.defaultChannels;
    const emailCandidates = recipients.filter((userId) => channelsOf(userId).email);
    const settings = new Map((await repository.settingsOf(emailCandidates)).map((row) => [row.user_id, row] as const));

    const at = now();
    const createdAt = at.toISOString();
    const rows: NotificationRow[] = [];
    const digestsToSchedule: SettingsRow[] = [];
    for (const userId of recipients) {
      const channels = channelsOf(userId);
      const userSettings = channels.email ? (settings.get(userId) ?? defaultSettings(userId)) : undefined;
      const isEmailPending = userSettings !== undefined && userSettings.digest !== 'off';
      if (!channels.inApp && !isEmailPending) continue;
      rows.push({
        id: deps.newId(),
        recipient_id: userId,
        type: input.type,
        params,
        resource_type: input.resource?.type ?? null,
        resource_id: input.resource?.id ?? null,
        actor_id: input.actorId ?? null,
        in_app: flag(channels.inApp),
        email_pending: flag(isEmailPending),
        created_at: createdAt,
        read_at: null,
        emailed_at: null,
      });
      if (isEmailPending && !isScheduled(userSettings, at)) digestsToSchedule.push(userSettings);
    }
    await repository.insert(rows);
    // In one order across transactions, so that two of them scheduling for the same users cannot deadlock.
    digestsToSchedule.sort((a, b) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0));
    for (const userSettings of digestsToSchedule) {
      await repository.ensureSettings(userSettings);
      await scheduleDigest(context, userSettings);
    }

    const inApp = rows.filter((row) => Boolean(row.in_app)).map(toStored);
    context.afterCommit(() => {
      created?.inc({ type: input.type }, rows.length);
      for (const notification of inApp) {
        fanout.publish({ kind: 'created', userId: notification.recipientId, notification });
      }
    });
    if (rows.length > 0) {
      deps.events.publish(context, 'platform.notification.created', {
        type: input.type,
        notificationIds: rows.map((row) => row.id),
        recipientIds: rows.map((row) => row.recipient_id),
      });
    }
    return { ids: rows.map((row) => row.id) };
  }

  async function settingsOf(userId: string): Promise<SettingsRow> {
    return (await read().getSettings(userId)) ?? defaultSettings(userId);
  }

  async function preferencesOf(userId: string, locale: Locale): Promise<NotificationPreferences> {
    const [rows, settings] = await Promise.all([read().preferencesOf([userId]), settingsOf(userId)]);
    const chosen = new Map(rows.map((row) => [row.type, row]));
    const registered = [...types.values()]
      .map(({ definition }) => definition)
      .sort((a, b) => a.category.localeCompare(b.category) || a.type.localeCompare(b.type));
    return {
      types: registered.map((definition) => {
        const row = chosen.get(definition.type);
        return {
          type: definition.type,
          category: definition.category,
          label: definition.label[locale],
          inApp: row ? Boolean(row.in_app) : definition.defaultChannels.inApp,
          email: row ? Boolean(row.email) : definition.defaultChannels.email,
        };
      }),
      digest: settings.digest,
      emailLocale: settings.email_locale ?? 'fr',
    };
  }

  async function sendDigest(job: JobExecution): Promise<void> {
    const { userId, dueAt } = digestPayloadSchema.parse(job.payload);
    const settings = await read().getSettings(userId);
    // Rescheduled (preferences changed) or already sent by an earlier run of this job.
    if (!settings || settings.digest_due_at === null || new Date(settings.digest_due_at).toISOString() !== dueAt) {
      return;
    }
    // The directory is read before the transaction: its queries run on the database's own executor.
    const user = await deps.users.find(userId);
    const pending = (await read().pendingForDigest(userId)).map(toStored);
    const actors = await actorsOf(pending);

    await deps.database.transaction(async (context) => {
      const repository = notificationsRepository(context.executor);
      if (!(await repository.claimDigest(userId, dueAt))) return;
      if (settings.digest === 'off' || !user?.isActive || !user.email) {
        await repository.clearPendingEmails(userId);
        return;
      }
      const rows = await repository.pendingForDigest(userId);
      if (rows.length === 0) return;
      const locale = settings.email_locale ?? user.locale ?? 'fr';
      const entries = rows.map(toStored).map((notification) => {
        const item = render(notification, locale, actors);
        return {
          title: item.title,
          body: item.body,
          url: item.url === null ? null : new URL(item.url, deps.publicUrl).toString(),
          createdAt: item.createdAt,
        };
      });
      const { subject, text } = renderDigest({ locale, displayName: user.displayName, entries, inboxUrl });
      await deps.mail.send({ to: [user.email], subject, text }, { context });
      const at = now().toISOString();
      await repository.markEmailed(
        userId,
        rows.map((row) => row.id),
        at,
      );
      await repository.updateSettings(userId, { last_digest_at: at });
    });
  }

  deps.jobs.register(notificationDigestJobType, sendDigest, {
    onDead: async (job) => {
      const parsed = digestPayloadSchema.safeParse(job.payload);
      if (!parsed.success) return;
      // Frees the schedule so that the next notification schedules a new digest.
      await read().claimDigest(parsed.data.userId, parsed.data.dueAt);
    },
  });

  function publishRead(userId: string): void {
    fanout.publish({ kind: 'read', userId });
  }

  return {
    purgeOld({ readBefore, createdBefore }) {
      return read().purgeOld({ readBefore: readBefore.toISOString(), createdBefore: createdBefore.toISOString() });
    },

    defineType(definition) {
      if (!typeNamePattern.test(definition.type) || definition.type.length > 128) {
        throw new Error(`Notification type ${definition.type} must be module.entity.what in lower case`);
      }
      if (types.has(definition.type)) throw new Error(`Notification type ${definition.type} is already registered`);
      types.set(definition.type, { definition });
    },

    notify(input, options = {}) {
      return deps.database.transaction((context) => notifyIn(context, input), options.context);
    },

    async list(userId, { unread, limit, cursor }, locale) {
      if (cursor !== undefined && !isNotificationId(cursor)) {
        throw notificationErrors.create('NOTIFICATION_CURSOR_INVALID');
      }
      const size = Math.min(Math.max(Math.trunc(limit), 1), maxListLimit);
      const rows = await read().list({ recipientId: userId, unread, limit: size + 1, before: cursor });
      const items = await present(rows.slice(0, size), locale);
      return { items, nextCursor: rows.length > size ? (items.at(-1)?.id ?? null) : null };
    },

    unreadCount: (userId) => read().unreadCount(userId),

    async markRead(userId, id, locale) {
      if (!isNotificationId(id)) throw notificationErrors.create('NOTIFICATION_NOT_FOUND', { id });
      const repository = read();
      const row = await repository.get(userId, id);
      if (!row) throw notificationErrors.create('NOTIFICATION_NOT_FOUND', { id });
      if (row.read_at === null) {
        const at = now().toISOString();
        if (await repository.markRead(userId, id, at)) {
          row.read_at = at;
          publishRead(userId);
        } else {
          row.read_at = (await repository.get(userId, id))?.read_at ?? at;
        }
      }
      const [item] = await present([row], locale);
      if (!item) throw notificationErrors.create('NOTIFICATION_NOT_FOUND', { id });
      return item;
    },

    async markAllRead(userId, options = {}) {
      if (options.upTo !== undefined && !isNotificationId(options.upTo)) {
        throw notificationErrors.create('NOTIFICATION_CURSOR_INVALID');
      }
      const marked = await read().markAllRead(userId, now().toISOString(), options.upTo);
      if (marked > 0) publishRead(userId);
      return { marked };
    },

    getPreferences: preferencesOf,

    async updatePreferences(userId, change, locale) {
      for (const entry of change.types ?? []) requireType(entry.type);
      const at = now().toISOString();
      await deps.database.transaction(async (context) => {
        const repository = notificationsRepository(context.executor);
        const current = new Map((await repository.preferencesOf([userId])).map((row) => [row.type, row]));
        for (const entry of change.types ?? []) {
          const defaults = requireType(entry.type).defaultChannels;
          const row = current.get(entry.type);
          const inApp = entry.inApp ?? (row ? Boolean(row.in_app) : defaults.inApp);
          const email = entry.email ?? (row ? Boolean(row.email) : defaults.email);
          await repository.upsertPreference({
            user_id: userId,
            type: entry.type,
            in_app: flag(inApp),
            email: flag(email),
            updated_at: at,
          });
          // What waited for the digest under the former choice no longer goes out.
          if (!email) await repository.clearPendingEmails(userId, entry.type);
        }
        if (change.digest === undefined && change.emailLocale === undefined) return;
        await repository.ensureSettings({ ...defaultSettings(userId), email_locale: locale });
        const settings = (await repository.getSettings(userId)) ?? defaultSettings(userId);
        const digestChanged = change.digest !== undefined && change.digest !== settings.digest;
        await repository.updateSettings(userId, {
          ...(change.digest === undefined ? {} : { digest: change.digest }),
          ...(change.emailLocale === undefined ? {} : { email_locale: change.emailLocale }),
          // A new frequency moves the next digest: the job already scheduled finds nothing to claim.
          ...(digestChanged ? { digest_due_at: null } : {}),
          updated_at: at,
        });
        if (!digestChanged || change.digest === undefined) return;
        if (change.digest === 'off') {
          await repository.clearPendingEmails(userId);
          return;
        }
        if ((await repository.pendingForDigest(userId)).length > 0) {
          await scheduleDigest(context, { ...settings, digest: change.digest, digest_due_at: null });
        }
      });
      return preferencesOf(userId, locale);
    },

    watch(userId, { locale, lastEventId }, listener) {
      let isStopped = false;
      let queue = Promise.resolve();
      const replayed = new Set<string>();
      const emit = (event: NotificationStreamEvent) => {
        if (!isStopped) listener(event);
      };
      // One task at a time, so that events keep their order although rendering is asynchronous.
      const enqueue = (task: () => Promise<void>) => {
        queue = queue.then(task).catch((error: unknown) => {
          logger.error({ err: error, userId }, 'could not deliver to a notification stream');
        });
      };
      const sendCount = async () => {
        if (!isStopped) emit({ kind: 'unread-count', count: await read().unreadCount(userId) });
      };

      enqueue(async () => {
        if (lastEventId !== undefined && isNotificationId(lastEventId)) {
          const rows = (await read().newerThan(userId, lastEventId, replayLimit)).reverse();
          for (const item of await present(rows, locale)) {
            replayed.add(item.id);
            emit({ kind: 'notification', item });
          }
        }
        await sendCount();
      });
      const unsubscribe = fanout.subscribe(userId, (message: FanoutMessage) => {
        enqueue(async () => {
          if (isStopped) return;
          // A notification committed while the replay ran is in both: it is sent once.
          if (message.kind === 'created' && !replayed.delete(message.notification.id)) {
            const actors = await actorsOf([message.notification]);
            emit({ kind: 'notification', item: render(message.notification, locale, actors) });
          }
          await sendCount();
        });
      });
      return () => {
        isStopped = true;
        unsubscribe();
      };
    },
  };
}
