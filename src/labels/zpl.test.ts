import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withCheckDigit } from '../codes/gs1/check-digit.js';
import { assertThrowsDomainError } from '../../test/support/assertions.js';
import type { Label } from './label.js';
import { code128FieldData, DEFAULT_CJK_FONT, fieldData, labelsZpl } from './zpl.js';

const GTIN = withCheckDigit('0950600013435');

const LABELS: Label[] = [
  { symbol: { symbology: 'qr', text: `https://example.org/01/${GTIN}/21/A^B~C_D` }, lines: ['黄山毛峰 特级', 'LOT-42'] },
  { symbol: { symbology: 'gs1-datamatrix', text: `(01)${GTIN}(17)251231(10)AB_12(21)SER1` }, lines: ['GS1 DataMatrix'] },
  { symbol: { symbology: 'gs1-128', text: `(01)${GTIN}(10)AB12` }, lines: ['物流码'] },
  { symbol: { symbology: 'code128', text: 'ZS>2024^000123~' } },
  { symbol: { symbology: 'datamatrix', text: 'zhuisu:lot:AB12' }, lines: ['Data Matrix'] },
];

/** The label formats of a ZPL document, each from ^XA to ^XZ. */
function formats(zpl: string): string[] {
  return zpl.match(/\^XA[\s\S]*?\^XZ/g) ?? [];
}

/** Every field's data, `^FH` hex escapes undone, with the command that opened the field. */
function fields(format: string): { command: string; data: string }[] {
  return [...format.matchAll(/\^FO[^\^]*((?:\^(?!FD)[^\^]*)*)\^FD([^\^]*)\^FS/g)].map((m) => ({
    command: m[1]!,
    data: Buffer.from(
      m[2]!.split(/(_[0-9A-F]{2})/).flatMap((part) =>
        /^_[0-9A-F]{2}$/.test(part) ? [Number.parseInt(part.slice(1), 16)] : [...Buffer.from(part, 'latin1')],
      ),
    ).toString('utf8'),
  }));
}

describe('labelsZpl', () => {
  const zpl = labelsZpl(LABELS);
  const labelFormats = formats(zpl);

  it('writes one ^XA … ^XZ format per label', () => {
    assert.equal(labelFormats.length, LABELS.length);
    assert.equal((zpl.match(/\^XA/g) ?? []).length, LABELS.length);
    assert.equal((zpl.match(/\^XZ/g) ?? []).length, LABELS.length);
    assert.equal(zpl.trim(), labelFormats.join('\n'), 'nothing outside the formats');
    for (const format of labelFormats) assert.match(format, /\^PW480\n\^LL320\n\^LH0,0/);
  });

  it('writes plain ASCII, with ^ ~ _ and non-ASCII bytes as ^FH hex escapes', () => {
    assert.ok(/^[\x20-\x7e\n]*$/.test(zpl), 'the ZPL is not 7-bit ASCII');
    assert.ok(!zpl.includes('~'), 'a raw tilde would start a control command');
    for (const format of labelFormats) {
      for (const field of format.matchAll(/\^(FH)?\^FD/g)) assert.equal(field[1], 'FH', 'field data without ^FH');
    }
    const qr = fields(labelFormats[0]!)[0]!;
    assert.match(labelFormats[0]!, /A_5EB_7EC_5FD\^FS/);
    assert.equal(qr.data, `MA,https://example.org/01/${GTIN}/21/A^B~C_D`);
    assert.deepEqual(
      fields(labelFormats[0]!).slice(1).map((f) => f.data),
      ['黄山毛峰 特级', 'LOT-42'],
    );
  });

  it('switches to UTF-8 with ^CI28 only for labels with non-ASCII text, and sets that text in the CJK font', () => {
    assert.match(labelFormats[0]!, /^\^XA\n\^CI28\n/);
    assert.match(labelFormats[2]!, /^\^XA\n\^CI28\n/);
    for (const index of [1, 3, 4]) assert.match(labelFormats[index]!, /^\^XA\n\^CI0\n/);
    const [, chinese, latin] = fields(labelFormats[0]!);
    assert.match(chinese!.command, new RegExp(`\\^A@N,\\d+,\\d+,${DEFAULT_CJK_FONT.replace('.', '\\.')}`));
    assert.match(latin!.command, /\^A0N,/);
    assert.match(labelsZpl([LABELS[0]!], { cjkFont: 'R:NOTOSC.TTF' }), /\^A@N,\d+,\d+,R:NOTOSC\.TTF/);
  });

  it('encodes QR Code with ^BQ, model 2, the error correction level repeated in the data', () => {
    assert.match(labelFormats[0]!, /\^BQN,2,\d+,M\^FH\^FDMA,/);
    assert.match(labelsZpl([{ symbol: { ...LABELS[0]!.symbol, qrErrorCorrection: 'H' } }]), /\^BQN,2,\d+,H\^FH\^FDHA,/);
  });

  it('encodes Data Matrix with ^BX quality 200, FNC1 as an escape and literal escape characters doubled', () => {
    assert.match(labelFormats[1]!, /\^BXN,\d+,200,,,,_\^FH\^FD/);
    const gs1 = fields(labelFormats[1]!)[0]!.data;
    assert.equal(gs1, `_101${GTIN}17251231` + `10AB__12_121SER1`);
    const plain = fields(labelFormats[4]!)[0]!.data;
    assert.equal(plain, 'zhuisu:lot:AB12');
  });

  it('encodes GS1-128 with ^BC, FNC1 as >8 after the start code and after variable-length values', () => {
    assert.match(labelFormats[2]!, /\^BY\d+\^BCN,\d+,N,N,N,N\^FH\^FD/);
    assert.equal(fields(labelFormats[2]!)[0]!.data, `>;>801${GTIN}10>6AB12`);
    const separated = labelsZpl([{ symbol: { symbology: 'gs1-128', text: `(10)AB12(01)${GTIN}` } }], { widthMm: 100 });
    assert.equal(fields(formats(separated)[0]!)[0]!.data, `>;>810>6AB12>8>501${GTIN}`);
    assert.equal(fields(labelFormats[2]!)[1]!.data, `(01)${GTIN}(10)AB12`, 'interpretation line');
  });

  it('encodes Code 128 with explicit subsets, escaping > as >< and ^ ~ through ^FH', () => {
    const [bars, text] = fields(labelFormats[3]!);
    assert.equal(bars!.data, '>:ZS><>52024>6^>5000123>6~');
    assert.match(labelFormats[3]!, />:ZS><>52024>6_5E>5000123>6_7E\^FS/);
    assert.equal(text!.data, 'ZS>2024^000123~');
  });

  it('doubles backslashes in text blocks, where \\& would break the line', () => {
    const [, line] = fields(formats(labelsZpl([{ symbol: { symbology: 'qr', text: 'x' }, lines: ['a\\&b'] }]))[0]!);
    assert.equal(line!.data, 'a\\\\&b');
  });

  it('sizes the label in dots at the printer resolution', () => {
    const zpl300 = labelsZpl([LABELS[4]!], { dpi: 300, widthMm: 100, heightMm: 50 });
    assert.match(zpl300, /\^PW1181\n\^LL591\n/);
    const module203 = Number(/\^BXN,(\d+)/.exec(labelsZpl([LABELS[4]!]))![1]);
    const module300 = Number(/\^BXN,(\d+)/.exec(labelsZpl([LABELS[4]!], { dpi: 300 }))![1]);
    assert.ok(module300 > module203, 'modules scale with the resolution');
  });
});

describe('code128FieldData', () => {
  it('uses subset B for text and subset C for runs of digits', () => {
    assert.deepEqual(code128FieldData([...'ABC']), { data: '>:ABC', symbolCharacters: 5 });
    assert.deepEqual(code128FieldData([...'12345678']), { data: '>;12345678', symbolCharacters: 6 });
    assert.deepEqual(code128FieldData([...'AB12345678']), { data: '>:AB>512345678', symbolCharacters: 9 });
    assert.deepEqual(code128FieldData([...'A12345B']), { data: '>:A1>52345>6B', symbolCharacters: 9 });
    assert.deepEqual(code128FieldData([...'12']), { data: '>;12', symbolCharacters: 3 });
    assert.deepEqual(code128FieldData([...'A>B']), { data: '>:A><B', symbolCharacters: 5 });
  });

  it('escapes field data for ^FH', () => {
    assert.equal(fieldData('a^b~c_d'), 'a_5Eb_7Ec_5Fd');
    assert.equal(fieldData('追'), '_E8_BF_BD');
    assert.equal(fieldData('\u001d'), '_1D');
  });
});

describe('bad ZPL input', () => {
  it('refuses the symbols the PDF sheet refuses, naming the label', () => {
    const message = assertThrowsDomainError(
      () => labelsZpl([LABELS[0]!, { symbol: { symbology: 'gs1-datamatrix', text: `(01)${GTIN.slice(0, 13)}0` } }]),
      'label.gs1.invalid',
    );
    assert.match(message, /^Label 2: /);
    assertThrowsDomainError(() => labelsZpl([{ symbol: { symbology: 'code128', text: '' } }]), 'label.symbol.empty');
    assertThrowsDomainError(() => labelsZpl([{ symbol: { symbology: 'code128', text: 'A'.repeat(81) } }]), 'label.symbol.too_long');
  });

  it('refuses symbols and lines that do not fit the label', () => {
    assertThrowsDomainError(
      () => labelsZpl([{ symbol: { symbology: 'code128', text: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' } }], { widthMm: 30, heightMm: 20 }),
      'label.symbol.too_large',
    );
    assertThrowsDomainError(() => labelsZpl([{ symbol: { symbology: 'qr', text: 'x' }, lines: ['浙江省'.repeat(20)] }]), 'label.line.too_long');
  });

  it('refuses impossible layouts and printer font names that would break the format', () => {
    assertThrowsDomainError(() => labelsZpl(LABELS, { dpi: 250 as never }), 'label.layout.invalid');
    assertThrowsDomainError(() => labelsZpl(LABELS, { cjkFont: 'E:SIM^SUN.TTF' }), 'label.layout.invalid');
    assertThrowsDomainError(() => labelsZpl(LABELS, { widthMm: 5 }), 'label.layout.invalid');
    assertThrowsDomainError(() => labelsZpl([]), 'label.sheet.empty');
  });
});
