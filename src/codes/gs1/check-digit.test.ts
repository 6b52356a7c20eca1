import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  gmnCheckPair,
  gs1CheckDigit,
  hasValidCheckDigit,
  hasValidCheckDigitAt,
  hasValidGmnCheckPair,
  isValidGtin,
  toGtin14,
  withCheckDigit,
} from './check-digit.js';

describe('GS1 mod-10 check digit', () => {
  // Published keys of each length: GTIN-8, GTIN-12 (UPC-A), GTIN-13, GTIN-14, GLN, GSIN, SSCC, GSRN.
  const valid = [
    '96385074',
    '036000291452',
    '4006381333931',
    '09506000134352',
    '0614141073467',
    '40123452223334442',
    '106141412345678908',
    '401234500000067657',
  ];

  it('computes the check digit of published keys', () => {
    for (const key of valid) assert.equal(gs1CheckDigit(key.slice(0, -1)), key.slice(-1), key);
  });

  it('accepts the published keys and rejects every other final digit', () => {
    for (const key of valid) {
      assert.ok(hasValidCheckDigit(key), key);
      for (let d = 0; d <= 9; d += 1) {
        const altered = key.slice(0, -1) + d;
        if (altered !== key) assert.equal(hasValidCheckDigit(altered), false, altered);
      }
    }
  });

  it('catches a single mistyped digit and most adjacent transpositions', () => {
    assert.equal(hasValidCheckDigit('09506000134452'), false);
    assert.equal(hasValidCheckDigit('09506000143352'), false);
  });

  it('is unaffected by leading zeros, so a GTIN-13 and its GTIN-14 agree', () => {
    assert.equal(gs1CheckDigit('400638133393'), gs1CheckDigit('0400638133393'));
    // urn:epc:id:sgtin:0614141.107346.x names GTIN 10614141073464 (CBV hash vector epcisDocWithSingleEvent).
    assert.equal(withCheckDigit('1061414107346'), '10614141073464');
  });

  it('rejects non-digits and too-short input instead of guessing', () => {
    assert.equal(hasValidCheckDigit('0950600013435X'), false);
    assert.equal(hasValidCheckDigit('7'), false);
    assert.equal(hasValidCheckDigit(''), false);
    assert.throws(() => gs1CheckDigit('12a4'), TypeError);
  });

  it('reads a key in place as hasValidCheckDigit reads it sliced out', () => {
    const text = 'https://id.gs1.org/01/09506000134352/21/7X?0614141073467';
    for (let from = 0; from <= text.length + 1; from += 1) {
      for (let length = 0; from + length <= text.length + 2; length += 1) {
        const sliced = from + length <= text.length && hasValidCheckDigit(text.slice(from, from + length));
        assert.equal(hasValidCheckDigitAt(text, from, length), sliced, `${from}+${length}`);
      }
    }
  });
});

describe('GTIN helpers', () => {
  it('accepts only GTIN lengths', () => {
    assert.ok(isValidGtin('96385074'));
    assert.ok(isValidGtin('09506000134352'));
    // A valid GSIN (17 digits) is not a GTIN although its check digit is right.
    assert.equal(isValidGtin('40123452223334442'), false);
  });

  it('pads to GTIN-14', () => {
    assert.equal(toGtin14('96385074'), '00000096385074');
    assert.equal(toGtin14('036000291452'), '00036000291452');
    assert.equal(toGtin14('4006381333931'), '04006381333931');
    assert.throws(() => toGtin14('123456789'), TypeError);
  });
});

describe('GMN check character pair', () => {
  // The worked example of the GS1 General Specifications (§7.9.5).
  it('computes the pair of the published example', () => {
    assert.equal(gmnCheckPair('1987654Ad4X4bL5ttr2310c'), '2K');
    assert.ok(hasValidGmnCheckPair('1987654Ad4X4bL5ttr2310c2K'));
  });

  it('rejects a changed character or pair', () => {
    assert.equal(hasValidGmnCheckPair('1987654Ad4X4bL5ttr2310d2K'), false);
    assert.equal(hasValidGmnCheckPair('1987654Ad4X4bL5ttr2310c2L'), false);
  });

  it('refuses data outside set 82 or too long for a GMN', () => {
    assert.equal(gmnCheckPair('ABC DEF'), undefined);
    assert.equal(gmnCheckPair('1'.repeat(24)), undefined);
    assert.equal(gmnCheckPair(''), undefined);
  });
});
