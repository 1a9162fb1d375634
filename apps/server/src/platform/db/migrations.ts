import type { Kysely } from 'kysely';
import { Migrator, type MigrationInfo, type MigrationResult } from 'kysely/migration';
import type { Database, DatabaseDialect } from './database.ts';

/** Column types that mean the same on SQLite and PostgreSQL. Repositories read the same shapes from both. */
export interface PortableColumnTypes {
  /** A UUID primary or foreign key (text on SQLite, uuid on PostgreSQL). */
  readonly id: 'text' | 'uuid';
  /** An instant, read back as an ISO-8601 string in UTC. */
  readonly timestamp: 'text' | 'timestamptz';
  /** A JSON document, read back as its text. */
  readonly json: 'text' | 'jsonb';
  /** A 64-bit integer (sizes, counters), read back as a number. */
  readonly bigint: 'integer' | 'bigint';
  /** A boolean, stored as 0/1 on SQLite. */
  readonly boolean: 'integer' | 'boolean';
}

export function portableColumnTypes(dialect: DatabaseDialect): PortableColumnTypes {
  return dialect === 'sqlite'
    ? { id: 'text', timestamp: 'text', json: 'text', bigint: 'integer', boolean: 'integer' }
    : { id: 'uuid', timestamp: 'timestamptz', json: 'jsonb', bigint: 'bigint', boolean: 'boolean' };
}

export interface MigrationContext {
  readonly dialect: DatabaseDialect;
  readonly types: PortableColumnTypes;
}

/**
 * A forward-only migration owned by the platform or by one module. Names are
 * `YYYYMMDDHHMM_<owner>_<what>`: the timestamp orders them across owners, the owner keeps them unique.
 */
export interface Migration {
  readonly name: string;
  up(db: Kysely<unknown>, context: MigrationContext): Promise<void>;
}

export const migrationNamePattern = /^\d{12}_[a-z][a-z0-9]*_[a-z0-9_]+$/;

export class MigrationFailedError extends Error {
  readonly migrationName: string;

  constructor(migrationName: string, cause: unknown) {
    super(`Migration ${migrationName} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationFailedError';
    this.migrationName = migrationName;
  }
}

export interface MigrationStatus {
  readonly applied: string[];
  readonly pending: string[];
}

export interface MigrationRunner {
  /** Applies every pending migration, in name order, each in its own transaction. */
  migrateToLatest(): Promise<string[]>;
  status(): Promise<MigrationStatus>;
}

export function createMigrationRunner(database: Database, migrations: readonly Migration[]): MigrationRunner {
  const seen = new Set<string>();
  for (const migration of migrations) {
    if (!migrationNamePattern.test(migration.name)) {
      throw new Error(`Migration name ${migration.name} does not match YYYYMMDDHHMM_<owner>_<what>`);
    }
    if (seen.has(migration.name)) throw new Error(`Two migrations are named ${migration.name}`);
    seen.add(migration.name);
  }
  const context: MigrationContext = { dialect: database.dialect, types: portableColumnTypes(database.dialect) };
  const migrator = new Migrator({
    db: database.executor,
    migrationTableName: 'platform_migrations',
    migrationLockTableName: 'platform_migrations_lock',
    // Modules are developed in parallel: a migration may land with a timestamp older than one already applied.
    allowUnorderedMigrations: true,
    provider: {
      getMigrations: () =>
        Promise.resolve(
          Object.fromEntries(
            migrations.map((migration) => [migration.name, { up: (db: Kysely<unknown>) => migration.up(db, context) }]),
          ),
        ),
    },
  });

  return {
    async migrateToLatest() {
      // One step at a time, so that each migration commits on its own: a failure keeps the ones before it.
      const applied: string[] = [];
      for (;;) {
        const { error, results } = await migrator.migrateUp();
        if (error) {
          const failed = results?.find((result: MigrationResult) => result.status === 'Error');
          throw new MigrationFailedError(failed?.migrationName ?? 'unknown', error);
        }
        if (!results || results.length === 0) return applied;
        applied.push(...results.map((result) => result.migrationName));
      }
    },
    async status() {
      const infos: readonly MigrationInfo[] = await migrator.getMigrations();
      return {
        applied: infos.filter((info) => info.executedAt !== undefined).map((info) => info.name),
        pending: infos.filter((info) => info.executedAt === undefined).map((info) => info.name),
      };
    },
  };
}
