import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SERIALS, chain, registerChainParties, scanned, type ChainParty } from '../builders/chains.js';
import { epcisDocument } from '../builders/epcis.js';
import { productBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, userKey, type TestPlatform } from '../support/platform.js';

/**
 * 投诉举报 from a code's page: anyone complains, the regulators of the goods' region read it with the contact, others
 * do not, and a refused complaint writes nothing.
 */
for (const dialect of TEST_DIALECTS) {
  describe(`consumer complaints (${dialect})`, () => {
    let t: TestPlatform;
    let plant: ChainParty;
    const serial = `(01)${scanned(SERIALS[0]!).fields.gtin}(21)S1`;
    const post = (body: Record<string, unknown>, address = '10.1.0.1') =>
      t.app.inject({ method: 'POST', url: '/api/v1/complaints', remoteAddress: address, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const count = async () => (await call(t.app, 'GET', '/api/v1/complaints?limit=500')).json.items.length as number;

    before(async () => {
      t = await startTestPlatform(dialect);
      const parties = await registerChainParties(t.app);
      plant = parties.plant;
      const gtin = scanned(SERIALS[0]!).fields.gtin!;
      assert.equal((await call(t.app, 'POST', `/api/v1/subjects/${plant.subjectId}/products`, { key: plant.admin, body: productBody({ gtin, name: '冷鲜猪里脊 500g' }) })).status, 201);
      assert.equal((await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument(chain()) })).status, 202);
    });
    after(async () => t?.close());

    test('a complaint about a code goes to the regulators of its region, with the contact only for them', async () => {
      const sent = await post({ code: serial, text: '包装破损，肉有异味', contact: '138 0013 8000' });
      assert.equal(sent.statusCode, 201, sent.body);
      const complaint = sent.json();
      assert.equal(complaint.productName, '冷鲜猪里脊 500g');
      assert.equal(complaint.contact, null, 'the sender is not told the contact back');
      assert.match(complaint.code, /^https:\/\/id\.gs1\.org\/01\/\d{14}\/21\/S1$/);
      assert.ok(complaint.regionCode, 'the goods have a supervising region');

      const inRegion = await userKey(t.app, 'regulator', { regionPrefix: complaint.regionCode.slice(0, 4), departments: ['market_regulation'] });
      const outOfRegion = await userKey(t.app, 'regulator', { regionPrefix: complaint.regionCode.startsWith('11') ? '31' : '11', departments: ['market_regulation'] });
      const auditor = await userKey(t.app, 'auditor');
      const seen = (await call(t.app, 'GET', '/api/v1/complaints', { key: inRegion })).json.items;
      assert.deepEqual(seen.map((c: { id: string }) => c.id), [complaint.id]);
      assert.equal(seen[0].contact, '13800138000');
      assert.deepEqual((await call(t.app, 'GET', '/api/v1/complaints', { key: outOfRegion })).json.items, []);
      assert.equal((await call(t.app, 'GET', `/api/v1/complaints/${complaint.id}`, { key: outOfRegion })).status, 403);
      assert.equal((await call(t.app, 'GET', `/api/v1/complaints/${complaint.id}`, { key: plant.admin })).status, 403);
      assert.equal((await call(t.app, 'GET', `/api/v1/complaints/${complaint.id}`, { key: auditor })).json.contact, null, 'auditors read, without the contact');
      assert.equal((await call(t.app, 'GET', '/api/v1/complaints', { key: null })).status, 401);

      // The contact is sealed at rest, never stored as typed.
      const stored = await t.platform.database.db.selectFrom('complaints').select('contact_sealed').where('id', '=', complaint.id).executeTakeFirstOrThrow();
      assert.ok(stored.contact_sealed && !stored.contact_sealed.includes('13800138000'));

      assert.equal((await call(t.app, 'POST', `/api/v1/complaints/${complaint.id}/handle`, { key: auditor, body: { note: '已核查' } })).status, 403);
      const handled = await call(t.app, 'POST', `/api/v1/complaints/${complaint.id}/handle`, { key: inRegion, body: { note: '已责令下架，约谈企业' } });
      assert.equal(handled.status, 200, handled.body);
      assert.equal(handled.json.status, 'handled');
      assert.equal((await call(t.app, 'POST', `/api/v1/complaints/${complaint.id}/handle`, { key: inRegion, body: { note: '再次' } })).status, 409);
    });

    test('a code nobody holds is taken too, for the platform staff; unreadable codes, empty text and bad phones write nothing', async () => {
      const before = await count();
      const unknown = await post({ code: '(01)06901234567892(21)NOWHERE', text: '扫码查不到任何信息，怀疑假冒' }, '10.1.1.1');
      assert.equal(unknown.statusCode, 201, unknown.body);
      assert.equal(unknown.json().regionCode, null);
      for (const [body, code] of [
        [{ code: '(01)06901234567893(21)X', text: '校验位错误的码' }, 'unreadable-code'],
        [{ code: serial, text: '坏' }, 'invalid-complaint'],
        [{ code: serial, text: '包装破损严重', contact: '12345' }, 'invalid-contact'],
      ] as const) {
        const refused = await post(body, '10.1.1.2');
        assert.equal(refused.statusCode, 400, refused.body);
        assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
        assert.equal(refused.json().code, code);
      }
      assert.equal(await count(), before + 1);
    });

    test('the page form works without scripts and answers with a page; an address sending many is slowed', async () => {
      const page = await call(t.app, 'GET', `/01/${scanned(SERIALS[0]!).fields.gtin}/21/S1`, { key: null });
      assert.match(page.body, /<form method="post" action="\/complaints">/);
      const form = (fields: Record<string, string>, address: string) =>
        t.app.inject({ method: 'POST', url: '/complaints', remoteAddress: address, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
      const received = await form({ code: serial, text: '价格标签与实际不符', lang: 'zh-CN' }, '10.1.2.1');
      assert.equal(received.statusCode, 201);
      assert.match(received.body, /投诉已收到/);
      const refused = await form({ code: serial, text: '短', lang: 'en' }, '10.1.2.1');
      assert.equal(refused.statusCode, 400);
      assert.match(refused.body, /could not be sent/);
      for (let i = 1; i <= 30; i++) assert.equal((await post({ code: serial, text: `第 ${i} 次投诉内容` }, '10.1.3.1')).statusCode, 201, 'thirty an hour are taken');
      const throttled = await post({ code: serial, text: '第 31 次投诉内容' }, '10.1.3.1');
      assert.equal(throttled.statusCode, 429);
      assert.ok(Number(throttled.headers['retry-after']) > 0);
    });
  });
}
