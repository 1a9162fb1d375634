/**
 * What one `/sync` response costs Bureau when a message wakes the devices of its room: for each message
 * sent into a room of 20 members, the twenty members' incremental `/sync` (their stored filter as in
 * run.ts: timeline limit 50, lazy-loaded members), in-process requests through Fastify (no sockets, so
 * the figure is Bureau's own work: authentication, building, serialising). Prints CPU per response and per
 * message sent; with `--profile FILE`, a CPU profile of the measured loop.
 *
 *   node bench/chat/sync-cost.ts [--rooms 5] [--messages 300] [--profile sync.cpuprofile]
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { startRoomsOfTwenty } from './in-process-rooms.ts';
import type { InjectMatrixClient } from '../../apps/server/src/modules/chat/testing/matrix-test-client.ts';

const { values } = parseArgs({
  options: {
    rooms: { type: 'string', default: '5' },
    messages: { type: 'string', default: '300' },
    profile: { type: 'string' },
  },
});
const roomCount = Number(values.rooms);
const messageCount = Number(values.messages);
const syncFilter = { room: { timeline: { limit: 50 }, state: { lazy_load_members: true } } };

const { world, clients, rooms } = await startRoomsOfTwenty(roomCount);
try {
  const devices = new Map<InjectMatrixClient, { filterId: string; since: string }>();
  for (const client of clients) {
    const { filter_id: filterId } = await client.ok<{ filter_id: string }>(
      'POST',
      `user/${encodeURIComponent(client.userId)}/filter`,
      syncFilter,
    );
    const initial = await client.sync({ filter: filterId });
    devices.set(client, { filterId, since: initial.next_batch });
  }
  let responses = 0;
  const round = async (index: number) => {
    const sender = clients[index % clients.length]!;
    await sender.send(rooms[index % rooms.length]!, { msgtype: 'm.text', body: `Message ${index} : à relire.` });
    for (const client of clients) {
      const device = devices.get(client)!;
      const body = await client.sync({ filter: device.filterId, since: device.since, timeout: '0' });
      device.since = body.next_batch;
      responses += 1;
    }
  };
  for (let index = 0; index < 50; index++) await round(index);
  // Sending alone, measured apart, to subtract it.
  let cpu = process.cpuUsage();
  for (let index = 0; index < 100; index++) {
    await clients[index % clients.length]!.send(rooms[index % rooms.length]!, { msgtype: 'm.text', body: 'seul' });
  }
  let used = process.cpuUsage(cpu);
  const sendMs = (used.user + used.system) / 1000 / 100;
  // Catch every device up before measuring.
  for (const client of clients) {
    const device = devices.get(client)!;
    device.since = (await client.sync({ filter: device.filterId, since: device.since, timeout: '0' })).next_batch;
  }
  const session = values.profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  responses = 0;
  cpu = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < messageCount; index++) await round(index);
  const elapsed = performance.now() - started;
  used = process.cpuUsage(cpu);
  if (session && values.profile) {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(values.profile, JSON.stringify(profile));
    session.disconnect();
  }
  const perMessage = (used.user + used.system) / 1000 / messageCount;
  console.log(
    `${messageCount} messages in ${roomCount} rooms of 20, each followed by the 20 members' /sync: ` +
      `${perMessage.toFixed(2)} ms CPU per message with its 20 responses; sending alone ${sendMs.toFixed(2)} ms; ` +
      `so about ${(((perMessage - sendMs) * 1000) / 20).toFixed(0)} µs per /sync response ` +
      `(${responses} responses, ${(elapsed / messageCount).toFixed(2)} ms wall per message)`,
  );
} finally {
  await world.close();
}
