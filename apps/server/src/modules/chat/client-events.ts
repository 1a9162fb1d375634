import type { Clock } from '../../platform/clock.ts';
import type { Executor } from '../../platform/db/database.ts';
import type { ChatEventRow, ChatTables } from './chat.tables.ts';
import type { Pdu } from './protocol/index.ts';

/** An event as the client-server API serves it (ClientEventWithoutRoomID plus room_id). */
export interface ClientEvent {
  type: string;
  content: Record<string, unknown>;
  event_id: string;
  sender: string;
  origin_server_ts: number;
  room_id: string;
  state_key?: string;
  redacts?: string;
  unsigned?: Record<string, unknown>;
}

/** Who reads: `transaction_id` goes back only to the device that sent the event. */
export interface Viewer {
  readonly userId: string;
  readonly deviceId?: string | undefined;
}

export type EventRowForClient = Pick<
  ChatEventRow,
  | 'stream_ordering'
  | 'event_id'
  | 'room_id'
  | 'type'
  | 'state_key'
  | 'sender'
  | 'origin_server_ts'
  | 'json'
  | 'redacted_by'
  | 'sender_device'
  | 'txn_id'
>;

export const clientEventColumns = [
  'stream_ordering',
  'event_id',
  'room_id',
  'type',
  'state_key',
  'sender',
  'origin_server_ts',
  'json',
  'redacted_by',
  'sender_device',
  'txn_id',
] as const;

/** Additions to `unsigned` computed in batch (bundled aggregations, prev_content...). */
export type UnsignedDecorator = (
  executor: Executor,
  rows: readonly EventRowForClient[],
  viewer: Viewer,
) => Promise<Map<string, Record<string, unknown>>>;

/**
 * Turns stored events into client events: content (redacted when redacted, with
 * `unsigned.redacted_because`), `unsigned.age`, `unsigned.transaction_id` for the sending device,
 * `unsigned.prev_content`/`prev_sender` of state events, and what decorators add (bundled aggregations).
 */
export function createClientEventFormatter(deps: { clock: Clock }) {
  const decorators: UnsignedDecorator[] = [];

  async function prevStateOf(executor: Executor, rows: readonly EventRowForClient[]) {
    const result = new Map<string, { content: unknown; sender: string; event_id: string }>();
    const stateRows = rows.filter((row) => row.state_key !== null);
    if (stateRows.length === 0) return result;
    // One query per room: the state events of these keys, to find each one's predecessor.
    const byRoom = new Map<string, EventRowForClient[]>();
    for (const row of stateRows) byRoom.set(row.room_id, [...(byRoom.get(row.room_id) ?? []), row]);
    for (const [roomId, roomRows] of byRoom) {
      const keys = [...new Set(roomRows.map((row) => `${row.type}\u0000${row.state_key ?? ''}`))];
      const maxStream = Math.max(...roomRows.map((row) => Number(row.stream_ordering)));
      const history = await executor
        .withTables<ChatTables>()
        .selectFrom('chat_events')
        .select(['event_id', 'type', 'state_key', 'stream_ordering', 'json', 'sender'])
        .where('room_id', '=', roomId)
        .where('state_key', 'is not', null)
        .where('stream_ordering', '<', maxStream)
        .where((eb) =>
          eb.or(
            keys.map((key) => {
              const [type = '', stateKey = ''] = key.split('\u0000');
              return eb.and([eb('type', '=', type), eb('state_key', '=', stateKey)]);
            }),
          ),
        )
        .orderBy('stream_ordering')
        .execute();
      for (const row of roomRows) {
        let previous: (typeof history)[number] | undefined;
        for (const candidate of history) {
          if (Number(candidate.stream_ordering) >= Number(row.stream_ordering)) break;
          if (candidate.type === row.type && candidate.state_key === row.state_key) previous = candidate;
        }
        if (previous) {
          const pdu = JSON.parse(previous.json) as Pdu;
          result.set(row.event_id, { content: pdu.content, sender: previous.sender, event_id: previous.event_id });
        }
      }
    }
    return result;
  }

  async function format(
    executor: Executor,
    rows: readonly EventRowForClient[],
    viewer: Viewer,
    options: { withRoomId?: boolean } = {},
  ): Promise<ClientEvent[]> {
    if (rows.length === 0) return [];
    const now = deps.clock.now().getTime();
    const redactionIds = [...new Set(rows.map((row) => row.redacted_by).filter((id): id is string => id !== null))];
    const redactions = new Map<string, ClientEvent>();
    if (redactionIds.length > 0) {
      const redactionRows = await executor
        .withTables<ChatTables>()
        .selectFrom('chat_events')
        .select(clientEventColumns)
        .where('event_id', 'in', redactionIds)
        .execute();
      for (const row of redactionRows) redactions.set(row.event_id, toClientEvent(row, viewer, now));
    }
    const previous = await prevStateOf(executor, rows);
    const decorations = await Promise.all(decorators.map((decorate) => decorate(executor, rows, viewer)));
    return rows.map((row) => {
      const event = toClientEvent(row, viewer, now);
      const unsigned = event.unsigned ?? {};
      if (row.redacted_by !== null) {
        const because = redactions.get(row.redacted_by);
        if (because) unsigned['redacted_because'] = because;
      }
      const prev = previous.get(row.event_id);
      if (prev) {
        unsigned['prev_content'] = prev.content;
        unsigned['prev_sender'] = prev.sender;
        unsigned['replaces_state'] = prev.event_id;
      }
      for (const decoration of decorations) {
        const extra = decoration.get(row.event_id);
        if (extra) Object.assign(unsigned, extra);
      }
      if (Object.keys(unsigned).length > 0) event.unsigned = unsigned;
      if (options.withRoomId === false) delete (event as Partial<ClientEvent>).room_id;
      return event;
    });
  }

  return {
    format,
    /**
     * `format` without reading anything, for events known to be unredacted, not state events and without
     * any event relating to them (recent events served from memory): their `unsigned` holds only `age`
     * and, for the sending device, `transaction_id`.
     */
    formatUnrelated(rows: readonly EventRowForClient[], viewer: Viewer, options: { withRoomId?: boolean } = {}) {
      const now = deps.clock.now().getTime();
      return rows.map((row) => {
        const event = toClientEvent(row, viewer, now);
        if (options.withRoomId === false) delete (event as Partial<ClientEvent>).room_id;
        return event;
      });
    },
    /** Adds batch computed `unsigned` fields (bundled aggregations...). */
    addDecorator(decorator: UnsignedDecorator): void {
      decorators.push(decorator);
    },
  };
}

export function toClientEvent(row: EventRowForClient, viewer: Viewer, now: number): ClientEvent {
  const pdu = JSON.parse(row.json) as Pdu & { content?: Record<string, unknown> };
  const event: ClientEvent = {
    type: row.type,
    content: pdu.content ?? {},
    event_id: row.event_id,
    sender: row.sender,
    origin_server_ts: Number(row.origin_server_ts),
    room_id: row.room_id,
  };
  if (row.state_key !== null) event.state_key = row.state_key;
  // Clients of all versions read `redacts` at the top level; v11+ also carry it in content.
  if (row.type === 'm.room.redaction') {
    const redacts = pdu.redacts ?? (typeof pdu.content?.['redacts'] === 'string' ? pdu.content['redacts'] : undefined);
    if (typeof redacts === 'string') event.redacts = redacts;
  }
  const unsigned: Record<string, unknown> = { age: Math.max(0, now - Number(row.origin_server_ts)) };
  if (row.txn_id !== null && row.sender === viewer.userId && row.sender_device === viewer.deviceId) {
    unsigned['transaction_id'] = row.txn_id;
  }
  event.unsigned = unsigned;
  return event;
}

export type ClientEventFormatter = ReturnType<typeof createClientEventFormatter>;
