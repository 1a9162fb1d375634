/**
 * Documents benchmark: D documents × E editors, each editor typing 5 characters per second through a real
 * Hocuspocus provider (its own Y.Doc and WebSocket, as a browser tab), against Bureau's real-time editing
 * (`/collab`: authentication, permission re-checks, every update stored before it is acknowledged; SQLite,
 * and PostgreSQL with --postgres) and, in the same run, the floor: a bare Hocuspocus server with no
 * authentication and no persistence (floor-server.ts). Each server runs in its own process, and the editors in
 * --client-processes processes of their own (editors.ts, whole documents per process), whose CPU is reported
 * apart; this process only orchestrates. Every target is started first, then each shape is measured on each
 * target in turn, so that a change of the machine's background load falls on all of them alike.
 *
 * For each target and shape it prints the editors, updates sent/s, deliveries/s (one update reaching one other
 * editor of its document), propagation latency p50/p95/p99 over every expected delivery of the updates sent in
 * the measured window (one never received counts as infinitely late), the deliveries missing, the sender's
 * acknowledgement latency (Bureau acknowledges once the update is stored), the server's CPU (% of one core,
 * and per update) and largest RSS, the editor processes' CPU and event-loop delay, and what other processes of
 * the machine used meanwhile.
 *
 * With --search it steps the number of documents (10, 20, 30, 40, 50, 60, 70, 80, 100, 120, 150, 200) until
 * a step fails for the target (p95 > --p95 ms, < 95 % of the keystrokes sent, or a document that could not be
 * opened; a near miss, or a miss while other processes used more than a quarter of a core, is measured again
 * once), and reports the largest passing one, and Bureau's share of the floor's, measured in the same run.
 *
 * Targets (issue): at least 300 live editors (30 × 10) at p95 ≤ 50 ms with authentication and persistence on,
 * i.e. ≥ 75 % of the floor measured in the same run.
 *
 *   node bench/docs/run.ts [--documents 30[,40]] [--editors 10] [--duration 20] [--warmup 10] [--search]
 *                          [--max-documents 200] [--step-duration 10] [--step-warmup 10] [--p95 50]
 *                          [--client-processes 2] [--auth token|session] [--cursors] [--postgres]
 *                          [--skip-floor] [--skip-sqlite] [--quick] [--trace] [--profile DIR]
 *
 * The documents start being typed into at random moments of the warm-up (at most 10 s): Bureau stores an
 * edited document at least every 10 s, and documents started together would all be stored in the same second.
 *
 * --quick is a smoke run: 3 documents × 3 editors, 1 s warm-up, 3 s measured (search steps 2, 4, 6).
 * --auth: Bureau's editors present a collaboration token each (`token`, the default), or their user's session
 * cookie with the site's Origin, as the web app in a browser does (`session`).
 * --cursors also moves each editor's cursor in its awareness state on every keystroke, as a browser does.
 * --trace preloads the chat benchmark's tracer (../chat/trace.ts) into every server: their event-loop delay
 * during each window, and Bureau's SQL statements (per second, time in the database driver, the costliest).
 * --profile DIR (implies --trace) also profiles each server's CPU during each measured window (files in
 * DIR/<target>) and summarises the last window of each.
 * BENCH_NODE_OPTIONS, when set, is Bureau's NODE_OPTIONS.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createScratchPostgresDatabase } from '../../apps/server/src/testing/scratch-postgres.ts';
import type { TraceSnapshot } from '../chat/bureau.ts';
import { describeLoad, LatencyHistogram, ResourceSampler, type ResourceReading } from '../chat/measure.ts';
import { summariseProfile } from '../chat/profile-summary.ts';
import { startBureau, startFloor, type AuthMode, type DocsTarget, type TraceOptions } from './bureau.ts';
import type {
  ConnectedMessage,
  DocumentAssignment,
  EditorsCommand,
  EditorsMessage,
  EditorsReport,
} from './protocol.ts';

const { values } = parseArgs({
  options: {
    documents: { type: 'string' },
    editors: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    search: { type: 'boolean', default: false },
    'max-documents': { type: 'string', default: '200' },
    'step-duration': { type: 'string' },
    'step-warmup': { type: 'string' },
    p95: { type: 'string', default: '50' },
    'client-processes': { type: 'string', default: '2' },
    auth: { type: 'string', default: 'token' },
    cursors: { type: 'boolean', default: false },
    postgres: { type: 'boolean', default: false },
    'skip-floor': { type: 'boolean', default: false },
    'skip-sqlite': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const isQuick = values.quick;
const isSearch = values.search;
const fixedDocuments = (values.documents ?? (isQuick ? '3' : '30'))
  .split(',')
  .map(Number)
  .filter((count) => count > 0);
const editorsPerDocument = Number(values.editors ?? (isQuick ? 3 : 10));
const warmupSeconds = isSearch
  ? Number(values['step-warmup'] ?? (isQuick ? 1 : 10))
  : Number(values.warmup ?? (isQuick ? 1 : 10));
/**
 * Over how long the documents start being typed into (at most the warm-up): Bureau stores an edited document
 * at least every 10 s (Hocuspocus's maxDebounce: compaction, search indexing), so documents whose editing
 * started together would all be stored in the same second, every 10 s — which real use does not do.
 */
const documentsSpreadSeconds = 10;
const durationSeconds = isSearch
  ? Number(values['step-duration'] ?? (isQuick ? 3 : 10))
  : Number(values.duration ?? (isQuick ? 3 : 20));
const drainSeconds = isQuick ? 2 : 5;
const p95Target = Number(values.p95);
const clientProcesses = Math.max(1, Number(values['client-processes']));
const maxDocuments = Number(values['max-documents']);
const shapes = isSearch
  ? (isQuick ? [2, 4, 6] : [10, 20, 30, 40, 50, 60, 70, 80, 100, 120, 150, 200]).filter(
      (count) => count <= maxDocuments,
    )
  : fixedDocuments;
if (values.auth !== 'session' && values.auth !== 'token') throw new Error('--auth is token or session');
const auth: AuthMode = values.auth;
const keystrokesPerSecond = 5;
const intervalMs = 1000 / keystrokesPerSecond;
const editorsScript = resolve(import.meta.dirname, 'editors.ts');
const isTraced = values.trace || values.profile !== undefined;

interface StepResult {
  readonly documents: number;
  readonly editors: number;
  readonly failedDocuments: number;
  readonly connectSeconds: number;
  readonly seconds: number;
  readonly offered: number;
  readonly sent: number;
  readonly deliveriesInWindow: number;
  readonly expectedDeliveries: number;
  readonly missing: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly ackP50: number;
  readonly ackP95: number;
  readonly ackP99: number;
  readonly server: ResourceReading;
  readonly clientsCpuPercent: number;
  readonly clientsRssMb: number;
  readonly clientsLoopDelayP99Ms: number;
  readonly clientsLoopDelayMaxMs: number;
  /** What the rest of the machine used meanwhile (other people's work), in % of one core. */
  readonly othersCpuPercent: number;
  readonly disconnections: number;
  /** What the server's tracer saw during the window (--trace). */
  readonly trace: TraceReading | undefined;
}

/** The server's tracer over a measured window: event-loop delay and SQL statements (../chat/trace.ts). */
interface TraceReading {
  readonly loopDelay: TraceSnapshot['eventLoopDelay'];
  readonly statementsPerSecond: number;
  /** Time in the database driver, in % of the window. */
  readonly databasePercent: number;
  readonly statements: ReadonlyArray<{ sql: string; perSecond: number; meanMicros: number; share: number }>;
  /** Kysely's connection (SQLite: one, behind a mutex; PostgreSQL: the pool) over the window. */
  readonly connection: TraceSnapshot['connection'];
  readonly seconds: number;
}

function traceReading(before: TraceSnapshot, after: TraceSnapshot): TraceReading {
  const seconds = (after.at - before.at) / 1000;
  const statements = Object.entries(after.statements)
    .map(([sql, entry]) => {
      const earlier = before.statements[sql] ?? { count: 0, ms: 0, prepareMs: 0 };
      return {
        sql,
        count: entry.count - earlier.count,
        ms: entry.ms + entry.prepareMs - earlier.ms - earlier.prepareMs,
      };
    })
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.ms - a.ms);
  const totalMs = statements.reduce((sum, entry) => sum + entry.ms, 0);
  const connection = {
    acquires: after.connection.acquires - before.connection.acquires,
    acquireWaitMs: after.connection.acquireWaitMs - before.connection.acquireWaitMs,
    holdMs: after.connection.holdMs - before.connection.holdMs,
    transactions: after.connection.transactions - before.connection.transactions,
    transactionMs: after.connection.transactionMs - before.connection.transactionMs,
  };
  return {
    seconds,
    connection,
    loopDelay: after.eventLoopDelay,
    statementsPerSecond: statements.reduce((sum, entry) => sum + entry.count, 0) / seconds,
    databasePercent: (100 * totalMs) / (seconds * 1000),
    statements: statements.slice(0, 10).map((entry) => ({
      sql: entry.sql,
      perSecond: entry.count / seconds,
      meanMicros: (1000 * entry.ms) / entry.count,
      share: (100 * entry.ms) / Math.max(1e-9, totalMs),
    })),
  };
}

/** A target's measurements. */
interface Measured {
  readonly target: DocsTarget;
  readonly steps: StepResult[];
  /** Search: the largest number of documents that passed (0 when none did). */
  best: number;
  /** Search: whether a step failed (no larger one is tried). */
  isDone: boolean;
  note?: string;
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

function formatMs(value: number): string {
  if (Number.isNaN(value)) return '-';
  if (!Number.isFinite(value)) return '∞';
  return value < 10 ? value.toFixed(1) : value.toFixed(0);
}

/** The server's CPU time per update sent in the window (ms): the figure least sensitive to a busy machine. */
function cpuPerUpdateMs(step: StepResult): number {
  return (10 * step.server.serverCpuPercent) / Math.max(1e-9, step.sent / step.seconds);
}

function isPassing(step: StepResult): boolean {
  return step.p95 <= p95Target && step.sent >= 0.95 * step.offered && step.failedDocuments === 0;
}

/** Child processes still running, ended whatever happens. */
const children = new Set<ChildProcess>();

/** An editors process: its messages, received in order, awaited one type at a time. */
class EditorsProcess {
  readonly #child: ChildProcess;
  readonly #inbox: EditorsMessage[] = [];
  #wake: (() => void) | undefined;
  #exited = false;

  constructor() {
    this.#child = fork(editorsScript, [], {
      serialization: 'advanced',
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(this.#child);
    this.#child.on('message', (message: EditorsMessage) => {
      this.#inbox.push(message);
      this.#wake?.();
    });
    // A command sent as the process ends (an interruption) fails here rather than crashing the benchmark.
    this.#child.on('error', (error) => log(`editors process ${this.pid}: ${error.message}`));
    this.#child.on('exit', () => {
      this.#exited = true;
      children.delete(this.#child);
      this.#wake?.();
    });
  }

  get pid(): number {
    return this.#child.pid ?? 0;
  }

  send(command: EditorsCommand): void {
    if (!this.#exited && this.#child.connected) this.#child.send(command);
  }

  async next<T extends EditorsMessage['type']>(
    type: T,
    timeoutMs: number,
  ): Promise<Extract<EditorsMessage, { type: T }>> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const message = this.#inbox.shift();
      if (message?.type === 'failure') throw new Error(`editors process ${this.pid}: ${message.message}`);
      if (message?.type === type) return message as Extract<EditorsMessage, { type: T }>;
      if (message) continue;
      if (this.#exited) throw new Error(`editors process ${this.pid} exited while waiting for "${type}"`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`editors process ${this.pid}: no "${type}" in ${timeoutMs / 1000} s`);
      await new Promise<void>((resolveWait) => {
        const timer = setTimeout(resolveWait, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolveWait();
        };
      });
      this.#wake = undefined;
    }
  }

  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolveExit) => this.#child.once('exit', () => resolveExit()));
    this.send({ type: 'close' });
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

function percentiles(latencies: readonly Float64Array[], missing: number) {
  const histogram = new LatencyHistogram();
  for (const list of latencies) for (const value of list) histogram.record(value);
  histogram.missing = missing;
  return { p50: histogram.percentile(0.5), p95: histogram.percentile(0.95), p99: histogram.percentile(0.99) };
}

/** One measurement: the editors of `documents` connect, type through a warm-up, then the measured window. */
async function step(target: DocsTarget, documents: number, warmup: number, duration: number): Promise<StepResult> {
  const assigned = target.documents.slice(0, documents);
  const processes = Array.from({ length: Math.min(clientProcesses, assigned.length) }, () => new EditorsProcess());
  try {
    const shares = processes.map((_, index) =>
      assigned.filter((_assignment: DocumentAssignment, position) => position % processes.length === index),
    );
    for (const [index, editorsProcess] of processes.entries()) {
      editorsProcess.send({
        type: 'connect',
        url: target.url,
        documents: shares[index] ?? [],
        editors: editorsPerDocument,
        isMovingCursors: values.cursors,
      });
    }
    const connected: ConnectedMessage[] = await Promise.all(
      processes.map((editorsProcess) => editorsProcess.next('connected', 180_000)),
    );
    const editors = connected.reduce((sum, message) => sum + message.editors, 0);
    const failedDocuments = connected.reduce((sum, message) => sum + message.failedDocuments.length, 0);
    const connectSeconds = Math.max(...connected.map((message) => message.seconds));

    const startAt = Date.now() + 500;
    const windowStart = startAt + warmup * 1000;
    const windowEnd = windowStart + duration * 1000;
    for (const editorsProcess of processes) {
      editorsProcess.send({
        type: 'type',
        startAt,
        spreadMs: Math.min(warmup, documentsSpreadSeconds) * 1000,
        windowStart,
        windowEnd,
        intervalMs,
        drainMs: drainSeconds * 1000,
      });
    }
    const sampler = new ResourceSampler(target.pid);
    await sleep(windowStart - Date.now());
    const traceBefore = await target.traceSnapshot('open');
    sampler.start();
    await sleep(windowEnd - Date.now());
    const server = sampler.stop();
    const traceAfter = await target.traceSnapshot('close');
    const reports: EditorsReport[] = await Promise.all(
      processes.map((editorsProcess) => editorsProcess.next('report', (drainSeconds + 60) * 1000)),
    );

    const missing = reports.reduce((sum, report) => sum + report.missing, 0);
    const propagation = percentiles(
      reports.map((report) => report.latencies),
      missing,
    );
    const ack = percentiles(
      reports.map((report) => report.ackLatencies),
      0,
    );
    const sum = (pick: (report: EditorsReport) => number) => reports.reduce((total, report) => total + pick(report), 0);
    const seconds = Math.max(...reports.map((report) => report.windowSeconds));
    const clientsCpuPercent = (100 * sum((report) => report.cpuMilliseconds)) / 1000 / seconds;
    return {
      documents: documents - failedDocuments,
      editors,
      failedDocuments,
      connectSeconds,
      seconds,
      offered: editors * keystrokesPerSecond * duration,
      sent: sum((report) => report.sentInWindow),
      deliveriesInWindow: sum((report) => report.deliveriesInWindow),
      expectedDeliveries: sum((report) => report.expectedDeliveries),
      missing,
      ...propagation,
      ackP50: ack.p50,
      ackP95: ack.p95,
      ackP99: ack.p99,
      server,
      clientsCpuPercent,
      clientsRssMb: sum((report) => report.rssMb),
      clientsLoopDelayP99Ms: Math.max(...reports.map((report) => report.eventLoopDelayP99Ms)),
      clientsLoopDelayMaxMs: Math.max(...reports.map((report) => report.eventLoopDelayMaxMs)),
      othersCpuPercent: Math.max(
        0,
        server.machineBusyPercent * cpus().length - server.serverCpuPercent - server.loadCpuPercent - clientsCpuPercent,
      ),
      disconnections: sum((report) => report.disconnections),
      trace: traceBefore && traceAfter ? traceReading(traceBefore, traceAfter) : undefined,
    };
  } finally {
    await Promise.all(processes.map((editorsProcess) => editorsProcess.close()));
  }
}

function describeStep(result: StepResult): string {
  return (
    `${result.documents} × ${editorsPerDocument} (${result.editors} editors, connected in ${result.connectSeconds.toFixed(1)} s): ` +
    `${(result.sent / result.seconds).toFixed(0)} updates/s, ${(result.deliveriesInWindow / result.seconds).toFixed(0)} deliveries/s, ` +
    `p50 ${formatMs(result.p50)} p95 ${formatMs(result.p95)} p99 ${formatMs(result.p99)} ms, missing ${result.missing}, ` +
    `server CPU ${result.server.serverCpuPercent.toFixed(0)} %, editors' CPU ${result.clientsCpuPercent.toFixed(0)} %, ` +
    `others' CPU ${result.othersCpuPercent.toFixed(0)} %` +
    (result.failedDocuments > 0 ? `, ${result.failedDocuments} documents failed to open` : '') +
    (isPassing(result) ? '' : ' — not passing')
  );
}

/** Waits (at most `maxSeconds`) until the server's CPU over a second is below a quarter of a core. */
async function settle(pid: number, maxSeconds = 20): Promise<void> {
  const deadline = performance.now() + maxSeconds * 1000;
  while (performance.now() < deadline) {
    const sampler = new ResourceSampler(pid);
    sampler.start();
    await sleep(1000);
    if (sampler.stop().serverCpuPercent < 25) return;
  }
}

/** Measures `documents` on a target; in a search, marks it done once a step fails (after a second chance). */
async function measureShape(measured: Measured, documents: number): Promise<void> {
  const target = measured.target;
  const stepBudgetMs = (warmupSeconds + durationSeconds + 60) * 1000;
  if (target.credentialsExpireAt !== undefined && Date.now() + stepBudgetMs > target.credentialsExpireAt) {
    measured.note = `stopped before ${documents} documents: the collaboration tokens prepared for it were about to expire (use --auth session for long searches)`;
    measured.isDone = true;
    return;
  }
  const label = isSearch ? `${target.name} search` : target.name;
  await settle(target.pid);
  let result = await step(target, documents, warmupSeconds, durationSeconds);
  log(`  ${label}: ${describeStep(result)}`);
  if (!isSearch) {
    measured.steps.push(result);
    return;
  }
  // A near miss, or a miss while other processes took a good share of the machine, gets a second chance.
  const isNearMiss = result.p95 <= 1.5 * p95Target || result.othersCpuPercent > 25;
  if (!isPassing(result) && isNearMiss && result.failedDocuments === 0) {
    measured.steps.push(result);
    await settle(target.pid);
    result = await step(target, documents, warmupSeconds, durationSeconds);
    log(`  ${label} (again): ${describeStep(result)}`);
  }
  measured.steps.push(result);
  if (isPassing(result)) measured.best = documents;
  else measured.isDone = true;
}

/** Bureau's SQL statements during a measured window (--trace): the last one of each target. */
function printTraces(results: readonly Measured[]): void {
  for (const { target, steps } of results) {
    const last = steps.at(-1);
    const trace = last?.trace;
    if (!last || !trace) continue;
    console.log(
      `\n${target.name}, ${last.documents} × ${editorsPerDocument}: server event-loop delay p50 ${formatMs(trace.loopDelay.p50)} ms, ` +
        `p99 ${formatMs(trace.loopDelay.p99)} ms, max ${formatMs(trace.loopDelay.max)} ms` +
        (trace.statementsPerSecond > 0
          ? `; ${trace.statementsPerSecond.toFixed(0)} SQL statements/s, ${trace.databasePercent.toFixed(0)} % of the window in the database driver (summed over connections) ` +
            `(${cpuPerUpdateMs(last).toFixed(2)} ms of server CPU per update); ` +
            `${(trace.connection.acquires / trace.seconds).toFixed(0)} connection acquisitions/s waiting ${(trace.connection.acquireWaitMs / Math.max(1, trace.connection.acquires)).toFixed(2)} ms on average, ` +
            `held ${((100 * trace.connection.holdMs) / (trace.seconds * 1000)).toFixed(0)} % of the window; ` +
            `${(trace.connection.transactions / trace.seconds).toFixed(0)} transactions/s, ${(trace.connection.transactionMs / Math.max(1, trace.connection.transactions)).toFixed(2)} ms from begin to commit on average.\n`
          : '.'),
    );
    if (trace.statements.length === 0) continue;
    console.log('| statement | per s | mean µs | share of database time |');
    console.log('|---|---:|---:|---:|');
    for (const entry of trace.statements) {
      const text = entry.sql.length > 140 ? `${entry.sql.slice(0, 137)}...` : entry.sql;
      console.log(
        `| \`${text.replaceAll('|', '\\|').replaceAll('`', "'")}\` | ${entry.perSecond.toFixed(0)} | ${entry.meanMicros.toFixed(0)} | ${entry.share.toFixed(1)} % |`,
      );
    }
  }
}

function printResults(results: readonly Measured[], loadBefore: string): void {
  const shape = isSearch
    ? `documents stepped (${shapes.join(', ')}) × ${editorsPerDocument} editors, ${warmupSeconds} s warm-up (documents starting over it) then ${durationSeconds} s measured per step`
    : `${fixedDocuments.join(', ')} documents × ${editorsPerDocument} editors, ${warmupSeconds} s warm-up (documents starting over it) then ${durationSeconds} s measured`;
  console.log(
    `\nBureau documents benchmark: ${shape}; each editor types ${keystrokesPerSecond} characters/s into its own paragraph` +
      `${values.cursors ? ' and moves its cursor (awareness)' : ''}; Bureau's editors authenticate with ${auth === 'session' ? 'their session cookie' : 'a collaboration token'}; ` +
      `editors in ${clientProcesses} processes on this machine; ${cpus().length} CPU(s), Node.js ${process.version}; ` +
      `load average before ${loadBefore}, after ${describeLoad()}\n`,
  );
  console.log(
    `| target | documents × editors | updates sent/s (offered) | deliveries/s | p50 (ms) | p95 (ms) | p99 (ms) | missing deliveries | ack p50 / p95 (ms) | server CPU (% of a core) | server CPU per update (ms) | server RSS max (MB) | ${isTraced ? 'server loop delay p99 (ms) | ' : ''}editors CPU (%) | editors loop delay p99 (ms) | others' CPU (%) | p95 ≤ ${p95Target} ms |`,
  );
  console.log(
    `|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|${isTraced ? '---:|' : ''}---:|---:|---:|---|`,
  );
  for (const { target, steps } of results) {
    for (const result of steps) {
      console.log(
        `| ${target.name} | ${result.documents} × ${editorsPerDocument} | ${(result.sent / result.seconds).toFixed(0)} (${(result.offered / result.seconds).toFixed(0)}) | ` +
          `${(result.deliveriesInWindow / result.seconds).toFixed(0)} | ${formatMs(result.p50)} | ${formatMs(result.p95)} | ${formatMs(result.p99)} | ` +
          `${result.missing} of ${result.expectedDeliveries} | ${formatMs(result.ackP50)} / ${formatMs(result.ackP95)} | ` +
          `${result.server.serverCpuPercent.toFixed(0)} | ${cpuPerUpdateMs(result).toFixed(2)} | ${result.server.serverRssMaxMb.toFixed(0)} | ` +
          `${isTraced ? `${formatMs(result.trace?.loopDelay.p99 ?? Number.NaN)} | ` : ''}${result.clientsCpuPercent.toFixed(0)} | ` +
          `${formatMs(result.clientsLoopDelayP99Ms)} | ${result.othersCpuPercent.toFixed(0)} | ${isPassing(result) ? 'yes' : 'no'} |`,
      );
    }
  }
  const disconnections = results.flatMap((result) => result.steps).reduce((sum, step) => sum + step.disconnections, 0);
  if (disconnections > 0) console.log(`\nEditors' WebSockets closed during the measurements: ${disconnections}.`);
  console.log('');
  for (const result of results) {
    console.log(`${result.target.name}: RSS ${result.target.idleRssMb.toFixed(0)} MB once started, before any editor.`);
    if (result.note) console.log(`${result.target.name}: ${result.note}.`);
  }

  const floor = results.find((result) => result.target.name.startsWith('floor'));
  console.log('');
  if (isSearch) {
    for (const result of results) {
      const editors = result.best * editorsPerDocument;
      const isBureau = result !== floor;
      const share = !floor
        ? ' (no floor measured)'
        : floor.best > 0
          ? ` = ${((100 * result.best) / floor.best).toFixed(0)} % of the floor (target ≥ 75 %)`
          : ' (the floor passed no step: no share of it; was the machine busy?)';
      console.log(
        `${result.target.name}: largest passing ${result.best} × ${editorsPerDocument} = ${editors} live editors at p95 ≤ ${p95Target} ms` +
          `${isBureau ? `${share}; target ≥ 300 editors ${editors >= 300 ? 'met' : 'not met'}` : ''}.`,
      );
    }
    printTraces(results);
    return;
  }
  for (const result of results.filter((entry) => entry !== floor)) {
    for (const [index, own] of result.steps.entries()) {
      const base = floor?.steps[index];
      console.log(
        `${result.target.name}, ${own.editors} editors: p95 ${formatMs(own.p95)} ms ${own.p95 <= p95Target ? '≤' : '>'} ${p95Target} ms` +
          (base
            ? ` (floor ${formatMs(base.p95)} ms); server CPU ${(own.server.serverCpuPercent / Math.max(1, base.server.serverCpuPercent)).toFixed(1)}× the floor's`
            : '') +
          '. The share of the floor needs --search.',
      );
    }
  }
  printTraces(results);
}

/** The processes this one started that are still running (Linux: /proc/<pid>/task/<tid>/children). */
function childPids(): number[] {
  try {
    return readdirSync(`/proc/${process.pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8')
        .split(' ')
        .filter((pid) => pid.trim() !== '')
        .map(Number),
    );
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const loadBefore = describeLoad();
  // Created, and its removal at exit arranged, in one synchronous run: no interruption comes in between.
  const workDir = mkdtempSync(join(tmpdir(), 'bureau-bench-docs-'));
  process.once('exit', () => {
    // A server still starting when interrupted is not among `servers` yet.
    for (const pid of childPids()) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Ended meanwhile.
      }
    }
    // Again here: an interruption can come while Bureau is being prepared in this process, writing into it.
    rmSync(workDir, { recursive: true, force: true });
  });
  /** The servers, stopped first; then what else to undo, last first (drop the scratch database, remove the scratch directory). */
  const servers: DocsTarget[] = [];
  const cleanups: Array<() => Promise<void>> = [() => rm(workDir, { recursive: true, force: true })];
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const child of children) child.kill('SIGKILL');
      await Promise.allSettled(servers.map((server) => server.stop()));
      for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => log(String(error)));
    })());
  const interrupt = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping`);
    isInterrupted = true;
    process.exitCode = 130;
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const documents = Math.max(...shapes);
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    BUREAU_LOG_LEVEL: 'warn',
    BUREAU_RATE_LIMIT: '1000000',
  };
  const profileDirs: Array<{ name: string; dir: string }> = [];
  /** The tracer's files of a target (--trace), and its profiles' directory (--profile). */
  const traceOf = async (name: string, key: string): Promise<TraceOptions | undefined> => {
    if (!isTraced) return undefined;
    const profileDir = values.profile ? resolve(values.profile, key) : undefined;
    if (profileDir) {
      await mkdir(profileDir, { recursive: true });
      profileDirs.push({ name, dir: profileDir });
    }
    return { file: join(workDir, `trace-${key}.json`), profileDir };
  };
  const start = async (database: string, env: NodeJS.ProcessEnv): Promise<DocsTarget> => {
    const name = `Bureau (${database})`;
    log(`${name}: preparing ${documents} pages, ${editorsPerDocument} users and their credentials...`);
    const started = performance.now();
    const target = await startBureau(
      name,
      { ...env, ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}) },
      documents,
      editorsPerDocument,
      auth,
      await traceOf(name, database.toLowerCase()),
    );
    log(`  prepared and started in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return target;
  };

  const results: Measured[] = [];
  const track = (target: DocsTarget) => {
    servers.push(target);
    results.push({ target, steps: [], best: 0, isDone: false });
  };
  try {
    if (!values['skip-floor']) track(await startFloor(documents, await traceOf('floor', 'floor')));
    if (!values['skip-sqlite']) track(await start('SQLite', { ...baseEnv, BUREAU_DATA_DIR: join(workDir, 'sqlite') }));
    const serverUrl =
      process.env.BUREAU_BENCH_DATABASE_URL ??
      (values.postgres ? 'postgres://postgres@127.0.0.1:5432/postgres' : undefined);
    if (serverUrl) {
      const scratch = await createScratchPostgresDatabase(serverUrl, 'bureau_bench_docs');
      cleanups.push(() => scratch.drop());
      track(
        await start('PostgreSQL', {
          ...baseEnv,
          BUREAU_DATA_DIR: join(workDir, 'postgres'),
          DATABASE_URL: scratch.url,
        }),
      );
    } else {
      log('(PostgreSQL skipped: pass --postgres or set BUREAU_BENCH_DATABASE_URL to include it)');
    }

    for (const count of shapes) {
      for (const measured of results) if (!measured.isDone) await measureShape(measured, count);
      if (results.every((measured) => measured.isDone)) break;
    }
  } finally {
    await cleanUp();
  }
  printResults(results, loadBefore);
  for (const { name, dir } of profileDirs) {
    const windowNumber = (file: string) => Number(/(\d+)/.exec(file)?.[1] ?? 0);
    const files = (await readdir(dir))
      .filter((file) => file.endsWith('.cpuprofile'))
      .sort((a, b) => windowNumber(a) - windowNumber(b));
    const last = files.at(-1);
    if (!last) continue;
    console.log(
      `\nCPU profile of ${name} during its last measured window: ${join(dir, last)}` +
        `${files.length > 1 ? ` (earlier windows: ${files.slice(0, -1).join(', ')})` : ''}\n`,
    );
    console.log(await summariseProfile(join(dir, last), 25));
  }
}

let isInterrupted = false;
try {
  await main();
} catch (error) {
  // Once interrupted, what fails next is the interruption's doing: the cleanup ends the process.
  if (!isInterrupted) throw error;
}
