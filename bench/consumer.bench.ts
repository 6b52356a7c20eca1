/**
 * The consumer page's JSON under load: a real server loaded with generated chains ('lots' shape: farms → plants →
 * serialised packs → cases → pallets → stores), then autocannon with 50 connections asking for the pages of packs sold
 * in stores (`Accept: application/json`). Figures are printed, never asserted.
 *
 *   node scripts/run-bench.mjs consumer                  # 20,000 events loaded, SQLite
 *   BENCH_CONSUMER_EVENTS=100000 BENCH_CONSUMER_SECONDS=20 node scripts/run-bench.mjs consumer
 *
 * Two mixes are measured, because the page keeps its answers (src/consumer/consumer.service.ts) and the mix decides
 * how often that helps:
 * - hot: a few hundred codes asked again and again (products on a shop's shelf, scanned by many phones), each asked
 *   once before the clock starts;
 * - cold: every request a code not asked before during the run (each answer a backward trace with its proofs).
 * The recall status is read fresh on every request in both.
 */
import autocannon from 'autocannon';
import { normaliseIdentifier } from '../src/codes/gs1/index.js';
import { seededRandom } from '../test/support/random.js';
import { generateDocuments, generateSubjects, type ChainOptions } from './generator.js';
import { adminHeaders, benchDatabase, registerSubjects, startServer, type Server } from './server.js';

const EVENTS = Number(process.env.BENCH_CONSUMER_EVENTS ?? 20_000);
const SECONDS = Number(process.env.BENCH_CONSUMER_SECONDS ?? 10);
const CONNECTIONS = 50;
const HOT_CODES = 300;
const CHAIN: ChainOptions = { seed: 3, shape: 'lots', batches: 0 };

/** Loads the chains and returns the page paths of the packs sold in stores. */
async function load(server: Server): Promise<string[]> {
  await registerSubjects(server.base, generateSubjects(CHAIN), { products: true });
  const sold: string[] = [];
  const jobs: string[] = [];
  let events = 0;
  for (const document of generateDocuments({ ...CHAIN, batches: Math.ceil(EVENTS / 40), eventsPerDocument: 1000 })) {
    for (const event of (document.epcisBody as { eventList: Record<string, unknown>[] }).eventList) {
      if (event.bizStep !== 'retail_selling') continue;
      for (const code of event.epcList as string[]) {
        const canonical = normaliseIdentifier(code);
        if (canonical.ok) sold.push(canonical.canonical.replace('https://id.gs1.org', ''));
      }
    }
    const res = await fetch(`${server.base}/epcis/capture`, { method: 'POST', headers: adminHeaders, body: JSON.stringify(document) });
    if (res.status !== 202) throw new Error(`capture: ${res.status} ${await res.text()}`);
    jobs.push(res.headers.get('location')!);
    events += 1000;
    if (events >= EVENTS) break;
  }
  for (const job of jobs) {
    for (;;) {
      const state = (await (await fetch(`${server.base}${job}`, { headers: adminHeaders })).json()) as { running: boolean; success: boolean };
      if (!state.running) {
        if (!state.success) throw new Error(`capture job ${job} failed`);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return sold;
}

async function pound(server: Server, paths: () => string, seconds: number) {
  let non2xx = 0;
  const result = await autocannon({
    url: server.base,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { accept: 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, path: paths() }) }],
  });
  non2xx = result.non2xx;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, total: result.requests.total, non2xx, errors: result.errors };
}

const database = await benchDatabase('sqlite', 'bench_consumer');
if (database) {
  const server = await startServer(database.env);
  try {
    console.log(`consumer page JSON (target: ≥ 5,000 requests/s with p99 ≤ 20 ms, ${CONNECTIONS} connections, 2 cores)`);
    const sold = await load(server);
    console.log(`  loaded ${EVENTS.toLocaleString('en')} events; ${sold.length.toLocaleString('en')} packs sold in stores`);
    const random = seededRandom(5);
    const hot = Array.from({ length: HOT_CODES }, () => sold[Math.floor(random() * sold.length)]!);
    const check = await fetch(`${server.base}${hot[0]}`, { headers: { accept: 'application/json' } });
    if (check.status !== 200) throw new Error(`page of ${hot[0]}: ${check.status} ${await check.text()}`);
    console.log(`  one answer: ${(await check.text()).length.toLocaleString('en')} bytes`);
    const line = (what: string, m: Awaited<ReturnType<typeof pound>>) =>
      console.log(`  ${what.padEnd(34)} ${Math.round(m.rps).toLocaleString('en').padStart(6)} requests/s; p50 ${m.p50} ms, p99 ${m.p99} ms, max ${m.max} ms; ${m.total.toLocaleString('en')} requests, ${m.non2xx} not 2xx, ${m.errors} errors`);
    // The hot codes' first answers are made before the clock starts: a shelf's codes were scanned before.
    for (const path of new Set(hot)) await (await fetch(`${server.base}${path}`, { headers: { accept: 'application/json' } })).arrayBuffer();
    let next = 0;
    line(`hot (${HOT_CODES} codes), ${SECONDS} s`, await pound(server, () => hot[next++ % hot.length]!, SECONDS));
    const cold = sold.filter((code) => !hot.includes(code));
    let fresh = 0;
    const coldResult = await pound(server, () => cold[fresh++ % cold.length]!, SECONDS);
    line(`cold (a new code each), ${SECONDS} s`, coldResult);
    if (fresh > cold.length) console.log(`  (the cold mix ran out of new codes after ${cold.length.toLocaleString('en')}: load more events for a longer run)`);
    console.log(`  server RSS ${Math.round(server.currentRssMb())} MB (peak ${Math.round(server.rssMb())} MB)`);
  } finally {
    await server.stop();
    await database.drop();
  }
}
