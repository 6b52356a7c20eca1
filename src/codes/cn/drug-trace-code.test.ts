import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRefuses } from '../../../test/support/assertions.js';
import type { CodeScheme } from '../scheme.js';
import { drugStandardCodeCheckDigit, drugStandardCodeScheme, msfxDrugCodeScheme, nmpaDrugCodeScheme } from './drug-trace-code.js';

function accepts(scheme: CodeScheme, text: string) {
  const result = scheme.parse(text);
  assert.ok(result.ok, `${scheme.id} should accept ${JSON.stringify(text)}: ${result.ok ? '' : result.reason}`);
  return result.value;
}

/** A 码上放心 code from its parts; the check part is opaque, so any 4 digits do. */
const msfx = (product = '8123456', serial = '000000042', check = '1234') => product + serial + check;

/** A 药品本位码 from company and product numbers, with its check digit computed. */
function standardCode(company: number, product: number): string {
  const first13 = `869${String(company).padStart(5, '0')}${String(product).padStart(5, '0')}`;
  return first13 + drugStandardCodeCheckDigit(first13);
}

/** Replaces the character at 1-based `position`. */
const withAt = (text: string, position: number, char: string) => text.slice(0, position - 1) + char + text.slice(position);

describe('码上放心 (msfx-drug-code)', () => {
  it('reads 20 digits starting with 8 into product, serial and check', () => {
    const value = accepts(msfxDrugCodeScheme, msfx());
    assert.equal(value.canonical, msfx());
    assert.equal(value.target, 'item');
    assert.deepEqual(value.fields, { productCode: '8123456', serial: '000000042', checkCode: '1234' });
    assert.match(value.notes!.join(' '), /algorithm is not published/);
  });

  it('rejects a wrong length, a letter and a wrong first digit, naming the rule', () => {
    assertRefuses(msfxDrugCodeScheme, msfx().slice(0, 19), /20 digits; got 19/);
    assertRefuses(msfxDrugCodeScheme, `${msfx()}0`, /20 digits; got 21/);
    assertRefuses(msfxDrugCodeScheme, withAt(msfx(), 12, 'A'), /position 12 is 'A'; a 码上放心 code has digits only/);
    assertRefuses(msfxDrugCodeScheme, withAt(msfx(), 1, '9'), /position 1 is '9'; a 码上放心 code starts with 8/);
    assertRefuses(msfxDrugCodeScheme, '12345', /20 digits starting with 8/, false);
  });
});

describe('药品追溯码 (nmpa-drug-code)', () => {
  it('reads any 20 characters of GB/T 1988 table 2, keeping case', () => {
    const code = 'Ab12345' + 'xY-09.(8)/_?:';
    assert.equal(code.length, 20);
    const value = accepts(nmpaDrugCodeScheme, code);
    assert.equal(value.canonical, code);
    assert.deepEqual(value.fields, { drugIdentificationCode: 'Ab12345', productionIdentificationCode: 'xY-09.(8)/_?:' });
    assert.match(value.notes!.join(' '), /check character not verified/);
  });

  it('also reads a 码上放心 code, which fits option (a)', () => {
    assert.equal(accepts(nmpaDrugCodeScheme, msfx()).fields.drugIdentificationCode, '8123456');
  });

  it('rejects characters outside table 2 and wrong lengths', () => {
    assertRefuses(nmpaDrugCodeScheme, withAt(msfx(), 5, '#'), /position 5 is '#'; a 药品追溯码 uses only .*GB\/T 1988-1998 table 2/);
    assertRefuses(nmpaDrugCodeScheme, withAt(msfx(), 20, '药'), /position 20 is '药'/);
    assertRefuses(nmpaDrugCodeScheme, withAt(msfx(), 3, ' '), /position 3 is ' ' \(space\)/);
    assertRefuses(nmpaDrugCodeScheme, msfx().slice(0, 19), /20 characters; got 19 digits/);
    assertRefuses(nmpaDrugCodeScheme, 'short', /20 characters .*got 5 characters/, false);
  });
});

describe('药品本位码 (drug-standard-code)', () => {
  it('computes the check digit that published codes carry', () => {
    // Three 本位码 printed in public drug listings, each from a different company.
    for (const published of ['86900594000335', '86900483000019', '86902884000629']) {
      assert.equal(drugStandardCodeCheckDigit(published.slice(0, 13)), published[13], published);
    }
  });

  it('reads country, category, company, product and check digit', () => {
    const code = standardCode(1234, 56789);
    const value = accepts(drugStandardCodeScheme, code);
    assert.equal(value.target, 'class');
    assert.deepEqual(value.fields, {
      countryCode: '86',
      categoryCode: '9',
      companyCode: '01234',
      productCode: '56789',
      checkDigit: code[13],
    });
  });

  it('rejects a wrong check digit, category, character or length with the rule', () => {
    const code = standardCode(594, 33);
    const wrong = String((Number(code[13]) + 1) % 10);
    assertRefuses(drugStandardCodeScheme, withAt(code, 14, wrong), new RegExp(`check digit \\(position 14\\) should be '${code[13]}', got '${wrong}'`));
    assertRefuses(drugStandardCodeScheme, withAt(code, 3, '8'), /position 3 \(类别码\) is '8'; it must be 9 \(药品\)/);
    assertRefuses(drugStandardCodeScheme, withAt(code, 7, 'X'), /position 7 is 'X'; a 药品本位码 has digits only/);
    assertRefuses(drugStandardCodeScheme, code.slice(0, 13), /14 digits; got 13/);
    assertRefuses(drugStandardCodeScheme, `12${code.slice(2)}`, /starting with 86/, false);
  });

  it('throws only on misuse of the check-digit helper', () => {
    assert.throws(() => drugStandardCodeCheckDigit('123'), TypeError);
  });
});
