import { sql } from 'kysely';
import type { ReadScope } from '../access/policy.js';
import { LIST_PLACEHOLDER, namesThingHeldBy, rowsWithList, postedSeqList, postedSeqs, postedSeqsOfTerms, seqAmong, textAmong, type Database, type EventFieldTable, type EventSensorReportTable, type EventTable, type EventTraceFactsTable, type Executor, type PostingTable } from '../db/index.js';
import { parseEventQuery, type EventQuery, type SensorField } from '../epcis/query.js';
import { isoString } from '../epcis/time.js';

export interface StoredEvent {
  seq: number;
  productClass: string | null;
  eventId: string;
  eventHash: string;
  recordTime: string;
  ownerSubjectId: string | null;
  context: unknown;
  body: Record<string, unknown>;
  corrections: { declarationTime: string; reason: string | null; correctiveEventIDs: string[]; errorDeclaration: Record<string, unknown> }[];
}

/** Things looked up in the identifier index in the roles given (instances in the roles of instances, classes in those of classes). */
export interface ThingsInRoles {
  things: readonly string[];
  roles: readonly string[];
}

export interface PageCursor {
  /** Sort key of the last event returned (time in ms, or seq for capture order). */
  key: number;
  seq: number;
}

/** Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits for the widest table. */
const CHUNK = 500;

const SENSOR_COLUMNS = {
  type: 'type',
  deviceID: 'device_id',
  time: 'time_ms',
  startTime: 'start_time_ms',
  endTime: 'end_time_ms',
  value: 'value',
  minValue: 'min_value',
  maxValue: 'max_value',
  meanValue: 'mean_value',
  sDev: 's_dev',
  percRank: 'perc_rank',
  percValue: 'perc_value',
  stringValue: 'string_value',
  booleanValue: 'boolean_value',
  hexBinaryValue: 'hex_binary_value',
  uriValue: 'uri_value',
  dataProcessingMethod: 'data_processing_method',
  microorganism: 'microorganism',
  chemicalSubstance: 'chemical_substance',
  bizRules: 'biz_rules',
} as const satisfies Record<SensorField, keyof EventSensorReportTable>;

const COMPARISONS = { GT: '>', GE: '>=', LT: '<', LE: '<=' } as const;


/** No condition: the trace's reads by seq, the scope aside. */
const EVERY_EVENT: EventQuery = parseEventQuery({});

export class EventsRepository {
  constructor(
    private readonly db: Executor,
    private readonly bulk?: Database['insertMany'],
  ) {}

  /** Remembers the prefixes a document declared; a prefix declared again for another IRI takes the newer one. */
  async rememberNamespaces(prefixes: Map<string, string>): Promise<void> {
    for (const [prefix, iri] of prefixes) {
      await this.db.insertInto('namespaces').values({ prefix, iri }).onConflict((oc) => oc.column('prefix').doUpdateSet({ iri })).execute();
    }
  }

  async namespaces(): Promise<Map<string, string>> {
    const rows = await this.db.selectFrom('namespaces').selectAll().execute();
    return new Map(rows.map((r) => [r.prefix, r.iri]));
  }

  async findByHashes(hashes: string[]): Promise<Map<string, { seq: number; eventId: string }>> {
    const rows = await inChunks(hashes, (chunk) => this.db.selectFrom('events').select(['seq', 'event_hash', 'event_id']).where('event_hash', 'in', chunk).execute());
    return new Map(rows.map((r) => [r.event_hash, { seq: Number(r.seq), eventId: r.event_id ?? r.event_hash }]));
  }

  /** Stored events whose client-given eventID (one that is not their hash) is among `ids`. */
  async findBySuppliedIds(ids: string[]): Promise<Map<string, { seq: number; eventHash: string }>> {
    const rows = await inChunks(ids, (chunk) => this.db.selectFrom('events').select(['seq', 'event_hash', 'event_id']).where('event_id', 'in', chunk).execute());
    return new Map(rows.map((r) => [r.event_id!, { seq: Number(r.seq), eventHash: r.event_hash }]));
  }

  /** Writes events with their index rows; needs the repository to have been built with the bulk inserter. */
  async insertEvents(rows: {
    events: EventTable[];
    traceFacts: EventTraceFactsTable[];
    postings: PostingTable[];
    fields: EventFieldTable[];
    subjects: { seq: number; subject_id: string; relation: string }[];
    sensorReports: EventSensorReportTable[];
  }): Promise<void> {
    if (!this.bulk) throw new Error('EventsRepository.insertEvents needs the bulk inserter');
    await this.bulk(this.db, 'events', rows.events);
    await this.bulk(this.db, 'event_trace_facts', rows.traceFacts);
    await this.bulk(this.db, 'postings', rows.postings);
    await this.bulk(this.db, 'event_fields', rows.fields);
    await this.bulk(this.db, 'event_subjects', rows.subjects);
    await this.bulk(this.db, 'event_sensor_reports', rows.sensorReports);
  }

  async insertCorrection(row: {
    declaredSeq: number;
    declarationTime: string;
    reason: string | null;
    correctiveEventIDs: string[];
    errorDeclaration: unknown;
    captureId: string;
  }): Promise<void> {
    await this.db
      .insertInto('event_corrections')
      .values({
        declared_seq: row.declaredSeq,
        declaration_time: row.declarationTime,
        reason: row.reason,
        corrective_event_ids: JSON.stringify(row.correctiveEventIDs),
        error_declaration: JSON.stringify(row.errorDeclaration),
        capture_id: row.captureId,
        recorded_at: new Date().toISOString(),
      })
      .execute();
    if (row.correctiveEventIDs.length > 0) {
      await this.db
        .insertInto('event_corrective_ids')
        .values(row.correctiveEventIDs.map((id) => ({ declared_seq: row.declaredSeq, corrective_event_id: id })))
        .execute();
    }
  }

  async hasCorrection(declaredSeq: number, declarationTime: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('event_corrections')
      .select('declared_seq')
      .where('declared_seq', '=', declaredSeq)
      .where('declaration_time', '=', declarationTime)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * One page of a SimpleEventQuery within the reader's scope, in the query's order, after `cursor`; only among the
   * events `among` lists when given. Without `withContext` the capture's JSON-LD context is left unread (null).
   */
  async query(q: EventQuery, scope: ReadScope, cursor: PageCursor | null, limit: number, options: { among?: readonly number[]; withContext?: boolean } = {}): Promise<(StoredEvent & { sortKey: number })[]> {
    const sortColumn = q.orderBy === 'eventTime' ? 'e.event_time_ms' : q.orderBy === 'recordTime' ? 'e.record_time_ms' : 'e.seq';
    const direction = q.orderDirection === 'ASC' ? 'asc' : 'desc';
    // In event-time order, a disposition or event type that many events share is best met by walking the time index
    // and skipping the others; a rare one by its (value, seq) index and sorting the few events found. The planner
    // cannot tell the two apart, so it is asked, and when the value is common its column is compared through
    // coalesce(), which no index serves.
    const walkTime = sortColumn === 'e.event_time_ms' && (q.dispositions || q.eventTypes) !== undefined && (await this.walkingTimeWins(q.dispositions, q.eventTypes, limit));
    const matching = this.matching(q, scope, walkTime);
    let query = ((options.withContext ?? true) ? matching.leftJoin('capture_jobs as c', 'c.id', 'e.capture_id').select('c.context') : matching.select(sql<string | null>`null`.as('context')))
      .select(['e.seq', 'e.event_id', 'e.event_hash', 'e.owner_subject_id', 'e.product_class', 'e.body', 'e.event_time_ms', 'e.record_time_ms'])
      // Corrections are rare: each event says whether it has any, and only those are looked up.
      .select(sql<boolean | number>`exists (select 1 from event_corrections ec where ec.declared_seq = e.seq)`.as('corrected'));
    if (options.among) query = query.where(seqAmong(this.db, 'e.seq', options.among));
    if (cursor) {
      const after = direction === 'asc' ? '>' : '<';
      query =
        sortColumn === 'e.seq'
          ? query.where('e.seq', after, cursor.seq)
          : query.where((eb) => eb.or([eb(sortColumn, after, cursor.key), eb.and([eb(sortColumn, '=', cursor.key), eb('e.seq', after, cursor.seq)])]));
    }
    query = query.orderBy(sortColumn, direction);
    if (sortColumn !== 'e.seq') query = query.orderBy('e.seq', direction);
    return this.pageOf(await query.limit(limit).execute(), sortColumn);
  }

  /**
   * The events among `seqs` the reader may read, as the trace reads them (`TraceRow`), in event-time order. A reader
   * who may read everything reads the trace facts rows alone, one row per event, never touching the table of bodies;
   * the rest of the readers, and the events stored before trace facts were, are read through `events`, whose columns
   * the scope's conditions are on.
   */
  async traceRowsAmong(seqs: readonly number[], scope: ReadScope): Promise<TraceRow[]> {
    if (scope.kind !== 'all') return this.traceRowsThroughEvents(seqs, scope);
    const rows = await rowsWithList<TraceRow>(
      this.db,
      'trace-facts-among',
      () =>
        this.db
          .selectFrom('event_trace_facts as f')
          .select(['f.seq', 'f.event_id', 'f.event_type', 'f.action', 'f.biz_step', 'f.disposition', 'f.event_time_ms', 'f.facts as trace_facts'])
          .where(seqAmong(this.db, 'f.seq', LIST_PLACEHOLDER))
          .orderBy('f.event_time_ms', 'asc')
          .orderBy('f.seq', 'asc'),
      seqs,
    );
    if (rows.length === seqs.length) return rows;
    const found = new Set(rows.map((r) => Number(r.seq)));
    const older = await this.traceRowsThroughEvents([...new Set(seqs.filter((seq) => !found.has(seq)))], scope);
    return older.length ? [...rows, ...older].sort((a, b) => Number(a.event_time_ms) - Number(b.event_time_ms) || Number(a.seq) - Number(b.seq)) : rows;
  }

  /**
   * The events among `seqs` the reader may read, read through `events` (where the scope's conditions are), with their
   * trace facts, and their bodies where they have none (events stored before trace facts were).
   */
  private async traceRowsThroughEvents(seqs: readonly number[], scope: ReadScope): Promise<TraceRow[]> {
    return rowsWithList<TraceRow>(
      this.db,
      JSON.stringify(['trace-through-events', scope]),
      () =>
        this.matching(EVERY_EVENT, scope, false)
          .leftJoin('event_trace_facts as f', 'f.seq', 'e.seq')
          .select((eb) => ['e.seq', eb.fn.coalesce('e.event_id', 'e.event_hash').as('event_id'), 'e.event_type', 'e.action', 'e.biz_step', 'e.disposition', 'e.event_time_ms', 'f.facts as trace_facts'])
          .select(sql<string | null>`case when f.facts is null then e.body end`.as('body'))
          .where(seqAmong(this.db, 'e.seq', LIST_PLACEHOLDER))
          .orderBy('e.event_time_ms', 'asc')
          .orderBy('e.seq', 'asc'),
      seqs,
    );
  }

  private async pageOf(rows: EventPageRow[], sortColumn: string): Promise<(StoredEvent & { sortKey: number })[]> {
    const corrections = await this.correctionsFor(rows.filter((r) => Boolean(r.corrected)).map((r) => Number(r.seq)));
    return rows.map((r) => ({
      ...toStored(r, corrections.get(Number(r.seq)) ?? []),
      sortKey: sortColumn === 'e.event_time_ms' ? Number(r.event_time_ms) : sortColumn === 'e.record_time_ms' ? Number(r.record_time_ms) : Number(r.seq),
    }));
  }

  /**
   * The events every identifier condition of a query matches, as seqs (undefined when it has none): found in the
   * identifier index and intersected here, for a reader that will read them all.
   */
  async seqsMatching(q: EventQuery): Promise<number[] | undefined> {
    let seqs: number[] | undefined;
    for (const m of q.match) {
      const found = await postedSeqList(this.db, { terms: m.values, prefixes: m.prefixes, roles: m.roles });
      if (seqs === undefined) seqs = found;
      else {
        const kept = new Set(found);
        seqs = seqs.filter((seq) => kept.has(seq));
      }
      if (seqs.length === 0) break;
    }
    return seqs;
  }

  /** The events naming one of a group's things in one of the group's roles, as seqs. */
  async seqsNaming(groups: readonly ThingsInRoles[]): Promise<number[]> {
    return postedSeqsOfTerms(this.db, groups.map((g) => ({ terms: g.things, roles: g.roles })));
  }

  /** The events an ILMD or extension field (by its expanded name) gives one of `values`, as seqs. */
  async seqsWithField(scope: EventFieldTable['scope'], name: string, values: readonly string[]): Promise<number[]> {
    const rows = await rowsWithList(
      this.db,
      JSON.stringify(['fields-with-values', scope, name]),
      () => this.db.selectFrom('event_fields').select('seq').distinct().where('scope', '=', scope).where('name', '=', name).where(textAmong(this.db, 'text_value', LIST_PLACEHOLDER)),
      values,
    );
    return rows.map((r) => Number(r.seq));
  }

  /** How many events a query matches within the reader's scope, counted up to `bound` and no further. */
  async countUpTo(q: EventQuery, scope: ReadScope, bound: number): Promise<number> {
    return this.countAtMost(this.matching(q, scope, false), bound);
  }

  /** How many of `events` there are, counted up to `bound` and no further. */
  private async countAtMost(events: ReturnType<EventsRepository['matching']>, bound: number): Promise<number> {
    const { n } = await this.db
      .selectFrom(events.select('e.seq').limit(bound).as('m'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  /** The events a query's filters and the reader's scope let through; `walkTime` as `query` explains. */
  private matching(q: EventQuery, scope: ReadScope, walkTime: boolean) {
    let query = this.db.selectFrom('events as e');
    const oneOf = (column: 'e.event_type' | 'e.disposition', values: string[]) =>
      query.where((eb) => eb(walkTime ? eb.fn.coalesce(column, eb.val('')) : eb.ref(column), 'in', values));
    if (q.eventTypes) query = oneOf('e.event_type', q.eventTypes);
    if (q.eventTime.ge !== undefined) query = query.where('e.event_time_ms', '>=', q.eventTime.ge);
    if (q.eventTime.lt !== undefined) query = query.where('e.event_time_ms', '<', q.eventTime.lt);
    if (q.recordTime.ge !== undefined) query = query.where('e.record_time_ms', '>=', q.recordTime.ge);
    if (q.recordTime.lt !== undefined) query = query.where('e.record_time_ms', '<', q.recordTime.lt);
    if (q.actions) query = query.where('e.action', 'in', q.actions);
    if (q.bizSteps) query = query.where('e.biz_step', 'in', q.bizSteps);
    if (q.dispositions) query = oneOf('e.disposition', q.dispositions);
    if (q.eventIds) {
      const ids = q.eventIds;
      query = query.where((eb) => eb.or([eb('e.event_id', 'in', ids), eb.and([eb('e.event_id', 'is', null), eb('e.event_hash', 'in', ids)])]));
    }

    // Identifiers and locations (MATCH_, EQ_/WD_readPoint, EQ_bizLocation, …) drive the query from the identifier index:
    // the matching seqs are few, and events are found by key.
    for (const m of q.match) query = query.where('e.seq', 'in', postedSeqs(this.db, { terms: m.values, prefixes: m.prefixes, roles: m.roles }));

    // Fields, like sensor reports below, select their events once through their own index: checked per candidate
    // event instead, a common value meant reading all its rows again for every event the query walked past.
    for (const f of q.fields) {
      let matching = this.db.selectFrom('event_fields as f').select('f.seq').where('f.scope', '=', f.scope).where('f.name', '=', f.name);
      if (f.operator === 'EQ') matching = matching.where('f.text_value', 'in', f.values);
      else if (f.operator !== 'EXISTS') {
        const op = COMPARISONS[f.operator];
        const value = f.values[0]!;
        // Numbers compare as numbers; anything else (dates, codes) as text, which orders ISO dates correctly.
        matching = /^-?\d+(\.\d+)?$/.test(value) ? matching.where('f.num_value', op, Number(value)) : matching.where('f.text_value', op, value);
      }
      query = query.where('e.seq', 'in', matching);
    }

    if (q.sensor) {
      // One report must meet every condition: "a temperature above 8 °C", not a temperature and, elsewhere, an 8.
      let reports = this.db.selectFrom('event_sensor_reports as r').select('r.seq');
      for (const c of q.sensor) {
        const column = `r.${SENSOR_COLUMNS[c.field]}` as const;
        reports = c.operator === 'EQ' ? reports.where(column, 'in', c.values) : reports.where(column, COMPARISONS[c.operator], c.values[0]!);
        if (c.uom !== undefined) reports = reports.where('r.uom', '=', c.uom);
      }
      query = query.where('e.seq', 'in', reports);
    }
    const { ge: declaredFrom, lt: declaredBefore } = q.errorDeclarationTime;
    if (q.errorDeclarationExists || q.errorReasons || declaredFrom !== undefined || declaredBefore !== undefined) {
      query = query.where(({ exists, selectFrom }) => {
        let declarations = selectFrom('event_corrections as c').select('c.declared_seq').whereRef('c.declared_seq', '=', 'e.seq');
        if (q.errorReasons) declarations = declarations.where('c.reason', 'in', q.errorReasons);
        // Declaration times are stored as UTC ISO text of one length, so text order is time order.
        if (declaredFrom !== undefined) declarations = declarations.where('c.declaration_time', '>=', isoString(declaredFrom));
        if (declaredBefore !== undefined) declarations = declarations.where('c.declaration_time', '<', isoString(declaredBefore));
        return exists(declarations);
      });
    }
    if (q.correctiveEventIds) {
      query = query.where(({ exists, selectFrom }) =>
        exists(selectFrom('event_corrective_ids as ci').select('ci.declared_seq').whereRef('ci.declared_seq', '=', 'e.seq').where('ci.corrective_event_id', 'in', q.correctiveEventIds!)),
      );
    }

    if (scope.kind === 'subject') {
      const subjectId = scope.subjectId;
      // The subject's own events, and those naming a thing one of them names: the things it has held are gathered
      // once per query (namesThingHeldBy), so the cost grows with the subject's history, not with the store.
      query = query.where((eb) =>
        eb.or([
          eb.exists(eb.selectFrom('event_subjects as s').select('s.seq').whereRef('s.seq', '=', 'e.seq').where('s.subject_id', '=', subjectId)),
          namesThingHeldBy(this.db, 'e.object_ids', subjectId),
        ]),
      );
    } else if (scope.kind === 'region') {
      const prefix = scope.regionPrefix;
      // Events about a registered product outside the regulator's classes are not its business; events whose
      // product is not registered stay visible to the regulators of the region.
      query = query.where((eb) => eb.or([eb('e.product_class', 'is', null), ...(scope.productClasses.length ? [eb('e.product_class', 'in', scope.productClasses)] : [])]));
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('event_subjects as s')
            .innerJoin('subjects as sub', 'sub.id', 's.subject_id')
            .select('s.seq')
            .whereRef('s.seq', '=', 'e.seq')
            .where('sub.region_code', 'like', `${prefix}%`),
        ),
      );
    }

    return query;
  }

  /**
   * Whether walking the time index finds `limit` events with these dispositions and event types sooner than sorting
   * all of them: when m of the store's n events match, the walk reads about limit·n/m events and the sort m, so the
   * walk wins from m = √(limit·n). Matches are counted up to that bound only; n is read off the highest seq.
   */
  private async walkingTimeWins(dispositions: string[] | undefined, eventTypes: string[] | undefined, limit: number): Promise<boolean> {
    const { last } = await this.db.selectFrom('events').select((eb) => eb.fn.max('seq').as('last')).executeTakeFirstOrThrow();
    const bound = Math.ceil(Math.sqrt(limit * Number(last ?? 0)));
    let matching = this.db.selectFrom('events as e');
    if (dispositions) matching = matching.where('e.disposition', 'in', dispositions);
    if (eventTypes) matching = matching.where('e.event_type', 'in', eventTypes);
    return bound > 0 && (await this.countAtMost(matching, bound)) >= bound;
  }

  async findByEventId(eventId: string): Promise<StoredEvent | undefined> {
    const row = await this.db
      .selectFrom('events as e')
      .leftJoin('capture_jobs as c', 'c.id', 'e.capture_id')
      .select(['e.seq', 'e.event_id', 'e.event_hash', 'e.record_time_ms', 'e.owner_subject_id', 'e.product_class', 'c.context', 'e.body'])
      .where((eb) => eb.or([eb('e.event_id', '=', eventId), eb.and([eb('e.event_id', 'is', null), eb('e.event_hash', '=', eventId)])]))
      .executeTakeFirst();
    if (!row) return undefined;
    const corrections = await this.correctionsFor([Number(row.seq)]);
    return toStored(row, corrections.get(Number(row.seq)) ?? []);
  }

  /** The subjects an event concerns, for the access check on a single event. */
  async subjectsOf(seq: number): Promise<{ subjectId: string; regionCode: string }[]> {
    const rows = await this.db
      .selectFrom('event_subjects as s')
      .innerJoin('subjects as sub', 'sub.id', 's.subject_id')
      .select(['s.subject_id', 'sub.region_code'])
      .where('s.seq', '=', seq)
      .execute();
    return rows.map((r) => ({ subjectId: r.subject_id, regionCode: r.region_code }));
  }

  /** Whether the subject has an event naming any thing that event `seq` names (it has held the thing). */
  async subjectHasHeld(subjectId: string, seq: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('events as e')
      .select('e.seq')
      .where('e.seq', '=', seq)
      .where(namesThingHeldBy(this.db, 'e.object_ids', subjectId))
      .executeTakeFirst();
    return row !== undefined;
  }

  private async correctionsFor(seqs: number[]): Promise<Map<number, StoredEvent['corrections']>> {
    const map = new Map<number, StoredEvent['corrections']>();
    if (seqs.length === 0) return map;
    const rows = await this.db.selectFrom('event_corrections').selectAll().where('declared_seq', 'in', seqs).orderBy('declaration_time').execute();
    for (const r of rows) {
      const list = map.get(Number(r.declared_seq)) ?? [];
      list.push({
        declarationTime: r.declaration_time,
        reason: r.reason,
        correctiveEventIDs: JSON.parse(r.corrective_event_ids) as string[],
        errorDeclaration: JSON.parse(r.error_declaration) as Record<string, unknown>,
      });
      map.set(Number(r.declared_seq), list);
    }
    return map;
  }
}

/** Runs an `IN (…)` lookup over a long list in chunks the bound-parameter limits allow, and joins the rows. */
async function inChunks<T>(values: string[], lookup: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for (let i = 0; i < values.length; i += CHUNK) rows.push(...(await lookup(values.slice(i, i + CHUNK))));
  return rows;
}

/**
 * An event as the trace reads it (`traceRowsAmong`): its columns (event_id being its eventID, or its
 * hash where it has none), its trace facts, and, only where it has none, its body.
 */
export type TraceRow = Pick<EventTraceFactsTable, 'seq' | 'event_id' | 'event_type' | 'action' | 'biz_step' | 'disposition' | 'event_time_ms'> & {
  trace_facts: string | null;
  body?: string | null;
};

/** A row of an events page as the statement returns it. */
type EventPageRow = { seq: number; event_id: string | null; event_hash: string; record_time_ms: number; event_time_ms: number; owner_subject_id: string | null; product_class: string | null; context: string | null; body: string; corrected: boolean | number };

function toStored(
  row: Omit<EventPageRow, 'event_time_ms' | 'corrected'>,
  corrections: StoredEvent['corrections'],
): StoredEvent {
  return {
    seq: Number(row.seq),
    productClass: row.product_class,
    eventId: row.event_id ?? row.event_hash,
    eventHash: row.event_hash,
    recordTime: isoString(Number(row.record_time_ms)),
    ownerSubjectId: row.owner_subject_id,
    context: row.context ? JSON.parse(row.context) : null,
    body: JSON.parse(row.body) as Record<string, unknown>,
    corrections,
  };
}
