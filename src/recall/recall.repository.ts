import { compiledOnce, LIST_PLACEHOLDER, rowsWithList, textAmong, type Database, type Executor, type RecallNoticeTable, type RecallTable } from '../db/index.js';

export interface RecallSummary {
  id: string;
  kind: 'recall' | 'stop_trade';
  level: number | null;
  reason: string;
  status: 'open' | 'closed';
  createdAt: string;
}

export class RecallRepository {
  constructor(
    private readonly db: Executor,
    private readonly database?: Database,
  ) {}

  async insert(recall: RecallTable, codes: string[], notices: RecallNoticeTable[]): Promise<void> {
    await this.db.insertInto('recalls').values(recall).execute();
    const rows = [...new Set(codes)].map((code) => ({ code, recall_id: recall.id }));
    if (this.database) await this.database.insertMany(this.db, 'recall_codes', rows);
    else for (let i = 0; i < rows.length; i += 500) await this.db.insertInto('recall_codes').values(rows.slice(i, i + 500)).execute();
    for (let i = 0; i < notices.length; i += 200) await this.db.insertInto('recall_notices').values(notices.slice(i, i + 200)).execute();
  }

  async find(id: string): Promise<RecallTable | undefined> {
    return this.db.selectFrom('recalls').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(filter: { initiatorSubjectId?: string; ids?: string[]; actor?: string; cursor?: string; limit: number }): Promise<RecallTable[]> {
    let query = this.db.selectFrom('recalls').selectAll();
    if (filter.initiatorSubjectId !== undefined || filter.ids !== undefined) {
      const { initiatorSubjectId, ids, actor } = filter;
      // Nothing to match (a regulator whose region no recall reached) must match nothing, not everything.
      query = query.where((eb) =>
        eb.or([
          eb('initiator_subject_id', '=', initiatorSubjectId ?? ''),
          ...(ids?.length ? [eb('id', 'in', ids)] : []),
          ...(actor ? [eb('actor', '=', actor)] : []),
        ]),
      );
    }
    if (filter.cursor) query = query.where('id', '<', filter.cursor);
    return query.orderBy('id', 'desc').limit(filter.limit).execute();
  }

  async close(id: string, at: string, note: string | null): Promise<void> {
    await this.db.updateTable('recalls').set({ status: 'closed', closed_at: at, closing_note: note }).where('id', '=', id).execute();
  }

  /**
   * Whether any recall or stop-trade order is open: when none is, nothing needs looking up code by code. Asked on
   * every consumer page and event query, so compiled once.
   */
  async anyOpen(): Promise<boolean> {
    const statement = compiledOnce(this.db, 'recalls.anyOpen', () => this.db.selectFrom('recalls').select('id').where('status', '=', 'open').limit(1));
    return (await this.db.executeQuery(statement)).rows.length > 0;
  }

  /** The open recalls reaching each of `codes`: none, at the cost of one short lookup, while no recall is open. */
  async openRecallsOf(codes: string[]): Promise<Map<string, RecallSummary[]>> {
    const found = new Map<string, RecallSummary[]>();
    if (codes.length === 0 || !(await this.anyOpen())) return found;
    // The codes go as one JSON parameter, so a trace's hundreds of them are one statement.
    const rows = await rowsWithList(
      this.db,
      'recalls.openOf',
      () =>
        this.db
          .selectFrom('recall_codes as c')
          .innerJoin('recalls as r', 'r.id', 'c.recall_id')
          .select(['c.code', 'r.id', 'r.kind', 'r.level', 'r.reason', 'r.status', 'r.created_at'])
          .where(textAmong(this.db, 'c.code', LIST_PLACEHOLDER))
          .where('r.status', '=', 'open'),
      codes,
    );
    for (const r of rows) {
      const list = found.get(r.code) ?? [];
      list.push({ id: r.id, kind: r.kind, level: r.level === null ? null : Number(r.level), reason: r.reason, status: r.status, createdAt: r.created_at });
      found.set(r.code, list);
    }
    return found;
  }

  async codesOf(recallId: string): Promise<string[]> {
    return (await this.db.selectFrom('recall_codes').select('code').where('recall_id', '=', recallId).execute()).map((r) => r.code);
  }

  async notices(recallId: string): Promise<RecallNoticeTable[]> {
    return this.db.selectFrom('recall_notices').selectAll().where('recall_id', '=', recallId).orderBy('id').execute();
  }

  async noticesOfSubject(subjectId: string, cursor: string | undefined, limit: number): Promise<RecallNoticeTable[]> {
    let query = this.db.selectFrom('recall_notices').selectAll().where('subject_id', '=', subjectId);
    if (cursor) query = query.where('id', '<', cursor);
    return query.orderBy('id', 'desc').limit(limit).execute();
  }

  async notice(id: string): Promise<RecallNoticeTable | undefined> {
    return this.db.selectFrom('recall_notices').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The recalls that sent a notice to a subject in one of these regions (by prefix). */
  async recallIdsNotifying(regionPrefix: string): Promise<string[]> {
    const rows = await this.db.selectFrom('recall_notices').select('recall_id').distinct().where('region_code', 'like', `${regionPrefix}%`).execute();
    return rows.map((r) => r.recall_id);
  }

  /** Whether a lower platform started this recall (docs/FEDERATION.md): it is shown here, and answered and closed there. */
  async startedBelow(id: string): Promise<boolean> {
    return (await this.db.selectFrom('federation_member_recalls').select('recall_id').where('recall_id', '=', id).executeTakeFirst()) !== undefined;
  }

  async acknowledge(id: string, at: string, outcome: string): Promise<void> {
    await this.db.updateTable('recall_notices').set({ status: 'acknowledged', acknowledged_at: at, outcome }).where('id', '=', id).execute();
  }
}
