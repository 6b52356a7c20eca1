/**
 * Capture throughput over HTTP: a real server (the compiled `zhuisu serve`), 4 concurrent clients posting
 * 1,000-event documents of a generated mixed chain, timed from the first request until every capture job has
 * finished. Figures are printed, never asserted.
 *
 *   npm run bench                        # both dialects, 100,000 events each
 *   BENCH_EVENTS=20000 BENCH_DIALECTS=sqlite npm run bench
 */
import { availableParallelism } from 'node:os';
import { generateDocuments, generateSubjects } from './generator.js';
import { machineCpu } from './machine.js';
import { adminHeaders as headers, benchDatabase, benchDialects, cpuByThread, registerSubjects, startServer, type Dialect } from './server.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const PER_DOCUMENT = 1000;
const CLIENTS = 4;

async function run(dialect: Dialect): Promise<void> {
  const database = await benchDatabase(dialect, 'bench');
  if (!database) return;
  const server = await startServer(database.env);
  try {
    await registerSubjects(server.base, generateSubjects({ seed: 1 }));
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
    await server.stop();
    await database.drop();
  }
}

const dialects = benchDialects();
{
  // The generator must never be what limits a benchmark: its own rate, for reference.
  const started = performance.now();
  let generated = 0;
  for (const document of generateDocuments({ seed: 2, batches: 5000, eventsPerDocument: 1000 })) generated += ((document.epcisBody as { eventList: unknown[] }).eventList).length;
  console.log(`generator: ${Math.round(generated / ((performance.now() - started) / 1000)).toLocaleString('en')} events/s`);
}
console.log(`capture throughput (targets on 2 cores: ≥ 50,000 events/s SQLite, ≥ 20,000 PostgreSQL)`);
for (const dialect of dialects) await run(dialect);
