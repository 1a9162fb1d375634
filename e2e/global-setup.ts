import type { TestProject } from 'vitest/node';
import { ensureWebAppBuilt } from '../apps/server/src/platform/web-build.ts';
import { startBureau, type RunningBureau } from './bureau-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the Bureau started by the global setup listens, e.g. http://127.0.0.1:41234. */
    bureauAddress: string;
  }
}

let bureau: RunningBureau | undefined;

/**
 * Once per run of the "e2e" project: builds the web app if `apps/web/dist` is missing, then starts
 * `bureau start` on an empty data directory and a free port. Every journey talks to that server; each
 * test file drives its own Chromium.
 */
export async function setup(project: TestProject): Promise<void> {
  // ensureWebAppBuilt builds in production mode whatever NODE_ENV vitest set.
  await ensureWebAppBuilt({ log: (message) => console.error(`e2e: ${message}`) });
  bureau = await startBureau();
  project.provide('bureauAddress', bureau.address);
}

/** Stops Bureau with SIGTERM: it must exit cleanly and must not have logged an error meanwhile. */
export async function teardown(): Promise<void> {
  if (!bureau) return;
  const code = await bureau.stop();
  const output = bureau.output();
  const errors = output.split('\n').filter((line) => /"level":"(error|fatal)"/.test(line));
  if (code !== 0 || errors.length > 0) {
    throw new Error(`Bureau exited with ${String(code)} or logged errors during the journeys:\n${output}`);
  }
}
