import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BureauApp } from '../../../app.ts';
import { apiKeyHeaders, createChatWorld, invite, join, type ChatWorld } from './chat-world.test-support.ts';

interface InboxItem {
  type: string;
  title: string;
  url: string | null;
  actor: { id: string; displayName: string } | null;
}

async function inbox(app: BureauApp, headers: Record<string, string>, lang: 'fr' | 'en' = 'fr') {
  const response = await app.http.inject({ method: 'GET', url: `/api/notifications?lang=${lang}`, headers });
  if (response.statusCode !== 200) throw new Error(`inbox answered ${response.statusCode}: ${response.body}`);
  return response.json<{ items: InboxItem[] }>().items.filter((item) => item.type.startsWith('chat.'));
}

describe('Chat in the notification inbox', () => {
  let world: ChatWorld;

  beforeEach(async () => {
    world = await createChatWorld();
  });

  afterEach(async () => {
    await world.close();
  });

  it('tells invited users, in French and English, with a link to the room', async () => {
    const { app, alice, bob, carol, userIds } = world;
    const roomId = await alice.createRoom({ name: 'Projet Mercure', invite: [bob.userId] });
    const bobHeaders = await apiKeyHeaders(app, userIds.bob);
    const url = `/messagerie/${encodeURIComponent(roomId)}`;
    expect(await inbox(app, bobHeaders)).toMatchObject([
      {
        type: 'chat.invitation',
        title: 'Alice Martin vous invite dans le salon « Projet Mercure »',
        url,
        actor: { id: userIds.alice, displayName: 'Alice Martin' },
      },
    ]);
    expect((await inbox(app, bobHeaders, 'en')).map((item) => item.title)).toEqual([
      'Alice Martin invited you to the room “Projet Mercure”',
    ]);

    const direct = await alice.createRoom({ is_direct: true, preset: 'trusted_private_chat', invite: [carol.userId] });
    const carolHeaders = await apiKeyHeaders(app, userIds.carol);
    expect((await inbox(app, carolHeaders)).map((item) => [item.title, item.url])).toEqual([
      ['Alice Martin vous invite à une conversation privée', `/messagerie/${encodeURIComponent(direct)}`],
    ]);
    // The inviter is not told of their own invitation.
    expect(await inbox(app, await apiKeyHeaders(app, userIds.alice))).toEqual([]);
  });

  it('tells joined members they were mentioned, never in encrypted rooms nor outside the room', async () => {
    const { app, alice, bob, carol, userIds } = world;
    const roomId = await alice.createRoom({ name: 'Équipe', invite: [bob.userId] });
    await join(bob, roomId);
    const bobHeaders = await apiKeyHeaders(app, userIds.bob);
    const carolHeaders = await apiKeyHeaders(app, userIds.carol);
    const before = (await inbox(app, bobHeaders)).length;

    const mention = await alice.send(roomId, {
      msgtype: 'm.text',
      body: 'Bob Durand : peux-tu relire ? Carol aussi',
      'm.mentions': { user_ids: [bob.userId, carol.userId] },
    });
    const bobInbox = await inbox(app, bobHeaders);
    expect(bobInbox).toHaveLength(before + 1);
    expect(bobInbox[0]).toMatchObject({
      type: 'chat.mention',
      title: 'Alice Martin vous a mentionné(e) dans « Équipe »',
      url: `/messagerie/${encodeURIComponent(roomId)}/${encodeURIComponent(mention)}`,
    });
    // Carol is not in the room: she cannot read the message, so she is not told.
    expect(await inbox(app, carolHeaders)).toEqual([]);

    // A highlight of Bob's push rules (his name in a message without m.mentions) counts as a mention.
    await alice.send(roomId, { msgtype: 'm.text', body: 'Merci Bob Durand pour la relecture' });
    expect((await inbox(app, bobHeaders)).filter((item) => item.type === 'chat.mention')).toHaveLength(2);
    // No mention of the sender themself, nor for an ordinary message.
    await alice.send(roomId, { msgtype: 'm.text', body: 'Réunion demain à 10 h' });
    expect((await inbox(app, bobHeaders)).filter((item) => item.type === 'chat.mention')).toHaveLength(2);

    const encrypted = await alice.createRoom({
      name: 'Chiffré',
      invite: [carol.userId],
      initial_state: [{ type: 'm.room.encryption', state_key: '', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    });
    await join(carol, encrypted);
    await alice.send(encrypted, {
      msgtype: 'm.text',
      body: 'Carol Petit ?',
      'm.mentions': { user_ids: [carol.userId] },
    });
    expect((await inbox(app, carolHeaders)).map((item) => item.type)).toEqual(['chat.invitation']);
    await invite(alice, roomId, carol.userId);
    expect((await inbox(app, carolHeaders)).map((item) => item.type)).toEqual(['chat.invitation', 'chat.invitation']);
  });
});
