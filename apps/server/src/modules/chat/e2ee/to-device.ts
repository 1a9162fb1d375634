import type { Clock } from '../../../platform/clock.ts';
import type { Database, Executor, TransactionContext } from '../../../platform/db/database.ts';
import type { MatrixPrincipal } from '../accounts.ts';
import type { ChatTables } from '../chat.tables.ts';
import { encodeCanonicalJson, parseUserId } from '../protocol/index.ts';
import { userKey, type StreamNotifier } from '../stream.ts';
import type { E2eeTables, E2eeToDeviceRow } from './e2ee.tables.ts';

type Tables = E2eeTables & ChatTables;

/** Most messages one /sync response carries (the spec's recommendation). */
export const maxToDeviceMessagesPerSync = 100;

export interface ToDeviceEvent {
  readonly sender: string;
  readonly type: string;
  readonly content: unknown;
}

export interface ToDeviceDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly notifier: StreamNotifier;
  readonly serverName: string;
}

const insertBatch = 200;
/** How long a sendToDevice transaction ID is remembered (clients retry within seconds or minutes). */
const transactionMemoryMs = 24 * 60 * 60_000;

/**
 * Send-to-device messages (modules/send_to_device): one queue per recipient device, in send order.
 * A message is delivered by every /sync until one arrives with a `since` token at or past its
 * acknowledgement position — the client then has the response that carried it (at least once, never
 * lost). A response carries at most 100 messages: those it could not carry get a new acknowledgement
 * position past its `next_batch`, so acknowledging that response does not delete them.
 */
export function createToDeviceQueue(deps: ToDeviceDependencies) {
  // Devices that were handed messages by this process and have not acknowledged them yet (or have more
  // waiting than one response holds): their next /sync reads the queue even when nothing new was sent.
  const unacknowledged = new Set<string>();
  const tables = (executor: Executor) => executor.withTables<Tables>();
  const isLocal = (userId: string) => parseUserId(userId, 'historical')?.serverName === deps.serverName;

  return {
    /**
     * PUT /sendToDevice/{eventType}/{txnId}: queues `messages` (user → device or `*` → content) once per
     * transaction of the sending device. Unknown users and devices are skipped; `*` means every device.
     */
    async send(
      principal: MatrixPrincipal,
      eventType: string,
      txnId: string,
      messages: Record<string, Record<string, Record<string, unknown>>>,
    ): Promise<void> {
      await deps.database.transaction(async (context) => {
        const executor = context.executor;
        const now = deps.clock.now();
        const at = now.toISOString();
        await tables(executor)
          .deleteFrom('chat_e2ee_to_device_transactions')
          .where('matrix_id', '=', principal.userId)
          .where('device_id', '=', principal.deviceId)
          .where('created_at', '<', new Date(now.getTime() - transactionMemoryMs).toISOString())
          .execute();
        const transaction = await tables(executor)
          .insertInto('chat_e2ee_to_device_transactions')
          .values({ matrix_id: principal.userId, device_id: principal.deviceId, txn_id: txnId, created_at: at })
          .onConflict((conflict) => conflict.columns(['matrix_id', 'device_id', 'txn_id']).doNothing())
          .executeTakeFirst();
        // A retry of a transaction already sent: nothing more to queue.
        if (Number(transaction.numInsertedOrUpdatedRows ?? 0n) === 0) return;
        const position = await deps.notifier.nextPosition(context);
        const rows: E2eeToDeviceRow[] = [];
        const recipients = new Set<string>();
        for (const [userId, byDevice] of Object.entries(messages)) {
          if (!isLocal(userId)) continue;
          const explicit = Object.keys(byDevice).filter((deviceId) => deviceId !== '*');
          const toAll = byDevice['*'];
          let query = tables(executor).selectFrom('chat_devices').select('device_id').where('matrix_id', '=', userId);
          if (toAll === undefined) {
            if (explicit.length === 0) continue;
            query = query.where('device_id', 'in', explicit);
          }
          const devices = (await query.execute()).map((row) => row.device_id);
          for (const deviceId of devices) {
            const content = byDevice[deviceId] ?? toAll;
            if (content === undefined) continue;
            rows.push({
              matrix_id: userId,
              device_id: deviceId,
              sent_position: position,
              ack_position: position,
              sender: principal.userId,
              type: eventType,
              content: encodeCanonicalJson(content),
              created_at: at,
            });
            recipients.add(userId);
          }
        }
        for (let index = 0; index < rows.length; index += insertBatch) {
          await tables(executor)
            .insertInto('chat_e2ee_to_device')
            .values(rows.slice(index, index + insertBatch))
            .execute();
        }
        context.afterCommit(() => deps.notifier.notify([...recipients].map(userKey)));
      });
    },

    /**
     * The messages of the device up to `upTo`, in order (at most 100), after deleting those that `since`
     * acknowledges. Called by /sync.
     */
    async deliver(
      executor: Executor,
      principal: MatrixPrincipal,
      since: number | undefined,
      upTo: number,
      options: { userMayHaveChanged: boolean } = { userMayHaveChanged: true },
    ): Promise<ToDeviceEvent[]> {
      const { userId, deviceId } = principal;
      const deviceKey = `${userId}\u0000${deviceId}`;
      // Nothing was queued for the user since the token (a message notifies its recipient), and nothing
      // delivered earlier waits for its acknowledgement or for a later response: no query.
      if (since !== undefined && !options.userMayHaveChanged && !unacknowledged.has(deviceKey)) return [];
      if (since !== undefined) {
        await tables(executor)
          .deleteFrom('chat_e2ee_to_device')
          .where('matrix_id', '=', userId)
          .where('device_id', '=', deviceId)
          .where('ack_position', '<=', since)
          .execute();
      }
      const rows = await tables(executor)
        .selectFrom('chat_e2ee_to_device')
        .select(['sent_position', 'sender', 'type', 'content'])
        .where('matrix_id', '=', userId)
        .where('device_id', '=', deviceId)
        .where('sent_position', '<=', upTo)
        .orderBy('sent_position')
        .limit(maxToDeviceMessagesPerSync + 1)
        .execute();
      const delivered = rows.slice(0, maxToDeviceMessagesPerSync);
      const lastDelivered = delivered.at(-1);
      if (rows.length > maxToDeviceMessagesPerSync && lastDelivered) {
        // The rest waits for a later response: acknowledging this one (next_batch = upTo) must keep it.
        await deps.database.transaction(async (context) => {
          const position = await deps.notifier.nextPosition(context);
          await tables(context.executor)
            .updateTable('chat_e2ee_to_device')
            .set({ ack_position: position })
            .where('matrix_id', '=', userId)
            .where('device_id', '=', deviceId)
            .where('sent_position', '>', Number(lastDelivered.sent_position))
            .execute();
        });
      }
      if (delivered.length > 0) unacknowledged.add(deviceKey);
      else unacknowledged.delete(deviceKey);
      return delivered.map((row) => ({
        sender: row.sender,
        type: row.type,
        content: JSON.parse(row.content) as unknown,
      }));
    },

    /** Drops a deleted device's queue and transactions (in the deleting transaction). */
    async forgetDevice(context: TransactionContext, matrixId: string, deviceId: string): Promise<void> {
      await tables(context.executor)
        .deleteFrom('chat_e2ee_to_device')
        .where('matrix_id', '=', matrixId)
        .where('device_id', '=', deviceId)
        .execute();
      await tables(context.executor)
        .deleteFrom('chat_e2ee_to_device_transactions')
        .where('matrix_id', '=', matrixId)
        .where('device_id', '=', deviceId)
        .execute();
    },
  };
}

export type ToDeviceQueue = ReturnType<typeof createToDeviceQueue>;
