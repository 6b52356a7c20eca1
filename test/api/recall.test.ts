import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { identifierOf } from '../../src/codes/registry.js';
import { CASE_A, CASE_B, LOIN, MARKET, PALLET, RAW, SERIALS, at, chain, glnOf, registerChainParties, scanned, type ChainParty } from '../builders/chains.js';
import { epcisDocument, objectEvent, sgln } from '../builders/epcis.js';
import { locationBody, subjectBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, subjectWithKey, userKey, type TestPlatform } from '../support/platform.js';

/** Recalls on the hand-built chain of test/builders/chains.ts: the plant owns the company prefix of the lots it made. */

const id = (text: string) => identifierOf(scanned(text));

for (const dialect of TEST_DIALECTS) {
  describe(`recalls on ${dialect}`, () => {
    let t: TestPlatform;
    const actors: Partial<Record<'farm' | 'plant' | 'market', ChainParty>> = {};
    let regulator: string;
    let outOfRegion: string;
    before(async () => {
      t = await startTestPlatform(dialect);
      Object.assign(actors, await registerChainParties(t.app));
      regulator = await userKey(t.app, 'regulator', { regionPrefix: '11', departments: ['market_regulation'] });
      outOfRegion = await userKey(t.app, 'regulator', { regionPrefix: '44', departments: ['market_regulation'] });
      const captured = await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument(chain()) });
      assert.equal(captured.status, 202, captured.body);
    });
    after(() => t.close());

    test('the plant recalls its loin lot: the holders downstream are notified, the farm upstream and strangers are not', async () => {
      const created = await call(t.app, 'POST', '/api/v1/recalls', { key: actors.plant!.admin, body: { codes: [LOIN], reason: '兽药残留超标', level: 1 } });
      assert.equal(created.status, 201, created.body);
      const recall = created.json;
      assert.equal(recall.status, 'open');
      assert.deepEqual(recall.roots, [id(LOIN)]);
      assert.deepEqual(recall.affected.subjects.map((s: { id: string }) => s.id).sort(), [actors.plant!.subjectId, actors.market!.subjectId].sort());
      assert.deepEqual(recall.affected.lots, [id(LOIN)]);
      assert.deepEqual(recall.affected.items, [...SERIALS, CASE_A, CASE_B, PALLET].map(id).sort(), 'four serials, two cases, a pallet');
      assert.ok(recall.affected.quantities.some((q: { uom: string; quantity: number }) => q.uom === 'KGM' && q.quantity === 20));

      const marketNotices = (await call(t.app, 'GET', '/api/v1/notices', { key: actors.market!.operator })).json.items;
      assert.equal(marketNotices.length, 1);
      assert.equal(marketNotices[0].recallId, recall.id);
      assert.ok(marketNotices[0].holdings.includes(id(PALLET)), 'the market holds the pallet');
      assert.deepEqual((await call(t.app, 'GET', '/api/v1/notices', { key: actors.farm!.admin })).json.items, [], 'the farm is upstream');
      const stranger = await subjectWithKey(t.app);
      assert.deepEqual((await call(t.app, 'GET', '/api/v1/notices', { key: stranger.key })).json.items, []);

      // Recalled codes say so wherever looked up.
      const trace = (await call(t.app, 'GET', `/api/v1/trace?code=${encodeURIComponent(SERIALS[2]!)}&direction=backward`)).json;
      const serial = trace.nodes.find((n: { code: string }) => n.code === id(SERIALS[2]!));
      assert.deepEqual(serial.recalls.map((r: { id: string }) => r.id), [recall.id]);
      const farmLot = trace.nodes.find((n: { code: string }) => n.code === id(RAW));
      assert.deepEqual(farmLot.recalls, [], 'upstream is not recalled');
      const query = (await call(t.app, 'GET', `/epcis/events?MATCH_epc=${encodeURIComponent(id(SERIALS[2]!))}`, { key: actors.plant!.operator })).json;
      assert.ok(query.epcisBody.queryResults.resultsBody.eventList.length > 0);
      assert.ok(query['@context'].some((c: unknown) => typeof c === 'object' && (c as Record<string, string>).zhuisu === 'urn:zhuisu:vocab:'), 'the note is in a declared namespace');
      const noted = query['zhuisu:recalled'].find((r: { code: string }) => r.code === id(SERIALS[2]!));
      assert.deepEqual(noted.recalls.map((r: { id: string }) => r.id), [recall.id], 'an event query names the recalled codes its events name');
      assert.ok(!query['zhuisu:recalled'].some((r: { code: string }) => r.code === id(RAW)));
      const upstream = (await call(t.app, 'GET', `/epcis/events?MATCH_anyEPCClass=${encodeURIComponent(id(RAW))}`)).json;
      assert.ok(upstream.epcisBody.queryResults.resultsBody.eventList.length > 0);
      assert.deepEqual(upstream['zhuisu:recalled'].map((r: { code: string }) => r.code), [id(LOIN)], 'the transformation that made the loin names it; the farm lot it came from is not recalled');

      // Who sees the recall whole.
      assert.equal((await call(t.app, 'GET', `/api/v1/recalls/${recall.id}`, { key: actors.plant!.operator })).status, 200, 'the initiator subject');
      assert.equal((await call(t.app, 'GET', `/api/v1/recalls/${recall.id}`, { key: regulator })).status, 200, 'a regulator of an affected region');
      assert.equal((await call(t.app, 'GET', `/api/v1/recalls/${recall.id}`, { key: outOfRegion })).status, 403);
      assert.equal((await call(t.app, 'GET', `/api/v1/recalls/${recall.id}`, { key: actors.market!.admin })).status, 403, 'an affected subject sees its notice only');
      assert.deepEqual((await call(t.app, 'GET', '/api/v1/recalls', { key: actors.market!.admin })).json.items, []);
      assert.deepEqual((await call(t.app, 'GET', '/api/v1/recalls', { key: regulator })).json.items.map((r: { id: string }) => r.id), [recall.id]);

      // The market answers its notice; a sale of a recalled serial after the recall is flagged.
      const answered = await call(t.app, 'POST', `/api/v1/notices/${marketNotices[0].id}/acknowledge`, { key: actors.market!.operator, body: { found: [{ quantity: 4, uom: 'EA' }], returned: [{ quantity: 3, uom: 'EA' }], destroyed: [{ quantity: 1, uom: 'EA' }], note: '已下架' } });
      assert.equal(answered.status, 200, answered.body);
      assert.equal(answered.json.status, 'acknowledged');
      assert.equal((await call(t.app, 'POST', `/api/v1/notices/${marketNotices[0].id}/acknowledge`, { key: actors.plant!.operator, body: {} })).status, 403, 'only the addressee answers');
      const sale = objectEvent({ eventTime: new Date().toISOString(), action: 'OBSERVE', bizStep: 'retail_selling', disposition: 'retail_sold', epcList: [SERIALS[0]], readPoint: { id: sgln(0, MARKET) }, bizLocation: { id: sgln(0, MARKET) } });
      assert.equal((await call(t.app, 'POST', '/epcis/capture', { key: actors.market!.operator, body: epcisDocument([sale]) })).status, 202);
      const progress = (await call(t.app, 'GET', `/api/v1/recalls/${recall.id}/progress`, { key: actors.plant!.admin })).json;
      assert.equal(progress.notices, 2);
      assert.equal(progress.acknowledged, 1);
      assert.deepEqual(progress.recovered, [{ quantity: 8, uom: 'EA' }]);
      assert.equal(progress.flagged.length, 1);
      assert.equal(progress.flagged[0].bizStep, 'retail_selling');
      assert.deepEqual(progress.flagged[0].codes, [id(SERIALS[0]!)]);

      const closed = await call(t.app, 'POST', `/api/v1/recalls/${recall.id}/close`, { key: actors.plant!.admin, body: { note: '全部召回' } });
      assert.equal(closed.status, 200, closed.body);
      assert.equal(closed.json.status, 'closed');
      assert.equal((await call(t.app, 'POST', `/api/v1/recalls/${recall.id}/close`, { key: actors.plant!.admin, body: {} })).status, 409);
      const after = (await call(t.app, 'GET', `/api/v1/trace?code=${encodeURIComponent(SERIALS[2]!)}&direction=backward`)).json;
      assert.deepEqual(after.nodes.find((n: { code: string }) => n.code === id(SERIALS[2]!)).recalls, [], 'a closed recall no longer marks its codes');
      assert.equal((await call(t.app, 'GET', `/epcis/events?MATCH_epc=${encodeURIComponent(id(SERIALS[2]!))}`)).json['zhuisu:recalled'], undefined);
    });

    test('who may recall what, and bad input', async () => {
      const refused = await call(t.app, 'POST', '/api/v1/recalls', { key: actors.market!.admin, body: { codes: [LOIN], reason: 'x' } });
      assert.equal(refused.status, 403, 'the market does not own the plant\'s goods');
      assert.equal(refused.json.code, 'not-your-goods');
      assert.equal((await call(t.app, 'POST', '/api/v1/recalls', { key: actors.plant!.operator, body: { codes: [LOIN], reason: 'x' } })).status, 403, 'operators do not recall');
      const ordered = await call(t.app, 'POST', '/api/v1/recalls', { key: regulator, body: { codes: [PALLET], reason: '抽检不合格', kind: 'stop_trade' } });
      assert.equal(ordered.status, 201, ordered.body);
      assert.equal(ordered.json.kind, 'stop_trade');
      assert.deepEqual(ordered.json.affected.subjects.map((s: { id: string }) => s.id).sort(), [actors.plant!.subjectId, actors.market!.subjectId].sort(), 'a stop-trade of the pallet reaches everyone who held it');
      for (const body of [{ codes: [], reason: 'x' }, { codes: [LOIN], reason: '' }, { codes: [LOIN], reason: 'x', level: 4 }, { codes: ['not a code'], reason: 'x' }, { codes: [LOIN], reason: 'x', kind: 'stop_trade', level: 1 }]) {
        const response = await call(t.app, 'POST', '/api/v1/recalls', { key: regulator, body });
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.equal(response.headers['content-type'], 'application/problem+json');
      }
      void at;
    });
  });
}

for (const dialect of TEST_DIALECTS) {
  describe(`automatic stop-trade on ${dialect}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await startTestPlatform(dialect, { ZHUISU_AUTO_STOP_TRADE: '1' });
    });
    after(() => t.close());

    test('a failed inspection orders a stop-trade of what it names, reaching every holder downstream', async () => {
      const market = await subjectWithKey(t.app, { subject: subjectBody({ regionCode: '110105' }) });
      assert.equal((await call(t.app, 'POST', `/api/v1/subjects/${market.subject.id}/locations`, { body: locationBody({ gln: glnOf(MARKET), regionCode: '110105' }) })).status, 201);
      assert.equal((await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument(chain()) })).status, 202);
      const passed = objectEvent({ eventTime: at(10), action: 'OBSERVE', bizStep: 'inspecting', disposition: 'conformant', epcList: [PALLET], readPoint: { id: sgln(0, MARKET) } });
      assert.equal((await call(t.app, 'POST', '/epcis/capture', { key: market.key, body: epcisDocument([passed]) })).status, 202);
      assert.deepEqual((await call(t.app, 'GET', '/api/v1/recalls')).json.items, [], 'a passed inspection orders nothing');
      const failed = objectEvent({ eventTime: at(11), action: 'OBSERVE', bizStep: 'inspecting', disposition: 'non_conformant', epcList: [PALLET], readPoint: { id: sgln(0, MARKET) } });
      assert.equal((await call(t.app, 'POST', '/epcis/capture', { key: market.key, body: epcisDocument([failed]) })).status, 202);
      const [order] = (await call(t.app, 'GET', '/api/v1/recalls')).json.items;
      assert.equal(order.kind, 'stop_trade');
      assert.deepEqual(order.roots, [id(PALLET)]);
      assert.ok(order.affected.subjects.some((s: { id: string }) => s.id === market.subject.id));
      const notices = (await call(t.app, 'GET', '/api/v1/notices', { key: market.key })).json.items;
      assert.equal(notices.length, 1);
      assert.equal(notices[0].recall.kind, 'stop_trade');
    });
  });
}
