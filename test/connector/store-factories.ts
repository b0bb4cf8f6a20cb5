// Runtime: Node (jest). Store factories for the shared store suite and the pipeline tests: SQLite on a temp file,
// and the machine's PostgreSQL (127.0.0.1:5432, trust auth, database `test`; MSS_TEST_POSTGRES_URL overrides) in a
// schema of its own per run, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { openPostgresStore, openSqliteStore, type Store } from '../../src/connector/store';
import { makeTempDir } from '../helpers/tmp';

/** The test PostgreSQL server. */
export const TEST_POSTGRES_URL = process.env.MSS_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema name, unique per call. */
export function uniqueSchema(prefix = 'mss_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const c = new Client({ connectionString: TEST_POSTGRES_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}

/** Opens stores sharing one database (same SQLite file or same PostgreSQL schema), and cleans up. */
export interface StoreFactory {
  readonly name: 'sqlite' | 'postgres';
  /** SQLite file, or PostgreSQL schema, shared by every store open() returns (worker processes open it too). */
  readonly sqlitePath?: string;
  readonly schema?: string;
  /** Another store over the same database (a second connector instance). */
  open(now?: () => Date): Promise<Store>;
  /** Closes what open() returned and removes the database. */
  dispose(): Promise<void>;
}

export function sqliteFactory(): StoreFactory {
  const path = join(makeTempDir('mss-outlook-queue-'), 'mss-outlook.sqlite');
  const opened: Store[] = [];
  return {
    name: 'sqlite',
    sqlitePath: path,
    async open(now) {
      const s = openSqliteStore(path, now ? { now } : {});
      opened.push(s);
      return s;
    },
    async dispose() {
      for (const s of opened) await s.close();
    },
  };
}

export function postgresFactory(): StoreFactory {
  const schema = uniqueSchema();
  const opened: Store[] = [];
  return {
    name: 'postgres',
    schema,
    async open(now) {
      const s = await openPostgresStore({ url: TEST_POSTGRES_URL, schema, ...(now ? { now } : {}) });
      opened.push(s);
      return s;
    },
    async dispose() {
      for (const s of opened) await s.close();
      await dropSchema(schema);
    },
  };
}
