/**
 * Trace latency over HTTP: a real server, loaded through `POST /epcis/capture` with generated chains in the 'lots'
 * shape (farm lots → product lots → serialised packs → cases → pallets → distribution → stores), then
 * `GET /api/v1/trace` one request at a time: backward from packs sold in stores, forward from farm lots. Prints
 * latency percentiles, the size of the traces and the server's memory. Figures are printed, never asserted. Requests
 * go over one kept-alive connection with node's own HTTP client (`send`), which costs the client little CPU.
 *
 *   node scripts/run-bench.mjs trace                                             # 1,000,000 events, both dialects
 *   BENCH_TRACE_EVENTS=100000 BENCH_DIALECTS=sqlite node scripts/run-bench.mjs trace
 *
 * BENCH_TRACE_ROUNDS (default 200) sets the traces per direction. The server is the compiled one: `npm run bench`
 * builds it first; run `npm run build` after changing src/ when calling the runner directly. BENCH_TRACE_KEEP=<dir>
 * keeps the loaded database (and the codes sampled from it) in that directory, and a later run with the same
 * directory and event count measures without loading again.
 *
 * Recalls are timed too: `POST /api/v1/recalls` of a farm lot (a forward trace that reaches its retail outlets, the
 * notices written), each closed again after.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normaliseIdentifier } from '../src/codes/gs1/index.js';
import { seededRandom } from '../test/support/random.js';
import { generateDocuments, generateSubjects, type ChainOptions } from './generator.js';
import { adminHeaders, benchDatabase, benchDialects, cpuByThread, diskReadBytes, registerSubjects, send, startServer, type Dialect, type Server } from './server.js';

const EVENTS = Number(process.env.BENCH_TRACE_EVENTS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_TRACE_ROUNDS ?? 200);
const RECALLS = Math.max(20, Math.round(ROUNDS / 4));
const KEEP = process.env.BENCH_TRACE_KEEP;
const PER_DOCUMENT = 1000;
/** As in the capture benchmark: enough documents in flight to keep every capture worker busy. */
const CLIENTS = 4;
const PROGRESS_EVERY = 50; // documents
/** Codes of each kind kept (a uniform sample of the whole load) to trace from. */
const SAMPLE = 2000;
const WARM_UP = 10;
const CHAIN: ChainOptions = { seed: 1, shape: 'lots', batches: 0 };

interface Candidates {
  farmLots: string[];
  soldPacks: string[];
}

/** Keeps a uniform sample of a stream of codes (reservoir sampling), in canonical form. */
function reservoir(random: () => number) {
  const kept: string[] = [];
  let seen = 0;
  return {
    kept,
    offer(code: string) {
      seen += 1;
      const slot = seen <= SAMPLE ? kept.length : Math.floor(random() * seen);
      if (slot >= SAMPLE) return;
      const canonical = normaliseIdentifier(code);
      if (!canonical.ok) throw new Error(`generated an unreadable code ${code}`);
      kept[slot] = canonical.canonical;
    },
  };
}

async function load(server: Server): Promise<Candidates> {
  const random = seededRandom(7);
  const farmLots = reservoir(random);
  const soldPacks = reservoir(random);
  const documentCount = Math.ceil(EVENTS / PER_DOCUMENT);
  // A 'lots' batch is 55 – 85 events: a third more batches than that needs leaves the generator never short.
  const documents = generateDocuments({ ...CHAIN, batches: Math.ceil(EVENTS / 40), eventsPerDocument: PER_DOCUMENT });
  const locations: string[] = [];
  let posted = 0;
  let stored = 0;
  const started = performance.now();
  const progress = (documentsPosted: number) => {
    const seconds = (performance.now() - started) / 1000;
    const events = documentsPosted * PER_DOCUMENT;
    console.log(
      `  posted ${events.toLocaleString('en')} events in ${seconds.toFixed(0)} s ` +
        `(${Math.round(events / seconds).toLocaleString('en')} events/s acknowledged), server RSS ${Math.round(server.currentRssMb())} MB`,
    );
  };
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (posted < documentCount) {
        const next = documents.next();
        if (next.done) break;
        const number = ++posted;
        const document = next.value;
        for (const event of (document.epcisBody as { eventList: Record<string, unknown>[] }).eventList) {
          if (event.bizStep === 'commissioning' && Array.isArray(event.quantityList)) {
            for (const q of event.quantityList as { epcClass: string }[]) farmLots.offer(q.epcClass);
          } else if (event.bizStep === 'retail_selling') {
            for (const code of event.epcList as string[]) soldPacks.offer(code);
          }
        }
        const res = await fetch(`${server.base}/epcis/capture`, { method: 'POST', headers: adminHeaders, body: JSON.stringify(document) });
        if (res.status !== 202) throw new Error(`capture: ${res.status} ${await res.text()}`);
        locations.push(res.headers.get('location')!);
        await res.arrayBuffer();
        if (number % PROGRESS_EVERY === 0) progress(number);
      }
    }),
  );
  for (const location of locations) {
    for (;;) {
      const job = (await (await fetch(`${server.base}${location}`, { headers: adminHeaders })).json()) as { running: boolean; success: boolean };
      if (!job.running) {
        if (!job.success) throw new Error(`capture job ${location} failed`);
        stored += 1;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `  stored ${(stored * PER_DOCUMENT).toLocaleString('en')} events in ${stored} documents in ${seconds.toFixed(0)} s ` +
      `(${Math.round((stored * PER_DOCUMENT) / seconds).toLocaleString('en')} events/s)`,
  );
  return { farmLots: farmLots.kept, soldPacks: soldPacks.kept };
}

interface Measured {
  ms: number[];
  bytes: number;
  nodes: number;
  edges: number;
  warnings: number;
  serverCpuMs: number;
  /** Read from the disk per trace: pages the page cache no longer held. */
  diskKib: number;
  peakRssMb: number;
}

async function traces(server: Server, codes: string[], direction: 'backward' | 'forward', rounds: number): Promise<Measured> {
  const random = seededRandom(direction === 'backward' ? 11 : 12);
  const measured: Measured = { ms: [], bytes: 0, nodes: 0, edges: 0, warnings: 0, serverCpuMs: 0, diskKib: 0, peakRssMb: 0 };
  const serverCpu = () => [...cpuByThread(server.process.pid!).values()].reduce((a, b) => a + b, 0);
  const cpuBefore = serverCpu();
  const readBefore = diskReadBytes(server.process.pid!);
  for (let i = 0; i < rounds; i++) {
    const code = codes[Math.floor(random() * codes.length)]!;
    const started = performance.now();
    const { status, text } = await send(`${server.base}/api/v1/trace?code=${encodeURIComponent(code)}&direction=${direction}`, { headers: adminHeaders });
    measured.ms.push(performance.now() - started);
    if (status !== 200) throw new Error(`trace ${direction} ${code}: ${status} ${text.slice(0, 500)} (is the build current? npm run build)`);
    const result = JSON.parse(text) as { nodes: unknown[]; edges: unknown[]; warnings: string[] };
    measured.bytes += text.length;
    measured.nodes += result.nodes.length;
    measured.edges += result.edges.length;
    measured.warnings += result.warnings.length;
    measured.peakRssMb = Math.max(measured.peakRssMb, server.currentRssMb());
  }
  measured.serverCpuMs = ((serverCpu() - cpuBefore) * 1000) / rounds;
  measured.diskKib = (diskReadBytes(server.process.pid!) - readBefore) / 1024 / rounds;
  return measured;
}

function databaseMb(env: Record<string, string>): number | undefined {
  if (env.ZHUISU_DB_SCHEMA) return undefined;
  const size = (path: string) => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  };
  const file = env.DATABASE_URL!;
  return (size(file) + size(`${file}-wal`)) / 2 ** 20;
}

/** Times recalls of farm lots, each closed again so that the next starts from the same state. */
async function recalls(server: Server, farmLots: string[], rounds: number): Promise<{ ms: number[]; items: number; subjects: number }> {
  const random = seededRandom(13);
  const measured = { ms: [] as number[], items: 0, subjects: 0 };
  for (let i = 0; i < rounds; i++) {
    const code = farmLots[Math.floor(random() * farmLots.length)]!;
    const started = performance.now();
    const { status, text } = await send(`${server.base}/api/v1/recalls`, { method: 'POST', headers: { ...adminHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ codes: [code], reason: 'benchmark recall' }) });
    measured.ms.push(performance.now() - started);
    if (status !== 201) throw new Error(`recall ${code}: ${status} ${text.slice(0, 500)}`);
    const recall = JSON.parse(text) as { id: string; affected: { items: unknown[]; subjects: unknown[] } };
    measured.items += recall.affected.items.length;
    measured.subjects += recall.affected.subjects.length;
    const closed = await fetch(`${server.base}/api/v1/recalls/${recall.id}/close`, { method: 'POST', headers: { ...adminHeaders, 'content-type': 'application/json' }, body: '{}' });
    if (closed.status !== 200) throw new Error(`close recall: ${closed.status} ${await closed.text()}`);
  }
  return measured;
}

function percentiles(values: number[]): { at: (q: number) => number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { at: (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!, max: sorted[sorted.length - 1]! };
}

/** Warms up, then times ROUNDS traces in each direction and prints what they took. */
async function measure(server: Server, candidates: Candidates): Promise<void> {
  const cases: [string, string[], 'backward' | 'forward'][] = [
    ['backward from a sold pack', candidates.soldPacks, 'backward'],
    ['forward from a farm lot', candidates.farmLots, 'forward'],
  ];
  for (const [, codes, direction] of cases) await traces(server, codes, direction, WARM_UP);
  console.log(`    ${ROUNDS} traces each, one at a time: p50 / p95 / max; per trace on average`);
  for (const [what, codes, direction] of cases) {
    const m = await traces(server, codes, direction, ROUNDS);
    const { at, max } = percentiles(m.ms);
    console.log(
      `    ${what.padEnd(26)} ${at(0.5).toFixed(1)} / ${at(0.95).toFixed(1)} / ${max.toFixed(1)} ms; ` +
        `${(m.nodes / ROUNDS).toFixed(0)} nodes, ${(m.edges / ROUNDS).toFixed(0)} edges, ${(m.warnings / ROUNDS).toFixed(1)} warnings, ` +
        `${Math.round(m.bytes / ROUNDS / 1024)} KiB; server CPU ${m.serverCpuMs.toFixed(1)} ms; read from disk ${Math.round(m.diskKib)} KiB; server RSS up to ${Math.round(m.peakRssMb)} MB`,
    );
  }
  const r = await recalls(server, candidates.farmLots, RECALLS);
  const { at, max } = percentiles(r.ms);
  console.log(
    `    ${'recall of a farm lot'.padEnd(26)} ${at(0.5).toFixed(1)} / ${at(0.95).toFixed(1)} / ${max.toFixed(1)} ms (${RECALLS} recalls); ` +
      `${(r.items / RECALLS).toFixed(0)} items, ${(r.subjects / RECALLS).toFixed(1)} subjects affected; server RSS ${Math.round(server.currentRssMb())} MB`,
  );
}

async function run(dialect: Dialect): Promise<void> {
  const database = await benchDatabase(dialect, `bench_trace_${EVENTS}`, KEEP);
  if (!database) return;
  let server = await startServer(database.env);
  try {
    const kept = join(database.env.ZHUISU_DATA_DIR!, 'candidates.json');
    let candidates: Candidates;
    if (KEEP && existsSync(kept)) {
      console.log(`${dialect}: ${EVENTS.toLocaleString('en')} events loaded by an earlier run (${KEEP})`);
      candidates = JSON.parse(readFileSync(kept, 'utf8')) as Candidates;
    } else {
      await registerSubjects(server.base, generateSubjects(CHAIN), { products: true });
      console.log(`${dialect}: loading ${EVENTS.toLocaleString('en')} events through POST /epcis/capture, ${CLIENTS} clients`);
      candidates = await load(server);
      await database.analyze();
      if (KEEP) writeFileSync(kept, JSON.stringify(candidates));
    }
    const size = databaseMb(database.env);
    console.log(`  server RSS after loading ${Math.round(server.currentRssMb())} MB (peak while loading ${Math.round(server.rssMb())} MB)${size === undefined ? '' : `, database ${Math.round(size)} MB`}`);
    console.log(`  the server that loaded them:`);
    await measure(server, candidates);
    // The capture workers keep the heaps they grew while loading: a server that has only traced shows what tracing
    // itself holds.
    await server.stop();
    server = await startServer(database.env);
    console.log(`  a fresh server on the same database (RSS ${Math.round(server.currentRssMb())} MB at start):`);
    await measure(server, candidates);
  } finally {
    await server.stop();
    await database.drop();
  }
}

console.log(`trace over HTTP (targets: p95 ≤ 20 ms either direction at 1,000,000 events, server under 500 MB RSS)`);
for (const dialect of benchDialects()) await run(dialect);
