import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mintPlatformCode, mod37_36CheckCharacter, platformCodeScheme, PLATFORM_CODE_LENGTH } from './platform-code.js';

const read = (text: string) => platformCodeScheme.parse(text);
const reason = (text: string) => {
  const result = read(text);
  assert.equal(result.ok, false, `${text} was accepted`);
  return result.ok ? '' : result.reason;
};

describe('the platform 追溯码', () => {
  test('ISO 7064 MOD 37,36 gives the standard example its check character', () => {
    // The worked example of ISO 7064 for the hybrid MOD 37,36 system.
    assert.equal(mod37_36CheckCharacter('A12425GABC1234002'), 'M');
  });

  test('minted codes have the region, 12 random Crockford characters and a valid check character', () => {
    const codes = new Set(Array.from({ length: 2_000 }, () => mintPlatformCode('330106')));
    assert.equal(codes.size, 2_000);
    for (const code of codes) {
      assert.equal(code.length, PLATFORM_CODE_LENGTH);
      assert.match(code, /^330106[0-9A-HJKMNP-TV-Z]{12}[0-9A-Z]$/);
      const result = read(code);
      assert.ok(result.ok);
      assert.equal(result.value.fields.region, '330106');
      assert.equal(result.value.fields.regionName !== '', true);
    }
    assert.throws(() => mintPlatformCode('999999'), /not a GB\/T 2260 region code/);
  });

  test('every character of the random part is drawn', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i += 1) for (const c of mintPlatformCode('110105').slice(6, 18)) seen.add(c);
    assert.equal(seen.size, 32);
  });

  test('lower case reads as upper case; the page URL and the event URI read alike', () => {
    const code = mintPlatformCode('440305');
    for (const form of [code.toLowerCase(), `https://trace.example.cn/c/${code}`, `http://localhost:8080/c/${code}/`, `urn:zhuisu:platform-code:${code}`]) {
      const result = read(form);
      assert.ok(result.ok, form);
      assert.equal(result.value.canonical, code);
    }
  });

  test('wrong length, wrong characters, an unknown region and a wrong check character are refused with the rule', () => {
    const code = mintPlatformCode('330106');
    assert.match(reason(`https://x.cn/c/${code}0`), /has 19 characters; this has 20/);
    assert.match(reason(`${code.slice(0, 6)}I${code.slice(7)}`), /Crockford base 32/);
    const otherRegion = `999999${code.slice(6, 18)}`;
    assert.match(reason(otherRegion + mod37_36CheckCharacter(otherRegion)), /not a GB\/T 2260 region code/);
    const wrong = code.slice(0, 18) + (code[18] === '0' ? '1' : '0');
    assert.match(reason(wrong), new RegExp(`check character is ${wrong[18]}; ISO 7064 MOD 37,36 gives ${code[18]}`));
    // Adjacent transposition in the random part is caught by the check character.
    const swapped = code.slice(0, 8) + code[9] + code[8] + code.slice(10);
    if (code[8] !== code[9]) assert.equal(read(swapped).ok, false);
    const other = read('12345');
    assert.equal(other.ok, false);
    assert.equal(!other.ok && other.near, false, 'a short string is not taken as meant for this scheme');
  });
});
