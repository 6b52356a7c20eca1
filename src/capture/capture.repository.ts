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
  errors: CaptureIssue[];
  warnings: CaptureIssue[];
  eventIDs: string[];
}

export class CaptureRepository {
  constructor(private readonly db: Executor) {}

  async insert(row: CaptureJobTable): Promise<CaptureJob> {
    await this.db.insertInto('capture_jobs').values(row).execute();
    return toJob(row);
  }

  async find(id: string): Promise<CaptureJob | undefined> {
    const row = await this.db
      .selectFrom('capture_jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toJob(row) : undefined;
  }

  async list(ownerSubjectId: string | null | undefined, cursor: string | undefined, limit: number): Promise<CaptureJob[]> {
    let query = this.db
      .selectFrom('capture_jobs')
      .selectAll();
    if (ownerSubjectId !== undefined) query = ownerSubjectId === null ? query.where('owner_subject_id', 'is', null) : query.where('owner_subject_id', '=', ownerSubjectId);
    if (cursor) query = query.where('id', '<', cursor);
    const rows = await query.orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toJob);
  }

}

function toJob(row: CaptureJobTable): CaptureJob {
  return {
    captureID: row.id,
    ownerSubjectId: row.owner_subject_id,
    status: row.status,
    eventCount: Number(row.event_count),
    createdAt: row.created_at,
    errors: JSON.parse(row.errors) as CaptureIssue[],
    warnings: JSON.parse(row.warnings) as CaptureIssue[],
    eventIDs: JSON.parse(row.event_ids) as string[],
  };
}
