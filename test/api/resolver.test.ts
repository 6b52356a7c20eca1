import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { identifierOf, scanCode } from '../../src/codes/registry.js';
import { ed25519VerifierKey } from '../../src/crypto/signed-note.js';
import { answerProblem, type Resolution } from '../../src/resolver/answer.js';
import { HOPS_HEADER, MAX_RESOLVE_HOPS, VIA_HEADER } from '../../src/resolver/resolver.service.js';
import { epcisDocument, objectEvent, sgtin } from '../builders/epcis.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, subjectWithKey, type TestPlatform } from '../support/platform.js';

/**
 * The resolver directory and the query, a province and a city in one process. The province's app listens on a real
 * port so that the city can ask it as its upstream; the city's events reach the province as batches its own service
 * builds (no forwarder runs under test).
 */

let serial = 700_000;
/** The digits of a GTIN that a company prefix starts, at most 12: what a learned entry holds. */
const learnedPrefix = (epc: string) => /\/01\/\d(\d{12})\d\//.exec(identifierOf((scanCode(epc) as { ok: true; readings: Parameters<typeof identifierOf>[0][] }).readings[0]!))![1]!;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

for (const dialect of TEST_DIALECTS) {
  describe(`resolver on ${dialect}`, () => {
    let province: TestPlatform;
    let city: TestPlatform;
    let provinceUrl: string;
    let memberId: string;
    let memberKey: string;
    const silent = createServer(() => {
      // Never answers: a member that hangs.
    });

    before(async () => {
      province = await startTestPlatform(dialect, { ZHUISU_LEVEL: 'province', ZHUISU_REGION: '330000', ZHUISU_LOG_ORIGIN: `province-${dialect}.resolver.test/log` });
      provinceUrl = await province.app.listen({ port: 0, host: '127.0.0.1' });
      city = await startTestPlatform(dialect, {
        ZHUISU_LEVEL: 'city',
        ZHUISU_REGION: '330100',
        ZHUISU_LOG_ORIGIN: `city-${dialect}.resolver.test/log`,
        ZHUISU_UPSTREAM_URL: provinceUrl,
        // The resolve query is public: the token travels but the province does not need it.
        ZHUISU_UPSTREAM_TOKEN: 'not-used-by-a-public-query',
      });
      const registered = await call(province.app, 'POST', '/api/v1/federation/members', {
        body: { name: '杭州市平台', kind: 'platform', level: 'city', regionCode: '330100', logOrigin: city.platform.services.log.origin, logKey: city.platform.services.log.verifierKey, url: 'http://city.invalid/' },
      });
      assert.equal(registered.status, 201, registered.body);
      assert.equal(registered.json.member.url, 'http://city.invalid', 'kept without its trailing slash');
      memberId = registered.json.member.id;
      memberKey = registered.json.secret;
    });
    after(async () => {
      silent.closeAllConnections();
      silent.close();
      await city?.close();
      await province?.close();
    });

    const captureAt = async (platform: TestPlatform, epcs: string[]) => {
      const answer = await call(platform.app, 'POST', '/epcis/capture', { body: epcisDocument(epcs.map((epc) => objectEvent({ epcList: [epc] }))) });
      assert.equal(answer.status, 202, answer.body);
      return answer.json.eventIDs as string[];
    };
    const resolve = (platform: TestPlatform, code: string, headers: Record<string, string> = {}) => call(platform.app, 'GET', `/api/v1/resolve?code=${encodeURIComponent(code)}`, { key: null, headers });

    test('the directory: admins list holders, bad values are problem+json, others may not write', async () => {
      const bad = [
        { kind: 'gtin-company-prefix', value: '123', holder: 'here' },
        { kind: 'region', value: '999999', holder: 'here' },
        { kind: 'subject-code', value: '91330100XXXXXXXXXX', holder: 'here' },
        { kind: 'scheme', value: 'no-such-scheme', holder: 'here' },
        { kind: 'planet', value: 'earth', holder: 'here' },
      ];
      for (const body of bad) {
        const answer = await call(province.app, 'POST', '/api/v1/resolver/entries', { body });
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.match(String(answer.headers['content-type']), /application\/problem\+json/);
      }
      const unknownMember = await call(province.app, 'POST', '/api/v1/resolver/entries', { body: { kind: 'region', value: '3301', holder: 'no-such-member' } });
      assert.equal(unknownMember.status, 404);

      const created = await call(province.app, 'POST', '/api/v1/resolver/entries', { body: { kind: 'region', value: '3301', holder: memberId } });
      assert.equal(created.status, 201, created.body);
      assert.deepEqual([created.json.kind, created.json.value, created.json.holder, created.json.source], ['region', '3301', memberId, 'registered']);
      assert.equal((await call(province.app, 'POST', '/api/v1/resolver/entries', { body: { kind: 'region', value: '3301', holder: memberId } })).status, 409);
      const operator = await subjectWithKey(province.app);
      assert.equal((await call(province.app, 'POST', '/api/v1/resolver/entries', { key: operator.key, body: { kind: 'region', value: '3302', holder: 'here' } })).status, 403);
      assert.equal((await call(province.app, 'GET', '/api/v1/resolver/entries', { key: memberKey })).status, 403);

      const listed = (await call(province.app, 'GET', `/api/v1/resolver/entries?holder=${memberId}`)).json.items as { id: string }[];
      assert.deepEqual(listed.map((e) => e.id), [created.json.id]);
      const audit = (await call(province.app, 'GET', '/api/v1/audit')).json.items as { action: string; targetId: string }[];
      assert.ok(audit.some((a) => a.action === 'resolver.entry.register' && a.targetId === created.json.id), 'registering is audited');

      assert.equal((await call(province.app, 'DELETE', `/api/v1/resolver/entries/${created.json.id}`)).status, 204);
      assert.equal((await call(province.app, 'DELETE', `/api/v1/resolver/entries/${created.json.id}`)).status, 404);
      assert.deepEqual((await call(province.app, 'GET', '/api/v1/resolver/entries?kind=region')).json.items, []);
    });

    test("a member's forwarded events teach the directory the company prefixes it holds", async () => {
      const epc = sgtin(serial++, '123451');
      await captureAt(city, [epc]);
      const batch = (await city.platform.services.federation.nextBatch())!;
      const sent = await call(province.app, 'POST', '/api/v1/federation/batches', { key: memberKey, body: batch.body });
      assert.equal(sent.status, 200, sent.body);
      await city.platform.services.federation.recordSent(batch, sent.json);
      const learned = (await call(province.app, 'GET', '/api/v1/resolver/entries?kind=gtin-company-prefix')).json.items as { value: string; holder: string; source: string }[];
      assert.deepEqual(
        learned.map((e) => [e.value, e.holder, e.source]),
        [[learnedPrefix(epc), memberId, 'learned']],
      );
    });

    test('a code known here is answered from local data, in any form, with proofs that check out', async () => {
      const epc = sgtin(serial++, '123452');
      const [eventID] = await captureAt(province, [epc]);
      const provinceKey = province.platform.services.log.verifierKey;
      const link = identifierOf((scanCode(epc) as { ok: true; readings: Parameters<typeof identifierOf>[0][] }).readings[0]!);
      for (const form of [epc, link]) {
        const answer = await resolve(province, form);
        assert.equal(answer.status, 200, answer.body);
        const resolution = answer.json as Resolution;
        assert.equal(resolution.code, link);
        assert.equal(resolution.recalled, false);
        assert.deepEqual(resolution.steps.map((s) => s.eventID), [eventID]);
        assert.equal(resolution.steps[0]!.place?.gln.length, 13, 'the place is named by its GLN');
        assert.deepEqual(resolution.answeredBy, { origin: province.platform.services.log.origin, level: 'province', regionCode: '330000' });
        assert.deepEqual(resolution.route.map((h) => h.source), ['local']);
        assert.equal(resolution.vouch, null);
        assert.equal(answerProblem(resolution, provinceKey), undefined);
      }
      const resolution = (await resolve(province, epc)).json as Resolution;
      // The checks can fail: another leaf, another key, another root.
      const step = resolution.steps[0]!;
      assert.match(answerProblem({ ...resolution, steps: [{ ...step, proof: { ...step.proof, leafIndex: step.proof.leafIndex + 1 } }] }, provinceKey)!, /inclusion proof/);
      assert.match(answerProblem({ ...resolution, steps: [{ ...step, eventID: 'urn:uuid:00000000-0000-4000-8000-000000000000' }] }, provinceKey)!, /names/);
      assert.match(answerProblem(resolution, city.platform.services.log.verifierKey)!, /nobody vouches/);
      // Nothing of what a consumer may not see: no quantities, no identities of who captured it.
      assert.deepEqual(Object.keys(step).sort(), ['bizStep', 'certificationInfo', 'disposition', 'eventID', 'eventTime', 'place', 'proof', 'subject']);
    });

    test('a code held above is fetched from the upstream, checked, vouched for, and never asked back', async () => {
      const epc = sgtin(serial++, '123453');
      const [eventID] = await captureAt(province, [epc]);
      const answer = await resolve(city, epc);
      assert.equal(answer.status, 200, answer.body);
      const resolution = answer.json as Resolution;
      assert.deepEqual(resolution.steps.map((s) => s.eventID), [eventID]);
      assert.equal(resolution.answeredBy.origin, province.platform.services.log.origin);
      assert.deepEqual(resolution.route.map((h) => [h.origin, h.source]), [
        [province.platform.services.log.origin, 'local'],
        [city.platform.services.log.origin, 'upstream'],
      ]);
      assert.equal(answerProblem(resolution, province.platform.services.log.verifierKey), undefined, "the province's own checkpoint");
      assert.equal(answerProblem(resolution, city.platform.services.log.verifierKey), undefined, 'the city vouches for the province');
      assert.match(answerProblem({ ...resolution, vouch: province.platform.services.log.verifierKey }, city.platform.services.log.verifierKey)!, /cannot be checked/);

      // The question came from the province: the city does not ask it back, nor anyone after too many hops.
      const fromProvince = await resolve(city, epc, { [VIA_HEADER]: province.platform.services.log.origin, [HOPS_HEADER]: '1' });
      assert.equal(fromProvince.status, 404);
      assert.match(String(fromProvince.headers['content-type']), /application\/problem\+json/);
      assert.equal((await resolve(city, epc, { [HOPS_HEADER]: String(MAX_RESOLVE_HOPS) })).status, 404);
      assert.equal((await resolve(city, epc, { [HOPS_HEADER]: 'many' })).status, 400);
    });

    test('unknown codes are 404 at every level, unreadable ones 400, and codes held here are not asked above', async () => {
      const unknown = sgtin(serial++, '777770');
      for (const platform of [province, city]) {
        const answer = await resolve(platform, unknown);
        assert.equal(answer.status, 404, answer.body);
        assert.match(String(answer.headers['content-type']), /application\/problem\+json/);
        assert.equal(answer.json.code, 'code-not-found');
        const unreadable = await resolve(platform, 'not a code at all');
        assert.equal(unreadable.status, 400);
        assert.equal(unreadable.json.code, 'unreadable-code');
      }
      // A code of a prefix the city holds itself is not asked above, even when the province has it.
      const epc = sgtin(serial++, '123454');
      await captureAt(province, [epc]);
      assert.equal((await resolve(city, epc)).status, 200);
      const here = await call(city.app, 'POST', '/api/v1/resolver/entries', { body: { kind: 'gtin-company-prefix', value: learnedPrefix(epc), holder: 'here' } });
      assert.equal(here.status, 201);
      assert.equal((await resolve(city, epc)).status, 404);
    });

    test('a member that does not answer in time is a 504, never a hang', async () => {
      const url = await listen(silent);
      const slowOrigin = `slow-${dialect}.resolver.test/log`;
      const slow = await call(province.app, 'POST', '/api/v1/federation/members', {
        body: { name: 'slow', kind: 'system', level: 'enterprise', logOrigin: slowOrigin, logKey: ed25519VerifierKey(slowOrigin, generateKeyPairSync('ed25519').privateKey), url },
      });
      assert.equal(slow.status, 201, slow.body);
      const epc = sgtin(serial++, '123455');
      assert.equal((await call(province.app, 'POST', '/api/v1/resolver/entries', { body: { kind: 'gtin-company-prefix', value: learnedPrefix(epc), holder: slow.json.member.id } })).status, 201);
      const answer = await resolve(province, epc);
      assert.equal(answer.status, 504, answer.body);
      assert.equal(answer.json.code, 'resolver-timeout');
      assert.match(String(answer.headers['content-type']), /application\/problem\+json/);
    });
  });
}
