import { readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureWebAppBuilt, webDistDirectory } from '../apps/server/src/platform/web-build.ts';
import { startBureau, type RunningBureau } from './bureau-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the Bureau started by the global setup listens, e.g. http://127.0.0.1:41234. */
    bureauAddress: string;
    /** Its data directory, for `bureau outbox` (the e-mails it kept). */
    bureauDataDir: string;
  }
}

let bureau: RunningBureau | undefined;
let stopRequested = () => {};

const webDirectory = path.resolve(import.meta.dirname, '../apps/web');

/** The newest modification time among the web app's sources (src/, index.html, configuration). */
function newestWebSource(): number {
  let newest = 0;
  const visit = (entry: string): void => {
    const stats = statSync(entry);
    if (stats.isDirectory()) for (const child of readdirSync(entry)) visit(path.join(entry, child));
    else newest = Math.max(newest, stats.mtimeMs);
  };
  for (const entry of ['src', 'index.html', 'package.json', 'vite.config.ts']) visit(path.join(webDirectory, entry));
  return newest;
}

/** Removes a build older than the sources, so that ensureWebAppBuilt builds again. */
function discardStaleWebBuild(): void {
  const index = path.join(webDistDirectory(), 'index.html');
  try {
    if (statSync(index).mtimeMs < newestWebSource()) rmSync(index);
  } catch {
    // No build yet.
  }
}

/** A TCP port free right now: Bureau's public URL must name the port the browser uses (CSRF origin). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Once per run of the "e2e" project: builds the web app when `apps/web/dist` is missing or older than
 * its sources, then starts `bureau start` with the demo administration on an empty data directory.
 * Every journey talks to that server; each test file drives its own Chromium.
 */
export async function setup(project: TestProject): Promise<void> {
  discardStaleWebBuild();
  // ensureWebAppBuilt builds in production mode whatever NODE_ENV vitest set.
  await ensureWebAppBuilt({ log: (message) => console.error(`e2e: ${message}`) });
  const port = await freePort();
  bureau = await startBureau({
    BUREAU_PORT: String(port),
    BUREAU_PUBLIC_URL: `http://127.0.0.1:${port}`,
    BUREAU_DEMO: '1',
    // Every journey's browser comes from 127.0.0.1, in parallel: one address for many people.
    BUREAU_RATE_LIMIT: '100000',
  });
  // A server that exits before the teardown would fail every later journey with "connection refused":
  // say so at once, with what it wrote last.
  let stopping = false;
  const running = bureau;
  void running.exited.then((code) => {
    if (!stopping)
      console.error(`e2e: Bureau exited with ${String(code)} during the journeys:\n${running.output().slice(-4000)}`);
  });
  stopRequested = () => {
    stopping = true;
  };
  project.provide('bureauAddress', bureau.address);
  project.provide('bureauDataDir', bureau.dataDir);
}

/** Stops Bureau with SIGTERM: it must exit cleanly and must not have logged an error meanwhile. */
export async function teardown(): Promise<void> {
  if (!bureau) return;
  stopRequested();
  const code = await bureau.stop();
  const output = bureau.output();
  const errors = output.split('\n').filter((line) => /"level":"(error|fatal)"/.test(line));
  if (code !== 0 || errors.length > 0) {
    throw new Error(`Bureau exited with ${String(code)} or logged errors during the journeys:\n${output}`);
  }
}
