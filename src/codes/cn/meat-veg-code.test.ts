import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRefuses } from '../../../test/support/assertions.js';
import { meatVegCodeScheme } from './meat-veg-code.js';

/** 宁波市北仑区: a county code in the table. */
const REGION = '330206';
const node = (number = 333) => REGION + String(number).padStart(3, '0');
const operator = (sequence = 1) => node() + String(sequence).padStart(4, '0');
const traceCode = (length: 16 | 20, sequence = 998) => REGION + String(sequence).padStart(length - 6, '0');

function read(text: string) {
  const result = meatVegCodeScheme.parse(text);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  assert.match(result.value.notes!.join(' '), /observed in deployed/);
  return result.value;
}

const rejects = (text: string, reason: RegExp, near?: boolean) => assertRefuses(meatVegCodeScheme, text, reason, near);

describe('肉菜流通追溯码 (meat-veg-code)', () => {
  it('reads a node code as a location in its region', () => {
    const value = read(node());
    assert.equal(value.target, 'location');
    assert.deepEqual(value.fields, { kind: 'node', regionCode: REGION, regionName: '北仑区', nodeCode: node(), nodeNumber: '333' });
  });

  it('reads an operator code as a subject within its node', () => {
    const value = read(operator(12));
    assert.equal(value.target, 'subject');
    assert.equal(value.fields.nodeCode, node());
    assert.equal(value.fields.operatorNumber, '0012');
  });

  it('reads 16- and 20-digit 追溯码 as documents', () => {
    for (const length of [16, 20] as const) {
      const value = read(traceCode(length));
      assert.equal(value.target, 'document');
      assert.equal(value.fields.kind, 'traceability');
      assert.equal(value.fields.sequence?.length, length - 6);
    }
  });

  it('reads an 8-digit 商品码 of goods sections 0–4', () => {
    const value = read(['2', '1113', '011'].join(''));
    assert.equal(value.target, 'class');
    assert.deepEqual(value.fields, { kind: 'commodity', commodityCode: '21113011' });
    rejects('71113011', /position 1 of an 8-digit 商品码 is 7; GB\/T 7635.1 codes of goods start with 0–4/);
  });

  it('rejects a prefix that is not a region in the table', () => {
    rejects(`990000${'1'.repeat(3)}`, /positions 1–6 \(990000\) of a 9-digit 节点编码 must be a GB\/T 2260 region code/);
    rejects(`110103${'0'.repeat(7)}`, /positions 1–6 \(110103\) of a 13-digit 经营者编码/); // 崇文区, merged in 2010
    rejects(`123456${'0'.repeat(14)}`, /of a 20-digit 追溯码/);
  });

  it('leaves other lengths and non-digits to other schemes', () => {
    rejects(node().slice(0, 7), /got 7 digits/, false);
    rejects(`${node()}A`, /肉菜流通追溯 codes are digits/, false);
    rejects('1'.repeat(21), /got 21 digits/, false);
  });
});
