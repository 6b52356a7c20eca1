import type { Executor, FederationBatchOutcomeTable } from '../db/index.js';

/** A member or a directly connected subject, as the evaluation names it. */
export interface UnitRow {
  kind: 'member' | 'subject';
  id: string;
  name: string;
  /** The member's log origin or the subject's 主体码. */
  code: string;
  /** The member's kind (platform or system); null for a subject. */
  memberKind: string | null;
  level: string | null;
  regionCode: string | null;
  /** Registration of a member, first capture of a subject: when reporting was first expected. */
  connectedAt: string;
  /** The capture jobs' actor a member's forwarded events are stored under. */
  actor: string | null;
  /** A member's own last batch, kept on its row since before outcomes were recorded. */
  lastBatchAt: string | null;
}

export interface ArrivedEvent {
  actor: string;
  ownerSubjectId: string | null;
  eventType: string;
  bizStep: string | null;
  productClass: string | null;
  eventTimeMs: number;
  recordTimeMs: number;
  body: string;
}

export interface UnitFilter {
  /** A GB/T 2260 prefix: units whose region starts with it ('' is every unit with a region). */
  regionPrefix?: string;
  /** A member's user: that member alone. */
  memberUserId?: string;
  /** One unit by id. */
  id?: string;
}

/** The actor a principal of this user is recorded as (Principal.actor). */
export const memberActor = (userId: string) => `user:${userId}`;

/** Batch outcomes (written by the federation service) and the reads the evaluation of a period makes. */
export class EvaluationRepository {
  constructor(private readonly db: Executor) {}

  /**
   * The capture jobs' actors of every member. A member's forwarded events are stored under the subjects they belong
   * to, so a subject's own connection is told apart by who captured, not by whose the events are.
   */
  private async memberActors(): Promise<string[]> {
    return (await this.db.selectFrom('federation_members').select('user_id').execute()).map((m) => memberActor(m.user_id));
  }

  async insertBatchOutcome(row: FederationBatchOutcomeTable): Promise<void> {
    await this.db.insertInto('federation_batch_outcomes').values(row).execute();
  }

  /** Members registered before `before`, and subjects that captured here before it; narrowed by `filter`. */
  async units(before: string, filter: UnitFilter): Promise<UnitRow[]> {
    let members = this.db.selectFrom('federation_members').select(['id', 'name', 'log_origin', 'kind', 'level', 'region_code', 'registered_at', 'user_id', 'last_batch_at']).where('registered_at', '<', before);
    if (filter.regionPrefix !== undefined) members = members.where('region_code', 'like', `${filter.regionPrefix}%`);
    if (filter.memberUserId !== undefined) members = members.where('user_id', '=', filter.memberUserId);
    if (filter.id !== undefined) members = members.where('id', '=', filter.id);
    const units: UnitRow[] = (await members.execute()).map((m) => ({
      kind: 'member',
      id: m.id,
      name: m.name,
      code: m.log_origin,
      memberKind: m.kind,
      level: m.level,
      regionCode: m.region_code,
      connectedAt: m.registered_at,
      actor: memberActor(m.user_id),
      lastBatchAt: m.last_batch_at,
    }));
    if (filter.memberUserId !== undefined) return units;
    const forwarders = await this.memberActors();
    let subjects = this.db
      .selectFrom('capture_jobs as c')
      .innerJoin('subjects as s', 's.id', 'c.owner_subject_id')
      .select((eb) => ['s.id', 's.name', 's.subject_code', 's.region_code', eb.fn.min('c.created_at').as('first_capture')])
      .where('c.created_at', '<', before)
      .groupBy(['s.id', 's.name', 's.subject_code', 's.region_code']);
    if (forwarders.length) subjects = subjects.where('c.actor', 'not in', forwarders);
    if (filter.regionPrefix !== undefined) subjects = subjects.where('s.region_code', 'like', `${filter.regionPrefix}%`);
    if (filter.id !== undefined) subjects = subjects.where('s.id', '=', filter.id);
    for (const s of await subjects.execute()) {
      units.push({ kind: 'subject', id: s.id, name: s.name, code: s.subject_code, memberKind: null, level: null, regionCode: s.region_code, connectedAt: String(s.first_capture), actor: null, lastBatchAt: null });
    }
    return units;
  }

  /** Events that arrived in [fromMs, toMs): forwarded by one of `actors`, or captured for one of `subjectIds`. */
  async arrivedEvents(fromMs: number, toMs: number, actors: string[], subjectIds: string[]): Promise<ArrivedEvent[]> {
    if (actors.length === 0 && subjectIds.length === 0) return [];
    const forwarders = subjectIds.length ? await this.memberActors() : [];
    const rows = await this.db
      .selectFrom('events as e')
      .innerJoin('capture_jobs as c', 'c.id', 'e.capture_id')
      .select(['c.actor', 'e.owner_subject_id', 'e.event_type', 'e.biz_step', 'e.product_class', 'e.event_time_ms', 'e.record_time_ms', 'e.body'])
      .where('e.record_time_ms', '>=', fromMs)
      .where('e.record_time_ms', '<', toMs)
      .where((eb) => {
        const either = [];
        if (actors.length) either.push(eb('c.actor', 'in', actors));
        if (subjectIds.length) either.push(forwarders.length ? eb.and([eb('e.owner_subject_id', 'in', subjectIds), eb('c.actor', 'not in', forwarders)]) : eb('e.owner_subject_id', 'in', subjectIds));
        return eb.or(either);
      })
      .execute();
    return rows.map((r) => ({
      actor: r.actor,
      ownerSubjectId: r.owner_subject_id,
      eventType: r.event_type,
      bizStep: r.biz_step,
      productClass: r.product_class,
      eventTimeMs: Number(r.event_time_ms),
      recordTimeMs: Number(r.record_time_ms),
      body: r.body,
    }));
  }

  /** Receiving events of anyone that happened in [fromMs, toMs]: the answers shipments are matched against. */
  async receipts(fromMs: number, toMs: number): Promise<{ eventTimeMs: number; body: string }[]> {
    const rows = await this.db
      .selectFrom('events')
      .select(['event_time_ms', 'body'])
      .where('biz_step', '=', 'receiving')
      .where('event_time_ms', '>=', fromMs)
      .where('event_time_ms', '<=', toMs)
      .execute();
    return rows.map((r) => ({ eventTimeMs: Number(r.event_time_ms), body: r.body }));
  }

  async batchOutcomes(from: string, to: string, memberIds: string[]): Promise<Pick<FederationBatchOutcomeTable, 'member_id' | 'arrived_at' | 'outcome' | 'error_code'>[]> {
    if (memberIds.length === 0) return [];
    return this.db
      .selectFrom('federation_batch_outcomes')
      .select(['member_id', 'arrived_at', 'outcome', 'error_code'])
      .where('member_id', 'in', memberIds)
      .where('arrived_at', '>=', from)
      .where('arrived_at', '<', to)
      .execute();
  }

  async captureJobs(from: string, to: string, subjectIds: string[]): Promise<{ subjectId: string; createdAt: string; status: string }[]> {
    if (subjectIds.length === 0) return [];
    const forwarders = await this.memberActors();
    let query = this.db
      .selectFrom('capture_jobs')
      .select(['owner_subject_id', 'created_at', 'status'])
      .where('owner_subject_id', 'in', subjectIds)
      .where('created_at', '>=', from)
      .where('created_at', '<', to);
    if (forwarders.length) query = query.where('actor', 'not in', forwarders);
    const rows = await query.execute();
    return rows.map((r) => ({ subjectId: r.owner_subject_id!, createdAt: r.created_at, status: r.status }));
  }

  /** The latest contact before `before` of each member (its last batch) and each subject (its last capture job). */
  async lastContacts(before: string, memberIds: string[], subjectIds: string[]): Promise<Map<string, string>> {
    const last = new Map<string, string>();
    if (memberIds.length) {
      const rows = await this.db
        .selectFrom('federation_batch_outcomes')
        .select((eb) => ['member_id', eb.fn.max('arrived_at').as('at')])
        .where('member_id', 'in', memberIds)
        .where('arrived_at', '<', before)
        .groupBy('member_id')
        .execute();
      for (const r of rows) last.set(r.member_id, String(r.at));
    }
    if (subjectIds.length) {
      const forwarders = await this.memberActors();
      let query = this.db
        .selectFrom('capture_jobs')
        .select((eb) => ['owner_subject_id', eb.fn.max('created_at').as('at')])
        .where('owner_subject_id', 'in', subjectIds)
        .where('created_at', '<', before);
      if (forwarders.length) query = query.where('actor', 'not in', forwarders);
      const rows = await query.groupBy('owner_subject_id').execute();
      for (const r of rows) last.set(r.owner_subject_id!, String(r.at));
    }
    return last;
  }
}
