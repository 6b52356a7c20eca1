/**
 * Code issuance: minting codes with their registry rows and commissioning events (10,000 codes an event) in one
 * transaction, in-process through the issuance service, on SQLite and PostgreSQL. Figures are printed, never asserted.
 *
 *   node scripts/run-bench.mjs issuance
 *   BENCH_ISSUE_CODES=200000 BENCH_DIALECTS=sqlite node scripts/run-bench.mjs issuance
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { systemPrincipal } from '../src/access/principal.js';
import { withCheckDigit } from '../src/codes/gs1/check-digit.js';
import { formatUscc } from '../src/codes/uscc.js';
import { loadConfig } from '../src/config.js';
import { createPlatform } from '../src/platform.js';
import type { MintedScheme } from '../src/issuance/issuance.service.js';
import { machineCpu } from './machine.js';

const CODES = Number(process.env.BENCH_ISSUE_CODES ?? 1_000_000);
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',');
const PG_URL = process.env.ZHUISU_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function run(dialect: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'zhuisu-issuance-bench-'));
  const schema = `bench_issue_${process.pid}`;
  const env: Record<string, string> = { ZHUISU_DATA_DIR: dataDir, LOG_LEVEL: 'error', ZHUISU_CAPTURE_WORKERS: '0' };
  if (dialect === 'postgres') Object.assign(env, { DATABASE_URL: PG_URL, ZHUISU_DB_SCHEMA: schema });
  else env.DATABASE_URL = join(dataDir, 'issue.sqlite');
  const platform = await createPlatform(loadConfig(env));
  try {
    const admin = systemPrincipal('bench');
    const prefix = '6901234';
    const subject = await platform.services.subjects.register(admin, { kind: 'organisation', subjectCode: formatUscc('91', '330106', '12345678'), name: '基准企业', roles: ['producer'], regionCode: '330106', companyPrefixes: [prefix] });
    const product = await platform.services.products.create(admin, subject.id, { gtin: withCheckDigit(`${prefix}00001`), name: '基准产品', productClass: 'drug' });
    const cases: [MintedScheme, number][] = [['gs1-sgtin', CODES], ['platform-code', Math.min(CODES, 200_000)]];
    for (const [scheme, quantity] of cases) {
      const cpu = process.cpuUsage();
      const machine = machineCpu().busy;
      const heap = process.memoryUsage().rss;
      const started = performance.now();
      const issued = await platform.services.issuance.issue(admin, { scheme, quantity, productId: product.id, lot: 'B20261123', expiry: '2028-11-30' });
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      console.log(
        `  ${dialect.padEnd(8)} ${scheme.padEnd(13)} ${quantity.toLocaleString('en').padStart(9)} codes in ${issued.eventIds.length} events: ${seconds.toFixed(1)} s, ` +
          `${Math.round(quantity / seconds).toLocaleString('en')} codes/s, process CPU ${((used.user + used.system) / 1e6).toFixed(1)} s, machine CPU ${(machineCpu().busy - machine).toFixed(1)} s, RSS +${Math.round((process.memoryUsage().rss - heap) / 2 ** 20)} MiB`,
      );
    }
  } finally {
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (dialect === 'postgres') {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  }
}

console.log(`code issuance, one request each (registry rows + commissioning events, one transaction)`);
for (const dialect of DIALECTS) await run(dialect);
