import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { ed25519Signer, ed25519VerifierKey, formatCheckpoint, signNote } from '../../src/crypto/signed-note.js';
import { answerProblem, type Resolution } from '../../src/resolver/answer.js';
import { epcisDocument, objectEvent, sgtin } from '../builders/epcis.js';
import { Cluster, json, until, type Node } from '../support/cluster.js';
import { freePort } from '../support/process.js';

/**
 * 通查通识 over real `zhuisu serve` processes: a province with cities A and B under it. An event captured at city A
 * is forwarded to the province, which learns that city A holds its company prefix; asked at city B, the code is
 * answered through the province with a proof city B checks against the province's key, and that the test checks
 * again. A member answering with a proof that does not hold is refused, and an unknown code is 404 at every level.
 */

const cluster = new Cluster('resolver');
after(cluster.cleanup);

const resolve = (node: Node, code: string) => json(node.base, `/api/v1/resolve?code=${encodeURIComponent(code)}`);
const keyOf = async (node: Node) => (await (await fetch(`${node.base}/log/key`)).text()).trim();

test('a code captured at city A resolves at city B through the province, with a proof; forged answers are refused; unknown codes are 404 everywhere', { timeout: 300_000 }, async () => {
  const [provincePort, cityAPort] = [await freePort(), await freePort()];
  const province = await cluster.start('province', provincePort, { ZHUISU_LEVEL: 'province', ZHUISU_REGION: '330000' });
  const cityA = await cluster.register(province, { name: 'city-a', level: 'city', regionCode: '330100', url: `http://127.0.0.1:${cityAPort}` });
  const cityB = await cluster.register(province, { name: 'city-b', level: 'city', regionCode: '330200' });
  const [a, b] = await Promise.all([
    cluster.start('city-a', cityAPort, { ZHUISU_LEVEL: 'city', ZHUISU_REGION: '330100', ZHUISU_UPSTREAM_URL: province.base, ZHUISU_UPSTREAM_TOKEN: cityA.secret }),
    cluster.start('city-b', 0, { ZHUISU_LEVEL: 'city', ZHUISU_REGION: '330200', ZHUISU_UPSTREAM_URL: province.base, ZHUISU_UPSTREAM_TOKEN: cityB.secret }),
  ]);

  const item = sgtin(1, '345671');
  const captured = await json(a.base, '/epcis/capture', { method: 'POST', body: JSON.stringify(epcisDocument([objectEvent({ epcList: [item] })])) });
  assert.equal(captured.status, 202, JSON.stringify(captured.body));
  const [eventID] = captured.body.eventIDs as string[];
  await until('the event at the province', async () => (await json(province.base, `/epcis/events/${encodeURIComponent(eventID!)}`)).status === 200);

  // The province learned from city A's batch which company prefix city A holds.
  const learned = (await json(province.base, `/api/v1/resolver/entries?holder=${cityA.member.id}`)).body.items as { kind: string; value: string; source: string }[];
  assert.deepEqual(learned.map((e) => [e.kind, e.value, e.source]), [['gtin-company-prefix', '061414145671', 'learned']]);

  // At city A from its own data; at city B through the province.
  const atA = await resolve(a, item);
  assert.equal(atA.status, 200, JSON.stringify(atA.body));
  assert.deepEqual((atA.body as Resolution).route.map((h) => [h.origin, h.source]), [[a.origin, 'local']]);
  const atB = await resolve(b, item);
  assert.equal(atB.status, 200, JSON.stringify(atB.body));
  const answer = atB.body as Resolution;
  assert.deepEqual(answer.steps.map((s) => s.eventID), [eventID]);
  assert.equal(answer.steps[0]!.bizStep, 'commissioning');
  assert.deepEqual(answer.answeredBy, { origin: province.origin, level: 'province', regionCode: '330000' });
  assert.deepEqual(answer.route.map((h) => [h.origin, h.source]), [
    [province.origin, 'local'],
    [b.origin, 'upstream'],
  ]);
  // The proof checks out with the province's published key, and city B vouches for it with its own.
  assert.equal(answerProblem(answer, await keyOf(province)), undefined);
  assert.equal(answerProblem(answer, await keyOf(b)), undefined);
  assert.match(answerProblem(answer, await keyOf(a))!, /no signature by a known key/, 'city A never vouched for it');

  // A fake member: its checkpoint is signed with the key it registered, but its proof leads to another root.
  const fakeOrigin = 'fake.resolver.test/log';
  const { privateKey } = generateKeyPairSync('ed25519');
  let asked = 0;
  const fake = createServer((_request, response) => {
    asked += 1;
    const note = signNote(formatCheckpoint({ origin: fakeOrigin, size: answer.checkpoint.treeSize, rootHash: randomBytes(32) }), [ed25519Signer(fakeOrigin, privateKey)]);
    const forged: Resolution = { ...answer, answeredBy: { origin: fakeOrigin, level: 'enterprise', regionCode: '330100' }, route: [], vouch: null, checkpoint: { ...answer.checkpoint, note, verifierKey: ed25519VerifierKey(fakeOrigin, privateKey) } };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(forged));
  });
  await new Promise<void>((done) => fake.listen(0, '127.0.0.1', done));
  after(() => fake.close());
  const fakeMember = await json(province.base, '/api/v1/federation/members', {
    method: 'POST',
    body: JSON.stringify({ name: 'fake', kind: 'system', level: 'enterprise', logOrigin: fakeOrigin, logKey: ed25519VerifierKey(fakeOrigin, privateKey), url: `http://127.0.0.1:${(fake.address() as AddressInfo).port}` }),
  });
  assert.equal(fakeMember.status, 201, JSON.stringify(fakeMember.body));
  const listed = await json(province.base, '/api/v1/resolver/entries', { method: 'POST', body: JSON.stringify({ kind: 'gtin-company-prefix', value: '0614141', holder: fakeMember.body.member.id }) });
  assert.equal(listed.status, 201, JSON.stringify(listed.body));
  const faked = sgtin(1, '345672');
  const refused = await resolve(province, faked);
  assert.equal(refused.status, 502, JSON.stringify(refused.body));
  assert.match(refused.type, /application\/problem\+json/);
  assert.equal(refused.body.code, 'resolver-answer-unverified');
  assert.ok(asked >= 1, 'the fake member was asked, and its answer refused');
  const refusedBelow = await resolve(b, faked);
  assert.equal(refusedBelow.status, 502, 'city B is told its upstream failed, not given the forgery');
  assert.match(refusedBelow.type, /application\/problem\+json/);
  const removed = await json(province.base, `/api/v1/resolver/entries/${listed.body.id}`, { method: 'DELETE' });
  assert.equal(removed.status, 204);

  // Unknown everywhere: city A's prefix sends the province to ask city A, which does not ask the province back.
  const unknown = sgtin(999, '345671');
  for (const node of [a, b, province]) {
    const missing = await resolve(node, unknown);
    assert.equal(missing.status, 404, `${node.name}: ${JSON.stringify(missing.body)}`);
    assert.match(missing.type, /application\/problem\+json/);
    assert.equal(missing.body.code, 'code-not-found');
  }

  await cluster.stop(a);
  await cluster.stop(b);
  await cluster.stop(province);
});
