import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { createManualClock, type ManualClock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { createMigrationRunner } from '../db/migrations.ts';
import { createInProcessEventBus, type EventBus, type EventMap } from '../events.ts';
import { createIdGenerator } from '../ids.ts';
import { createLogger } from '../logging.ts';
import { platformMigrations } from '../migrations/index.ts';
import { createJobService, type JobService } from '../jobs/jobs.service.ts';
import { createMailService, type MailService } from './mail.service.ts';

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

/** An SMTP server on a free local port that keeps what it receives. */
async function startSmtpServer(options: Partial<SMTPServerOptions> = {}) {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    // Its self-signed certificate would make nodemailer's opportunistic STARTTLS fail.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const envelope = session.envelope;
        received.push({
          from: envelope.mailFrom === false ? '' : envelope.mailFrom.address,
          to: envelope.rcptTo.map((recipient) => recipient.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    received,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Mail', () => {
  let environment: TestEnvironment;
  let database: Database;
  let clock: ManualClock;
  let events: EventBus;
  let jobs: JobService;
  let sent: Array<EventMap['platform.mail.sent']>;
  let failed: Array<EventMap['platform.job.failed']>;
  let logLines: Array<Record<string, unknown>>;
  const cleanups: Array<() => Promise<void>> = [];

  function createService(options: { smtpUrl?: string; maxAttempts?: number } = {}): MailService {
    const logger = createLogger('info', {
      write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>),
    });
    events = createInProcessEventBus({ logger, now: () => clock.now() });
    events.subscribe('platform.mail.sent', (event) => void sent.push(event.payload));
    events.subscribe('platform.job.failed', (event) => void failed.push(event.payload));
    const newId = createIdGenerator(clock);
    jobs = createJobService({ database, clock, newId, logger, events, concurrency: 2, random: () => 0 });
    return createMailService({
      database,
      clock,
      newId,
      logger,
      events,
      jobs,
      config: { smtpUrl: options.smtpUrl, from: 'Bureau <bureau@example.org>' },
      maxAttempts: options.maxAttempts,
    });
  }

  async function smtpServer(options: Partial<SMTPServerOptions> = {}) {
    const server = await startSmtpServer(options);
    cleanups.push(server.close);
    return server;
  }

  beforeEach(async () => {
    environment = await createTestEnvironment();
    database = environment.openDatabase();
    await createMigrationRunner(database, platformMigrations).migrateToLatest();
    clock = createManualClock('2026-12-01T08:00:00.000Z');
    sent = [];
    failed = [];
    logLines = [];
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await environment.destroy();
  });

  it('keeps the message in the development outbox, logs it and lists it when no SMTP server is configured', async () => {
    const sut = createService();
    const { id } = await sut.send({
      to: ['agent@example.org', ' chef@example.org '],
      subject: 'Réinitialisation de votre mot de passe',
      text: 'Suivez ce lien : http://localhost:8080/reset?token=abc',
      html: '<p>Suivez ce lien</p>',
      replyTo: 'support@example.org',
    });
    expect((await sut.get(id))?.status).toBe('queued');

    expect(await jobs.runDue()).toBe(1);

    const message = await sut.get(id);
    expect(message).toMatchObject({
      from: 'Bureau <bureau@example.org>',
      to: ['agent@example.org', 'chef@example.org'],
      replyTo: 'support@example.org',
      subject: 'Réinitialisation de votre mot de passe',
      html: '<p>Suivez ce lien</p>',
      status: 'kept',
      transport: 'outbox',
      attempts: 1,
      lastError: null,
      sentAt: '2026-12-01T08:00:00.000Z',
    });
    expect((await jobs.get(message?.jobId ?? ''))?.status).toBe('succeeded');
    expect((await sut.listOutbox({ limit: 10 })).items.map((item) => item.id)).toEqual([id]);
    expect(logLines).toContainEqual(
      expect.objectContaining({
        level: 'info',
        mailId: id,
        to: ['agent@example.org', 'chef@example.org'],
        subject: 'Réinitialisation de votre mot de passe',
        text: 'Suivez ce lien : http://localhost:8080/reset?token=abc',
      }),
    );
    await events.drain();
    expect(sent).toEqual([{ mailId: id, to: ['agent@example.org', 'chef@example.org'], transport: 'outbox' }]);
  });

  it('lists the outbox newest first, page by page, and by status', async () => {
    const sut = createService();
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      ids.push((await sut.send({ to: ['agent@example.org'], subject: `Message ${index}`, text: 'Bonjour' })).id);
      clock.advance(1);
    }
    const first = await sut.listOutbox({ limit: 2 });
    expect(first.items.map((item) => item.subject)).toEqual(['Message 2', 'Message 1']);
    const second = await sut.listOutbox({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((item) => item.subject)).toEqual(['Message 0']);
    expect(second.nextCursor).toBeNull();

    await jobs.runDue();
    expect((await sut.listOutbox({ status: 'kept', limit: 10 })).items.map((item) => item.id)).toEqual(
      [...ids].reverse(),
    );
    expect((await sut.listOutbox({ status: 'queued', limit: 10 })).items).toEqual([]);
  });

  it('refuses a message with an invalid recipient, reply-to or subject, and records nothing', async () => {
    const sut = createService();
    const base = { to: ['agent@example.org'], subject: 'Objet', text: 'Texte' };

    await expect(sut.send({ ...base, to: ['agent@example.org', 'pas une adresse'] })).rejects.toMatchObject({
      code: 'MAIL_INVALID_RECIPIENT',
      kind: 'invalid',
      details: { address: 'pas une adresse' },
      messages: { fr: '« pas une adresse » n’est pas une adresse électronique valide.' },
    });
    await expect(sut.send({ ...base, to: [] })).rejects.toMatchObject({ code: 'MAIL_NO_RECIPIENT' });
    await expect(
      sut.send({ ...base, to: Array.from({ length: 51 }, (_, index) => `agent${index}@example.org`) }),
    ).rejects.toMatchObject({ code: 'MAIL_TOO_MANY_RECIPIENTS', details: { max: 50 } });
    await expect(sut.send({ ...base, replyTo: 'nobody' })).rejects.toMatchObject({ code: 'MAIL_INVALID_REPLY_TO' });
    await expect(sut.send({ ...base, subject: 'Objet\r\nBcc: victim@example.org' })).rejects.toMatchObject({
      code: 'MAIL_INVALID_MESSAGE',
      details: { field: 'subject' },
    });
    expect((await sut.listOutbox({ limit: 10 })).items).toEqual([]);
    expect(await jobs.counts()).toMatchObject({ queued: 0 });
  });

  it('hands the message to the SMTP server with its sender, recipients, subject and body', async () => {
    const server = await smtpServer();
    const sut = createService({ smtpUrl: server.url });
    const { id } = await sut.send({
      to: ['agent@example.org', 'chef@example.org'],
      subject: 'Your weekly digest',
      text: 'Three new documents are waiting for you.',
      replyTo: 'support@example.org',
    });

    expect(await jobs.runDue()).toBe(1);

    expect(server.received).toHaveLength(1);
    const [mail] = server.received;
    expect(mail?.from).toBe('bureau@example.org');
    expect(mail?.to).toEqual(['agent@example.org', 'chef@example.org']);
    expect(mail?.raw).toMatch(/^From: Bureau <bureau@example\.org>\r$/m);
    expect(mail?.raw).toMatch(/^To: agent@example\.org, chef@example\.org\r$/m);
    expect(mail?.raw).toMatch(/^Reply-To: support@example\.org\r$/m);
    expect(mail?.raw).toMatch(/^Subject: Your weekly digest\r$/m);
    expect(mail?.raw).toContain('Three new documents are waiting for you.');
    expect(await sut.get(id)).toMatchObject({
      status: 'sent',
      transport: 'smtp',
      attempts: 1,
      smtpMessageId: expect.stringMatching(/^<.+@example\.org>$/) as unknown,
      sentAt: '2026-12-01T08:00:00.000Z',
    });
    await events.drain();
    expect(sent).toEqual([{ mailId: id, to: ['agent@example.org', 'chef@example.org'], transport: 'smtp' }]);
  });

  it('retries when the SMTP server refuses the message, then gives up and records why', async () => {
    const server = await smtpServer({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      },
    });
    const sut = createService({ smtpUrl: server.url, maxAttempts: 2 });
    const { id } = await sut.send({ to: ['agent@example.org'], subject: 'Objet', text: 'Texte' });

    expect(await jobs.runDue()).toBe(1);
    const afterFirst = await sut.get(id);
    expect(afterFirst).toMatchObject({
      status: 'queued',
      attempts: 1,
      lastError: expect.stringMatching(/550/) as unknown,
    });
    expect((await jobs.get(afterFirst?.jobId ?? ''))?.status).toBe('failed');

    clock.advance(2000);
    expect(await jobs.runDue()).toBe(1);
    const afterLast = await sut.get(id);
    expect(afterLast).toMatchObject({
      status: 'failed',
      transport: null,
      attempts: 2,
      lastError: expect.stringMatching(/Mailbox unavailable/) as unknown,
      sentAt: null,
    });
    expect((await jobs.get(afterLast?.jobId ?? ''))?.status).toBe('dead');
    expect(server.received).toEqual([]);
    await events.drain();
    expect(sent).toEqual([]);
    expect(failed).toMatchObject([{ jobId: afterLast?.jobId, type: 'platform.mail.send', attempts: 2 }]);
  });

  it('retries when the SMTP server cannot be reached', async () => {
    const server = await startSmtpServer();
    await server.close();
    const sut = createService({ smtpUrl: server.url, maxAttempts: 3 });
    const { id } = await sut.send({ to: ['agent@example.org'], subject: 'Objet', text: 'Texte' });

    expect(await jobs.runDue()).toBe(1);
    expect(await sut.get(id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      lastError: expect.stringMatching(/ECONNREFUSED/) as unknown,
    });
  });

  it('never sends a message asked for in a rolled-back transaction', async () => {
    const server = await smtpServer();
    const sut = createService({ smtpUrl: server.url });

    await expect(
      database.transaction(async (context) => {
        await sut.send({ to: ['agent@example.org'], subject: 'Compte créé', text: 'Bienvenue' }, { context });
        throw new Error('the account could not be created');
      }),
    ).rejects.toThrow('the account could not be created');

    expect(await jobs.runDue()).toBe(0);
    expect((await sut.listOutbox({ limit: 10 })).items).toEqual([]);
    expect(server.received).toEqual([]);

    await database.transaction((context) =>
      sut.send({ to: ['agent@example.org'], subject: 'Compte créé', text: 'Bienvenue' }, { context }),
    );
    expect(await jobs.runDue()).toBe(1);
    expect(server.received).toHaveLength(1);
  });
});
