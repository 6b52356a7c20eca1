import type { AuditTable, Database, EventFieldTable, EventTable, EventTraceFactsTable, Executor, LogLeafTable } from '../db/index.js';
import type { NodeReader, StoredNode } from './merkle.js';

/** An event row as verification reads it: its identity, body and the columns derived from the body. */
export type StoredEventRow = Pick<EventTable, 'seq' | 'event_id' | 'event_hash' | 'capture_id' | 'body' | 'event_type' | 'action' | 'biz_step' | 'disposition' | 'event_time_ms' | 'object_ids'>;

/** The log's tables: its size, leaves, stored nodes, the roots appends made, and signed checkpoints. */
export class LogRepository {
  constructor(
    private readonly db: Executor,
    private readonly insertMany?: Database['insertMany'],
  ) {}

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
    if (this.insertMany) return this.insertMany(this.db, 'log_leaves', leaves);
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

  /** The leaf that recorded an event's capture, by the event's seq. */
  async leafOfEvent(seq: number): Promise<{ idx: number; leafHash: Buffer } | undefined> {
    const row = await this.db.selectFrom('log_leaves').select(['idx', 'leaf_hash']).where('record_seq', '=', seq).where('kind', '=', 'event').orderBy('idx').limit(1).executeTakeFirst();
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
  // -------------------------------------------------------------------------------------------------------------------
  // Reads for `zhuisu verify`. Every listing is a page keyed by the table's own order (index, size, seq, id), so a log
  // of millions of leaves is read a page at a time and never held whole; lookups by id take a page's ids at once.

  /** Leaves in index order: after `after` (exclusive, none for the first page) and below `below` when given. */
  async leafPage(after: number | undefined, below: number | undefined, limit: number): Promise<LogLeafTable[]> {
    let query = this.db.selectFrom('log_leaves').select(['idx', 'kind', 'ref', 'record_seq', 'entry', 'leaf_hash']);
    if (after !== undefined) query = query.where('idx', '>', after);
    if (below !== undefined) query = query.where('idx', '<', below);
    const rows = await query.orderBy('idx').limit(limit).execute();
    return rows.map((r) => ({ ...r, idx: Number(r.idx) }));
  }

  /** The levels log_nodes holds rows at, whatever they are. */
  async nodeLevels(): Promise<number[]> {
    const rows = await this.db.selectFrom('log_nodes').select('level').distinct().orderBy('level').execute();
    return rows.map((r) => Number(r.level));
  }

  /** Stored nodes of one level in index order, after `after` (exclusive, none for the first page). */
  async nodePage(level: number, after: number | undefined, limit: number): Promise<{ idx: number; hash: string }[]> {
    let query = this.db.selectFrom('log_nodes').select(['idx', 'hash']).where('level', '=', level);
    if (after !== undefined) query = query.where('idx', '>', after);
    const rows = await query.orderBy('idx').limit(limit).execute();
    return rows.map((r) => ({ idx: Number(r.idx), hash: r.hash }));
  }

  /** Recorded roots by size, after `after` (exclusive, none for the first page). */
  async rootPage(after: number | undefined, limit: number): Promise<{ size: number; root_hash: string }[]> {
    let query = this.db.selectFrom('log_roots').select(['size', 'root_hash']);
    if (after !== undefined) query = query.where('size', '>', after);
    const rows = await query.orderBy('size').limit(limit).execute();
    return rows.map((r) => ({ size: Number(r.size), root_hash: r.root_hash }));
  }

  /** Signed checkpoints by size, after `after` (exclusive, none for the first page). */
  async checkpointPage(after: number | undefined, limit: number): Promise<{ size: number; note: string }[]> {
    let query = this.db.selectFrom('log_checkpoints').select(['size', 'note']);
    if (after !== undefined) query = query.where('size', '>', after);
    const rows = await query.orderBy('size').limit(limit).execute();
    return rows.map((r) => ({ size: Number(r.size), note: r.note }));
  }

  /** How many rows the records the log covers have, and how many leaves there are: the work a verification does. */
  async recordCounts(): Promise<{ leaves: number; events: number; corrections: number; audits: number }> {
    const count = async (table: 'log_leaves' | 'events' | 'event_corrections' | 'audit_log') =>
      Number((await this.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return { leaves: await count('log_leaves'), events: await count('events'), corrections: await count('event_corrections'), audits: await count('audit_log') };
  }

  /**
   * The leaves of `kind` (event or correction) recorded for the events of seqs `from` to `to`, found through the
   * record_seq index: a range, since a page of events is a run of seqs.
   */
  async leavesOfSeqRange(kind: 'event' | 'correction', from: number, to: number): Promise<{ idx: number; ref: string; record_seq: number; entry: string }[]> {
    const rows = await this.db
      .selectFrom('log_leaves')
      .select(['idx', 'ref', 'record_seq', 'entry'])
      .where('record_seq', '>=', from)
      .where('record_seq', '<=', to)
      .where('kind', '=', kind)
      .orderBy('idx')
      .execute();
    return rows.map((r) => ({ idx: Number(r.idx), ref: r.ref, record_seq: Number(r.record_seq), entry: r.entry }));
  }

  /** The leaves of `kind` recorded for the events `seqs` (scattered seqs, looked up one by one in the index). */
  async leavesOfSeqs(kind: 'event' | 'correction', seqs: readonly number[]): Promise<{ idx: number; ref: string; record_seq: number; entry: string; leaf_hash: string }[]> {
    const rows = await inChunks(seqs, (chunk) => this.db.selectFrom('log_leaves').select(['idx', 'ref', 'record_seq', 'entry', 'leaf_hash']).where('record_seq', 'in', chunk).where('kind', '=', kind).execute());
    return rows.map((r) => ({ idx: Number(r.idx), ref: r.ref, record_seq: Number(r.record_seq), entry: r.entry, leaf_hash: r.leaf_hash })).sort((a, b) => a.idx - b.idx);
  }

  /** The leaves of `kind` (audit or correction) that name the records `refs`, in log order. */
  async leavesOfRefs(kind: 'audit' | 'correction', refs: readonly string[]): Promise<{ idx: number; ref: string; entry: string; leaf_hash: string }[]> {
    const rows = await inChunks(refs, (chunk) =>
      this.db
        .selectFrom('log_leaves')
        .select(['idx', 'ref', 'entry', 'leaf_hash'])
        // The partial index's own term (migration 10): without it the planners do not see that the index applies.
        .where('kind', '<>', 'event')
        .where('kind', '=', kind)
        .where('ref', 'in', chunk)
        .execute(),
    );
    return rows.map((r) => ({ idx: Number(r.idx), ref: r.ref, entry: r.entry, leaf_hash: r.leaf_hash })).sort((a, b) => a.idx - b.idx);
  }

  /** Stored events in capture order, after seq `after` (exclusive, none for the first page), with the columns derived from their bodies. */
  async eventPage(after: number | undefined, limit: number): Promise<StoredEventRow[]> {
    let query = this.db
      .selectFrom('events')
      .select(['seq', 'event_id', 'event_hash', 'capture_id', 'body', 'event_type', 'action', 'biz_step', 'disposition', 'event_time_ms', 'object_ids']);
    if (after !== undefined) query = query.where('seq', '>', after);
    const rows = await query.orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq), event_time_ms: Number(r.event_time_ms) }));
  }

  /** The trace facts rows of the events of seqs `from` to `to`, by seq. */
  async traceFactsOfSeqRange(from: number, to: number): Promise<Map<number, EventTraceFactsTable>> {
    const rows = await this.db.selectFrom('event_trace_facts').selectAll().where('seq', '>=', from).where('seq', '<=', to).execute();
    return new Map(rows.map((r) => [Number(r.seq), { ...r, seq: Number(r.seq), event_time_ms: Number(r.event_time_ms) }]));
  }

  /** The indexed fields (`event_fields`) of the events of seqs `from` to `to`, by seq. */
  async fieldsOfSeqRange(from: number, to: number): Promise<Map<number, EventFieldTable[]>> {
    const rows = await this.db.selectFrom('event_fields').selectAll().where('seq', '>=', from).where('seq', '<=', to).execute();
    const bySeq = new Map<number, EventFieldTable[]>();
    for (const r of rows) {
      const row = { ...r, seq: Number(r.seq), num_value: r.num_value === null ? null : Number(r.num_value) };
      const list = bySeq.get(row.seq);
      if (list) list.push(row);
      else bySeq.set(row.seq, [row]);
    }
    return bySeq;
  }

  /** The `@context` text of each capture job among `ids` that exists (null where the job kept none). */
  async captureContexts(ids: readonly string[]): Promise<Map<string, string | null>> {
    const rows = await inChunks(ids, (chunk) => this.db.selectFrom('capture_jobs').select(['id', 'context']).where('id', 'in', chunk).execute());
    return new Map(rows.map((r) => [r.id, r.context]));
  }

  /** The seq of each stored event named among `eventIDs`: by its client-given eventID, or by its hash when it has none. */
  async eventSeqsByIds(eventIDs: readonly string[]): Promise<Map<string, number>> {
    const byId = await inChunks(eventIDs, (chunk) => this.db.selectFrom('events').select(['event_id as ref', 'seq']).where('event_id', 'in', chunk).execute());
    const byHash = await inChunks(eventIDs, (chunk) => this.db.selectFrom('events').select(['event_hash as ref', 'seq']).where('event_id', 'is', null).where('event_hash', 'in', chunk).execute());
    return new Map([...byId, ...byHash].map((r) => [r.ref!, Number(r.seq)]));
  }

  /** Which of `seqs` have at least one correction stored. */
  async correctedSeqs(seqs: readonly number[]): Promise<Set<number>> {
    const rows = await inChunks(seqs, (chunk) => this.db.selectFrom('event_corrections').select('declared_seq').distinct().where('declared_seq', 'in', chunk).execute());
    return new Set(rows.map((r) => Number(r.declared_seq)));
  }

  /** The declared seqs that have corrections, in order, after `after` (exclusive, none for the first page). */
  async correctedSeqPage(after: number | undefined, limit: number): Promise<number[]> {
    let query = this.db.selectFrom('event_corrections').select('declared_seq').distinct();
    if (after !== undefined) query = query.where('declared_seq', '>', after);
    const rows = await query.orderBy('declared_seq').limit(limit).execute();
    return rows.map((r) => Number(r.declared_seq));
  }

  /** Every correction of the events `seqs`, with the eventID of the event it declares (null when that event is gone). */
  async correctionsOf(seqs: readonly number[]): Promise<{ declared_seq: number; declaration_time: string; error_declaration: string; event_id: string | null; event_hash: string | null }[]> {
    const rows = await inChunks(seqs, (chunk) =>
      this.db
        .selectFrom('event_corrections as c')
        .leftJoin('events as e', 'e.seq', 'c.declared_seq')
        .select(['c.declared_seq', 'c.declaration_time', 'c.error_declaration', 'e.event_id', 'e.event_hash'])
        .where('c.declared_seq', 'in', chunk)
        .orderBy('c.declared_seq')
        .orderBy('c.declaration_time')
        .execute(),
    );
    return rows.map((r) => ({ ...r, declared_seq: Number(r.declared_seq), event_hash: r.event_hash ?? null }));
  }

  /** The audit rows among `ids`, as stored: every column the log's digest of a row covers. */
  async auditRowsByIds(ids: readonly string[]): Promise<AuditTable[]> {
    return inChunks(ids, (chunk) =>
      this.db
        .selectFrom('audit_log')
        .select(['id', 'at', 'actor', 'actor_user_id', 'actor_key_id', 'on_behalf_of', 'subject_id', 'action', 'target_type', 'target_id', 'changes', 'address', 'request_id'])
        .where('id', 'in', chunk)
        .execute(),
    );
  }

  /**
   * Up to `limit` audit rows no audit leaf names: one anti-join the database plans as a whole, written as an outer
   * join, which PostgreSQL hashes and SQLite serves from the partial index on ref (migration 10; the join names the
   * index's term so SQLite sees it applies, else it builds an index over every leaf for the query). SQLite runs NOT
   * EXISTS as a scan of the leaves per audit row.
   */
  async auditRowsWithoutLeaf(limit: number): Promise<{ id: string; action: string }[]> {
    return this.db
      .selectFrom('audit_log as a')
      .leftJoin('log_leaves as l', (join) => join.onRef('l.ref', '=', 'a.id').on('l.kind', '<>', 'event').on('l.kind', '=', 'audit'))
      .select(['a.id', 'a.action'])
      .where('l.idx', 'is', null)
      .orderBy('a.id')
      .limit(limit)
      .execute();
  }

  /** Up to `limit` audit ids named by more than one audit leaf, with how many. */
  async auditIdsLoggedTwice(limit: number): Promise<{ ref: string; leaves: number }[]> {
    const rows = await this.db
      .selectFrom('log_leaves')
      .select((eb) => ['ref', eb.fn.countAll().as('leaves')])
      .where('kind', '=', 'audit')
      .groupBy('ref')
      .having((eb) => eb.fn.countAll(), '>', 1)
      .orderBy('ref')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ref: r.ref, leaves: Number(r.leaves) }));
  }

}

/** Rows per INSERT: well under the bound-parameter limits of both dialects. */
const ROWS_PER_INSERT = 1_000;

/** Values bound in one `in (…)` list: well under both dialects' parameter limits. */
const IN_LIST = 500;

async function inChunks<V, T>(values: readonly V[], lookup: (chunk: V[]) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for (let i = 0; i < values.length; i += IN_LIST) rows.push(...(await lookup(values.slice(i, i + IN_LIST))));
  return rows;
}
