import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { withCheckDigit } from '../../src/codes/gs1/check-digit.js';
import { mintPlatformCode } from '../../src/codes/platform-code.js';
import { buildGtin } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * What a scanner's text is named by in events: the parse answer carries each reading's identifier, so a form that
 * scans a code can put it into an EPCIS event without knowing the schemes.
 */
for (const dialect of TEST_DIALECTS) {
  describe(`reading a scanned code for an event on ${dialect}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await startTestPlatform(dialect);
    });
    after(() => t.close());

    const parse = (text: string) => call(t.app, 'GET', `/api/v1/codes/parse?text=${encodeURIComponent(text)}`, { key: null });

    test('a serialised item is named without its lot, a lot by GTIN and lot, an SSCC by its key', async () => {
      const gtin = `0${buildGtin()}`;
      const item = await parse(`(01)${gtin}(10)L2611(21)A1B2C3`);
      assert.equal(item.status, 200, item.body);
      assert.equal(item.json.readings[0].target, 'item');
      assert.equal(item.json.readings[0].identifier, `https://id.gs1.org/01/${gtin}/21/A1B2C3`);
      assert.deepEqual(item.json.readings[0].fields, { gtin, lot: 'L2611', serial: 'A1B2C3' });

      const lot = await parse(`https://brand.example.cn/01/${gtin}/10/L2611`);
      assert.equal(lot.json.readings[0].target, 'lot');
      assert.equal(lot.json.readings[0].identifier, `https://id.gs1.org/01/${gtin}/10/L2611`);

      const sscc = withCheckDigit('06901234000000001');
      const container = await parse(`00${sscc}`);
      assert.equal(container.status, 200, container.body);
      assert.equal(container.json.readings.find((r: any) => r.scheme === 'gs1-element-string').identifier, `https://id.gs1.org/00/${sscc}`);
    });

    test('a code without a GS1 key is named urn:zhuisu:{scheme}:{code}; an unreadable one is a problem', async () => {
      const code = mintPlatformCode('330106');
      const answer = await parse(code);
      assert.equal(answer.status, 200, answer.body);
      const reading = answer.json.readings.find((r: any) => r.scheme === 'platform-code');
      assert.equal(reading.identifier, `urn:zhuisu:platform-code:${code}`);
      const bad = await parse('(01)12345678901234');
      assert.equal(bad.status, 400);
      assert.equal(bad.headers['content-type'], 'application/problem+json');
      assert.equal(bad.json.code, 'unreadable-code');
    });
  });
}
