import { uuidv7 } from 'uuidv7';
import { ensure, regulatorCovers } from '../access/policy.js';
import { systemPrincipal, type Principal } from '../access/principal.js';
import { recordAudit } from '../audit/audit.service.js';
import { parseCodeUri } from '../codes/code-uri.js';
import { scannedIdentifier } from '../codes/registry.js';
import type { Database, RecallNoticeTable, RecallTable } from '../db/index.js';
import { conflict, invalid, notFound, tooLarge } from '../domain/errors.js';
import type { Page } from '../domain/master-data.js';
import type { EventsService } from '../events/events.service.js';
import { IssuanceRepository } from '../issuance/issuance.repository.js';
import { SubjectsRepository } from '../subjects/subjects.repository.js';
import { thingsNamed } from '../epcis/things.js';
import type { TraceService, TracedEvent } from '../trace/trace.service.js';
import { RecallRepository } from './recall.repository.js';

/**
 * Recalls (召回) and stop-trade orders (中止交易). A recall is computed by the forward trace of what is recalled, over
 * every event (the recall must reach every holder whatever the initiator may read): every code it reaches answers
 * "recalled" from then on, and every subject that held or received any of them gets a notice, which it acknowledges
 * with what it found, returned or destroyed. Receipts and sales of recalled codes recorded after the recall are flagged
 * in its progress. Only the initiator, the regulators of an affected region and platform admins see a recall whole; an
 * affected subject sees its own notice.
 */

export const MAX_RECALL_ROOTS = 100;
const FLAGGED_STEPS = ['receiving', 'retail_selling', 'dispensing'];

export interface RecallInput {
  codes: string[];
  reason: string;
  /** 召回级别: 1 the most serious. */
  level?: number;
  kind?: 'recall' | 'stop_trade';
}

export interface Amount {
  quantity: number;
  uom: string;
}

export interface Affected {
  subjects: { id: string; subjectCode: string; name: string; regionCode: string }[];
  locations: { gln: string; name: string | null; subjectId: string | null; regionCode: string | null }[];
  lots: string[];
  /** Every instance reached: serialised items, cases, pallets … */
  items: string[];
  /** What was made of the recalled lots, per unit of measure (instances counted as EA). */
  quantities: Amount[];
}

export interface RecallView {
  id: string;
  kind: 'recall' | 'stop_trade';
  level: number | null;
  reason: string;
  status: 'open' | 'closed';
  initiator: { actor: string; subjectId: string | null };
  roots: string[];
  affected: Affected;
  createdAt: string;
  closedAt: string | null;
  closingNote: string | null;
}

export interface NoticeView {
  id: string;
  recallId: string;
  subjectId: string;
  status: 'notified' | 'acknowledged';
  recall: { kind: 'recall' | 'stop_trade'; level: number | null; reason: string; status: 'open' | 'closed'; createdAt: string };
  holdings: string[];
  createdAt: string;
  acknowledgedAt: string | null;
  outcome: Outcome | null;
}

export interface Outcome {
  found: Amount[];
  returned: Amount[];
  destroyed: Amount[];
  note: string | null;
}

export interface Progress {
  notices: number;
  acknowledged: number;
  distributed: Amount[];
  /** Found, returned and destroyed as the notices report them, summed per unit. */
  recovered: Amount[];
  /** Receipts, sales and dispensing of recalled codes recorded after the recall. */
  flagged: { eventID: string; bizStep: string | null; eventTime: string; codes: string[] }[];
}

/** A receipt, sale or dispensing of recalled codes after the recall, with the recall it breaks. */
export type FlaggedMovement = Progress['flagged'][number] & { recall: Pick<RecallView, 'id' | 'kind' | 'level' | 'reason' | 'createdAt'> };

export class RecallService {
  constructor(
    private readonly database: Database,
    private readonly trace: TraceService,
    private readonly events: EventsService,
  ) {}

  async create(actor: Principal, input: RecallInput): Promise<RecallView> {
    const kind = input.kind ?? 'recall';
    const reason = input.reason.trim();
    if (reason === '' || reason.length > 500) throw invalid('invalid-reason', 'reason must be 1 to 500 characters', [{ pointer: '/reason', message: 'length' }]);
    if (input.level !== undefined && (kind === 'stop_trade' || ![1, 2, 3].includes(input.level))) {
      throw invalid('invalid-level', 'a recall level is 1, 2 or 3 (一级 the most serious); stop-trade orders have none', [{ pointer: '/level', message: 'out of range' }]);
    }
    if (input.codes.length === 0) throw invalid('codes-required', 'name at least one code to recall', [{ pointer: '/codes', message: 'empty' }]);
    if (input.codes.length > MAX_RECALL_ROOTS) throw tooLarge('too-many-codes', `at most ${MAX_RECALL_ROOTS} codes a recall; recall lots rather than items`);
    const roots = input.codes.map((text, i) => scannedIdentifier(text, `/codes/${i}`));
    const initiator = await this.initiator(actor, roots);

    const system = systemPrincipal('recall');
    const reached = new Set<string>(roots);
    const traces = [];
    for (const root of roots) {
      const traced = await this.trace.traceWithEvents(system, root, 'forward');
      traces.push(traced);
      for (const node of traced.result.nodes) reached.add(node.code);
    }
    const { affected, holdings } = await this.affected(traces);
    const now = new Date().toISOString();
    const id = uuidv7();
    const notices: RecallNoticeTable[] = [];
    for (const subject of affected.subjects) {
      notices.push({ id: uuidv7(), recall_id: id, subject_id: subject.id, region_code: subject.regionCode, holdings: JSON.stringify([...(holdings.get(subject.id) ?? [])].sort()), status: 'notified', created_at: now, acknowledged_at: null, outcome: null });
    }
    const row: RecallTable = {
      id,
      kind,
      level: kind === 'recall' ? (input.level ?? null) : null,
      reason,
      status: 'open',
      actor: actor.actor,
      initiator_subject_id: initiator.subjectId,
      initiator_region: initiator.region,
      roots: JSON.stringify(roots),
      affected: JSON.stringify(affected),
      created_at: now,
      closed_at: null,
      closing_note: null,
    };
    await this.database.transaction(async (trx) => {
      await new RecallRepository(trx, this.database).insert(row, [...reached], notices);
      await recordAudit(trx, actor, { action: `recall.create`, targetType: 'recall', targetId: id, subjectId: initiator.subjectId, changes: { kind, level: row.level, reason, roots, subjects: affected.subjects.length } });
    });
    return toView(row);
  }

  async get(actor: Principal, id: string): Promise<RecallView> {
    return toView(await this.findWhole(actor, id));
  }

  async list(actor: Principal, cursor: string | undefined, limit: number): Promise<Page<RecallView>> {
    const repo = new RecallRepository(this.database.db);
    let filter: { initiatorSubjectId?: string; ids?: string[]; actor?: string } = {};
    if (actor.role === 'regulator') filter = { ids: actor.regionPrefix === null ? [] : await repo.recallIdsNotifying(actor.regionPrefix), actor: actor.actor };
    else if (actor.role !== 'platform_admin' && !(actor.role === 'auditor' && actor.subjectId === null)) filter = { initiatorSubjectId: actor.subjectId ?? '' };
    const rows = await repo.list({ ...filter, ...(cursor ? { cursor } : {}), limit });
    const items = rows.map(toView);
    return { items, nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null };
  }

  async progress(actor: Principal, id: string): Promise<Progress> {
    const recall = await this.get(actor, id);
    const repo = new RecallRepository(this.database.db);
    const notices = await repo.notices(id);
    const recovered = new Map<string, number>();
    for (const n of notices) {
      const outcome = n.outcome ? (JSON.parse(n.outcome) as Outcome) : null;
      for (const a of outcome ? [...outcome.found, ...outcome.returned, ...outcome.destroyed] : []) recovered.set(a.uom, (recovered.get(a.uom) ?? 0) + a.quantity);
    }
    return {
      notices: notices.length,
      acknowledged: notices.filter((n) => n.status === 'acknowledged').length,
      distributed: recall.affected.quantities,
      recovered: [...recovered].map(([uom, quantity]) => ({ quantity, uom })),
      flagged: await this.flagged(await repo.codesOf(id), recall.createdAt),
    };
  }

  async close(actor: Principal, id: string, note: string | undefined): Promise<RecallView> {
    const recall = await this.find(id);
    const closer = actor.role === 'platform_admin' || actor.role === 'regulator' || actor.role === 'subject_admin';
    ensure(closer && (await this.seesWhole(actor, recall)), 'not-permitted', "a recall is closed by its initiator's admin, a regulator of an affected region or a platform admin");
    if (recall.status === 'closed') throw conflict('recall-closed', `recall ${id} was closed at ${recall.closed_at}`);
    await refuseIfStartedBelow(new RecallRepository(this.database.db), id);
    const at = new Date().toISOString();
    const closingNote = note?.trim() || null;
    await this.database.transaction(async (trx) => {
      await new RecallRepository(trx).close(id, at, closingNote);
      await recordAudit(trx, actor, { action: 'recall.close', targetType: 'recall', targetId: id, subjectId: recall.initiator_subject_id, changes: { note: closingNote } });
    });
    return toView({ ...recall, status: 'closed', closed_at: at, closing_note: closingNote });
  }

  /** Every notice of a recall, with what each subject answered: for those who see the recall whole. */
  async noticesOf(actor: Principal, id: string): Promise<NoticeView[]> {
    const recall = await this.findWhole(actor, id);
    return (await new RecallRepository(this.database.db).notices(id)).map((n) => noticeView(n, recall));
  }

  /** The notices sent to the caller's subject, newest first. */
  async notices(actor: Principal, cursor: string | undefined, limit: number): Promise<Page<NoticeView>> {
    ensure(actor.subjectId !== null, 'not-permitted', 'notices are addressed to subjects; list a recall\'s progress instead');
    const repo = new RecallRepository(this.database.db);
    const rows = await repo.noticesOfSubject(actor.subjectId!, cursor, limit);
    const items = await Promise.all(rows.map(async (n) => noticeView(n, (await repo.find(n.recall_id))!)));
    return { items, nextCursor: rows.length === limit ? rows[rows.length - 1]!.id : null };
  }

  async acknowledge(actor: Principal, noticeId: string, outcome: { found?: Amount[]; returned?: Amount[]; destroyed?: Amount[]; note?: string }): Promise<NoticeView> {
    const repo = new RecallRepository(this.database.db);
    const notice = await repo.notice(noticeId);
    if (!notice) throw notFound('notice-not-found', `no notice ${noticeId}`);
    const mayAnswer = (actor.role === 'subject_admin' || actor.role === 'subject_operator') && actor.subjectId === notice.subject_id;
    ensure(mayAnswer || actor.role === 'platform_admin', 'not-permitted', 'a notice is acknowledged by the users of the subject it is addressed to');
    const recall = (await repo.find(notice.recall_id))!;
    if (recall.status === 'closed') throw conflict('recall-closed', 'the recall is closed');
    await refuseIfStartedBelow(repo, recall.id);
    const amounts = (list: Amount[] | undefined, field: string) =>
      (list ?? []).map((a, i) => {
        if (!Number.isFinite(a.quantity) || a.quantity < 0 || !/^[A-Z0-9]{1,3}$/.test(a.uom)) throw invalid('invalid-amount', `${field}[${i}] needs a quantity ≥ 0 and a UN/CEFACT unit code`, [{ pointer: `/${field}/${i}`, message: 'invalid amount' }]);
        return { quantity: a.quantity, uom: a.uom };
      });
    const result: Outcome = { found: amounts(outcome.found, 'found'), returned: amounts(outcome.returned, 'returned'), destroyed: amounts(outcome.destroyed, 'destroyed'), note: outcome.note?.trim() || null };
    const at = new Date().toISOString();
    await this.database.transaction(async (trx) => {
      await new RecallRepository(trx).acknowledge(noticeId, at, JSON.stringify(result));
      await recordAudit(trx, actor, { action: 'recall.acknowledge', targetType: 'recall_notice', targetId: noticeId, subjectId: notice.subject_id, changes: { ...result } });
    });
    return noticeView({ ...notice, status: 'acknowledged', acknowledged_at: at, outcome: JSON.stringify(result) }, recall);
  }

  /**
   * Orders a stop-trade of what a failed inspection (bizStep `inspecting`, disposition `non_conformant`) among
   * `eventIds` names: the MOFCOM 肉菜 rule of stopping trade downstream at once. Run after capture when configured.
   */
  async stopTradeOnFailedInspection(eventIds: string[]): Promise<RecallView[]> {
    const system = systemPrincipal('auto-stop-trade');
    const orders: RecallView[] = [];
    for (let i = 0; i < eventIds.length; i += 1_000) {
      const page = await this.events.query(system, { EQ_eventID: eventIds.slice(i, i + 1_000).join('|'), EQ_bizStep: 'inspecting', EQ_disposition: 'non_conformant', perPage: '1000' });
      for (const event of page.events) {
        const things = thingsNamed(event).slice(0, MAX_RECALL_ROOTS);
        if (things.length === 0) continue;
        orders.push(await this.create(system, { codes: things, reason: `检验不合格，自动中止交易 (event ${String(event.eventID)})`, kind: 'stop_trade' }));
      }
    }
    return orders;
  }

  private async find(id: string): Promise<RecallTable> {
    const recall = await new RecallRepository(this.database.db).find(id);
    if (!recall) throw notFound('recall-not-found', `no recall ${id}`);
    return recall;
  }

  private async findWhole(actor: Principal, id: string): Promise<RecallTable> {
    const recall = await this.find(id);
    ensure(await this.seesWhole(actor, recall), 'not-permitted', 'a recall is seen whole by its initiator, the regulators of an affected region and platform admins; affected subjects see their notices');
    return recall;
  }

  private async seesWhole(actor: Principal, recall: RecallTable): Promise<boolean> {
    if (actor.role === 'platform_admin' || (actor.role === 'auditor' && actor.subjectId === null)) return true;
    if (recall.actor === actor.actor) return true;
    if (actor.subjectId !== null && actor.subjectId === recall.initiator_subject_id) return true;
    if (actor.role === 'regulator') {
      const affected = JSON.parse(recall.affected) as Affected;
      if (affected.subjects.some((s) => regulatorCovers(actor, s.regionCode))) return true;
      if (recall.initiator_region !== null && regulatorCovers(actor, recall.initiator_region.padEnd(6, '0'))) return true;
      const initiator = recall.initiator_subject_id ? await new SubjectsRepository(this.database.db).findById(recall.initiator_subject_id) : undefined;
      return initiator !== undefined && regulatorCovers(actor, initiator.regionCode);
    }
    return false;
  }

  /**
   * Who may recall what: platform admins and regulators anything; a subject's admin only its own goods (codes it
   * issued or registered, or GS1 keys under its company prefixes).
   */
  private async initiator(actor: Principal, roots: string[]): Promise<{ subjectId: string | null; region: string | null }> {
    if (actor.role === 'platform_admin') return { subjectId: actor.onBehalfOf, region: null };
    if (actor.role === 'regulator' && actor.regionPrefix !== null) {
      // A regulator orders recalls of goods of its region: the owner of a registered code or of a GS1 company prefix.
      const registered = await new IssuanceRepository(this.database.db).find(roots);
      for (const root of roots) {
        const entry = registered.get(root);
        if (entry) ensure(regulatorCovers(actor, entry.ownerRegionCode), 'not-your-region', `${root} belongs to a subject outside this regulator's region`);
      }
      return { subjectId: null, region: actor.regionPrefix };
    }
    ensure(actor.role === 'subject_admin' && actor.subjectStatus === 'active' && actor.subjectId !== null, 'not-permitted', 'recalls are initiated by a subject admin for its own goods, a regulator or a platform admin');
    const subject = (await new SubjectsRepository(this.database.db).findById(actor.subjectId!))!;
    const registered = await new IssuanceRepository(this.database.db).find(roots);
    for (const root of roots) {
      const own = registered.get(root)?.batch.subjectId === subject.id || ownsGs1Key(root, subject.companyPrefixes);
      ensure(own, 'not-your-goods', `${root} is not a code of ${subject.subjectCode}'s goods; ask a regulator to order a recall`);
    }
    return { subjectId: subject.id, region: null };
  }

  private async affected(traces: { result: Awaited<ReturnType<TraceService['trace']>>; events: Map<string, TracedEvent[]> }[]): Promise<{ affected: Affected; holdings: Map<string, Set<string>> }> {
    const subjects = new Map<string, Affected['subjects'][number]>();
    const locations = new Map<string, Affected['locations'][number]>();
    const holdings = new Map<string, Set<string>>();
    const lots = new Set<string>();
    const items = new Set<string>();
    const made = new Map<string, Amount>();
    const hold = (subjectId: string, code: string) => holdings.set(subjectId, (holdings.get(subjectId) ?? new Set()).add(code));
    for (const { result, events } of traces) {
      for (const s of result.subjects) subjects.set(s.id, { id: s.id, subjectCode: s.subjectCode, name: s.name, regionCode: s.regionCode });
      for (const l of result.locations) locations.set(l.gln, { gln: l.gln, name: l.name, subjectId: l.subjectId, regionCode: l.regionCode });
      const placeOwner = new Map(result.locations.filter((l) => l.subjectId).map((l) => [l.gln, l.subjectId!]));
      for (const node of result.nodes) {
        if (node.kind === 'lot' || node.kind === 'class') lots.add(node.code);
        else items.add(node.code);
        if (node.holder?.subjectId) hold(node.holder.subjectId, node.code);
        for (const event of events.get(node.id) ?? []) {
          for (const gln of placesOf(event)) {
            const owner = placeOwner.get(gln);
            if (owner) hold(owner, node.code);
          }
          for (const q of quantitiesOf(event, node.code)) {
            const key = `${node.code}\u0000${q.uom}`;
            if ((made.get(key)?.quantity ?? 0) < q.quantity) made.set(key, q);
          }
        }
      }
    }
    const quantities = new Map<string, number>();
    for (const q of made.values()) quantities.set(q.uom, (quantities.get(q.uom) ?? 0) + q.quantity);
    if (items.size) quantities.set('EA', (quantities.get('EA') ?? 0) + items.size);
    return {
      affected: {
        subjects: [...subjects.values()].filter((s) => holdings.has(s.id)).sort((a, b) => a.regionCode.localeCompare(b.regionCode)),
        locations: [...locations.values()],
        lots: [...lots].sort(),
        items: [...items].sort(),
        quantities: [...quantities].map(([uom, quantity]) => ({ quantity, uom })),
      },
      holdings,
    };
  }

  /**
   * The flagged movements of every open recall the actor's list holds, newest first: goods received, sold or dispensed
   * although recalled, the warnings a regulator acts on, in one answer rather than a progress request per recall.
   */
  async flaggedOfOpen(actor: Principal): Promise<FlaggedMovement[]> {
    const repo = new RecallRepository(this.database.db);
    const found: FlaggedMovement[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list(actor, cursor, 500);
      for (const recall of page.items) {
        if (recall.status !== 'open') continue;
        const about = { id: recall.id, kind: recall.kind, level: recall.level, reason: recall.reason, createdAt: recall.createdAt };
        for (const movement of await this.flagged(await repo.codesOf(recall.id), recall.createdAt)) found.push({ ...movement, recall: about });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return found.sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
  }

  private async flagged(codes: string[], since: string): Promise<Progress['flagged']> {
    const system = systemPrincipal('recall');
    const flagged = new Map<string, Progress['flagged'][number]>();
    const wanted = new Set(codes);
    for (const parameter of ['MATCH_anyEPC', 'MATCH_anyEPCClass']) {
      for (let i = 0; i < codes.length; i += 1_000) {
        let nextPageToken: string | null = null;
        do {
          const page = await this.events.query(system, { [parameter]: codes.slice(i, i + 1_000).join('|'), EQ_bizStep: FLAGGED_STEPS.join('|'), GE_recordTime: since, perPage: '1000', ...(nextPageToken ? { nextPageToken } : {}) });
          for (const e of page.events) {
            const named = thingsNamed(e).filter((c) => wanted.has(c));
            const id = String(e.eventID);
            const entry = flagged.get(id) ?? { eventID: id, bizStep: typeof e.bizStep === 'string' ? e.bizStep : null, eventTime: String(e.eventTime), codes: [] };
            entry.codes = [...new Set([...entry.codes, ...named])];
            flagged.set(id, entry);
          }
          nextPageToken = page.nextPageToken;
        } while (nextPageToken);
      }
    }
    return [...flagged.values()].sort((a, b) => Date.parse(a.eventTime) - Date.parse(b.eventTime));
  }
}

function ownsGs1Key(code: string, prefixes: string[]): boolean {
  if (parseCodeUri(code)) return false;
  const m = /^https:\/\/id\.gs1\.org\/(01|00|414|417|8003|8004)\/(\d+)/.exec(code);
  if (!m) return false;
  const digits = m[1] === '01' || m[1] === '00' ? m[2]!.slice(1) : m[2]!;
  return prefixes.some((p) => digits.startsWith(p));
}

function placesOf(event: TracedEvent): string[] {
  const b = event.body;
  const out: string[] = [];
  const add = (uri: unknown) => {
    const m = typeof uri === 'string' ? /^https:\/\/id\.gs1\.org\/414\/(\d{13})/.exec(uri) : null;
    if (m) out.push(m[1]!);
  };
  add((b.readPoint as { id?: unknown } | undefined)?.id);
  add((b.bizLocation as { id?: unknown } | undefined)?.id);
  for (const d of (Array.isArray(b.destinationList) ? b.destinationList : []) as { destination?: string }[]) add(d.destination);
  return out;
}

function quantitiesOf(event: TracedEvent, code: string): Amount[] {
  const out: Amount[] = [];
  for (const key of ['quantityList', 'outputQuantityList', 'childQuantityList']) {
    for (const q of (Array.isArray(event.body[key]) ? event.body[key] : []) as { epcClass?: string; quantity?: number; uom?: string }[]) {
      if (q.epcClass === code && typeof q.quantity === 'number') out.push({ quantity: q.quantity, uom: q.uom ?? 'EA' });
    }
  }
  return out;
}


function toView(r: RecallTable): RecallView {
  return {
    id: r.id,
    kind: r.kind,
    level: r.level === null ? null : Number(r.level),
    reason: r.reason,
    status: r.status,
    initiator: { actor: r.actor, subjectId: r.initiator_subject_id },
    roots: JSON.parse(r.roots) as string[],
    affected: JSON.parse(r.affected) as Affected,
    createdAt: r.created_at,
    closedAt: r.closed_at,
    closingNote: r.closing_note,
  };
}

/** A recall a lower platform started is shown here read-only: it is answered and closed where it was started. */
async function refuseIfStartedBelow(repo: RecallRepository, id: string): Promise<void> {
  if (await repo.startedBelow(id)) throw conflict('recall-read-only', `recall ${id} was started at a lower platform: it is answered and closed there`);
}

function noticeView(n: RecallNoticeTable, r: RecallTable): NoticeView {
  return {
    id: n.id,
    recallId: n.recall_id,
    subjectId: n.subject_id,
    status: n.status,
    recall: { kind: r.kind, level: r.level === null ? null : Number(r.level), reason: r.reason, status: r.status, createdAt: r.created_at },
    holdings: JSON.parse(n.holdings) as string[],
    createdAt: n.created_at,
    acknowledgedAt: n.acknowledged_at,
    outcome: n.outcome ? (JSON.parse(n.outcome) as Outcome) : null,
  };
}
