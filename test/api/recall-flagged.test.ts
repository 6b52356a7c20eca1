import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { identifierOf } from '../../src/codes/registry.js';
import { LOIN, MARKET, SERIALS, at, chain, registerChainParties, scanned, type ChainParty } from '../builders/chains.js';
import { epcisDocument, objectEvent, sgln } from '../builders/epcis.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, userKey, type TestPlatform } from '../support/platform.js';

/**
 * The risk warnings of recalls in one list: every receipt, sale or dispensing of a recalled code after its recall,
 * across the open recalls the key sees whole.
 */
for (const dialect of TEST_DIALECTS) {
  describe(`flagged movements of open recalls on ${dialect}`, () => {
    let t: TestPlatform;
    let parties: Record<'farm' | 'plant' | 'market', ChainParty>;
    let regulatorIn: string;
    let regulatorOut: string;
    before(async () => {
      t = await startTestPlatform(dialect);
      parties = await registerChainParties(t.app);
      regulatorIn = await userKey(t.app, 'regulator', { regionPrefix: '33', departments: ['market_regulation'] });
      regulatorOut = await userKey(t.app, 'regulator', { regionPrefix: '44', departments: ['market_regulation'] });
      assert.equal((await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument(chain()) })).status, 202);
    });
    after(() => t.close());

    const flagged = async (key?: string) => {
      const response = await call(t.app, 'GET', '/api/v1/recalls/flagged', key === undefined ? {} : { key });
      assert.equal(response.status, 200, response.body);
      return response.json.items as { eventID: string; bizStep: string; codes: string[]; recall: { id: string; reason: string; level: number } }[];
    };

    test('a sale after the recall is listed for those who see the recall, until it is closed', async () => {
      const recall = (await call(t.app, 'POST', '/api/v1/recalls', { key: parties.plant.admin, body: { codes: [LOIN], reason: '兽药残留超标', level: 1 } })).json;
      assert.deepEqual(await flagged(regulatorIn), [], 'the receipts before the recall are not flagged');

      const sale = objectEvent({ eventTime: at(12), action: 'OBSERVE', bizStep: 'retail_selling', disposition: 'retail_sold', epcList: [SERIALS[0]], readPoint: { id: sgln(0, MARKET) }, bizLocation: { id: sgln(0, MARKET) } });
      assert.equal((await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument([sale]) })).status, 202);

      for (const key of [regulatorIn, parties.plant.admin, undefined]) {
        const items = await flagged(key);
        assert.equal(items.length, 1);
        assert.equal(items[0]!.bizStep, 'retail_selling');
        assert.deepEqual(items[0]!.codes, [identifierOf(scanned(SERIALS[0]!))]);
        assert.deepEqual(items[0]!.recall, { id: recall.id, kind: 'recall', level: 1, reason: '兽药残留超标', createdAt: recall.createdAt });
      }
      assert.deepEqual(await flagged(regulatorOut), [], 'a regulator of another region does not see the recall');
      assert.deepEqual(await flagged(parties.market.operator), [], 'a notified subject sees its notice, not the recall');
      assert.equal((await call(t.app, 'GET', '/api/v1/recalls/flagged', { key: null })).status, 401);

      assert.equal((await call(t.app, 'POST', `/api/v1/recalls/${recall.id}/close`, { key: regulatorIn, body: { note: '已全部追回' } })).status, 200);
      assert.deepEqual(await flagged(regulatorIn), [], 'a closed recall warns no more');
    });
  });
}
