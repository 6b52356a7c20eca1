import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CSET39,
  CSET82,
  checkQualifierSequence,
  getApplicationIdentifier,
  isDigitalLinkPrimaryKey,
  isKeyQualifierOf,
  listApplicationIdentifiers,
  orderQualifiers,
  validateAiValue,
} from './application-identifiers.js';

const reasonOf = (result: { ok: boolean; reason?: string }) => (result.ok ? undefined : result.reason);

describe('AI table', () => {
  it('has the character sets of the General Specifications', () => {
    assert.equal(CSET82.length, 82);
    assert.equal(new Set(CSET82).size, 82);
    assert.equal(CSET39.length, 39);
  });

  it('knows the keys, qualifiers and attributes the event store needs', () => {
    const needed = ['00', '01', '10', '11', '13', '15', '16', '17', '21', '22', '235', '253', '254', '255', '401', '402',
      '414', '417', '7010', '8003', '8004', '8006', '8010', '8011', '8017', '8018', '8019', '8020', '3103', '3922'];
    for (const ai of needed) assert.ok(getApplicationIdentifier(ai), `AI (${ai}) missing`);
  });

  it('records formats and lengths', () => {
    const gdti = getApplicationIdentifier('253')!;
    assert.equal(gdti.format, 'N13,csum [X..17]');
    assert.equal(gdti.minLength, 13);
    assert.equal(gdti.maxLength, 30);
    assert.equal(getApplicationIdentifier('01')!.maxLength, 14);
    assert.equal(getApplicationIdentifier('10')!.components[0]!.charset, 'X');
    assert.equal(getApplicationIdentifier('8010')!.components[0]!.charset, 'Y');
  });

  it('marks predefined-length AIs, which need no FNC1 separator', () => {
    for (const ai of ['00', '01', '11', '17', '3103', '414']) assert.ok(getApplicationIdentifier(ai)!.predefinedLength, ai);
    for (const ai of ['10', '21', '253', '8003', '3922']) assert.equal(getApplicationIdentifier(ai)!.predefinedLength, false, ai);
  });

  it('reads the decimal places of measure AIs from their last digit', () => {
    assert.equal(getApplicationIdentifier('3103')!.decimalPlaces, 3);
    assert.equal(getApplicationIdentifier('3922')!.decimalPlaces, 2);
    assert.equal(getApplicationIdentifier('3106'), undefined, 'net weight allows at most 5 decimal places');
  });

  it('lists the AIs in ascending order', () => {
    const ais = listApplicationIdentifiers().map((d) => d.ai);
    assert.deepEqual(ais, [...ais].sort());
  });
});

describe('validateAiValue', () => {
  it('accepts valid values', () => {
    for (const [ai, value] of [
      ['01', '09506000134352'],
      ['00', '106141412345678908'],
      ['10', 'ABC-123/x'],
      ['21', '6789/&%"!?()'],
      ['253', '4012345000092'],
      ['253', '4012345000092PO-4711'],
      ['8003', '04012345000221334455'],
      ['8006', '040123451111180102'],
      ['8010', '061414111111111111111-A#/'],
      ['8011', '0'],
      ['8013', '1987654Ad4X4bL5ttr2310c2K'],
      ['17', '261231'],
      ['15', '260200'],
      ['11', '240229'],
      ['7003', '2612312359'],
      ['3103', '001250'],
      ['7010', 'MX'],
    ] as const) {
      assert.deepEqual(validateAiValue(ai, value), { ok: true, value }, `(${ai}) ${value}`);
    }
  });

  it('rejects a wrong check digit and says which AI', () => {
    assert.match(reasonOf(validateAiValue('01', '09506000134353'))!, /AI \(01\): check digit/);
    assert.match(reasonOf(validateAiValue('253', '4012345000093ABC'))!, /AI \(253\): check digit/);
    assert.match(reasonOf(validateAiValue('8006', '040123451111190102'))!, /check digit/);
  });

  it('rejects wrong lengths', () => {
    assert.match(reasonOf(validateAiValue('01', '9506000134352'))!, /length 13, expected 14/);
    assert.match(reasonOf(validateAiValue('10', 'A'.repeat(21)))!, /length 21, expected 1–20/);
    assert.match(reasonOf(validateAiValue('21', ''))!, /length 0/);
  });

  it('rejects characters outside the AI character set', () => {
    assert.match(reasonOf(validateAiValue('21', 'AB C'))!, /character set 82/);
    assert.match(reasonOf(validateAiValue('21', 'AB#C'))!, /character set 82/);
    assert.match(reasonOf(validateAiValue('21', '批次'))!, /character set 82/);
    assert.match(reasonOf(validateAiValue('8010', 'abc'))!, /character set 39/);
    assert.match(reasonOf(validateAiValue('00', '10614141234567890X'))!, /only digits/);
  });

  it('checks dates, with day 00 only where the AI allows it', () => {
    assert.match(reasonOf(validateAiValue('17', '261331'))!, /month 13/);
    assert.match(reasonOf(validateAiValue('17', '260230'))!, /not a valid date/);
    assert.match(reasonOf(validateAiValue('11', '230229'))!, /not a valid date/);
    assert.match(reasonOf(validateAiValue('7006', '260100'))!, /not a valid date/);
    assert.match(reasonOf(validateAiValue('7003', '2612312460'))!, /not a valid time/);
  });

  it('applies the component rules of ITIP, GRAI, CPID serial and GMN', () => {
    assert.match(reasonOf(validateAiValue('8006', '040123451111180302'))!, /piece 3 of total 2/);
    assert.match(reasonOf(validateAiValue('8003', '14012345000221334455'))!, /filler digit must be 0/);
    assert.match(reasonOf(validateAiValue('8011', '0123'))!, /must not start with 0/);
    assert.match(reasonOf(validateAiValue('8013', '1987654Ad4X4bL5ttr2310c2L'))!, /check character pair/);
  });

  it('can check only the shape, to tell a broken key from something else', () => {
    assert.ok(validateAiValue('01', '09506000134353', { shapeOnly: true }).ok);
    assert.equal(validateAiValue('01', '0950600013435', { shapeOnly: true }).ok, false);
  });

  it('rejects unknown AIs', () => {
    assert.match(reasonOf(validateAiValue('99999', 'x'))!, /unknown/);
    assert.match(reasonOf(validateAiValue('2', 'x'))!, /unknown/);
  });
});

describe('Digital Link key qualifiers', () => {
  it('knows which AIs are primary keys', () => {
    for (const ai of ['00', '01', '253', '255', '401', '402', '414', '417', '8003', '8004', '8006', '8010', '8013', '8017', '8018']) {
      assert.ok(isDigitalLinkPrimaryKey(ai), ai);
    }
    for (const ai of ['10', '21', '22', '254', '17', '410']) assert.equal(isDigitalLinkPrimaryKey(ai), false, ai);
  });

  it('knows which qualifiers belong to which key', () => {
    assert.ok(isKeyQualifierOf('01', '22'));
    assert.ok(isKeyQualifierOf('01', '235'));
    assert.ok(isKeyQualifierOf('414', '254'));
    assert.ok(isKeyQualifierOf('8006', '21'));
    assert.ok(isKeyQualifierOf('8010', '8011'));
    assert.ok(isKeyQualifierOf('8018', '8019'));
    assert.ok(isKeyQualifierOf('8017', '8019'));
    assert.equal(isKeyQualifierOf('01', '254'), false);
    assert.equal(isKeyQualifierOf('00', '21'), false);
    assert.equal(isKeyQualifierOf('8006', '235'), false);
  });

  it('accepts any subset of a qualifier sequence in its order', () => {
    for (const qualifiers of [[], ['22'], ['10'], ['21'], ['22', '10'], ['10', '21'], ['22', '21'], ['22', '10', '21'], ['235']]) {
      assert.ok(checkQualifierSequence('01', qualifiers).ok, qualifiers.join(','));
    }
    assert.ok(checkQualifierSequence('414', ['254']).ok);
    assert.ok(checkQualifierSequence('8006', ['22', '10', '21']).ok);
  });

  it('rejects qualifiers out of order, repeated, combined across sequences or foreign', () => {
    assert.match(reasonOf(checkQualifierSequence('01', ['21', '10']))!, /order \(22\)\(10\)\(21\)/);
    assert.match(reasonOf(checkQualifierSequence('01', ['10', '10']))!, /twice/);
    assert.match(reasonOf(checkQualifierSequence('01', ['10', '235']))!, /cannot be combined/);
    assert.match(reasonOf(checkQualifierSequence('414', ['254', '7040']))!, /cannot be combined/);
    assert.match(reasonOf(checkQualifierSequence('00', ['21']))!, /takes no qualifiers/);
    assert.match(reasonOf(checkQualifierSequence('01', ['254']))!, /not a key qualifier of \(01\); allowed: 22,10,21 or 235/);
    assert.match(reasonOf(checkQualifierSequence('10', []))!, /not a GS1 Digital Link primary key/);
  });

  it('orders qualifiers as the standard prescribes', () => {
    const ordered = orderQualifiers('01', [{ ai: '21', value: 's' }, { ai: '22', value: 'c' }, { ai: '10', value: 'l' }]);
    assert.deepEqual(ordered.map((q) => q.ai), ['22', '10', '21']);
  });
});
