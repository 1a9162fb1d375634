/**
 * HTTP benchmark: requests per second and p50/p99 latency of GET /healthz (no database) and of
 * GET /api/instance (reads the database), with Bureau started as `bureau start` would run it, on
 * embedded SQLite and — when BUREAU_BENCH_DATABASE_URL or BUREAU_TEST_DATABASE_URL names a PostgreSQL
 * server — on PostgreSQL (a fresh database, dropped afterwards). Load comes from autocannon in this
 * process over loopback; each run stops by itself.
 *
 *   node bench/http/run.ts [--duration 10] [--connections 32]
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createScratchPostgresDatabase } from '../../apps/server/src/testing/scratch-postgres.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const bin = resolve(import.meta.dirname, '../../bin/bureau.js');
const endpoints = ['/healthz', '/api/instance'];

interface Row {
  database: string;
  endpoint: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** A free loopback port, so that the server's address is known without reading its logs. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function startBureau(env: NodeJS.ProcessEnv) {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'start'], {
    env: { ...env, BUREAU_PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exitCode: number | null | undefined;
  child.on('close', (code) => (exitCode = code));
  const address = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`Bureau exited with ${exitCode}`);
    if (Date.now() > deadline) throw new Error('Bureau did not become ready in 30 s');
    const ready = await fetch(`${address}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    await sleep(100);
  }
  return {
    address,
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (exitCode !== undefined) return resolveStop();
        child.on('close', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
}

async function measure(database: string, env: NodeJS.ProcessEnv): Promise<Row[]> {
  const server = await startBureau(env);
  const rows: Row[] = [];
  try {
    for (const endpoint of endpoints) {
      // A short warm-up so that JIT compilation and connection pools do not count.
      await autocannon({ url: `${server.address}${endpoint}`, connections, duration: 2 });
      const result = await autocannon({ url: `${server.address}${endpoint}`, connections, duration });
      rows.push({
        database,
        endpoint,
        requestsPerSecond: Math.round(result.requests.average),
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.non2xx,
      });
    }
  } finally {
    await server.stop();
  }
  return rows;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bureau-bench-'));
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    BUREAU_DATA_DIR: dataDir,
    BUREAU_LOG_LEVEL: 'warn',
    BUREAU_RATE_LIMIT: '1000000',
  };
  const rows: Row[] = [];
  try {
    rows.push(...(await measure('SQLite', baseEnv)));
    const serverUrl = process.env.BUREAU_BENCH_DATABASE_URL ?? process.env.BUREAU_TEST_DATABASE_URL;
    if (serverUrl) {
      const scratch = await createScratchPostgresDatabase(serverUrl, 'bureau_bench');
      try {
        rows.push(...(await measure('PostgreSQL', { ...baseEnv, DATABASE_URL: scratch.url })));
      } finally {
        await scratch.drop();
      }
    } else {
      console.log('(PostgreSQL skipped: set BUREAU_BENCH_DATABASE_URL to a server to include it)');
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }

  console.log(
    `\nBureau HTTP benchmark: ${connections} connections, ${duration} s per endpoint, ${cpus().length} CPU(s), Node.js ${process.version}, log level warn\n`,
  );
  console.log('| database | endpoint | requests/s | p50 (ms) | p99 (ms) | errors |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const row of rows) {
    console.log(
      `| ${row.database} | GET ${row.endpoint} | ${row.requestsPerSecond} | ${row.p50} | ${row.p99} | ${row.errors} |`,
    );
  }
}

await main();
