import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { migrate, openDatabase, type Database } from '../../src/db/database.js';
import { parseEventQuery } from '../../src/epcis/query.js';
import { EventsRepository } from '../../src/events/events.repository.js';

/**
 * Every storage test runs on both dialects. PostgreSQL is the server at ZHUISU_TEST_PG_URL (default 127.0.0.1:5432,
 * database `test`) when it answers, else in-process PGlite: never skipped. Each test database is fresh: a temporary
 * SQLite file, or a new schema on the shared server.
 */
export type TestDialect = 'sqlite' | 'postgres';
export const TEST_DIALECTS: TestDialect[] = ['sqlite', 'postgres'];

const PG_URL = process.env.ZHUISU_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let serverProbe: Promise<boolean> | undefined;
function postgresServerAnswers(): Promise<boolean> {
  serverProbe ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1500 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return serverProbe;
}

export interface TestDatabase {
  url: string;
  /** The PostgreSQL schema of this test, on the shared server. */
  schema?: string;
  /** A directory for key files and other local state of this test. */
  dataDir: string;
  label: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'zhuisu-test-'));
  const cleanDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (dialect === 'sqlite') {
    return { url: join(dataDir, 'test.sqlite'), dataDir, label: 'sqlite', drop: async () => cleanDir() };
  }
  if (await postgresServerAnswers()) {
    const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    return {
      url: PG_URL,
      schema,
      dataDir,
      label: 'postgres',
      drop: async () => {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
        cleanDir();
      },
    };
  }
  return { url: 'pglite:', dataDir, label: 'postgres (pglite)', drop: async () => cleanDir() };
}

/** A fresh test database, opened (not migrated: some tests migrate step by step). `close` also drops it. */
export async function openTestDatabase(dialect: TestDialect): Promise<{ database: Database; target: TestDatabase; close(): Promise<void> }> {
  const target = await createTestDatabase(dialect);
  const database = await openDatabase(target.url, target.schema ? { schema: target.schema } : {});
  return {
    database,
    target,
    close: async () => {
      await database.close();
      await target.drop();
    },
  };
}

/**
 * A test database holding data written under an earlier schema: migrated up to `upTo`, filled by `write` in that
 * layout, then migrated to today. `migrated` lists the migrations that last step ran; `seqsOf` answers an event query
 * (platform-admin scope) with the seqs it finds, sorted.
 */
export async function openMigratedFrom(
  dialect: TestDialect,
  upTo: string,
  write: (db: Kysely<any>) => Promise<void>,
): Promise<{ database: Database; events: EventsRepository; migrated: string[]; seqsOf(params: Record<string, string>): Promise<number[]>; close(): Promise<void> }> {
  const { database, close } = await openTestDatabase(dialect);
  await migrate(database, { upTo });
  await write(database.db as unknown as Kysely<any>);
  const migrated = await migrate(database);
  const events = new EventsRepository(database.db);
  const seqsOf = async (params: Record<string, string>) => (await events.query(parseEventQuery(params), { kind: 'all' }, null, 10)).map((e) => e.seq).sort();
  return { database, events, migrated, seqsOf, close };
}
