import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ed25519Signer, ed25519VerifierKey, signNote } from '../../src/crypto/signed-note.js';
import { batchSignatureBody, type OutgoingBatch } from '../../src/federation/federation.service.js';
import { backoffMs, MAX_BACKOFF_MS } from '../../src/federation/forwarder.js';
import { withCheckDigit } from '../../src/codes/gs1/check-digit.js';
import { epcisDocument, objectEvent, sgln, sgtin } from '../builders/epcis.js';
import { buildUscc, locationBody, productBody, subjectBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, subjectWithKey, userKey, type TestPlatform } from '../support/platform.js';

/**
 * A province and a city in one process: the city builds its batches with its own service (no forwarder runs under
 * test), the province answers through its HTTP app. What the forwarder does with each answer is driven here by hand.
 */

let serial = 800_000;

test('backoff doubles from 250 ms with jitter and never waits more than 10 s', () => {
  assert.ok(backoffMs(1, () => 1) === 250 && backoffMs(2, () => 1) === 500 && backoffMs(1, () => 0) === 125);
  for (const attempts of [10, 20, 1000]) assert.equal(backoffMs(attempts, () => 1), MAX_BACKOFF_MS);
});

for (const dialect of TEST_DIALECTS) {
  describe(`federation on ${dialect}`, () => {
    let city: TestPlatform;
    let province: TestPlatform;
    let memberKey: string;
    let origin: string;

    before(async () => {
      province = await startTestPlatform(dialect, { ZHUISU_LEVEL: 'province', ZHUISU_REGION: '330000', ZHUISU_LOG_ORIGIN: `province-${dialect}.test/log` });
      city = await startTestPlatform(dialect, {
        ZHUISU_LEVEL: 'city',
        ZHUISU_REGION: '330100',
        ZHUISU_LOG_ORIGIN: `city-${dialect}.test/log`,
        ZHUISU_UPSTREAM_URL: 'http://province.invalid',
        ZHUISU_UPSTREAM_TOKEN: 'not-used-under-test',
      });
      origin = city.platform.services.log.origin;
    });
    after(async () => {
      await city?.close();
      await province?.close();
    });

    const send = (batch: OutgoingBatch, key = memberKey) => call(province.app, 'POST', '/api/v1/federation/batches', { key, body: batch.body });
    /** Sends batches until the province has everything, as the forwarder would; returns the first refusal, if any. */
    const forward = async () => {
      const federation = city.platform.services.federation;
      for (let round = 0; round < 10; round++) {
        const batch = await federation.nextBatch();
        if (!batch) return undefined;
        const answer = await send(batch);
        if (answer.status === 200) await federation.recordSent(batch, answer.json);
        else if (answer.json.code === 'federation-out-of-order') await federation.resync({ position: answer.json.errors[0].position }, 'out of order');
        else if (answer.json.code === 'federation-witness-stale') await federation.resync({ ackedSize: answer.json.errors[0].witnessSize }, 'stale');
        else return answer;
      }
      return assert.fail('the city did not catch up');
    };
    const capture = async (count: number) => {
      const events = Array.from({ length: count }, () => objectEvent({ epcList: [sgtin(serial++)] }));
      const answer = await call(city.app, 'POST', '/epcis/capture', { body: epcisDocument(events) });
      assert.equal(answer.status, 202);
      return answer.json.eventIDs as string[];
    };

    test('registering a member: bad input is problem+json, the key is shown once, the log is witnessed', async () => {
      const logKey = city.platform.services.log.verifierKey;
      const bad = [
        { name: 'x', kind: 'platform', level: 'city', logOrigin: origin, logKey: 'not a key' },
        { name: 'x', kind: 'platform', level: 'county', logOrigin: origin, logKey },
        { name: 'x', kind: 'platform', level: 'city', logOrigin: 'another.test/log', logKey },
        { name: 'x', kind: 'platform', level: 'city', regionCode: '33', logOrigin: origin, logKey },
        { name: 'x', kind: 'platform', level: 'city', logOrigin: origin, logKey, extra: 1 },
      ];
      for (const body of bad) {
        const answer = await call(province.app, 'POST', '/api/v1/federation/members', { body });
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.match(String(answer.headers['content-type']), /application\/problem\+json/);
      }
      const created = await call(province.app, 'POST', '/api/v1/federation/members', { body: { name: '杭州市平台', kind: 'platform', level: 'city', regionCode: '330100', logOrigin: origin, logKey } });
      assert.equal(created.status, 201);
      memberKey = created.json.secret;
      assert.match(memberKey, /^zsk_/);
      assert.equal(created.json.member.position, 0);
      const again = await call(province.app, 'POST', '/api/v1/federation/members', { body: { name: 'again', kind: 'platform', level: 'city', logOrigin: origin, logKey } });
      assert.equal(again.status, 409);
      const logs = (await call(province.app, 'GET', '/api/v1/witness/logs')).json.items as { origin: string }[];
      assert.ok(logs.some((l) => l.origin === origin), 'the member\'s log is witnessed');

      // The member's key reads its own federation status and nothing of the platform's.
      const own = await call(province.app, 'GET', '/api/v1/federation/members', { key: memberKey });
      assert.equal(own.status, 200);
      assert.deepEqual(own.json.items.map((m: { logOrigin: string }) => m.logOrigin), [origin]);
      const status = await call(province.app, 'GET', '/api/v1/federation/status', { key: memberKey });
      assert.equal(status.status, 200);
      assert.equal(status.json.upstream, null);
      assert.equal((await call(province.app, 'POST', '/api/v1/federation/members', { key: memberKey, body: { name: 'y', kind: 'system', level: 'enterprise', logOrigin: 'y.test/log', logKey } })).status, 403);
      assert.equal((await call(province.app, 'POST', '/epcis/capture', { key: memberKey, body: epcisDocument([objectEvent({ epcList: [sgtin(serial++)] })]) })).status, 403);
      assert.equal((await call(province.app, 'GET', '/api/v1/subjects/none', { key: memberKey })).status >= 403, true);
      const operator = await subjectWithKey(province.app);
      assert.equal((await call(province.app, 'GET', '/api/v1/federation/members', { key: operator.key })).status, 403);
    });

    test('batches: stored under the same eventIDs, cosigned, ordered, and a re-send stores nothing twice', async () => {
      const federation = city.platform.services.federation;
      const first = await capture(2);
      // An eventID the client chose travels as it is; the others are the event hash, recomputed upstream.
      const chosen = `urn:uuid:${randomUUID()}`;
      assert.equal((await call(city.app, 'POST', '/epcis/capture', { body: epcisDocument([objectEvent({ eventID: chosen, epcList: [sgtin(serial++)] })]) })).status, 202);
      first.push(chosen);
      const batch = (await federation.nextBatch())!;
      assert.equal(batch.events, 3);
      const sent = await send(batch);
      assert.equal(sent.status, 200, sent.body);
      assert.equal(sent.json.stored, 3);
      assert.match(sent.json.cosignatures, /^— province-.*\.test\/witness /);
      for (const id of first) assert.equal((await call(province.app, 'GET', `/epcis/events/${encodeURIComponent(id)}`)).status, 200, id);

      // The answer is lost: the city sends the same batch again, and is told where the province is.
      const resent = await send(batch);
      assert.equal(resent.status, 409);
      assert.equal(resent.json.code, 'federation-out-of-order');
      assert.equal(resent.json.errors[0].position, batch.to);
      await federation.resync({ position: resent.json.errors[0].position }, 'out of order');
      assert.equal(await federation.nextBatch(), null, 'nothing left to send');

      // Its witness moved on too: the next batch proves from the size the province names.
      const second = await capture(2);
      const stale = (await federation.nextBatch())!;
      const staleAnswer = await send(stale);
      assert.equal(staleAnswer.status, 409);
      assert.equal(staleAnswer.json.code, 'federation-witness-stale');
      assert.equal(staleAnswer.json.errors[0].witnessSize, batch.checkpointSize);
      await federation.resync({ ackedSize: staleAnswer.json.errors[0].witnessSize }, 'stale');
      const next = (await federation.nextBatch())!;
      assert.equal(next.from, batch.to);
      assert.equal(next.events, 2);
      const lost = await send(next);
      assert.equal(lost.status, 200, lost.body);
      // The province stored the events and fell over before recording its position; the city never heard the answer.
      await province.platform.database.db.updateTable('federation_members').set({ position: next.from }).where('log_origin', '=', origin).execute();
      const retry = (await federation.nextBatch())!;
      const retryStale = await send(retry);
      assert.equal(retryStale.json.code, 'federation-witness-stale');
      await federation.resync({ ackedSize: retryStale.json.errors[0].witnessSize }, 'stale');
      const again = (await federation.nextBatch())!;
      assert.deepEqual([again.from, again.to], [next.from, next.to]);
      const ok = await send(again);
      assert.equal(ok.status, 200, ok.body);
      await federation.recordSent(again, ok.json);
      const status = (await call(city.app, 'GET', '/api/v1/federation/status')).json;
      assert.equal(status.upstream.backlog, 0);
      assert.equal(status.upstream.position, next.to);
      assert.equal(status.upstream.lastError, null);

      const members = (await call(province.app, 'GET', '/api/v1/federation/members')).json.items as { eventsReceived: number; batches: number; resent: number; lastLagMs: number }[];
      // Counted per accepted batch: the two stored again after the simulated crash count twice here, once in the store.
      assert.deepEqual([members[0]!.eventsReceived, members[0]!.batches, members[0]!.resent], [7, 3, 1]);
      assert.ok(members[0]!.lastLagMs > 0);
      const stored = (await call(province.app, 'GET', '/epcis/events?perPage=100')).json.epcisBody.queryResults.resultsBody.eventList as { eventID: string }[];
      assert.deepEqual(stored.map((e) => e.eventID).sort(), [...first, ...second].sort(), 'each event once');
      const metrics = (await call(province.app, 'GET', '/metrics', { key: null })).body;
      assert.match(metrics, new RegExp(`zhuisu_federation_member_events_received\\{member="${origin.replace(/[.]/g, '\\.')}"\\} 7`));
    });

    test('refusals: malformed batches, another member\'s log, and a forged batch signature, which is alarmed', async () => {
      const federation = city.platform.services.federation;
      for (const payload of ['not json', '[]', JSON.stringify({ type: 'other' }), JSON.stringify({ type: 'zhuisu-federation-batch/v1', origin, from: 2, to: 1, checkpoint: '', oldSize: 0, proof: [], events: [] })]) {
        const answer = await call(province.app, 'POST', '/api/v1/federation/batches', { key: memberKey, body: { payload, signature: 'x' } });
        assert.equal(answer.status, 400, payload);
        assert.equal(answer.json.code, 'federation-batch-malformed');
      }
      assert.equal((await call(province.app, 'POST', '/api/v1/federation/batches', { key: memberKey, body: { payload: '{}' } })).status, 400);

      await capture(1);
      const batch = (await federation.nextBatch())!;
      // Another member may not post this log's batches.
      const { privateKey } = generateKeyPairSync('ed25519');
      const otherOrigin = `other-${dialect}.test/log`;
      const other = await call(province.app, 'POST', '/api/v1/federation/members', { body: { name: 'other', kind: 'system', level: 'enterprise', logOrigin: otherOrigin, logKey: ed25519VerifierKey(otherOrigin, privateKey) } });
      assert.equal((await send(batch, other.json.secret)).status, 403);

      const forged = { ...batch, body: { payload: batch.body.payload, signature: signNote(batchSignatureBody(origin, batch.body.payload), [ed25519Signer(origin, privateKey)]) } };
      const refused = await send(forged);
      assert.equal(refused.status, 403);
      assert.equal(refused.json.code, 'federation-signature-invalid');
      // A signature by the right key over another payload is a forgery too.
      const swapped = { ...batch, body: { payload: batch.body.payload.replace('"events":[', '"events":[ '), signature: batch.body.signature } };
      assert.equal((await send(swapped)).json.code, 'federation-signature-invalid');
      const alarms = (await call(province.app, 'GET', `/api/v1/witness/alarms?origin=${encodeURIComponent(origin)}`)).json.items as { kind: string }[];
      assert.deepEqual(alarms.map((a) => a.kind), ['forged', 'forged']);
      // The genuine batch still goes in.
      assert.equal((await send(batch)).status, 200);
    });

    test('master data and corrections go up: the owner and the regulators of the region read the events there', async () => {
      const { subject, key: cityAdmin } = await subjectWithKey(city.app, { role: 'subject_admin' });
      const gln = withCheckDigit('061414100888');
      const location = (await call(city.app, 'POST', `/api/v1/subjects/${subject.id}/locations`, { key: cityAdmin, body: locationBody({ gln }) })).json;
      const product = (await call(city.app, 'POST', `/api/v1/subjects/${subject.id}/products`, { key: cityAdmin, body: productBody() })).json;
      assert.ok(location.id && product.id);
      const event = objectEvent({ epcList: [sgtin(serial++)], bizLocation: { id: sgln(0, '00888') }, readPoint: { id: sgln(0, '00888') } });
      const [eventID] = (await call(city.app, 'POST', '/epcis/capture', { key: cityAdmin, body: epcisDocument([event]) })).json.eventIDs as string[];
      const declaration = { ...event, errorDeclaration: { declarationTime: '2024-05-03T10:00:00.000+08:00', reason: 'incorrect_data', correctiveEventIDs: [] } };
      assert.equal((await call(city.app, 'POST', '/epcis/capture', { key: cityAdmin, body: epcisDocument([declaration]) })).status, 202);

      assert.equal(await forward(), undefined);
      // Same ids: none was taken at the province.
      const there = (await call(province.app, 'GET', `/api/v1/subjects/${subject.id}`)).json;
      assert.deepEqual([there.subjectCode, there.name, there.regionCode], [subject.subjectCode, subject.name, subject.regionCode]);
      assert.equal((await call(province.app, 'GET', `/api/v1/locations/${location.id}`)).json.gln, gln);
      assert.equal((await call(province.app, 'GET', `/api/v1/products/${product.id}`)).json.gtin, product.gtin);

      // The correction arrived as a correction of the same event.
      const shown = (await call(province.app, 'GET', `/epcis/events/${encodeURIComponent(eventID!)}`)).json;
      assert.equal(shown.errorDeclaration?.reason, 'incorrect_data');

      // A regulator of the city's region reads the event at the province; one of another city does not.
      const regulator = await userKey(province.app, 'regulator', { regionPrefix: '3301', departments: ['market_regulation'] });
      const elsewhere = await userKey(province.app, 'regulator', { regionPrefix: '3302', departments: ['market_regulation'] });
      assert.equal((await call(province.app, 'GET', `/epcis/events/${encodeURIComponent(eventID!)}`, { key: regulator })).status, 200);
      assert.equal((await call(province.app, 'GET', `/epcis/events/${encodeURIComponent(eventID!)}`, { key: elsewhere })).status, 403);
      // The subject owns its event at the province too: a user of it there reads it.
      const user = (await call(province.app, 'POST', '/api/v1/users', { body: { username: `owner${serial}`, role: 'subject_operator', subjectId: subject.id } })).json;
      const ownerKey = (await call(province.app, 'POST', `/api/v1/users/${user.id}/keys`, { body: { name: 'test' } })).json.secret as string;
      const listed = (await call(province.app, 'GET', '/epcis/events?perPage=100', { key: ownerKey })).json.epcisBody.queryResults.resultsBody.eventList as { eventID: string }[];
      assert.deepEqual(listed.map((e) => e.eventID), [eventID]);

      // Every record applied is an audited write at the province, by the member's key.
      const audit = (await call(province.app, 'GET', `/api/v1/audit?subjectId=${subject.id}`)).json.items as { action: string }[];
      assert.deepEqual(audit.map((a) => a.action).filter((a) => a.startsWith('federation.')).sort(), ['federation.location.create', 'federation.product.create', 'federation.subject.create']);
    });

    test('conflicts: the record that was at the province first wins, the member keeps its own up to date', async () => {
      const code = buildUscc('330106');
      const own = (await call(province.app, 'POST', '/api/v1/subjects', { body: subjectBody({ subjectCode: code, name: '省里登记的名称' }) })).json;
      const copy = (await call(city.app, 'POST', '/api/v1/subjects', { body: subjectBody({ subjectCode: code, name: '市里登记的名称' }) })).json;
      const gln = withCheckDigit('061414100999');
      const location = (await call(city.app, 'POST', `/api/v1/subjects/${copy.id}/locations`, { body: locationBody({ gln }) })).json;
      const mine = (await call(city.app, 'POST', '/api/v1/subjects', { body: subjectBody() })).json;
      assert.equal(await forward(), undefined);

      // Matched on the 主体码: the province's record is untouched, and the city's location hangs under it.
      const there = (await call(province.app, 'GET', `/api/v1/subjects/${code}`)).json;
      assert.deepEqual([there.id, there.name], [own.id, '省里登记的名称']);
      assert.equal((await call(province.app, 'GET', `/api/v1/subjects/${copy.id}`)).status, 404);
      assert.equal((await call(province.app, 'GET', `/api/v1/locations/${location.id}`)).json.subjectId, own.id);

      // Changes to a linked record change nothing; changes to the city's own record follow it up.
      assert.equal((await call(city.app, 'PATCH', `/api/v1/subjects/${copy.id}`, { body: { name: '市里改过的名称' } })).status, 200);
      assert.equal((await call(city.app, 'PATCH', `/api/v1/subjects/${mine.id}`, { body: { name: '改名后的企业' } })).status, 200);
      assert.equal(await forward(), undefined);
      assert.equal((await call(province.app, 'GET', `/api/v1/subjects/${own.id}`)).json.name, '省里登记的名称');
      assert.equal((await call(province.app, 'GET', `/api/v1/subjects/${mine.id}`)).json.name, '改名后的企业');
    });

    test('recalls come down by pull to the subjects the city brought, and their acknowledgements go back up', async () => {
      const { subject, key: cityUser } = await subjectWithKey(city.app, { role: 'subject_admin' });
      const gln = withCheckDigit('061414100555');
      assert.equal((await call(city.app, 'POST', `/api/v1/subjects/${subject.id}/locations`, { key: cityUser, body: locationBody({ gln }) })).status, 201);
      const code = sgtin(serial++);
      assert.equal((await call(city.app, 'POST', '/epcis/capture', { key: cityUser, body: epcisDocument([objectEvent({ epcList: [code], bizLocation: { id: sgln(0, '00555') } })]) })).status, 202);
      assert.equal(await forward(), undefined);

      const recall = await call(province.app, 'POST', '/api/v1/recalls', { body: { codes: [code], reason: '抽检不合格', level: 2 } });
      assert.equal(recall.status, 201, recall.body);
      // Fetched with the member's key only.
      assert.equal((await call(province.app, 'GET', '/api/v1/federation/recalls')).status, 403);
      const down = await call(province.app, 'GET', '/api/v1/federation/recalls', { key: memberKey });
      assert.equal(down.status, 200);
      const item = (down.json.items as { id: string; notices: { subjectId: string; holdings: string[] }[] }[]).find((r) => r.id === recall.json.id)!;
      assert.deepEqual(item.notices.map((n) => [n.subjectId, n.holdings.length]), [[subject.id, 1]]);

      const federation = city.platform.services.federation;
      assert.ok((await federation.receiveRecalls(down.json.items)) >= 1);
      assert.equal(await federation.receiveRecalls(down.json.items), 0, 'received once');
      const notices = (await call(city.app, 'GET', '/api/v1/notices', { key: cityUser })).json.items as { id: string; recallId: string; recall: { reason: string } }[];
      assert.deepEqual(notices.map((n) => [n.recallId, n.recall.reason]), [[recall.json.id, '抽检不合格']]);
      const answered = await call(city.app, 'POST', `/api/v1/notices/${notices[0]!.id}/acknowledge`, { key: cityUser, body: { found: [{ quantity: 1, uom: 'EA' }], note: '已下架' } });
      assert.equal(answered.status, 200, answered.body);

      assert.equal(await forward(), undefined);
      const progress = (await call(province.app, 'GET', `/api/v1/recalls/${recall.json.id}/progress`)).json;
      assert.equal(progress.acknowledged, 1);
      assert.deepEqual(progress.recovered, [{ quantity: 1, uom: 'EA' }]);
    });

    test('a recall started at the city is shown at the province read-only, and kept as the city answers and closes it', async () => {
      const { subject, key: cityUser } = await subjectWithKey(city.app, { role: 'subject_admin' });
      const gln = withCheckDigit('061414100444');
      assert.equal((await call(city.app, 'POST', `/api/v1/subjects/${subject.id}/locations`, { key: cityUser, body: locationBody({ gln }) })).status, 201);
      const code = sgtin(serial++);
      assert.equal((await call(city.app, 'POST', '/epcis/capture', { key: cityUser, body: epcisDocument([objectEvent({ epcList: [code], bizLocation: { id: sgln(0, '00444') } })]) })).status, 202);
      const recall = await call(city.app, 'POST', '/api/v1/recalls', { body: { codes: [code], reason: '市级抽检不合格' } });
      assert.equal(recall.status, 201, recall.body);
      assert.equal(await forward(), undefined);

      const shown = await call(province.app, 'GET', `/api/v1/recalls/${recall.json.id}`);
      assert.equal(shown.status, 200, shown.body);
      assert.deepEqual([shown.json.reason, shown.json.status, shown.json.initiator.actor], ['市级抽检不合格', 'open', `member ${origin}`]);
      const regulator = await userKey(province.app, 'regulator', { regionPrefix: '3301', departments: ['market_regulation'] });
      const elsewhere = await userKey(province.app, 'regulator', { regionPrefix: '3302', departments: ['market_regulation'] });
      assert.equal((await call(province.app, 'GET', `/api/v1/recalls/${recall.json.id}`, { key: regulator })).status, 200);
      assert.equal((await call(province.app, 'GET', `/api/v1/recalls/${recall.json.id}`, { key: elsewhere })).status, 403);
      // Read-only at the province: answered and closed at the city, and not sent back down to it.
      const closing = await call(province.app, 'POST', `/api/v1/recalls/${recall.json.id}/close`, { body: {} });
      assert.equal(closing.status, 409);
      assert.equal(closing.json.code, 'recall-read-only');
      const down = (await call(province.app, 'GET', '/api/v1/federation/recalls', { key: memberKey })).json.items as { id: string }[];
      assert.ok(!down.some((r) => r.id === recall.json.id));

      const notice = ((await call(city.app, 'GET', '/api/v1/notices', { key: cityUser })).json.items as { id: string }[])[0]!;
      assert.equal((await call(city.app, 'POST', `/api/v1/notices/${notice.id}/acknowledge`, { key: cityUser, body: { returned: [{ quantity: 2, uom: 'EA' }] } })).status, 200);
      assert.equal((await call(city.app, 'POST', `/api/v1/recalls/${recall.json.id}/close`, { body: { note: '已完成' } })).status, 200);
      assert.equal(await forward(), undefined);
      const progress = (await call(province.app, 'GET', `/api/v1/recalls/${recall.json.id}/progress`)).json;
      assert.deepEqual([progress.notices, progress.acknowledged, progress.recovered], [1, 1, [{ quantity: 2, uom: 'EA' }]]);
      const closed = (await call(province.app, 'GET', `/api/v1/recalls/${recall.json.id}`)).json;
      assert.deepEqual([closed.status, closed.closingNote], ['closed', '已完成']);
    });

    test('a member brings master data of its own region only: a subject of another province refuses the batch whole', async () => {
      const inside = (await call(city.app, 'POST', '/api/v1/subjects', { body: subjectBody() })).json;
      const outside = (await call(city.app, 'POST', '/api/v1/subjects', { body: subjectBody({ regionCode: '320102' }) })).json;
      const before = (await call(province.app, 'GET', '/api/v1/federation/members')).json.items.find((m: { logOrigin: string }) => m.logOrigin === origin);
      const refused = await forward();
      assert.equal(refused?.status, 403);
      assert.equal(refused?.json.code, 'federation-record-outside-region');
      assert.match(refused?.json.detail, /320102/);
      // Nothing of the batch was written: neither subject, nor the member's position.
      assert.equal((await call(province.app, 'GET', `/api/v1/subjects/${inside.id}`)).status, 404);
      assert.equal((await call(province.app, 'GET', `/api/v1/subjects/${outside.id}`)).status, 404);
      const after = (await call(province.app, 'GET', '/api/v1/federation/members')).json.items.find((m: { logOrigin: string }) => m.logOrigin === origin);
      assert.equal(after.position, before.position);
    });
  });
}
