import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { createManualClock, type ManualClock } from '../clock.ts';
import { platformRetentionDays, retentionJobType } from './retention.ts';

const system = { system: true, label: 'test' };
const day = 86_400_000;

/** The platform forgets what it no longer needs, each kind of row after its own time. */
describe('Platform retention sweep', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let clock: ManualClock;
  let aliceId: string;

  const sweep = async () => {
    await app.platform.jobs.enqueue(retentionJobType, {});
    await app.platform.jobs.runDue();
  };
  const jobsOf = async (type: string) =>
    (await app.platform.jobs.list({ type, limit: 50 })).items.map((job) => job.status).sort();
  const outbox = async () => (await app.platform.mail.listOutbox({ limit: 50 })).items.map((mail) => mail.subject);
  const inbox = async () =>
    (await app.platform.notifications.list(aliceId, { limit: 50 }, 'fr')).items.map((item) => ({
      title: item.title,
      isRead: item.readAt !== null,
    }));

  beforeAll(async () => {
    environment = await createTestEnvironment({ BUREAU_LOG_LEVEL: 'fatal' });
    clock = createManualClock(new Date('2026-12-01T09:00:00.000Z'));
    app = await buildApp(environment.config, { clock });
    await app.migrate();
    await app.identity.directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
    aliceId = (await app.identity.directory.createUser({ email: 'alice@min.gouv.fr', displayName: 'Alice' }, system))
      .id;
  });

  afterAll(async () => {
    await app.close();
    await environment.destroy();
  });

  it('deletes finished jobs, delivered mail and old notifications, each after its own time', async () => {
    const { jobs, mail, notifications } = app.platform;
    jobs.register('test.retention.ok', () => Promise.resolve());
    jobs.register('test.retention.broken', () => Promise.reject(new Error('en panne')), { maxAttempts: 1 });
    await jobs.enqueue('test.retention.ok', {});
    await jobs.enqueue('test.retention.broken', {});
    await mail.send({ to: ['alice@min.gouv.fr'], subject: 'Bienvenue', text: 'Bonjour' });
    await mail.send({ to: ['alice@min.gouv.fr'], subject: 'Rappel', text: 'Bonjour' });
    await jobs.runDue();
    const comment = (title: string) => ({
      type: 'docs.comment.added',
      recipientId: aliceId,
      params: { documentId: '0193a6f0-0000-7000-8000-000000000001', documentTitle: title, threadId: 't', excerpt: '' },
    });
    const [read] = (await notifications.notify(comment('Note lue'))).ids;
    await notifications.notify(comment('Note non lue'));
    await notifications.markRead(aliceId, read!, 'fr');
    expect(await jobsOf('test.retention.ok')).toEqual(['succeeded']);
    expect(await jobsOf('test.retention.broken')).toEqual(['dead']);
    expect((await outbox()).sort()).toEqual(['Bienvenue', 'Rappel']);

    clock.advance(platformRetentionDays.succeededJobs * day + 60_000);
    await sweep();
    expect(await jobsOf('test.retention.ok')).toEqual([]);
    expect(await jobsOf('test.retention.broken')).toEqual(['dead']);
    expect((await outbox()).length).toBe(2);

    clock.advance((platformRetentionDays.deadJobs - platformRetentionDays.succeededJobs) * day);
    await mail.send({ to: ['alice@min.gouv.fr'], subject: 'Récent', text: 'Bonjour' });
    await sweep();
    expect(await jobsOf('test.retention.broken')).toEqual([]);
    expect(await outbox()).toEqual(['Récent']);
    expect(await inbox()).toHaveLength(2);

    clock.advance((platformRetentionDays.readNotifications - platformRetentionDays.deadJobs) * day);
    await sweep();
    expect(await inbox()).toEqual([{ title: expect.stringContaining('Note non lue') as string, isRead: false }]);

    clock.advance((platformRetentionDays.notifications - platformRetentionDays.readNotifications) * day);
    await sweep();
    expect(await inbox()).toEqual([]);
    // Each sweep leaves the next one queued, a day later.
    expect(await jobsOf(retentionJobType)).toContain('queued');
  });
});
