import { isoString } from './time.js';
import { normaliseIdentifier } from '../codes/gs1/index.js';
import { normaliseBizStep, normaliseDisposition, normaliseErrorReason, normaliseSensorMeasurementType } from './cbv.js';
import { expandTermIn } from './json-ld.js';

/**
 * What the event store indexes of one EPCIS event: the dimensions of SimpleEventQuery, every identifier with its role
 * in canonical form (Digital Link on id.gs1.org), top-level ILMD and extension fields, and the GLNs whose owners the
 * event concerns. Pure: the caller decides where it goes. The transformation ID and the persistent dispositions go
 * with the identifiers: few events carry them, and they are looked up the same way.
 */

export type IdentifierRole =
  | 'epc'
  | 'parent'
  | 'child'
  | 'input'
  | 'output'
  | 'epc_class'
  | 'child_class'
  | 'input_class'
  | 'output_class'
  | `source:${string}`
  | `destination:${string}`
  | `biz_transaction:${string}`
  | 'transformation_id'
  | 'persistent_disposition_set'
  | 'persistent_disposition_unset';

/** Every role the identifier index (postings) holds: the identifiers' and the event's two locations. */
export type PostingRole = IdentifierRole | 'read_point' | 'biz_location';

/** Roles that name the things an event is about (not its parties, places or transactions). */
export const OBJECT_ROLES: readonly IdentifierRole[] = ['epc', 'parent', 'child', 'input', 'output', 'epc_class', 'child_class', 'input_class', 'output_class'];

/**
 * Where a field stands: at the top of the ILMD or of the event (an extension), or nested inside one of those
 * (EQ_INNER_ILMD_…, EQ_INNER_…).
 */
export type FieldScope = 'ilmd' | 'ext' | 'ilmd_inner' | 'ext_inner';

export interface IndexedField {
  scope: FieldScope;
  /** Expanded IRI when the prefix is known, else the key as written. */
  name: string;
  text: string | null;
  num: number | null;
}

/**
 * One sensor report of an event, with what its element's metadata says of it (device, times, rules), so that the
 * sensor parameters of a query can all be asked of the same report.
 */
export interface IndexedSensorReport {
  /** Canonical measurement type (`Temperature`), or as written outside the vocabulary. */
  type: string | null;
  /** The report's device, else the element's; canonical when a GS1 identifier. */
  deviceId: string | null;
  /** The report's time, else the element's (ms). */
  timeMs: number | null;
  startTimeMs: number | null;
  endTimeMs: number | null;
  uom: string | null;
  value: number | null;
  minValue: number | null;
  maxValue: number | null;
  meanValue: number | null;
  sDev: number | null;
  percRank: number | null;
  percValue: number | null;
  stringValue: string | null;
  booleanValue: boolean | null;
  /** Upper case, as hexBinary compares. */
  hexBinaryValue: string | null;
  uriValue: string | null;
  /** The report's method, else the element's. */
  dataProcessingMethod: string | null;
  microorganism: string | null;
  chemicalSubstance: string | null;
  /** The report's rules, else the element's. */
  bizRules: string | null;
}

export interface EventIndex {
  eventType: string;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  /** UTC, millisecond precision, ISO 8601. */
  eventTime: string;
  eventTimeMs: number;
  readPoint: string | null;
  bizLocation: string | null;
  identifiers: { role: IdentifierRole; identifier: string }[];
  fields: IndexedField[];
  /** GLNs named by the event, to resolve to registered subjects: where it happened and the parties involved. */
  glns: { relation: string; gln: string }[];
  errorDeclaration: { declarationTime: string; reason: string | null; correctiveEventIDs: string[] } | null;
  sensorReports: IndexedSensorReport[];
}

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: Json): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Canonical form of an identifier; one the validator accepted never fails here, but a raw value is kept if it does. */
export function canonicalIdentifier(value: string): string {
  const normalised = normaliseIdentifier(value);
  return normalised.ok ? normalised.canonical : value.trim();
}

/**
 * The GLN of a canonical Digital Link of a location (414) or party (417), as `^https://id.gs1.org/(414|417)/(\d{13})(/|$)`
 * would find it. By hand: it runs on every source, destination and location of every event, and a regex match
 * allocates its result.
 */
export function glnIn(canonical: string): string | undefined {
  if (!canonical.startsWith(GLN_LINK_START)) return undefined;
  const at = GLN_LINK_START.length;
  const last = canonical.charCodeAt(at);
  if ((last !== 0x34 && last !== 0x37) || canonical.charCodeAt(at + 1) !== 0x2f) return undefined;
  const from = at + 2;
  const to = from + 13;
  for (let i = from; i < to; i += 1) {
    const c = canonical.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  if (canonical.length !== to && canonical.charCodeAt(to) !== 0x2f) return undefined;
  return canonical.slice(from, to);
}

/** What 414 and 417 share; the third digit is checked on its own. */
const GLN_LINK_START = 'https://id.gs1.org/41';

const ID_LISTS: readonly (readonly [string, IdentifierRole])[] = [
  ['epcList', 'epc'],
  ['childEPCs', 'child'],
  ['inputEPCList', 'input'],
  ['outputEPCList', 'output'],
];
const QUANTITY_LISTS: readonly (readonly [string, IdentifierRole])[] = [
  ['quantityList', 'epc_class'],
  ['childQuantityList', 'child_class'],
  ['inputQuantityList', 'input_class'],
  ['outputQuantityList', 'output_class'],
];
const PARTY_LISTS = [
  ['sourceList', 'source'],
  ['destinationList', 'destination'],
] as const;

/**
 * @param canonical - how identifiers are canonicalised; capture passes a memo shared by one document, whose events
 *   name the same lots, places and parties again and again.
 */
export function indexEvent(event: JsonObject, documentContext?: Json, canonical: (id: string) => string = canonicalIdentifier): EventIndex {
  const identifiers: EventIndex['identifiers'] = [];
  const glns: EventIndex['glns'] = [];

  for (const [field, role] of ID_LISTS) {
    const list = event[field];
    if (!Array.isArray(list)) continue;
    for (const id of list) if (typeof id === 'string') identifiers.push({ role, identifier: canonical(id) });
  }
  if (typeof event.parentID === 'string') identifiers.push({ role: 'parent', identifier: canonical(event.parentID) });
  for (const [field, role] of QUANTITY_LISTS) {
    const list = event[field];
    if (!Array.isArray(list)) continue;
    for (const element of list) {
      if (isObject(element) && typeof element.epcClass === 'string') identifiers.push({ role, identifier: canonical(element.epcClass) });
    }
  }
  for (const [field, side] of PARTY_LISTS) {
    const list = event[field];
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (!isObject(entry) || typeof entry.type !== 'string') continue;
      const id = entry[side];
      const value = typeof id === 'string' ? canonical(id) : null;
      if (!value) continue;
      const role = `${side}:${shortType(entry.type)}` as const;
      identifiers.push({ role, identifier: value });
      const gln = glnIn(value);
      if (gln) glns.push({ relation: role, gln });
    }
  }
  const transactions = event.bizTransactionList;
  if (Array.isArray(transactions)) {
    for (const entry of transactions) {
      if (!isObject(entry) || typeof entry.bizTransaction !== 'string') continue;
      identifiers.push({ role: `biz_transaction:${typeof entry.type === 'string' ? shortType(entry.type) : 'untyped'}`, identifier: entry.bizTransaction.trim() });
    }
  }

  if (typeof event.transformationID === 'string') identifiers.push({ role: 'transformation_id', identifier: canonical(event.transformationID) });
  const persistent = event.persistentDisposition;
  if (isObject(persistent)) {
    for (const side of ['set', 'unset'] as const) {
      for (const d of strings(persistent[side])) identifiers.push({ role: `persistent_disposition_${side}`, identifier: vocabulary(normaliseDisposition(d), d) });
    }
  }

  const readPoint = locationId(event.readPoint, canonical);
  const bizLocation = locationId(event.bizLocation, canonical);
  if (readPoint) {
    const gln = glnIn(readPoint);
    if (gln) glns.push({ relation: 'read_point', gln });
  }
  if (bizLocation) {
    const gln = glnIn(bizLocation);
    if (gln) glns.push({ relation: 'biz_location', gln });
  }

  const fields: IndexedField[] = [];
  const eventContext = event['@context'];
  const expand = (key: string) => expandTermIn(key, documentContext, eventContext);
  const ilmd = event.ilmd;
  if (isObject(ilmd)) {
    for (const key of Object.keys(ilmd)) pushFieldValues(fields, 'ilmd', expand(key), ilmd[key], expand);
  }
  for (const key of Object.keys(event)) {
    if (key === '@context' || !key.includes(':')) continue;
    pushFieldValues(fields, 'ext', expand(key), event[key], expand);
  }

  const eventTime = String(event.eventTime);
  const eventTimeMs = Date.parse(eventTime);
  const bizStep = typeof event.bizStep === 'string' ? vocabulary(normaliseBizStep(event.bizStep), event.bizStep) : null;
  const disposition = typeof event.disposition === 'string' ? vocabulary(normaliseDisposition(event.disposition), event.disposition) : null;

  return {
    eventType: String(event.type),
    action: typeof event.action === 'string' ? event.action : null,
    bizStep,
    disposition,
    eventTime: isoString(eventTimeMs),
    eventTimeMs,
    readPoint,
    bizLocation,
    identifiers,
    fields,
    glns,
    errorDeclaration: errorDeclarationOf(event.errorDeclaration),
    sensorReports: Array.isArray(event.sensorElementList) ? sensorReportsOf(event.sensorElementList, canonical) : [],
  };
}

function sensorReportsOf(elements: Json[], canonical: (id: string) => string): IndexedSensorReport[] {
  const text = (v: Json) => (typeof v === 'string' ? v.trim() : null);
  const number = (v: Json) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const time = (v: Json) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : null);
  const reports: IndexedSensorReport[] = [];
  for (const element of elements) {
    if (!isObject(element) || !Array.isArray(element.sensorReport)) continue;
    const metadata = isObject(element.sensorMetadata) ? element.sensorMetadata : {};
    for (const report of element.sensorReport) {
      if (!isObject(report)) continue;
      const type = text(report.type);
      const device = text(report.deviceID) ?? text(metadata.deviceID);
      reports.push({
        type: type === null ? null : vocabulary(normaliseSensorMeasurementType(type), type),
        deviceId: device === null ? null : canonical(device),
        timeMs: time(report.time) ?? time(metadata.time),
        startTimeMs: time(metadata.startTime),
        endTimeMs: time(metadata.endTime),
        uom: text(report.uom),
        value: number(report.value),
        minValue: number(report.minValue),
        maxValue: number(report.maxValue),
        meanValue: number(report.meanValue),
        sDev: number(report.sDev),
        percRank: number(report.percRank),
        percValue: number(report.percValue),
        stringValue: text(report.stringValue),
        booleanValue: typeof report.booleanValue === 'boolean' ? report.booleanValue : null,
        hexBinaryValue: text(report.hexBinaryValue)?.toUpperCase() ?? null,
        uriValue: text(report.uriValue),
        dataProcessingMethod: text(report.dataProcessingMethod) ?? text(metadata.dataProcessingMethod),
        microorganism: text(report.microorganism),
        chemicalSubstance: text(report.chemicalSubstance),
        bizRules: text(report.bizRules) ?? text(metadata.bizRules),
      });
    }
  }
  return reports;
}

function vocabulary(result: { ok: boolean; canonical?: string }, raw: string): string {
  return result.ok && result.canonical ? result.canonical : raw;
}

/** `owning_party`, whatever spelling the type came in (bare word, CBV URN or web URI). */
export function shortType(type: string): string {
  // The bare word, the usual spelling in EPCIS 2.0 JSON, has neither the ":" nor the "-" the pattern needs.
  if (!type.includes(':') && !type.includes('-')) return type;
  const match = SHORT_TYPE.exec(type);
  return match?.[1] ?? type;
}

const SHORT_TYPE = /(?:sdt:|SDT-|btt:|BTT-)([A-Za-z_]+)$/;

function locationId(value: Json, canonical: (id: string) => string): string | null {
  return isObject(value) && typeof value.id === 'string' ? canonical(value.id) : null;
}

/** A canonicaliser that remembers its answers; meant to live as long as one document. */
export function memoisedCanonical(): (id: string) => string {
  const seen = new Map<string, string>();
  return (id) => {
    let canonical = seen.get(id);
    if (canonical === undefined) {
      canonical = canonicalIdentifier(id);
      seen.set(id, canonical);
    }
    return canonical;
  };
}

/**
 * How long a field's name and text may be together and still be indexed: at most 3 bytes of UTF-8 per UTF-16 unit,
 * 800 units stay under PostgreSQL's bound on a B-tree entry (about 2,700 bytes). A name longer than that (a prefix
 * declared as a very long IRI) is not indexed at all.
 */
const INDEXED_FIELD_LENGTH = 800;

/** How deep inside an extension fields are still indexed; JSON-LD keywords (`@type`, `@id`) are not fields. */
const INNER_DEPTH = 16;

/**
 * Scalars are indexed as text (and as a number when numeric); a list indexes each element; an `@value` object its
 * value; any other object the fields inside it, as inner fields of the same ILMD or extension.
 */
function pushFieldValues(out: IndexedField[], scope: FieldScope, name: string, value: Json, expand: (key: string) => string, depth = 0): void {
  if (name.length > INDEXED_FIELD_LENGTH) return;
  if (Array.isArray(value)) {
    // forEach, like the flatMap this was, passes over the holes of a sparse array.
    value.forEach((v) => pushFieldValues(out, scope, name, v, expand, depth));
    return;
  }
  if (typeof value === 'number') out.push({ scope, name, text: String(value), num: value });
  else if (typeof value === 'boolean') out.push({ scope, name, text: String(value), num: null });
  // Longer text is kept in the event but not indexed (an index entry has a size bound): EXISTS_ finds it, EQ_ does not.
  else if (typeof value === 'string') out.push({ scope, name, text: name.length + value.length > INDEXED_FIELD_LENGTH ? null : value, num: numberIn(value) });
  else if (isObject(value)) {
    if (typeof value['@value'] === 'string' || typeof value['@value'] === 'number') {
      pushFieldValues(out, scope, name, value['@value'], expand, depth);
    } else if (depth < INNER_DEPTH) {
      const inner = scope === 'ilmd' || scope === 'ilmd_inner' ? 'ilmd_inner' : 'ext_inner';
      for (const key of Object.keys(value)) if (!key.startsWith('@')) pushFieldValues(out, inner, expand(key), value[key], expand, depth + 1);
    }
  }
}

const NUMERIC = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** The number a numeric string writes, if it is one a double holds (not `1e999`). */
function numberIn(value: string): number | null {
  if (!NUMERIC.test(value.trim())) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

function errorDeclarationOf(value: Json): EventIndex['errorDeclaration'] {
  if (!isObject(value) || typeof value.declarationTime !== 'string') return null;
  return {
    declarationTime: isoString(Date.parse(value.declarationTime)),
    reason: typeof value.reason === 'string' ? vocabulary(normaliseErrorReason(value.reason), value.reason) : null,
    correctiveEventIDs: strings(value.correctiveEventIDs),
  };
}


