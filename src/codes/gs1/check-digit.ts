/**
 * GS1 check digits (GS1 General Specifications §7.9).
 *
 * One algorithm covers every fixed-length numeric GS1 key: GTIN-8/12/13/14, SSCC, GLN, GSIN, GSRN, the GTIN inside an
 * ITIP, the 13 leading digits of a GDTI, GCN or GRAI. Counting from the right-most data digit (the one just before the
 * check digit), digits are weighted 3, 1, 3, 1, …; the check digit brings the weighted sum up to a multiple of ten.
 * Because the weights run from the right, leading zeros do not change the result, which is why a GTIN-13 and its
 * zero-padded GTIN-14 share a check digit.
 *
 * The GMN (AI 8013) uses a different scheme, a pair of check characters over the AI encodable character set 82
 * (§7.9.5); it is here as well because the AI table marks 8013 as check-protected.
 */

const DIGITS = /^[0-9]+$/;

/**
 * The check digit for a string of data digits (without the check digit). Throws on non-digits because a caller
 * passing anything else has a bug: validation of user input belongs to {@link hasValidCheckDigit}.
 */
export function gs1CheckDigit(dataDigits: string): string {
  // Checked while summing rather than by a regex first: every EPC URI the capture path validates needs a check digit.
  const n = dataDigits.length;
  let sum = 0;
  let weight = 3;
  for (let i = n - 1; i >= 0; i -= 1) {
    const digit = dataDigits.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) throw notDigits(dataDigits);
    sum += digit * weight;
    weight = 4 - weight;
  }
  if (n === 0) throw notDigits(dataDigits);
  return CHECK_DIGITS[(10 - (sum % 10)) % 10]!;
}

const notDigits = (text: string) => new TypeError(`GS1 check digit needs digits only, got "${text}"`);
const CHECK_DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** The data digits followed by their check digit. */
export function withCheckDigit(dataDigits: string): string {
  return dataDigits + gs1CheckDigit(dataDigits);
}

/** True when the last digit of `digits` is the GS1 check digit of the digits before it. */
export function hasValidCheckDigit(digits: string): boolean {
  if (digits.length < 2 || !DIGITS.test(digits)) return false;
  return gs1CheckDigit(digits.slice(0, -1)) === digits.slice(-1);
}

/**
 * {@link hasValidCheckDigit} of `text.slice(from, from + length)`, read in place, and false when that range runs past
 * the end: for parsers that meet a key inside a longer string (a Digital Link path) once per identifier.
 */
export function hasValidCheckDigitAt(text: string, from: number, length: number): boolean {
  if (length < 2 || from < 0 || from + length > text.length) return false;
  let sum = 0;
  let weight = 3;
  for (let i = from + length - 2; i >= from; i -= 1) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
    sum += digit * weight;
    weight = 4 - weight;
  }
  return text.charCodeAt(from + length - 1) - 48 === (10 - (sum % 10)) % 10;
}

/** Lengths GS1 assigns to GTINs; anything else is not a GTIN even if its check digit happens to work out. */
const GTIN_LENGTHS = new Set([8, 12, 13, 14]);

/** A GTIN-8, -12, -13 or -14 with a correct check digit. */
export function isValidGtin(gtin: string): boolean {
  return GTIN_LENGTHS.has(gtin.length) && hasValidCheckDigit(gtin);
}

/** Left-pads a GTIN-8/12/13 to the 14-digit form used in element strings and canonical Digital Link URIs. */
export function toGtin14(gtin: string): string {
  if (!GTIN_LENGTHS.has(gtin.length) || !DIGITS.test(gtin)) {
    throw new TypeError(`not a GTIN-8/12/13/14: "${gtin}"`);
  }
  return gtin.padStart(14, '0');
}

/**
 * The GS1 AI encodable character set 82 in the order that gives each character its value in the GMN check
 * character calculation (GS1 General Specifications figure 7.11-1): symbols and digits by code point, then letters.
 */
const CSET82_ORDER = '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
/** The 32 characters a GMN check character may take (set 32: digits 2–9 and letters without I and O). */
const CSET32 = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
/** Prime weights, the right-most data character taking the first (2), the next one leftwards 3, and so on. */
const GMN_WEIGHTS = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83];

/**
 * The two check characters of a GMN (AI 8013) for its data characters (1–23 characters of set 82). Returns undefined
 * for data that cannot carry a GMN check pair, so callers can report the value as malformed.
 */
export function gmnCheckPair(data: string): string | undefined {
  if (data.length < 1 || data.length > GMN_WEIGHTS.length) return undefined;
  let sum = 0;
  for (let i = 0; i < data.length; i += 1) {
    const value = CSET82_ORDER.indexOf(data[data.length - 1 - i]!);
    if (value < 0) return undefined;
    sum += value * GMN_WEIGHTS[i]!;
  }
  const remainder = sum % 1021;
  return CSET32[Math.floor(remainder / 32)]! + CSET32[remainder % 32]!;
}

/** True when the last two characters of `gmn` are the GMN check pair of the characters before them. */
export function hasValidGmnCheckPair(gmn: string): boolean {
  if (gmn.length < 3) return false;
  return gmnCheckPair(gmn.slice(0, -2)) === gmn.slice(-2);
}
