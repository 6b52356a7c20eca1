import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { migrate, openDatabase, type Database } from '../../src/db/database.js';
import { DomainError } from '../../src/domain/errors.js';
import { migrations } from '../../src/db/migrations/index.js';
import { compiledOnce, LIST_PLACEHOLDER, rowsWithList, textAmong } from '../../src/db/index.js';
import { createTestDatabase, openTestDatabase, TEST_DIALECTS } from '../support/databases.js';

const subjectRow = (id: string, code: string) => ({
  id,
  subject_code: code,
  kind: 'organisation' as const,
  name: 'x',
  roles: '[]',
  region_code: '330106',
  status: 'active' as const,
  status_reason: null,
  address: null,
  contact: null,
  licences: '[]',
  person_id_cipher: null,
  person_id_index: null,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
});

for (const dialect of TEST_DIALECTS) {
  describe(`database layer on ${dialect}`, () => {
    let close: () => Promise<void>;
    let database: Database;
    before(async () => {
      ({ database, close } = await openTestDatabase(dialect));
    });
    after(() => close());

    test('migrations apply once and are then a no-op', async () => {
      assert.deepEqual(await migrate(database), Object.keys(migrations));
      assert.ok(Object.keys(migrations).length >= 2);
      assert.deepEqual(await migrate(database), []);
    });

    test('a unique violation inside a transaction becomes a conflict and rolls the transaction back', async () => {
      await database.transaction((trx) => trx.insertInto('subjects').values(subjectRow('s1', 'CODE-1')).execute());
      await assert.rejects(
        database.transaction(async (trx) => {
          await trx.insertInto('subjects').values(subjectRow('s2', 'CODE-2')).execute();
          await trx.insertInto('subjects').values(subjectRow('s3', 'CODE-1')).execute();
        }),
        (error: unknown) => error instanceof DomainError && error.kind === 'conflict' && /subject_code/.test(error.message),
      );
      const ids = await database.db.selectFrom('subjects').select('id').orderBy('id').execute();
      assert.deepEqual(ids.map((r) => r.id), ['s1']);
    });

    test('a missing reference becomes an invalid-input error', async () => {
      await assert.rejects(
        database.transaction((trx) => trx.insertInto('subject_company_prefixes').values({ prefix: '6900001', subject_id: 'nobody' }).execute()),
        (error: unknown) => error instanceof DomainError && error.code === 'reference-missing',
      );
    });

    if (dialect === 'sqlite') {
      test('SQLite runs in WAL mode with synchronous=FULL and foreign keys on', async () => {
        const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db);
        const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(database.db);
        const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(database.db);
        assert.equal(mode.rows[0]!.journal_mode, 'wal');
        assert.equal(sync.rows[0]!.synchronous, 2); // 2 = FULL
        assert.equal(fk.rows[0]!.foreign_keys, 1);
      });
    }
  });
}

describe('migrating while other instances change their schemas (PostgreSQL server)', () => {
  test("schemas dropped and tables replaced elsewhere on the server do not fail a migration", async (t) => {
    const probe = await openTestDatabase('postgres');
    const server = probe.target.schema !== undefined;
    await probe.close();
    if (!server) return t.skip('needs a PostgreSQL server: the in-process one has no other sessions');
    // A neighbour that keeps doing what other instances' tests, tenants and migrations do: create and drop a schema,
    // and replace a table by another of the same name with other columns (as a migration rebuilding a table does).
    const neighbour = await openTestDatabase('postgres');
    let stop = false;
    const churn = (async () => {
      for (let i = 0; !stop; i += 1) {
        const name = `churn_${process.pid}_${i}`;
        await sql`create schema ${sql.id(name)}`.execute(neighbour.database.db);
        await sql`create table ${sql.id(name)}.t (id serial primary key, old_column text)`.execute(neighbour.database.db);
        await sql`create table ${sql.id(name)}.t_new (id serial primary key)`.execute(neighbour.database.db);
        await sql`drop table ${sql.id(name)}.t`.execute(neighbour.database.db);
        await sql`alter table ${sql.id(name)}.t_new rename to t`.execute(neighbour.database.db);
        await sql`drop schema ${sql.id(name)} cascade`.execute(neighbour.database.db);
        // A change every few tens of milliseconds, as a busy server sees: often enough to meet the lookups below, not
        // a storm that would also slow the other test files migrating on the same server meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    try {
      for (let i = 0; i < 6; i += 1) {
        const fresh = await createTestDatabase('postgres');
        const database = await openDatabase(fresh.url, { schema: fresh.schema! });
        try {
          assert.ok((await migrate(database)).length === Object.keys(migrations).length, 'every migration applied');
        } finally {
          await database.close();
          await fresh.drop();
        }
      }
    } finally {
      stop = true;
      await churn;
      await neighbour.close();
    }
  });
});

describe('statements compiled once (PostgreSQL server)', () => {
  test('run as statements prepared once per connection, each run with its own list', async (t) => {
    const { database, target, close } = await openTestDatabase('postgres');
    try {
      if (target.schema === undefined) return t.skip('needs a PostgreSQL server: the in-process one prepares nothing');
      await migrate(database);
      await database.db.insertInto('subjects').values([subjectRow('s1', 'C1'), subjectRow('s2', 'C2'), subjectRow('s3', 'C3')]).execute();
      // One connection throughout, so that what it has prepared can be seen.
      await database.db.connection().execute(async (connection) => {
        const build = () => connection.selectFrom('subjects').select('id').where(textAmong(connection, 'id', LIST_PLACEHOLDER)).orderBy('id');
        const statement = compiledOnce(connection, 'test.subjects', build);
        const ids = async (list: string[]) => (await rowsWithList(connection, 'test.subjects', build, list)).map((r) => r.id);
        assert.deepEqual(await ids(['s1', 's3']), ['s1', 's3']);
        assert.deepEqual(await ids(['s2', 'nobody']), ['s2']);
        assert.deepEqual(await ids([]), []);
        const prepared = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(connection);
        const ours = prepared.rows.filter((r) => r.statement === statement.sql);
        assert.equal(ours.length, 1, 'the statement is prepared once, under one name');
        assert.match(ours[0]!.name, /^zhuisu_\d+$/);
        // A statement built as it comes is not kept by name.
        await connection.selectFrom('subjects').select('id').where('id', '=', 's1').execute();
        const after = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(connection);
        assert.equal(after.rows[0]!.n, prepared.rows.length);
      });
    } finally {
      await close();
    }
  });
});
