import type { AuditTable, Executor } from '../db/index.js';

export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  actorUserId: string | null;
  actorKeyId: string | null;
  onBehalfOf: string | null;
  subjectId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  changes: Record<string, unknown> | null;
  address: string | null;
  requestId: string | null;
}

export interface AuditFilter {
  subjectId?: string;
  actorUserId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  since?: string;
  until?: string;
  cursor?: string;
  limit: number;
}

/**
 * An audit entry exactly as its row stores it (column names, `changes` as the JSON text written): the transparency
 * log's digest of the entry is over this object's canonical JSON, so an export that must check offline carries it.
 */
export type AuditRow = AuditTable;

/** Every column the log's digest of a row covers, and no other. */
const ROW_COLUMNS = ['id', 'at', 'actor', 'actor_user_id', 'actor_key_id', 'on_behalf_of', 'subject_id', 'action', 'target_type', 'target_id', 'changes', 'address', 'request_id'] as const;

/** Ids bound in one `in (…)` list: well under both dialects' parameter limits. */
const IDS_PER_QUERY = 500;

export class AuditRepository {
  constructor(private readonly db: Executor) {}

  /** Stores the entry and returns the row as stored: what the transparency log's digest of it covers. */
  async append(entry: AuditEntry): Promise<AuditTable> {
    const row = auditRow(entry);
    await this.db.insertInto('audit_log').values(row).execute();
    return row;
  }

  /** The rows about the targets `targetIds` of `targetType`, as stored, oldest first (ids are time-ordered UUIDv7). */
  async rowsOfTargets(targetType: string, targetIds: readonly string[]): Promise<AuditRow[]> {
    const rows: AuditRow[] = [];
    for (let i = 0; i < targetIds.length; i += IDS_PER_QUERY) {
      const chunk = targetIds.slice(i, i + IDS_PER_QUERY);
      rows.push(...(await this.db.selectFrom('audit_log').select(ROW_COLUMNS).where('target_type', '=', targetType).where('target_id', 'in', chunk).execute()));
    }
    return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Newest first; the cursor is the id of the last entry of the previous page (ids are time-ordered UUIDv7). */
  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (filter.subjectId !== undefined) query = query.where('subject_id', '=', filter.subjectId);
    if (filter.actorUserId !== undefined) query = query.where('actor_user_id', '=', filter.actorUserId);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.targetType !== undefined) query = query.where('target_type', '=', filter.targetType);
    if (filter.targetId !== undefined) query = query.where('target_id', '=', filter.targetId);
    if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('at', '<', filter.until);
    if (filter.cursor !== undefined) query = query.where('id', '<', filter.cursor);
    const rows = await query.orderBy('id', 'desc').limit(filter.limit).execute();
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actor,
      actorUserId: row.actor_user_id,
      actorKeyId: row.actor_key_id,
      onBehalfOf: row.on_behalf_of,
      subjectId: row.subject_id,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      changes: row.changes ? (JSON.parse(row.changes) as Record<string, unknown>) : null,
      address: row.address,
      requestId: row.request_id,
    }));
  }
}

/** An audit entry as its row stores it. */
export function auditRow(entry: AuditEntry): AuditTable {
  return {
    id: entry.id,
    at: entry.at,
    actor: entry.actor,
    actor_user_id: entry.actorUserId,
    actor_key_id: entry.actorKeyId,
    on_behalf_of: entry.onBehalfOf,
    subject_id: entry.subjectId,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    changes: entry.changes ? JSON.stringify(entry.changes) : null,
    address: entry.address,
    request_id: entry.requestId,
  };
}
