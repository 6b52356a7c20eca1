import { uuidv7 } from 'uuidv7';
import { actingSubjectId, ensure } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import type { Database, Executor } from '../db/index.js';
import { notFound } from '../domain/errors.js';
import { CaptureRepository, type CaptureJob } from './capture.repository.js';
import type { CapturePool } from './capture-pool.js';
import { prepareDocument, prepareSingleEvent } from './prepare.js';
import { storeDocument, storeDocumentIn, storeSingleEvent } from './capture.writer.js';

export type { CaptureJob } from './capture.repository.js';

export { CAPTURE_LIMIT_BYTES, CAPTURE_LIMIT_EVENTS } from './prepare.js';

/**
 * EPCIS capture. A document is validated whole (one bad event rejects it, nothing stored), its events hashed and
 * indexed, and written with the job record in one transaction before the 202 is sent: an acknowledged document is
 * already in the store, so there is nothing left to lose in a crash, and `success` is known at once.
 */
/** Told of the events of every successful capture, after they are stored (a stop-trade on a failed inspection). */
export type CaptureListener = (eventIds: string[]) => Promise<void>;

export class CaptureService {
  constructor(
    private readonly database: Database,
    private readonly pool: CapturePool,
    private readonly afterCapture?: CaptureListener,
  ) {}

  /** Validates a capture document and stores its events; the job says whether they went in. */
  async submit(actor: Principal, document: unknown): Promise<CaptureJob> {
    const owner = this.ensureCanCapture(actor);
    return this.told(await storeDocument(this.database, { actor, owner, prepared: prepareDocument(document), id: uuidv7() }));
  }

  /** As `submit`, for the document's JSON text, which a capture worker parses, checks and stores. */
  async submitText(actor: Principal, text: string): Promise<CaptureJob> {
    const owner = this.ensureCanCapture(actor);
    return this.told(await this.pool.capture(actor, owner, text));
  }

  /**
   * Stores a document a lower platform forwarded (docs/FEDERATION.md) inside the caller's transaction, which also
   * applies the batch's master data and moves the member's position: the same preparation, idempotency by event hash
   * and eventIDs as any capture, owned by the subject the sender's owner stands for here, if any. The caller has
   * checked the sender, and calls `forwardedStored` once the transaction committed.
   */
  async storeForwardedIn(trx: Executor, actor: Principal, owner: string | null, document: unknown): Promise<CaptureJob> {
    return storeDocumentIn(this.database, trx, { actor, owner, prepared: prepareDocument(document), id: uuidv7() });
  }

  /**
   * As `storeForwardedIn`, for summaries (docs/FEDERATION.md, "Summaries"): each event of the document is known by the
   * hash given for it, that of the full event it stands for, which the caller checked against the sender's log; a
   * summary's own body hashes to something else. So a summary and its full event are one event by hash.
   */
  async storeSummariesIn(trx: Executor, actor: Principal, owner: string | null, document: unknown, hashes: readonly string[]): Promise<CaptureJob> {
    const prepared = prepareDocument(document);
    const known = prepared.ok ? { ...prepared, events: prepared.events.map((e) => ({ ...e, hash: hashes[e.position]! })) } : prepared;
    return storeDocumentIn(this.database, trx, { actor, owner, prepared: known, id: uuidv7() });
  }

  async forwardedStored(jobs: CaptureJob[]): Promise<void> {
    for (const job of jobs) await this.told(job);
  }

  /** Captures one event (POST /epcis/events); returns its eventID. */
  async captureEvent(actor: Principal, event: unknown): Promise<{ eventID: string; created: boolean }> {
    const owner = this.ensureCanCapture(actor);
    const stored = await storeSingleEvent(this.database, actor, owner, prepareSingleEvent(event), uuidv7());
    if (stored.created && this.afterCapture) await this.afterCapture([stored.eventID]);
    return stored;
  }

  /** The listener runs once the events are stored; it cannot undo an acknowledged capture, only add to it. */
  private async told(job: CaptureJob): Promise<CaptureJob> {
    if (this.afterCapture && job.status === 'succeeded' && job.eventIDs.length) await this.afterCapture(job.eventIDs);
    return job;
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

function canSeeJob(actor: Principal, job: CaptureJob): boolean {
  if (actor.role === 'platform_admin' || (actor.role === 'auditor' && actor.subjectId === null)) return true;
  return actor.subjectId !== null && actor.subjectId === job.ownerSubjectId;
}

