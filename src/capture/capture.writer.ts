import type { Principal } from '../access/principal.js';
import { recordAudit } from '../audit/audit.service.js';
import { fieldRows, sensorReportRows, type CaptureJobTable, type Database, type EventFieldTable, type EventSensorReportTable, type EventTable, type EventTraceFactsTable, type Executor, type PostingTable } from '../db/index.js';
import { DomainError, invalid, tooLarge } from '../domain/errors.js';
import { collectPrefixes } from '../epcis/json-ld.js';
import { MAX_KEY_LENGTH } from '../epcis/validation/schemas.js';
import type { ValidationIssue } from '../epcis/validation/validate.js';
import { EventsRepository } from '../events/events.repository.js';
import { recordDigest, type LogEntry } from '../log/entries.js';
import { ProductsRepository } from '../products/products.repository.js';
import { SubjectsRepository } from '../subjects/subjects.repository.js';
import { CaptureRepository, type CaptureIssue, type CaptureJob } from './capture.repository.js';
import { CAPTURE_LIMIT_EVENTS, type Prepared, type PreparedEvent, type PreparedPosting } from './prepare.js';

/**
 * Writing a prepared capture: the events, their index rows, the job record and the audit entry, in one transaction,
 * so a document is stored whole or not at all and its job says which. Runs on whichever thread prepared the
 * document (a capture worker, or the main thread).
 */

export interface CaptureDocument {
  actor: Principal;
  owner: string | null;
  prepared: Prepared;
  /** The capture job's id. */
  id: string;
}

/** Stores a prepared document (or throws the DomainError that refuses it); the job says whether its events went in. */
export async function storeDocument(database: Database, document: CaptureDocument): Promise<CaptureJob> {
  const accepted = acceptedDocument(document);
  return onceMoreIfRaced(() => database.transaction((trx) => writeDocument(database, trx, accepted)));
}

/**
 * Writes a prepared document inside a transaction the caller holds: for services that record events together with
 * rows of their own (code issuance), so both commit or neither does.
 */
export async function storeDocumentIn(database: Database, trx: Executor, document: CaptureDocument): Promise<CaptureJob> {
  return writeDocument(database, trx, acceptedDocument(document));
}

/**
 * The single writer of a database that takes one writer at a time (SQLite): documents that arrive while a
 * transaction runs are written together in the next one. Each is still stored whole or not at all, but they share
 * one commit: one sync to disk, and index pages they both touch are written once.
 */
export class CaptureWriter {
  private readonly waiting: { document: AcceptedDocument; resolve: (job: CaptureJob) => void; reject: (error: unknown) => void }[] = [];
  private writing = false;

  constructor(private readonly database: Database) {}

  async store(document: CaptureDocument): Promise<CaptureJob> {
    const accepted = acceptedDocument(document);
    return new Promise((resolve, reject) => {
      this.waiting.push({ document: accepted, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length) {
      let events = 0;
      let take = 0;
      while (take < this.waiting.length && (take === 0 || events + this.waiting[take]!.document.events.length <= GROUP_COMMIT_EVENTS)) {
        events += this.waiting[take]!.document.events.length;
        take += 1;
      }
      const group = this.waiting.splice(0, take);
      try {
        const jobs = await onceMoreIfRaced(() =>
          this.database.transaction(async (trx) => {
            const written: CaptureJob[] = [];
            for (const { document } of group) written.push(await writeDocument(this.database, trx, document));
            return written;
          }),
        );
        group.forEach((entry, i) => entry.resolve(jobs[i]!));
      } catch (error) {
        if (group.length === 1) group[0]!.reject(error);
        // One document's failure must not fail the others: each goes again on its own.
        else for (const entry of group) await storeDocument(this.database, entry.document.source).then(entry.resolve, entry.reject);
      }
    }
    this.writing = false;
  }
}

/** Events per group commit: a few documents of the usual size, and a transaction that stays short. */
const GROUP_COMMIT_EVENTS = 8_000;

/** A document that passed validation: its events, their postings, and the `@context` they were captured under. */
interface ValidDocument {
  events: PreparedEvent[];
  postings: PreparedPosting[];
  context: unknown;
}

interface AcceptedDocument extends ValidDocument {
  source: CaptureDocument;
}

function acceptedDocument(document: CaptureDocument): AcceptedDocument {
  return { source: document, ...accepted(document.prepared) };
}

async function writeDocument(database: Database, trx: Executor, document: AcceptedDocument): Promise<CaptureJob> {
  const { source, events, context } = document;
  const { actor, owner, id } = source;
  const outcome = await storeEvents(database, trx, document, owner, id);
  // A clash of eventIDs fails the whole document: nothing of it was written, the job says why.
  const job = await new CaptureRepository(trx).insert(jobRow(id, actor, owner, events.length, outcome, context));
  await recordAudit(trx, actor, { action: 'capture.submit', targetType: 'capture_job', targetId: id, subjectId: owner, changes: { events: events.length, stored: outcome.created } }, { entries: outcome.logged, insertMany: database.insertMany });
  return job;
}

/** Stores one prepared event (POST /epcis/events); a clash of its eventID is an error, not a failed job. */
export async function storeSingleEvent(database: Database, actor: Principal, owner: string | null, prepared: Prepared, id: string): Promise<{ eventID: string; created: boolean }> {
  const document = accepted(prepared);
  const { context } = document;
  return onceMoreIfRaced(() =>
    database.transaction(async (trx) => {
      const outcome = await storeEvents(database, trx, document, owner, id);
      if (outcome.errors.length) throw new DomainError('conflict', 'event-id-conflict', outcome.errors[0]!.message, outcome.errors.map((e) => ({ message: e.message })));
      await new CaptureRepository(trx).insert(jobRow(id, actor, owner, 1, outcome, context));
      await recordAudit(trx, actor, { action: 'capture.event', targetType: 'event', targetId: outcome.eventIds[0]!, subjectId: owner }, { entries: outcome.logged, insertMany: database.insertMany });
      return { eventID: outcome.eventIds[0]!, created: outcome.created > 0 };
    }),
  );
}

/**
 * Two captures of the same new event at once (PostgreSQL runs them concurrently): the loser breaks a unique key, or
 * finds the event committed under its own hash half-way, or, when each waits on a key the other inserted, the server
 * aborts one as a deadlock. Run once more, it finds the winner's events stored, which is the idempotent outcome.
 */
async function onceMoreIfRaced<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof DomainError && (error.code === 'duplicate' || error.code === 'write-contention')) return write();
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

/** The prepared events, or the DomainError that says why the document was refused. */
function accepted(prepared: Prepared): ValidDocument {
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
  return new Map(
    [...collectPrefixes(context)].filter(([prefix, iri]) => EPCIS_PREFIXES.get(prefix) !== iri && prefix.length <= MAX_KEY_LENGTH && /^[A-Za-z_][\w.-]*$/.test(prefix)),
  );
}

interface StoreOutcome {
  eventIds: string[];
  created: number;
  /** The transparency-log entries of what was written: each new event, each correction recorded. */
  logged: LogEntry[];
  errors: CaptureIssue[];
  warnings: CaptureIssue[];
}

/**
 * Writes a document's events inside the caller's transaction. Idempotent by canonical hash; an event carrying an
 * errorDeclaration corrects the stored event with the same hash. Returns errors (and writes nothing) when a supplied
 * eventID is already taken by a different event.
 */
async function storeEvents(database: Database, trx: Executor, document: ValidDocument, owner: string | null, captureId: string): Promise<StoreOutcome> {
  const { events: prepared, postings, context } = document;
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
  // A new event's ID may already be taken: as the client-given ID of another event, or, when the client gave an ID
  // that is not this event's hash, as the hash of another. (This event's own hash was looked up above.)
  const taken = await events.findBySuppliedIds(fresh.map((f) => f.eventId));
  const notOwnHash = fresh.filter((f) => f.eventId !== f.hash);
  if (notOwnHash.length) {
    for (const [hash, stored] of await events.findByHashes(notOwnHash.map((f) => f.eventId))) {
      if (stored.eventId === hash) taken.set(hash, { seq: stored.seq, eventHash: hash });
    }
  }
  for (const f of fresh) {
    const stored = taken.get(f.eventId);
    if (!stored) continue;
    // The same event, committed by a concurrent capture after this one looked for its hash: start again.
    if (stored.eventHash === f.hash) throw new DomainError('conflict', 'duplicate', `event ${f.eventId} was stored concurrently`);
    errors.push({ eventIndex: f.position, pointer: '/eventID', message: `eventID ${f.eventId} already names a different stored event` });
  }
  if (errors.length) return { eventIds: [], created: 0, logged: [], errors, warnings };

  const glns = [...new Set(fresh.flatMap((f) => f.index.glns.map((g) => g.gln)))];
  const glnOwners = await new SubjectsRepository(trx).subjectsByGlns(glns);
  const classes = await new ProductsRepository(trx).classesByGtin([...new Set(fresh.flatMap((f) => f.index.gtins))]);
  const recordTimeMs = Date.now();
  const seqs = fresh.length ? await database.nextSeqs(trx, 'event_seq', fresh.length) : [];
  const rows: EventTable[] = [];
  const traceFactRows: EventTraceFactsTable[] = [];
  const eventFieldRows: EventFieldTable[] = [];
  const subjectRows: { seq: number; subject_id: string; relation: string }[] = [];
  const sensorRows: EventSensorReportTable[] = [];
  const seqByHash = new Map<string, number>();
  /** The seq of the event at each position of the document; undefined where it stores nothing new. */
  const seqAt: (number | undefined)[] = new Array(prepared.length);
  fresh.forEach((f, i) => {
    const seq = seqs[i]!;
    seqByHash.set(f.hash, seq);
    seqAt[f.position] = seq;
    const ix = f.index;
    const traced = { event_type: ix.eventType, action: ix.action, biz_step: ix.bizStep, disposition: ix.disposition, event_time_ms: ix.eventTimeMs };
    rows.push({
      seq,
      event_id: f.eventId === f.hash ? null : f.eventId,
      event_hash: f.hash,
      ...traced,
      record_time_ms: recordTimeMs,
      owner_subject_id: owner,
      product_class: classes.size ? (ix.gtins.map((g) => classes.get(g)).find((c) => c !== undefined) ?? null) : null,
      capture_id: captureId,
      object_ids: ix.objectIds,
      body: f.bodyJson,
    });
    traceFactRows.push({ seq, event_id: f.eventId, ...traced, facts: ix.traceFacts });
    if (ix.fields.length) eventFieldRows.push(...fieldRows(seq, ix.fields));
    if (ix.sensorReports.length) sensorRows.push(...sensorReportRows(seq, ix.sensorReports));
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
  for (const { term, positions, roles } of postings) {
    // Built as text: the roles come quoted, and this runs for every identifier of every document.
    let entries = '';
    let first: number | undefined;
    for (let i = 0; i < positions.length; i += 1) {
      const seq = seqAt[positions[i]!];
      if (seq === undefined) continue;
      first ??= seq;
      entries += `${entries ? ',' : '['}[${seq},${roles[i]}]`;
    }
    if (first !== undefined) postingRows.push({ term, first_seq: first, entries: `${entries}]` });
  }
  await events.insertEvents({ events: rows, traceFacts: traceFactRows, postings: postingRows, fields: eventFieldRows, subjects: subjectRows, sensorReports: sensorRows });
  if (fresh.length) await events.rememberNamespaces(declaredPrefixes(context));

  const logged: LogEntry[] = fresh.map((f, i) => ({ kind: 'event', ref: f.eventId, digest: f.hash, seq: seqs[i]! }));
  for (const c of corrections) {
    const declaredSeq = seqByHash.get(c.declared) ?? existing.get(c.declared)!.seq;
    const declaration = c.event.index.errorDeclaration!;
    if (await events.hasCorrection(declaredSeq, declaration.declarationTime)) continue;
    logged.push({ kind: 'correction', ref: (freshByHash.get(c.declared) ?? existing.get(c.declared)!).eventId, digest: recordDigest(c.event.errorDeclaration), seq: declaredSeq });
    await events.insertCorrection({
      declaredSeq,
      declarationTime: declaration.declarationTime,
      reason: declaration.reason,
      correctiveEventIDs: declaration.correctiveEventIDs,
      errorDeclaration: c.event.errorDeclaration,
      captureId,
    });
  }
  return { eventIds, created: fresh.length, logged, errors, warnings };
}
