import { uuidv7 } from 'uuidv7';
import { actingSubjectId, ensure } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import { recordAudit } from '../audit/audit.service.js';
import type { CaptureJobTable, Database, EventTable, Executor, PostingTable } from '../db/index.js';
import { DomainError, invalid, notFound, tooLarge } from '../domain/errors.js';
import { collectPrefixes } from '../epcis/json-ld.js';
import type { ValidationIssue } from '../epcis/validation/validate.js';
import { EventsRepository, OBJECT_ROLES } from '../events/events.repository.js';
import { ProductsRepository } from '../products/products.repository.js';
import { SubjectsRepository } from '../subjects/subjects.repository.js';
import { CaptureRepository, type CaptureIssue, type CaptureJob } from './capture.repository.js';
import type { PreparePool } from './prepare-pool.js';
import { CAPTURE_LIMIT_EVENTS, prepareDocument, prepareSingleEvent, type Prepared, type PreparedEvent } from './prepare.js';

export type { CaptureJob } from './capture.repository.js';

export { CAPTURE_LIMIT_BYTES, CAPTURE_LIMIT_EVENTS } from './prepare.js';

/**
 * EPCIS capture. A document is validated whole (one bad event rejects it, nothing stored), its events hashed and
 * indexed, and written with the job record in one transaction before the 202 is sent: an acknowledged document is
 * already in the store, so there is nothing left to lose in a crash, and `success` is known at once.
 */
export class CaptureService {
  constructor(
    private readonly database: Database,
    private readonly pool: PreparePool,
  ) {}

  /** Validates a capture document and stores its events; the job says whether they went in. */
  async submit(actor: Principal, document: unknown): Promise<CaptureJob> {
    const owner = this.ensureCanCapture(actor);
    return this.store(actor, owner, prepareDocument(document));
  }

  /** As `submit`, for the document's JSON text: parsing, validation and hashing run on a worker thread. */
  async submitText(actor: Principal, text: string): Promise<CaptureJob> {
    const owner = this.ensureCanCapture(actor);
    return this.store(actor, owner, await this.pool.prepare(text));
  }

  private async store(actor: Principal, owner: string | null, prepared: Prepared): Promise<CaptureJob> {
    const { events, context } = accepted(prepared);
    const id = uuidv7();
    return onceMoreIfRaced(() =>
      this.database.transaction(async (trx) => {
        const outcome = await storeEvents(this.database, trx, events, context, owner, id);
        // A clash of eventIDs fails the whole document: nothing of it was written, the job says why.
        const job = await new CaptureRepository(trx).insert(jobRow(id, actor, owner, events.length, outcome, context));
        await recordAudit(trx, actor, { action: 'capture.submit', targetType: 'capture_job', targetId: id, subjectId: owner, changes: { events: events.length, stored: outcome.created } });
        return job;
      }),
    );
  }

  /** Captures one event (POST /epcis/events); returns its eventID. */
  async captureEvent(actor: Principal, event: unknown): Promise<{ eventID: string; created: boolean }> {
    const owner = this.ensureCanCapture(actor);
    const { events, context } = accepted(prepareSingleEvent(event));
    const id = uuidv7();
    return onceMoreIfRaced(() =>
      this.database.transaction(async (trx) => {
        const outcome = await storeEvents(this.database, trx, events, context, owner, id);
        if (outcome.errors.length) throw new DomainError('conflict', 'event-id-conflict', outcome.errors[0]!.message, outcome.errors.map((e) => ({ message: e.message })));
        await new CaptureRepository(trx).insert(jobRow(id, actor, owner, 1, outcome, context));
        await recordAudit(trx, actor, { action: 'capture.event', targetType: 'event', targetId: outcome.eventIds[0]!, subjectId: owner });
        return { eventID: outcome.eventIds[0]!, created: outcome.created > 0 };
      }),
    );
  }

  async job(actor: Principal, id: string): Promise<CaptureJob> {
    const job = await new CaptureRepository(this.database.db).find(id);
    if (!job) throw notFound('capture-not-found', `no capture job ${id}`);
    ensure(canSeeJob(actor, job), 'not-permitted', 'this capture job belongs to another subject');
    return job;
  }

  async jobs(actor: Principal, cursor: string | undefined, limit: number): Promise<CaptureJob[]> {
    const owner = actor.role === 'platform_admin' || (actor.role === 'auditor' && actor.subjectId === null) ? undefined : actor.subjectId;
    ensure(owner !== null, 'not-permitted', 'capture jobs are listed for subject users and platform admins');
    return new CaptureRepository(this.database.db).list(owner, cursor, limit);
  }

  private ensureCanCapture(actor: Principal): string | null {
    const owner = actingSubjectId(actor);
    if (actor.role === 'platform_admin') return owner;
    ensure(
      (actor.role === 'subject_admin' || actor.role === 'subject_operator') && actor.subjectStatus === 'active' && owner !== null,
      'not-permitted',
      'events are captured by the users of an active subject, or by a platform admin',
    );
    return owner;
  }
}

/**
 * Two captures of the same new event at once (PostgreSQL runs them concurrently): the loser breaks a unique key, or
 * finds the event committed under its own hash half-way. Run once more, it finds the winner's event stored, which is
 * the idempotent outcome.
 */
async function onceMoreIfRaced<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'duplicate') return write();
    throw error;
  }
}

function jobRow(id: string, actor: Principal, owner: string | null, eventCount: number, outcome: StoreOutcome, context: unknown): CaptureJobTable {
  return {
    id,
    owner_subject_id: owner,
    actor: actor.actor,
    status: outcome.errors.length ? 'failed' : 'succeeded',
    event_count: eventCount,
    created_at: new Date().toISOString(),
    errors: JSON.stringify(outcome.errors),
    warnings: JSON.stringify(outcome.warnings),
    event_ids: JSON.stringify(outcome.errors.length ? [] : outcome.eventIds),
    context: context === undefined || outcome.created === 0 ? null : JSON.stringify(context),
  };
}

function canSeeJob(actor: Principal, job: CaptureJob): boolean {
  if (actor.role === 'platform_admin' || (actor.role === 'auditor' && actor.subjectId === null)) return true;
  return actor.subjectId !== null && actor.subjectId === job.ownerSubjectId;
}

/** The prepared events, or the DomainError that says why the document was refused. */
function accepted(prepared: Prepared): { events: PreparedEvent[]; context: unknown } {
  if (prepared.ok) return prepared;
  switch (prepared.reason) {
    case 'invalid-json':
      throw invalid('invalid-json', 'the body is not valid JSON');
    case 'too-many-events':
      throw tooLarge('capture-too-large', `a capture document holds at most ${CAPTURE_LIMIT_EVENTS} events; this one has ${prepared.count}`);
    case 'invalid':
      throw validationProblem(prepared.errors, prepared.truncated);
  }
}

function validationProblem(errors: ValidationIssue[], truncated?: boolean): DomainError {
  const first = errors[0]!;
  const where = first.eventIndex !== undefined ? `event ${first.eventIndex}, ` : '';
  return invalid(
    'epcis-validation-failed',
    `the document is invalid (${errors.length}${truncated ? '+' : ''} error${errors.length === 1 ? '' : 's'}); nothing was stored. First: ${where}${first.pointer}: ${first.message}`,
    errors.map((e) => ({ pointer: e.pointer, message: e.message, ...(e.eventIndex !== undefined ? { eventIndex: e.eventIndex } : {}) })),
  );
}

const EPCIS_PREFIXES = collectPrefixes();

/** The prefixes a document's inline @context declares, without the EPCIS context's own. */
function declaredPrefixes(context: unknown): Map<string, string> {
  return new Map([...collectPrefixes(context)].filter(([prefix, iri]) => EPCIS_PREFIXES.get(prefix) !== iri && /^[A-Za-z_][\w.-]*$/.test(prefix)));
}

const OBJECT_ROLE_SET = new Set<string>(OBJECT_ROLES);

const GTIN_IN_DIGITAL_LINK = /^https:\/\/id\.gs1\.org\/01\/(\d{14})(?:\/|$)/;

interface StoreOutcome {
  eventIds: string[];
  created: number;
  errors: CaptureIssue[];
  warnings: CaptureIssue[];
}

/**
 * Writes a document's events inside the caller's transaction. Idempotent by canonical hash; an event carrying an
 * errorDeclaration corrects the stored event with the same hash. Returns errors (and writes nothing) when a supplied
 * eventID is already taken by a different event.
 */
async function storeEvents(database: Database, trx: Executor, prepared: PreparedEvent[], context: unknown, owner: string | null, captureId: string): Promise<StoreOutcome> {
  const events = new EventsRepository(trx, database.insertMany);
  const warnings: CaptureIssue[] = [];
  const errors: CaptureIssue[] = [];
  const eventIds: string[] = new Array(prepared.length);
  const existing = await events.findByHashes([...new Set(prepared.map((p) => p.hash))]);

  const fresh: (PreparedEvent & { eventId: string })[] = [];
  const freshByHash = new Map<string, PreparedEvent & { eventId: string }>();
  const corrections: { declared: string; event: PreparedEvent }[] = [];
  for (const p of prepared) {
    if (p.suppliedId?.startsWith('ni:') && p.suppliedId !== p.hash) {
      warnings.push({ eventIndex: p.position, pointer: `/eventID`, message: `the supplied hash eventID differs from the recomputed CBV 2.0 hash ${p.hash}; the eventID is kept as given` });
    }
    const stored = existing.get(p.hash) ?? freshByHash.get(p.hash);
    if (p.index.errorDeclaration && stored) {
      corrections.push({ declared: p.hash, event: p });
      eventIds[p.position] = stored.eventId;
      continue;
    }
    if (stored) {
      eventIds[p.position] = stored.eventId;
      warnings.push({ eventIndex: p.position, message: `already stored as ${stored.eventId}; nothing new was written` });
      continue;
    }
    const entry = { ...p, eventId: p.suppliedId ?? p.hash };
    fresh.push(entry);
    freshByHash.set(p.hash, entry);
    eventIds[p.position] = entry.eventId;
    // An errorDeclaration for an event never captured here is still recorded, as an event that is itself declared.
    if (p.index.errorDeclaration) corrections.push({ declared: p.hash, event: p });
  }

  const seen = new Map<string, number>();
  for (const f of fresh) {
    const earlier = seen.get(f.eventId);
    if (earlier !== undefined) errors.push({ eventIndex: f.position, pointer: '/eventID', message: `eventID ${f.eventId} is used by event ${earlier} of this document for a different event` });
    seen.set(f.eventId, f.position);
  }
  const taken = await events.findByEventIds(fresh.map((f) => f.eventId));
  for (const f of fresh) {
    const stored = taken.get(f.eventId);
    if (!stored) continue;
    // The same event, committed by a concurrent capture after this one looked for its hash: start again.
    if (stored.eventHash === f.hash) throw new DomainError('conflict', 'duplicate', `event ${f.eventId} was stored concurrently`);
    errors.push({ eventIndex: f.position, pointer: '/eventID', message: `eventID ${f.eventId} already names a different stored event` });
  }
  if (errors.length) return { eventIds: [], created: 0, errors, warnings };

  const glns = [...new Set(fresh.flatMap((f) => f.index.glns.map((g) => g.gln)))];
  const glnOwners = await new SubjectsRepository(trx).subjectsByGlns(glns);
  const gtinsOf = (f: PreparedEvent) => f.index.identifiers.map((i) => GTIN_IN_DIGITAL_LINK.exec(i.identifier)?.[1]).filter((g): g is string => g !== undefined);
  const classes = await new ProductsRepository(trx).classesByGtin([...new Set(fresh.flatMap(gtinsOf))]);
  const recordTimeMs = Date.now();
  const seqs = fresh.length ? await database.nextSeqs(trx, 'event_seq', fresh.length) : [];
  const rows: EventTable[] = [];
  const postings = new Map<string, [number, string][]>();
  const fieldRows: { seq: number; scope: 'ilmd' | 'ext'; name: string; text_value: string | null; num_value: number | null }[] = [];
  const subjectRows: { seq: number; subject_id: string; relation: string }[] = [];
  const seqByHash = new Map<string, number>();
  const post = (term: string, seq: number, role: string) => {
    const entries = postings.get(term);
    if (!entries) return void postings.set(term, [[seq, role]]);
    // Entries go in seq order, so a repeat (one event naming a thing twice in one role) is among the last ones.
    for (let i = entries.length - 1; i >= 0 && entries[i]![0] === seq; i -= 1) if (entries[i]![1] === role) return;
    entries.push([seq, role]);
  };
  fresh.forEach((f, i) => {
    const seq = seqs[i]!;
    seqByHash.set(f.hash, seq);
    const ix = f.index;
    const objects = new Set<string>();
    for (const id of ix.identifiers) {
      post(id.identifier, seq, id.role);
      if (OBJECT_ROLE_SET.has(id.role)) objects.add(id.identifier);
    }
    if (ix.readPoint) post(ix.readPoint, seq, 'read_point');
    if (ix.bizLocation) post(ix.bizLocation, seq, 'biz_location');
    rows.push({
      seq,
      event_id: f.eventId === f.hash ? null : f.eventId,
      event_hash: f.hash,
      event_type: ix.eventType,
      action: ix.action,
      biz_step: ix.bizStep,
      disposition: ix.disposition,
      event_time_ms: ix.eventTimeMs,
      record_time_ms: recordTimeMs,
      owner_subject_id: owner,
      product_class: gtinsOf(f).map((g) => classes.get(g)).find((c) => c !== undefined) ?? null,
      capture_id: captureId,
      object_ids: objects.size ? JSON.stringify([...objects]) : null,
      body: f.bodyJson,
    });
    for (const field of ix.fields) fieldRows.push({ seq, scope: field.scope, name: field.name, text_value: field.text, num_value: field.num });
    // One row per subject the event concerns, under its first relation (the owner's first): access checks ask only
    // whether a subject is concerned.
    const concerned = new Map<string, string>();
    if (owner) concerned.set(owner, 'owner');
    for (const g of ix.glns) {
      const subject = glnOwners.get(g.gln);
      if (subject && !concerned.has(subject)) concerned.set(subject, g.relation);
    }
    for (const [subjectId, relation] of concerned) subjectRows.push({ seq, subject_id: subjectId, relation });
  });
  const postingRows: PostingTable[] = [];
  for (const [term, entries] of postings) postingRows.push({ term, first_seq: entries[0]![0], entries: JSON.stringify(entries) });
  await events.insertEvents(rows, postingRows, fieldRows, subjectRows);
  if (fresh.length) await events.rememberNamespaces(declaredPrefixes(context));

  for (const c of corrections) {
    const declaredSeq = seqByHash.get(c.declared) ?? existing.get(c.declared)!.seq;
    const declaration = c.event.index.errorDeclaration!;
    if (await events.hasCorrection(declaredSeq, declaration.declarationTime)) continue;
    await events.insertCorrection({
      declaredSeq,
      declarationTime: declaration.declarationTime,
      reason: declaration.reason,
      correctiveEventIDs: declaration.correctiveEventIDs,
      errorDeclaration: c.event.errorDeclaration,
      captureId,
    });
  }
  return { eventIds, created: fresh.length, errors, warnings };
}
