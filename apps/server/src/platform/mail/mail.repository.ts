import type { Executor } from '../db/database.ts';

/** queued: waiting for its job; sent: accepted by the SMTP server; kept: in the development outbox; failed: given up. */
export type MailStatus = 'queued' | 'sent' | 'kept' | 'failed';

export const mailStatuses: readonly MailStatus[] = ['queued', 'sent', 'kept', 'failed'];

export type MailTransport = 'smtp' | 'outbox';

export type MailRow = {
  id: string;
  from_address: string;
  /** JSON array of addresses. */
  recipients: string;
  reply_to: string | null;
  subject: string;
  text_body: string;
  html_body: string | null;
  status: MailStatus;
  transport: MailTransport | null;
  job_id: string | null;
  attempts: number;
  last_error: string | null;
  smtp_message_id: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
};

type MailTables = { platform_mail_outbox: MailRow };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** PostgreSQL rejects a malformed uuid with an error; a malformed id simply names no message. */
export function isMailId(value: string): boolean {
  return uuidPattern.test(value);
}

export interface MailRepository {
  insert(row: MailRow, executor?: Executor): Promise<void>;
  get(id: string): Promise<MailRow | undefined>;
  list(query: { status?: MailStatus; limit: number; before?: string }): Promise<MailRow[]>;
  /** Records the delivery of a queued message; returns false when it was no longer queued. */
  markDelivered(
    id: string,
    delivery: {
      status: 'sent' | 'kept';
      transport: MailTransport;
      attempts: number;
      smtpMessageId: string | null;
      now: string;
    },
  ): Promise<boolean>;
  /** Records a failed attempt of a queued message, which stays queued for the next one. */
  recordAttempt(id: string, attempt: { attempts: number; error: string; now: string }): Promise<void>;
  /** Gives up a queued message. */
  markFailed(id: string, failure: { error: string; now: string }): Promise<void>;
  /** Deletes the messages delivered, kept or given up before `before` (never a queued one); how many. */
  purgeFinished(before: string): Promise<number>;
}

export function createMailRepository(deps: { executor: Executor }): MailRepository {
  const mails = (executor: Executor = deps.executor) => executor.withTables<MailTables>();

  return {
    async insert(row, executor) {
      await mails(executor).insertInto('platform_mail_outbox').values(row).execute();
    },

    async get(id) {
      if (!isMailId(id)) return undefined;
      return mails().selectFrom('platform_mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async list({ status, limit, before }) {
      let query = mails().selectFrom('platform_mail_outbox').selectAll();
      if (status !== undefined) query = query.where('status', '=', status);
      if (before !== undefined) query = query.where('id', '<', before);
      return query.orderBy('id', 'desc').limit(limit).execute();
    },

    async markDelivered(id, delivery) {
      const result = await mails()
        .updateTable('platform_mail_outbox')
        .set({
          status: delivery.status,
          transport: delivery.transport,
          attempts: delivery.attempts,
          smtp_message_id: delivery.smtpMessageId,
          updated_at: delivery.now,
          sent_at: delivery.now,
        })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async recordAttempt(id, attempt) {
      await mails()
        .updateTable('platform_mail_outbox')
        .set({ attempts: attempt.attempts, last_error: attempt.error, updated_at: attempt.now })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .execute();
    },

    async markFailed(id, failure) {
      await mails()
        .updateTable('platform_mail_outbox')
        .set({ status: 'failed', last_error: failure.error, updated_at: failure.now })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .execute();
    },

    async purgeFinished(before) {
      const result = await mails()
        .deleteFrom('platform_mail_outbox')
        .where('status', 'in', ['sent', 'kept', 'failed'])
        .where('updated_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
