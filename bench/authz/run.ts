/**
 * Authorization benchmark: latency of `can()` and of filtered pages of 50 with 100k resources, on
 * embedded SQLite and — when BUREAU_BENCH_DATABASE_URL or BUREAU_TEST_DATABASE_URL names a PostgreSQL
 * server — on PostgreSQL (a fresh database, dropped afterwards). Targets: `can()` p95 ≤ 1 ms, a page of
 * 50 ≤ 20 ms.
 *
 * The seed is a realistic tree: 100 spaces × 5 folders × 2 sub-folders × 100 documents, created in a
 * shuffled order (ids are time-ordered, so the newest documents are spread over every space). Grants:
 * on each space an owner, an editing and a reading group, sometimes an organisation unit, all agents or
 * partners; on a fifth of the folders a user; on each document its author as owner, sometimes a
 * colleague, a partner or a link; some expired. 2,000 agents in 50 units (0 to 3 groups each), 100
 * external users. The same seed (fixed random source) on both databases.
 *
 *   node bench/authz/run.ts [--spaces 100] [--checks 2000] [--pages 200]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { silentAuditLog } from '../../apps/server/src/testing/silent-audit-log.ts';
import {
  createAuthzService,
  type AuthzService,
  type GrantInput,
  type ResourceRef,
} from '../../apps/server/src/platform/authz/index.ts';
import type { Subject } from '../../apps/server/src/platform/authz/subject.ts';
import { systemClock } from '../../apps/server/src/platform/clock.ts';
import { openDatabase, type Database, type DatabaseSettings } from '../../apps/server/src/platform/db/database.ts';
import { createMigrationRunner, portableColumnTypes } from '../../apps/server/src/platform/db/migrations.ts';
import { createIdGenerator } from '../../apps/server/src/platform/ids.ts';
import { platformMigrations } from '../../apps/server/src/platform/migrations/index.ts';
import { defineExampleDocumentTypes } from '../../apps/server/src/testing/authz-fixtures.ts';
import { createSeededRandom } from '../../apps/server/src/testing/seeded-random.ts';
import { createScratchPostgresDatabase } from '../../apps/server/src/testing/scratch-postgres.ts';

const { values } = parseArgs({
  options: {
    spaces: { type: 'string', default: '100' },
    checks: { type: 'string', default: '2000' },
    pages: { type: 'string', default: '200' },
  },
});
const spaceCount = Number(values.spaces);
const checkCount = Number(values.checks);
const pageCount = Number(values.pages);
const foldersPerSpace = 5;
const subfoldersPerFolder = 2;
const documentsPerSubfolder = 100;
const agentCount = 2000;
const externalCount = 100;
const groupCount = 200;
const partnerGroupCount = 20;

const silentAudit = silentAuditLog;

interface Seeded {
  readonly agents: Subject[];
  readonly externals: Subject[];
  readonly documents: Array<ResourceRef & { folderId: string; spaceId: string }>;
  readonly folders: ResourceRef[];
  readonly resourceCount: number;
  readonly grantCount: number;
  readonly seconds: number;
}

async function seed(authz: AuthzService, database: Database): Promise<Seeded> {
  const started = performance.now();
  const random = createSeededRandom(20261129);
  const newId = createIdGenerator(systemClock);
  const actor = { system: true };

  const root = newId();
  const directions = Array.from({ length: 10 }, () => newId());
  const units = directions.flatMap((direction) => Array.from({ length: 5 }, () => ({ id: newId(), direction })));
  const groups = Array.from({ length: groupCount }, () => newId());
  const partnerGroups = Array.from({ length: partnerGroupCount }, () => newId());
  const agents: Subject[] = Array.from({ length: agentCount }, () => {
    const unit = random.pick(units);
    const groupIds = [...new Set(Array.from({ length: Math.floor(random.next() * 4) }, () => random.pick(groups)))];
    return { userId: newId(), kind: 'agent', groupIds, organisationPath: [unit.id, unit.direction, root] };
  });
  const externals: Subject[] = Array.from({ length: externalCount }, () => ({
    userId: newId(),
    kind: 'external',
    groupIds: [random.pick(partnerGroups)],
    organisationPath: [],
  }));
  const userOf = (subjects: readonly Subject[]) => random.pick(subjects).userId ?? '';

  const spaces: ResourceRef[] = [];
  const folders: ResourceRef[] = [];
  const subfolders: ResourceRef[] = [];
  const documents: Array<ResourceRef & { folderId: string; spaceId: string }> = [];
  const spaceOf = new Map<string, string>();
  let grantCount = 0;

  await database.transaction(async (context) => {
    const containers = [];
    for (let space = 0; space < spaceCount; space += 1) {
      const spaceRef = { type: 'docs.space', id: newId() };
      spaces.push(spaceRef);
      containers.push({ ...spaceRef, organisationId: random.pick(units).id, defaultLabel: 'internal' as const });
      for (let folder = 0; folder < foldersPerSpace; folder += 1) {
        const folderRef = { type: 'docs.folder', id: newId() };
        folders.push(folderRef);
        containers.push({ ...folderRef, parent: spaceRef });
        for (let subfolder = 0; subfolder < subfoldersPerFolder; subfolder += 1) {
          const subfolderRef = { type: 'docs.folder', id: newId() };
          subfolders.push(subfolderRef);
          spaceOf.set(subfolderRef.id, spaceRef.id);
          containers.push({ ...subfolderRef, parent: folderRef });
        }
      }
    }
    await authz.registerResources(containers, { context });
    // Documents are written over time in every folder: their (time-ordered) ids interleave.
    const parents = random.shuffle(
      subfolders.flatMap((subfolder) => Array.from({ length: documentsPerSubfolder }, () => subfolder)),
    );
    for (let start = 0; start < parents.length; start += 5000) {
      const batch = parents
        .slice(start, start + 5000)
        .map((parent) => ({ type: 'docs.document', id: newId(), parent }));
      documents.push(
        ...batch.map(({ type, id, parent }) => ({
          type,
          id,
          folderId: parent.id,
          spaceId: spaceOf.get(parent.id) ?? '',
        })),
      );
      await authz.registerResources(batch, { context });
    }

    // Each space: an owner, an editing and a reading group, sometimes an organisation unit (with the
    // units below it), all agents or a partners' group. Each document: its author as owner (a member
    // of the space's editing group), sometimes shared with a colleague, a partner or by link.
    const grants: GrantInput[] = [];
    const editorsOf = new Map<string, string>();
    for (const space of spaces) {
      const editors = random.pick(groups);
      editorsOf.set(space.id, editors);
      grants.push(
        { resource: space, principal: { kind: 'user', id: userOf(agents) }, role: 'owner' },
        { resource: space, principal: { kind: 'group', id: editors }, role: 'editor' },
        { resource: space, principal: { kind: 'group', id: random.pick(groups) }, role: 'reader' },
      );
      if (random.chance(0.4)) {
        const unit = random.pick(units);
        const id = random.chance(0.5) ? unit.id : unit.direction;
        grants.push({ resource: space, principal: { kind: 'organisation', id }, role: 'reader' });
      }
      if (random.chance(0.1)) grants.push({ resource: space, principal: { kind: 'all_agents' }, role: 'reader' });
      if (random.chance(0.1)) {
        const principal = { kind: 'group', id: random.pick(partnerGroups) } as const;
        grants.push({ resource: space, principal, role: 'commenter' });
      }
    }
    for (const folder of [...folders, ...subfolders]) {
      if (random.chance(0.2)) {
        grants.push({ resource: folder, principal: { kind: 'user', id: userOf(agents) }, role: 'editor' });
      }
    }
    const membersOf = new Map<string, string[]>();
    for (const agent of agents) {
      for (const groupId of agent.groupIds) {
        const members = membersOf.get(groupId) ?? [];
        members.push(agent.userId ?? '');
        membersOf.set(groupId, members);
      }
    }
    const later = new Date(Date.now() + 30 * 86_400_000);
    for (const { type, id, spaceId } of documents) {
      const document = { type, id };
      const authors = membersOf.get(editorsOf.get(spaceId) ?? '') ?? [];
      const author = authors.length > 0 ? random.pick(authors) : userOf(agents);
      grants.push({ resource: document, principal: { kind: 'user', id: author }, role: 'owner' });
      const draw = random.next();
      if (draw < 0.03) {
        grants.push({ resource: document, principal: { kind: 'user', id: userOf(agents) }, role: 'editor' });
      } else if (draw < 0.035) {
        grants.push({ resource: document, principal: { kind: 'user', id: userOf(externals) }, role: 'commenter' });
      } else if (draw < 0.04) {
        grants.push({ resource: document, principal: { kind: 'link', scope: 'public' }, role: 'reader' });
      } else if (draw < 0.045) {
        const principal = { kind: 'link', scope: 'authenticated' } as const;
        grants.push({ resource: document, principal, role: 'reader', expiresAt: later });
      }
    }
    grantCount += (await authz.grantMany(grants, { actor, context })).length;
  });
  // A few grants that have expired since: they must be ignored, not just absent.
  const expiresAt = Date.now() + 1000;
  const expiring = documents.slice(0, 200).map(({ type, id }) => ({
    resource: { type, id },
    principal: { kind: 'user', id: userOf(agents) } as const,
    role: 'owner',
    expiresAt: new Date(expiresAt),
  }));
  grantCount += (await authz.grantMany(expiring, { actor })).length;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 10));
  return {
    agents,
    externals,
    documents,
    folders: [...folders, ...subfolders],
    resourceCount: spaces.length + folders.length + subfolders.length + documents.length,
    grantCount,
    seconds: (performance.now() - started) / 1000,
  };
}

interface Measure {
  readonly database: string;
  readonly measure: string;
  readonly samples: number[];
  readonly note: string;
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

async function time<T>(samples: number[], work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  samples.push(performance.now() - started);
  return result;
}

type BenchTables = {
  bench_documents: { id: string; folder_id: string; title: string; updated_at: string };
};

/** A table like a module's own (docs' documents), to measure `authz.filter` in the module's query. */
async function createModuleTable(database: Database, seeded: Seeded): Promise<Kysely<BenchTables>> {
  const types = portableColumnTypes(database.dialect);
  const db = database.executor.withTables<BenchTables>();
  await db.schema
    .createTable('bench_documents')
    .addColumn('id', types.id, (column) => column.primaryKey())
    .addColumn('folder_id', types.id, (column) => column.notNull())
    .addColumn('title', 'text', (column) => column.notNull())
    .addColumn('updated_at', types.timestamp, (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('bench_documents_folder_idx')
    .on('bench_documents')
    .columns(['folder_id', 'updated_at'])
    .execute();
  await db.schema.createIndex('bench_documents_updated_idx').on('bench_documents').column('updated_at').execute();
  const random = createSeededRandom(11);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const rows = seeded.documents.map((document, index) => ({
    id: document.id,
    folder_id: document.folderId,
    title: `Document ${index}`,
    updated_at: new Date(start + Math.floor(random.next() * 300 * 86_400_000)).toISOString(),
  }));
  await database.transaction(async ({ executor }) => {
    for (let index = 0; index < rows.length; index += 2000) {
      await executor
        .withTables<BenchTables>()
        .insertInto('bench_documents')
        .values(rows.slice(index, index + 2000))
        .execute();
    }
  });
  // What autovacuum does on a live server, at once: statistics, and the visibility map that lets
  // index-only scans skip the table.
  if (database.dialect === 'postgres') await sql`vacuum analyze`.execute(database.executor);
  return db;
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
    defineExampleDocumentTypes(authz);
    console.log(`${name}: seeding...`);
    const seeded = await seed(authz, database);
    const moduleTable = await createModuleTable(database, seeded);
    console.log(
      `${name}: ${seeded.resourceCount} resources, ${seeded.grantCount} grants seeded in ${seeded.seconds.toFixed(1)} s`,
    );
    const random = createSeededRandom(7);
    const anonymous: Subject = { userId: null, kind: 'anonymous', groupIds: [], organisationPath: [] };
    const anySubject = () => {
      const draw = random.next();
      return draw < 0.85 ? random.pick(seeded.agents) : draw < 0.97 ? random.pick(seeded.externals) : anonymous;
    };
    const actions = ['read', 'comment', 'edit', 'share'];
    const readDocuments = { type: 'docs.document', action: 'read', limit: 50 } as const;

    // Warm-up (JIT, the databases' caches), and what a sample of subjects can read, so that half of the
    // checks are on documents the subject sees (as when someone opens what their lists show).
    const visible = new Map<Subject, ResourceRef[]>();
    for (let index = 0; index < 300; index += 1) {
      const subject = anySubject();
      const page = await authz.listAccessible(subject, readDocuments);
      if (page.items.length > 0) visible.set(subject, page.items);
      await authz.can(subject, 'read', random.pick(seeded.documents));
    }
    const withVisible = [...visible.keys()];

    const checks: number[] = [];
    let allowed = 0;
    for (let index = 0; index < checkCount; index += 1) {
      let subject: Subject;
      let resource: ResourceRef;
      if (random.chance(0.5)) {
        subject = random.pick(withVisible);
        resource = random.pick(visible.get(subject) ?? []);
      } else {
        subject = anySubject();
        resource = random.chance(0.9) ? random.pick(seeded.documents) : random.pick(seeded.folders);
      }
      const action = random.pick(actions);
      if (await time(checks, () => authz.can(subject, action, resource))) allowed += 1;
    }

    /** Pages of 50 as someone scrolling: a first page, then up to three more. */
    const scroll = async (
      subjects: readonly Subject[],
      fetchPage: (subject: Subject, cursor: string | undefined) => Promise<{ count: number; cursor?: string }>,
    ) => {
      const samples: number[] = [];
      let items = 0;
      while (samples.length < pageCount) {
        const subject = random.pick(subjects);
        let cursor: string | undefined;
        const depth = 1 + Math.floor(random.next() * 4);
        for (let page = 0; page < depth && samples.length < pageCount; page += 1) {
          const result = await time(samples, () => fetchPage(subject, cursor));
          items += result.count;
          cursor = result.cursor;
          if (cursor === undefined) break;
        }
      }
      return { samples, note: `${(items / samples.length).toFixed(1)} items/page` };
    };
    const listAccessible = async (subject: Subject, cursor: string | undefined) => {
      const page = await authz.listAccessible(subject, { ...readDocuments, cursor });
      return { count: page.items.length, cursor: page.nextCursor ?? undefined };
    };
    const agentPages = await scroll(seeded.agents, listAccessible);
    const externalPages = await scroll(seeded.externals, listAccessible);

    // The module's own query: a folder's documents, last updated first, that the subject may read.
    const folderOf = new Map(seeded.documents.map((document) => [document.id, document.folderId]));
    const folderPages = await scroll(withVisible, async (subject, cursor) => {
      const folderId = folderOf.get(random.pick(visible.get(subject) ?? []).id) ?? '';
      const filter = await authz.filter(subject, {
        type: 'docs.document',
        action: 'read',
        idColumn: 'bench_documents.id',
      });
      const rows = await moduleTable
        .selectFrom('bench_documents')
        .select(['id', 'title', 'updated_at'])
        .where('folder_id', '=', folderId)
        .$if(cursor !== undefined, (query) => query.where('updated_at', '<', cursor ?? ''))
        .where(filter)
        .orderBy('updated_at', 'desc')
        .limit(50)
        .execute();
      return { count: rows.length, cursor: rows.length === 50 ? rows.at(-1)?.updated_at : undefined };
    });
    // The module's own query over everything: the subject's last updated documents.
    const recent = (strategy: 'auto' | 'exists' | 'in') => async (subject: Subject, cursor: string | undefined) => {
      const filter = await authz.filter(subject, {
        type: 'docs.document',
        action: 'read',
        idColumn: 'bench_documents.id',
        strategy,
      });
      const rows = await moduleTable
        .selectFrom('bench_documents')
        .select(['id', 'title', 'updated_at'])
        .$if(cursor !== undefined, (query) => query.where('updated_at', '<', cursor ?? ''))
        .where(filter)
        .orderBy('updated_at', 'desc')
        .limit(50)
        .execute();
      return { count: rows.length, cursor: rows.length === 50 ? rows.at(-1)?.updated_at : undefined };
    };
    const recentAgents = await scroll(seeded.agents, recent('auto'));
    const recentExternals = await scroll(seeded.externals, recent('auto'));
    const recentAgentsIn = await scroll(seeded.agents, recent('in'));
    const recentExternalsExists = await scroll(seeded.externals, recent('exists'));

    const row = (measureName: string, result: { samples: number[]; note: string }): Measure => ({
      database: name,
      measure: measureName,
      ...result,
    });
    return {
      seeded,
      rows: [
        { database: name, measure: 'can()', samples: checks, note: `${allowed} of ${checks.length} allowed` },
        row('listAccessible, page of 50 (agents)', agentPages),
        row('listAccessible, page of 50 (external users)', externalPages),
        row("module query + filter: a folder's documents by date (agents)", folderPages),
        row('module query + filter: all documents by date (agents)', recentAgents),
        row('module query + filter: all documents by date (external users)', recentExternals),
        row('same, strategy forced to `in` (agents)', recentAgentsIn),
        row('same, strategy forced to `exists` (external users)', recentExternalsExists),
      ],
    };
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bureau-bench-authz-'));
  const rows: Measure[] = [];
  let seeded: Seeded | undefined;
  try {
    const sqlite = await measure('SQLite', { kind: 'sqlite', path: join(dataDir, 'bureau.sqlite') });
    rows.push(...sqlite.rows);
    seeded = sqlite.seeded;
    const serverUrl = process.env.BUREAU_BENCH_DATABASE_URL ?? process.env.BUREAU_TEST_DATABASE_URL;
    if (serverUrl) {
      const scratch = await createScratchPostgresDatabase(serverUrl, 'bureau_bench_authz');
      try {
        const postgres = await measure('PostgreSQL', { kind: 'postgres', url: scratch.url, poolSize: 4 });
        rows.push(...postgres.rows);
      } finally {
        await scratch.drop();
      }
    } else {
      console.log('(PostgreSQL skipped: set BUREAU_BENCH_DATABASE_URL to a server to include it)');
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }

  console.log(
    `\nBureau authorization benchmark: ${seeded?.resourceCount ?? '?'} resources, ${seeded?.grantCount ?? '?'} grants, ${checkCount} checks, ${pageCount} pages per kind of subject, ${cpus().length} CPU(s), Node.js ${process.version}\n`,
  );
  console.log('| database | measure | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | note |');
  console.log('|---|---|---:|---:|---:|---:|---|');
  for (const row of rows) {
    const sorted = [...row.samples].sort((a, b) => a - b);
    const cells = [0.5, 0.95, 0.99].map((fraction) => percentile(sorted, fraction).toFixed(2));
    console.log(
      `| ${row.database} | ${row.measure} | ${cells.join(' | ')} | ${(sorted.at(-1) ?? Number.NaN).toFixed(2)} | ${row.note} |`,
    );
  }
}

await main();
