import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { epcisDocument, objectEvent, sgtin } from '../builders/epcis.js';
import { buildCompanyPrefix, buildGln, buildGtin, locationBody, subjectBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, keyParts, startTestPlatform, type TestPlatform } from '../support/platform.js';

/** Rules of docs/ACCESS.md that the matrix does not show: suspension, acting on behalf, key life cycle. */

const username = () => `u${Math.random().toString(36).slice(2, 10)}`;

for (const dialect of TEST_DIALECTS) {
  describe(`tenancy rules on ${dialect}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await startTestPlatform(dialect);
    });
    after(() => t.close());

    async function subjectWithAdmin() {
      const subject = (await call(t.app, 'POST', '/api/v1/subjects', { body: subjectBody() })).json;
      const user = (await call(t.app, 'POST', '/api/v1/users', { body: { username: username(), role: 'subject_admin', subjectId: subject.id } })).json;
      const key = (await call(t.app, 'POST', `/api/v1/users/${user.id}/keys`, { body: { name: 'test' } })).json;
      return { subject, user, key: key.secret as string, keyId: key.id as string };
    }

    test('a suspended or blacklisted subject keeps reading but can no longer write', async () => {
      const { subject, key } = await subjectWithAdmin();
      assert.equal((await call(t.app, 'PATCH', `/api/v1/subjects/${subject.id}`, { key, body: { address: 'A' } })).status, 200);
      const suspend = await call(t.app, 'PUT', `/api/v1/subjects/${subject.id}/status`, { body: { status: 'suspended', reason: '抽检不合格' } });
      assert.equal(suspend.json.status, 'suspended');
      assert.equal(suspend.json.statusReason, '抽检不合格');
      assert.equal((await call(t.app, 'GET', `/api/v1/subjects/${subject.id}`, { key })).status, 200);
      assert.equal((await call(t.app, 'PATCH', `/api/v1/subjects/${subject.id}`, { key, body: { address: 'B' } })).status, 403);
      assert.equal((await call(t.app, 'POST', '/api/v1/users', { key, body: { username: username(), role: 'subject_operator', subjectId: subject.id } })).status, 403);
      await call(t.app, 'PUT', `/api/v1/subjects/${subject.id}/status`, { body: { status: 'active' } });
      assert.equal((await call(t.app, 'PATCH', `/api/v1/subjects/${subject.id}`, { key, body: { address: 'C' } })).status, 200);
    });

    test('a subject reads its own events and those about things it has held; a regulator reads its region', async () => {
      const seller = await subjectWithAdmin();
      const buyer = await subjectWithAdmin();
      const stranger = await subjectWithAdmin();
      const buyerGln = buildGln(buildCompanyPrefix());
      await call(t.app, 'POST', `/api/v1/subjects/${buyer.subject.id}/locations`, { body: locationBody({ gln: buyerGln }) });
      const item = sgtin(900_000 + Math.floor(Math.random() * 99_999));
      const sellerOnly = sgtin(800_000 + Math.floor(Math.random() * 99_999));
      const [gcp, ref] = [buyerGln.slice(0, 7), buyerGln.slice(7, 12)];
      const ship = objectEvent({ epcList: [item], action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', destinationList: [{ type: 'location', destination: `urn:epc:id:sgln:${gcp}.${ref}.0` }] });
      const internal = objectEvent({ epcList: [sellerOnly], eventTime: '2024-05-01T09:00:00.000+08:00' });
      const captured = await call(t.app, 'POST', '/epcis/capture', { key: seller.key, body: epcisDocument([ship, internal]) });
      assert.equal(captured.status, 202, captured.body);
      const [shipId, internalId] = (await call(t.app, 'GET', String(captured.headers.location), { key: seller.key })).json.eventIDs as string[];
      const get = async (key: string, id: string) => (await call(t.app, 'GET', `/epcis/events/${encodeURIComponent(id!)}`, { key })).status;
      const visible = async (key: string) =>
        ((await call(t.app, 'GET', '/epcis/events?perPage=1000', { key })).json.epcisBody.queryResults.resultsBody.eventList as { eventID: string }[]).map((e) => e.eventID);

      assert.equal(await get(seller.key, shipId!), 200);
      assert.equal(await get(buyer.key, shipId!), 200, 'the destination GLN is the buyer\'s: the buyer reads the shipment to it');
      assert.equal(await get(buyer.key, internalId!), 403, 'but not the seller\'s other events');
      assert.equal(await get(stranger.key, shipId!), 403);
      assert.deepEqual((await visible(buyer.key)).filter((id) => id === shipId || id === internalId), [shipId]);
      assert.deepEqual((await visible(stranger.key)).filter((id) => id === shipId || id === internalId), []);
    });

    test('a regulator reads the events of its region about its product classes, and those about unregistered products', async () => {
      const { subject, key } = await subjectWithAdmin();
      const prefix = buildCompanyPrefix();
      await call(t.app, 'PATCH', `/api/v1/subjects/${subject.id}`, { body: { companyPrefixes: [prefix] } });
      const food = buildGtin(prefix);
      const drug = buildGtin(prefix);
      for (const [gtin, productClass] of [[food, 'food'], [drug, 'drug']] as const) {
        assert.equal((await call(t.app, 'POST', `/api/v1/subjects/${subject.id}/products`, { body: { gtin, name: productClass, productClass } })).status, 201);
      }
      const item = (gtin: string) => `https://id.gs1.org/01/${gtin.padStart(14, '0')}/21/S${Math.floor(Math.random() * 1e9)}`;
      const unregistered = buildGtin(buildCompanyPrefix());
      const events = [food, drug, unregistered].map((gtin) => objectEvent({ epcList: [item(gtin)] }));
      const job = (await call(t.app, 'POST', '/epcis/capture', { key, body: epcisDocument(events) })).json;
      assert.equal(job.success, true, JSON.stringify(job.errors));
      const [foodId, drugId, unregisteredId] = job.eventIDs as string[];

      const regulator = (await call(t.app, 'POST', '/api/v1/users', { body: { username: username(), role: 'regulator', regionPrefix: '3301', departments: ['market_regulation'] } })).json;
      const regulatorKey = (await call(t.app, 'POST', `/api/v1/users/${regulator.id}/keys`, { body: { name: 'r' } })).json.secret as string;
      const status = async (id: string) => (await call(t.app, 'GET', `/epcis/events/${encodeURIComponent(id)}`, { key: regulatorKey })).status;
      assert.equal(await status(foodId!), 200, 'food is 市场监管 business');
      assert.equal(await status(drugId!), 403, 'drugs are 药监 business');
      assert.equal(await status(unregisteredId!), 200, 'an unregistered product stays visible to the region');
      const listed = ((await call(t.app, 'GET', '/epcis/events?perPage=1000', { key: regulatorKey })).json.epcisBody.queryResults.resultsBody.eventList as { eventID: string }[]).map((e) => e.eventID);
      assert.ok(listed.includes(foodId!) && listed.includes(unregisteredId!) && !listed.includes(drugId!));
    });

    test('suspending needs a reason', async () => {
      const { subject } = await subjectWithAdmin();
      const res = await call(t.app, 'PUT', `/api/v1/subjects/${subject.id}/status`, { body: { status: 'blacklisted' } });
      assert.equal(res.status, 400);
      assert.equal(res.json.code, 'reason-required');
    });

    test('a platform admin acts on behalf of a named subject, and the audit trail says so', async () => {
      const { subject } = await subjectWithAdmin();
      const me = await call(t.app, 'GET', '/api/v1/me', { headers: { 'x-on-behalf-of': subject.subjectCode } });
      assert.equal(me.json.onBehalfOf, subject.id);
      await call(t.app, 'PATCH', `/api/v1/subjects/${subject.id}`, { headers: { 'x-on-behalf-of': subject.id }, body: { address: '代办' } });
      const audit = await call(t.app, 'GET', `/api/v1/audit?subjectId=${subject.id}&action=subject.update`);
      assert.equal(audit.json.items[0].onBehalfOf, subject.id);
      assert.equal(audit.json.items[0].actor, 'admin-token');
    });

    test('only a platform admin may act on behalf of a subject', async () => {
      const { subject, key } = await subjectWithAdmin();
      const res = await call(t.app, 'GET', '/api/v1/me', { key, headers: { 'x-on-behalf-of': subject.id } });
      assert.equal(res.status, 403);
      assert.equal(res.json.code, 'on-behalf-not-permitted');
    });

    test('a revoked key, an expired key and a disabled user are all refused with the same 401', async () => {
      const { user, key, keyId } = await subjectWithAdmin();
      assert.equal((await call(t.app, 'GET', '/api/v1/me', { key })).status, 200);
      assert.equal((await call(t.app, 'DELETE', `/api/v1/keys/${keyId}`)).json.revokedAt !== null, true);
      const revoked = await call(t.app, 'GET', '/api/v1/me', { key });
      assert.equal(revoked.status, 401);
      assert.equal(revoked.json.code, 'invalid-credentials');

      const expiring = (await call(t.app, 'POST', `/api/v1/users/${user.id}/keys`, { body: { name: 'short', expiresAt: new Date(Date.now() + 1500).toISOString() } })).json;
      assert.equal((await call(t.app, 'GET', '/api/v1/me', { key: expiring.secret })).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 1600));
      assert.equal((await call(t.app, 'GET', '/api/v1/me', { key: expiring.secret })).status, 401);

      const fresh = (await call(t.app, 'POST', `/api/v1/users/${user.id}/keys`, { body: { name: 'fresh' } })).json;
      await call(t.app, 'PATCH', `/api/v1/users/${user.id}`, { body: { status: 'disabled' } });
      assert.equal((await call(t.app, 'GET', '/api/v1/me', { key: fresh.secret })).status, 401);
    });

    test('keys are stored hashed, shown once, and record when they were last used', async () => {
      const { user, key, keyId } = await subjectWithAdmin();
      const rows = await t.platform.database.db.selectFrom('api_keys').selectAll().where('id', '=', keyId).execute();
      assert.equal(rows.length, 1);
      assert.ok(!JSON.stringify(rows).includes(keyParts(key).secret), 'the secret must not be stored');
      await call(t.app, 'GET', '/api/v1/me', { key });
      const listed = await call(t.app, 'GET', `/api/v1/users/${user.id}/keys`);
      const entry = listed.json.items.find((k: { id: string }) => k.id === keyId);
      assert.ok(entry.lastUsedAt, 'lastUsedAt is set after use');
      assert.ok(!listed.body.includes(keyParts(key).secret), 'listing never shows the secret');
      assert.equal(entry.secret, undefined);
    });

    test('a subject admin cannot mint platform roles or users of another subject', async () => {
      const { key } = await subjectWithAdmin();
      const other = (await call(t.app, 'POST', '/api/v1/subjects', { body: subjectBody() })).json;
      for (const body of [
        { username: username(), role: 'platform_admin' },
        { username: username(), role: 'regulator', regionPrefix: '33', departments: ['agriculture'] },
        { username: username(), role: 'subject_admin', subjectId: other.id },
      ]) {
        assert.equal((await call(t.app, 'POST', '/api/v1/users', { key, body })).status, 403, JSON.stringify(body));
      }
    });

    test('a regulator needs a real region scope and supervised classes', async () => {
      for (const [body, code] of [
        [{ username: username(), role: 'regulator', departments: ['agriculture'] }, 'region-required'],
        [{ username: username(), role: 'regulator', regionPrefix: '99', departments: ['agriculture'] }, 'invalid-region'],
        [{ username: username(), role: 'regulator', regionPrefix: '33' }, 'classes-required'],
        [{ username: username(), role: 'subject_operator' }, 'subject-required'],
      ] as const) {
        const res = await call(t.app, 'POST', '/api/v1/users', { body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.json.code, code);
      }
      const national = await call(t.app, 'POST', '/api/v1/users', { body: { username: username(), role: 'regulator', regionPrefix: '', departments: ['drug_administration'] } });
      assert.equal(national.status, 201);
    });
  });
}
