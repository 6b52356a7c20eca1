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
import { conflict, DomainError, forbidden, invalid, notFound } from '../domain/errors.js';
import type { PlatformLevel } from '../domain/platform.js';
import { recordBatchOutcome } from '../evaluation/evaluation.service.js';
import type { TransparencyLog } from '../log/log.service.js';
import { MAX_PROOF_LINES, type WitnessService } from '../log/witness.service.js';
import { applyRecords, checkRecords, localOwners, outgoingContent, recallsForMember, storeRecallsDown, type BatchEvent, type BatchRecord, type RecallCopy } from './federation-records.service.js';
import { FederationRepository } from './federation.repository.js';

/**
 * Federation (docs/FEDERATION.md): a platform forwards the events it accepted to the platform a level up in signed
 * batches, each with its log's checkpoint, which the upstream cosigns as its witness before storing the events through
 * the same capture path as any other. The batch's place in the sender's log is its order: a batch starts where the
 * last stored one ended, so a batch re-sent after a lost answer is refused as out of order and the sender learns where
 * the upstream is. Its events are idempotent by event hash besides, so a crash between storing them and recording the
 * position stores nothing twice.
 */

export const BATCH_TYPE = 'zhuisu-federation-batch/v1';
/** Log leaves one batch covers at most: a few hundred events keep a batch well within one capture document. */
export const BATCH_LEAVES = 500;
/** A batch body: its events' text dominates, bounded by BATCH_LEAVES events of the capture limit's size each. */
export const BATCH_BODY_LIMIT = 32 * 1024 * 1024;

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
  type: typeof BATCH_TYPE;
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

    const arrival = { memberId: member.id, arrivedAt: new Date(), from: batch.from, to: batch.to, eventTimesMs: batch.events.map((e) => Date.parse(String(e.event.eventTime))) };
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

    const outcome = await this.witnessCheckpoint(actor, member, batch);
    const { stored, applied } = await this.storeBatch(actor, member, batch);
    await this.deps.learn?.(member.id, batch.events.map((e) => e.event));
    return { position: batch.to, stored, applied, checkpointSize: outcome.size, cosignatures: outcome.cosignatures };
  }

  /**
   * Stores what a checked batch carries and moves the member's position, in one transaction: the master data first,
   * so that the events find their owner and the subjects of their locations, then the events and corrections through
   * the capture path. A refusal anywhere leaves nothing of the batch.
   */
  private async storeBatch(actor: Principal, member: FederationMemberTable, batch: Batch): Promise<{ stored: number; applied: number }> {
    const latest = batch.events.reduce((max, e) => Math.max(max, Date.parse(String(e.event.eventTime)) || 0), 0);
    const jobs: CaptureJob[] = [];
    let result: { stored: number; applied: number };
    try {
      result = await this.database.transaction(async (trx) => {
        const applied = await applyRecords(trx, actor, member, batch.records ?? []);
        const stored = await this.storeEvents(trx, actor, member, batch, jobs);
        const at = new Date();
        const advanced = await new FederationRepository(trx).advanceMember(member.id, batch.from, { position: batch.to, events: stored, at: at.toISOString(), lagMs: latest > 0 ? at.getTime() - latest : null });
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

  /** The next batch after the outbox's position, or null when the upstream has everything the log holds. */
  async nextBatch(): Promise<OutgoingBatch | null> {
    const url = this.requireUpstream();
    const repo = new FederationRepository(this.database.db);
    const outbox = await repo.outbox(url);
    const checkpoint = await this.deps.log.checkpoint();
    if (checkpoint.size <= outbox.position) return null;
    const from = outbox.position;
    const to = Math.min(checkpoint.size, from + BATCH_LEAVES);
    const oldSize = outbox.acked_size <= checkpoint.size ? outbox.acked_size : 0;
    const consistency = await this.deps.log.consistency(oldSize, checkpoint.size);
    const { events, records } = await outgoingContent(this.database.db, from, to);
    const batch: Batch = {
      type: BATCH_TYPE,
      origin: this.deps.log.origin,
      from,
      to,
      checkpoint: consistency.checkpoint,
      oldSize,
      proof: consistency.proof.map((hex) => Buffer.from(hex, 'hex').toString('base64')),
      events,
      records,
    };
    const payload = JSON.stringify(batch);
    return { body: { payload, signature: this.deps.keys.sign(batchSignatureBody(batch.origin, payload)) }, from, to, checkpointSize: checkpoint.size, checkpoint: batch.checkpoint, events: events.length, records: records.length };
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
  if (b.type !== BATCH_TYPE) throw malformed(`type is not ${BATCH_TYPE}`);
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
  return b as unknown as Batch;
}
