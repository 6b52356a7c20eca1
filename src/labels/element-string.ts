/**
 * GS1 element strings in the bracketed form `(01)09506000134352(10)AB12` that labels take as input, and the raw form
 * a scanner hands over: AIs and values run together, an FNC1 (transmitted as GS, U+001D) after every value whose AI
 * has no predefined length, except the last.
 *
 * Validation is left to the symbol encoder (BWIPP's GS1 linter knows every AI); these helpers run on text it has
 * accepted.
 */
import { getApplicationIdentifier } from '../codes/gs1/application-identifiers.js';
import { GS } from '../codes/gs1/element-string.js';

export { GS as GROUP_SEPARATOR } from '../codes/gs1/element-string.js';

export interface ElementValue {
  readonly ai: string;
  readonly value: string;
}

/** Splits a bracketed element string into its AIs and values, in order. */
export function parseBracketed(text: string): ElementValue[] {
  const elements: ElementValue[] = [];
  for (const match of text.matchAll(/\((\d{2,4})\)([^(]*)/g)) elements.push({ ai: match[1]!, value: match[2]! });
  return elements;
}

/** Whether no separator follows the AI's value: the AI table (GS1 General Specifications figure 7.8.5-2) says. */
export function hasPredefinedLength(ai: string): boolean {
  return getApplicationIdentifier(ai)?.predefinedLength ?? false;
}

/**
 * The element string as encoded, one entry per AI: `separated` tells whether an FNC1 follows the value. Encoders that
 * spell FNC1 their own way (ZPL's `>8`, Data Matrix escapes) build on this.
 */
export function encodedElements(elements: readonly ElementValue[]): { data: string; separated: boolean }[] {
  return elements.map((element, index) => ({
    data: element.ai + element.value,
    separated: index < elements.length - 1 && !hasPredefinedLength(element.ai),
  }));
}

/** The raw element string as transmitted by a scanner (without the leading symbology identifier). */
export function rawElementString(elements: readonly ElementValue[]): string {
  return encodedElements(elements)
    .map((part) => part.data + (part.separated ? GS : ''))
    .join('');
}
