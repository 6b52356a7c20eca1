import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hasValidCheckDigit } from '../../src/codes/gs1/check-digit.js';
import { parseCodeUri } from '../../src/codes/code-uri.js';
import { scanCode } from '../../src/codes/registry.js';
import { buildPesticideUnitCode, buildVetDrugCode } from '../builders/codes.js';
import { buildCompanyPrefix, buildGtin, productBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, subjectWithKey, type TestPlatform } from '../support/platform.js';

for (const dialect of TEST_DIALECTS) {
  describe(`code issuance on ${dialect}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await startTestPlatform(dialect);
    });
    after(() => t.close());

    /** A subject with a GS1 company prefix, a product under it, and an operator key. */
    async function enterprise(options: { gtin?: boolean } = {}) {
      const prefix = buildCompanyPrefix();
      const { subject, key } = await subjectWithKey(t.app, { subject: { companyPrefixes: [prefix] } });
      const product = (await call(t.app, 'POST', `/api/v1/subjects/${subject.id}/products`, { body: options.gtin === false ? productBody({ gtin: null, localCode: `L${Math.random().toString(36).slice(2, 8)}` }) : productBody({ gtin: buildGtin(prefix) }) })).json;
      return { prefix, subject, product, key };
    }

    async function allCodes(key: string, batchId: string) {
      const codes: any[] = [];
      let cursor: string | null = null;
      do {
        const page = await call(t.app, 'GET', `/api/v1/codes/batches/${batchId}/codes?limit=400${cursor ? `&cursor=${cursor}` : ''}`, { key });
        assert.equal(page.status, 200, page.body);
        codes.push(...page.json.items);
        cursor = page.json.nextCursor;
      } while (cursor);
      return codes;
    }

    async function eventsNaming(key: string, code: string) {
      const response = await call(t.app, 'GET', `/epcis/events?MATCH_anyEPC=${encodeURIComponent(code)}`, { key });
      assert.equal(response.status, 200, response.body);
      return response.json.epcisBody.queryResults.resultsBody.eventList as any[];
    }

    test('GS1 serials: unique random serials under the product GTIN, recorded by commissioning events with lot and expiry', async () => {
      const { product, key } = await enterprise();
      const issued = await call(t.app, 'POST', '/api/v1/codes/issue', { key, body: { scheme: 'gs1-sgtin', productId: product.id, quantity: 1_200, lot: 'LOT-2026A', expiry: '2027-06-30' } });
      assert.equal(issued.status, 201, issued.body);
      assert.equal(issued.json.batch.quantity, 1_200);
      assert.equal(issued.json.eventIds.length, 1);
      const codes = await allCodes(key, issued.json.batch.id);
      assert.equal(codes.length, 1_200);
      assert.equal(new Set(codes.map((c) => c.code)).size, 1_200);
      for (const code of codes.slice(0, 50)) {
        const match = /^https:\/\/id\.gs1\.org\/01\/(\d{14})\/21\/([0-9A-HJKMNP-TV-Z]{12})$/.exec(code.code);
        assert.ok(match, code.code);
        assert.equal(match[1], product.gtin);
        assert.equal(code.text, `(01)${product.gtin}(21)${match[2]}`);
        assert.equal(code.link, `http://localhost:8080/01/${product.gtin}/21/${match[2]}`);
        assert.equal(code.status, 'issued');
      }
      const [event] = await eventsNaming(key, codes[7].code);
      assert.equal(event.bizStep, 'commissioning');
      assert.equal(event.action, 'ADD');
      assert.equal(event.epcList.length, 1_200);
      assert.equal(event.ilmd['cbvmda:lotNumber'], 'LOT-2026A');
      assert.equal(event.ilmd['cbvmda:itemExpirationDate'], '2027-06-30');
    });

    test('more than 10,000 codes are recorded in events of at most 10,000 codes each', async () => {
      const { product, key } = await enterprise();
      const issued = await call(t.app, 'POST', '/api/v1/codes/issue', { key, body: { scheme: 'platform-code', productId: product.id, quantity: 20_001 } });
      assert.equal(issued.status, 201, issued.body);
      assert.equal(issued.json.eventIds.length, 3);
      const sizes = [];
      for (const id of issued.json.eventIds) {
        const event = (await call(t.app, 'GET', `/epcis/events/${encodeURIComponent(id)}`, { key })).json;
        sizes.push(event.epcList.length);
      }
      assert.deepEqual(sizes, [10_000, 10_000, 1]);
    });

    test('platform codes: region of the subject, valid check character, readable back by the scanner from their link', async () => {
      const { product, subject, key } = await enterprise({ gtin: false });
      const issued = await call(t.app, 'POST', '/api/v1/codes/issue', { key, body: { scheme: 'platform-code', productId: product.id, quantity: 30 } });
      assert.equal(issued.status, 201, issued.body);
      const codes = await allCodes(key, issued.json.batch.id);
      for (const code of codes) {
        const uri = parseCodeUri(code.code);
        assert.equal(uri?.scheme, 'platform-code');
        assert.equal(code.text, uri.code);
        assert.ok(code.text.startsWith(subject.regionCode));
        const scanned = scanCode(code.link);
        assert.ok(scanned.ok, code.link);
        assert.equal(scanned.readings[0]!.canonical, code.text);
      }
    });

    test('SSCCs: drawn in order under the subject prefix, never twice across batches', async () => {
      const { prefix, subject, key } = await enterprise();
      const first = await call(t.app, 'POST', '/api/v1/codes/issue', { key, body: { scheme: 'gs1-sscc', subjectId: subject.id, quantity: 3, extensionDigit: 3 } });
      const second = await call(t.app, 'POST', '/api/v1/codes/issue', { key, body: { scheme: 'gs1-sscc', quantity: 2, extensionDigit: 3 } });
      assert.equal(first.status, 201, first.body);
      assert.equal(second.status, 201, second.body);
      const ssccs = [...(await allCodes(key, first.json.batch.id)), ...(await allCodes(key, second.json.batch.id))].map((c) => c.text.slice(4));
      assert.equal(new Set(ssccs).size, 5);
      const references = ssccs.map((sscc) => {
        assert.ok(hasValidCheckDigit(sscc), sscc);
        assert.equal(sscc.slice(0, 1 + prefix.length), `3${prefix}`);
        return Number(sscc.slice(1 + prefix.length, 17));
      });
      assert.deepEqual(references, [0, 1, 2, 3, 4]);
    });

    test('the platform mints only under prefixes the subject owns, and refuses bad requests without writing', async () => {
      const { product, key } = await enterprise();
      const other = await enterprise();
      const foreignGtin = (await call(t.app, 'POST', `/api/v1/subjects/${other.subject.id}/products`, { body: productBody({ gtin: buildGtin(buildCompanyPrefix()) }) })).json;
      const otherKey = other.key;
      const notOwner = await call(t.app, 'POST', '/api/v1/codes/issue', { key: otherKey, body: { scheme: 'gs1-sgtin', productId: foreignGtin.id, quantity: 5 } });
      assert.equal(notOwner.status, 403, notOwner.body);
      assert.equal(notOwner.json.code, 'not-prefix-owner');
      assert.equal((await call(t.app, 'POST', '/api/v1/codes/issue', { key: otherKey, body: { scheme: 'gs1-sgtin', productId: product.id, quantity: 5 } })).status, 403, "another subject's product");
      const noGtin = (await enterprise({ gtin: false }));
      const gtinless = await call(t.app, 'POST', '/api/v1/codes/issue', { key: noGtin.key, body: { scheme: 'gs1-sgtin', productId: noGtin.product.id, quantity: 5 } });
      assert.equal(gtinless.status, 400);
      assert.equal(gtinless.json.code, 'gtin-required');
      for (const body of [
        { scheme: 'gs1-sgtin', productId: product.id, quantity: 0 },
        { scheme: 'gs1-sgtin', productId: product.id, quantity: 5, expiry: '2027-02-30' },
        { scheme: 'gs1-sgtin', productId: product.id, quantity: 5, lot: 'LOT 中文' },
        { scheme: 'vet-drug-code', productId: product.id, quantity: 5 },
        { scheme: 'gs1-sgtin', productId: product.id, quantity: 1_000_001 },
      ]) {
        const response = await call(t.app, 'POST', '/api/v1/codes/issue', { key, body });
        assert.ok(response.status === 400 || response.status === 413, `${JSON.stringify(body)} → ${response.status}`);
        assert.equal(response.headers['content-type'], 'application/problem+json');
      }
      const batches = await call(t.app, 'GET', '/api/v1/codes/batches', { key });
      assert.deepEqual(batches.json.items, [], 'nothing was issued');
    });

    test('voiding keeps the code registered for ever and records a decommissioning event; a second void reports it', async () => {
      const { product, key } = await enterprise();
      const issued = (await call(t.app, 'POST', '/api/v1/codes/issue', { key, body: { scheme: 'gs1-sgtin', productId: product.id, quantity: 4 } })).json;
      const codes = await allCodes(key, issued.batch.id);
      const scannedForm = codes[0].text; // the bracketed element string as a scanner's HRI would give it
      const voided = await call(t.app, 'POST', '/api/v1/codes/void', { key, body: { codes: [codes[1].link], reason: '标签损坏' } });
      assert.equal(voided.status, 200, voided.body);
      assert.deepEqual(voided.json.voided, [codes[1].code]);
      const again = await call(t.app, 'POST', '/api/v1/codes/void', { key, body: { codes: [codes[1].code] } });
      assert.deepEqual(again.json.alreadyVoid, [codes[1].code]);
      assert.deepEqual(again.json.voided, []);
      const registry = await call(t.app, 'GET', `/api/v1/codes/registry?code=${encodeURIComponent(codes[1].link)}`, { key });
      assert.equal(registry.json.status, 'void');
      assert.equal(registry.json.batch.id, issued.batch.id);
      const events = await eventsNaming(key, codes[1].code);
      assert.deepEqual(events.map((e) => e.bizStep), ['commissioning', 'decommissioning']);
      assert.equal(events[1].action, 'DELETE');

      const stranger = await enterprise();
      assert.equal((await call(t.app, 'POST', '/api/v1/codes/void', { key: stranger.key, body: { codes: [codes[2].code] } })).status, 403);
      assert.equal((await call(t.app, 'GET', `/api/v1/codes/registry?code=${encodeURIComponent(codes[2].code)}`, { key: stranger.key })).status, 403);
      const unknown = await call(t.app, 'POST', '/api/v1/codes/void', { key, body: { codes: [codes[3].code, `https://id.gs1.org/01/${product.gtin}/21/NEVERISSUED`] } });
      assert.equal(unknown.status, 404);
      assert.equal((await call(t.app, 'GET', `/api/v1/codes/registry?code=${encodeURIComponent(codes[3].code)}`, { key })).json.status, 'issued', 'a refused void changes nothing');
      void scannedForm;
    });

    test('authority codes are imported all or none, each validated in its scheme, and never twice', async () => {
      const { product, key } = await enterprise({ gtin: false });
      const vet = [buildVetDrugCode(), buildVetDrugCode(), buildVetDrugCode()];
      const imported = await call(t.app, 'POST', '/api/v1/codes/import', { key, body: { scheme: 'vet-drug-code', productId: product.id, codes: vet, lot: '250301' } });
      assert.equal(imported.status, 201, imported.body);
      const codes = await allCodes(key, imported.json.batch.id);
      assert.deepEqual(codes.map((c) => c.text), vet);
      assert.deepEqual(codes.map((c) => c.code), vet.map((v) => `urn:zhuisu:vet-drug-code:${v}`));
      const [event] = await eventsNaming(key, codes[0].code);
      assert.equal(event.bizStep, 'commissioning');

      const again = await call(t.app, 'POST', '/api/v1/codes/import', { key, body: { scheme: 'vet-drug-code', productId: product.id, codes: [buildVetDrugCode(), vet[1]] } });
      assert.equal(again.status, 409);
      assert.equal(again.json.code, 'code-registered');
      assert.equal(again.json.errors[0].pointer, '/codes/1');
      const fresh = buildVetDrugCode();
      const bad = await call(t.app, 'POST', '/api/v1/codes/import', { key, body: { scheme: 'vet-drug-code', productId: product.id, codes: [fresh, '20251340' + '12345' + '00000000000', fresh] } });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.json.errors.map((e: any) => e.pointer), ['/codes/1', '/codes/2']);
      assert.match(bad.json.errors[0].message, /date|month/i);
      const wrongScheme = await call(t.app, 'POST', '/api/v1/codes/import', { key, body: { scheme: 'pesticide-unit-code', productId: product.id, codes: [fresh] } });
      assert.equal(wrongScheme.status, 400);
      const registry = await call(t.app, 'GET', `/api/v1/codes/registry?code=${fresh}`, { key });
      assert.equal(registry.status, 404, 'the refused imports registered nothing');

      const pesticide = buildPesticideUnitCode();
      const qr = `https://trace.example.cn/p?code=${pesticide}`;
      const fromLabel = await call(t.app, 'POST', '/api/v1/codes/import', { key, body: { scheme: 'pesticide-qr', productId: product.id, codes: [qr] } });
      assert.equal(fromLabel.status, 201, fromLabel.body);
      assert.equal((await call(t.app, 'GET', `/api/v1/codes/registry?code=${pesticide}`, { key })).json.code, `urn:zhuisu:pesticide-unit-code:${pesticide}`, 'the label payload and the bare unit code name the same package');
    });

    test('a recalled code says so when looked up in the registry', async () => {
      const prefix = buildCompanyPrefix();
      const { subject, key } = await subjectWithKey(t.app, { role: 'subject_admin', subject: { companyPrefixes: [prefix] } });
      const product = (await call(t.app, 'POST', `/api/v1/subjects/${subject.id}/products`, { body: productBody({ gtin: buildGtin(prefix) }) })).json;
      const issued = (await call(t.app, 'POST', '/api/v1/codes/issue', { key, body: { scheme: 'gs1-sgtin', productId: product.id, quantity: 2 } })).json;
      const codes = await allCodes(key, issued.batch.id);
      const recall = await call(t.app, 'POST', '/api/v1/recalls', { key, body: { codes: [codes[0].text], reason: '包装破损' } });
      assert.equal(recall.status, 201, recall.body);
      const lookup = async (code: string) => (await call(t.app, 'GET', `/api/v1/codes/registry?code=${encodeURIComponent(code)}`, { key })).json.recalls;
      assert.deepEqual((await lookup(codes[0].link)).map((r: { id: string }) => r.id), [recall.json.id]);
      assert.deepEqual(await lookup(codes[1].code), []);
    });

    test('batches are listed for their subject only', async () => {
      const a = await enterprise();
      const b = await enterprise();
      const issued = (await call(t.app, 'POST', '/api/v1/codes/issue', { key: a.key, body: { scheme: 'gs1-sgtin', productId: a.product.id, quantity: 1 } })).json;
      assert.deepEqual((await call(t.app, 'GET', '/api/v1/codes/batches', { key: a.key })).json.items.map((x: any) => x.id), [issued.batch.id]);
      assert.deepEqual((await call(t.app, 'GET', '/api/v1/codes/batches', { key: b.key })).json.items, []);
      assert.equal((await call(t.app, 'GET', `/api/v1/codes/batches/${issued.batch.id}`, { key: b.key })).status, 403);
      assert.equal((await call(t.app, 'GET', `/api/v1/codes/batches/${issued.batch.id}/codes`, { key: b.key })).status, 403);
    });

    test('parse answers every reading or a problem with the reason, and needs no key', async () => {
      const ok = await call(t.app, 'GET', `/api/v1/codes/parse?text=${encodeURIComponent('urn:zhuisu:platform-code:110105' + 'X'.repeat(13))}`, { key: null });
      assert.equal(ok.status, 400);
      assert.equal(ok.headers['content-type'], 'application/problem+json');
      assert.equal(ok.json.code, 'unreadable-code');
      const unknown = await call(t.app, 'GET', '/api/v1/codes/parse?text=1&scheme=nope', { key: null });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.json.code, 'unknown-scheme');
      const schemes = await call(t.app, 'GET', '/api/v1/codes/schemes', { key: null });
      assert.ok(schemes.json.some((s: any) => s.id === 'platform-code'));
    });
  });
}
