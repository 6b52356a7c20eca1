/**
 * Printable labels: barcode symbols as SVG or PNG, A4 label sheets as PDF and ZPL II for thermal printers. Pure
 * rendering: no I/O beyond reading the bundled font, every input problem a DomainError (`invalid`, or `too_large` for
 * too many labels).
 */
import { invalid } from '../domain/errors.js';
import { symbolPng, symbolSvg, type SymbolSpec } from './barcode.js';

export {
  SYMBOLOGIES,
  encodeSymbol,
  symbologyName,
  type EncodedSymbol,
  type QrErrorCorrection,
  type SymbolSpec,
  type Symbology,
} from './barcode.js';
export { MAX_LABELS, MAX_LINES, type Label } from './label.js';
export { labelSheetPdf, planSheet, type SheetLayout, type SheetPlan } from './sheet.js';
export { DEFAULT_CJK_FONT, labelsZpl, type ZplLayout } from './zpl.js';

export type SymbolFormat = 'svg' | 'png';

/** One symbol as an SVG document or a PNG image. */
export function renderSymbol(spec: SymbolSpec, format: 'svg'): Promise<string>;
export function renderSymbol(spec: SymbolSpec, format: 'png'): Promise<Buffer>;
export function renderSymbol(spec: SymbolSpec, format: SymbolFormat): Promise<string | Buffer>;
export async function renderSymbol(spec: SymbolSpec, format: SymbolFormat): Promise<string | Buffer> {
  if (format === 'svg') return symbolSvg(spec);
  if (format === 'png') return symbolPng(spec);
  throw invalid('label.format.unknown', `Unknown image format "${String(format)}"; use svg or png`, [
    { pointer: '/format', message: 'use svg or png' },
  ]);
}
