import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { withCheckDigit } from '../../src/codes/gs1/check-digit.js';
import { KeyStore } from '../../src/crypto/key-store.js';
import { LogSigningKeys } from '../../src/crypto/signing-keys.js';
import { canonicalIdentifier } from '../../src/epcis/event-index.js';
import { SUMMARY_KEY } from '../../src/epcis/summary.js';
import { batchSignatureBody, type OutgoingBatch } from '../../src/federation/federation.service.js';
import { LogVerifier } from '../../src/log/verify.service.js';
import { aggregationEvent, epcisDocument, objectEvent, sgln, sgtin, sscc } from '../builders/epcis.js';
import { locationBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, subjectWithKey, type TestPlatform } from '../support/platform.js';

/**
 * Summaries mode (docs/FEDERATION.md, "Summaries"): a city sends its province summaries with their hashes while the
 * events stay at the city, and the province sends them on to the national platform as summaries. As in
 * federation.test.ts, batches are built by the senders' services and posted through the receivers' HTTP apps.
 */

const ILMD_NAMESPACE = 'https://ns.example.com/epcis/';
let serial = 870_000;

for (const dialect of TEST_DIALECTS) {
  describe(`federation summaries on ${dialect}`, () => {
    let national: TestPlatform;
    let province: TestPlatform;
    let city: TestPlatform;
    let cityKey: string;
    let provinceKey: string;
    let origin: string;

    before(async () => {
      national = await startTestPlatform(dialect, { ZHUISU_LEVEL: 'national', ZHUISU_LOG_ORIGIN: `national-s-${dialect}.test/log` });
      // The province sends on in full: what it holds as summaries still goes up as summaries.
      province = await startTestPlatform(dialect, {
        ZHUISU_LEVEL: 'province',
        ZHUISU_REGION: '330000',
        ZHUISU_LOG_ORIGIN: `province-s-${dialect}.test/log`,
        ZHUISU_UPSTREAM_URL: 'http://national.invalid',
        ZHUISU_UPSTREAM_TOKEN: 'not-used-under-test',
      });
      city = await startTestPlatform(dialect, {
        ZHUISU_LEVEL: 'city',
        ZHUISU_REGION: '330100',
        ZHUISU_LOG_ORIGIN: `city-s-${dialect}.test/log`,
        ZHUISU_PUBLIC_URL: 'https://trace.city.example',
        ZHUISU_UPSTREAM_URL: 'http://province.invalid',
        ZHUISU_UPSTREAM_TOKEN: 'not-used-under-test',
        ZHUISU_UPSTREAM_MODE: 'summaries',
      });
      origin = city.platform.services.log.origin;
      // The city answers resolver questions over HTTP, where its province asks them.
      const cityUrl = await city.app.listen({ port: 0, host: '127.0.0.1' });
      const register = async (at: TestPlatform, member: TestPlatform, level: string, regionCode: string, url?: string) => {
        const { log } = member.platform.services;
        const body = { name: level, kind: 'platform', level, regionCode, logOrigin: log.origin, logKey: log.verifierKey, ...(url ? { url } : {}) };
        const answer = await call(at.app, 'POST', '/api/v1/federation/members', { body });
        assert.equal(answer.status, 201, answer.body);
        return answer.json.secret as string;
      };
      cityKey = await register(province, city, 'city', '330100', cityUrl);
      provinceKey = await register(national, province, 'province', '330000');
    });
    after(async () => {
      await city?.close();
      await province?.close();
      await national?.close();
    });

    const send = (to: TestPlatform, batch: OutgoingBatch | OutgoingBatch['body'], key: string) => call(to.app, 'POST', '/api/v1/federation/batches', { key, body: 'body' in batch ? batch.body : batch });
    /** Sends batches from `from` until `to` has everything, as the forwarder would. */
    const forward = async (from: TestPlatform, to: TestPlatform, key: string, mode?: 'full' | 'summaries') => {
      const federation = from.platform.services.federation;
      for (let round = 0; round < 10; round++) {
        const batch = await federation.nextBatch(mode);
        if (!batch) return;
        const answer = await send(to, batch, key);
        if (answer.status === 200) await federation.recordSent(batch, answer.json);
        else if (answer.json.code === 'federation-out-of-order') await federation.resync({ position: answer.json.errors[0].position }, 'out of order');
        else if (answer.json.code === 'federation-witness-stale') await federation.resync({ ackedSize: answer.json.errors[0].witnessSize }, 'stale');
        else assert.fail(`refused: ${answer.body}`);
      }
      assert.fail('the sender did not catch up');
    };
    const cityLeaf = async (eventID: string) => (await city.platform.database.db.selectFrom('log_leaves').select('entry').where('ref', '=', eventID).where('kind', '=', 'event').executeTakeFirstOrThrow()).entry;
    const provinceEvents = async () => (await call(province.app, 'GET', '/epcis/events?perPage=500')).json.epcisBody.queryResults.resultsBody.eventList as Record<string, any>[];
    /** Event leaves: what a stored event adds to the log (every capture job adds an audit leaf besides). */
    const leafCount = async (at: TestPlatform) =>
      Number((await at.platform.database.db.selectFrom('log_leaves').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'event').executeTakeFirstOrThrow()).n);
    /** The city's next batch with one summary changed, signed again with the city's own key: only the log can tell. */
    const tampered = async (change: (payload: any) => void) => {
      const batch = (await city.platform.services.federation.nextBatch())!;
      const payload = JSON.parse(batch.body.payload);
      change(payload);
      const text = JSON.stringify(payload);
      return { payload: text, signature: LogSigningKeys.open(new KeyStore(city.platform.config.keyDir), origin).sign(batchSignatureBody(origin, text)) };
    };

    test('a city in summaries mode sends summaries with hashes; the province holds them, not the events', async () => {
      const { subject, key } = await subjectWithKey(city.app, { role: 'subject_admin' });
      const gln = withCheckDigit('061414100777');
      assert.equal((await call(city.app, 'POST', `/api/v1/subjects/${subject.id}/locations`, { key, body: locationBody({ gln }) })).status, 201);
      const code = sgtin(serial++);
      const event = objectEvent({
        epcList: [code],
        bizLocation: { id: sgln(0, '00777') },
        readPoint: { id: sgln(0, '00777') },
        bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141000005:PO-778' }],
        ilmd: { 'example:batchNote': '内部批记录' },
      });
      const captured = await call(city.app, 'POST', '/epcis/capture', { key, body: epcisDocument([event], { '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { example: ILMD_NAMESPACE }] }) });
      assert.equal(captured.status, 202, captured.body);
      const eventID = captured.json.eventIDs[0] as string;

      const batch = (await city.platform.services.federation.nextBatch())!;
      assert.deepEqual([batch.events, batch.summaries], [0, 1]);
      assert.ok(!batch.body.payload.includes('PO-778') && !batch.body.payload.includes('内部批记录'), 'no business transaction or ILMD leaves the city');
      const sent = await send(province, batch, cityKey);
      assert.equal(sent.status, 200, sent.body);
      await city.platform.services.federation.recordSent(batch, sent.json);

      // At the province: the summary under the same eventID, known by the city's hash, pointing to the city.
      const shown = await call(province.app, 'GET', `/epcis/events/${encodeURIComponent(eventID)}`);
      assert.equal(shown.status, 200, shown.body);
      const leaf = /^event \S+ (\S+)\n$/.exec(await cityLeaf(eventID))!;
      const marker = shown.json[SUMMARY_KEY];
      assert.deepEqual([marker.hash, marker.heldBy, marker.url, marker.regions], [leaf[1], origin, 'https://trace.city.example', [subject.regionCode]]);
      assert.equal(shown.json.bizTransactionList, undefined);
      assert.equal(shown.json.ilmd, undefined);
      assert.deepEqual(shown.json.epcList, [canonicalIdentifier(code)]);
      assert.equal(shown.json.bizStep, 'commissioning');
      // Its leaf at the province is the city's leaf: the same entry, so the same proof holds at both.
      const there = await province.platform.database.db.selectFrom('log_leaves').select('entry').where('ref', '=', eventID).where('kind', '=', 'event').executeTakeFirstOrThrow();
      assert.equal(there.entry, `event ${eventID} ${leaf[1]}\n`);
      // The owner and its location came up as master data, so the subject's users there read it.
      assert.equal((await call(province.app, 'GET', `/api/v1/subjects/${subject.id}`)).status, 200);
      // The province knows the city sends summaries.
      const member = ((await call(province.app, 'GET', '/api/v1/federation/members')).json.items as { logOrigin: string; mode: string; eventsReceived: number }[]).find((m) => m.logOrigin === origin)!;
      assert.deepEqual([member.mode, member.eventsReceived], ['summaries', 1]);
      // The resolver directory learned the product's prefix from the summary.
      const entries = (await call(province.app, 'GET', '/api/v1/resolver/entries?kind=gtin-company-prefix')).json.items as { value: string }[];
      assert.ok(entries.some((e) => e.value === '061414107346'), JSON.stringify(entries));
      // The province's log still verifies: a summary's hash is checked against its leaf, not recomputed.
      const report = await new LogVerifier(province.platform.database, undefined, province.platform.services.log.origin, province.platform.config.keyDir).verify(province.admin);
      assert.deepEqual(report.problems, []);
    });

    test('a trace at the province follows a code through summaries of packing and shipping', async () => {
      const item = sgtin(serial++);
      const box = sscc(serial++);
      const events = [
        objectEvent({ epcList: [item], eventTime: '2026-10-01T08:00:00.000+08:00' }),
        aggregationEvent({ parentID: box, childEPCs: [item], eventTime: '2026-10-01T09:00:00.000+08:00' }),
        objectEvent({ epcList: [box], action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', eventTime: '2026-10-01T10:00:00.000+08:00' }),
      ];
      assert.equal((await call(city.app, 'POST', '/epcis/capture', { body: epcisDocument(events) })).status, 202);
      await forward(city, province, cityKey);
      const forward1 = await call(province.app, 'GET', `/api/v1/trace?code=${encodeURIComponent(item)}&direction=forward`);
      assert.equal(forward1.status, 200, forward1.body);
      const codes = (forward1.json.nodes as { code: string }[]).map((n) => n.code);
      assert.ok(codes.includes(canonicalIdentifier(box)), `the item reaches its case at the province: ${codes.join(', ')}`);
      const backward = await call(province.app, 'GET', `/api/v1/trace?code=${encodeURIComponent(box)}&direction=backward`);
      assert.ok((backward.json.nodes as { code: string }[]).some((n) => n.code === canonicalIdentifier(item)));
      // Each of them is a summary there.
      const stored = await provinceEvents();
      assert.ok(stored.length >= 4 && stored.every((e) => e[SUMMARY_KEY]?.heldBy === origin));
    });

    test('the province resolves a code it holds as summaries by asking the city, and answers from the summaries when it cannot', async () => {
      const code = sgtin(serial++);
      const certificate = 'https://cert.example.com/organic/0001';
      assert.equal((await call(city.app, 'POST', '/epcis/capture', { body: epcisDocument([objectEvent({ epcList: [code], certificationInfo: certificate })]) })).status, 202);
      await forward(city, province, cityKey);
      const resolve = () => call(province.app, 'GET', `/api/v1/resolve?code=${encodeURIComponent(code)}`, { key: null });
      const answer = await resolve();
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual(answer.json.route.map((r: { origin: string; source: string }) => [r.origin, r.source]), [[origin, 'local'], [province.platform.services.log.origin, 'member']]);
      assert.deepEqual(answer.json.steps.map((s: { certificationInfo: string[] }) => s.certificationInfo), [[certificate]], 'the city answers with what the summary left out');

      await province.platform.database.db.updateTable('federation_members').set({ url: 'http://127.0.0.1:1' }).where('log_origin', '=', origin).execute();
      const fallback = await resolve();
      assert.equal(fallback.status, 200, fallback.body);
      assert.equal(fallback.json.answeredBy.origin, province.platform.services.log.origin);
      assert.deepEqual(fallback.json.steps.map((s: { certificationInfo: string[] }) => s.certificationInfo), [[]], 'the summary carries no certificates');
    });

    test('a tampered summary is refused and nothing of its batch is written', async () => {
      assert.equal((await call(city.app, 'POST', '/epcis/capture', { body: epcisDocument([objectEvent({ epcList: [sgtin(serial++)] }), objectEvent({ epcList: [sgtin(serial++)] })]) })).status, 202);
      const member = async () => ((await call(province.app, 'GET', '/api/v1/federation/members')).json.items as { logOrigin: string; position: number; eventsReceived: number }[]).find((m) => m.logOrigin === origin)!;
      const before = [await member(), (await provinceEvents()).length, await leafCount(province)] as const;
      const witnessed = async () => ((await call(province.app, 'GET', '/api/v1/witness/logs')).json.items as { origin: string; size: number }[]).find((l) => l.origin === origin)!.size;
      const witnessSize = await witnessed();

      // Another hash for the event: its leaf says otherwise.
      const otherHash = await tampered((p) => {
        p.summaries[0].event[SUMMARY_KEY].hash = `ni:///sha-256;${'0'.repeat(64)}?ver=CBV2.0`;
      });
      // The leaf changed to match: the range no longer leads to the checkpoint's root.
      const otherLeaf = await tampered((p) => {
        const s = p.summaries[0];
        s.event[SUMMARY_KEY].hash = `ni:///sha-256;${'0'.repeat(64)}?ver=CBV2.0`;
        p.leaves[s.leaf - p.from] = `event ${s.event.eventID} ${s.event[SUMMARY_KEY].hash}\n`;
      });
      // An event left out of a batch in summaries mode.
      const missing = await tampered((p) => {
        p.summaries.pop();
      });
      for (const [body, code] of [
        [otherHash, 'federation-summary-not-in-log'],
        [otherLeaf, 'federation-summary-not-in-log'],
        [missing, 'federation-summary-missing'],
      ] as const) {
        const refused = await send(province, body, cityKey);
        assert.equal(refused.status, 422, refused.body);
        assert.match(String(refused.headers['content-type']), /application\/problem\+json/);
        assert.equal(refused.json.code, code);
      }
      // Summaries in a batch of the type an earlier upstream would take, ignoring them.
      const oldType = await send(province, await tampered((p) => (p.type = 'zhuisu-federation-batch/v1')), cityKey);
      assert.deepEqual([oldType.status, oldType.json.code], [400, 'federation-batch-malformed']);
      const after = await member();
      assert.deepEqual([after.position, after.eventsReceived, (await provinceEvents()).length, await leafCount(province)], [before[0].position, before[0].eventsReceived, before[1], before[2]]);
      assert.equal(await witnessed(), witnessSize, 'the witness did not move either');
      // The genuine batch goes in.
      await forward(city, province, cityKey);
      assert.equal((await provinceEvents()).length, before[1] + 2);
    });

    test('a re-sent batch and a switch of mode store nothing twice and lose nothing', async () => {
      const federation = city.platform.services.federation;
      const ids = (await call(city.app, 'POST', '/epcis/capture', { body: epcisDocument([objectEvent({ epcList: [sgtin(serial++)] }), objectEvent({ epcList: [sgtin(serial++)] })]) })).json.eventIDs as string[];
      const batch = (await federation.nextBatch())!;
      const first = await send(province, batch, cityKey);
      assert.equal(first.status, 200, first.body);
      const counted = [(await provinceEvents()).length, await leafCount(province)];
      // The answer was lost and the province fell over before recording its position: the same range comes again, in
      // full this time (the city was restarted in full mode), and is known by hash.
      await province.platform.database.db.updateTable('federation_members').set({ position: batch.from }).where('log_origin', '=', origin).execute();
      await federation.resync({ ackedSize: first.json.checkpointSize }, 'lost answer');
      const again = (await federation.nextBatch('full'))!;
      assert.deepEqual([again.from, again.to, again.events, again.summaries], [batch.from, batch.to, 2, 0]);
      const resent = await send(province, again, cityKey);
      assert.equal(resent.status, 200, resent.body);
      await federation.recordSent(again, resent.json);
      assert.deepEqual([(await provinceEvents()).length, await leafCount(province)], counted, 'no event and no event leaf twice');
      // What was stored as a summary stays one.
      for (const id of ids) assert.equal((await call(province.app, 'GET', `/epcis/events/${encodeURIComponent(id)}`)).json[SUMMARY_KEY]?.heldBy, origin);

      // From now on in full: new events go up whole, next to the summaries.
      const [full] = (await call(city.app, 'POST', '/epcis/capture', { body: epcisDocument([objectEvent({ epcList: [sgtin(serial++)] })]) })).json.eventIDs as string[];
      await forward(city, province, cityKey, 'full');
      const shown = (await call(province.app, 'GET', `/epcis/events/${encodeURIComponent(full!)}`)).json;
      assert.equal(shown[SUMMARY_KEY], undefined);
      const member = ((await call(province.app, 'GET', '/api/v1/federation/status')).json.members as { logOrigin: string; mode: string }[]).find((m) => m.logOrigin === origin)!;
      assert.equal(member.mode, 'full');
      assert.equal((await provinceEvents()).length, counted[0]! + 1);
    });

    test('the province sends what it holds as summaries on as summaries, naming the city that holds the events', async () => {
      await forward(province, national, provinceKey);
      const atNational = (await call(national.app, 'GET', '/epcis/events?perPage=500')).json.epcisBody.queryResults.resultsBody.eventList as Record<string, any>[];
      const atProvince = await provinceEvents();
      assert.deepEqual(atNational.map((e) => e.eventID).sort(), atProvince.map((e) => e.eventID).sort());
      for (const event of atNational) {
        const below = atProvince.find((e) => e.eventID === event.eventID)!;
        assert.deepEqual(event[SUMMARY_KEY], below[SUMMARY_KEY], `${event.eventID}: a summary stays the city's, a full event stays full`);
      }
      // A correction made at the city goes up as a summary of the correction, and is one at both levels.
      const event = objectEvent({ epcList: [sgtin(serial++)] });
      const [eventID] = (await call(city.app, 'POST', '/epcis/capture', { body: epcisDocument([event]) })).json.eventIDs as string[];
      await forward(city, province, cityKey, 'summaries');
      const declaration = { ...event, errorDeclaration: { declarationTime: '2024-05-03T10:00:00.000+08:00', reason: 'incorrect_data' } };
      assert.equal((await call(city.app, 'POST', '/epcis/capture', { body: epcisDocument([declaration]) })).status, 202);
      await forward(city, province, cityKey, 'summaries');
      await forward(province, national, provinceKey);
      for (const at of [province, national]) {
        const shown = (await call(at.app, 'GET', `/epcis/events/${encodeURIComponent(eventID!)}`)).json;
        assert.deepEqual([shown.errorDeclaration?.reason, shown[SUMMARY_KEY]?.heldBy], ['incorrect_data', origin]);
      }
    });

    test('a correction whose summary names another event by hash is refused', async () => {
      const [first, second] = [objectEvent({ epcList: [sgtin(serial++)] }), objectEvent({ epcList: [sgtin(serial++)] })];
      const ids = (await call(city.app, 'POST', '/epcis/capture', { body: epcisDocument([first, second]) })).json.eventIDs as string[];
      await forward(city, province, cityKey, 'summaries');
      const declaration = { ...first, errorDeclaration: { declarationTime: '2024-05-04T10:00:00.000+08:00', reason: 'did_not_occur' } };
      assert.equal((await call(city.app, 'POST', '/epcis/capture', { body: epcisDocument([declaration]) })).status, 202);
      // The correction's leaf names the first event; its summary says the second's hash (its eventID, the hash).
      const body = await tampered((p) => {
        p.summaries.find((s: any) => s.event.errorDeclaration).event[SUMMARY_KEY].hash = ids[1];
      });
      const refused = await send(province, body, cityKey);
      assert.equal(refused.status, 422, refused.body);
      assert.equal(refused.json.code, 'federation-summary-not-in-log');
      await forward(city, province, cityKey, 'summaries');
      const shown = await Promise.all(ids.map(async (id) => (await call(province.app, 'GET', `/epcis/events/${encodeURIComponent(id)}`)).json.errorDeclaration?.reason ?? null));
      assert.deepEqual(shown, ['did_not_occur', null]);
    });
  });
}
