import { uuidv7 } from 'uuidv7';
import type { Database, Executor } from '../db/index.js';
import { canReadAudit, ensure, readScope } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import type { Page } from '../domain/master-data.js';
import { recordDigest, type LogEntry } from '../log/entries.js';
import { appendToLog } from '../log/log-append.js';
import { AuditRepository, type AuditEntry, type AuditFilter } from './audit.repository.js';

export interface AuditRecord {
  action: string;
  targetType: string;
  targetId: string | null;
  /** The subject whose data changed, so subject auditors can find it. */
  subjectId: string | null;
  /** What changed. Never pass secrets or personal identity numbers here. */
  changes?: Record<string, unknown>;
}

/**
 * Writes an audit entry inside the caller's transaction, so the change and its record commit or fail together, and
 * appends it to the transparency log after the `alongside` entries the change itself made (a capture's events, stored
 * with the database's bulk inserter).
 */
export async function recordAudit(trx: Executor, actor: Principal, record: AuditRecord, alongside?: { entries: readonly LogEntry[]; insertMany: Database['insertMany'] }): Promise<void> {
  const row = await new AuditRepository(trx).append({
    id: uuidv7(),
    at: new Date().toISOString(),
    actor: actor.actor,
    actorUserId: actor.userId,
    actorKeyId: actor.keyId,
    onBehalfOf: actor.onBehalfOf,
    subjectId: record.subjectId,
    action: record.action,
    targetType: record.targetType,
    targetId: record.targetId,
    changes: record.changes ?? null,
    address: actor.address,
    requestId: actor.requestId,
  });
  // Every audited write is a leaf of the transparency log, after the records it wrote (a capture's events), in one append.
  await appendToLog(trx, [...(alongside?.entries ?? []), { kind: 'audit', ref: row.id, digest: recordDigest(row) }], alongside?.insertMany);
}

export class AuditService {
  constructor(private readonly database: Database) {}

  async list(actor: Principal, filter: Omit<AuditFilter, 'limit'> & { limit?: number }): Promise<Page<AuditEntry>> {
    const scope = readScope(actor);
    if (scope.kind === 'subject' && filter.subjectId !== undefined && filter.subjectId !== scope.subjectId) {
      ensure(false, 'audit-not-permitted', 'a subject\'s audit trail is open to that subject only');
    }
    const subjectId = scope.kind === 'subject' ? scope.subjectId : filter.subjectId;
    ensure(
      scope.kind !== 'region' && canReadAudit(actor, subjectId ?? null),
      'audit-not-permitted',
      'the audit trail is open to platform admins, auditors and subject admins (for their own subject)',
    );
    const limit = filter.limit ?? 100;
    const items = await new AuditRepository(this.database.db).list({
      ...filter,
      ...(subjectId !== undefined ? { subjectId } : {}),
      limit,
    });
    return { items, nextCursor: items.length === limit ? items[items.length - 1]!.id : null };
  }
}
