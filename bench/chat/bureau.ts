/**
 * Bureau as a target of the chat benchmark: `bureau start` in a child process (SQLite in a scratch data
 * directory, or a scratch PostgreSQL database), accounts seeded before it starts (seed.ts), then over the
 * Matrix client-server API: each device logs in by e-mail, room owners create their rooms and invite,
 * members join, each device stores a filter and makes its initial /sync; then every device long-polls
 * /sync while senders PUT messages.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  freePort,
  inParallel,
  messageContent,
  processRssMb,
  requestJson,
  startChildServer,
  type Target,
} from './measure.ts';

const bin = resolve(import.meta.dirname, '../../bin/bureau.js');
const seedScript = resolve(import.meta.dirname, 'seed.ts');
const traceScript = resolve(import.meta.dirname, 'trace.ts');
const client = '/_matrix/client/v3';
const emailDomain = 'bench.gouv.fr';
const password = 'Banc-essai-messagerie-2026';
/** What a Matrix client asks for: a bounded timeline and lazy-loaded members. */
const syncFilter = { room: { timeline: { limit: 50 }, state: { lazy_load_members: true } } };
const longPollMs = 30_000;

/** The accounts' e-mail addresses, in the order the benchmark uses them. */
export function benchEmail(index: number, domain: string): string {
  return `agent${String(index).padStart(4, '0')}@${domain}`;
}

export interface BureauOptions {
  readonly devices: number;
  readonly rooms: number;
  /** The server's environment without its port (data directory or DATABASE_URL, log level...). */
  readonly env: NodeJS.ProcessEnv;
  /** Where the server's query tracer writes its readings (trace.ts); none without it. */
  readonly traceFile: string | undefined;
  /** Where the tracer writes a CPU profile of each measured window (needs `traceFile`). */
  readonly profileDir: string | undefined;
  readonly log: (text: string) => void;
}

interface Device {
  readonly index: number;
  readonly userId: string;
  readonly token: string;
  filterId: string;
  since: string;
}

interface SyncResponse {
  next_batch?: string;
  rooms?: {
    join?: Record<
      string,
      { timeline?: { events?: Array<{ type?: string; content?: Record<string, unknown> }>; limited?: boolean } }
    >;
  };
}

function expectOk(response: { status: number; body: unknown }, what: string): Record<string, unknown> {
  if (response.status !== 200 || typeof response.body !== 'object' || response.body === null) {
    throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
  }
  return response.body as Record<string, unknown>;
}

function runToEnd(args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolveRun() : reject(new Error(`${args.join(' ')} exited with ${code}`)),
    );
  });
}

export interface BureauTarget extends Target {
  /** Resident memory of the server once ready, before any device logged in. */
  readonly idleRssMb: number;
  /** Asks the server's tracer for its counters as the window opens or closes (undefined without a tracer). */
  traceSnapshot(edge: 'open' | 'close'): Promise<TraceSnapshot | undefined>;
}

/** What trace.ts writes: cumulative counters of the server process. */
export interface TraceSnapshot {
  readonly seq: number;
  readonly at: number;
  readonly statements: Record<string, { count: number; ms: number; prepareMs: number }>;
  readonly routes: Record<string, { count: number; queries: number; dbMs: number; wallMs: number }>;
  readonly connection: {
    acquires: number;
    acquireWaitMs: number;
    holdMs: number;
    transactions: number;
    transactionMs: number;
  };
  readonly eventLoopDelay: { p50: number; p99: number; max: number };
  readonly memory: NodeJS.MemoryUsage;
}

export async function startBureau(options: BureauOptions): Promise<BureauTarget> {
  const port = await freePort();
  const address = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    BUREAU_HOST: '127.0.0.1',
    BUREAU_PORT: String(port),
    BUREAU_PUBLIC_URL: address,
    BUREAU_MATRIX_SERVER_NAME: 'bench.localhost',
    ...(options.traceFile ? { BENCH_CHAT_TRACE_FILE: options.traceFile } : {}),
    ...(options.traceFile && options.profileDir ? { BENCH_CHAT_PROFILE_DIR: options.profileDir } : {}),
  };
  const seedStarted = performance.now();
  await runToEnd(
    [seedScript, '--users', String(options.devices), '--domain', emailDomain, '--password', password],
    env,
  );
  options.log(`  seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  const nodeOptions = options.traceFile ? ['--import', traceScript] : [];
  const server = await startChildServer([...nodeOptions, bin, 'start'], `${address}/readyz`, env);
  const hasExited = () => server.hasExited();
  const stopServer = () => server.stop();
  const pid = server.pid;
  const idleRssMb = processRssMb(pid);

  const setupAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const syncAgent = new http.Agent({ keepAlive: true, maxSockets: options.devices + 16 });
  const sendAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const call = (method: string, path: string, token: string | undefined, body?: unknown) =>
    requestJson(setupAgent, port, {
      method,
      path,
      ...(token === undefined ? {} : { token }),
      ...(body === undefined ? {} : { body }),
      timeoutMs: 60_000,
    });

  const roomCount = options.rooms;
  const roomSizes = Array.from({ length: roomCount }, (_, room) =>
    Math.floor((options.devices - room + roomCount - 1) / roomCount),
  );
  /** Member `member` of room `room` is device `room + member × rooms`. */
  const deviceOf = (room: number, member: number) => room + member * roomCount;
  let devices: Device[] = [];
  let roomIds: string[] = [];
  try {
    let started = performance.now();
    devices = await inParallel(
      Array.from({ length: options.devices }, (_, index) => index),
      8,
      async (index) => {
        const body = expectOk(
          await call('POST', `${client}/login`, undefined, {
            type: 'm.login.password',
            identifier: { type: 'm.id.thirdparty', medium: 'email', address: benchEmail(index, emailDomain) },
            password,
            initial_device_display_name: `bench ${index}`,
          }),
          'login',
        );
        return { index, userId: String(body['user_id']), token: String(body['access_token']), filterId: '', since: '' };
      },
    );
    options.log(`  ${devices.length} devices logged in in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    started = performance.now();
    const device = (index: number) => {
      const found = devices[index];
      if (!found) throw new Error(`no device ${index}`);
      return found;
    };
    roomIds = await inParallel(
      Array.from({ length: roomCount }, (_, room) => room),
      4,
      async (room) => {
        const owner = device(deviceOf(room, 0));
        const invite = Array.from({ length: (roomSizes[room] ?? 1) - 1 }, (_, member) =>
          device(deviceOf(room, member + 1)),
        ).map((member) => member.userId);
        const body = expectOk(
          await call('POST', `${client}/createRoom`, owner.token, {
            preset: 'private_chat',
            name: `Salle ${room}`,
            invite,
          }),
          'createRoom',
        );
        return String(body['room_id']);
      },
    );
    const joins = roomIds.flatMap((roomId, room) =>
      Array.from({ length: (roomSizes[room] ?? 1) - 1 }, (_, member) => ({
        roomId,
        member: device(deviceOf(room, member + 1)),
      })),
    );
    await inParallel(joins, 8, async ({ roomId, member }) => {
      expectOk(await call('POST', `${client}/rooms/${encodeURIComponent(roomId)}/join`, member.token, {}), 'join');
    });
    options.log(
      `  ${roomCount} rooms created and ${joins.length} joins in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    started = performance.now();
    await inParallel(devices, 8, async (member) => {
      const filter = expectOk(
        await call('POST', `${client}/user/${encodeURIComponent(member.userId)}/filter`, member.token, syncFilter),
        'filter',
      );
      member.filterId = String(filter['filter_id']);
      const initial = expectOk(
        await call('GET', `${client}/sync?filter=${member.filterId}`, member.token),
        'initial sync',
      );
      member.since = String(initial['next_batch']);
    });
    options.log(`  ${devices.length} initial syncs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    setupAgent.destroy();
    await stopServer();
    throw error;
  }
  setupAgent.destroy();

  const counters = { responses: 0, errors: 0, limited: 0 };
  let isStopping = false;
  const loops: Array<Promise<void>> = [];
  let traceSeq = 0;

  return {
    name: 'Bureau',
    serverPid: pid,
    idleRssMb,
    roomSizes,

    startReceiving(onDelivery) {
      const receive = async (member: Device) => {
        while (!isStopping) {
          try {
            const response = await requestJson(syncAgent, port, {
              method: 'GET',
              path: `${client}/sync?filter=${member.filterId}&timeout=${longPollMs}&since=${encodeURIComponent(member.since)}`,
              token: member.token,
              timeoutMs: longPollMs + 15_000,
            });
            if (response.status !== 200) {
              counters.errors += 1;
              await sleep(200);
              continue;
            }
            counters.responses += 1;
            const body = response.body as SyncResponse;
            if (body.next_batch) member.since = body.next_batch;
            for (const room of Object.values(body.rooms?.join ?? {})) {
              if (room.timeline?.limited) counters.limited += 1;
              for (const event of room.timeline?.events ?? []) {
                const seq = event.content?.['bench.seq'];
                const sentAt = event.content?.['bench.sent_at'];
                if (typeof seq === 'number' && typeof sentAt === 'number') onDelivery(seq, sentAt);
              }
            }
          } catch {
            if (isStopping) return;
            counters.errors += 1;
            await sleep(200);
          }
        }
      };
      for (const member of devices) loops.push(receive(member));
    },

    async send(room, member, seq) {
      const sender = devices[deviceOf(room, member)];
      const roomId = roomIds[room];
      if (!sender || !roomId) return false;
      const response = await requestJson(sendAgent, port, {
        method: 'PUT',
        path: `${client}/rooms/${encodeURIComponent(roomId)}/send/m.room.message/b${seq}`,
        token: sender.token,
        body: messageContent(seq),
        timeoutMs: 30_000,
      });
      return response.status === 200;
    },

    receiverCounters: () => ({ ...counters }),

    async traceSnapshot(edge) {
      if (!options.traceFile || hasExited()) return undefined;
      traceSeq += 1;
      writeFileSync(`${options.traceFile}.edge`, edge);
      server.child.kill('SIGUSR2');
      // A saturated server handles the signal late: its event loop may be blocked for seconds.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        try {
          const snapshot = JSON.parse(readFileSync(options.traceFile, 'utf8')) as TraceSnapshot;
          if (snapshot.seq >= traceSeq) return snapshot;
        } catch {
          // Not written yet.
        }
        await sleep(20);
      }
      return undefined;
    },

    async close() {
      isStopping = true;
      syncAgent.destroy();
      sendAgent.destroy();
      await stopServer();
      await Promise.allSettled(loops);
    },
  };
}
