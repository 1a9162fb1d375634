/**
 * Search benchmark: latency of `search.search()` over 100,000 indexed items of five types, with the
 * permission model filtering every query, on embedded SQLite and — with `--postgres`, or when
 * BUREAU_BENCH_DATABASE_URL or BUREAU_TEST_DATABASE_URL names a server — on PostgreSQL (a fresh database,
 * dropped afterwards). Target: p95 ≤ 50 ms.
 *
 * Items: 60,000 documents (titles and 60 to 200 words of French administrative text) in 100 spaces ×
 * 5 folders × 2 sub-folders, 1,500 folders, 100 spaces, 36,300 chat messages (8 to 40 words) in 400
 * rooms, 2,100 people of the directory. Grants as in bench/authz: space owners, editing and reading
 * groups, organisation units, all agents, partners; documents' authors; rooms of a group, a unit, all
 * agents or partners; the directory readable by agents only. 2,000 agents in 50 units, 100 external
 * users. Queries: common words, rare words, prefixes being typed, several words; first page of 20.
 *
 *   node bench/search/run.ts [--queries 150] [--scale 1] [--postgres] [--skip-sqlite] [--strategy in]
 *
 * `--skip-sqlite` measures PostgreSQL alone (quicker, while working on its queries); `--strategy` is the
 * permission strategy of SQLite's queries (PostgreSQL's compute the readable set once, in the statement).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { pino } from 'pino';
import { createAuthzService } from '../../apps/server/src/platform/authz/index.ts';
import { systemClock } from '../../apps/server/src/platform/clock.ts';
import { openDatabase, type DatabaseSettings } from '../../apps/server/src/platform/db/database.ts';
import { createMigrationRunner } from '../../apps/server/src/platform/db/migrations.ts';
import { createIdGenerator } from '../../apps/server/src/platform/ids.ts';
import { platformMigrations } from '../../apps/server/src/platform/migrations/index.ts';
import { createSearchService } from '../../apps/server/src/platform/search/index.ts';
import { createScratchPostgresDatabase } from '../../apps/server/src/testing/scratch-postgres.ts';
import { createSeededRandom } from '../../apps/server/src/testing/seeded-random.ts';
import { buildQueries, defineTypes, seed, silentAudit, type Seeded } from './seed.ts';

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '150' },
    scale: { type: 'string', default: '1' },
    postgres: { type: 'boolean', default: false },
    'skip-sqlite': { type: 'boolean', default: false },
    strategy: { type: 'string', default: 'in' },
  },
});
const queryCount = Number(values.queries);
const scale = Number(values.scale);
const pageSize = 20;
const strategies = ['auto', 'exists', 'in'] as const;
const permissionStrategy = strategies.find((strategy) => strategy === values.strategy);
if (!permissionStrategy) throw new Error(`--strategy must be one of ${strategies.join(', ')}`);

interface Measure {
  readonly database: string;
  readonly subjects: string;
  readonly kind: string;
  readonly samples: number[];
  readonly hits: number[];
  /** Queries whose facets stopped counting (`isLowerBound`). */
  readonly bounded: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

async function measure(name: string, settings: DatabaseSettings): Promise<{ rows: Measure[]; seeded: Seeded }> {
  const database = openDatabase(settings);
  try {
    await createMigrationRunner(database, platformMigrations).migrateToLatest();
    const authz = createAuthzService({
      database,
      clock: systemClock,
      newId: createIdGenerator(systemClock),
      audit: silentAudit,
    });
    const search = createSearchService({
      database,
      clock: systemClock,
      authz,
      logger: pino({ level: 'silent' }),
      permissionStrategy,
    });
    defineTypes(authz, search);
    console.log(`${name}: seeding...`);
    const seeded = await seed(authz, search, database, { scale });
    // What autovacuum does on a live server, at once: statistics and the visibility map.
    if (database.dialect === 'postgres') await sql`vacuum analyze`.execute(database.executor);
    console.log(
      `${name}: ${seeded.itemCount} items indexed in ${seeded.indexSeconds.toFixed(1)} s ` +
        `(${Math.round(seeded.itemCount / seeded.indexSeconds)} items/s), after ${seeded.grantCount} grants in ${seeded.authzSeconds.toFixed(1)} s`,
    );
    const random = createSeededRandom(7);
    const queries = buildQueries();
    // Warm-up: JIT, the databases' caches.
    for (let index = 0; index < 100; index += 1) {
      const kind = random.pick(Object.keys(queries));
      await search.search(random.pick(seeded.agents), { q: random.pick(queries[kind] ?? []), limit: pageSize });
    }
    const rows: Measure[] = [];
    for (const [subjects, pool] of [
      ['agents', seeded.agents],
      ['external users', seeded.externals],
    ] as const) {
      for (const [kind, list] of Object.entries(queries)) {
        const samples: number[] = [];
        const hits: number[] = [];
        let bounded = 0;
        for (let index = 0; index < queryCount; index += 1) {
          const subject = random.pick(pool);
          const q = random.pick(list);
          const started = performance.now();
          const result = await search.search(subject, { q, limit: pageSize });
          samples.push(performance.now() - started);
          hits.push(result.facets.reduce((total, facet) => total + facet.count, 0));
          if (result.facets.some((facet) => facet.isLowerBound)) bounded += 1;
        }
        rows.push({ database: name, subjects, kind, samples, hits, bounded });
      }
    }
    return { rows, seeded };
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bureau-bench-search-'));
  const rows: Measure[] = [];
  let seeded: Seeded | undefined;
  try {
    if (!values['skip-sqlite']) {
      const sqlite = await measure('SQLite', { kind: 'sqlite', path: join(dataDir, 'bureau.sqlite') });
      rows.push(...sqlite.rows);
      seeded = sqlite.seeded;
    }
    const serverUrl =
      process.env.BUREAU_BENCH_DATABASE_URL ??
      process.env.BUREAU_TEST_DATABASE_URL ??
      (values.postgres ? 'postgres://postgres@127.0.0.1:5432/postgres' : undefined);
    if (serverUrl) {
      const scratch = await createScratchPostgresDatabase(serverUrl, 'bureau_bench_search');
      try {
        const postgres = await measure('PostgreSQL', { kind: 'postgres', url: scratch.url, poolSize: 4 });
        rows.push(...postgres.rows);
        seeded ??= postgres.seeded;
      } finally {
        await scratch.drop();
      }
    } else {
      console.log('(PostgreSQL skipped: pass --postgres or set BUREAU_BENCH_DATABASE_URL to include it)');
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }

  console.log(
    `\nBureau search benchmark: ${seeded?.itemCount ?? '?'} items, ${seeded?.grantCount ?? '?'} grants, ${queryCount} queries per measure, first page of ${pageSize}, ${cpus().length} CPU(s), Node.js ${process.version}\n`,
  );
  console.log(
    '| database | subjects | query | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | median permitted hits counted | facets bounded |',
  );
  console.log('|---|---|---|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const sorted = [...row.samples].sort((a, b) => a - b);
    const cells = [0.5, 0.95, 0.99].map((fraction) => percentile(sorted, fraction).toFixed(1));
    const hits = percentile(
      [...row.hits].sort((a, b) => a - b),
      0.5,
    );
    console.log(
      `| ${row.database} | ${row.subjects} | ${row.kind} | ${cells.join(' | ')} | ${(sorted.at(-1) ?? Number.NaN).toFixed(1)} | ${hits} | ${Math.round((100 * row.bounded) / row.samples.length)} % |`,
    );
  }
}

await main();
