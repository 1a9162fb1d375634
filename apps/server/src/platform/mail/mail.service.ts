import { createTransport, type SMTPSentMessageInfo, type Transporter } from 'nodemailer';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Database, TransactionContext } from '../db/database.ts';
import { AppError, platformErrors } from '../errors.ts';
import type { EventBus } from '../events.ts';
import type { IdGenerator } from '../ids.ts';
import type { JobExecution, JobService } from '../jobs/jobs.service.ts';
import type { Logger } from '../logging.ts';
import { mailErrors } from './mail.errors.ts';
import {
  createMailRepository,
  isMailId,
  mailStatuses,
  type MailRow,
  type MailStatus,
  type MailTransport,
} from './mail.repository.ts';

export { mailStatuses, type MailStatus, type MailTransport };

/** The job that delivers one message; its payload is `{ mailId }`. */
export const mailSendJobType = 'platform.mail.send';

/** What a module asks to send. Bodies are final: templating and translation happen before. */
export interface MailMessageInput {
  /** Plain addresses (`agent@example.org`), at most 50. */
  to: string[];
  subject: string;
  text: string;
  html?: string;
  replyTo?: string;
}

/** A recorded message, for the administrators' listing and for tests. Instants are ISO-8601 strings. */
export interface MailMessage {
  id: string;
  from: string;
  to: string[];
  replyTo: string | null;
  subject: string;
  text: string;
  html: string | null;
  status: MailStatus;
  /** How it left: null while queued or failed. */
  transport: MailTransport | null;
  jobId: string | null;
  /** Delivery attempts made so far. */
  attempts: number;
  lastError: string | null;
  smtpMessageId: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

export interface MailPage {
  items: MailMessage[];
  /** Pass it as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Outgoing e-mail. `send` records the message and a delivery job in the caller's transaction, so a
 * message exists only if the operation that asked for it committed, and its delivery is retried and
 * survives restarts. Without an SMTP server (development), messages are kept in the outbox and logged.
 */
export interface MailService {
  /**
   * Validates and records a message for delivery (an AppError of `mailErrors` when invalid), and
   * returns its id. With `context`, nothing is sent unless that transaction commits.
   */
  send(message: MailMessageInput, options?: { context?: TransactionContext }): Promise<{ id: string }>;
  get(id: string): Promise<MailMessage | undefined>;
  /** Every recorded message (optionally of one status), newest first; at most 500 a page. */
  listOutbox(query: { status?: MailStatus; limit: number; cursor?: string }): Promise<MailPage>;
  /**
   * Forgets the messages (bodies, addresses) delivered, kept or given up before `before` — the platform's
   * retention sweep; a message still queued stays. How many.
   */
  purgeFinished(before: Date): Promise<number>;
}

export interface MailServiceDependencies {
  database: Database;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
  events: EventBus;
  jobs: JobService;
  /** The `mail` section of the configuration. Without `smtpUrl`, messages stay in the development outbox. */
  config: { smtpUrl?: string | undefined; from: string };
  /** Delivery attempts before a message is given up; 10 (about 17 minutes of retries) by default. */
  maxAttempts?: number;
}

const maxRecipients = 50;
const maxListLimit = 500;
const defaultMaxAttempts = 10;

const address = z.string().trim().pipe(z.email());

const messageSchema = z.object({
  to: z.array(address).min(1).max(maxRecipients),
  subject: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(998, 'must be at most 998 characters')
    .regex(/^[^\r\n]*$/, 'must be a single line'),
  text: z.string().min(1, 'must not be empty'),
  html: z.string().optional(),
  replyTo: address.optional(),
});

const jobPayloadSchema = z.object({ mailId: z.string() });

export function createMailService(deps: MailServiceDependencies): MailService {
  const repository = createMailRepository({ executor: deps.database.executor });
  const logger = deps.logger.child({ component: 'mail' });
  const smtpUrl = deps.config.smtpUrl;
  let transporter: Transporter<SMTPSentMessageInfo> | undefined;

  const now = () => deps.clock.now().toISOString();

  function smtpTransport(url: string): Transporter<SMTPSentMessageInfo> {
    // Not pooled: mail is occasional, and a connection per message leaves nothing open between them.
    transporter ??= createTransport({
      url,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: 60_000,
    });
    return transporter;
  }

  async function deliver(job: JobExecution): Promise<void> {
    const { mailId } = jobPayloadSchema.parse(job.payload);
    const row = await repository.get(mailId);
    if (!row) {
      logger.warn({ mailId, jobId: job.id }, 'the message of a mail job no longer exists');
      return;
    }
    // An earlier attempt delivered it but could not record its job's success.
    if (row.status !== 'queued') return;
    const to = parseRecipients(row);

    if (smtpUrl === undefined) {
      if (
        await repository.markDelivered(mailId, {
          status: 'kept',
          transport: 'outbox',
          attempts: job.attempt,
          smtpMessageId: null,
          now: now(),
        })
      ) {
        // Development mode: the text goes to the logs so that a developer can follow the links it carries.
        logger.info(
          { mailId, to, subject: row.subject, text: row.text_body },
          'mail kept in the development outbox (no SMTP server configured)',
        );
        deps.events.publishNow('platform.mail.sent', { mailId, to, transport: 'outbox' });
      }
      return;
    }

    let messageId: string;
    let rejected: string[];
    try {
      const info = await smtpTransport(smtpUrl).sendMail({
        from: row.from_address,
        to,
        subject: row.subject,
        text: row.text_body,
        ...(row.html_body === null ? {} : { html: row.html_body }),
        ...(row.reply_to === null ? {} : { replyTo: row.reply_to }),
      });
      messageId = info.messageId;
      rejected = info.rejected;
    } catch (error) {
      await repository.recordAttempt(mailId, { attempts: job.attempt, error: describeError(error), now: now() });
      throw error;
    }
    const recorded = await repository.markDelivered(mailId, {
      status: 'sent',
      transport: 'smtp',
      attempts: job.attempt,
      smtpMessageId: messageId,
      now: now(),
    });
    if (!recorded) return;
    if (rejected.length > 0) {
      // Retrying would send the message again to those who accepted it.
      logger.warn({ mailId, rejected }, 'the SMTP server refused some recipients of a message');
    }
    logger.info({ mailId, recipients: to.length, smtpMessageId: messageId }, 'mail handed to the SMTP server');
    deps.events.publishNow('platform.mail.sent', { mailId, to, transport: 'smtp' });
  }

  deps.jobs.register(mailSendJobType, deliver, {
    maxAttempts: deps.maxAttempts ?? defaultMaxAttempts,
    onDead: async (job) => {
      const parsed = jobPayloadSchema.safeParse(job.payload);
      if (!parsed.success) return;
      await repository.markFailed(parsed.data.mailId, { error: job.error, now: now() });
      logger.error({ mailId: parsed.data.mailId, attempts: job.attempts, error: job.error }, 'mail given up');
    },
  });

  function toMessage(row: MailRow): MailMessage {
    return {
      id: row.id,
      from: row.from_address,
      to: parseRecipients(row),
      replyTo: row.reply_to,
      subject: row.subject,
      text: row.text_body,
      html: row.html_body,
      status: row.status,
      transport: row.transport,
      jobId: row.job_id,
      attempts: row.attempts,
      lastError: row.last_error,
      smtpMessageId: row.smtp_message_id,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      sentAt: row.sent_at,
    };
  }

  return {
    async send(input, options = {}) {
      const message = parseMessage(input);
      const id = deps.newId();
      const record = async (context: TransactionContext) => {
        const jobId = await deps.jobs.enqueue(mailSendJobType, { mailId: id }, { context });
        const createdAt = now();
        await repository.insert(
          {
            id,
            from_address: deps.config.from,
            recipients: JSON.stringify(message.to),
            reply_to: message.replyTo ?? null,
            subject: message.subject,
            text_body: message.text,
            html_body: message.html ?? null,
            status: 'queued',
            transport: null,
            job_id: jobId,
            attempts: 0,
            last_error: null,
            smtp_message_id: null,
            created_at: createdAt,
            updated_at: createdAt,
            sent_at: null,
          },
          context.executor,
        );
      };
      await deps.database.transaction(record, options.context);
      return { id };
    },

    async get(id) {
      const row = await repository.get(id);
      return row && toMessage(row);
    },

    async listOutbox({ status, limit, cursor }) {
      if (cursor !== undefined && !isMailId(cursor)) {
        throw platformErrors.create('VALIDATION_FAILED', { field: 'cursor' });
      }
      const size = Math.min(Math.max(Math.trunc(limit), 1), maxListLimit);
      const rows = await repository.list({ status, limit: size + 1, before: cursor });
      const items = rows.slice(0, size).map(toMessage);
      return { items, nextCursor: rows.length > size ? (items.at(-1)?.id ?? null) : null };
    },

    purgeFinished(before) {
      return repository.purgeFinished(before.toISOString());
    },
  };
}

function parseRecipients(row: MailRow): string[] {
  return z.array(z.string()).parse(JSON.parse(row.recipients));
}

/** Turns the first problem zod finds into the mail error that names it. */
function parseMessage(input: MailMessageInput): z.output<typeof messageSchema> {
  const result = messageSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const [field, index] = issue?.path ?? [];
  if (field === 'to' && typeof index === 'number') {
    return fail('MAIL_INVALID_RECIPIENT', { address: String(input.to[index]) });
  }
  if (field === 'to' && issue?.code === 'too_small') return fail('MAIL_NO_RECIPIENT');
  if (field === 'to' && issue?.code === 'too_big') return fail('MAIL_TOO_MANY_RECIPIENTS', { max: maxRecipients });
  if (field === 'replyTo') return fail('MAIL_INVALID_REPLY_TO', { address: String(input.replyTo) });
  return fail('MAIL_INVALID_MESSAGE', { field: String(field ?? 'message'), reason: issue?.message ?? 'invalid' });
}

function fail(code: Parameters<typeof mailErrors.create>[0], details?: Record<string, unknown>): never {
  throw mailErrors.create(code, details);
}

function describeError(error: unknown): string {
  if (error instanceof AppError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
