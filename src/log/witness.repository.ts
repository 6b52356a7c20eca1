import type { Executor, WitnessAlarmTable, WitnessedLogTable } from '../db/index.js';

/** The witness's tables: the logs it witnesses with the latest checkpoint it cosigned, and its alarms. */
export class WitnessRepository {
  constructor(private readonly db: Executor) {}

  async insertLog(row: WitnessedLogTable): Promise<void> {
    await this.db.insertInto('witnessed_logs').values(row).execute();
  }

  async findLog(origin: string): Promise<WitnessedLogTable | undefined> {
    const row = await this.db.selectFrom('witnessed_logs').selectAll().where('origin', '=', origin).executeTakeFirst();
    return row && { ...row, size: Number(row.size) };
  }

  /** Logs in origin order, after `cursor` (exclusive) when given. */
  async listLogs(cursor: string | undefined, limit: number): Promise<WitnessedLogTable[]> {
    let query = this.db.selectFrom('witnessed_logs').selectAll();
    if (cursor !== undefined) query = query.where('origin', '>', cursor);
    const rows = await query.orderBy('origin').limit(limit).execute();
    return rows.map((r) => ({ ...r, size: Number(r.size) }));
  }

  /**
   * Moves a log's state from (`from.size`, `from.rootHash`) to the new checkpoint, only if it still is there: the
   * check of the old size and the update are one statement, so of two submissions checked against the same state only
   * one advances it, and a smaller tree can never replace a larger one. False when another got there first.
   */
  async advance(origin: string, from: { size: number; rootHash: string }, to: { size: number; rootHash: string; note: string; at: string }): Promise<boolean> {
    const result = await this.db
      .updateTable('witnessed_logs')
      .set({ size: to.size, root_hash: to.rootHash, note: to.note, cosigned_at: to.at })
      .where('origin', '=', origin)
      .where('size', '=', from.size)
      .where('root_hash', '=', from.rootHash)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async insertAlarm(row: WitnessAlarmTable): Promise<void> {
    await this.db.insertInto('witness_alarms').values(row).execute();
  }

  /** Alarms newest first, of one log when `origin` is given, before `cursor` (exclusive) when given. */
  async listAlarms(filter: { origin?: string; cursor?: string; limit: number }): Promise<WitnessAlarmTable[]> {
    let query = this.db.selectFrom('witness_alarms').selectAll();
    if (filter.origin !== undefined) query = query.where('origin', '=', filter.origin);
    if (filter.cursor !== undefined) query = query.where('id', '<', filter.cursor);
    const rows = await query.orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map((r) => ({ ...r, old_size: Number(r.old_size) }));
  }
}
