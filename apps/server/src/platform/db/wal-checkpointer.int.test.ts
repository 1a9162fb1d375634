import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testDialect } from '../../testing/test-database.ts';
import { openDatabase } from './database.ts';

// SQLite's write-ahead log only: PostgreSQL checkpoints by itself.
describe.runIf(testDialect() === 'sqlite')('SQLite checkpoints in a worker thread', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bureau-wal-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const waitFor = async (condition: () => boolean) => {
    for (let attempt = 0; attempt < 200 && !condition(); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(condition()).toBe(true);
  };

  it('moves checkpoints off the server connection once the log grows, keeps every row, and leaves no log at close', async () => {
    const path = join(directory, 'bureau.sqlite');
    const database = openDatabase({
      kind: 'sqlite',
      path,
      walCheckpoint: { startAtBytes: 256 * 1024, intervalMs: 20, watchIntervalMs: 10 },
    });
    const executor = database.executor;
    const stats = () => {
      if (!database.walCheckpoints) throw new Error('a SQLite database reports its checkpoints');
      return database.walCheckpoints();
    };
    // The server's connection never checkpoints inside a commit.
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(executor);
    expect(rows[0]?.wal_autocheckpoint).toBe(0);
    await sql`create table notes (id integer primary key, body text not null)`.execute(executor);
    // A small log: no worker.
    await sql`insert into notes (body) values (${'x'.repeat(100)})`.execute(executor);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stats().started).toBe(false);
    // Past the threshold: the worker starts and copies the log into the database file while writes go on.
    for (let batch = 0; batch < 40; batch++) {
      await database.transaction(async ({ executor: transaction }) => {
        for (let row = 0; row < 20; row++) {
          await sql`insert into notes (body) values (${`${batch}-${row}-`.padEnd(1_000, 'é')})`.execute(transaction);
        }
      });
    }
    await waitFor(() => stats().started && stats().lastFrames > 0);
    for (let batch = 0; batch < 10; batch++) {
      await sql`insert into notes (body) values (${'after'.padEnd(2_000, '-')})`.execute(executor);
    }
    const checkpointsBefore = stats().checkpoints;
    await waitFor(() => stats().checkpoints > checkpointsBefore);
    expect(stats().failed).toBeNull();
    await database.close();
    // The worker's connection closed first, so the server's close checkpointed everything and removed the log.
    expect(existsSync(`${path}-wal`)).toBe(false);

    const reopened = openDatabase({ kind: 'sqlite', path });
    const count = await sql<{ count: number }>`select count(*) as count from notes`.execute(reopened.executor);
    expect(count.rows[0]?.count).toBe(1 + 40 * 20 + 10);
    await reopened.close();
  });
  it('keeps the log bounded when writes never pause: the server connection catches up once the log is long', async () => {
    const path = join(directory, 'bureau.sqlite');
    const database = openDatabase({
      kind: 'sqlite',
      path,
      walCheckpoint: { startAtBytes: 64 * 1024, intervalMs: 5, watchIntervalMs: 5, restartAtFrames: 100 },
    });
    const executor = database.executor;
    await sql`create table notes (id integer primary key, body text not null)`.execute(executor);
    for (let row = 0; !(database.walCheckpoints?.().checkpoints ?? 0); row++) {
      await sql`insert into notes (body) values (${`${row}-`.padEnd(6_000, 'x')})`.execute(executor);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Then about 3,000 pages written back to back (12 MB), as a busy server does (it handles its requests, and
    // the worker's reports, between two writes): without starting over, the log would hold them all.
    for (let row = 0; row < 1_500; row++) {
      await sql`insert into notes (body) values (${`${row}-`.padEnd(6_000, 'x')})`.execute(executor);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(database.walCheckpoints?.().started).toBe(true);
    // Without the catch-up the log holds every page (about 21 MB measured). With it, the file keeps the
    // largest extent the log reached before starting over: some 1–5 MB, depending on how far the worker's
    // reports lag behind the writes on a busy machine (5.4 MB seen in CI).
    expect(statSync(`${path}-wal`).size).toBeLessThan(8 * 1024 * 1024);
    await database.close();
  });
});
