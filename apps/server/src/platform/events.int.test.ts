import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestEnvironment, type TestEnvironment } from '../testing/test-database.ts';
import { createManualClock } from './clock.ts';
import type { Database } from './db/database.ts';
import { createInProcessEventBus, type BureauEvent, type EventBus } from './events.ts';

const clock = createManualClock('2026-11-29T09:00:00.000Z');

describe('In-process event bus', () => {
  let environment: TestEnvironment;
  let database: Database;
  let sut: EventBus;

  beforeEach(async () => {
    environment = await createTestEnvironment();
    database = environment.openDatabase();
    sut = createInProcessEventBus({
      logger: pino({ level: 'silent' }),
      now: () => clock.now(),
    });
  });
  afterEach(() => environment.destroy());

  it('delivers an event published in a transaction once the transaction commits', async () => {
    const received: Array<BureauEvent<'platform.mail.sent'>> = [];
    sut.subscribe('platform.mail.sent', (event) => {
      received.push(event);
    });
    await database.transaction(async (context) => {
      await sql`select 1`.execute(context.executor);
      sut.publish(context, 'platform.mail.sent', { mailId: 'm1', to: ['a@b.fr'], transport: 'outbox' });
      await sut.drain();
      expect(received).toEqual([]);
    });
    await sut.drain();
    expect(received).toEqual([
      {
        name: 'platform.mail.sent',
        payload: { mailId: 'm1', to: ['a@b.fr'], transport: 'outbox' },
        occurredAt: '2026-11-29T09:00:00.000Z',
      },
    ]);
  });

  it('publishes nothing when the transaction rolls back', async () => {
    const received: string[] = [];
    sut.subscribe('platform.mail.sent', (event) => {
      received.push(event.payload.mailId);
    });
    await expect(
      database.transaction(async (context) => {
        sut.publish(context, 'platform.mail.sent', { mailId: 'm2', to: [], transport: 'outbox' });
        await sql`select * from no_such_table`.execute(context.executor);
      }),
    ).rejects.toThrow();
    await sut.drain();
    expect(received).toEqual([]);
  });

  it('keeps delivering to the other subscribers when one fails', async () => {
    const received: string[] = [];
    sut.subscribe('platform.job.failed', () => {
      throw new Error('subscriber bug');
    });
    sut.subscribe('platform.job.failed', (event) => {
      received.push(event.payload.jobId);
    });
    sut.publishNow('platform.job.failed', { jobId: 'j1', type: 'x', attempts: 3, error: 'boom' });
    await sut.drain();
    expect(received).toEqual(['j1']);
  });

  it('stops delivering to a subscriber that unsubscribed', async () => {
    const received: string[] = [];
    const unsubscribe = sut.subscribe('platform.job.failed', (event) => {
      received.push(event.payload.jobId);
    });
    unsubscribe();
    sut.publishNow('platform.job.failed', { jobId: 'j2', type: 'x', attempts: 1, error: 'boom' });
    await sut.drain();
    expect(received).toEqual([]);
  });
});
