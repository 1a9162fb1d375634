import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../../app.ts';
import type { ChatTables } from '../chat.tables.ts';
import type { IntegrationTables } from './integration.tables.ts';
import {
  apiKeyHeaders,
  createChatWorld,
  join,
  roomResource,
  statePath,
  type ChatWorld,
} from './chat-world.test-support.ts';

interface SearchBody {
  items: Array<{ type: string; id: string; title: string; url: string; label: string | null }>;
}

async function searchAs(app: BureauApp, headers: Record<string, string>, q: string, type?: string) {
  const query = new URLSearchParams({ q, ...(type ? { type } : {}) });
  const response = await app.http.inject({ method: 'GET', url: `/api/search?${query.toString()}`, headers });
  if (response.statusCode !== 200) throw new Error(`search answered ${response.statusCode}: ${response.body}`);
  return response.json<SearchBody>().items;
}

/**
 * Takes a message out of the index and puts it back in the queue, as a process that stopped after the
 * commit and before its indexing pass would have left it.
 */
async function requeue(app: BureauApp, roomId: string, eventId: string, headers: Record<string, string>) {
  // A search first: it waits for the pass indexing the message.
  await searchAs(app, headers, 'dépêche');
  const executor = app.platform.database.executor;
  const event = await executor
    .withTables<ChatTables>()
    .selectFrom('chat_events')
    .select('stream_ordering')
    .where('event_id', '=', eventId)
    .executeTakeFirstOrThrow();
  await app.platform.search.remove('chat.message', eventId);
  await executor
    .withTables<IntegrationTables>()
    .insertInto('chat_search_queue')
    .values({ stream_ordering: Number(event.stream_ordering), room_id: roomId, event_id: eventId })
    .execute();
}

async function queued(app: BureauApp): Promise<string[]> {
  const rows = await app.platform.database.executor
    .withTables<IntegrationTables>()
    .selectFrom('chat_search_queue')
    .select('event_id')
    .execute();
  return rows.map((row) => row.event_id);
}

describe('Chat in the unified search', () => {
  let world: ChatWorld;
  let headers: Record<'alice' | 'bob' | 'carol', Record<string, string>>;

  beforeEach(async () => {
    world = await createChatWorld();
    headers = {
      alice: await apiKeyHeaders(world.app, world.userIds.alice),
      bob: await apiKeyHeaders(world.app, world.userIds.bob),
      carol: await apiKeyHeaders(world.app, world.userIds.carol),
    };
  });

  afterEach(async () => {
    await world.close();
  });

  it('titles a message with the room’s current name, also after the name event was redacted', async () => {
    const { app, alice, bob } = world;
    const roomId = await alice.createRoom({ name: 'Cellule provisoire', invite: [bob.userId] });
    await join(bob, roomId);
    await alice.send(roomId, { msgtype: 'm.text', body: 'Premier compte rendu' });
    expect((await searchAs(app, headers.bob, 'premier'))[0]?.title).toBe('Cellule provisoire — Alice Martin');
    const name = await app.platform.database.executor
      .withTables<ChatTables>()
      .selectFrom('chat_current_state')
      .select('event_id')
      .where('room_id', '=', roomId)
      .where('type', '=', 'm.room.name')
      .executeTakeFirstOrThrow();
    await alice.ok('PUT', `rooms/${encodeURIComponent(roomId)}/redact/${encodeURIComponent(name.event_id)}/r1`, {});
    await alice.send(roomId, { msgtype: 'm.text', body: 'Second compte rendu' });
    const title = (await searchAs(app, headers.bob, 'second'))[0]?.title;
    expect(title).toBeDefined();
    expect(title).not.toContain('Cellule provisoire');
  });

  it('finds a message and its room for joined members only, never after they leave, and forgets redacted text', async () => {
    const { app, alice, bob } = world;
    const roomId = await alice.createRoom({
      name: 'Cellule budgétaire',
      topic: 'Préparation du budget',
      invite: [bob.userId],
    });
    await join(bob, roomId);
    const eventId = await alice.send(roomId, {
      msgtype: 'm.text',
      body: 'Le rapport sur la déclaration des impôts est prêt',
    });

    const found = await searchAs(app, headers.bob, 'déclaration');
    expect(found).toEqual([
      expect.objectContaining({
        type: 'chat.message',
        id: eventId,
        title: 'Cellule budgétaire — Alice Martin',
        url: `/messagerie/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`,
        label: 'internal',
      }),
    ]);
    expect(await searchAs(app, headers.bob, 'budgétaire', 'chat.room')).toEqual([
      expect.objectContaining({
        id: roomId,
        title: 'Cellule budgétaire',
        url: `/messagerie/${encodeURIComponent(roomId)}`,
      }),
    ]);
    expect(await searchAs(app, headers.carol, 'déclaration')).toEqual([]);
    expect(await searchAs(app, headers.carol, 'budgétaire')).toEqual([]);

    // An edit replaces the text; a redaction removes it.
    await alice.send(roomId, {
      msgtype: 'm.text',
      body: '* Le rapport sur la fiscalité locale est prêt',
      'm.new_content': { msgtype: 'm.text', body: 'Le rapport sur la fiscalité locale est prêt' },
      'm.relates_to': { rel_type: 'm.replace', event_id: eventId },
    });
    expect(await searchAs(app, headers.bob, 'déclaration')).toEqual([]);
    expect((await searchAs(app, headers.bob, 'fiscalité')).map((item) => item.id)).toEqual([eventId]);
    const second = await alice.send(roomId, { msgtype: 'm.text', body: 'Une erreur de saisie regrettable' });
    expect((await searchAs(app, headers.bob, 'regrettable')).map((item) => item.id)).toEqual([second]);
    await alice.ok('PUT', `rooms/${encodeURIComponent(roomId)}/redact/${encodeURIComponent(second)}/redact-1`, {});
    expect(await searchAs(app, headers.alice, 'regrettable')).toEqual([]);

    await bob.ok('POST', `rooms/${encodeURIComponent(roomId)}/leave`, {});
    expect(await searchAs(app, headers.bob, 'fiscalité')).toEqual([]);
    expect(await searchAs(app, headers.alice, 'fiscalité')).toHaveLength(1);
  });

  it('never indexes encrypted rooms, nor history that later members could not read', async () => {
    const { app, alice } = world;
    const encrypted = await alice.createRoom({
      name: 'Salon chiffré',
      initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    });
    await alice.send(encrypted, { msgtype: 'm.text', body: 'Un texte confidentiel en clair' });
    expect(await searchAs(app, headers.alice, 'confidentiel')).toEqual([]);
    expect(await searchAs(app, headers.alice, 'chiffré')).toEqual([]);

    // Turning encryption on removes what was indexed before.
    const later = await alice.createRoom({ name: 'Salon bientôt chiffré' });
    await alice.send(later, { msgtype: 'm.text', body: 'Message avant le chiffrement' });
    expect(await searchAs(app, headers.alice, 'chiffrement', 'chat.message')).toHaveLength(1);
    await alice.ok('PUT', statePath(later, 'm.room.encryption'), { algorithm: 'm.megolm.v1.aes-sha2' });
    expect(await searchAs(app, headers.alice, 'chiffrement')).toEqual([]);
    expect(await searchAs(app, headers.alice, 'bientôt')).toEqual([]);

    const joinedOnly = await alice.createRoom({ name: 'Historique restreint' });
    await alice.ok('PUT', statePath(joinedOnly, 'm.room.history_visibility'), { history_visibility: 'joined' });
    await alice.send(joinedOnly, { msgtype: 'm.text', body: 'Ce message reste hors de la recherche' });
    expect(await searchAs(app, headers.alice, 'recherche')).toEqual([]);
  });

  it('shows a room’s new label on its results once the room is re-indexed', async () => {
    const { app, alice } = world;
    const roomId = await alice.createRoom({ name: 'Marchés publics' });
    await alice.send(roomId, { msgtype: 'm.text', body: 'Analyse des offres reçues' });
    expect((await searchAs(app, headers.alice, 'offres')).map((item) => item.label)).toEqual(['internal']);
    await alice.ok('PUT', statePath(roomId, 'fr.gouv.bureau.sensitivity'), { level: 'sensitive' });
    await app.platform.jobs.runDue();
    expect((await searchAs(app, headers.alice, 'offres')).map((item) => item.label)).toEqual(['sensitive']);
    expect((await searchAs(app, headers.alice, 'marchés', 'chat.room')).map((item) => item.label)).toEqual([
      'sensitive',
    ]);
  });

  it('indexes messages from a queue after their commit, also one an earlier process left, and never one redacted or encrypted while queued', async () => {
    const { app, alice } = world;
    const roomId = await alice.createRoom({ name: 'Salle des dépêches' });
    const first = await alice.send(roomId, { msgtype: 'm.text', body: 'Dépêche de la préfecture' });
    // A search waits for this process's queue: a sent message is found at once.
    expect((await searchAs(app, headers.alice, 'préfecture')).map((item) => item.id)).toEqual([first]);
    expect(await queued(app)).toEqual([]);

    // Redacted, or its room encrypted, while queued: never indexed.
    const redacted = await alice.send(roomId, { msgtype: 'm.text', body: 'Dépêche retirée du fil' });
    await requeue(app, roomId, redacted, headers.alice);
    await alice.ok('PUT', `rooms/${encodeURIComponent(roomId)}/redact/${encodeURIComponent(redacted)}/r-q`, {});
    expect(await queued(app)).toEqual([]);
    expect(await searchAs(app, headers.alice, 'retirée')).toEqual([]);
    const secret = await alice.createRoom({ name: 'Salle bientôt chiffrée' });
    const before = await alice.send(secret, { msgtype: 'm.text', body: 'Dépêche avant chiffrement' });
    await requeue(app, secret, before, headers.alice);
    await alice.ok('PUT', statePath(secret, 'm.room.encryption'), { algorithm: 'm.megolm.v1.aes-sha2' });
    expect(await queued(app)).toEqual([]);
    expect(await searchAs(app, headers.alice, 'chiffrement')).toEqual([]);

    // Left in the queue by a process that stopped: the next one indexes it.
    const left = await alice.send(roomId, { msgtype: 'm.text', body: 'Dépêche du rectorat' });
    await requeue(app, roomId, left, headers.alice);
    expect(await queued(app)).toEqual([left]);
    await app.close();
    const next = await buildApp(world.environment.config);
    try {
      await next.migrate();
      const nextHeaders = await apiKeyHeaders(next, world.userIds.alice);
      expect((await searchAs(next, nextHeaders, 'rectorat')).map((item) => item.id)).toEqual([left]);
      expect(await queued(next)).toEqual([]);
    } finally {
      await next.close();
    }
  });

  // SQLite runs one transaction at a time: a pass can only run before or after a redaction there.
  it.runIf(process.env['BUREAU_TEST_DIALECT'] === 'postgres')(
    'makes a redaction wait for a pass that holds the message, then removes what the pass wrote (PostgreSQL)',
    async () => {
      const { app, alice } = world;
      const roomId = await alice.createRoom({ name: 'Salle des courses' });
      const eventId = await alice.send(roomId, { msgtype: 'm.text', body: 'Dépêche en course' });
      await requeue(app, roomId, eventId, headers.alice);
      // A pass in flight: it holds the queued row and has written the document, not committed yet.
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      let holding = () => {};
      const held = new Promise<void>((resolve) => (holding = resolve));
      const resource = await roomResource(app, roomId);
      const pass = app.platform.database.transaction(async (transaction) => {
        await transaction.executor
          .withTables<IntegrationTables>()
          .selectFrom('chat_search_queue')
          .select('stream_ordering')
          .forUpdate()
          .execute();
        await app.platform.search.index(
          {
            type: 'chat.message',
            id: eventId,
            title: 'Salle des courses — Alice Martin',
            text: 'Dépêche en course',
            resource,
            label: 'internal',
            url: `/messagerie/${encodeURIComponent(roomId)}/${encodeURIComponent(eventId)}`,
            updatedAt: new Date(),
          },
          { context: transaction },
        );
        holding();
        await released;
      });
      await held;
      const redaction = alice.ok(
        'PUT',
        `rooms/${encodeURIComponent(roomId)}/redact/${encodeURIComponent(eventId)}/r-race`,
        {},
      );
      const first = await Promise.race([
        redaction.then(() => 'redacted'),
        new Promise((resolve) => setTimeout(() => resolve('waiting'), 300)),
      ]);
      release();
      await pass;
      await redaction;
      expect(first).toBe('waiting');
      expect(await searchAs(app, headers.alice, 'course', 'chat.message')).toEqual([]);
      expect(await queued(app)).toEqual([]);
    },
  );
});
