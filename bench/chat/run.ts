/**
 * Chat benchmark: N devices long-polling `/sync` across R rooms while senders post M messages per second,
 * against Bureau's Matrix homeserver (SQLite, and PostgreSQL with --postgres) and, in the same run, two
 * floors doing the same fan-out with no storage and no authentication: a minimal HTTP long-poll server and a
 * minimal WebSocket broadcast server (floor-server.ts). Each server runs in its own process; this process is
 * the load generator, and its CPU is reported apart.
 *
 * For each target it prints accepted messages/s, delivered events/s (one message reaching one device, the
 * sender's own device included), send→receive latency p50/p95/p99 over every expected delivery (one never
 * received counts as infinitely late), CPU (% of one core) and largest RSS of the server. Without --rate, it
 * searches the sustainable rate (the highest where p99 ≤ --p99 and ≥ 95 % of the offered messages are
 * accepted: doubling, then bisecting, with short steps), then measures that rate for --duration seconds.
 *
 * Targets (issue): 1,000 devices in 50 rooms of 20, p99 ≤ 50 ms, at least half the long-poll floor's rate,
 * server RSS ≤ 150 MB.
 *
 *   node bench/chat/run.ts [--devices 1000] [--rooms 50] [--rate 100[,200]] [--duration 20] [--warmup 5]
 *                          [--step-duration 5] [--start 25] [--p99 50] [--postgres] [--skip-floors] [--skip-sqlite]
 *                          [--quick] [--trace] [--profile DIR [--heap]]
 *
 * BENCH_NODE_OPTIONS, when set, is Bureau's NODE_OPTIONS (e.g. V8 flags to compare garbage collector settings).
 *
 * --quick is a smoke configuration: 100 devices in 5 rooms of 20, 2 s search steps, 5 s measured.
 *
 * --trace preloads trace.ts into Bureau (statements, connection waits, cost per route during the measured
 * window); --profile DIR also profiles Bureau's CPU during each measured window (files in DIR) and summarises it,
 * and --heap adds a heap snapshot of Bureau at the end of the window.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createScratchPostgresDatabase } from '../../apps/server/src/testing/scratch-postgres.ts';
import { createSeededRandom } from '../../apps/server/src/testing/seeded-random.ts';
import { startBureau, type BureauTarget, type TraceSnapshot } from './bureau.ts';
import { startFloor } from './floors.ts';
import { Bench, describeLoad, isSustained, type StepResult, type Target } from './measure.ts';
import { summariseHeapSnapshot } from './heap-summary.ts';
import { summariseProfile } from './profile-summary.ts';

const { values } = parseArgs({
  options: {
    devices: { type: 'string' },
    rooms: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    'step-duration': { type: 'string' },
    start: { type: 'string', default: '25' },
    p99: { type: 'string', default: '50' },
    postgres: { type: 'boolean', default: false },
    'skip-floors': { type: 'boolean', default: false },
    'skip-sqlite': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    profile: { type: 'string' },
    heap: { type: 'boolean', default: false },
  },
});
const isQuick = values.quick;
const devices = Number(values.devices ?? (isQuick ? 100 : 1000));
const rooms = Number(values.rooms ?? (isQuick ? 5 : 50));
const durationSeconds = Number(values.duration ?? (isQuick ? 5 : 20));
const warmupSeconds = Number(values.warmup ?? (isQuick ? 2 : 5));
const stepSeconds = Number(values['step-duration'] ?? (isQuick ? 2 : 5));
const startRate = Number(values.start);
const p99Target = Number(values.p99);
const fixedRates = values.rate
  ?.split(',')
  .map(Number)
  .filter((rate) => rate > 0);
const maxSearchSteps = isQuick ? 8 : 12;
const random = createSeededRandom(20261201);

interface Measured {
  readonly target: string;
  readonly final: StepResult;
  readonly steps: StepResult[];
  readonly trace?: TraceDelta | undefined;
  readonly idleRssMb?: number;
}

interface TraceDelta {
  readonly seconds: number;
  readonly statements: Array<{ sql: string; count: number; ms: number; prepareMs: number }>;
  readonly routes: Array<{ route: string; count: number; queries: number; dbMs: number; wallMs: number }>;
  readonly connection: TraceSnapshot['connection'];
  readonly eventLoopDelay: TraceSnapshot['eventLoopDelay'];
  readonly memory: TraceSnapshot['memory'];
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

function diffTrace(before: TraceSnapshot, after: TraceSnapshot): TraceDelta {
  const zero = { count: 0, ms: 0, prepareMs: 0 };
  const statements = Object.entries(after.statements).map(([sql, entry]) => {
    const earlier = before.statements[sql] ?? zero;
    return {
      sql,
      count: entry.count - earlier.count,
      ms: entry.ms - earlier.ms,
      prepareMs: entry.prepareMs - earlier.prepareMs,
    };
  });
  const routes = Object.entries(after.routes).map(([route, entry]) => {
    const earlier = before.routes[route] ?? { count: 0, queries: 0, dbMs: 0, wallMs: 0 };
    return {
      route,
      count: entry.count - earlier.count,
      queries: entry.queries - earlier.queries,
      dbMs: entry.dbMs - earlier.dbMs,
      wallMs: entry.wallMs - earlier.wallMs,
    };
  });
  const connection = {
    acquires: after.connection.acquires - before.connection.acquires,
    acquireWaitMs: after.connection.acquireWaitMs - before.connection.acquireWaitMs,
    holdMs: after.connection.holdMs - before.connection.holdMs,
    transactions: after.connection.transactions - before.connection.transactions,
    transactionMs: after.connection.transactionMs - before.connection.transactionMs,
  };
  return {
    seconds: (after.at - before.at) / 1000,
    statements: statements.filter((entry) => entry.count > 0).sort((a, b) => b.ms + b.prepareMs - (a.ms + a.prepareMs)),
    routes: routes.filter((entry) => entry.count > 0).sort((a, b) => b.count - a.count),
    connection,
    eventLoopDelay: after.eventLoopDelay,
    memory: after.memory,
  };
}

function describeStep(result: StepResult): string {
  return (
    `${result.rate} msg/s offered: ${(result.accepted / result.seconds).toFixed(0)} accepted/s, ` +
    `${(result.deliveries / result.seconds).toFixed(0)} deliveries/s, p50 ${formatMs(result.p50)} p99 ${formatMs(result.p99)} ms, ` +
    `missing ${result.missing}, server CPU ${result.resources.serverCpuPercent.toFixed(0)} %, ` +
    `load generator CPU ${result.resources.loadCpuPercent.toFixed(0)} %` +
    (isSustained(result, p99Target) ? '' : ' — not sustained')
  );
}

function formatMs(value: number): string {
  if (!Number.isFinite(value)) return '∞';
  return value < 10 ? value.toFixed(1) : value.toFixed(0);
}

/** Doubling from --start until a step is not sustained, then bisecting between the last good and the first bad. */
async function searchRate(bench: Bench, name: string): Promise<{ steps: StepResult[]; best: number }> {
  const steps: StepResult[] = [];
  let good: number | undefined;
  let bad: number | undefined;
  let rate = startRate;
  const stepAt = async (stepRate: number) => {
    const result = await bench.step({
      rate: stepRate,
      warmupSeconds: 1,
      durationSeconds: stepSeconds,
      drainSeconds: 3,
      maxInFlight: 512,
      random: random.next,
    });
    steps.push(result);
    log(`  ${name} search: ${describeStep(result)}`);
    return result;
  };
  for (let index = 0; index < maxSearchSteps; index += 1) {
    let result = await stepAt(rate);
    // A p99 spoiled by a hiccup of a busy machine (everything accepted) gets a second chance.
    if (!isSustained(result, p99Target) && result.accepted >= 0.95 * result.offered && result.missing === 0) {
      await bench.settle();
      result = await stepAt(rate);
    }
    if (isSustained(result, p99Target)) good = rate;
    else bad = rate;
    let next: number;
    if (bad === undefined) next = rate * 2;
    else if (good === undefined) next = Math.floor(rate / 2);
    else next = Math.round(Math.sqrt(good * bad));
    if (next < 1 || next === good || next === bad || (good !== undefined && bad !== undefined && bad / good <= 1.15))
      break;
    rate = next;
    await bench.settle();
  }
  return { steps, best: good ?? Math.max(1, Math.min(...steps.map((step) => step.rate))) };
}

async function measure(
  target: Target,
  trace?: (edge: 'open' | 'close') => Promise<TraceSnapshot | undefined>,
): Promise<Measured> {
  const bench = new Bench(target);
  // The devices' long-polls settle before the offer starts.
  await sleep(1000);
  const rates = fixedRates ?? [];
  const steps: StepResult[] = [];
  if (rates.length === 0) {
    const search = await searchRate(bench, target.name);
    steps.push(...search.steps);
    rates.push(search.best);
  }
  let final: StepResult | undefined;
  let traced: TraceDelta | undefined;
  for (const rate of rates) {
    await bench.settle();
    let before: TraceSnapshot | undefined;
    final = await bench.step({
      rate,
      warmupSeconds,
      durationSeconds,
      drainSeconds: 5,
      maxInFlight: 512,
      random: random.next,
      onWindow: async (edge) => {
        if (!trace) return;
        if (edge === 'open') before = await trace(edge);
        else {
          const after = await trace(edge);
          if (before && after) traced = diffTrace(before, after);
        }
      },
    });
    log(`  ${target.name}: ${describeStep(final)}`);
    if (rates.length > 1) steps.push(final);
  }
  if (!final) throw new Error('no measurement');
  return { target: target.name, final, steps, trace: traced };
}

async function measureBureau(database: string, env: NodeJS.ProcessEnv, workDir: string): Promise<Measured> {
  log(`${database}: seeding ${devices} accounts, logging devices in, creating ${rooms} rooms...`);
  const profileDir = values.profile ? resolve(values.profile, database.toLowerCase()) : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const isTraced = values.trace || profileDir !== undefined;
  const heapEnv = profileDir && values.heap ? { BENCH_CHAT_HEAP_SNAPSHOT: '1' } : {};
  const target: BureauTarget = await startBureau({
    devices,
    rooms,
    env: { ...env, ...heapEnv },
    traceFile: isTraced ? join(workDir, `trace-${database}.json`) : undefined,
    profileDir,
    log,
  });
  let measured: Measured;
  try {
    measured = await measure(target, isTraced ? (edge) => target.traceSnapshot(edge) : undefined);
  } finally {
    await target.close();
  }
  if (profileDir) {
    const files = (await readdir(profileDir)).filter((file) => file.endsWith('.cpuprofile')).sort();
    for (const file of files) {
      console.log(`\nCPU profile of Bureau (${database}) during a measured window: ${join(profileDir, file)}\n`);
      console.log(await summariseProfile(join(profileDir, file), 25));
    }
    const snapshots = (await readdir(profileDir)).filter((file) => file.endsWith('.heapsnapshot')).sort();
    for (const file of snapshots) {
      console.log(`\nHeap of Bureau (${database}) at the end of a measured window: ${join(profileDir, file)}\n`);
      console.log(await summariseHeapSnapshot(join(profileDir, file), 25));
    }
  }
  return { ...measured, target: `Bureau (${database})`, idleRssMb: target.idleRssMb };
}

function printTrace(measured: Measured): void {
  const trace = measured.trace;
  if (!trace) return;
  const syncRoute = trace.routes.find((route) => route.route === 'GET /_matrix/client/v3/sync');
  const syncs = syncRoute?.count ?? 0;
  const seconds = trace.seconds;
  console.log(`\n${measured.target}: server-side costs during the ${seconds.toFixed(1)} s window (trace.ts)\n`);
  console.log('| route | requests/s | statements per request | database ms per request | wall ms per request |');
  console.log('|---|---:|---:|---:|---:|');
  for (const route of trace.routes.slice(0, 8)) {
    console.log(
      `| ${route.route} | ${(route.count / seconds).toFixed(0)} | ${(route.queries / route.count).toFixed(1)} | ${(route.dbMs / route.count).toFixed(2)} | ${(route.wallMs / route.count).toFixed(1)} |`,
    );
  }
  const connection = trace.connection;
  console.log(
    `\nConnections: ${connection.acquires} acquisitions, mean wait ${(connection.acquireWaitMs / Math.max(1, connection.acquires)).toFixed(2)} ms ` +
      `(total ${(connection.acquireWaitMs / 1000).toFixed(1)} s); held ${((100 * connection.holdMs) / (seconds * 1000)).toFixed(0)} % of the window (summed over connections); ` +
      `${connection.transactions} transactions, mean ${(connection.transactionMs / Math.max(1, connection.transactions)).toFixed(2)} ms from begin to commit. ` +
      `Event-loop delay p50 ${trace.eventLoopDelay.p50.toFixed(1)} ms, p99 ${trace.eventLoopDelay.p99.toFixed(1)} ms, max ${trace.eventLoopDelay.max.toFixed(0)} ms.`,
  );
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  console.log(
    `Memory at the end of the window: RSS ${mb(trace.memory.rss)} MB, V8 heap ${mb(trace.memory.heapUsed)} MB used of ${mb(trace.memory.heapTotal)} MB, external ${mb(trace.memory.external)} MB (array buffers ${mb(trace.memory.arrayBuffers)} MB).`,
  );
  const cpuMs = (measured.final.resources.serverCpuPercent / 100) * measured.final.seconds * 1000;
  const accepted = measured.final.accepted;
  console.log(
    `Server CPU: ${syncs > 0 ? `${(cpuMs / syncs).toFixed(1)} ms per /sync response (${syncs} responses), ` : ''}` +
      `${accepted > 0 ? `${(cpuMs / accepted).toFixed(1)} ms per accepted message, ` : ''}` +
      `${(cpuMs / Math.max(1, measured.final.deliveries)).toFixed(2)} ms per delivery (all of the server's work divided, not only the route's).`,
  );
  const totalMs = trace.statements.reduce((sum, entry) => sum + entry.ms + entry.prepareMs, 0);
  console.log(
    `\nStatements: ${trace.statements.reduce((sum, entry) => sum + entry.count, 0)} in the window, ${(totalMs / 1000).toFixed(1)} s in the database driver (${((100 * totalMs) / (seconds * 1000)).toFixed(0)} % of the window)${syncs > 0 ? `, ${(trace.statements.reduce((sum, entry) => sum + entry.count, 0) / syncs).toFixed(1)} per /sync response` : ''}.\n`,
  );
  console.log('| statement | per s | per /sync response | mean µs (prepare µs) | share of database time |');
  console.log('|---|---:|---:|---:|---:|');
  for (const entry of trace.statements.slice(0, 20)) {
    const text = entry.sql.length > 160 ? `${entry.sql.slice(0, 157)}...` : entry.sql;
    console.log(
      `| \`${text.replaceAll('|', '\\|').replaceAll('`', "'")}\` | ${(entry.count / seconds).toFixed(0)} | ${syncs > 0 ? (entry.count / syncs).toFixed(2) : '-'} | ${((1000 * entry.ms) / entry.count).toFixed(0)} (${((1000 * entry.prepareMs) / entry.count).toFixed(0)}) | ${((100 * (entry.ms + entry.prepareMs)) / totalMs).toFixed(1)} % |`,
    );
  }
}

async function main(): Promise<void> {
  const loadBefore = describeLoad();
  const workDir = await mkdtemp(join(tmpdir(), 'bureau-bench-chat-'));
  const results: Measured[] = [];
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    BUREAU_LOG_LEVEL: 'warn',
    BUREAU_RATE_LIMIT: '1000000',
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
  };
  try {
    if (!values['skip-floors']) {
      for (const kind of ['longpoll', 'websocket'] as const) {
        const target = await startFloor(kind, devices, rooms);
        try {
          results.push(await measure(target));
        } finally {
          await target.close();
        }
      }
    }
    if (!values['skip-sqlite']) {
      const dataDir = join(workDir, 'sqlite');
      results.push(await measureBureau('SQLite', { ...baseEnv, BUREAU_DATA_DIR: dataDir }, workDir));
    }
    const serverUrl =
      process.env.BUREAU_BENCH_DATABASE_URL ??
      (values.postgres ? 'postgres://postgres@127.0.0.1:5432/postgres' : undefined);
    if (serverUrl) {
      const scratch = await createScratchPostgresDatabase(serverUrl, 'bureau_bench_chat');
      try {
        results.push(
          await measureBureau(
            'PostgreSQL',
            { ...baseEnv, BUREAU_DATA_DIR: join(workDir, 'postgres'), DATABASE_URL: scratch.url },
            workDir,
          ),
        );
      } finally {
        await scratch.drop();
      }
    } else {
      log('(PostgreSQL skipped: pass --postgres or set BUREAU_BENCH_DATABASE_URL to include it)');
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  const roomSize = Math.round(devices / rooms);
  console.log(
    `\nBureau chat benchmark: ${devices} devices in ${rooms} rooms of ${roomSize}, long-poll timeout 30 s, timeline limit 50 and lazy-loaded members (Bureau), ` +
      `${fixedRates ? `rates ${fixedRates.join(', ')} msg/s` : `sustainable rate searched (p99 ≤ ${p99Target} ms, ≥ 95 % accepted; ${stepSeconds} s steps)`}, ` +
      `${warmupSeconds} s warm-up then ${durationSeconds} s measured; ${cpus().length} CPU(s), Node.js ${process.version}; ` +
      `load average before ${loadBefore}, after ${describeLoad()}\n`,
  );
  console.log(
    '| target | offered msg/s | accepted msg/s | delivered events/s | p50 (ms) | p95 (ms) | p99 (ms) | missing deliveries | server CPU (% of a core) | server RSS max (MB) | load generator CPU (%) | machine busy (%) | sustained |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const { target, final } of results) {
    const resources = final.resources;
    console.log(
      `| ${target} | ${(final.offered / final.seconds).toFixed(0)} | ${(final.accepted / final.seconds).toFixed(0)} | ${(final.deliveries / final.seconds).toFixed(0)} | ${formatMs(final.p50)} | ${formatMs(final.p95)} | ${formatMs(final.p99)} | ${final.missing} | ${resources.serverCpuPercent.toFixed(0)} | ${resources.serverRssMaxMb.toFixed(0)} | ${resources.loadCpuPercent.toFixed(0)} | ${resources.machineBusyPercent.toFixed(0)} | ${isSustained(final, p99Target) ? 'yes' : 'no'} |`,
    );
  }
  const searched = results.filter((result) => result.steps.length > 0);
  if (searched.length > 0) {
    console.log('\nSteps (search, or each fixed rate):\n');
    console.log(
      '| target | offered msg/s | accepted msg/s | delivered events/s | p99 (ms) | server CPU (%) | sustained |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---|');
    for (const { target, steps } of searched) {
      for (const step of steps) {
        console.log(
          `| ${target} | ${step.rate} | ${(step.accepted / step.seconds).toFixed(0)} | ${(step.deliveries / step.seconds).toFixed(0)} | ${formatMs(step.p99)} | ${step.resources.serverCpuPercent.toFixed(0)} | ${isSustained(step, p99Target) ? 'yes' : 'no'} |`,
        );
      }
    }
  }

  const floor = results.find((result) => result.target === 'floor: HTTP long-poll');
  const acceptedRate = (result: Measured) => result.final.accepted / result.final.seconds;
  for (const result of results.filter((entry) => entry.target.startsWith('Bureau'))) {
    const checks = [
      `p99 ${formatMs(result.final.p99)} ms ${result.final.p99 <= p99Target ? '≤' : '>'} ${p99Target} ms`,
      floor
        ? `${acceptedRate(result).toFixed(0)} msg/s = ${((100 * acceptedRate(result)) / acceptedRate(floor)).toFixed(0)} % of the long-poll floor (target ≥ 50 %)`
        : 'no floor measured',
      `RSS ${result.final.resources.serverRssMaxMb.toFixed(0)} MB ${result.final.resources.serverRssMaxMb <= 150 ? '≤' : '>'} 150 MB (${result.idleRssMb?.toFixed(0) ?? '?'} MB once started, before any device)`,
    ];
    console.log(`\n${result.target}: ${checks.join('; ')}.`);
  }
  for (const result of results) printTrace(result);
}

await main();
