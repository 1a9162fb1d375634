import type { Logger } from 'pino';
import type { TransactionContext } from './db/database.ts';

/**
 * The events of Bureau, by name (`module.entity.pastTense`) with their payload. Modules add theirs by
 * declaration merging from their `<module>.events.ts`:
 *
 *   declare module '../../platform/events.ts' {
 *     interface EventMap { 'chat.message.sent': { roomId: string; eventId: string } }
 *   }
 */
export interface EventMap {
  /** A background job failed its last attempt and will not be retried. */
  'platform.job.failed': { jobId: string; type: string; attempts: number; error: string };
  /** An e-mail was handed to the SMTP server, or kept in the development outbox. */
  'platform.mail.sent': { mailId: string; to: string[]; transport: 'smtp' | 'outbox' };
}

export type EventName = Extract<keyof EventMap, string>;

export interface BureauEvent<Name extends EventName = EventName> {
  readonly name: Name;
  readonly payload: EventMap[Name];
  readonly occurredAt: string;
}

export type EventHandler<Name extends EventName> = (event: BureauEvent<Name>) => Promise<void> | void;

/**
 * Typed publish/subscribe between modules. Publishing inside a transaction delivers after the commit,
 * and never when it rolls back. Delivery is asynchronous and at most once per subscriber; a failing
 * subscriber is logged and does not affect the publisher or the other subscribers. The in-process
 * implementation serves one node; a Redis implementation of this interface will serve several.
 */
export interface EventBus {
  publish<Name extends EventName>(context: TransactionContext, name: Name, payload: EventMap[Name]): void;
  /** Publishes now, outside of any transaction (for facts that are not database changes). */
  publishNow<Name extends EventName>(name: Name, payload: EventMap[Name]): void;
  subscribe<Name extends EventName>(name: Name, handler: EventHandler<Name>): () => void;
  /** Resolves when every delivery started so far has finished (used by shutdown and tests). */
  drain(): Promise<void>;
}

export function createInProcessEventBus(options: { logger: Logger; now: () => Date }): EventBus {
  const handlers = new Map<string, Set<EventHandler<EventName>>>();
  const inFlight = new Set<Promise<void>>();

  function deliver<Name extends EventName>(name: Name, payload: EventMap[Name]): void {
    const event: BureauEvent<Name> = { name, payload, occurredAt: options.now().toISOString() };
    for (const handler of handlers.get(name) ?? []) {
      const delivery = Promise.resolve()
        .then(() => (handler as EventHandler<Name>)(event))
        .catch((error: unknown) => {
          options.logger.error({ err: error, event: name }, 'event subscriber failed');
        })
        .finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
    }
  }

  return {
    publish(context, name, payload) {
      context.afterCommit(() => deliver(name, payload));
    },
    publishNow: deliver,
    subscribe(name, handler) {
      let set = handlers.get(name);
      if (!set) {
        set = new Set();
        handlers.set(name, set);
      }
      const stored = handler as unknown as EventHandler<EventName>;
      set.add(stored);
      return () => set.delete(stored);
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
