import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatTables } from '../chat.tables.ts';
import {
  aliceWebSession,
  apiKeyHeaders,
  canRead,
  createChatWorld,
  invite,
  join,
  roomResource,
  statePath,
  type ChatWorld,
} from './chat-world.test-support.ts';

describe('Rooms as resources of the permission model', () => {
  let world: ChatWorld;

  beforeEach(async () => {
    world = await createChatWorld({ organisationLabel: 'sensitive' });
  });

  afterEach(async () => {
    await world.close();
  });

  it('registers each room with its creator’s organisation and lets exactly its joined members read it', async () => {
    const { app, alice, bob, carol, userIds } = world;
    const roomId = await alice.createRoom({ name: 'Cellule de crise', invite: [bob.userId] });
    const resource = await app.platform.authz.getResource(await roomResource(app, roomId));
    expect(resource?.organisationId).toBe(world.organisationId);
    expect(await canRead(app, userIds.alice, roomId)).toBe(true);
    // Invited is not joined: no access yet.
    expect(await canRead(app, userIds.bob, roomId)).toBe(false);
    await join(bob, roomId);
    expect(await canRead(app, userIds.bob, roomId)).toBe(true);
    expect(await canRead(app, userIds.carol, roomId)).toBe(false);

    await bob.ok('POST', `rooms/${encodeURIComponent(roomId)}/leave`, {});
    expect(await canRead(app, userIds.bob, roomId)).toBe(false);

    await invite(alice, roomId, carol.userId);
    await join(carol, roomId);
    expect(await canRead(app, userIds.carol, roomId)).toBe(true);
    await alice.ok('POST', `rooms/${encodeURIComponent(roomId)}/kick`, { user_id: carol.userId });
    expect(await canRead(app, userIds.carol, roomId)).toBe(false);
    await alice.ok('POST', `rooms/${encodeURIComponent(roomId)}/invite`, { user_id: carol.userId });
    await join(carol, roomId);
    await alice.ok('POST', `rooms/${encodeURIComponent(roomId)}/ban`, { user_id: carol.userId });
    expect(await canRead(app, userIds.carol, roomId)).toBe(false);

    const grants = await app.platform.authz.listGrants(await roomResource(app, roomId));
    expect(grants.map((grant) => [grant.principal, grant.role])).toEqual([
      [{ kind: 'user', id: userIds.alice }, 'admin'],
    ]);
  });

  it('registers at start the rooms that have no resource yet, with their joined members', async () => {
    const { app, alice, bob, userIds } = world;
    const roomId = await alice.createRoom({ name: 'Ancien salon', invite: [bob.userId] });
    await join(bob, roomId);
    const before = await roomResource(app, roomId);
    await app.platform.database.executor
      .withTables<ChatTables>()
      .updateTable('chat_rooms')
      .set({ resource_id: null })
      .where('room_id', '=', roomId)
      .execute();
    await app.migrate();
    const after = await roomResource(app, roomId);
    expect(after.id).not.toBe(before.id);
    const grants = await app.platform.authz.listGrants(after);
    expect(grants.map((grant) => [grant.principal, grant.role])).toEqual(
      expect.arrayContaining([
        [{ kind: 'user', id: userIds.alice }, 'admin'],
        [{ kind: 'user', id: userIds.bob }, 'member'],
      ]),
    );
    expect(await canRead(app, userIds.bob, roomId)).toBe(true);
  });

  it('shows the organisation’s default label in the room and lets administrators, not members, change it', async () => {
    const { app, alice, bob, userIds } = world;
    const roomId = await alice.createRoom({ name: 'Budget', invite: [bob.userId] });
    await join(bob, roomId);
    const resource = await roomResource(app, roomId);
    expect(await app.platform.authz.effectiveLabel(resource)).toBe('sensitive');
    expect(await alice.ok('GET', statePath(roomId, 'fr.gouv.bureau.sensitivity'))).toEqual({ level: 'sensitive' });

    // A member (power 0) may not; the platform label does not move.
    const byMember = await bob.request('PUT', statePath(roomId, 'fr.gouv.bureau.sensitivity'), { level: 'public' });
    expect(byMember).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    expect(await app.platform.authz.effectiveLabel(resource)).toBe('sensitive');

    // The administrator raises it over Matrix: the platform label changes, audited, and the room shows it.
    const raised = await alice.ok<{ event_id: string }>('PUT', statePath(roomId, 'fr.gouv.bureau.sensitivity'), {
      level: 'restricted',
    });
    expect(raised.event_id).toMatch(/^\$/);
    expect(await app.platform.authz.effectiveLabel(resource)).toBe('restricted');
    expect(await bob.ok('GET', statePath(roomId, 'fr.gouv.bureau.sensitivity'))).toEqual({ level: 'restricted' });
    const audit = await app.platform.audit.query({ action: 'sensitivity.label.raised', limit: 10 });
    expect(audit.items.map((entry) => [entry.actor.userId, entry.target?.id, entry.outcome])).toEqual([
      [userIds.alice, resource.id, 'success'],
    ]);

    // Bureau's web API: the member reads it, cannot change it; the administrator lowers it.
    const bobWeb = await apiKeyHeaders(app, userIds.bob);
    const read = await app.http.inject({
      method: 'GET',
      url: `/api/chat/rooms/${encodeURIComponent(roomId)}/sensitivity`,
      headers: bobWeb,
    });
    expect(read.json()).toEqual({ roomId, level: 'restricted', canChange: false });
    const refused = await app.http.inject({
      method: 'PUT',
      url: `/api/chat/rooms/${encodeURIComponent(roomId)}/sensitivity`,
      headers: bobWeb,
      payload: { level: 'internal' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'CHAT_ROOM_LABEL_FORBIDDEN' } });
    const aliceWeb = await aliceWebSession(app);
    const lowered = await app.http.inject({
      method: 'PUT',
      url: `/api/chat/rooms/${encodeURIComponent(roomId)}/sensitivity`,
      headers: aliceWeb,
      payload: { level: 'internal' },
    });
    expect(lowered.json()).toEqual({ roomId, level: 'internal', canChange: true });
    expect(await app.platform.authz.effectiveLabel(resource)).toBe('internal');
    expect(await bob.ok('GET', statePath(roomId, 'fr.gouv.bureau.sensitivity'))).toEqual({ level: 'internal' });

    // Someone outside the room learns nothing.
    const carolWeb = await apiKeyHeaders(app, userIds.carol);
    const outside = await app.http.inject({
      method: 'GET',
      url: `/api/chat/rooms/${encodeURIComponent(roomId)}/sensitivity`,
      headers: carolWeb,
    });
    expect(outside.statusCode).toBe(404);
  });

  it('refuses a sensitivity state event that does not state the platform’s label, and its redaction', async () => {
    const { alice } = world;
    const roomId = await alice.createRoom({ name: 'Note' });
    const forged = await alice.request(
      'PUT',
      `rooms/${encodeURIComponent(roomId)}/state/fr.gouv.bureau.sensitivity/x`,
      {
        level: 'public',
      },
    );
    expect(forged).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    const atCreation = await alice.request('POST', 'createRoom', {
      initial_state: [{ type: 'fr.gouv.bureau.sensitivity', state_key: '', content: { level: 'public' } }],
    });
    expect(atCreation).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
    const state = await alice.ok<Array<{ type: string; event_id: string }>>(
      'GET',
      `rooms/${encodeURIComponent(roomId)}/state`,
    );
    const labelEvent = state.find((event) => event.type === 'fr.gouv.bureau.sensitivity');
    const redaction = await alice.request(
      'PUT',
      `rooms/${encodeURIComponent(roomId)}/redact/${encodeURIComponent(labelEvent?.event_id ?? '')}/r1`,
      {},
    );
    expect(redaction).toMatchObject({ status: 403, body: { errcode: 'M_FORBIDDEN' } });
  });
});
