/**
 * Event query latency by reader scope (platform admin, subject user, regulator) on a store of generated chains,
 * in-process through the events service. Figures are printed, never asserted.
 *
 *   BENCH_QUERY_EVENTS=40000 node scripts/run-bench.mjs query
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemPrincipal, type Principal } from '../src/access/principal.js';
import { loadConfig } from '../src/config.js';
import { createPlatform } from '../src/platform.js';
import { generateDocuments, generateSubjects } from './generator.js';

const EVENTS = Number(process.env.BENCH_QUERY_EVENTS ?? 40_000);
const ROUNDS = 20;

const dataDir = mkdtempSync(join(tmpdir(), 'zhuisu-query-bench-'));
const platform = await createPlatform(loadConfig({ DATABASE_URL: join(dataDir, 'q.sqlite'), ZHUISU_DATA_DIR: dataDir, LOG_LEVEL: 'error' }));
try {
  const admin = systemPrincipal('bench');
  const subjectIds: string[] = [];
  for (const s of generateSubjects({ seed: 1 })) {
    const subject = await platform.services.subjects.register(admin, { kind: 'organisation', subjectCode: s.subjectCode, name: s.name, roles: s.roles, regionCode: s.regionCode, companyPrefixes: [s.companyPrefix] });
    subjectIds.push(subject.id);
    for (const l of s.locations) await platform.services.subjects.addLocation(admin, subject.id, { gln: l.gln, name: l.name, regionCode: l.regionCode });
  }
  let stored = 0;
  for (const document of generateDocuments({ seed: 1, batches: Math.ceil(EVENTS / 20), eventsPerDocument: 1000 })) {
    await platform.services.capture.submit(admin, document);
    stored += 1000;
    if (stored >= EVENTS) break;
  }
  const sample = await platform.database.db
    .selectFrom('postings')
    .select('term as identifier')
    .where('entries', 'like', '%"epc"]%')
    .where('term', 'like', '%/21/%')
    .offset(Math.floor(stored / 8))
    .limit(1)
    .executeTakeFirstOrThrow();

  const readers: [string, Principal][] = [
    ['platform admin', admin],
    ['subject user', { ...admin, actor: 'bench-subject', role: 'subject_operator', subjectId: subjectIds[0]!, subjectStatus: 'active', regionPrefix: null }],
    ['regulator 3301', { ...admin, actor: 'bench-regulator', role: 'regulator', regionPrefix: '3301', productClasses: ['edible_agricultural'] }],
  ];
  const queries: [string, Record<string, string>][] = [
    ['MATCH_anyEPC (one item)', { MATCH_anyEPC: sample.identifier }],
    ['first page', { perPage: '30' }],
    ['EQ_bizStep=shipping', { EQ_bizStep: 'shipping', perPage: '30' }],
    ['EQ_disposition=in_transit', { EQ_disposition: 'in_transit', perPage: '30' }],
    ['  … by eventTime', { EQ_disposition: 'in_transit', orderBy: 'eventTime', perPage: '30' }],
    ['EQ_disposition=destroyed (none)', { EQ_disposition: 'destroyed', perPage: '30' }],
    ['  … by eventTime', { EQ_disposition: 'destroyed', orderBy: 'eventTime', perPage: '30' }],
    ['eventType=TransformationEvent', { eventType: 'TransformationEvent', orderBy: 'eventTime', perPage: '30' }],
    ['EQ_ILMD_…countryOfOrigin=CN', { 'EQ_ILMD_cbvmda:countryOfOrigin': 'CN', perPage: '30' }],
    ['temperature above 5 °C', { EQ_type: 'Temperature', GT_maxValue_CEL: '5', perPage: '30' }],
    ['eventTime range, newest first', { GE_eventTime: '2024-01-01T12:00:00+08:00', LT_eventTime: '2024-01-02T00:00:00+08:00', orderBy: 'eventTime', perPage: '30' }],
  ];
  console.log(`event queries on ${stored.toLocaleString('en')} events (SQLite, in-process), ${ROUNDS} rounds each: p50 / p95`);
  for (const [who, principal] of readers) {
    for (const [what, params] of queries) {
      const times: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const started = performance.now();
        await platform.services.events.query(principal, params);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
      console.log(`  ${who.padEnd(15)} ${what.padEnd(32)} ${at(0.5)} / ${at(0.95)} ms`);
    }
  }
} finally {
  await platform.close();
  rmSync(dataDir, { recursive: true, force: true });
}
