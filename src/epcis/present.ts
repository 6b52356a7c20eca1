import { canonicalIdentifier } from './event-index.js';

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const ID_LISTS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'];
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'];

/**
 * The event as zhuisu answers it: every GS1 identifier in canonical Digital Link form, whatever the capturing client
 * sent (that form stays in the store). Other fields are returned as captured.
 */
export function canonicaliseEvent(event: JsonObject, canonical: (identifier: string) => string = canonicalIdentifier): JsonObject {
  const out: JsonObject = { ...event };
  for (const field of ID_LISTS) {
    const list = out[field];
    if (Array.isArray(list)) out[field] = list.map((v) => (typeof v === 'string' ? canonical(v) : v));
  }
  if (typeof out.parentID === 'string') out.parentID = canonical(out.parentID);
  for (const field of QUANTITY_LISTS) {
    const list = out[field];
    if (Array.isArray(list)) {
      out[field] = list.map((q) => (isObject(q) && typeof q.epcClass === 'string' ? { ...q, epcClass: canonical(q.epcClass) } : q));
    }
  }
  for (const field of ['readPoint', 'bizLocation']) {
    const location = out[field];
    if (isObject(location) && typeof location.id === 'string') out[field] = { ...location, id: canonical(location.id) };
  }
  for (const [field, key] of [['sourceList', 'source'], ['destinationList', 'destination']] as const) {
    const list = out[field];
    if (Array.isArray(list)) {
      out[field] = list.map((e) => (isObject(e) && typeof e[key] === 'string' ? { ...e, [key]: canonical(e[key] as string) } : e));
    }
  }
  return out;
}
