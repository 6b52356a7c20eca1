import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BIZ_STEPS,
  BIZ_TRANSACTION_TYPES,
  COMPONENTS,
  DISPOSITIONS,
  ERROR_REASONS,
  SENSOR_ALERT_TYPES,
  SENSOR_MEASUREMENT_TYPES,
  SOURCE_DESTINATION_TYPES,
  normaliseBizStep,
  normaliseBizTransactionType,
  normaliseComponent,
  normaliseDisposition,
  normaliseErrorReason,
  normaliseSensorAlertType,
  normaliseSensorMeasurementType,
  normaliseSourceDestinationType,
} from './cbv.js';

describe('CBV 2.0 vocabularies', () => {
  it('hold the CBV 2.0 lists in full', () => {
    // Sizes of the CBV 2.0 code lists; a miscount means a value was lost or invented.
    assert.equal(BIZ_STEPS.length, 41);
    assert.equal(DISPOSITIONS.length, 33);
    assert.equal(BIZ_TRANSACTION_TYPES.length, 13);
    assert.equal(SOURCE_DESTINATION_TYPES.length, 3);
    assert.equal(ERROR_REASONS.length, 2);
    assert.equal(SENSOR_MEASUREMENT_TYPES.length, 72);
    assert.equal(SENSOR_ALERT_TYPES.length, 2);
    assert.equal(COMPONENTS.length, 14);
    for (const list of [BIZ_STEPS, DISPOSITIONS, BIZ_TRANSACTION_TYPES, SENSOR_MEASUREMENT_TYPES, COMPONENTS]) {
      assert.equal(new Set(list).size, list.length, 'no duplicates');
    }
    for (const step of ['accepting', 'arriving', 'commissioning', 'shipping', 'receiving', 'retail_selling']) {
      assert.ok((BIZ_STEPS as readonly string[]).includes(step), step);
    }
  });
});

describe('normaliseBizStep', () => {
  it('accepts the bare word, the URN, the Web URI and its CURIE, all as the bare word', () => {
    for (const input of [
      'shipping',
      'urn:epcglobal:cbv:bizstep:shipping',
      'https://ref.gs1.org/cbv/BizStep-shipping',
      'cbv:BizStep-shipping',
    ]) {
      assert.deepEqual(normaliseBizStep(input), { ok: true, canonical: 'shipping', isCbv: true }, input);
    }
  });

  it('keeps a non-CBV URI exactly as written', () => {
    for (const input of ['https://example.com/bizStep/summarising', 'ext1:summarising_discharge', 'urn:example:step:x']) {
      assert.deepEqual(normaliseBizStep(input), { ok: true, canonical: input, isCbv: false });
    }
  });

  it('rejects a bare word that is not a CBV value: a non-CBV bizStep must be a URI', () => {
    const result = normaliseBizStep('transforming');
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error : '', /'transforming' is not a CBV bizStep; a non-CBV bizStep must be a URI/);
  });

  it('rejects values invented inside the CBV namespace', () => {
    for (const input of [
      'urn:epcglobal:cbv:bizstep:transforming',
      'https://ref.gs1.org/cbv/BizStep-transforming',
      'cbv:BizStep-transforming',
    ]) {
      const result = normaliseBizStep(input);
      assert.equal(result.ok, false, input);
      assert.match(!result.ok ? result.error : '', /is not a CBV 2\.0 bizStep/);
    }
  });

  it('is case-sensitive and rejects non-strings', () => {
    assert.equal(normaliseBizStep('Shipping').ok, false);
    assert.equal(normaliseBizStep(42).ok, false);
    assert.equal(normaliseBizStep('').ok, false);
  });

  it('is not fooled by Object.prototype names', () => {
    assert.equal(normaliseBizStep('constructor').ok, false);
    assert.equal(normaliseSensorMeasurementType('__proto__').ok, false);
  });
});

describe('normaliseDisposition', () => {
  it('accepts the three spellings of a CBV disposition', () => {
    for (const input of ['in_transit', 'urn:epcglobal:cbv:disp:in_transit', 'https://ref.gs1.org/cbv/Disp-in_transit']) {
      assert.deepEqual(normaliseDisposition(input), { ok: true, canonical: 'in_transit', isCbv: true });
    }
  });

  it('rejects a bare non-CBV word and accepts a non-CBV URI', () => {
    const bad = normaliseDisposition('in_transport');
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.error : '', /a non-CBV disposition must be a URI/);
    assert.deepEqual(normaliseDisposition('https://example.com/disp/quarantined'), {
      ok: true,
      canonical: 'https://example.com/disp/quarantined',
      isCbv: false,
    });
  });
});

describe('the other CBV helpers', () => {
  it('normalise business transaction types, source/destination types and error reasons', () => {
    assert.deepEqual(normaliseBizTransactionType('urn:epcglobal:cbv:btt:po'), { ok: true, canonical: 'po', isCbv: true });
    assert.deepEqual(normaliseBizTransactionType('https://ref.gs1.org/cbv/BTT-desadv'), {
      ok: true,
      canonical: 'desadv',
      isCbv: true,
    });
    assert.equal(normaliseBizTransactionType('purchase_order').ok, false);
    assert.deepEqual(normaliseSourceDestinationType('urn:epcglobal:cbv:sdt:owning_party'), {
      ok: true,
      canonical: 'owning_party',
      isCbv: true,
    });
    assert.equal(normaliseSourceDestinationType('place').ok, false);
    assert.deepEqual(normaliseErrorReason('https://ref.gs1.org/cbv/ER-did_not_occur'), {
      ok: true,
      canonical: 'did_not_occur',
      isCbv: true,
    });
  });

  it('normalise sensor measurement types from the GS1 Web Vocabulary', () => {
    for (const input of ['Temperature', 'gs1:Temperature', 'https://gs1.org/voc/Temperature']) {
      assert.deepEqual(normaliseSensorMeasurementType(input), { ok: true, canonical: 'Temperature', isCbv: true });
    }
    // The drafts' name for radioactivity still appears in documents.
    assert.deepEqual(normaliseSensorMeasurementType('Activity'), { ok: true, canonical: 'Radioactivity', isCbv: true });
    // The Web Vocabulary grows faster than the CBV: an unknown gs1: term is a URI, not an error.
    assert.deepEqual(normaliseSensorMeasurementType('gs1:Turbidity'), {
      ok: true,
      canonical: 'gs1:Turbidity',
      isCbv: false,
    });
    assert.equal(normaliseSensorMeasurementType('EffectiveDoseRate').ok, false);
  });

  it('normalise sensor alert types and components', () => {
    assert.deepEqual(normaliseSensorAlertType('gs1:ALARM_CONDITION'), {
      ok: true,
      canonical: 'ALARM_CONDITION',
      isCbv: true,
    });
    assert.equal(normaliseSensorAlertType('ALARM').ok, false);
    assert.deepEqual(normaliseComponent('cbv:Comp-northing'), { ok: true, canonical: 'northing', isCbv: true });
    assert.deepEqual(normaliseComponent('example:x'), { ok: true, canonical: 'example:x', isCbv: false });
    assert.equal(normaliseComponent('w').ok, false);
  });
});
