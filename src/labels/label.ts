/** A printable label, and the checks the PDF sheet and ZPL share. */
import { invalid, isDomainError, tooLarge, type DomainError } from '../domain/errors.js';
import type { SymbolSpec } from './barcode.js';

export interface Label {
  symbol: SymbolSpec;
  /** Human-readable lines under the symbol, at most three. */
  lines?: string[];
}

export const MAX_LABELS = 5000;
export const MAX_LINES = 3;

function labelError(code: string, message: string, pointer: string): DomainError {
  return invalid(code, message, [{ pointer, message }]);
}

export function checkLabelCount(labels: readonly Label[]): void {
  if (!Array.isArray(labels) || labels.length === 0) throw invalid('label.sheet.empty', 'There are no labels to print');
  if (labels.length > MAX_LABELS) {
    throw tooLarge('label.sheet.too_many', `At most ${MAX_LABELS} labels can be printed at once, not ${labels.length}`);
  }
}

export function checkLabel(label: Label, index: number): void {
  if (!label || typeof label !== 'object') {
    throw labelError('label.invalid', `Label ${index + 1} needs a symbol and lines of text`, `/${index}`);
  }
}

/** The label's lines, trimmed; refuses more than three and anything that is not one line of printable text. */
export function labelLines(label: Label, index: number): string[] {
  const lines = label.lines ?? [];
  if (!Array.isArray(lines) || lines.length > MAX_LINES) {
    throw labelError('label.lines.too_many', `Label ${index + 1} has more than ${MAX_LINES} lines of text`, `/${index}/lines`);
  }
  return lines.map((line, n) => {
    if (typeof line !== 'string' || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u.test(line)) {
      throw labelError(
        'label.line.invalid',
        `Line ${n + 1} of label ${index + 1} is not a single line of printable text`,
        `/${index}/lines/${n}`,
      );
    }
    return line.trim();
  });
}

/** Says which label a symbol error belongs to, keeping its code. */
export function withLabelContext(error: unknown, index: number): unknown {
  if (!isDomainError(error)) return error;
  return invalid(
    error.code,
    `Label ${index + 1}: ${error.message}`,
    error.details.map((d) => ({ ...d, pointer: `/${index}/symbol${d.pointer ?? ''}` })),
  );
}

export function symbolTooLarge(name: string, index: number, need: string): DomainError {
  return labelError(
    'label.symbol.too_large',
    `The ${name} symbol of label ${index + 1} does not fit the label: ${need}; shorten the text or use larger labels`,
    `/${index}/symbol/text`,
  );
}

export function lineTooLong(text: string, widthMm: number, pointer: string, hint = ''): DomainError {
  return labelError(
    'label.line.too_long',
    `"${text}" is too long for a ${widthMm.toFixed(0)} mm wide label${hint}; shorten it or use larger labels`,
    pointer,
  );
}
