declare module '../events.ts' {
  interface EventMap {
    /** Notifications were stored for their recipients (in-app, e-mail digest, or both). */
    'platform.notification.created': { type: string; notificationIds: string[]; recipientIds: string[] };
  }
}

export {};
