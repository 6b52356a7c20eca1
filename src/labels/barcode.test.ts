import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withCheckDigit } from '../codes/gs1/check-digit.js';
import { decodeBarcode, parsePng, PNG_SIGNATURE } from '../../test/labels/raster.js';
import { xmlProblem } from '../../test/labels/xml.js';
import { assertRejectsDomainError, assertThrowsDomainError } from '../../test/support/assertions.js';
import { CODE128_MAX_CHARACTERS, encodeSymbol, QUIET_ZONE_MODULES, type SymbolSpec } from './barcode.js';
import { GROUP_SEPARATOR, parseBracketed, rawElementString } from './element-string.js';
import { renderSymbol } from './index.js';

const GTIN = withCheckDigit('0950600013435');

const SPECS: SymbolSpec[] = [
  { symbology: 'qr', text: `https://example.org/01/${GTIN}/21/ABC123` },
  { symbology: 'gs1-datamatrix', text: `(01)${GTIN}(17)251231(10)AB12(21)SER1` },
  { symbology: 'gs1-128', text: `(01)${GTIN}(10)AB12` },
  { symbology: 'code128', text: 'ZS-2024-000123' },
  { symbology: 'datamatrix', text: 'zhuisu:lot:AB12' },
];

/** What a scanner transmits for the symbol, without symbology identifier. */
function scanned(spec: SymbolSpec): string {
  return spec.symbology.startsWith('gs1') ? rawElementString(parseBracketed(spec.text)) : spec.text;
}

function withoutGs1Prefix(text: string): string {
  return text.replace(/^(\]C1|\u001d)/, '');
}

const invalidMessage = (run: () => unknown, code: string) => assertThrowsDomainError(run, code, 'invalid');

describe('renderSymbol', () => {
  for (const spec of SPECS) {
    it(`writes well-formed SVG for ${spec.symbology}`, async () => {
      const svg = await renderSymbol(spec, 'svg');
      assert.equal(xmlProblem(svg), undefined);
      assert.match(svg, /^<svg [^>]*viewBox="0 0 \d+ \d+"[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(svg, /<path /);
    });

    it(`writes a PNG that decodes back to the data for ${spec.symbology}`, async () => {
      const png = await renderSymbol({ ...spec, scale: 2 }, 'png');
      assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), 'no PNG signature');
      const image = parsePng(png);
      const encoded = encodeSymbol(spec);
      const quiet = QUIET_ZONE_MODULES[spec.symbology];
      if (encoded.kind === 'matrix') {
        // bwip-js draws a 2D module 2 × scale pixels wide.
        assert.equal(image.width, (encoded.columns + 2 * quiet) * 4);
        assert.equal(image.height, (encoded.rows + 2 * quiet) * 4);
      } else {
        assert.equal(image.width, (encoded.modules + 2 * quiet) * 2);
        const barPixels = Math.round((15 / 25.4) * 72 * 2);
        assert.ok(image.height > barPixels && image.height < barPixels * 1.5, `height ${image.height}`);
      }
      const decoded = decodeBarcode(image);
      assert.equal(withoutGs1Prefix(decoded.text), scanned(spec));
    });
  }

  it('leaves the human-readable text off 1D symbols on request', async () => {
    const withText = parsePng(await renderSymbol({ symbology: 'code128', text: 'ABC-123' }, 'png'));
    const bare = parsePng(await renderSymbol({ symbology: 'code128', text: 'ABC-123', humanReadable: false }, 'png'));
    assert.equal(bare.width, withText.width);
    assert.ok(bare.height < withText.height, 'the text adds height');
  });

  it('encodes Chinese text in a QR Code as UTF-8', async () => {
    const text = '黄山毛峰 批次 LOT-42';
    const decoded = decodeBarcode(parsePng(await renderSymbol({ symbology: 'qr', text }, 'png')));
    assert.equal(decoded.text, text);
  });
});

describe('encodeSymbol', () => {
  it('gives the module pattern of 2D symbols and the bar widths of 1D ones', () => {
    const qr = encodeSymbol({ symbology: 'qr', text: 'hello' });
    assert.equal(qr.kind, 'matrix');
    if (qr.kind === 'matrix') {
      assert.equal(qr.columns, 21);
      assert.equal(qr.dark.length, 21 * 21);
    }
    const code128 = encodeSymbol({ symbology: 'code128', text: 'ABC' });
    assert.equal(code128.kind, 'linear');
    // Start, three data characters and the check character, 11 modules each; the stop pattern takes 13.
    if (code128.kind === 'linear') assert.equal(code128.modules, 5 * 11 + 13);
  });

  it('gives GS1-128 its bracketed human-readable interpretation', () => {
    const encoded = encodeSymbol({ symbology: 'gs1-128', text: `(01)${GTIN}(10)AB12` });
    assert.equal(encoded.kind === 'linear' && encoded.interpretation, `(01)${GTIN}(10)AB12`);
  });
});

describe('bad symbol input', () => {
  it('refuses an empty text for every symbology', () => {
    for (const spec of SPECS) {
      const message = invalidMessage(() => encodeSymbol({ ...spec, text: '' }), 'label.symbol.empty');
      assert.match(message, /empty/);
    }
  });

  it('explains an invalid GS1 element string without the encoder internals', () => {
    const badCheck = `(01)${GTIN.slice(0, 13)}${(Number(GTIN[13]) + 1) % 10}(10)AB12`;
    for (const symbology of ['gs1-128', 'gs1-datamatrix'] as const) {
      const message = invalidMessage(() => encodeSymbol({ symbology, text: badCheck }), 'label.gs1.invalid');
      assert.match(message, /AI 01/);
      assert.match(message, /checksum/i);
      assert.doesNotMatch(message, /bwipp|bwip-js|#\d+|\.ps\b|at \w+ \(/);
    }
    assert.match(invalidMessage(() => encodeSymbol({ symbology: 'gs1-128', text: `01${GTIN}` }), 'label.gs1.invalid'), /\(/);
    assert.match(
      invalidMessage(() => encodeSymbol({ symbology: 'gs1-datamatrix', text: `(01)${GTIN}(17)251341` }), 'label.gs1.invalid'),
      /AI 17/,
    );
    assert.match(
      invalidMessage(() => encodeSymbol({ symbology: 'gs1-datamatrix', text: '(10)AB12' }), 'label.gs1.invalid'),
      /01/,
    );
  });

  it('refuses a Code 128 text that is too long', () => {
    const message = invalidMessage(
      () => encodeSymbol({ symbology: 'code128', text: 'A'.repeat(CODE128_MAX_CHARACTERS + 1) }),
      'label.symbol.too_long',
    );
    assert.match(message, /Code 128/);
    assert.match(message, new RegExp(String(CODE128_MAX_CHARACTERS)));
    encodeSymbol({ symbology: 'code128', text: 'A'.repeat(CODE128_MAX_CHARACTERS) });
  });

  it('refuses a GS1-128 element string over 48 data characters', () => {
    const text = `(01)${GTIN}(10)${'A'.repeat(20)}(21)${'B'.repeat(8)}`;
    assert.equal(rawElementString(parseBracketed(text)).length, 16 + 22 + 1 + 10);
    assert.match(invalidMessage(() => encodeSymbol({ symbology: 'gs1-128', text }), 'label.symbol.too_long'), /48/);
    encodeSymbol({ symbology: 'gs1-datamatrix', text });
  });

  it('refuses data beyond a 2D symbol capacity', () => {
    invalidMessage(() => encodeSymbol({ symbology: 'qr', text: 'x'.repeat(3000) }), 'label.symbol.too_long');
    invalidMessage(() => encodeSymbol({ symbology: 'datamatrix', text: 'x'.repeat(4000) }), 'label.symbol.too_long');
  });

  it('refuses characters Code 128 cannot carry', () => {
    const message = invalidMessage(() => encodeSymbol({ symbology: 'code128', text: 'LOT 批次' }), 'label.symbol.unencodable');
    assert.match(message, /printable ASCII/);
    assert.match(message, /position 5/);
  });

  it('refuses unknown symbologies and out-of-range options', () => {
    invalidMessage(() => encodeSymbol({ symbology: 'pdf417' as never, text: 'x' }), 'label.symbology.unknown');
    invalidMessage(() => encodeSymbol({ symbology: 'qr', text: 'x', scale: 0 }), 'label.symbol.invalid_option');
    invalidMessage(() => encodeSymbol({ symbology: 'qr', text: 'x', qrErrorCorrection: 'X' as never }), 'label.symbol.invalid_option');
  });

  it('reports bad input from the SVG and PNG renderers the same way', async () => {
    await assertRejectsDomainError(() => renderSymbol({ symbology: 'gs1-128', text: '(01)123' }, 'png'), 'label.gs1.invalid');
    await assertRejectsDomainError(() => renderSymbol({ symbology: 'gs1-128', text: '(01)123' }, 'svg'), 'label.gs1.invalid');
    await assertRejectsDomainError(() => renderSymbol({ symbology: 'qr', text: '' }, 'png'), 'label.symbol.empty');
    await assertRejectsDomainError(() => renderSymbol(SPECS[0]!, 'jpg' as never), 'label.format.unknown');
  });
});

describe('GS1 element strings', () => {
  it('separates values of AIs without predefined length, except the last', () => {
    const elements = parseBracketed(`(01)${GTIN}(17)251231(10)AB12(21)SER1`);
    assert.deepEqual(
      elements.map((e) => e.ai),
      ['01', '17', '10', '21'],
    );
    assert.equal(rawElementString(elements), `01${GTIN}17251231` + `10AB12${GROUP_SEPARATOR}21SER1`);
    assert.equal(rawElementString(parseBracketed(`(10)AB12(01)${GTIN}`)), `10AB12${GROUP_SEPARATOR}01${GTIN}`);
  });
});
