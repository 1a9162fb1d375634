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
import type { AppendedEvent, RoomHead } from './room-engine.ts';
import type { UnreadCounter } from './sync.ts';

/**
 * Push rules (module push § Server behaviour): each user's changes stored as one document over the spec's
 * defaults; evaluated for every joined member when an event is appended, in the same transaction, so the
 * unread and highlight counts of a /sync include the event they count ("MUST appear in the same /sync
 * response"). Counts are the push actions after the user's read receipt.
 */
export function createPushService(deps: { database: Database }) {
  const tables = (executor: Executor = deps.database.executor) => executor.withTables<ChatTables>();
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
      const members = await tables(executor)
        .selectFrom('chat_current_state as s')
        .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
        .select(['s.state_key', 'e.json'])
        .where('s.room_id', '=', room.roomId)
        .where('s.type', '=', 'm.room.member')
        .where('s.membership', '=', 'join')
        .execute();
      if (members.length <= 1 && event.type !== 'm.room.member') return;
      const powerLevels = await tables(executor)
        .selectFrom('chat_current_state as s')
        .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
        .select(['e.json', 's.type'])
        .where('s.room_id', '=', room.roomId)
        .where('s.type', 'in', ['m.room.power_levels', 'm.room.create'])
        .where('s.state_key', '=', '')
        .execute();
      const stateByType = new Map(
        powerLevels.map((row) => {
          const pdu = JSON.parse(row.json) as { type: string; sender: string; content: Record<string, unknown> };
          return [row.type, { ...pdu, state_key: '' }] as const;
        }),
      );
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
        const memberContent = (JSON.parse(member.json) as { content: Record<string, unknown> }).content;
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
      if (rows.length > 0) await tables(executor).insertInto('chat_push_actions').values(rows).execute();
    },

    /** Unread counts per room: push actions after the user's latest read receipt (public or private). */
    unreadCounts: (async (executor, userId, roomIds, options) => {
      const result: Awaited<ReturnType<UnreadCounter>> = new Map();
      if (roomIds.length === 0) return result;
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
      const actions = await tables(executor)
        .selectFrom('chat_push_actions')
        .select(['room_id', 'thread_id', 'stream_ordering', 'highlight'])
        .where('matrix_id', '=', userId)
        .where('room_id', 'in', roomIds)
        .execute();
      for (const action of actions) {
        // An unthreaded receipt covers every thread; a threaded one its thread.
        const unthreaded = readUpTo.get(`${action.room_id}\u0000`) ?? 0;
        const threaded = readUpTo.get(`${action.room_id}\u0000${action.thread_id}`) ?? 0;
        if (Number(action.stream_ordering) <= Math.max(unthreaded, threaded)) continue;
        const counts = result.get(action.room_id) ?? { notification_count: 0, highlight_count: 0 };
        const isHighlight = Boolean(action.highlight);
        if (options.threads && action.thread_id !== 'main') {
          counts.threads ??= {};
          const thread = counts.threads[action.thread_id] ?? { notification_count: 0, highlight_count: 0 };
          thread.notification_count += 1;
          if (isHighlight) thread.highlight_count += 1;
          counts.threads[action.thread_id] = thread;
        } else {
          counts.notification_count += 1;
          if (isHighlight) counts.highlight_count += 1;
        }
        result.set(action.room_id, counts);
      }
      return result;
    }) satisfies UnreadCounter,

    /**
     * Drops the push actions a read receipt covers (keeps counting cheap): an unthreaded receipt covers every
     * thread, `main` the main timeline, a thread root its thread.
     */
    async pruneRead(executor: Executor, userId: string, roomId: string, threadId: string, upTo: number) {
      let query = tables(executor)
        .deleteFrom('chat_push_actions')
        .where('matrix_id', '=', userId)
        .where('room_id', '=', roomId)
        .where('stream_ordering', '<=', upTo);
      if (threadId !== '') query = query.where('thread_id', '=', threadId);
      await query.execute();
    },
  };
}

export type PushService = ReturnType<typeof createPushService>;
