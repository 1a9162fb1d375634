import type { ResourceRef } from '../../../platform/authz/index.ts';
import type { Executor, TransactionContext } from '../../../platform/db/database.ts';
import type { SearchDocument } from '../../../platform/search/index.ts';
import type { ChatTables } from '../chat.tables.ts';
import type { ChatFeatureContext } from '../feature.ts';
import type { Pdu } from '../protocol/index.ts';
import type { AppendedEvent, RoomHead } from '../room-engine.ts';
import type { IntegrationTables } from './integration.tables.ts';
import type { RoomResources } from './room-resources.ts';
import { memberNameOf, readRoomState, roomNameOf, stateTypes, type RoomState } from './room-state.ts';

export const chatSearchTypes = { room: 'chat.room', message: 'chat.message' } as const;

/** Rebuilds a room's documents (new label, new name): `{ roomId }`. */
export const roomSearchJobType = 'chat.search.room';

/** Where the web app opens a room, or one of its messages. */
export const chatUrls = {
  room: (roomId: string) => `/messagerie/${encodeURIComponent(roomId)}`,
  message: (roomId: string, eventId: string) =>
    `/messagerie/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`,
};

/** How long after a commit queued messages are indexed: messages sent meanwhile go in the same batch. */
const batchDelayMs = 50;
/** Messages indexed per transaction. */
const indexBatchSize = 200;

/** History readable by every member, whenever they joined: what search may show to all of them. */
const sharedHistory = new Set(['shared', 'world_readable']);

function historyVisibilityOf(state: RoomState): string {
  const value = state.content(stateTypes.historyVisibility)?.['history_visibility'];
  return typeof value === 'string' ? value : 'shared';
}

function bodyOf(content: Readonly<Record<string, unknown>>): string | undefined {
  const body = content['body'];
  return typeof body === 'string' && body.trim() !== '' ? body : undefined;
}

/** The original event and new body of an edit (`m.replace`), or undefined. */
function editOf(content: Readonly<Record<string, unknown>>): { target: string; body: string | undefined } | undefined {
  const relation = content['m.relates_to'] as Record<string, unknown> | undefined;
  if (relation?.['rel_type'] !== 'm.replace' || typeof relation['event_id'] !== 'string') return undefined;
  const newContent = content['m.new_content'];
  const body =
    typeof newContent === 'object' && newContent !== null ? bodyOf(newContent as Record<string, unknown>) : undefined;
  return { target: relation['event_id'], body };
}

function messageTitle(roomName: string | undefined, senderName: string): string {
  return roomName ? `${roomName} — ${senderName}` : senderName;
}

/**
 * Rooms (name, topic) and unencrypted messages in Bureau's unified search. Rooms are indexed in the
 * transaction that changes them; messages are queued in the transaction that appends them and indexed in
 * batches just after (`indexQueued`), a search first waiting for this process's queue to be empty. A document's
 * resource is its room's, so only joined members find it. Not indexed: encrypted rooms (everything of a
 * room goes when it turns encryption on), messages sent while the history was not readable by every member
 * (`joined`, `invited`: a later member must not find earlier messages). Labels and titles of a room's
 * messages follow a change of its label or name through a background rebuild of the room.
 */
export function createRoomSearch(context: ChatFeatureContext, resources: RoomResources) {
  const { search, authz } = context;
  for (const type of Object.values(chatSearchTypes)) search.defineType({ type, resourceType: 'chat.room' });

  const tables = (executor: Executor = context.database.executor) => executor.withTables<ChatTables>();
  const queue = (executor: Executor) => executor.withTables<IntegrationTables>();

  /**
   * Whether a message (or an edit) is to be indexed, decided with the appending transaction's state (in
   * memory): it has a body, the room is not encrypted and its history is readable by every member. It is
   * then queued in the same transaction and indexed after the commit, in batches (`indexQueued`).
   */
  async function queueMessage(transaction: TransactionContext, room: RoomHead, event: AppendedEvent) {
    const content = event.pdu.content;
    const edit = editOf(content);
    const body = edit ? edit.body : bodyOf(content);
    if (body === undefined) return;
    const state = await readRoomState(transaction.executor, room.roomId, [
      [stateTypes.encryption, ''],
      [stateTypes.historyVisibility, ''],
    ]);
    if (state.content(stateTypes.encryption) !== undefined) return;
    if (!sharedHistory.has(historyVisibilityOf(state))) return;
    await queue(transaction.executor)
      .insertInto('chat_search_queue')
      .values({ stream_ordering: event.streamOrdering, room_id: room.roomId, event_id: event.eventId })
      .execute();
    transaction.afterCommit(() => schedule(batchDelayMs));
  }

  /**
   * Indexes up to `limit` queued messages, oldest first, in one transaction, and takes them off the queue.
   * On PostgreSQL the queued rows are locked until the commit: a redaction, the room's encryption or a
   * rebuild of the room deletes its queued rows first, so it waits for a batch holding them and then
   * removes or rewrites what the batch wrote. Titles use the room's and the sender's current names.
   */
  async function indexQueued(limit: number): Promise<number> {
    return context.database.transaction(async (transaction) => {
      const executor = transaction.executor;
      let pending = queue(executor)
        .selectFrom('chat_search_queue')
        .select(['stream_ordering', 'room_id', 'event_id'])
        .orderBy('stream_ordering')
        .limit(limit);
      if (context.database.dialect === 'postgres') pending = pending.forUpdate();
      const queued = await pending.execute();
      if (queued.length === 0) return 0;
      const events = await tables(executor)
        .selectFrom('chat_events')
        .select(['event_id', 'room_id', 'sender', 'json', 'redacted_by', 'origin_server_ts'])
        .where(
          'event_id',
          'in',
          queued.map((row) => row.event_id),
        )
        .execute();
      const eventsById = new Map(events.map((row) => [row.event_id, row]));
      const parsed = new Map<string, Pdu>();
      const targets = new Set<string>();
      for (const row of events) {
        const pdu = JSON.parse(row.json) as Pdu;
        parsed.set(row.event_id, pdu);
        const edit = editOf(pdu.content);
        if (edit) targets.add(edit.target);
      }
      const originals =
        targets.size === 0
          ? new Map<string, { sender: string; room_id: string; redacted_by: string | null; origin_server_ts: number }>()
          : new Map(
              (
                await tables(executor)
                  .selectFrom('chat_events')
                  .select(['event_id', 'sender', 'room_id', 'redacted_by', 'origin_server_ts'])
                  .where('event_id', 'in', [...targets])
                  .execute()
              ).map((row) => [row.event_id, row]),
            );
      // What each room's documents need, read once per batch: its resource, label and names.
      const rooms = new Map<
        string,
        { resource: ResourceRef; label: SearchDocument['label']; state: RoomState } | null
      >();
      const roomOf = async (roomId: string) => {
        if (rooms.has(roomId)) return rooms.get(roomId) ?? null;
        const resource = await resources.resourceOf(roomId, executor);
        let entry = null;
        if (resource) {
          const senders = new Set(events.filter((row) => row.room_id === roomId).map((row) => row.sender));
          const state = await readRoomState(executor, roomId, [
            [stateTypes.name, ''],
            [stateTypes.canonicalAlias, ''],
            ...[...senders].map((sender) => [stateTypes.member, sender] as const),
          ]);
          entry = { resource, label: await authz.effectiveLabel(resource, { context: transaction }), state };
        }
        rooms.set(roomId, entry);
        return entry;
      };
      const documents = new Map<string, SearchDocument>();
      for (const item of queued) {
        const row = eventsById.get(item.event_id);
        const pdu = parsed.get(item.event_id);
        if (!row || !pdu || row.redacted_by !== null) continue;
        const edit = editOf(pdu.content);
        let eventId = row.event_id;
        let body = bodyOf(pdu.content);
        let sentAt = pdu.origin_server_ts;
        if (edit) {
          // An edit changes the text of its original, if the same person sent both (the spec's rule for edits).
          const original = originals.get(edit.target);
          if (!original || original.room_id !== row.room_id || original.sender !== row.sender) continue;
          if (original.redacted_by !== null) continue;
          eventId = edit.target;
          body = edit.body;
          sentAt = Number(original.origin_server_ts);
        }
        if (body === undefined) continue;
        const room = await roomOf(row.room_id);
        if (!room) continue;
        documents.set(eventId, {
          type: chatSearchTypes.message,
          id: eventId,
          title: messageTitle(roomNameOf(room.state), memberNameOf(room.state, row.sender)),
          text: body,
          resource: room.resource,
          label: room.label,
          url: chatUrls.message(row.room_id, eventId),
          updatedAt: new Date(sentAt),
        });
      }
      if (documents.size > 0) await search.indexMany([...documents.values()], { context: transaction });
      await queue(executor)
        .deleteFrom('chat_search_queue')
        .where(
          'stream_ordering',
          'in',
          queued.map((row) => row.stream_ordering),
        )
        .execute();
      return queued.length;
    });
  }

  // Background passes over the queue, one at a time: each indexes batches until the queue is empty.
  let passes: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  function pass(): Promise<void> {
    const run = passes.then(async () => {
      while (!stopped && (await indexQueued(indexBatchSize)) === indexBatchSize) {
        // A full batch: more may wait.
      }
    });
    passes = run.catch((error: unknown) => {
      context.logger.warn({ err: error }, 'chat messages could not be indexed for search; retried at the next pass');
    });
    return passes;
  }
  function schedule(delayMs: number): void {
    if (timer !== undefined || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      void pass();
    }, delayMs);
  }

  /**
   * Waits for a pass holding some of the room's queued messages and keeps it from taking them until the
   * caller's transaction ends (PostgreSQL; SQLite runs one transaction at a time). Whoever redacts or purges
   * messages calls it before changing them or the index: a pass that read a message before cannot then
   * write it after its removal, and a later pass sees it redacted.
   */
  async function holdRoomQueue(executor: Executor, roomId: string): Promise<void> {
    if (context.database.dialect !== 'postgres') return;
    await queue(executor)
      .selectFrom('chat_search_queue')
      .select('stream_ordering')
      .where('room_id', '=', roomId)
      .forUpdate()
      .execute();
  }

  /** Dequeues a room's queued messages (see `indexQueued`): it waits for a batch holding some of them. */
  async function dequeueRoom(executor: Executor, roomId: string): Promise<void> {
    await queue(executor).deleteFrom('chat_search_queue').where('room_id', '=', roomId).execute();
  }

  async function roomDocument(
    roomId: string,
    resource: ResourceRef,
    executor: Executor,
    transaction?: TransactionContext,
  ): Promise<SearchDocument | undefined> {
    const state = await readRoomState(executor, roomId, [
      [stateTypes.name, ''],
      [stateTypes.canonicalAlias, ''],
      [stateTypes.topic, ''],
    ]);
    const name = roomNameOf(state);
    if (!name) return undefined;
    const topic = state.content(stateTypes.topic)?.['topic'];
    return {
      type: chatSearchTypes.room,
      id: roomId,
      title: name,
      text: typeof topic === 'string' ? topic : '',
      resource,
      label: await authz.effectiveLabel(resource, transaction ? { context: transaction } : undefined),
      url: chatUrls.room(roomId),
      updatedAt: context.clock.now(),
    };
  }

  async function indexRoom(transaction: TransactionContext, room: RoomHead) {
    const resource = await resources.resourceOf(room.roomId, transaction.executor);
    if (!resource) return;
    const encrypted = await readRoomState(transaction.executor, room.roomId, [[stateTypes.encryption, '']]);
    if (encrypted.content(stateTypes.encryption) !== undefined) return;
    const document = await roomDocument(room.roomId, resource, transaction.executor, transaction);
    if (document) await search.index(document, { context: transaction });
    else await search.remove(chatSearchTypes.room, room.roomId, { context: transaction });
  }

  async function hasMessages(executor: Executor, roomId: string): Promise<boolean> {
    const row = await tables(executor)
      .selectFrom('chat_events')
      .select('event_id')
      .where('room_id', '=', roomId)
      .where('type', '=', 'm.room.message')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The append hook. */
  async function onAppend(transaction: TransactionContext, room: RoomHead, event: AppendedEvent): Promise<void> {
    if (event.stateKey === undefined) {
      if (event.type === 'm.room.message') await queueMessage(transaction, room, event);
      const redacts = event.pdu.content['redacts'];
      if (event.type === 'm.room.redaction' && typeof redacts === 'string') {
        // The queue first: a pass indexing the message (or an edit of it) is waited for, then undone.
        await holdRoomQueue(transaction.executor, room.roomId);
        await queue(transaction.executor).deleteFrom('chat_search_queue').where('event_id', '=', redacts).execute();
        await search.remove(chatSearchTypes.message, redacts, { context: transaction });
      }
      return;
    }
    if (event.stateKey !== '') return;
    switch (event.type) {
      case stateTypes.encryption: {
        await dequeueRoom(transaction.executor, room.roomId);
        const resource = await resources.resourceOf(room.roomId, transaction.executor);
        if (resource) await search.removeByResource(resource, { context: transaction });
        return;
      }
      case stateTypes.name:
      case stateTypes.canonicalAlias:
      case stateTypes.sensitivity:
        await indexRoom(transaction, room);
        // Messages' titles carry the room's name, and their results its label.
        if (await hasMessages(transaction.executor, room.roomId)) {
          await context.jobs.enqueue(roomSearchJobType, { roomId: room.roomId }, { context: transaction });
        }
        return;
      case stateTypes.topic:
        await indexRoom(transaction, room);
        return;
      default:
        return;
    }
  }

  /**
   * Re-indexes a room's messages from its history (current label, names at the time): the events in order,
   * following the history visibility, edits applied to their originals, redacted events left out.
   */
  async function rebuildRoom(roomId: string): Promise<number> {
    const resource = await resources.resourceOf(roomId);
    if (!resource) return 0;
    // What the queue holds of the room is read again below, from its history.
    await dequeueRoom(context.database.executor, roomId);
    const current = await readRoomState(context.database.executor, roomId, [
      [stateTypes.encryption, ''],
      [stateTypes.name, ''],
      [stateTypes.canonicalAlias, ''],
    ]);
    if (current.content(stateTypes.encryption) !== undefined) {
      await search.removeByResource(resource);
      return 0;
    }
    const label = await authz.effectiveLabel(resource);
    const roomName = roomNameOf(current);
    const documents = new Map<string, SearchDocument>();
    const senders = new Map<string, string>();
    const names = new Map<string, string>();
    let visibility = 'shared';
    let after = 0;
    const batchSize = 500;
    for (;;) {
      const rows = await tables()
        .selectFrom('chat_events')
        .select(['stream_ordering', 'event_id', 'type', 'state_key', 'sender', 'json', 'redacted_by'])
        .where('room_id', '=', roomId)
        .where('stream_ordering', '>', after)
        .orderBy('stream_ordering')
        .limit(batchSize)
        .execute();
      for (const row of rows) {
        const pdu = JSON.parse(row.json) as Pdu;
        if (row.type === stateTypes.historyVisibility && row.state_key === '') {
          const value = pdu.content['history_visibility'];
          visibility = typeof value === 'string' ? value : 'shared';
        } else if (row.type === stateTypes.member && row.state_key !== null) {
          const name = pdu.content['displayname'];
          if (typeof name === 'string' && name.trim() !== '') names.set(row.state_key, name.trim());
        } else if (row.type === 'm.room.message' && row.state_key === null && row.redacted_by === null) {
          const edit = editOf(pdu.content);
          if (edit) {
            const original = documents.get(edit.target);
            if (original && edit.body !== undefined && senders.get(edit.target) === row.sender) {
              documents.set(edit.target, { ...original, text: edit.body });
            }
            continue;
          }
          const body = bodyOf(pdu.content);
          if (body === undefined || !sharedHistory.has(visibility)) continue;
          const senderName = names.get(row.sender) ?? row.sender.slice(1).split(':')[0] ?? row.sender;
          documents.set(row.event_id, {
            type: chatSearchTypes.message,
            id: row.event_id,
            title: messageTitle(roomName, senderName),
            text: body,
            resource,
            label,
            url: chatUrls.message(roomId, row.event_id),
            updatedAt: new Date(pdu.origin_server_ts),
          });
          senders.set(row.event_id, row.sender);
        }
      }
      if (rows.length < batchSize) break;
      after = Number(rows.at(-1)?.stream_ordering ?? after);
    }
    const all = [...documents.values()];
    for (let start = 0; start < all.length; start += batchSize)
      await search.indexMany(all.slice(start, start + batchSize));
    const room = await roomDocument(roomId, resource, context.database.executor);
    if (room) await search.index(room);
    return all.length;
  }

  context.jobs.register<{ roomId?: unknown }>(roomSearchJobType, async ({ payload }) => {
    if (typeof payload.roomId === 'string') await rebuildRoom(payload.roomId);
  });

  // Searches read the index once this process's queued messages are in it (a sent message is found at once).
  search.beforeReading(() => pass());

  return {
    onAppend,
    rebuildRoom,
    holdRoomQueue,
    /** Resolves once every message queued before the call is indexed (or the pass failed, and logged). */
    flush: pass,
    /** Indexes what a previous run left queued. */
    start(): void {
      stopped = false;
      schedule(0);
    },
    /** Stops scheduling passes and waits for the one running. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await passes;
    },
  };
}

export type RoomSearch = ReturnType<typeof createRoomSearch>;
