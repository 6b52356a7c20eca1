import { canonicalIdentifier } from './event-index.js';
import { ZHUISU_VOCABULARY } from './json-ld.js';

/**
 * An event's summary (docs/FEDERATION.md, "Summaries"): what a level above needs to route and supervise, while the
 * event itself stays where it was captured. It is an EPCIS event cut down to its type, eventID, time, action,
 * business step and disposition, the things it names with their roles (EPC lists, parent, quantity lists with their
 * amounts, transformation ID) in canonical Digital Link form, and its places and parties (read point, business
 * location, sources and destinations); a correction keeps its errorDeclaration. ILMD, business transactions, sensor
 * data, certificates, persistent dispositions and extensions stay below.
 *
 * A summary carries its marker `zhuisu:summary`: the CBV 2.0 hash of the event it stands for, the platform holding that
 * event and where it answers, and the regions of the subjects it concerns there. The hash cannot be recomputed from the
 * summary; it is checked against the holder's log, whose leaf for the event is `event <eventID> <hash>`.
 */

export const SUMMARY_KEY = 'zhuisu:summary';
/** The @context summaries are captured under at the level above: the EPCIS context and the prefix of the marker. */
export const SUMMARY_CONTEXT: readonly unknown[] = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { zhuisu: ZHUISU_VOCABULARY }];

export interface SummaryMarker {
  /** The CBV 2.0 hash of the full event: its identity, and the digest of its leaf in the holder's log. */
  hash: string;
  /** The log origin of the platform that holds the full event. */
  heldBy: string;
  /** Where that platform answers (its public address), when it said. */
  url: string | null;
  /** GB/T 2260 regions of the subjects the event concerns at the holder. */
  regions: string[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const KEPT = ['type', 'eventID', 'eventTime', 'eventTimeZoneOffset', 'action', 'bizStep', 'disposition', 'errorDeclaration'] as const;
const ID_LISTS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'] as const;
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'] as const;
const PARTY_LISTS = [
  ['sourceList', 'source'],
  ['destinationList', 'destination'],
] as const;

/**
 * The summary of a stored event: `event` as stored, under the eventID it is stored by (its hash when the client gave
 * none). A summary stays the summary it is, its marker kept.
 */
export function summarise(event: Json, eventID: string, marker: SummaryMarker): Json {
  const own = summaryMarker(event);
  const summary: Json = {};
  for (const key of KEPT) if (event[key] !== undefined) summary[key] = event[key];
  summary.eventID = eventID;
  for (const key of ID_LISTS) {
    const list = event[key];
    if (Array.isArray(list)) summary[key] = list.map((id) => (typeof id === 'string' ? canonicalIdentifier(id) : id));
  }
  if (typeof event.parentID === 'string') summary.parentID = canonicalIdentifier(event.parentID);
  if (typeof event.transformationID === 'string') summary.transformationID = canonicalIdentifier(event.transformationID);
  for (const key of QUANTITY_LISTS) {
    const list = event[key];
    if (!Array.isArray(list)) continue;
    summary[key] = list.filter(isObject).map((q) => ({
      ...(typeof q.epcClass === 'string' ? { epcClass: canonicalIdentifier(q.epcClass) } : {}),
      ...(q.quantity !== undefined ? { quantity: q.quantity } : {}),
      ...(q.uom !== undefined ? { uom: q.uom } : {}),
    }));
  }
  for (const key of ['readPoint', 'bizLocation'] as const) {
    const place = event[key];
    if (isObject(place) && typeof place.id === 'string') summary[key] = { id: canonicalIdentifier(place.id) };
  }
  for (const [key, field] of PARTY_LISTS) {
    const list = event[key];
    if (!Array.isArray(list)) continue;
    summary[key] = list.filter(isObject).map((p) => ({ type: p.type, [field]: typeof p[field] === 'string' ? canonicalIdentifier(p[field]) : p[field] }));
  }
  summary[SUMMARY_KEY] = own ?? marker;
  return summary;
}

/** The marker of a summary, or undefined for a full event (or a marker that is not one). */
export function summaryMarker(event: Json): SummaryMarker | undefined {
  const marker = event[SUMMARY_KEY];
  if (!isObject(marker) || typeof marker.hash !== 'string' || typeof marker.heldBy !== 'string' || marker.hash === '' || marker.heldBy === '') return undefined;
  const regions = Array.isArray(marker.regions) ? marker.regions.filter((r): r is string => typeof r === 'string') : [];
  return { hash: marker.hash, heldBy: marker.heldBy, url: typeof marker.url === 'string' ? marker.url : null, regions };
}

export const isSummary = (event: Json): boolean => summaryMarker(event) !== undefined;
