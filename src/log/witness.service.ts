import { uuidv7 } from 'uuidv7';
import { ensure } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import { recordAudit } from '../audit/audit.service.js';
import type { KeyStore } from '../crypto/key-store.js';
import {
  cosignatureVerifierKey,
  cosigner,
  ed25519PrivateKeyFromSeed,
  formatNote,
  isValidKeyName,
  openNote,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  verifierFromKey,
  type NoteSignature,
  type NoteSigner,
} from '../crypto/signed-note.js';
import type { Database, WitnessAlarmTable, WitnessedLogTable } from '../db/index.js';
import { conflict, DomainError, forbidden, invalid, notFound, unprocessable } from '../domain/errors.js';
import type { Page } from '../domain/master-data.js';
import { emptyRootHash, verifyConsistency } from './merkle.js';
import { WitnessRepository } from './witness.repository.js';

/**
 * The platform as a witness of other platforms' logs (c2sp.org/tlog-witness): a province witnesses its cities, a city
 * its enterprises. For each log it was told to witness (origin and verifier key) it keeps the latest checkpoint it
 * cosigned, and cosigns a new one only when the log signed it and a consistency proof shows it extends that one. A log
 * caught showing two histories, a second root for a size already cosigned or a tree the proof does not tie to the
 * cosigned one, is refused and an alarm is recorded: a signed checkpoint that contradicts another is the evidence.
 *
 * Cosignatures are Ed25519 tlog-cosignature/v1 (signed-note type 0x04) by the witness's own key
 * (`witness-ed25519.key`), kept apart from the log's keys: that signature format does not name the signer, so one key
 * must not speak for two roles.
 */

export const WITNESS_ED25519_KEY_FILE = 'witness-ed25519';

/** The spec lets a client send at most 63 proof lines: enough for any tree of up to 2^63 leaves. */
export const MAX_PROOF_LINES = 63;

/** The witness's name: the platform's log origin with `/witness` in place of `/log`, a schema-less URL as the spec asks. */
export function witnessNameFor(logOrigin: string): string {
  return `${logOrigin.replace(/\/log$/, '')}/witness`;
}

/** The witness's cosigning key. The secret stays in a private field. */
export class WitnessKey {
  readonly name: string;
  readonly keyId: number;
  /** The vkey (type 0x04) verifiers are configured with. */
  readonly verifierKey: string;
  readonly #signer: NoteSigner;

  private constructor(name: string, seed: Buffer, now?: () => number) {
    const privateKey = ed25519PrivateKeyFromSeed(seed);
    this.name = name;
    this.#signer = cosigner(name, privateKey, now);
    this.keyId = this.#signer.keyId;
    this.verifierKey = cosignatureVerifierKey(name, privateKey);
  }

  /** Reads the key from the key directory, creating it when missing (the development path, as for the log's keys). */
  static open(store: KeyStore, name: string, now?: () => number): WitnessKey {
    if (!isValidKeyName(name)) throw new Error(`the witness name "${name}" cannot name a note key: it must be non-empty, without spaces or "+"`);
    return new WitnessKey(name, store.secret(WITNESS_ED25519_KEY_FILE), now);
  }

  /** A cosignature of a checkpoint's text, timestamped now. */
  cosign(checkpointBody: string): NoteSignature {
    return { name: this.name, keyId: this.keyId, signature: this.#signer.sign(Buffer.from(checkpointBody, 'utf8')) };
  }
}

export interface WitnessedLog {
  origin: string;
  vkey: string;
  /** The size of the latest checkpoint cosigned, 0 before the first. */
  size: number;
  /** Its root hash in hex (the empty tree's before the first). */
  rootHash: string;
  /** That checkpoint as a note, with the witness's cosignature; null before the first. */
  checkpoint: string | null;
  cosignedAt: string | null;
  registeredAt: string;
}

export interface WitnessAlarm {
  id: string;
  origin: string;
  kind: WitnessAlarmTable['kind'];
  at: string;
  /** Who submitted the refused checkpoint. */
  actor: string;
  requestId: string | null;
  /** The checkpoint the witness had cosigned (null if none yet) and the one it refused. */
  cosignedCheckpoint: string | null;
  submittedCheckpoint: string;
  oldSize: number;
  /** The consistency proof as sent, base64 hashes. */
  proof: string[];
}

/** What an add-checkpoint request came to, beyond the errors every endpoint may throw. */
export type AddCheckpointOutcome =
  | { kind: 'cosigned'; origin: string; size: number; /** Signature lines, each ending in a newline. */ cosignatures: string }
  /** The request's old size is not the size the witness last cosigned, which is `size`. */
  | { kind: 'stale'; origin: string; size: number }
  /** The log contradicted what the witness cosigned: refused, and recorded as `alarm`. */
  | { kind: 'fork' | 'inconsistent'; alarm: WitnessAlarm; error: DomainError };

const isAdmin = (p: Principal) => p.role === 'platform_admin';
const isPlatformAuditor = (p: Principal) => p.role === 'auditor' && p.subjectId === null;

export class WitnessService {
  constructor(
    private readonly database: Database,
    private readonly key: WitnessKey,
  ) {}

  get name(): string {
    return this.key.name;
  }

  get verifierKey(): string {
    return this.key.verifierKey;
  }

  /** Adds a log to those witnessed. Which logs a platform vouches for is the platform's decision: admins only. */
  async registerLog(actor: Principal, input: { origin: string; vkey: string }): Promise<WitnessedLog> {
    ensure(isAdmin(actor), 'witness-not-permitted', 'only platform admins choose which logs this platform witnesses');
    const { origin, vkey } = input;
    // The origin is a checkpoint's first line; a note holds no control characters.
    if (origin === '' || /[\u0000-\u001f\u007f]/.test(origin)) {
      throw invalid('witness-origin-malformed', 'a log origin is one non-empty line without control characters', [{ pointer: '/origin', message: 'malformed' }]);
    }
    verifierFromKey(vkey);
    if (parseVerifierKey(vkey).keyMaterial[0] === SIGNATURE_TYPE_COSIGNATURE_V1) {
      throw invalid('witness-vkey-not-a-log-key', 'that is a cosignature (witness) key; a log signs its checkpoints with its own key', [{ pointer: '/vkey', message: 'cosignature key' }]);
    }
    const row: WitnessedLogTable = {
      origin,
      vkey,
      size: 0,
      root_hash: emptyRootHash().toString('hex'),
      note: null,
      cosigned_at: null,
      registered_at: new Date().toISOString(),
      registered_by: actor.actor,
    };
    await this.database.transaction(async (trx) => {
      const repo = new WitnessRepository(trx);
      if (await repo.findLog(origin)) throw conflict('witnessed-log-exists', `the log ${origin} is witnessed already`);
      await repo.insertLog(row);
      await recordAudit(trx, actor, { action: 'witness.log.register', targetType: 'witnessed_log', targetId: origin, subjectId: null, changes: { origin, vkey } });
    });
    return logOf(row);
  }

  /** The logs witnessed and how far each was cosigned: for admins and platform auditors. */
  async listLogs(actor: Principal, cursor: string | undefined, limit: number): Promise<Page<WitnessedLog>> {
    ensure(isAdmin(actor) || isPlatformAuditor(actor), 'witness-not-permitted', 'the witnessed logs are listed for platform admins and platform auditors');
    const rows = await new WitnessRepository(this.database.db).listLogs(cursor, limit);
    return { items: rows.map(logOf), nextCursor: rows.length === limit ? rows[rows.length - 1]!.origin : null };
  }

  /** The alarms raised, newest first: for admins, who act on them. */
  async listAlarms(actor: Principal, filter: { origin?: string; cursor?: string; limit: number }): Promise<Page<WitnessAlarm>> {
    ensure(isAdmin(actor), 'witness-not-permitted', 'witness alarms are listed for platform admins');
    const rows = await new WitnessRepository(this.database.db).listAlarms(filter);
    return { items: rows.map(alarmOf), nextCursor: rows.length === filter.limit ? rows[rows.length - 1]!.id : null };
  }

  /**
   * One add-checkpoint request (its body as sent). Any key may submit: the spec authenticates nothing but the log's
   * signature on the checkpoint, and a checkpoint can only move the witness along a history the log itself signed.
   * The key makes the submitter known, which an alarm records.
   */
  async addCheckpoint(actor: Principal, text: string): Promise<AddCheckpointOutcome> {
    const request = parseRequest(text);
    const repo = new WitnessRepository(this.database.db);
    const log = await repo.findLog(request.checkpoint.origin);
    if (!log) throw notFound('witness-unknown-log', `this witness does not witness the log ${request.checkpoint.origin}`);
    try {
      openNote(request.note, [verifierFromKey(log.vkey)]);
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'invalid') throw forbidden('witness-signature-invalid', `the checkpoint is not signed by the key witnessed for ${log.origin}: ${error.message}`);
      throw error;
    }
    const { oldSize, proof, checkpoint } = request;
    if (oldSize > checkpoint.size) throw invalid('witness-old-size-too-large', `the old size ${oldSize} is larger than the checkpoint's ${checkpoint.size}`);
    if (oldSize === 0 && proof.length > 0) throw invalid('witness-proof-unexpected', 'the proof from size 0 is empty');
    if (oldSize !== log.size) return { kind: 'stale', origin: log.origin, size: log.size };

    const cosignedRoot = Buffer.from(log.root_hash, 'hex');
    if (oldSize === checkpoint.size) {
      if (!cosignedRoot.equals(checkpoint.rootHash)) {
        const alarm = await this.alarm(actor, 'fork', log, request);
        return { kind: 'fork', alarm, error: conflict('witness-fork', `the log ${log.origin} signed a second root for size ${checkpoint.size}, which the witness had cosigned with another: refused, alarm ${alarm.id}`, [{ message: 'alarm', alarmId: alarm.id }]) };
      }
      if (proof.length > 0) throw invalid('witness-proof-unexpected', 'the proof between a size and itself is empty');
    } else if (!verifyConsistency(oldSize, checkpoint.size, cosignedRoot, checkpoint.rootHash, proof)) {
      const alarm = await this.alarm(actor, 'inconsistent', log, request);
      return {
        kind: 'inconsistent',
        alarm,
        error: unprocessable('witness-proof-invalid', `the proof does not show the checkpoint of size ${checkpoint.size} extending the one of size ${oldSize} the witness cosigned for ${log.origin}: refused, alarm ${alarm.id}`, [{ message: 'alarm', alarmId: alarm.id }]),
      };
    }

    const cosignature = this.key.cosign(request.body);
    // The stored note keeps the log's signatures and the fresh cosignature; an older one by this witness is replaced.
    const kept = parseNote(request.note).signatures.filter((s) => !(s.name === this.key.name && s.keyId === this.key.keyId));
    const stored = formatNote(request.body, [...kept, cosignature]);
    const advanced = await repo.advance(
      log.origin,
      { size: log.size, rootHash: log.root_hash },
      { size: checkpoint.size, rootHash: checkpoint.rootHash.toString('hex'), note: stored, at: new Date().toISOString() },
    );
    // Another submission moved the state since it was read: this one was checked against a state that is gone.
    if (!advanced) return { kind: 'stale', origin: log.origin, size: (await repo.findLog(log.origin))!.size };
    return { kind: 'cosigned', origin: log.origin, size: checkpoint.size, cosignatures: formatNote(request.body, [cosignature]).slice(request.body.length + 1) };
  }

  /**
   * Records a checkpoint or batch that a registered member sent signed by a key other than its log's. A witness
   * request is anonymous in spirit and only refused for that; a member authenticates with its own key, so a forgery
   * from it is evidence against it (or of a stolen key) and is kept like a fork.
   */
  async alarmForged(actor: Principal, origin: string, submittedNote: string, oldSize: number): Promise<WitnessAlarm> {
    const log = await new WitnessRepository(this.database.db).findLog(origin);
    if (!log) throw notFound('witness-unknown-log', `this witness does not witness the log ${origin}`);
    let size = 0;
    try {
      size = parseCheckpoint(parseNote(submittedNote).body).size;
    } catch {
      // A batch signature is not a checkpoint: its size is not known.
    }
    return this.alarm(actor, 'forged', log, { note: submittedNote, oldSize, proof: [], checkpoint: { size } });
  }

  /**
   * Records a log's contradiction with its evidence. The alarm is audited, so it is a leaf of this platform's own log:
   * once raised it cannot quietly disappear.
   */
  private async alarm(actor: Principal, kind: WitnessAlarmTable['kind'], log: WitnessedLogTable, request: Pick<AddCheckpointRequest, 'note' | 'oldSize' | 'proof'> & { checkpoint: { size: number } }): Promise<WitnessAlarm> {
    const row: WitnessAlarmTable = {
      id: uuidv7(),
      origin: log.origin,
      kind,
      cosigned_note: log.note,
      submitted_note: request.note,
      old_size: request.oldSize,
      proof: request.proof.map((hash) => hash.toString('base64')).join('\n'),
      actor: actor.actor,
      request_id: actor.requestId,
      at: new Date().toISOString(),
    };
    await this.database.transaction(async (trx) => {
      await new WitnessRepository(trx).insertAlarm(row);
      await recordAudit(trx, actor, {
        action: 'witness.alarm',
        targetType: 'witness_alarm',
        targetId: row.id,
        subjectId: null,
        changes: { origin: log.origin, kind, cosignedSize: log.size, submittedSize: request.checkpoint.size },
      });
    });
    return alarmOf(row);
  }
}

interface AddCheckpointRequest {
  oldSize: number;
  proof: Buffer[];
  /** The checkpoint as sent, a signed note. */
  note: string;
  /** Its text, and that text read as a checkpoint. */
  body: string;
  checkpoint: ReturnType<typeof parseCheckpoint>;
}

/**
 * The request body of tlog-witness: `old <size>`, up to 63 base64 hashes, each on its line, a blank line, then the
 * checkpoint note. Anything else is malformed (400).
 */
function parseRequest(text: string): AddCheckpointRequest {
  const old = /^old (0|[1-9][0-9]*)\n/.exec(text);
  if (!old) throw malformed('the body starts with the line "old <size>", the size in decimal without leading zeroes');
  const oldSize = Number(old[1]);
  if (!Number.isSafeInteger(oldSize)) throw malformed(`the old size ${old[1]} is too large`);
  const proof: Buffer[] = [];
  let at = old[0].length;
  for (;;) {
    const end = text.indexOf('\n', at);
    if (end < 0) throw malformed('there is no blank line between the proof and the checkpoint');
    const line = text.slice(at, end);
    at = end + 1;
    if (line === '') break;
    if (proof.length === MAX_PROOF_LINES) throw malformed(`a consistency proof has at most ${MAX_PROOF_LINES} lines`);
    const hash = decodeHash(line);
    if (!hash) throw malformed(`proof line ${proof.length + 1} is not a 32-byte hash in base64`);
    proof.push(hash);
  }
  const note = text.slice(at);
  const { body } = parseNote(note);
  return { oldSize, proof, note, body, checkpoint: parseCheckpoint(body) };
}

/** Standard padded base64 of exactly 32 bytes, canonical only, so one hash has one spelling. */
function decodeHash(line: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(line)) return undefined;
  const bytes = Buffer.from(line, 'base64');
  return bytes.length === 32 && bytes.toString('base64') === line ? bytes : undefined;
}

function malformed(reason: string): DomainError {
  return invalid('witness-request-malformed', `malformed add-checkpoint request: ${reason}`);
}

function logOf(row: WitnessedLogTable): WitnessedLog {
  return { origin: row.origin, vkey: row.vkey, size: row.size, rootHash: row.root_hash, checkpoint: row.note, cosignedAt: row.cosigned_at, registeredAt: row.registered_at };
}

function alarmOf(row: WitnessAlarmTable): WitnessAlarm {
  return {
    id: row.id,
    origin: row.origin,
    kind: row.kind,
    at: row.at,
    actor: row.actor,
    requestId: row.request_id,
    cosignedCheckpoint: row.cosigned_note,
    submittedCheckpoint: row.submitted_note,
    oldSize: row.old_size,
    proof: row.proof === '' ? [] : row.proof.split('\n'),
  };
}
