/**
 * The floors as targets of the chat benchmark: floor-server.ts in a child process, and the same devices and
 * rooms as for Bureau, receiving by HTTP long-poll or over one WebSocket each.
 */
import http from 'node:http';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { freePort, inParallel, messageContent, requestJson, startChildServer, type Target } from './measure.ts';

const serverScript = resolve(import.meta.dirname, 'floor-server.ts');
const longPollMs = 30_000;

export type FloorKind = 'longpoll' | 'websocket';

interface FloorMessage {
  'bench.seq'?: unknown;
  'bench.sent_at'?: unknown;
}

async function startFloorServer(kind: FloorKind) {
  const port = await freePort();
  const server = await startChildServer(
    [serverScript, '--kind', kind, '--port', String(port)],
    `http://127.0.0.1:${port}/healthz`,
  );
  return { port, pid: server.pid, stop: server.stop };
}

function roomLayout(devices: number, rooms: number) {
  const roomSizes = Array.from({ length: rooms }, (_, room) => Math.floor((devices - room + rooms - 1) / rooms));
  return {
    roomSizes,
    deviceOf: (room: number, member: number) => room + member * rooms,
    roomOf: (device: number) => device % rooms,
  };
}

export async function startFloor(kind: FloorKind, devices: number, rooms: number): Promise<Target> {
  const server = await startFloorServer(kind);
  const layout = roomLayout(devices, rooms);
  return kind === 'longpoll'
    ? startLongPollClients(server, devices, layout)
    : startWebSocketClients(server, devices, layout);
}

type Layout = ReturnType<typeof roomLayout>;
type FloorServer = Awaited<ReturnType<typeof startFloorServer>>;

async function startLongPollClients(server: FloorServer, devices: number, layout: Layout): Promise<Target> {
  const syncAgent = new http.Agent({ keepAlive: true, maxSockets: devices + 16 });
  const sendAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const since = await inParallel(
    Array.from({ length: devices }, (_, device) => device),
    16,
    async (device) => {
      const response = await requestJson(syncAgent, server.port, {
        method: 'GET',
        path: `/sync?room=${layout.roomOf(device)}&timeout=0`,
        timeoutMs: 10_000,
      });
      return Number((response.body as { next?: number }).next ?? 0);
    },
  );
  const counters = { responses: 0, errors: 0, limited: 0 };
  let isStopping = false;
  const loops: Array<Promise<void>> = [];
  return {
    name: 'floor: HTTP long-poll',
    serverPid: server.pid,
    roomSizes: layout.roomSizes,
    startReceiving(onDelivery) {
      const receive = async (device: number) => {
        while (!isStopping) {
          try {
            const response = await requestJson(syncAgent, server.port, {
              method: 'GET',
              path: `/sync?room=${layout.roomOf(device)}&since=${since[device] ?? 0}&timeout=${longPollMs}`,
              timeoutMs: longPollMs + 15_000,
            });
            if (response.status !== 200) {
              counters.errors += 1;
              await sleep(200);
              continue;
            }
            counters.responses += 1;
            const body = response.body as { next: number; events: FloorMessage[] };
            if ((body.next ?? 0) - (since[device] ?? 0) > body.events.length) counters.limited += 1;
            since[device] = body.next;
            for (const event of body.events) {
              const seq = event['bench.seq'];
              const sentAt = event['bench.sent_at'];
              if (typeof seq === 'number' && typeof sentAt === 'number') onDelivery(seq, sentAt);
            }
          } catch {
            if (isStopping) return;
            counters.errors += 1;
            await sleep(200);
          }
        }
      };
      for (let device = 0; device < devices; device += 1) loops.push(receive(device));
    },
    async send(room, _member, seq) {
      const response = await requestJson(sendAgent, server.port, {
        method: 'POST',
        path: `/send?room=${room}`,
        body: messageContent(seq),
        timeoutMs: 30_000,
      });
      return response.status === 200;
    },
    receiverCounters: () => ({ ...counters }),
    async close() {
      isStopping = true;
      syncAgent.destroy();
      sendAgent.destroy();
      await server.stop();
      await Promise.allSettled(loops);
    },
  };
}

async function startWebSocketClients(server: FloorServer, devices: number, layout: Layout): Promise<Target> {
  const counters = { responses: 0, errors: 0, limited: 0 };
  let deliver: ((seq: number, sentAtMicros: number) => void) | undefined;
  /** Per socket, the sends waiting for their acknowledgement (the server answers in order). */
  const waitingAcks = new Map<WebSocket, Array<(isAccepted: boolean) => void>>();
  const sockets = await inParallel(
    Array.from({ length: devices }, (_, device) => device),
    32,
    (device) =>
      new Promise<WebSocket>((resolveSocket, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${server.port}/?room=${layout.roomOf(device)}`);
        const acks: Array<(isAccepted: boolean) => void> = [];
        waitingAcks.set(socket, acks);
        socket.once('open', () => resolveSocket(socket));
        socket.once('error', reject);
        socket.on('message', (data: Buffer) => {
          counters.responses += 1;
          const text = data.toString('utf8');
          if (text === '{"ack":1}') {
            acks.shift()?.(true);
            return;
          }
          const event = JSON.parse(text) as FloorMessage;
          const seq = event['bench.seq'];
          const sentAt = event['bench.sent_at'];
          if (typeof seq === 'number' && typeof sentAt === 'number') deliver?.(seq, sentAt);
        });
        socket.on('close', () => {
          for (const settle of acks.splice(0)) settle(false);
        });
      }),
  );
  for (const socket of sockets) socket.on('error', () => (counters.errors += 1));
  return {
    name: 'floor: WebSocket',
    serverPid: server.pid,
    roomSizes: layout.roomSizes,
    startReceiving(onDelivery) {
      deliver = onDelivery;
    },
    send(room, member, seq) {
      const socket = sockets[layout.deviceOf(room, member)];
      if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.resolve(false);
      return new Promise<boolean>((resolveSend) => {
        waitingAcks.get(socket)?.push(resolveSend);
        socket.send(JSON.stringify(messageContent(seq)));
      });
    },
    receiverCounters: () => ({ ...counters }),
    async close() {
      for (const socket of sockets) socket.terminate();
      await server.stop();
    },
  };
}
