import { createHash } from 'node:crypto';
import { uuidv7 } from 'uuidv7';
import { ensure } from '../access/policy.js';
import { systemPrincipal, type Principal } from '../access/principal.js';
import type { UsersService } from '../access/users.service.js';
import { recordAudit } from '../audit/audit.service.js';
import type { CaptureJob, CaptureService } from '../capture/capture.service.js';
import { openNote, parseCheckpoint, parseNote, parseVerifierKey, SIGNATURE_TYPE_ED25519, verifierFromKey } from '../crypto/signed-note.js';
import type { LogSigningKeys } from '../crypto/signing-keys.js';
import type { Database, Executor, FederationMemberTable, FederationOutboxTable } from '../db/index.js';
import { conflict, DomainError, forbidden, invalid, notFound, unprocessable } from '../domain/errors.js';
import type { PlatformLevel } from '../domain/platform.js';
import { summaryMarker, SUMMARY_CONTEXT } from '../epcis/summary.js';
import { recordBatchOutcome } from '../evaluation/evaluation.service.js';
import { formatEntry, recordDigest } from '../log/entries.js';
import type { TransparencyLog } from '../log/log.service.js';
import { leafHash, verifyRange } from '../log/merkle.js';
import { MAX_PROOF_LINES, type WitnessService } from '../log/witness.service.js';
import { applyRecords, checkRecords, localOwners, outgoingContent, recallsForMember, storeRecallsDown, type BatchEvent, type BatchRecord, type BatchSummary, type RecallCopy } from './federation-records.service.js';
import { FederationRepository } from './federation.repository.js';

/**
 * Federation (docs/FEDERATION.md): a platform forwards the events it accepted, whole or as summaries, to the platform
 * a level up in signed batches, each with its log's checkpoint, which the upstream cosigns as its witness before
 * storing the events through the same capture path as any other. The batch's place in the sender's log is its order: a batch starts where the
 * last stored one ended, so a batch re-sent after a lost answer is refused as out of order and the sender learns where
 * the upstream is. Its events are idempotent by event hash besides, so a crash between storing them and recording the
 * position stores nothing twice.
 */

export const BATCH_TYPE = 'zhuisu-federation-batch/v1';
/**
 * The type of a batch carrying summaries: an upstream that knows only v1 refuses it as malformed, and the sender keeps
 * it, where one that ignored the summaries would move the sender's position past events it never stored.
 */
export const SUMMARIES_BATCH_TYPE = 'zhuisu-federation-batch/v2';
/** Log leaves one batch covers at most: a few hundred events keep a batch well within one capture document. */
export const BATCH_LEAVES = 500;
/** A batch body: its events' text dominates, bounded by BATCH_LEAVES events of the capture limit's size each. */
export const BATCH_BODY_LIMIT = 32 * 1024 * 1024;

/** What a sender sends of the events it holds in full (ZHUISU_UPSTREAM_MODE); summaries it holds go up as summaries either way. */
export const BATCH_MODES = ['full', 'summaries'] as const;
export type BatchMode = (typeof BATCH_MODES)[number];

export const MEMBER_KINDS = ['platform', 'system'] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number];

export interface MemberInput {
  name: string;
  kind: MemberKind;
  level: PlatformLevel;
  regionCode?: string | null;
  logOrigin: string;
  logKey: string;
  /** Where it answers resolver queries (docs/RESOLVER.md). */
  url?: string | null;
}

export interface Member {
  id: string;
  name: string;
  kind: MemberKind;
  level: string;
  regionCode: string | null;
  logOrigin: string;
  logKey: string;
  userId: string;
  registeredAt: string;
  /** The size of the member's log its stored batches reach. */
  position: number;
  batches: number;
  eventsReceived: number;
  /** Batches refused because they did not start at `position` (re-sends after a lost answer). */
  resent: number;
  lastBatchAt: string | null;
  /** Arrival minus the latest event time in its last batch, in milliseconds. */
  lastLagMs: number | null;
  url: string | null;
  /** The form its events arrive in, as its last accepted batch said. */
  mode: BatchMode;
}

export interface UpstreamStatus {
  url: string;
  /** The size of this platform's log the upstream has stored batches through. */
  position: number;
  /** The log size the upstream's witness last cosigned. */
  ackedSize: number;
  /** This platform's log size now. */
  logSize: number;
  /** Events in the log after `position`: captured here, not yet acknowledged upstream. */
  backlog: number;
  attempts: number;
  nextTryAt: string | null;
  lastAttemptAt: string | null;
  lastError: string | null;
  lastSuccessAt: string | null;
  cosignedCheckpoint: string | null;
}

export interface FederationStatus {
  level: PlatformLevel;
  regionCode: string | null;
  upstream: UpstreamStatus | null;
  members: Member[];
}

/** What a sender POSTs: the batch as JSON text and a signed note over its digest, by the sender's log key. */
export interface SignedBatch {
  payload: string;
  signature: string;
}

export interface Batch {
  type: typeof BATCH_TYPE | typeof SUMMARIES_BATCH_TYPE;
  origin: string;
  /** The leaves [from, to) of the sender's log this batch covers. */
  from: number;
  to: number;
  /** The sender's checkpoint (size ≥ to), the size the upstream's witness last cosigned and the proof between them. */
  checkpoint: string;
  oldSize: number;
  proof: string[];
  /**
   * The events and corrections among those leaves, in log order, each with the @context of the document it was
   * captured in and its owning subject at the sender; a correction is the stored event with its errorDeclaration.
   */
  events: BatchEvent[];
  /** The master data and notice acknowledgements those leaves record, as they are at the sender when sent. */
  records?: BatchRecord[];
  /** How the sender sends the events it holds in full; absent from senders that know only `full`. */
  mode?: BatchMode;
  /** Events and corrections sent as summaries, each naming its leaf (docs/FEDERATION.md, "Summaries"). */
  summaries?: BatchSummary[];
  /** The entries of the leaves [from, to), and the proof (base64 hashes) that they are those leaves of the checkpoint's tree. */
  leaves?: string[];
  rangeProof?: string[];
}

export interface BatchReceipt {
  position: number;
  stored: number;
  /** Records (master data, acknowledgements) that created, changed or linked anything here. */
  applied: number;
  checkpointSize: number;
  /** The witness's cosignature lines on the checkpoint. */
  cosignatures: string;
}

/** A batch ready to send, and what the outbox records once it is acknowledged. */
export interface OutgoingBatch {
  body: SignedBatch;
  from: number;
  to: number;
  checkpointSize: number;
  /** The signed checkpoint the batch carries, kept so that acknowledging it needs no second parse of the payload. */
  checkpoint: string;
  events: number;
  summaries: number;
  records: number;
}

const isAdmin = (p: Principal) => p.role === 'platform_admin';
const isPlatformAuditor = (p: Principal) => p.role === 'auditor' && p.subjectId === null;

export function batchSignatureBody(origin: string, payload: string): string {
  return `${BATCH_TYPE}\n${origin}\n${createHash('sha256').update(payload, 'utf8').digest('base64')}\n`;
}

export class FederationService {
  constructor(
    private readonly database: Database,
    private readonly deps: {
      users: UsersService;
      witness: WitnessService;
      capture: CaptureService;
      log: TransparencyLog;
      keys: LogSigningKeys;
      level: PlatformLevel;
      regionCode: string | null;
      upstreamUrl: string | null;
      /** What goes up of the events held here in full (ZHUISU_UPSTREAM_MODE); `full` when not said. */
      upstreamMode?: BatchMode;
      /** Where this platform answers: a summary names it as the place its event is held. */
      publicUrl?: string | null;
      /** Told the events of each stored batch, for the resolver directory to learn who holds which codes. */
      learn?: (memberId: string, events: Record<string, unknown>[]) => Promise<void>;
    },
  ) {}

  get upstreamUrl(): string | null {
    return this.deps.upstreamUrl;
  }

  /**
   * Registers (备案) a lower platform or a connected system: its log is witnessed from now on, and it gets a user of
   * role federation_member with an API key, returned once, that may post batches for this log only.
   */
  async registerMember(actor: Principal, input: MemberInput): Promise<{ member: Member; secret: string }> {
    ensure(isAdmin(actor), 'federation-not-permitted', 'only platform admins register members');
    const name = input.name.trim();
    if (name === '') throw invalid('federation-name-required', 'a member has a name', [{ pointer: '/name', message: 'empty' }]);
    let keyType: number;
    try {
      verifierFromKey(input.logKey);
      keyType = parseVerifierKey(input.logKey).keyMaterial[0]!;
    } catch (error) {
      if (error instanceof DomainError) throw invalid('federation-log-key-malformed', `logKey is not a signed-note verifier key: ${error.message}`, [{ pointer: '/logKey', message: 'malformed' }]);
      throw error;
    }
    if (keyType !== SIGNATURE_TYPE_ED25519) throw invalid('federation-log-key-not-ed25519', 'logKey is the Ed25519 verifier key the member signs its checkpoints with', [{ pointer: '/logKey', message: 'not Ed25519' }]);
    if (parseVerifierKey(input.logKey).name !== input.logOrigin) {
      throw invalid('federation-log-key-origin', 'a log key is named after its log: its name must be the logOrigin', [{ pointer: '/logKey', message: 'name differs from logOrigin' }]);
    }
    if (await new FederationRepository(this.database.db).memberByOrigin(input.logOrigin)) {
      throw conflict('federation-member-exists', `a member with the log ${input.logOrigin} is registered already`);
    }
    // The witness first: it checks the origin, and a retry after a failure below finds the log witnessed already.
    try {
      await this.deps.witness.registerLog(actor, { origin: input.logOrigin, vkey: input.logKey });
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'witnessed-log-exists')) throw error;
    }
    const user = await this.deps.users.create(actor, { username: `member.${uuidv7().slice(-12)}`, displayName: name, role: 'federation_member' });
    const key = await this.deps.users.createKey(actor, user.id, { name: `federation ${input.logOrigin}` });
    const row: FederationMemberTable = {
      id: uuidv7(),
      name,
      kind: input.kind,
      level: input.level,
      region_code: input.regionCode ?? null,
      log_origin: input.logOrigin,
      log_key: input.logKey,
      user_id: user.id,
      registered_at: new Date().toISOString(),
      registered_by: actor.actor,
      position: 0,
      batches: 0,
      events_received: 0,
      resent: 0,
      last_batch_at: null,
      last_lag_ms: null,
      url: input.url?.replace(/\/+$/, '') ?? null,
      mode: 'full',
    };
    await this.database.transaction(async (trx) => {
      await new FederationRepository(trx).insertMember(row);
      await recordAudit(trx, actor, {
        action: 'federation.member.register',
        targetType: 'federation_member',
        targetId: row.id,
        subjectId: null,
        changes: { name, kind: input.kind, level: input.level, regionCode: row.region_code, logOrigin: input.logOrigin, logKey: input.logKey, url: row.url, userId: user.id },
      });
    });
    return { member: memberOf(row), secret: key.secret };
  }

  /** Members: all for admins and platform auditors, its own for a member's key. */
  async listMembers(actor: Principal): Promise<Member[]> {
    const repo = new FederationRepository(this.database.db);
    if (isAdmin(actor) || isPlatformAuditor(actor)) return (await repo.members({})).map(memberOf);
    ensure(actor.role === 'federation_member' && actor.userId !== null, 'federation-not-permitted', 'federation members are listed for platform admins and platform auditors');
    return (await repo.members({ userId: actor.userId! })).map(memberOf);
  }

  /** Both sides at once: how far this platform's events reached upstream, and how far its members' reached here. */
  async status(actor: Principal): Promise<FederationStatus> {
    const members = await this.listMembers(actor);
    const upstream = isAdmin(actor) || isPlatformAuditor(actor) ? await this.upstreamStatus() : null;
    return { level: this.deps.level, regionCode: this.deps.regionCode, upstream, members };
  }

  async upstreamStatus(): Promise<UpstreamStatus | null> {
    const url = this.deps.upstreamUrl;
    if (url === null) return null;
    const repo = new FederationRepository(this.database.db);
    const outbox = await repo.outbox(url);
    const size = await repo.logSize();
    return {
      url,
      position: outbox.position,
      ackedSize: outbox.acked_size,
      logSize: size,
      backlog: await repo.eventLeavesFrom(outbox.position),
      attempts: outbox.attempts,
      nextTryAt: outbox.next_try_at,
      lastAttemptAt: outbox.last_attempt_at,
      lastError: outbox.last_error,
      lastSuccessAt: outbox.last_success_at,
      cosignedCheckpoint: outbox.cosigned_checkpoint,
    };
  }

  /**
   * One batch from a member. Checked in the order that makes each refusal mean one thing: the member and its key,
   * the batch's signature (a forgery is alarmed), its place in the member's log (a re-send is told where to resume),
   * the checkpoint by the witness (a fork is alarmed), and only then are the events stored.
   *
   * Once the sender is known to be the member, the batch's outcome, accepted or refused, is recorded for its
   * evaluation (docs/EVALUATION.md); a refusal records that and nothing else.
   */
  async receiveBatch(actor: Principal, signed: SignedBatch): Promise<BatchReceipt> {
    ensure(isAdmin(actor) || actor.role === 'federation_member', 'federation-not-permitted', 'batches are posted with the key a member was registered with');
    const batch = parseBatch(signed.payload);
    const member = await new FederationRepository(this.database.db).memberByOrigin(batch.origin);
    if (!member) throw notFound('federation-unknown-member', `no member is registered with the log ${batch.origin}`);
    ensure(isAdmin(actor) || (actor.role === 'federation_member' && actor.userId === member.user_id), 'federation-not-permitted', 'a member posts batches of its own log only');

    const carried = [...batch.events.map((e) => e.event), ...(batch.summaries ?? []).map((s) => s.event)];
    const arrival = { memberId: member.id, arrivedAt: new Date(), from: batch.from, to: batch.to, eventTimesMs: carried.map((e) => Date.parse(String(e.eventTime))) };
    let receipt: BatchReceipt;
    try {
      receipt = await this.acceptBatch(actor, member, batch, signed);
    } catch (error) {
      // The refusal's own answer matters more than its figure: a failure to record it does not replace the answer.
      await recordBatchOutcome(this.database.db, { ...arrival, outcome: 'refused', errorCode: error instanceof DomainError ? error.code : 'internal', stored: 0 }).catch(() => undefined);
      throw error;
    }
    await recordBatchOutcome(this.database.db, { ...arrival, outcome: 'accepted', errorCode: null, stored: receipt.stored });
    return receipt;
  }

  private async acceptBatch(actor: Principal, member: FederationMemberTable, batch: Batch, signed: SignedBatch): Promise<BatchReceipt> {
    const repo = new FederationRepository(this.database.db);
    try {
      const opened = openNote(signed.signature, [verifierFromKey(member.log_key)]);
      if (opened.body !== batchSignatureBody(batch.origin, signed.payload)) throw invalid('federation-signature-mismatch', 'the signature is over another batch');
    } catch (error) {
      if (!(error instanceof DomainError && error.kind === 'invalid')) throw error;
      const alarm = await this.deps.witness.alarmForged(actor, member.log_origin, signed.signature, batch.oldSize);
      throw forbidden('federation-signature-invalid', `the batch is not signed by the log key registered for ${member.log_origin}: ${error.message}; refused, alarm ${alarm.id}`);
    }

    // Before the witness moves: a batch refused for what it carries writes nothing.
    checkRecords(member, batch.records ?? []);

    if (batch.from !== member.position) {
      await repo.countResent(member.id);
      throw conflict('federation-out-of-order', `the batch starts at leaf ${batch.from} of ${member.log_origin}, but the batches stored here reach ${member.position}: resume from there`, [
        { message: 'resume from position', position: member.position },
      ]);
    }

    await this.checkSummaries(member, batch);
    const outcome = await this.witnessCheckpoint(actor, member, batch);
    const { stored, applied } = await this.storeBatch(actor, member, batch);
    await this.deps.learn?.(member.id, [...batch.events.map((e) => e.event), ...(batch.summaries ?? []).map((s) => s.event)]);
    return { position: batch.to, stored, applied, checkpointSize: outcome.size, cosignatures: outcome.cosignatures };
  }

  /**
   * Stores what a checked batch carries and moves the member's position, in one transaction: the master data first,
   * so that the events find their owner and the subjects of their locations, then the events and corrections through
   * the capture path. A refusal anywhere leaves nothing of the batch.
   */
  private async storeBatch(actor: Principal, member: FederationMemberTable, batch: Batch): Promise<{ stored: number; applied: number }> {
    const latest = [...batch.events, ...(batch.summaries ?? [])].reduce((max, e) => Math.max(max, Date.parse(String(e.event.eventTime)) || 0), 0);
    const jobs: CaptureJob[] = [];
    let result: { stored: number; applied: number };
    try {
      result = await this.database.transaction(async (trx) => {
        const applied = await applyRecords(trx, actor, member, batch.records ?? []);
        const stored = (await this.storeEvents(trx, actor, member, batch, jobs)) + (await this.storeSummaries(trx, actor, member, batch.summaries ?? [], jobs));
        const at = new Date();
        const advanced = await new FederationRepository(trx).advanceMember(member.id, batch.from, { position: batch.to, events: stored, at: at.toISOString(), lagMs: latest > 0 ? at.getTime() - latest : null, mode: batch.mode ?? 'full' });
        // Another copy of this batch got there first: this one is undone whole, and the sender told where that one ended.
        if (!advanced) throw conflict('federation-out-of-order', `another batch moved ${member.log_origin} on meanwhile`);
        return { stored, applied };
      });
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'federation-out-of-order')) throw error;
      const now = (await new FederationRepository(this.database.db).memberByOrigin(batch.origin))!;
      throw conflict('federation-out-of-order', `another batch moved ${member.log_origin} to ${now.position} meanwhile: resume from there`, [{ message: 'resume from position', position: now.position }]);
    }
    await this.deps.capture.forwardedStored(jobs);
    return result;
  }

  private async witnessCheckpoint(actor: Principal, member: FederationMemberTable, batch: Batch): Promise<{ size: number; cosignatures: string }> {
    let size: number;
    try {
      const checkpoint = parseCheckpoint(parseNote(batch.checkpoint).body);
      if (checkpoint.origin !== member.log_origin) throw invalid('federation-checkpoint-origin', `the checkpoint is of the log ${checkpoint.origin}, the batch of ${member.log_origin}`);
      size = checkpoint.size;
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'invalid') throw invalid(error.code, `the batch's checkpoint: ${error.message}`, [{ pointer: '/checkpoint', message: error.message }]);
      throw error;
    }
    if (batch.to > size) throw invalid('federation-batch-beyond-checkpoint', `the batch reaches leaf ${batch.to}, beyond its checkpoint's size ${size}`);
    const request = `old ${batch.oldSize}\n${batch.proof.map((line) => `${line}\n`).join('')}\n${batch.checkpoint}`;
    let outcome;
    try {
      outcome = await this.deps.witness.addCheckpoint(actor, request);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'witness-signature-invalid') {
        const alarm = await this.deps.witness.alarmForged(actor, member.log_origin, batch.checkpoint, batch.oldSize);
        throw forbidden('federation-checkpoint-forged', `${error.message}; refused, alarm ${alarm.id}`);
      }
      throw error;
    }
    switch (outcome.kind) {
      case 'cosigned':
        return { size: outcome.size, cosignatures: outcome.cosignatures };
      case 'stale':
        throw conflict('federation-witness-stale', `the witness here last cosigned size ${outcome.size} of ${member.log_origin}: send the proof from there`, [{ message: 'witness size', witnessSize: outcome.size }]);
      default:
        throw outcome.error;
    }
  }

  /**
   * That each summary is what the sender's log says: the batch's leaves are the leaves [from, to) of the tree its
   * checkpoint commits to (one range proof), and each summary's leaf among them is `event <eventID> <hash>` with the
   * hash its marker carries, or for a correction `correction <eventID> <digest of its errorDeclaration>` naming an
   * event whose hash is known here or in the batch. In summaries mode every event and correction leaf has its summary.
   * Runs before the witness moves, so a refusal writes nothing; a checkpoint not signed by the member's key is left to
   * the witness, which refuses it and raises the alarm.
   */
  private async checkSummaries(member: FederationMemberTable, batch: Batch): Promise<void> {
    const summaries = batch.summaries ?? [];
    if (batch.mode === 'summaries' && batch.events.length) throw malformed('a batch in summaries mode carries its events as summaries, not in events');
    if (summaries.length === 0 && batch.mode !== 'summaries') return;
    if (batch.from === batch.to) {
      if (summaries.length) throw malformed('summaries of an empty range');
      return;
    }
    let checkpoint;
    try {
      checkpoint = parseCheckpoint(openNote(batch.checkpoint, [verifierFromKey(member.log_key)]).body);
    } catch {
      return;
    }
    if (checkpoint.origin !== member.log_origin || batch.to > checkpoint.size) return;
    const leaves = batch.leaves!;
    const proof = batch.rangeProof!.map((h) => Buffer.from(h, 'base64'));
    if (!verifyRange(batch.from, batch.to, checkpoint.size, leaves.map((entry) => leafHash(Buffer.from(entry, 'utf8'))), proof, checkpoint.rootHash)) {
      throw unprocessable('federation-summary-not-in-log', `the leaves the batch carries are not the leaves ${batch.from} to ${batch.to} of the tree its checkpoint commits to: refused, nothing stored`);
    }
    const notInLog = (i: number, why: string) =>
      unprocessable('federation-summary-not-in-log', `summaries/${i}: ${why}: refused, nothing stored`, [{ pointer: `/payload/summaries/${i}`, message: why }]);
    const summarised = new Set<number>();
    /** The hash of each event summarised in the batch, by eventID. */
    const hashOf = new Map<string, string>();
    const corrections: { i: number; eventID: string; hash: string }[] = [];
    summaries.forEach((summary, i) => {
      const marker = summaryMarker(summary.event)!;
      const eventID = summary.event.eventID as string;
      if (summary.leaf < batch.from || summary.leaf >= batch.to || summarised.has(summary.leaf)) throw malformed(`summaries/${i} names leaf ${summary.leaf}, not one of [${batch.from}, ${batch.to}) once`);
      summarised.add(summary.leaf);
      // The leaf says which it is: an event captured with an errorDeclaration has an event leaf, and its body the declaration.
      const actual = leaves[summary.leaf - batch.from]!;
      const correction = actual.startsWith('correction ') && summary.event.errorDeclaration !== undefined;
      const expected = correction
        ? formatEntry({ kind: 'correction', ref: eventID, digest: recordDigest(summary.event.errorDeclaration) })
        : formatEntry({ kind: 'event', ref: eventID, digest: marker.hash });
      if (actual !== expected) throw notInLog(i, `${correction ? 'the correction of ' : ''}event ${eventID} with hash ${marker.hash} is not leaf ${summary.leaf} of ${member.log_origin}, which is ${JSON.stringify(actual.trim())}`);
      if (correction) corrections.push({ i, eventID, hash: marker.hash });
      else hashOf.set(eventID, marker.hash);
    });
    if (batch.mode === 'summaries') {
      leaves.forEach((entry, k) => {
        if (/^(event|correction) /.test(entry) && !summarised.has(batch.from + k)) {
          throw unprocessable('federation-summary-missing', `leaf ${batch.from + k} of ${member.log_origin} records an event or correction the batch has no summary of: refused, nothing stored`);
        }
      });
    }
    // A correction's leaf names its event by eventID only: the hash it is applied to must be that event's. An eventID
    // that is the hash says so itself; one summarised in the batch or stored here must have that hash; an eventID not
    // known here is taken for the same event stored under another eventID when its hash is held.
    const open = corrections.filter((c) => c.eventID !== c.hash);
    const { hashOfId, heldHashes } = await new FederationRepository(this.database.db).storedIdentities(open.map((c) => c.eventID), open.map((c) => c.hash));
    for (const c of open) {
      const known = hashOf.get(c.eventID) ?? hashOfId.get(c.eventID);
      if (known !== undefined ? known !== c.hash : !heldHashes.has(c.hash)) throw notInLog(c.i, `the correction names event ${c.eventID} by hash ${c.hash}, which is not that event's here or in the batch`);
    }
  }

  /**
   * Summaries go in through the capture path like events, one document per run of one owner, each known by the hash
   * its marker carries (its leaf here is the sender's leaf, `event <eventID> <hash>`), so idempotency by hash holds
   * across full events and summaries alike.
   */
  private async storeSummaries(trx: Executor, actor: Principal, member: FederationMemberTable, summaries: BatchSummary[], jobs: CaptureJob[]): Promise<number> {
    const owners = await localOwners(trx, member, summaries.map((s) => ({ context: null, event: s.event, owner: s.owner ?? null })));
    let stored = 0;
    let i = 0;
    while (i < summaries.length) {
      const first = i;
      const group: Record<string, unknown>[] = [];
      while (i < summaries.length && owners[i] === owners[first]) group.push(summaries[i++]!.event);
      const document = { '@context': SUMMARY_CONTEXT, type: 'EPCISDocument', schemaVersion: '2.0', creationDate: new Date().toISOString(), epcisBody: { eventList: group } };
      const job = await this.deps.capture.storeSummariesIn(trx, actor, owners[first] ?? null, document, group.map((e) => summaryMarker(e)!.hash));
      if (job.status !== 'succeeded') throw invalid('federation-events-rejected', `summaries of the batch were refused: ${job.errors.map((e) => e.message).join('; ')}`, job.errors.map((e) => ({ ...e })));
      jobs.push(job);
      stored += group.length;
    }
    return stored;
  }

  /** Consecutive events of one @context and one owner go in one document, in log order, through the capture path. */
  private async storeEvents(trx: Executor, actor: Principal, member: FederationMemberTable, batch: Batch, jobs: CaptureJob[]): Promise<number> {
    const owners = await localOwners(trx, member, batch.events);
    let stored = 0;
    let i = 0;
    while (i < batch.events.length) {
      const first = i;
      const context = JSON.stringify(batch.events[i]!.context ?? null);
      const group: Record<string, unknown>[] = [];
      while (i < batch.events.length && owners[i] === owners[first] && JSON.stringify(batch.events[i]!.context ?? null) === context) group.push(batch.events[i++]!.event);
      const document = {
        ...(batch.events[first]!.context != null ? { '@context': batch.events[first]!.context } : {}),
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: new Date().toISOString(),
        epcisBody: { eventList: group },
      };
      const job = await this.deps.capture.storeForwardedIn(trx, actor, owners[first] ?? null, document);
      if (job.status !== 'succeeded') throw invalid('federation-events-rejected', `events of the batch were refused: ${job.errors.map((e) => e.message).join('; ')}`, job.errors.map((e) => ({ ...e })));
      jobs.push(job);
      stored += group.length;
    }
    return stored;
  }

  /** The recalls made here that reached subjects the calling member brought, with their notices: its forwarder polls. */
  async recallsForMember(actor: Principal): Promise<RecallCopy[]> {
    ensure(actor.role === 'federation_member' && actor.userId !== null, 'federation-not-permitted', "recalls are sent down to a member, fetched with that member's key");
    const [member] = await new FederationRepository(this.database.db).members({ userId: actor.userId! });
    if (!member) throw notFound('federation-unknown-member', 'this key belongs to no registered member');
    return recallsForMember(this.database.db, member);
  }

  // The sender's side.

  /** Records the recalls the upstream sent down (see storeRecallsDown); returns how many were new or changed. */
  async receiveRecalls(received: RecallCopy[]): Promise<number> {
    const url = this.requireUpstream();
    if (!Array.isArray(received)) throw new Error('the upstream answered recalls that are not a list');
    return this.database.transaction((trx) => storeRecallsDown(trx, systemPrincipal('federation-upstream'), url, received));
  }

  async outbox(): Promise<FederationOutboxTable> {
    return new FederationRepository(this.database.db).outbox(this.requireUpstream());
  }

  /**
   * The next batch after the outbox's position, or null when the upstream has everything the log holds. Built in the
   * configured mode unless `mode` says otherwise: the mode is a property of each batch, so changing it between two
   * batches (a restart with another ZHUISU_UPSTREAM_MODE) neither skips nor repeats a leaf.
   */
  async nextBatch(mode: BatchMode = this.deps.upstreamMode ?? 'full'): Promise<OutgoingBatch | null> {
    const url = this.requireUpstream();
    const repo = new FederationRepository(this.database.db);
    const outbox = await repo.outbox(url);
    const checkpoint = await this.deps.log.checkpoint();
    if (checkpoint.size <= outbox.position) return null;
    const from = outbox.position;
    const to = Math.min(checkpoint.size, from + BATCH_LEAVES);
    const oldSize = outbox.acked_size <= checkpoint.size ? outbox.acked_size : 0;
    const consistency = await this.deps.log.consistency(oldSize, checkpoint.size);
    const { events, summaries, records } = await outgoingContent(this.database.db, from, to, { mode, origin: this.deps.log.origin, url: this.deps.publicUrl ?? null });
    const range = await this.deps.log.range(from, to, checkpoint.size);
    const batch: Batch = {
      type: summaries.length || mode === 'summaries' ? SUMMARIES_BATCH_TYPE : BATCH_TYPE,
      origin: this.deps.log.origin,
      from,
      to,
      checkpoint: consistency.checkpoint,
      oldSize,
      proof: consistency.proof.map((hex) => Buffer.from(hex, 'hex').toString('base64')),
      events,
      records,
      mode,
      summaries,
      leaves: range.entries,
      rangeProof: range.proof.map((hex) => Buffer.from(hex, 'hex').toString('base64')),
    };
    const payload = JSON.stringify(batch);
    return {
      body: { payload, signature: this.deps.keys.sign(batchSignatureBody(batch.origin, payload)) },
      from,
      to,
      checkpointSize: checkpoint.size,
      checkpoint: batch.checkpoint,
      events: events.length,
      summaries: summaries.length,
      records: records.length,
    };
  }

  async recordSent(batch: OutgoingBatch, receipt: BatchReceipt): Promise<void> {
    const now = new Date().toISOString();
    await new FederationRepository(this.database.db).updateOutbox(this.requireUpstream(), {
      position: receipt.position,
      acked_size: receipt.checkpointSize,
      attempts: 0,
      next_try_at: null,
      last_attempt_at: now,
      last_error: null,
      last_success_at: now,
      cosigned_checkpoint: `${parseNote(batch.checkpoint).body}\n${receipt.cosignatures}`,
    });
  }

  /** The upstream said where it is (its position of this log, or its witness's size): adopt it and try again at once. */
  async resync(change: { position?: number; ackedSize?: number }, message: string): Promise<void> {
    const { size } = await this.deps.log.checkpoint();
    const patch: Partial<FederationOutboxTable> = { last_attempt_at: new Date().toISOString(), last_error: message };
    // An upstream claiming more than this log holds is not followed: starting over from 0 is safe, events being idempotent.
    if (change.position !== undefined) patch.position = change.position <= size ? change.position : 0;
    if (change.ackedSize !== undefined) patch.acked_size = change.ackedSize <= size ? change.ackedSize : 0;
    await new FederationRepository(this.database.db).updateOutbox(this.requireUpstream(), patch);
  }

  async recordFailure(message: string, attempts: number, nextTryAt: Date): Promise<void> {
    await new FederationRepository(this.database.db).updateOutbox(this.requireUpstream(), {
      attempts,
      last_attempt_at: new Date().toISOString(),
      last_error: message,
      next_try_at: nextTryAt.toISOString(),
    });
  }

  private requireUpstream(): string {
    if (this.deps.upstreamUrl === null) throw new Error('this platform has no upstream (ZHUISU_UPSTREAM_URL)');
    return this.deps.upstreamUrl;
  }
}

function memberOf(row: FederationMemberTable): Member {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    level: row.level,
    regionCode: row.region_code,
    logOrigin: row.log_origin,
    logKey: row.log_key,
    userId: row.user_id,
    registeredAt: row.registered_at,
    position: row.position,
    batches: row.batches,
    eventsReceived: row.events_received,
    resent: row.resent,
    lastBatchAt: row.last_batch_at,
    lastLagMs: row.last_lag_ms,
    url: row.url,
    mode: row.mode,
  };
}

function malformed(reason: string): DomainError {
  return invalid('federation-batch-malformed', `malformed batch: ${reason}`, [{ pointer: '/payload', message: reason }]);
}

const isSize = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function parseBatch(payload: string): Batch {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    throw malformed('the payload is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw malformed('the payload is not a JSON object');
  const b = value as Record<string, unknown>;
  if (b.type !== BATCH_TYPE && b.type !== SUMMARIES_BATCH_TYPE) throw malformed(`type is not ${BATCH_TYPE} or ${SUMMARIES_BATCH_TYPE}`);
  if (typeof b.origin !== 'string' || b.origin === '') throw malformed('origin is not a log origin');
  if (!isSize(b.from) || !isSize(b.to) || b.from > b.to) throw malformed('from and to are not leaf positions with from ≤ to');
  if (typeof b.checkpoint !== 'string') throw malformed('checkpoint is not a signed note');
  if (!isSize(b.oldSize)) throw malformed('oldSize is not a tree size');
  if (!Array.isArray(b.proof) || b.proof.length > MAX_PROOF_LINES || !b.proof.every((h) => typeof h === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(h))) {
    throw malformed(`proof is not a list of at most ${MAX_PROOF_LINES} base64 hashes`);
  }
  if (!Array.isArray(b.events) || b.events.length > BATCH_LEAVES) throw malformed(`events is not a list of at most ${BATCH_LEAVES}`);
  if (b.records !== undefined && (!Array.isArray(b.records) || b.records.length > 2 * BATCH_LEAVES)) throw malformed(`records is not a list of at most ${2 * BATCH_LEAVES}`);
  for (const [i, e] of (b.events as unknown[]).entries()) {
    const item = e as Record<string, unknown> | null;
    if (item === null || typeof item !== 'object' || item.event === null || typeof item.event !== 'object' || Array.isArray(item.event)) throw malformed(`events/${i} has no event object`);
  }
  if (b.mode !== undefined && !BATCH_MODES.includes(b.mode as BatchMode)) throw malformed(`mode is not one of ${BATCH_MODES.join(', ')}`);
  if (b.summaries !== undefined && (!Array.isArray(b.summaries) || b.summaries.length > BATCH_LEAVES)) throw malformed(`summaries is not a list of at most ${BATCH_LEAVES}`);
  for (const [i, s] of ((b.summaries ?? []) as unknown[]).entries()) {
    const item = s as Record<string, unknown> | null;
    if (item === null || typeof item !== 'object' || !isSize(item.leaf) || item.event === null || typeof item.event !== 'object' || Array.isArray(item.event)) throw malformed(`summaries/${i} is not a leaf and an event`);
    const event = item.event as Record<string, unknown>;
    if (typeof event.eventID !== 'string' || !summaryMarker(event)) throw malformed(`summaries/${i} has no eventID or no ${'zhuisu:summary'} marker with its hash`);
    if (item.owner !== undefined && item.owner !== null && typeof item.owner !== 'string') throw malformed(`summaries/${i} has an owner that is not an id`);
  }
  const span = (b.to as number) - (b.from as number);
  if (b.leaves !== undefined && (!Array.isArray(b.leaves) || b.leaves.length !== span || !b.leaves.every((e) => typeof e === 'string'))) throw malformed('leaves is not the list of the entries of the leaves [from, to)');
  // Two nodes a level at most: around a range, on each side.
  if (b.rangeProof !== undefined && (!Array.isArray(b.rangeProof) || b.rangeProof.length > 2 * MAX_PROOF_LINES || !b.rangeProof.every((h) => typeof h === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(h)))) {
    throw malformed(`rangeProof is not a list of at most ${2 * MAX_PROOF_LINES} base64 hashes`);
  }
  const summarised = ((b.summaries as unknown[] | undefined)?.length ?? 0) > 0 || b.mode === 'summaries';
  if (summarised && b.type !== SUMMARIES_BATCH_TYPE) throw malformed(`a batch carrying summaries is of type ${SUMMARIES_BATCH_TYPE}`);
  if (summarised && span > 0 && (b.leaves === undefined || b.rangeProof === undefined)) {
    throw malformed('summaries come with the entries of the leaves [from, to) and the proof that they are those leaves');
  }
  return b as unknown as Batch;
}
