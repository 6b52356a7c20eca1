import type { Executor, FederationMemberTable, FederationOutboxTable } from '../db/index.js';

/** One event the sender forwards: its log leaf, its stored body and the @context of the document it came in. */
export interface OutgoingEvent {
  idx: number;
  eventTimeMs: number;
  context: string | null;
  body: string;
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
  async advanceMember(id: string, from: number, to: { position: number; events: number; at: string; lagMs: number | null }): Promise<boolean> {
    const result = await this.db
      .updateTable('federation_members')
      .set((eb) => ({
        position: to.position,
        batches: eb('batches', '+', 1),
        events_received: eb('events_received', '+', to.events),
        last_batch_at: to.at,
        last_lag_ms: to.lagMs,
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

  /** The events among the log's leaves [from, to), in log order, each with the @context it was captured under. */
  async eventsInLog(from: number, to: number): Promise<OutgoingEvent[]> {
    const rows = await this.db
      .selectFrom('log_leaves as l')
      .innerJoin('events as e', 'e.seq', 'l.record_seq')
      .innerJoin('capture_jobs as c', 'c.id', 'e.capture_id')
      .select(['l.idx', 'e.event_time_ms', 'c.context', 'e.body'])
      .where('l.kind', '=', 'event')
      .where('l.idx', '>=', from)
      .where('l.idx', '<', to)
      .orderBy('l.idx')
      .execute();
    return rows.map((r) => ({ idx: Number(r.idx), eventTimeMs: Number(r.event_time_ms), context: r.context, body: r.body }));
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
