/**
 * The EPCIS Event Hash ID of CBV 2.0 (§8.9): `ni:///sha-256;<hex>?ver=CBV2.0`, the SHA-256 (RFC 6920 "ni" URI) of a
 * canonical "pre-hash" string built from the event's content. Two captures of the same event, in either binding, with
 * URNs or Digital Links, with fields in any order, hash alike; any change of content changes the hash. The platform
 * uses it to deduplicate captures and to verify eventIDs received from partners.
 *
 * The pre-hash string concatenates `key=value` pieces without separators:
 * - fields in the canonical property order (see `build` below); absent fields contribute nothing, a list
 *   contributes its name once followed by its elements;
 * - values trimmed; timestamps in UTC with exactly three fraction digits (`Z`), rounded half up on the fourth;
 *   quantities without trailing zeros;
 * - CBV values as Web URIs (`https://ref.gs1.org/cbv/BizStep-shipping`), whether written bare, as CURIE or as CBV
 *   1.x URN; CURIEs expanded through the document's `@context`;
 * - GS1 identifiers (EPC URIs, Digital Links on any domain) as the constrained canonical Digital Link: on
 *   https://id.gs1.org, no query string, and only the finest identification level (GTIN+serial, not GTIN+CPV+serial);
 * - list elements, and the pieces of ILMD and of user extensions, sorted by code point; extension names written as
 *   `{namespace}localName`;
 * - `eventID`, `recordTime`, `errorDeclaration` and comments left out, so declaring an error or re-recording an
 *   event keeps its identity.
 *
 * Where the reference implementation's published test vectors (RalphTro/epcis-event-hash-generator, which the
 * project's conformance tests run) differ from the prose of the rules, the vectors are followed, because agreeing
 * with other implementations is the point of the hash. Those places are marked "vectors:" below.
 */
import * as crypto from 'node:crypto';
import { invalid } from '../domain/errors.js';
import { formatDigitalLink, parseGs1Identifier, type AiValue } from '../codes/gs1/index.js';
import { hasValidCheckDigitAt, withCheckDigit } from '../codes/gs1/check-digit.js';
import { STANDARD_VOCABULARIES, type StandardVocabulary } from './cbv.js';
import { collectPrefixes } from './json-ld.js';
import { isoString } from './time.js';

/** A JSON-LD `@context` as found in an EPCIS document: a URL, an object of term definitions, or a list of these. */
export type JsonLdContext = string | Record<string, unknown> | readonly (string | Record<string, unknown>)[];

/** The CBV version the algorithm implemented here is defined in, as written in the hash URI. */
export const EVENT_HASH_VERSION = 'CBV2.0';

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Case-sensitive ordering by Unicode code point, which is also the byte order of UTF-8. JavaScript compares UTF-16
 * code units, which differs once a character above U+FFFF (a surrogate pair, D800–DFFF) meets one in E000–FFFF;
 * shifting those two ranges past each other at the first difference restores code point order without allocating.
 */
const codePointRank = (unit: number) => (unit < 0xd800 ? unit : unit <= 0xdfff ? unit + 0x2000 : unit - 0x800);

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Sorts in place by code point. Without surrogates UTF-16 order is code point order, and the built-in comparison,
 * which needs no call back into JavaScript, sorts several times faster than compareCodePoints.
 */
function sortByCodePoint(pieces: string[]): string[] {
  const n = pieces.length;
  if (n < 2) return pieces;
  if (n === 2) {
    if (compareCodePoints(pieces[0]!, pieces[1]!) > 0) pieces.reverse();
    return pieces;
  }
  for (let i = 0; i < n; i += 1) if (SURROGATE.test(pieces[i]!)) return pieces.sort(compareCodePoints);
  return pieces.sort();
}

/** `key=value`, or nothing for a value that is absent or empty. */
const piece = (key: string, value: string | undefined): string => (value ? `${key}=${value}` : '');

/** The pieces sorted by code point and concatenated. */
function joinSorted(pieces: string[]): string {
  return pieces.length === 1 ? pieces[0]! : sortByCodePoint(pieces).join('');
}

/**
 * `prefix + value` for each value, sorted by code point and concatenated. The common prefix does not change the
 * order, so the values are sorted as they are, without building the pieces first.
 */
function joinSortedWithPrefix(prefix: string, values: string[]): string {
  if (values.length === 1) return prefix + values[0]!;
  let out = '';
  for (const value of sortByCodePoint(values)) out += prefix + value;
  return out;
}

// --- Numbers -----------------------------------------------------------------------------------------------------------

const NUMERIC = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

const EXPONENT_FORM = /^(-?)([0-9])(?:\.([0-9]+))?e([+-][0-9]+)$/;

/** Plain decimal notation of a JavaScript number string that may use an exponent ("1e-7" → "0.0000001"). */
function plainDecimal(text: string): string {
  const m = EXPONENT_FORM.exec(text);
  if (!m) return text;
  const [, sign, lead, rest = '', exp] = m;
  const digits = lead! + rest;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * A number without trailing zeros or exponent: 452.0 → "452", 0.10 → "0.1", 1e21 → "1000000000000000000000". The
 * value is the IEEE double the JSON text denotes, as in any JSON implementation.
 */
function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  // Above 2^53 String() gives the shortest round-trip digits (…847000), BigInt the exact value (…846976).
  if (Number.isSafeInteger(value)) return String(value);
  if (Number.isInteger(value)) return BigInt(value).toString();
  return plainDecimal(String(value));
}

// --- Timestamps --------------------------------------------------------------------------------------------------------

const TIMESTAMP =
  /^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$/i;

/**
 * UTC with millisecond precision: `2005-04-03T20:33:31.116000-06:00` → `2005-04-04T02:33:31.116Z`. A fourth
 * fraction digit of 5–9 rounds the third up (`…03.1415Z` → `…03.142Z`), carrying into the seconds when needed. A
 * timestamp without offset is read as UTC: EPCIS requires an offset, and reading it in the server's zone would make
 * the hash depend on where it is computed. Text that is not a timestamp is returned trimmed.
 */
export function normaliseTimestamp(text: string): string {
  return plainTimestamp(text) ?? parsedTimestamp(text);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const digitAt = (text: string, i: number): number => {
  const d = text.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
};
const twoDigits = (text: string, i: number): number => digitAt(text, i) * 10 + digitAt(text, i + 1);

/**
 * The shape nearly every event carries, `YYYY-MM-DDThh:mm:ss[.f…](Z|±hh:mm)` with a year from 100 on, read without
 * the regular expression and the two Date objects of {@link parsedTimestamp}: same fields, same checks, same
 * arithmetic (Date.UTC is what setUTCFullYear and setUTCHours compute for such years). Undefined for any other
 * shape, which then takes the general path.
 */
function plainTimestamp(text: string): string | undefined {
  const n = text.length;
  if (n < 20 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84) return undefined;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  // NaN (a non-digit) fails every comparison, so it takes the general path too.
  if (!(year >= 100 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0 && second >= 0)) return undefined;
  let p = 19;
  let millis = 0;
  let roundUp = 0;
  if (text.charCodeAt(p) === 46) {
    const from = p + 1;
    p = from;
    while (p < n && digitAt(text, p) >= 0) p += 1;
    if (p === from) return undefined;
    const digits = p - from;
    millis = digitAt(text, from) * 100;
    if (digits > 1) millis += digitAt(text, from + 1) * 10;
    if (digits > 2) millis += digitAt(text, from + 2);
    roundUp = digits > 3 && digitAt(text, from + 3) >= 5 ? 1 : 0;
  }
  let offsetMinutes = 0;
  const sign = text.charCodeAt(p);
  if ((sign === 43 || sign === 45) && p + 6 === n && text.charCodeAt(p + 3) === 58) {
    offsetMinutes = (twoDigits(text, p + 1) * 60 + twoDigits(text, p + 4)) * (sign === 45 ? -1 : 1);
    if (Number.isNaN(offsetMinutes)) return undefined;
  } else if (sign !== 90 || p + 1 !== n) {
    return undefined;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return text;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return text;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000 + roundUp;
  return isoString(utc);
}

function parsedTimestamp(text: string): string {
  const value = text.trim();
  const m = TIMESTAMP.exec(value);
  if (!m) return value;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone = 'Z'] = m;
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > 31) return value;
  if (Number(hour) > 24 || Number(minute) > 59 || Number(second) > 60) return value;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * (zone[0] === '-' ? -1 : 1);
  }
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  // Date rolls 2023-02-30 over into March; such text is not a timestamp.
  if (date.getUTCDate() !== Number(day)) return value;
  date.setUTCHours(Number(hour), Number(minute), Number(second), Number(fraction.slice(0, 3).padEnd(3, '0')));
  const roundUp = fraction.length > 3 && fraction[3]! >= '5' ? 1 : 0;
  const utc = new Date(date.getTime() - offsetMinutes * 60_000 + roundUp);
  return Number.isNaN(utc.getTime()) ? value : utc.toISOString();
}

// --- Standard vocabularies ------------------------------------------------------------------------------------------

/**
 * Bare standard terms and the IRI each expands to through the EPCIS JSON-LD context. The hash works on the expanded
 * form, which is also what the XML binding carries, so both bindings hash alike. Aliases that validation accepts
 * (`Activity`) are not in the context, so they do not expand and are hashed as written.
 */
const BARE_TERMS: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map(
  Object.entries(STANDARD_VOCABULARIES).map(([name, { terms, uriPrefix }]) => [
    name,
    new Map(terms.map((term) => [term, uriPrefix + term])),
  ]),
);

/** CBV 1.x URN forms of standard values, each with the CBV 2.0 Web URI prefix that replaces it. */
const CBV_URN_PREFIXES: readonly (readonly [string, string])[] = Object.values(STANDARD_VOCABULARIES).flatMap(
  ({ urnPrefix, uriPrefix }) => (urnPrefix === undefined ? [] : [[urnPrefix, uriPrefix] as const]),
);

// --- Namespaces ----------------------------------------------------------------------------------------------------------

const CURIE = /^([A-Za-z_][A-Za-z0-9_.-]*):(.*)$/s;

/** Standard EPCIS event fields; anything else at event level is a user extension. */
const STANDARD_EVENT_FIELDS = new Set([
  'type', 'eventTime', 'eventTimeZoneOffset', 'certificationInfo', 'epcList', 'parentID', 'inputEPCList', 'childEPCs',
  'quantityList', 'childQuantityList', 'inputQuantityList', 'outputEPCList', 'outputQuantityList', 'action',
  'transformationID', 'bizStep', 'disposition', 'persistentDisposition', 'readPoint', 'bizLocation',
  'bizTransactionList', 'sourceList', 'destinationList', 'sensorElementList', 'ilmd',
]);

/** Left out of the hash: identity and bookkeeping (`eventID`/`id` is `@id`), corrections, and comments. */
const EXCLUDED_EVENT_FIELDS = new Set(['eventID', 'id', 'recordTime', 'errorDeclaration']);
const RDFS_COMMENT = 'http://www.w3.org/2000/01/rdf-schema#comment';

/**
 * How many canonical values are remembered, across all scopes. Locations, lots, parties and transactions recur from
 * event to event; emptying every memo when the bound is reached keeps those (they are back after one miss) and bounds
 * memory whatever arrives, without the bookkeeping of an LRU.
 */
const VALUE_MEMO_LIMIT = 50_000;
let rememberedValues = 0;

/** Extension property names seen so far per scope; they are few, unless a client invents names per event. */
const NAME_MEMO_LIMIT = 10_000;

/**
 * The pre-hash of events under one set of namespace prefixes. One instance serves every event whose document (and
 * event) context declares the same prefixes, so what it remembers, the canonical form of each value and extension
 * name it has met, is reused across events and documents.
 */
class PreHash {
  /** False once evicted from {@link scopesBySignature}. */
  live = true;
  private readonly values = new Map<string, string>();
  /** Extension property name → `{namespace}local`, or null for a property that is not an extension (comment, @…). */
  private readonly names = new Map<string, string | null>();

  private readonly expandsUrn: boolean;

  constructor(
    private readonly prefixes: ReadonlyMap<string, string>,
    /** The terms the contexts define and their IRIs, as {@link definitionsOf} lists them. */
    readonly definitions: readonly string[],
    readonly signature: string,
  ) {
    this.expandsUrn = prefixes.has('urn');
  }

  retire(): void {
    this.live = false;
    this.forget();
  }

  forget(): void {
    rememberedValues -= this.values.size;
    this.values.clear();
    this.names.clear();
  }

  // --- values --------------------------------------------------------------------------------------------------------

  private expandCurie(value: string): string {
    const m = CURIE.exec(value);
    if (!m) return value;
    const namespace = this.prefixes.get(m[1]!);
    // "https://…" is an IRI even if someone declared a prefix "https".
    return namespace === undefined || m[2]!.startsWith('//') ? value : namespace + m[2]!;
  }

  /**
   * `{namespace}localName` for an extension property name, as the XML binding writes it: a CURIE splits at its
   * prefix, a full IRI at its last `/`, `#` or `:`. A name with an undeclared prefix, or an undefined bare name, is
   * kept as written.
   */
  private extensionName(key: string): string {
    const m = CURIE.exec(key);
    const namespace = m ? this.prefixes.get(m[1]!) : undefined;
    if (m && namespace !== undefined && !m[2]!.startsWith('//')) return `{${namespace}}${m[2]}`;
    // A bare name the document's context defines as a term stands for that term's IRI.
    const iriText = m ? key : (this.prefixes.get(key) ?? key);
    const iri = IRI_NAME.exec(iriText);
    return iri ? `{${iri[1]}}${iri[2]}` : key;
  }

  private isComment(key: string): boolean {
    return key === 'comment' || this.expandCurie(key) === RDFS_COMMENT;
  }

  /** The name an extension property is hashed under, or null when the property is not hashed at all. */
  private nameOf(key: string): string | null {
    let name = this.names.get(key);
    if (name === undefined) {
      name = key.startsWith('@') || this.isComment(key) ? null : this.extensionName(key);
      if (this.names.size >= NAME_MEMO_LIMIT) this.names.clear();
      this.names.set(key, name);
    }
    return name;
  }

  /** The canonical form of a string value, numeric text aside; a function of the text and the prefixes alone. */
  private canonicalText(raw: string): string {
    let text = this.values.get(raw);
    if (text !== undefined) return text;
    text = raw.trim();
    if (text !== '') {
      let urn = false;
      for (const [prefix, web] of CBV_URN_PREFIXES) {
        if (text.startsWith(prefix)) {
          text = web + text.slice(prefix.length);
          urn = true;
          break;
        }
      }
      if (!urn) {
        text = this.expandCurie(text);
        text = constrainedIdentifier(text) ?? text;
      }
    }
    if (rememberedValues >= VALUE_MEMO_LIMIT) forgetAllValues();
    this.values.set(raw, text);
    rememberedValues += 1;
    return text;
  }

  /**
   * A value in canonical form. `numeric` marks fields whose text is a number (quantities, sensor values, and
   * extension values, which an XML twin would carry as text): numeric text loses its trailing zeros there.
   */
  private value(raw: Json, numeric: boolean): string | undefined {
    if (typeof raw === 'string') {
      // Item serials and SSCCs, met once or a few times each, are translated faster than they are looked up and would
      // crowd the memo out; locations, parties and lots recur and are better looked up. Such text has nothing to trim,
      // is no CBV URN, and stays as it is through expandCurie: "https:" is followed by "//", and "urn:" only expands
      // where a context declares "urn" as a prefix.
      const plain = raw.startsWith(ORIGIN_PATH)
        ? plainDigitalLink(raw)
        : this.expandsUrn
          ? undefined
          : raw.startsWith(SGTIN_URI)
            ? plainSgtinUri(raw)
            : raw.startsWith(SSCC_URI)
              ? plainSsccUri(raw)
              : undefined;
      if (plain !== undefined) return plain;
      const text = this.canonicalText(raw);
      // A CBV Web URI or a Digital Link never looks numeric, so testing after their rewriting changes nothing.
      return numeric && NUMERIC.test(text) ? formatNumber(Number(text)) : text;
    }
    if (typeof raw === 'number') return formatNumber(raw);
    if (typeof raw === 'boolean') return String(raw);
    return undefined;
  }

  private vocabularyValue(raw: Json, terms: ReadonlyMap<string, string>): string | undefined {
    if (typeof raw === 'string') {
      const expanded = terms.get(raw.trim());
      if (expanded !== undefined) return expanded;
    }
    return this.value(raw, false);
  }

  private timestamp(raw: Json): string | undefined {
    return typeof raw === 'string' ? normaliseTimestamp(raw) : this.value(raw, false);
  }

  // --- pieces ----------------------------------------------------------------------------------------------------------

  /** Values of a field that may hold one value or a list of them, each as its own sorted `key=value` piece. */
  private repeated(key: string, raw: Json, terms: ReadonlyMap<string, string> | undefined): string {
    if (!Array.isArray(raw)) {
      const value = terms === undefined ? this.value(raw, false) : this.vocabularyValue(raw, terms);
      return value ? `${key}=${value}` : '';
    }
    const values: string[] = [];
    for (const v of raw) {
      const value = terms === undefined ? this.value(v, false) : this.vocabularyValue(v, terms);
      if (value) values.push(value);
    }
    return values.length === 0 ? '' : joinSortedWithPrefix(`${key}=`, values);
  }

  /**
   * User extensions (and ILMD) inside an object: every property not in `known`, as `{namespace}local=value` pieces,
   * nested objects as `{namespace}local` followed by their own sorted pieces, arrays as one piece per element; the
   * pieces sorted and concatenated.
   */
  private extensions(object: Record<string, Json>, known: ReadonlySet<string>): string {
    let pieces: string[] | undefined;
    for (const key of Object.keys(object)) {
      if (known.has(key)) continue;
      const name = this.nameOf(key);
      if (name === null) continue;
      pieces ??= [];
      this.extensionPieces(name, object[key], pieces);
    }
    return pieces === undefined ? '' : joinSorted(pieces);
  }

  private extensionPieces(name: string, raw: Json, out: string[]): void {
    if (Array.isArray(raw)) {
      for (const item of raw) this.extensionPieces(name, item, out);
      return;
    }
    const piece = this.extensionPiece(name, raw);
    if (piece !== undefined) out.push(piece);
  }

  private extensionPiece(name: string, raw: Json): string | undefined {
    if (raw === null || raw === undefined) return undefined;
    if (isObject(raw)) {
      if ('@value' in raw) return this.typedLiteral(name, raw);
      if ('@id' in raw && Object.keys(raw).every((k) => k.startsWith('@'))) {
        const id = this.value(raw['@id'], false);
        return id ? `${name}=${id}` : name;
      }
      return name + this.extensions(raw, EMPTY);
    }
    const value = this.value(raw, true);
    if (value === undefined) return undefined;
    // An empty extension element still says the element is there.
    return value === '' ? name : `${name}=${value}`;
  }

  /** A JSON-LD value object: a typed timestamp is normalised like a standard timestamp. */
  private typedLiteral(name: string, literal: Record<string, Json>): string {
    const type = typeof literal['@type'] === 'string' ? this.expandCurie(literal['@type']) : '';
    const isTime = DATE_TIME_TYPE.test(type);
    const value = isTime ? this.timestamp(literal['@value']) : this.value(literal['@value'], true);
    return value ? `${name}=${value}` : name;
  }

  private idObject(name: string, raw: Json): string {
    // JSON-LD also allows the bare IRI for an @id-typed property.
    if (typeof raw === 'string') {
      const id = this.value(raw, false);
      return id ? `${name}id=${id}` : '';
    }
    if (!isObject(raw)) return '';
    const value = this.value(raw['id'], false);
    const id = value ? `id=${value}` : '';
    const rest = this.extensions(raw, ID_OBJECT_FIELDS);
    return id || rest ? name + id + rest : '';
  }

  private quantityList(name: string, raw: Json): string {
    if (!Array.isArray(raw)) return '';
    const elements: string[] = [];
    for (const q of raw) {
      if (!isObject(q)) continue;
      const epcClass = this.value(q['epcClass'], false);
      const quantity = this.value(q['quantity'], true);
      const uom = this.value(q['uom'], false);
      const body =
        (epcClass ? `epcClass=${epcClass}` : '') +
        (quantity ? `quantity=${quantity}` : '') +
        (uom ? `uom=${uom}` : '') +
        this.extensions(q, QUANTITY_FIELDS);
      if (body) elements.push(body);
    }
    return elements.length === 0 ? '' : name + joinSortedWithPrefix('quantityElement', elements);
  }

  private epcList(name: string, raw: Json): string {
    if (!Array.isArray(raw)) return '';
    const values: string[] = [];
    for (const epc of raw) {
      const value = this.value(epc, false);
      if (value) values.push(value);
    }
    return values.length === 0 ? '' : name + joinSortedWithPrefix('epc=', values);
  }

  /**
   * bizTransactionList, sourceList, destinationList: each element as `type=…` followed by `<field>=…`, elements
   * sorted. Vectors: the type piece comes first (the prose of the rules says it follows the value).
   */
  private typedList(
    name: string,
    field: string,
    known: ReadonlySet<string>,
    terms: ReadonlyMap<string, string>,
    raw: Json,
  ): string {
    if (!Array.isArray(raw)) return '';
    const elements: string[] = [];
    for (const element of raw) {
      if (!isObject(element)) continue;
      const type = this.vocabularyValue(element['type'], terms);
      const value = this.value(element[field], false);
      const body = (type ? `type=${type}` : '') + (value ? `${field}=${value}` : '') + this.extensions(element, known);
      if (body) elements.push(body);
    }
    return elements.length === 0 ? '' : name + joinSorted(elements);
  }

  private persistentDisposition(raw: Json): string {
    if (!isObject(raw)) return '';
    const body =
      this.repeated('set', raw['set'] ?? [], DISPOSITION_TERMS) +
      this.repeated('unset', raw['unset'] ?? [], DISPOSITION_TERMS) +
      this.extensions(raw, PERSISTENT_DISPOSITION_FIELDS);
    return body ? `persistentDisposition${body}` : '';
  }

  private sensorFields(raw: Record<string, Json>, fields: readonly SensorField[]): string {
    let body = '';
    for (const { name, kind, terms } of fields) {
      const value = raw[name];
      if (value === undefined || value === null) continue;
      const text =
        kind === 'time'
          ? this.timestamp(value)
          : terms !== undefined
            ? this.vocabularyValue(value, terms)
            : this.value(value, kind === 'numeric');
      if (text) body += `${name}=${text}`;
    }
    return body;
  }

  private sensorMetadata(raw: Json): string {
    if (!isObject(raw)) return '';
    const body = this.sensorFields(raw, SENSOR_METADATA) + this.extensions(raw, SENSOR_METADATA_FIELDS);
    return body ? `sensorMetadata${body}` : '';
  }

  private sensorReport(raw: Json): string {
    if (!isObject(raw)) return '';
    const body = this.sensorFields(raw, SENSOR_REPORT) + this.extensions(raw, SENSOR_REPORT_FIELDS);
    return body ? `sensorReport${body}` : '';
  }

  private sensorReports(raw: Json, out: string[]): void {
    if (Array.isArray(raw)) {
      for (const item of raw) this.sensorReports(item, out);
      return;
    }
    const report = this.sensorReport(raw);
    if (report) out.push(report);
  }

  private sensorElementList(raw: Json): string {
    if (!Array.isArray(raw)) return '';
    const elements: string[] = [];
    for (const element of raw) {
      if (!isObject(element)) continue;
      const reports: string[] = [];
      this.sensorReports(element['sensorReport'], reports);
      const body =
        this.sensorMetadata(element['sensorMetadata']) +
        joinSorted(reports) +
        this.extensions(element, SENSOR_ELEMENT_FIELDS);
      if (body) elements.push(body);
    }
    return elements.length === 0 ? '' : `sensorElementList${joinSortedWithPrefix('sensorElement', elements)}`;
  }

  private ilmd(raw: Json): string {
    if (!isObject(raw)) return '';
    const body = this.extensions(raw, EMPTY);
    return body ? `ilmd${body}` : '';
  }

  // --- the event ---------------------------------------------------------------------------------------------------------

  build(e: Record<string, Json>, eventType: string): string {
    return (
      `eventType=${eventType}` +
      piece('eventTime', this.timestamp(e['eventTime'])) +
      // The offset is kept as written: the same instant reported with another offset is another event.
      piece('eventTimeZoneOffset', this.value(e['eventTimeZoneOffset'], false)) +
      // Vectors: certificationInfo follows the offset (the rules' order table does not list it).
      this.repeated('certificationInfo', e['certificationInfo'], undefined) +
      this.epcList('epcList', e['epcList']) +
      piece('parentID', this.value(e['parentID'], false)) +
      this.epcList('inputEPCList', e['inputEPCList']) +
      this.epcList('childEPCs', e['childEPCs']) +
      this.quantityList('quantityList', e['quantityList']) +
      this.quantityList('childQuantityList', e['childQuantityList']) +
      this.quantityList('inputQuantityList', e['inputQuantityList']) +
      this.epcList('outputEPCList', e['outputEPCList']) +
      this.quantityList('outputQuantityList', e['outputQuantityList']) +
      piece('action', this.value(e['action'], false)) +
      piece('transformationID', this.value(e['transformationID'], false)) +
      piece('bizStep', this.vocabularyValue(e['bizStep'], BIZ_STEP_TERMS)) +
      piece('disposition', this.vocabularyValue(e['disposition'], DISPOSITION_TERMS)) +
      this.persistentDisposition(e['persistentDisposition']) +
      this.idObject('readPoint', e['readPoint']) +
      this.idObject('bizLocation', e['bizLocation']) +
      this.typedList(
        'bizTransactionList',
        'bizTransaction',
        BIZ_TRANSACTION_FIELDS,
        BIZ_TRANSACTION_TYPE_TERMS,
        e['bizTransactionList'],
      ) +
      // Vectors: destinationList precedes sourceList (the rules' order table has them the other way round).
      this.typedList('destinationList', 'destination', DESTINATION_FIELDS, SDT_TERMS, e['destinationList']) +
      this.typedList('sourceList', 'source', SOURCE_FIELDS, SDT_TERMS, e['sourceList']) +
      this.sensorElementList(e['sensorElementList']) +
      this.ilmd(e['ilmd']) +
      this.extensions(e, TOP_LEVEL_NOT_EXTENSIONS)
    );
  }
}

const EMPTY: ReadonlySet<string> = new Set();
const ID_OBJECT_FIELDS = new Set(['id']);
const QUANTITY_FIELDS = new Set(['epcClass', 'quantity', 'uom']);
const PERSISTENT_DISPOSITION_FIELDS = new Set(['set', 'unset']);
const SENSOR_METADATA_ORDER = [
  'time', 'startTime', 'endTime', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules',
];
const SENSOR_REPORT_ORDER = [
  'type', 'exception', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'time', 'microorganism',
  'chemicalSubstance', 'value', 'component', 'stringValue', 'booleanValue', 'hexBinaryValue', 'uriValue', 'minValue',
  'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue', 'uom', 'coordinateReferenceSystem',
];
const SENSOR_METADATA_FIELDS = new Set(SENSOR_METADATA_ORDER);
const SENSOR_REPORT_FIELDS = new Set(SENSOR_REPORT_ORDER);
const SENSOR_ELEMENT_FIELDS = new Set(['sensorMetadata', 'sensorReport']);
const TIME_FIELDS = new Set(['time', 'startTime', 'endTime']);
const NUMERIC_SENSOR_FIELDS = new Set(['value', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue']);
const TOP_LEVEL_NOT_EXTENSIONS = new Set([...STANDARD_EVENT_FIELDS, ...EXCLUDED_EVENT_FIELDS]);

const termsOf = (vocabulary: StandardVocabulary): ReadonlyMap<string, string> => BARE_TERMS.get(vocabulary)!;
const BIZ_STEP_TERMS = termsOf('bizStep');
const DISPOSITION_TERMS = termsOf('disposition');
const BIZ_TRANSACTION_TYPE_TERMS = termsOf('bizTransactionType');
const SDT_TERMS = termsOf('sourceDestinationType');
const BIZ_TRANSACTION_FIELDS = new Set(['type', 'bizTransaction']);
const SOURCE_FIELDS = new Set(['type', 'source']);
const DESTINATION_FIELDS = new Set(['type', 'destination']);

/** How a sensor field is rendered, decided once per field name rather than per value. */
interface SensorField {
  name: string;
  kind: 'time' | 'numeric' | 'text';
  /** For fields holding a standard term. */
  terms?: ReadonlyMap<string, string>;
}

const SENSOR_TERMS: Readonly<Record<string, StandardVocabulary>> = {
  type: 'measurementType',
  exception: 'sensorAlertType',
  component: 'sensorComponent',
};

const sensorField = (name: string): SensorField => {
  if (TIME_FIELDS.has(name)) return { name, kind: 'time' };
  const vocabulary = Object.hasOwn(SENSOR_TERMS, name) ? SENSOR_TERMS[name] : undefined;
  if (vocabulary !== undefined) return { name, kind: 'text', terms: termsOf(vocabulary) };
  return { name, kind: NUMERIC_SENSOR_FIELDS.has(name) ? 'numeric' : 'text' };
};
const SENSOR_METADATA: readonly SensorField[] = SENSOR_METADATA_ORDER.map(sensorField);
const SENSOR_REPORT: readonly SensorField[] = SENSOR_REPORT_ORDER.map(sensorField);

/** A full IRI split at its last `/`, `#` or `:`, for `{namespace}localName`. */
const IRI_NAME = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/.*[/#:])([^/#:]+)$/;
const DATE_TIME_TYPE = /XMLSchema#dateTime(Stamp)?$/;

/**
 * The key/qualifier combinations the hash keeps, finest level first: a Digital Link is reduced to the first
 * combination whose qualifiers it has. CPV (22), UIC extensions (7040) and SRIN (8019) are dropped.
 */
const CONSTRAINED_LEVELS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  '01': [['21'], ['235'], ['10'], []],
  '8006': [['21'], ['10'], []],
  '414': [['254'], []],
  '8010': [['8011'], []],
};

/**
 * The constrained canonical Digital Link of a GS1 identifier (EPC URI or Digital Link), or undefined when `text` is
 * not one. A value that looks like a GS1 identifier but does not parse is hashed as written: validation is the
 * capture pipeline's job, and the hash must be computable for whatever was stored.
 */
function constrainedIdentifier(text: string): string | undefined {
  return plainConstrainedIdentifier(text) ?? parsedConstrainedIdentifier(text);
}

function parsedConstrainedIdentifier(text: string): string | undefined {
  const parsed = parseGs1Identifier(text);
  if (!parsed?.ok) return undefined;
  const { primaryKey, qualifiers } = parsed.value;
  const levels = CONSTRAINED_LEVELS[primaryKey.ai] ?? [[]];
  const level = levels.find((ais) => ais.every((ai) => qualifiers.some((q) => q.ai === ai))) ?? [];
  const kept: AiValue[] = qualifiers.filter((q) => level.includes(q.ai));
  // Vectors: an apostrophe stays unescaped in the pre-hash (epclist_normalisation, a UPUI whose TPX contains one),
  // where the canonical Digital Link escapes every non-unreserved character. The canonical form escapes "%" itself,
  // so "%27" here can only come from an apostrophe.
  return formatDigitalLink({ primaryKey, qualifiers: kept }).replaceAll('%27', "'");
}

// --- Plain identifiers -------------------------------------------------------------------------------------------------
//
// Item serials arrive once or a few times each, so the value memo cannot spare their parsing. The spellings clients
// actually send, a plain EPC URI or a canonical Digital Link of an item, lot, logistic unit, location or party, are
// translated here by position instead: every check the parse makes is made (company prefix and reference lengths,
// check digits, value lengths), and values are limited to characters that need no escaping in either syntax, so the
// result is the string the parse and formatDigitalLink would give. Anything else (escapes, upper case, other keys or
// qualifiers, data attributes, other domains, anything broken) returns undefined and takes the parse.

const ORIGIN = 'https://id.gs1.org';
const ORIGIN_PATH = `${ORIGIN}/`;

/** The end of the run of ASCII digits starting at `from`. */
function digitsEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i += 1;
  }
  return i;
}

/**
 * The end of the run starting at `from` of characters that an EPC URI, a Digital Link path and the AI character set
 * 82 all take as they are: letters, digits, `_`, `.` and `-`.
 */
function plainEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45)) {
      break;
    }
    i += 1;
  }
  return i;
}

/** A serial, lot or extension of 1–20 plain characters from `from` to the end, as X..20 allows. */
const plainValueToEnd = (text: string, from: number): boolean =>
  text.length - from >= 1 && text.length - from <= 20 && plainEnd(text, from) === text.length;

const checkedKey = (text: string, from: number, length: number): boolean =>
  digitsEnd(text, from) - from >= length && hasValidCheckDigitAt(text, from, length);

function plainConstrainedIdentifier(text: string): string | undefined {
  if (text.startsWith('urn:epc:')) return plainEpcUri(text);
  if (text.startsWith(ORIGIN_PATH)) return plainDigitalLink(text);
  return undefined;
}

/** `https://id.gs1.org/` followed by 01 (with 10 and/or 21), 00, 414 (with 254) or 417, all canonical already. */
function plainDigitalLink(text: string): string | undefined {
  const n = text.length;
  const at = ORIGIN_PATH.length;
  if (text.startsWith('01/', at)) {
    const key = at + 3;
    if (!checkedKey(text, key, 14)) return undefined;
    let p = key + 14;
    if (p === n) return text;
    let lot = false;
    if (text.startsWith('/10/', p)) {
      const end = plainEnd(text, p + 4);
      if (end - (p + 4) < 1 || end - (p + 4) > 20) return undefined;
      if (end === n) return text;
      lot = true;
      p = end;
    }
    if (!text.startsWith('/21/', p) || !plainValueToEnd(text, p + 4)) return undefined;
    // With a serial, the lot is a coarser level and is dropped.
    return lot ? `${ORIGIN}/01/${text.slice(key, key + 14)}${text.slice(p)}` : text;
  }
  if (text.startsWith('00/', at)) return n === at + 3 + 18 && checkedKey(text, at + 3, 18) ? text : undefined;
  if (text.startsWith('414/', at)) {
    const key = at + 4;
    if (!checkedKey(text, key, 13)) return undefined;
    const p = key + 13;
    if (p === n) return text;
    return text.startsWith('/254/', p) && plainValueToEnd(text, p + 5) ? text : undefined;
  }
  if (text.startsWith('417/', at)) return n === at + 4 + 13 && checkedKey(text, at + 4, 13) ? text : undefined;
  return undefined;
}

/**
 * Where the numeric reference after a company prefix of 6–12 digits ends, the two making up `total` digits and the
 * reference being followed by `then` (a dot, or -1 for the end of the text); -1 when the text is not so.
 */
function companyPrefixAndReference(text: string, from: number, total: number, then: number): number {
  const cpEnd = digitsEnd(text, from);
  const cpLength = cpEnd - from;
  if (cpLength < 6 || cpLength > 12 || text.charCodeAt(cpEnd) !== 46) return -1;
  const refEnd = digitsEnd(text, cpEnd + 1);
  if (cpLength + (refEnd - cpEnd - 1) !== total) return -1;
  if (then < 0 ? refEnd !== text.length : text.charCodeAt(refEnd) !== then) return -1;
  return refEnd;
}

/**
 * A GS1 key from an EPC URI's company prefix (from `from` to the first dot) and reference (up to `refEnd`): with
 * `movesIndicator`, the reference's first digit (GTIN indicator, SSCC extension) goes in front of the prefix.
 */
function keyFromUri(text: string, from: number, refEnd: number, movesIndicator: boolean): string {
  const dot = text.indexOf('.', from);
  const cp = text.slice(from, dot);
  const ref = text.slice(dot + 1, refEnd);
  return withCheckDigit(movesIndicator ? ref[0] + cp + ref.slice(1) : cp + ref);
}

const SGTIN_URI = 'urn:epc:id:sgtin:';
const SSCC_URI = 'urn:epc:id:sscc:';
const SGLN_URI = 'urn:epc:id:sgln:';
const PGLN_URI = 'urn:epc:id:pgln:';
const LGTIN_URI = 'urn:epc:class:lgtin:';
const DOT = 46;

/** Plain sgtin, sscc, sgln and pgln URIs and lgtin class URIs, in lower case as the standard writes them. */
function plainEpcUri(text: string): string | undefined {
  if (text.startsWith(SGTIN_URI)) return plainSgtinUri(text);
  if (text.startsWith(SSCC_URI)) return plainSsccUri(text);
  if (text.startsWith(SGLN_URI)) {
    const from = SGLN_URI.length;
    const refEnd = companyPrefixAndReference(text, from, 12, DOT);
    if (refEnd < 0 || !plainValueToEnd(text, refEnd + 1)) return undefined;
    const extension = text.slice(refEnd + 1);
    // TDS: extension "0" stands for the GLN itself.
    const gln = `${ORIGIN}/414/${keyFromUri(text, from, refEnd, false)}`;
    return extension === '0' ? gln : `${gln}/254/${extension}`;
  }
  if (text.startsWith(PGLN_URI)) {
    const from = PGLN_URI.length;
    const refEnd = companyPrefixAndReference(text, from, 12, -1);
    return refEnd < 0 ? undefined : `${ORIGIN}/417/${keyFromUri(text, from, refEnd, false)}`;
  }
  if (text.startsWith(LGTIN_URI)) {
    const from = LGTIN_URI.length;
    const refEnd = companyPrefixAndReference(text, from, 13, DOT);
    if (refEnd < 0 || !plainValueToEnd(text, refEnd + 1)) return undefined;
    return `${ORIGIN}/01/${keyFromUri(text, from, refEnd, true)}/10/${text.slice(refEnd + 1)}`;
  }
  return undefined;
}

/** `text` starts with {@link SGTIN_URI}. */
function plainSgtinUri(text: string): string | undefined {
  const from = SGTIN_URI.length;
  const refEnd = companyPrefixAndReference(text, from, 13, DOT);
  if (refEnd < 0 || !plainValueToEnd(text, refEnd + 1)) return undefined;
  return `${ORIGIN}/01/${keyFromUri(text, from, refEnd, true)}/21/${text.slice(refEnd + 1)}`;
}

/** `text` starts with {@link SSCC_URI}. */
function plainSsccUri(text: string): string | undefined {
  const from = SSCC_URI.length;
  const refEnd = companyPrefixAndReference(text, from, 17, -1);
  return refEnd < 0 ? undefined : `${ORIGIN}/00/${keyFromUri(text, from, refEnd, true)}`;
}

// --- Scopes --------------------------------------------------------------------------------------------------------------
//
// Every event of a document shares its @context, and a client sends the same @context with every document. Collecting
// the prefixes for each event cost more than a tenth of the hash, so a PreHash is kept per set of term definitions:
// each call reads the definitions again (they are few) and compares them with those of the PreHash used last, which
// stays right if a caller changes a context between calls, and costs a fraction of building the prefix map.

/** How many distinct sets of definitions keep a PreHash; beyond that the oldest is retired. */
const SCOPE_LIMIT = 8;
const scopesBySignature = new Map<string, PreHash>();
let lastScope: PreHash | undefined;

function forgetAllValues(): void {
  for (const scope of scopesBySignature.values()) scope.forget();
}

/** The IRI a term definition gives a term, as collectPrefixes reads it, or undefined when it gives none. */
const iriOf = (definition: unknown): string | undefined =>
  typeof definition === 'string'
    ? definition
    : isObject(definition) && typeof definition['@id'] === 'string'
      ? definition['@id']
      : undefined;

/** Appends to `out` the terms a context defines and their IRIs, in the order collectPrefixes applies them. */
function definitionsOf(context: unknown, out: string[]): string[] {
  if (Array.isArray(context)) {
    for (const part of context) definitionsOf(part, out);
  } else if (isObject(context)) {
    for (const term of Object.keys(context)) {
      if (term.startsWith('@')) continue;
      const iri = iriOf(context[term]);
      if (iri !== undefined) out.push(term, iri);
    }
  }
  return out;
}

/**
 * Whether `context` defines `definitions[at…]` and then stops, as {@link definitionsOf} would list them: the index
 * after them, or -1. Compares as it reads, without building the list.
 */
function matchDefinitions(context: unknown, definitions: readonly string[], at: number): number {
  if (Array.isArray(context)) {
    for (const part of context) {
      at = matchDefinitions(part, definitions, at);
      if (at < 0) return -1;
    }
  } else if (isObject(context)) {
    for (const term of Object.keys(context)) {
      if (term.startsWith('@')) continue;
      const iri = iriOf(context[term]);
      if (iri === undefined) continue;
      if (definitions[at] !== term || definitions[at + 1] !== iri) return -1;
      at += 2;
    }
  }
  return at;
}

const defines = (scope: PreHash, context: unknown, eventContext: unknown): boolean => {
  const at = matchDefinitions(context, scope.definitions, 0);
  return at >= 0 && matchDefinitions(eventContext, scope.definitions, at) === scope.definitions.length;
};

function scopeFor(context: unknown, eventContext: unknown): PreHash {
  if (lastScope?.live && defines(lastScope, context, eventContext)) return lastScope;
  // Documents of several clients may arrive interleaved.
  for (const scope of scopesBySignature.values()) {
    if (scope !== lastScope && defines(scope, context, eventContext)) return (lastScope = scope);
  }
  const definitions = definitionsOf(eventContext, definitionsOf(context, []));
  const signature = JSON.stringify(definitions);
  let scope = scopesBySignature.get(signature);
  if (scope === undefined) {
    if (scopesBySignature.size >= SCOPE_LIMIT) {
      const [oldest] = scopesBySignature.values();
      scopesBySignature.delete(oldest!.signature);
      oldest!.retire();
    }
    scope = new PreHash(collectPrefixes(context, eventContext), definitions, signature);
    scopesBySignature.set(signature, scope);
  }
  lastScope = scope;
  return scope;
}

function eventTypeOf(event: Record<string, Json>): string {
  const type = event['type'];
  if (typeof type !== 'string' || type.trim() === '') {
    throw invalid('epcis.event_hash.no_type', 'an EPCIS event needs a "type" to be hashed');
  }
  return type.trim();
}

/**
 * The pre-hash string of an event (a member of an EPCISDocument's `eventList`). `context` is the document-level
 * `@context`, whose prefixes name the namespaces of extension fields and CURIEs; an `@context` on the event itself is
 * honoured as well.
 */
export function eventPreHash(event: Record<string, unknown>, context?: JsonLdContext): string {
  if (!isObject(event)) throw invalid('epcis.event_hash.not_an_event', 'an EPCIS event must be a JSON object');
  const eventType = eventTypeOf(event);
  return scopeFor(context, event['@context']).build(event, eventType);
}

/** The CBV 2.0 EPCIS Event Hash ID: `ni:///sha-256;<lowercase hex>?ver=CBV2.0`. */
export function eventHash(event: Record<string, unknown>, context?: JsonLdContext): string {
  return eventHashFromPreHash(eventPreHash(event, context));
}

/**
 * SHA-256 of a string's UTF-8 bytes in hex. crypto.hash (Node 20.12) does it in one call, without the Hash object
 * and its stream machinery, which is about a third of the cost of hashing a pre-hash string.
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/** Hashes a pre-hash string (UTF-8) into the `ni` URI form. */
export function eventHashFromPreHash(preHash: string): string {
  return `ni:///sha-256;${sha256Hex(preHash)}?ver=${EVENT_HASH_VERSION}`;
}
