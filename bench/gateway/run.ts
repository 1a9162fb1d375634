/**
 * Gateway benchmark: the overhead Bureau's model gateway adds. The same fake OpenAI-compatible upstream
 * (upstream.ts, its own process) is called directly and through Bureau (`bureau start`, its own process;
 * SQLite in a scratch data directory, or a scratch PostgreSQL database with --postgres), in one run, with
 * the same closed loop: N clients on keep-alive connections, each sending its next request when the
 * previous answer has ended, for D seconds after a warm-up. Through Bureau every request carries an API
 * key of scope `ai` and goes through authentication, sensitivity routing, quota reservation and settlement
 * (a rule on the key and one on its organisation, never reached) and a usage record.
 *
 * Scenarios: a chat completion, the same streamed (time to the last byte, and to the first byte of the
 * body), embeddings of one query (1024 dimensions by default). For each, direct and through Bureau: requests/s,
 * p50/p95/p99 latency, Bureau's CPU (% of one core) and largest RSS, the upstream's CPU, this process's
 * (the load generator's) CPU; then the latency Bureau adds (p50 and p99 differences) and Bureau's CPU per
 * request. Once per scenario it checks that the answer through Bureau equals the direct one apart from ids,
 * model names and timestamps, and that Bureau recorded exactly one usage row per request it received
 * (`GET /v1/usage` totals for the key, before and after).
 *
 * Target (issue): ≤ 1 ms added at p50 (LiteLLM reports 3–12 ms).
 *
 *   node bench/gateway/run.ts [--concurrency 1,16] [--duration 15] [--warmup 3] [--postgres]
 *                             [--scenarios chat,stream,embeddings] [--embedding-dimensions 1024] [--quick]
 *
 * --quick: 2 s per phase after a 1 s warm-up, 4 clients. --postgres uses BUREAU_BENCH_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) for the scratch database. BENCH_NODE_OPTIONS, when set, is
 * Bureau's NODE_OPTIONS.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { createScratchPostgresDatabase } from '../../apps/server/src/testing/scratch-postgres.ts';
import { describeLoad, ResourceSampler, type ResourceReading } from '../chat/measure.ts';
import {
  percentile,
  prepareRequest,
  runClosedLoop,
  send,
  type LoopResult,
  type PreparedRequest,
} from './closed-loop.ts';
import { models, startBureau, startUpstream, type Bureau, type Upstream } from './servers.ts';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    postgres: { type: 'boolean', default: false },
    scenarios: { type: 'string', default: 'chat,stream,embeddings' },
    'embedding-dimensions': { type: 'string', default: '1024' },
    quick: { type: 'boolean', default: false },
  },
});
const isQuick = values.quick;
const concurrencies = (values.concurrency ?? (isQuick ? '4' : '1,16'))
  .split(',')
  .map(Number)
  .filter((value) => Number.isInteger(value) && value > 0);
const durationSeconds = Number(values.duration ?? (isQuick ? 2 : 15));
const warmupSeconds = Number(values.warmup ?? (isQuick ? 1 : 3));
const embeddingDimensions = Number(values['embedding-dimensions']);
const targetAddedMs = 1;

type ScenarioKey = 'chat' | 'stream' | 'embeddings';

interface Scenario {
  readonly key: ScenarioKey;
  readonly name: string;
  readonly path: '/chat/completions' | '/embeddings';
  readonly isStream: boolean;
  body(model: string): Record<string, unknown>;
}

const systemPrompt = 'Tu es l’assistant d’une administration française. Réponds en français, clairement et brièvement.';
// About 40 words: the fake upstream echoes it, so a streamed answer has about 45 events.
const question =
  'Un usager demande comment renouveler sa carte nationale d’identité avant un départ à l’étranger le mois ' +
  'prochain : quelles pièces fournir, faut-il prendre rendez-vous en mairie, quel est le délai habituel et ' +
  'peut-il suivre l’avancement de sa demande en ligne ?';
// A search query, the embedding a person waits for (indexing sends batches, but nobody waits on each).
const query = 'Comment renouveler sa carte nationale d’identité avant un départ à l’étranger ?';

const allScenarios: readonly Scenario[] = [
  {
    key: 'chat',
    name: 'chat completion',
    path: '/chat/completions',
    isStream: false,
    body: (model) => ({
      model,
      messages: [
        { role: 'system', content: systemPrompt },
        { role: 'user', content: question },
      ],
    }),
  },
  {
    key: 'stream',
    name: 'chat completion, streamed',
    path: '/chat/completions',
    isStream: true,
    body: (model) => ({
      model,
      messages: [
        { role: 'system', content: systemPrompt },
        { role: 'user', content: question },
      ],
      stream: true,
      // Asked for directly too, so that both answers have the same events (Bureau always asks the upstream).
      stream_options: { include_usage: true },
    }),
  },
  {
    key: 'embeddings',
    name: 'embeddings (one query)',
    path: '/embeddings',
    isStream: false,
    body: (model) => ({ model, input: query }),
  },
];
const chosen = new Set(values.scenarios.split(',').map((key) => key.trim()));
const scenarios = allScenarios.filter((scenario) => chosen.has(scenario.key));

interface Phase {
  readonly target: 'direct' | 'Bureau';
  readonly loop: LoopResult;
  /** Requests sent in the warm-up and the measured window. */
  readonly sent: number;
  readonly bureau: ResourceReading;
  readonly upstream: ResourceReading;
}

interface Row {
  readonly scenario: Scenario;
  readonly concurrency: number;
  readonly direct: Phase;
  readonly throughBureau: Phase;
  /** Usage rows Bureau recorded during its phase, and the requests it received. */
  readonly usageRows: number;
  readonly equal: { readonly isEqual: boolean; readonly difference: string };
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function runPhase(
  target: Phase['target'],
  request: PreparedRequest,
  concurrency: number,
  pids: { bureau: number; upstream: number },
): Promise<Phase> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const warmup = await runClosedLoop(agent, request, concurrency, warmupSeconds);
    const bureauSampler = new ResourceSampler(pids.bureau);
    const upstreamSampler = new ResourceSampler(pids.upstream);
    bureauSampler.start();
    upstreamSampler.start();
    const loop = await runClosedLoop(agent, request, concurrency, durationSeconds);
    const bureau = bureauSampler.stop();
    const upstream = upstreamSampler.stop();
    return { target, loop, sent: warmup.sent + loop.sent, bureau, upstream };
  } finally {
    agent.destroy();
  }
}

/** An answer without what legitimately differs through Bureau: ids, the model's name, timestamps. */
function normalise(text: string | undefined, isStream: boolean): unknown {
  const withoutIds = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return value;
    const { id: _id, model: _model, created: _created, ...rest } = value as Record<string, unknown>;
    return rest;
  };
  if (text === undefined) return undefined;
  if (!isStream) return withoutIds(JSON.parse(text));
  return text
    .split('\n\n')
    .map((frame) => frame.trim())
    .filter((frame) => frame.startsWith('data:'))
    .map((frame) => frame.slice(5).trim())
    .map((data) => (data === '[DONE]' ? data : withoutIds(JSON.parse(data))));
}

async function compareAnswers(
  direct: PreparedRequest,
  throughBureau: PreparedRequest,
  isStream: boolean,
): Promise<Row['equal']> {
  const agent = new http.Agent({ keepAlive: false });
  try {
    const [expected, actual] = [await send(agent, direct, true), await send(agent, throughBureau, true)];
    if (expected.failure !== undefined) return { isEqual: false, difference: `direct: ${expected.failure}` };
    if (actual.failure !== undefined) return { isEqual: false, difference: `through Bureau: ${actual.failure}` };
    const left = normalise(expected.text, isStream);
    const right = normalise(actual.text, isStream);
    if (isDeepStrictEqual(left, right)) return { isEqual: true, difference: '' };
    return {
      isEqual: false,
      difference: `direct ${JSON.stringify(left).slice(0, 300)} — through Bureau ${JSON.stringify(right).slice(0, 300)}`,
    };
  } finally {
    agent.destroy();
  }
}

async function measureScenario(scenario: Scenario, upstream: Upstream, bureau: Bureau): Promise<Row[]> {
  const direct = prepareRequest(`${upstream.baseUrl}${scenario.path}`, scenario.body(modelOf(scenario).upstream), {
    isStream: scenario.isStream,
  });
  const throughBureau = prepareRequest(`${bureau.address}/v1${scenario.path}`, scenario.body(modelOf(scenario).alias), {
    token: bureau.apiKey,
    isStream: scenario.isStream,
  });
  const equal = await compareAnswers(direct, throughBureau, scenario.isStream);
  log(`${scenario.name}: answer through Bureau ${equal.isEqual ? 'equals' : 'differs from'} the direct one`);
  const pids = { bureau: bureau.pid, upstream: upstream.pid };
  const rows: Row[] = [];
  for (const concurrency of concurrencies) {
    const directPhase = await runPhase('direct', direct, concurrency, pids);
    log(`  ${describePhase(scenario, concurrency, directPhase)}`);
    const usageBefore = await bureau.usageRequests();
    const bureauPhase = await runPhase('Bureau', throughBureau, concurrency, pids);
    const usageRows = (await bureau.usageRequests()) - usageBefore;
    log(
      `  ${describePhase(scenario, concurrency, bureauPhase)}; ${usageRows} usage rows for ${bureauPhase.sent} requests`,
    );
    rows.push({ scenario, concurrency, direct: directPhase, throughBureau: bureauPhase, usageRows, equal });
  }
  return rows;
}

function modelOf(scenario: Scenario) {
  return scenario.path === '/embeddings' ? models.embeddings : models.chat;
}

function requestsPerSecond(phase: Phase): number {
  return phase.loop.totalMs.length / phase.loop.seconds;
}

function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : '-';
}

function signedMs(value: number): string {
  return Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(2)}` : '-';
}

function describePhase(scenario: Scenario, concurrency: number, phase: Phase): string {
  const { loop } = phase;
  return (
    `${scenario.key} ×${concurrency} ${phase.target}: ${requestsPerSecond(phase).toFixed(0)} requests/s, ` +
    `p50 ${ms(percentile(loop.totalMs, 0.5))} p99 ${ms(percentile(loop.totalMs, 0.99))} ms, ` +
    `${loop.failures} failed${loop.firstFailure ? ` (${loop.firstFailure})` : ''}, ` +
    `Bureau CPU ${phase.bureau.serverCpuPercent.toFixed(0)} %, upstream CPU ${phase.upstream.serverCpuPercent.toFixed(0)} %, ` +
    `load generator CPU ${phase.bureau.loadCpuPercent.toFixed(0)} %`
  );
}

/** Bureau's CPU time per request it answered in its window, in ms (all of its work divided, not only the route's). */
function bureauCpuPerRequestMs(phase: Phase): number {
  const cpuMs = (phase.bureau.serverCpuPercent / 100) * phase.loop.seconds * 1000;
  return cpuMs / Math.max(1, phase.loop.totalMs.length);
}

function printResults(rows: readonly Row[], database: string, loadBefore: string, idleRssMb: number): void {
  console.log(
    `\nBureau gateway benchmark: the same fake upstream called directly and through Bureau (${database}; API key, ` +
      `sensitivity routing, quotas on the key and its organisation, one usage row per request), closed loop on ` +
      `keep-alive connections, ${warmupSeconds} s warm-up then ${durationSeconds} s measured per phase; ` +
      `embeddings of ${embeddingDimensions} dimensions; load generator, upstream and Bureau in three processes on ` +
      `${cpus().length} CPU(s), Node.js ${process.version}; Bureau's RSS once started ${idleRssMb.toFixed(0)} MB; ` +
      `load average before ${loadBefore}, after ${describeLoad()}\n`,
  );
  console.log(
    '| scenario | clients | path | requests/s | p50 (ms) | p95 (ms) | p99 (ms) | first byte p50 (ms) | failed | Bureau CPU (% of a core) | Bureau RSS max (MB) | upstream CPU (%) | load generator CPU (%) | machine busy (%) |',
  );
  console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    for (const phase of [row.direct, row.throughBureau]) {
      const { loop } = phase;
      console.log(
        `| ${row.scenario.name} | ${row.concurrency} | ${phase.target} | ${requestsPerSecond(phase).toFixed(0)} | ` +
          `${ms(percentile(loop.totalMs, 0.5))} | ${ms(percentile(loop.totalMs, 0.95))} | ${ms(percentile(loop.totalMs, 0.99))} | ` +
          `${row.scenario.isStream ? ms(percentile(loop.firstByteMs, 0.5)) : '-'} | ${loop.failures} | ` +
          `${phase.bureau.serverCpuPercent.toFixed(0)} | ${phase.bureau.serverRssMaxMb.toFixed(0)} | ` +
          `${phase.upstream.serverCpuPercent.toFixed(0)} | ${phase.bureau.loadCpuPercent.toFixed(0)} | ` +
          `${phase.bureau.machineBusyPercent.toFixed(0)} |`,
      );
    }
  }

  console.log('\nWhat Bureau adds (through Bureau minus direct, same clients):\n');
  console.log(
    `| scenario | clients | added p50 (ms) | added p99 (ms) | added first byte p50 (ms) | requests/s (% of direct) | Bureau CPU per request (ms) | same answer | usage rows / requests | p50 added ≤ ${targetAddedMs} ms |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---|---|---|');
  for (const row of rows) {
    const direct = row.direct.loop;
    const through = row.throughBureau.loop;
    const addedP50 = percentile(through.totalMs, 0.5) - percentile(direct.totalMs, 0.5);
    const addedP99 = percentile(through.totalMs, 0.99) - percentile(direct.totalMs, 0.99);
    const addedFirstByte = percentile(through.firstByteMs, 0.5) - percentile(direct.firstByteMs, 0.5);
    const isUsageExact = row.usageRows === row.throughBureau.sent;
    console.log(
      `| ${row.scenario.name} | ${row.concurrency} | ${signedMs(addedP50)} | ${signedMs(addedP99)} | ` +
        `${row.scenario.isStream ? signedMs(addedFirstByte) : '-'} | ` +
        `${((100 * requestsPerSecond(row.throughBureau)) / requestsPerSecond(row.direct)).toFixed(0)} | ` +
        `${bureauCpuPerRequestMs(row.throughBureau).toFixed(2)} | ${row.equal.isEqual ? 'yes' : 'no'} | ` +
        `${row.usageRows} / ${row.throughBureau.sent}${isUsageExact ? '' : ' (mismatch)'} | ${addedP50 <= targetAddedMs ? 'yes' : 'no'} |`,
    );
  }

  const problems = rows.flatMap((row) => [
    ...(row.equal.isEqual ? [] : [`${row.scenario.name}: answers differ: ${row.equal.difference}`]),
    ...(row.usageRows === row.throughBureau.sent
      ? []
      : [
          `${row.scenario.name} ×${row.concurrency}: ${row.usageRows} usage rows for ${row.throughBureau.sent} requests`,
        ]),
    ...[row.direct, row.throughBureau]
      .filter((phase) => phase.loop.failures > 0)
      .map(
        (phase) =>
          `${row.scenario.name} ×${row.concurrency} ${phase.target}: ${phase.loop.failures} failed requests (first: ${phase.loop.firstFailure})`,
      ),
  ]);
  const unique = [...new Set(problems)];
  console.log(unique.length === 0 ? '\nChecks: every answer equal, one usage row per request, no failure.' : '');
  for (const problem of unique) console.log(`Problem: ${problem}`);
}

async function main(): Promise<void> {
  if (scenarios.length === 0) throw new Error('--scenarios names none of chat, stream, embeddings');
  if (concurrencies.length === 0) throw new Error('--concurrency needs positive integers');
  const loadBefore = describeLoad();
  const workDir = await mkdtemp(join(tmpdir(), 'bureau-bench-gateway-'));
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    BUREAU_LOG_LEVEL: 'warn',
    BUREAU_RATE_LIMIT: '1000000',
    BUREAU_DATA_DIR: join(workDir, 'data'),
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
  };
  const serverUrl = values.postgres
    ? (process.env.BUREAU_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
    : undefined;
  const scratch = serverUrl ? await createScratchPostgresDatabase(serverUrl, 'bureau_bench_gateway') : undefined;
  const database = scratch ? 'PostgreSQL' : 'SQLite';
  let upstream: Upstream | undefined;
  let bureau: Bureau | undefined;
  const rows: Row[] = [];
  let idleRssMb = Number.NaN;
  try {
    upstream = await startUpstream(embeddingDimensions);
    log(`upstream at ${upstream.baseUrl}; seeding and starting Bureau (${database})...`);
    bureau = await startBureau({
      upstreamBaseUrl: upstream.baseUrl,
      env: scratch ? { ...baseEnv, DATABASE_URL: scratch.url } : baseEnv,
      workDir,
      maxConcurrency: Math.max(64, 2 * Math.max(...concurrencies)),
    });
    log(
      `Bureau at ${bureau.address} (pid ${bureau.pid}; upstream pid ${upstream.pid}, this process ${process.pid}), API key created, quotas set`,
    );
    idleRssMb = bureau.idleRssMb;
    for (const scenario of scenarios) rows.push(...(await measureScenario(scenario, upstream, bureau)));
  } finally {
    await bureau?.stop();
    await upstream?.stop();
    await scratch?.drop();
    await rm(workDir, { recursive: true, force: true });
  }
  printResults(rows, database, loadBefore, idleRssMb);
}

await main();
