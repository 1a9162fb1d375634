import { sql } from 'kysely';
import type { Executor, TransactionContext } from '../../platform/db/database.ts';
import type { ChatTables } from './chat.tables.ts';

/**
 * Stream positions: every change a /sync can return (room events, account data, receipts, to-device
 * messages, device-list changes...) takes the next position of one counter (`StreamNotifier.nextPosition`),
 * in the transaction that writes it. The counter's row lock serialises those transactions until they
 * commit, so positions become visible in order: a reader that sees position N sees every change below N,
 * whichever process wrote it. A /sync token is the position a client has seen everything up to.
 */
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
/**
 * Keys nobody waits on, notified with a room's key so that the change tracker knows more precisely what
 * changed in it: its membership (device lists), its receipts.
 */
export const roomMembersKey = (roomId: string) => `members:${roomId}`;
export const roomReceiptsKey = (roomId: string) => `receipts:${roomId}`;

/**
 * The last position at which each room or user changed, as this process saw it through notifications
 * (Synapse's "stream change cache"): an incremental /sync skips the rooms and the per-user sections that
 * did not change since its token. Below `floor` (changes before the process started, or forgotten ones) it
 * answers "maybe changed", so correctness never depends on it — only speed.
 */
export class ChangeTracker {
  readonly #last = new Map<string, number>();
  #floor = Number.MAX_SAFE_INTEGER;
  readonly #capacity: number;

  constructor(capacity = 100_000) {
    this.#capacity = capacity;
  }

  /** Positions at or below `position` are known from now on (the stream position when the process starts). */
  setFloor(position: number): void {
    this.#floor = position;
  }

  record(key: string, position: number): void {
    const previous = this.#last.get(key);
    if (previous !== undefined && previous >= position) return;
    this.#last.delete(key);
    this.#last.set(key, position);
    if (this.#last.size > this.#capacity) {
      // Forgetting a key raises the floor to its position: everything at or below it is "maybe changed".
      const [oldestKey, oldestPosition] = this.#last.entries().next().value ?? ['', 0];
      this.#last.delete(oldestKey);
      if (oldestPosition > this.#floor) this.#floor = oldestPosition;
    }
  }

  /** Everything at or below `position` may have changed (changes this process did not see). */
  raiseFloor(position: number): void {
    if (position > this.#floor || this.#floor === Number.MAX_SAFE_INTEGER) this.#floor = position;
  }

  /** Whether `key` may have changed after `since`. */
  mayHaveChanged(key: string, since: number): boolean {
    if (since < this.#floor) return true;
    return (this.#last.get(key) ?? 0) > since;
  }
}

/**
 * "The client went away" for a long-poll: callbacks called once, lighter than an AbortController and its
 * EventTarget (a /sync makes one per request and one per wait).
 */
export class Cancellation {
  #cancelled = false;
  #listeners: Array<() => void> | undefined;

  get cancelled(): boolean {
    return this.#cancelled;
  }

  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  /** Calls `listener` once, on cancel (at once when cancelled already); returns what removes it. */
  onCancel(listener: () => void): () => void {
    if (this.#cancelled) {
      listener();
      return () => undefined;
    }
    (this.#listeners ??= []).push(listener);
    return () => {
      const index = this.#listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.#listeners?.splice(index, 1);
    };
  }
}

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
  /** What changed when, for /sync to skip the rest. */
  readonly changes = new ChangeTracker();
  /** The highest committed position this process knows of; undefined before `start`. */
  #head: number | undefined;
  /** The highest position this process allocated. */
  #allocated = 0;
  /** Positions this process allocated whose transaction has not finished yet (see `settledHead`). */
  readonly #unsettled = new Set<number>();
  readonly #foreignListeners: Array<() => void> = [];

  /** From here on this process tracks the stream: `position` is the stream's position now. */
  start(position: number): void {
    this.#head = Math.max(this.#head ?? 0, position);
    this.#allocated = Math.max(this.#allocated, position);
    this.changes.setFloor(position);
  }

  /**
   * The next stream position, in the caller's transaction (its row lock is held until the transaction
   * ends). A gap since the last position this process allocated means another process wrote meanwhile
   * (a command-line tool, a second server): what this process holds in memory may miss those changes, so
   * everything before is "maybe changed" and the memories listening (`onForeignChanges`) are dropped.
   */
  async nextPosition(context: TransactionContext): Promise<number> {
    const row = await context.executor
      .withTables<ChatTables>()
      .updateTable('chat_stream')
      .set({ position: sql`position + 1` })
      .where('name', '=', 'main')
      .returning('position')
      .executeTakeFirstOrThrow();
    const position = Number(row.position);
    if (this.#head !== undefined && position > this.#allocated + 1) {
      this.changes.raiseFloor(position - 1);
      for (const listener of this.#foreignListeners) listener();
    }
    if (position > this.#allocated) this.#allocated = position;
    // Until its transaction has committed and run its after-commit callbacks (which record the change in
    // this process's memory: notifier, recent events, unread counts), or rolled back, the position is
    // unsettled. Registered first, it settles just before the callbacks registered after it run, in the
    // same synchronous loop: nothing observes the position settled but not yet recorded.
    this.#unsettled.add(position);
    context.afterCommit(() => {
      this.#unsettled.delete(position);
      if (this.#head !== undefined && position > this.#head) this.#head = position;
    });
    context.afterRollback(() => this.#unsettled.delete(position));
    return position;
  }

  /**
   * The position a /sync reads up to: every change of this process up to it is committed and recorded in
   * memory (so what is served from memory is never behind `next_batch`); undefined before `start` (read
   * the database). Changes of other processes show once this process writes after them (`nextPosition`).
   */
  get settledHead(): number | undefined {
    if (this.#head === undefined) return undefined;
    let settled = this.#head;
    for (const pending of this.#unsettled) if (pending <= settled) settled = pending - 1;
    return settled;
  }

  /** Called when changes written by another process are detected (see `nextPosition`). */
  onForeignChanges(listener: () => void): void {
    this.#foreignListeners.push(listener);
  }

  /**
   * Wakes every wait on one of `keys`, after the change committed. `position` is the change's stream
   * position; by default the highest this process allocated (never below the change's).
   */
  notify(keys: Iterable<string>, position = this.#allocated): void {
    const woken = new Set<Waiter>();
    for (const key of keys) {
      this.changes.record(key, position);
      for (const waiter of this.#waiters.get(key) ?? []) woken.add(waiter);
    }
    for (const waiter of woken) waiter.wake();
  }

  /**
   * Resolves `true` when one of `keys` is notified, `false` after `timeoutMs`, when `cancellation` is
   * cancelled or the notifier closes (shutdown: long-polls answer at once with what they have).
   */
  wait(keys: readonly string[], timeoutMs: number, cancellation?: Cancellation): Promise<boolean> {
    if (this.#closed || timeoutMs <= 0 || cancellation?.cancelled) return Promise.resolve(false);
    return new Promise((resolve) => {
      let settled = false;
      const finish = (changed: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        unlink?.();
        for (const key of keys) {
          const set = this.#waiters.get(key);
          set?.delete(waiter);
          if (set?.size === 0) this.#waiters.delete(key);
        }
        resolve(changed);
      };
      const waiter: Waiter = { keys, wake: () => finish(true) };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const unlink = cancellation?.onCancel(() => finish(false));
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
