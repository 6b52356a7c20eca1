import type { ReadScope } from '../access/policy.js';
import type { ComplaintTable, Executor } from '../db/index.js';

export class ComplaintsRepository {
  constructor(private readonly db: Executor) {}

  async insert(row: ComplaintTable): Promise<void> {
    await this.db.insertInto('complaints').values(row).execute();
  }

  async find(id: string): Promise<ComplaintTable | undefined> {
    return this.db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first (ids are time-ordered UUIDv7), within what the scope reads. */
  async list(scope: ReadScope, filter: { status?: ComplaintTable['status']; code?: string; cursor?: string; limit: number }): Promise<ComplaintTable[]> {
    let query = this.db.selectFrom('complaints').selectAll();
    if (scope.kind === 'region') query = query.where('region_code', 'like', `${scope.regionPrefix}%`);
    else if (scope.kind !== 'all') return [];
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.code) query = query.where('code', '=', filter.code);
    if (filter.cursor) query = query.where('id', '<', filter.cursor);
    return query.orderBy('id', 'desc').limit(filter.limit).execute();
  }

  async markHandled(id: string, by: string, note: string, at: string): Promise<void> {
    await this.db.updateTable('complaints').set({ status: 'handled', handled_at: at, handled_by: by, handling_note: note }).where('id', '=', id).execute();
  }
}
