import type { Clock } from '../../platform/clock.ts';
import type { Database, Executor } from '../../platform/db/database.ts';
import type { MatrixPrincipal } from './accounts.ts';
import type { ChatTables } from './chat.tables.ts';
import {
  clientEventColumns,
  type ClientEvent,
  type ClientEventFormatter,
  type EventRowForClient,
} from './client-events.ts';
import { matrixError } from './matrix-errors.ts';
import type { RecentEvents } from './recent-events.ts';
import {
  Cancellation,
  currentStreamPosition,
  roomKey,
  roomReceiptsKey,
  userKey,
  type StreamNotifier,
} from './stream.ts';
import type { TypingTracker } from './typing.ts';

/** A sync token: everything up to `position` of the stream, and typing changes up to `typing`. */
export interface SyncToken {
  readonly position: number;
  readonly typing: number;
}

export function formatSyncToken(token: SyncToken): string {
  return `s${token.position}_${token.typing}`;
}

export function parseSyncToken(text: string): SyncToken {
  const match = /^s(\d{1,15})(?:_(\d{1,16}))?$/.exec(text);
  if (!match) throw matrixError('M_INVALID_PARAM', { reason: `invalid token ${text.slice(0, 40)}` });
  return { position: Number(match[1]), typing: Number(match[2] ?? 0) };
}

/** A pagination token of `/messages`: `t<stream position>` — the position events are counted from. */
export function formatPaginationToken(position: number): string {
  return `t${position}`;
}

export function parsePaginationToken(text: string): number {
  const sync = /^s(\d{1,15})(?:_\d{1,16})?$/.exec(text);
  if (sync) return Number(sync[1]);
  const match = /^t(\d{1,15})$/.exec(text);
  if (!match) throw matrixError('M_INVALID_PARAM', { reason: `invalid pagination token ${text.slice(0, 40)}` });
  return Number(match[1]);
}

/** The parts of a Matrix filter (filtering § Filter) that /sync and /messages apply. */
export interface RoomEventFilter {
  limit?: number;
  types?: string[];
  not_types?: string[];
  senders?: string[];
  not_senders?: string[];
  rooms?: string[];
  not_rooms?: string[];
  lazy_load_members?: boolean;
  include_redundant_members?: boolean;
  unread_thread_notifications?: boolean;
}

export interface SyncFilter {
  room?: {
    timeline?: RoomEventFilter;
    state?: RoomEventFilter;
    ephemeral?: RoomEventFilter;
    account_data?: RoomEventFilter;
    rooms?: string[];
    not_rooms?: string[];
    include_leave?: boolean;
  };
  account_data?: RoomEventFilter;
  presence?: RoomEventFilter;
}

function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(value);
}

/** Whether an event passes the type and sender parts of a filter. */
export function passesEventFilter(filter: RoomEventFilter | undefined, type: string, sender: string): boolean {
  if (!filter) return true;
  if (filter.not_types?.some((pattern) => globMatch(pattern, type))) return false;
  if (filter.types && !filter.types.some((pattern) => globMatch(pattern, type))) return false;
  if (filter.not_senders?.includes(sender)) return false;
  if (filter.senders && !filter.senders.includes(sender)) return false;
  return true;
}

/** What an extension (end-to-end encryption: to-device, device lists, key counts) adds to a /sync response. */
export interface SyncExtensionInput {
  readonly principal: MatrixPrincipal;
  readonly executor: Executor;
  /** Undefined for an initial sync. */
  readonly since: number | undefined;
  readonly upTo: number;
  readonly joinedRoomIds: readonly string[];
  /** Rooms the user joined, or left, since `since` (for device_lists.changed/left). */
  readonly newlyJoinedRoomIds: readonly string[];
  readonly newlyLeftRoomIds: readonly string[];
  /**
   * False when nothing was notified for the user (`userKey`) since `since`: per-user sections (to-device,
   * device lists) may then skip their queries. Always true for an initial sync.
   */
  readonly userMayHaveChanged: boolean;
}

export interface SyncExtension {
  /** Top-level sections to merge into the response; `hasChanges` tells whether a long-poll may return now. */
  contribute(input: SyncExtensionInput): Promise<{ sections: Record<string, unknown>; hasChanges: boolean }>;
}

/** Per-room unread counts, from the push actions after the user's read receipt. */
export type UnreadCounter = (
  executor: Executor,
  userId: string,
  roomIds: readonly string[],
  /** `upTo`: the position the rest of the response is read at (see `StreamNotifier.settledHead`). */
  options: { threads: boolean; upTo: number },
) => Promise<
  Map<
    string,
    {
      notification_count: number;
      highlight_count: number;
      threads?: Record<string, { notification_count: number; highlight_count: number }>;
    }
  >
>;

export interface SyncDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly notifier: StreamNotifier;
  readonly typing: TypingTracker;
  readonly formatter: ClientEventFormatter;
  readonly unreadCounts: UnreadCounter;
  readonly extensions: SyncExtension[];
  /** The rooms' latest events, read there rather than from the database when they cover the token. */
  readonly recent: RecentEvents;
}

export interface SyncRequest {
  readonly principal: MatrixPrincipal;
  readonly since: SyncToken | undefined;
  readonly filter: SyncFilter;
  readonly fullState: boolean;
  readonly timeoutMs: number;
  /** Cancelled when the client goes away: the long-poll stops waiting. */
  readonly cancellation?: Cancellation;
}

const defaultTimelineLimit = 10;
const maxTimelineLimit = 100;

interface MembershipRow {
  room_id: string;
  membership: string | null;
  stream_ordering: number;
  event_id: string;
}

/**
 * `GET /sync`: the changes after `since` (everything for an initial sync), waiting up to `timeout` for one
 * when there is none. Every section is read up to the same stream position, returned as `next_batch`, so
 * nothing is sent twice or skipped. Rooms: `join` (timeline with `limited`/`prev_batch`, state before the
 * timeline, ephemeral typing and receipts, room account data, unread counts, summary), `invite` (stripped
 * state), `leave` (up to the leave event). Lazy-loading members sends only the members of the timeline's
 * senders (and the user).
 */
export function createSyncService(deps: SyncDependencies) {
  const tables = (executor: Executor) => executor.withTables<ChatTables>();

  async function memberships(executor: Executor, userId: string, upTo: number): Promise<MembershipRow[]> {
    return tables(executor)
      .selectFrom('chat_current_state')
      .select(['room_id', 'membership', 'stream_ordering', 'event_id'])
      .where('type', '=', 'm.room.member')
      .where('state_key', '=', userId)
      .where('stream_ordering', '<=', upTo)
      .execute();
  }

  // Each user's rooms as of a position, reused while no change of theirs was notified since.
  const membershipCache = new Map<string, { asOf: number; rows: MembershipRow[] }>();
  async function membershipsOf(executor: Executor, userId: string, upTo: number): Promise<MembershipRow[]> {
    const cached = membershipCache.get(userId);
    if (cached && cached.asOf <= upTo && !deps.notifier.changes.mayHaveChanged(userKey(userId), cached.asOf)) {
      return cached.rows;
    }
    const rows = await memberships(executor, userId, upTo);
    membershipCache.delete(userId);
    membershipCache.set(userId, { asOf: upTo, rows });
    if (membershipCache.size > 50_000) {
      const oldest = membershipCache.keys().next().value;
      if (oldest !== undefined) membershipCache.delete(oldest);
    }
    return rows;
  }

  // The keys a long-poll waits on, per list of memberships (cached lists are reused by every wait).
  const waitKeys = new WeakMap<MembershipRow[], string[]>();
  function waitKeysOf(userId: string, rows: MembershipRow[]): string[] {
    let keys = waitKeys.get(rows);
    if (!keys) {
      keys = [userKey(userId), ...rows.filter((row) => row.membership === 'join').map((row) => roomKey(row.room_id))];
      waitKeys.set(rows, keys);
    }
    return keys;
  }

  async function forgotten(executor: Executor, userId: string): Promise<Set<string>> {
    const rows = await tables(executor)
      .selectFrom('chat_forgotten_rooms')
      .select('room_id')
      .where('matrix_id', '=', userId)
      .execute();
    return new Set(rows.map((row) => row.room_id));
  }

  /** The user's membership events since `since` (to find rooms joined or left meanwhile). */
  async function membershipChanges(executor: Executor, userId: string, since: number, upTo: number) {
    return tables(executor)
      .selectFrom('chat_events')
      .select(['room_id', 'membership', 'stream_ordering'])
      .where('type', '=', 'm.room.member')
      .where('state_key', '=', userId)
      .where('stream_ordering', '>', since)
      .where('stream_ordering', '<=', upTo)
      .orderBy('stream_ordering')
      .execute();
  }

  async function timelineOf(
    executor: Executor,
    roomId: string,
    options: { since: number | undefined; upTo: number; limit: number; filter: RoomEventFilter | undefined },
  ): Promise<{ rows: EventRowForClient[]; limited: boolean }> {
    let query = tables(executor)
      .selectFrom('chat_events')
      .select(clientEventColumns)
      .where('room_id', '=', roomId)
      .where('stream_ordering', '<=', options.upTo);
    if (options.since !== undefined) query = query.where('stream_ordering', '>', options.since);
    // Exact types narrow the query; with a pattern among them, the filter applies after it.
    const types = options.filter?.types;
    if (types && types.length > 0 && !types.some((type) => type.includes('*'))) {
      query = query.where('type', 'in', types);
    }
    if (options.filter?.not_types) {
      const exact = options.filter.not_types.filter((type) => !type.includes('*'));
      if (exact.length > 0) query = query.where('type', 'not in', exact);
    }
    const rows = await query
      .orderBy('stream_ordering', 'desc')
      .limit(options.limit + 1)
      .execute();
    const limited = rows.length > options.limit;
    const kept = rows
      .slice(0, options.limit)
      .filter((row) => passesEventFilter(options.filter, row.type, row.sender))
      .reverse();
    return { rows: kept, limited };
  }

  /**
   * The room's timeline after `since` from the recent events in memory, when they cover it, fit in the
   * limit (no gap, hence no state to send) and are plain: no state event (membership and lazy-loading
   * work), none related to since it was appended (its aggregations) — else undefined.
   */
  function recentTimeline(
    roomId: string,
    since: number,
    upTo: number,
    limit: number,
    filter: RoomEventFilter | undefined,
  ): { rows: EventRowForClient[]; limited: false } | undefined {
    const events = deps.recent.between(roomId, since, upTo);
    if (!events) return undefined;
    const rows: EventRowForClient[] = [];
    for (const event of events) {
      if (event.related || event.row.state_key !== null) return undefined;
      if (passesEventFilter(filter, event.row.type, event.row.sender)) rows.push(event.row);
    }
    if (rows.length > limit) return undefined;
    return { rows, limited: false };
  }

  async function stateRows(
    executor: Executor,
    roomId: string,
    options: { since?: number; before: number; exclude: Set<string>; memberKeys?: Set<string> },
  ): Promise<EventRowForClient[]> {
    let query = tables(executor)
      .selectFrom('chat_current_state as s')
      .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
      .select(clientEventColumns.map((column) => `e.${column}` as const))
      .where('s.room_id', '=', roomId)
      .where('s.stream_ordering', '<', options.before);
    if (options.since !== undefined) query = query.where('s.stream_ordering', '>', options.since);
    const memberKeys = options.memberKeys;
    if (memberKeys) {
      query = query.where((eb) =>
        eb.or([eb('s.type', '!=', 'm.room.member'), eb('s.state_key', 'in', [...memberKeys, ''])]),
      );
    }
    const rows = await query.orderBy('s.stream_ordering').execute();
    return rows.filter((row) => !options.exclude.has(row.event_id));
  }

  async function roomSummary(executor: Executor, roomId: string, userId: string) {
    const members = await tables(executor)
      .selectFrom('chat_current_state')
      .select(['state_key', 'membership'])
      .where('room_id', '=', roomId)
      .where('type', '=', 'm.room.member')
      .where('membership', 'in', ['join', 'invite'])
      .orderBy('stream_ordering')
      .execute();
    const joined = members.filter((member) => member.membership === 'join').length;
    const invited = members.length - joined;
    const heroes = members
      .map((member) => member.state_key)
      .filter((member) => member !== userId)
      .slice(0, 5);
    return { 'm.heroes': heroes, 'm.joined_member_count': joined, 'm.invited_member_count': invited };
  }

  async function receiptsOf(
    executor: Executor,
    roomIds: readonly string[],
    since: number | undefined,
    upTo: number,
    userId: string,
  ) {
    if (roomIds.length === 0) return new Map<string, ClientEvent>();
    let query = tables(executor)
      .selectFrom('chat_receipts')
      .selectAll()
      .where('room_id', 'in', roomIds)
      .where('stream_ordering', '<=', upTo);
    if (since !== undefined) query = query.where('stream_ordering', '>', since);
    const rows = await query.execute();
    const byRoom = new Map<string, Record<string, Record<string, Record<string, Record<string, unknown>>>>>();
    for (const row of rows) {
      // Private receipts go to their author only.
      if (row.receipt_type === 'm.read.private' && row.matrix_id !== userId) continue;
      const content = byRoom.get(row.room_id) ?? {};
      const forEvent = content[row.event_id] ?? {};
      const forType = forEvent[row.receipt_type] ?? {};
      forType[row.matrix_id] = {
        ts: Number(row.ts),
        ...(row.thread_id !== '' ? { thread_id: row.thread_id } : {}),
      };
      forEvent[row.receipt_type] = forType;
      content[row.event_id] = forEvent;
      byRoom.set(row.room_id, content);
    }
    const result = new Map<string, ClientEvent>();
    for (const [roomId, content] of byRoom) {
      result.set(roomId, { type: 'm.receipt', content } as unknown as ClientEvent);
    }
    return result;
  }

  async function accountData(executor: Executor, userId: string, since: number | undefined, upTo: number) {
    let query = tables(executor)
      .selectFrom('chat_account_data')
      .select(['room_id', 'type', 'content'])
      .where('matrix_id', '=', userId)
      .where('stream_ordering', '<=', upTo);
    if (since !== undefined) query = query.where('stream_ordering', '>', since);
    const rows = await query.orderBy('stream_ordering').execute();
    const global: Array<{ type: string; content: unknown }> = [];
    const byRoom = new Map<string, Array<{ type: string; content: unknown }>>();
    for (const row of rows) {
      const event = { type: row.type, content: JSON.parse(row.content) as unknown };
      if (row.room_id === '') global.push(event);
      else byRoom.set(row.room_id, [...(byRoom.get(row.room_id) ?? []), event]);
    }
    return { global, byRoom };
  }

  function strippedState(row: EventRowForClient): Record<string, unknown> {
    const pdu = JSON.parse(row.json) as { content: unknown };
    return { type: row.type, state_key: row.state_key ?? '', sender: row.sender, content: pdu.content };
  }

  async function build(request: SyncRequest, upTo: number, typingSerial: number) {
    const { principal } = request;
    const userId = principal.userId;
    const viewer = { userId, deviceId: principal.deviceId };
    const executor = deps.database.executor;
    const since = request.fullState ? undefined : request.since?.position;
    const sinceForState = request.since?.position;
    const roomFilter = request.filter.room;
    const timelineFilter = roomFilter?.timeline;
    const limit = Math.min(Math.max(timelineFilter?.limit ?? defaultTimelineLimit, 1), maxTimelineLimit);
    const lazyMembers = roomFilter?.state?.lazy_load_members === true;
    const threads = timelineFilter?.unread_thread_notifications === true;

    // What may have changed since the token (an initial sync, or a token from before this process started:
    // everything). A room or user that did not change is skipped without a query.
    const changeTracker = deps.notifier.changes;
    const userMayHaveChanged = since === undefined || changeTracker.mayHaveChanged(userKey(userId), since);
    const typingChanged = request.since !== undefined && typingSerial > request.since.typing;
    const roomMayHaveChanged = (roomId: string) =>
      since === undefined ||
      changeTracker.mayHaveChanged(roomKey(roomId), since) ||
      (typingChanged && deps.typing.changedSince(roomId, request.since?.typing ?? 0));

    const current = await membershipsOf(executor, userId, upTo);
    const changes =
      request.since === undefined || !userMayHaveChanged
        ? []
        : await membershipChanges(executor, userId, request.since.position, upTo);
    const hasLeftRooms = current.some((row) => row.membership === 'leave' || row.membership === 'ban');
    const forgottenRooms = hasLeftRooms && userMayHaveChanged ? await forgotten(executor, userId) : new Set<string>();
    const joinedSince = new Set(
      changes.filter((change) => change.membership === 'join').map((change) => change.room_id),
    );
    const roomAllowed = (roomId: string) =>
      !(roomFilter?.not_rooms?.includes(roomId) ?? false) && (roomFilter?.rooms?.includes(roomId) ?? true);

    const join: Record<string, Record<string, unknown>> = {};
    const invite: Record<string, unknown> = {};
    const leave: Record<string, unknown> = {};
    const joinedRoomIds = current.filter((row) => row.membership === 'join').map((row) => row.room_id);
    const changedJoinedRooms = joinedRoomIds.filter(
      (roomId) => roomAllowed(roomId) && (joinedSince.has(roomId) || roomMayHaveChanged(roomId)),
    );

    const receipts = await receiptsOf(
      executor,
      since === undefined
        ? changedJoinedRooms
        : changedJoinedRooms.filter((roomId) => changeTracker.mayHaveChanged(roomReceiptsKey(roomId), since)),
      since,
      upTo,
      userId,
    );
    const data = userMayHaveChanged
      ? await accountData(executor, userId, since, upTo)
      : { global: [], byRoom: new Map<string, Array<{ type: string; content: unknown }>>() };

    for (const membership of current) {
      const roomId = membership.room_id;
      if (!roomAllowed(roomId)) continue;
      if (membership.membership === 'join') {
        // A room joined since the token is sent whole, as in an initial sync.
        const isNew = since === undefined || joinedSince.has(roomId);
        if (!isNew && !roomMayHaveChanged(roomId) && !data.byRoom.has(roomId)) continue;
        const roomSince = isNew ? undefined : since;
        const recent =
          roomSince === undefined ? undefined : recentTimeline(roomId, roomSince, upTo, limit, timelineFilter);
        const timeline =
          recent ?? (await timelineOf(executor, roomId, { since: roomSince, upTo, limit, filter: timelineFilter }));
        const timelineIds = new Set(timeline.rows.map((row) => row.event_id));
        const timelineStart = timeline.rows[0]?.stream_ordering ?? upTo + 1;
        const memberKeys = lazyMembers ? new Set([userId, ...timeline.rows.map((row) => row.sender)]) : undefined;
        let state: EventRowForClient[] = [];
        if (isNew) {
          state = await stateRows(executor, roomId, {
            before: Number(timelineStart),
            exclude: timelineIds,
            ...(memberKeys ? { memberKeys } : {}),
          });
        } else if (timeline.limited) {
          state = await stateRows(executor, roomId, {
            since: roomSince ?? 0,
            before: Number(timelineStart),
            exclude: timelineIds,
            ...(memberKeys ? { memberKeys } : {}),
          });
          if (memberKeys) {
            // Lazy loading: the members of the timeline's senders the client may not know yet.
            const senders = await stateRows(executor, roomId, {
              before: Number(timelineStart),
              exclude: timelineIds,
              memberKeys,
            });
            const known = new Set(state.map((row) => row.event_id));
            state.push(...senders.filter((row) => row.type === 'm.room.member' && !known.has(row.event_id)));
          }
        }
        const ephemeral: unknown[] = [];
        if (since === undefined || typingChanged || isNew) {
          if (since === undefined || isNew || deps.typing.changedSince(roomId, request.since?.typing ?? 0)) {
            ephemeral.push({ type: 'm.typing', content: { user_ids: deps.typing.typingIn(roomId) } });
          }
        }
        const receipt = receipts.get(roomId);
        if (receipt) ephemeral.push({ type: receipt.type, content: receipt.content });
        const roomData = data.byRoom.get(roomId) ?? [];
        const hasTyping =
          ephemeral.length > 0 &&
          (since === undefined || isNew || deps.typing.changedSince(roomId, request.since?.typing ?? 0));
        const hasContent =
          since === undefined ||
          isNew ||
          timeline.rows.length > 0 ||
          state.length > 0 ||
          receipt !== undefined ||
          roomData.length > 0 ||
          hasTyping;
        if (!hasContent) continue;
        const hasMemberChanges =
          state.some((row) => row.type === 'm.room.member') ||
          timeline.rows.some((row) => row.type === 'm.room.member');
        join[roomId] = {
          timeline: {
            events: recent
              ? deps.formatter.formatUnrelated(timeline.rows, viewer, { withRoomId: false })
              : await deps.formatter.format(executor, timeline.rows, viewer, { withRoomId: false }),
            limited: timeline.limited || (isNew && since !== undefined && timeline.limited),
            prev_batch: formatPaginationToken(Number(timelineStart) - 1),
          },
          state: { events: await deps.formatter.format(executor, state, viewer, { withRoomId: false }) },
          ephemeral: { events: hasTyping || receipt ? ephemeral : [] },
          account_data: { events: roomData },
          // The summary (heroes, member counts) when it may have changed.
          summary: isNew || (lazyMembers && hasMemberChanges) ? await roomSummary(executor, roomId, userId) : {},
        };
      } else if (membership.membership === 'invite') {
        if (since !== undefined && Number(membership.stream_ordering) <= since) continue;
        const inviteState = await tables(executor)
          .selectFrom('chat_current_state as s')
          .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
          .select(clientEventColumns.map((column) => `e.${column}` as const))
          .where('s.room_id', '=', roomId)
          .where((eb) =>
            eb.or([
              eb('s.type', 'in', [
                'm.room.create',
                'm.room.join_rules',
                'm.room.name',
                'm.room.avatar',
                'm.room.canonical_alias',
                'm.room.encryption',
                'm.room.topic',
              ]),
              eb.and([eb('s.type', '=', 'm.room.member'), eb('s.event_id', '=', membership.event_id)]),
            ]),
          )
          .execute();
        const inviter = inviteState.find((row) => row.event_id === membership.event_id)?.sender;
        const inviterMember = inviter
          ? await tables(executor)
              .selectFrom('chat_current_state as s')
              .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
              .select(clientEventColumns.map((column) => `e.${column}` as const))
              .where('s.room_id', '=', roomId)
              .where('s.type', '=', 'm.room.member')
              .where('s.state_key', '=', inviter)
              .execute()
          : [];
        invite[roomId] = { invite_state: { events: [...inviteState, ...inviterMember].map(strippedState) } };
      } else if (membership.membership === 'leave' || membership.membership === 'ban') {
        if (forgottenRooms.has(roomId)) continue;
        const leftNow = since !== undefined && Number(membership.stream_ordering) > since;
        const includeLeave = roomFilter?.include_leave === true;
        if (!leftNow && !(since === undefined && includeLeave)) continue;
        // The rejected invitations and kicks before any join are also "leave": the timeline stops at the leave.
        const timeline = await timelineOf(executor, roomId, {
          since,
          upTo: Number(membership.stream_ordering),
          limit,
          filter: timelineFilter,
        });
        const timelineStart = timeline.rows[0]?.stream_ordering ?? Number(membership.stream_ordering);
        leave[roomId] = {
          timeline: {
            events: await deps.formatter.format(executor, timeline.rows, viewer, { withRoomId: false }),
            limited: timeline.limited,
            prev_batch: formatPaginationToken(Number(timelineStart) - 1),
          },
          state: { events: [] },
          account_data: { events: data.byRoom.get(roomId) ?? [] },
        };
      }
    }

    // Unread counts of the rooms in the response, read up to the same position as their events.
    const unread = await deps.unreadCounts(executor, userId, Object.keys(join), { threads, upTo });
    for (const [roomId, room] of Object.entries(join)) {
      const { threads: threadCounts, ...roomCounts } = unread.get(roomId) ?? {
        notification_count: 0,
        highlight_count: 0,
      };
      room['unread_notifications'] = roomCounts;
      if (threads) room['unread_thread_notifications'] = threadCounts ?? {};
    }

    const newlyJoined = [...joinedSince].filter((roomId) => joinedRoomIds.includes(roomId));
    const newlyLeft = changes
      .filter((change) => change.membership === 'leave' || change.membership === 'ban')
      .map((change) => change.room_id)
      .filter((roomId) => !joinedRoomIds.includes(roomId));
    const extensionSections: Record<string, unknown> = {};
    let extensionChanges = false;
    for (const extension of deps.extensions) {
      const { sections, hasChanges } = await extension.contribute({
        principal,
        executor,
        since: sinceForState,
        upTo,
        joinedRoomIds,
        newlyJoinedRoomIds: newlyJoined,
        newlyLeftRoomIds: newlyLeft,
        userMayHaveChanged,
      });
      Object.assign(extensionSections, sections);
      extensionChanges ||= hasChanges;
    }

    const hasChanges =
      Object.keys(join).length > 0 ||
      Object.keys(invite).length > 0 ||
      Object.keys(leave).length > 0 ||
      data.global.length > 0 ||
      extensionChanges;
    const response = {
      next_batch: formatSyncToken({ position: upTo, typing: typingSerial }),
      rooms: { join, invite, leave, knock: {} },
      account_data: { events: data.global },
      presence: { events: [] },
      ...extensionSections,
    };
    return { response, hasChanges };
  }

  /** Up to what this process has committed and recorded in memory (events, counts): see `settledHead`. */
  async function streamHead(): Promise<number> {
    return deps.notifier.settledHead ?? (await currentStreamPosition(deps.database.executor));
  }

  // Syncs being answered: shutdown waits for them before the database closes (a client that went away
  // leaves its handler running until its wait ends).
  const inFlight = new Set<Promise<unknown>>();

  return {
    async sync(request: SyncRequest): Promise<Record<string, unknown>> {
      const run = answer(request);
      inFlight.add(run);
      try {
        return await run;
      } finally {
        inFlight.delete(run);
      }
    },

    /** Resolves once every sync in progress has answered (call after waking them). */
    async drain(): Promise<void> {
      await Promise.allSettled([...inFlight]);
    },
  };

  async function answer(request: SyncRequest): Promise<Record<string, unknown>> {
    const userId = request.principal.userId;
    const deadline = deps.clock.now().getTime() + request.timeoutMs;
    for (;;) {
      const upTo = await streamHead();
      const typingSerial = deps.typing.serial;
      // A token at the head (the previous response's next_batch, nothing committed or typed since): nothing
      // can be new, so the long-poll waits before building anything. It builds at its timeout.
      const isAtHead =
        request.since !== undefined &&
        !request.fullState &&
        request.since.position === upTo &&
        request.since.typing === typingSerial &&
        deadline > deps.clock.now().getTime() &&
        request.cancellation?.cancelled !== true;
      let response: Record<string, unknown> | undefined;
      if (!isAtHead) {
        const built = await build(request, upTo, typingSerial);
        const remaining = deadline - deps.clock.now().getTime();
        if (request.since === undefined || built.hasChanges || remaining <= 0 || request.cancellation?.cancelled) {
          return built.response;
        }
        response = built.response;
      }
      // Nothing new: wait for a change concerning the user or one of their rooms. The wait is registered
      // before looking at the stream again, so a change committed meanwhile is never missed.
      const keys = waitKeysOf(userId, await membershipsOf(deps.database.executor, userId, upTo));
      const wait = new Cancellation();
      const unlink = request.cancellation?.onCancel(() => wait.cancel());
      try {
        const waiting = deps.notifier.wait(keys, deadline - deps.clock.now().getTime(), wait);
        const latest = await streamHead();
        if (latest > upTo || deps.typing.serial > typingSerial) {
          wait.cancel();
          await waiting;
          continue;
        }
        if (!(await waiting)) {
          return response ?? (await build(request, await streamHead(), deps.typing.serial)).response;
        }
      } finally {
        unlink?.();
      }
    }
  }
}

export type SyncService = ReturnType<typeof createSyncService>;
