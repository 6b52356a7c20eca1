import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../../test/support/random.js';
import { hasValidCheckDigit, withCheckDigit } from './gs1/check-digit.js';
import { mintPlatformCode } from './platform-code.js';
import { isDomainError } from '../domain/errors.js';
import { identifierOf, scanCode, scannedIdentifier, SCHEMES } from './registry.js';
import { MAX_SCAN_LENGTH } from './scan.js';
import { formatUscc } from './uscc.js';

const random = seededRandom(20261123);
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
const schemesOf = (text: string) => {
  const result = scanCode(text);
  return result.ok ? result.readings.map((r) => r.scheme) : [];
};

/** An all-digit 统一社会信用代码 whose last digit is also the GS1 check digit of the first 17: both readings hold. */
function usccThatIsAlsoAnSscc(): string {
  for (;;) {
    const uscc = formatUscc('91', '330106', digits(8));
    if (/^\d{18}$/.test(uscc) && hasValidCheckDigit(uscc)) return uscc;
  }
}

describe('the scanner over every scheme', () => {
  test('scheme ids are unique', () => {
    assert.equal(new Set(SCHEMES.map((s) => s.id)).size, SCHEMES.length);
  });

  test('18 digits valid as both 统一社会信用代码 and SSCC read as both, the USCC first', () => {
    const text = usccThatIsAlsoAnSscc();
    const schemes = schemesOf(text);
    assert.ok(schemes.indexOf('uscc') >= 0 && schemes.indexOf('sscc') > schemes.indexOf('uscc'), schemes.join(','));
  });

  test('18 digits valid as an SSCC and a 特种设备代码 read as both, the SSCC first', () => {
    for (;;) {
      // 3110 曳引驱动乘客电梯, made under licensing authority 33 (浙江), in 2019.
      const text = withCheckDigit(`311033${digits(3)}2019${digits(4)}`);
      const schemes = schemesOf(text);
      if (schemes.includes('uscc')) continue;
      assert.deepEqual(schemes.filter((s) => s === 'sscc' || s === 'special-equipment-code'), ['sscc', 'special-equipment-code']);
      return;
    }
  });

  test('an SSCC that fails the USCC checks reads as an SSCC only among the checked schemes', () => {
    for (;;) {
      const sscc = withCheckDigit(`0${digits(16)}`);
      const schemes = schemesOf(sscc);
      if (schemes.includes('uscc')) continue;
      assert.equal(schemes[0], 'sscc');
      return;
    }
  });

  test('13 digits with a valid check digit read as a GTIN before a GLN', () => {
    const schemes = schemesOf(withCheckDigit(`690${digits(9)}`));
    assert.ok(schemes.indexOf('gtin') >= 0 && schemes.indexOf('gln') > schemes.indexOf('gtin'), schemes.join(','));
  });

  test('a 药品本位码 reads as one before it reads as a GTIN-14', () => {
    const code = withCheckDigit(`869${digits(10)}`);
    const schemes = schemesOf(code);
    assert.ok(schemes.indexOf('drug-standard-code') >= 0 && schemes.indexOf('gtin') > schemes.indexOf('drug-standard-code'), schemes.join(','));
  });

  test('asked for the first reading only, the scanner gives the one a full scan puts first, and the same reason when none reads', () => {
    const texts = [usccThatIsAlsoAnSscc(), withCheckDigit(`690${digits(9)}`), withCheckDigit(`869${digits(10)}`), `https://id.gs1.org/01/${withCheckDigit(`0690123${digits(6)}`)}/21/A${digits(4)}`, '330106'];
    for (const text of texts) {
      const full = scanCode(text);
      const first = scanCode(text, undefined, { first: true });
      assert.ok(full.ok && first.ok, text);
      assert.ok(full.readings.length >= 1);
      assert.deepEqual(first.readings, [full.readings[0]], text);
    }
    for (const text of [withCheckDigit(`690${digits(9)}`).slice(0, 12) + '0', 'not a code']) {
      assert.deepEqual(scanCode(text, undefined, { first: true }), scanCode(text), text);
    }
  });

  test('a code given in a request names its identifier, or an invalid error at its pointer', () => {
    const gtin = withCheckDigit(`690${digits(9)}`);
    const full = scanCode(gtin);
    assert.ok(full.ok);
    assert.equal(scannedIdentifier(gtin, '/code'), identifierOf(full.readings[0]!));
    assert.throws(
      () => scannedIdentifier('not a code', '/codes/3'),
      (e: unknown) => isDomainError(e) && e.kind === 'invalid' && e.details[0]?.pointer === '/codes/3',
    );
  });

  test('the same item read from a Digital Link, an EPC URN, an element string and a GS1 QR payload has one identifier', () => {
    const prefix = '6901234';
    const itemReference = digits(5);
    const gtin = withCheckDigit(`0${prefix}${itemReference}`);
    const serial = `S${digits(6)}`;
    const forms = [
      `https://brand.example.cn/shop/01/${gtin}/21/${serial}`,
      `urn:epc:id:sgtin:${prefix}.0${itemReference}.${serial}`,
      `(01)${gtin}(21)${serial}`,
      `]d201${gtin}21${serial}`,
      `]Q301${gtin}21${serial}\u001d17281130`,
    ];
    const identifiers = forms.map((form) => {
      const result = scanCode(form);
      assert.ok(result.ok, `${form}: ${result.ok ? '' : result.reason}`);
      return identifierOf(result.readings[0]!);
    });
    assert.deepEqual(new Set(identifiers), new Set([`https://id.gs1.org/01/${gtin}/21/${serial}`]));
  });

  test('a platform code reads from its bare form, its page URL and its event URI alike', () => {
    const code = mintPlatformCode('330106');
    for (const form of [code, code.toLowerCase(), `https://trace.example.cn/c/${code}`, `urn:zhuisu:platform-code:${code}`]) {
      const result = scanCode(form);
      assert.ok(result.ok, form);
      assert.equal(result.readings[0]!.scheme, 'platform-code');
      assert.equal(identifierOf(result.readings[0]!), `urn:zhuisu:platform-code:${code}`);
    }
  });

  test('a scanner\'s trailing line break and surrounding spaces are not part of the code', () => {
    const gtin = withCheckDigit(`690${digits(9)}`);
    assert.equal(schemesOf(` ${gtin}\r\n`)[0], 'gtin');
  });

  test('unreadable text gets a reason: the near misses when it has a scheme\'s shape, the shape otherwise', () => {
    const wrongCheck = withCheckDigit(`690${digits(9)}`).replace(/.$/, (d) => String((Number(d) + 1) % 10));
    const near = scanCode(wrongCheck);
    assert.equal(near.ok, false);
    assert.ok(!near.ok && near.nearMisses.some((m) => m.scheme === 'gtin'));
    assert.ok(!near.ok && /check digit/i.test(near.reason), !near.ok ? near.reason : '');
    const nothing = scanCode('这不是一个码');
    assert.ok(!nothing.ok && /not a code of any supported scheme/.test(nothing.reason));
    assert.ok(!scanCode('   ').ok);
    assert.ok(!scanCode('1'.repeat(MAX_SCAN_LENGTH + 1)).ok);
  });

  test('with a scheme hint only that scheme is asked, and an unknown hint is a usage error', () => {
    const gtin = withCheckDigit(`690${digits(9)}`);
    const hinted = scanCode(gtin, 'gln');
    assert.ok(hinted.ok);
    assert.deepEqual(hinted.readings.map((r) => r.scheme), ['gln']);
    const refused = scanCode(gtin, 'vet-drug-code');
    assert.ok(!refused.ok && refused.reason.startsWith('not a valid 兽药追溯码'));
    assert.throws(() => scanCode(gtin, 'no-such-scheme'), /unknown scheme/);
  });

  test('no scanned input makes the scanner throw', () => {
    const alphabet = ['0', '1', '9', 'A', 'z', '(', ')', ']', 'd', '2', 'Q', '3', '\u001d', '^', '/', '?', '=', '&', '%', '+', ':', '.', '\n', '\r', ' ', '\u0000', '\uD800', '中', '码', 'http://', 'https://id.gs1.org/', 'urn:epc:id:sgtin:', 'urn:zhuisu:', '88.', '(01)', '(21)', ']d2', '/01/', '/21/', '/c/', 'Ecode:'];
    const samples: string[] = ['', '\uFEFF', '%', '%zz', ']', ']d', '()', '(', ')', 'urn:zhuisu:x:%E0%A4%A', 'https://', 'https://a/01/', '\n\n\n', '88./'];
    for (let i = 0; i < 4_000; i += 1) {
      const parts = Math.floor(random() * 24);
      let text = '';
      for (let j = 0; j < parts; j += 1) text += random() < 0.5 ? alphabet[Math.floor(random() * alphabet.length)] : digits(Math.floor(random() * 20));
      samples.push(text);
    }
    samples.push('9'.repeat(MAX_SCAN_LENGTH), `(01)${'9'.repeat(MAX_SCAN_LENGTH - 4)}`);
    for (const text of samples) {
      assert.doesNotThrow(() => {
        const result = scanCode(text);
        if (result.ok) for (const reading of result.readings) identifierOf(reading);
      }, JSON.stringify(text.slice(0, 80)));
    }
  });
});
