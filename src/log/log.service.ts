import type { Principal } from '../access/principal.js';
import { formatCheckpoint } from '../crypto/signed-note.js';
import type { LogSigningKeys, PublishedKeys } from '../crypto/signing-keys.js';
import type { Database } from '../db/index.js';
import { invalid, notFound } from '../domain/errors.js';
import { EventsRepository } from '../events/events.repository.js';
import type { EventsService } from '../events/events.service.js';
import { LogRepository } from './log.repository.js';
import { consistencyProof, emptyRootHash, inclusionProof, rootHash, type NodeReader } from './merkle.js';
import { encodeEntryBundle, tileHashes, tileWidth, type TilePath } from './tiles.js';

export interface InclusionProof {
  eventID: string;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  inclusionProof: string[];
  checkpoint: string;
}

/** Proofs an export carries: with the checkpoint and the published key, each event checks offline. */
export interface ExportedProofs {
  treeSize: number;
  checkpoint: string;
  /** The Ed25519 key the checkpoint is signed with, in signed-note form. */
  verifierKey: string;
  events: { eventID: string; leafIndex: number; leafHash: string; inclusionProof: string[] }[];
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
   * Inclusion proofs of many events against one checkpoint, for an export to carry its own evidence. The caller has
   * already limited `eventIDs` to events the reader may read. Tiles near the root are shared by every proof, so
   * they are read once.
   */
  async inclusions(eventIDs: string[]): Promise<ExportedProofs> {
    const { size, note } = await this.checkpoint();
    const repo = new LogRepository(this.database.db);
    const events = new EventsRepository(this.database.db);
    const reader = cachedReader(repo.nodeReader());
    const proofs: ExportedProofs['events'] = [];
    for (const eventID of [...new Set(eventIDs)]) {
      const stored = await events.findByEventId(eventID);
      const leaf = stored && (await repo.leafOfEvent(stored.seq));
      if (!leaf || leaf.idx >= size) continue;
      const path = await inclusionProof(leaf.idx, size, reader);
      proofs.push({ eventID, leafIndex: leaf.idx, leafHash: hex(leaf.leafHash), inclusionProof: path.map(hex) });
    }
    return { treeSize: size, checkpoint: note, verifierKey: this.keys.ed25519VerifierKey, events: proofs };
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
  get verifierKey(): string {
    return this.keys.ed25519VerifierKey;
  }

  publishedKeys(): PublishedKeys {
    return this.keys.describe();
  }
}

const hex = (hash: Buffer) => hash.toString('hex');

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
