import type { Executor, TransactionContext } from '../../../platform/db/database.ts';
import type { ChatTables } from '../chat.tables.ts';
import { roomKey, userKey, type StreamNotifier } from '../stream.ts';
import type { E2eeTables } from './e2ee.tables.ts';

type Tables = E2eeTables & ChatTables;

/** `device_lists` of /sync and the answer of /keys/changes. */
export interface DeviceListChanges {
  readonly changed: string[];
  readonly left: string[];
}

/** Where the user stands between two stream positions: the rooms they are in, joined and left meanwhile. */
export interface MembershipWindow {
  readonly joinedRoomIds: readonly string[];
  readonly newlyJoinedRoomIds: readonly string[];
  readonly newlyLeftRoomIds: readonly string[];
}

const chunkSize = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += chunkSize) result.push(items.slice(index, index + chunkSize));
  return result;
}

/**
 * The device-list change log: every change of a user's devices or cross-signing keys takes a stream
 * position, so that /sync tells the users sharing a room with them (`device_lists.changed`) exactly once,
 * and /keys/changes can answer for any two sync tokens.
 */
/** Notified with every device-list change (nobody waits on it): the change tracker's record of the last one. */
export const deviceListsKey = 'device-lists';

export function createDeviceLists(deps: { readonly notifier: StreamNotifier }) {
  const tables = (executor: Executor) => executor.withTables<Tables>();

  async function joinedRoomsOf(executor: Executor, matrixId: string): Promise<string[]> {
    const rows = await tables(executor)
      .selectFrom('chat_current_state')
      .select('room_id')
      .where('type', '=', 'm.room.member')
      .where('state_key', '=', matrixId)
      .where('membership', '=', 'join')
      .execute();
    return rows.map((row) => row.room_id);
  }

  /** Of `users`, those joined to one of `roomIds` now. */
  async function joinedAmong(executor: Executor, roomIds: readonly string[], users: Iterable<string>) {
    const joined = new Set<string>();
    const candidates = [...new Set(users)];
    if (roomIds.length === 0 || candidates.length === 0) return joined;
    for (const rooms of chunks(roomIds)) {
      for (const members of chunks(candidates)) {
        const rows = await tables(executor)
          .selectFrom('chat_current_state')
          .select('state_key')
          .distinct()
          .where('room_id', 'in', rooms)
          .where('type', '=', 'm.room.member')
          .where('membership', '=', 'join')
          .where('state_key', 'in', members)
          .execute();
        for (const row of rows) joined.add(row.state_key);
      }
    }
    return joined;
  }

  async function membersOf(executor: Executor, roomIds: readonly string[]): Promise<Set<string>> {
    const members = new Set<string>();
    for (const rooms of chunks(roomIds)) {
      const rows = await tables(executor)
        .selectFrom('chat_current_state')
        .select('state_key')
        .distinct()
        .where('room_id', 'in', rooms)
        .where('type', '=', 'm.room.member')
        .where('membership', '=', 'join')
        .execute();
      for (const row of rows) members.add(row.state_key);
    }
    return members;
  }

  /** The membership events of others in `roomIds` between the positions (joins and departures). */
  async function memberEvents(executor: Executor, roomIds: readonly string[], since: number, upTo: number) {
    const rows: Array<{ room_id: string; state_key: string | null; membership: string | null }> = [];
    for (const rooms of chunks(roomIds)) {
      rows.push(
        ...(await tables(executor)
          .selectFrom('chat_events')
          .select(['room_id', 'state_key', 'membership'])
          .where('room_id', 'in', rooms)
          .where('type', '=', 'm.room.member')
          .where('stream_ordering', '>', since)
          .where('stream_ordering', '<=', upTo)
          .orderBy('stream_ordering')
          .execute()),
      );
    }
    return rows;
  }

  /** Whether `matrixId` was joined to the room at position `at` (a join event after it may be a profile change). */
  async function wasJoined(executor: Executor, roomId: string, matrixId: string, at: number): Promise<boolean> {
    const row = await tables(executor)
      .selectFrom('chat_events')
      .select('membership')
      .where('room_id', '=', roomId)
      .where('type', '=', 'm.room.member')
      .where('state_key', '=', matrixId)
      .where('stream_ordering', '<=', at)
      .orderBy('stream_ordering', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.membership === 'join';
  }

  return {
    /**
     * Records a change of `matrixId`'s device list in the caller's transaction, and wakes the long-polls of
     * the users sharing a room with them once it commits. With `visibleTo`, only that user is told (the
     * signature they put on another user's key).
     */
    async record(context: TransactionContext, matrixId: string, options: { visibleTo?: string } = {}) {
      const position = await deps.notifier.nextPosition(context);
      await tables(context.executor)
        .insertInto('chat_e2ee_device_list_changes')
        .values({ stream_position: position, matrix_id: matrixId, visible_to: options.visibleTo ?? null })
        .execute();
      const keys =
        options.visibleTo !== undefined
          ? [userKey(options.visibleTo), deviceListsKey]
          : [userKey(matrixId), deviceListsKey, ...(await joinedRoomsOf(context.executor, matrixId)).map(roomKey)];
      context.afterCommit(() => deps.notifier.notify(keys));
    },

    /** The rooms `matrixId` is in at `upTo`, and those they joined or left after `since` (as /sync sees them). */
    async membershipWindow(
      executor: Executor,
      matrixId: string,
      since: number,
      upTo: number,
    ): Promise<MembershipWindow> {
      const current = await tables(executor)
        .selectFrom('chat_current_state')
        .select(['room_id', 'membership'])
        .where('type', '=', 'm.room.member')
        .where('state_key', '=', matrixId)
        .where('stream_ordering', '<=', upTo)
        .execute();
      const joinedRoomIds = current.filter((row) => row.membership === 'join').map((row) => row.room_id);
      const changes = await tables(executor)
        .selectFrom('chat_events')
        .select(['room_id', 'membership'])
        .where('type', '=', 'm.room.member')
        .where('state_key', '=', matrixId)
        .where('stream_ordering', '>', since)
        .where('stream_ordering', '<=', upTo)
        .execute();
      const joinedNow = new Set(joinedRoomIds);
      return {
        joinedRoomIds,
        newlyJoinedRoomIds: [
          ...new Set(changes.filter((row) => row.membership === 'join').map((row) => row.room_id)),
        ].filter((roomId) => joinedNow.has(roomId)),
        newlyLeftRoomIds: [
          ...new Set(
            changes.filter((row) => row.membership === 'leave' || row.membership === 'ban').map((row) => row.room_id),
          ),
        ].filter((roomId) => !joinedNow.has(roomId)),
      };
    },

    /**
     * The users whose device list changed between `since` and `upTo` and who share a room with `matrixId`
     * (the user themself included), the users they started sharing a room with, and those they no longer
     * share any room with (`left`).
     */
    async changesFor(
      executor: Executor,
      matrixId: string,
      since: number,
      upTo: number,
      window: MembershipWindow,
    ): Promise<DeviceListChanges> {
      const changed = new Set<string>();
      const rows = await tables(executor)
        .selectFrom('chat_e2ee_device_list_changes')
        .select(['matrix_id', 'visible_to'])
        .where('stream_position', '>', since)
        .where('stream_position', '<=', upTo)
        .where((eb) => eb.or([eb('visible_to', 'is', null), eb('visible_to', '=', matrixId)]))
        .execute();
      const others = new Set<string>();
      for (const row of rows) {
        if (row.matrix_id === matrixId || row.visible_to === matrixId) changed.add(row.matrix_id);
        else others.add(row.matrix_id);
      }
      for (const user of await joinedAmong(executor, window.joinedRoomIds, others)) changed.add(user);

      // Users now sharing a room: every member of a room the user joined, and who joined one of their rooms.
      for (const user of await membersOf(executor, window.newlyJoinedRoomIds)) {
        if (user !== matrixId) changed.add(user);
      }
      const newlyJoined = new Set(window.newlyJoinedRoomIds);
      const events = await memberEvents(
        executor,
        window.joinedRoomIds.filter((roomId) => !newlyJoined.has(roomId)),
        since,
        upTo,
      );
      const departed = new Set<string>();
      const checked = new Set<string>();
      for (const event of events) {
        const user = event.state_key;
        if (user === null || user === matrixId) continue;
        if (event.membership === 'leave' || event.membership === 'ban') departed.add(user);
        const key = `${event.room_id}\u0000${user}`;
        if (event.membership !== 'join' || checked.has(key)) continue;
        checked.add(key);
        // A join event of someone already joined is a profile change, not a new member.
        if (!(await wasJoined(executor, event.room_id, user, since))) changed.add(user);
      }

      // `left`: who departed from one of the user's rooms, or was in a room the user left, and shares none now.
      for (const user of await membersOf(executor, window.newlyLeftRoomIds)) departed.add(user);
      departed.delete(matrixId);
      const stillSharing = await joinedAmong(executor, window.joinedRoomIds, departed);
      const left = [...departed].filter((user) => !stillSharing.has(user));
      for (const user of left) changed.delete(user);
      return { changed: [...changed].sort(), left: left.sort() };
    },
  };
}

export type DeviceLists = ReturnType<typeof createDeviceLists>;
