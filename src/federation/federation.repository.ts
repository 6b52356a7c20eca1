import type { Executor, FederationMemberTable, FederationOutboxTable, FederationRecordTable, RecallNoticeTable } from '../db/index.js';

/** One event the sender forwards: its stored body, the @context of the document it came in, and its owner here. */
export interface OutgoingEvent {
  seq: number;
  context: string | null;
  body: string;
  ownerSubjectId: string | null;
  /** Its CBV 2.0 hash as stored: what a summary of it carries. */
  hash: string;
}

/** A leaf of the sender's log that may carry something upstream; audit leaves come with what their row is about. */
export interface OutgoingLeaf {
  idx: number;
  kind: string;
  entry: string;
  recordSeq: number | null;
  targetType: string | null;
  targetId: string | null;
}

const numeric = (row: FederationMemberTable): FederationMemberTable => ({
  ...row,
  position: Number(row.position),
  batches: Number(row.batches),
  events_received: Number(row.events_received),
  resent: Number(row.resent),
  last_lag_ms: row.last_lag_ms === null ? null : Number(row.last_lag_ms),
});

/** Members registered here (the upstream's side) and the outbox (the sender's side). */
export class FederationRepository {
  constructor(private readonly db: Executor) {}

  async insertMember(row: FederationMemberTable): Promise<void> {
    await this.db.insertInto('federation_members').values(row).execute();
  }

  async memberByOrigin(origin: string): Promise<FederationMemberTable | undefined> {
    const row = await this.db.selectFrom('federation_members').selectAll().where('log_origin', '=', origin).executeTakeFirst();
    return row && numeric(row);
  }

  async members(filter: { userId?: string }): Promise<FederationMemberTable[]> {
    let query = this.db.selectFrom('federation_members').selectAll();
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    return (await query.orderBy('id').execute()).map(numeric);
  }

  /**
   * Records a stored batch, only if the member is still where the batch started: of two copies of one batch racing,
   * one moves the position and the other is told it is out of order. False when it was not there.
   */
  async advanceMember(id: string, from: number, to: { position: number; events: number; at: string; lagMs: number | null; mode: FederationMemberTable['mode'] }): Promise<boolean> {
    const result = await this.db
      .updateTable('federation_members')
      .set((eb) => ({
        position: to.position,
        batches: eb('batches', '+', 1),
        events_received: eb('events_received', '+', to.events),
        last_batch_at: to.at,
        last_lag_ms: to.lagMs,
        mode: to.mode,
      }))
      .where('id', '=', id)
      .where('position', '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async countResent(id: string): Promise<void> {
    await this.db.updateTable('federation_members').set((eb) => ({ resent: eb('resent', '+', 1) })).where('id', '=', id).execute();
  }

  async outbox(upstreamUrl: string): Promise<FederationOutboxTable> {
    const row = await this.db.selectFrom('federation_outbox').selectAll().where('upstream_url', '=', upstreamUrl).executeTakeFirst();
    if (row) return { ...row, position: Number(row.position), acked_size: Number(row.acked_size), attempts: Number(row.attempts) };
    const fresh: FederationOutboxTable = {
      upstream_url: upstreamUrl,
      position: 0,
      acked_size: 0,
      attempts: 0,
      next_try_at: null,
      last_attempt_at: null,
      last_error: null,
      last_success_at: null,
      cosigned_checkpoint: null,
    };
    // Two first reads at once both insert; one insert is enough.
    await this.db.insertInto('federation_outbox').values(fresh).onConflict((oc) => oc.column('upstream_url').doNothing()).execute();
    return fresh;
  }

  async updateOutbox(upstreamUrl: string, patch: Partial<Omit<FederationOutboxTable, 'upstream_url'>>): Promise<void> {
    await this.db.updateTable('federation_outbox').set(patch).where('upstream_url', '=', upstreamUrl).execute();
  }

  /**
   * The leaves [from, to) that can carry a record upstream, in log order: events, corrections, and the audit leaves of
   * master data, recalls and their notices (other audited writes stay here).
   */
  async leavesInLog(from: number, to: number): Promise<OutgoingLeaf[]> {
    const rows = await this.db
      .selectFrom('log_leaves as l')
      .leftJoin('audit_log as a', (join) => join.onRef('a.id', '=', 'l.ref').on('l.kind', '=', 'audit'))
      .select(['l.idx', 'l.kind', 'l.entry', 'l.record_seq', 'a.target_type', 'a.target_id'])
      .where('l.idx', '>=', from)
      .where('l.idx', '<', to)
      .where((eb) => eb.or([eb('l.kind', 'in', ['event', 'correction']), eb('a.target_type', 'in', ['subject', 'location', 'product', 'recall', 'recall_notice'])]))
      .orderBy('l.idx')
      .execute();
    return rows.map((r) => ({
      idx: Number(r.idx),
      kind: r.kind,
      entry: r.entry,
      recordSeq: r.record_seq === null ? null : Number(r.record_seq),
      targetType: r.target_type,
      targetId: r.target_id,
    }));
  }

  /** Stored events by seq, each with the @context it was captured under and its owning subject. */
  async eventsBySeq(seqs: number[]): Promise<Map<number, OutgoingEvent>> {
    if (seqs.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('events as e')
      .innerJoin('capture_jobs as c', 'c.id', 'e.capture_id')
      .select(['e.seq', 'c.context', 'e.body', 'e.owner_subject_id', 'e.event_hash'])
      .where('e.seq', 'in', seqs)
      .execute();
    return new Map(rows.map((r) => [Number(r.seq), { seq: Number(r.seq), context: r.context, body: r.body, ownerSubjectId: r.owner_subject_id, hash: r.event_hash }]));
  }

  /** The regions of the subjects each of the events `seqs` concerns (its owner, the owners of the places it names). */
  async regionsOfSeqs(seqs: number[]): Promise<Map<number, string[]>> {
    if (seqs.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('event_subjects as s')
      .innerJoin('subjects as j', 'j.id', 's.subject_id')
      .select(['s.seq', 'j.region_code'])
      .where('s.seq', 'in', seqs)
      .execute();
    const regions = new Map<number, string[]>();
    for (const r of rows) {
      const list = regions.get(Number(r.seq)) ?? [];
      if (!list.includes(r.region_code)) list.push(r.region_code);
      regions.set(Number(r.seq), list.sort());
    }
    return regions;
  }

  /**
   * What is stored of the events a correction's summary may name: the hashes of those stored under the client-given
   * eventIDs `ids`, and which of `hashes` are stored at all.
   */
  async storedIdentities(ids: string[], hashes: string[]): Promise<{ hashOfId: Map<string, string>; heldHashes: Set<string> }> {
    const byId = ids.length ? await this.db.selectFrom('events').select(['event_id', 'event_hash']).where('event_id', 'in', ids).execute() : [];
    // An event whose eventID is its hash is stored without one.
    const byOwnHash = ids.length ? await this.db.selectFrom('events').select('event_hash').where('event_hash', 'in', ids).where('event_id', 'is', null).execute() : [];
    const byHash = hashes.length ? await this.db.selectFrom('events').select('event_hash').where('event_hash', 'in', hashes).execute() : [];
    const hashOfId = new Map([...byId.map((r): [string, string] => [r.event_id!, r.event_hash]), ...byOwnHash.map((r): [string, string] => [r.event_hash, r.event_hash])]);
    return { hashOfId, heldHashes: new Set(byHash.map((r) => r.event_hash)) };
  }

  /** The errorDeclarations recorded against the events `seqs`, as stored. */
  async declarationsOf(seqs: number[]): Promise<{ seq: number; errorDeclaration: string }[]> {
    if (seqs.length === 0) return [];
    const rows = await this.db.selectFrom('event_corrections').select(['declared_seq', 'error_declaration']).where('declared_seq', 'in', seqs).execute();
    return rows.map((r) => ({ seq: Number(r.declared_seq), errorDeclaration: r.error_declaration }));
  }

  // Records a member brought (the upstream's side).

  async record(memberId: string, kind: FederationRecordTable['kind'], remoteId: string): Promise<FederationRecordTable | undefined> {
    const row = await this.db
      .selectFrom('federation_records')
      .selectAll()
      .where('member_id', '=', memberId)
      .where('kind', '=', kind)
      .where('remote_id', '=', remoteId)
      .executeTakeFirst();
    return row && { ...row, owned: Number(row.owned) };
  }

  async insertRecord(row: FederationRecordTable): Promise<void> {
    await this.db.insertInto('federation_records').values(row).execute();
  }

  async touchRecord(memberId: string, kind: FederationRecordTable['kind'], remoteId: string, at: string): Promise<void> {
    await this.db
      .updateTable('federation_records')
      .set({ applied_at: at })
      .where('member_id', '=', memberId)
      .where('kind', '=', kind)
      .where('remote_id', '=', remoteId)
      .execute();
  }

  /** The member's ids of local subjects it brought (owned or linked), keyed by the local id. */
  async remoteSubjectIds(memberId: string, localIds: string[]): Promise<Map<string, string>> {
    if (localIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('federation_records')
      .select(['local_id', 'remote_id'])
      .where('member_id', '=', memberId)
      .where('kind', '=', 'subject')
      .where('local_id', 'in', localIds)
      .execute();
    return new Map(rows.map((r) => [r.local_id, r.remote_id]));
  }

  /** The notices addressed to subjects the member brought, with the member's ids of those subjects, oldest first. */
  async noticesForMember(memberId: string): Promise<{ notice: RecallNoticeTable; remoteSubjectId: string }[]> {
    const rows = await this.db
      .selectFrom('recall_notices as n')
      .innerJoin('federation_records as r', (join) => join.onRef('r.local_id', '=', 'n.subject_id').on('r.kind', '=', 'subject').on('r.member_id', '=', memberId))
      .selectAll('n')
      .select('r.remote_id')
      // A recall the member started itself stays with it.
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('federation_member_recalls as m').select('m.recall_id').whereRef('m.recall_id', '=', 'n.recall_id').where('m.member_id', '=', memberId))))
      .orderBy('n.id')
      .execute();
    return rows.map(({ remote_id, ...notice }) => ({ notice, remoteSubjectId: remote_id }));
  }

  /** The member that started a recall shown here, if a member did. */
  async memberOfRecall(recallId: string): Promise<string | undefined> {
    return (await this.db.selectFrom('federation_member_recalls').select('member_id').where('recall_id', '=', recallId).executeTakeFirst())?.member_id;
  }

  async insertMemberRecall(recallId: string, memberId: string, at: string): Promise<void> {
    await this.db.insertInto('federation_member_recalls').values({ recall_id: recallId, member_id: memberId, received_at: at }).execute();
  }

  // Recalls received from the upstream (a member's side).

  /** A notice of a recall that came down from the upstream; undefined for notices of recalls made here. */
  async receivedNotice(noticeId: string): Promise<RecallNoticeTable | undefined> {
    return this.db
      .selectFrom('recall_notices as n')
      .innerJoin('federation_received_recalls as f', 'f.recall_id', 'n.recall_id')
      .selectAll('n')
      .where('n.id', '=', noticeId)
      .executeTakeFirst();
  }

  async insertReceivedRecall(recallId: string, upstreamUrl: string, at: string): Promise<void> {
    await this.db.insertInto('federation_received_recalls').values({ recall_id: recallId, upstream_url: upstreamUrl, received_at: at }).execute();
  }

  async isReceivedRecall(recallId: string): Promise<boolean> {
    return (await this.db.selectFrom('federation_received_recalls').select('recall_id').where('recall_id', '=', recallId).executeTakeFirst()) !== undefined;
  }

  async insertNotice(notice: RecallNoticeTable): Promise<void> {
    await this.db.insertInto('recall_notices').values(notice).execute();
  }

  async subjectExists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('subjects').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  /** The log's size, read without signing a checkpoint: status and metrics read often and write nothing. */
  async logSize(): Promise<number> {
    const row = await this.db.selectFrom('log_head').select('size').where('id', '=', 1).executeTakeFirst();
    return row ? Number(row.size) : 0;
  }

  /** Event leaves from `from` on: the backlog of a sender whose cursor is there. */
  async eventLeavesFrom(from: number): Promise<number> {
    const row = await this.db.selectFrom('log_leaves').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'event').where('idx', '>=', from).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
