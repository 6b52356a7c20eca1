import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { canonicalIdentifier } from '../../src/epcis/event-index.js';
import { SUMMARY_KEY } from '../../src/epcis/summary.js';
import { aggregationEvent, epcisDocument, objectEvent, sgtin, sscc } from '../builders/epcis.js';
import { Cluster, json, until } from '../support/cluster.js';
import { runCli } from '../support/process.js';

/**
 * Summaries mode with real `zhuisu serve` processes: a city started with ZHUISU_UPSTREAM_MODE=summaries forwards
 * summaries that its province stores with their hashes, and a trace at the province follows a code through them.
 */

const cluster = new Cluster('summaries');
after(cluster.cleanup);

test('serve refuses an upstream mode it does not know, naming the variable', async () => {
  const bad = await runCli({ DATABASE_URL: join(cluster.dir, 'refused.sqlite') }, 'serve', '--upstream-mode', 'partial');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /ZHUISU_UPSTREAM_MODE must be one of full, summaries, got 'partial'/);
});

test('a city in summaries mode forwards summaries its province can trace through', { timeout: 300_000 }, async () => {
  const province = await cluster.start('province', 0, { ZHUISU_LEVEL: 'province', ZHUISU_REGION: '330000' });
  const { secret } = await cluster.register(province, { name: 'city', level: 'city', regionCode: '330100' });
  const city = await cluster.start('city', 0, { ZHUISU_LEVEL: 'city', ZHUISU_REGION: '330100', ZHUISU_UPSTREAM_URL: province.base, ZHUISU_UPSTREAM_TOKEN: secret, ZHUISU_UPSTREAM_MODE: 'summaries' });

  const item = sgtin(940_001);
  const box = sscc(940_002);
  const events = [objectEvent({ epcList: [item], eventTime: '2026-10-01T08:00:00.000+08:00' }), aggregationEvent({ parentID: box, childEPCs: [item], eventTime: '2026-10-01T09:00:00.000+08:00' })];
  const captured = await json(city.base, '/epcis/capture', { method: 'POST', body: JSON.stringify(epcisDocument(events)) });
  assert.equal(captured.status, 202, JSON.stringify(captured.body));
  const ids = captured.body.eventIDs as string[];

  await until('the summaries at the province', async () => {
    const shown = await Promise.all(ids.map((id) => json(province.base, `/epcis/events/${encodeURIComponent(id)}`)));
    return shown.every((s) => s.status === 200 && s.body[SUMMARY_KEY]?.heldBy === city.origin);
  });
  const trace = await json(province.base, `/api/v1/trace?code=${encodeURIComponent(item)}&direction=forward`);
  assert.equal(trace.status, 200);
  assert.ok((trace.body.nodes as { code: string }[]).some((n) => n.code === canonicalIdentifier(box)), 'the item reaches its case at the province');
  await until('the city\'s backlog drained', async () => (await json(city.base, '/api/v1/federation/status')).body.upstream.backlog === 0);

  await cluster.stop(city);
  await cluster.stop(province);
});
