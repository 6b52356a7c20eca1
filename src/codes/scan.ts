/**
 * One entry point for anything a scanner, a camera or a keyboard delivers: barcode text, a QR payload, a URL, a URN
 * or a sector's native code. It asks every scheme (or the one the caller names) and returns every reading that
 * validates, in the registry's precedence order (`registry.ts` documents it), or the most precise reason it can give.
 */
import type { CodeReading, CodeScheme } from './scheme.js';

/** Longer than any payload a supported symbol carries (a QR code holds at most 7,089 digits). */
export const MAX_SCAN_LENGTH = 8_000;

export interface SchemeFailure {
  scheme: string;
  reason: string;
}

export type ScanResult =
  | { ok: true; readings: CodeReading[] }
  | {
      ok: false;
      reason: string;
      /** The schemes whose shape the text has, and what each found wrong: the likely intended codes. */
      nearMisses: SchemeFailure[];
    };

export class UnknownSchemeError extends Error {
  constructor(readonly scheme: string, readonly known: readonly string[]) {
    super(`unknown scheme "${scheme}"; known schemes: ${known.join(', ')}`);
  }
}

/**
 * Reads `input` with `schemes`. With a `hint`, only that scheme is asked and its reason is returned whatever the
 * text looks like; a hint naming no scheme throws {@link UnknownSchemeError} (a usage error, not an unreadable code).
 * With `first`, the schemes after the first that reads it are not asked: the one reading returned is the one a full
 * scan would put first.
 */
export function scanWith(schemes: readonly CodeScheme[], input: string, hint?: string, options: { first?: boolean } = {}): ScanResult {
  if (hint !== undefined) {
    const scheme = schemes.find((s) => s.id === hint);
    if (!scheme) throw new UnknownSchemeError(hint, schemes.map((s) => s.id));
    const problem = inputProblem(input);
    if (problem) return { ok: false, reason: problem, nearMisses: [] };
    const result = scheme.parse(cleaned(input));
    return result.ok
      ? { ok: true, readings: [result.value] }
      : { ok: false, reason: `not a valid ${scheme.name}: ${result.reason}`, nearMisses: [{ scheme: scheme.id, reason: result.reason }] };
  }
  const problem = inputProblem(input);
  if (problem) return { ok: false, reason: problem, nearMisses: [] };
  const text = cleaned(input);
  const readings: CodeReading[] = [];
  const nearMisses: SchemeFailure[] = [];
  for (const scheme of schemes) {
    const result = scheme.parse(text);
    if (result.ok) {
      readings.push(result.value);
      if (options.first) break;
    } else if (result.near) nearMisses.push({ scheme: scheme.id, reason: result.reason });
  }
  if (readings.length) return { ok: true, readings: distinct(readings) };
  if (nearMisses.length) {
    const named = (f: SchemeFailure) => `${schemes.find((s) => s.id === f.scheme)!.name}: ${f.reason}`;
    return { ok: false, reason: `not a valid code. ${nearMisses.map(named).join('; ')}`, nearMisses };
  }
  return { ok: false, reason: `not a code of any supported scheme (${describeShape(text)})`, nearMisses };
}

function inputProblem(input: string): string | undefined {
  if (input.length > MAX_SCAN_LENGTH) return `the text has ${input.length} characters; no supported code is longer than ${MAX_SCAN_LENGTH}`;
  if (cleaned(input) === '') return 'the text is empty';
  return undefined;
}

/**
 * Scanners in keyboard mode end a read with CR, LF or a tab, and copied text brings spaces: surrounding whitespace is
 * never part of a code. Inside the text nothing is touched (a GS separator or a line break of a seed QR is content).
 */
function cleaned(input: string): string {
  return input.replace(/^[\s\uFEFF]+|[\s\uFEFF]+$/g, '');
}

/** Two schemes may read the same thing the same way (an EPC URN and its Digital Link): keep the first. */
function distinct(readings: CodeReading[]): CodeReading[] {
  const seen = new Set<string>();
  return readings.filter((r) => {
    const key = `${r.scheme}\u0000${r.canonical}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describeShape(text: string): string {
  const kinds = [/[0-9]/.test(text) && 'digits', /[A-Za-z]/.test(text) && 'latin letters', /[^\x00-\x7f]/.test(text) && 'other characters', /[\x00-\x1f\x7f]/.test(text) && 'control characters'].filter(Boolean);
  return `${[...text].length} characters: ${kinds.join(', ') || 'punctuation'}`;
}
