/**
 * Query tracer of the chat benchmark, preloaded into the Bureau server with `--import` (the server's code is
 * not changed): it wraps better-sqlite3 statements, pg's `Client.query` and Kysely's runtime driver to count
 * and time every SQL statement, the waits for the connection (SQLite: Kysely's single-connection mutex;
 * PostgreSQL: the pool), how long connections and transactions are held, and, per HTTP route, the
 * statements and database time each request costs. On SIGUSR2 it writes its cumulative counters as JSON to
 * BENCH_CHAT_TRACE_FILE (the event-loop delay histogram restarts at each reading); with BENCH_CHAT_PROFILE_DIR,
 * it also profiles the CPU from the window's opening to its closing (V8's sampling profiler, 0.5 ms), and with
 * BENCH_CHAT_HEAP_SNAPSHOT=1 writes a heap snapshot when the window closes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

interface RequestCost {
  readonly route: string;
  readonly started: number;
  queries: number;
  dbMs: number;
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;
type AsyncFunction = (this: unknown, ...args: unknown[]) => Promise<unknown>;

const traceFile = process.env['BENCH_CHAT_TRACE_FILE'];
const requests = new AsyncLocalStorage<RequestCost>();
const statements = new Map<string, { count: number; ms: number; prepareMs: number }>();
const routes = new Map<string, { count: number; queries: number; dbMs: number; wallMs: number }>();
const connection = { acquires: 0, acquireWaitMs: 0, holdMs: 0, transactions: 0, transactionMs: 0 };
const heldSince = new WeakMap<object, number>();
const transactionSince = new WeakMap<object, number>();
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
let seq = 0;

const keys = new Map<string, string>();

function statementKey(sql: string): string {
  let key = keys.get(sql);
  if (key === undefined) {
    key = sql.replace(/\s+/g, ' ').trim().slice(0, 400);
    if (keys.size < 10_000) keys.set(sql, key);
  }
  return key;
}

function recordStatement(sql: string, ms: number, prepareMs = 0): void {
  const key = statementKey(sql);
  let entry = statements.get(key);
  if (!entry) {
    entry = { count: 0, ms: 0, prepareMs: 0 };
    statements.set(key, entry);
  }
  entry.count += 1;
  entry.ms += ms;
  entry.prepareMs += prepareMs;
  const cost = requests.getStore();
  if (cost) {
    cost.queries += 1;
    cost.dbMs += ms + prepareMs;
  }
}

/** `/_matrix/client/v3/rooms/!abc:x/send/m.room.message/b12` → `/_matrix/client/v3/rooms/:room/send/:type/:txn`. */
function routeOf(method: string, url: string): string {
  const path = (url.split('?')[0] ?? '')
    .replace(/\/rooms\/[^/]+/, '/rooms/:room')
    .replace(/\/send\/[^/]+\/[^/]+$/, '/send/:type/:txn')
    .replace(/\/user\/[^/]+/, '/user/:user');
  return `${method} ${path}`;
}

const require = createRequire(import.meta.url);

// better-sqlite3: time prepare and each run of a statement (Kysely prepares every statement anew).
const SqliteDatabase = require('better-sqlite3') as { prototype: Record<string, AnyFunction> };
const patchedStatementPrototypes = new WeakSet<object>();
const originalPrepare = SqliteDatabase.prototype['prepare'] as AnyFunction;
const lastPrepareMs = new WeakMap<object, number>();
SqliteDatabase.prototype['prepare'] = function (this: unknown, ...args: unknown[]) {
  const started = performance.now();
  const statement = originalPrepare.apply(this, args) as object;
  lastPrepareMs.set(statement, performance.now() - started);
  const prototype = Object.getPrototypeOf(statement) as Record<string, AnyFunction>;
  if (!patchedStatementPrototypes.has(prototype)) {
    patchedStatementPrototypes.add(prototype);
    for (const method of ['all', 'get', 'run', 'iterate']) {
      const original = prototype[method];
      if (typeof original !== 'function') continue;
      prototype[method] = function (this: unknown, ...methodArgs: unknown[]) {
        const runStarted = performance.now();
        try {
          return original.apply(this, methodArgs);
        } finally {
          const self = this as { source?: string };
          const prepareMs = lastPrepareMs.get(this as object) ?? 0;
          lastPrepareMs.delete(this as object);
          recordStatement(self.source ?? '?', performance.now() - runStarted, prepareMs);
        }
      };
    }
  }
  return statement;
};

// pg: time each query until its result arrives (waits for row locks included).
const pg = require('pg') as { Client: { prototype: Record<string, AnyFunction> } };
const originalQuery = pg.Client.prototype['query'] as AnyFunction;
pg.Client.prototype['query'] = function (this: unknown, ...args: unknown[]) {
  const [config] = args;
  const text = typeof config === 'string' ? config : ((config as { text?: string } | undefined)?.text ?? '?');
  const started = performance.now();
  const result = originalQuery.apply(this, args);
  if (result instanceof Promise) {
    return result.finally(() => recordStatement(text, performance.now() - started));
  }
  return result;
};

// Kysely's runtime driver: the wait for a connection, how long it is held, and transactions.
const runtimeDriverUrl = new URL('driver/runtime-driver.js', import.meta.resolve('kysely'));
const { RuntimeDriver } = (await import(runtimeDriverUrl.href)) as {
  RuntimeDriver: { prototype: Record<string, AsyncFunction> };
};
const driver = RuntimeDriver.prototype;
const originalAcquire = driver['acquireConnection'] as AsyncFunction;
driver['acquireConnection'] = async function (this: unknown, ...args: unknown[]) {
  const started = performance.now();
  const acquired = (await originalAcquire.apply(this, args)) as object;
  const now = performance.now();
  connection.acquires += 1;
  connection.acquireWaitMs += now - started;
  heldSince.set(acquired, now);
  return acquired;
};
const originalRelease = driver['releaseConnection'] as AsyncFunction;
driver['releaseConnection'] = async function (this: unknown, ...args: unknown[]) {
  const released = args[0] as object;
  const since = heldSince.get(released);
  if (since !== undefined) connection.holdMs += performance.now() - since;
  return originalRelease.apply(this, args);
};
const originalBegin = driver['beginTransaction'] as AsyncFunction;
driver['beginTransaction'] = async function (this: unknown, ...args: unknown[]) {
  transactionSince.set(args[0] as object, performance.now());
  return originalBegin.apply(this, args);
};
for (const name of ['commitTransaction', 'rollbackTransaction']) {
  const original = driver[name] as AsyncFunction;
  driver[name] = async function (this: unknown, ...args: unknown[]) {
    try {
      return await original.apply(this, args);
    } finally {
      const since = transactionSince.get(args[0] as object);
      if (since !== undefined) {
        connection.transactions += 1;
        connection.transactionMs += performance.now() - since;
      }
    }
  };
}

// HTTP: each request runs in its own context, so that statements are counted against its route.
const originalEmit = Reflect.get(http.Server.prototype, 'emit') as AnyFunction;
http.Server.prototype.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
  if (event !== 'request') return originalEmit.call(this, event, ...args) as boolean;
  const [request, response] = args as [http.IncomingMessage, http.ServerResponse];
  const cost: RequestCost = {
    route: routeOf(request.method ?? '?', request.url ?? '/'),
    started: performance.now(),
    queries: 0,
    dbMs: 0,
  };
  response.once('close', () => {
    let entry = routes.get(cost.route);
    if (!entry) {
      entry = { count: 0, queries: 0, dbMs: 0, wallMs: 0 };
      routes.set(cost.route, entry);
    }
    entry.count += 1;
    entry.queries += cost.queries;
    entry.dbMs += cost.dbMs;
    entry.wallMs += performance.now() - cost.started;
  });
  return requests.run(cost, () => originalEmit.call(this, event, ...args) as boolean);
} as typeof http.Server.prototype.emit;

// The measured window's CPU profile (BENCH_CHAT_PROFILE_DIR): started when the window opens, written when it closes.
const profileDir = process.env['BENCH_CHAT_PROFILE_DIR'];
let profiler: Session | undefined;

async function profileWindow(edge: string): Promise<void> {
  if (!profileDir) return;
  if (edge === 'open' && !profiler) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 500 });
    await profiler.post('Profiler.start');
  } else if (edge === 'close' && profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    profiler = undefined;
    writeFileSync(join(profileDir, `window-${seq}.cpuprofile`), JSON.stringify(profile));
    // What fills the heap under load (BENCH_CHAT_HEAP_SNAPSHOT): blocks the server for a few seconds, after the window.
    if (process.env['BENCH_CHAT_HEAP_SNAPSHOT'] === '1')
      writeHeapSnapshot(join(profileDir, `window-${seq}.heapsnapshot`));
  }
}

function writeSnapshot(): void {
  if (!traceFile) return;
  const snapshot = {
    seq,
    at: performance.now(),
    statements: Object.fromEntries(statements),
    routes: Object.fromEntries(routes),
    connection,
    memory: process.memoryUsage(),
    eventLoopDelay: {
      p50: loopDelay.percentile(50) / 1e6,
      p99: loopDelay.percentile(99) / 1e6,
      max: loopDelay.max / 1e6,
    },
  };
  loopDelay.reset();
  // Written aside then renamed, so that the benchmark never reads half a file.
  writeFileSync(`${traceFile}.tmp`, JSON.stringify(snapshot));
  renameSync(`${traceFile}.tmp`, traceFile);
}

/** The benchmark writes `open` or `close` to `<trace file>.edge`, then sends SIGUSR2. */
process.on('SIGUSR2', () => {
  if (!traceFile) return;
  seq += 1;
  let edge = '';
  try {
    edge = readFileSync(`${traceFile}.edge`, 'utf8').trim();
  } catch {
    // No edge: a reading only.
  }
  void profileWindow(edge).finally(writeSnapshot);
});
