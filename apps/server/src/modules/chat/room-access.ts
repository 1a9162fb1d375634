import type { Executor } from '../../platform/db/database.ts';
import type { ChatTables } from './chat.tables.ts';

interface Change {
  readonly stream: number;
  readonly value: string;
}

/**
 * What a user may read in a room (history visibility, client-server-api § "History visibility"): their
 * membership and the room's `m.room.history_visibility` over time, read once per request. An event is
 * visible when it is `world_readable`, when the user was joined at that point, when it is `invited` and
 * the user was invited or joined, or when it is `shared` and the user is joined now (or, having left, the
 * event came before they left).
 */
export class RoomVisibility {
  readonly #memberships: readonly Change[];
  readonly #visibilities: readonly Change[];
  readonly currentMembership: string | null;
  /** The position after which a user who left sees nothing (their leave or ban). */
  readonly visibleUpTo: number;

  private constructor(memberships: Change[], visibilities: Change[]) {
    this.#memberships = memberships;
    this.#visibilities = visibilities;
    const last = memberships.at(-1);
    this.currentMembership = last?.value ?? null;
    this.visibleUpTo = last && last.value !== 'join' && last.value !== 'invite' ? last.stream : Number.MAX_SAFE_INTEGER;
  }

  static async load(executor: Executor, roomId: string, userId: string): Promise<RoomVisibility> {
    const rows = await executor
      .withTables<ChatTables>()
      .selectFrom('chat_events')
      .select(['type', 'state_key', 'membership', 'json', 'stream_ordering'])
      .where('room_id', '=', roomId)
      .where((eb) =>
        eb.or([
          eb.and([eb('type', '=', 'm.room.member'), eb('state_key', '=', userId)]),
          eb.and([eb('type', '=', 'm.room.history_visibility'), eb('state_key', '=', '')]),
        ]),
      )
      .orderBy('stream_ordering')
      .execute();
    const memberships: Change[] = [];
    const visibilities: Change[] = [];
    for (const row of rows) {
      if (row.type === 'm.room.member') {
        memberships.push({ stream: Number(row.stream_ordering), value: row.membership ?? 'leave' });
      } else {
        const content = (JSON.parse(row.json) as { content?: { history_visibility?: unknown } }).content;
        const value = typeof content?.history_visibility === 'string' ? content.history_visibility : 'shared';
        visibilities.push({ stream: Number(row.stream_ordering), value });
      }
    }
    return new RoomVisibility(memberships, visibilities);
  }

  static #at(changes: readonly Change[], stream: number): string | undefined {
    let found: string | undefined;
    for (const change of changes) {
      if (change.stream > stream) break;
      found = change.value;
    }
    return found;
  }

  /** Whether the user has ever been in the room (joined or invited). */
  get hasBeenMember(): boolean {
    return this.#memberships.some((change) => change.value === 'join' || change.value === 'invite');
  }

  get isJoined(): boolean {
    return this.currentMembership === 'join';
  }

  canSee(stream: number): boolean {
    const visibility = RoomVisibility.#at(this.#visibilities, stream) ?? 'shared';
    if (visibility === 'world_readable') return true;
    if (stream > this.visibleUpTo) {
      // Their own leave event is still theirs to see.
      return this.#memberships.some((change) => change.stream === stream);
    }
    const membership = RoomVisibility.#at(this.#memberships, stream);
    if (membership === 'join') return true;
    if (visibility === 'invited' && membership === 'invite') return true;
    if (visibility === 'shared')
      return this.hasBeenMember && this.#memberships.some((change) => change.value === 'join');
    return false;
  }
}
