/**
 * The transparency log: how fast leaves are appended (batches of 1,000 entries, each in its own transaction, as a
 * capture of a 1,000-event document appends them) and how long proofs and checkpoints take on a log of that size,
 * in-process on SQLite and PostgreSQL. Figures are printed, never asserted.
 *
 *   node scripts/run-bench.mjs log
 *   BENCH_LOG_LEAVES=200000 BENCH_DIALECTS=sqlite node scripts/run-bench.mjs log
 */
import { createHash } from 'node:crypto';
import { loadConfig } from '../src/config.js';
import type { LogEntry } from '../src/log/entries.js';
import { appendToLog } from '../src/log/log-append.js';
import { LogRepository } from '../src/log/log.repository.js';
import { consistencyProof, inclusionProof } from '../src/log/merkle.js';
import { createPlatform } from '../src/platform.js';
import { seededRandom } from '../test/support/random.js';
import { benchDatabase, benchDialects, type Dialect } from './server.js';

const LEAVES = Number(process.env.BENCH_LOG_LEAVES ?? 1_000_000);
const BATCH = 1_000;
const PROOFS = 500;

/** An event entry as a capture writes it: a CBV hash for both its eventID and its digest. */
function entry(n: number): LogEntry {
  const hash = `ni:///sha-256;${createHash('sha256').update(String(n)).digest('hex')}?ver=CBV2.0`;
  return { kind: 'event', ref: hash, digest: hash, seq: n + 1 };
}

function percentiles(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
  return `p50 ${at(0.5)} / p95 ${at(0.95)} / max ${sorted[sorted.length - 1]!.toFixed(2)} ms`;
}

async function run(dialect: Dialect): Promise<void> {
  const database = await benchDatabase(dialect, 'bench_log');
  if (!database) return;
  const platform = await createPlatform(loadConfig({ ...database.env, LOG_LEVEL: 'error', ZHUISU_CAPTURE_WORKERS: '0' }));
  try {
    const started = performance.now();
    for (let first = 0; first < LEAVES; first += BATCH) {
      const entries = Array.from({ length: Math.min(BATCH, LEAVES - first) }, (_, i) => entry(first + i));
      await platform.database.transaction((trx) => appendToLog(trx, entries, platform.database.insertMany));
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`  ${dialect.padEnd(8)} appended ${LEAVES.toLocaleString('en')} leaves in batches of ${BATCH}: ${seconds.toFixed(1)} s, ${Math.round(LEAVES / seconds).toLocaleString('en')} leaves/s`);
    await database.analyze();

    const log = platform.services.log;
    let t = performance.now();
    const { size } = await log.checkpoint();
    console.log(`           first checkpoint of ${size.toLocaleString('en')} leaves signed (Ed25519 + SM2) in ${(performance.now() - t).toFixed(1)} ms`);
    const reader = new LogRepository(platform.database.db).nodeReader();
    const random = seededRandom(5);
    const inclusion: number[] = [];
    const consistency: number[] = [];
    for (let i = 0; i < PROOFS; i++) {
      t = performance.now();
      await inclusionProof(Math.floor(random() * size), size, reader);
      inclusion.push(performance.now() - t);
      t = performance.now();
      await consistencyProof(1 + Math.floor(random() * (size - 1)), size, reader);
      consistency.push(performance.now() - t);
    }
    console.log(`           inclusion proof  ${percentiles(inclusion)} (${PROOFS} random leaves)`);
    console.log(`           consistency proof ${percentiles(consistency)} (from a random size)`);
    const checkpoints: number[] = [];
    for (let i = 0; i < 50; i++) {
      t = performance.now();
      await log.checkpoint();
      checkpoints.push(performance.now() - t);
    }
    console.log(`           latest checkpoint, already signed: ${percentiles(checkpoints)}`);
  } finally {
    await platform.close();
    await database.drop();
  }
}

console.log(`transparency log: append rate and proof latency`);
for (const dialect of benchDialects()) await run(dialect);
