import type { Principal } from '../access/principal.js';
import { parseCodeUri } from '../codes/code-uri.js';
import { CANONICAL_DIGITAL_LINK_BASE, canonicalLinkParts, formatDigitalLink, parseDigitalLink } from '../codes/gs1/digital-link.js';
import { identifierKind, type AiValue, type IdentifierKind } from '../codes/gs1/index.js';
import { scannedIdentifier } from '../codes/registry.js';
import type { Database } from '../db/index.js';
import { invalid } from '../domain/errors.js';
import type { EventsService, TraceEvent } from '../events/events.service.js';
import { MATCH_ROLES } from '../epcis/query.js';
import { memoisedCanonical } from '../epcis/event-index.js';
import type { ThingReference as Quantity } from '../epcis/things.js';
import { thingsIn } from '../epcis/trace-facts.js';
import { RecallRepository, type RecallSummary } from '../recall/recall.repository.js';
import { TraceRepository, type TraceLocation, type TraceProduct, type TraceSubject } from './trace.repository.js';

/**
 * The trace engine: which things a thing came from (backward) and which it went into (forward), following the
 * events the asking key may read, level by level through the identifier index, never loading the whole graph.
 *
 * - TransformationEvent: every input → every output.
 * - AggregationEvent ADD/OBSERVE: child → parent (a case reaches the pallet it was packed into; a pallet's backward
 *   trace reaches all its cases, never a case's siblings going forward).
 * - A serialised item → its lot (from the lot its commissioning event records): a serial inherits its lot's upstream
 *   history, and a lot's forward trace reaches its serials.
 * - Time runs one way: going forward from a thing reached at time t only its events from t on count; going backward
 *   only those up to t. A returnable pallet's earlier and later loads are not this trace's business.
 * ObjectEvents (shipping, receiving, selling, dispensing) move things between holders; they make no edges but tell
 * each thing's holder, and the places and subjects the trace touched. docs/TRACE.md has the diagrams.
 */

export type TraceDirection = 'backward' | 'forward';

export interface TraceNode {
  id: string;
  /** The identifier events use: canonical GS1 Digital Link, or urn:zhuisu:{scheme}:{code}. */
  code: string;
  /** The code as printed: an element string for GS1 keys, the native code otherwise. */
  text: string;
  kind: IdentifierKind;
  product: { id: string; name: string; gtin: string | null; productClass: string } | null;
  /** Who holds it now (as of its last event the key may read): the owner of that event's place, or while in transit the receiving party. */
  holder: { subjectId: string | null; gln: string | null; since: string; bizStep: string | null; disposition: string | null } | null;
  depth: number;
  /** The open recalls and stop-trade orders that reach it: a recalled code says so wherever it is looked up. */
  recalls: RecallSummary[];
}

export interface TraceEdge {
  from: string;
  to: string;
  relation: 'transformation' | 'aggregation' | 'lot';
  eventID: string;
  bizStep: string | null;
  eventTime: string;
  quantity: number | null;
  uom: string | null;
}

export interface TraceResult {
  root: string;
  direction: TraceDirection;
  nodes: TraceNode[];
  edges: TraceEdge[];
  subjects: TraceSubject[];
  locations: (TraceLocation | { gln: string; id: null; name: null; subjectId: null; regionCode: null })[];
  warnings: string[];
}

export const DEFAULT_TRACE_DEPTH = 64;
export const MAX_TRACE_DEPTH = 256;
/** A trace bigger than this is cut (with a warning) rather than held whole in memory. */
export const MAX_TRACE_NODES = 50_000;

/** An event of a trace with its body (identifiers canonical): what impact assessment and recall read. */
export type TracedEvent = Omit<TraceEvent, 'seq' | 'facts'> & { eventTime: string; body: Record<string, unknown> };

interface Found {
  code: string;
  depth: number;
  /** Forward: the earliest time the traced material can be in it; backward: the latest. */
  bound: number;
  /** The events the trace read about it, in event-time order (each event once). */
  events: TraceEvent[];
}

export class TraceService {
  constructor(
    private readonly database: Database,
    private readonly events: EventsService,
  ) {}

  async trace(actor: Principal, scanned: string, direction: TraceDirection, depth = DEFAULT_TRACE_DEPTH): Promise<TraceResult> {
    return (await this.run(actor, scanned, direction, depth)).result;
  }

  /**
   * The trace and, for each of its nodes (by node id), the events the trace read about it (within the trace's time
   * bound, in event-time order): what impact assessment and recall build on.
   */
  async traceWithEvents(actor: Principal, scanned: string, direction: TraceDirection, depth = DEFAULT_TRACE_DEPTH): Promise<{ result: TraceResult; events: Map<string, TracedEvent[]> }> {
    const { result, found } = await this.run(actor, scanned, direction, depth);
    const seqs = new Set<number>();
    for (const f of found.values()) for (const e of f.events) seqs.add(e.seq);
    const bodies = new Map((await this.events.readAmong(actor, [...seqs], { canonical: memoisedCanonical() })).map((r) => [r.seq, r.event]));
    const withBody = new Map<number, TracedEvent>();
    const traced = (e: TraceEvent): TracedEvent => {
      let known = withBody.get(e.seq);
      if (!known) {
        const { eventID, type, action, bizStep, disposition, time } = e;
        withBody.set(e.seq, (known = { eventID, type, action, bizStep, disposition, time, eventTime: e.facts.eventTime, body: bodies.get(e.seq) ?? {} }));
      }
      return known;
    };
    const idOf = new Map(result.nodes.map((n) => [n.code, n.id]));
    const events = new Map([...found.values()].map((f) => [idOf.get(f.code)!, f.events.map(traced)]));
    return { result, events };
  }

  private async run(actor: Principal, scanned: string, direction: TraceDirection, depth: number): Promise<{ result: TraceResult; found: Map<string, Found> }> {
    if (!Number.isInteger(depth) || depth < 1 || depth > MAX_TRACE_DEPTH) throw invalid('invalid-depth', `depth must be 1 to ${MAX_TRACE_DEPTH}`, [{ pointer: '/depth', message: 'out of range' }]);
    const root = scannedIdentifier(scanned, '/code');
    const facts = codeFactsMemo();
    const reading = new TraceReading(this.events, actor, facts);
    const found = new Map<string, Found>([[root, { code: root, depth: 0, bound: direction === 'forward' ? -Infinity : Infinity, events: [] }]]);
    const edges: TimedEdge[] = [];
    // Each edge once however often its event and things are met: for each event, the targets reached from each source.
    const linked = new Map<TraceEvent, Map<string, Set<string>>>();
    const warnings: string[] = [];
    let frontier = [root];
    for (let level = 0; frontier.length > 0; level += 1) {
      // A lot's serials are named by the events that commissioned them with the lot in their ILMD: read with the level.
      const lots = direction === 'forward' ? frontier.flatMap((code) => (facts(code).lot ? [{ code, ...facts(code).lot! }] : [])) : [];
      const { naming: events, commissioned } = await reading.read(frontier, lots);
      const next: string[] = [];
      const reach = (code: string, from: Found, event: TraceEvent, relation: TraceEdge['relation'], quantity: Quantity | undefined, towards: 'up' | 'down') => {
        const [source, target] = towards === 'down' ? [from.code, code] : [code, from.code];
        let sources = linked.get(event);
        if (!sources) linked.set(event, (sources = new Map()));
        let targets = sources.get(source);
        if (!targets) sources.set(source, (targets = new Set()));
        if (!targets.has(target)) {
          targets.add(target);
          edges.push({ from: source, to: target, relation, eventID: event.eventID, bizStep: event.bizStep, eventTime: event.facts.eventTime, quantity: quantity?.quantity ?? null, uom: quantity?.uom ?? null, time: event.time });
        }
        if (found.has(code)) return;
        if (found.size >= MAX_TRACE_NODES) return;
        found.set(code, { code, depth: level + 1, bound: event.time, events: [] });
        next.push(code);
      };
      for (const code of frontier) {
        const node = found.get(code)!;
        for (const event of events.get(code) ?? []) {
          if (direction === 'forward' ? event.time < node.bound : event.time > node.bound) continue;
          node.events.push(event);
          const refs = event.facts;
          if (direction === 'backward') {
            if (refs.outputs.some((r) => r.code === code)) for (const input of refs.inputs) reach(input.code, node, event, 'transformation', input, 'up');
            if (refs.parent === code && event.action !== 'DELETE') for (const child of refs.children) reach(child.code, node, event, 'aggregation', child, 'up');
            const lot = lotOfItem(facts(code), event);
            if (lot) reach(lot, node, event, 'lot', undefined, 'up');
          } else {
            if (refs.inputs.some((r) => r.code === code)) for (const output of refs.outputs) reach(output.code, node, event, 'transformation', output, 'down');
            if (refs.parent && event.action !== 'DELETE' && refs.children.some((c) => c.code === code)) reach(refs.parent, node, event, 'aggregation', refs.children.find((c) => c.code === code), 'down');
          }
        }
        for (const event of commissioned.get(code) ?? []) {
          for (const item of event.facts.epcs) if (lotOfItem(facts(item.code), event) === code) reach(item.code, node, event, 'lot', undefined, 'down');
        }
      }
      if (found.size >= MAX_TRACE_NODES) warnings.push(`the trace was cut at ${MAX_TRACE_NODES.toLocaleString('en')} things; narrow it with depth`);
      if (level + 1 >= depth && next.length) {
        warnings.push(`stopped at depth ${depth}: ${next.length} things at the last level were not followed further`);
        break;
      }
      frontier = next;
    }
    // The events of the last level were never read: read them for their holders and places.
    const unread = [...found.values()].filter((f) => f.events.length === 0);
    if (unread.length) {
      const { naming: events } = await reading.read(unread.map((f) => f.code));
      for (const f of unread) for (const e of events.get(f.code) ?? []) if (direction === 'forward' ? e.time >= f.bound : e.time <= f.bound) f.events.push(e);
    }
    const containers = containersOf(edges);
    warnings.push(...cycles(edges, facts), ...brokenLinks(found, containers, facts));
    return { result: await this.describe(root, direction, found, edges, containers, warnings, facts), found };
  }

  private async describe(
    root: string,
    direction: TraceDirection,
    found: Map<string, Found>,
    edges: TimedEdge[],
    containers: Map<string, string[]>,
    warnings: string[],
    facts: (code: string) => CodeFacts,
  ): Promise<TraceResult> {
    const repo = new TraceRepository(this.database.db);
    const ids = new Map([...found.keys()].map((code, i) => [code, `n${i}`]));
    const lastEvents = lastEventsThroughContainers(found, containers);
    const holders = new Map([...found.values()].map((f) => [f.code, holderOf(lastEvents.get(f.code))]));
    const glns = new Set<string>();
    // A commissioning or packing event is among the events of each thing it names: its places are read once.
    const events = new Set<TraceEvent>();
    for (const f of found.values()) for (const e of f.events) events.add(e);
    for (const e of events) for (const gln of e.facts.places) glns.add(gln);
    for (const h of holders.values()) if (h?.gln) glns.add(h.gln);
    const gtins = [...found.keys()].map((code) => facts(code).gtin).filter((g): g is string => g !== undefined);
    // Asked together: on PostgreSQL each is a round trip of its own, on a connection of its own.
    const [places, products, codeProducts, recalls] = await Promise.all([
      repo.placesWithOwners([...glns]),
      repo.productsByGtin([...new Set(gtins)]),
      repo.productsOfCodes([...found.keys()].filter((c) => parseCodeUri(c) !== undefined)),
      new RecallRepository(this.database.db).openRecallsOf([...found.keys()]),
    ]);
    const { locations } = places;
    // A party GLN (417) is seldom registered as a place: its company prefix tells the subject.
    const parties = [...holders.values()].filter((h) => h?.party).map((h) => h!.gln!);
    const partyOwners = await repo.prefixOwners(parties.filter((g) => !locations.has(g)));
    // The hundreds of packs of a lot share one product: one object for all of them.
    const productViews = new Map<TraceProduct, TraceNode['product']>();
    const productView = (p: TraceProduct) => {
      let view = productViews.get(p);
      if (!view) productViews.set(p, (view = { id: p.id, name: p.name, gtin: p.gtin, productClass: p.productClass }));
      return view;
    };
    const nodes: TraceNode[] = [...found.values()].map((f) => {
      const { gtin, printed, kind } = facts(f.code);
      const product: TraceProduct | undefined = (gtin && products.get(gtin)) || codeProducts.get(f.code);
      const h = holders.get(f.code);
      const subjectId = h?.gln ? (locations.get(h.gln)?.subjectId ?? partyOwners.get(h.gln) ?? null) : null;
      return {
        id: ids.get(f.code)!,
        code: f.code,
        text: printed,
        kind,
        product: product ? productView(product) : null,
        holder: h ? { subjectId, gln: h.gln, since: h.since, bizStep: h.bizStep, disposition: h.disposition } : null,
        depth: f.depth,
        recalls: recalls.get(f.code) ?? [],
      };
    });
    const subjectIds = new Set<string>();
    for (const n of nodes) if (n.holder?.subjectId) subjectIds.add(n.holder.subjectId);
    for (const l of locations.values()) subjectIds.add(l.subjectId);
    // Those owning a place came with it; those known by a company prefix only are read now.
    const others = await repo.subjects([...subjectIds].filter((id) => !places.subjects.has(id)));
    const subjects = [...subjectIds].map((id) => places.subjects.get(id) ?? others.get(id)).filter((s): s is TraceSubject => s !== undefined);
    return {
      root: ids.get(root)!,
      direction,
      nodes,
      edges: [...edges]
        .sort((a, b) => a.time - b.time)
        .map((e) => ({ from: ids.get(e.from)!, to: ids.get(e.to)!, relation: e.relation, eventID: e.eventID, bizStep: e.bizStep, eventTime: e.eventTime, quantity: e.quantity, uom: e.uom })),
      subjects,
      locations: [...glns].sort().map((gln) => locations.get(gln) ?? { gln, id: null, name: null, subjectId: null, regionCode: null }),
      warnings,
    };
  }
}

/** A lot a forward trace's level reaches, by its code, with the GTIN and lot number its serials carry. */
interface LevelLot {
  code: string;
  gtin: string;
  lot: string;
}

/**
 * The events one trace has read, indexed by the things they name. Each is read from the store once per trace: a big
 * commissioning or packing event, met again at every level that reaches one of the things it names, is left out of
 * later reads and found in the index instead.
 */
class TraceReading {
  private readonly held = new Map<number, TraceEvent>();
  private readonly byThing = new Map<string, TraceEvent[]>();
  /** For events stored before trace facts were, taken apart from their bodies: the same identifiers come back. */
  private readonly canonical = memoisedCanonical();

  constructor(
    private readonly events: EventsService,
    private readonly actor: Principal,
    private readonly facts: (code: string) => CodeFacts,
  ) {}

  /**
   * A level's read, in one go: every event the actor may read that names one of `codes` as a thing (instance or
   * class), by code, in event-time order; and for each of `lots` (by its code), the events that commissioned items of
   * the lot's GTIN with that lot in their ILMD.
   */
  async read(codes: string[], lots: LevelLot[] = []): Promise<{ naming: Map<string, TraceEvent[]>; commissioned: Map<string, TraceEvent[]> }> {
    const isClass = (c: string) => this.facts(c).lot !== undefined || this.facts(c).kind === 'class';
    const naming = [
      { things: codes.filter((c) => !isClass(c)), roles: MATCH_ROLES.MATCH_anyEPC! },
      { things: codes.filter(isClass), roles: MATCH_ROLES.MATCH_anyEPCClass! },
    ];
    const numbers = new Set(lots.map((l) => l.lot));
    this.hold(await this.events.traceEvents(this.actor, { naming, recordingLots: [...numbers] }, { except: this.held, canonical: this.canonical }));
    // Sorted where they are kept, and only when out of order: most lists are read in order, and a sort copies.
    const byCode = new Map(
      codes.map((code) => {
        const list = this.byThing.get(code) ?? [];
        return [code, inTimeOrder(list) ? list : list.sort((a, b) => a.time - b.time)];
      }),
    );
    return { naming: byCode, commissioned: this.commissionedIn(lots, numbers) };
  }

  /**
   * Events read before are not read again (a commissioning event of hundreds of serials is big): once a level's are
   * held too, the held ones recording one of the lots are all there are.
   */
  private commissionedIn(lots: LevelLot[], numbers: ReadonlySet<string>): Map<string, TraceEvent[]> {
    const out = new Map<string, TraceEvent[]>();
    if (lots.length === 0) return out;
    const events = [...this.held.values()].filter((e) => e.facts.lot !== undefined && numbers.has(e.facts.lot)).sort((a, b) => a.time - b.time || a.seq - b.seq);
    for (const lot of lots) {
      const mine = events.filter((e) => e.facts.lot === lot.lot && e.facts.epcs.some((r) => this.facts(r.code).serialised?.primaryKey.value === lot.gtin));
      if (mine.length) out.set(lot.code, mine);
    }
    return out;
  }

  /** Indexes the events read by the things they name; those read before are known by their seq. */
  private hold(rows: TraceEvent[]): TraceEvent[] {
    return rows.map((event) => {
      let known = this.held.get(event.seq);
      if (!known) {
        known = event;
        this.held.set(event.seq, known);
        for (const thing of thingsIn(known.facts)) {
          const list = this.byThing.get(thing);
          if (!list) this.byThing.set(thing, [known]);
          else if (list[list.length - 1] !== known) list.push(known);
        }
      }
      return known;
    });
  }
}

function inTimeOrder(events: TraceEvent[]): boolean {
  for (let i = 1; i < events.length; i += 1) if (events[i - 1]!.time > events[i]!.time) return false;
  return true;
}

/** An edge with its event's time in milliseconds, for ordering. */
type TimedEdge = TraceEdge & { time: number };

/** What the trace needs to know of a code, read from it once. */
interface CodeFacts {
  kind: IdentifierKind;
  /** The code as printed: an element string for GS1 keys, the native code otherwise. */
  printed: string;
  gtin: string | undefined;
  /** For a GTIN lot (class + lot, no serial): its parts. */
  lot: { gtin: string; lot: string } | undefined;
  /** For a serialised GS1 item: its primary key and the lot its own link carries, if any. */
  serialised: { primaryKey: AiValue; ownLot: string | undefined; lotLinks: Map<string, string> } | undefined;
}

/** Facts about codes, each code parsed once per trace (a trace meets the same codes in event after event). */
function codeFactsMemo(): (code: string) => CodeFacts {
  const memo = new Map<string, CodeFacts>();
  // The serials of one GTIN share the links of its lots: a commissioning event's items all name the same one.
  const lotLinksByGtin = new Map<string, Map<string, string>>();
  return (code) => {
    let facts = memo.get(code);
    if (!facts) {
      facts = readCodeFacts(code, (gtin) => {
        let links = lotLinksByGtin.get(gtin);
        if (!links) lotLinksByGtin.set(gtin, (links = new Map()));
        return links;
      });
      memo.set(code, facts);
    }
    return facts;
  };
}

function readCodeFacts(code: string, lotLinksOf: (gtin: string) => Map<string, string>): CodeFacts {
  const uri = parseCodeUri(code);
  if (uri) return { kind: 'item', printed: uri.code, gtin: undefined, lot: undefined, serialised: undefined };
  const parsed = code.startsWith(`${CANONICAL_DIGITAL_LINK_BASE}/`) ? (canonicalLinkParts(code) ?? parsedLinkParts(code)) : undefined;
  if (!parsed) return { kind: 'other', printed: code, gtin: undefined, lot: undefined, serialised: undefined };
  const { primaryKey, qualifiers } = parsed;
  const lot = qualifiers.find((q) => q.ai === '10')?.value;
  const serial = qualifiers.some((q) => q.ai === '21');
  const gtin = primaryKey.ai === '01' ? primaryKey.value : undefined;
  return {
    kind: identifierKind(primaryKey, qualifiers),
    printed: [primaryKey, ...qualifiers].map(({ ai, value }) => `(${ai})${value}`).join(''),
    gtin,
    lot: gtin && lot !== undefined && !serial ? { gtin, lot } : undefined,
    serialised: gtin && serial ? { primaryKey, ownLot: lot, lotLinks: lotLinksOf(gtin) } : undefined,
  };
}

function parsedLinkParts(code: string): { primaryKey: AiValue; qualifiers: AiValue[] } | undefined {
  const parsed = parseDigitalLink(code);
  return parsed.ok ? parsed.value : undefined;
}

/** The lot a serialised item belongs to: a lot in its own Digital Link, or the lot its commissioning event's ILMD records. */
function lotOfItem(facts: CodeFacts, event: TraceEvent): string | undefined {
  if (!facts.serialised) return undefined;
  const lot = facts.serialised.ownLot ?? (event.action === 'ADD' ? event.facts.lot : undefined);
  if (lot === undefined) return undefined;
  let link = facts.serialised.lotLinks.get(lot);
  if (link === undefined) {
    link = formatDigitalLink({ primaryKey: facts.serialised.primaryKey, qualifiers: [{ ai: '10', value: lot }] });
    facts.serialised.lotLinks.set(lot, link);
  }
  return link;
}

/**
 * The event that tells where each thing is: its own last event, or, while it is packed in a container, the
 * container's if that is later (a pallet shipped carries its cases along; their own last event is the packing). A
 * thing unpacked from the container since no longer follows it.
 */
function lastEventsThroughContainers(found: Map<string, Found>, containers: Map<string, string[]>): Map<string, TraceEvent | undefined> {
  const own = (code: string) => {
    let last: TraceEvent | undefined;
    for (const e of found.get(code)?.events ?? []) if (!last || e.time >= last.time) last = e;
    return last;
  };
  const memo = new Map<string, TraceEvent | undefined>();
  const resolve = (code: string, path: Set<string>): TraceEvent | undefined => {
    if (memo.has(code)) return memo.get(code);
    let last = own(code);
    for (const container of containers.get(code) ?? []) {
      if (path.has(container)) continue;
      const unpacked = (found.get(code)?.events ?? []).some((e) => e.action === 'DELETE' && e.facts.parent === container);
      if (unpacked) continue;
      const carried = resolve(container, new Set(path).add(code));
      if (carried && (!last || carried.time > last.time)) last = carried;
    }
    memo.set(code, last);
    return last;
  };
  return new Map([...found.keys()].map((code) => [code, resolve(code, new Set())]));
}

/**
 * Who holds a thing as of the event that tells where it is: while in transit, the party it was shipped to (its
 * owning-party destination, else its destination location); otherwise the owner of the event's business location,
 * else its read point.
 */
function holderOf(last: TraceEvent | undefined): { gln: string | null; party: boolean; since: string; bizStep: string | null; disposition: string | null } | null {
  if (!last) return null;
  const { facts } = last;
  const base = { since: facts.eventTime, bizStep: last.bizStep, disposition: last.disposition };
  if (last.disposition === 'in_transit' || last.bizStep === 'shipping') {
    if (facts.toParty) return { gln: facts.toParty, party: true, ...base };
    if (facts.toPlace) return { gln: facts.toPlace, party: false, ...base };
  }
  return { gln: facts.at ?? null, party: false, ...base };
}

/** Cycles in the traced graph (a thing that is, through other things, its own input): reported, never followed round. */
function cycles(edges: TraceEdge[], facts: (code: string) => CodeFacts): string[] {
  const out = new Map<string, string[]>();
  for (const e of edges) {
    const targets = out.get(e.from);
    if (targets) targets.push(e.to);
    else out.set(e.from, [e.to]);
  }
  const state = new Map<string, 'open' | 'done'>();
  const warnings: string[] = [];
  for (const start of out.keys()) {
    if (state.has(start)) continue;
    const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
    const path: string[] = [start];
    state.set(start, 'open');
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const targets = out.get(top.node) ?? [];
      if (top.next >= targets.length) {
        state.set(top.node, 'done');
        stack.pop();
        path.pop();
        continue;
      }
      const target = targets[top.next++]!;
      if (state.get(target) === 'open') {
        warnings.push(`cycle: ${path.slice(path.indexOf(target)).concat(target).map((code) => facts(code).printed).join(' → ')}`);
      } else if (!state.has(target)) {
        state.set(target, 'open');
        stack.push({ node: target, next: 0 });
        path.push(target);
      }
    }
  }
  return warnings;
}

/** A receiving event with no shipping before it of the thing or of anything it was packed in: a broken link. */
function brokenLinks(found: Map<string, Found>, containers: Map<string, string[]>, facts: (code: string) => CodeFacts): string[] {
  const firstShipment = new Map<string, number>();
  for (const f of found.values()) {
    let first = Infinity;
    for (const e of f.events) if (e.bizStep === 'shipping' && e.time < first) first = e.time;
    firstShipment.set(f.code, first);
  }
  const warnings: string[] = [];
  for (const f of found.values()) {
    let shipped = firstShipment.get(f.code)!;
    for (const container of containers.get(f.code) ?? []) shipped = Math.min(shipped, firstShipment.get(container) ?? Infinity);
    for (const e of f.events) {
      if (e.bizStep === 'receiving' && !(shipped <= e.time)) {
        warnings.push(`broken link: ${facts(f.code).printed} was received (${e.facts.eventTime}, event ${e.eventID}) with no shipment recorded before it`);
      }
    }
  }
  return warnings;
}

/** The containers each thing was packed into, as the trace's aggregation edges tell. */
function containersOf(edges: Iterable<TraceEdge>): Map<string, string[]> {
  const containers = new Map<string, string[]>();
  for (const e of edges) {
    if (e.relation !== 'aggregation') continue;
    const list = containers.get(e.from);
    if (list) list.push(e.to);
    else containers.set(e.from, [e.to]);
  }
  return containers;
}
