/**
 * Test support for the label round trip: rasterise a PDF with poppler's pdftoppm, read the greyscale PGM pages and
 * decode barcodes from regions of them with ZXing, as a scanner looking at the printed sheet would.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import {
  BarcodeFormat,
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  MultiFormatReader,
  RGBLuminanceSource,
} from '@zxing/library';

/** jsQR is CommonJS with a default export its typings describe for bundlers only. */
const jsQR = createRequire(import.meta.url)('jsqr') as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

export interface GreyImage {
  width: number;
  height: number;
  /** One byte per pixel, 0 black to 255 white, row-major. */
  pixels: Uint8ClampedArray;
}

/** Reads a binary (P5) PGM with 8-bit samples, as pdftoppm -gray writes it. */
export function parsePgm(data: Buffer): GreyImage {
  let offset = 0;
  const fields: string[] = [];
  while (fields.length < 4) {
    while (offset < data.length && /\s/.test(String.fromCharCode(data[offset]!))) offset += 1;
    if (data[offset] === 0x23) {
      while (offset < data.length && data[offset] !== 0x0a) offset += 1;
      continue;
    }
    let token = '';
    while (offset < data.length && !/\s/.test(String.fromCharCode(data[offset]!))) token += String.fromCharCode(data[offset++]!);
    fields.push(token);
  }
  offset += 1;
  const [magic, width, height, maxval] = [fields[0], Number(fields[1]), Number(fields[2]), Number(fields[3])];
  assert.equal(magic, 'P5', 'expected a binary greyscale PGM');
  assert.equal(maxval, 255, 'expected 8-bit samples');
  const pixels = new Uint8ClampedArray(data.subarray(offset, offset + width * height));
  assert.equal(pixels.length, width * height, 'PGM data is truncated');
  return { width, height, pixels };
}

/** Rasterises every page of `pdf` at `dpi`, greyscale. Fails, never skips, when poppler is not installed. */
export function rasterisePdf(pdf: Buffer, dpi = 300): GreyImage[] {
  const dir = mkdtempSync(join(tmpdir(), 'labels-'));
  try {
    const input = join(dir, 'sheet.pdf');
    writeFileSync(input, pdf);
    const result = spawnSync('pdftoppm', ['-r', String(dpi), '-gray', input, join(dir, 'page')], { encoding: 'utf8' });
    if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      assert.fail('pdftoppm was not found: install poppler-utils (apt-get install poppler-utils) to run the label round trip');
    }
    assert.equal(result.status, 0, `pdftoppm failed: ${result.stderr}`);
    // pdftoppm numbers pages with as many digits as the last page needs, so a plain sort keeps page order.
    const pages = readdirSync(dir).filter((name) => name.endsWith('.pgm')).sort();
    return pages.map((name) => parsePgm(readFileSync(join(dir, name))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The text of `pdf` as pdftotext extracts it. */
export function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'labels-'));
  try {
    const input = join(dir, 'sheet.pdf');
    writeFileSync(input, pdf);
    const result = spawnSync('pdftotext', ['-enc', 'UTF-8', input, '-'], { encoding: 'utf8' });
    if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      assert.fail('pdftotext was not found: install poppler-utils (apt-get install poppler-utils) to run the label tests');
    }
    assert.equal(result.status, 0, `pdftotext failed: ${result.stderr}`);
    return result.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A region of `image`, in pixels, clamped to the image. */
export function crop(image: GreyImage, box: { x: number; y: number; width: number; height: number }): GreyImage {
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(image.width, Math.ceil(box.x + box.width));
  const y1 = Math.min(image.height, Math.ceil(box.y + box.height));
  const width = x1 - x0;
  const height = y1 - y0;
  const pixels = new Uint8ClampedArray(width * height);
  for (let y = 0; y < height; y += 1) {
    pixels.set(image.pixels.subarray((y0 + y) * image.width + x0, (y0 + y) * image.width + x1), y * width);
  }
  return { width, height, pixels };
}

export interface Decoded {
  text: string;
  format: string;
}

/**
 * Decodes the one barcode in `image`. GS1 symbols come back as a scanner sends them: GS1-128 with the `]C1`
 * identifier in front (ZXing's ASSUME_GS1), GS1 DataMatrix with a leading GS for the FNC1 in first position, and a GS
 * for every separator FNC1.
 */
export function decodeBarcode(image: GreyImage): Decoded {
  try {
    return decodeWithZxing(image);
  } catch (error) {
    // ZXing's JavaScript port misses the finder patterns of some QR codes that every phone reads (it fails on
    // bwip-js's own pristine PNG of them too); a second, independent QR reader tells a bad print from a reader's blind spot.
    const qr = jsQR(rgba(image), image.width, image.height);
    if (qr) return { text: qr.data, format: 'QR_CODE' };
    throw error;
  }
}

function rgba(image: GreyImage): Uint8ClampedArray {
  const out = new Uint8ClampedArray(image.width * image.height * 4);
  for (let i = 0; i < image.pixels.length; i += 1) {
    const v = image.pixels[i]!;
    out[i * 4] = v;
    out[i * 4 + 1] = v;
    out[i * 4 + 2] = v;
    out[i * 4 + 3] = 255;
  }
  return out;
}

function decodeWithZxing(image: GreyImage): Decoded {
  const hints = new Map<DecodeHintType, unknown>([
    [DecodeHintType.TRY_HARDER, true],
    [DecodeHintType.ASSUME_GS1, true],
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.QR_CODE, BarcodeFormat.DATA_MATRIX, BarcodeFormat.CODE_128]],
  ]);
  const reader = new MultiFormatReader();
  reader.setHints(hints);
  const source = new RGBLuminanceSource(image.pixels, image.width, image.height);
  const result = reader.decode(new BinaryBitmap(new HybridBinarizer(source)), hints);
  return { text: result.getText(), format: BarcodeFormat[result.getBarcodeFormat()] };
}

/**
 * Reads an 8-bit, non-interlaced PNG (greyscale, RGB or RGBA, as bwip-js writes them) into grey pixels. Only what the
 * tests need: no palettes, no 16-bit samples.
 */
export function parsePng(png: Buffer): GreyImage {
  assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE), 'not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      assert.equal(body[8], 8, 'expected 8-bit samples');
      assert.equal(body[12], 0, 'expected no interlacing');
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[body[9]!] ?? 0;
      assert.ok(channels > 0, `unsupported PNG colour type ${body[9]}`);
    } else if (type === 'IDAT') {
      idat.push(body);
    }
    offset += length + 12;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const rows = new Uint8Array(stride * height);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x += 1) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const left = x >= channels ? rows[y * stride + x - channels]! : 0;
      const up = y > 0 ? rows[(y - 1) * stride + x]! : 0;
      const upLeft = x >= channels && y > 0 ? rows[(y - 1) * stride + x - channels]! : 0;
      rows[y * stride + x] = (value + unfilter(filter, left, up, upLeft)) & 0xff;
    }
  }
  const pixels = new Uint8ClampedArray(width * height);
  for (let i = 0; i < width * height; i += 1) {
    const p = i * channels;
    pixels[i] = channels >= 3 ? Math.round((rows[p]! + rows[p + 1]! + rows[p + 2]!) / 3) : rows[p]!;
  }
  return { width, height, pixels };
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function unfilter(filter: number, left: number, up: number, upLeft: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return left;
    case 2:
      return up;
    case 3:
      return Math.floor((left + up) / 2);
    case 4: {
      const estimate = left + up - upLeft;
      const [a, b, c] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
      return a <= b && a <= c ? left : b <= c ? up : upLeft;
    }
    default:
      throw new Error(`unknown PNG filter ${filter}`);
  }
}
