import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { hasValidCheckDigit, isValidGtin, normaliseIdentifier } from '../src/codes/gs1/index.js';
import { isRegionCode } from '../src/codes/region.js';
import { parseUscc } from '../src/codes/uscc.js';
import { SUBJECT_ROLES } from '../src/domain/master-data.js';
import { validateEpcisDocument } from '../src/epcis/validation/validate.js';
import {
  EPCIS_CONTEXT_URL,
  ZS_NAMESPACE,
  eventCategory,
  generateChain,
  generateDocuments,
  generateEvents,
  generateSubjects,
  type DocumentOptions,
  type EventCategory,
  type GeneratedEvent,
} from './generator.js';

type Json = Record<string, any>;

const eventsOf = (doc: Json): Json[] => doc.epcisBody.eventList;

// ---------------------------------------------------------------------------------------------------------------
// A model of where every object is, replayed over the stream: it fails on the first event that uses an object
// before the event that made it, receives what was not shipped there, or sells what is not in the store.

const canonicalCache = new Map<string, string>();
function canon(uri: string): string {
  let c = canonicalCache.get(uri);
  if (c === undefined) {
    const result = normaliseIdentifier(uri);
    assert.ok(result.ok, `${uri}: ${result.ok ? '' : result.reason}`);
    c = result.canonical;
    canonicalCache.set(uri, c);
  }
  return c;
}

const list = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]).map(canon) : []);
const classes = (value: unknown): string[] =>
  Array.isArray(value) ? (value as Json[]).map((q) => canon(q.epcClass as string)) : [];
const placeOf = (entries: unknown, field: 'source' | 'destination'): string =>
  canon(((entries as Json[]).find((x) => x.type === 'location') as Json)[field]);

function replay(events: Iterable<GeneratedEvent>): number {
  const lastTime = new Map<string, number>();
  const at = new Map<string, string>(); // instance → location
  const classAt = new Map<string, Set<string>>(); // class (lot) → locations holding some of it
  const childrenOf = new Map<string, string[]>();
  const shipment = new Map<string, { to: string; t: number }>();
  let count = 0;

  const move = (object: string, location: string) => {
    if (object.includes('/10/')) (classAt.get(object) ?? classAt.set(object, new Set()).get(object)!).add(location);
    else at.set(object, location);
    for (const child of childrenOf.get(object) ?? []) move(child, location);
  };
  const isAt = (object: string, location: string) =>
    object.includes('/10/') ? classAt.get(object)?.has(location) === true : at.get(object) === location;

  for (const raw of events) {
    const e = raw as Json;
    const t = Date.parse(e.eventTime);
    const where = e.bizLocation ? canon(e.bizLocation.id) : undefined;
    const label = `${e.type} ${e.bizStep ?? ''} at ${e.eventTime}`;
    let used: string[] = [];
    let created: string[] = [];
    switch (e.type) {
      case 'ObjectEvent': {
        const objects = [...list(e.epcList), ...classes(e.quantityList)];
        if (e.action === 'ADD') created = objects;
        else used = objects;
        break;
      }
      case 'AggregationEvent':
        if (e.action === 'ADD') created = [canon(e.parentID)];
        else used = [canon(e.parentID)];
        used.push(...list(e.childEPCs), ...classes(e.childQuantityList));
        break;
      case 'TransformationEvent':
        used = [...list(e.inputEPCList), ...classes(e.inputQuantityList)];
        created = [...list(e.outputEPCList), ...classes(e.outputQuantityList)];
        break;
      case 'TransactionEvent':
        used = list(e.epcList);
        break;
      default:
        assert.fail(`unexpected event type ${e.type}`);
    }

    for (const object of used) {
      const before = lastTime.get(object);
      assert.ok(before !== undefined, `${label} uses ${object} before any event made it`);
      assert.ok(t >= before, `${label} uses ${object}, last seen later (${new Date(before).toISOString()})`);
    }
    for (const object of created) assert.ok(!lastTime.has(object), `${label} makes ${object} a second time`);

    if (e.bizStep === 'shipping') {
      const from = placeOf(e.sourceList, 'source');
      const to = placeOf(e.destinationList, 'destination');
      for (const object of used) {
        assert.ok(isAt(object, from), `${label} ships ${object} from ${from}, where it is not`);
        shipment.set(object, { to, t });
      }
    } else if (e.bizStep === 'receiving') {
      for (const object of used) {
        const shipped = shipment.get(object);
        assert.ok(shipped, `${label} receives ${object}, which was not shipped`);
        assert.equal(shipped.to, where, `${label} receives ${object} shipped to ${shipped.to}`);
        assert.ok(t > shipped.t, `${label} receives ${object} before it was shipped`);
        shipment.delete(object);
        move(object, where!);
      }
    } else if (e.type === 'TransformationEvent' || e.bizStep === 'retail_selling' || e.bizStep === 'packing') {
      for (const object of used) assert.ok(isAt(object, where!), `${label} uses ${object}, which is not at ${where}`);
    }

    if (e.type === 'AggregationEvent') {
      const parent = canon(e.parentID);
      const children = [...list(e.childEPCs), ...classes(e.childQuantityList)];
      if (e.action === 'ADD') childrenOf.set(parent, children);
      else childrenOf.delete(parent);
    }
    for (const object of created) move(object, where!);
    for (const object of [...used, ...created]) lastTime.set(object, t);
    count += 1;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------------------------

describe('bench/generator', () => {
  it('gives the same chain for the same seed and a different one for another seed', () => {
    const a = generateChain({ seed: 42, batches: 40 });
    const b = generateChain({ seed: 42, batches: 40 });
    assert.deepEqual(a, b);
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    const c = generateChain({ seed: 43, batches: 40 });
    assert.notEqual(JSON.stringify(c.events), JSON.stringify(a.events));
    assert.notEqual(JSON.stringify(c.subjects), JSON.stringify(a.subjects));
  });

  it('streams exactly the events of the whole chain, and slices of batches concatenate to it', () => {
    const whole = generateChain({ seed: 5, batches: 30 });
    const docs = [...generateDocuments({ seed: 5, batches: 30, eventsPerDocument: 64 })];
    assert.deepEqual(docs.flatMap(eventsOf), whole.events);
    assert.deepEqual([...generateEvents({ seed: 5, batches: 30 })], whole.events);
    const sliced = [
      ...generateChain({ seed: 5, batches: 11 }).events,
      ...generateChain({ seed: 5, firstBatch: 11, batches: 19 }).events,
    ];
    assert.deepEqual(sliced, whole.events);
    assert.deepEqual(generateSubjects({ seed: 5 }), whole.subjects);
  });

  it('cuts documents of eventsPerDocument events, each with the EPCIS 2.0 context and the zs prefix', () => {
    const docs = [...generateDocuments({ seed: 8, batches: 50, eventsPerDocument: 100 })];
    const total = docs.reduce((n, doc) => n + eventsOf(doc).length, 0);
    assert.ok(total > 500);
    docs.forEach((doc, i) => {
      assert.equal(eventsOf(doc).length, i < docs.length - 1 ? 100 : total - 100 * (docs.length - 1));
      assert.equal(doc.type, 'EPCISDocument');
      assert.equal(doc.schemaVersion, '2.0');
      assert.deepEqual(doc['@context'], [EPCIS_CONTEXT_URL, { zs: ZS_NAMESPACE }]);
      const latest = Math.max(...eventsOf(doc).map((e: Json) => Date.parse(e.eventTime)));
      assert.ok(Date.parse(doc.creationDate as string) > latest, 'a document is created after its events');
    });
  });

  it('shares no object or array between events, so a consumer may change one event in place', () => {
    const seen = new Set<object>();
    const walk = (value: unknown) => {
      if (value === null || typeof value !== 'object') return;
      assert.ok(!seen.has(value), `shared: ${JSON.stringify(value).slice(0, 80)}`);
      seen.add(value);
      for (const child of Object.values(value)) walk(child);
    };
    for (const e of generateEvents({ seed: 13, batches: 100 })) walk(e);
  });

  const shapes: DocumentOptions[] = [
    { seed: 1, batches: 300, eventsPerDocument: 1000 },
    { seed: 2, batches: 40, eventsPerDocument: 7 },
    { seed: 99, batches: 60, eventsPerDocument: 250, itemsPerBatch: 1 },
    { seed: 3, batches: 20, eventsPerDocument: 500, itemsPerBatch: 300 },
    { seed: 4, batches: 40, eventsPerDocument: 100, farms: 1, processors: 1, distributionCentres: 0, markets: 1, retailers: 1 },
    { seed: 0xffffffff, batches: 40, eventsPerDocument: 100, farms: 2, processors: 2, distributionCentres: 1, markets: 0, retailers: 3 },
    { seed: 7, batches: 60, eventsPerDocument: 1000, shape: 'lots' },
    { seed: 8, batches: 40, eventsPerDocument: 50, shape: 'lots', itemsPerBatch: 1 },
    { seed: 9, batches: 30, eventsPerDocument: 300, shape: 'lots', itemsPerBatch: 2, farms: 1, processors: 1, distributionCentres: 0, markets: 1, retailers: 1 },
    { seed: 10, batches: 20, eventsPerDocument: 400, shape: 'lots', farms: 2, processors: 1, distributionCentres: 1, markets: 0, retailers: 2 },
  ];
  for (const options of shapes) {
    it(`generates valid, causally ordered documents (${JSON.stringify(options)})`, () => {
      let events = 0;
      for (const doc of generateDocuments(options)) {
        const result = validateEpcisDocument(doc);
        assert.ok(result.ok, JSON.stringify(result.ok ? [] : result.errors.slice(0, 5), null, 2));
        events += eventsOf(doc).length;
      }
      const stream = (function* () {
        for (const doc of generateDocuments(options)) yield* eventsOf(doc);
      })();
      assert.equal(replay(stream), events);
    });
  }

  it('has a replay that catches streams out of causal order', () => {
    const events = generateChain({ seed: 6, batches: 10 }).events as Json[];
    assert.doesNotThrow(() => replay(events));
    assert.throws(() => replay([...events].reverse()), /before any event made it/);

    const receive = events.findIndex((e) => e.bizStep === 'receiving');
    const early = [...events];
    const [moved] = early.splice(receive, 1);
    early.splice(0, 0, moved!);
    assert.throws(() => replay(early), /before any event made it|not shipped/);

    const later = events.map((e) => structuredClone(e));
    const shipped = later.find((e) => e.bizStep === 'shipping')!;
    shipped.eventTime = '2030-01-01T00:00:00.000+08:00';
    assert.throws(() => replay(later), /last seen later|before it was shipped/);

    const elsewhere = events.map((e) => structuredClone(e));
    const sale = elsewhere.find((e) => e.bizStep === 'retail_selling' && e.epcList)!;
    sale.bizLocation = elsewhere.find((e) => e.type === 'TransformationEvent')!.bizLocation;
    assert.throws(() => replay(elsewhere), /which is not at/);
  });

  it('keeps times non-decreasing along each chain, at +08:00', () => {
    for (const e of generateEvents({ seed: 12, batches: 100 }) as Iterable<Json>) {
      assert.equal(e.eventTimeZoneOffset, '+08:00');
      assert.match(e.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
    }
    // Within one batch the stream is sorted by time; the replay above checks the dependencies themselves.
    const one = generateChain({ seed: 12, batches: 1 }).events.map((e) => Date.parse(e.eventTime as string));
    assert.deepEqual(one, [...one].sort((x, y) => x - y));
    // The formatted local time is the instant it claims to be.
    const first = generateChain({ seed: 12, batches: 1, start: '2024-03-01T00:00:00+08:00' }).events[0] as Json;
    const t = Date.parse(first.eventTime);
    assert.ok(t >= Date.parse('2024-03-01T00:00:00+08:00') && t < Date.parse('2024-03-02T00:00:00+08:00'));
    assert.equal(first.eventTime.slice(0, 10), new Date(t + 8 * 3_600_000).toISOString().slice(0, 10));
  });

  it('produces the default mix within the documented bounds', () => {
    const bounds: Record<EventCategory, [number, number]> = {
      commissioning: [0.1, 0.15],
      shipping_receiving: [0.3, 0.4],
      transformation: [0.05, 0.1],
      aggregation: [0.15, 0.25],
      retail_selling: [0.1, 0.2],
      inspection: [0.005, 0.05],
      transaction: [0.002, 0.03],
      other: [0, 0],
    };
    for (const seed of [1, 2, 3]) {
      const counts = new Map<EventCategory, number>();
      let total = 0;
      for (const e of generateEvents({ seed, batches: 1000 })) {
        const category = eventCategory(e);
        counts.set(category, (counts.get(category) ?? 0) + 1);
        total += 1;
      }
      for (const [category, [low, high]] of Object.entries(bounds) as [EventCategory, [number, number]][]) {
        const share = (counts.get(category) ?? 0) / total;
        assert.ok(share >= low && share <= high, `seed ${seed}: ${category} is ${(share * 100).toFixed(1)}%`);
      }
    }
  });

  it('uses every shape a trace has to follow', () => {
    const events = generateChain({ seed: 21, batches: 200 }).events as Json[];
    const some = (predicate: (e: Json) => boolean, what: string) => assert.ok(events.some(predicate), what);
    some((e) => e.type === 'AggregationEvent' && e.action === 'DELETE', 'unpacking');
    some((e) => e.type === 'AggregationEvent' && Array.isArray(e.childQuantityList), 'packing a lot by quantity');
    some(
      (e) => e.type === 'TransformationEvent' && Array.isArray(e.inputEPCList) && Array.isArray(e.outputQuantityList),
      'pigs into a carcass lot',
    );
    some((e) => e.type === 'TransformationEvent' && Array.isArray(e.outputEPCList), 'a lot into serialised packs');
    some((e) => e.type === 'TransformationEvent' && e.ilmd?.['zs:slaughterCertificate'] && e.ilmd['cbvmda:itemExpirationDate'], 'ILMD');
    some((e) => e.bizStep === 'inspecting' && e.sensorElementList?.[0]?.sensorReport?.[0]?.type === 'Temperature', 'cold chain');
    some((e) => e.type === 'TransactionEvent', 'a transaction');
    some((e) => e.bizStep === 'retail_selling' && Array.isArray(e.quantityList), 'selling by lot');
    some((e) => e.bizStep === 'retail_selling' && Array.isArray(e.epcList), 'selling by serial');
    const text = JSON.stringify(events);
    for (const form of ['urn:epc:id:sgtin:', 'https://id.gs1.org/01/', 'urn:epc:id:sscc:', 'https://id.gs1.org/00/',
      'urn:epc:class:lgtin:', 'urn:epc:id:sgln:', 'https://id.gs1.org/414/', 'urn:epc:id:pgln:', 'https://id.gs1.org/417/']) {
      assert.ok(text.includes(form), `some identifiers are written ${form}…`);
    }
  });

  it("gives the 'mixed' shape by default", () => {
    assert.deepEqual(generateChain({ seed: 4, batches: 30, shape: 'mixed' }), generateChain({ seed: 4, batches: 30 }));
  });

  it("follows lots from the farms to serialised packs in the 'lots' shape, a farm lot reaching a few hundred things", () => {
    const events = generateChain({ seed: 22, batches: 200, shape: 'lots' }).events as Json[];
    // The links a trace follows: transformation input → output, packed child → parent, lot → the packs it labels.
    const next = new Map<string, Set<string>>();
    const previous = new Map<string, Set<string>>();
    const link = (from: string, to: string) => {
      (next.get(from) ?? next.set(from, new Set()).get(from)!).add(to);
      (previous.get(to) ?? previous.set(to, new Set()).get(to)!).add(from);
    };
    const farmLots: string[] = [];
    const sold: string[] = [];
    const made = new Set<string>();
    for (const e of events) {
      if (e.type === 'TransformationEvent') {
        assert.ok(Array.isArray(e.inputQuantityList) && Array.isArray(e.outputQuantityList), 'lots in, lots out');
        for (const output of classes(e.outputQuantityList)) {
          made.add(output);
          for (const input of classes(e.inputQuantityList)) link(input, output);
        }
      } else if (e.type === 'AggregationEvent' && e.action === 'ADD') {
        assert.match(canon(e.parentID), /^https:\/\/id\.gs1\.org\/00\//, 'cases and pallets are SSCCs');
        for (const child of list(e.childEPCs)) link(child, canon(e.parentID));
      } else if (e.bizStep === 'commissioning' && Array.isArray(e.quantityList)) {
        farmLots.push(...classes(e.quantityList));
        assert.equal(e.ilmd['cbvmda:lotNumber'], /\/10\/(.+)$/.exec(classes(e.quantityList)[0]!)![1]);
      } else if (e.bizStep === 'commissioning') {
        for (const item of list(e.epcList)) {
          const [, gtin] = /\/01\/(\d{14})\/21\//.exec(item)!;
          const lot = `https://id.gs1.org/01/${gtin}/10/${e.ilmd['cbvmda:lotNumber'] as string}`;
          assert.ok(made.has(lot), `${item} is labelled with ${lot}, which no transformation made`);
          link(lot, item);
        }
      } else if (e.bizStep === 'retail_selling') {
        sold.push(...list(e.epcList));
      }
    }
    const reach = (start: string, edges: Map<string, Set<string>>) => {
      const seen = new Set([start]);
      const queue = [start];
      while (queue.length) for (const to of edges.get(queue.pop()!) ?? []) if (!seen.has(to)) (seen.add(to), queue.push(to));
      return seen;
    };
    const sizes = farmLots.map((lot) => reach(lot, next).size).sort((a, b) => a - b);
    const median = sizes[sizes.length >> 1]!;
    assert.ok(median >= 200 && median <= 400, `a farm lot's forward trace reaches ${median} things (median)`);
    assert.ok(sold.length > 1000, `${sold.length} packs sold`);
    for (const item of sold.slice(0, 200)) {
      const upstream = reach(item, previous);
      assert.ok(farmLots.some((lot) => upstream.has(lot)), `${item} leads back to a farm lot`);
    }
    assert.ok(events.some((e) => e.type === 'AggregationEvent' && e.action === 'DELETE' && e.bizStep === 'unpacking'), 'unpacking');
  });

  it('describes subjects whose codes are valid and which own every identifier the events use', () => {
    const { subjects, events } = generateChain({ seed: 17, batches: 150 });
    assert.equal(subjects.length, 8 + 4 + 2 + 2 + 12);
    assert.equal(new Set(subjects.map((s) => s.name)).size, subjects.length, 'names are unique');
    assert.equal(new Set(subjects.map((s) => s.subjectCode)).size, subjects.length, 'codes are unique');
    const prefixes = subjects.map((s) => s.companyPrefix);
    const glns = new Set<string>();
    const parties = new Set<string>();
    const gtins = new Set<string>();
    for (const s of subjects) {
      const uscc = parseUscc(s.subjectCode);
      assert.ok(uscc.ok, `${s.key}: ${s.subjectCode}`);
      assert.equal(uscc.value.regionCode, s.regionCode);
      assert.match(s.companyPrefix, /^69\d{5,7}$/);
      assert.ok(s.roles.every((role) => (SUBJECT_ROLES as readonly string[]).includes(role)), s.roles.join());
      assert.ok(isRegionCode(s.regionCode) && s.regionCode.startsWith('33'), s.regionCode);
      assert.ok(hasValidCheckDigit(s.partyGln) && s.partyGln.startsWith(s.companyPrefix));
      parties.add(s.partyGln);
      assert.ok(s.locations.length > 0);
      for (const location of s.locations) {
        assert.ok(hasValidCheckDigit(location.gln) && location.gln.length === 13 && location.gln.startsWith(s.companyPrefix));
        assert.ok(isRegionCode(location.regionCode) && location.regionCode.startsWith('33'), location.regionCode);
        assert.ok(!glns.has(location.gln), `GLN ${location.gln} given twice`);
        glns.add(location.gln);
      }
      for (const product of s.products) {
        assert.ok(isValidGtin(product.gtin) && product.gtin.startsWith(s.companyPrefix));
        gtins.add(product.gtin);
      }
    }
    for (const a of prefixes) for (const b of prefixes) if (a !== b) assert.ok(!b.startsWith(a), `${a} is a prefix of ${b}`);
    assert.ok(new Set(subjects.map((s) => s.identifierSyntax)).size >= 2, 'clients differ in how they write identifiers');

    const check = (uri: string) => {
      const c = canon(uri);
      const m = /^https:\/\/id\.gs1\.org\/(01|414|417|00|8004)\/(\d+)/.exec(c);
      if (!m || m[1] === '00' || m[1] === '8004') return;
      const key = m[2]!;
      if (m[1] === '01') assert.ok(gtins.has(key.slice(1)), `GTIN ${key} is nobody's product`);
      if (m[1] === '414') assert.ok(glns.has(key), `GLN ${key} is nobody's location`);
      if (m[1] === '417') assert.ok(parties.has(key), `party ${key} is not a subject`);
    };
    for (const e of events as Json[]) {
      for (const field of ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']) for (const uri of e[field] ?? []) check(uri);
      for (const field of ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']) {
        for (const q of e[field] ?? []) check(q.epcClass);
      }
      if (e.readPoint) check(e.readPoint.id);
      if (e.bizLocation) check(e.bizLocation.id);
      for (const s of e.sourceList ?? []) check(s.source);
      for (const d of e.destinationList ?? []) check(d.destination);
    }
  });

  it('streams: heap stays flat over 200,000 events and the first document of a 10-million-batch run is immediate', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };

    // What holding events would cost, to set the bar against.
    const base = heap();
    const held = [...generateEvents({ seed: 30, batches: 1000 })];
    const perEvent = (heap() - base) / held.length;
    held.length = 0;
    assert.ok(perEvent > 500, `an event costs ${perEvent.toFixed(0)} bytes of heap`);

    let events = 0;
    let warm = 0;
    let peak = 0;
    for (const doc of generateDocuments({ seed: 31, batches: 10_000, eventsPerDocument: 1000 })) {
      events += eventsOf(doc).length;
      if (warm === 0 && events >= 20_000) warm = heap();
      else if (events % 50_000 < 1000 && warm !== 0) peak = Math.max(peak, heap());
    }
    const growth = Math.max(peak, heap()) - warm;
    assert.ok(events > 200_000, `${events} events`);
    // Holding the 180,000 events after the warm-up would grow the heap by ~180,000 × perEvent; allow 1% of that.
    assert.ok(growth < 1_800 * perEvent, `heap grew by ${(growth / 1e6).toFixed(1)} MB over ${events} events`);

    // Ten million batches would not fit in memory: a first document at all shows it was not built from the whole run.
    const first = generateDocuments({ seed: 1, batches: 10_000_000, eventsPerDocument: 100 }).next();
    assert.equal(first.done, false);
  });

  it('rejects options it cannot honour', () => {
    assert.throws(() => generateChain({ seed: 1, batches: 1, distributionCentres: 0, markets: 0 }), RangeError);
    assert.throws(() => generateChain({ seed: 1, batches: -1 }), RangeError);
    assert.throws(() => generateChain({ seed: 1, batches: 1, itemsPerBatch: 0 }), RangeError);
    assert.throws(() => generateChain({ seed: 1, batches: 1, start: 'yesterday' }), RangeError);
    assert.throws(() => generateChain({ seed: 1, batches: 1, shape: 'tree' as 'lots' }), RangeError);
    assert.throws(() => generateDocuments({ seed: 1, batches: 1, eventsPerDocument: 0 }).next(), RangeError);
    // More batches than the processors' SSCC serial references can number.
    assert.throws(() => generateDocuments({ seed: 1, batches: 1e12, eventsPerDocument: 10 }).next(), /SSCC/);
  });
});
