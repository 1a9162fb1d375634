/**
 * The targets of the documents benchmark, each a server in a process of its own: Bureau (`bureau start`, its
 * pages and its editors' credentials prepared in-process beforehand, as the crash test does) and the floor, a
 * bare Hocuspocus server (floor-server.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from '../../apps/server/src/app.ts';
import { parseConfig } from '../../apps/server/src/config.ts';
import { sessionCookieName } from '../../apps/server/src/modules/identity/index.ts';
import type { TraceSnapshot } from '../chat/bureau.ts';
import { freePort, processRssMb, startChildServer, type ChildServer } from '../chat/measure.ts';
import type { DocumentAssignment, EditorCredential } from './protocol.ts';

const bin = resolve(import.meta.dirname, '../../bin/bureau.js');
const floorScript = resolve(import.meta.dirname, 'floor-server.ts');
const traceScript = resolve(import.meta.dirname, '../chat/trace.ts');
const actor = { system: true, label: 'bench' };
/** How long a collaboration token opens connections (10 minutes, content.service.ts), less a margin. */
const collabTokenLifetimeMs = 9 * 60_000;

/**
 * How Bureau's editors authenticate: a collaboration token each (`token`, what other programs use), or the
 * session cookie of their user with the site's `Origin` (`session`, what the web app in a browser does).
 */
export type AuthMode = 'token' | 'session';

/** A server the editors can open documents on. */
export interface DocsTarget {
  readonly name: string;
  readonly pid: number;
  /** Where the editors' WebSockets go. */
  readonly url: string;
  /** The documents prepared, each with one credential per editor (none for the floor). */
  readonly documents: readonly DocumentAssignment[];
  /** Resident memory once started, before any editor. */
  readonly idleRssMb: number;
  /** Until when the credentials open connections (collaboration tokens), if they expire. */
  readonly credentialsExpireAt?: number;
  /** The tracer's counters as the measured window opens or closes (undefined when not traced). */
  traceSnapshot(edge: 'open' | 'close'): Promise<TraceSnapshot | undefined>;
  stop(): Promise<void>;
}

/**
 * The chat benchmark's tracer (../chat/trace.ts) preloaded into a server: SQL statements timed, event-loop
 * delay, and with `profileDir` a CPU profile of each measured window.
 */
export interface TraceOptions {
  readonly file: string;
  readonly profileDir?: string | undefined;
}

function traced(trace: TraceOptions | undefined): { args: string[]; env: NodeJS.ProcessEnv } {
  if (!trace) return { args: [], env: {} };
  return {
    args: ['--import', traceScript],
    env: {
      BENCH_CHAT_TRACE_FILE: trace.file,
      ...(trace.profileDir ? { BENCH_CHAT_PROFILE_DIR: trace.profileDir } : {}),
    },
  };
}

/** Asks the tracer of `server` for its counters (it writes them on SIGUSR2), as chat's bureau.ts does. */
function snapshotReader(server: ChildServer, trace: TraceOptions | undefined) {
  let seq = 0;
  return async (edge: 'open' | 'close'): Promise<TraceSnapshot | undefined> => {
    if (!trace || server.hasExited()) return undefined;
    seq += 1;
    writeFileSync(`${trace.file}.edge`, edge);
    server.child.kill('SIGUSR2');
    // A saturated server handles the signal late.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        const snapshot = JSON.parse(readFileSync(trace.file, 'utf8')) as TraceSnapshot;
        if (snapshot.seq >= seq) return snapshot;
      } catch {
        // Not written yet.
      }
      await sleep(10);
    }
    return undefined;
  };
}

export async function startFloor(documents: number, trace?: TraceOptions): Promise<DocsTarget> {
  const port = await freePort();
  const preload = traced(trace);
  const server = await startChildServer(
    [...preload.args, floorScript, '--port', String(port)],
    `http://127.0.0.1:${port}/`,
    { ...process.env, ...preload.env },
  );
  return {
    name: 'floor: bare Hocuspocus',
    pid: server.pid,
    url: `ws://127.0.0.1:${port}`,
    documents: Array.from({ length: documents }, (_, index) => ({ name: `bench-${index}`, credentials: undefined })),
    idleRssMb: processRssMb(server.pid),
    traceSnapshot: snapshotReader(server, trace),
    stop: server.stop,
  };
}

/**
 * Prepares `documents` pages in a shared space whose `editors` members may all edit (one user per editor),
 * and each editor's credentials (a collaboration token per page, or one session per user), then closes the
 * database.
 */
async function prepare(
  env: NodeJS.ProcessEnv,
  documents: number,
  editors: number,
  auth: AuthMode,
): Promise<DocumentAssignment[]> {
  const config = parseConfig({ ...env, BUREAU_LOG_LEVEL: 'error' }, env.BUREAU_DATA_DIR);
  const origin = new URL(config.publicUrl).origin;
  const app = await buildApp(config);
  try {
    await app.migrate();
    const directory = app.identity.directory;
    const service = app.docs.docs;
    const organisation = await directory.createOrganisation(
      { name: 'Ministère du banc d’essai', domains: ['bench.gouv.fr'] },
      actor,
    );
    const users = [];
    for (let index = 0; index < editors; index += 1) {
      const user = await directory.createUser(
        { email: `redacteur${index}@bench.gouv.fr`, displayName: `Rédacteur ${index}` },
        actor,
      );
      const session = auth === 'session' ? (await app.identity.auth.openSession(user, 'password', actor)).token : '';
      users.push({
        subject: await directory.resolveSubject(user),
        docsUser: {
          id: user.id,
          displayName: user.display_name,
          organisationId: organisation.id,
          kind: 'agent' as const,
        },
        // One session per user for all their tabs, as a browser does.
        session: { token: 'session', headers: { cookie: `${sessionCookieName}=${session}`, origin } },
      });
    }
    const [owner] = users;
    if (!owner) throw new Error('at least one editor is needed');
    const space = await service.createSpace(owner.subject, owner.docsUser, { name: 'Banc d’essai' }, actor);
    for (const member of users.slice(1)) {
      await service.shareSpace(
        owner.subject,
        space.id,
        { principal: { kind: 'user', id: member.docsUser.id }, role: 'editor' },
        actor,
      );
    }
    const assignments: DocumentAssignment[] = [];
    for (let index = 0; index < documents; index += 1) {
      const page = await service.createDocument(
        owner.subject,
        owner.docsUser,
        { spaceId: space.id, title: `Page ${index}` },
        actor,
      );
      const credentials: EditorCredential[] = [];
      for (const user of users) {
        credentials.push(
          auth === 'session'
            ? user.session
            : { token: (await app.docs.content.createCollabToken(user.subject, user.docsUser, page.id)).token },
        );
      }
      assignments.push({ name: page.id, credentials });
    }
    return assignments;
  } finally {
    await app.close();
  }
}

/**
 * Bureau with `env` (its data directory, and DATABASE_URL for PostgreSQL): prepared, then started as an
 * operator would, on a free loopback port.
 */
export async function startBureau(
  name: string,
  env: NodeJS.ProcessEnv,
  documents: number,
  editors: number,
  auth: AuthMode,
  trace?: TraceOptions,
): Promise<DocsTarget> {
  const port = await freePort();
  const address = `http://127.0.0.1:${port}`;
  const serverEnv: NodeJS.ProcessEnv = {
    ...env,
    BUREAU_HOST: '127.0.0.1',
    BUREAU_PORT: String(port),
    BUREAU_PUBLIC_URL: address,
  };
  const preparedAt = Date.now();
  const assignments = await prepare(serverEnv, documents, editors, auth);
  const preload = traced(trace);
  const server = await startChildServer([...preload.args, bin, 'start'], `${address}/readyz`, {
    ...serverEnv,
    ...preload.env,
  });
  return {
    name,
    pid: server.pid,
    url: `ws://127.0.0.1:${port}/collab`,
    documents: assignments,
    idleRssMb: processRssMb(server.pid),
    ...(auth === 'token' ? { credentialsExpireAt: preparedAt + collabTokenLifetimeMs } : {}),
    traceSnapshot: snapshotReader(server, trace),
    stop: server.stop,
  };
}
