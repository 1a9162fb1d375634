import type { Clock } from '../../platform/clock.ts';
import { roomKey, type StreamNotifier } from './stream.ts';

/**
 * Typing notifications (ephemeral, never stored): who types in which room until when. Each change takes
 * the next serial, the `_<serial>` part of /sync tokens. In-process: several processes will share it
 * through Redis; a restart forgets who was typing, as Synapse does.
 */
export class TypingTracker {
  readonly #rooms = new Map<string, { users: Map<string, number>; changedAt: number }>();
  readonly #clock: Clock;
  readonly #notifier: StreamNotifier;
  #serial = 0;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(clock: Clock, notifier: StreamNotifier) {
    this.#clock = clock;
    this.#notifier = notifier;
    // Serials keep growing across restarts, so a token from before a restart never hides a change.
    this.#serial = clock.now().getTime();
  }

  get serial(): number {
    return this.#serial;
  }

  set(roomId: string, userId: string, typing: boolean, timeoutMs: number): void {
    const room = this.#rooms.get(roomId) ?? { users: new Map<string, number>(), changedAt: 0 };
    const wasTyping = this.#isTyping(room.users, userId);
    if (typing) {
      room.users.set(userId, this.#clock.now().getTime() + timeoutMs);
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        const current = this.#rooms.get(roomId);
        if (current && !this.#isTyping(current.users, userId) && current.users.has(userId)) {
          current.users.delete(userId);
          this.#changed(roomId, current);
        }
      }, timeoutMs + 10);
      timer.unref();
      this.#timers.add(timer);
    } else {
      room.users.delete(userId);
    }
    this.#rooms.set(roomId, room);
    if (wasTyping !== typing) this.#changed(roomId, room);
  }

  #isTyping(users: Map<string, number>, userId: string): boolean {
    const until = users.get(userId);
    return until !== undefined && until > this.#clock.now().getTime();
  }

  #changed(roomId: string, room: { changedAt: number }): void {
    this.#serial += 1;
    room.changedAt = this.#serial;
    this.#notifier.notify([roomKey(roomId)]);
  }

  /** Users typing in a room now. */
  typingIn(roomId: string): string[] {
    const room = this.#rooms.get(roomId);
    if (!room) return [];
    return [...room.users.keys()].filter((userId) => this.#isTyping(room.users, userId));
  }

  /** Whether the room's typing list changed after `serial`. */
  changedSince(roomId: string, serial: number): boolean {
    return (this.#rooms.get(roomId)?.changedAt ?? 0) > serial;
  }

  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
