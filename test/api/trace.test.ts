import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { withCheckDigit } from '../../src/codes/gs1/check-digit.js';
import { identifierOf } from '../../src/codes/registry.js';
import { CASE_A, CASE_B, CARCASS, FARM, LOIN, MARKET, PALLET, PLANT, RAW, SERIALS, SERIAL_1_LINK, at, chain, glnOf, scanned } from '../builders/chains.js';
import { aggregationEvent, epcisDocument, lgtin, objectEvent, pgln, quantity, sgln, sgtin, sscc, transformationEvent } from '../builders/epcis.js';
import { locationBody, subjectBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, subjectWithKey, type TestPlatform } from '../support/platform.js';

/** Trace results on the hand-built chain of test/builders/chains.ts. */

const id = (text: string) => identifierOf(scanned(text));

for (const dialect of TEST_DIALECTS) {
  describe(`trace on ${dialect}`, () => {
    let t: TestPlatform;
    const subjects: Record<string, string> = {};
    before(async () => {
      t = await startTestPlatform(dialect);
      for (const [name, reference] of [['farm', FARM], ['plant', PLANT], ['market', MARKET]] as const) {
        const subject = (await call(t.app, 'POST', '/api/v1/subjects', { body: subjectBody({ name }) })).json;
        subjects[name] = subject.id;
        const location = await call(t.app, 'POST', `/api/v1/subjects/${subject.id}/locations`, { body: locationBody({ gln: glnOf(reference), name }) });
        assert.equal(location.status, 201, location.body);
      }
      const captured = await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument(chain()) });
      assert.equal(captured.status, 202, captured.body);
      assert.equal((await call(t.app, 'GET', String(captured.headers.location))).json.success, true);
    });
    after(() => t.close());

    const trace = async (code: string, direction: 'backward' | 'forward', key?: string) => {
      const response = await call(t.app, 'GET', `/api/v1/trace?code=${encodeURIComponent(code)}&direction=${direction}`, key ? { key } : {});
      assert.equal(response.status, 200, response.body);
      return response.json as { root: string; nodes: { id: string; code: string; kind: string; holder: { subjectId: string | null } | null }[]; edges: { from: string; to: string; relation: string; quantity: number | null; uom: string | null }[]; warnings: string[]; subjects: { id: string; name: string }[] };
    };
    const codes = (result: Awaited<ReturnType<typeof trace>>) => result.nodes.map((n) => n.code).sort();
    const expected = (...things: string[]) => things.map(id).sort();

    test('backward from a serial: its lot, and the farm lot the lot was made from, nothing else', async () => {
      const result = await trace(SERIALS[0]!, 'backward');
      assert.deepEqual(codes(result), expected(SERIALS[0]!, LOIN, RAW));
      const byId = new Map(result.nodes.map((n) => [n.id, n.code]));
      const edges = result.edges.map((e) => [byId.get(e.from), byId.get(e.to), e.relation]);
      assert.deepEqual(edges, [
        [id(RAW), id(LOIN), 'transformation'],
        [id(LOIN), id(SERIALS[0]!), 'lot'],
      ]);
      assert.deepEqual(result.warnings, []);
    });

    test('forward from the farm lot: both lots, every serial, both cases and the pallet; not the unrelated lot', async () => {
      const result = await trace(RAW, 'forward');
      assert.deepEqual(codes(result), expected(RAW, LOIN, CARCASS, ...SERIALS, CASE_A, CASE_B, PALLET));
      const loinEdge = result.edges.find((e) => result.nodes.find((n) => n.id === e.to)!.code === id(LOIN))!;
      assert.deepEqual([loinEdge.quantity, loinEdge.uom], [20, 'KGM']);
      const pallet = result.nodes.find((n) => n.code === id(PALLET))!;
      assert.equal(pallet.holder?.subjectId, subjects.market, 'the market received the pallet');
      const serial = result.nodes.find((n) => n.code === id(SERIALS[0]!))!;
      assert.equal(serial.holder?.subjectId, subjects.market, 'a serial in a case on the pallet is where the pallet is');
      const carcass = result.nodes.find((n) => n.code === id(CARCASS))!;
      assert.equal(carcass.holder?.subjectId, subjects.plant, 'the carcass lot stayed at the plant');
      // The subjects owning the trace's places, each once, with their names.
      const named = result.subjects.map((s) => [s.id, s.name]).sort();
      assert.deepEqual(named, [['farm', subjects.farm], ['plant', subjects.plant], ['market', subjects.market]].map(([name, sid]) => [sid!, name!]).sort());
    });

    test('a case reaches the pallet it was packed into, not its sibling case; the pallet reaches back to everything', async () => {
      assert.deepEqual(codes(await trace(CASE_A, 'forward')), expected(CASE_A, PALLET));
      assert.deepEqual(codes(await trace(PALLET, 'backward')), expected(PALLET, CASE_A, CASE_B, ...SERIALS, LOIN, RAW));
    });

    test('a serial scanned from any form, a Digital Link on a brand domain included, traces the same', async () => {
      const fromLink = await trace(SERIAL_1_LINK, 'forward');
      assert.deepEqual(codes(fromLink), expected(SERIALS[0]!, CASE_A, PALLET));
      const [gcp, ref, serial] = SERIALS[0]!.split(':').pop()!.split('.');
      assert.deepEqual(codes(await trace(`(01)${withCheckDigit(`${ref![0]}${gcp}${ref!.slice(1)}`)}(21)${serial}`, 'forward')), codes(fromLink));
    });

    test('cycles and receipts without a shipment are reported, and the trace ends', async () => {
      const q1 = lgtin('Q1', '107348');
      const q2 = lgtin('Q2', '107348');
      const orphan = lgtin('ORPHAN', '107349');
      const events = [
        transformationEvent({ eventTime: at(10), inputQuantityList: [quantity(1, q1, 'KGM')], outputQuantityList: [quantity(1, q2, 'KGM')] }),
        transformationEvent({ eventTime: at(11), inputQuantityList: [quantity(1, q2, 'KGM')], outputQuantityList: [quantity(1, q1, 'KGM')] }),
        objectEvent({ eventTime: at(12), action: 'OBSERVE', bizStep: 'receiving', disposition: 'in_progress', epcList: [], quantityList: [quantity(5, orphan, 'KGM')], readPoint: { id: sgln(0, PLANT) }, bizLocation: { id: sgln(0, PLANT) } }),
      ];
      assert.equal((await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument(events) })).status, 202);
      const loop = await trace(q1, 'forward');
      assert.deepEqual(codes(loop), expected(q1, q2));
      assert.ok(loop.warnings.some((w) => w.startsWith('cycle:')), loop.warnings.join('\n'));
      const broken = await trace(orphan, 'backward');
      assert.ok(broken.warnings.some((w) => w.startsWith('broken link:')), broken.warnings.join('\n'));
    });

    test('merges, splits, unpacking and repacking: history is kept, time runs one way', async () => {
      const [a, b, merged, left, right] = ['A', 'B', 'M', 'SL', 'SR'].map((lot) => lgtin(`${lot}11`, '107351'));
      const [box1, box2] = [sscc(3001), sscc(3002)];
      const item = sgtin('X1', '107352');
      const late = sgtin('X2', '107352');
      const events = [
        transformationEvent({ eventTime: at(13), inputQuantityList: [quantity(5, a!, 'KGM'), quantity(7, b!, 'KGM')], outputQuantityList: [quantity(12, merged!, 'KGM')] }),
        transformationEvent({ eventTime: at(14), inputQuantityList: [quantity(12, merged!, 'KGM')], outputQuantityList: [quantity(4, left!, 'KGM'), quantity(8, right!, 'KGM')] }),
        aggregationEvent({ eventTime: at(15), parentID: box1, childEPCs: [item] }),
        aggregationEvent({ eventTime: at(16), parentID: box1, childEPCs: [item], action: 'DELETE', bizStep: 'unpacking' }),
        aggregationEvent({ eventTime: at(17), parentID: box2, childEPCs: [item] }),
        // Packed into box 1 before the item ever was: not part of the item's forward trace through box 1.
        aggregationEvent({ eventTime: at(12), parentID: sscc(3003), childEPCs: [box1] }),
        aggregationEvent({ eventTime: at(18), parentID: box1, childEPCs: [late] }),
      ];
      assert.equal((await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument(events) })).status, 202);
      assert.deepEqual(codes(await trace(left!, 'backward')), expected(left!, merged!, a!, b!), 'a split lot reaches back through the merge to both inputs');
      assert.deepEqual(codes(await trace(a!, 'forward')), expected(a!, merged!, left!, right!), 'one input of a merge reaches every output');
      assert.deepEqual(codes(await trace(item, 'forward')), expected(item, box1, box2), 'unpacked and repacked: both boxes, and not what box 1 was packed into before');
      assert.deepEqual(codes(await trace(box1, 'backward')), expected(box1, item, late), 'everything ever packed into box 1');
    });

    test('a subject that never held the goods sees nothing beyond the code it asked about', async () => {
      const stranger = await subjectWithKey(t.app);
      const result = await trace(RAW, 'forward', stranger.key);
      assert.deepEqual(codes(result), expected(RAW));
      assert.deepEqual(result.edges, []);
    });

    test('events stored before trace facts were written are traced from their bodies, to the same answer', async () => {
      const db = t.platform.database.db;
      const written = await db.selectFrom('event_trace_facts').selectAll().execute();
      const { events } = await db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('events')).executeTakeFirstOrThrow();
      assert.equal(written.length, Number(events), 'capture writes every event its trace facts');
      const answers = async () => [await trace(RAW, 'forward'), await trace(PALLET, 'backward'), await trace(SERIALS[0]!, 'backward')].map((r) => JSON.stringify(r));
      const withFacts = await answers();
      try {
        // Some events with facts rows and some without, then none with.
        await db.deleteFrom('event_trace_facts').where('seq', 'in', written.filter((_, i) => i % 2 === 0).map((r) => r.seq)).execute();
        assert.deepEqual(await answers(), withFacts);
        await db.deleteFrom('event_trace_facts').execute();
        assert.deepEqual(await answers(), withFacts);
      } finally {
        await db.insertInto('event_trace_facts').values(written).execute();
      }
    });

    test('bad input is a problem', async () => {
      for (const url of ['/api/v1/trace?code=not-a-code&direction=forward', `/api/v1/trace?code=${encodeURIComponent(RAW)}&direction=sideways`, `/api/v1/trace?code=${encodeURIComponent(RAW)}&direction=forward&depth=0`]) {
        const response = await call(t.app, 'GET', url);
        assert.equal(response.status, 400, url);
        assert.equal(response.headers['content-type'], 'application/problem+json');
      }
      assert.equal((await call(t.app, 'GET', `/api/v1/trace?code=${encodeURIComponent(RAW)}&direction=forward`, { key: null })).status, 401);
    });

    // Last: the buyer's company prefix is the chain's too, and would name it as the holder of the chain's parties.
    test('a thing in transit is held by the party it is shipped to, known by its company prefix; that subject is listed with the farm', async () => {
      const buyer = (await call(t.app, 'POST', '/api/v1/subjects', { body: { ...subjectBody({ name: 'buyer' }), companyPrefixes: ['0614141'] } })).json;
      const item = sgtin(9001);
      const farm = { readPoint: { id: sgln(0, FARM) }, bizLocation: { id: sgln(0, FARM) } };
      const captured = await call(t.app, 'POST', '/epcis/capture', {
        body: epcisDocument([
          objectEvent({ eventTime: at(20), epcList: [item], ...farm }),
          objectEvent({ eventTime: at(21), action: 'OBSERVE', bizStep: 'shipping', disposition: 'in_transit', epcList: [item], ...farm, destinationList: [{ type: 'owning_party', destination: pgln('00999') }] }),
        ]),
      });
      assert.equal(captured.status, 202, captured.body);
      assert.equal((await call(t.app, 'GET', String(captured.headers.location))).json.success, true);
      const result = await trace(item, 'backward');
      assert.equal(result.nodes.find((n) => n.code === id(item))?.holder?.subjectId, buyer.id);
      assert.deepEqual(result.subjects.map((s) => [s.id, s.name]).sort(), [[subjects.farm!, 'farm'], [buyer.id, 'buyer']].sort());
    });
  });
}
