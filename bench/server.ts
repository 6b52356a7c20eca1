/**
 * What the HTTP benchmarks share: a real server in a child process on a throw-away database (a SQLite file, or a
 * PostgreSQL schema of its own), the admin key it is started with, registering the generated subjects, and reading
 * the server's CPU and memory from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { GeneratedSubject } from './generator.js';
import { freePort } from '../test/support/process.js';

export type Dialect = 'sqlite' | 'postgres';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PG_URL = process.env.ZHUISU_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The server's ZHUISU_ADMIN_TOKEN: a platform-admin key without creating a user first. */
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
export const adminHeaders = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/ld+json' };

/** The dialects to run, from BENCH_DIALECTS (default both). */
export function benchDialects(): Dialect[] {
  return (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as Dialect[];
}

export interface BenchDatabase {
  /** The server's database settings. */
  env: Record<string, string>;
  /**
   * Has PostgreSQL gather the planner's statistics of the run's tables, as autovacuum does in time on a server that
   * runs it: a bulk-loaded schema without them is planned as if every table were small (the trace benchmark's
   * identifier lookups turned into sequential scans, 400 ms instead of 2). Nothing to do on SQLite.
   */
  analyze: () => Promise<void>;
  drop: () => Promise<void>;
}

/**
 * A fresh database for one run, or null (after saying so) when the dialect's server is not there. Each run gets its
 * own data directory and, on PostgreSQL, its own schema, so that runs never see each other's data.
 *
 * With `keep` (a directory), the database is kept there between runs instead, under `name`: a benchmark whose loading
 * takes most of its time can then measure again after a change without loading again. `drop` leaves it in place.
 */
export async function benchDatabase(dialect: Dialect, name: string, keep?: string): Promise<BenchDatabase | null> {
  const dataDir = keep ? join(keep, `${name}-${dialect}`) : mkdtempSync(join(tmpdir(), `zhuisu-${name}-`));
  if (keep) mkdirSync(dataDir, { recursive: true });
  const removeDir = () => (keep ? undefined : rmSync(dataDir, { recursive: true, force: true }));
  if (dialect === 'sqlite') {
    return { env: { DATABASE_URL: join(dataDir, 'bench.sqlite'), ZHUISU_DATA_DIR: dataDir }, analyze: async () => {}, drop: async () => removeDir() };
  }
  const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1500 });
  try {
    await probe.connect();
    await probe.end();
  } catch {
    console.log(`postgres   skipped: no server at ${PG_URL.replace(/\/\/[^@]*@/, '//')}`);
    removeDir();
    return null;
  }
  const schema = `${name.replace(/[^a-z0-9]/g, '_')}_${keep ? 'kept' : process.pid}`;
  const withClient = async (work: (client: pg.Client) => Promise<void>) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    env: { DATABASE_URL: PG_URL, ZHUISU_DB_SCHEMA: schema, ZHUISU_DATA_DIR: dataDir },
    analyze: () =>
      withClient(async (client) => {
        // Table by table: a bare ANALYZE would go through every schema of the database, other runs' included.
        const { rows } = await client.query<{ tablename: string }>('select tablename from pg_tables where schemaname = $1', [schema]);
        for (const { tablename } of rows) await client.query(`analyze ${schema}."${tablename}"`);
      }),
    drop: async () => {
      if (keep) return;
      removeDir();
      await withClient(async (client) => {
        await client.query(`drop schema if exists ${schema} cascade`);
      });
    },
  };
}

export interface Server {
  base: string;
  process: ChildProcess;
  /** Peak resident memory so far (VmHWM), MB. */
  rssMb: () => number;
  /** Resident memory now (VmRSS), MB. */
  currentRssMb: () => number;
  stop: () => Promise<void>;
}

/**
 * The compiled `zhuisu serve` (`npm run bench` builds it first) in a child process, ready to answer. Compiled rather
 * than through tsx, whose loader in the main thread and in every capture worker would add some 100 MB to the RSS
 * measured.
 */
export async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, 'bin/zhuisu.js', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, ...env, ZHUISU_ADMIN_TOKEN: ADMIN_TOKEN, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`server exited with ${code}`))));
  const base = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 600; i++) {
      if ((await fetch(`${base}/healthz`).catch(() => null))?.status === 200) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('server did not become ready in 30 s');
  })();
  await Promise.race([ready, exited]);
  return {
    base,
    process: child,
    rssMb: () => memoryOf(child.pid!, 'VmHWM'),
    currentRssMb: () => memoryOf(child.pid!, 'VmRSS'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** One kept-alive connection for `send`. */
const keptAlive = new Agent({ keepAlive: true, maxSockets: 1 });

/**
 * A request over a kept-alive connection with node's own HTTP client, the answer read whole as text. Latencies are
 * timed with this rather than with fetch: fetch's streams and text decoding cost the client about 4 ms of CPU for a
 * 250 KiB answer, on the same two cores the server runs on, and that showed in the server's figures.
 */
export function send(url: string, options: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = options.body === undefined ? options.headers : { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) };
    const req = request(url, { method: options.method ?? 'GET', headers, agent: keptAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** CPU seconds each thread of a process has used so far, by thread name (main, worker threads, libuv pool). */
export function cpuByThread(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  const ticks = 100; // USER_HZ on Linux
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / ticks;
      byName.set(name, (byName.get(name) ?? 0) + seconds);
    }
  } catch {
    // not Linux, or the process is gone: no breakdown
  }
  return byName;
}

/**
 * Bytes a process has had read from the disk so far (`read_bytes` of /proc/<pid>/io): database pages that were not
 * in the operating system's page cache. 0 where the kernel does not say.
 */
export function diskReadBytes(pid: number): number {
  try {
    return Number(/read_bytes:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function memoryOf(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/**
 * Registers the subjects with their company prefixes and locations, so that events are attributed to them, and with
 * `products` their products too, so that answers can name what a GTIN is.
 */
export async function registerSubjects(base: string, subjects: GeneratedSubject[], options: { products?: boolean } = {}): Promise<void> {
  for (const subject of subjects) {
    const res = await fetch(`${base}/api/v1/subjects`, {
      method: 'POST',
      headers: adminHeaders,
      body: JSON.stringify({ kind: 'organisation', subjectCode: subject.subjectCode, name: subject.name, roles: subject.roles, regionCode: subject.regionCode, companyPrefixes: [subject.companyPrefix] }),
    });
    if (res.status !== 201) throw new Error(`register ${subject.name}: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    for (const location of subject.locations) {
      await fetch(`${base}/api/v1/subjects/${id}/locations`, { method: 'POST', headers: adminHeaders, body: JSON.stringify({ gln: location.gln, name: location.name, regionCode: location.regionCode }) });
    }
    for (const product of options.products ? subject.products : []) {
      const created = await fetch(`${base}/api/v1/subjects/${id}/products`, { method: 'POST', headers: adminHeaders, body: JSON.stringify({ gtin: product.gtin, name: product.name, spec: product.spec, productClass: product.productClass }) });
      if (created.status !== 201) throw new Error(`register ${product.name}: ${created.status} ${await created.text()}`);
    }
  }
}
