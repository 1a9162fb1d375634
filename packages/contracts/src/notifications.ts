import { z } from 'zod';

/** Notifications a page of the inbox holds at most. */
export const notificationPageLimit = 100;

export const notificationLocaleSchema = z.enum(['fr', 'en']);

export const digestFrequencySchema = z
  .enum(['off', 'daily', 'weekly'])
  .describe('How often unread notifications are e-mailed: never, daily or weekly.');

/** A notification as the inbox shows it, rendered in the reader's language (`lang` or Accept-Language). */
export const notificationItemSchema = z
  .object({
    id: z.string().describe('Time-ordered (UUIDv7); also the id of its event in the stream.'),
    type: z.string().describe('module.entity.what, e.g. identity.group.member_added'),
    title: z.string().describe('Plain text, never markup.'),
    body: z.string().nullable(),
    url: z.string().nullable().describe('A path of the web app, or an absolute URL.'),
    resource: z.object({ type: z.string(), id: z.string() }).nullable(),
    actor: z.object({ id: z.string(), displayName: z.string() }).nullable(),
    createdAt: z.string(),
    readAt: z.string().nullable(),
  })
  .meta({ id: 'NotificationItem' });

export const notificationPageSchema = z
  .object({
    items: z.array(notificationItemSchema),
    nextCursor: z.string().nullable().describe('Pass it as `cursor` for the next (older) page; null on the last.'),
  })
  .meta({ id: 'NotificationPage' });

export const notificationListQuerySchema = z.object({
  unread: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .describe('true: unread only; false: read only; absent: all.'),
  limit: z.coerce.number().int().min(1).max(notificationPageLimit).default(20),
  cursor: z.uuid().optional(),
  lang: notificationLocaleSchema.optional().describe('Language of the texts; Accept-Language otherwise.'),
});

export const unreadCountSchema = z.object({ count: z.number().int().min(0) }).meta({ id: 'NotificationUnreadCount' });

export const markAllReadRequestSchema = z
  .object({
    upTo: z.uuid().optional().describe('Marks only the notifications up to this id included: those the user has seen.'),
  })
  .meta({ id: 'MarkAllNotificationsReadRequest' });

export const markAllReadResponseSchema = z
  .object({ marked: z.number().int().min(0) })
  .meta({ id: 'MarkAllNotificationsReadResponse' });

export const notificationTypePreferenceSchema = z
  .object({
    type: z.string(),
    category: z.string().describe('Groups the types, e.g. identity.'),
    label: z.string().describe("The type's name in the reader's language."),
    inApp: z.boolean(),
    email: z.boolean().describe('Listed in the e-mail digest (when the digest is not off).'),
  })
  .meta({ id: 'NotificationTypePreference' });

export const notificationPreferencesSchema = z
  .object({
    types: z.array(notificationTypePreferenceSchema),
    digest: digestFrequencySchema,
    emailLocale: notificationLocaleSchema.describe('Language of the e-mail digest.'),
  })
  .meta({ id: 'NotificationPreferences' });

export const updateNotificationPreferencesRequestSchema = z
  .object({
    types: z
      .array(
        z.object({
          type: z.string().min(1).max(128),
          inApp: z.boolean().optional(),
          email: z.boolean().optional(),
        }),
      )
      .max(500)
      .optional(),
    digest: digestFrequencySchema.optional(),
    emailLocale: notificationLocaleSchema.optional(),
  })
  .meta({ id: 'UpdateNotificationPreferencesRequest' });

/** The `data` of the stream's `unread-count` event. */
export const notificationStreamCountSchema = unreadCountSchema;

export type NotificationItem = z.infer<typeof notificationItemSchema>;
export type NotificationPage = z.infer<typeof notificationPageSchema>;
export type NotificationPreferences = z.infer<typeof notificationPreferencesSchema>;
export type UpdateNotificationPreferencesRequest = z.infer<typeof updateNotificationPreferencesRequestSchema>;
export type DigestFrequency = z.infer<typeof digestFrequencySchema>;
