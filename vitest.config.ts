import { defineConfig } from 'vitest/config';

// Every test runs against SQLite; the integration tests (*.int.test.ts) run a second time against
// PostgreSQL when BUREAU_TEST_DATABASE_URL names a server (the harness creates and drops databases on it).
const postgresUrl = process.env.BUREAU_TEST_DATABASE_URL;

export default defineConfig({
  test: {
    testTimeout: 30_000,
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
    ],
  },
});
