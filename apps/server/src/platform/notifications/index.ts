export { notificationErrors } from './notifications.errors.ts';
export {
  createInProcessFanout,
  type FanoutListener,
  type FanoutMessage,
  type NotificationFanout,
  type StoredNotification,
} from './notification-fanout.ts';
export { defaultDigestSchedule, nextDigestAt, type DigestSchedule } from './notifications.digest.ts';
export { digestFrequencies, type DigestFrequency } from './notifications.repository.ts';
export {
  formatStreamEvent,
  registerNotificationRoutes,
  type NotificationCaller,
  type NotificationRoutesDependencies,
  type NotificationStreamOptions,
} from './notifications.routes.ts';
export {
  createNotificationService,
  notificationDigestJobType,
  type NotificationItem,
  type NotificationPage,
  type NotificationPreferences,
  type NotificationPreferencesChange,
  type NotificationRenderContext,
  type NotificationRendering,
  type NotificationService,
  type NotificationServiceDependencies,
  type NotificationStreamEvent,
  type NotificationTypeDefinition,
  type NotificationTypePreference,
  type NotificationUser,
  type NotificationUserDirectory,
  type NotifyInput,
} from './notifications.service.ts';
