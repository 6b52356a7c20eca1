import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemPrincipal, type Principal } from '../../src/access/principal.js';
import { parsePersonCode } from '../../src/codes/person-code.js';
import { DomainError } from '../../src/domain/errors.js';
import { buildCompanyPrefix, buildResidentId, buildUscc, locationBody, productBody, subjectBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

const rejects = (promise: Promise<unknown>, kind: DomainError['kind'], code?: string) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DomainError, `expected a DomainError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (code) assert.equal(error.code, code);
    return true;
  });

for (const dialect of TEST_DIALECTS) {
  describe(`master data on ${dialect}`, () => {
    let t: TestPlatform;
    let admin: Principal;
    before(async () => {
      t = await startTestPlatform(dialect);
      admin = systemPrincipal('test');
    });
    after(() => t.close());

    test('registers an organisation under its 统一社会信用代码 and finds it by id or code', async () => {
      const { subjects } = t.platform.services;
      const body = subjectBody({ companyPrefixes: [buildCompanyPrefix()] });
      const created = await subjects.register(admin, body as never);
      assert.equal(created.subjectCode, body.subjectCode);
      assert.equal(created.status, 'active');
      assert.deepEqual(created.companyPrefixes, body.companyPrefixes);
      assert.deepEqual((await subjects.get(admin, created.subjectCode)).id, created.id);
      assert.deepEqual(await subjects.get(admin, created.id), created);
    });

    test('refuses a 统一社会信用代码 whose check character is wrong, and stores nothing', async () => {
      const { subjects } = t.platform.services;
      const good = buildUscc();
      const wrongCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
      const before = await subjects.list(admin, { limit: 500 });
      await rejects(subjects.register(admin, subjectBody({ subjectCode: wrongCheck }) as never), 'invalid', 'invalid-subject-code');
      assert.equal((await subjects.list(admin, { limit: 500 })).items.length, before.items.length);
    });

    test('refuses a second subject with the same 主体码 and overlapping GS1 company prefixes', async () => {
      const { subjects } = t.platform.services;
      const prefix = buildCompanyPrefix();
      const first = await subjects.register(admin, subjectBody({ companyPrefixes: [prefix] }) as never);
      await rejects(subjects.register(admin, subjectBody({ subjectCode: first.subjectCode }) as never), 'conflict', 'subject-exists');
      await rejects(subjects.register(admin, subjectBody({ companyPrefixes: [prefix + '1'] }) as never), 'conflict', 'company-prefix-taken');
      await rejects(subjects.register(admin, subjectBody({ companyPrefixes: [prefix.slice(0, 6)] }) as never), 'conflict', 'company-prefix-taken');
    });

    test('rejects a region code that is not in GB/T 2260', async () => {
      await rejects(t.platform.services.subjects.register(admin, subjectBody({ regionCode: '999999' }) as never), 'invalid', 'invalid-region');
    });

    test('a natural person gets a platform-issued 主体码; the 身份证号 is sealed and unique by blind index', async () => {
      const { subjects } = t.platform.services;
      const personId = buildResidentId('330110');
      const person = await subjects.register(admin, { kind: 'person', personId, name: '张三', roles: ['producer'], regionCode: '330110' });
      const code = parsePersonCode(person.subjectCode);
      assert.ok(code.ok, person.subjectCode);
      assert.equal(code.value.regionCode, '330110');
      assert.ok(!JSON.stringify(person).includes(personId), 'the identity number must not appear in the subject');
      const row = await t.platform.database.db.selectFrom('subjects').selectAll().where('id', '=', person.id).executeTakeFirstOrThrow();
      assert.ok(row.person_id_cipher && !row.person_id_cipher.includes(personId));
      assert.ok(row.person_id_index && !row.person_id_index.includes(personId));
      const audit = await t.platform.database.db.selectFrom('audit_log').select('changes').where('target_id', '=', person.id).execute();
      assert.ok(audit.length > 0 && audit.every((a) => !String(a.changes).includes(personId)), 'the audit trail must not hold the identity number');
      await rejects(subjects.register(admin, { kind: 'person', personId: personId.toLowerCase(), name: '张三', roles: ['producer'], regionCode: '330110' }), 'conflict', 'subject-exists');
      const second = await subjects.register(admin, { kind: 'person', personId: buildResidentId('330110'), name: '李四', roles: ['producer'], regionCode: '330110' });
      assert.notEqual(second.subjectCode, person.subjectCode);
    });

    test('an invalid 身份证号 is refused without echoing it', async () => {
      const personId = buildResidentId();
      const broken = personId.slice(0, 17) + (personId[17] === '1' ? '2' : '1');
      await assert.rejects(
        t.platform.services.subjects.register(admin, { kind: 'person', personId: broken, name: '王五', roles: ['producer'], regionCode: '330106' }),
        (error: unknown) => error instanceof DomainError && error.code === 'invalid-person-id' && !JSON.stringify({ m: error.message, d: error.details }).includes(broken),
      );
    });

    test('locations need a valid, unique GLN or a local code', async () => {
      const { subjects } = t.platform.services;
      const owner = await subjects.register(admin, subjectBody() as never);
      const body = locationBody();
      const location = await subjects.addLocation(admin, owner.id, body as never);
      assert.equal(location.gln, body.gln);
      assert.equal(location.subjectId, owner.id);
      await rejects(subjects.addLocation(admin, owner.id, { ...body, name: 'again' } as never), 'conflict', 'location-exists');
      const badGln = body.gln.slice(0, 12) + ((Number(body.gln[12]) + 1) % 10);
      await rejects(subjects.addLocation(admin, owner.id, locationBody({ gln: badGln }) as never), 'invalid', 'invalid-gln');
      await rejects(subjects.addLocation(admin, owner.id, locationBody({ gln: null }) as never), 'invalid', 'location-code-required');
      const local = await subjects.addLocation(admin, owner.id, locationBody({ gln: null, localCode: 'PEN-07' }) as never);
      assert.equal(local.localCode, 'PEN-07');
      const page = await subjects.listLocations(admin, owner.id);
      assert.deepEqual(page.items.map((l) => l.id).sort(), [location.id, local.id].sort());
    });

    test('products store GTINs as GTIN-14 and reject bad check digits', async () => {
      const { subjects, products } = t.platform.services;
      const owner = await subjects.register(admin, subjectBody() as never);
      const body = productBody();
      const product = await products.create(admin, owner.id, body as never);
      assert.equal(product.gtin, '0' + body.gtin);
      assert.equal(product.productClass, 'food');
      await rejects(products.create(admin, owner.id, productBody({ gtin: '0' + body.gtin }) as never), 'conflict', 'product-exists');
      await rejects(products.create(admin, owner.id, productBody({ gtin: '6901234567891' }) as never), 'invalid', 'invalid-gtin');
      const found = await products.list(admin, { gtin: body.gtin });
      assert.deepEqual(found.items.map((p) => p.id), [product.id]);
    });

    test('every write leaves an audit entry in the same transaction', async () => {
      const { subjects, audit } = t.platform.services;
      const owner = await subjects.register(admin, subjectBody() as never);
      await subjects.update(admin, owner.id, { name: '改名后的企业' });
      await subjects.setStatus(admin, owner.id, 'suspended', '抽检不合格');
      const page = await audit.list(admin, { subjectId: owner.id });
      assert.deepEqual(page.items.map((e) => e.action), ['subject.status', 'subject.update', 'subject.register']);
      assert.equal(page.items[0]!.actor, 'test');
      assert.deepEqual(page.items[0]!.changes, { from: 'active', to: 'suspended', reason: '抽检不合格' });
    });

    test('pagination walks a listing without gaps or repeats', async () => {
      const { subjects } = t.platform.services;
      const region = '330108';
      const created = [];
      for (let i = 0; i < 5; i++) created.push((await subjects.register(admin, subjectBody({ regionCode: region }) as never)).id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await subjects.list(admin, { regionPrefix: region, limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((s) => s.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(seen, created);
    });

    test('concurrent registrations of one 主体码 store exactly one subject', async () => {
      const { subjects } = t.platform.services;
      const body = subjectBody();
      const results = await Promise.allSettled([1, 2, 3].map(() => subjects.register(admin, body as never)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as DomainError).kind, 'conflict');
    });
  });
}
