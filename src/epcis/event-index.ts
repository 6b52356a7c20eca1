import { normaliseIdentifier } from '../codes/gs1/index.js';
import { normaliseBizStep, normaliseDisposition } from './cbv.js';
import { collectPrefixes, expandTerm } from './json-ld.js';

/**
 * What the event store indexes of one EPCIS event: the dimensions of SimpleEventQuery, every identifier with its role
 * in canonical form (Digital Link on id.gs1.org), top-level ILMD and extension fields, and the GLNs whose owners the
 * event concerns. Pure: the caller decides where it goes.
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
  | `biz_transaction:${string}`;

export interface IndexedField {
  scope: 'ilmd' | 'ext';
  /** Expanded IRI when the prefix is known, else the key as written. */
  name: string;
  text: string | null;
  num: number | null;
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

const GLN_IN_DIGITAL_LINK = /^https:\/\/id\.gs1\.org\/(?:414|417)\/(\d{13})(?:\/|$)/;

const ID_LISTS: [string, IdentifierRole][] = [
  ['epcList', 'epc'],
  ['childEPCs', 'child'],
  ['inputEPCList', 'input'],
  ['outputEPCList', 'output'],
];
const QUANTITY_LISTS: [string, IdentifierRole][] = [
  ['quantityList', 'epc_class'],
  ['childQuantityList', 'child_class'],
  ['inputQuantityList', 'input_class'],
  ['outputQuantityList', 'output_class'],
];

/**
 * @param canonical - how identifiers are canonicalised; capture passes a memo shared by one document, whose events
 *   name the same lots, places and parties again and again.
 */
export function indexEvent(event: JsonObject, documentContext?: Json, canonical: (id: string) => string = canonicalIdentifier): EventIndex {
  const canonicalIdentifier = canonical;
  const identifiers: EventIndex['identifiers'] = [];
  const glns: EventIndex['glns'] = [];
  const noteGln = (relation: string, canonical: string) => {
    const gln = GLN_IN_DIGITAL_LINK.exec(canonical)?.[1];
    if (gln) glns.push({ relation, gln });
  };

  for (const [field, role] of ID_LISTS) {
    for (const id of strings(event[field])) identifiers.push({ role, identifier: canonicalIdentifier(id) });
  }
  if (typeof event.parentID === 'string') identifiers.push({ role: 'parent', identifier: canonicalIdentifier(event.parentID) });
  for (const [field, role] of QUANTITY_LISTS) {
    const list = event[field];
    if (!Array.isArray(list)) continue;
    for (const element of list) {
      if (isObject(element) && typeof element.epcClass === 'string') identifiers.push({ role, identifier: canonicalIdentifier(element.epcClass) });
    }
  }
  for (const [field, side] of [['sourceList', 'source'], ['destinationList', 'destination']] as const) {
    const list = event[field];
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (!isObject(entry) || typeof entry.type !== 'string') continue;
      const value = typeof entry[side] === 'string' ? canonicalIdentifier(entry[side] as string) : null;
      if (!value) continue;
      const type = shortType(entry.type);
      identifiers.push({ role: `${side}:${type}`, identifier: value });
      noteGln(`${side}:${type}`, value);
    }
  }
  if (Array.isArray(event.bizTransactionList)) {
    for (const entry of event.bizTransactionList) {
      if (!isObject(entry) || typeof entry.bizTransaction !== 'string') continue;
      identifiers.push({ role: `biz_transaction:${typeof entry.type === 'string' ? shortType(entry.type) : 'untyped'}`, identifier: entry.bizTransaction.trim() });
    }
  }

  const readPoint = locationId(event.readPoint, canonical);
  const bizLocation = locationId(event.bizLocation, canonical);
  if (readPoint) noteGln('read_point', readPoint);
  if (bizLocation) noteGln('biz_location', bizLocation);

  const prefixes = collectPrefixes(documentContext, event['@context']);
  const fields: IndexedField[] = [];
  if (isObject(event.ilmd)) {
    for (const [key, value] of Object.entries(event.ilmd)) fields.push(...fieldValues('ilmd', expandTerm(key, prefixes), value));
  }
  for (const [key, value] of Object.entries(event)) {
    if (key === '@context' || !key.includes(':')) continue;
    fields.push(...fieldValues('ext', expandTerm(key, prefixes), value));
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
    eventTime: new Date(eventTimeMs).toISOString(),
    eventTimeMs,
    readPoint,
    bizLocation,
    identifiers,
    fields,
    glns,
    errorDeclaration: errorDeclarationOf(event.errorDeclaration),
  };
}

function vocabulary(result: { ok: boolean; canonical?: string }, raw: string): string {
  return result.ok && result.canonical ? result.canonical : raw;
}

/** `owning_party`, whatever spelling the type came in (bare word, CBV URN or web URI). */
export function shortType(type: string): string {
  const match = /(?:sdt:|SDT-|btt:|BTT-)([A-Za-z_]+)$/.exec(type);
  return match?.[1] ?? type;
}

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

/** Scalars are indexed as text (and as a number when numeric); a list indexes each element; objects are not indexed. */
function fieldValues(scope: 'ilmd' | 'ext', name: string, value: Json): IndexedField[] {
  if (Array.isArray(value)) return value.flatMap((v) => fieldValues(scope, name, v));
  if (typeof value === 'number') return [{ scope, name, text: String(value), num: value }];
  if (typeof value === 'boolean') return [{ scope, name, text: String(value), num: null }];
  if (typeof value === 'string') {
    const num = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value.trim()) ? Number(value) : null;
    return [{ scope, name, text: value, num }];
  }
  if (isObject(value) && (typeof value['@value'] === 'string' || typeof value['@value'] === 'number')) {
    return fieldValues(scope, name, value['@value']);
  }
  return [];
}

function errorDeclarationOf(value: Json): EventIndex['errorDeclaration'] {
  if (!isObject(value) || typeof value.declarationTime !== 'string') return null;
  return {
    declarationTime: new Date(Date.parse(value.declarationTime)).toISOString(),
    reason: typeof value.reason === 'string' ? value.reason : null,
    correctiveEventIDs: strings(value.correctiveEventIDs),
  };
}
