import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRefuses } from '../../../test/support/assertions.js';
import { gs1CheckDigit } from '../gs1/check-digit.js';
import { isRegionCode } from '../region.js';
import { CHECK_ALGORITHMS, defineTraceabilityCodeScheme } from './traceability-code.js';

/**
 * An illustrative layout, not GB/T 44583's: region (6) + category (2 capitals) + serial (4–10 digits) + GS1 check digit.
 */
const example = defineTraceabilityCodeScheme({
  id: 'example-trace-code',
  name: '示例追溯码',
  target: 'lot',
  caseInsensitive: true,
  ignoredCharacters: ' -',
  segments: [
    { name: 'regionCode', label: '区划代码', length: 6, charset: 'digits', validate: (v) => (isRegionCode(v) ? undefined : 'not a GB/T 2260 code') },
    { name: 'category', label: '品类', length: 2, charset: { chars: 'ABCDEFGH', description: 'letters A–H' } },
    { name: 'serial', label: '序号', length: { min: 4, max: 10 }, charset: 'digits' },
  ],
  check: { compute: (body) => gs1CheckDigit(body.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) % 10))) },
  notes: ['illustrative layout'],
});

/** A code of the example layout, with its check digit computed. */
function exampleCode(region = '330206', category = 'AB', serial = '000123'): string {
  const body = region + category + serial;
  return body + gs1CheckDigit(body.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) % 10)));
}

const rejects = (text: string, reason: RegExp, near?: boolean) => assertRefuses(example, text, reason, near);

describe('defineTraceabilityCodeScheme', () => {
  it('builds a scheme with a generated layout', () => {
    assert.equal(example.id, 'example-trace-code');
    assert.equal(example.layout, '13–19 characters: 区划代码 (6) + 品类 (2) + 序号 (4–10) + 校验码 (1)');
  });

  it('reads the declared segments, giving the variable one what is left', () => {
    for (const serial of ['0001', '0123456789']) {
      const code = exampleCode('330206', 'AB', serial);
      const result = example.parse(code);
      assert.ok(result.ok, result.ok ? '' : result.reason);
      assert.equal(result.value.target, 'lot');
      assert.deepEqual(result.value.fields, { regionCode: '330206', category: 'AB', serial, checkCharacters: code.slice(-1) });
      assert.deepEqual(result.value.notes, ['illustrative layout']);
    }
  });

  it('upper-cases and drops readability characters when told to', () => {
    const code = exampleCode();
    const spaced = `${code.slice(0, 6)}-${code.slice(6, 8).toLowerCase()} ${code.slice(8)}`;
    const result = example.parse(spaced);
    assert.ok(result.ok);
    assert.equal(result.value.canonical, code);
  });

  it('reports length, character set, segment rule and check failures', () => {
    const code = exampleCode();
    rejects(code.slice(0, 12), /a 示例追溯码 is 13–19 characters; got 12/);
    rejects('x', /got 1/, false);
    rejects(`${code.slice(0, 6)}AZ${code.slice(8)}`, /position 8 is 'Z'; the 品类 \(positions 7–8\) is letters A–H/);
    rejects(`${code.slice(0, 9)}X${code.slice(10)}`, /position 10 is 'X'; the 序号 \(positions 9–14\) is digits/);
    rejects(exampleCode('990000'), /the 区划代码 \(positions 1–6\) 990000: not a GB\/T 2260 code/);
    const wrong = String((Number(code.slice(-1)) + 1) % 10);
    rejects(code.slice(0, -1) + wrong, new RegExp(`校验码 \\(position 15\\) should be '${code.slice(-1)}', got '${wrong}'`));
  });

  it('turns exceptions in rules and checks into near misses instead of throwing', () => {
    const throwing = defineTraceabilityCodeScheme({
      segments: [{ name: 'body', length: 17, charset: 'upper-alphanumeric', validate: () => { throw new Error('boom'); } }],
    });
    const result = throwing.parse('1'.repeat(17));
    assert.ok(!result.ok && /its rule failed: boom/.test(result.reason));
    const badCheck = defineTraceabilityCodeScheme({
      segments: [{ name: 'body', length: 17, charset: 'upper-alphanumeric' }],
      check: { compute: CHECK_ALGORITHMS.gb32100 },
    });
    // I is outside the GB 32100 alphabet, so its check computation throws.
    const failed = badCheck.parse(`${'I'.repeat(17)}0`);
    assert.ok(!failed.ok && /校验码 cannot be computed/.test(failed.reason));
  });

  it('offers the national check algorithms', () => {
    const usccLike = defineTraceabilityCodeScheme({
      id: 'uscc-like',
      segments: [{ name: 'body', length: 17, charset: { chars: '0123456789ABCDEFGHJKLMNPQRTUWXY', description: 'GB 32100 characters' } }],
      check: { compute: CHECK_ALGORITHMS.gb32100 },
    });
    const body = '91330212MA2AB3C4X';
    assert.ok(usccLike.parse(body + CHECK_ALGORITHMS.gb32100(body)).ok);
    assert.equal(CHECK_ALGORITHMS.iso7064Mod11_2('11010519491231002'), 'X');
    assert.equal(CHECK_ALGORITHMS.gs1Mod10('950600013435'), '2');
  });

  it('refuses unusable declarations when they are made', () => {
    assert.throws(() => defineTraceabilityCodeScheme({ segments: [] }), RangeError);
    assert.throws(() => defineTraceabilityCodeScheme({ id: 'Bad Id', segments: [{ name: 'a', length: 1, charset: 'digits' }] }), RangeError);
    assert.throws(
      () => defineTraceabilityCodeScheme({ segments: [{ name: 'a', length: 1, charset: 'digits' }, { name: 'a', length: 1, charset: 'digits' }] }),
      /used twice/,
    );
    assert.throws(
      () =>
        defineTraceabilityCodeScheme({
          segments: [
            { name: 'a', length: { min: 1, max: 2 }, charset: 'digits' },
            { name: 'b', length: { min: 1, max: 2 }, charset: 'digits' },
          ],
        }),
      /only one segment may have a variable length/,
    );
    assert.throws(() => defineTraceabilityCodeScheme({ segments: [{ name: 'a', length: 0, charset: 'digits' }] }), /positive integer/);
    assert.throws(() => defineTraceabilityCodeScheme({ segments: [{ name: 'a', length: 1, charset: { chars: '', description: '' } }] }), /character set/);
  });
});
