import { actingSubjectId, canRecordFor, ensure } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import type { CaptureService } from '../capture/capture.service.js';
import { scannedIdentifier } from '../codes/registry.js';
import { conflict, invalid } from '../domain/errors.js';
import type { EventsService } from '../events/events.service.js';

/**
 * The packaging hierarchy (unit → case → pallet), kept as EPCIS AggregationEvents: packing is an ADD, unpacking a
 * DELETE, and "what is inside" and "what is this inside" are answered by replaying those events in event-time order,
 * as of now or of any past moment. Only the events the asking key may read take part, so the answer never reveals
 * what the tenancy rule hides.
 */

export const MAX_CHILDREN = 10_000;
/** Levels followed down or up: pallets hold cases hold units; no real hierarchy nests deeper. */
const MAX_DEPTH = 8;
const TIME_ZONE_OFFSET = '+08:00';
const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

export interface PackInput {
  parent: string;
  children: string[];
  /** When it happened (ISO 8601 with offset); now if absent. */
  at?: string;
}

export interface UnpackInput {
  parent: string;
  /** The children taken out; all of them when absent. */
  children?: string[];
  at?: string;
}

export interface ContentsNode {
  code: string;
  children: ContentsNode[];
}

interface Aggregation {
  eventID: string;
  parentID: string;
  childEPCs: string[];
  action: 'ADD' | 'OBSERVE' | 'DELETE';
  eventTime: string;
}

export class PackagingService {
  constructor(
    private readonly capture: CaptureService,
    private readonly events: EventsService,
  ) {}

  /** Puts `children` into `parent`. A child still inside another container must be unpacked from it first. */
  async pack(actor: Principal, input: PackInput): Promise<{ eventId: string }> {
    this.ensureMayRecord(actor);
    const parent = scannedIdentifier(input.parent, '/parent');
    const children = identifyAll(input.children, '/children');
    if (children.length === 0) throw invalid('children-required', 'name at least one child to pack', [{ pointer: '/children', message: 'empty' }]);
    if (children.includes(parent)) throw invalid('packed-into-itself', 'a container cannot be packed into itself', [{ pointer: '/children', message: 'contains the parent' }]);
    const at = eventTime(input.at);
    for (const [child, holder] of await this.holders(actor, children, at)) {
      if (holder !== parent) throw conflict('already-packed', `${child} is inside ${holder}; unpack it first`);
    }
    // The parent must not sit, at any level, inside one of the children: that would be a loop.
    for (const ancestor of await this.containersOf(actor, parent, at)) {
      if (children.includes(ancestor)) throw conflict('packing-loop', `${parent} is itself inside ${ancestor}`);
    }
    return this.record(actor, { parentID: parent, childEPCs: children, action: 'ADD', bizStep: 'packing', disposition: 'in_progress', eventTime: at });
  }

  async unpack(actor: Principal, input: UnpackInput): Promise<{ eventId: string }> {
    this.ensureMayRecord(actor);
    const parent = scannedIdentifier(input.parent, '/parent');
    const children = input.children === undefined ? [] : identifyAll(input.children, '/children');
    const at = eventTime(input.at);
    const inside = await this.childrenOf(actor, parent, at);
    const missing = children.filter((child) => !inside.has(child));
    if (missing.length) throw conflict('not-inside', `${missing[0]} is not inside ${parent}`);
    if (inside.size === 0) throw conflict('empty-container', `${parent} holds nothing to unpack`);
    return this.record(actor, { parentID: parent, childEPCs: children, action: 'DELETE', bizStep: 'unpacking', disposition: 'in_progress', eventTime: at });
  }

  /** What is inside `code` (all levels down), as of `at` or now. */
  async contents(actor: Principal, code: string, at?: string): Promise<ContentsNode> {
    const root = scannedIdentifier(code, '/code');
    const when = asOf(at);
    const visit = async (node: string, depth: number): Promise<ContentsNode> => {
      if (depth >= MAX_DEPTH) return { code: node, children: [] };
      const children = [...(await this.childrenOf(actor, node, when))].sort();
      return { code: node, children: await Promise.all(children.map((child) => visit(child, depth + 1))) };
    };
    return visit(root, 0);
  }

  /** The containers `code` is inside, innermost first (case, then pallet …), as of `at` or now. */
  async container(actor: Principal, code: string, at?: string): Promise<{ code: string; containers: string[] }> {
    const root = scannedIdentifier(code, '/code');
    return { code: root, containers: await this.containersOf(actor, root, asOf(at)) };
  }

  private async containersOf(actor: Principal, code: string, at: string): Promise<string[]> {
    const chain: string[] = [];
    let current = code;
    while (chain.length < MAX_DEPTH) {
      const holder = await this.containerOf(actor, current, at);
      if (holder === undefined || chain.includes(holder) || holder === code) break;
      chain.push(holder);
      current = holder;
    }
    return chain;
  }

  private async containerOf(actor: Principal, code: string, at: string): Promise<string | undefined> {
    return (await this.holders(actor, [code], at)).get(code);
  }

  /**
   * The container each of `codes` is directly inside at `at`: the parent of the latest packing that names it (a later
   * packing into another container moves it, recorded unpacking or not), unless that parent was unpacked of it, or
   * emptied, afterwards. Two queries for every thousand codes, however many there are.
   */
  private async holders(actor: Principal, codes: string[], at: string): Promise<Map<string, string>> {
    const latest = new Map<string, Aggregation>();
    const wanted = new Set(codes);
    for (const chunk of chunks(codes)) {
      for (const event of await this.aggregations(actor, { MATCH_epc: chunk.join('|'), LT_eventTime: justAfter(at) })) {
        if (event.action === 'DELETE') continue;
        for (const child of event.childEPCs) if (wanted.has(child)) latest.set(child, event);
      }
    }
    const histories = new Map<string, Aggregation[]>();
    const parents = [...new Set([...latest.values()].map((e) => e.parentID))];
    const since = [...latest.values()].map((e) => e.eventTime).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
    for (const chunk of chunks(parents)) {
      for (const event of await this.aggregations(actor, { MATCH_parentID: chunk.join('|'), GE_eventTime: since!, LT_eventTime: justAfter(at) })) {
        const list = histories.get(event.parentID) ?? [];
        list.push(event);
        histories.set(event.parentID, list);
      }
    }
    const held = new Map<string, string>();
    for (const [code, packing] of latest) {
      // Unpacking can name the child or, with no children listed, empty the whole container: replay the parent's
      // history from that packing on (the store orders events of one instant as it recorded them).
      const history = histories.get(packing.parentID) ?? [];
      let inside = true;
      for (const event of history.slice(history.findIndex((e) => e.eventID === packing.eventID) + 1)) {
        if (event.action === 'DELETE') {
          if (event.childEPCs.length === 0 || event.childEPCs.includes(code)) inside = false;
        } else if (event.childEPCs.includes(code)) inside = true;
      }
      if (inside) held.set(code, packing.parentID);
    }
    return held;
  }

  /** The children directly inside `parent` at `at`. */
  private async childrenOf(actor: Principal, parent: string, at: string): Promise<Set<string>> {
    const candidates = new Set<string>();
    for (const event of await this.aggregations(actor, { MATCH_parentID: parent, LT_eventTime: justAfter(at) })) {
      if (event.action === 'DELETE') {
        if (event.childEPCs.length === 0) candidates.clear();
        else for (const child of event.childEPCs) candidates.delete(child);
      } else for (const child of event.childEPCs) candidates.add(child);
    }
    // A child packed into another container later has left this one, recorded or not.
    const holders = await this.holders(actor, [...candidates], at);
    return new Set([...candidates].filter((child) => holders.get(child) === parent));
  }

  /** The AggregationEvents matching `params` the actor may read, in event-time order. */
  private async aggregations(actor: Principal, params: Record<string, string>): Promise<Aggregation[]> {
    const found: Aggregation[] = [];
    let nextPageToken: string | null = null;
    do {
      const page = await this.events.query(actor, { eventType: 'AggregationEvent', orderBy: 'eventTime', orderDirection: 'ASC', perPage: '1000', ...params, ...(nextPageToken ? { nextPageToken } : {}) });
      for (const event of page.events) {
        if (typeof event.parentID !== 'string') continue;
        found.push({
          eventID: event.eventID as string,
          parentID: event.parentID,
          childEPCs: Array.isArray(event.childEPCs) ? (event.childEPCs as string[]) : [],
          action: event.action as Aggregation['action'],
          eventTime: event.eventTime as string,
        });
      }
      nextPageToken = page.nextPageToken;
    } while (nextPageToken);
    return found;
  }

  private async record(actor: Principal, event: Record<string, unknown>): Promise<{ eventId: string }> {
    const { eventID } = await this.capture.captureEvent(actor, {
      '@context': [EPCIS_CONTEXT],
      type: 'AggregationEvent',
      eventTimeZoneOffset: TIME_ZONE_OFFSET,
      ...event,
    });
    return { eventId: eventID };
  }

  /** As for capture: the users of an active subject, or a platform admin (for itself or on behalf of a subject). */
  private ensureMayRecord(actor: Principal): void {
    if (actor.role === 'platform_admin') return;
    const subject = actingSubjectId(actor);
    ensure(subject !== null && canRecordFor(actor, subject), 'not-permitted', 'packing is recorded by the users of an active subject');
  }
}

/** The event query's time bound is exclusive; "as of" a moment includes what happened at it. */
function justAfter(at: string): string {
  return new Date(Date.parse(at) + 1).toISOString();
}

/** Query values per parameter: the event query takes up to a thousand. */
function chunks(values: string[], size = 1_000): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

function identifyAll(texts: string[], pointer: string): string[] {
  if (texts.length > MAX_CHILDREN) throw invalid('too-many-children', `at most ${MAX_CHILDREN} children a request`, [{ pointer, message: 'too many' }]);
  const codes = texts.map((text, i) => scannedIdentifier(text, `${pointer}/${i}`));
  const repeated = codes.findIndex((code, i) => codes.indexOf(code) !== i);
  if (repeated >= 0) throw invalid('repeated-child', `${codes[repeated]} is named twice`, [{ pointer: `${pointer}/${repeated}`, message: 'repeated' }]);
  return codes;
}

function eventTime(at: string | undefined): string {
  if (at === undefined) return new Date().toISOString();
  return asOf(at);
}

function asOf(at: string | undefined): string {
  if (at === undefined) return new Date().toISOString();
  const ms = Date.parse(at);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(at) || Number.isNaN(ms)) {
    throw invalid('invalid-time', 'times are ISO 8601 with a time zone, e.g. 2026-11-23T09:30:00+08:00', [{ pointer: '/at', message: 'not a time' }]);
  }
  return new Date(ms).toISOString();
}
