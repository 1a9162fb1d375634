import type { Logger } from '../logging.ts';

/** A notification as stored, in a shape that survives JSON (for a shared bus between nodes). */
export interface StoredNotification {
  readonly id: string;
  readonly recipientId: string;
  readonly type: string;
  readonly params: Record<string, unknown>;
  readonly resource: { readonly type: string; readonly id: string } | null;
  readonly actorId: string | null;
  readonly createdAt: string;
  readonly readAt: string | null;
}

/** What the open streams of one user hear about: a new notification, or a change of what is read. */
export type FanoutMessage =
  | { readonly kind: 'created'; readonly userId: string; readonly notification: StoredNotification }
  | { readonly kind: 'read'; readonly userId: string };

export type FanoutListener = (message: FanoutMessage) => void;

/**
 * Delivers committed changes to the listeners of their user (the open notification streams). The
 * in-process implementation reaches the streams of this node only: several nodes need one backed by a
 * shared bus (Redis pub/sub), where `publish` broadcasts and each node dispatches to its own listeners.
 */
export interface NotificationFanout {
  publish(message: FanoutMessage): void;
  /** Returns the function that removes the listener. */
  subscribe(userId: string, listener: FanoutListener): () => void;
  /** Listeners registered on this node, for metrics. */
  size(): number;
}

export function createInProcessFanout(options: { logger: Logger }): NotificationFanout {
  const listenersByUser = new Map<string, Set<FanoutListener>>();
  let count = 0;

  return {
    publish(message) {
      for (const listener of listenersByUser.get(message.userId) ?? []) {
        try {
          listener(message);
        } catch (error) {
          options.logger.error({ err: error, userId: message.userId }, 'notification listener failed');
        }
      }
    },
    subscribe(userId, listener) {
      let listeners = listenersByUser.get(userId);
      if (!listeners) {
        listeners = new Set();
        listenersByUser.set(userId, listeners);
      }
      // A listener subscribed twice is still one entry: wrap it so that each subscription counts.
      const entry: FanoutListener = (message) => listener(message);
      listeners.add(entry);
      count += 1;
      let isSubscribed = true;
      return () => {
        if (!isSubscribed) return;
        isSubscribed = false;
        count -= 1;
        listeners.delete(entry);
        if (listeners.size === 0) listenersByUser.delete(userId);
      };
    },
    size: () => count,
  };
}
