import type { CaptureJobTable, Executor } from '../db/index.js';

export interface CaptureIssue {
  eventIndex?: number;
  pointer?: string;
  message: string;
}

export interface CaptureJob {
  captureID: string;
  ownerSubjectId: string | null;
  status: CaptureJobTable['status'];
  eventCount: number;
  createdAt: string;
  finishedAt: string | null;
  errors: CaptureIssue[];
  warnings: CaptureIssue[];
  eventIDs: string[];
}

export class CaptureRepository {
  constructor(private readonly db: Executor) {}

  async insert(row: CaptureJobTable): Promise<void> {
    await this.db.insertInto('capture_jobs').values(row).execute();
  }

  async find(id: string): Promise<CaptureJob | undefined> {
    const row = await this.db
      .selectFrom('capture_jobs')
      .select(['id', 'owner_subject_id', 'status', 'event_count', 'created_at', 'finished_at', 'errors', 'warnings', 'event_ids'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toJob(row) : undefined;
  }

  async list(ownerSubjectId: string | null | undefined, cursor: string | undefined, limit: number): Promise<CaptureJob[]> {
    let query = this.db
      .selectFrom('capture_jobs')
      .select(['id', 'owner_subject_id', 'status', 'event_count', 'created_at', 'finished_at', 'errors', 'warnings', 'event_ids']);
    if (ownerSubjectId !== undefined) query = ownerSubjectId === null ? query.where('owner_subject_id', 'is', null) : query.where('owner_subject_id', '=', ownerSubjectId);
    if (cursor) query = query.where('id', '<', cursor);
    const rows = await query.orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toJob);
  }

  /** The document and owner of a pending job; null once it has been processed (by this or another worker). */
  async loadPending(id: string): Promise<{ document: string; ownerSubjectId: string | null; actor: string } | null> {
    const row = await this.db
      .selectFrom('capture_jobs')
      .select(['document', 'owner_subject_id', 'actor'])
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return row?.document ? { document: row.document, ownerSubjectId: row.owner_subject_id, actor: row.actor } : null;
  }

  async pendingIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('capture_jobs').select('id').where('status', '=', 'pending').orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  /**
   * Marks a pending job finished and drops its document (the events now hold it). Returns false when the job was no
   * longer pending: another worker got there first, and this one must roll back. On PostgreSQL the row lock taken
   * here also makes a concurrent worker wait for this transaction.
   */
  async finish(id: string, outcome: { status: 'succeeded' | 'failed'; errors: CaptureIssue[]; warnings: CaptureIssue[]; eventIds: string[] }): Promise<boolean> {
    const result = await this.db
      .updateTable('capture_jobs')
      .set({
        status: outcome.status,
        finished_at: new Date().toISOString(),
        document: null,
        errors: JSON.stringify(outcome.errors),
        warnings: JSON.stringify(outcome.warnings),
        event_ids: JSON.stringify(outcome.eventIds),
      })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

function toJob(row: Pick<CaptureJobTable, 'id' | 'owner_subject_id' | 'status' | 'event_count' | 'created_at' | 'finished_at' | 'errors' | 'warnings' | 'event_ids'>): CaptureJob {
  return {
    captureID: row.id,
    ownerSubjectId: row.owner_subject_id,
    status: row.status,
    eventCount: Number(row.event_count),
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    errors: row.errors ? (JSON.parse(row.errors) as CaptureIssue[]) : [],
    warnings: row.warnings ? (JSON.parse(row.warnings) as CaptureIssue[]) : [],
    eventIDs: row.event_ids ? (JSON.parse(row.event_ids) as string[]) : [],
  };
}
