import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { DomainError } from '../domain/errors.js';
import { translateDatabaseError } from './errors.js';
import { migrations } from './migrations/index.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Schema } from './schema.js';
import { OwnSchemaPostgresDialect } from './schema-introspector.js';
import { preparedName } from './statements.js';

export type SqlDialect = 'sqlite' | 'postgres';
/** Number sequences the application draws from (ids it needs before inserting). */
export type Sequence = 'event_seq';
export type Executor = Kysely<Schema> | Transaction<Schema>;

/** An open database: the only object outside src/db/ that touches storage, and it never says which dialect it is on. */
export interface Database {
  readonly db: Kysely<Schema>;
  readonly dialect: SqlDialect;
  /** Where the data lives, safe to log (no password). */
  readonly description: string;
  /** The PostgreSQL schema holding the tables, when not the default. */
  readonly schema: string | undefined;
  /** Runs `work` atomically; storage errors come out as DomainErrors. */
  transaction<T>(work: (trx: Transaction<Schema>) => Promise<T>): Promise<T>;
  /**
   * Inserts many rows of one table inside `trx` as fast as the dialect allows (bulk capture). All rows must have
   * the same columns.
   */
  insertMany<T extends keyof Schema>(trx: Executor, table: T, rows: Schema[T][]): Promise<void>;
  /**
   * As `insertMany`, skipping rows whose `key` (a unique text column) is taken, by a committed row or one another
   * transaction is inserting (PostgreSQL waits for it); returns the keys that went in.
   */
  insertNew<T extends keyof Schema>(trx: Executor, table: T, rows: Schema[T][], key: keyof Schema[T] & string): Promise<Set<string>>;
  /** `count` new numbers of a sequence, increasing; concurrent captures may interleave theirs on PostgreSQL. */
  nextSeqs(trx: Executor, sequence: Sequence, count: number): Promise<number[]>;
  /**
   * What a worker thread passes to `openDatabase` to reach this database, or null where no other thread can (an
   * in-memory or in-process database).
   */
  readonly sharing: SharedDatabase | null;
  close(): Promise<void>;
}

export interface SharedDatabase {
  url: string;
  options: OpenOptions;
  /**
   * Whether several connections may write at once to good effect (PostgreSQL). SQLite takes one writer at a time, and
   * a connection finds its page cache stale after every commit of another, so writes belong on one connection.
   */
  parallelWrites: boolean;
}

export interface OpenOptions {
  /** PostgreSQL only: keep every table, the migration bookkeeping included, in this schema (tests isolate with it). */
  schema?: string;
}

/**
 * Opens `url`: `postgres://…` (a server), `pglite:` or `pglite:<dir>` (in-process PostgreSQL), `:memory:`, or a
 * file path (SQLite, optionally prefixed by `sqlite:`).
 */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options);
  if (url === 'pglite:' || url.startsWith('pglite:')) return openPglite(url.slice('pglite:'.length));
  return openSqlite(url.replace(/^sqlite:/, ''));
}

type InsertMany = Database['insertMany'];
type InsertNew = Database['insertNew'];

/**
 * PostgreSQL bulk insert: the rows travel as one JSON parameter that the server turns back into rows of the table's
 * own type. A multi-row VALUES list of the same rows has thousands of parameters to bind, send and plan.
 */
const jsonRecordsetInsert: InsertMany = async (trx, table, rows) => {
  if (rows.length === 0) return;
  const columns = sql.join(Object.keys(rows[0]!).map((c) => sql.ref(c)));
  await sql`insert into ${sql.table(table)} (${columns}) select ${columns} from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)})`.execute(trx);
};

const jsonRecordsetInsertNew: InsertNew = async (trx, table, rows, key) => {
  if (rows.length === 0) return new Set();
  const columns = sql.join(Object.keys(rows[0]!).map((c) => sql.ref(c)));
  const inserted = await sql<Record<string, string>>`insert into ${sql.table(table)} (${columns}) select ${columns} from json_populate_recordset(null::${sql.table(table)}, ${JSON.stringify(rows)}) on conflict (${sql.ref(key)}) do nothing returning ${sql.ref(key)}`.execute(trx);
  return new Set(inserted.rows.map((row) => row[key]!));
};

/** A counter row: one writer at a time anyway on SQLite, so a block is reserved with one UPDATE. */
async function counterSeqs(trx: Executor, sequence: Sequence, count: number): Promise<number[]> {
  await trx.insertInto('counters').values({ name: sequence, value: 0 }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await trx
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', count) }))
    .where('name', '=', sequence)
    .returning('value')
    .executeTakeFirstOrThrow();
  const first = Number(row.value) - count + 1;
  return Array.from({ length: count }, (_, i) => first + i);
}

/** A sequence: concurrent transactions draw numbers without waiting for each other's commit. */
async function sequenceSeqs(trx: Executor, sequence: Sequence, count: number): Promise<number[]> {
  const rows = await sql<{ seq: string | number }>`select nextval(${sequence}) as seq from generate_series(1, ${count})`.execute(trx);
  return rows.rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
}

interface Wrapping {
  insertMany: InsertMany;
  insertNew: InsertNew;
  sharing?: SharedDatabase;
}

function wrap(db: Kysely<Schema>, dialect: SqlDialect, description: string, schema: string | undefined, wrapping: Wrapping): Database {
  return {
    db,
    dialect,
    description,
    schema,
    insertMany: wrapping.insertMany,
    insertNew: wrapping.insertNew,
    nextSeqs: dialect === 'sqlite' ? counterSeqs : sequenceSeqs,
    sharing: wrapping.sharing ?? null,
    async transaction(work) {
      try {
        return await db.transaction().execute(work);
      } catch (error) {
        throw error instanceof DomainError ? error : translateDatabaseError(error);
      }
    },
    close: () => db.destroy(),
  };
}

/** Rows bound by one call of a bulk-insert statement on SQLite. */
const ROWS_PER_STATEMENT = 32;

/**
 * better-sqlite3 as Kysely sees it, with two changes:
 * - each SQL text is compiled once: Kysely prepares every query it runs, and compiling costs more than running the
 *   small lookups capture makes by the thousand. The cache is bounded, since `IN (…)` lists make many texts.
 * - transactions begin IMMEDIATE, taking the write lock at once: capture writes from a connection of its own, and a
 *   transaction that read first and found that connection's commit landed meanwhile could not write at all
 *   (SQLITE_BUSY without waiting). Taking the lock first, it waits its turn (busy_timeout) and then sees that commit.
 */
function asKyselySees(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = (text: string) => {
    const sql = text === 'begin' ? 'begin immediate' : text;
    let statement = cache.get(sql);
    if (statement) return statement;
    statement = sqlite.prepare(sql);
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(sql, statement);
    return statement;
  };
  return new Proxy(sqlite, { get: (target, property) => (property === 'prepare' ? prepare : Reflect.get(target, property, target)) });
}

const STATEMENT_CACHE_SIZE = 200;

function openSqlite(path: string): Database {
  const file = path === ':memory:' ? path : resolve(path);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  // WAL lets readers run beside the writer; synchronous=FULL makes a committed transaction survive power loss, which
  // is what "acknowledged" promises.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Random-order keys (event hashes, identifiers) touch pages all over the indexes; a 64 MiB page cache keeps them hot.
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('wal_autocheckpoint = 16384');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: asKyselySees(sqlite) }) });
  // One connection: inside a Kysely transaction the raw handle writes into that same transaction. Prepared
  // statements of a fixed number of rows: SQLite compiles each once, and one call binds many rows.
  const statements = new Map<string, SqliteDatabase.Statement>();
  const statementFor = (table: string, columns: string[], rowCount: number) => {
    const key = `${table}(${columns.join(',')})x${rowCount}`;
    let statement = statements.get(key);
    if (!statement) {
      const row = `(${columns.map(() => '?').join(', ')})`;
      statement = sqlite.prepare(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: rowCount }, () => row).join(', ')}`);
      statements.set(key, statement);
    }
    return statement;
  };
  const insertMany: InsertMany = async (_trx, table, rows) => {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const values = (from: number, to: number) => {
      const out: unknown[] = [];
      for (let i = from; i < to; i += 1) for (const c of columns) out.push((rows[i] as unknown as Record<string, unknown>)[c]);
      return out;
    };
    const whole = rows.length - (rows.length % ROWS_PER_STATEMENT);
    if (whole > 0) {
      const statement = statementFor(table, columns, ROWS_PER_STATEMENT);
      for (let i = 0; i < whole; i += ROWS_PER_STATEMENT) statement.run(values(i, i + ROWS_PER_STATEMENT));
    }
    if (whole < rows.length) {
      const statement = statementFor(table, columns, 1);
      for (let i = whole; i < rows.length; i += 1) statement.run(values(i, i + 1));
    }
  };
  const insertNew: InsertNew = async (_trx, table, rows, key) => {
    const inserted = new Set<string>();
    if (rows.length === 0) return inserted;
    const columns = Object.keys(rows[0]!);
    const statements = new Map<number, SqliteDatabase.Statement>();
    const statementOf = (count: number) => {
      let statement = statements.get(count);
      if (!statement) {
        const row = `(${columns.map(() => '?').join(', ')})`;
        statement = sqlite.prepare(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array.from({ length: count }, () => row).join(', ')} on conflict ("${key}") do nothing returning "${key}"`);
        statements.set(count, statement);
      }
      return statement;
    };
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT) as unknown as Record<string, unknown>[];
      const values: unknown[] = [];
      for (const row of chunk) for (const c of columns) values.push(row[c]);
      for (const row of statementOf(chunk.length).all(values) as Record<string, string>[]) inserted.add(row[key]!);
    }
    return inserted;
  };
  const inMemory = file === ':memory:';
  return wrap(db, 'sqlite', inMemory ? 'sqlite (memory)' : `sqlite ${file}`, undefined, { insertMany, insertNew, ...(inMemory ? {} : { sharing: { url: file, options: {}, parallelWrites: false } }) });
}

// int8 and numeric come back as strings by default; every count and sequence we store fits a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** A node-postgres client that runs statements compiled once as named (prepared) statements, the rest as they come. */
class PreparingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [text, values] = args;
    const name = typeof text === 'string' && Array.isArray(values) && args.length === 2 ? preparedName(text) : undefined;
    const query = super.query as (...a: unknown[]) => never;
    return name ? query.call(this, { name, text, values }) : query.apply(this, args);
  }
}

function openPostgres(url: string, options: OpenOptions): Database {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new Error(`invalid schema name ${options.schema}`);
  }
  const pool = new pg.Pool({
    Client: PreparingClient,
    connectionString: url,
    max: Number(process.env.PGPOOL_MAX ?? 10),
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client losing its server must not crash the process; the next query reports the failure instead.
  pool.on('error', () => {});
  const db = new Kysely<Schema>({ dialect: new OwnSchemaPostgresDialect({ pool }) });
  const sharing: SharedDatabase = { url, options: options.schema ? { schema: options.schema } : {}, parallelWrites: true };
  return wrap(db, 'postgres', `postgres ${redactUrl(url)}${options.schema ? ` schema ${options.schema}` : ''}`, options.schema, { sharing, insertMany: jsonRecordsetInsert, insertNew: jsonRecordsetInsertNew });
}

async function openPglite(dir: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const client = dir && dir !== 'memory' ? new PGlite(resolve(dir)) : new PGlite();
  await client.waitReady;
  const db = new Kysely<Schema>({ dialect: new PGliteDialect(client) });
  return wrap(db, 'postgres', `pglite ${dir || 'memory'}`, undefined, { insertMany: jsonRecordsetInsert, insertNew: jsonRecordsetInsertNew });
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres (unparseable url)';
  }
}

/** Applies every pending migration (or those up to and including `upTo`); returns the names applied. */
export async function migrate(database: Database, options: { upTo?: string } = {}): Promise<string[]> {
  if (database.schema) await database.db.schema.createSchema(database.schema).ifNotExists().execute();
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations },
    // Kysely's bookkeeping tables go into our schema, where its introspector (CurrentSchemaIntrospector) looks for them.
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
    // Migrations written in parallel can land in an order other than their names': a database migrated between the
    // two still takes the one it lacks, rather than refusing to start.
    allowUnorderedMigrations: true,
  });
  const { error, results } = options.upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(options.upTo);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new DomainError(
      'internal',
      'migration-failed',
      `migration ${failed?.migrationName ?? '?'} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
