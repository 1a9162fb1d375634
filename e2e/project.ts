import { findChromium } from './chromium-path.ts';

/** Whether we run in CI, where a missing browser must fail the run instead of skipping the journeys. */
function isCi(env: NodeJS.ProcessEnv): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/**
 * The vitest project of the browser journeys (`e2e/*.e2e.test.ts`), as a list to spread into `projects`:
 * empty when no Chromium is found on a developer's machine (with a one-line note), and an error in CI,
 * which installs it first with `bash scripts/install-test-dependencies.sh`.
 */
export function e2eProjects(env: NodeJS.ProcessEnv = process.env) {
  const chromium = findChromium(env);
  if (!chromium) {
    const how = 'run "bash scripts/install-test-dependencies.sh" (or set BUREAU_CHROMIUM to a Chromium binary)';
    if (isCi(env)) {
      throw new Error(`CI is set but no Chromium was found at /usr/bin/chromium for the browser journeys: ${how}.`);
    }
    console.warn(`vitest: the browser journeys (project "e2e") are skipped: no Chromium; ${how}.`);
    return [];
  }
  return [
    {
      test: {
        name: 'e2e',
        include: ['e2e/**/*.e2e.test.ts'],
        // A hang guard, not a performance check: a journey took 34 s alone and 71 s beside the other
        // files on one CI machine (browser work there ran two to three times slower than usual).
        testTimeout: 120_000,
        hookTimeout: 120_000,
        // A page's data may take a few seconds on a busy 2-core machine (CI runs journeys in parallel):
        // `expect.poll` waits up to 10 s instead of vitest's 1 s before failing.
        expect: { poll: { timeout: 10_000, interval: 100 } },
        // Builds the web app when needed and starts one `bureau start` shared by the journeys.
        globalSetup: ['e2e/global-setup.ts'],
        env: { BUREAU_CHROMIUM: chromium },
      },
    },
  ];
}
