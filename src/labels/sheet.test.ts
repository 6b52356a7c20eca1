import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withCheckDigit } from '../codes/gs1/check-digit.js';
import { crop, decodeBarcode, pdfText, rasterisePdf } from '../../test/labels/raster.js';
import { assertRejectsDomainError } from '../../test/support/assertions.js';
import { parseBracketed, rawElementString } from './element-string.js';
import { labelSheetPdf, planSheet, type Label, type SheetLayout } from './sheet.js';

const GTIN = withCheckDigit('0950600013435');
const OTHER_GTIN = withCheckDigit('0690123456789');
const CREATED_AT = new Date('2024-05-01T08:30:00+08:00');
const DPI = 300;

const LABELS: Label[] = [
  {
    symbol: { symbology: 'qr', text: `https://example.org/01/${GTIN}/21/ABC123` },
    lines: ['黄山毛峰 特级 250g', '批次 LOT-2024-05', '浙江省杭州市西湖区'],
  },
  {
    symbol: { symbology: 'gs1-datamatrix', text: `(01)${GTIN}(17)251231(10)AB12(21)SER1` },
    lines: ['西湖龙井 明前', '生产企业：杭州茶叶有限公司'],
  },
  { symbol: { symbology: 'gs1-128', text: `(01)${OTHER_GTIN}(17)260630(10)LOT7` }, lines: ['物流单元 GS1-128'] },
  { symbol: { symbology: 'code128', text: 'ZS-2024-000123' }, lines: ['追溯码 ZS-2024-000123'] },
  { symbol: { symbology: 'datamatrix', text: 'zhuisu:lot:AB12' }, lines: ['数据矩阵码'] },
];

/** The text a scanner hands over for a label's symbol, without symbology identifier. */
function expectedScan(label: Label): string {
  const { symbology, text } = label.symbol;
  return symbology.startsWith('gs1') ? rawElementString(parseBracketed(text)) : text;
}

describe('labelSheetPdf', () => {
  it('prints symbols that scan back to what was encoded after rasterising at 300 dpi', async () => {
    const pdf = await labelSheetPdf(LABELS, { createdAt: CREATED_AT });
    const [page, ...more] = rasterisePdf(pdf, DPI);
    assert.ok(page, 'no page rendered');
    assert.equal(more.length, 0);
    const scale = DPI / 72;
    for (const placed of planSheet(LABELS).pages[0]!) {
      const { cell } = placed;
      // The whole label, text included, as a scanner pointed at it would see it.
      const image = crop(page, { x: cell.x * scale, y: cell.y * scale, width: cell.width * scale, height: cell.height * scale });
      const decoded = decodeBarcode(image);
      const label = LABELS[placed.index]!;
      const text = label.symbol.symbology === 'gs1-128' ? decoded.text.replace(/^\]C1/, '') : decoded.text;
      const gs1Matrix = label.symbol.symbology === 'gs1-datamatrix';
      assert.equal(gs1Matrix ? text.replace(/^\u001d/, '') : text, expectedScan(label), `label ${placed.index + 1}`);
      if (gs1Matrix) assert.ok(text.startsWith('\u001d'), 'GS1 DataMatrix must start with FNC1');
      if (label.symbol.symbology === 'gs1-128') assert.ok(decoded.text.startsWith(']C1'), 'GS1-128 must start with FNC1');
      if (label.symbol.symbology === 'code128') assert.ok(!decoded.text.startsWith(']C1'), 'plain Code 128 has no FNC1');
    }
  });

  it('sets the Chinese lines as real text in an embedded font', async () => {
    const pdf = await labelSheetPdf(LABELS, { createdAt: CREATED_AT });
    const text = pdfText(pdf);
    for (const line of LABELS.flatMap((label) => label.lines ?? [])) assert.ok(text.includes(line), `"${line}" is missing`);
    assert.ok(text.includes(`(01)${OTHER_GTIN}(17)260630(10)LOT7`), 'GS1-128 interpretation line');
    assert.ok(pdf.includes('/FontFile3'), 'the font is not embedded');
    assert.ok(!/\/BaseFont \/(Helvetica|Times|Courier)/.test(pdf.toString('latin1')), 'a standard font is used');
  });

  it('is reproducible apart from the creation date', async () => {
    const first = await labelSheetPdf(LABELS, { createdAt: CREATED_AT });
    const second = await labelSheetPdf(LABELS, { createdAt: CREATED_AT });
    assert.ok(first.equals(second), 'two renderings of the same labels differ');
    const later = await labelSheetPdf(LABELS, { createdAt: new Date('2024-06-01T00:00:00Z') });
    assert.ok(!first.equals(later), 'the creation date is not in the PDF');
    assert.ok(first.includes('(D:20240501003000Z)'), 'the creation date is not the one given');
  });

  it('starts a new page when the labels fill a sheet', async () => {
    const labels: Label[] = Array.from({ length: 7 }, (_, i) => ({
      symbol: { symbology: 'datamatrix', text: `LOT-${i + 1}` },
      lines: [`第${i + 1}张`],
    }));
    const layout: SheetLayout = { columns: 2, rows: 3, createdAt: CREATED_AT };
    const plan = planSheet(labels, layout);
    assert.deepEqual(
      plan.pages.map((page) => page.length),
      [6, 1],
    );
    const pdf = await labelSheetPdf(labels, layout);
    assert.equal(rasterisePdf(pdf, 100).length, 2);
    const [first, second] = pdfText(pdf).split('\f');
    assert.ok(first?.includes('第6张') && !first.includes('第7张'), 'the first page holds labels 1 to 6');
    assert.ok(second?.includes('第7张'), 'the second page holds label 7');
  });

  it('lays out the default 3 × 8 grid of 70 × 36 mm labels on A4', () => {
    const labels = Array.from({ length: 24 }, (_, i): Label => ({ symbol: { symbology: 'qr', text: String(i) } }));
    const [page, ...rest] = planSheet(labels).pages;
    assert.equal(rest.length, 0);
    const mm = (pt: number) => Math.round((pt * 25.4) / 72 * 10) / 10;
    assert.deepEqual([mm(page![0]!.cell.width), mm(page![0]!.cell.height)], [70, 36]);
    assert.deepEqual([mm(page![23]!.cell.x), mm(page![23]!.cell.y)], [140, 4.5 + 7 * 36]);
  });
});

describe('bad sheet input', () => {
  it('names the label whose symbol is invalid', async () => {
    const labels: Label[] = [LABELS[0]!, { symbol: { symbology: 'gs1-128', text: '(01)123' }, lines: ['x'] }];
    const message = await assertRejectsDomainError(() => labelSheetPdf(labels), 'label.gs1.invalid');
    assert.match(message, /^Label 2: /);
  });

  it('refuses a symbol that does not fit the label', async () => {
    const text = `(01)${GTIN}(10)ABCDEFGHIJKLMNOPQRST`;
    const message = await assertRejectsDomainError(() => labelSheetPdf([{ symbol: { symbology: 'gs1-128', text } }]), 'label.symbol.too_large');
    assert.match(message, /label 1/);
    await labelSheetPdf([{ symbol: { symbology: 'gs1-128', text } }], { columns: 1, rows: 8 });
  });

  it('refuses more than three lines, characters the font lacks, and lines too long to read', async () => {
    const symbol = { symbology: 'qr' as const, text: 'x' };
    await assertRejectsDomainError(() => labelSheetPdf([{ symbol, lines: ['1', '2', '3', '4'] }]), 'label.lines.too_many');
    const emoji = await assertRejectsDomainError(() => labelSheetPdf([{ symbol, lines: ['茶叶 🍵'] }]), 'label.line.unsupported_character');
    assert.match(emoji, /U\+1F375/);
    await assertRejectsDomainError(() => labelSheetPdf([{ symbol, lines: ['浙江'.repeat(60)] }]), 'label.line.too_long');
    await assertRejectsDomainError(() => labelSheetPdf([{ symbol, lines: ['a\nb'] }]), 'label.line.invalid');
  });

  it('refuses an empty list and impossible layouts', async () => {
    await assertRejectsDomainError(() => labelSheetPdf([]), 'label.sheet.empty');
    await assertRejectsDomainError(() => labelSheetPdf(LABELS, { columns: 0 }), 'label.layout.invalid');
    await assertRejectsDomainError(() => labelSheetPdf(LABELS, { columns: 12, rows: 30 }), 'label.layout.invalid');
    await assertRejectsDomainError(() => labelSheetPdf(LABELS, { font: new Uint8Array([1, 2, 3]) }), 'label.font.invalid');
  });
});
