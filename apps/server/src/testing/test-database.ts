import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Config } from '../config.ts';
import { openDatabase, type Database, type DatabaseSettings } from '../platform/db/database.ts';
import { createScratchPostgresDatabase } from './scratch-postgres.ts';

/**
 * The database a test runs against: SQLite in a fresh temporary directory, or, in the PostgreSQL pass
 * of the suite (BUREAU_TEST_DIALECT=postgres), a fresh database created on BUREAU_TEST_DATABASE_URL's
 * server and dropped by `destroy`.
 */
export interface TestEnvironment {
  readonly dataDir: string;
  readonly settings: DatabaseSettings;
  readonly config: Config;
  openDatabase(): Database;
  destroy(): Promise<void>;
}

export function testDialect(): 'sqlite' | 'postgres' {
  return process.env.BUREAU_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite';
}

export async function createTestEnvironment(env: Record<string, string> = {}): Promise<TestEnvironment> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bureau-test-'));
  const cleanups: Array<() => Promise<void>> = [() => rm(dataDir, { recursive: true, force: true })];
  let databaseUrl: string | undefined;
  if (testDialect() === 'postgres') {
    const serverUrl = process.env.BUREAU_TEST_DATABASE_URL;
    if (!serverUrl) throw new Error('BUREAU_TEST_DATABASE_URL must name a PostgreSQL server for the postgres pass');
    const scratch = await createScratchPostgresDatabase(serverUrl, 'bureau_test');
    databaseUrl = scratch.url;
    cleanups.unshift(() => scratch.drop());
  }
  const config = parseConfig(
    {
      BUREAU_DATA_DIR: dataDir,
      BUREAU_PORT: '0',
      BUREAU_LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl,
      BUREAU_DATABASE_POOL_SIZE: '4',
      ...env,
    },
    dataDir,
  );
  const opened: Database[] = [];
  return {
    dataDir,
    settings: config.database,
    config,
    openDatabase() {
      const database = openDatabase(config.database);
      opened.push(database);
      return database;
    },
    async destroy() {
      for (const database of opened) await database.close();
      for (const cleanup of cleanups) await cleanup();
    },
  };
}
