/**
 * A4 label sheets as PDF: a grid of labels, each a barcode symbol drawn as vector rectangles (so it stays sharp at any
 * printer resolution) over one to three centred lines of text set in an embedded CJK font. Layout is computed first
 * ({@link planSheet}, pure and testable), then drawn.
 */
import PDFDocument from 'pdfkit';
import { invalid, type DomainError } from '../domain/errors.js';
import { encodeSymbol, QUIET_ZONE_MODULES, symbologyName, type EncodedSymbol } from './barcode.js';
import { firstMissingCharacter, labelFont, type LabelFont } from './font.js';
import {
  checkLabel,
  checkLabelCount,
  labelLines,
  lineTooLong,
  symbolTooLarge,
  withLabelContext,
  type Label,
} from './label.js';

export type { Label } from './label.js';

export interface SheetLayout {
  /** Default 3. */
  columns?: number;
  /** Default 8. */
  rows?: number;
  /** Page margins in millimetres. Default 4.5 top and bottom, 0 left and right: 70 × 36 mm labels, 24 to a sheet. */
  marginsMm?: { top?: number; right?: number; bottom?: number; left?: number };
  /** Default 0. */
  columnGapMm?: number;
  /** Default 0. */
  rowGapMm?: number;
  /** White space kept inside each label's edge, in millimetres. Default 3. */
  paddingMm?: number;
  /** Size of the text lines in points; a line too wide for the label is set smaller, down to 4.5 pt. Default 7. */
  fontSizePt?: number;
  /** Draw each label's outline, for cutting labels from plain paper. Default false. */
  outline?: boolean;
  /** The PDF's creation date; the output is byte-for-byte reproducible when it is given. Default now. */
  createdAt?: Date;
  title?: string;
  /** A TrueType or OpenType font to use instead of the default Noto Sans Hans. */
  font?: Uint8Array;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedText {
  text: string;
  x: number;
  /** Top of the line box, as PDFKit places text. */
  y: number;
  sizePt: number;
}

export interface PlacedLabel {
  /** Position of the label in the input. */
  index: number;
  page: number;
  cell: Box;
  /** The symbol with its quiet zone: the area a reader needs to see. */
  symbolBox: Box;
  symbol: EncodedSymbol;
  /** Origin of the first module, and the module size, in points. */
  origin: { x: number; y: number };
  module: number;
  /** Bar height for linear symbols, in points. */
  barHeight: number;
  interpretation?: PlacedText;
  lines: PlacedText[];
}

export interface SheetPlan {
  pageSize: { width: number; height: number };
  pages: PlacedLabel[][];
}

export const A4 = { width: mmToPt(210), height: mmToPt(297) };

const MIN_FONT_PT = 4.5;
const LINE_HEIGHT = 1.25;
/** Narrowest module the sheet will print: 0.19 mm bars (about two dots at 300 dpi), 0.25 mm 2D modules. */
const MIN_LINEAR_MODULE = mmToPt(0.19);
const MIN_MATRIX_MODULE = mmToPt(0.25);
/** Short data would otherwise give bars and modules wider than any reader expects. */
const MAX_LINEAR_MODULE = mmToPt(0.5);
const MAX_MATRIX_MODULE = mmToPt(1.5);
const TEXT_GAP = mmToPt(0.8);
/**
 * One dot of a 300 dpi printer (and two of a 600 dpi one). 2D modules a whole number of dots wide, starting on a
 * dot, print with crisp, equal edges; a module of 5.7 dots comes out as 5 or 6 dots at random, which readers tolerate
 * badly in the finder patterns of a QR code. (Linear symbols keep their exact width: their narrowest bars are only
 * two or three dots, and rounding those would cost more than it gains.)
 */
const PRINTER_DOT = 72 / 300;
const onDots = (pt: number) => Math.floor(pt / PRINTER_DOT) * PRINTER_DOT;
const toDot = (pt: number) => Math.round(pt / PRINTER_DOT) * PRINTER_DOT;

export function mmToPt(mm: number): number {
  return (mm * 72) / 25.4;
}

function ptToMm(pt: number): number {
  return (pt * 25.4) / 72;
}

function layoutError(message: string, pointer: string): DomainError {
  return invalid('label.layout.invalid', message, [{ pointer, message }]);
}

function labelError(code: string, message: string, pointer: string): DomainError {
  return invalid(code, message, [{ pointer, message }]);
}

function count(value: number | undefined, fallback: number, max: number, name: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw layoutError(`${name} must be a whole number from 1 to ${max}`, `/${name}`);
  return n;
}

function length(value: number | undefined, fallback: number, name: string): number {
  const n = value ?? fallback;
  if (!Number.isFinite(n) || n < 0 || n > 100) throw layoutError(`${name} must be between 0 and 100 mm`, `/${name}`);
  return n;
}

interface Grid {
  columns: number;
  rows: number;
  cells: Box[];
  padding: number;
  fontSizePt: number;
}

function grid(layout: SheetLayout): Grid {
  const columns = count(layout.columns, 3, 20, 'columns');
  const rows = count(layout.rows, 8, 40, 'rows');
  const margins = layout.marginsMm ?? {};
  const top = mmToPt(length(margins.top, 4.5, 'marginsMm/top'));
  const bottom = mmToPt(length(margins.bottom, 4.5, 'marginsMm/bottom'));
  const left = mmToPt(length(margins.left, 0, 'marginsMm/left'));
  const right = mmToPt(length(margins.right, 0, 'marginsMm/right'));
  const columnGap = mmToPt(length(layout.columnGapMm, 0, 'columnGapMm'));
  const rowGap = mmToPt(length(layout.rowGapMm, 0, 'rowGapMm'));
  const padding = mmToPt(length(layout.paddingMm, 3, 'paddingMm'));
  const fontSizePt = layout.fontSizePt ?? 7;
  if (!Number.isFinite(fontSizePt) || fontSizePt < MIN_FONT_PT || fontSizePt > 36) {
    throw layoutError(`fontSizePt must be between ${MIN_FONT_PT} and 36`, '/fontSizePt');
  }
  const width = (A4.width - left - right - columnGap * (columns - 1)) / columns;
  const height = (A4.height - top - bottom - rowGap * (rows - 1)) / rows;
  if (width - 2 * padding < mmToPt(10) || height - 2 * padding < mmToPt(10)) {
    throw layoutError(
      `The layout leaves ${ptToMm(width).toFixed(1)} × ${ptToMm(height).toFixed(1)} mm per label, too small after ${ptToMm(padding)} mm padding; use fewer columns or rows, or smaller margins`,
      '',
    );
  }
  const cells: Box[] = [];
  for (let row = 0; row < rows; row += 1) {
    for (let column = 0; column < columns; column += 1) {
      cells.push({ x: left + column * (width + columnGap), y: top + row * (height + rowGap), width, height });
    }
  }
  return { columns, rows, cells, padding, fontSizePt };
}

/** The lines, checked against the font: a label never prints a blank box for a character of a name. */
function checkLines(label: Label, index: number, font: LabelFont): string[] {
  return labelLines(label, index).map((text, n) => {
    const missing = firstMissingCharacter(font, text);
    if (missing === undefined) return text;
    const code = missing.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw labelError(
      'label.line.unsupported_character',
      `Line ${n + 1} of label ${index + 1}: the label font has no glyph for "${missing}" (U+${code})`,
      `/${index}/lines/${n}`,
    );
  });
}

/** Sets a line centred in `width`, shrinking it to fit; a line that does not fit at the smallest size is refused. */
function placeLine(text: string, box: Box, y: number, sizePt: number, font: LabelFont, pointer: string): PlacedText {
  const natural = font.width(text, sizePt);
  const size = natural > box.width ? (sizePt * box.width) / natural : sizePt;
  if (size < MIN_FONT_PT) throw lineTooLong(text, ptToMm(box.width), pointer, ` even at ${MIN_FONT_PT} pt`);
  const width = font.width(text, size);
  return { text, x: box.x + (box.width - width) / 2, y, sizePt: size };
}

function placeLabel(label: Label, index: number, page: number, cell: Box, g: Grid, font: LabelFont): PlacedLabel {
  checkLabel(label, index);
  let symbol: EncodedSymbol;
  try {
    symbol = encodeSymbol(label.symbol);
  } catch (error) {
    throw withLabelContext(error, index);
  }
  const texts = checkLines(label, index, font);
  const content: Box = {
    x: cell.x + g.padding,
    y: cell.y + g.padding,
    width: cell.width - 2 * g.padding,
    height: cell.height - 2 * g.padding,
  };
  const lineHeight = g.fontSizePt * LINE_HEIGHT;
  const textHeight = texts.length * lineHeight;
  const area: Box = { ...content, height: content.height - textHeight - (texts.length > 0 ? TEXT_GAP : 0) };
  const tooSmall = (need: string) => symbolTooLarge(symbologyName(symbol.symbology), index, need);

  const quiet = QUIET_ZONE_MODULES[symbol.symbology];
  let module: number;
  let symbolBox: Box;
  let barHeight = 0;
  let interpretation: PlacedText | undefined;
  if (symbol.kind === 'matrix') {
    const across = symbol.columns + 2 * quiet;
    const down = symbol.rows + 2 * quiet;
    module = onDots(Math.min(area.width / across, area.height / down, MAX_MATRIX_MODULE));
    if (module < MIN_MATRIX_MODULE) {
      const need = ptToMm(Math.max(across, down) * MIN_MATRIX_MODULE).toFixed(1);
      throw tooSmall(`${symbol.columns} × ${symbol.rows} modules and their quiet zone need at least ${need} × ${need} mm`);
    }
    symbolBox = {
      x: toDot(area.x + (area.width - across * module) / 2),
      y: toDot(area.y + Math.max(0, area.height - down * module) / 2),
      width: across * module,
      height: down * module,
    };
  } else {
    const across = symbol.modules + 2 * quiet;
    module = Math.min(area.width / across, MAX_LINEAR_MODULE);
    if (module < MIN_LINEAR_MODULE) {
      throw tooSmall(`${symbol.modules} modules need at least ${ptToMm(across * MIN_LINEAR_MODULE).toFixed(0)} mm of width`);
    }
    const showText = label.symbol.humanReadable ?? true;
    const hriSize = g.fontSizePt * 0.9;
    const hriHeight = showText ? hriSize * LINE_HEIGHT : 0;
    barHeight = Math.min(area.height - hriHeight, mmToPt(label.symbol.barHeightMm ?? 25));
    if (barHeight < mmToPt(5)) throw tooSmall('the bars would be less than 5 mm high');
    const height = barHeight + hriHeight;
    symbolBox = {
      x: area.x + (area.width - across * module) / 2,
      y: area.y + (area.height - height) / 2,
      width: across * module,
      height,
    };
    if (showText) {
      const below = symbolBox.y + barHeight + hriSize * 0.2;
      interpretation = placeLine(symbol.interpretation, symbolBox, below, hriSize, font, `/${index}/symbol/text`);
    }
  }
  const lines = texts.map((text, n) =>
    placeLine(text, content, content.y + content.height - textHeight + n * lineHeight, g.fontSizePt, font, `/${index}/lines/${n}`),
  );
  const origin = {
    x: symbolBox.x + quiet * module,
    y: symbol.kind === 'matrix' ? symbolBox.y + quiet * module : symbolBox.y,
  };
  return { index, page, cell, symbolBox, symbol, origin, module, barHeight, interpretation, lines };
}

/** Where every label goes, with its encoded symbol and text; throws a DomainError for anything that cannot print. */
export function planSheet(labels: readonly Label[], layout: SheetLayout = {}): SheetPlan {
  return plan(labels, layout, labelFont(layout.font));
}

function plan(labels: readonly Label[], layout: SheetLayout, font: LabelFont): SheetPlan {
  checkLabelCount(labels);
  const g = grid(layout);
  const perPage = g.cells.length;
  const pages: PlacedLabel[][] = [];
  labels.forEach((label, index) => {
    const page = Math.floor(index / perPage);
    (pages[page] ??= []).push(placeLabel(label, index, page, g.cells[index % perPage]!, g, font));
  });
  return { pageSize: A4, pages };
}

function drawSymbol(doc: PDFKit.PDFDocument, placed: PlacedLabel): void {
  const { symbol, origin, module } = placed;
  // One path for the whole symbol: filled at once, abutting modules rasterise without hairline seams.
  if (symbol.kind === 'matrix') {
    for (let row = 0; row < symbol.rows; row += 1) {
      let column = 0;
      while (column < symbol.columns) {
        if (!symbol.dark[row * symbol.columns + column]) {
          column += 1;
          continue;
        }
        const start = column;
        while (column < symbol.columns && symbol.dark[row * symbol.columns + column]) column += 1;
        doc.rect(origin.x + start * module, origin.y + row * module, (column - start) * module, module);
      }
    }
  } else {
    let x = origin.x;
    symbol.elements.forEach((width, i) => {
      if (i % 2 === 0) doc.rect(x, origin.y, width * module, placed.barHeight);
      x += width * module;
    });
  }
  doc.fill('#000000');
}

function drawText(doc: PDFKit.PDFDocument, text: PlacedText): void {
  doc.fontSize(text.sizePt).text(text.text, text.x, text.y, { lineBreak: false });
}

/** Renders labels onto as many A4 pages as they need. */
export async function labelSheetPdf(labels: readonly Label[], layout: SheetLayout = {}): Promise<Buffer> {
  const font = labelFont(layout.font);
  const sheet = plan(labels, layout, font);
  const createdAt = layout.createdAt ?? new Date();
  const doc = new PDFDocument({
    autoFirstPage: false,
    compress: true,
    lang: 'zh-CN',
    info: {
      Title: layout.title ?? 'Labels',
      Creator: 'zhuisu',
      Producer: 'zhuisu',
      CreationDate: createdAt,
      ModDate: createdAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('label', font.data);
  for (const page of sheet.pages) {
    doc.addPage({ size: [sheet.pageSize.width, sheet.pageSize.height], margin: 0 });
    doc.font('label').fillColor('#000000');
    for (const placed of page) {
      if (layout.outline) {
        const { x, y, width, height } = placed.cell;
        doc.save().lineWidth(0.25).strokeColor('#999999').rect(x, y, width, height).stroke().restore();
      }
      drawSymbol(doc, placed);
      if (placed.interpretation) drawText(doc, placed.interpretation);
      for (const line of placed.lines) drawText(doc, line);
    }
  }
  doc.end();
  return done;
}
