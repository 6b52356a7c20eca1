import type { Principal } from '../access/principal.js';
import { formatCheckpoint } from '../crypto/signed-note.js';
import type { LogSigningKeys, PublishedKeys } from '../crypto/signing-keys.js';
import type { Database } from '../db/index.js';
import { invalid, notFound } from '../domain/errors.js';
import type { EventsService } from '../events/events.service.js';
import { LogRepository } from './log.repository.js';
import { consistencyProof, emptyRootHash, inclusionProof, rangeProof, rootHash, type NodeReader } from './merkle.js';
import { encodeEntryBundle, tileHashes, tileWidth, type TilePath } from './tiles.js';

export interface InclusionProof {
  eventID: string;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  inclusionProof: string[];
  checkpoint: string;
}

/** One leaf an export proves: where it is, what it says, and the path from it to the checkpoint's root. */
export interface ExportedLeaf {
  leafIndex: number;
  /** SHA-256(0x00 ‖ entry), hex. */
  leafHash: string;
  /** The leaf's entry as logged, with its final line feed: `event <eventID> <hash>\n`, `audit <id> sha-256:<hex>\n`. */
  entry: string;
  /** Hex hashes, RFC 9162 §2.1.3 order. */
  inclusionProof: string[];
}

/** Proofs an export carries: with the checkpoint and the published key, each event and record checks offline. */
export interface ExportedProofs {
  treeSize: number;
  checkpoint: string;
  /** The Ed25519 key the checkpoint is signed with, in signed-note form. */
  verifierKey: string;
  events: (ExportedLeaf & { eventID: string })[];
  /** Audit entries, each proved by its `audit` leaf, whose digest is over the canonical JSON of the row as stored. */
  records: (ExportedLeaf & { auditId: string })[];
}

export interface ConsistencyProof {
  from: number;
  to: number;
  proof: string[];
  checkpoint: string;
}

/**
 * The transparency log as others read it: signed checkpoints, tiles in the C2SP tlog-tiles layout, and proofs that an
 * event is in the log and that one tree extends another. Appending happens in the writers' transactions
 * (`appendToLog`); this signs what they made.
 */
export class TransparencyLog {
  constructor(
    private readonly database: Database,
    private readonly keys: LogSigningKeys,
    private readonly events: EventsService,
  ) {}

  get origin(): string {
    return this.keys.origin;
  }

  /** The latest checkpoint, signed now if the log has grown since the last one. */
  async checkpoint(): Promise<{ size: number; note: string }> {
    const repo = new LogRepository(this.database.db);
    const latest = await repo.latestRoot();
    const size = latest?.size ?? 0;
    const signed = await repo.checkpointAt(size);
    if (signed) return { size, note: signed };
    return { size, note: await this.sign(size, latest?.root ?? emptyRootHash()) };
  }

  /** The checkpoint of a size the log has had, signed now if it never was. */
  async checkpointOf(size: number): Promise<string> {
    const repo = new LogRepository(this.database.db);
    const signed = await repo.checkpointAt(size);
    if (signed) return signed;
    const root = size === 0 ? emptyRootHash() : ((await repo.rootAt(size)) ?? (await rootHash(size, repo.nodeReader())));
    return this.sign(size, root);
  }

  private async sign(size: number, root: Buffer): Promise<string> {
    const note = this.keys.sign(formatCheckpoint({ origin: this.keys.origin, size, rootHash: root }));
    const repo = new LogRepository(this.database.db);
    await repo.insertCheckpoint(size, note, new Date().toISOString());
    // Two requests may sign the same size at once; both answer with the one stored.
    return (await repo.checkpointAt(size)) ?? note;
  }

  /** That an event the actor may read is in the log: its leaf, and the path from it to the latest checkpoint's root. */
  async inclusion(actor: Principal, eventID: string): Promise<InclusionProof> {
    const { seq } = await this.events.stored(actor, eventID);
    const repo = new LogRepository(this.database.db);
    const leaf = await repo.leafOfEvent(seq);
    if (!leaf) throw notFound('not-in-log', `event ${eventID} has no entry in the transparency log`);
    const { size, note } = await this.checkpoint();
    const proof = await inclusionProof(leaf.idx, size, repo.nodeReader());
    return { eventID, leafIndex: leaf.idx, treeSize: size, leafHash: leaf.leafHash.toString('hex'), inclusionProof: proof.map(hex), checkpoint: note };
  }

  /**
   * Inclusion proofs of many events and audit entries against one checkpoint, for an export to carry its own
   * evidence. The caller has already limited them to what the reader may read. Leaves are looked up a chunk at a
   * time, and tiles near the root are shared by every proof, so they are read once. A record without a leaf in the
   * checkpoint's tree (committed after it was signed) has no proof.
   */
  async inclusions(of: { events?: readonly string[]; records?: readonly string[] }): Promise<ExportedProofs> {
    const { size, note } = await this.checkpoint();
    const repo = new LogRepository(this.database.db);
    const reader = cachedReader(repo.nodeReader());
    const prove = async (leaf: { idx: number; entry: string; leaf_hash: string }): Promise<ExportedLeaf> => ({
      leafIndex: leaf.idx,
      leafHash: leaf.leaf_hash,
      entry: leaf.entry,
      inclusionProof: (await inclusionProof(leaf.idx, size, reader)).map(hex),
    });

    const eventIDs = [...new Set(of.events ?? [])];
    const seqs = await repo.eventSeqsByIds(eventIDs);
    // In log order, so the first leaf of an event is the one its capture wrote, as in `inclusion`.
    const eventLeaves = firstOf(await repo.leavesOfSeqs('event', [...new Set(seqs.values())]), (l) => l.record_seq);
    const events: ExportedProofs['events'] = [];
    for (const eventID of eventIDs) {
      const seq = seqs.get(eventID);
      const leaf = seq === undefined ? undefined : eventLeaves.get(seq);
      if (leaf && leaf.idx < size) events.push({ eventID, ...(await prove(leaf)) });
    }

    const auditIds = [...new Set(of.records ?? [])];
    const auditLeaves = firstOf(await repo.leavesOfRefs('audit', auditIds), (l) => l.ref);
    const records: ExportedProofs['records'] = [];
    for (const auditId of auditIds) {
      const leaf = auditLeaves.get(auditId);
      if (leaf && leaf.idx < size) records.push({ auditId, ...(await prove(leaf)) });
    }
    return { treeSize: size, checkpoint: note, verifierKey: this.keys.ed25519VerifierKey, events, records };
  }

  /** That the tree of size `to` (by default the latest checkpoint) extends the tree of size `from`. */
  async consistency(from: number, to?: number): Promise<ConsistencyProof> {
    const latest = await this.checkpoint();
    const target = to ?? latest.size;
    if (!Number.isSafeInteger(from) || from < 0) throw invalid('invalid-tree-size', 'from must be a tree size, 0 or more', [{ pointer: '/from', message: 'not a tree size' }]);
    if (!Number.isSafeInteger(target) || target < from || target > latest.size) {
      throw invalid('invalid-tree-size', `to must be a tree size from ${from} to the log's ${latest.size}`, [{ pointer: '/to', message: 'out of range' }]);
    }
    const repo = new LogRepository(this.database.db);
    const proof = from === 0 || from === target ? [] : await consistencyProof(from, target, repo.nodeReader());
    return { from, to: target, proof: proof.map(hex), checkpoint: target === latest.size ? latest.note : await this.checkpointOf(target) };
  }

  /**
   * The entries of the leaves [from, to) and the proof that they are those leaves of the tree of `size` (a size the log
   * has had): what a federation batch carries so that the upstream can check each summary against its leaf.
   */
  async range(from: number, to: number, size: number): Promise<{ entries: string[]; proof: string[] }> {
    const repo = new LogRepository(this.database.db);
    const leaves = await repo.entries(from, to);
    return { entries: leaves.map((l) => l.entry), proof: (await rangeProof(from, to, size, repo.nodeReader())).map(hex) };
  }

  /** A tile's bytes, or undefined when the log does not have it (yet). Full tiles never change. */
  async tile(path: TilePath): Promise<Buffer | undefined> {
    const repo = new LogRepository(this.database.db);
    const size = (await repo.latestRoot())?.size ?? 0;
    if (path.kind === 'hash') {
      if (path.width > tileWidth(path.level, path.index, size)) return undefined;
      return tileHashes(path.level, path.index, path.width, repo.nodeReader());
    }
    if (path.width > tileWidth(0, path.index, size)) return undefined;
    const from = path.index * 256;
    const leaves = await repo.entries(from, from + path.width);
    return encodeEntryBundle(leaves.map((l) => Buffer.from(l.entry, 'utf8')));
  }

  /** The Ed25519 verifier key in signed-note form: what standard tools verify checkpoints with. */
  /** Leaves committed so far: it grows with every stored event and audited change, in commit order. */
  async size(): Promise<number> {
    return new LogRepository(this.database.db).size();
  }

  get verifierKey(): string {
    return this.keys.ed25519VerifierKey;
  }

  publishedKeys(): PublishedKeys {
    return this.keys.describe();
  }
}

const hex = (hash: Buffer) => hash.toString('hex');

/** The first of `rows` (in their order) for each key. */
function firstOf<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T> {
  const first = new Map<K, T>();
  for (const row of rows) if (!first.has(key(row))) first.set(key(row), row);
  return first;
}

/** A node reader that reads each range once: the proofs of one checkpoint share the tiles near its root. */
function cachedReader(reader: NodeReader): NodeReader {
  const read = new Map<string, Promise<Buffer[]>>();
  return {
    read: (level, from, to) => {
      const key = `${level}:${from}:${to}`;
      let hashes = read.get(key);
      if (!hashes) read.set(key, (hashes = reader.read(level, from, to)));
      return hashes;
    },
  };
}
