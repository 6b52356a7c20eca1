/**
 * The storage floor: how fast the database drivers alone take event rows of zhuisu's own table layout, with nothing
 * else (no HTTP, parsing, validation, hashing, identifier index, capture job or audit entry). Whatever capture does
 * besides storing the rows comes on top of this figure, so it bounds what capture throughput can reach on the machine.
 * Figures are printed, never asserted.
 *
 *   node scripts/run-bench.mjs storage-floor
 *   BENCH_FLOOR_EVENTS=20000 BENCH_DIALECTS=sqlite node scripts/run-bench.mjs storage-floor
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { migrate, openDatabase, type EventTable } from '../src/db/index.js';
import { generateDocuments } from './generator.js';
import { machineCpu } from './machine.js';

const EVENTS = Number(process.env.BENCH_FLOOR_EVENTS ?? 100_000);
const PER_TRANSACTION = 1000;
const ROWS_PER_STATEMENT = 32;
const PG_URL = process.env.ZHUISU_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Rows as capture writes them, from the generated chain; the hash is a SHA-256 of the body in the CBV URI shape. */
function eventRows(): EventTable[][] {
  const transactions: EventTable[][] = [];
  let seq = 0;
  for (const document of generateDocuments({ seed: 3, batches: Math.ceil(EVENTS / 20), eventsPerDocument: PER_TRANSACTION })) {
    const rows = (document.epcisBody as { eventList: Record<string, unknown>[] }).eventList.map((event): EventTable => {
      const body = JSON.stringify(event);
      seq += 1;
      return {
        seq,
        event_id: null,
        event_hash: `ni:///sha-256;${createHash('sha256').update(body).digest('hex')}?ver=CBV2.0`,
        event_type: String(event.type),
        action: typeof event.action === 'string' ? event.action : null,
        biz_step: typeof event.bizStep === 'string' ? event.bizStep : null,
        disposition: typeof event.disposition === 'string' ? event.disposition : null,
        event_time_ms: Date.parse(String(event.eventTime)),
        record_time_ms: Date.now(),
        owner_subject_id: null,
        product_class: null,
        capture_id: `floor-${transactions.length}`,
        object_ids: JSON.stringify(event.epcList ?? event.childEPCs ?? event.inputEPCList ?? []),
        body,
      };
    });
    transactions.push(rows);
    if (transactions.length * PER_TRANSACTION >= EVENTS) break;
  }
  return transactions;
}

/** Times `work` (which stores `events` rows): its rate, and the CPU it took in this process and on the whole machine. */
async function measure(dialect: string, note: string, work: () => Promise<number>): Promise<void> {
  const cpu = process.cpuUsage();
  const machine = machineCpu();
  const started = performance.now();
  const events = await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const machineBusy = machineCpu().busy - machine.busy;
  const perEvent = (cpuSeconds: number) => `${Math.round((cpuSeconds * 1e6) / events)} µs`;
  console.log(
    `${dialect.padEnd(10)} ${events.toLocaleString('en')} rows: ${Math.round(events / seconds).toLocaleString('en')} events/s (${note}); ` +
      `CPU per event: this process ${perEvent((used.user + used.system) / 1e6)}, whole machine ${perEvent(machineBusy)}`,
  );
}

async function sqliteFloor(transactions: EventTable[][]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'zhuisu-floor-'));
  const file = join(dir, 'floor.sqlite');
  try {
    const database = await openDatabase(file);
    await migrate(database);
    await database.close();
    // The pragmas zhuisu runs with: WAL, a durable commit, the same page cache and checkpoint interval.
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('cache_size = -65536');
    sqlite.pragma('wal_autocheckpoint = 16384');
    const columns = Object.keys(transactions[0]![0]!);
    const row = `(${columns.map(() => '?').join(', ')})`;
    const insert = sqlite.prepare(`insert into events (${columns.join(', ')}) values ${Array.from({ length: ROWS_PER_STATEMENT }, () => row).join(', ')}`);
    const begin = sqlite.prepare('begin immediate');
    const commit = sqlite.prepare('commit');
    await measure('sqlite', 'one writer, the only one SQLite allows', async () => {
      let events = 0;
      for (const rows of transactions) {
        begin.run();
        for (let i = 0; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) {
          insert.run(rows.slice(i, i + ROWS_PER_STATEMENT).flatMap((r) => columns.map((c) => r[c as keyof EventTable])));
        }
        commit.run();
        events += rows.length - (rows.length % ROWS_PER_STATEMENT);
      }
      return events;
    });
    sqlite.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresFloor(transactions: EventTable[][]): Promise<void> {
  const schema = `floor_${process.pid}`;
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
  } catch {
    console.log(`postgres   skipped: no server at ${PG_URL.replace(/\/\/[^@]*@/, '//')}`);
    return;
  }
  try {
    const database = await openDatabase(PG_URL, { schema });
    await migrate(database);
    await database.close();
    await client.query(`set search_path to ${schema}`);
    const columns = Object.keys(transactions[0]![0]!).join(', ');
    await measure('postgres', 'one connection', async () => {
      let events = 0;
      for (const rows of transactions) {
        // The bulk insert capture uses: the rows as one JSON parameter, turned back into rows by the server.
        await client.query('begin');
        await client.query(`insert into events (${columns}) select ${columns} from json_populate_recordset(null::events, $1)`, [JSON.stringify(rows)]);
        await client.query('commit');
        events += rows.length;
      }
      return events;
    });
  } finally {
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  }
}

const dialects = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',');
const transactions = eventRows();
console.log(`storage floor: event rows alone, ${PER_TRANSACTION} per durable commit, into zhuisu's events table and its indexes`);
if (dialects.includes('sqlite')) await sqliteFloor(transactions);
if (dialects.includes('postgres')) await postgresFloor(transactions);
