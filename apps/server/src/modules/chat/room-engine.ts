import type { Clock } from '../../platform/clock.ts';
import type { Database, Executor, TransactionContext } from '../../platform/db/database.ts';
import type { EventBus } from '../../platform/events.ts';
import type { ChatEventRow, ChatRoomRow, ChatTables } from './chat.tables.ts';
import { matrixError } from './matrix-errors.ts';
import {
  CanonicalJsonError,
  EventFormatError,
  checkEventAuth,
  createSignedPdu,
  encodeCanonicalJson,
  isBuildableRoomVersion,
  mayRedact,
  redactEvent,
  roomIdOfCreateEvent,
  type AuthCheckOptions,
  type AuthState,
  type AuthStateEvent,
  type BuildableRoomVersion,
  type CanonicalJsonObject,
  type EventSigner,
  type Pdu,
} from './protocol/index.ts';
import type { RecentEvents } from './recent-events.ts';
import { roomKey, roomMembersKey, userKey, type StreamNotifier } from './stream.ts';

/** An event a client (or Bureau) wants appended to a room. */
export interface NewEvent {
  readonly type: string;
  readonly stateKey?: string | undefined;
  readonly sender: string;
  readonly content: CanonicalJsonObject;
  /** The device and transaction ID of `PUT /send/{type}/{txnId}`, for idempotency and `unsigned.transaction_id`. */
  readonly txn?: { readonly deviceId: string; readonly txnId: string } | undefined;
}

/** An event once appended. */
export interface AppendedEvent {
  readonly eventId: string;
  readonly roomId: string;
  readonly streamOrdering: number;
  readonly pdu: Pdu;
  readonly type: string;
  readonly stateKey: string | undefined;
  readonly sender: string;
  /** The previous state event this one replaced (for `unsigned.prev_content` and membership transitions). */
  readonly replacesState: AuthStateEvent | undefined;
}

/** Runs in the appending transaction, after the event is stored (push actions, Tchap policies' side effects...). */
export type AppendHook = (context: TransactionContext, room: RoomHead, event: AppendedEvent) => Promise<void>;
/**
 * Runs before an event is signed and stored, after the room version's rules allowed it (Bureau's and Tchap's
 * policies). `context` is the appending transaction, for policies that read more than the state view holds.
 */
export type PolicyCheck = (
  room: RoomHead,
  event: NewEvent,
  state: RoomStateView,
  context: TransactionContext,
) => Promise<void>;

export interface RoomHead {
  roomId: string;
  readonly roomVersion: BuildableRoomVersion;
  lastEventId: string;
  lastDepth: number;
  lastStream: number;
}

/** Reads a room's current state inside the appending transaction (cached for the transaction). */
export interface RoomStateView extends AuthState {
  /** The content of a current state event, or undefined. */
  content(type: string, stateKey?: string): Readonly<Record<string, unknown>> | undefined;
}

export interface RoomEngineDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly events: EventBus;
  readonly notifier: StreamNotifier;
  readonly signer: () => EventSigner;
  /** The rooms' latest events in memory, recorded after each commit (for /sync). */
  readonly recent: RecentEvents;
}

const MEMBER = 'm.room.member';

declare module '../../platform/events.ts' {
  interface EventMap {
    /** An event was appended to a Matrix room (after commit). */
    'chat.event.appended': {
      roomId: string;
      eventId: string;
      type: string;
      stateKey: string | null;
      sender: string;
      streamOrdering: number;
      /** For m.room.member: the new membership and the one it replaced. */
      membership: string | null;
      previousMembership: string | null;
    };
    /** An event's content was removed by a redaction. */
    'chat.event.redacted': { roomId: string; eventId: string; redactedBy: string };
  }
}

/** A room's complete current state, as the transaction appending to it sees it. */
export interface AppendingRoomState extends RoomStateView {
  /** Every current state event. */
  entries(): Iterable<AuthStateEvent>;
}

// The state views of the rooms each transaction appends to (by its executor), for the code it runs (append
// hooks, policies) to read the room's state from memory rather than query it again.
const appendingStates = new WeakMap<object, Map<string, AppendingRoomState>>();

function registerAppendingState(executor: object, roomId: string, state: AppendingRoomState): void {
  let rooms = appendingStates.get(executor);
  if (!rooms) {
    rooms = new Map();
    appendingStates.set(executor, rooms);
  }
  rooms.set(roomId, state);
}

/**
 * The complete current state of `roomId` as the transaction of `executor` sees it, when that transaction
 * is appending to the room (append hooks, policy checks); undefined otherwise (read the database).
 */
export function stateOfAppendingTransaction(executor: object, roomId: string): AppendingRoomState | undefined {
  return appendingStates.get(executor)?.get(roomId);
}

function stateMapKey(type: string, stateKey: string): string {
  return `${type}\u0000${stateKey}`;
}

function toAuthStateEvent(pdu: Pdu, eventId: string, roomId: string): AuthStateEvent {
  return {
    type: pdu.type,
    state_key: pdu.state_key ?? '',
    sender: pdu.sender,
    content: pdu.content,
    room_id: roomId,
    event_id: eventId,
    prev_events: pdu.prev_events,
  };
}

function membershipOfContent(content: Readonly<Record<string, unknown>>): string | null {
  return typeof content['membership'] === 'string' ? content['membership'] : null;
}

function relationOf(content: Readonly<Record<string, unknown>>): { relatesTo: string | null; relType: string | null } {
  const relation = content['m.relates_to'];
  if (typeof relation !== 'object' || relation === null || Array.isArray(relation)) {
    return { relatesTo: null, relType: null };
  }
  const record = relation as Record<string, unknown>;
  const eventId = typeof record['event_id'] === 'string' ? record['event_id'] : null;
  const relType = typeof record['rel_type'] === 'string' ? record['rel_type'] : null;
  if (eventId && relType) return { relatesTo: eventId, relType };
  // A reply only (no rel_type): m.in_reply_to, kept for completeness of relations lookups.
  const inReplyTo = record['m.in_reply_to'];
  if (typeof inReplyTo === 'object' && inReplyTo !== null && !Array.isArray(inReplyTo)) {
    const replyTo = (inReplyTo as Record<string, unknown>)['event_id'];
    if (typeof replyTo === 'string') return { relatesTo: replyTo, relType: 'm.in_reply_to' };
  }
  return { relatesTo: null, relType: null };
}

/**
 * Appends events to rooms: builds each PDU (prev_events = the room's last event, auth_events as the spec
 * selects them), checks it against the room version's authorisation rules and Bureau's policies, signs it
 * with the server key, gives it the next stream position, stores it and updates the room's current state,
 * all in one transaction; wakes the /sync long-polls concerned after the commit.
 *
 * Rooms are linear (one event after another): appends to one room are serialised by the lock on the room's
 * row (PostgreSQL; SQLite has one writer), so no state resolution is needed on a single server, while event IDs, signatures, prev/auth events
 * and depth are those federation expects.
 */
export function createRoomEngine(deps: RoomEngineDependencies) {
  const tables = (executor: Executor = deps.database.executor) => executor.withTables<ChatTables>();
  const appendHooks: AppendHook[] = [];
  const policyChecks: PolicyCheck[] = [];
  const authOptions: AuthCheckOptions = {};

  /**
   * The room's head. With `lock` (appending), PostgreSQL locks the room's row until the transaction ends:
   * appends to one room then run one after the other, each reading the head (and state) its predecessor
   * committed. SQLite runs one transaction at a time anyway.
   */
  async function loadHead(
    executor: Executor,
    roomId: string,
    options: { lock?: boolean } = {},
  ): Promise<RoomHead | undefined> {
    let query = tables(executor).selectFrom('chat_rooms').selectAll().where('room_id', '=', roomId);
    if (options.lock === true && deps.database.dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) return undefined;
    if (!isBuildableRoomVersion(row.room_version)) {
      throw matrixError('M_UNSUPPORTED_ROOM_VERSION', { version: row.room_version });
    }
    return {
      roomId: row.room_id,
      roomVersion: row.room_version,
      lastEventId: row.last_event_id,
      lastDepth: Number(row.last_depth),
      lastStream: Number(row.last_stream),
    };
  }

  /**
   * A transaction-scoped view of a room's current state: over `base` (the committed state, complete, shared
   * read-only) or loaded lazily by keys, or whole with `loadAll`; the state events appended in the
   * transaction go on top.
   */
  function stateView(executor: Executor, roomId: string, options: { base?: ReadonlyMap<string, AuthStateEvent> } = {}) {
    const base = options.base;
    const overlay = new Map<string, AuthStateEvent | null>();
    let complete = base !== undefined;
    let changed = false;
    const lookup = (key: string): AuthStateEvent | undefined =>
      overlay.has(key) ? (overlay.get(key) ?? undefined) : base?.get(key);
    const view = {
      get complete() {
        return complete;
      },
      async load(keys: ReadonlyArray<readonly [string, string]>): Promise<void> {
        if (complete) return;
        const missing = keys.filter(([type, stateKey]) => !overlay.has(stateMapKey(type, stateKey)));
        if (missing.length === 0) return;
        const rows = await tables(executor)
          .selectFrom('chat_current_state as s')
          .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
          .select(['s.type', 's.state_key', 'e.event_id', 'e.json'])
          .where('s.room_id', '=', roomId)
          .where((eb) =>
            eb.or(
              missing.map(([type, stateKey]) => eb.and([eb('s.type', '=', type), eb('s.state_key', '=', stateKey)])),
            ),
          )
          .execute();
        for (const [type, stateKey] of missing) overlay.set(stateMapKey(type, stateKey), null);
        for (const row of rows) {
          const pdu = JSON.parse(row.json) as Pdu;
          overlay.set(stateMapKey(row.type, row.state_key), toAuthStateEvent(pdu, row.event_id, roomId));
        }
      },
      /**
       * Reads the whole current state (one query) when it has at most `maxEntries` events: `entries` and
       * every `get` answer from memory after. Returns whether the view is complete.
       */
      async loadAll(maxEntries: number): Promise<boolean> {
        if (complete) return true;
        const rows = await tables(executor)
          .selectFrom('chat_current_state as s')
          .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
          .select(['s.type', 's.state_key', 'e.event_id', 'e.json'])
          .where('s.room_id', '=', roomId)
          .limit(maxEntries + 1)
          .execute();
        // A larger room is read by keys, as each check needs them.
        if (rows.length > maxEntries) return false;
        for (const row of rows) {
          const key = stateMapKey(row.type, row.state_key);
          // What the transaction changed stays on top.
          if (overlay.get(key)) continue;
          const pdu = JSON.parse(row.json) as Pdu;
          overlay.set(key, toAuthStateEvent(pdu, row.event_id, roomId));
        }
        complete = true;
        return true;
      },
      get(type: string, stateKey: string): AuthStateEvent | undefined {
        return lookup(stateMapKey(type, stateKey));
      },
      content(type: string, stateKey = ''): Readonly<Record<string, unknown>> | undefined {
        return lookup(stateMapKey(type, stateKey))?.content;
      },
      set(event: AuthStateEvent): void {
        overlay.set(stateMapKey(event.type, event.state_key), event);
        changed = true;
      },
      /** Every current state event (complete views only). */
      *entries(): Iterable<AuthStateEvent> {
        if (base) for (const [key, event] of base) if (!overlay.has(key)) yield event;
        for (const event of overlay.values()) if (event) yield event;
      },
      /** The complete state as a new shared map, or `base` itself when the transaction changed nothing. */
      snapshot(): ReadonlyMap<string, AuthStateEvent> | undefined {
        if (!complete) return undefined;
        if (base && !changed) return base;
        const result = new Map<string, AuthStateEvent>();
        for (const event of view.entries()) result.set(stateMapKey(event.type, event.state_key), event);
        return result;
      },
    };
    return view;
  }

  // Each room's committed state, valid while the room's last event (`chat_rooms.last_stream`, read in the
  // appending transaction) is still `asOf`: an append of this process moves it on after commit, any other
  // writer (another process) leaves it behind and the next append reads the state again. Appending a
  // message then reads no state, and its hooks (push rules, search, notifications) neither.
  // Bounded by the state events held in all (about 300 bytes each); rooms with more state than
  // `maxStatePerRoom` are not kept (their appends read the keys they need, as before).
  const committedStates = new Map<string, { asOf: number; events: ReadonlyMap<string, AuthStateEvent> }>();
  const maxStatePerRoom = 2_000;
  const maxStateHeld = 100_000;
  let stateHeld = 0;

  function rememberState(roomId: string, asOf: number, events: ReadonlyMap<string, AuthStateEvent>): void {
    const known = committedStates.get(roomId);
    if (known && known.asOf > asOf) return;
    if (known) {
      committedStates.delete(roomId);
      stateHeld -= known.events.size;
    }
    if (events.size > maxStatePerRoom) return;
    committedStates.set(roomId, { asOf, events });
    stateHeld += events.size;
    while (stateHeld > maxStateHeld) {
      const [oldestId, oldest] = committedStates.entries().next().value ?? [];
      if (oldestId === undefined || oldest === undefined) break;
      committedStates.delete(oldestId);
      stateHeld -= oldest.events.size;
    }
  }

  /**
   * The appending transaction's state view of a room: complete (from memory when it can) unless the room
   * has more state than is kept, then read by keys.
   */
  async function appendingState(context: TransactionContext, head: RoomHead) {
    const known = committedStates.get(head.roomId);
    const state =
      known?.asOf === head.lastStream
        ? stateView(context.executor, head.roomId, { base: known.events })
        : stateView(context.executor, head.roomId);
    if (await state.loadAll(maxStatePerRoom)) registerAppendingState(context.executor, head.roomId, state);
    return state;
  }

  /** After the appends of a transaction: its state becomes the committed one once it commits. */
  function keepStateOnCommit(context: TransactionContext, head: RoomHead, state: ReturnType<typeof stateView>) {
    const snapshot = state.snapshot();
    const asOf = head.lastStream;
    if (snapshot) context.afterCommit(() => rememberState(head.roomId, asOf, snapshot));
  }

  /** The state keys the authorisation rules of `event` read (and that auth_events are chosen from). */
  function authKeys(event: NewEvent): Array<[string, string]> {
    const keys: Array<[string, string]> = [
      ['m.room.create', ''],
      ['m.room.power_levels', ''],
      [MEMBER, event.sender],
    ];
    if (event.type === MEMBER && event.stateKey !== undefined) {
      keys.push([MEMBER, event.stateKey], ['m.room.join_rules', '']);
      const via = event.content['join_authorised_via_users_server'];
      if (typeof via === 'string') keys.push([MEMBER, via]);
      const thirdParty = event.content['third_party_invite'];
      if (typeof thirdParty === 'object' && thirdParty !== null && !Array.isArray(thirdParty)) {
        const signed = (thirdParty as Record<string, unknown>)['signed'];
        const token =
          typeof signed === 'object' && signed !== null ? (signed as Record<string, unknown>)['token'] : undefined;
        if (typeof token === 'string') keys.push(['m.room.third_party_invite', token]);
      }
    }
    return keys;
  }

  /** auth_events of a new event: the spec's selection ("Auth events selection") among the current state. */
  function selectAuthEvents(event: NewEvent, state: ReturnType<typeof stateView>, roomVersion: string): string[] {
    const ids: string[] = [];
    const add = (type: string, stateKey: string) => {
      const found = state.get(type, stateKey);
      if (found?.event_id && !ids.includes(found.event_id)) ids.push(found.event_id);
    };
    // In v12 the create event is referenced by the room ID itself, not listed.
    if (roomVersion !== '12') add('m.room.create', '');
    add('m.room.power_levels', '');
    add(MEMBER, event.sender);
    if (event.type === MEMBER && event.stateKey !== undefined) {
      add(MEMBER, event.stateKey);
      const membership = event.content['membership'];
      if (membership === 'join' || membership === 'invite' || membership === 'knock') add('m.room.join_rules', '');
      const via = event.content['join_authorised_via_users_server'];
      if (typeof via === 'string' && membership === 'join') add(MEMBER, via);
    }
    return ids;
  }

  function rejectionToError(result: { code: string; reason: string }): Error {
    switch (result.code) {
      case 'M_BAD_JSON':
        return matrixError('M_BAD_JSON', { reason: result.reason });
      case 'M_UNSUPPORTED_ROOM_VERSION':
        return matrixError('M_UNSUPPORTED_ROOM_VERSION', { version: result.reason });
      case 'M_INVALID_PARAM':
        return matrixError('M_INVALID_PARAM', { reason: result.reason });
      default:
        return matrixError('M_FORBIDDEN', { reason: result.reason });
    }
  }

  function signPdu(input: Parameters<typeof createSignedPdu>[0], roomVersion: string) {
    try {
      return createSignedPdu(input, roomVersion, deps.signer());
    } catch (error) {
      if (error instanceof EventFormatError) {
        throw error.code === 'EVENT_FORMAT_TOO_LARGE'
          ? matrixError('M_TOO_LARGE', { reason: error.message })
          : matrixError('M_BAD_JSON', { reason: error.message });
      }
      if (error instanceof CanonicalJsonError) throw matrixError('M_BAD_JSON', { reason: error.message });
      throw error;
    }
  }

  interface Appending {
    readonly context: TransactionContext;
    readonly head: RoomHead;
    readonly state: ReturnType<typeof stateView>;
    readonly appended: AppendedEvent[];
  }

  async function appendOne(
    appending: Appending,
    event: NewEvent,
    options: { isCreate?: boolean; originServerTs?: number } = {},
  ) {
    const { context, head, state } = appending;
    const executor = context.executor;
    await state.load(authKeys(event));
    const originServerTs = options.originServerTs ?? deps.clock.now().getTime();
    const isState = event.stateKey !== undefined;
    const isV12Create = options.isCreate === true && head.roomVersion === '12';
    const candidate = {
      type: event.type,
      ...(isState ? { state_key: event.stateKey } : {}),
      sender: event.sender,
      content: event.content,
      ...(isV12Create ? {} : { room_id: head.roomId }),
      prev_events: options.isCreate ? [] : [head.lastEventId],
    };
    const auth = checkEventAuth(candidate, state, head.roomVersion, authOptions);
    if (!auth.allowed) throw rejectionToError(auth);

    if (event.type === 'm.room.redaction') {
      const target = event.content['redacts'];
      if (typeof target !== 'string') throw matrixError('M_BAD_JSON', { reason: 'redacts is missing' });
      const original = await tables(executor)
        .selectFrom('chat_events')
        .select(['json', 'room_id'])
        .where('event_id', '=', target)
        .executeTakeFirst();
      if (!original || original.room_id !== head.roomId) throw matrixError('M_NOT_FOUND', { what: target });
      const originalPdu = JSON.parse(original.json) as Pdu;
      const allowed = mayRedact(candidate, { ...originalPdu, room_id: original.room_id }, state, head.roomVersion);
      if (!allowed.allowed) throw rejectionToError(allowed);
    }
    for (const check of policyChecks) await check(head, event, state, context);

    const { pdu, eventId } = signPdu(
      {
        type: event.type,
        sender: event.sender,
        content: event.content,
        ...(isV12Create ? {} : { roomId: head.roomId }),
        ...(isState ? { stateKey: event.stateKey } : {}),
        authEvents: options.isCreate ? [] : selectAuthEvents(event, state, head.roomVersion),
        prevEvents: options.isCreate ? [] : [head.lastEventId],
        depth: options.isCreate ? 1 : head.lastDepth + 1,
        originServerTs,
        ...(event.type === 'm.room.redaction' && typeof event.content['redacts'] === 'string'
          ? { redacts: event.content['redacts'] }
          : {}),
      },
      head.roomVersion,
    );
    const previousInRoom = head.lastStream;
    const streamOrdering = await deps.notifier.nextPosition(context);
    const replacesState = isState ? state.get(event.type, event.stateKey ?? '') : undefined;
    const relation = relationOf(event.content);
    const row: ChatEventRow = {
      stream_ordering: streamOrdering,
      event_id: eventId,
      room_id: head.roomId,
      type: event.type,
      state_key: isState ? (event.stateKey ?? '') : null,
      sender: event.sender,
      membership: event.type === MEMBER ? membershipOfContent(event.content) : null,
      depth: pdu.depth,
      origin_server_ts: originServerTs,
      json: encodeCanonicalJson(pdu),
      redacted_by: null,
      relates_to: relation.relatesTo,
      rel_type: relation.relType,
      sender_device: event.txn?.deviceId ?? null,
      txn_id: event.txn?.txnId ?? null,
    };
    await tables(executor).insertInto('chat_events').values(row).execute();
    if (isState) {
      const stateKey = event.stateKey ?? '';
      await tables(executor)
        .insertInto('chat_current_state')
        .values({
          room_id: head.roomId,
          type: event.type,
          state_key: stateKey,
          event_id: eventId,
          stream_ordering: streamOrdering,
          membership: row.membership,
        })
        .onConflict((conflict) =>
          conflict.columns(['room_id', 'type', 'state_key']).doUpdateSet({
            event_id: eventId,
            stream_ordering: streamOrdering,
            membership: row.membership,
          }),
        )
        .execute();
      state.set(toAuthStateEvent(pdu, eventId, head.roomId));
    }
    if (event.txn) {
      await tables(executor)
        .insertInto('chat_transactions')
        .values({
          matrix_id: event.sender,
          device_id: event.txn.deviceId,
          txn_id: event.txn.txnId,
          event_id: eventId,
          created_at: deps.clock.now().toISOString(),
        })
        .execute();
    }
    if (event.type === 'm.room.redaction' && typeof event.content['redacts'] === 'string') {
      const redacted = await applyRedaction(context, head, event.content['redacts'], eventId);
      // A redacted current state event: the state keeps it, with its redacted content.
      const type = redacted?.['type'];
      const stateKey = redacted?.['state_key'];
      if (typeof type === 'string' && typeof stateKey === 'string') {
        if (state.get(type, stateKey)?.event_id === event.content['redacts']) {
          state.set(toAuthStateEvent(redacted as unknown as Pdu, event.content['redacts'], head.roomId));
        }
      }
    }
    head.lastEventId = eventId;
    head.lastDepth = pdu.depth;
    head.lastStream = streamOrdering;
    const appended: AppendedEvent = {
      eventId,
      roomId: head.roomId,
      streamOrdering,
      pdu,
      type: event.type,
      stateKey: isState ? (event.stateKey ?? '') : undefined,
      sender: event.sender,
      replacesState,
    };
    appending.appended.push(appended);
    for (const hook of appendHooks) await hook(context, head, appended);
    context.afterCommit(() => {
      deps.recent.record(row, relation.relatesTo, previousInRoom);
      const keys = [roomKey(head.roomId)];
      if (event.type === MEMBER && event.stateKey !== undefined) {
        keys.push(userKey(event.stateKey), roomMembersKey(head.roomId));
      }
      deps.notifier.notify(keys, streamOrdering);
    });
    deps.events.publish(context, 'chat.event.appended', {
      roomId: head.roomId,
      eventId,
      type: event.type,
      stateKey: appended.stateKey ?? null,
      sender: event.sender,
      streamOrdering,
      membership: row.membership,
      previousMembership: replacesState && event.type === MEMBER ? membershipOfContent(replacesState.content) : null,
    });
    return appended;
  }

  /** Redacts the target in place; returns its redacted form (undefined when unknown or redacted already). */
  async function applyRedaction(
    context: TransactionContext,
    head: RoomHead,
    targetId: string,
    redactionId: string,
  ): Promise<Record<string, unknown> | undefined> {
    const executor = context.executor;
    const target = await tables(executor)
      .selectFrom('chat_events')
      .select(['json', 'redacted_by'])
      .where('event_id', '=', targetId)
      .executeTakeFirst();
    if (!target || target.redacted_by !== null) return undefined;
    const redacted = redactEvent(JSON.parse(target.json) as Record<string, unknown>, head.roomVersion);
    await tables(executor)
      .updateTable('chat_events')
      .set({ json: encodeCanonicalJson(redacted as CanonicalJsonObject), redacted_by: redactionId })
      .where('event_id', '=', targetId)
      .execute();
    deps.events.publish(context, 'chat.event.redacted', {
      roomId: head.roomId,
      eventId: targetId,
      redactedBy: redactionId,
    });
    return redacted;
  }

  async function finishRoomHead(executor: Executor, head: RoomHead) {
    await tables(executor)
      .updateTable('chat_rooms')
      .set({ last_event_id: head.lastEventId, last_depth: head.lastDepth, last_stream: head.lastStream })
      .where('room_id', '=', head.roomId)
      .execute();
  }

  /** The event a device already sent with this transaction ID, if any (idempotent `PUT /send`). */
  async function eventOfTransaction(
    matrixId: string,
    deviceId: string,
    txnId: string,
    executor?: Executor,
  ): Promise<string | undefined> {
    const row = await tables(executor)
      .selectFrom('chat_transactions')
      .select('event_id')
      .where('matrix_id', '=', matrixId)
      .where('device_id', '=', deviceId)
      .where('txn_id', '=', txnId)
      .executeTakeFirst();
    return row?.event_id;
  }

  return {
    /** Adds a check run on every event after the spec's rules (Bureau's and Tchap's policies). */
    addPolicy(check: PolicyCheck): void {
      policyChecks.push(check);
    },
    /** Adds work done in the appending transaction (push actions, side effects). */
    onAppend(hook: AppendHook): void {
      appendHooks.push(hook);
    },

    loadHead: (roomId: string, executor?: Executor) => loadHead(executor ?? deps.database.executor, roomId),

    eventOfTransaction,

    /**
     * Appends `events` in order to an existing room, in one transaction; M_NOT_FOUND for an unknown room,
     * M_FORBIDDEN (with the rule's reason) when the rules refuse one. With a transaction ID already used by
     * the device, returns the earlier event instead (idempotent send).
     */
    async append(roomId: string, events: readonly NewEvent[], parent?: TransactionContext): Promise<AppendedEvent[]> {
      return deps.database.transaction(async (context) => {
        const head = await loadHead(context.executor, roomId, { lock: true });
        if (!head) throw matrixError('M_NOT_FOUND', { what: roomId });
        const appending: Appending = { context, head, state: await appendingState(context, head), appended: [] };
        for (const event of events) await appendOne(appending, event);
        await finishRoomHead(context.executor, head);
        keepStateOnCommit(context, head, appending.state);
        return appending.appended;
      }, parent);
    },

    /**
     * Creates a room: the `m.room.create` event (whose content is `createContent` plus the creator/version
     * fields), then the events `rest(roomId)` returns, in one transaction.
     */
    async createRoom(
      input: {
        readonly roomVersion: BuildableRoomVersion;
        readonly creator: string;
        readonly createContent: CanonicalJsonObject;
        readonly newRoomId: () => string;
        readonly isPublic: boolean;
      },
      rest: (roomId: string) => NewEvent[],
      parent?: TransactionContext,
    ): Promise<{ roomId: string; events: AppendedEvent[] }> {
      return deps.database.transaction(async (context) => {
        const createEvent: NewEvent = {
          type: 'm.room.create',
          stateKey: '',
          sender: input.creator,
          content: {
            ...input.createContent,
            ...(input.roomVersion === '12' ? {} : { creator: input.creator }),
            room_version: input.roomVersion,
          },
        };
        // v12: the room ID is the hash of the create event, known only once it is built.
        let roomId = input.roomVersion === '12' ? '' : input.newRoomId();
        const originServerTs = deps.clock.now().getTime();
        const head: RoomHead = { roomId, roomVersion: input.roomVersion, lastEventId: '', lastDepth: 0, lastStream: 0 };
        if (input.roomVersion === '12') {
          const { pdu } = signPdu(
            {
              type: createEvent.type,
              sender: createEvent.sender,
              content: createEvent.content,
              stateKey: '',
              authEvents: [],
              prevEvents: [],
              depth: 1,
              originServerTs,
            },
            input.roomVersion,
          );
          roomId = roomIdOfCreateEvent(pdu, input.roomVersion);
          head.roomId = roomId;
        }
        await tables(context.executor)
          .insertInto('chat_rooms')
          .values({
            room_id: roomId,
            room_version: input.roomVersion,
            creator: input.creator,
            created_at: deps.clock.now().toISOString(),
            is_public: input.isPublic ? 1 : 0,
            resource_id: null,
            last_event_id: '',
            last_depth: 0,
            last_stream: 0,
          } satisfies ChatRoomRow)
          .execute();
        const appending: Appending = {
          context,
          head,
          // A new room: its state is what its events make it.
          state: stateView(context.executor, roomId, { base: new Map() }),
          appended: [],
        };
        registerAppendingState(context.executor, roomId, appending.state);
        await appendOne(appending, createEvent, { isCreate: true, originServerTs });
        for (const event of rest(roomId)) await appendOne(appending, event);
        await finishRoomHead(context.executor, head);
        keepStateOnCommit(context, head, appending.state);
        return { roomId, events: appending.appended };
      }, parent);
    },

    /** A read-only view of a room's current state (for endpoints that check before appending). */
    async readState(roomId: string, keys: ReadonlyArray<readonly [string, string]>, executor?: Executor) {
      const view = stateView(executor ?? deps.database.executor, roomId);
      await view.load(keys);
      return view as RoomStateView;
    },
  };
}

export type RoomEngine = ReturnType<typeof createRoomEngine>;
