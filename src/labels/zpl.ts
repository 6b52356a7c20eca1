/**
 * ZPL II for thermal label printers: one `^XA … ^XZ` format per label, the symbol as the printer's own barcode command
 * (so it is drawn at the printer's resolution, not as a bitmap) and the text lines as `^FD` fields.
 *
 * Field data is always written with `^FH` and every byte outside printable ASCII, and `^`, `~` and `_`, as a `_XX`
 * hex escape, so the output is plain 7-bit ASCII whatever the labels say and survives any transport. Labels with
 * non-ASCII text switch the printer to UTF-8 with `^CI28`; their text lines are set in `cjkFont`, a font that must be
 * stored on the printer (Zebra's resident fonts have no Chinese glyphs: load a CJK TrueType font, for example with
 * Zebra Setup Utilities or `~DY`, and pass the name it is stored under).
 *
 * Symbols are checked with the same encoder as the PDF sheet before any ZPL is written, so a printer never receives a
 * symbol the PDF would refuse.
 */
import { invalid, type DomainError } from '../domain/errors.js';
import { encodeSymbol, isGs1, QUIET_ZONE_MODULES, symbologyName, type EncodedSymbol, type SymbolSpec } from './barcode.js';
import { encodedElements, parseBracketed } from './element-string.js';
import {
  checkLabel,
  checkLabelCount,
  labelLines,
  lineTooLong,
  symbolTooLarge,
  withLabelContext,
  type Label,
} from './label.js';

export interface ZplLayout {
  /** Printer resolution. Default 203. */
  dpi?: 152 | 203 | 300 | 600;
  /** Label size in millimetres. Default 60 × 40. */
  widthMm?: number;
  heightMm?: number;
  /** White space kept at the label's edges, in millimetres. Default 2. */
  marginMm?: number;
  /** Height of a text line in millimetres. Default 3. */
  textHeightMm?: number;
  /**
   * The printer font for lines with non-ASCII text, as `drive:NAME.EXT`. Default `E:SIMSUN.TTF`; use the name your
   * printers store their CJK font under.
   */
  cjkFont?: string;
}

const DPIS = [152, 203, 300, 600] as const;
export const DEFAULT_CJK_FONT = 'E:SIMSUN.TTF';
/** ^BX escape character for quality 200: `_1` is FNC1. It is written hex-escaped like every `_`, see fieldData. */
const DATAMATRIX_ESCAPE = '_';
const FNC1 = Symbol('FNC1');
type Code128Token = string | typeof FNC1;

function layoutError(message: string, pointer: string): DomainError {
  return invalid('label.layout.invalid', message, [{ pointer, message }]);
}

/**
 * `^FH` field data: printable ASCII as it is, everything else (UTF-8 bytes of non-ASCII text, control characters)
 * and the characters ZPL reserves as `_XX`. `^FH` is applied by the printer before the barcode sees the data.
 */
export function fieldData(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const plain = byte >= 0x20 && byte <= 0x7e && byte !== 0x5e && byte !== 0x7e && byte !== 0x5f;
    out += plain ? String.fromCharCode(byte) : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function isDigit(token: Code128Token | undefined): boolean {
  return typeof token === 'string' && token >= '0' && token <= '9';
}

function digitRun(tokens: readonly Code128Token[], from: number): number {
  let n = 0;
  while (isDigit(tokens[from + n])) n += 1;
  return n;
}

/**
 * Code 128 field data for `^BC` with no mode: explicit start code, subset changes and FNC1 as ZPL invocation codes
 * (`>;` start C, `>:` start B, `>5` code C, `>6` code B, `>8` FNC1, `><` a literal `>`). Digits go in pairs through
 * subset C, everything else through subset B. Returns the data and the number of symbol characters it makes,
 * start and check character included.
 */
export function code128FieldData(tokens: readonly Code128Token[]): { data: string; symbolCharacters: number } {
  const leading = digitRun(tokens, 0);
  let subset: 'B' | 'C' =
    tokens[0] === FNC1 || leading >= 4 || (leading === tokens.length && leading % 2 === 0) ? 'C' : 'B';
  let data = subset === 'C' ? '>;' : '>:';
  let characters = 1;
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token === FNC1) {
      data += '>8';
      characters += 1;
      i += 1;
    } else if (subset === 'C') {
      if (digitRun(tokens, i) >= 2) {
        data += `${token}${tokens[i + 1] as string}`;
        characters += 1;
        i += 2;
      } else {
        data += '>6';
        characters += 1;
        subset = 'B';
      }
    } else {
      const run = digitRun(tokens, i);
      if (run >= 4 && run % 2 === 0) {
        data += '>5';
        characters += 1;
        subset = 'C';
      } else {
        data += token === '>' ? '><' : token;
        characters += 1;
        i += 1;
      }
    }
  }
  return { data, symbolCharacters: characters + 1 };
}

function code128Tokens(spec: SymbolSpec): Code128Token[] {
  if (spec.symbology === 'code128') return [...spec.text];
  const tokens: Code128Token[] = [FNC1];
  for (const part of encodedElements(parseBracketed(spec.text))) {
    tokens.push(...part.data);
    if (part.separated) tokens.push(FNC1);
  }
  return tokens;
}

/** ^BX quality 200 data: FNC1 as `_1`, a literal underscore doubled. */
function dataMatrixData(spec: SymbolSpec): string {
  const escape = (text: string) => text.replaceAll(DATAMATRIX_ESCAPE, DATAMATRIX_ESCAPE + DATAMATRIX_ESCAPE);
  const fnc1 = `${DATAMATRIX_ESCAPE}1`;
  if (!isGs1(spec.symbology)) return escape(spec.text);
  return (
    fnc1 +
    encodedElements(parseBracketed(spec.text))
      .map((part) => escape(part.data) + (part.separated ? fnc1 : ''))
      .join('')
  );
}

interface Dots {
  dpi: number;
  width: number;
  height: number;
  margin: number;
  line: number;
  cjkFont: string;
  perMm: number;
}

function dots(layout: ZplLayout): Dots {
  const dpi = layout.dpi ?? 203;
  if (!DPIS.includes(dpi)) throw layoutError(`dpi must be one of ${DPIS.join(', ')}`, '/dpi');
  const perMm = dpi / 25.4;
  const size = (value: number | undefined, fallback: number, min: number, max: number, name: string) => {
    const mm = value ?? fallback;
    if (!Number.isFinite(mm) || mm < min || mm > max) throw layoutError(`${name} must be between ${min} and ${max} mm`, `/${name}`);
    return Math.round(mm * perMm);
  };
  const cjkFont = layout.cjkFont ?? DEFAULT_CJK_FONT;
  if (!/^[A-Z]:[A-Z0-9_-]{1,16}\.[A-Z]{3}$/i.test(cjkFont)) {
    throw layoutError('cjkFont must be a printer font name such as E:SIMSUN.TTF', '/cjkFont');
  }
  const width = size(layout.widthMm, 60, 15, 300, 'widthMm');
  const height = size(layout.heightMm, 40, 10, 500, 'heightMm');
  const margin = size(layout.marginMm, 2, 0, 20, 'marginMm');
  const line = size(layout.textHeightMm, 3, 1.5, 20, 'textHeightMm');
  if (width - 2 * margin < 10 * perMm || height - 2 * margin < 8 * perMm) throw layoutError('The margins leave no room on the label', '/marginMm');
  return { dpi, width, height, margin, line, cjkFont, perMm };
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** Printer fonts cannot be measured from here: CJK glyphs are taken as square, Latin ones as a little over half. */
function estimatedWidth(text: string, height: number): number {
  let width = 0;
  for (const ch of text) width += ch.codePointAt(0)! > 0x2e7f ? height : height * 0.6;
  return width;
}

/** A centred one-line text block. `^FB` reads `\&` as a line break, so backslashes are doubled. */
function textField(text: string, x: number, y: number, width: number, height: number, d: Dots, pointer: string): string {
  const estimate = estimatedWidth(text, height);
  const fitted = estimate > width ? Math.floor((height * width) / estimate) : height;
  if (fitted < Math.round(1.5 * d.perMm)) throw lineTooLong(text, width / d.perMm, pointer);
  const font = isAscii(text) ? `^A0N,${fitted},${fitted}` : `^A@N,${fitted},${fitted},${d.cjkFont}`;
  const data = fieldData(text.replaceAll('\\', '\\\\'));
  return `^FO${x},${y + (height - fitted)}${font}^FB${width},1,0,C,0^FH^FD${data}^FS`;
}

interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

function symbolFields(spec: SymbolSpec, encoded: EncodedSymbol, index: number, area: Area, d: Dots): string[] {
  const name = symbologyName(spec.symbology);
  const quiet = QUIET_ZONE_MODULES[spec.symbology];
  const minModule = Math.max(1, Math.round((encoded.kind === 'matrix' ? 0.25 : 0.19) * d.perMm));
  if (encoded.kind === 'matrix') {
    // The printer chooses the symbol size itself; BWIPP picks the same smallest size for the same data and level.
    const modules = Math.max(encoded.columns, encoded.rows) + 2 * quiet;
    const module = Math.min(Math.floor(Math.min(area.width, area.height) / modules), Math.round(1.5 * d.perMm));
    if (module < minModule) throw symbolTooLarge(name, index, `${modules} modules need ${Math.ceil(modules * minModule)} dots`);
    const size = encoded.columns * module;
    const x = area.x + Math.floor((area.width - size) / 2);
    const y = area.y + Math.floor((area.height - encoded.rows * module) / 2);
    if (spec.symbology === 'qr') {
      const level = spec.qrErrorCorrection ?? 'M';
      return [`^FO${x},${y}^BQN,2,${module},${level}^FH^FD${level}A,${fieldData(spec.text)}^FS`];
    }
    return [`^FO${x},${y}^BXN,${module},200,,,,${DATAMATRIX_ESCAPE}^FH^FD${fieldData(dataMatrixData(spec))}^FS`];
  }
  const { data, symbolCharacters } = code128FieldData(code128Tokens(spec));
  const modules = symbolCharacters * 11 + 13;
  const module = Math.min(Math.floor(area.width / (modules + 2 * quiet)), Math.round(0.5 * d.perMm));
  if (module < minModule) {
    throw symbolTooLarge(name, index, `${modules} modules need ${Math.ceil(((modules + 2 * quiet) * minModule) / d.perMm)} mm of width`);
  }
  const width = modules * module;
  const showText = spec.humanReadable ?? true;
  const textHeight = showText ? Math.round(d.line * 0.85) : 0;
  const barHeight = Math.min(area.height - textHeight, Math.round(25 * d.perMm));
  if (barHeight < 5 * d.perMm) throw symbolTooLarge(name, index, 'the bars would be less than 5 mm high');
  const x = area.x + Math.floor((area.width - width) / 2);
  const y = area.y + Math.floor((area.height - barHeight - textHeight) / 2);
  const fields = [`^FO${x},${y}^BY${module}^BCN,${barHeight},N,N,N,N^FH^FD${fieldData(data)}^FS`];
  if (showText) {
    const interpretation = encoded.kind === 'linear' ? encoded.interpretation : spec.text;
    fields.push(textField(interpretation, x, y + barHeight, width, textHeight, d, `/${index}/symbol/text`));
  }
  return fields;
}

function labelFormat(label: Label, index: number, d: Dots): string {
  checkLabel(label, index);
  let encoded: EncodedSymbol;
  try {
    encoded = encodeSymbol(label.symbol);
  } catch (error) {
    throw withLabelContext(error, index);
  }
  const lines = labelLines(label, index);
  const inner = { x: d.margin, y: d.margin, width: d.width - 2 * d.margin, height: d.height - 2 * d.margin };
  const gap = lines.length > 0 ? Math.round(0.8 * d.perMm) : 0;
  const textBlock = lines.length * d.line;
  const area = { ...inner, height: inner.height - textBlock - gap };
  // ^CI stays in force on the printer after the format, so every label states its own.
  const out = ['^XA', isAscii(label.symbol.text) && lines.every(isAscii) ? '^CI0' : '^CI28'];
  out.push(`^PW${d.width}`, `^LL${d.height}`, '^LH0,0');
  out.push(...symbolFields(label.symbol, encoded, index, area, d));
  lines.forEach((line, n) => {
    const y = inner.y + inner.height - textBlock + n * d.line;
    out.push(textField(line, inner.x, y, inner.width, d.line, d, `/${index}/lines/${n}`));
  });
  out.push('^XZ');
  return out.join('\n');
}

/** ZPL II for `labels`, one format per label, ready to send to the printer as it is. */
export function labelsZpl(labels: readonly Label[], layout: ZplLayout = {}): string {
  checkLabelCount(labels);
  const d = dots(layout);
  return `${labels.map((label, index) => labelFormat(label, index, d)).join('\n')}\n`;
}
