import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KeyStore } from '../../src/crypto/key-store.js';
import { ed25519Signer, formatCheckpoint, signNote } from '../../src/crypto/signed-note.js';
import { LogSigningKeys } from '../../src/crypto/signing-keys.js';
import { batchSignatureBody, BATCH_TYPE } from '../../src/federation/federation.service.js';
import { epcisDocument, objectEvent, sgtin } from '../builders/epcis.js';
import { ADMIN_TOKEN } from '../support/platform.js';
import { freePort, runCli } from '../support/process.js';

/**
 * Three platforms and an enterprise system as real `zhuisu serve` processes on loopback, each with its own SQLite file
 * and keys: enterprise → city → province. Events captured at the enterprise are found at the province under the same
 * eventIDs; with the province down the city keeps a backlog and says why, and after the province returns on the same
 * database every event is there exactly once. A member's forged or forked checkpoint is refused and alarmed.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'zhuisu-federation-'));
const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

interface Node {
  name: string;
  origin: string;
  keyDir: string;
  env: Record<string, string>;
  base: string;
  child: ChildProcess;
}

/** The node's log key, made in its key directory before it starts: the upstream needs it to register the node. */
function logKeys(name: string): { origin: string; keyDir: string; keys: LogSigningKeys } {
  const origin = `${name}.federation.test/log`;
  const keyDir = join(dir, `${name}-keys`);
  return { origin, keyDir, keys: LogSigningKeys.open(new KeyStore(keyDir), origin) };
}

async function start(name: string, port: number, extra: Record<string, string>): Promise<Node> {
  const { origin, keyDir } = logKeys(name);
  const env: Record<string, string> = {
    DATABASE_URL: join(dir, `${name}.sqlite`),
    ZHUISU_KEY_DIR: keyDir,
    ZHUISU_ADMIN_TOKEN: ADMIN_TOKEN,
    ZHUISU_LOG_ORIGIN: origin,
    ZHUISU_CAPTURE_WORKERS: '0',
    PORT: String(port),
    LOG_LEVEL: 'info',
    ...extra,
  };
  return launch({ name, origin, keyDir, env });
}

async function launch(node: Omit<Node, 'base' | 'child'>): Promise<Node> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'serve'], { cwd: ROOT, env: { ...process.env, ...node.env, NODE_ENV: 'test' } });
  running.add(child);
  child.on('exit', () => running.delete(child));
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"port":(\d+)/.exec(out) ?? /listening at http:\/\/[^:]+:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`${node.name} exited ${code}: ${out}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  // Generous: under a loaded test run each server compiles its TypeScript on start.
  await until(`${node.name} ready`, async () => (await fetch(`${base}/healthz`)).status === 200, 90_000);
  return { ...node, base, child };
}

async function stop(node: Node): Promise<void> {
  const exited = new Promise((resolve) => node.child.once('exit', resolve));
  node.child.kill('SIGTERM');
  assert.equal(await exited, 0, `${node.name} shuts down cleanly`);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function json(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; type: string; body: any }> {
  const response = await fetch(`${base}${path}`, { ...init, headers: { ...admin, ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) } });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}

async function register(upstream: Node, member: { name: string; level: string; regionCode: string }): Promise<string> {
  const { origin, keys } = logKeys(member.name);
  const answer = await json(upstream.base, '/api/v1/federation/members', {
    method: 'POST',
    body: JSON.stringify({ name: member.name, kind: member.level === 'enterprise' ? 'system' : 'platform', level: member.level, regionCode: member.regionCode, logOrigin: origin, logKey: keys.ed25519VerifierKey }),
  });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body.secret as string;
}

let serial = 910_000;
async function captureAt(node: Node, count: number): Promise<string[]> {
  const events = Array.from({ length: count }, () => objectEvent({ epcList: [sgtin(serial++)] }));
  const answer = await json(node.base, '/epcis/capture', { method: 'POST', body: JSON.stringify(epcisDocument(events)) });
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  assert.equal(answer.body.success, true);
  return answer.body.eventIDs as string[];
}

async function eventIdsAt(node: Node): Promise<string[]> {
  const answer = await json(node.base, '/epcis/events?perPage=1000');
  assert.equal(answer.status, 200);
  return (answer.body.epcisBody.queryResults.resultsBody.eventList as { eventID: string }[]).map((e) => e.eventID);
}

test('serve refuses a bad identity or upstream with every reason at once, never echoing the token', async () => {
  const token = 'zsk_0123456789abcdef_not-a-real-secret-but-long-enough-to-tell-apart';
  const bad = await runCli({ DATABASE_URL: join(dir, 'refused.sqlite') }, 'serve', '--level', 'county', '--region', '33', '--upstream-url', 'ftp://province.example');
  assert.equal(bad.code, 1);
  for (const name of ['ZHUISU_LEVEL', 'ZHUISU_REGION', 'ZHUISU_UPSTREAM_URL', 'ZHUISU_UPSTREAM_TOKEN']) assert.match(bad.stderr, new RegExp(name));
  const orphan = await runCli({ DATABASE_URL: join(dir, 'refused.sqlite') }, 'serve', '--upstream-token', token);
  assert.equal(orphan.code, 1);
  assert.match(orphan.stderr, /ZHUISU_UPSTREAM_TOKEN is set but ZHUISU_UPSTREAM_URL is not/);
  assert.ok(!`${orphan.stdout}${orphan.stderr}`.includes(token), 'the token is not printed');
});

test('events flow enterprise → city → province, survive the province being down, and forged or forked checkpoints are refused and alarmed', { timeout: 300_000 }, async () => {
  // Started two at a time to keep the test short: what only needs an address waits for nothing. The enterprise
  // reports to city A with city A's admin token (the development path); the cities use the keys the province issued.
  const [provincePort, cityPort] = [await freePort(), await freePort()];
  const [province, enterprise] = await Promise.all([
    start('province', provincePort, { ZHUISU_LEVEL: 'province', ZHUISU_REGION: '330000' }),
    start('enterprise', 0, { ZHUISU_LEVEL: 'enterprise', ZHUISU_REGION: '330106', ZHUISU_UPSTREAM_URL: `http://127.0.0.1:${cityPort}`, ZHUISU_UPSTREAM_TOKEN: ADMIN_TOKEN }),
  ]);
  const cityToken = await register(province, { name: 'city-a', level: 'city', regionCode: '330100' });
  // City B: a sibling of city A at the same province, with nothing below it.
  const cityBToken = await register(province, { name: 'city-b', level: 'city', regionCode: '330200' });
  const [city, cityB] = await Promise.all([
    start('city-a', cityPort, { ZHUISU_LEVEL: 'city', ZHUISU_REGION: '330100', ZHUISU_UPSTREAM_URL: province.base, ZHUISU_UPSTREAM_TOKEN: cityToken }),
    start('city-b', 0, { ZHUISU_LEVEL: 'city', ZHUISU_REGION: '330200', ZHUISU_UPSTREAM_URL: province.base, ZHUISU_UPSTREAM_TOKEN: cityBToken }),
  ]);
  await register(city, { name: 'enterprise', level: 'enterprise', regionCode: '330106' });

  const first = await captureAt(enterprise, 5);
  const fromB = await captureAt(cityB, 2);
  await until('the first events at the province', async () => {
    const ids = await eventIdsAt(province);
    return [...first, ...fromB].every((id) => ids.includes(id));
  });
  const single = await json(province.base, `/epcis/events/${encodeURIComponent(first[0]!)}`);
  assert.equal(single.status, 200, 'readable at the province by the eventID given at the enterprise');
  assert.equal(single.body.eventID, first[0]);

  const cityStatus = await json(city.base, '/api/v1/federation/status');
  assert.equal(cityStatus.status, 200);
  assert.equal(cityStatus.body.level, 'city');
  assert.equal(cityStatus.body.members.length, 1, 'the enterprise is the city\'s member');
  assert.equal(cityStatus.body.members[0].eventsReceived, 5);
  assert.match(cityStatus.body.upstream.cosignedCheckpoint, /— province\.federation\.test\/witness /, 'the province cosigned the city\'s checkpoint');
  const metrics = await (await fetch(`${city.base}/metrics`)).text();
  assert.match(metrics, /zhuisu_federation_member_events_received\{member="enterprise\.federation\.test\/log"\} 5/);
  assert.match(metrics, /zhuisu_federation_backlog_events \d+/);

  // The province goes away; the enterprise goes on capturing and the city takes its events, but cannot pass them on.
  await stop(province);
  const second = await captureAt(enterprise, 4);
  await until('a backlog at the city', async () => {
    const { body } = await json(city.base, '/api/v1/federation/status');
    return body.upstream.backlog >= 4 && body.upstream.lastError !== null && body.upstream.attempts > 0;
  });
  const third = await captureAt(enterprise, 3);

  const back = await launch({ name: province.name, origin: province.origin, keyDir: province.keyDir, env: province.env });
  const all = [...first, ...second, ...third, ...fromB];
  await until('every event at the province after its return', async () => {
    const ids = await eventIdsAt(back);
    return all.every((id) => ids.includes(id));
  }, 90_000);
  const ids = await eventIdsAt(back);
  assert.equal(ids.length, new Set(ids).size, 'no event twice');
  assert.deepEqual([...ids].sort(), [...all].sort(), 'exactly the events captured below');
  await until('the city\'s backlog drained', async () => (await json(city.base, '/api/v1/federation/status')).body.upstream.backlog === 0);
  const members = (await json(back.base, '/api/v1/federation/members')).body.items as { logOrigin: string; eventsReceived: number; position: number }[];
  const cityMember = members.find((m) => m.logOrigin === city.origin)!;
  assert.equal(cityMember.eventsReceived, first.length + second.length + third.length);

  // A batch whose checkpoint another key signed: refused, alarmed.
  const cityKeys = logKeys('city-a').keys;
  const witnessed = (await json(back.base, '/api/v1/witness/logs')).body.items as { origin: string; size: number; rootHash: string }[];
  const cityLog = witnessed.find((l) => l.origin === city.origin)!;
  const post = (checkpoint: string, oldSize: number) => {
    const payload = JSON.stringify({ type: BATCH_TYPE, origin: city.origin, from: cityMember.position, to: cityMember.position, checkpoint, oldSize, proof: [], events: [] });
    return json(back.base, '/api/v1/federation/batches', { method: 'POST', body: JSON.stringify({ payload, signature: cityKeys.sign(batchSignatureBody(city.origin, payload)) }), headers: { authorization: `Bearer ${cityToken}` } });
  };
  const { privateKey } = generateKeyPairSync('ed25519');
  const forged = signNote(formatCheckpoint({ origin: city.origin, size: cityLog.size + 1, rootHash: randomBytes(32) }), [ed25519Signer(city.origin, privateKey)]);
  const refused = await post(forged, cityLog.size);
  assert.equal(refused.status, 403);
  assert.match(refused.type, /application\/problem\+json/);
  assert.equal(refused.body.code, 'federation-checkpoint-forged');

  // A checkpoint the city's own key signed with a second root for a size the province cosigned: a fork.
  const forked = cityKeys.sign(formatCheckpoint({ origin: city.origin, size: cityLog.size, rootHash: randomBytes(32) }));
  const fork = await post(forked, cityLog.size);
  assert.equal(fork.status, 409);
  assert.match(fork.type, /application\/problem\+json/);
  assert.equal(fork.body.code, 'witness-fork');

  const alarms = (await json(back.base, `/api/v1/witness/alarms?origin=${encodeURIComponent(city.origin)}`)).body.items as { kind: string }[];
  assert.deepEqual(alarms.map((a) => a.kind).sort(), ['forged', 'fork']);

  await stop(enterprise);
  await stop(city);
  await stop(cityB);
  await stop(back);
});
