/**
 * Province ingest from N cities, over real servers: a province and N cities (the compiled `zhuisu serve`, each its own
 * database and log keys), each city registered at the province and forwarding to it. Clients post generated chain
 * documents to every city at once; meanwhile the province's members and each city's outbox are sampled, and probe
 * events of every acknowledged document are looked for at the province. Prints the province's ingest rate, each
 * city's backlog over time, how long the backlog took to drain once loading stopped, and the end-to-end lag from a
 * city's 202 to the event being readable at the province. Figures are printed, never asserted.
 *
 *   node scripts/run-bench.mjs federation                       # 3 cities × 5,000 events, SQLite
 *   BENCH_FEDERATION_CITIES=5 BENCH_FEDERATION_EVENTS=50000 BENCH_DIALECTS=sqlite node scripts/run-bench.mjs federation
 *
 * BENCH_FEDERATION_EVENTS is per city. BENCH_FEDERATION_RATE (events/s per city, default 0: as fast as each city
 * acknowledges) paces the clients instead, to see the lag of a load the province keeps up with. The servers are the
 * compiled ones: `npm run bench` builds them first; run `npm run build` after changing src/ when calling the runner
 * directly.
 */
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { KeyStore } from '../src/crypto/key-store.js';
import { LogSigningKeys } from '../src/crypto/signing-keys.js';
import { generateDocuments, generateSubjects, type ChainOptions, type GeneratedSubject } from './generator.js';
import { machineCpu } from './machine.js';
import { adminHeaders, benchDatabase, benchDialects, cpuByThread, registerSubjects, startServer, type BenchDatabase, type Dialect, type Server } from './server.js';

const CITIES = Number(process.env.BENCH_FEDERATION_CITIES ?? 3);
const EVENTS_PER_CITY = Number(process.env.BENCH_FEDERATION_EVENTS ?? 5_000);
const RATE_PER_CITY = Number(process.env.BENCH_FEDERATION_RATE ?? 0);
/** Smaller than the capture benchmark's documents: a city hears from many enterprise systems, each posting what it has. */
const PER_DOCUMENT = 500;
const CLIENTS_PER_CITY = 2;
/** Every this many events of a document one is probed for at the province, its last always. */
const PROBE_EVERY = 50;
const SAMPLE_MS = 250;
/** A capture that has not answered by then is reported as such rather than waited for. */
const CAPTURE_TIMEOUT_MS = 120_000;
const PROBE_MS = 100;
const TIMELINE_ROWS = 14;
/** How long the province may go without receiving anything before the run is given up, with the cities' last errors. */
const STUCK_MS = 60_000;
/**
 * A chain of the mixed shape is about 20 events: enough chains for the warm-up document and the load, with some to
 * spare (the generator stops at the last chain, and a short last document is counted as what it holds).
 */
const CHAIN: ChainOptions = { seed: 1, batches: Math.ceil((EVENTS_PER_CITY + PER_DOCUMENT) / 15) };
const PROVINCE_REGION = '330000';

interface City {
  name: string;
  origin: string;
  server: Server;
  database: BenchDatabase;
  /**
   * Posted before the clock starts, and forwarded: the first capture of a fresh server starts its worker threads and
   * compiles its code paths, which the figures would otherwise count as lag.
   */
  warmUp: string;
  /** Serialised before the clock starts: the benchmark times the servers, not the generator. */
  documents: string[];
  events: number;
}

interface Probe {
  eventID: string;
  acknowledgedAt: number;
  foundAt?: number;
}

interface Sample {
  at: number;
  acknowledged: number;
  atProvince: number;
  backlogs: number[];
}

const json = async <T>(response: Response, what: string, expected = 200): Promise<T> => {
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${what}: ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
};
const jsonHeaders = { ...adminHeaders, 'content-type': 'application/json' };
const capture = (city: City, document: string) =>
  fetch(`${city.server.base}/epcis/capture`, { method: 'POST', headers: adminHeaders, body: document, signal: AbortSignal.timeout(CAPTURE_TIMEOUT_MS) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpuSeconds = (server: Server) => [...cpuByThread(server.process.pid!).values()].reduce((a, b) => a + b, 0);
const thousands = (n: number) => Math.round(n).toLocaleString('en');

/**
 * Each city's documents, the first of them to warm up with: its own slice of one generated network's chains, so that
 * no two cities send the same event.
 */
function cityDocuments(index: number): { text: string; events: number }[] {
  const documents: { text: string; events: number }[] = [];
  let events = 0;
  for (const document of generateDocuments({ ...CHAIN, firstBatch: index * CHAIN.batches, eventsPerDocument: PER_DOCUMENT })) {
    if (documents.length > 0 && events >= EVENTS_PER_CITY) break;
    const count = (document.epcisBody as { eventList: unknown[] }).eventList.length;
    if (documents.length > 0) events += count;
    documents.push({ text: JSON.stringify(document), events: count });
  }
  return documents;
}

/**
 * The generated subjects of a city's region, with their locations there: a city's master data goes up with its
 * events, and the province takes from a city only what lies in the city's region. The chains a city captures cross
 * other cities too, as goods do; their events name subjects the city does not know.
 */
function subjectsOfRegion(regionCode: string): GeneratedSubject[] {
  const prefix = regionCode.slice(0, 4);
  return generateSubjects(CHAIN)
    .filter((s) => s.regionCode.startsWith(prefix))
    .map((s) => ({ ...s, locations: s.locations.filter((l) => l.regionCode.startsWith(prefix)) }));
}

async function startCity(dialect: Dialect, index: number, province: Server): Promise<City> {
  const name = `city-${index + 1}`;
  const origin = `${name}.bench.zhuisu/log`;
  const database = await benchDatabase(dialect, `bench_federation_${name}`);
  if (!database) throw new Error(`no ${dialect} database for ${name}`);
  let server: Server | undefined;
  try {
    // The city's log keys first: the province registers the city by its verifier key, and the city starts with its token.
    const keyDir = join(database.env.ZHUISU_DATA_DIR!, 'keys');
    const keys = LogSigningKeys.open(new KeyStore(keyDir), origin);
    const regionCode = `33${String(index + 1).padStart(2, '0')}00`;
    const { secret } = await json<{ secret: string }>(
      await fetch(`${province.base}/api/v1/federation/members`, {
        method: 'POST',
        headers: jsonHeaders,
        body: JSON.stringify({ name, kind: 'platform', level: 'city', regionCode, logOrigin: origin, logKey: keys.ed25519VerifierKey }),
      }),
      `register ${name} at the province`,
      201,
    );
    server = await startServer({
      ...database.env,
      ZHUISU_KEY_DIR: keyDir,
      ZHUISU_LOG_ORIGIN: origin,
      ZHUISU_LEVEL: 'city',
      ZHUISU_REGION: regionCode,
      ZHUISU_UPSTREAM_URL: province.base,
      ZHUISU_UPSTREAM_TOKEN: secret,
    });
    await registerSubjects(server.base, subjectsOfRegion(regionCode));
  } catch (error) {
    await server?.stop();
    await database.drop();
    throw error;
  }
  const [warmUp, ...documents] = cityDocuments(index);
  return { name, origin, server, database, warmUp: warmUp!.text, documents: documents.map((d) => d.text), events: documents.reduce((n, d) => n + d.events, 0) };
}

/** Posts a city's documents with CLIENTS_PER_CITY clients, paced when asked; each 202 adds the document's probes. */
async function load(city: City, started: number, acknowledge: (events: number, probes: Probe[]) => void): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS_PER_CITY }, async () => {
      while (next < city.documents.length) {
        const number = next++;
        if (RATE_PER_CITY > 0) await sleep(started + (number * PER_DOCUMENT * 1000) / RATE_PER_CITY - performance.now());
        const job = await json<{ success: boolean; eventIDs: string[] }>(await capture(city, city.documents[number]!), `capture at ${city.name}`, 202);
        const acknowledgedAt = performance.now();
        if (!job.success) throw new Error(`capture at ${city.name} failed`);
        const probes = job.eventIDs.filter((_, i) => (i + 1) % PROBE_EVERY === 0 || i === job.eventIDs.length - 1).map((eventID) => ({ eventID, acknowledgedAt }));
        acknowledge(job.eventIDs.length, probes);
      }
    }),
  );
}

/**
 * Looks for each city's probes at the province in the order the city acknowledged them, the next one as soon as one is
 * found: a city's events travel in its log's order, which is the order its captures committed in. An event counts as
 * arrived when the province answers it by its eventID, that is once the batch holding it is committed there.
 */
async function watchProbes(province: Server, pending: Probe[][], done: () => boolean): Promise<number> {
  let lookups = 0;
  await Promise.all(
    pending.map(async (probes) => {
      let next = 0;
      while (!done()) {
        const probe = probes[next];
        const found = probe !== undefined && (await arrived(province, probe.eventID));
        lookups += 1;
        if (found) {
          probe.foundAt = performance.now();
          next += 1;
        } else {
          await sleep(PROBE_MS);
        }
      }
    }),
  );
  return lookups;
}

async function arrived(province: Server, eventID: string): Promise<boolean> {
  const response = await fetch(`${province.base}/epcis/events/${encodeURIComponent(eventID)}`, { headers: adminHeaders });
  const text = await response.text();
  if (response.status !== 200 && response.status !== 404) throw new Error(`look for ${eventID} at the province: ${response.status} ${text.slice(0, 500)}`);
  return response.status === 200;
}

/** The province's members (events received, batches, re-sends) and each city's backlog, read at one moment. */
async function sample(province: Server, cities: City[]): Promise<{ atProvince: number; batches: number; resent: number; backlogs: number[]; position: number; logSize: number; errors: string[] }> {
  const [members, statuses] = await Promise.all([
    json<{ items: { logOrigin: string; eventsReceived: number; batches: number; resent: number }[] }>(await fetch(`${province.base}/api/v1/federation/members`, { headers: adminHeaders }), 'province members'),
    Promise.all(
      cities.map(async (city) =>
        json<{ upstream: { backlog: number; position: number; logSize: number; lastError: string | null; attempts: number } }>(await fetch(`${city.server.base}/api/v1/federation/status`, { headers: adminHeaders }), `${city.name} status`),
      ),
    ),
  ]);
  const ours = members.items.filter((m) => cities.some((c) => c.origin === m.logOrigin));
  return {
    atProvince: ours.reduce((n, m) => n + m.eventsReceived, 0),
    batches: ours.reduce((n, m) => n + m.batches, 0),
    resent: ours.reduce((n, m) => n + m.resent, 0),
    backlogs: statuses.map((s) => s.upstream.backlog),
    position: statuses.reduce((n, s) => n + s.upstream.position, 0),
    logSize: statuses.reduce((n, s) => n + s.upstream.logSize, 0),
    errors: statuses.flatMap((s, i) => (s.upstream.attempts > 0 && s.upstream.lastError ? [`${cities[i]!.name}: ${s.upstream.lastError}`] : [])),
  };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** When the province had first stored `events` events, interpolated between samples. */
function reachedAt(samples: Sample[], events: number): number {
  const i = samples.findIndex((s) => s.atProvince >= events);
  if (i <= 0) return samples[Math.max(0, i)]!.at;
  const [before, after] = [samples[i - 1]!, samples[i]!];
  return before.at + ((after.at - before.at) * (events - before.atProvince)) / (after.atProvince - before.atProvince);
}

function printTimeline(samples: Sample[], cities: City[], loadEnded: number): void {
  const every = Math.max(1, Math.ceil(samples.length / TIMELINE_ROWS));
  const endOfLoad = samples.findIndex((s) => s.at >= loadEnded);
  const rows = samples.filter((_, i) => i % every === 0 || i === endOfLoad || i === samples.length - 1);
  const columns = ['time', 'acknowledged by cities', 'stored at province', ...cities.map((c) => `${c.name} backlog`)];
  const widths = columns.map((c) => Math.max(c.length, 9));
  const line = (cells: string[]) => `    ${cells.map((cell, i) => cell.padStart(widths[i]!)).join('  ')}`;
  console.log(line(columns));
  for (const s of rows) {
    const mark = s === samples[endOfLoad] ? ' (loading ended)' : '';
    console.log(line([`${(s.at / 1000).toFixed(1)} s`, thousands(s.acknowledged), thousands(s.atProvince), ...s.backlogs.map(thousands)]) + mark);
  }
}

async function run(dialect: Dialect): Promise<void> {
  const provinceDatabase = await benchDatabase(dialect, 'bench_federation_province');
  if (!provinceDatabase) return;
  const province = await startServer({ ...provinceDatabase.env, ZHUISU_LOG_ORIGIN: 'province.bench.zhuisu/log', ZHUISU_LEVEL: 'province', ZHUISU_REGION: PROVINCE_REGION });
  const cities: City[] = [];
  /** Ends the probes' lookups, also when the run fails. */
  let finished = false;
  try {
    // Started side by side; when one fails, those that started are stopped again below.
    const starting = await Promise.allSettled(Array.from({ length: CITIES }, (_, i) => startCity(dialect, i, province)));
    for (const city of starting) if (city.status === 'fulfilled') cities.push(city.value);
    const failed = starting.find((city) => city.status === 'rejected');
    if (failed) throw failed.reason;
    const total = cities.reduce((n, c) => n + c.events, 0);
    console.log(
      `${dialect}: ${CITIES} cities × ${thousands(total / CITIES)} events (${PER_DOCUMENT}-event documents, ${CLIENTS_PER_CITY} clients each, ` +
        `${RATE_PER_CITY > 0 ? `paced at ${thousands(RATE_PER_CITY)} events/s per city` : 'as fast as each city acknowledges'}) into one province`,
    );

    // The cities forward the audit entries of their registered subjects and the warm-up documents first: the clock
    // starts once the province has them all.
    await Promise.all(cities.map(async (city) => json(await capture(city, city.warmUp), `warm up ${city.name}`, 202)));
    let before = await sample(province, cities);
    for (let waited = 0; before.backlogs.some((b) => b > 0) || before.position < before.logSize; waited += SAMPLE_MS) {
      if (waited > STUCK_MS) throw new Error(`the cities' first entries did not reach the province: ${before.errors.join('; ') || 'no error reported'}`);
      await sleep(SAMPLE_MS);
      before = await sample(province, cities);
    }

    const probes: Probe[][] = cities.map(() => []);
    let acknowledged = 0;
    const samples: Sample[] = [];
    const cpuBefore = [province, ...cities.map((c) => c.server)].map(cpuSeconds);
    const provinceThreadsBefore = cpuByThread(province.process.pid!);
    const machineBefore = machineCpu();
    const started = performance.now();
    const since = () => performance.now() - started;
    let loadEnded = Infinity;

    const loading = Promise.all(
      cities.map((city, i) =>
        load(city, started, (events, documentProbes) => {
          acknowledged += events;
          probes[i]!.push(...documentProbes);
        }),
      ),
    ).then(() => (loadEnded = since()));
    const probing = watchProbes(province, probes, () => finished);
    // Sampled until the province holds every event and each city's outbox is empty; a city that keeps failing to
    // send is reported with its last error rather than waited for indefinitely.
    let stuckSince = 0;
    for (;;) {
      await sleep(SAMPLE_MS);
      const at = since();
      const now = await sample(province, cities);
      const atProvince = now.atProvince - before.atProvince;
      samples.push({ at, acknowledged, atProvince, backlogs: now.backlogs });
      if (loadEnded <= at && atProvince >= total && now.backlogs.every((b) => b === 0)) break;
      if (samples.length > 1 && samples[samples.length - 2]!.atProvince < atProvince) stuckSince = at;
      if (at - stuckSince > STUCK_MS) throw new Error(`the province stopped receiving at ${atProvince} of ${total} events: ${now.errors.join('; ') || 'no error reported'}`);
    }
    await loading;
    const drained = samples[samples.length - 1]!.at;
    // Every event is at the province now; the probes still outstanding are found by the next query.
    const allFound = () => probes.every((p) => p.every((probe) => probe.foundAt !== undefined));
    for (let wait = 0; !allFound() && wait < STUCK_MS; wait += PROBE_MS) await sleep(PROBE_MS);
    finished = true;
    const lookups = await probing;
    const after = await sample(province, cities);
    const [batches, resent] = [after.batches - before.batches, after.resent - before.resent];
    const cpu = [province, ...cities.map((c) => c.server)].map((server, i) => cpuSeconds(server) - cpuBefore[i]!);
    const machineBusy = machineCpu().busy - machineBefore.busy;
    const provinceThreads = [...cpuByThread(province.process.pid!)]
      .map(([name, used]) => [name, used - (provinceThreadsBefore.get(name) ?? 0)] as const)
      .filter(([, used]) => used > 0.05)
      .sort((a, b) => b[1] - a[1]);

    printTimeline(samples, cities, loadEnded);
    const firstAck = Math.min(...probes.flat().map((p) => p.acknowledgedAt)) - started;
    const seconds = (from: number, to: number) => (to - from) / 1000;
    const rate = (events: number, from: number, to: number) => `${thousands(events / seconds(from, to))} events/s`;
    const atLoadEnd = samples.find((s) => s.at >= loadEnded)!.atProvince;
    const [tenth, ninetieth] = [reachedAt(samples, total * 0.1), reachedAt(samples, total * 0.9)];
    console.log(`  cities acknowledged ${thousands(total)} events in ${seconds(0, loadEnded).toFixed(1)} s (${rate(total, 0, loadEnded)} together)`);
    console.log(
      `  province ingest: ${rate(total, 0, drained)} overall (all ${thousands(total)} stored ${seconds(0, drained).toFixed(1)} s after the first request), ` +
        `${rate(total * 0.8, tenth, ninetieth)} steady (from 10 % to 90 % of the events); ` +
        `${rate(atLoadEnd, firstAck, loadEnded)} while the cities were loading, ${drained > loadEnded ? rate(total - atLoadEnd, loadEnded, drained) : '–'} after`,
    );
    const peaks = cities.map((c, i) => `${c.name} ${thousands(Math.max(...samples.map((s) => s.backlogs[i]!)))}`);
    console.log(`  backlog at its largest: ${peaks.join(', ')}; drained ${seconds(loadEnded, drained).toFixed(1)} s after loading stopped`);
    console.log(`  batches: ${thousands(batches)} stored at the province (${thousands(total / Math.max(1, batches))} events each on average), ${resent} refused as re-sends`);
    const lags = probes.flat().filter((p) => p.foundAt !== undefined).map((p) => p.foundAt! - p.acknowledgedAt).sort((a, b) => a - b);
    const missing = probes.flat().length - lags.length;
    console.log(
      `  end-to-end lag, a city's 202 to readable at the province (${lags.length} probed events, every ${PROBE_EVERY}th of each document; ±${PROBE_MS} ms): ` +
        `p50 ${(percentile(lags, 0.5) / 1000).toFixed(2)} s, p95 ${(percentile(lags, 0.95) / 1000).toFixed(2)} s, max ${(lags[lags.length - 1]! / 1000).toFixed(2)} s` +
        (missing ? `; ${missing} probes never found` : '') +
        `; ${thousands(lookups)} lookups at the province to find them`,
    );
    console.log(
      `  CPU: province ${cpu[0]!.toFixed(1)} s (${Math.round((cpu[0]! * 1e6) / total)} µs an event; ${provinceThreads.map(([name, used]) => `${name} ${used.toFixed(1)}`).join(', ')}), cities ${cpu.slice(1).map((s) => s.toFixed(1)).join(' / ')} s; ` +
        `whole machine ${(machineBusy / seconds(0, drained)).toFixed(2)} of ${availableParallelism()} cores busy; ` +
        `peak RSS province ${Math.round(province.rssMb())} MB, cities ${cities.map((c) => Math.round(c.server.rssMb())).join(' / ')} MB`,
    );
  } finally {
    finished = true;
    for (const city of cities) {
      await city.server.stop();
      await city.database.drop();
    }
    await province.stop();
    await provinceDatabase.drop();
  }
}

console.log(`federation: province ingest from ${CITIES} cities, and the lag from a city's acknowledgement to the province`);
// SQLite unless BENCH_DIALECTS names others: with four servers on one PostgreSQL the default run takes twice as long.
for (const dialect of process.env.BENCH_DIALECTS ? benchDialects() : (['sqlite'] as const)) await run(dialect);
