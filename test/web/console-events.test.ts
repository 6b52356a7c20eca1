import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { prepareDocument } from '../../src/capture/prepare.js';
import { completeness, profileFor } from '../../src/evaluation/scoring.js';
import { buildEvent, captureDocument, isGln, profileElements, STEP_TERMS, STEPS, type EventInput, type GoodsLine } from '../../src/web/client/console/epcis-document.js';
import { buildGln, buildGtin } from '../builders/master-data.js';

/**
 * The console's event forms: what they build is valid EPCIS 2.0, and the data elements they list as required are
 * the ones the evaluation's completeness measure counts (the form mirrors src/evaluation/scoring.ts; this keeps the
 * two from drifting apart).
 */
const gtin = `0${buildGtin()}`;
const item: GoodsLine = { identifier: `https://id.gs1.org/01/${gtin}/21/A1B2C3`, kind: 'instance', quantity: 1, uom: 'EA' };
const lot: GoodsLine = { identifier: `https://id.gs1.org/01/${gtin}/10/L2611`, kind: 'quantity', quantity: 12.5, uom: 'KGM' };
const product: GoodsLine = { identifier: `https://id.gs1.org/01/${gtin}`, kind: 'quantity', quantity: 3, uom: 'EA' };

function variants(): { name: string; input: EventInput }[] {
  const base = { eventTime: new Date('2026-11-23T08:30:00Z'), place: buildGln() };
  const out: { name: string; input: EventInput }[] = [];
  for (const step of STEPS) {
    out.push({ name: `${step} of an item`, input: { ...base, step, partner: buildGln(), goods: [item], outputs: [lot] } });
    out.push({ name: `${step} of a lot, no partner`, input: { ...base, step, goods: [lot], outputs: [product] } });
    out.push({ name: `${step} with lot and expiry`, input: { ...base, step, partner: buildGln(), goods: [product, item], outputs: [item], lot: 'L2612', expiry: '2027-01-31', disposition: 'non_conformant' } });
  }
  return out;
}

describe('the console event forms', () => {
  test('every form builds an EPCIS 2.0 document that capture accepts', () => {
    for (const { name, input } of variants()) {
      const prepared = prepareDocument(captureDocument(buildEvent(input)));
      assert.equal(prepared.ok, true, `${name}: ${JSON.stringify(prepared)}`);
    }
  });

  test('the steps use their CBV terms; inspection carries its result; a shipment has no business location', () => {
    const ship = buildEvent({ step: 'ship', eventTime: new Date(), place: '6901234567892', partner: '6901234000001', goods: [item] });
    assert.equal(ship.bizStep, STEP_TERMS.ship.bizStep);
    assert.equal(ship.bizLocation, undefined);
    assert.deepEqual(ship.destinationList, [{ type: 'location', destination: 'https://id.gs1.org/414/6901234000001' }]);
    const inspect = buildEvent({ step: 'inspect', eventTime: new Date(), place: '6901234567892', disposition: 'non_conformant', goods: [lot] });
    assert.equal(inspect.disposition, 'non_conformant');
    assert.deepEqual(inspect.quantityList, [{ epcClass: lot.identifier, quantity: 12.5, uom: 'KGM' }]);
  });

  test('the required elements listed are those the evaluation counts, for the default and the drug profile', () => {
    for (const productClass of [null, 'food', 'drug']) {
      for (const { name, input } of variants()) {
        const event = buildEvent(input);
        const facts = { eventType: String(event.type), bizStep: STEP_TERMS[input.step].bizStep, productClass, body: event };
        const listed = profileElements(event, productClass);
        const applicable = profileFor(productClass).elements.filter((e) => e.appliesTo(facts)).map((e) => e.element);
        assert.deepEqual(listed.elements.map((e) => e.element).sort(), applicable.sort(), `${name} (${productClass})`);
        const missing = Object.keys(completeness([facts]).missing).sort();
        assert.deepEqual(listed.elements.filter((e) => !e.present).map((e) => e.element).sort(), missing, `${name} (${productClass})`);
        assert.equal(listed.profile, profileFor(productClass).name === 'drug' ? 'drug' : 'default');
      }
    }
  });

  test('a GLN needs 13 digits and its check digit', () => {
    const gln = buildGln();
    assert.equal(isGln(gln), true);
    assert.equal(isGln(gln.slice(0, 12) + String((Number(gln[12]) + 1) % 10)), false);
    assert.equal(isGln(gln.slice(1)), false);
  });
});
