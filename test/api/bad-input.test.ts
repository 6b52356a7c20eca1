import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { epcisDocument, objectEvent } from '../builders/epcis.js';
import { buildCompanyPrefix, subjectBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, type TestPlatform } from '../support/platform.js';

/** Bad input of any kind is a 4xx problem+json with a stable code, never a 5xx, and never a partial write. */

async function tableCounts(t: TestPlatform) {
  const db = t.platform.database.db;
  const counts: Record<string, number> = {};
  for (const table of ['subjects', 'subject_company_prefixes', 'locations', 'products', 'users', 'api_keys', 'audit_log'] as const) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

for (const dialect of TEST_DIALECTS) {
  describe(`bad input on ${dialect}`, () => {
    let t: TestPlatform;
    let subjectId: string;
    before(async () => {
      t = await startTestPlatform(dialect);
      subjectId = (await call(t.app, 'POST', '/api/v1/subjects', { body: subjectBody() })).json.id;
    });
    after(() => t.close());

    const cases: { name: string; method: string; url: () => string; rawBody?: string; body?: unknown; headers?: Record<string, string>; status: number; code: string; pointer?: string }[] = [
      { name: 'broken JSON', method: 'POST', url: () => '/api/v1/subjects', rawBody: '{"kind": "organisation", "name": ', headers: { 'content-type': 'application/json' }, status: 400, code: 'invalid-json' },
      { name: 'empty JSON body', method: 'POST', url: () => '/api/v1/subjects', rawBody: '', headers: { 'content-type': 'application/json' }, status: 400, code: 'invalid-json' },
      { name: 'JSON that is not an object', method: 'POST', url: () => '/api/v1/subjects', body: [1, 2], status: 400, code: 'validation-failed' },
      { name: 'wrong type', method: 'POST', url: () => '/api/v1/subjects', body: { ...subjectBody(), roles: 'producer' }, status: 400, code: 'validation-failed', pointer: '/roles' },
      { name: 'number where a string belongs (no coercion)', method: 'POST', url: () => '/api/v1/subjects', body: { ...subjectBody(), regionCode: 330106 }, status: 400, code: 'validation-failed', pointer: '/regionCode' },
      { name: 'unknown field', method: 'POST', url: () => '/api/v1/subjects', body: { ...subjectBody(), colour: 'red' }, status: 400, code: 'validation-failed', pointer: '/colour' },
      { name: 'unknown nested field', method: 'POST', url: () => '/api/v1/subjects', body: { ...subjectBody(), contact: { phone: '1', fax: '2' } }, status: 400, code: 'validation-failed', pointer: '/contact/fax' },
      { name: 'missing required field', method: 'POST', url: () => '/api/v1/subjects', body: { kind: 'organisation', roles: ['producer'], regionCode: '330106' }, status: 400, code: 'validation-failed', pointer: '/name' },
      { name: 'unknown enum value', method: 'POST', url: () => '/api/v1/subjects', body: { ...subjectBody(), roles: ['astronaut'] }, status: 400, code: 'validation-failed', pointer: '/roles/0' },
      { name: 'wrong content type', method: 'POST', url: () => '/api/v1/subjects', rawBody: 'kind=organisation', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported-media-type' },
      { name: 'oversized body', method: 'POST', url: () => '/api/v1/subjects', rawBody: JSON.stringify({ ...subjectBody(), name: 'x'.repeat(2 * 1024 * 1024) }), headers: { 'content-type': 'application/json' }, status: 413, code: 'body-too-large' },
      { name: 'bad query parameter', method: 'GET', url: () => '/api/v1/subjects?limit=abc', status: 400, code: 'validation-failed' },
      { name: 'unknown query parameter', method: 'GET', url: () => '/api/v1/subjects?colour=red', status: 400, code: 'validation-failed' },
      { name: 'limit out of range', method: 'GET', url: () => '/api/v1/subjects?limit=100000', status: 400, code: 'validation-failed' },
      { name: 'empty patch', method: 'PATCH', url: () => `/api/v1/subjects/${subjectId}`, body: {}, status: 400, code: 'validation-failed' },
      { name: 'unknown subject', method: 'GET', url: () => '/api/v1/subjects/nope', status: 404, code: 'subject-not-found' },
      { name: 'unknown route', method: 'GET', url: () => '/api/v1/nothing-here', status: 404, code: 'route-not-found' },
      { name: 'invalid check character (domain rule after schema)', method: 'POST', url: () => '/api/v1/subjects', body: { ...subjectBody(), subjectCode: '91330106MA2H00001A' }, status: 400, code: 'invalid-subject-code', pointer: '/subjectCode' },
      { name: 'malformed GTIN', method: 'POST', url: () => `/api/v1/subjects/${subjectId}/products`, body: { gtin: '6901234567891', name: 'x', productClass: 'food' }, status: 400, code: 'invalid-gtin' },
      { name: 'unknown on-behalf-of subject', method: 'GET', url: () => '/api/v1/me', headers: { 'x-on-behalf-of': 'no-such-subject' }, status: 400, code: 'on-behalf-unknown' },
      {
        // Hashing and indexing walk extensions recursively: a document nested this deep must be refused, not crash them.
        name: 'EPCIS event nested 20,000 levels deep',
        method: 'POST',
        url: () => '/epcis/capture',
        rawBody: JSON.stringify(epcisDocument([objectEvent({ 'example:deep': 'DEEP' })])).replace('"DEEP"', `${'['.repeat(20_000)}1${']'.repeat(20_000)}`),
        headers: { 'content-type': 'application/ld+json' },
        status: 400,
        code: 'epcis-validation-failed',
      },
      {
        // PostgreSQL refuses U+0000 in text; a lone surrogate half is not Unicode. Both dialects refuse them alike.
        name: 'EPCIS extension value holding an escaped NUL',
        method: 'POST',
        url: () => '/epcis/capture',
        body: epcisDocument([objectEvent({ 'example:note': 'a\u0000b' })]),
        headers: { 'content-type': 'application/ld+json' },
        status: 400,
        code: 'epcis-validation-failed',
        pointer: '/epcisBody/eventList/0/example:note',
      },
      { name: 'JSON body holding an escaped NUL', method: 'POST', url: () => '/api/v1/subjects', body: { ...subjectBody(), name: 'a\u0000b' }, status: 400, code: 'unstorable-text', pointer: '/name' },
      { name: 'JSON body holding a lone surrogate half', method: 'POST', url: () => '/api/v1/subjects', body: { ...subjectBody(), name: 'a\ud800b' }, status: 400, code: 'unstorable-text', pointer: '/name' },
      { name: 'NUL in a path parameter', method: 'GET', url: () => '/api/v1/subjects/a%00b', status: 400, code: 'unstorable-text' },
      { name: 'NUL in an EPCIS query value', method: 'GET', url: () => '/epcis/events?EQ_eventID=a%00b', status: 400, code: 'unstorable-text' },
      { name: 'forged page token', method: 'GET', url: () => `/epcis/events?nextPageToken=${Buffer.from(JSON.stringify({ key: 5, seq: 5, remaining: -3 })).toString('base64url')}`, status: 400, code: 'invalid-page-token' },
      { name: 'malformed authorization header', method: 'GET', url: () => '/api/v1/me', headers: { authorization: 'Basic Zm9vOmJhcg==' }, status: 401, code: 'missing-credentials' },
    ];

    for (const c of cases) {
      test(`${c.name} → ${c.status} ${c.code}, nothing written`, async () => {
        const before = await tableCounts(t);
        const res = await call(t.app, c.method, c.url(), {
          ...(c.body !== undefined ? { body: c.body } : {}),
          ...(c.rawBody !== undefined ? { rawBody: c.rawBody } : {}),
          ...(c.headers ? { headers: c.headers } : {}),
          ...(c.headers?.authorization ? { key: null } : {}),
        });
        assert.equal(res.status, c.status, res.body.slice(0, 300));
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
        assert.equal(res.json.code, c.code);
        assert.equal(res.json.type, `urn:zhuisu:problem:${c.code}`);
        assert.equal(res.json.status, c.status);
        assert.equal(typeof res.json.detail, 'string');
        assert.equal(res.headers['x-request-id'], res.json.requestId, 'the problem names the request the header names');
        if (c.pointer) assert.ok((res.json.errors as { pointer: string }[]).some((e) => e.pointer === c.pointer), JSON.stringify(res.json.errors));
        assert.deepEqual(await tableCounts(t), before);
      });
    }

    test('a write that fails half-way leaves nothing behind', async () => {
      // The second prefix clashes with an existing subject's: the subject row, the first prefix and the audit entry
      // are all rolled back together.
      const taken = buildCompanyPrefix();
      await call(t.app, 'POST', '/api/v1/subjects', { body: subjectBody({ companyPrefixes: [taken] }) });
      const before = await tableCounts(t);
      const res = await call(t.app, 'POST', '/api/v1/subjects', { body: subjectBody({ companyPrefixes: [buildCompanyPrefix(), taken] }) });
      assert.equal(res.status, 409);
      assert.equal(res.json.code, 'company-prefix-taken');
      assert.deepEqual(await tableCounts(t), before);
    });

    test('no 5xx for any of a batch of garbage bodies', async () => {
      const garbage = ['null', 'true', '"string"', '0', '{"kind":null}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{}}}', '\u0000', '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}'];
      for (const body of garbage) {
        const res = await call(t.app, 'POST', '/api/v1/subjects', { rawBody: body, headers: { 'content-type': 'application/json' } });
        assert.ok(res.status >= 400 && res.status < 500, `${body.slice(0, 30)} → ${res.status}`);
      }
    });
  });
}
