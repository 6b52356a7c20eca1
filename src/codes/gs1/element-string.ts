/**
 * GS1 element strings: AI/value pairs as barcodes carry them and as they are printed beneath the bars.
 *
 *   bracketed (human-readable) (01)09506000134352(17)251231(10)ABC123
 *   raw (what a scanner sends)  ]d2 0109506000134352 17251231 10ABC123 <GS> 21XYZ   (without the spaces)
 *
 * Reading the raw form:
 * - An optional AIM symbology identifier comes first. `]C1` (GS1-128), `]d2` (GS1 DataMatrix), `]Q3` (GS1 QR Code),
 *   `]e0` (GS1 DataBar and Composite) and `]J1` (GS1 DotCode) announce GS1 data. `]E0` (EAN-13, UPC-A) and `]E4`
 *   (EAN-8) carry a bare GTIN, read as AI (01). Any other identifier (`]C0`, `]d1`, `]Q1` …) marks a symbol whose
 *   data is not GS1 element strings, and the text is refused with that reason.
 * - FNC1 arrives either as ASCII GS (U+001D), which is what scanners send, or as `^`, the spelling tools and
 *   keyboard-wedge set-ups use. Neither character is in the AI character sets, so both can always be read as a
 *   separator. A leading FNC1 (the symbol's "FNC1 in first position", sent by some scanners) is skipped, as are
 *   separators where none is needed (after a predefined-length AI, at the end).
 * - The first two digits of an AI decide its length; a predefined-length AI takes exactly its length and needs no
 *   separator, any other value runs to the next separator or the end of the data.
 *
 * Reading the bracketed form: an AI is `(` + 2–4 digits + `)`, full-width brackets （ ） included because Chinese
 * input methods type them. A value runs until the next such AI; a data `(` that would be mistaken for one is written
 * `\(`. Whitespace around values is ignored: no AI value may contain any.
 *
 * Every value is then validated against the AI table (length, character set, check digits, dates, code lists), an AI
 * given twice must have the same value both times (it is then kept once), and the mandatory associations and invalid
 * pairings of the GS1 Barcode Syntax Dictionary are enforced: (10), (17) or (21) without the key they qualify, (01)
 * with (02), (37) without (00) and (02) … Those rules are meant for all the data on one item; a caller reading one
 * carrier of several can turn them off and check the combined data with {@link validateElements}.
 */
import {
  aiLengthForPrefix,
  checkAiAssociations,
  getApplicationIdentifier,
  isDigitalLinkPrimaryKey,
  isKeyQualifierOf,
  validateAiValue,
} from './application-identifiers.js';
import { hasValidCheckDigit } from './check-digit.js';
import { CANONICAL_DIGITAL_LINK_BASE, formatDigitalLink, parseDigitalLink, type AiValue } from './digital-link.js';
import { fail, ok, type Gs1Result } from './result.js';

/** ASCII group separator: FNC1 as scanners transmit it. */
export const GS = '\u001d';

export interface Gs1SymbologyIdentifier {
  /** As transmitted, e.g. `]d2`. */
  readonly identifier: string;
  readonly name: string;
}

export interface ParsedElementString {
  /** The elements in the order read; an AI given twice with the same value is kept once. */
  elements: AiValue[];
  /** The symbology an AIM symbology identifier named, when the text started with one. */
  symbology?: Gs1SymbologyIdentifier;
}

export interface ElementStringOptions {
  /**
   * Enforce the mandatory associations and invalid pairings (default true). Off for one carrier of several on an item,
   * whose rules only hold over the combined data.
   */
  checkAssociations?: boolean;
}

// --- AIM symbology identifiers ---------------------------------------------------------------------------------------

/** Symbology identifiers whose data is GS1 element strings (FNC1 in first position). */
const GS1_SYMBOLOGIES: ReadonlyMap<string, string> = new Map([
  [']C1', 'GS1-128'],
  [']d2', 'GS1 DataMatrix'],
  [']Q3', 'GS1 QR Code'],
  [']e0', 'GS1 DataBar / GS1 Composite'],
  [']J1', 'GS1 DotCode'],
]);

/**
 * EAN/UPC symbols carry a GTIN without an AI: ]E0 thirteen digits (EAN-13, UPC-A, UPC-E; twelve from scanners set to
 * drop the leading zero of a UPC-A), ]E4 eight (EAN-8).
 */
const EAN_UPC: ReadonlyMap<string, { name: string; lengths: readonly number[] }> = new Map([
  [']E0', { name: 'EAN-13 / UPC-A / UPC-E', lengths: [13, 12] }],
  [']E4', { name: 'EAN-8', lengths: [8] }],
]);

/** The symbologies AIM identifiers name by their letter, for the reason given when one marks no GS1 data. */
const NON_GS1_SYMBOLOGIES: Readonly<Record<string, string>> = {
  C: 'Code 128',
  d: 'Data Matrix',
  Q: 'QR Code',
  J: 'DotCode',
  E: 'EAN/UPC',
  A: 'Code 39',
  F: 'Codabar',
  G: 'Code 93',
  I: 'Interleaved 2 of 5',
  L: 'PDF417',
  z: 'Aztec Code',
  X: 'an unregistered symbology',
};

const GS1_WITH_ECI = new Set([']d5', ']Q4']);

type SymbologyReading =
  | { kind: 'gs1'; symbology: Gs1SymbologyIdentifier; content: string }
  | { kind: 'gtin'; symbology: Gs1SymbologyIdentifier; content: string; lengths: readonly number[] };

function readSymbologyIdentifier(text: string): Gs1Result<SymbologyReading> {
  const identifier = text.slice(0, 3);
  const content = text.slice(3);
  const gs1 = GS1_SYMBOLOGIES.get(identifier);
  if (gs1 !== undefined) return ok({ kind: 'gs1', symbology: { identifier, name: gs1 }, content });
  const ean = EAN_UPC.get(identifier);
  if (ean !== undefined) {
    return ok({ kind: 'gtin', symbology: { identifier, name: ean.name }, content, lengths: ean.lengths });
  }
  if (!/^\][A-Za-z][0-9A-Za-z]$/.test(identifier)) {
    return fail(`"${printable(identifier)}" is not an AIM symbology identifier (] followed by a letter and a modifier)`);
  }
  if (GS1_WITH_ECI.has(identifier)) {
    return fail(`${identifier} marks GS1 data with ECI escape sequences, which are not supported`);
  }
  const symbology = NON_GS1_SYMBOLOGIES[identifier[1]!] ?? `symbology "${identifier[1]}"`;
  const uri = /^https?:\/\//i.test(content) ? '; its data is a URI, which may be a GS1 Digital Link' : '';
  return fail(
    `${identifier} identifies ${symbology} without GS1 mode (no FNC1 in first position): ` +
      `its data is not a GS1 element string${uri}`,
  );
}

// --- Reading ---------------------------------------------------------------------------------------------------------

const isSeparator = (char: string | undefined) => char === GS || char === '^';

/** Control characters are shown escaped in reasons so a log line stays one readable line. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === GS ? '<GS>' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A short excerpt for reasons: an arbitrary scan can be megabytes long. */
const excerpt = (text: string) => printable(text.length > 24 ? `${text.slice(0, 24)}…` : text);

function readRaw(content: string): Gs1Result<AiValue[]> {
  const elements: AiValue[] = [];
  const n = content.length;
  let i = 0;
  while (i < n) {
    if (isSeparator(content[i])) {
      i += 1;
      continue;
    }
    const at = `at character ${i + 1}`;
    const prefix = content.slice(i, i + 2);
    if (!/^[0-9]{2}$/.test(prefix)) {
      return fail(`${at}: expected the digits of an AI, found "${excerpt(content.slice(i))}"`);
    }
    const aiLength = aiLengthForPrefix(prefix);
    if (aiLength === undefined) return fail(`${at}: no GS1 Application Identifier starts with ${prefix}`);
    const ai = content.slice(i, i + aiLength);
    if (!/^[0-9]+$/.test(ai) || ai.length < aiLength) {
      return fail(`${at}: AIs starting with ${prefix} have ${aiLength} digits, found "${excerpt(ai)}"`);
    }
    const definition = getApplicationIdentifier(ai);
    if (!definition) return fail(`${at}: AI (${ai}) is unknown`);
    i += aiLength;
    if (definition.predefinedLength) {
      const value = content.slice(i, i + definition.maxLength);
      let found = 0;
      while (found < value.length && !isSeparator(value[found])) found += 1;
      if (found < definition.maxLength) {
        return fail(
          `AI (${ai}) ${definition.title} has a predefined length of ${definition.maxLength} characters, ` +
            `but ${found < value.length ? 'a separator follows' : 'the data ends'} after ${found}`,
        );
      }
      elements.push({ ai, value });
      i += definition.maxLength;
      continue;
    }
    let end = i;
    while (end < n && !isSeparator(content[end])) end += 1;
    const value = content.slice(i, end);
    if (value === '') return fail(`AI (${ai}) ${definition.title} has no value`);
    if (value.length > definition.maxLength) {
      return fail(
        `AI (${ai}) ${definition.title} takes at most ${definition.maxLength} characters, but ${value.length} follow it ` +
          `before the next separator: is an FNC1 (GS) separator missing after its value?`,
      );
    }
    elements.push({ ai, value });
    i = end;
  }
  if (elements.length === 0) return fail('the data holds no GS1 element string, only separators');
  return ok(elements);
}

/** `(` + 2–4 digits + `)`: the start of a bracketed AI. */
const BRACKETED_AI = /\(([0-9]{2,4})\)/y;

function bracketedAiAt(text: string, at: number): RegExpExecArray | null {
  BRACKETED_AI.lastIndex = at;
  return BRACKETED_AI.exec(text);
}

/** What may surround a bracketed value without being part of it: whitespace, and separators pasted from raw data. */
const VALUE_PADDING = /^[\s\u001d^]+|[\s\u001d^]+$/g;

function readBracketed(text: string): Gs1Result<AiValue[]> {
  // Full-width brackets are no AI value character, so turning them into ASCII cannot change a value.
  const content = text.replace(/\uFF08/g, '(').replace(/\uFF09/g, ')');
  const elements: AiValue[] = [];
  const n = content.length;
  let i = 0;
  while (i < n && /\s/.test(content[i]!)) i += 1;
  while (i < n) {
    const m = bracketedAiAt(content, i);
    if (m === null) return fail(`at character ${i + 1}: expected "(AI)", found "${excerpt(content.slice(i))}"`);
    const ai = m[1]!;
    i += m[0].length;
    const parts: string[] = [];
    let from = i;
    while (i < n) {
      const char = content[i];
      if (char === '\\' && content[i + 1] === '(') {
        parts.push(content.slice(from, i), '(');
        i += 2;
        from = i;
        continue;
      }
      if (char === '(' && bracketedAiAt(content, i) !== null) break;
      i += 1;
    }
    parts.push(content.slice(from, i));
    const value = parts.join('').replace(VALUE_PADDING, '');
    if (value === '') return fail(`AI (${ai}) has no value`);
    elements.push({ ai, value });
  }
  if (elements.length === 0) return fail('the text holds no "(AI)value" element');
  return ok(elements);
}

function startsBracketed(text: string): boolean {
  const first = text.trimStart()[0];
  return first === '(' || first === '\uFF08';
}

/**
 * Checks elements as one element string: every value against its AI, an AI repeated only with the same value (kept
 * once), and, unless turned off, the mandatory associations and invalid pairings. Returns the elements without the
 * repeats, in the order given.
 */
export function validateElements(elements: readonly AiValue[], options: ElementStringOptions = {}): Gs1Result<AiValue[]> {
  if (elements.length === 0) return fail('an element string needs at least one AI');
  const kept: AiValue[] = [];
  const seen = new Map<string, string>();
  for (const { ai, value } of elements) {
    const valid = validateAiValue(ai, value);
    if (!valid.ok) return valid;
    const earlier = seen.get(ai);
    if (earlier !== undefined) {
      if (earlier === value) continue;
      const title = getApplicationIdentifier(ai)?.title ?? '';
      return fail(`AI (${ai}) ${title} appears twice with different values, "${earlier}" and "${value}"`);
    }
    seen.set(ai, value);
    kept.push({ ai, value });
  }
  if (options.checkAssociations !== false) {
    const associations = checkAiAssociations(kept.map((e) => e.ai));
    if (!associations.ok) return associations;
  }
  return ok(kept);
}

/**
 * Parses an element string in bracketed or raw form, with or without an AIM symbology identifier (see the module
 * comment for what is accepted), and validates it with {@link validateElements}.
 */
export function parseElementString(text: string, options: ElementStringOptions = {}): Gs1Result<ParsedElementString> {
  if (text.length === 0) return fail('the element string is empty');
  let content = text;
  let symbology: Gs1SymbologyIdentifier | undefined;
  if (text.startsWith(']')) {
    const aim = readSymbologyIdentifier(text);
    if (!aim.ok) return aim;
    symbology = aim.value.symbology;
    content = aim.value.content;
    if (aim.value.kind === 'gtin') {
      const gtin = readEanUpc(aim.value.content, aim.value.symbology, aim.value.lengths);
      if (!gtin.ok) return gtin;
      return ok({ elements: [{ ai: '01', value: gtin.value }], symbology });
    }
    if (content === '') return fail(`${symbology.identifier} (${symbology.name}) is followed by no data`);
  }
  const read = startsBracketed(content) ? readBracketed(content) : readRaw(content);
  if (!read.ok) return read;
  const valid = validateElements(read.value, options);
  if (!valid.ok) return valid;
  return ok(symbology === undefined ? { elements: valid.value } : { elements: valid.value, symbology });
}

function readEanUpc(content: string, symbology: Gs1SymbologyIdentifier, lengths: readonly number[]): Gs1Result<string> {
  const symbol = `${symbology.identifier} (${symbology.name})`;
  if (!/^[0-9]+$/.test(content) || !lengths.includes(content.length)) {
    return fail(`${symbol} data must be ${lengths.join(' or ')} digits, got "${excerpt(content)}"`);
  }
  if (!hasValidCheckDigit(content)) return fail(`${symbol}: check digit of ${content} is wrong`);
  return ok(content.padStart(14, '0'));
}

// --- Writing ---------------------------------------------------------------------------------------------------------

export interface FormatOptions {
  /** `bracketed` (the default) for human-readable text, `raw` for barcode data. */
  form?: 'bracketed' | 'raw';
  /** The FNC1 separator in the raw form: ASCII GS (the default) or `^`. */
  separator?: typeof GS | '^';
  /** Written in front of raw data, e.g. `]d2`; nothing by default. */
  symbologyIdentifier?: string;
}

/** A data `(` that the bracketed reader would take for the start of an AI. */
const AMBIGUOUS_BRACKET = /\((?=[0-9]{2,4}\))/g;

/**
 * Writes elements as an element string, in the order given. The bracketed form escapes a data `(` as `\(` only where
 * it would otherwise read as an AI; the raw form puts a separator only after a value whose AI has no predefined length
 * and that is not the last. Values are written as given: validate first ({@link validateElements}).
 */
export function formatElementString(elements: readonly AiValue[], options: FormatOptions = {}): string {
  if ((options.form ?? 'bracketed') === 'bracketed') {
    return elements.map((e) => `(${e.ai})${e.value.replace(AMBIGUOUS_BRACKET, '\\(')}`).join('');
  }
  const separator = options.separator ?? GS;
  let out = options.symbologyIdentifier ?? '';
  elements.forEach((e, i) => {
    out += e.ai + e.value;
    const predefined = getApplicationIdentifier(e.ai)?.predefinedLength ?? false;
    if (!predefined && i < elements.length - 1) out += separator;
  });
  return out;
}

// --- Digital Link ----------------------------------------------------------------------------------------------------

export interface DigitalLinkPlan {
  primaryKey: AiValue;
  /** In the order the Digital Link standard prescribes. */
  qualifiers: AiValue[];
  /** Everything else, in the order given. */
  attributes: AiValue[];
}

/**
 * How elements map onto a Digital Link: the primary key is the first element whose AI is a Digital Link primary key;
 * of the key's qualifier sequences the one that takes the most of the elements present is used (the first on a tie);
 * every other element is a data attribute. Undefined when no element is a primary key.
 */
export function planDigitalLink(elements: readonly AiValue[]): DigitalLinkPlan | undefined {
  const primaryKey = elements.find((e) => isDigitalLinkPrimaryKey(e.ai));
  if (primaryKey === undefined) return undefined;
  const sequences = getApplicationIdentifier(primaryKey.ai)?.digitalLink?.qualifierSequences ?? [];
  const present = (sequence: readonly string[]) => sequence.filter((ai) => elements.some((e) => e.ai === ai)).length;
  let best: readonly string[] = [];
  for (const sequence of sequences) if (present(sequence) > present(best)) best = sequence;
  const qualifiers = best.flatMap((ai) => elements.filter((e) => e.ai === ai).slice(0, 1));
  const attributes = elements.filter((e) => e !== primaryKey && !qualifiers.includes(e));
  return { primaryKey, qualifiers, attributes };
}

const compareAi = (a: AiValue, b: AiValue) => (a.ai < b.ai ? -1 : a.ai > b.ai ? 1 : 0);

/**
 * The canonical order of an element string: the Digital Link primary key, its key qualifiers in the prescribed order,
 * then every other element by ascending AI. Element strings holding the same data in different orders get one
 * spelling, and the identifying part leads, as a reader expects.
 */
export function canonicalElementOrder(elements: readonly AiValue[]): AiValue[] {
  const plan = planDigitalLink(elements);
  if (plan === undefined) return [...elements].sort(compareAi);
  return [plan.primaryKey, ...plan.qualifiers, ...[...plan.attributes].sort(compareAi)];
}

/** Why an element cannot travel as a Digital Link data attribute, or undefined when it can. */
function attributeProblem(element: AiValue, primaryKey: string, qualifiers: readonly AiValue[]): string | undefined {
  const definition = getApplicationIdentifier(element.ai);
  if (definition?.digitalLinkAttribute !== false) return undefined;
  const notAttribute = `AI (${element.ai}) ${definition.title} is not permitted as a Digital Link data attribute`;
  if (!isKeyQualifierOf(primaryKey, element.ai)) return notAttribute;
  // A qualifier of another of the key's sequences: it cannot share the path with the qualifiers already there.
  const beside = qualifiers.map((q) => `(${q.ai})`).join('');
  return `${notAttribute}, and as a key qualifier of (${primaryKey}) it cannot be combined with ${beside || 'the path'}`;
}

/**
 * Converts an element string (text in any form {@link parseElementString} reads, or elements) to a GS1 Digital Link
 * URI on `base` (https://id.gs1.org by default, written as given): primary key and key qualifiers in the path,
 * every other AI as a query attribute, sorted by AI. Fails when there is no primary key or when an AI can be neither a
 * key qualifier here nor a data attribute, e.g. (235) beside (10).
 */
export function elementStringToDigitalLink(
  input: string | readonly AiValue[],
  options: ElementStringOptions & { base?: string } = {},
): Gs1Result<string> {
  let list: AiValue[];
  if (typeof input === 'string') {
    const parsed = parseElementString(input, options);
    if (!parsed.ok) return parsed;
    list = parsed.value.elements;
  } else {
    const valid = validateElements(input, options);
    if (!valid.ok) return valid;
    list = valid.value;
  }
  const plan = planDigitalLink(list);
  if (plan === undefined) {
    return fail(`none of the AIs ${list.map((e) => `(${e.ai})`).join('')} is a GS1 Digital Link primary key`);
  }
  for (const attribute of plan.attributes) {
    const problem = attributeProblem(attribute, plan.primaryKey.ai, plan.qualifiers);
    if (problem) return fail(problem);
  }
  try {
    return ok(formatDigitalLink(plan, options.base ?? CANONICAL_DIGITAL_LINK_BASE));
  } catch (error) {
    // Everything formatDigitalLink checks was validated above; this keeps "a result, never an exception" regardless.
    return fail(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Reads the elements of a GS1 Digital Link URI on any domain (see parseDigitalLink): primary key, key qualifiers in
 * path order, then the GS1 data attributes in query order. Beyond parseDigitalLink it refuses query attributes the
 * standard does not permit there (such as (8200) or (21)) and applies {@link validateElements}.
 */
export function parseDigitalLinkElements(uri: string, options: ElementStringOptions = {}): Gs1Result<ParsedElementString> {
  const parsed = parseDigitalLink(uri);
  if (!parsed.ok) return parsed;
  const { primaryKey, qualifiers, attributes } = parsed.value;
  for (const attribute of attributes) {
    const problem = attributeProblem(attribute, primaryKey.ai, qualifiers);
    if (problem) return fail(problem);
  }
  const valid = validateElements([primaryKey, ...qualifiers, ...attributes], options);
  return valid.ok ? ok({ elements: valid.value }) : valid;
}

/** The element string a GS1 Digital Link URI stands for, in the URI's order, bracketed unless `form` says raw. */
export function digitalLinkToElementString(
  uri: string,
  options: ElementStringOptions & Omit<FormatOptions, 'symbologyIdentifier'> = {},
): Gs1Result<string> {
  const parsed = parseDigitalLinkElements(uri, options);
  return parsed.ok ? ok(formatElementString(parsed.value.elements, options)) : parsed;
}

// --- Dates -----------------------------------------------------------------------------------------------------------

/**
 * A GS1 YYMMDD date as an ISO 8601 calendar date. The century follows General Specifications §7.12: the year lies
 * within 49 years before and 50 years after `today`. Day 00, allowed by some date AIs, means the last day of the month.
 * Undefined for text that is not such a date.
 */
export function gs1DateToIso(yymmdd: string, today: Date = new Date()): string | undefined {
  if (!/^[0-9]{6}$/.test(yymmdd)) return undefined;
  const yy = Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  let day = Number(yymmdd.slice(4, 6));
  const currentYear = Number.isFinite(today.getTime()) ? today.getUTCFullYear() : new Date().getUTCFullYear();
  const difference = yy - (currentYear % 100);
  let century = Math.floor(currentYear / 100);
  if (difference >= 51) century -= 1;
  else if (difference <= -50) century += 1;
  const year = century * 100 + yy;
  if (month < 1 || month > 12) return undefined;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day === 0) day = lastDay;
  if (day > lastDay) return undefined;
  return `${String(year).padStart(4, '0')}-${yymmdd.slice(2, 4)}-${String(day).padStart(2, '0')}`;
}
