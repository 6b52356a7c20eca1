/**
 * Capture throughput over HTTP: a real server (the compiled `zhuisu serve`), 4 concurrent clients posting
 * 1,000-event documents of a generated mixed chain, timed from the first request until every capture job has
 * finished. Figures are printed, never asserted.
 *
 *   npm run bench                        # both dialects, 100,000 events each
 *   BENCH_EVENTS=20000 BENCH_DIALECTS=sqlite npm run bench
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { generateDocuments, generateSubjects } from './generator.js';
import { machineCpu } from './machine.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'bench-admin-token-0123456789';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const PER_DOCUMENT = 1000;
const CLIENTS = 4;
const PG_URL = process.env.ZHUISU_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Server {
  base: string;
  process: ChildProcess;
  rssMb: () => number;
}

/** A port free right now on the loopback interface. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []), 'bin/zhuisu.js', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, ...env, ZHUISU_ADMIN_TOKEN: TOKEN, PORT: String(port), LOG_LEVEL: 'warn' },
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
  return { base, process: child, rssMb: () => rssOf(child.pid!) };
}

/** CPU seconds each thread of the server has used so far, by thread name (main, worker threads, libuv pool). */
function cpuByThread(pid: number): Map<string, number> {
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

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/ld+json' };

async function register(base: string): Promise<void> {
  for (const subject of generateSubjects({ seed: 1 })) {
    const res = await fetch(`${base}/api/v1/subjects`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ kind: 'organisation', subjectCode: subject.subjectCode, name: subject.name, roles: subject.roles, regionCode: subject.regionCode, companyPrefixes: [subject.companyPrefix] }),
    });
    if (res.status !== 201) throw new Error(`register ${subject.name}: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    for (const location of subject.locations) {
      await fetch(`${base}/api/v1/subjects/${id}/locations`, { method: 'POST', headers, body: JSON.stringify({ gln: location.gln, name: location.name, regionCode: location.regionCode }) });
    }
  }
}

async function run(dialect: 'sqlite' | 'postgres'): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'zhuisu-bench-'));
  const schema = `bench_${process.pid}`;
  const env: Record<string, string> =
    dialect === 'sqlite' ? { DATABASE_URL: join(dataDir, 'bench.sqlite'), ZHUISU_DATA_DIR: dataDir } : { DATABASE_URL: PG_URL, ZHUISU_DB_SCHEMA: schema, ZHUISU_DATA_DIR: dataDir };
  if (dialect === 'postgres') {
    const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1500 });
    try {
      await probe.connect();
      await probe.end();
    } catch {
      console.log(`postgres   skipped: no server at ${PG_URL.replace(/\/\/[^@]*@/, '//')}`);
      return;
    }
  }
  const server = await startServer(env);
  try {
    await register(server.base);
    // Documents are serialised before the clock starts: the benchmark times the server, not the generator.
    const documents: string[] = [];
    for (const document of generateDocuments({ seed: 1, batches: Math.ceil(EVENTS / 20), eventsPerDocument: PER_DOCUMENT })) {
      documents.push(JSON.stringify(document));
      if (documents.length * PER_DOCUMENT >= EVENTS) break;
    }
    const total = documents.length * PER_DOCUMENT;
    const locations: string[] = [];
    let next = 0;
    const cpuBefore = cpuByThread(server.process.pid!);
    const clientCpuBefore = process.cpuUsage();
    const machineBefore = machineCpu();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < documents.length) {
          const body = documents[next++]!;
          const res = await fetch(`${server.base}/epcis/capture`, { method: 'POST', headers, body });
          if (res.status !== 202) throw new Error(`capture: ${res.status} ${await res.text()}`);
          locations.push(res.headers.get('location')!);
          await res.arrayBuffer();
        }
      }),
    );
    const acknowledged = performance.now();
    let failed = 0;
    for (const location of locations) {
      for (;;) {
        const job = (await (await fetch(`${server.base}${location}`, { headers })).json()) as { running: boolean; success: boolean };
        if (!job.running) {
          if (!job.success) failed += 1;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const finished = performance.now();
    const seconds = (finished - started) / 1000;
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const machineAfter = machineCpu();
    const machineBusy = machineAfter.busy - machineBefore.busy;
    const cpu = [...cpuByThread(server.process.pid!)]
      .map(([name, used]) => [name, used - (cpuBefore.get(name) ?? 0)] as const)
      .filter(([, used]) => used > 0.05)
      .sort((a, b) => b[1] - a[1]);
    console.log(
      `${dialect.padEnd(10)} ${total.toLocaleString('en')} events in ${documents.length} documents, ${CLIENTS} clients: ` +
        `${Math.round(total / seconds).toLocaleString('en')} events/s stored ` +
        `(acknowledged at ${Math.round(total / ((acknowledged - started) / 1000)).toLocaleString('en')} events/s), ` +
        `${failed} failed jobs, server peak RSS ${Math.round(server.rssMb())} MB`,
    );
    // Where the two cores went: CPU time per event by server thread, and the benchmark's own clients.
    const perEvent = (cpuSeconds: number) => `${Math.round((cpuSeconds * 1e6) / total)} µs`;
    console.log(
      `           CPU per event: ${cpu.map(([name, used]) => `server ${name} ${perEvent(used)}`).join(', ')}; clients ${perEvent((clientCpu.user + clientCpu.system) / 1e6)}; ` +
        `whole machine ${perEvent(machineBusy)} (${(machineBusy / seconds).toFixed(2)} of ${availableParallelism()} cores busy)`,
    );
  } finally {
    server.process.kill('SIGTERM');
    await new Promise((r) => server.process.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
    if (dialect === 'postgres') {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  }
}

const dialects = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
{
  // The generator must never be what limits a benchmark: its own rate, for reference.
  const started = performance.now();
  let generated = 0;
  for (const document of generateDocuments({ seed: 2, batches: 5000, eventsPerDocument: 1000 })) generated += ((document.epcisBody as { eventList: unknown[] }).eventList).length;
  console.log(`generator: ${Math.round(generated / ((performance.now() - started) / 1000)).toLocaleString('en')} events/s`);
}
console.log(`capture throughput (targets on 2 cores: ≥ 50,000 events/s SQLite, ≥ 20,000 PostgreSQL)`);
for (const dialect of dialects) await run(dialect);
