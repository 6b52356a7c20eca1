import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aggregationEvent, lgtin, objectEvent, pgln, quantity, sgln, sgtin, sscc, transformationEvent } from '../../test/builders/epcis.js';
import { canonicalIdentifier } from './event-index.js';
import { decodeTraceFacts, encodeTraceFacts, thingsIn, traceFactsOf } from './trace-facts.js';

const facts = (body: Record<string, unknown>) => traceFactsOf(body, canonicalIdentifier);
const link = (urn: string) => canonicalIdentifier(urn);
const SITE_GLN = '0614141007776';
const STORE_GLN = '0614141008889';
const BUYER_GLN = '0614141009992';

describe('trace facts: what the trace reads of an event, worked out at capture', () => {
  it('names things by role, canonical, with their quantities, the parent apart', () => {
    const t = facts(
      transformationEvent({
        inputEPCList: [sgtin(1)],
        inputQuantityList: [quantity(12.5, lgtin('IN'), 'KGM')],
        outputEPCList: [sgtin(7), sgtin(8)],
        outputQuantityList: [{ epcClass: lgtin('OUT'), quantity: 3 }],
      }),
    );
    assert.deepEqual(t.inputs, [{ code: link(sgtin(1)) }, { code: link(lgtin('IN')), quantity: 12.5, uom: 'KGM' }]);
    assert.deepEqual(t.outputs, [{ code: link(sgtin(7)) }, { code: link(sgtin(8)) }, { code: link(lgtin('OUT')), quantity: 3 }]);
    assert.deepEqual(t.epcs, []);
    assert.equal(t.parent, undefined);
    assert.ok(t.inputs.every((r) => r.code.startsWith('https://id.gs1.org/')), 'URNs become Digital Links');

    const packed = facts(aggregationEvent({ parentID: sscc(5), childEPCs: [sgtin(1), sgtin(2)] }));
    assert.equal(packed.parent, link(sscc(5)));
    assert.deepEqual(packed.children, [{ code: link(sgtin(1)) }, { code: link(sgtin(2)) }]);
    assert.deepEqual(thingsIn(packed), [link(sgtin(1)), link(sgtin(2)), link(sscc(5))], 'the parent comes last');
  });

  it('keeps the lot the ILMD records, under the CBV prefix or its full IRI, and the event time as captured', () => {
    const time = '2024-03-02T09:15:00.250+08:00';
    assert.equal(facts(objectEvent({ eventTime: time, ilmd: { 'cbvmda:lotNumber': 'L-7' } })).lot, 'L-7');
    assert.equal(facts(objectEvent({ ilmd: { 'https://ref.gs1.org/cbv/MDA-lotNumber': 'L-8' } })).lot, 'L-8');
    assert.equal(facts(objectEvent({ ilmd: { 'urn:epcglobal:cbv:mda#lotNumber': 'L-9' } })).lot, 'L-9');
    assert.equal(facts(objectEvent({ ilmd: { 'cbvmda:lotNumber': 42 } })).lot, undefined, 'a lot number is text');
    assert.equal(facts(objectEvent({ eventTime: time })).eventTime, time);
  });

  it('knows the places by GLN, where things are after the event, and where things in transit go', () => {
    const shipped = facts(
      objectEvent({
        bizStep: 'shipping',
        disposition: 'in_transit',
        readPoint: { id: sgln(1) },
        bizLocation: { id: sgln(0) },
        sourceList: [{ type: 'location', source: sgln(0) }, { type: 'owning_party', source: pgln() }],
        destinationList: [
          { type: 'owning_party', destination: pgln('00999') },
          { type: 'location', destination: sgln(0, '00888') },
        ],
      }),
    );
    assert.deepEqual(shipped.places, [SITE_GLN, STORE_GLN], 'each place once; a party is not a place');
    assert.equal(shipped.at, SITE_GLN);
    assert.equal(shipped.toParty, BUYER_GLN);
    assert.equal(shipped.toPlace, STORE_GLN);

    const onlyReadPoint = facts(objectEvent({ bizLocation: undefined, readPoint: { id: sgln(0, '00888') } }));
    assert.equal(onlyReadPoint.at, STORE_GLN, 'without a business location, the read point');
    assert.equal(onlyReadPoint.toParty, undefined);
  });

  it('is stored compactly and read back the same', () => {
    const t = facts(aggregationEvent({ ilmd: undefined }));
    const text = encodeTraceFacts(t);
    assert.ok(!text.includes('"epcs"') && !text.includes('"inputs"'), 'empty lists are left out');
    assert.deepEqual(decodeTraceFacts(text), t);
    const empty = decodeTraceFacts(encodeTraceFacts(facts(objectEvent({ epcList: [], readPoint: undefined, bizLocation: undefined }))));
    assert.deepEqual([empty.epcs, empty.children, empty.inputs, empty.outputs, empty.places], [[], [], [], [], []]);
    assert.throws(() => (empty.epcs as unknown[]).push('x'), TypeError, 'the shared empty list cannot be changed');
  });
});
