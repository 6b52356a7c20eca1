import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ed25519Signer, formatCheckpoint, signNote } from '../../src/crypto/signed-note.js';
import { batchSignatureBody, BATCH_TYPE } from '../../src/federation/federation.service.js';
import { epcisDocument, objectEvent, sgtin } from '../builders/epcis.js';
import { Cluster, json, until, type Node } from '../support/cluster.js';
import { ADMIN_TOKEN } from '../support/platform.js';
import { freePort, runCli } from '../support/process.js';

/**
 * Three platforms and an enterprise system as real `zhuisu serve` processes on loopback, each with its own SQLite file
 * and keys: enterprise → city → province. Events captured at the enterprise are found at the province under the same
 * eventIDs; with the province down the city keeps a backlog and says why, and after the province returns on the same
 * database every event is there exactly once. A member's forged or forked checkpoint is refused and alarmed.
 */

const cluster = new Cluster('federation');
after(cluster.cleanup);
const { dir, logKeys, start, launch, stop } = cluster;
const register = async (upstream: Node, member: { name: string; level: string; regionCode: string }): Promise<string> => (await cluster.register(upstream, member)).secret;

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
