import type { Executor } from '../../../platform/db/database.ts';
import type { ChatTables } from '../chat.tables.ts';
import type { AuthState, AuthStateEvent, Pdu } from '../protocol/index.ts';
import { stateOfAppendingTransaction } from '../room-engine.ts';

/** A room's current state events, as read from the database (inside a transaction, its executor). */
export interface RoomState extends AuthState {
  /** The content of a current state event, or undefined. */
  content(type: string, stateKey?: string): Readonly<Record<string, unknown>> | undefined;
  /** The ID of a current state event, or undefined. */
  eventId(type: string, stateKey?: string): string | undefined;
}

export const stateTypes = {
  create: 'm.room.create',
  powerLevels: 'm.room.power_levels',
  member: 'm.room.member',
  joinRules: 'm.room.join_rules',
  name: 'm.room.name',
  topic: 'm.room.topic',
  avatar: 'm.room.avatar',
  canonicalAlias: 'm.room.canonical_alias',
  encryption: 'm.room.encryption',
  historyVisibility: 'm.room.history_visibility',
  retention: 'm.room.retention',
  /** Tchap's room access rules (synapse-room-access-rules). */
  accessRules: 'im.vector.room.access_rules',
  /** Bureau: the room's sensitivity label, mirrored from the platform's permission model. */
  sensitivity: 'fr.gouv.bureau.sensitivity',
} as const;

function key(type: string, stateKey: string): string {
  return `${type}\u0000${stateKey}`;
}

/** The current state events of `keys` (each a type and a state key) in one query. */
export async function readRoomState(
  executor: Executor,
  roomId: string,
  keys: ReadonlyArray<readonly [string, string]>,
): Promise<RoomState> {
  const events = new Map<string, AuthStateEvent & { event_id: string }>();
  // Inside a transaction appending to the room (hooks, policies): its state is in memory already.
  const appending = stateOfAppendingTransaction(executor, roomId);
  if (appending) {
    for (const [type, stateKey] of keys) {
      const event = appending.get(type, stateKey);
      if (event?.event_id !== undefined) events.set(key(type, stateKey), { ...event, event_id: event.event_id });
    }
  } else if (keys.length > 0) {
    const rows = await executor
      .withTables<ChatTables>()
      .selectFrom('chat_current_state as s')
      .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
      .select(['s.type', 's.state_key', 'e.event_id', 'e.json'])
      .where('s.room_id', '=', roomId)
      .where((eb) =>
        eb.or(keys.map(([type, stateKey]) => eb.and([eb('s.type', '=', type), eb('s.state_key', '=', stateKey)]))),
      )
      .execute();
    for (const row of rows) {
      const pdu = JSON.parse(row.json) as Pdu;
      events.set(key(row.type, row.state_key), {
        type: row.type,
        state_key: row.state_key,
        sender: pdu.sender,
        content: pdu.content,
        room_id: roomId,
        event_id: row.event_id,
      });
    }
  }
  return {
    get: (type, stateKey) => events.get(key(type, stateKey)),
    content: (type, stateKey = '') => events.get(key(type, stateKey))?.content,
    eventId: (type, stateKey = '') => events.get(key(type, stateKey))?.event_id,
  };
}

/** The users of a room with one of `memberships`, and when their current membership event came. */
export async function roomMembers(
  executor: Executor,
  roomId: string,
  memberships: readonly string[],
): Promise<Array<{ userId: string; streamOrdering: number }>> {
  const rows = await executor
    .withTables<ChatTables>()
    .selectFrom('chat_current_state')
    .select(['state_key', 'stream_ordering'])
    .where('room_id', '=', roomId)
    .where('type', '=', stateTypes.member)
    .where('membership', 'in', memberships)
    .execute();
  return rows.map((row) => ({ userId: row.state_key, streamOrdering: Number(row.stream_ordering) }));
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The room's name, else its canonical alias; undefined for a room with neither (most direct chats). */
export function roomNameOf(state: RoomState): string | undefined {
  return text(state.content(stateTypes.name)?.['name']) ?? text(state.content(stateTypes.canonicalAlias)?.['alias']);
}

/** A member's display name in the room, else the localpart of their user ID. */
export function memberNameOf(state: RoomState, userId: string): string {
  return text(state.content(stateTypes.member, userId)?.['displayname']) ?? userId.slice(1).split(':')[0] ?? userId;
}

export function membershipOf(content: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const membership = content?.['membership'];
  return typeof membership === 'string' ? membership : undefined;
}
