import { eventHash } from '../epcis/event-hash.js';
import { indexEvent, memoisedCanonical, OBJECT_ROLES, type EventIndex, type IndexedField } from '../epcis/event-index.js';
import { encodeTraceFacts, traceFactsOf } from '../epcis/trace-facts.js';
import { mayHoldUnstorableText, unstorableText } from '../epcis/validation/storable-text.js';
import { validateEpcisDocument, validateEpcisEvent, type ValidationIssue } from '../epcis/validation/validate.js';

/**
 * The CPU-bound half of capture: parse, validate, hash and index. It needs no database, so it runs on a capture
 * worker (capture.worker.ts) while another thread writes.
 */

/** Limits advertised in the GS1-EPCIS-Capture-Limit headers. */
export const CAPTURE_LIMIT_EVENTS = 10_000;
export const CAPTURE_LIMIT_BYTES = 64 * 1024 * 1024;

type JsonObject = Record<string, unknown>;

export interface PreparedEvent {
  position: number;
  /** The event as the client sent it, serialised for storage. */
  bodyJson: string;
  errorDeclaration: unknown;
  hash: string;
  index: PreparedIndex;
  suppliedId: string | null;
}

/** What the writer needs of an event's index, worked out here so that the single writer does as little as it can. */
export interface PreparedIndex {
  eventType: string;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  eventTimeMs: number;
  /** JSON array of the canonical identifiers of the things the event names; null when none. */
  objectIds: string | null;
  /** JSON: what the trace reads of the event (src/epcis/trace-facts.ts). */
  traceFacts: string;
  /** GTINs of the things it names, to find the product class by. */
  gtins: string[];
  glns: EventIndex['glns'];
  fields: IndexedField[];
  errorDeclaration: EventIndex['errorDeclaration'];
  sensorReports: EventIndex['sensorReports'];
}

/**
 * One identifier or location of a document and the events naming it: entry i is event `positions[i]` in role
 * `roles[i]`, the role already JSON-quoted for the posting's entries.
 */
export interface PreparedPosting {
  term: string;
  positions: number[];
  roles: string[];
}

export type Prepared =
  | { ok: true; context: unknown; events: PreparedEvent[]; postings: PreparedPosting[] }
  | { ok: false; reason: 'invalid-json' }
  | { ok: false; reason: 'too-many-events'; count: number }
  | { ok: false; reason: 'invalid'; errors: ValidationIssue[]; truncated?: boolean };

/**
 * @param checkText - whether to look through every string for text no database can store; a caller holding the JSON
 *   text can tell cheaply that there is none (`mayHoldUnstorableText`).
 */
export function prepareDocument(document: unknown, checkText = true): Prepared {
  const result = validateEpcisDocument(document);
  if (!result.ok) return { ok: false, reason: 'invalid', errors: result.errors, ...(result.truncated ? { truncated: true } : {}) };
  const unstorable = checkText ? unstorableText(document) : [];
  if (unstorable.length) return { ok: false, reason: 'invalid', errors: unstorable };
  if (result.events.length > CAPTURE_LIMIT_EVENTS) return { ok: false, reason: 'too-many-events', count: result.events.length };
  const context = (document as JsonObject)['@context'];
  return { ok: true, context, ...prepareEvents(result.events, context) };
}

export function prepareDocumentText(text: string): Prepared {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'invalid-json' };
  }
  return prepareDocument(document, mayHoldUnstorableText(text));
}

export function prepareSingleEvent(event: unknown): Prepared {
  const result = validateEpcisEvent(event);
  if (!result.ok) return { ok: false, reason: 'invalid', errors: result.errors, ...(result.truncated ? { truncated: true } : {}) };
  const unstorable = unstorableText(event);
  if (unstorable.length) return { ok: false, reason: 'invalid', errors: unstorable };
  const body = result.events[0]!;
  return { ok: true, context: body['@context'], ...prepareEvents([body], body['@context']) };
}

function prepareEvents(events: JsonObject[], context: unknown): { events: PreparedEvent[]; postings: PreparedPosting[] } {
  const canonical = memoisedCanonical();
  const postings = new Map<string, PreparedPosting>();
  const quotedRoles = new Map<string, string>();
  const post = (term: string, position: number, role: string) => {
    let quoted = quotedRoles.get(role);
    if (quoted === undefined) quotedRoles.set(role, (quoted = JSON.stringify(role)));
    const posting = postings.get(term);
    if (!posting) return void postings.set(term, { term, positions: [position], roles: [quoted] });
    // Entries go in document order, so a repeat (one event naming a thing twice in one role) is among the last ones.
    for (let i = posting.positions.length - 1; i >= 0 && posting.positions[i] === position; i -= 1) if (posting.roles[i] === quoted) return;
    posting.positions.push(position);
    posting.roles.push(quoted);
  };
  const prepared = events.map((body, position): PreparedEvent => {
    const { index, row } = indexedEvent(body, context, canonical);
    for (const { role, identifier } of index.identifiers) post(identifier, position, role);
    if (index.readPoint) post(index.readPoint, position, 'read_point');
    if (index.bizLocation) post(index.bizLocation, position, 'biz_location');
    return {
      position,
      bodyJson: JSON.stringify(body),
      errorDeclaration: body.errorDeclaration ?? null,
      hash: eventHash(body, context as never),
      index: row,
      suppliedId: typeof body.eventID === 'string' ? body.eventID : null,
    };
  });
  return { events: prepared, postings: [...postings.values()] };
}

const OBJECT_ROLE_SET = new Set<string>(OBJECT_ROLES);

/**
 * An event's index, and the row capture stores beside its body, both derived from the body: what queries and traces
 * read instead of the body. `zhuisu verify` derives them again to compare with what is stored.
 */
export function indexedEvent(body: JsonObject, context: unknown, canonical: (identifier: string) => string): { index: EventIndex; row: PreparedIndex } {
  const index = indexEvent(body, context, canonical);
  const objects = new Set<string>();
  for (const { role, identifier } of index.identifiers) if (OBJECT_ROLE_SET.has(role)) objects.add(identifier);
  const row: PreparedIndex = {
    eventType: index.eventType,
    action: index.action,
    bizStep: index.bizStep,
    disposition: index.disposition,
    eventTimeMs: index.eventTimeMs,
    objectIds: objects.size ? JSON.stringify([...objects]) : null,
    traceFacts: encodeTraceFacts(traceFactsOf(body, canonical)),
    gtins: gtinsNamed(objects),
    glns: index.glns,
    fields: index.fields,
    errorDeclaration: index.errorDeclaration,
    sensorReports: index.sensorReports,
  };
  return { index, row };
}

const GTIN_LINK_START = 'https://id.gs1.org/01/';

/** The GTINs of the canonical Digital Links among `identifiers` (`^https://id.gs1.org/01/(\d{14})(/|$)`, by hand). */
function gtinsNamed(identifiers: Iterable<string>): string[] {
  const found: string[] = [];
  for (const identifier of identifiers) {
    if (!identifier.startsWith(GTIN_LINK_START)) continue;
    const end = GTIN_LINK_START.length + 14;
    if (identifier.length !== end && identifier.charCodeAt(end) !== 0x2f) continue;
    const gtin = identifier.slice(GTIN_LINK_START.length, end);
    if (/^\d{14}$/.test(gtin) && !found.includes(gtin)) found.push(gtin);
  }
  return found;
}

/**
 * A prepared document as it crosses from a worker thread to the writer. Structured cloning of the thousands of small
 * index objects costs the receiving thread more than preparing them did; JSON text parses several times faster.
 * What is already JSON text (the bodies, the lists of things named) travels as plain strings, not escaped again.
 */
export type PreparedMessage =
  | Exclude<Prepared, { ok: true }>
  | { ok: true; context: unknown; bodies: string[]; objectIds: (string | null)[]; traceFacts: string[]; rest: string };

export function encodePrepared(prepared: Prepared): PreparedMessage {
  if (!prepared.ok) return prepared;
  const bodies: string[] = [];
  const objectIds: (string | null)[] = [];
  const traceFacts: string[] = [];
  const events = prepared.events.map(({ bodyJson, index: { objectIds: objects, traceFacts: facts, ...index }, ...rest }) => {
    bodies.push(bodyJson);
    objectIds.push(objects);
    traceFacts.push(facts);
    return { ...rest, index };
  });
  return { ok: true, context: prepared.context, bodies, objectIds, traceFacts, rest: JSON.stringify({ events, postings: prepared.postings }) };
}

export function decodePrepared(message: PreparedMessage): Prepared {
  if (!message.ok) return message;
  const { events, postings } = JSON.parse(message.rest) as { events: PreparedEvent[]; postings: PreparedPosting[] };
  for (let i = 0; i < events.length; i += 1) {
    events[i]!.bodyJson = message.bodies[i]!;
    events[i]!.index.objectIds = message.objectIds[i]!;
    events[i]!.index.traceFacts = message.traceFacts[i]!;
  }
  return { ok: true, context: message.context, events, postings };
}
