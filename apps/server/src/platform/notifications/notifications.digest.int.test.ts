import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createNotificationsTestbed,
  memberAddedType,
  publicUrl,
  signInType,
  type NotificationsTestbed,
  type SignedIn,
} from './notifications.test-support.ts';
import { notificationDigestJobType } from './notifications.service.ts';

describe('Notifications: the e-mail digest', () => {
  let bed: NotificationsTestbed;

  beforeEach(async () => {
    // 2026-12-01T08:00:00Z, a Tuesday: daily digests go out at 06:00 UTC, weekly ones on Mondays.
    bed = await createNotificationsTestbed();
  });
  afterEach(async () => {
    await bed.destroy();
  });

  const addedToGroup = (recipient: SignedIn, groupName: string, actor?: SignedIn) =>
    bed.notifications.notify({
      type: memberAddedType,
      recipientId: recipient.userId,
      params: { groupId: `group-${groupName}`, groupName },
      actorId: actor?.userId ?? null,
    });

  const outbox = async () => (await bed.app.platform.mail.listOutbox({ limit: 50 })).items.reverse();

  const scheduledDigests = async () =>
    (await bed.app.platform.jobs.list({ type: notificationDigestJobType, limit: 50 })).items
      .filter((job) => job.status === 'queued')
      .map((job) => job.payload);

  const setPreferences = (as: SignedIn, payload: Record<string, unknown>) =>
    bed.app.http.inject({
      method: 'PUT',
      url: '/api/notifications/preferences',
      headers: { cookie: as.cookie, origin: publicUrl },
      payload,
    });

  it('mails the unread notifications once, at the next daily time, and never twice', async () => {
    const a = await addedToGroup(bed.agnes, 'A', bed.bruno);
    bed.clock.advance(1000);
    await addedToGroup(bed.agnes, 'B');
    bed.clock.advance(1000);
    const c = await addedToGroup(bed.agnes, 'C');
    // Not for e-mail by default.
    await bed.notifications.notify({ type: signInType, recipientId: bed.agnes.userId, params: { ip: '192.0.2.1' } });
    await bed.app.http.inject({
      method: 'POST',
      url: `/api/notifications/${c.ids[0] ?? ''}/read`,
      headers: { cookie: bed.agnes.cookie, origin: publicUrl },
    });

    // One digest scheduled, however many notifications wait for it.
    expect(await scheduledDigests()).toEqual([{ userId: bed.agnes.userId, dueAt: '2026-12-02T06:00:00.000Z' }]);
    expect(await bed.app.platform.jobs.runDue()).toBe(0);

    bed.clock.set('2026-12-02T06:00:00.000Z');
    await bed.app.platform.jobs.runDue();
    const mails = await outbox();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      to: ['agnes@tests.gouv.fr'],
      subject: 'Bureau : 2 notifications non lues',
      status: 'kept',
    });
    expect(mails[0]?.text).toBe(
      [
        'Bonjour Agnès Agent,',
        '',
        '2 notifications vous attendent dans Bureau :',
        '',
        '- Vous avez été ajouté au groupe « A »',
        '  Ajouté par Bruno Bureau.',
        `  ${publicUrl}/groups/group-A`,
        '- Vous avez été ajouté au groupe « B »',
        `  ${publicUrl}/groups/group-B`,
        '',
        `Toutes vos notifications : ${publicUrl}/notifications`,
        '',
        'Vous recevez ce récapitulatif selon vos préférences de notification, modifiables depuis la même page.',
        '',
      ].join('\n'),
    );

    // A job run again (delivery is at least once) and the next run send nothing new.
    await bed.app.platform.jobs.enqueue(notificationDigestJobType, {
      userId: bed.agnes.userId,
      dueAt: '2026-12-02T06:00:00.000Z',
    });
    await bed.app.platform.jobs.runDue();
    bed.clock.set('2026-12-03T06:00:00.000Z');
    await bed.app.platform.jobs.runDue();
    expect(await outbox()).toHaveLength(1);
    // Mailed is not read: the inbox still shows A and B unread, and the sign-in notification.
    expect(await bed.notifications.unreadCount(bed.agnes.userId)).toBe(3);

    // A later notification goes in the next digest, alone.
    const d = await addedToGroup(bed.agnes, 'D');
    expect(a.ids).toHaveLength(1);
    expect(d.ids).toHaveLength(1);
    expect(await scheduledDigests()).toEqual([{ userId: bed.agnes.userId, dueAt: '2026-12-04T06:00:00.000Z' }]);
    bed.clock.set('2026-12-04T06:00:00.000Z');
    await bed.app.platform.jobs.runDue();
    const later = await outbox();
    expect(later).toHaveLength(2);
    expect(later[1]?.subject).toBe('Bureau : 1 notification non lue');
    expect(later[1]?.text).toContain('« D »');
    expect(later[1]?.text).not.toContain('« A »');
  });

  it('writes a weekly digest in the chosen language, including notifications kept for e-mail only', async () => {
    const changed = await setPreferences(bed.agnes, {
      digest: 'weekly',
      emailLocale: 'en',
      types: [{ type: memberAddedType, inApp: false, email: true }],
    });
    expect(changed.statusCode).toBe(200);
    await addedToGroup(bed.agnes, 'Juristes', bed.bruno);

    bed.clock.set('2026-12-02T06:00:00.000Z');
    await bed.app.platform.jobs.runDue();
    expect(await outbox()).toEqual([]);

    bed.clock.set('2026-12-07T06:00:00.000Z');
    await bed.app.platform.jobs.runDue();
    const [mail] = await outbox();
    expect(mail?.subject).toBe('Bureau: 1 unread notification');
    expect(mail?.text).toContain('Hello Agnès Agent,');
    expect(mail?.text).toContain('- You were added to the group “Juristes”\n  Added by Bruno Bureau.');
  });

  it('sends nothing when the digest is off, the notifications were read, or the account is deactivated', async () => {
    expect((await setPreferences(bed.bruno, { digest: 'off' })).statusCode).toBe(200);
    await addedToGroup(bed.bruno, 'Off');
    expect(await scheduledDigests()).toEqual([]);

    const read = await addedToGroup(bed.agnes, 'Read');
    await bed.app.http.inject({
      method: 'POST',
      url: '/api/notifications/read-all',
      headers: { cookie: bed.agnes.cookie, origin: publicUrl },
      payload: {},
    });
    expect(read.ids).toHaveLength(1);

    bed.clock.set('2026-12-02T06:00:00.000Z');
    await bed.app.platform.jobs.runDue();
    expect(await outbox()).toEqual([]);

    await addedToGroup(bed.agnes, 'Gone');
    await bed.app.identity.directory.deactivateUser(bed.agnes.userId, { system: true, label: 'test' });
    bed.clock.set('2026-12-03T06:00:00.000Z');
    await bed.app.platform.jobs.runDue();
    expect(await outbox()).toEqual([]);
  });

  it('moves the scheduled digest when the frequency changes', async () => {
    await addedToGroup(bed.agnes, 'A');
    expect(await scheduledDigests()).toEqual([{ userId: bed.agnes.userId, dueAt: '2026-12-02T06:00:00.000Z' }]);
    expect((await setPreferences(bed.agnes, { digest: 'weekly' })).statusCode).toBe(200);

    bed.clock.set('2026-12-02T06:00:00.000Z');
    await bed.app.platform.jobs.runDue();
    expect(await outbox()).toEqual([]);

    bed.clock.set('2026-12-07T06:00:00.000Z');
    await bed.app.platform.jobs.runDue();
    expect((await outbox()).map((mail) => mail.subject)).toEqual(['Bureau : 1 notification non lue']);
  });
});
