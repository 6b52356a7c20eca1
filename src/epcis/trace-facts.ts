import { glnIn } from './event-index.js';
import { thingReferences, type ThingReference } from './things.js';

/**
 * What the trace needs of an event, worked out once at capture and stored beside its body (`events.trace_facts`):
 * the things it names by role with their quantities, identifiers canonical, the lot its ILMD records, and the GLNs
 * of its places. A trace reads these instead of the body, so it neither parses whole events nor canonicalises their
 * identifiers again: a commissioning event of a thousand serials is met at every level of a forward trace.
 */
export interface TraceFacts {
  /** epcList and quantityList. */
  epcs: ThingReference[];
  /** childEPCs and childQuantityList. */
  children: ThingReference[];
  inputs: ThingReference[];
  outputs: ThingReference[];
  parent?: string;
  /** The lot number the event's ILMD records (cbvmda:lotNumber, under its prefix or its full IRI). */
  lot?: string;
  /** eventTime as captured, with its offset. */
  eventTime: string;
  /** GLNs of the places the event names: read point, business location, source and destination locations. */
  places: string[];
  /** GLN of the business location, else of the read point: where the things are after the event. */
  at?: string;
  /** GLNs of the first owning-party and location destinations: who and where things in transit go to. */
  toParty?: string;
  toPlace?: string;
}

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A place's link: a party (417) is not where goods are. */
const LOCATION_LINK = 'https://id.gs1.org/414/';

/** The trace facts of an event body, its identifiers canonicalised by `canonical`. */
export function traceFactsOf(body: JsonObject, canonical: (identifier: string) => string): TraceFacts {
  const named = thingReferences(body);
  const canonicalised = (list: ThingReference[]) => list.map((r) => ({ ...r, code: canonical(r.code) }));
  const placeOf = (v: unknown) => (isObject(v) && typeof v.id === 'string' ? canonical(v.id) : undefined);
  const entries = (key: string, side: string): { type: string; id: string }[] => {
    const list = body[key];
    if (!Array.isArray(list)) return [];
    return list.filter((e): e is JsonObject => isObject(e) && typeof e.type === 'string' && typeof e[side] === 'string').map((e) => ({ type: e.type as string, id: canonical(e[side] as string) }));
  };
  const readPoint = placeOf(body.readPoint);
  const bizLocation = placeOf(body.bizLocation);
  const sources = entries('sourceList', 'source');
  const destinations = entries('destinationList', 'destination');
  const places: string[] = [];
  const addPlace = (link: string | undefined) => {
    const gln = link?.startsWith(LOCATION_LINK) ? glnIn(link) : undefined;
    if (gln && !places.includes(gln)) places.push(gln);
  };
  addPlace(readPoint);
  addPlace(bizLocation);
  for (const s of sources) if (s.type.endsWith('location')) addPlace(s.id);
  for (const d of destinations) if (d.type.endsWith('location')) addPlace(d.id);
  const where = bizLocation ?? readPoint;
  const party = destinations.find((d) => d.type.endsWith('owning_party'));
  const place = destinations.find((d) => d.type.endsWith('location'));
  const facts: TraceFacts = {
    epcs: canonicalised(named.epcs),
    children: canonicalised(named.children),
    inputs: canonicalised(named.inputs),
    outputs: canonicalised(named.outputs),
    eventTime: String(body.eventTime),
    places,
  };
  if (named.parent !== undefined) facts.parent = canonical(named.parent);
  const lot = ilmdLotNumber(body);
  if (lot !== undefined) facts.lot = lot;
  const at = where ? glnIn(where) : undefined;
  if (at) facts.at = at;
  const toParty = party ? glnIn(party.id) : undefined;
  if (toParty) facts.toParty = toParty;
  const toPlace = place ? glnIn(place.id) : undefined;
  if (toPlace) facts.toPlace = toPlace;
  return facts;
}

/** As stored: the lists left out when empty, which most are. */
export function encodeTraceFacts(facts: TraceFacts): string {
  const { epcs, children, inputs, outputs, places, ...rest } = facts;
  return JSON.stringify({
    ...(epcs.length ? { epcs } : {}),
    ...(children.length ? { children } : {}),
    ...(inputs.length ? { inputs } : {}),
    ...(outputs.length ? { outputs } : {}),
    ...(places.length ? { places } : {}),
    ...rest,
  });
}

const NONE: never[] = [];
Object.freeze(NONE);

/** The stored text back: parsed once, the lists left out filled with one shared, frozen empty list. */
export function decodeTraceFacts(text: string): TraceFacts {
  const facts = JSON.parse(text) as Partial<TraceFacts> & { eventTime: string };
  facts.epcs ??= NONE;
  facts.children ??= NONE;
  facts.inputs ??= NONE;
  facts.outputs ??= NONE;
  facts.places ??= NONE;
  return facts as TraceFacts;
}

/** Every thing the facts name, parent last (a thing named twice is listed twice). */
export function thingsIn(facts: TraceFacts): string[] {
  const all: string[] = [];
  for (const list of [facts.epcs, facts.children, facts.inputs, facts.outputs]) for (const r of list) all.push(r.code);
  if (facts.parent !== undefined) all.push(facts.parent);
  return all;
}

/** The lot number an event's ILMD records, under the CBV master-data prefix or its full IRI. */
function ilmdLotNumber(body: JsonObject): string | undefined {
  const ilmd = body.ilmd;
  if (!isObject(ilmd)) return undefined;
  const recorded = Object.entries(ilmd).find(([key]) => key === 'cbvmda:lotNumber' || key.endsWith('MDA-lotNumber') || key.endsWith('#lotNumber'))?.[1];
  return typeof recorded === 'string' ? recorded : undefined;
}
