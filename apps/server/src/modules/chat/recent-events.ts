import type { EventRowForClient } from './client-events.ts';

/** A room's latest events as they were appended, for an incremental /sync to serve without a query. */
interface RoomWindow {
  /** Every event of the room after this position is in `events` (they are the room's latest). */
  from: number;
  events: RecentEvent[];
}

export interface RecentEvent {
  readonly row: EventRowForClient;
  /**
   * Another event relates to this one (reply, edit, reaction, thread): its bundled aggregations are no
   * longer empty, so it must be formatted from the database.
   */
  related: boolean;
}

/**
 * The latest events of the busiest rooms, in memory, as this process appended them (after commit, in stream
 * order). An incremental /sync of a room whose token is inside the window reads its new events here
 * instead of the database: one message reaching the twenty devices of a room is read once, not twenty
 * times. Only what cannot have changed since it was appended is served from here: events nobody related
 * to yet, never redacted (a redaction, or a purge by the retention job, resets the room's window).
 *
 * Per process, like the notifier: a change appended by another process would not be seen, so several
 * processes must reset the windows of the rooms they relay notifications for (or run without this cache).
 */
export class RecentEvents {
  readonly #rooms = new Map<string, RoomWindow>();
  readonly #perRoom: number;
  readonly #maxRooms: number;

  constructor(options: { perRoom?: number; maxRooms?: number } = {}) {
    this.#perRoom = options.perRoom ?? 32;
    this.#maxRooms = options.maxRooms ?? 2_000;
  }

  /**
   * An event appended and committed; `previousInRoom` is the stream position of the room's event before it
   * (as the appending transaction read it). Events of one room must be recorded in stream order: one
   * recorded out of order makes the room's window go (an event may be missing from it).
   */
  record(row: EventRowForClient, relatesTo: string | null, previousInRoom: number): void {
    const position = Number(row.stream_ordering);
    let window = this.#rooms.get(row.room_id);
    if (window) {
      this.#rooms.delete(row.room_id);
      const last = window.events.at(-1);
      const lastPosition = last ? Number(last.row.stream_ordering) : window.from;
      if (lastPosition >= position) return;
      // Another writer appended to the room since the window's last event: the window restarts.
      if (lastPosition !== previousInRoom) window = undefined;
    }
    if (!window || row.type === 'm.room.redaction') {
      // The room had nothing after `previousInRoom` but this event. A redaction changes an earlier event:
      // the window restarts with it.
      window = { from: row.type === 'm.room.redaction' ? position - 1 : previousInRoom, events: [] };
    }
    if (relatesTo !== null) {
      for (const event of window.events) if (event.row.event_id === relatesTo) event.related = true;
    }
    window.events.push({ row, related: false });
    if (window.events.length > this.#perRoom) {
      const dropped = window.events.shift();
      if (dropped) window.from = Number(dropped.row.stream_ordering);
    }
    this.#rooms.set(row.room_id, window);
    if (this.#rooms.size > this.#maxRooms) {
      const oldest = this.#rooms.keys().next().value;
      if (oldest !== undefined) this.#rooms.delete(oldest);
    }
  }

  /** Forgets every window (another process appended events this one did not see). */
  clear(): void {
    this.#rooms.clear();
  }

  /** Forgets a room's window (its events changed in place: a purge). */
  forget(roomId: string): void {
    this.#rooms.delete(roomId);
  }

  /**
   * The room's events in `(since, upTo]`, oldest first, when the window holds all of them; undefined when
   * it does not (the caller reads the database).
   */
  between(roomId: string, since: number, upTo: number): RecentEvent[] | undefined {
    const window = this.#rooms.get(roomId);
    if (!window || since < window.from) return undefined;
    const result: RecentEvent[] = [];
    for (const event of window.events) {
      const position = Number(event.row.stream_ordering);
      if (position > since && position <= upTo) result.push(event);
    }
    return result;
  }

  /** Rooms and events held (tests, metrics). */
  get size(): { rooms: number; events: number } {
    let events = 0;
    for (const window of this.#rooms.values()) events += window.events.length;
    return { rooms: this.#rooms.size, events };
  }
}
