/**
 * What appending one message costs the SQLite file: pages written to the write-ahead log per message (each
 * one a write system call at commit, on top of the B-tree work), and CPU per message, for messages sent
 * over the Matrix API into rooms of 20 joined members (in-process requests, no sockets).
 *
 *   node bench/chat/append-pages.ts [--rooms 5] [--messages 500]
 */
import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startRoomsOfTwenty } from './in-process-rooms.ts';

const { values } = parseArgs({
  options: { rooms: { type: 'string', default: '5' }, messages: { type: 'string', default: '500' } },
});
const roomCount = Number(values.rooms);
const messageCount = Number(values.messages);

const { world, clients, rooms } = await startRoomsOfTwenty(roomCount);
try {
  const executor = world.app.platform.database.executor;
  const { rows } = await sql<{ page_size: number }>`pragma page_size`.execute(executor);
  const pageSize = rows[0]?.page_size ?? 4096;
  for (const statement of (process.env.APPEND_PAGES_SQL ?? '').split(';;').filter((text) => text.trim()))
    await sql.raw(statement).execute(executor);
  await sql`pragma wal_autocheckpoint = 0`.execute(executor);
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(executor);
  const settings = world.environment.settings;
  if (settings.kind !== 'sqlite') throw new Error('SQLite only');
  const walFile = `${settings.path}-wal`;
  const walSize = () => statSync(walFile, { throwIfNoEntry: false })?.size ?? 0;
  // Warm-up: the statements prepared, the rooms' state in memory.
  for (let index = 0; index < 50; index++) {
    const client = clients[index % clients.length]!;
    await client.ok('PUT', `rooms/${encodeURIComponent(rooms[index % rooms.length]!)}/send/m.room.message/w${index}`, {
      msgtype: 'm.text',
      body: `Échauffement ${index}`,
    });
  }
  await sleep(300);
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(executor);
  const before = walSize();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < messageCount; index++) {
    const client = clients[index % clients.length]!;
    await client.ok('PUT', `rooms/${encodeURIComponent(rooms[index % rooms.length]!)}/send/m.room.message/m${index}`, {
      msgtype: 'm.text',
      body: `Message ${index} : le compte rendu de la réunion est en ligne.`,
    });
  }
  const elapsed = performance.now() - started;
  // The search queue's pass runs 50 ms after the last message: its pages count.
  await sleep(300);
  const used = process.cpuUsage(cpu);
  const frames = (walSize() - before) / (pageSize + 24);
  console.log(
    `${messageCount} messages in ${roomCount} rooms of 20: ${(frames / messageCount).toFixed(1)} pages written per message ` +
      `(search indexing included), ${((used.user + used.system) / 1000 / messageCount).toFixed(2)} ms CPU per message ` +
      `(${(used.system / 1000 / messageCount).toFixed(2)} system), ${(elapsed / messageCount).toFixed(2)} ms wall`,
  );
} finally {
  await world.close();
}
