import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { epcUrnToDigitalLink } from '../../src/codes/gs1/index.js';
import { eventHash } from '../../src/epcis/event-hash.js';
import {
  EPCIS_CONTEXT_URL,
  EXAMPLE_NAMESPACE,
  aggregationEvent,
  epcisDocument,
  epcisQueryDocument,
  lgtin,
  objectEvent,
  quantity,
  sensorElement,
  sgln,
  sgtin,
  sscc,
  standaloneEvent,
  transformationEvent,
} from '../builders/epcis.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { seededRandom } from '../support/random.js';
import { call, startTestPlatform, type TestPlatform } from '../support/platform.js';

let serial = 100_000 + Math.floor(Math.random() * 1000) * 1000;
const nextSerial = () => ++serial;
const dl = (urn: string) => {
  const link = epcUrnToDigitalLink(urn);
  assert.ok(link.ok);
  return link.value;
};

for (const dialect of TEST_DIALECTS) {
  describe(`EPCIS capture and query on ${dialect}`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await startTestPlatform(dialect);
    });
    after(() => t.close());

    const capture = async (document: unknown, options: { key?: string | null; contentType?: string } = {}) => {
      const res = await call(t.app, 'POST', '/epcis/capture', {
        body: document,
        ...(options.key !== undefined ? { key: options.key } : {}),
        headers: { 'content-type': options.contentType ?? 'application/ld+json' },
      });
      return res;
    };
    const job = async (location: string) => (await call(t.app, 'GET', location)).json;
    const query = async (params: string, headers: Record<string, string> = {}) => call(t.app, 'GET', `/epcis/events?${params}`, { headers });
    const eventList = (res: { json: any }) => res.json.epcisBody.queryResults.resultsBody.eventList as Record<string, any>[];
    /** Where the events a query answers stand among `ids` (a capture's eventIDs); the answer must be a 200. */
    const positionsIn = async (ids: string[], url: string) => {
      const res = await call(t.app, 'GET', url);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      assert.equal(res.json.type, 'EPCISQueryDocument');
      return eventList(res).map((e) => ids.indexOf(e.eventID));
    };
    const eventCount = async () => Number((await t.platform.database.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    test('a document is acknowledged with 202 and a Location, and its events become queryable under their CBV hash', async () => {
      const s = nextSerial();
      const events = [objectEvent({ epcList: [sgtin(s)] }), aggregationEvent({ parentID: sscc(s), childEPCs: [sgtin(s)] })];
      const res = await capture(epcisDocument(events));
      assert.equal(res.status, 202);
      assert.match(String(res.headers.location), /^\/epcis\/capture\/[0-9a-f-]{36}$/);
      assert.equal(res.headers['gs1-epcis-capture-limit'], '10000');
      const status = await job(res.headers.location as string);
      assert.equal(status.running, false);
      assert.equal(status.success, true, JSON.stringify(status.errors));
      const context = epcisDocument(events)['@context'];
      assert.deepEqual(status.eventIDs, events.map((e) => eventHash(e, context as never)));
      assert.match(status.eventIDs[0], /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);

      const found = eventList(await query(`MATCH_anyEPC=${encodeURIComponent(sgtin(s))}`));
      assert.deepEqual(found.map((e) => e.eventID), status.eventIDs);
      // Answers carry canonical Digital Link; the stored event keeps what the client sent.
      assert.deepEqual(found[0]!.epcList, [dl(sgtin(s))]);
      assert.equal(found[1]!.parentID, dl(sscc(s)));
      assert.ok(found[0]!.recordTime);
      const asSent = eventList(await query(`MATCH_anyEPC=${encodeURIComponent(sgtin(s))}`, { 'gs1-epc-format': 'Never_Translates' }));
      assert.deepEqual(asSent[0]!.epcList, [sgtin(s)]);
    });

    test('a URN and its Digital Link twin are one identifier, whichever form was captured or queried', async () => {
      const a = nextSerial();
      const b = nextSerial();
      await capture(epcisDocument([objectEvent({ epcList: [sgtin(a)] }), objectEvent({ epcList: [`https://brand.example.cn/01/${dl(sgtin(b)).split('/01/')[1]}` ] })]));
      assert.equal(eventList(await query(`MATCH_epc=${encodeURIComponent(dl(sgtin(a)))}`)).length, 1);
      assert.equal(eventList(await query(`MATCH_epc=${encodeURIComponent(sgtin(b))}`)).length, 1);
    });

    test('one invalid event rejects the whole document with its index and field, and nothing is stored', async () => {
      const before = await eventCount();
      const jobsBefore = (await call(t.app, 'GET', '/epcis/capture')).json.items.length;
      const res = await capture(epcisDocument([objectEvent({ epcList: [sgtin(nextSerial())] }), objectEvent({ bizStep: 'dancing' })]));
      assert.equal(res.status, 400);
      assert.equal(res.json.code, 'epcis-validation-failed');
      assert.deepEqual(
        res.json.errors.map((e: any) => [e.eventIndex, e.pointer]),
        [[1, '/epcisBody/eventList/1/bizStep']],
      );
      assert.equal(await eventCount(), before);
      assert.equal((await call(t.app, 'GET', '/epcis/capture')).json.items.length, jobsBefore);
    });

    test('capturing the same events again stores nothing new', async () => {
      const s = nextSerial();
      const document = epcisDocument([objectEvent({ epcList: [sgtin(s)] })]);
      const first = await job((await capture(document)).headers.location as string);
      const before = await eventCount();
      const second = await job((await capture(document)).headers.location as string);
      assert.equal(second.success, true);
      assert.deepEqual(second.eventIDs, first.eventIDs);
      assert.match(second.warnings[0].message, /already stored/);
      assert.equal(await eventCount(), before);
    });

    test('a supplied eventID is kept; a supplied hash that differs from the recomputed one is reported', async () => {
      const s = nextSerial();
      const wrongHash = `ni:///sha-256;${'0'.repeat(64)}?ver=CBV2.0`;
      const named = objectEvent({ epcList: [sgtin(s)], eventID: `urn:uuid:6f7c2a1e-3b4d-4c5e-8f90-${String(s).padStart(12, '0')}` });
      const hashed = objectEvent({ epcList: [sgtin(nextSerial())], eventID: wrongHash });
      const status = await job((await capture(epcisDocument([named, hashed]))).headers.location as string);
      assert.equal(status.success, true);
      assert.deepEqual(status.eventIDs, [named.eventID, wrongHash]);
      assert.equal(status.warnings.length, 1);
      assert.equal(status.warnings[0].eventIndex, 1);
      assert.match(status.warnings[0].message, /differs from the recomputed CBV 2\.0 hash ni:/);
      const one = await call(t.app, 'GET', `/epcis/events/${encodeURIComponent(named.eventID as string)}`);
      assert.equal(one.status, 200);
      assert.equal(one.json.eventID, named.eventID);
    });

    test('an eventID already naming a different event fails the job and writes nothing of its document', async () => {
      const id = `urn:uuid:0b1c2d3e-4f50-4617-8293-${String(nextSerial()).padStart(12, '0')}`;
      await capture(epcisDocument([objectEvent({ epcList: [sgtin(nextSerial())], eventID: id })]));
      const before = await eventCount();
      const fresh = nextSerial();
      const res = await capture(epcisDocument([objectEvent({ epcList: [sgtin(fresh)] }), objectEvent({ epcList: [sgtin(nextSerial())], eventID: id })]));
      assert.equal(res.status, 202);
      const status = await job(res.headers.location as string);
      assert.equal(status.success, false);
      assert.equal(status.running, false);
      assert.equal(status.errors[0].eventIndex, 1);
      assert.match(status.errors[0].message, /already names a different stored event/);
      assert.equal(await eventCount(), before);
      assert.equal(eventList(await query(`MATCH_epc=${encodeURIComponent(sgtin(fresh))}`)).length, 0);
    });

    test('an errorDeclaration corrects the stored event, which then shows as corrected wherever it appears', async () => {
      const s = nextSerial();
      const original = objectEvent({ epcList: [sgtin(s)] });
      const originalId = (await job((await capture(epcisDocument([original]))).headers.location as string)).eventIDs[0];
      const corrective = objectEvent({ epcList: [sgtin(s)], bizStep: 'decommissioning', disposition: 'inactive', action: 'DELETE', eventTime: '2024-05-02T08:30:00.000+08:00' });
      const correctiveId = eventHash(corrective, epcisDocument()['@context'] as never);
      const declaration = { ...original, errorDeclaration: { declarationTime: '2024-05-03T10:00:00.000+08:00', reason: 'incorrect_data', correctiveEventIDs: [correctiveId] } };
      const before = await eventCount();
      const status = await job((await capture(epcisDocument([declaration, corrective]))).headers.location as string);
      assert.equal(status.success, true, JSON.stringify(status.errors));
      assert.deepEqual(status.eventIDs, [originalId, correctiveId]);
      assert.equal(await eventCount(), before + 1, 'only the corrective event is new');

      const shown = (await call(t.app, 'GET', `/epcis/events/${encodeURIComponent(originalId)}`)).json;
      assert.equal(shown.errorDeclaration.reason, 'incorrect_data');
      assert.deepEqual(shown.errorDeclaration.correctiveEventIDs, [correctiveId]);
      const listed = eventList(await query(`MATCH_epc=${encodeURIComponent(sgtin(s))}`));
      assert.ok(listed.find((e) => e.eventID === originalId)!.errorDeclaration, 'corrected in query results too');
      assert.deepEqual(eventList(await query(`EQ_correctiveEventID=${encodeURIComponent(correctiveId)}`)).map((e) => e.eventID), [originalId]);
      const declared = eventList(await query(`EXISTS_errorDeclaration=true&MATCH_epc=${encodeURIComponent(sgtin(s))}`));
      assert.deepEqual(declared.map((e) => e.eventID), [originalId]);
      // Declaring the same error again is idempotent.
      await capture(epcisDocument([declaration]));
      assert.equal((await t.platform.database.db.selectFrom('event_corrections').selectAll().execute()).filter((c) => c.reason === 'incorrect_data').length, 1);
    });

    test('an EPCISQueryDocument is accepted as a capture body', async () => {
      const s = nextSerial();
      const status = await job((await capture(epcisQueryDocument([objectEvent({ epcList: [sgtin(s)] })]), { contentType: 'application/json' })).headers.location as string);
      assert.equal(status.success, true);
      assert.equal(eventList(await query(`MATCH_epc=${encodeURIComponent(sgtin(s))}`)).length, 1);
    });

    test('POST /epcis/events captures one event: 201 with its Location, 200 when already stored', async () => {
      const event = standaloneEvent(objectEvent({ epcList: [sgtin(nextSerial())] }));
      const first = await call(t.app, 'POST', '/epcis/events', { body: event, headers: { 'content-type': 'application/ld+json' } });
      assert.equal(first.status, 201, first.body);
      const location = String(first.headers.location);
      assert.match(location, /^\/epcis\/events\/ni%3A%2F%2F%2Fsha-256%3B[0-9a-f]{64}%3Fver%3DCBV2\.0$/);
      const fetched = await call(t.app, 'GET', location);
      assert.equal(fetched.status, 200);
      assert.equal(fetched.json.eventID, first.json.eventID);
      assert.ok(fetched.json['@context']);
      const again = await call(t.app, 'POST', '/epcis/events', { body: event });
      assert.equal(again.status, 200);
      const bad = await call(t.app, 'POST', '/epcis/events', { body: standaloneEvent(objectEvent({ eventTime: '2024-02-30T10:00:00+08:00' })) });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.errors[0].pointer, '/eventTime');
    });

    test('SimpleEventQuery parameters filter as the standard says', async () => {
      const s = nextSerial();
      const lot = `L${s}`;
      const item = sgtin(s);
      const events = [
        objectEvent({ epcList: [item], eventTime: '2025-01-01T08:00:00.000+08:00', ilmd: { 'cbvmda:lotNumber': lot, 'example:weight': 12.5 }, bizLocation: { id: sgln(0, '00321') } }),
        objectEvent({ epcList: [item], action: 'OBSERVE', bizStep: 'urn:epcglobal:cbv:bizstep:shipping', disposition: 'in_transit', eventTime: '2025-01-02T08:00:00.000+08:00', 'example:temperature': 4 }),
        objectEvent({ epcList: [item], action: 'OBSERVE', bizStep: 'https://ref.gs1.org/cbv/BizStep-receiving', disposition: 'in_progress', eventTime: '2025-01-03T08:00:00.000+08:00' }),
        transformationEvent({ inputEPCList: [item], inputQuantityList: undefined, outputQuantityList: [quantity(5, lgtin(lot))], eventTime: '2025-01-04T08:00:00.000+08:00' }),
      ];
      const ids = (await job((await capture(epcisDocument(events))).headers.location as string)).eventIDs as string[];
      const match = `MATCH_anyEPC=${encodeURIComponent(item)}`;
      const got = async (params: string) => eventList(await query(`${params}`)).map((e) => ids.indexOf(e.eventID));

      assert.deepEqual(await got(match), [0, 1, 2, 3]);
      assert.deepEqual(await got(`${match}&eventType=TransformationEvent`), [3]);
      assert.deepEqual(await got(`${match}&EQ_bizStep=shipping`), [1]);
      assert.deepEqual(await got(`${match}&EQ_bizStep=${encodeURIComponent('https://ref.gs1.org/cbv/BizStep-shipping')}|receiving`), [1, 2]);
      assert.deepEqual(await got(`${match}&EQ_disposition=in_progress`), [2]);
      assert.deepEqual(await got(`${match}&EQ_action=OBSERVE`), [1, 2]);
      assert.deepEqual(await got(`${match}&GE_eventTime=${encodeURIComponent('2025-01-02T00:00:00Z')}&LT_eventTime=${encodeURIComponent('2025-01-03T00:00:00+08:00')}`), [1]);
      assert.deepEqual(await got(`${match}&EQ_bizLocation=${encodeURIComponent(dl(sgln(0, '00321')))}`), [0]);
      assert.deepEqual(await got(`MATCH_inputEPC=${encodeURIComponent(item)}`), [3]);
      assert.deepEqual(await got(`MATCH_epcClass=${encodeURIComponent(lgtin(lot))}`), []);
      assert.deepEqual(await got(`MATCH_anyEPCClass=${encodeURIComponent(lgtin(lot))}`), [3]);
      assert.deepEqual(await got(`${match}&EQ_eventID=${encodeURIComponent(ids[2]!)}`), [2]);
      assert.deepEqual(await got(`EQ_ILMD_${encodeURIComponent('urn:epcglobal:cbv:mda:lotNumber')}=${lot}`), [0]);
      assert.deepEqual(await got(`EQ_ILMD_cbvmda:lotNumber=${lot}`), [0]);
      assert.deepEqual(await got(`${match}&GE_ILMD_${encodeURIComponent('https://ns.example.com/epcis/weight')}=12`), [0]);
      assert.deepEqual(await got(`${match}&LT_ILMD_${encodeURIComponent('https://ns.example.com/epcis/weight')}=12`), []);
      assert.deepEqual(await got(`${match}&EQ_${encodeURIComponent('https://ns.example.com/epcis/temperature')}=4`), [1]);
      // The prefix the capturing documents declared works in queries too.
      assert.deepEqual(await got(`${match}&EQ_example:temperature=4`), [1]);
      assert.deepEqual(await got(`${match}&GE_ILMD_example:weight=12`), [0]);
      assert.deepEqual(await got(`${match}&orderBy=eventTime`), [3, 2, 1, 0]);
      assert.deepEqual(await got(`${match}&orderBy=eventTime&orderDirection=ASC&eventCountLimit=2`), [0, 1]);
      assert.deepEqual(await got(`MATCH_epc=${encodeURIComponent(`urn:epc:idpat:sgtin:0614141.107346.*`)}&EQ_eventID=${encodeURIComponent(ids[0]!)}`), [0]);
    });

    test('EQ_source_, EQ_destination_ and EQ_bizTransaction_ select by party, place and business document', async () => {
      const s = nextSerial();
      const po = `urn:epcglobal:cbv:bt:0614141000005:PO${s}`;
      const shipped = objectEvent({
        epcList: [sgtin(s)],
        action: 'OBSERVE',
        bizStep: 'shipping',
        disposition: 'in_transit',
        bizTransactionList: [{ type: 'po', bizTransaction: po }],
        sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:0614141.00777' }],
        destinationList: [{ type: 'location', destination: sgln(0, '00888') }],
      });
      const other = objectEvent({ epcList: [sgtin(s)], eventTime: '2024-05-02T08:30:00.000+08:00' });
      const ids = (await job((await capture(epcisDocument([shipped, other]))).headers.location as string)).eventIDs as string[];
      const got = async (params: string) => eventList(await query(`MATCH_epc=${encodeURIComponent(sgtin(s))}&${params}`)).map((e) => ids.indexOf(e.eventID));
      assert.deepEqual(await got(`EQ_bizTransaction_po=${encodeURIComponent(po)}`), [0]);
      assert.deepEqual(await got(`EQ_bizTransaction_inv=${encodeURIComponent(po)}`), []);
      assert.deepEqual(await got(`EQ_source_owning_party=${encodeURIComponent('https://id.gs1.org/417/0614141007776')}`), [0]);
      assert.deepEqual(await got(`EQ_destination_location=${encodeURIComponent(sgln(0, '00888'))}`), [0]);
      assert.deepEqual(await got(`EQ_destination_${encodeURIComponent('urn:epcglobal:cbv:sdt:location')}=${encodeURIComponent(sgln(0, '00888'))}`), [0]);
      assert.deepEqual(await got(`EQ_destination_owning_party=${encodeURIComponent(sgln(0, '00888'))}`), []);
    });

    test('pagination walks every result once, following Link rel="next"', async () => {
      const s = nextSerial();
      const events = Array.from({ length: 7 }, (_, i) => objectEvent({ epcList: [sgtin(s)], eventTime: `2025-02-0${i + 1}T08:00:00.000+08:00` }));
      const ids = (await job((await capture(epcisDocument(events))).headers.location as string)).eventIDs as string[];
      const seen: string[] = [];
      let url: string | null = `/epcis/events?MATCH_epc=${encodeURIComponent(sgtin(s))}&perPage=3&orderBy=eventTime&orderDirection=ASC`;
      let pages = 0;
      while (url) {
        const res = await call(t.app, 'GET', url);
        assert.equal(res.status, 200);
        seen.push(...eventList(res).map((e) => e.eventID));
        const link = res.headers.link as string | undefined;
        url = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
        pages += 1;
      }
      assert.deepEqual(seen, ids);
      assert.equal(pages, 3);
    });

    test('the top-level resources answer the event query with their parameter set, and page under their own path; WD_ locations', async () => {
      const s = nextSerial();
      const item = sgtin(s);
      const place = sgln(s % 1000, '00444');
      const events = [
        objectEvent({ epcList: [item], bizLocation: { id: place }, readPoint: { id: place } }),
        objectEvent({ epcList: [item], action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', eventTime: '2024-05-02T08:30:00.000+08:00' }),
        aggregationEvent({ parentID: sscc(s), childEPCs: [item], eventTime: '2024-05-03T08:30:00.000+08:00' }),
      ];
      const ids = (await job((await capture(epcisDocument(events))).headers.location as string)).eventIDs as string[];
      const positions = (url: string) => positionsIn(ids, url);
      const byItem = `MATCH_anyEPC=${encodeURIComponent(item)}`;

      assert.deepEqual(await positions(`/epcis/epcs/${encodeURIComponent(item)}/events`), [0, 1, 2]);
      assert.deepEqual(await positions(`/epcis/epcs/${encodeURIComponent(dl(item))}/events`), [0, 1, 2]);
      assert.deepEqual(await positions(`/epcis/eventTypes/AggregationEvent/events?${byItem}`), [2]);
      assert.deepEqual(await positions(`/epcis/bizSteps/shipping/events?${byItem}`), [1]);
      assert.deepEqual(await positions(`/epcis/dispositions/${encodeURIComponent('https://ref.gs1.org/cbv/Disp-in_transit')}/events?${byItem}`), [1]);
      assert.deepEqual(await positions(`/epcis/bizLocations/${encodeURIComponent(place)}/events`), [0]);
      assert.deepEqual(await positions(`/epcis/readPoints/${encodeURIComponent(dl(place))}/events`), [0]);

      const first = await call(t.app, 'GET', `/epcis/epcs/${encodeURIComponent(item)}/events?perPage=2`);
      const next = /^<([^>]+)>; rel="next"$/.exec(String(first.headers.link))![1]!;
      assert.ok(next.startsWith(`/epcis/epcs/${encodeURIComponent(item)}/events?`), next);
      assert.deepEqual(await positions(next), [2]);

      // With descendants: the GLN's sub-locations (GLN extension), however the location is written.
      const site = sgln(0, '00555');
      const dock = sgln(7, '00555');
      const atSite = await job((await capture(epcisDocument([objectEvent({ epcList: [sgtin(nextSerial())], bizLocation: { id: dl(dock) }, readPoint: { id: site } })]))).headers.location as string);
      const siteIds = async (url: string) => eventList(await call(t.app, 'GET', url)).map((e) => e.eventID);
      assert.deepEqual(await siteIds(`/epcis/events?WD_bizLocation=${encodeURIComponent(site)}`), atSite.eventIDs);
      assert.deepEqual(await siteIds(`/epcis/events?EQ_bizLocation=${encodeURIComponent(site)}`), []);
      assert.deepEqual(await siteIds(`/epcis/events?WD_bizLocation=${encodeURIComponent(dock)}`), atSite.eventIDs);
      assert.deepEqual(await siteIds(`/epcis/events?WD_readPoint=${encodeURIComponent(dl(site))}`), atSite.eventIDs);
      assert.deepEqual(await siteIds(`/epcis/events?WD_readPoint=${encodeURIComponent(dock)}`), []);

      const twice = await call(t.app, 'GET', `/epcis/bizSteps/shipping/events?EQ_bizStep=receiving`);
      assert.equal(twice.status, 400);
      assert.match(twice.json.detail, /EQ_bizStep/);
      assert.equal((await call(t.app, 'GET', `/epcis/eventTypes/PieEvent/events`)).status, 400);
    });

    test('transformation IDs, persistent dispositions, error reasons and times, field presence, and maxEventCount', async () => {
      const s = nextSerial();
      const item = sgtin(s);
      const transformation = `urn:uuid:6f1b2c3d-0000-4000-8000-${String(s).padStart(12, '0')}`;
      const events = [
        transformationEvent({ inputEPCList: [item], transformationID: transformation, ilmd: { 'cbvmda:lotNumber': `L${s}` } }),
        objectEvent({ epcList: [item], action: 'OBSERVE', persistentDisposition: { set: ['completeness_verified'], unset: ['urn:epcglobal:cbv:disp:completeness_inferred'] }, eventTime: '2024-05-02T08:30:00.000+08:00' }),
        objectEvent({ epcList: [item], action: 'OBSERVE', 'example:temperature': 3, eventTime: '2024-05-03T08:30:00.000+08:00' }),
      ];
      const ids = (await job((await capture(epcisDocument(events))).headers.location as string)).eventIDs as string[];
      const match = `MATCH_anyEPC=${encodeURIComponent(item)}`;
      const got = (params: string) => positionsIn(ids, `/epcis/events?${params}`);

      assert.deepEqual(await got(`EQ_transformationID=${encodeURIComponent(transformation)}`), [0]);
      assert.deepEqual(await got(`EQ_transformationID=${encodeURIComponent(`${transformation}0`)}`), []);
      assert.deepEqual(await got(`EQ_persistentDisposition_set=completeness_verified&${match}`), [1]);
      assert.deepEqual(await got(`EQ_persistentDisposition_set=${encodeURIComponent('https://ref.gs1.org/cbv/Disp-completeness_verified')}`).then((found) => found.filter((i) => i >= 0)), [1]);
      assert.deepEqual(await got(`EQ_persistentDisposition_unset=completeness_inferred&${match}`), [1]);
      assert.deepEqual(await got(`EQ_persistentDisposition_unset=completeness_verified&${match}`), []);
      assert.deepEqual(await got(`EXISTS_ILMD_cbvmda:lotNumber&${match}`), [0]);
      assert.deepEqual(await got(`EXISTS_ILMD_cbvmda:lotNumber=true&${match}`), [0]);
      assert.deepEqual(await got(`EXISTS_example:temperature&${match}`), [2]);
      assert.deepEqual(await got(`EXISTS_${encodeURIComponent('https://ns.example.com/epcis/humidity')}&${match}`), []);

      // Event 1 is declared in error twice, with the reason spelt as a CBV URN: queries take any spelling.
      const declare = (declarationTime: string) => ({ ...events[1], errorDeclaration: { declarationTime, reason: 'urn:epcglobal:cbv:er:incorrect_data' } });
      assert.equal((await job((await capture(epcisDocument([declare('2024-06-01T10:00:00.000+08:00')]))).headers.location as string)).success, true);
      assert.deepEqual(await got(`EQ_errorReason=incorrect_data&${match}`), [1]);
      assert.deepEqual(await got(`EQ_errorReason=${encodeURIComponent('https://ref.gs1.org/cbv/ER-incorrect_data')}&${match}`), [1]);
      assert.deepEqual(await got(`EQ_errorReason=did_not_occur&${match}`), []);
      assert.deepEqual(await got(`GE_errorDeclarationTime=${encodeURIComponent('2024-06-01T02:00:00Z')}&${match}`), [1]);
      assert.deepEqual(await got(`GE_errorDeclaration_Time=${encodeURIComponent('2024-06-01T02:00:00.001Z')}&${match}`), []);
      assert.deepEqual(await got(`LT_errorDeclarationTime=${encodeURIComponent('2024-06-01T10:00:00.001+08:00')}&${match}`), [1]);
      assert.deepEqual(await got(`LT_errorDeclaration_Time=${encodeURIComponent('2024-06-01T10:00:00+08:00')}&${match}`), []);

      assert.deepEqual(await got(`maxEventCount=3&${match}`), [0, 1, 2]);
      const tooMany = await query(`maxEventCount=2&${match}&perPage=1`);
      assert.equal(tooMany.status, 413);
      assert.match(String(tooMany.headers['content-type']), /^application\/problem\+json/);
      assert.match(tooMany.json.detail, /maxEventCount=2/);
    });

    test('EQ_INNER_ parameters find fields nested inside extensions and ILMD, apart from top-level ones', async () => {
      const s = nextSerial();
      const item = sgtin(s);
      const events = [
        objectEvent({ epcList: [item], 'example:inspection': { 'example:result': 'pass', 'example:score': 92 }, ilmd: { 'example:origin': { 'example:county': '330110' } } }),
        objectEvent({ epcList: [item], action: 'OBSERVE', 'example:result': 'pass', eventTime: '2024-05-02T08:30:00.000+08:00' }),
      ];
      const ids = (await job((await capture(epcisDocument(events))).headers.location as string)).eventIDs as string[];
      const got = (params: string) => positionsIn(ids, `/epcis/events?${params}&MATCH_anyEPC=${encodeURIComponent(item)}`);
      assert.deepEqual(await got('EQ_INNER_example:result=pass'), [0]);
      assert.deepEqual(await got('EQ_example:result=pass'), [1]);
      assert.deepEqual(await got(`EQ_INNER_${encodeURIComponent('https://ns.example.com/epcis/result')}=pass`), [0]);
      assert.deepEqual(await got('GT_INNER_example:score=90'), [0]);
      assert.deepEqual(await got('LT_INNER_example:score=90'), []);
      assert.deepEqual(await got('EQ_INNER_ILMD_example:county=330110'), [0]);
      assert.deepEqual(await got('EQ_INNER_example:county=330110'), []);
      assert.deepEqual(await got('EXISTS_INNER_example:score'), [0]);
    });

    test('a field too long to index is stored and found by EXISTS_, not by EQ_; so is one under a very long namespace', async () => {
      // Random text does not compress: as an index key it would exceed PostgreSQL's bound on a B-tree entry.
      const s = nextSerial();
      const item = sgtin(s);
      const long = randomBytes(1500).toString('hex');
      const namespace = `https://ns.example.com/${randomBytes(1500).toString('hex')}/`;
      const document = epcisDocument([objectEvent({ epcList: [item], 'example:report': long }), objectEvent({ epcList: [item], action: 'OBSERVE', 'deep:grade': 'A' })], {
        '@context': [EPCIS_CONTEXT_URL, { example: EXAMPLE_NAMESPACE, deep: namespace }],
      });
      const status = await job((await capture(document)).headers.location as string);
      assert.equal(status.success, true, JSON.stringify(status.errors));
      const ids = status.eventIDs as string[];
      const got = (params: string) => positionsIn(ids, `/epcis/events?${params}&MATCH_anyEPC=${encodeURIComponent(item)}`);
      assert.deepEqual(await got('EXISTS_example:report'), [0]);
      assert.deepEqual(await got(`EQ_example:report=${long.slice(0, 900)}`), []);
      assert.deepEqual(await got(''), [0, 1]);
      const stored = eventList(await query(`MATCH_anyEPC=${encodeURIComponent(item)}`));
      assert.equal(stored[0]!['example:report'], long, 'the event keeps the whole text');
    });

    test('sensor parameters ask one report for all their conditions, with its element metadata', async () => {
      const s = nextSerial();
      const item = sgtin(s);
      const logger = `urn:epc:id:giai:0614141.LOGGER${s}`;
      const events = [
        objectEvent({ epcList: [item], action: 'OBSERVE', sensorElementList: [sensorElement()] }),
        objectEvent({
          epcList: [item],
          action: 'OBSERVE',
          eventTime: '2024-05-02T08:30:00.000+08:00',
          sensorElementList: [
            sensorElement({
              sensorMetadata: { startTime: '2024-05-01T20:00:00.000+08:00', endTime: '2024-05-02T08:00:00.000+08:00', deviceID: logger, bizRules: 'https://ns.example.com/rules/cold-chain' },
              sensorReport: [
                { type: 'Temperature', minValue: 2, maxValue: 9.5, meanValue: 5, uom: 'CEL' },
                { type: 'gs1:RelativeHumidity', value: 80, uom: 'P1' },
              ],
            }),
          ],
        }),
        objectEvent({
          epcList: [item],
          action: 'OBSERVE',
          eventTime: '2024-05-03T08:30:00.000+08:00',
          sensorElementList: [sensorElement({ sensorReport: [{ type: 'Temperature', value: 40, uom: 'FAH', time: '2024-05-03T08:00:00.000+08:00', stringValue: 'door open', booleanValue: true, hexBinaryValue: 'ab12', uriValue: 'https://ns.example.com/alarm/7' }] })],
        }),
        objectEvent({ epcList: [item], action: 'OBSERVE', eventTime: '2024-05-04T08:30:00.000+08:00' }),
      ];
      const ids = (await job((await capture(epcisDocument(events))).headers.location as string)).eventIDs as string[];
      const match = `MATCH_anyEPC=${encodeURIComponent(item)}`;
      const got = (params: string) => positionsIn(ids, `/epcis/events?${params}&${match}`);
      const at = (time: string) => encodeURIComponent(time);

      assert.deepEqual(await got('EXISTS_sensorElementList'), [0, 1, 2]);
      assert.deepEqual(await got('EQ_type=Temperature'), [0, 1, 2]);
      assert.deepEqual(await got(`EQ_type=${encodeURIComponent('https://gs1.org/voc/RelativeHumidity')}`), [1]);
      // A temperature above 8 °C: event 1's maximum, not event 2's 40 in another unit nor event 1's humidity of 80.
      assert.deepEqual(await got('EQ_type=Temperature&GT_maxValue_CEL=8'), [1]);
      assert.deepEqual(await got('EQ_type=Temperature&GT_value_CEL=8'), []);
      assert.deepEqual(await got('GT_value_P1=50'), [1]);
      assert.deepEqual(await got('EQ_type=Temperature&GT_value_P1=50'), []);
      assert.deepEqual(await got('LE_value_CEL=4.5'), [0]);
      assert.deepEqual(await got('LT_value_CEL=4.5'), []);
      assert.deepEqual(await got('EQ_value_FAH=40|41'), [2]);
      assert.deepEqual(await got(`EQ_deviceID=${encodeURIComponent(logger)}`), [1]);
      assert.deepEqual(await got(`EQ_bizRules=${encodeURIComponent('https://ns.example.com/rules/cold-chain')}`), [1]);
      assert.deepEqual(await got(`GE_startTime=${at('2024-05-01T12:00:00Z')}&LT_endTime=${at('2024-05-02T00:00:01Z')}`), [1]);
      assert.deepEqual(await got(`GE_time=${at('2024-05-03T00:00:00Z')}`), [2]);
      assert.deepEqual(await got(`LT_time=${at('2024-05-03T00:00:00Z')}`), [0]);
      assert.deepEqual(await got('EQ_stringValue=door open&EQ_booleanValue=true&EQ_hexBinaryValue=AB12'), [2]);
      assert.deepEqual(await got(`EQ_uriValue=${encodeURIComponent('https://ns.example.com/alarm/7')}`), [2]);
      assert.deepEqual(await got('EQ_booleanValue=false'), []);
    });

    test('a disposition or event type shared by a few events or by thousands pages in either order', async () => {
      // Thousands of events with one disposition take the path that walks the time index; three take the one that
      // sorts what the disposition's index finds. Both must give the same order, page after page.
      const s = nextSerial();
      const common = `https://ns.example.com/disposition/common-${s}`;
      const rare = `https://ns.example.com/disposition/rare-${s}`;
      const random = seededRandom(s);
      const when = (i: number) => new Date(Date.UTC(2025, 2, 1) + Math.floor(random() * 90 * 86_400_000) + i).toISOString();
      const events = Array.from({ length: 2_100 }, (_, i) =>
        i % 700 === 5 ? transformationEvent({ inputEPCList: [sgtin(s)], disposition: rare, eventTime: when(i) }) : objectEvent({ epcList: [sgtin(`${s}.${i}`)], disposition: common, eventTime: when(i) }),
      );
      const ids = (await job((await capture(epcisDocument(events))).headers.location as string)).eventIDs as string[];
      const pages = async (params: string) => {
        const seen: number[] = [];
        let url: string | null = `/epcis/events?${params}`;
        while (url && seen.length < 90) {
          const res = await call(t.app, 'GET', url);
          assert.equal(res.status, 200, JSON.stringify(res.json));
          seen.push(...eventList(res).map((e) => ids.indexOf(e.eventID)));
          const link = res.headers.link as string | undefined;
          url = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
        }
        return seen;
      };
      const byTimeDesc = (positions: number[]) => [...positions].sort((a, b) => Date.parse(String(events[b]!.eventTime)) - Date.parse(String(events[a]!.eventTime)) || b - a);
      const withDisposition = (d: string) => events.flatMap((e, i) => (e.disposition === d ? [i] : []));

      for (const [disposition, type] of [[common, 'ObjectEvent'], [rare, 'TransformationEvent']] as const) {
        const all = withDisposition(disposition);
        const d = `EQ_disposition=${encodeURIComponent(disposition)}`;
        assert.deepEqual(await pages(`${d}&perPage=30`), all.slice(0, 90));
        assert.deepEqual(await pages(`${d}&orderBy=eventTime&perPage=30`), byTimeDesc(all).slice(0, 90));
        assert.deepEqual(await pages(`${d}&eventType=${type}&orderBy=eventTime&orderDirection=ASC&perPage=30`), byTimeDesc(all).reverse().slice(0, 90));
        assert.deepEqual(await pages(`${d}&eventType=AssociationEvent&orderBy=eventTime`), []);
      }
    });

    test('OPTIONS tells a client the EPCIS and CBV versions, identifier forms, methods, and the capture limits', async () => {
      for (const [path, allow] of [['/epcis', 'OPTIONS'], ['/epcis/events', 'OPTIONS, GET, POST'], ['/epcis/capture', 'OPTIONS, GET, POST']] as const) {
        const res = await call(t.app, 'OPTIONS', path);
        assert.equal(res.status, 204, path);
        assert.equal(res.headers.allow, allow);
        assert.equal(res.headers['gs1-epcis-version'], '2.0.0');
        assert.equal(res.headers['gs1-epcis-max'], '2.0.0');
        assert.equal(res.headers['gs1-cbv-version'], '2.0.0');
        assert.match(String(res.headers['gs1-epc-format']), /Always_GS1_Digital_Link/);
        assert.match(String(res.headers['gs1-vendor-version']), /^zhuisu\//);
      }
      const capture = await call(t.app, 'OPTIONS', '/epcis/capture');
      assert.equal(capture.headers['gs1-epcis-capture-limit'], '10000');
      assert.equal(capture.headers['gs1-capture-error-behaviour'], 'rollback');
      assert.equal((await call(t.app, 'OPTIONS', '/epcis', { key: null })).status, 401);
    });

    test('bad query parameters are 400 problems naming the parameter', async () => {
      for (const [params, pointer] of [
        ['colour=red', 'colour'],
        ['EQ_bizStep=dancing', 'EQ_bizStep'],
        ['GE_eventTime=yesterday', 'GE_eventTime'],
        ['GE_eventTime=2025-01-01T00:00:00', 'GE_eventTime'],
        ['perPage=0', 'perPage'],
        ['perPage=5000', 'perPage'],
        ['eventType=Banana', 'eventType'],
        ['orderDirection=ASC', 'orderDirection'],
        ['nextPageToken=forged', 'nextPageToken'],
        ['MATCH_epc=urn:epc:idpat:sgtin:0614141.*.*', 'MATCH_epc'],
        ['maxEventCount=3&eventCountLimit=1', 'maxEventCount'],
        ['EXISTS_example:temperature=false', 'EXISTS_example:temperature'],
        ['EQ_persistentDisposition_set=dancing', 'EQ_persistentDisposition_set'],
        ['EQ_errorReason=oops', 'EQ_errorReason'],
        ['GE_errorDeclarationTime=yesterday', 'GE_errorDeclarationTime'],
        ['EQ_type=Warmth', 'EQ_type'],
        ['GT_value_CEL=warm', 'GT_value_CEL'],
        ['GT_value_CEL=1|2', 'GT_value_CEL'],
        ['EQ_booleanValue=yes', 'EQ_booleanValue'],
        ['EQ_hexBinaryValue=xyz', 'EQ_hexBinaryValue'],
        ['GE_time=today', 'GE_time'],
        ['EQ_quantity=3', 'EQ_quantity'],
        ['EQ_ERROR_DECLARATION_example:note=x', 'EQ_ERROR_DECLARATION_example:note'],
        [`EQ_eventID=${Array.from({ length: 1001 }, (_, i) => `urn:uuid:${i}`).join('|')}`, 'EQ_eventID'],
        [
          Object.entries({ eventType: 'ObjectEvent', EQ_bizStep: 'shipping', EQ_disposition: 'active', EQ_action: 'ADD', EQ_readPoint: sgln(1), EQ_bizLocation: sgln(2) })
            .map(([p, v]) => `${p}=${Array(1000).fill(encodeURIComponent(v)).join('|')}`)
            .join('&'),
          'EQ_bizLocation',
        ],
      ] as const) {
        const res = await query(params);
        assert.equal(res.status, 400, params);
        assert.equal(res.json.errors[0].pointer, `/${pointer}`, params);
      }
    });

    test('capture limits: more than 10,000 events, or more bytes than advertised, is 413 with the limits advertised', async () => {
      const many = epcisDocument(Array.from({ length: 10_001 }, (_, i) => objectEvent({ epcList: [sgtin(i + 1)] })));
      const res = await capture(many);
      assert.equal(res.status, 413);
      assert.equal(res.json.code, 'capture-too-large');
      assert.equal(res.headers['gs1-epcis-capture-limit'], '10000');
      const huge = JSON.stringify(epcisDocument([objectEvent()])).replace('{', '{' + ' '.repeat(65 * 1024 * 1024));
      const big = await call(t.app, 'POST', '/epcis/capture', { rawBody: huge, headers: { 'content-type': 'application/json' } });
      assert.equal(big.status, 413);
      assert.equal(big.headers['gs1-epcis-capture-file-size-limit'], String(64 * 1024 * 1024));
    });

    test('concurrent captures of the same new events all succeed and store them once', async () => {
      const s = nextSerial();
      const document = epcisDocument([objectEvent({ epcList: [sgtin(s)] }), aggregationEvent({ parentID: sscc(s), childEPCs: [sgtin(s)] })]);
      const before = await eventCount();
      const results = await Promise.all([1, 2, 3, 4].map(() => capture(document)));
      for (const res of results) {
        assert.equal(res.status, 202, res.body);
        assert.equal(res.json.success, true, res.body);
      }
      assert.equal(await eventCount(), before + 2);
    });

    test('bad capture bodies are 4xx problems and store nothing', async () => {
      const before = await eventCount();
      for (const [body, type, status, code] of [
        ['{"type": "EPCISDocument", ', 'application/ld+json', 400, 'invalid-json'],
        ['', 'application/json', 400, 'invalid-json'],
        ['[]', 'application/json', 400, 'epcis-validation-failed'],
        ['type=EPCISDocument', 'text/plain', 415, 'unsupported-media-type'],
      ] as const) {
        const res = await call(t.app, 'POST', '/epcis/capture', { rawBody: body, headers: { 'content-type': type } });
        assert.equal(res.status, status, `${type} ${body}: ${res.body}`);
        assert.equal(res.json.code, code);
        assert.match(String(res.headers['content-type']), /problem\+json/);
      }
      assert.equal(await eventCount(), before);
    });

    test('an acknowledged document is already in the store: the 202 carries the outcome', async () => {
      const s = nextSerial();
      const res = await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument([objectEvent({ epcList: [sgtin(s)] })]) });
      assert.equal(res.status, 202);
      assert.equal(res.json.running, false);
      assert.equal(res.json.success, true);
      assert.equal(res.json.eventIDs.length, 1);
      assert.equal(eventList(await query(`MATCH_epc=${encodeURIComponent(sgtin(s))}`)).length, 1);
    });
  });
}
