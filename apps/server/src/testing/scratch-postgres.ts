import pg from 'pg';

/** A PostgreSQL database created for one test or benchmark run, on `serverUrl`'s server. */
export interface ScratchPostgresDatabase {
  /** The connection URL of the new database. */
  readonly url: string;
  /** Drops the database, closing the connections still open on it. */
  drop(): Promise<void>;
}

export async function createScratchPostgresDatabase(
  serverUrl: string,
  prefix: string,
): Promise<ScratchPostgresDatabase> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await administer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => administer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function administer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
