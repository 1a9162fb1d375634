import { startChatTestApp, type ChatTestApp } from '../../apps/server/src/modules/chat/testing/chat-test-app.ts';
import type { InjectMatrixClient } from '../../apps/server/src/modules/chat/testing/matrix-test-client.ts';

/** Bureau in this process on a fresh SQLite test database, with `roomCount` rooms that 20 agents have joined. */
export async function startRoomsOfTwenty(roomCount: number): Promise<{
  world: ChatTestApp<string>;
  clients: InjectMatrixClient[];
  rooms: string[];
}> {
  process.env.BUREAU_TEST_DIALECT = 'sqlite';
  const people = Object.fromEntries(
    Array.from({ length: 20 }, (_, index) => [
      `p${index}`,
      { email: `agent${index}@min.gouv.fr`, displayName: `Agent ${index}` },
    ]),
  );
  const world = await startChatTestApp(people);
  const clients = Object.values(world.clients);
  const [owner, ...others] = clients;
  if (!owner) throw new Error('no people');
  const rooms: string[] = [];
  for (let index = 0; index < roomCount; index++) {
    const roomId = await owner.createRoom({
      preset: 'private_chat',
      name: `Salon ${index}`,
      invite: others.map((client) => client.userId),
    });
    for (const client of others) await client.ok('POST', `rooms/${encodeURIComponent(roomId)}/join`, {});
    rooms.push(roomId);
  }
  return { world, clients, rooms };
}
