import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { identifierOf, scanCode } from '../../src/codes/registry.js';
import { planSheet } from '../../src/labels/index.js';
import { buildCompanyPrefix, buildGtin, productBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, subjectWithKey, type TestPlatform } from '../support/platform.js';
import { crop, decodeBarcode, pdfText, rasterisePdf } from '../labels/raster.js';

const DPI = 300;

for (const dialect of TEST_DIALECTS) {
  describe(`code labels on ${dialect}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await startTestPlatform(dialect);
    });
    after(() => t.close());

    async function issued(quantity: number) {
      const prefix = buildCompanyPrefix();
      const { subject, key } = await subjectWithKey(t.app, { subject: { companyPrefixes: [prefix] } });
      const product = (await call(t.app, 'POST', `/api/v1/subjects/${subject.id}/products`, { body: productBody({ gtin: buildGtin(prefix), name: '阿莫西林胶囊', spec: '0.25g×24粒' }) })).json;
      const batch = (await call(t.app, 'POST', '/api/v1/codes/issue', { key, body: { scheme: 'gs1-sgtin', productId: product.id, quantity, lot: 'B2611', expiry: '2028-11-30' } })).json.batch;
      const codes = (await call(t.app, 'GET', `/api/v1/codes/batches/${batch.id}/codes`, { key })).json.items as { code: string; text: string; link: string }[];
      return { key, batch, codes, product };
    }

    /** Every label of the sheet, cropped as a scanner pointed at it would see it, decoded and read by the scanner. */
    async function scannedLabels(pdf: Buffer, count: number) {
      const pages = rasterisePdf(pdf, DPI);
      const scale = DPI / 72;
      const placeholders = Array.from({ length: count }, () => ({ symbol: { symbology: 'qr' as const, text: 'x' }, lines: ['x'] }));
      return planSheet(placeholders).pages.flatMap((page, p) =>
        page.map(({ cell }) => decodeBarcode(crop(pages[p]!, { x: cell.x * scale, y: cell.y * scale, width: cell.width * scale, height: cell.height * scale })).text),
      );
    }

    test('an A4 sheet of QR labels decodes back to each code\'s public link; the text under it is real, Chinese included', async () => {
      const { key, batch, codes } = await issued(5);
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/codes/batches/${batch.id}/labels?format=pdf`, headers: { authorization: `Bearer ${key}` } });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['content-type'], 'application/pdf');
      assert.equal(response.headers['x-labels-printed'], '5');
      const pdf = response.rawPayload;
      assert.deepEqual(await scannedLabels(pdf, 5), codes.map((c) => c.link));
      const text = pdfText(pdf);
      for (const line of ['阿莫西林胶囊 0.25g×24粒', '批号 B2611', '有效期至 2028-11-30']) assert.ok(text.includes(line), `"${line}" missing from the sheet`);
    });

    test('GS1 DataMatrix labels carry GTIN, expiry, lot and serial, and scan back to the issued codes', async () => {
      const { key, batch, codes } = await issued(3);
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/codes/batches/${batch.id}/labels?format=pdf&symbology=gs1-datamatrix`, headers: { authorization: `Bearer ${key}` } });
      assert.equal(response.statusCode, 200, response.body);
      const scanned = await scannedLabels(response.rawPayload, 3);
      scanned.forEach((raw, i) => {
        assert.ok(raw.startsWith('\u001d'), 'a GS1 DataMatrix starts with FNC1');
        const read = scanCode(`]d2${raw.slice(1)}`);
        assert.ok(read.ok, raw);
        const reading = read.readings[0]!;
        assert.equal(identifierOf(reading), codes[i]!.code);
        assert.equal(reading.fields.expiry, '2028-11-30');
        assert.equal(reading.fields.lot, 'B2611');
      });
    });

    test('ZPL, a single symbol, void codes left out, and the tenancy rule', async () => {
      const { key, batch, codes } = await issued(4);
      await call(t.app, 'POST', '/api/v1/codes/void', { key, body: { codes: [codes[1]!.code] } });
      const zpl = await call(t.app, 'GET', `/api/v1/codes/batches/${batch.id}/labels?format=zpl&symbology=gs1-datamatrix`, { key });
      assert.equal(zpl.status, 200, zpl.body);
      assert.equal(zpl.headers['x-labels-printed'], '3');
      assert.equal(zpl.body.match(/\^XA/g)?.length, 3);
      assert.ok(!zpl.body.includes(codes[1]!.code.split('/21/')[1]!), 'the void code is not printed');
      const svg = await call(t.app, 'GET', `/api/v1/codes/symbol?code=${encodeURIComponent(codes[0]!.link)}&format=svg`, { key });
      assert.equal(svg.status, 200);
      assert.match(svg.headers['content-type'] as string, /^image\/svg\+xml/);
      assert.match(svg.body, /<svg[\s>]/);
      const stranger = await issued(1);
      assert.equal((await call(t.app, 'GET', `/api/v1/codes/batches/${batch.id}/labels?format=pdf`, { key: stranger.key })).status, 403);
      assert.equal((await call(t.app, 'GET', `/api/v1/codes/symbol?code=${encodeURIComponent(codes[0]!.link)}&format=png`, { key: stranger.key })).status, 403);
      const badRange = await call(t.app, 'GET', `/api/v1/codes/batches/${batch.id}/labels?format=pdf&from=4`, { key });
      assert.equal(badRange.status, 400);
      assert.equal(badRange.headers['content-type'], 'application/problem+json');
    });
  });
}
