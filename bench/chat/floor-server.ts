/**
 * The floors of the chat benchmark: the least a server can do for the same fan-out, with no storage, no
 * authentication and no protocol beyond what the transport needs. Run as its own process by floors.ts.
 *
 * - `longpoll`: `GET /sync?room=R&since=N&timeout=T` answers the room's messages after position N (at most
 *   50), at once when there are some, else when one comes or after T ms; `POST /send?room=R` with a JSON
 *   body appends it to the room (the last 256 kept in memory) and wakes the room's waiting requests.
 * - `websocket`: a client connects to `/?room=R`; each JSON text it sends goes to every socket of the room
 *   (its own included), then `{"ack":1}` to the sender.
 *
 *   node bench/chat/floor-server.ts --kind longpoll|websocket --port P
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';

const { values } = parseArgs({ options: { kind: { type: 'string' }, port: { type: 'string' } } });
const port = Number(values.port);
const kept = 256;
const maxBatch = 50;

interface Waiter {
  readonly since: number;
  readonly response: http.ServerResponse;
  readonly timer: NodeJS.Timeout;
}

interface LongPollRoom {
  /** Position of the next message; messages are numbered from 0. */
  next: number;
  readonly events: string[];
  readonly waiters: Set<Waiter>;
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: http.ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function startLongPoll(): http.Server {
  const rooms = new Map<string, LongPollRoom>();
  const roomOf = (name: string) => {
    let room = rooms.get(name);
    if (!room) {
      room = { next: 0, events: [], waiters: new Set() };
      rooms.set(name, room);
    }
    return room;
  };
  const answer = (response: http.ServerResponse, room: LongPollRoom, since: number) => {
    const first = room.next - room.events.length;
    const from = Math.max(since, first, room.next - maxBatch);
    const events = room.events.slice(from - first);
    sendJson(response, 200, `{"next":${room.next},"events":[${events.join(',')}]}`);
  };
  return http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://floor');
    const room = roomOf(url.searchParams.get('room') ?? '');
    if (request.method === 'GET' && url.pathname === '/sync') {
      const since = Number(url.searchParams.get('since') ?? room.next);
      const timeout = Number(url.searchParams.get('timeout') ?? 0);
      if (room.next > since || timeout <= 0) return answer(response, room, since);
      const waiter: Waiter = {
        since,
        response,
        timer: setTimeout(() => {
          room.waiters.delete(waiter);
          answer(response, room, since);
        }, timeout),
      };
      room.waiters.add(waiter);
      response.on('close', () => {
        clearTimeout(waiter.timer);
        room.waiters.delete(waiter);
      });
      return undefined;
    }
    if (request.method === 'POST' && url.pathname === '/send') {
      void readBody(request).then((body) => {
        try {
          JSON.parse(body);
        } catch {
          return sendJson(response, 400, '{"error":"not JSON"}');
        }
        room.events.push(body);
        if (room.events.length > kept) room.events.shift();
        room.next += 1;
        sendJson(response, 200, `{"position":${room.next - 1}}`);
        const waiters = [...room.waiters];
        room.waiters.clear();
        for (const waiter of waiters) {
          clearTimeout(waiter.timer);
          answer(waiter.response, room, waiter.since);
        }
        return undefined;
      });
      return undefined;
    }
    if (url.pathname === '/healthz') return sendJson(response, 200, '{"ok":true}');
    return sendJson(response, 404, '{"error":"not found"}');
  });
}

function startWebSocket(): http.Server {
  const server = http.createServer((request, response) => {
    if (request.url === '/healthz') return sendJson(response, 200, '{"ok":true}');
    return sendJson(response, 404, '{"error":"not found"}');
  });
  const rooms = new Map<string, Set<WebSocket>>();
  const sockets = new WebSocketServer({ server });
  sockets.on('connection', (socket, request) => {
    const name = new URL(request.url ?? '/', 'http://floor').searchParams.get('room') ?? '';
    let room = rooms.get(name);
    if (!room) {
      room = new Set();
      rooms.set(name, room);
    }
    const members = room;
    members.add(socket);
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      const text = buffer.toString('utf8');
      try {
        JSON.parse(text);
      } catch {
        return;
      }
      for (const member of members) member.send(text);
      socket.send('{"ack":1}');
    });
    socket.on('close', () => members.delete(socket));
  });
  return server;
}

const server = values.kind === 'websocket' ? startWebSocket() : startLongPoll();
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
