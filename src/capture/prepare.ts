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
