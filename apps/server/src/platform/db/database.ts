import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  sql,
  type DialectAdapter,
  type KyselyPlugin,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { startWalCheckpointer, type WalCheckpointer, type WalCheckpointSettings } from './wal-checkpointer.ts';

export type DatabaseDialect = 'sqlite' | 'postgres';

export type DatabaseSettings =
  | { kind: 'sqlite'; path: string; walCheckpoint?: WalCheckpointSettings }
  | { kind: 'postgres'; url: string; poolSize: number };

/**
 * The schema-agnostic query builder handed around the platform. A repository narrows it to its own
 * tables with `executor.withTables<ModuleTables>()`, so no object reaches every table.
 */
export type Executor = Kysely<object>;

/** What a function running inside a transaction receives. */
export interface TransactionContext {
  readonly executor: Transaction<object>;
  /** Runs `callback` once the transaction has committed; never if it rolls back. */
  afterCommit(callback: () => void): void;
  /**
   * Runs `callback` once the transaction has rolled back (a thrown error, or a failed commit); never if it
   * commits. For in-memory bookkeeping that must end either way (e.g. a position reserved in memory).
   */
  afterRollback(callback: () => void): void;
}

export interface Database {
  readonly dialect: DatabaseDialect;
  /** Runs queries outside of any transaction. */
  readonly executor: Executor;
  /**
   * Runs `work` in a transaction. Callbacks registered with `afterCommit` run after the commit, in
   * order; a thrown error rolls back, discards them and runs those of `afterRollback`. When `parent` is
   * given, `work` joins it.
   */
  transaction<T>(work: (context: TransactionContext) => Promise<T>, parent?: TransactionContext): Promise<T>;
  /** Throws when the database cannot answer a trivial query. */
  ping(): Promise<void>;
  /** SQLite: what the background checkpoints of the write-ahead log did (wal-checkpointer.ts). */
  readonly walCheckpoints?: WalCheckpointer['stats'];
  /** Loads a SQLite extension (a shared library) into the connection; absent on PostgreSQL. */
  readonly loadSqliteExtension?: (path: string) => void;
  /** The engine and its version, e.g. "SQLite 3.54.1" or "PostgreSQL 15.19". */
  serverVersion(): Promise<string>;
  close(): Promise<void>;
}

const postgresTypes = {
  int8: 20,
  json: 114,
  timestamp: 1114,
  timestamptz: 1184,
  jsonb: 3802,
} as const;

/**
 * Values read from PostgreSQL take the shapes SQLite gives, so repositories are portable: timestamps
 * as ISO-8601 strings, JSON as its text, 64-bit integers as numbers.
 */
function postgresTypeParser(oid: number, format?: string): (value: string) => unknown {
  switch (oid) {
    case postgresTypes.timestamptz:
      return (value) => new Date(value).toISOString();
    case postgresTypes.timestamp:
      return (value) => new Date(`${value.replace(' ', 'T')}Z`).toISOString();
    case postgresTypes.int8:
      return (value) => Number(value);
    case postgresTypes.json:
    case postgresTypes.jsonb:
      return (value) => value;
    default:
      return pg.types.getTypeParser(oid, format === 'binary' ? 'binary' : 'text') as (value: string) => unknown;
  }
}

export function openDatabase(settings: DatabaseSettings): Database {
  if (settings.kind === 'sqlite') {
    mkdirSync(dirname(settings.path), { recursive: true });
    const connection = new SqliteDatabase(settings.path);
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = NORMAL');
    connection.pragma('foreign_keys = ON');
    connection.pragma('busy_timeout = 5000');
    const guard = new AsyncLocalStorage<boolean>();
    const checkpointer = startWalCheckpointer(connection, settings.path, settings.walCheckpoint, async () => {
      await sql`pragma wal_checkpoint(PASSIVE)`.execute(database.executor);
    });
    const database = wrap(
      'sqlite',
      new Kysely<object>({ dialect: new BureauSqliteDialect({ database: withStatementCache(connection) }) }),
      guard,
    );
    return {
      ...database,
      walCheckpoints: checkpointer.stats,
      loadSqliteExtension: (path) => void connection.loadExtension(path),
      async close() {
        // The worker's connection first: the last one to close checkpoints everything and removes the log.
        await checkpointer.close();
        await database.close();
      },
    };
  }
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.poolSize,
    types: { getTypeParser: postgresTypeParser },
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const guard = new AsyncLocalStorage<boolean>();
  return wrap('postgres', new Kysely<object>({ dialect: new PostgresDialect({ pool }) }), guard);
}

const statementCacheSize = 1000;

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs more than running most of Bureau's
 * indexed queries. Statements are kept by SQL text (least recently used dropped past 1,000); one still
 * being iterated (a streamed query) is never handed out twice. SQLite re-prepares a cached statement by
 * itself after a schema change.
 */
function withStatementCache(connection: SqliteDatabase.Database) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => connection.close(),
    prepare(text: string): SqliteDatabase.Statement {
      const cached = cache.get(text);
      if (cached && !cached.busy) {
        cache.delete(text);
        cache.set(text, cached);
        return cached;
      }
      const statement = connection.prepare(text);
      if (!cached) {
        cache.set(text, statement);
        if (cache.size > statementCacheSize) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
      }
      return statement;
    },
  };
}

/** SQLite runs DDL inside transactions, so a failing migration leaves nothing half-applied. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class BureauSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

export class QueryOutsideTransactionError extends Error {
  constructor() {
    super(
      'A query ran on database.executor while a transaction of this call was open: run it on the ' +
        "transaction's context.executor (on SQLite it would wait for the transaction forever).",
    );
    this.name = 'QueryOutsideTransactionError';
  }
}

/**
 * Refuses queries on `database.executor` made by code running inside `database.transaction`: such a query
 * would not see the transaction's writes, and on SQLite (one connection) it would wait for the transaction,
 * which waits for it. Failing at once names the bug. The transaction's own executor runs without it.
 */
function outsideTransactionGuard(insideTransaction: AsyncLocalStorage<boolean>): KyselyPlugin {
  return {
    transformQuery(args) {
      if (insideTransaction.getStore() === true) throw new QueryOutsideTransactionError();
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  };
}

function wrap(
  dialect: DatabaseDialect,
  unguarded: Kysely<object>,
  insideTransaction: AsyncLocalStorage<boolean>,
): Database {
  const executor = unguarded.withPlugin(outsideTransactionGuard(insideTransaction));
  let isClosed = false;
  return {
    dialect,
    executor,
    async transaction(work, parent) {
      if (parent) return work(parent);
      const callbacks: Array<() => void> = [];
      const rollbacks: Array<() => void> = [];
      let result;
      try {
        result = await executor.transaction().execute((transaction) =>
          insideTransaction.run(true, () =>
            work({
              executor: transaction.withoutPlugins(),
              afterCommit: (callback) => callbacks.push(callback),
              afterRollback: (callback) => rollbacks.push(callback),
            }),
          ),
        );
      } catch (error) {
        for (const callback of rollbacks) callback();
        throw error;
      }
      for (const callback of callbacks) callback();
      return result;
    },
    async ping() {
      await sql`select 1`.execute(executor);
    },
    async serverVersion() {
      if (dialect === 'sqlite') {
        const { rows } = await sql<{ version: string }>`select sqlite_version() as version`.execute(executor);
        return `SQLite ${rows[0]?.version ?? '?'}`;
      }
      const { rows } = await sql<{ server_version: string }>`show server_version`.execute(executor);
      return `PostgreSQL ${rows[0]?.server_version ?? '?'}`;
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      await executor.destroy();
    },
  };
}
