import { ensure, readScope } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import { indexedEvent } from '../capture/prepare.js';
import type { Config } from '../config.js';
import { KeyStore } from '../crypto/key-store.js';
import { openNote, parseCheckpoint, parseNote, type NoteVerifier } from '../crypto/signed-note.js';
import { LOG_ED25519_KEY_FILE, LOG_SM2_KEY_FILE, LogSigningKeys } from '../crypto/signing-keys.js';
import { fieldRows, openDatabase, type Database, type EventFieldTable, type EventTraceFactsTable } from '../db/index.js';
import { DomainError, invalid } from '../domain/errors.js';
import { eventHash, type JsonLdContext } from '../epcis/event-hash.js';
import { memoisedCanonical } from '../epcis/event-index.js';
import { summaryMarker } from '../epcis/summary.js';
import { parseEntry, recordDigest, type LogEntryKind } from './entries.js';
import { LogRepository, type StoredEventRow } from './log.repository.js';
import { emptyRootHash, leafHash, nodeHash, TILE_HEIGHT } from './merkle.js';

/**
 * `zhuisu verify`: checks the transparency log against itself and against the records it covers, from the rows alone.
 *
 * - The tree: every leaf's hash recomputed from its entry text, the tree rebuilt from those hashes in index order, and
 *   every stored node (levels 8, 16 …), every root an append recorded and every signed checkpoint compared with it.
 *   Gaps, rows the tree has no place for, and a head that disagrees with the leaves are reported.
 * - The checkpoints: both signatures (Ed25519 and SM2) verify with the platform's keys, the origin is the log's.
 * - The records: every stored event re-hashed from its body and its document's @context and recorded by exactly one
 *   `event` leaf carrying that hash (a summary from a member is not re-hashed: its marker's hash must be its leaf's); every correction and audit row matched by its leaf's digest; every leaf names a
 *   record that exists, and its record_seq (by which proofs find an event's leaf) is that event's seq.
 * - The rows derived from each event's body (its columns in `events`, its trace facts, its indexed fields), derived
 *   again and compared.
 *
 * Everything is read a page at a time in the tables' own order, so memory stays flat however large the store.
 *
 * The log may grow while this runs (a server writing beside it). Its head is read first: leaves below it are
 * committed, with their records, since a record and its leaf commit together; only those are put through the tree.
 * Rows past that size are reported only when the head has not moved by the end, since otherwise they are appends
 * that landed meanwhile.
 */

export type VerifyPhase = 'log' | 'events' | 'corrections';

export interface VerifyProgress {
  phase: VerifyPhase;
  /** Rows checked so far, all phases together. */
  done: number;
  total: number;
}

export interface VerifyOptions {
  onProgress?: (progress: VerifyProgress) => void;
  /** Problems kept per code; the rest are counted. */
  keepPerCode?: number;
}

/** One thing found wrong, naming the table and the row. */
export interface VerifyProblem {
  /** Stable machine-readable code, e.g. `event-hash-mismatch`. */
  code: string;
  table: string;
  /** The row's identifying columns: idx, eventID (with its seq), audit id, level and idx, size. */
  row: Record<string, string | number>;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  origin: string;
  database: string;
  /** log_head.size when the verification began: the leaves put through the tree. */
  treeSize: number;
  checked: { leaves: number; nodes: number; roots: number; checkpoints: number; events: number; corrections: number; audits: number };
  /** Every problem found, all codes together (more than `problems` holds when some were left out). */
  problemCount: number;
  problems: VerifyProblem[];
  /** Per code, how many problems were counted but not kept. */
  omitted: Record<string, number>;
  /** What could not be checked, and why. */
  notes: string[];
}

const PAGE = 2_000;
const KEEP_PER_CODE = 100;

/** Verifies one database's log with the keys of one key directory. */
export class LogVerifier {
  constructor(
    private readonly database: Database,
    /** Undefined when the key directory holds no log keys: checkpoints cannot be checked then. */
    private readonly keys: LogSigningKeys | undefined,
    private readonly origin: string,
    private readonly keyDirectory: string,
  ) {}

  async verify(actor: Principal, options: VerifyOptions = {}): Promise<VerifyReport> {
    // The log names every eventID and the audit trail every actor: for principals that may read all of it.
    ensure(readScope(actor).kind === 'all', 'verify-not-permitted', 'verifying the log reads every event and audit entry: it needs a platform admin or auditor');
    const repo = new LogRepository(this.database.db);
    let size: number;
    try {
      size = await repo.size();
    } catch (error) {
      throw new DomainError('unavailable', 'log-unreadable', `the transparency log cannot be read from ${this.database.description} (is the database migrated? run \`zhuisu migrate\`): ${(error as Error).message}`);
    }
    const run = new Verification(repo, this.keys?.verifiers(), this.origin, this.keyDirectory, size, options);
    await run.all();
    return run.report(this.database.description);
  }
}

/**
 * Opens what a verification reads without changing anything: the database as it is (no migration) and the log keys
 * only if both exist (`LogSigningKeys.open` would create missing ones, and a verifier must not mint keys).
 */
export async function openLogVerifier(config: Config): Promise<{ verifier: LogVerifier; close(): Promise<void> }> {
  const store = new KeyStore(config.keyDir);
  let keys: LogSigningKeys | undefined;
  if (store.has(LOG_ED25519_KEY_FILE) && store.has(LOG_SM2_KEY_FILE)) {
    try {
      keys = LogSigningKeys.open(store, config.logOrigin);
    } catch (error) {
      throw invalid('signing-keys-unreadable', `the log signing keys in ${config.keyDir} cannot be read: ${(error as Error).message}`);
    }
  }
  const database = await openDatabase(config.databaseUrl, config.databaseSchema ? { schema: config.databaseSchema } : {});
  return { verifier: new LogVerifier(database, keys, config.logOrigin, config.keyDir), close: () => database.close() };
}

// ---------------------------------------------------------------------------------------------------------------------

interface LeafRef {
  idx: number;
  ref: string;
  digest: string;
  /** The event seq the leaf row says it records (its record_seq column), by which proofs find it. */
  recordSeq: number | null;
}

/** Rows of one table read a page at a time, in order, one at a time. */
class Cursor<T> {
  private rows: T[] = [];
  private at = 0;
  private last: T | undefined;
  private done = false;

  constructor(private readonly fetch: (last: T | undefined) => Promise<T[]>) {}

  async peek(): Promise<T | undefined> {
    if (this.at < this.rows.length) return this.rows[this.at];
    if (this.done) return undefined;
    this.rows = await this.fetch(this.last);
    this.at = 0;
    if (this.rows.length === 0) this.done = true;
    return this.rows[0];
  }

  async next(): Promise<T | undefined> {
    const row = await this.peek();
    if (row !== undefined) {
      this.at += 1;
      this.last = row;
    }
    return row;
  }
}

/**
 * The right edge of a Merkle tree being built leaf by leaf: the roots of its complete subtrees, largest first (a
 * binary counter). Adding a leaf merges equal subtrees; the root of the tree so far folds them from the right, as
 * RFC 6962 splits a tree at its largest power of two.
 */
class TreeEdge {
  private readonly peaks: { level: number; hash: Buffer }[] = [];
  size = 0;

  /** Adds a leaf hash; returns the subtrees at stored levels (8, 16 …) it completed. */
  push(leaf: Buffer): { level: number; index: number; hash: Buffer }[] {
    this.size += 1;
    let node = { level: 0, hash: leaf };
    const completed: { level: number; index: number; hash: Buffer }[] = [];
    while (this.peaks.length > 0 && this.peaks[this.peaks.length - 1]!.level === node.level) {
      const left = this.peaks.pop()!;
      node = { level: node.level + 1, hash: nodeHash(left.hash, node.hash) };
      if (node.level % TILE_HEIGHT === 0) completed.push({ level: node.level, index: this.size / 2 ** node.level - 1, hash: node.hash });
    }
    this.peaks.push(node);
    return completed;
  }

  root(): Buffer {
    if (this.peaks.length === 0) return emptyRootHash();
    let acc = this.peaks[this.peaks.length - 1]!.hash;
    for (let i = this.peaks.length - 2; i >= 0; i -= 1) acc = nodeHash(this.peaks[i]!.hash, acc);
    return acc;
  }
}

class Verification {
  private readonly problems: VerifyProblem[] = [];
  private readonly kept = new Map<string, number>();
  private readonly omitted: Record<string, number> = {};
  private problemCount = 0;
  private readonly notes: string[] = [];
  private readonly checked = { leaves: 0, nodes: 0, roots: 0, checkpoints: 0, events: 0, corrections: 0, audits: 0 };
  private done = 0;
  private total = 0;
  /** log_head.size at the end; equal to the start when nothing was appended meanwhile. */
  private finalSize = 0;

  constructor(
    private readonly repo: LogRepository,
    private readonly verifiers: NoteVerifier[] | undefined,
    private readonly origin: string,
    private readonly keyDirectory: string,
    private readonly size: number,
    private readonly options: VerifyOptions,
  ) {}

  async all(): Promise<void> {
    const counts = await this.repo.recordCounts();
    this.total = Math.min(counts.leaves, this.size) + counts.events + counts.corrections;
    await this.tree();
    await this.events();
    await this.corrections();
    await this.audits();
    this.finalSize = await this.repo.size();
    await this.beyondHead();
  }

  report(database: string): VerifyReport {
    return {
      ok: this.problemCount === 0,
      origin: this.origin,
      database,
      treeSize: this.size,
      checked: this.checked,
      problemCount: this.problemCount,
      problems: this.problems,
      omitted: this.omitted,
      notes: this.notes,
    };
  }

  private problem(code: string, table: string, row: Record<string, string | number>, message: string): void {
    this.problemCount += 1;
    const kept = this.kept.get(code) ?? 0;
    if (kept >= (this.options.keepPerCode ?? KEEP_PER_CODE)) {
      this.omitted[code] = (this.omitted[code] ?? 0) + 1;
      return;
    }
    this.kept.set(code, kept + 1);
    this.problems.push({ code, table, row, message });
  }

  private progress(phase: VerifyPhase, rows: number): void {
    this.done += rows;
    this.options.onProgress?.({ phase, done: Math.min(this.done, this.total), total: this.total });
  }

  // ---- the tree -----------------------------------------------------------------------------------------------------

  /** The size up to which the tree could be rebuilt: the log's size unless a leaf is missing. */
  private intactUpTo = 0;
  private readonly edge = new TreeEdge();
  private nodeCursors = new Map<number, Cursor<{ idx: number; hash: string }>>();
  private roots = new Cursor<{ size: number; root_hash: string }>((last) => this.repo.rootPage(last?.size, PAGE));
  private checkpoints = new Cursor<{ size: number; note: string }>((last) => this.repo.checkpointPage(last?.size, PAGE));
  private lastRootSize = -1;

  private async tree(): Promise<void> {
    for (const level of await this.repo.nodeLevels()) {
      const cursor = new Cursor<{ idx: number; hash: string }>((last) => this.repo.nodePage(level, last?.idx, PAGE));
      // Appends store nodes at levels 8, 16 … only; rows anywhere else have no place in the tree.
      if (level > 0 && level % TILE_HEIGHT === 0) this.nodeCursors.set(level, cursor);
      else for (let row = await cursor.next(); row; row = await cursor.next()) this.problem('node-unexpected', 'log_nodes', { level, idx: row.idx }, `stored node (level ${level}, index ${row.idx}) is at a level the log never stores (8, 16, 24 …)`);
    }

    let expected = 0;
    let broken = false;
    await this.settle(0, true);
    for (let after: number | undefined; ; ) {
      const page = await this.repo.leafPage(after, this.size, PAGE);
      if (page.length === 0) break;
      after = page[page.length - 1]!.idx;
      const named: Record<LogEntryKind, LeafRef[]> = { event: [], correction: [], audit: [] };
      for (const leaf of page) {
        if (leaf.idx < expected) {
          this.problem('leaf-unexpected', 'log_leaves', { idx: leaf.idx }, `leaf ${leaf.idx} has an index no leaf can have`);
          continue;
        }
        if (leaf.idx > expected) {
          this.missingLeaves(expected, leaf.idx - 1);
          broken = true;
        }
        expected = leaf.idx + 1;
        this.checked.leaves += 1;
        const computed = leafHash(Buffer.from(leaf.entry, 'utf8'));
        if (computed.toString('hex') !== leaf.leaf_hash) {
          this.problem('leaf-hash-mismatch', 'log_leaves', { idx: leaf.idx }, `leaf ${leaf.idx}: its entry does not hash to its stored leaf_hash (entry or hash altered): entry ${JSON.stringify(leaf.entry)}`);
        }
        const entry = parseEntry(leaf.entry);
        if (!entry) this.problem('leaf-entry-malformed', 'log_leaves', { idx: leaf.idx }, `leaf ${leaf.idx}: ${JSON.stringify(leaf.entry)} is not an entry of the log (event, correction or audit)`);
        else {
          if (entry.kind !== leaf.kind || entry.ref !== leaf.ref) {
            this.problem('leaf-columns-mismatch', 'log_leaves', { idx: leaf.idx }, `leaf ${leaf.idx}: its kind and ref columns (${leaf.kind} ${leaf.ref}) differ from its entry (${entry.kind} ${entry.ref})`);
          }
          named[entry.kind].push({ idx: leaf.idx, ref: entry.ref, digest: entry.digest, recordSeq: leaf.record_seq === null ? null : Number(leaf.record_seq) });
        }
        if (broken) continue;
        for (const node of this.edge.push(computed)) await this.checkNode(node.level, node.index, node.hash);
        this.intactUpTo = this.edge.size;
        await this.settle(this.edge.size, true);
        // Every append is made by recordAudit and ends with its audit leaf, and every append records its root: so an
        // audit leaf is always the last of a size that log_roots holds.
        if (entry?.kind === 'audit' && this.lastRootSize !== leaf.idx + 1) {
          this.problem('root-missing', 'log_roots', { size: leaf.idx + 1 }, `no root is recorded for size ${leaf.idx + 1}, where the append ending with audit leaf ${leaf.idx} left the log`);
        }
      }
      await this.leavesNameRecords(named);
      this.progress('log', page.length);
    }
    if (expected < this.size) {
      this.missingLeaves(expected, this.size - 1);
      broken = true;
    }
    if (broken) this.notes.push(`stored nodes, roots and checkpoints of sizes above ${this.intactUpTo} were not compared: the tree cannot be rebuilt past a missing leaf`);
    // Drain what lies within the log's size; rows past it wait for beyondHead, which knows whether the log grew.
    await this.settle(this.size, false);
  }

  private missingLeaves(from: number, to: number): void {
    this.problem('leaf-missing', 'log_leaves', from === to ? { idx: from } : { idx: from, to }, from === to ? `leaf ${from} is missing` : `leaves ${from} to ${to} are missing`);
  }

  private async checkNode(level: number, index: number, hash: Buffer): Promise<void> {
    const cursor = this.nodeCursors.get(level);
    for (let row = await cursor?.peek(); row && row.idx < index; row = await cursor!.peek()) {
      await cursor!.next();
      this.problem('node-unexpected', 'log_nodes', { level, idx: row.idx }, `stored node (level ${level}, index ${row.idx}) has no place in the tree`);
    }
    const row = await cursor?.peek();
    if (!row || row.idx !== index) {
      this.problem('node-missing', 'log_nodes', { level, idx: index }, `stored node (level ${level}, index ${index}) is missing`);
      return;
    }
    await cursor!.next();
    this.checked.nodes += 1;
    if (row.hash !== hash.toString('hex')) {
      this.problem('node-mismatch', 'log_nodes', { level, idx: index }, `stored node (level ${level}, index ${index}) differs from the hash of leaves ${index * 2 ** level} to ${(index + 1) * 2 ** level - 1}`);
    }
  }

  /** Takes the roots and checkpoints of sizes up to `size`, comparing those of exactly `size` when `compare`. */
  private async settle(size: number, compare: boolean): Promise<void> {
    for (let row = await this.roots.peek(); row && row.size <= size; row = await this.roots.peek()) {
      await this.roots.next();
      this.checked.roots += 1;
      if (row.size < 0) this.problem('root-unexpected', 'log_roots', { size: row.size }, `a root is recorded for size ${row.size}, which no tree has`);
      else if (compare && row.size === size) {
        this.lastRootSize = size;
        if (row.root_hash !== this.edge.root().toString('hex')) this.problem('root-mismatch', 'log_roots', { size }, `the root recorded for size ${size} differs from the root of the first ${size} leaves`);
      }
    }
    for (let row = await this.checkpoints.peek(); row && row.size <= size; row = await this.checkpoints.peek()) {
      await this.checkpoints.next();
      this.checkpoint(row, compare && row.size === size ? this.edge.root() : undefined);
    }
  }

  private checkpoint(row: { size: number; note: string }, root: Buffer | undefined): void {
    this.checked.checkpoints += 1;
    const where = { size: row.size };
    let checkpoint;
    try {
      checkpoint = parseCheckpoint(parseNote(row.note).body);
    } catch (error) {
      this.problem('checkpoint-malformed', 'log_checkpoints', where, `checkpoint ${row.size} is not a signed checkpoint: ${(error as Error).message}`);
      return;
    }
    // The origin first: under another origin the keys have other names, and every signature would look unknown.
    const sameOrigin = checkpoint.origin === this.origin;
    if (!sameOrigin) this.problem('checkpoint-origin-wrong', 'log_checkpoints', where, `checkpoint ${row.size} names origin ${checkpoint.origin}, not the log's ${this.origin} (ZHUISU_LOG_ORIGIN)`);
    if (!this.verifiers) this.problem('signing-keys-missing', 'log_checkpoints', where, `checkpoint ${row.size} cannot be checked: the log signing keys are not in ${this.keyDirectory}`);
    else if (sameOrigin) {
      try {
        const opened = openNote(row.note, this.verifiers);
        // The platform signs with both keys; a note lacking either signature is not one it wrote.
        const signedBy = new Set(opened.verified.map((s) => `${s.name}+${s.keyId}`));
        for (const verifier of this.verifiers) {
          if (!signedBy.has(`${verifier.name}+${verifier.keyId}`)) this.problem('checkpoint-signature-missing', 'log_checkpoints', where, `checkpoint ${row.size} has no ${verifier.algorithm} signature by the log's key`);
        }
      } catch (error) {
        const reason = error instanceof DomainError ? error.message : String(error);
        this.problem('checkpoint-signature-invalid', 'log_checkpoints', where, `checkpoint ${row.size} does not verify with the log's keys in ${this.keyDirectory}: ${reason}`);
      }
    }
    if (checkpoint.size !== row.size) this.problem('checkpoint-size-mismatch', 'log_checkpoints', where, `the checkpoint stored for size ${row.size} says size ${checkpoint.size}`);
    else if (root && !checkpoint.rootHash.equals(root)) this.problem('checkpoint-root-mismatch', 'log_checkpoints', where, `checkpoint ${row.size} signs a root that differs from the root of the first ${row.size} leaves`);
  }

  /**
   * Each leaf names a record that exists, and its record_seq column (which proofs find event leaves by) is that
   * event's seq. An audit row is checked here against its leaf, since audit leaves are found by nothing but their index;
   * events and corrections are checked against their leaves from the records' side.
   */
  private async leavesNameRecords(named: Record<LogEntryKind, LeafRef[]>): Promise<void> {
    const unique = (leaves: LeafRef[]) => [...new Set(leaves.map((l) => l.ref))];
    const seqMismatch = (leaf: LeafRef, seq: number) =>
      this.problem('leaf-columns-mismatch', 'log_leaves', { idx: leaf.idx }, `leaf ${leaf.idx}: its record_seq column (${leaf.recordSeq}) is not the seq (${seq}) of event ${leaf.ref}, so proofs would not find it`);
    if (named.event.length) {
      const seqs = await this.repo.eventSeqsByIds(unique(named.event));
      for (const leaf of named.event) {
        const seq = seqs.get(leaf.ref);
        if (seq === undefined) this.problem('event-leaf-without-event', 'log_leaves', { idx: leaf.idx, eventID: leaf.ref }, `leaf ${leaf.idx} records event ${leaf.ref}, which is not in the event store (deleted, or its eventID altered)`);
        else if (leaf.recordSeq !== seq) seqMismatch(leaf, seq);
      }
    }
    if (named.correction.length) {
      const seqs = await this.repo.eventSeqsByIds(unique(named.correction));
      const corrected = await this.repo.correctedSeqs([...new Set(seqs.values())]);
      for (const leaf of named.correction) {
        const seq = seqs.get(leaf.ref);
        if (seq === undefined || !corrected.has(seq)) this.problem('correction-leaf-without-correction', 'log_leaves', { idx: leaf.idx, eventID: leaf.ref }, `leaf ${leaf.idx} records a correction of event ${leaf.ref}, which ${seq === undefined ? 'is not in the event store' : 'has no stored correction'}`);
        else if (leaf.recordSeq !== seq) seqMismatch(leaf, seq);
      }
    }
    if (named.audit.length) {
      const rows = new Map((await this.repo.auditRowsByIds(unique(named.audit))).map((row) => [row.id, row]));
      for (const leaf of named.audit) {
        const row = rows.get(leaf.ref);
        if (!row) {
          this.problem('audit-leaf-without-row', 'log_leaves', { idx: leaf.idx, id: leaf.ref }, `leaf ${leaf.idx} records audit entry ${leaf.ref}, which is not in audit_log`);
          continue;
        }
        this.checked.audits += 1;
        if (recordDigest(row) !== leaf.digest) {
          this.problem('audit-row-altered', 'audit_log', { id: row.id, idx: leaf.idx }, `audit entry ${row.id} (${row.action} ${row.target_type} ${row.target_id ?? ''}) differs from what leaf ${leaf.idx} recorded: the row was altered after it was written`);
        }
      }
    }
  }

  /** Rows past the log's size: appends made meanwhile if the head moved, else rows nothing accounts for. */
  private async beyondHead(): Promise<void> {
    if (this.finalSize !== this.size) {
      this.notes.push(`the log grew from ${this.size} to ${this.finalSize} leaves while it was verified; the leaves appended meanwhile were not put through the tree`);
      return;
    }
    let past = 0;
    for (let after = this.size - 1; ; ) {
      const page = await this.repo.leafPage(after, undefined, PAGE);
      if (page.length === 0) break;
      after = page[page.length - 1]!.idx;
      past += page.length;
      for (const leaf of page) this.problem('leaf-unexpected', 'log_leaves', { idx: leaf.idx }, `leaf ${leaf.idx} lies past the log's size (log_head.size ${this.size}): inserted, or the head set back`);
    }
    if (past > 0) this.problem('head-size-mismatch', 'log_head', { id: 1 }, `log_head.size says ${this.size} leaves, but ${past} more lie past it`);
    for (let row = await this.roots.next(); row; row = await this.roots.next()) {
      this.checked.roots += 1;
      this.problem('root-unexpected', 'log_roots', { size: row.size }, `a root is recorded for size ${row.size}, larger than the log's ${this.size} leaves`);
    }
    for (let row = await this.checkpoints.next(); row; row = await this.checkpoints.next()) {
      this.checkpoint(row, undefined);
      this.problem('checkpoint-unexpected', 'log_checkpoints', { size: row.size }, `checkpoint ${row.size} is of a size larger than the log's ${this.size} leaves`);
    }
    if (this.intactUpTo === this.size) {
      for (const [level, cursor] of this.nodeCursors) {
        for (let row = await cursor.next(); row; row = await cursor.next()) this.problem('node-unexpected', 'log_nodes', { level, idx: row.idx }, `stored node (level ${level}, index ${row.idx}) lies past the log's ${this.size} leaves`);
      }
    }
  }

  // ---- the records ----------------------------------------------------------------------------------------------

  private async events(): Promise<void> {
    const contexts = new Map<string, { context: JsonLdContext | undefined; found: boolean }>();
    for (let after: number | undefined; ; ) {
      const page = await this.repo.eventPage(after, PAGE);
      if (page.length === 0) break;
      after = page[page.length - 1]!.seq;
      // Events of a document are stored together, so a page's events come from few capture jobs.
      if (contexts.size > 10_000) contexts.clear();
      const unknownJobs = [...new Set(page.map((e) => e.capture_id).filter((id) => !contexts.has(id)))];
      const found = await this.repo.captureContexts(unknownJobs);
      for (const id of unknownJobs) {
        const text = found.get(id);
        let context: JsonLdContext | undefined;
        try {
          context = text ? (JSON.parse(text) as JsonLdContext) : undefined;
        } catch {
          context = undefined;
        }
        contexts.set(id, { context, found: found.has(id) });
      }
      const refOf = (e: (typeof page)[number]) => e.event_id ?? e.event_hash;
      const [from, to] = [page[0]!.seq, page[page.length - 1]!.seq];
      const [leaves, facts, fields] = await Promise.all([
        this.repo.leavesOfSeqRange('event', from, to).then(groupBySeq),
        this.repo.traceFactsOfSeqRange(from, to),
        this.repo.fieldsOfSeqRange(from, to),
      ]);
      // A page's events share most identifiers; a memo per page keeps memory flat.
      const canonical = memoisedCanonical();
      for (const event of page) {
        this.checked.events += 1;
        const eventID = refOf(event);
        const where = { eventID, seq: event.seq };
        const job = contexts.get(event.capture_id)!;
        let recomputed: string | undefined;
        try {
          const body = JSON.parse(event.body) as Record<string, unknown>;
          // A summary (docs/FEDERATION.md) cannot be re-hashed: its marker names the full event's hash, which the leaf pins.
          const summary = summaryMarker(body);
          recomputed = summary ? summary.hash : eventHash(body, job.context);
          this.derivedRows(event, eventID, body, job.context, canonical, facts.get(event.seq), fields.get(event.seq) ?? []);
        } catch (error) {
          const step = recomputed === undefined ? 'hashed' : 'indexed';
          this.problem('event-body-unreadable', 'events', where, `event ${eventID}: its stored body cannot be ${step}: ${(error as Error).message}`);
        }
        if (recomputed !== undefined && recomputed !== event.event_hash) {
          const jobNote = job.found ? '' : ` (its capture job ${event.capture_id}, which holds the document's @context, is missing)`;
          this.problem('event-hash-mismatch', 'events', where, `event ${eventID}: its stored body hashes to ${recomputed}, not to its stored hash ${event.event_hash}: the body or the hash was altered${jobNote}`);
        }
        const logged = leaves.get(event.seq) ?? [];
        if (logged.length === 0) {
          this.problem('event-not-in-log', 'events', where, `event ${eventID} has no leaf in the log (inserted outside the platform, or its leaf removed)`);
          continue;
        }
        if (logged.length > 1) this.problem('event-logged-twice', 'events', where, `event ${eventID} is recorded by ${logged.length} leaves (${logged.map((l) => l.idx).join(', ')}), not one`);
        for (const leaf of logged) {
          const entry = parseEntry(leaf.entry);
          if (entry?.ref !== eventID) this.problem('event-leaf-mismatch', 'events', { ...where, idx: leaf.idx }, `event ${eventID}: leaf ${leaf.idx}, recorded for its seq, names event ${entry?.ref}`);
          else if (entry.digest !== event.event_hash) this.problem('event-leaf-mismatch', 'events', { ...where, idx: leaf.idx }, `event ${eventID}: leaf ${leaf.idx} records hash ${entry.digest}, the stored event has ${event.event_hash}`);
        }
      }
      this.progress('events', page.length);
    }
  }

  /**
   * The rows derived from an event's body at capture (its columns in `events`, its trace facts, its indexed fields)
   * against what the body gives now: queries and traces read those rows, never the body, so a change to one of them
   * would change their answers unseen by the hash.
   */
  private derivedRows(
    event: StoredEventRow,
    eventID: string,
    body: Record<string, unknown>,
    context: JsonLdContext | undefined,
    canonical: (identifier: string) => string,
    factsRow: EventTraceFactsTable | undefined,
    fieldRowsStored: EventFieldTable[],
  ): void {
    const where = { eventID, seq: event.seq };
    const { row } = indexedEvent(body, context, canonical);
    const columns = { event_type: row.eventType, action: row.action, biz_step: row.bizStep, disposition: row.disposition, event_time_ms: row.eventTimeMs };
    const changed: string[] = (Object.keys(columns) as (keyof typeof columns)[]).filter((c) => event[c] !== columns[c]);
    // As a set: stores migrated from the first layout wrote the list in another order and spacing.
    if (!sameSet(parsedList(event.object_ids), parsedList(row.objectIds)!)) changed.push('object_ids');
    if (changed.length) this.problem('event-columns-mismatch', 'events', where, `event ${eventID}: its ${changed.join(', ')} in \`events\` differ from what its body gives`);
    // Events stored before trace facts existed have no row: the trace reads their bodies.
    if (factsRow) {
      const expected = { event_id: eventID, ...columns, facts: row.traceFacts };
      const differing = (Object.keys(expected) as (keyof typeof expected)[]).filter((c) => factsRow[c] !== expected[c]);
      if (differing.length) this.problem('trace-facts-mismatch', 'event_trace_facts', where, `event ${eventID}: its trace facts row's ${differing.join(', ')} differ from what its body gives`);
    }
    const fieldKey = (f: Pick<EventFieldTable, 'scope' | 'name' | 'text_value' | 'num_value'>) => JSON.stringify([f.scope, f.name, f.text_value, f.num_value]);
    const derivedFields = fieldRows(event.seq, row.fields).map(fieldKey).sort();
    const storedFields = fieldRowsStored.map(fieldKey).sort();
    if (derivedFields.length !== storedFields.length || derivedFields.some((f, i) => f !== storedFields[i])) {
      this.problem('event-fields-mismatch', 'event_fields', where, `event ${eventID}: its indexed fields (${storedFields.length} rows) differ from what its body gives (${derivedFields.length})`);
    }
  }

  private async corrections(): Promise<void> {
    for (let after: number | undefined; ; ) {
      const seqs = await this.repo.correctedSeqPage(after, PAGE);
      if (seqs.length === 0) break;
      after = seqs[seqs.length - 1]!;
      const rows = await this.repo.correctionsOf(seqs);
      const bySeq = new Map<number, typeof rows>();
      for (const row of rows) bySeq.set(row.declared_seq, [...(bySeq.get(row.declared_seq) ?? []), row]);
      const eventIdOf = (row: (typeof rows)[number]) => row.event_id ?? row.event_hash;
      const leaves = groupBySeq(await this.repo.leavesOfSeqs('correction', seqs));
      for (const [seq, corrections] of bySeq) {
        this.checked.corrections += corrections.length;
        const eventID = eventIdOf(corrections[0]!);
        if (eventID === null) {
          for (const c of corrections) this.problem('correction-without-event', 'event_corrections', { declared_seq: seq, declaration_time: c.declaration_time }, `the correction declared at ${c.declaration_time} names event seq ${seq}, which is not in the event store`);
          continue;
        }
        // A correction leaf says only which event and what digest: match rows and leaves as multisets of digests.
        const unmatched = (leaves.get(seq) ?? []).map((l) => ({ idx: l.idx, digest: parseEntry(l.entry)?.digest }));
        const unlogged: { declaration_time: string; digest: string | undefined }[] = [];
        for (const c of corrections) {
          let digest: string | undefined;
          try {
            digest = recordDigest(JSON.parse(c.error_declaration));
          } catch {
            this.problem('correction-unreadable', 'event_corrections', { eventID, declaration_time: c.declaration_time }, `the correction of event ${eventID} declared at ${c.declaration_time} holds no readable errorDeclaration`);
          }
          const at = unmatched.findIndex((l) => l.digest === digest);
          if (digest !== undefined && at >= 0) unmatched.splice(at, 1);
          else unlogged.push({ declaration_time: c.declaration_time, digest });
        }
        for (const c of unlogged) {
          const leaf = unmatched.shift();
          if (leaf) this.problem('correction-leaf-mismatch', 'event_corrections', { eventID, declaration_time: c.declaration_time, idx: leaf.idx }, `the correction of event ${eventID} declared at ${c.declaration_time} differs from what leaf ${leaf.idx} recorded (${leaf.digest}, the row has ${c.digest})`);
          else this.problem('correction-not-in-log', 'event_corrections', { eventID, declaration_time: c.declaration_time }, `the correction of event ${eventID} declared at ${c.declaration_time} has no leaf in the log`);
        }
        for (const leaf of unmatched) this.problem('correction-leaf-without-correction', 'log_leaves', { idx: leaf.idx, eventID }, `leaf ${leaf.idx} records a correction of event ${eventID} (${leaf.digest}) that no stored correction matches`);
      }
      this.progress('corrections', rows.length);
    }
  }

  /**
   * Each audit row's leaf was checked from the leaf's side in the tree pass; what is left is whether some row has no
   * leaf, or more than one.
   */
  private async audits(): Promise<void> {
    const keep = this.options.keepPerCode ?? KEEP_PER_CODE;
    const unlogged = await this.repo.auditRowsWithoutLeaf(keep + 1);
    for (const row of unlogged) {
      this.problem('audit-not-in-log', 'audit_log', { id: row.id }, `audit entry ${row.id} (${row.action}) has no leaf in the log (inserted outside the platform, or its leaf removed)`);
    }
    const twice = await this.repo.auditIdsLoggedTwice(keep + 1);
    for (const { ref, leaves } of twice) this.problem('audit-logged-twice', 'audit_log', { id: ref }, `audit entry ${ref} is recorded by ${leaves} leaves, not one`);
    if (unlogged.length > keep || twice.length > keep) this.notes.push(`audit rows without a leaf, or with several, were counted only up to ${keep + 1}`);
  }
}

function groupBySeq<T extends { record_seq: number }>(rows: T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const row of rows) {
    const list = out.get(row.record_seq);
    if (list) list.push(row);
    else out.set(row.record_seq, [row]);
  }
  return out;
}

/** A stored JSON list of strings; null (none) is empty, and text that is no such list is `undefined`. */
function parsedList(text: string | null): string[] | undefined {
  if (text === null) return [];
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) && list.every((x) => typeof x === 'string') ? list : undefined;
  } catch {
    return undefined;
  }
}

function sameSet(stored: string[] | undefined, derived: string[]): boolean {
  if (stored === undefined || stored.length !== derived.length) return false;
  const want = new Set(derived);
  return stored.every((x) => want.has(x)) && new Set(stored).size === want.size;
}
