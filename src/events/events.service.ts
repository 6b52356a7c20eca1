import { canReadSubject, ensure, readScope } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import type { Database } from '../db/index.js';
import { invalid, notFound, tooLarge } from '../domain/errors.js';
import type { ProductClass } from '../domain/master-data.js';
import { canonicalIdentifier } from '../epcis/event-index.js';
import { ILMD_LOT_NUMBER } from '../epcis/cbv.js';
import { canonicaliseEvent } from '../epcis/present.js';
import { thingsNamed } from '../epcis/things.js';
import { parseEventQuery, QueryParameterError, type EventQuery } from '../epcis/query.js';
import { RecallRepository, type RecallSummary } from '../recall/recall.repository.js';
import { decodeTraceFacts, traceFactsOf, type TraceFacts } from '../epcis/trace-facts.js';
import { EventsRepository, type PageCursor, type StoredEvent, type ThingsInRoles, type TraceRow } from './events.repository.js';

export interface EventPage {
  events: Record<string, unknown>[];
  /** The inline @context entries (namespace prefixes) the returned events were captured with, merged. */
  context: Record<string, unknown>;
  /** Opaque token for the next page; null on the last page. */
  nextPageToken: string | null;
  /** The things the page's events name that are under an open recall or stop-trade order, with those orders. */
  recalled: { code: string; recalls: RecallSummary[] }[];
}

export type IdentifierForm = 'canonical' | 'as-captured';

/** An event as the bulk readers give it: its seq, and the event as answered (identifiers canonical). */
export interface ReadEvent {
  seq: number;
  event: Record<string, unknown>;
}

export interface ReadOptions {
  /** Events already held (by seq), left out. */
  except?: { has(seq: number): boolean };
  /** A reader that meets the same identifiers over and over may pass its own memo of canonicalIdentifier. */
  canonical?: (identifier: string) => string;
}

/** What a trace level reads: the events naming things, and those recording lots in their ILMD. */
export interface TraceWanted {
  naming: readonly ThingsInRoles[];
  recordingLots?: readonly string[];
}

/** An event as the trace reads it: its columns and trace facts, never its body. */
export interface TraceEvent {
  seq: number;
  eventID: string;
  type: string;
  action: string | null;
  /** Bare CBV words where the vocabulary knows them, whatever form was captured. */
  bizStep: string | null;
  disposition: string | null;
  /** eventTime in milliseconds. */
  time: number;
  facts: TraceFacts;
}

const BY_EVENT_TIME: EventQuery = parseEventQuery({ orderBy: 'eventTime', orderDirection: 'ASC' });

/** Reading the event store: SimpleEventQuery with keyset pagination, within the reader's tenancy scope. */
export class EventsService {
  constructor(private readonly database: Database) {}

  async query(actor: Principal, params: Record<string, string | undefined>, form: IdentifierForm = 'canonical'): Promise<EventPage> {
    const repo = new EventsRepository(this.database.db);
    const query = await parsed(repo, params);
    const token = params.nextPageToken ? decodeToken(params.nextPageToken) : null;
    // The standard's QueryTooLargeException: checked once, on the first page, which the later pages continue.
    if (query.maxEventCount !== undefined && !token && (await repo.countUpTo(query, readScope(actor), query.maxEventCount + 1)) > query.maxEventCount) {
      throw tooLarge('query-too-large', `more than maxEventCount=${query.maxEventCount} events match; narrow the query or raise the limit`);
    }
    const remaining = token?.remaining ?? query.eventCountLimit ?? Infinity;
    const limit = Math.min(query.perPage, remaining);
    const rows = await repo.query(query, readScope(actor), token, limit + 1);
    const page = rows.slice(0, limit);
    const more = rows.length > limit && remaining - page.length > 0;
    const last = page[page.length - 1];
    const events = page.map((e) => present(e, form));
    return {
      events,
      context: mergedContext(page),
      recalled: await this.recalledAmong(events),
      nextPageToken: more && last ? encodeToken({ key: last.sortKey, seq: last.seq, remaining: remaining === Infinity ? undefined : remaining - page.length }) : null,
    };
  }

  /**
   * Every event the actor may read that names one of the things in one of the roles its group gives, or whose ILMD
   * records one of `recordingLots` as its lot number (cbvmda:lotNumber), oldest first, leaving out those `except` holds
   * (by seq), as the trace reads them (`TraceEvent`): a trace level's read, straight from the indexes. The lookups are
   * asked together, then the events read in one statement.
   */
  async traceEvents(actor: Principal, wanted: TraceWanted, options: ReadOptions = {}): Promise<TraceEvent[]> {
    const repo = new EventsRepository(this.database.db);
    const [naming, recording] = await Promise.all([repo.seqsNaming(wanted.naming), repo.seqsWithField('ilmd', ILMD_LOT_NUMBER, wanted.recordingLots ?? [])]);
    const candidates = [...new Set(recording.length ? [...naming, ...recording] : naming)].filter((seq) => !options.except?.has(seq));
    if (candidates.length === 0) return [];
    return (await repo.traceRowsAmong(candidates, readScope(actor))).map((row) => traceEvent(row, options.canonical));
  }

  /** The events among `seqs` the actor may read, identifiers canonical, in event-time order. */
  async readAmong(actor: Principal, seqs: readonly number[], options: ReadOptions = {}): Promise<ReadEvent[]> {
    if (seqs.length === 0) return [];
    return this.readPages(new EventsRepository(this.database.db), actor, BY_EVENT_TIME, [...seqs], options);
  }

  /** Every page of a query, among the `among` seqs when given, less those `except` holds. */
  private async readPages(repo: EventsRepository, actor: Principal, query: EventQuery, among: number[] | undefined, options: ReadOptions): Promise<ReadEvent[]> {
    const { except, canonical } = options;
    const candidates = among && except ? among.filter((seq) => !except.has(seq)) : among;
    if (candidates?.length === 0) return [];
    const out: ReadEvent[] = [];
    const pageSize = 1000;
    let cursor: PageCursor | null = null;
    for (;;) {
      const rows = await repo.query(query, readScope(actor), cursor, pageSize, { ...(candidates ? { among: candidates } : {}), withContext: false });
      for (const row of rows) if (!except?.has(row.seq)) out.push({ seq: row.seq, event: present(row, 'canonical', canonical) });
      const last = rows[rows.length - 1];
      if (!last || rows.length < pageSize) return out;
      cursor = { key: last.sortKey, seq: last.seq };
    }
  }

  async get(actor: Principal, eventId: string, form: IdentifierForm = 'canonical'): Promise<{ event: Record<string, unknown>; context: Record<string, unknown> }> {
    const event = await this.stored(actor, eventId);
    return { event: present(event, form), context: mergedContext([event]) };
  }

  /** The stored event (with its seq) if the actor may read it: not found, or not permitted, otherwise. */
  async stored(actor: Principal, eventId: string): Promise<StoredEvent> {
    const repo = new EventsRepository(this.database.db);
    const event = await repo.findByEventId(eventId);
    if (!event) throw notFound('event-not-found', `no event ${eventId}`);
    ensure(await this.canRead(repo, actor, event), 'not-permitted', 'this event is outside what this key may read');
    return event;
  }

  /** Codes under recall answer so wherever they are looked up: an event query names those its events name. */
  private async recalledAmong(events: Record<string, unknown>[]): Promise<{ code: string; recalls: RecallSummary[] }[]> {
    const recalls = new RecallRepository(this.database.db);
    if (events.length === 0 || !(await recalls.anyOpen())) return [];
    const codes = new Set<string>();
    for (const event of events) for (const thing of thingsNamed(event)) codes.add(canonicalIdentifier(thing));
    const open = await recalls.openRecallsOf([...codes]);
    return [...open].map(([code, list]) => ({ code, recalls: list })).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  }

  private async canRead(repo: EventsRepository, actor: Principal, event: StoredEvent): Promise<boolean> {
    const scope = readScope(actor);
    if (scope.kind === 'all') return true;
    const subjects = await repo.subjectsOf(event.seq);
    if (scope.kind === 'region') {
      const inClasses = event.productClass === null || scope.productClasses.includes(event.productClass as ProductClass);
      return inClasses && subjects.some((s) => canReadSubject(actor, s));
    }
    if (subjects.some((s) => canReadSubject(actor, s))) return true;
    return scope.kind === 'subject' && (await repo.subjectHasHeld(scope.subjectId, event.seq));
  }
}

/** The query a request's parameters make, or an `invalid` error naming the parameter at fault. */
async function parsed(repo: EventsRepository, params: Record<string, string | undefined>): Promise<EventQuery> {
  try {
    // Declared prefixes matter only to field parameters written with a prefix; most queries skip the lookup.
    const namesFields = Object.keys(params).some((name) => /^(EQ|GT|GE|LT|LE|EXISTS)_/.test(name) && name.includes(':'));
    return parseEventQuery(params, namesFields ? await repo.namespaces() : undefined);
  } catch (error) {
    if (error instanceof QueryParameterError) throw invalid('query-parameter', error.message, [{ pointer: `/${error.parameter}`, message: error.message }]);
    throw error;
  }
}

function traceEvent(row: TraceRow, canonical: (identifier: string) => string = canonicalIdentifier): TraceEvent {
  return {
    seq: Number(row.seq),
    eventID: row.event_id,
    type: row.event_type,
    action: row.action,
    bizStep: row.biz_step,
    disposition: row.disposition,
    time: Number(row.event_time_ms),
    // Events stored before trace facts were written have their body instead.
    facts: row.trace_facts !== null ? decodeTraceFacts(row.trace_facts) : traceFactsOf(JSON.parse(row.body!) as Record<string, unknown>, canonical),
  };
}

/** The event as answered: canonical identifiers (unless asked otherwise), its eventID and recordTime, corrections. */
function present(event: StoredEvent, form: IdentifierForm, canonical?: (identifier: string) => string): Record<string, unknown> {
  const body = form === 'canonical' ? canonicaliseEvent(event.body, canonical) : { ...event.body };
  const { '@context': _context, ...rest } = body;
  const latest = event.corrections[event.corrections.length - 1];
  return {
    ...rest,
    eventID: event.eventId,
    recordTime: event.recordTime,
    ...(latest ? { errorDeclaration: latest.errorDeclaration } : {}),
  };
}

/** Extension fields need their prefixes: the answer carries every inline prefix its events were captured with. */
export function mergedContext(events: StoredEvent[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  const visit = (context: unknown): void => {
    if (Array.isArray(context)) context.forEach(visit);
    else if (typeof context === 'object' && context !== null) Object.assign(merged, context);
  };
  for (const e of events) {
    visit(e.context);
    visit(e.body['@context']);
  }
  return merged;
}

interface Token extends PageCursor {
  remaining?: number | undefined;
}

function encodeToken(token: Token): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string): Token {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Token;
    const { key, seq, remaining } = token;
    if (Number.isFinite(key) && Number.isSafeInteger(seq) && (remaining === undefined || (Number.isSafeInteger(remaining) && remaining > 0))) return token;
  } catch {
    // fall through
  }
  throw invalid('invalid-page-token', 'nextPageToken is not a token this server issued', [{ pointer: '/nextPageToken', message: 'unknown token' }]);
}
