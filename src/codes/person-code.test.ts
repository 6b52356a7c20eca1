import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPersonCode, mod11_2CheckCharacter, parsePersonCode } from './person-code.js';

test('MOD 11-2 reproduces the 身份证 check character of the GB 11643 worked example', () => {
  // 11010519491231002X is the example number printed in GB 11643-1999.
  assert.equal(mod11_2CheckCharacter('11010519491231002'), 'X');
});

test('person codes round-trip and carry region and sequence', () => {
  const code = formatPersonCode('330102', 42);
  assert.equal(code.length, 18);
  assert.match(code, /^ZP330102000000042[0-9X]$/);
  const parsed = parsePersonCode(code.toLowerCase());
  assert.deepEqual(parsed, { ok: true, value: { code, regionCode: '330102', sequence: 42 } });
});

test('a changed digit breaks the check character', () => {
  const code = formatPersonCode('110105', 7);
  const tampered = code.slice(0, 10) + ((Number(code[10]) + 1) % 10) + code.slice(11);
  const parsed = parsePersonCode(tampered);
  assert.equal(parsed.ok, false);
  assert.match(!parsed.ok ? parsed.reason : '', /check character should be/);
});

test('malformed person codes are rejected with the layout in the reason', () => {
  for (const bad of ['', 'ZP33010200000004', '9P3301020000000421', 'ZP33010A000000042X']) {
    const parsed = parsePersonCode(bad);
    assert.equal(parsed.ok, false, bad);
  }
  assert.throws(() => formatPersonCode('33010', 1), RangeError);
  assert.throws(() => formatPersonCode('330102', 0), RangeError);
});
