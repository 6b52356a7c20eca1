import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildCompanyPrefix, buildGtin, productBody, subjectBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * Minted codes are unique for ever, also when several requests mint for the same GTIN at once. Serials are drawn
 * from a space small enough (six digits) that concurrent batches really do draw the same serials: every repeat must
 * be refused by the registry and replaced, never stored twice, never lost.
 */
for (const dialect of TEST_DIALECTS) {
  describe(`concurrent issuance on ${dialect}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await startTestPlatform(dialect);
    });
    after(() => t.close());

    test('parallel requests for one GTIN get disjoint codes, each registered once', async () => {
      const prefix = buildCompanyPrefix();
      const subject = await t.platform.services.subjects.register(t.admin, { ...(subjectBody() as any), companyPrefixes: [prefix] });
      const product = await t.platform.services.products.create(t.admin, subject.id, productBody({ gtin: buildGtin(prefix) }) as any);
      const requests = 6;
      const each = 4_000;
      const batches = await Promise.all(
        Array.from({ length: requests }, () =>
          t.platform.services.issuance.issue(t.admin, { scheme: 'gs1-sgtin', productId: product.id, quantity: each, serialLength: 6, serialCharacters: 'numeric' }),
        ),
      );
      const all: string[] = [];
      for (const { batch } of batches) {
        let cursor: string | undefined;
        const codes: string[] = [];
        do {
          const page = await t.platform.services.issuance.codes(t.admin, batch.id, cursor, 5_000);
          codes.push(...page.items.map((c) => c.code));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        assert.equal(codes.length, each);
        all.push(...codes);
      }
      assert.equal(new Set(all).size, requests * each, 'no code was issued twice');
      const rows = await t.platform.database.db.selectFrom('issued_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('batch_id', 'in', batches.map((b) => b.batch.id)).executeTakeFirstOrThrow();
      assert.equal(Number(rows.n), requests * each, 'every code registered once, to its own batch');
      for (const code of all.slice(0, 200)) assert.match(code, new RegExp(`^https://id\\.gs1\\.org/01/${product.gtin}/21/\\d{6}$`));
    });
  });
}
