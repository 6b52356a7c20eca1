import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { identifierOf } from '../../src/codes/registry.js';
import { ConsumerService } from '../../src/consumer/consumer.service.js';
import { CASE_B, FARM, LOIN, MARKET, PALLET, SERIALS, at, chain, registerChainParties, scanned, type ChainParty } from '../builders/chains.js';
import { aggregationEvent, epcisDocument, objectEvent, pgln, sgln, sgtin } from '../builders/epcis.js';
import { productBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * The consumer page over the hand-built chain of test/builders/chains.ts: a shopper scans a pack of loin (serial S1)
 * and sees the product, the steps back to the farm with their places, the proof, and, from the request after the
 * plant recalls the loin lot, the recall at the top. Also the GS1 resolver conventions, the JSON twin, and the
 * answers to malformed and unknown codes.
 */

const pathOf = (text: string) => identifierOf(scanned(text)).replace('https://id.gs1.org', '');
const html = { accept: 'text/html,application/xhtml+xml' };
const json = { accept: 'application/json' };

for (const dialect of TEST_DIALECTS) {
  describe(`consumer page on ${dialect}`, () => {
    let t: TestPlatform;
    const parties: Partial<Record<'farm' | 'plant' | 'market', ChainParty>> = {};
    const serialPage = pathOf(SERIALS[0]!);
    const page = (url: string, headers: Record<string, string> = html) => call(t.app, 'GET', url, { key: null, headers });

    before(async () => {
      t = await startTestPlatform(dialect);
      Object.assign(parties, await registerChainParties(t.app));
      const gtin = scanned(SERIALS[0]!).fields.gtin!;
      const product = await call(t.app, 'POST', `/api/v1/subjects/${parties.plant!.subjectId}/products`, { key: parties.plant!.admin, body: productBody({ gtin, name: '冷鲜猪里脊 500g' }) });
      assert.equal(product.status, 201, product.body);
      const captured = await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument(chain()) });
      assert.equal(captured.status, 202, captured.body);
    });
    after(() => t.close());

    test('the page of a pack: product, producer, origin, every step back to the farm with its place, verified, no recall', async () => {
      const response = await page(serialPage);
      assert.equal(response.status, 200, response.body);
      assert.match(String(response.headers['content-type']), /^text\/html/);
      assert.ok(Buffer.byteLength(response.body) < 50 * 1024, `the page is ${response.body.length} bytes`);
      assert.match(response.body, /<html lang="zh-CN">/);
      assert.match(response.body, /冷鲜猪里脊 500g/);
      assert.doesNotMatch(response.body, /<script/i, 'the page works without JavaScript');
      assert.doesNotMatch(response.body, /role="alert"/);
      assert.match(response.body, /未发现召回或警示/);
      // Farm lot → shipped → received at the plant → made into loin (the builder's transformation says commissioning) →
      // serials issued → packed into a case → the case onto a pallet → the pallet shipped → received at the market,
      // each where it happened: the pack travelled in the case and the pallet, and their moves are its own.
      const steps = [...response.body.matchAll(/<li><time[^>]*>[^<]*<\/time><strong>([^<]+)<\/strong>(?:[^<]*<br>([^<]*))?/g)].map((m) => [m[1], m[2] ?? '']);
      assert.deepEqual(steps.map(([label]) => label), ['赋码', '发货', '收货', '赋码', '赋码', '包装', '包装', '发货', '收货']);
      assert.match(steps[8]![1]!, /^market · 北京市 朝阳区/);
      assert.match(steps[0]![1]!, /^farm · 浙江省 杭州市 余杭区/);
      assert.match(steps[3]![1]!, /^plant · 浙江省 杭州市 萧山区/);
      assert.match(response.body, /<dt>产地<\/dt><dd>farm · 浙江省 杭州市 余杭区<\/dd>/);
      assert.match(response.body, /<dt>生产者<\/dt><dd>farm/);
      assert.match(response.body, /class="verified">✓ 已验证/);
      assert.match(response.body, /9 条记录在追溯日志中/);
    });

    test('English on request, by parameter or by the browser\'s languages', async () => {
      const byParameter = await page(`${serialPage}?lang=en`);
      assert.match(byParameter.body, /<html lang="en">/);
      assert.match(byParameter.body, /Supply chain/);
      assert.match(byParameter.body, /Received/);
      const byBrowser = await page(serialPage, { ...html, 'accept-language': 'en-GB,en;q=0.9,zh;q=0.5' });
      assert.match(byBrowser.body, /<html lang="en">/);
      const chinese = await page(serialPage, { ...html, 'accept-language': 'fr-FR,zh-TW;q=0.8' });
      assert.match(chinese.body, /<html lang="zh-CN">/);
    });

    test('JSON: the same content, with a recall field, and the proofs one link away', async () => {
      const response = await page(serialPage, json);
      assert.equal(response.status, 200, response.body);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      const body = response.json;
      assert.equal(body.code, identifierOf(scanned(SERIALS[0]!)));
      assert.equal(body.product.name, '冷鲜猪里脊 500g');
      assert.equal(body.recall, null);
      assert.equal(body.verified, true);
      assert.equal(body.steps.length, 9);
      assert.equal(body.origin.region, '浙江省 杭州市 余杭区');
      assert.ok(body.steps.every((step: { leafIndex: number }) => Number.isInteger(step.leafIndex)));
      assert.ok(body.checkpoint.note.includes(`\n${body.checkpoint.treeSize}\n`), 'the signed checkpoint the page shows');
      const proofs = await call(t.app, 'GET', new URL(body.proofs).pathname + new URL(body.proofs).search, { key: null });
      assert.equal(proofs.status, 200, proofs.body);
      assert.deepEqual(proofs.json.steps.map((s: { eventID: string }) => s.eventID), body.steps.map((s: { eventID: string }) => s.eventID));
      assert.ok(proofs.json.steps.every((s: { proof: { entry: string }; eventID: string }) => s.proof.entry.startsWith(`event ${s.eventID} `)));
    });

    test('a recall shows at the top from the next request on, in the page and in its JSON', async () => {
      const created = await call(t.app, 'POST', '/api/v1/recalls', { key: parties.plant!.admin, body: { codes: [LOIN], reason: '兽药残留超标', level: 1 } });
      assert.equal(created.status, 201, created.body);
      const response = await page(serialPage);
      assert.equal(response.status, 200);
      const alert = response.body.indexOf('role="alert"');
      assert.ok(alert !== -1 && alert < response.body.indexOf('id="product"'), 'the recall comes before the product');
      assert.match(response.body, /<h2>召回<\/h2><dl><dt>原因<\/dt><dd>兽药残留超标<\/dd>/);
      const data = (await page(serialPage, json)).json;
      assert.equal(data.recall.reason, '兽药残留超标');
      assert.equal(data.recall.kind, 'recall');
      assert.equal(data.recalled, true);
      assert.equal((await call(t.app, 'POST', `/api/v1/recalls/${created.json.id}/close`, { key: parties.plant!.admin, body: { note: '已处置' } })).status, 200);
      assert.doesNotMatch((await page(serialPage)).body, /role="alert"/, 'a closed recall no longer alarms');
    });

    test('a kept answer is used until the log grows, then made again with what arrived', async () => {
      const { database, services } = t.platform;
      const pages = (ttlMs: number) => new ConsumerService(database, services.resolver, services.log, { ttlMs });
      const kept = pages(60_000);
      const looked = pages(0);
      const serial = identifierOf(scanned(SERIALS[0]!));
      const before = (await kept.view(serial)).resolution.steps.length;
      assert.equal((await looked.view(serial)).resolution.steps.length, before);
      assert.equal((await looked.view(serial)).resolution.steps.length, before, 'nothing new: the same answer');
      const sold = objectEvent({ eventTime: at(20), action: 'OBSERVE', bizStep: 'retail_selling', disposition: 'retail_sold', epcList: [SERIALS[0]!], readPoint: { id: sgln(0, MARKET) }, bizLocation: { id: sgln(0, MARKET) } });
      assert.equal((await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument([sold]) })).status, 202);
      assert.equal((await looked.view(serial)).resolution.steps.length, before + 1, 'the log grew: the answer is made again');
      assert.equal((await kept.view(serial)).resolution.steps.length, before, 'within its time an answer is used as kept');
    });

    test('an inspection shows with its result and the certificates it cites, as links where they are addresses', async () => {
      const inspected = objectEvent({
        eventTime: at(12),
        action: 'OBSERVE',
        bizStep: 'inspecting',
        disposition: 'conformant',
        epcList: [SERIALS[1]!],
        certificationInfo: ['https://cert.example.cn/report/QJ-2026-0042', 'urn:cnas:L1234'],
        readPoint: { id: sgln(0, MARKET) },
        bizLocation: { id: sgln(0, MARKET) },
      });
      assert.equal((await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument([inspected]) })).status, 202);
      const second = pathOf(SERIALS[1]!);
      const response = await page(second);
      assert.equal(response.status, 200, response.body);
      assert.match(response.body, /<section id="inspections"><h2>检验检测<\/h2><ol><li><time[^>]*>[^<]*<\/time><strong>检验<\/strong> <span class="">合格<\/span><br>market/);
      assert.match(response.body, /<a href="https:\/\/cert.example.cn\/report\/QJ-2026-0042" rel="noopener noreferrer">/);
      assert.match(response.body, /<li>urn:cnas:L1234<\/li>/);
      const data = (await page(second, json)).json;
      assert.deepEqual(data.certificates, ['https://cert.example.cn/report/QJ-2026-0042', 'urn:cnas:L1234']);
      assert.equal(data.inspections.length, 1);
      const resolved = (await call(t.app, 'GET', `/api/v1/resolve?code=${encodeURIComponent(identifierOf(scanned(SERIALS[1]!)))}`, { key: null })).json;
      assert.deepEqual(resolved.steps.at(-1).certificationInfo, ['https://cert.example.cn/report/QJ-2026-0042', 'urn:cnas:L1234']);
    });

    test('a pack follows the pallet it travels on until its case is taken off, and no further', async () => {
      const market = { readPoint: { id: sgln(0, MARKET) }, bizLocation: { id: sgln(0, MARKET) } };
      const takenOff = aggregationEvent({ eventTime: at(13), action: 'DELETE', bizStep: 'unpacking', parentID: PALLET, childEPCs: [CASE_B], ...market });
      const onward = objectEvent({
        eventTime: at(14), action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', epcList: [PALLET], ...market,
        sourceList: [{ type: 'owning_party', source: pgln(MARKET) }], destinationList: [{ type: 'owning_party', destination: pgln(FARM) }],
      });
      assert.equal((await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument([takenOff, onward]) })).status, 202);
      const resolve = async (text: string) => (await call(t.app, 'GET', `/api/v1/resolve?code=${encodeURIComponent(identifierOf(scanned(text)))}`, { key: null })).json;
      const offloaded = (await resolve(SERIALS[2]!)).steps.map((s: { bizStep: string; eventTime: string }) => [s.bizStep, s.eventTime]);
      assert.deepEqual(offloaded.slice(-2), [['receiving', at(9)], ['unpacking', at(13)]], 'its case came off the pallet: the pallet\'s next trip is not its own');
      const stillOn = (await resolve(SERIALS[0]!)).steps.map((s: { bizStep: string; eventTime: string }) => [s.bizStep, s.eventTime]);
      assert.ok(stillOn.some(([step, time]: string[]) => step === 'shipping' && time === at(14)), 'its case is still on the pallet: the pallet\'s trip is its own');
      assert.ok(!offloaded.some(([step, time]: string[]) => step === 'shipping' && time === at(14)));
    });

    test('a malformed code is 400 and an unknown one 404, for HTML and JSON alike', async () => {
      const gtin = scanned(SERIALS[0]!).fields.gtin!;
      const wrongCheckDigit = `/01/${gtin.slice(0, 13)}${(Number(gtin[13]) + 1) % 10}/21/S1`;
      const malformed = await page(wrongCheckDigit);
      assert.equal(malformed.status, 400);
      assert.match(String(malformed.headers['content-type']), /^text\/html/);
      assert.match(malformed.body, /无法识别的码/);
      const malformedJson = await page(wrongCheckDigit, json);
      assert.equal(malformedJson.status, 400);
      assert.match(String(malformedJson.headers['content-type']), /^application\/problem\+json/);
      assert.equal(malformedJson.json.code, 'unreadable-code');

      const unknown = pathOf(sgtin('NEVER-SEEN', '107346'));
      const missing = await page(unknown);
      assert.equal(missing.status, 404);
      assert.match(missing.body, /未找到该码/);
      const missingJson = await page(unknown, json);
      assert.equal(missingJson.status, 404);
      assert.match(String(missingJson.headers['content-type']), /^application\/problem\+json/);
    });

    test('GS1 resolver conventions: a linkset for linkType=all, redirects by link type, the resolver description', async () => {
      const linkset = await page(`${serialPage}?linkType=all`);
      assert.equal(linkset.status, 200, linkset.body);
      assert.match(String(linkset.headers['content-type']), /^application\/linkset\+json/);
      const [entry] = linkset.json.linkset;
      assert.equal(entry.anchor, identifierOf(scanned(SERIALS[0]!)));
      assert.ok(entry['https://gs1.org/voc/pip'].some((l: { href: string }) => l.href.endsWith(serialPage)));
      assert.ok(entry['https://gs1.org/voc/traceability'][0].href.includes('/api/v1/resolve?code='));
      assert.match(String((await page(serialPage)).headers.link), /rel="linkset"/);

      const traceability = await page(`${serialPage}?linkType=gs1:traceability`);
      assert.equal(traceability.status, 307);
      const resolved = await call(t.app, 'GET', new URL(String(traceability.headers.location)).pathname + new URL(String(traceability.headers.location)).search, { key: null });
      assert.equal(resolved.status, 200, resolved.body);
      assert.equal(resolved.json.code, identifierOf(scanned(SERIALS[0]!)));
      assert.equal((await page(`${serialPage}?linkType=gs1:pip`)).status, 200, 'the page is the product information page');
      assert.equal((await page(`${serialPage}?linkType=gs1:noSuchType`)).status, 200, 'an unknown link type gets the default link');

      const description = await page('/.well-known/gs1resolver', json);
      assert.equal(description.status, 200);
      assert.ok(description.json.supportedPrimaryKeys.includes('01'));
      assert.ok(description.json.supportedLinkTypes.some((l: { linkType: string }) => l.linkType === 'pip'));
    });

    test('the home page takes a typed code in any form and sends it to the code\'s page', async () => {
      const home = await page('/');
      assert.equal(home.status, 200);
      assert.match(home.body, /<form method="get" action="\/lookup"/);
      const typed = `(01)${scanned(SERIALS[0]!).fields.gtin}(21)S1`;
      const lookup = await page(`/lookup?code=${encodeURIComponent(typed)}&lang=en`);
      assert.equal(lookup.status, 303);
      assert.equal(lookup.headers.location, `${serialPage}?lang=en`);
      assert.equal((await page(`/lookup?code=${encodeURIComponent('not a code')}`)).status, 400);
    });

    test('a platform code answers at /q/ and at the /c/ its labels print', async () => {
      const product = await call(t.app, 'POST', `/api/v1/subjects/${parties.farm!.subjectId}/products`, { key: parties.farm!.admin, body: productBody({ gtin: undefined, localCode: 'LJ-250', name: '西湖龙井 250g' }) });
      assert.equal(product.status, 201, product.body);
      const issued = await call(t.app, 'POST', '/api/v1/codes/issue', { key: parties.farm!.admin, body: { scheme: 'platform-code', productId: product.json.id, quantity: 1 } });
      assert.equal(issued.status, 201, issued.body);
      const codes = await call(t.app, 'GET', `/api/v1/codes/batches/${issued.json.batch.id}/codes`, { key: parties.farm!.admin });
      const code = String(codes.json.items[0].text ?? codes.json.items[0].code).replace(/^.*[:/]/, '');
      for (const prefix of ['q', 'c']) {
        const response = await page(`/${prefix}/${code}`);
        assert.equal(response.status, 200, `${prefix}: ${response.body}`);
        assert.match(response.body, /西湖龙井 250g/);
      }
    });
  });
}
