import type { Executor, LogLeafTable } from '../db/index.js';
import type { NodeReader, StoredNode } from './merkle.js';

/** The log's tables: its size, leaves, stored nodes, the roots appends made, and signed checkpoints. */
export class LogRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Reserves `count` leaf positions and returns the size before them. Inside a transaction this holds the log's head
   * until commit: concurrent appends take their turn, and positions are never skipped.
   */
  async reserve(count: number): Promise<number> {
    const row = await this.db
      .updateTable('log_head')
      .set((eb) => ({ size: eb('size', '+', count) }))
      .where('id', '=', 1)
      .returning('size')
      .executeTakeFirstOrThrow();
    return Number(row.size) - count;
  }

  async size(): Promise<number> {
    const row = await this.db.selectFrom('log_head').select('size').where('id', '=', 1).executeTakeFirstOrThrow();
    return Number(row.size);
  }

  async insertLeaves(leaves: LogLeafTable[]): Promise<void> {
    for (let i = 0; i < leaves.length; i += ROWS_PER_INSERT) await this.db.insertInto('log_leaves').values(leaves.slice(i, i + ROWS_PER_INSERT)).execute();
  }

  async insertNodes(nodes: StoredNode[]): Promise<void> {
    const rows = nodes.map((n) => ({ level: n.level, idx: n.index, hash: n.hash.toString('hex') }));
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await this.db.insertInto('log_nodes').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
  }

  async insertRoot(size: number, root: Buffer, at: string): Promise<void> {
    await this.db.insertInto('log_roots').values({ size, root_hash: root.toString('hex'), at }).execute();
  }

  /** The largest tree an append has recorded, or undefined while the log is empty. */
  async latestRoot(): Promise<{ size: number; root: Buffer } | undefined> {
    const row = await this.db.selectFrom('log_roots').select(['size', 'root_hash']).orderBy('size', 'desc').limit(1).executeTakeFirst();
    return row ? { size: Number(row.size), root: Buffer.from(row.root_hash, 'hex') } : undefined;
  }

  async rootAt(size: number): Promise<Buffer | undefined> {
    const row = await this.db.selectFrom('log_roots').select('root_hash').where('size', '=', size).executeTakeFirst();
    return row ? Buffer.from(row.root_hash, 'hex') : undefined;
  }

  async latestCheckpoint(): Promise<{ size: number; note: string } | undefined> {
    const row = await this.db.selectFrom('log_checkpoints').select(['size', 'note']).orderBy('size', 'desc').limit(1).executeTakeFirst();
    return row ? { size: Number(row.size), note: row.note } : undefined;
  }

  async checkpointAt(size: number): Promise<string | undefined> {
    return (await this.db.selectFrom('log_checkpoints').select('note').where('size', '=', size).executeTakeFirst())?.note;
  }

  async insertCheckpoint(size: number, note: string, at: string): Promise<void> {
    await this.db.insertInto('log_checkpoints').values({ size, note, signed_at: at }).onConflict((oc) => oc.column('size').doNothing()).execute();
  }

  /** The leaf recording a record (an event by its eventID, an audit entry by its id). */
  async leafOf(ref: string, kind: string): Promise<{ idx: number; leafHash: Buffer } | undefined> {
    const row = await this.db.selectFrom('log_leaves').select(['idx', 'leaf_hash']).where('ref', '=', ref).where('kind', '=', kind).orderBy('idx').limit(1).executeTakeFirst();
    return row ? { idx: Number(row.idx), leafHash: Buffer.from(row.leaf_hash, 'hex') } : undefined;
  }

  /** Entries from index `from` (inclusive) to `to` (exclusive), in order. */
  async entries(from: number, to: number): Promise<LogLeafTable[]> {
    const rows = await this.db.selectFrom('log_leaves').selectAll().where('idx', '>=', from).where('idx', '<', to).orderBy('idx').execute();
    return rows.map((r) => ({ ...r, idx: Number(r.idx) }));
  }

  /** The stored hashes, as the Merkle code reads them: leaf hashes at level 0, complete subtrees at levels 8, 16 … */
  nodeReader(): NodeReader {
    return {
      read: async (level, from, to) => {
        if (to <= from) return [];
        const rows =
          level === 0
            ? await this.db.selectFrom('log_leaves').select(['idx', 'leaf_hash as hash']).where('idx', '>=', from).where('idx', '<', to).orderBy('idx').execute()
            : await this.db.selectFrom('log_nodes').select(['idx', 'hash']).where('level', '=', level).where('idx', '>=', from).where('idx', '<', to).orderBy('idx').execute();
        if (rows.length !== to - from) throw new Error(`the log is missing stored hashes at level ${level}, ${from}–${to - 1}: found ${rows.length} of ${to - from}`);
        return rows.map((r) => Buffer.from(r.hash, 'hex'));
      },
    };
  }
}

/** Rows per INSERT: well under the bound-parameter limits of both dialects. */
const ROWS_PER_INSERT = 1_000;
