import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestEnvironment, testDialect, type TestEnvironment } from '../../testing/test-database.ts';
import { createManualClock } from '../clock.ts';
import { createInstanceService } from '../instance/instance.service.ts';
import { platformMigrations } from '../migrations/index.ts';
import type { Database } from './database.ts';
import { createMigrationRunner, type Migration } from './migrations.ts';

describe('Database and migrations', () => {
  let environment: TestEnvironment;
  let database: Database;

  beforeEach(async () => {
    environment = await createTestEnvironment();
    database = environment.openDatabase();
  });
  afterEach(() => environment.destroy());

  it('applies every pending migration once, then reports none pending', async () => {
    const runner = createMigrationRunner(database, platformMigrations);
    expect((await runner.status()).pending).toEqual(platformMigrations.map((m) => m.name).sort());

    const applied = await runner.migrateToLatest();
    expect(applied).toEqual(platformMigrations.map((m) => m.name).sort());
    expect(await runner.migrateToLatest()).toEqual([]);
    expect((await runner.status()).pending).toEqual([]);
  });

  it('applies a module migration added later without touching the ones applied', async () => {
    await createMigrationRunner(database, platformMigrations).migrateToLatest();
    const later: Migration = {
      name: '202612010000_example_notes',
      async up(db, { types }) {
        await db.schema
          .createTable('example_notes')
          .addColumn('id', types.id, (column) => column.primaryKey())
          .addColumn('body', types.json, (column) => column.notNull())
          .addColumn('created_at', types.timestamp, (column) => column.notNull())
          .execute();
      },
    };
    const runner = createMigrationRunner(database, [...platformMigrations, later]);
    expect(await runner.migrateToLatest()).toEqual(['202612010000_example_notes']);

    const notes = database.executor.withTables<{ example_notes: { id: string; body: string; created_at: string } }>();
    await notes
      .insertInto('example_notes')
      .values({ id: '0193a6f0-0000-7000-8000-000000000001', body: '{"a":1}', created_at: '2026-11-29T10:00:00.000Z' })
      .execute();
    const row = await notes.selectFrom('example_notes').selectAll().executeTakeFirstOrThrow();
    // Both databases give back the same shapes: JSON as text, instants as ISO-8601 UTC strings.
    expect(JSON.parse(row.body)).toEqual({ a: 1 });
    expect(row.created_at).toBe('2026-11-29T10:00:00.000Z');
  });

  it('rolls back a failing migration and names it', async () => {
    const broken: Migration = {
      name: '209912310000_example_broken',
      async up(db) {
        await db.schema.createTable('example_half').addColumn('id', 'text').execute();
        await sql`select * from table_that_does_not_exist`.execute(db);
      },
    };
    const runner = createMigrationRunner(database, [...platformMigrations, broken]);
    await expect(runner.migrateToLatest()).rejects.toThrow(/209912310000_example_broken/);
    expect((await runner.status()).pending).toEqual(['209912310000_example_broken']);
    // Its half-done DDL was rolled back with it, on SQLite as on PostgreSQL.
    await expect(sql`select * from example_half`.execute(database.executor)).rejects.toThrow();
  });

  it.runIf(testDialect() === 'sqlite')(
    'opens SQLite in WAL mode with foreign keys enforced and a busy timeout',
    async () => {
      const pragma = async (name: string) =>
        (await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(database.executor)).rows[0];
      expect(await pragma('journal_mode')).toEqual({ journal_mode: 'wal' });
      expect(await pragma('foreign_keys')).toEqual({ foreign_keys: 1 });
      expect(await pragma('busy_timeout')).toEqual({ timeout: 5000 });
    },
  );

  it('names its engine and version', async () => {
    expect(await database.serverVersion()).toMatch(/^(SQLite 3|PostgreSQL 1\d)\.\d+/);
  });

  it('refuses migration names that do not say when and whose', () => {
    expect(() => createMigrationRunner(database, [{ name: 'add_table', up: () => Promise.resolve() }])).toThrow(
      /YYYYMMDDHHMM/,
    );
  });

  it('runs after-commit callbacks only when the transaction commits', async () => {
    await createMigrationRunner(database, platformMigrations).migrateToLatest();
    const delivered: string[] = [];
    await database.transaction(async (context) => {
      context.afterCommit(() => delivered.push('committed'));
      await sql`select 1`.execute(context.executor);
    });
    await expect(
      database.transaction(async (context) => {
        context.afterCommit(() => delivered.push('rolled back'));
        await sql`select 1`.execute(context.executor);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(delivered).toEqual(['committed']);
  });

  it('refuses, instead of hanging, a query on the shared executor from inside a transaction', async () => {
    await expect(
      database.transaction(async () => {
        await sql`select 1`.execute(database.executor);
      }),
    ).rejects.toThrow(/context\.executor/);
    // Outside of the transaction, the shared executor works as before.
    await sql`select 1`.execute(database.executor);
  });

  it('keeps the instance name given at first start', async () => {
    await createMigrationRunner(database, platformMigrations).migrateToLatest();
    const sut = createInstanceService({ database, clock: createManualClock('2026-11-29T08:00:00.000Z') });
    await sut.initialise('Préfecture du Rhône');
    await sut.initialise('Autre nom');
    expect(await sut.info()).toEqual({ name: 'Préfecture du Rhône', createdAt: '2026-11-29T08:00:00.000Z' });
    await sut.rename('Préfecture de la Loire');
    expect((await sut.info()).name).toBe('Préfecture de la Loire');
  });
});
