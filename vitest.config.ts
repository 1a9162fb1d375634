import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { e2eProjects } from './e2e/project.ts';

// Every test runs against SQLite; the integration tests (*.int.test.ts) run a second time against
// PostgreSQL when BUREAU_TEST_DATABASE_URL names a server (the harness creates and drops databases on it).
const postgresUrl = process.env.BUREAU_TEST_DATABASE_URL;
if (!postgresUrl && process.env.CI && !['false', '0'].includes(process.env.CI)) {
  // CI must run the PostgreSQL pass, never skip it (.ci/run points it at the machine's server).
  throw new Error('CI is set but BUREAU_TEST_DATABASE_URL is not: the PostgreSQL pass of the tests would be skipped.');
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // One test file per core. Vitest's default (one core fewer) ran the files one at a time on the 2-core
    // machines of CI, whose tests mostly wait on databases, child servers and browsers.
    maxWorkers: Math.max(2, availableParallelism()),
    hookTimeout: 60_000,
    projects: [
      {
        test: {
          name: 'sqlite',
          include: [
            'apps/server/src/**/*.test.ts',
            'packages/**/src/**/*.test.ts',
            'scripts/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          env: { BUREAU_TEST_DIALECT: 'sqlite' },
        },
      },
      ...(postgresUrl
        ? [
            {
              test: {
                name: 'postgres',
                include: ['apps/server/src/**/*.int.test.ts'],
                env: { BUREAU_TEST_DIALECT: 'postgres' },
              },
            },
          ]
        : []),
      // Browser journeys (e2e/*.e2e.test.ts) when Chromium is installed; CI fails without it.
      ...e2eProjects(),
    ],
  },
});
