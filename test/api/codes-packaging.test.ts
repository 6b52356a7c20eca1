import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { productBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, subjectWithKey, type TestPlatform } from '../support/platform.js';

const username = () => `u${Math.random().toString(36).slice(2, 10)}`;
const at = (day: number, hour: number) => `2026-11-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+08:00`;

for (const dialect of TEST_DIALECTS) {
  describe(`packaging hierarchy on ${dialect}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await startTestPlatform(dialect);
    });
    after(() => t.close());

    async function enterprise() {
      const { subject, key } = await subjectWithKey(t.app);
      const product = (await call(t.app, 'POST', `/api/v1/subjects/${subject.id}/products`, { body: productBody({ gtin: null, localCode: `P${Math.random().toString(36).slice(2, 8)}` }) })).json;
      const issued = (await call(t.app, 'POST', '/api/v1/codes/issue', { key, body: { scheme: 'platform-code', productId: product.id, quantity: 9 } })).json;
      const codes = (await call(t.app, 'GET', `/api/v1/codes/batches/${issued.batch.id}/codes`, { key })).json.items as { code: string; text: string; link: string }[];
      return { key, codes };
    }

    test('units into cases into a pallet; contents and containers now and as of an earlier time', async () => {
      const { key, codes } = await enterprise();
      const [u1, u2, u3, u4, u5, u6, caseA, caseB, pallet] = codes;
      const pack = (parent: { text: string }, children: { link: string }[], time: string) => call(t.app, 'POST', '/api/v1/codes/pack', { key, body: { parent: parent.text, children: children.map((c) => c.link), at: time } });
      for (const [parent, children, time] of [[caseA, [u1, u2, u3], at(1, 8)], [caseB, [u4, u5, u6], at(1, 9)], [pallet, [caseA, caseB], at(1, 10)]] as const) {
        const packed = await pack(parent!, children as never, time);
        assert.equal(packed.status, 201, packed.body);
        assert.ok(packed.json.eventId);
      }
      const contents = (await call(t.app, 'GET', `/api/v1/codes/contents?code=${encodeURIComponent(pallet!.text)}`, { key })).json;
      const sorted = (list: { code: string }[]) => list.map((c) => c.code).sort();
      assert.deepEqual(contents.children.map((c: any) => c.code), sorted([caseA!, caseB!]));
      const a = contents.children.find((c: any) => c.code === caseA!.code);
      assert.deepEqual(a.children.map((c: any) => c.code), sorted([u1!, u2!, u3!]));
      const containers = (await call(t.app, 'GET', `/api/v1/codes/containers?code=${encodeURIComponent(u2!.link)}`, { key })).json;
      assert.deepEqual(containers.containers, [caseA!.code, pallet!.code]);

      const unpacked = await call(t.app, 'POST', '/api/v1/codes/unpack', { key, body: { parent: caseA!.text, children: [u2!.text], at: at(2, 8) } });
      assert.equal(unpacked.status, 201, unpacked.body);
      assert.deepEqual((await call(t.app, 'GET', `/api/v1/codes/containers?code=${encodeURIComponent(u2!.text)}`, { key })).json.containers, []);
      const before = (await call(t.app, 'GET', `/api/v1/codes/containers?code=${encodeURIComponent(u2!.text)}&at=${encodeURIComponent(at(1, 12))}`, { key })).json;
      assert.deepEqual(before.containers, [caseA!.code, pallet!.code], 'as of the day before the unpacking');
      assert.deepEqual((await call(t.app, 'GET', `/api/v1/codes/contents?code=${encodeURIComponent(caseA!.text)}&at=${encodeURIComponent(at(1, 9))}`, { key })).json.children.length, 3);
      assert.deepEqual((await call(t.app, 'GET', `/api/v1/codes/contents?code=${encodeURIComponent(pallet!.text)}&at=${encodeURIComponent(at(1, 9))}`, { key })).json.children, [], 'the pallet was packed at 10:00');

      const twice = await pack(caseB!, [u1!], at(2, 9));
      assert.equal(twice.status, 409);
      assert.equal(twice.json.code, 'already-packed');
      const loop = await pack(caseA!, [pallet!], at(2, 9));
      assert.equal(loop.status, 409);
      assert.equal(loop.json.code, 'packing-loop');
      assert.equal((await call(t.app, 'POST', '/api/v1/codes/unpack', { key, body: { parent: caseA!.text, children: [u4!.text] } })).status, 409, 'u4 is not in case A');

      // Emptying the pallet (no children named) releases both cases; the units stay in their cases.
      assert.equal((await call(t.app, 'POST', '/api/v1/codes/unpack', { key, body: { parent: pallet!.text, at: at(3, 8) } })).status, 201);
      assert.deepEqual((await call(t.app, 'GET', `/api/v1/codes/containers?code=${encodeURIComponent(u5!.text)}`, { key })).json.containers, [caseB!.code]);
      assert.deepEqual((await call(t.app, 'GET', `/api/v1/codes/contents?code=${encodeURIComponent(pallet!.text)}`, { key })).json.children, []);
    });

    test('another subject sees nothing of the hierarchy and cannot record into it; bad input is a problem', async () => {
      const owner = await enterprise();
      const stranger = await enterprise();
      const [unit, box] = owner.codes;
      assert.equal((await call(t.app, 'POST', '/api/v1/codes/pack', { key: owner.key, body: { parent: box!.text, children: [unit!.text], at: at(5, 8) } })).status, 201);
      assert.deepEqual((await call(t.app, 'GET', `/api/v1/codes/contents?code=${encodeURIComponent(box!.text)}`, { key: stranger.key })).json.children, []);
      assert.deepEqual((await call(t.app, 'GET', `/api/v1/codes/containers?code=${encodeURIComponent(unit!.text)}`, { key: stranger.key })).json.containers, []);
      for (const body of [
        { parent: box!.text, children: [] },
        { parent: box!.text, children: [box!.text] },
        { parent: box!.text, children: [unit!.text, unit!.link] },
        { parent: 'not a code', children: [unit!.text] },
        { parent: box!.text, children: [unit!.text], at: 'yesterday' },
      ]) {
        const response = await call(t.app, 'POST', '/api/v1/codes/pack', { key: owner.key, body });
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.body}`);
        assert.equal(response.headers['content-type'], 'application/problem+json');
      }
      assert.equal((await call(t.app, 'POST', '/api/v1/codes/pack', { key: null, body: { parent: box!.text, children: [unit!.text] } })).status, 401);
      const viewer = (await call(t.app, 'POST', '/api/v1/users', { body: { username: username(), role: 'regulator', regionPrefix: '33', departments: ['market_regulation'] } })).json;
      const regulatorKey = (await call(t.app, 'POST', `/api/v1/users/${viewer.id}/keys`, { body: { name: 'r' } })).json.secret as string;
      assert.ok(regulatorKey, 'the regulator has a key');
      assert.equal((await call(t.app, 'POST', '/api/v1/codes/pack', { key: regulatorKey, body: { parent: box!.text, children: [unit!.text] } })).status, 403);
    });
  });
}
