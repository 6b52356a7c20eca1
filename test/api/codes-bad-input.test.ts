import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildVetDrugCode } from '../builders/codes.js';
import { buildCompanyPrefix, buildGtin, productBody, subjectBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { seededRandom } from '../support/random.js';

/**
 * The code endpoints under random and mutated input: every answer is a success or a 4xx problem+json, never a 5xx,
 * and a refused request writes nothing (no batch, no registered code, no event).
 */

const NASTY = ['', ' ', '\u0000', '\uD800', '%00', '中文', '(01)', ']d2', 'urn:zhuisu:', 'https://id.gs1.org/01/', '9'.repeat(9_000), '{"a":1}', '-1', '1e309', 'null', '\n\n\n\n'];

function mutate(value: unknown, random: () => number): unknown {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const roll = random();
  if (roll < 0.2) return pick(NASTY);
  if (roll < 0.3) return pick([null, 0, -5, 1.5, 2 ** 53, true, [], {}, [pick(NASTY)]]);
  if (Array.isArray(value)) return value.map((v) => (random() < 0.5 ? mutate(v, random) : v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (random() > 0.1) out[k] = random() < 0.4 ? mutate(v, random) : v;
    if (random() < 0.1) out[pick(['extra', 'quantity', 'codes', 'scheme'])] = pick(NASTY);
    return out;
  }
  return value;
}

for (const dialect of TEST_DIALECTS) {
  describe(`code endpoints under bad input on ${dialect}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await startTestPlatform(dialect);
    });
    after(() => t.close());

    async function counts() {
      const db = t.platform.database.db;
      const n = async (table: 'code_batches' | 'issued_codes' | 'events') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      return { batches: await n('code_batches'), codes: await n('issued_codes'), events: await n('events') };
    }

    test('random and mutated requests get a success or a 4xx problem, and refused ones write nothing', async () => {
      const prefix = buildCompanyPrefix();
      const subject = (await call(t.app, 'POST', '/api/v1/subjects', { body: subjectBody({ companyPrefixes: [prefix] }) })).json;
      const product = (await call(t.app, 'POST', `/api/v1/subjects/${subject.id}/products`, { body: productBody({ gtin: buildGtin(prefix) }) })).json;
      const issued = (await call(t.app, 'POST', '/api/v1/codes/issue', { body: { scheme: 'gs1-sgtin', productId: product.id, quantity: 3 } })).json;
      const codes = (await call(t.app, 'GET', `/api/v1/codes/batches/${issued.batch.id}/codes`)).json.items.map((c: { text: string }) => c.text) as string[];
      const valid: [string, string, unknown][] = [
        ['POST', '/api/v1/codes/issue', { scheme: 'gs1-sgtin', productId: product.id, quantity: 2, lot: 'L1', expiry: '2027-01-31' }],
        ['POST', '/api/v1/codes/import', { scheme: 'vet-drug-code', productId: product.id, codes: [buildVetDrugCode()] }],
        ['POST', '/api/v1/codes/void', { codes: [codes[0]], reason: '破损' }],
        ['POST', '/api/v1/codes/pack', { parent: codes[1], children: [codes[2]] }],
        ['POST', '/api/v1/codes/unpack', { parent: codes[1] }],
      ];
      const random = seededRandom(5);
      for (let i = 0; i < 150; i += 1) {
        const [method, url, body] = valid[i % valid.length]!;
        const mutated = mutate(body, random);
        const before = await counts();
        const response = await call(t.app, method, url, { body: mutated });
        assert.ok(response.status < 500, `${url} ${JSON.stringify(mutated).slice(0, 200)} → ${response.status} ${response.body.slice(0, 300)}`);
        if (response.status >= 400) {
          assert.equal(response.headers['content-type'], 'application/problem+json', url);
          assert.deepEqual(await counts(), before, `${url} ${JSON.stringify(mutated).slice(0, 200)} was refused but wrote`);
        }
      }
      for (let i = 0; i < 100; i += 1) {
        const text = String(mutate(codes[i % codes.length], random));
        // A lone surrogate has no UTF-8 form: send the bytes a broken client would (%ED%A0%80), which are not UTF-8.
        const encoded = encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, '\u0001')).replace(/%01/g, '%ED%A0%80');
        for (const url of [`/api/v1/codes/parse?text=${encoded}`, `/api/v1/codes/registry?code=${encoded}`, `/api/v1/codes/contents?code=${encoded}`]) {
          const response = await call(t.app, 'GET', url);
          assert.ok(response.status < 500, `${url.slice(0, 200)} → ${response.status} ${response.body.slice(0, 300)}`);
        }
      }
    });
  });
}
