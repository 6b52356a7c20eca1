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
import { createHash } from 'node:crypto';
import { invalid } from '../domain/errors.js';
import { formatDigitalLink, parseGs1Identifier, type AiValue } from '../codes/gs1/index.js';
import { boundedMemo } from '../codes/gs1/memo.js';
import { STANDARD_VOCABULARIES, type StandardVocabulary } from './cbv.js';
import { collectPrefixes } from './json-ld.js';

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

const sorted = (pieces: string[]): string[] => pieces.sort(compareCodePoints);

// --- Numbers -----------------------------------------------------------------------------------------------------------

const NUMERIC = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** Plain decimal notation of a JavaScript number string that may use an exponent ("1e-7" → "0.0000001"). */
function plainDecimal(text: string): string {
  const m = /^(-?)([0-9])(?:\.([0-9]+))?e([+-][0-9]+)$/.exec(text);
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

class PreHash {
  private readonly prefixes: Map<string, string>;

  constructor(context: Json | undefined, eventContext: Json | undefined) {
    this.prefixes = collectPrefixes(context, eventContext);
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
    const iri = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/.*[/#:])([^/#:]+)$/.exec(iriText);
    return iri ? `{${iri[1]}}${iri[2]}` : key;
  }

  private isComment(key: string): boolean {
    return key === 'comment' || this.expandCurie(key) === RDFS_COMMENT;
  }

  /**
   * A value in canonical form. `numeric` marks fields whose text is a number (quantities, sensor values, and
   * extension values, which an XML twin would carry as text): numeric text loses its trailing zeros there.
   */
  private value(raw: Json, numeric: boolean): string | undefined {
    if (typeof raw === 'number') return formatNumber(raw);
    if (typeof raw === 'boolean') return String(raw);
    if (typeof raw !== 'string') return undefined;
    let text = raw.trim();
    if (text === '') return '';
    for (const [urn, web] of CBV_URN_PREFIXES) {
      if (text.startsWith(urn)) return web + text.slice(urn.length);
    }
    text = this.expandCurie(text);
    const identifier = constrainedIdentifierMemo(text, true) ?? undefined;
    if (identifier !== undefined) return identifier;
    if (numeric && NUMERIC.test(text)) return formatNumber(Number(text));
    return text;
  }

  private vocabularyValue(raw: Json, field: StandardVocabulary): string | undefined {
    if (typeof raw === 'string') {
      const expanded = BARE_TERMS.get(field)?.get(raw.trim());
      if (expanded !== undefined) return expanded;
    }
    return this.value(raw, false);
  }

  private timestamp(raw: Json): string | undefined {
    return typeof raw === 'string' ? normaliseTimestamp(raw) : this.value(raw, false);
  }

  // --- pieces ----------------------------------------------------------------------------------------------------------

  private static piece(key: string, value: string | undefined): string {
    return value === undefined || value === '' ? '' : `${key}=${value}`;
  }

  /** Values of a field that may hold one value or a list of them, each as its own sorted `key=value` piece. */
  private repeated(key: string, raw: Json, render: (value: Json) => string | undefined): string {
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) => PreHash.piece(key, render(v))).filter(Boolean);
    return sorted(values).join('');
  }

  /** A named list: the name once, then its non-empty elements sorted; nothing at all when no element remains. */
  private static list(name: string, elements: string[]): string {
    const present = elements.filter(Boolean);
    return present.length === 0 ? '' : name + sorted(present).join('');
  }

  /**
   * User extensions (and ILMD) inside an object: every property not in `known`, as `{namespace}local=value` pieces,
   * nested objects as `{namespace}local` followed by their own sorted pieces, arrays as one piece per element.
   */
  private extensions(object: Record<string, Json>, known: ReadonlySet<string>): string[] {
    const pieces: string[] = [];
    for (const [key, raw] of Object.entries(object)) {
      if (key.startsWith('@') || known.has(key) || this.isComment(key)) continue;
      const name = this.extensionName(key);
      for (const item of flatten(raw)) {
        const piece = this.extensionPiece(name, item);
        if (piece !== undefined) pieces.push(piece);
      }
    }
    return sorted(pieces);
  }

  private extensionPiece(name: string, raw: Json): string | undefined {
    if (raw === null || raw === undefined) return undefined;
    if (isObject(raw)) {
      if ('@value' in raw) return this.typedLiteral(name, raw);
      if ('@id' in raw && Object.keys(raw).every((k) => k.startsWith('@'))) {
        const id = this.value(raw['@id'], false);
        return id ? `${name}=${id}` : name;
      }
      return name + this.extensions(raw, EMPTY).join('');
    }
    const value = this.value(raw, true);
    if (value === undefined) return undefined;
    // An empty extension element still says the element is there.
    return value === '' ? name : `${name}=${value}`;
  }

  /** A JSON-LD value object: a typed timestamp is normalised like a standard timestamp. */
  private typedLiteral(name: string, literal: Record<string, Json>): string {
    const type = typeof literal['@type'] === 'string' ? this.expandCurie(literal['@type']) : '';
    const isTime = /XMLSchema#dateTime(Stamp)?$/.test(type);
    const value = isTime ? this.timestamp(literal['@value']) : this.value(literal['@value'], true);
    return value ? `${name}=${value}` : name;
  }

  private idObject(name: string, raw: Json): string {
    // JSON-LD also allows the bare IRI for an @id-typed property.
    if (typeof raw === 'string') {
      const id = PreHash.piece('id', this.value(raw, false));
      return id ? name + id : '';
    }
    if (!isObject(raw)) return '';
    const id = PreHash.piece('id', this.value(raw['id'], false));
    const rest = this.extensions(raw, ID_OBJECT_FIELDS).join('');
    return id || rest ? name + id + rest : '';
  }

  private quantityList(name: string, raw: Json): string {
    const elements = (Array.isArray(raw) ? raw : []).filter(isObject).map((q) => {
      const body =
        PreHash.piece('epcClass', this.value(q['epcClass'], false)) +
        PreHash.piece('quantity', this.value(q['quantity'], true)) +
        PreHash.piece('uom', this.value(q['uom'], false)) +
        this.extensions(q, QUANTITY_FIELDS).join('');
      return body ? `quantityElement${body}` : '';
    });
    return PreHash.list(name, elements);
  }

  private epcList(name: string, raw: Json): string {
    const elements = (Array.isArray(raw) ? raw : []).map((epc) => PreHash.piece('epc', this.value(epc, false)));
    return PreHash.list(name, elements);
  }

  /**
   * bizTransactionList, sourceList, destinationList: each element as `type=…` followed by `<field>=…`, elements
   * sorted. Vectors: the type piece comes first (the prose of the rules says it follows the value).
   */
  private typedList(name: string, field: string, vocabulary: StandardVocabulary, raw: Json): string {
    const known = new Set(['type', field]);
    const elements = (Array.isArray(raw) ? raw : []).filter(isObject).map(
      (element) =>
        PreHash.piece('type', this.vocabularyValue(element['type'], vocabulary)) +
        PreHash.piece(field, this.value(element[field], false)) +
        this.extensions(element, known).join(''),
    );
    return PreHash.list(name, elements);
  }

  private persistentDisposition(raw: Json): string {
    if (!isObject(raw)) return '';
    const body =
      this.repeated('set', raw['set'] ?? [], (v) => this.vocabularyValue(v, 'disposition')) +
      this.repeated('unset', raw['unset'] ?? [], (v) => this.vocabularyValue(v, 'disposition')) +
      this.extensions(raw, PERSISTENT_DISPOSITION_FIELDS).join('');
    return body ? `persistentDisposition${body}` : '';
  }

  private sensorMetadata(raw: Json): string {
    if (!isObject(raw)) return '';
    const body =
      SENSOR_METADATA_ORDER.map((field) => PreHash.piece(field, this.sensorField(field, raw[field]))).join('') +
      this.extensions(raw, SENSOR_METADATA_FIELDS).join('');
    return body ? `sensorMetadata${body}` : '';
  }

  private sensorReport(raw: Json): string {
    if (!isObject(raw)) return '';
    const body =
      SENSOR_REPORT_ORDER.map((field) => PreHash.piece(field, this.sensorField(field, raw[field]))).join('') +
      this.extensions(raw, SENSOR_REPORT_FIELDS).join('');
    return body ? `sensorReport${body}` : '';
  }

  private sensorField(field: string, raw: Json): string | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (TIME_FIELDS.has(field)) return this.timestamp(raw);
    if (field === 'type') return this.vocabularyValue(raw, 'measurementType');
    if (field === 'exception') return this.vocabularyValue(raw, 'sensorAlertType');
    if (field === 'component') return this.vocabularyValue(raw, 'sensorComponent');
    return this.value(raw, NUMERIC_SENSOR_FIELDS.has(field));
  }

  private sensorElementList(raw: Json): string {
    const elements = (Array.isArray(raw) ? raw : []).filter(isObject).map((element) => {
      const reports = flatten(element['sensorReport']).map((r) => this.sensorReport(r));
      const body =
        this.sensorMetadata(element['sensorMetadata']) +
        sorted(reports.filter(Boolean)).join('') +
        this.extensions(element, SENSOR_ELEMENT_FIELDS).join('');
      return body ? `sensorElement${body}` : '';
    });
    return PreHash.list('sensorElementList', elements);
  }

  private ilmd(raw: Json): string {
    if (!isObject(raw)) return '';
    const body = this.extensions(raw, EMPTY).join('');
    return body ? `ilmd${body}` : '';
  }

  // --- the event ---------------------------------------------------------------------------------------------------------

  build(e: Record<string, Json>, eventType: string): string {
    const scalar = (key: string, value: string | undefined) => PreHash.piece(key, value);
    return [
      `eventType=${eventType}`,
      scalar('eventTime', this.timestamp(e['eventTime'])),
      // The offset is kept as written: the same instant reported with another offset is another event.
      scalar('eventTimeZoneOffset', this.value(e['eventTimeZoneOffset'], false)),
      // Vectors: certificationInfo follows the offset (the rules' order table does not list it).
      this.repeated('certificationInfo', e['certificationInfo'], (v) => this.value(v, false)),
      this.epcList('epcList', e['epcList']),
      scalar('parentID', this.value(e['parentID'], false)),
      this.epcList('inputEPCList', e['inputEPCList']),
      this.epcList('childEPCs', e['childEPCs']),
      this.quantityList('quantityList', e['quantityList']),
      this.quantityList('childQuantityList', e['childQuantityList']),
      this.quantityList('inputQuantityList', e['inputQuantityList']),
      this.epcList('outputEPCList', e['outputEPCList']),
      this.quantityList('outputQuantityList', e['outputQuantityList']),
      scalar('action', this.value(e['action'], false)),
      scalar('transformationID', this.value(e['transformationID'], false)),
      scalar('bizStep', this.vocabularyValue(e['bizStep'], 'bizStep')),
      scalar('disposition', this.vocabularyValue(e['disposition'], 'disposition')),
      this.persistentDisposition(e['persistentDisposition']),
      this.idObject('readPoint', e['readPoint']),
      this.idObject('bizLocation', e['bizLocation']),
      this.typedList('bizTransactionList', 'bizTransaction', 'bizTransactionType', e['bizTransactionList']),
      // Vectors: destinationList precedes sourceList (the rules' order table has them the other way round).
      this.typedList('destinationList', 'destination', 'sourceDestinationType', e['destinationList']),
      this.typedList('sourceList', 'source', 'sourceDestinationType', e['sourceList']),
      this.sensorElementList(e['sensorElementList']),
      this.ilmd(e['ilmd']),
      this.extensions(e, TOP_LEVEL_NOT_EXTENSIONS).join(''),
    ].join('');
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

function flatten(raw: Json): Json[] {
  return Array.isArray(raw) ? raw.flatMap(flatten) : [raw];
}

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
/**
 * The same item, lot, place and party recur across the events of a chain (commissioned, packed, shipped, received,
 * sold); remembering the constrained form spares parsing each again.
 */
const constrainedIdentifierMemo = boundedMemo(50_000, (text) => constrainedIdentifier(text) ?? null);

function constrainedIdentifier(text: string): string | undefined {
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
  return new PreHash(context, event['@context']).build(event, eventTypeOf(event));
}

/** The CBV 2.0 EPCIS Event Hash ID: `ni:///sha-256;<lowercase hex>?ver=CBV2.0`. */
export function eventHash(event: Record<string, unknown>, context?: JsonLdContext): string {
  return eventHashFromPreHash(eventPreHash(event, context));
}

/** Hashes a pre-hash string (UTF-8) into the `ni` URI form. */
export function eventHashFromPreHash(preHash: string): string {
  const digest = createHash('sha256').update(preHash, 'utf8').digest('hex');
  return `ni:///sha-256;${digest}?ver=${EVENT_HASH_VERSION}`;
}
