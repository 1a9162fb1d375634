import { registerRecurringJob } from '../../../platform/jobs/index.ts';
import type { ChatTables } from '../chat.tables.ts';
import type { ChatFeatureContext } from '../feature.ts';
import { encodeCanonicalJson, redactEvent, type CanonicalJsonObject, type JsonObject } from '../protocol/index.ts';
import { retentionCutoff } from './policies/retention.ts';
import type { IntegrationTables } from './integration.tables.ts';
import { chatSearchTypes, type RoomSearch } from './room-search.ts';
import { stateTypes } from './room-state.ts';

export const retentionJobType = 'chat.retention.purge';
/** How often rooms are swept. */
export const retentionSweepIntervalMs = 60 * 60 * 1000;
/** What `chat_events.redacted_by` says of a message the retention purged (no redaction event did). */
export const purgedByRetention = 'm.room.retention';

const batchSize = 500;

/**
 * Retention per room (`m.room.retention` `max_lifetime`, MSC1763 as Synapse and Tchap apply it): a job runs
 * every hour and purges the messages older than their room's `max_lifetime`. A purged message is redacted in
 * place — its content goes, the event stays in the timeline as a redacted event so that pagination, threads
 * and receipts keep their anchors — and leaves the search index. State events are kept (the room needs them).
 * The job schedules its next run itself; `initialise` makes sure one is queued.
 */
export function createRetentionJob(context: ChatFeatureContext, roomSearch: Pick<RoomSearch, 'holdRoomQueue'>) {
  const { jobs, database } = context;
  const tables = () => database.executor.withTables<ChatTables>();

  async function purgeRoom(roomId: string, roomVersion: string, cutoff: number): Promise<number> {
    let purged = 0;
    for (;;) {
      const count = await database.transaction(async (transaction) => {
        const executor = transaction.executor.withTables<ChatTables>();
        // The search queue first (room-search.ts): a pass indexing some of these messages is waited for.
        await roomSearch.holdRoomQueue(transaction.executor, roomId);
        const rows = await executor
          .selectFrom('chat_events')
          .select(['event_id', 'json'])
          .where('room_id', '=', roomId)
          .where('state_key', 'is', null)
          .where('redacted_by', 'is', null)
          .where('origin_server_ts', '<', cutoff)
          .orderBy('stream_ordering')
          .limit(batchSize)
          .execute();
        if (rows.length > 0) {
          await transaction.executor
            .withTables<IntegrationTables>()
            .deleteFrom('chat_search_queue')
            .where(
              'event_id',
              'in',
              rows.map((row) => row.event_id),
            )
            .execute();
        }
        for (const row of rows) {
          const redacted = redactEvent(JSON.parse(row.json) as JsonObject, roomVersion);
          await executor
            .updateTable('chat_events')
            .set({ json: encodeCanonicalJson(redacted as CanonicalJsonObject), redacted_by: purgedByRetention })
            .where('event_id', '=', row.event_id)
            .execute();
          await context.search.remove(chatSearchTypes.message, row.event_id, { context: transaction });
        }
        if (rows.length > 0) transaction.afterCommit(() => context.recent.forget(roomId));
        return rows.length;
      });
      purged += count;
      if (count < batchSize) return purged;
    }
  }

  /** Purges every room's expired messages; returns how many. */
  async function purgeExpired(): Promise<number> {
    const rooms = await tables()
      .selectFrom('chat_current_state as s')
      .innerJoin('chat_events as e', 'e.event_id', 's.event_id')
      .innerJoin('chat_rooms as r', 'r.room_id', 's.room_id')
      .select(['s.room_id', 'r.room_version', 'e.json'])
      .where('s.type', '=', stateTypes.retention)
      .where('s.state_key', '=', '')
      .execute();
    const now = context.clock.now();
    let purged = 0;
    for (const room of rooms) {
      const content = (JSON.parse(room.json) as { content?: Record<string, unknown> }).content;
      const cutoff = retentionCutoff(content, now);
      if (cutoff !== undefined) purged += await purgeRoom(room.room_id, room.room_version, cutoff);
    }
    if (purged > 0) context.logger.info({ purged }, 'chat: messages past their room’s retention purged');
    return purged;
  }

  const { scheduleNext } = registerRecurringJob(
    jobs,
    context.clock,
    retentionJobType,
    retentionSweepIntervalMs,
    async () => {
      await purgeExpired();
    },
  );

  return { purgeExpired, scheduleNext };
}
