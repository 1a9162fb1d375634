/**
 * What the chat benchmark measures with, whatever the server under test: a latency histogram, readings of
 * a process's CPU and memory from /proc, a keep-alive HTTP client, and the step that offers a rate of
 * messages to a target for a while and reports what was accepted and delivered.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** The moment a message is sent, carried in its content: microseconds since the epoch (an integer, as canonical JSON wants). */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** Latencies in 0.1 ms buckets up to 60 s; deliveries that never came are counted apart, as infinitely late. */
export class LatencyHistogram {
  readonly #buckets = new Uint32Array(600_001);
  count = 0;
  missing = 0;

  record(milliseconds: number): void {
    const index = Math.min(this.#buckets.length - 1, Math.max(0, Math.floor(milliseconds * 10)));
    this.#buckets[index] = (this.#buckets[index] ?? 0) + 1;
    this.count += 1;
  }

  /** The latency below which `fraction` of the expected deliveries arrived (Infinity when the missing ones reach it). */
  percentile(fraction: number): number {
    const total = this.count + this.missing;
    if (total === 0) return Number.NaN;
    const rank = Math.ceil(fraction * total);
    let seen = 0;
    for (let index = 0; index < this.#buckets.length; index += 1) {
      seen += this.#buckets[index] ?? 0;
      if (seen >= rank) return (index + 1) / 10;
    }
    return Number.POSITIVE_INFINITY;
  }
}

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** Resident memory of a process in MB, from /proc/<pid>/status. */
export function processRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export interface ResourceReading {
  /** CPU of the server process over the window, in % of one core. */
  readonly serverCpuPercent: number;
  /** Largest resident memory of the server seen, sampled every second. */
  readonly serverRssMaxMb: number;
  /** CPU of this process (the load generator), in % of one core. */
  readonly loadCpuPercent: number;
  readonly loadRssMb: number;
  /** The whole machine's busy share over the window (every core; other people's work included). */
  readonly machineBusyPercent: number;
}

/** Samples the server every second between `start` and `stop`. */
export class ResourceSampler {
  readonly #pid: number;
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #serverCpu = 0;
  #loadCpu = process.cpuUsage();
  #machine = machineTicks();
  #rssMax = 0;

  constructor(pid: number) {
    this.#pid = pid;
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#serverCpu = processCpuSeconds(this.#pid);
    this.#loadCpu = process.cpuUsage();
    this.#machine = machineTicks();
    this.#rssMax = processRssMb(this.#pid);
    this.#timer = setInterval(() => {
      this.#rssMax = Math.max(this.#rssMax, processRssMb(this.#pid));
    }, 1000);
  }

  stop(): ResourceReading {
    clearInterval(this.#timer);
    const seconds = (performance.now() - this.#startedAt) / 1000;
    const load = process.cpuUsage(this.#loadCpu);
    const machine = machineTicks();
    return {
      serverCpuPercent: (100 * (processCpuSeconds(this.#pid) - this.#serverCpu)) / seconds,
      serverRssMaxMb: Math.max(this.#rssMax, processRssMb(this.#pid)),
      loadCpuPercent: (100 * (load.user + load.system)) / 1e6 / seconds,
      loadRssMb: process.memoryUsage().rss / 1024 / 1024,
      machineBusyPercent:
        (100 * (machine.busy - this.#machine.busy)) / Math.max(1, machine.total - this.#machine.total),
    };
  }
}

export function describeLoad(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
}

/** A free loopback port, so that a server's address is known without reading its logs. */
export function freePort(): Promise<number> {
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

export async function waitUntilReady(url: string, isAlive: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isAlive()) throw new Error(`the server of ${url} exited while starting`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer in ${timeoutMs / 1000} s`);
    const ready = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await sleep(100);
  }
}

export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * A request on a keep-alive agent (node:http: cheaper per request than fetch, which matters when the load
 * generator shares two cores with the server); the body is parsed as JSON when there is one.
 */
export function requestJson(
  agent: http.Agent,
  port: number,
  options: { method: string; path: string; token?: string; body?: unknown; timeoutMs: number },
): Promise<JsonResponse> {
  return new Promise((resolveResponse, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: http.OutgoingHttpHeaders = {};
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const request = http.request(
      { agent, host: '127.0.0.1', port, method: options.method, path: options.path, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          if (text.length > 0 && (text.startsWith('{') || text.startsWith('['))) {
            try {
              body = JSON.parse(text) as unknown;
            } catch {
              body = text;
            }
          }
          resolveResponse({ status: response.statusCode ?? 0, body });
        });
      },
    );
    request.setTimeout(options.timeoutMs, () => request.destroy(new Error(`timeout after ${options.timeoutMs} ms`)));
    request.on('error', reject);
    request.end(payload);
  });
}

/** Runs `work` over `items` with at most `concurrency` at once. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** A deployment under test: devices in rooms receiving, senders sending, one server process. */
export interface Target {
  readonly name: string;
  readonly serverPid: number;
  /** Members of each room (every member's device receives every message of the room, the sender's included). */
  readonly roomSizes: readonly number[];
  /** Starts every device's receiving loop; each message reaching a device calls `onDelivery`. */
  startReceiving(onDelivery: (seq: number, sentAtMicros: number) => void): void;
  /** Sends message `seq` into `room` from its member `member`; resolves whether the server accepted it. */
  send(room: number, member: number, seq: number): Promise<boolean>;
  /** Receive-side counters since the start: responses (or frames), errors, truncated timelines. */
  receiverCounters(): { readonly responses: number; readonly errors: number; readonly limited: number };
  close(): Promise<void>;
}

/** The content of a benchmark message: its sequence number and the moment it was sent. */
export function messageContent(seq: number): Record<string, unknown> {
  return { msgtype: 'm.text', body: `Message de test n° ${seq}`, 'bench.seq': seq, 'bench.sent_at': nowMicros() };
}

export interface StepOptions {
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** Longest wait after the window for late deliveries; those still missing count as infinitely late. */
  readonly drainSeconds: number;
  readonly maxInFlight: number;
  readonly random: () => number;
  /** Called when the measured window opens and closes (server-side tracing snapshots). */
  readonly onWindow?: (edge: 'open' | 'close') => Promise<void>;
}

export interface StepResult {
  readonly rate: number;
  readonly seconds: number;
  readonly offered: number;
  readonly accepted: number;
  readonly refused: number;
  /** Messages not sent because `maxInFlight` sends were already waiting. */
  readonly dropped: number;
  readonly deliveries: number;
  readonly expectedDeliveries: number;
  readonly missing: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly resources: ResourceReading;
  readonly responses: number;
  readonly receiveErrors: number;
  readonly limited: number;
}

interface Pending {
  readonly room: number;
  readonly measured: boolean;
  expected: number;
}

/**
 * A measurement at a fixed offered rate: messages go out evenly (open loop: a slow server does not slow
 * the offer down) into random rooms from random members; after a warm-up, the window counts what was
 * offered, accepted and delivered, and the send→receive latency of every expected delivery of the messages
 * sent in the window (one message reaching one device).
 */
export class Bench {
  readonly #target: Target;
  readonly #pending = new Map<number, Pending>();
  #seq = 0;
  #histogram: LatencyHistogram | undefined;
  #windowDeliveries = 0;
  #isWindowOpen = false;

  constructor(target: Target) {
    this.#target = target;
    target.startReceiving((seq, sentAtMicros) => this.#delivered(seq, sentAtMicros));
  }

  #delivered(seq: number, sentAtMicros: number): void {
    // Only messages of the current step count: late ones of an earlier step were cleared from `#pending`.
    const pending = this.#pending.get(seq);
    if (!pending) return;
    if (this.#isWindowOpen) this.#windowDeliveries += 1;
    if (pending.measured) this.#histogram?.record((nowMicros() - sentAtMicros) / 1000);
    pending.expected -= 1;
    if (pending.expected <= 0) this.#pending.delete(seq);
  }

  /**
   * Waits (at most `maxSeconds`) until the server has caught up with an earlier step: its CPU over a second
   * below `cpuPercent` of a core. A backlog would otherwise spoil the next, lower, rate.
   */
  async settle(maxSeconds = 30, cpuPercent = 25): Promise<void> {
    const deadline = performance.now() + maxSeconds * 1000;
    while (performance.now() < deadline) {
      const before = processCpuSeconds(this.#target.serverPid);
      await sleep(1000);
      if (100 * (processCpuSeconds(this.#target.serverPid) - before) < cpuPercent) return;
    }
  }

  async step(options: StepOptions): Promise<StepResult> {
    const target = this.#target;
    const histogram = new LatencyHistogram();
    this.#histogram = histogram;
    const sampler = new ResourceSampler(target.serverPid);
    const counters = { offered: 0, accepted: 0, refused: 0, dropped: 0, expected: 0 };
    let inFlight = 0;
    const started = performance.now();
    const windowStart = started + options.warmupSeconds * 1000;
    const windowEnd = windowStart + options.durationSeconds * 1000;
    let scheduled = 0;
    let receivedAtOpen = target.receiverCounters();
    const sends: Array<Promise<void>> = [];

    const sendOne = (now: number) => {
      const measured = now >= windowStart;
      const room = Math.floor(options.random() * target.roomSizes.length);
      const size = target.roomSizes[room] ?? 0;
      const member = Math.floor(options.random() * size);
      if (measured) counters.offered += 1;
      if (inFlight >= options.maxInFlight) {
        if (measured) counters.dropped += 1;
        return;
      }
      this.#seq += 1;
      const seq = this.#seq;
      this.#pending.set(seq, { room, measured, expected: size });
      if (measured) counters.expected += size;
      inFlight += 1;
      const sending = target.send(room, member, seq).then(
        (isAccepted) => isAccepted,
        () => false,
      );
      sends.push(
        sending.then((isAccepted) => {
          inFlight -= 1;
          if (isAccepted) {
            if (measured) counters.accepted += 1;
          } else {
            if (measured) {
              counters.refused += 1;
              counters.expected -= this.#pending.get(seq)?.expected ?? 0;
            }
            this.#pending.delete(seq);
          }
        }),
      );
    };

    // The offer: every few milliseconds, the messages due since the start.
    for (;;) {
      const now = performance.now();
      if (now >= windowEnd) break;
      if (!this.#isWindowOpen && now >= windowStart) {
        await options.onWindow?.('open');
        this.#windowDeliveries = 0;
        receivedAtOpen = target.receiverCounters();
        sampler.start();
        this.#isWindowOpen = true;
      }
      const due = Math.floor(((now - started) / 1000) * options.rate);
      while (scheduled < due) {
        scheduled += 1;
        sendOne(performance.now());
      }
      await sleep(4);
    }
    this.#isWindowOpen = false;
    const resources = sampler.stop();
    const deliveries = this.#windowDeliveries;
    const receivedAtClose = target.receiverCounters();
    await options.onWindow?.('close');

    // Late deliveries of the measured messages, up to the drain limit.
    const drainDeadline = performance.now() + options.drainSeconds * 1000;
    await Promise.race([Promise.all(sends), sleep(options.drainSeconds * 1000)]);
    const measuredPending = () => [...this.#pending.values()].filter((pending) => pending.measured);
    while (measuredPending().length > 0 && performance.now() < drainDeadline) await sleep(20);
    histogram.missing = measuredPending().reduce((sum, pending) => sum + pending.expected, 0);
    // What is still on its way now belongs to no measure.
    this.#pending.clear();
    this.#histogram = undefined;

    return {
      rate: options.rate,
      seconds: options.durationSeconds,
      offered: counters.offered,
      accepted: counters.accepted,
      refused: counters.refused,
      dropped: counters.dropped,
      deliveries,
      expectedDeliveries: counters.expected,
      missing: histogram.missing,
      p50: histogram.percentile(0.5),
      p95: histogram.percentile(0.95),
      p99: histogram.percentile(0.99),
      resources,
      responses: receivedAtClose.responses - receivedAtOpen.responses,
      receiveErrors: receivedAtClose.errors - receivedAtOpen.errors,
      limited: receivedAtClose.limited - receivedAtOpen.limited,
    };
  }
}

/** Whether a step is sustained: p99 within the target and (nearly) every offered message accepted. */
export function isSustained(result: StepResult, p99TargetMs: number): boolean {
  return result.p99 <= p99TargetMs && result.accepted >= 0.95 * result.offered;
}

/** A server run as a child process of the benchmark, ready once `readyUrl` answers. */
export interface ChildServer {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Whether the process has ended. */
  readonly hasExited: () => boolean;
  /** Ends it (SIGTERM) and waits for it. */
  readonly stop: () => Promise<void>;
}

/** Starts `node <args>` and waits until `readyUrl` answers (stopping it if it never does). */
export async function startChildServer(
  args: readonly string[],
  readyUrl: string,
  env?: NodeJS.ProcessEnv,
): Promise<ChildServer> {
  const server = spawnChild(args, { ...(env ? { env } : {}) });
  try {
    await waitUntilReady(readyUrl, () => !server.hasExited());
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/**
 * Starts `node <args>` (its standard output inherited, or piped to read it); `closed` resolves when it exits,
 * `stop` ends it (SIGTERM) and waits for it.
 */
export function spawnChild(
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly stdout?: 'inherit' | 'pipe' } = {},
): ChildServer & { readonly closed: Promise<void> } {
  const child = spawn(process.execPath, args, {
    ...(options.env ? { env: options.env } : {}),
    stdio: ['ignore', options.stdout ?? 'inherit', 'inherit'],
  });
  let exited = false;
  const closed = new Promise<void>((resolveClose) =>
    child.on('close', () => {
      exited = true;
      resolveClose();
    }),
  );
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await closed;
  };
  return { child, pid: child.pid ?? 0, hasExited: () => exited, stop, closed };
}
