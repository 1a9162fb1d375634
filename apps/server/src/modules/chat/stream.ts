import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';
import type { ChatTables } from './chat.tables.ts';

/**
 * Stream positions: every change a /sync can return (room events, account data, receipts, to-device
 * messages, device-list changes...) takes the next position of one counter, in the transaction that
 * writes it. The counter's row lock serialises those transactions until they commit, so positions become
 * visible in order: a reader that sees position N sees every change below N, whichever process wrote it.
 * A /sync token is the position a client has seen everything up to.
 */
export async function nextStreamPosition(executor: Executor): Promise<number> {
  const row = await executor
    .withTables<ChatTables>()
    .updateTable('chat_stream')
    .set({ position: sql`position + 1` })
    .where('name', '=', 'main')
    .returning('position')
    .executeTakeFirstOrThrow();
  return Number(row.position);
}

/** The position of the last committed change. */
export async function currentStreamPosition(executor: Executor): Promise<number> {
  const row = await executor
    .withTables<ChatTables>()
    .selectFrom('chat_stream')
    .select('position')
    .where('name', '=', 'main')
    .executeTakeFirstOrThrow();
  return Number(row.position);
}

/** Keys long-polls wait on: a room (its events, receipts, typing) or a user (their account data, devices...). */
export const roomKey = (roomId: string) => `room:${roomId}`;
export const userKey = (matrixId: string) => `user:${matrixId}`;

interface Waiter {
  readonly keys: readonly string[];
  readonly wake: () => void;
}

/**
 * Wakes the long-polling /sync requests concerned by a change, after it committed. In-process: several
 * server processes will relay `notify` through Redis; the data itself is always read from the database,
 * so a missed wake-up only delays a response until the client's timeout, never loses anything.
 */
export class StreamNotifier {
  readonly #waiters = new Map<string, Set<Waiter>>();
  #closed = false;

  /** Wakes every wait on one of `keys`. */
  notify(keys: Iterable<string>): void {
    const woken = new Set<Waiter>();
    for (const key of keys) {
      for (const waiter of this.#waiters.get(key) ?? []) woken.add(waiter);
    }
    for (const waiter of woken) waiter.wake();
  }

  /**
   * Resolves `true` when one of `keys` is notified, `false` after `timeoutMs`, when `signal` aborts or the
   * notifier closes (shutdown: long-polls answer at once with what they have).
   */
  wait(keys: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#closed || timeoutMs <= 0 || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      let settled = false;
      const finish = (changed: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        for (const key of keys) {
          const set = this.#waiters.get(key);
          set?.delete(waiter);
          if (set?.size === 0) this.#waiters.delete(key);
        }
        resolve(changed);
      };
      const onAbort = () => finish(false);
      const waiter: Waiter = { keys, wake: () => finish(true) };
      const timer = setTimeout(() => finish(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      for (const key of keys) {
        let set = this.#waiters.get(key);
        if (!set) {
          set = new Set();
          this.#waiters.set(key, set);
        }
        set.add(waiter);
      }
    });
  }

  /** Number of requests waiting (metrics, tests). */
  get waiting(): number {
    const all = new Set<Waiter>();
    for (const set of this.#waiters.values()) for (const waiter of set) all.add(waiter);
    return all.size;
  }

  /** Shutdown: answers every wait now and every later one at once. */
  close(): void {
    this.#closed = true;
    for (const set of [...this.#waiters.values()]) for (const waiter of [...set]) waiter.wake();
  }
}
