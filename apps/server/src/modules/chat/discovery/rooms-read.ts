import type { Executor } from '../../../platform/db/database.ts';
import type { ChatTables } from '../chat.tables.ts';
import { matrixError } from '../matrix-errors.ts';
import { powerLevelOf, requiredPowerLevel } from '../protocol/index.ts';
import { RoomVisibility } from '../room-access.ts';
import type { RoomEngine, RoomHead } from '../room-engine.ts';
import { chunked } from './aggregations.ts';

/** What the directory, the public room list and the space hierarchy show of a room. */
export interface RoomSummary {
  room_id: string;
  num_joined_members: number;
  world_readable: boolean;
  guest_can_join: boolean;
  join_rule: string;
  name?: string;
  topic?: string;
  canonical_alias?: string;
  avatar_url?: string;
  room_type?: string;
  /** Not served: whether the room is end-to-end encrypted (search skips those). */
  readonly isEncrypted: boolean;
  /** Not served: the restricted join rule's allowed rooms. */
  readonly allowedRoomIds: readonly string[];
}

const summaryTypes = [
  'm.room.create',
  'm.room.name',
  'm.room.topic',
  'm.room.canonical_alias',
  'm.room.avatar',
  'm.room.join_rules',
  'm.room.history_visibility',
  'm.room.guest_access',
  'm.room.encryption',
];

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Summaries of rooms from their current state: one query for the state, one for the member counts. */
export async function summariseRooms(
  executor: Executor,
  roomIds: readonly string[],
): Promise<Map<string, RoomSummary>> {
  const tables = executor.withTables<ChatTables>();
  const contents = new Map<string, Map<string, Record<string, unknown>>>();
  const counts = new Map<string, number>();
  for (const ids of chunked([...new Set(roomIds)])) {
    const stateRows = await tables
      .selectFrom('chat_current_state as s')
      .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
      .select(['s.room_id', 's.type', 'e.json'])
      .where('s.room_id', 'in', ids)
      .where('s.type', 'in', summaryTypes)
      .where('s.state_key', '=', '')
      .execute();
    for (const row of stateRows) {
      const content = (JSON.parse(row.json) as { content?: Record<string, unknown> }).content ?? {};
      const byType = contents.get(row.room_id) ?? new Map<string, Record<string, unknown>>();
      byType.set(row.type, content);
      contents.set(row.room_id, byType);
    }
    const countRows = await tables
      .selectFrom('chat_current_state')
      .select((eb) => ['room_id', eb.fn.countAll().as('joined')])
      .where('room_id', 'in', ids)
      .where('type', '=', 'm.room.member')
      .where('membership', '=', 'join')
      .groupBy('room_id')
      .execute();
    for (const row of countRows) counts.set(row.room_id, Number(row.joined));
  }
  const summaries = new Map<string, RoomSummary>();
  for (const roomId of roomIds) {
    const state = contents.get(roomId);
    if (!state) continue;
    const joinRules = state.get('m.room.join_rules') ?? {};
    const allow = Array.isArray(joinRules['allow']) ? (joinRules['allow'] as unknown[]) : [];
    const name = text(state.get('m.room.name')?.['name']);
    const topic = text(state.get('m.room.topic')?.['topic']);
    const alias = text(state.get('m.room.canonical_alias')?.['alias']);
    const avatar = text(state.get('m.room.avatar')?.['url']);
    const roomType = text(state.get('m.room.create')?.['type']);
    summaries.set(roomId, {
      room_id: roomId,
      num_joined_members: counts.get(roomId) ?? 0,
      world_readable: state.get('m.room.history_visibility')?.['history_visibility'] === 'world_readable',
      guest_can_join: state.get('m.room.guest_access')?.['guest_access'] === 'can_join',
      join_rule: text(joinRules['join_rule']) ?? 'invite',
      ...(name !== undefined ? { name } : {}),
      ...(topic !== undefined ? { topic } : {}),
      ...(alias !== undefined ? { canonical_alias: alias } : {}),
      ...(avatar !== undefined ? { avatar_url: avatar } : {}),
      ...(roomType !== undefined ? { room_type: roomType } : {}),
      isEncrypted: state.has('m.room.encryption'),
      allowedRoomIds: allow
        .map((entry) =>
          typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['room_id'] : undefined,
        )
        .filter((id): id is string => typeof id === 'string'),
    });
  }
  return summaries;
}

/** A summary without the fields kept for the server's own decisions. */
export function servedSummary(summary: RoomSummary): Record<string, unknown> {
  const { isEncrypted, allowedRoomIds, ...served } = summary;
  void isEncrypted;
  void allowedRoomIds;
  return served;
}

export async function requireRoom(rooms: RoomEngine, roomId: string): Promise<RoomHead> {
  const head = await rooms.loadHead(roomId);
  if (!head) throw matrixError('M_NOT_FOUND', { what: roomId });
  return head;
}

/** What the user may read of a room; M_FORBIDDEN when they have never been in it (Bureau offers no peeking). */
export async function visibilityIn(executor: Executor, roomId: string, userId: string): Promise<RoomVisibility> {
  const visibility = await RoomVisibility.load(executor, roomId, userId);
  if (!visibility.hasBeenMember) throw matrixError('M_FORBIDDEN', { reason: 'you are not a member of this room' });
  return visibility;
}

/** The user's current membership of each of `roomIds` (absent: none). */
export async function membershipsOf(executor: Executor, userId: string): Promise<Map<string, string>> {
  const rows = await executor
    .withTables<ChatTables>()
    .selectFrom('chat_current_state')
    .select(['room_id', 'membership'])
    .where('type', '=', 'm.room.member')
    .where('state_key', '=', userId)
    .execute();
  return new Map(rows.map((row) => [row.room_id, row.membership ?? 'leave']));
}

/**
 * Whether the user administers the room's addresses and listing: a power level at least the one needed to
 * send `m.room.canonical_alias` (the room's administrators and, in v12, its creators).
 */
export async function isRoomAdministrator(rooms: RoomEngine, head: RoomHead, userId: string): Promise<boolean> {
  const state = await rooms.readState(head.roomId, [
    ['m.room.create', ''],
    ['m.room.power_levels', ''],
    ['m.room.member', userId],
  ]);
  if (state.content('m.room.member', userId)?.['membership'] !== 'join') return false;
  return powerLevelOf(userId, state, head.roomVersion) >= requiredPowerLevel('m.room.canonical_alias', true, state);
}
