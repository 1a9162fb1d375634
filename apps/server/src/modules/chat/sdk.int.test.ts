import {
  Direction,
  MsgType,
  EventType,
  NotificationCountType,
  RelationType,
  RoomMemberEvent,
  type MatrixClient,
  type MatrixEvent,
} from 'matrix-js-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';
import { testPassword } from './testing/matrix-test-client.ts';
import { loginWithSdk, startSynced, timelineBodies, waitFor } from './testing/sdk-clients.ts';

const system = { system: true, label: 'test' };

/**
 * The real client: matrix-js-sdk (current version, in Node 24) against Bureau listening on loopback — two
 * agents log in by e-mail, create a room, invite, join, exchange messages in order, paginate history, type,
 * read (receipts and unread counts), edit, react and redact; a restart of the server loses nothing and the
 * client's sync resumes from its stored token.
 */
describe('matrix-js-sdk against Bureau', () => {
  let environment: TestEnvironment;
  let app: BureauApp;
  let baseUrl: string;
  const clients: MatrixClient[] = [];

  async function start() {
    app = await buildApp(environment.config);
    baseUrl = await app.listen();
  }

  beforeEach(async () => {
    environment = await createTestEnvironment({ BUREAU_LOG_LEVEL: 'error', BUREAU_PUBLIC_URL: 'http://bureau.test' });
    await start();
    const directory = app.identity.directory;
    await directory.createOrganisation({ name: 'Ministère', domains: ['min.gouv.fr'] }, system);
    for (const [email, displayName] of [
      ['alice@min.gouv.fr', 'Alice Martin'],
      ['bob@min.gouv.fr', 'Bob Durand'],
    ] as const) {
      await directory.createUser({ email, password: testPassword, displayName }, system);
    }
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.stopClient();
    await app.close();
    await environment.destroy();
  });

  async function signIn(email: string): Promise<MatrixClient> {
    const client = await loginWithSdk(baseUrl, email);
    clients.push(client);
    await startSynced(client);
    return client;
  }

  it('lets two agents chat: invite, join, messages in order, history, typing, receipts, edits, reactions, redactions', async () => {
    const alice = await signIn('alice@min.gouv.fr');
    const bob = await signIn('bob@min.gouv.fr');
    expect(alice.getUserId()).toBe('@alice:bureau.test');

    const { room_id: roomId } = await alice.createRoom({ name: 'Équipe projet', invite: [bob.getSafeUserId()] });
    await waitFor('Bob sees the invitation', () => bob.getRoom(roomId)?.getMyMembership() === 'invite');
    await bob.joinRoom(roomId);
    await waitFor(
      'Alice sees Bob joined',
      () => alice.getRoom(roomId)?.getMember(bob.getSafeUserId())?.membership === 'join',
    );

    // Older history, for back-pagination below.
    for (let index = 0; index < 30; index += 1) await alice.sendTextMessage(roomId, `ancien ${index}`);
    // A conversation: each message is seen by both before the next one is written.
    const conversation: Array<[MatrixClient, string]> = [
      [alice, 'Bonjour Bob'],
      [bob, 'Bonjour Alice'],
      [alice, 'On commence ?'],
    ];
    for (const [sender, body] of conversation) {
      await sender.sendTextMessage(roomId, body);
      await waitFor(`both see "${body}"`, () =>
        [alice, bob].every((client) => timelineBodies(client.getRoom(roomId)).at(-1) === body),
      );
    }
    const expectedTail = conversation.map(([, body]) => body);
    for (const client of [alice, bob]) expect(timelineBodies(client.getRoom(roomId)).slice(-3)).toEqual(expectedTail);
    // The server's order, as any client paginating later reads it.
    const latest = await bob.createMessagesRequest(roomId, null, 3, Direction.Backward);
    expect(latest.chunk.map((event) => String(event.content['body'])).reverse()).toEqual(expectedTail);

    // Bob paginates back to the start of the room.
    const bobRoom = bob.getRoom(roomId);
    if (!bobRoom) throw new Error('no room');
    for (let page = 0; page < 10 && !timelineBodies(bobRoom).includes('ancien 0'); page += 1) {
      await bob.scrollback(bobRoom, 20);
    }
    const bodies = timelineBodies(bobRoom);
    expect(bodies.filter((body) => body.startsWith('ancien '))).toHaveLength(30);
    expect(bodies.indexOf('ancien 0')).toBeLessThan(bodies.indexOf('ancien 29'));

    // Typing.
    const typing = new Promise<void>((resolve) => {
      const onTyping = (_event: MatrixEvent, member: { userId: string; typing: boolean }) => {
        if (member.userId === alice.getUserId() && member.typing) {
          bob.off(RoomMemberEvent.Typing, onTyping);
          resolve();
        }
      };
      bob.on(RoomMemberEvent.Typing, onTyping);
    });
    await alice.sendTyping(roomId, true, 10_000);
    await typing;

    // Unread counts: Alice's three messages are unread for Bob until his read receipt.
    await waitFor(
      'Bob has unread notifications',
      () => (bob.getRoom(roomId)?.getUnreadNotificationCount(NotificationCountType.Total) ?? 0) > 0,
    );
    const lastEvent = bob.getRoom(roomId)?.getLiveTimeline().getEvents().at(-1) ?? null;
    await bob.sendReadReceipt(lastEvent);
    await waitFor(
      'Bob has read everything',
      () => bob.getRoom(roomId)?.getUnreadNotificationCount(NotificationCountType.Total) === 0,
    );
    await waitFor('Alice sees Bob’s receipt', () =>
      alice
        .getRoom(roomId)
        ?.getUsersReadUpTo(lastEvent as MatrixEvent)
        .includes(bob.getSafeUserId()),
    );

    // Edit, reaction, redaction.
    const original = await alice.sendTextMessage(roomId, 'Réunion à 10h');
    await alice.sendEvent(roomId, EventType.RoomMessage, {
      msgtype: MsgType.Text,
      body: '* Réunion à 11h',
      'm.new_content': { msgtype: MsgType.Text, body: 'Réunion à 11h' },
      'm.relates_to': { rel_type: RelationType.Replace, event_id: original.event_id },
    });
    await bob.sendEvent(roomId, EventType.Reaction, {
      'm.relates_to': { rel_type: RelationType.Annotation, event_id: original.event_id, key: '👍' },
    });
    await waitFor(
      'Bob sees the edit',
      () => bob.getRoom(roomId)?.findEventById(original.event_id)?.getContent()['body'] === 'Réunion à 11h',
    );
    await waitFor('Alice sees the reaction', () =>
      alice
        .getRoom(roomId)
        ?.getLiveTimeline()
        .getEvents()
        .some((event) => event.getType() === 'm.reaction' && event.getRelation()?.event_id === original.event_id),
    );
    const mistake = await bob.sendTextMessage(roomId, 'message envoyé par erreur');
    await bob.redactEvent(roomId, mistake.event_id);
    await waitFor('Alice sees the redaction', () =>
      alice.getRoom(roomId)?.findEventById(mistake.event_id)?.isRedacted(),
    );
    expect(alice.getRoom(roomId)?.findEventById(mistake.event_id)?.getContent()).toEqual({});
  });

  it('follows a thread with the SDK’s thread support (relations, thread list, bundled aggregations)', async () => {
    const alice = await loginWithSdk(baseUrl, 'alice@min.gouv.fr');
    const bob = await loginWithSdk(baseUrl, 'bob@min.gouv.fr');
    clients.push(alice, bob);
    await startSynced(alice, { threadSupport: true });
    await startSynced(bob, { threadSupport: true });
    const { room_id: roomId } = await alice.createRoom({ name: 'Fils', invite: [bob.getSafeUserId()] });
    await waitFor('invitation', () => bob.getRoom(roomId)?.getMyMembership() === 'invite');
    await bob.joinRoom(roomId);
    const root = await alice.sendTextMessage(roomId, 'Question sur le budget');
    await waitFor('Bob has the root', () => bob.getRoom(roomId)?.findEventById(root.event_id));
    await bob.sendTextMessage(roomId, root.event_id, 'Réponse dans le fil');
    await bob.sendTextMessage(roomId, root.event_id, 'Deuxième réponse');
    const thread = await waitFor('Alice sees the thread with two replies', () => {
      const found = alice.getRoom(roomId)?.getThread(root.event_id);
      return found && found.length >= 2 ? found : undefined;
    });
    expect(thread.replyToEvent?.getContent()['body']).toBe('Deuxième réponse');
    // The main timeline does not show thread replies.
    expect(timelineBodies(alice.getRoom(roomId))).not.toContain('Réponse dans le fil');
  });

  it('uploads a file into a room and downloads it back through authenticated media', async () => {
    const alice = await signIn('alice@min.gouv.fr');
    const bob = await signIn('bob@min.gouv.fr');
    const { room_id: roomId } = await alice.createRoom({ name: 'Fichiers', invite: [bob.getSafeUserId()] });
    await waitFor('invitation', () => bob.getRoom(roomId)?.getMyMembership() === 'invite');
    await bob.joinRoom(roomId);
    const bytes = Buffer.from('Compte rendu de la réunion du 29 novembre\n'.repeat(200));
    const { content_uri: contentUri } = await alice.uploadContent(bytes, {
      name: 'compte-rendu.txt',
      type: 'text/plain',
    });
    expect(contentUri).toMatch(/^mxc:\/\/bureau\.test\//);
    await alice.sendMessage(roomId, {
      msgtype: MsgType.File,
      body: 'compte-rendu.txt',
      url: contentUri,
      info: { mimetype: 'text/plain', size: bytes.length },
    });
    const received = await waitFor('Bob receives the file message', () =>
      bob
        .getRoom(roomId)
        ?.getLiveTimeline()
        .getEvents()
        .find((event) => event.getContent()['msgtype'] === MsgType.File),
    );
    const url = bob.mxcUrlToHttp(
      String(received.getContent()['url']),
      undefined,
      undefined,
      undefined,
      false,
      true,
      true,
    );
    if (!url) throw new Error('no download URL');
    expect(url).toContain('/_matrix/client/v1/media/download/');
    const response = await fetch(url, { headers: { authorization: `Bearer ${bob.getAccessToken() ?? ''}` } });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
  });

  it('works in room version 12 rooms (room ID from the create event, creators above power levels)', async () => {
    const alice = await signIn('alice@min.gouv.fr');
    const bob = await signIn('bob@min.gouv.fr');
    const { room_id: roomId } = await alice.createRoom({
      name: 'Salon v12',
      room_version: '12',
      invite: [bob.getSafeUserId()],
    });
    expect(roomId).toMatch(/^![A-Za-z0-9_-]{43}$/);
    await waitFor('invitation', () => bob.getRoom(roomId)?.getMyMembership() === 'invite');
    await bob.joinRoom(roomId);
    await bob.sendTextMessage(roomId, 'bonjour v12');
    await waitFor('Alice reads Bob', () => timelineBodies(alice.getRoom(roomId)).includes('bonjour v12'));
    const room = alice.getRoom(roomId);
    expect(room?.getVersion()).toBe('12');
    // The creator may change the name; Bob (power 0) may not.
    await alice.setRoomName(roomId, 'Renommé');
    await expect(bob.setRoomName(roomId, 'Interdit')).rejects.toMatchObject({ errcode: 'M_FORBIDDEN' });
    await waitFor('Bob sees the new name', () => bob.getRoom(roomId)?.name === 'Renommé');
  });

  it('resumes from its stored sync token after a server restart, losing nothing', async () => {
    const alice = await signIn('alice@min.gouv.fr');
    const bob = await signIn('bob@min.gouv.fr');
    const { room_id: roomId } = await alice.createRoom({ name: 'Redémarrage', invite: [bob.getSafeUserId()] });
    await waitFor('invitation', () => bob.getRoom(roomId)?.getMyMembership() === 'invite');
    await bob.joinRoom(roomId);
    await alice.sendTextMessage(roomId, 'avant');
    await waitFor('Bob has the first message', () => timelineBodies(bob.getRoom(roomId)).includes('avant'));

    // Restart on the same data; the clients keep their tokens and retry until the server is back.
    const port = new URL(baseUrl).port;
    await app.close();
    environment = { ...environment, config: { ...environment.config, port: Number(port) } };
    app = await buildApp(environment.config);
    baseUrl = await app.listen();

    await alice.sendTextMessage(roomId, 'après');
    await waitFor(
      'Bob receives the message sent after the restart',
      () => timelineBodies(bob.getRoom(roomId)).includes('après'),
      30_000,
    );
    expect(timelineBodies(bob.getRoom(roomId)).filter((body) => body === 'avant')).toHaveLength(1);
  });
});
