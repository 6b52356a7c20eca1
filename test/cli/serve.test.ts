import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEMO_SUBJECTS } from '../../src/demo/demo.js';
import { ADMIN_TOKEN } from '../support/platform.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'zhuisu-serve-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

/** What `npm start` does: serve with demo data on embedded SQLite, public endpoints open, the rest behind keys. */
test('serve --demo starts on SQLite, loads the demo chain once, and serves the public endpoints', async () => {
  const env = { ...process.env, DATABASE_URL: join(dataDir, 'zhuisu.sqlite'), ZHUISU_ADMIN_TOKEN: ADMIN_TOKEN, PORT: '0', LOG_LEVEL: 'info' };
  const start = async () => {
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'serve', '--demo'], { cwd: ROOT, env });
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /"port":(\d+)/.exec(out) ?? /listening at http:\/\/[^:]+:(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      server.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    // Generous: under a loaded test run the server compiles its TypeScript on start.
    for (let i = 0; i < 300; i++) {
      if ((await fetch(`${base}/healthz`)).status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { server, base };
  };
  const stop = async (server: ReturnType<typeof spawn>) => {
    server.kill('SIGTERM');
    const code = await new Promise((r) => server.once('exit', r));
    assert.equal(code, 0, 'a clean shutdown on SIGTERM');
  };

  const first = await start();
  try {
    const health = await fetch(`${first.base}/healthz`);
    assert.equal(health.status, 200);
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const subjects = (await (await fetch(`${first.base}/api/v1/subjects`, { headers: admin })).json()) as { items: { subjectCode: string }[] };
    assert.deepEqual(subjects.items.map((s) => s.subjectCode).sort(), DEMO_SUBJECTS.map((s) => s.code).sort());
    // The chain happened in early November; the codes were issued and packed when the demo was loaded.
    const chainEnd = encodeURIComponent('2026-11-20T00:00:00+08:00');
    const events = (await (await fetch(`${first.base}/epcis/events?perPage=100&orderBy=eventTime&orderDirection=ASC&LT_eventTime=${chainEnd}`, { headers: admin })).json()) as {
      epcisBody: { queryResults: { resultsBody: { eventList: { bizStep: string }[] } } };
    };
    const steps = events.epcisBody.queryResults.resultsBody.eventList.map((e) => e.bizStep);
    assert.equal(steps[0], 'commissioning', 'the chain starts at the farm');
    assert.equal(steps[steps.length - 1], 'retail_selling', 'and ends at the supermarket till');
    assert.ok(steps.filter((s) => s === 'inspecting').length >= 3, 'with inspections along the way');
    const batches = (await (await fetch(`${first.base}/api/v1/codes/batches`, { headers: admin })).json()) as { items: { id: string; scheme: string; quantity: number }[] };
    assert.deepEqual(batches.items.map((b) => [b.scheme, b.quantity]).sort(), [['gs1-sgtin', 12], ['gs1-sscc', 2]]);
    const caseBatch = batches.items.find((b) => b.scheme === 'gs1-sscc')!;
    const [firstCase] = ((await (await fetch(`${first.base}/api/v1/codes/batches/${caseBatch.id}/codes`, { headers: admin })).json()) as { items: { code: string }[] }).items;
    const contents = (await (await fetch(`${first.base}/api/v1/codes/contents?code=${encodeURIComponent(firstCase!.code)}`, { headers: admin })).json()) as { children: unknown[] };
    assert.equal(contents.children.length, 6, 'six boxes to a case');

    const spec = (await (await fetch(`${first.base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    assert.equal(spec.openapi, '3.1.0');
    assert.ok(spec.paths['/api/v1/subjects']);
    const docs = await fetch(`${first.base}/docs/`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger/i);
    const metrics = await fetch(`${first.base}/metrics`);
    assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(await metrics.text(), /zhuisu_http_requests_total\{method="GET",route="\/healthz",status="200"\}/);
    const wellKnown = (await (await fetch(`${first.base}/.well-known/zhuisu`)).json()) as { level: string };
    assert.equal(wellKnown.level, 'enterprise');
    assert.equal((await fetch(`${first.base}/api/v1/subjects`)).status, 401);
  } finally {
    await stop(first.server);
  }

  // Committed data is on disk in WAL mode; a restart finds it and does not load the demo twice.
  assert.ok(statSync(join(dataDir, 'zhuisu.sqlite')).size > 0);
  const second = await start();
  try {
    const subjects = (await (await fetch(`${second.base}/api/v1/subjects`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { items: unknown[] };
    assert.equal(subjects.items.length, DEMO_SUBJECTS.length);
  } finally {
    await stop(second.server);
  }
});
