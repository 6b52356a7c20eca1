/**
 * One barcode symbol: the input checks, the encoding (BWIPP through bwip-js) and its output as SVG, PNG or the bare
 * module pattern the label sheet draws as vectors. Every failure is a DomainError with a message written for the
 * person who typed the text. The encoder's errors name its PostScript internals, so only the part of a GS1 error
 * that describes the data (`AI 01: Bad checksum`) is passed on; anything else is put in our own words.
 */
import bwipjs from 'bwip-js';
import { invalid, type DomainError } from '../domain/errors.js';
import { parseBracketed, rawElementString } from './element-string.js';

export const SYMBOLOGIES = ['qr', 'gs1-datamatrix', 'gs1-128', 'code128', 'datamatrix'] as const;
export type Symbology = (typeof SYMBOLOGIES)[number];

export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';

export interface SymbolSpec {
  symbology: Symbology;
  /**
   * The data. GS1 symbologies take the bracketed element string, `(01)09506000134352(17)251231(10)AB12`; the others
   * take the text as it is.
   */
  text: string;
  /** Pixel scale for SVG and PNG: a Code 128 module is `scale` pixels wide, a 2D module `2 × scale`. 1–20, default 3. */
  scale?: number;
  /**
   * Bar height of Code 128 and GS1-128 in millimetres: in SVG and PNG at 72 dpi (default 15); on a label sheet, the
   * most the bars may take of the label (default 25).
   */
  barHeightMm?: number;
  /** Print the human-readable interpretation under Code 128 and GS1-128. Default true. */
  humanReadable?: boolean;
  /** Keep the quiet zone the symbology requires around SVG and PNG output. Default true. */
  quietZone?: boolean;
  /** QR Code error correction level. Default M. */
  qrErrorCorrection?: QrErrorCorrection;
}

const NAMES: Record<Symbology, string> = {
  qr: 'QR Code',
  'gs1-datamatrix': 'GS1 DataMatrix',
  'gs1-128': 'GS1-128',
  code128: 'Code 128',
  datamatrix: 'Data Matrix',
};

const BWIPP_IDS: Record<Symbology, string> = {
  qr: 'qrcode',
  'gs1-datamatrix': 'gs1datamatrix',
  'gs1-128': 'gs1-128',
  code128: 'code128',
  datamatrix: 'datamatrix',
};

/** Quiet zone on each side in modules: ISO/IEC 18004 for QR, ISO/IEC 16022 for Data Matrix, ISO/IEC 15417 for 128. */
export const QUIET_ZONE_MODULES: Record<Symbology, number> = {
  qr: 4,
  'gs1-datamatrix': 1,
  'gs1-128': 10,
  code128: 10,
  datamatrix: 1,
};

/** GS1 General Specifications §5.4.1: at most 48 data characters, AIs and separator FNC1s included. */
export const GS1_128_MAX_DATA_CHARACTERS = 48;
/**
 * Code 128 itself sets no limit; past this the symbol is wider than any label at a readable module width and longer
 * than many readers' buffers.
 */
export const CODE128_MAX_CHARACTERS = 80;

export function symbologyName(symbology: Symbology): string {
  return NAMES[symbology];
}

export function isLinear(symbology: Symbology): boolean {
  return symbology === 'gs1-128' || symbology === 'code128';
}

export function isGs1(symbology: Symbology): boolean {
  return symbology === 'gs1-128' || symbology === 'gs1-datamatrix';
}

/** The module pattern of an encoded symbol, without quiet zone. */
export type EncodedSymbol =
  | {
      kind: 'matrix';
      symbology: Symbology;
      columns: number;
      rows: number;
      /** Row-major, true for a dark module. */
      dark: readonly boolean[];
    }
  | {
      kind: 'linear';
      symbology: Symbology;
      /** Element widths in modules, alternating bar and space, starting with a bar. */
      elements: readonly number[];
      modules: number;
      /** The human-readable interpretation: the text, or the bracketed element string for GS1-128. */
      interpretation: string;
    };

interface RawMatrix {
  pixs: number[];
  pixx: number;
  pixy: number;
}
interface RawLinear {
  sbs: number[];
  txt?: [string, ...unknown[]][];
}

function fail(code: string, message: string, pointer = '/text'): DomainError {
  return invalid(code, message, [{ pointer, message }]);
}

/** Checks what the encoder would accept silently but a label must not carry, and the options. */
function checkSpec(spec: SymbolSpec): void {
  if (!spec || typeof spec !== 'object') throw fail('label.symbol.invalid', 'A symbol needs a symbology and a text', '');
  if (!SYMBOLOGIES.includes(spec.symbology)) {
    throw fail(
      'label.symbology.unknown',
      `Unknown symbology "${String(spec.symbology)}"; use one of ${SYMBOLOGIES.join(', ')}`,
      '/symbology',
    );
  }
  const name = NAMES[spec.symbology];
  if (typeof spec.text !== 'string' || spec.text.length === 0) {
    throw fail('label.symbol.empty', `The text to encode as ${name} is empty`);
  }
  if (spec.symbology === 'code128') {
    const bad = [...spec.text].findIndex((ch) => ch < ' ' || ch > '~');
    if (bad >= 0) {
      const ch = [...spec.text][bad]!;
      throw fail(
        'label.symbol.unencodable',
        `Code 128 encodes printable ASCII only; character ${describeCharacter(ch)} at position ${bad + 1} is not`,
      );
    }
    if (spec.text.length > CODE128_MAX_CHARACTERS) {
      throw fail(
        'label.symbol.too_long',
        `The text is too long for Code 128: ${spec.text.length} characters, at most ${CODE128_MAX_CHARACTERS}`,
      );
    }
  }
  if (spec.scale !== undefined && !(Number.isInteger(spec.scale) && spec.scale >= 1 && spec.scale <= 20)) {
    throw fail('label.symbol.invalid_option', 'scale must be a whole number from 1 to 20', '/scale');
  }
  if (spec.barHeightMm !== undefined && !(Number.isFinite(spec.barHeightMm) && spec.barHeightMm >= 3 && spec.barHeightMm <= 200)) {
    throw fail('label.symbol.invalid_option', 'barHeightMm must be between 3 and 200', '/barHeightMm');
  }
  if (spec.qrErrorCorrection !== undefined && !['L', 'M', 'Q', 'H'].includes(spec.qrErrorCorrection)) {
    throw fail('label.symbol.invalid_option', 'qrErrorCorrection must be one of L, M, Q, H', '/qrErrorCorrection');
  }
}

function describeCharacter(ch: string): string {
  const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return ch >= ' ' && ch !== '\u007f' ? `"${ch}" (${code})` : code;
}

/**
 * BWIPP reports `bwipp.<reason>#<line>: <text>`. GS1 reasons describe the user's data (`AI 01: Bad checksum`) and are
 * passed on; the others are replaced by our own words.
 */
function translateEncoderError(error: unknown, spec: SymbolSpec): DomainError {
  const raw = error instanceof Error ? error.message : String(error);
  const match = /^bwipp\.(\w+?)(?:#\d+)?:\s*([^\n]*)/.exec(raw);
  const reason = match?.[1] ?? '';
  const said = (match?.[2] ?? '').trim();
  const name = NAMES[spec.symbology];
  if (/^GS1/i.test(reason) && /^[\x20-\x7e]{1,200}$/.test(said)) {
    return fail('label.gs1.invalid', `Not a valid GS1 element string for ${name}: ${said.replace(/\.$/, '')}`);
  }
  if (/TooLong|TooBig|NoValidSymbol|SizeTooSmall/i.test(reason)) {
    return fail('label.symbol.too_long', `The text is too long for ${name} (${[...spec.text].length} characters)`);
  }
  if (/Empty/i.test(reason)) return fail('label.symbol.empty', `The text to encode as ${name} is empty`);
  return fail('label.symbol.unencodable', `The text cannot be encoded as ${name}`);
}

function bwippOptions(spec: SymbolSpec): bwipjs.RenderOptions {
  const options: bwipjs.RenderOptions & { eclevel?: QrErrorCorrection } = {
    bcid: BWIPP_IDS[spec.symbology],
    text: spec.text,
  };
  if (spec.symbology === 'qr') options.eclevel = spec.qrErrorCorrection ?? 'M';
  return options;
}

function runEncoder<T>(spec: SymbolSpec, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw translateEncoderError(error, spec);
  }
}

/** Checks a GS1-128 element string against the symbology's length limit, once BWIPP has found it well formed. */
function checkGs1Length(spec: SymbolSpec): void {
  if (spec.symbology !== 'gs1-128') return;
  const length = rawElementString(parseBracketed(spec.text)).length;
  if (length > GS1_128_MAX_DATA_CHARACTERS) {
    throw fail(
      'label.symbol.too_long',
      `The element string is too long for GS1-128: ${length} data characters, at most ${GS1_128_MAX_DATA_CHARACTERS}; use GS1 DataMatrix or split it over two symbols`,
    );
  }
}

/**
 * Validates and encodes a symbol to its module pattern. Throws a DomainError (`invalid`) for anything the
 * symbology cannot carry.
 */
export function encodeSymbol(spec: SymbolSpec): EncodedSymbol {
  checkSpec(spec);
  const raw = runEncoder(spec, () => bwipjs.raw(bwippOptions(spec)) as unknown[]);
  checkGs1Length(spec);
  const first = raw[0] as Partial<RawMatrix & RawLinear> | undefined;
  if (first?.sbs) {
    const elements = first.sbs.map((width) => Math.round(width));
    return {
      kind: 'linear',
      symbology: spec.symbology,
      elements,
      modules: elements.reduce((sum, width) => sum + width, 0),
      interpretation: String(first.txt?.[0]?.[0] ?? spec.text),
    };
  }
  if (first?.pixs && first.pixx && first.pixy) {
    return {
      kind: 'matrix',
      symbology: spec.symbology,
      columns: first.pixx,
      rows: first.pixy,
      dark: first.pixs.map((pixel) => pixel === 1),
    };
  }
  throw fail('label.symbol.unencodable', `The text cannot be encoded as ${NAMES[spec.symbology]}`);
}

/** bwip-js draws 2D modules two units wide and 1D modules one unit wide at scale 1; padding is in those units. */
function renderOptions(spec: SymbolSpec): bwipjs.RenderOptions {
  const options = bwippOptions(spec);
  options.scale = spec.scale ?? 3;
  const linear = isLinear(spec.symbology);
  if (linear) {
    options.height = spec.barHeightMm ?? 15;
    if (spec.humanReadable ?? true) {
      options.includetext = true;
      options.textxalign = 'center';
    }
  }
  if (spec.quietZone ?? true) {
    const quiet = QUIET_ZONE_MODULES[spec.symbology] * (linear ? 1 : 2);
    options.paddingleft = quiet;
    options.paddingright = quiet;
    options.paddingtop = linear ? 2 : quiet;
    options.paddingbottom = linear ? 2 : quiet;
  }
  options.backgroundcolor = 'FFFFFF';
  return options;
}

export function symbolSvg(spec: SymbolSpec): string {
  checkSpec(spec);
  const svg = runEncoder(spec, () => bwipjs.toSVG(renderOptions(spec)));
  checkGs1Length(spec);
  return svg;
}

export async function symbolPng(spec: SymbolSpec): Promise<Buffer> {
  checkSpec(spec);
  let png: Buffer;
  try {
    png = await bwipjs.toBuffer(renderOptions(spec));
  } catch (error) {
    throw translateEncoderError(error, spec);
  }
  checkGs1Length(spec);
  return png;
}
