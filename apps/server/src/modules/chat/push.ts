import { sql } from 'kysely';
import type { Database, Executor, TransactionContext } from '../../platform/db/database.ts';
import type { ChatTables } from './chat.tables.ts';
import {
  compilePushRules,
  defaultPushRules,
  emptyUserPushRules,
  evaluatePushRules,
  mergeUserRules,
  powerLevelOf,
  preparePushEvent,
  type CompiledPushRules,
  type PushRulesContent,
  type UserPushRules,
} from './protocol/index.ts';
import { stateOfAppendingTransaction, type AppendedEvent, type RoomHead } from './room-engine.ts';
import { ChangeTracker } from './stream.ts';
import type { UnreadCounter } from './sync.ts';

interface UnreadCount {
  notification_count: number;
  highlight_count: number;
}

interface RoomUnread {
  /** The stream position the counts were read at: later actions are added to them. */
  readonly asOf: number;
  readonly byThread: Map<string, UnreadCount>;
}

/** A room's counts as /sync shows them: threads apart when the client asks for them, else all together. */
function present(byThread: ReadonlyMap<string, UnreadCount>, threads: boolean) {
  const main: UnreadCount = { notification_count: 0, highlight_count: 0 };
  let perThread: Record<string, UnreadCount> | undefined;
  for (const [threadId, counts] of byThread) {
    if (threads && threadId !== 'main') {
      perThread ??= {};
      perThread[threadId] = { ...counts };
    } else {
      main.notification_count += counts.notification_count;
      main.highlight_count += counts.highlight_count;
    }
  }
  return perThread ? { ...main, threads: perThread } : main;
}

/**
 * Each user's unread counts per room and thread, in memory: loaded from the database once, then counted up
 * by each push action as it commits; a read receipt drops them (the next /sync loads them again). A load
 * that raced with a change of its counts is not kept. Per process, like the notifier.
 */
export class UnreadCounts {
  readonly #entries = new Map<string, RoomUnread>();
  readonly #changes = new ChangeTracker(100_000);
  readonly #capacity: number;
  #sequence = 0;

  constructor(capacity = 50_000) {
    this.#capacity = capacity;
    this.#changes.setFloor(0);
  }

  get(userId: string, roomId: string): RoomUnread | undefined {
    return this.#entries.get(`${userId}\u0000${roomId}`);
  }

  /** Call before reading counts from the database; pass the result to `set`. */
  beginLoad(): number {
    return this.#sequence;
  }

  /**
   * Keeps counts read from the database (the actions up to `asOf`, every one of them committed and added),
   * unless they changed since `loading` began.
   */
  set(userId: string, roomId: string, counts: RoomUnread, loading: number): void {
    const key = `${userId}\u0000${roomId}`;
    if (this.#changes.mayHaveChanged(key, loading)) return;
    this.#entries.delete(key);
    this.#entries.set(key, counts);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /** A push action committed (at the stream position of its event). */
  add(userId: string, roomId: string, threadId: string, highlight: boolean, position: number): void {
    const key = `${userId}\u0000${roomId}`;
    this.#sequence += 1;
    this.#changes.record(key, this.#sequence);
    const entry = this.#entries.get(key);
    // Counted already when the entry was read after it.
    if (!entry || position <= entry.asOf) return;
    const counts = entry.byThread.get(threadId) ?? { notification_count: 0, highlight_count: 0 };
    counts.notification_count += 1;
    if (highlight) counts.highlight_count += 1;
    entry.byThread.set(threadId, counts);
  }

  /** Forgets every count (another process wrote actions or receipts this one did not see). */
  clear(): void {
    this.#sequence += 1;
    this.#changes.raiseFloor(this.#sequence);
    this.#entries.clear();
  }

  /** A receipt of the user in the room committed: the counts are read again. */
  invalidate(userId: string, roomId: string): void {
    const key = `${userId}\u0000${roomId}`;
    this.#sequence += 1;
    this.#changes.record(key, this.#sequence);
    this.#entries.delete(key);
  }
}

/**
 * Push rules (module push § Server behaviour): each user's changes stored as one document over the spec's
 * defaults; evaluated for every joined member when an event is appended, in the same transaction, so the
 * unread and highlight counts of a /sync include the event they count ("MUST appear in the same /sync
 * response"). Counts are the push actions after the user's read receipt.
 */
/** Rooms whose unread counts one statement loads (one range condition each). */
const roomsPerCount = 100;

export function createPushService(deps: { database: Database }) {
  const tables = (executor: Executor = deps.database.executor) => executor.withTables<ChatTables>();
  const unread = new UnreadCounts();

  /**
   * What push rules read of a room: its joined members (with their member event's content, for display
   * names) and its power levels and create events. From the appending transaction's state when it has it.
   */
  async function pushState(executor: Executor, roomId: string) {
    type StateEvent = { type: string; sender: string; content: Readonly<Record<string, unknown>>; state_key: string };
    const stateByType = new Map<string, StateEvent>();
    const appending = stateOfAppendingTransaction(executor, roomId);
    if (appending) {
      const members: Array<{ state_key: string; content: Readonly<Record<string, unknown>> }> = [];
      for (const event of appending.entries()) {
        if (event.type === 'm.room.member' && event.content['membership'] === 'join') {
          members.push({ state_key: event.state_key, content: event.content });
        } else if ((event.type === 'm.room.power_levels' || event.type === 'm.room.create') && event.state_key === '') {
          stateByType.set(event.type, event);
        }
      }
      return { members, stateByType };
    }
    const rows = await tables(executor)
      .selectFrom('chat_current_state as s')
      .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
      .select(['s.state_key', 'e.json'])
      .where('s.room_id', '=', roomId)
      .where('s.type', '=', 'm.room.member')
      .where('s.membership', '=', 'join')
      .execute();
    const members = rows.map((row) => ({
      state_key: row.state_key,
      content: (JSON.parse(row.json) as { content: Record<string, unknown> }).content,
    }));
    const powerLevels = await tables(executor)
      .selectFrom('chat_current_state as s')
      .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
      .select(['e.json', 's.type'])
      .where('s.room_id', '=', roomId)
      .where('s.type', 'in', ['m.room.power_levels', 'm.room.create'])
      .where('s.state_key', '=', '')
      .execute();
    for (const row of powerLevels) {
      const pdu = JSON.parse(row.json) as { type: string; sender: string; content: Record<string, unknown> };
      stateByType.set(row.type, { ...pdu, state_key: '' });
    }
    return { members, stateByType };
  }

  /** The push actions after the user's read receipts in these rooms, counted per room and thread. */
  async function countActions(executor: Executor, userId: string, roomIds: readonly string[], upTo: number) {
    const result = new Map<string, Map<string, UnreadCount>>();
    const receipts = await tables(executor)
      .selectFrom('chat_receipts')
      .select(['room_id', 'thread_id', sql<number>`max(event_stream)`.as('read_up_to')])
      .where('matrix_id', '=', userId)
      .where('room_id', 'in', roomIds)
      .where('receipt_type', 'in', ['m.read', 'm.read.private'])
      .groupBy(['room_id', 'thread_id'])
      .execute();
    const readUpTo = new Map<string, number>();
    for (const receipt of receipts) {
      readUpTo.set(`${receipt.room_id}\u0000${receipt.thread_id}`, Number(receipt.read_up_to));
    }
    // Actions are keyed by room and position (room first): each room's range starts after the user's
    // unthreaded receipt, before which nothing counts.
    const actions: Array<{ room_id: string; thread_id: string; stream_ordering: number; highlight: number | boolean }> =
      [];
    for (let start = 0; start < roomIds.length; start += roomsPerCount) {
      const chunk = roomIds.slice(start, start + roomsPerCount);
      actions.push(
        ...(await tables(executor)
          .selectFrom('chat_push_actions')
          .select(['room_id', 'thread_id', 'stream_ordering', 'highlight'])
          .where((eb) =>
            eb.or(
              chunk.map((roomId) =>
                eb.and([eb('room_id', '=', roomId), eb('stream_ordering', '>', readUpTo.get(`${roomId}\u0000`) ?? 0)]),
              ),
            ),
          )
          .where('stream_ordering', '<=', upTo)
          .where('matrix_id', '=', userId)
          .execute()),
      );
    }
    for (const action of actions) {
      // An unthreaded receipt covers every thread; a threaded one its thread.
      const unthreaded = readUpTo.get(`${action.room_id}\u0000`) ?? 0;
      const threaded = readUpTo.get(`${action.room_id}\u0000${action.thread_id}`) ?? 0;
      if (Number(action.stream_ordering) <= Math.max(unthreaded, threaded)) continue;
      const byThread = result.get(action.room_id) ?? new Map<string, UnreadCount>();
      const counts = byThread.get(action.thread_id) ?? { notification_count: 0, highlight_count: 0 };
      counts.notification_count += 1;
      if (action.highlight) counts.highlight_count += 1;
      byThread.set(action.thread_id, counts);
      result.set(action.room_id, byThread);
    }
    return result;
  }
  // The members each event of a transaction highlights, as its push actions said (read by the mention
  // notifications of the same append instead of querying the actions just written).
  const highlightsByTransaction = new WeakMap<TransactionContext, Map<number, readonly string[]>>();
  function highlightsOf(context: TransactionContext): Map<number, readonly string[]> {
    let highlights = highlightsByTransaction.get(context);
    if (!highlights) {
      highlights = new Map();
      highlightsByTransaction.set(context, highlights);
    }
    return highlights;
  }

  // Compiled rulesets by user; dropped when the user changes their rules (in this process).
  const compiled = new Map<string, { rules: PushRulesContent; compiled: CompiledPushRules }>();

  async function userRules(matrixId: string, executor?: Executor): Promise<UserPushRules> {
    const row = await tables(executor)
      .selectFrom('chat_push_rules')
      .select('rules')
      .where('matrix_id', '=', matrixId)
      .executeTakeFirst();
    return row ? (JSON.parse(row.rules) as UserPushRules) : emptyUserPushRules();
  }

  async function rulesetOf(matrixId: string, executor?: Executor): Promise<PushRulesContent> {
    const cached = compiled.get(matrixId);
    if (cached) return cached.rules;
    const rules = mergeUserRules(
      defaultPushRules(matrixId, { legacyMentionRules: true }),
      await userRules(matrixId, executor),
    );
    compiled.set(matrixId, { rules, compiled: compilePushRules(rules) });
    return rules;
  }

  async function compiledOf(matrixId: string, executor: Executor): Promise<CompiledPushRules> {
    await rulesetOf(matrixId, executor);
    const cached = compiled.get(matrixId);
    if (!cached) throw new Error('push rules cache');
    return cached.compiled;
  }

  return {
    rulesetOf,
    userRules,

    async saveUserRules(matrixId: string, rules: UserPushRules, context: TransactionContext): Promise<void> {
      const json = JSON.stringify(rules);
      await tables(context.executor)
        .insertInto('chat_push_rules')
        .values({ matrix_id: matrixId, rules: json })
        .onConflict((conflict) => conflict.column('matrix_id').doUpdateSet({ rules: json }))
        .execute();
      compiled.delete(matrixId);
      context.afterCommit(() => compiled.delete(matrixId));
    },

    /** The append hook: push actions of `event` for each joined member but its sender. */
    async recordActions(context: TransactionContext, room: RoomHead, event: AppendedEvent): Promise<void> {
      const executor = context.executor;
      const { members, stateByType } = await pushState(executor, room.roomId);
      const highlights = highlightsOf(context);
      highlights.set(event.streamOrdering, []);
      if (members.length <= 1 && event.type !== 'm.room.member') return;
      const authState = {
        get: (type: string, stateKey: string) => (stateKey === '' ? stateByType.get(type) : undefined),
      };
      const senderPowerLevel = powerLevelOf(event.sender, authState, room.roomVersion);
      const notifications = stateByType.get('m.room.power_levels')?.content['notifications'];
      const prepared = preparePushEvent({
        type: event.type,
        sender: event.sender,
        room_id: room.roomId,
        ...(event.stateKey !== undefined ? { state_key: event.stateKey } : {}),
        content: event.pdu.content,
      });
      const relation = event.pdu.content['m.relates_to'] as Record<string, unknown> | undefined;
      const threadId =
        relation?.['rel_type'] === 'm.thread' && typeof relation['event_id'] === 'string'
          ? relation['event_id']
          : 'main';
      const rows: ChatTables['chat_push_actions'][] = [];
      for (const member of members) {
        if (member.state_key === event.sender) continue;
        const memberContent = member.content;
        const displayName = typeof memberContent['displayname'] === 'string' ? memberContent['displayname'] : null;
        const evaluation = evaluatePushRules(
          prepared,
          {
            userId: member.state_key,
            displayName,
            roomMemberCount: members.length,
            senderPowerLevel,
            notificationPowerLevels:
              typeof notifications === 'object' && notifications !== null
                ? (notifications as Record<string, unknown>)
                : {},
          },
          await compiledOf(member.state_key, executor),
        );
        if (!evaluation.notify) continue;
        rows.push({
          matrix_id: member.state_key,
          room_id: room.roomId,
          stream_ordering: event.streamOrdering,
          thread_id: threadId,
          notify: 1,
          highlight: evaluation.highlight ? 1 : 0,
        });
      }
      highlights.set(
        event.streamOrdering,
        rows.filter((row) => row.highlight === 1).map((row) => row.matrix_id),
      );
      if (rows.length > 0) {
        await tables(executor).insertInto('chat_push_actions').values(rows).execute();
        // Before the append's own after-commit callbacks (which wake the long-polls): a /sync woken by the
        // event counts it.
        context.afterCommit(() => {
          for (const row of rows) {
            unread.add(row.matrix_id, row.room_id, row.thread_id, row.highlight === 1, event.streamOrdering);
          }
        });
      }
    },

    /**
     * Unread counts per room: push actions after the user's latest read receipt (public or private). From
     * memory for the rooms counted before (kept up to date by each new action, dropped by a receipt).
     */
    unreadCounts: (async (executor, userId, roomIds, options) => {
      const result: Awaited<ReturnType<UnreadCounter>> = new Map();
      const missing: string[] = [];
      for (const roomId of roomIds) {
        const counts = unread.get(userId, roomId);
        if (counts) result.set(roomId, present(counts.byThread, options.threads));
        else missing.push(roomId);
      }
      if (missing.length === 0) return result;
      const loading = unread.beginLoad();
      const loaded = await countActions(executor, userId, missing, options.upTo);
      for (const roomId of missing) {
        const counts = loaded.get(roomId) ?? new Map<string, UnreadCount>();
        unread.set(userId, roomId, { asOf: options.upTo, byThread: counts }, loading);
        result.set(roomId, present(counts, options.threads));
      }
      return result;
    }) satisfies UnreadCounter,

    /** The counts in memory (receipts drop them). */
    unread,

    /**
     * The joined members the event at `streamOrdering` highlights, as this transaction's push actions said;
     * undefined when they were not computed in it.
     */
    highlightedBy(context: TransactionContext, streamOrdering: number): readonly string[] | undefined {
      return highlightsByTransaction.get(context)?.get(streamOrdering);
    },

    /**
     * Drops the push actions a read receipt covers (keeps counting cheap): an unthreaded receipt covers every
     * thread, `main` the main timeline, a thread root its thread. `after` is the position the same receipt
     * had (its actions up to there are gone already), so the range read is what the receipt newly covers.
     */
    async pruneRead(
      executor: Executor,
      userId: string,
      roomId: string,
      threadId: string,
      range: { readonly after: number; readonly upTo: number },
    ) {
      let query = tables(executor)
        .deleteFrom('chat_push_actions')
        .where('room_id', '=', roomId)
        .where('stream_ordering', '>', range.after)
        .where('stream_ordering', '<=', range.upTo)
        .where('matrix_id', '=', userId);
      if (threadId !== '') query = query.where('thread_id', '=', threadId);
      await query.execute();
    },
  };
}

export type PushService = ReturnType<typeof createPushService>;
