import { eventHash } from '../epcis/event-hash.js';
import { indexEvent, memoisedCanonical, type EventIndex } from '../epcis/event-index.js';
import { validateEpcisDocument, validateEpcisEvent, type ValidationIssue } from '../epcis/validation/validate.js';

/**
 * The CPU-bound half of capture: parse, validate, hash and index. It needs no database, so it can run on a worker
 * thread (prepare.worker.ts) while the main thread serves requests and writes.
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
  index: EventIndex;
  suppliedId: string | null;
}

export type Prepared =
  | { ok: true; context: unknown; events: PreparedEvent[] }
  | { ok: false; reason: 'invalid-json' }
  | { ok: false; reason: 'too-many-events'; count: number }
  | { ok: false; reason: 'invalid'; errors: ValidationIssue[]; truncated?: boolean };

export function prepareDocument(document: unknown): Prepared {
  const result = validateEpcisDocument(document);
  if (!result.ok) return { ok: false, reason: 'invalid', errors: result.errors, ...(result.truncated ? { truncated: true } : {}) };
  if (result.events.length > CAPTURE_LIMIT_EVENTS) return { ok: false, reason: 'too-many-events', count: result.events.length };
  const context = (document as JsonObject)['@context'];
  return { ok: true, context, events: prepareEvents(result.events, context) };
}

export function prepareDocumentText(text: string): Prepared {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'invalid-json' };
  }
  return prepareDocument(document);
}

export function prepareSingleEvent(event: unknown): Prepared {
  const result = validateEpcisEvent(event);
  if (!result.ok) return { ok: false, reason: 'invalid', errors: result.errors, ...(result.truncated ? { truncated: true } : {}) };
  const body = result.events[0]!;
  return { ok: true, context: body['@context'], events: prepareEvents([body], body['@context']) };
}

function prepareEvents(events: JsonObject[], context: unknown): PreparedEvent[] {
  const canonical = memoisedCanonical();
  return events.map((body, position) => ({
    position,
    bodyJson: JSON.stringify(body),
    errorDeclaration: body.errorDeclaration ?? null,
    hash: eventHash(body, context as never),
    index: indexEvent(body, context, canonical),
    suppliedId: typeof body.eventID === 'string' ? body.eventID : null,
  }));
}

/**
 * A prepared document as it crosses from a worker thread to the writer. Structured cloning of the thousands of small
 * index objects costs the receiving thread more than preparing them did; JSON text parses several times faster,
 * and the event bodies, already JSON, travel as plain strings.
 */
export type PreparedMessage = Exclude<Prepared, { ok: true }> | { ok: true; context: unknown; bodies: string[]; rest: string };

export function encodePrepared(prepared: Prepared): PreparedMessage {
  if (!prepared.ok) return prepared;
  return { ok: true, context: prepared.context, bodies: prepared.events.map((e) => e.bodyJson), rest: JSON.stringify(prepared.events.map(({ bodyJson: _body, ...rest }) => rest)) };
}

export function decodePrepared(message: PreparedMessage): Prepared {
  if (!message.ok) return message;
  const events = JSON.parse(message.rest) as PreparedEvent[];
  for (let i = 0; i < events.length; i += 1) events[i]!.bodyJson = message.bodies[i]!;
  return { ok: true, context: message.context, events };
}
