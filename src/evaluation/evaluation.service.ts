import { uuidv7 } from 'uuidv7';
import { ensure, regulatorCovers } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import type { Database, Executor } from '../db/index.js';
import { notFound } from '../domain/errors.js';
import { addFieldSheet, addSheet, csvText, newWorkbook, xlsxBuffer, XLSX_TYPE, type Column } from '../trace/spreadsheet.js';
import { isSummary } from '../epcis/summary.js';
import { EvaluationRepository, memberActor, type UnitFilter, type UnitRow } from './evaluation.repository.js';
import {
  availability,
  completeness,
  consistency,
  GRADE_FLOORS,
  movementOf,
  parsePeriod,
  percentile,
  periodsUpTo,
  previousPeriod,
  RECEIPT_GRACE_MS,
  rejection,
  scoreOf,
  timeliness,
  TIMELINESS_THRESHOLD_MS,
  WEIGHTS,
  type EventFacts,
  type Grade,
  type MeasureName,
  type Measures,
  type Movement,
  type Period,
  type PeriodKind,
  type Submission,
} from './scoring.js';

/**
 * Monitoring and evaluation of the systems and platforms connected here (docs/EVALUATION.md): every figure is
 * measured from what arrived — the events' own times against their arrival, their fields, the receipts that answer
 * their shipments, the batches and capture jobs accepted or refused, the days of contact — and scored by the pure
 * rules of scoring.ts. Nothing is stored but the batch outcomes the federation service records as they happen.
 */

/** The periods of a unit's trend: this one and the five before it. */
export const TREND_PERIODS = 6;

/** A unit as the evaluation shows it: what names it and where it stands. */
export type EvaluatedUnit = Pick<UnitRow, 'kind' | 'id' | 'name' | 'code' | 'memberKind' | 'level' | 'regionCode'>;

export interface PeriodRef {
  kind: PeriodKind;
  key: string;
  start: string;
  end: string;
}

export interface Evaluation {
  /** The place in the ranked list; null on a unit's own page, which ranks nothing. */
  rank: number | null;
  unit: EvaluatedUnit;
  score: number;
  grade: Grade;
  /** The weight each measure carried this period (measures without figures carry none; docs/EVALUATION.md). */
  weights: Record<MeasureName, number>;
  measures: Measures;
  previous: { period: string; score: number; grade: Grade } | null;
  change: number | null;
}

export interface Ranking {
  period: PeriodRef;
  evaluatedAt: string;
  items: Evaluation[];
}

export interface UnitEvaluation extends Evaluation {
  period: PeriodRef;
  evaluatedAt: string;
  /** The unit's score in this period and the ones before, oldest first; null before it was connected. */
  trend: { period: string; score: number | null; grade: Grade | null }[];
}

export type EvaluationFormat = 'csv' | 'xlsx';

interface Scored {
  unit: UnitRow;
  score: number;
  grade: Grade;
  weights: Record<MeasureName, number>;
  measures: Measures;
}

const isAdmin = (p: Principal) => p.role === 'platform_admin';
const isPlatformAuditor = (p: Principal) => p.role === 'auditor' && p.subjectId === null;

/** What the federation service knows of a batch once its sender is known to be the member. */
export interface BatchOutcome {
  memberId: string;
  arrivedAt: Date;
  outcome: 'accepted' | 'refused';
  errorCode: string | null;
  from: number;
  to: number;
  /** The event times the batch carried, in milliseconds. */
  eventTimesMs: number[];
  stored: number;
}

/**
 * Records one batch's outcome with its lag figures (arrival minus event time). Called by the federation service for
 * refused batches too, which write nothing else: a refusal is a figure of its own.
 */
export async function recordBatchOutcome(db: Executor, outcome: BatchOutcome): Promise<void> {
  const times = outcome.eventTimesMs.filter((t) => Number.isFinite(t));
  const arrived = outcome.arrivedAt.getTime();
  const lags = times.map((t) => Math.max(0, arrived - t)).sort((a, b) => a - b);
  await new EvaluationRepository(db).insertBatchOutcome({
    id: uuidv7(),
    member_id: outcome.memberId,
    arrived_at: outcome.arrivedAt.toISOString(),
    outcome: outcome.outcome,
    error_code: outcome.errorCode,
    from_leaf: outcome.from,
    to_leaf: outcome.to,
    events: outcome.eventTimesMs.length,
    stored: outcome.stored,
    earliest_event_ms: times.length ? Math.min(...times) : null,
    latest_event_ms: times.length ? Math.max(...times) : null,
    median_lag_ms: percentile(lags, 0.5),
    max_lag_ms: lags.length ? lags[lags.length - 1]! : null,
  });
}

const FAILED_CAPTURE = 'capture-job-failed';

export class EvaluationService {
  constructor(private readonly database: Database) {}

  /** The ranked list of a period: every unit the key may see, best first, with the previous period's score. */
  async ranking(actor: Principal, kind: PeriodKind, at: string | undefined): Promise<Ranking> {
    const filter = this.scopeOf(actor);
    const now = Date.now();
    const period = parsePeriod(kind, at, now);
    const repo = new EvaluationRepository(this.database.db);
    const units = await repo.units(cutOff(period, now), filter);
    const current = await this.evaluate(units, period, now);
    const before = previousPeriod(period);
    const previous = new Map((await this.evaluate(units.filter((u) => u.connectedAt < before.end), before, now)).map((s) => [s.unit.id, s]));
    const items = current
      .sort((a, b) => b.score - a.score || a.unit.name.localeCompare(b.unit.name) || a.unit.id.localeCompare(b.unit.id))
      .map((s, i) => evaluationOf(s, i + 1, previous.get(s.unit.id), before));
    return { period: periodRef(period), evaluatedAt: new Date(now).toISOString(), items };
  }

  /** One unit: its figures with their inputs, and its trend over the periods before. */
  async unit(actor: Principal, id: string, kind: PeriodKind, at: string | undefined): Promise<UnitEvaluation> {
    this.scopeOf(actor);
    const now = Date.now();
    const period = parsePeriod(kind, at, now);
    const [unit] = await new EvaluationRepository(this.database.db).units(cutOff(period, now), { id });
    if (!unit) throw notFound('evaluation-unit-not-found', `no member or connected subject ${id} was connected in ${period.key}`);
    ensure(this.maySee(actor, unit), 'evaluation-not-permitted', 'this unit is outside the key\'s scope');
    const periods = periodsUpTo(period, TREND_PERIODS);
    const scored = await Promise.all(periods.map(async (p) => (unit.connectedAt < p.end ? (await this.evaluate([unit], p, now))[0]! : null)));
    const trend = periods.map((p, i) => ({ period: p.key, score: scored[i]?.score ?? null, grade: scored[i]?.grade ?? null }));
    const before = scored[scored.length - 2] ?? undefined;
    return {
      ...evaluationOf(scored[scored.length - 1]!, null, before, previousPeriod(period)),
      period: periodRef(period),
      evaluatedAt: new Date(now).toISOString(),
      trend,
    };
  }

  /** The ranked list as CSV or XLSX (with a sheet saying how it was scored). */
  async spreadsheet(actor: Principal, kind: PeriodKind, at: string | undefined, format: EvaluationFormat): Promise<{ body: Buffer; contentType: string; filename: string }> {
    const ranking = await this.ranking(actor, kind, at);
    const filename = `evaluation-${ranking.period.key}.${format}`;
    if (format === 'csv') return { body: Buffer.from(csvText(RANKING_COLUMNS, ranking.items), 'utf8'), contentType: 'text/csv; charset=utf-8', filename };
    const workbook = newWorkbook(ranking.evaluatedAt);
    addSheet(workbook, '排名 Ranking', RANKING_COLUMNS, ranking.items);
    addFieldSheet(workbook, '计分 Scoring', [
      ['周期 Period', `${ranking.period.kind} ${ranking.period.key}`],
      ['起 From (UTC)', ranking.period.start],
      ['止 To (UTC)', ranking.period.end],
      ['评价时间 Evaluated at', ranking.evaluatedAt],
      ['公式 Formula', 'score = 100 × Σ weight × measure ÷ Σ weight, over the measures with figures this period'],
      ...(Object.entries(WEIGHTS) as [MeasureName, number][]).map(([name, weight]): [string, number, string] => [`权重 Weight: ${name}`, weight, '0%']),
      ['及时 On time within (hours)', TIMELINESS_THRESHOLD_MS / 3_600_000],
      ['收货应答期 Receipt grace (hours)', RECEIPT_GRACE_MS / 3_600_000],
      ['等级 Grades', `${GRADE_FLOORS.map(([grade, floor]) => `${grade} ≥ ${floor}`).join(', ')}, D below`],
    ]);
    return { body: await xlsxBuffer(workbook), contentType: XLSX_TYPE, filename };
  }

  /** The latest complete day's score of every member: what /metrics shows. */
  async memberScores(actor: Principal): Promise<{ unit: EvaluatedUnit; score: number }[]> {
    const filter = this.scopeOf(actor);
    const now = Date.now();
    const yesterday = previousPeriod(parsePeriod('day', undefined, now));
    const units = (await new EvaluationRepository(this.database.db).units(yesterday.end, filter)).filter((u) => u.kind === 'member');
    return (await this.evaluate(units, yesterday, now)).map((s) => ({ unit: unitOf(s.unit), score: s.score }));
  }

  /** Who may see which units (docs/ACCESS.md): all for admins and platform auditors, a region for its regulators, itself for a member. */
  private scopeOf(actor: Principal): UnitFilter {
    if (isAdmin(actor) || isPlatformAuditor(actor)) return {};
    if (actor.role === 'regulator' && actor.regionPrefix !== null) return { regionPrefix: actor.regionPrefix };
    ensure(actor.role === 'federation_member' && actor.userId !== null, 'evaluation-not-permitted', 'evaluations are read by platform admins, platform auditors, regulators and each member of its own');
    return { memberUserId: actor.userId! };
  }

  private maySee(actor: Principal, unit: UnitRow): boolean {
    if (isAdmin(actor) || isPlatformAuditor(actor)) return true;
    if (actor.role === 'regulator') return unit.regionCode !== null && regulatorCovers(actor, unit.regionCode);
    return unit.kind === 'member' && actor.userId !== null && unit.actor === memberActor(actor.userId);
  }

  /** Every measure of every unit in one period, from the data that arrived in it. */
  private async evaluate(units: UnitRow[], period: Period, nowMs: number): Promise<Scored[]> {
    if (units.length === 0) return [];
    const repo = new EvaluationRepository(this.database.db);
    const members = units.filter((u) => u.kind === 'member');
    const subjects = units.filter((u) => u.kind === 'subject');
    const byActor = new Map(members.map((m) => [m.actor!, m.id]));
    const memberIds = members.map((m) => m.id);
    const subjectIds = subjects.map((s) => s.id);

    const data = new Map(units.map((u) => [u.id, { lags: [] as number[], facts: [] as EventFacts[], shipments: [] as Movement[], submissions: [] as Submission[], contacts: [] as number[] }]));
    for (const e of await repo.arrivedEvents(period.startMs, period.endMs, [...byActor.keys()], subjectIds)) {
      const unit = data.get(byActor.get(e.actor) ?? e.ownerSubjectId ?? '');
      if (!unit) continue;
      const body = JSON.parse(e.body) as Record<string, unknown>;
      unit.lags.push(e.recordTimeMs - e.eventTimeMs);
      // A summary leaves out what completeness asks for (ILMD, certificates, transactions): it is not counted there.
      if (!isSummary(body)) unit.facts.push({ eventType: e.eventType, bizStep: e.bizStep, productClass: e.productClass, body });
      if (e.bizStep === 'shipping') unit.shipments.push(movementOf(e.eventTimeMs, body));
    }
    const shipTimes = [...data.values()].flatMap((d) => d.shipments.map((s) => s.timeMs));
    const receipts = shipTimes.length
      ? (await repo.receipts(shipTimes.reduce((a, b) => Math.min(a, b)), shipTimes.reduce((a, b) => Math.max(a, b)) + RECEIPT_GRACE_MS)).map((r) => movementOf(r.eventTimeMs, JSON.parse(r.body) as Record<string, unknown>))
      : [];

    for (const b of await repo.batchOutcomes(period.start, period.end, memberIds)) {
      const unit = data.get(b.member_id)!;
      unit.submissions.push({ outcome: b.outcome, errorCode: b.error_code });
      unit.contacts.push(Date.parse(b.arrived_at));
    }
    for (const job of await repo.captureJobs(period.start, period.end, subjectIds)) {
      const unit = data.get(job.subjectId)!;
      unit.submissions.push(job.status === 'failed' ? { outcome: 'refused', errorCode: FAILED_CAPTURE } : { outcome: 'accepted', errorCode: null });
      unit.contacts.push(Date.parse(job.createdAt));
    }
    const lastContacts = await repo.lastContacts(period.end, memberIds, subjectIds);

    return units.map((unit) => {
      const d = data.get(unit.id)!;
      const ownLast = unit.lastBatchAt !== null && unit.lastBatchAt < period.end ? unit.lastBatchAt : null;
      const recorded = lastContacts.get(unit.id) ?? null;
      const lastContact = ownLast !== null && (recorded === null || ownLast > recorded) ? ownLast : recorded;
      const measures: Measures = {
        timeliness: timeliness(d.lags),
        completeness: completeness(d.facts),
        consistency: consistency(d.shipments, receipts, nowMs),
        rejection: rejection(d.submissions),
        availability: availability({ contactsMs: d.contacts, lastContact, connectedMs: Date.parse(unit.connectedAt), period, nowMs }),
      };
      const { score, grade, weightsApplied } = scoreOf(measures);
      return { unit, score, grade, weights: weightsApplied, measures };
    });
  }
}

/** Units connected by the period's end, or by now while the period runs. */
const cutOff = (period: Period, nowMs: number) => new Date(Math.min(period.endMs, nowMs + 1)).toISOString();

const periodRef = (p: Period): PeriodRef => ({ kind: p.kind, key: p.key, start: p.start, end: p.end });

const unitOf = (u: UnitRow): EvaluatedUnit => ({ kind: u.kind, id: u.id, name: u.name, code: u.code, memberKind: u.memberKind, level: u.level, regionCode: u.regionCode });

function evaluationOf(s: Scored, rank: number | null, previous: Scored | null | undefined, previousPeriod: Period): Evaluation {
  return {
    rank,
    unit: unitOf(s.unit),
    score: s.score,
    grade: s.grade,
    weights: s.weights,
    measures: s.measures,
    previous: previous ? { period: previousPeriod.key, score: previous.score, grade: previous.grade } : null,
    change: previous ? Math.round((s.score - previous.score) * 10) / 10 : null,
  };
}

const HOUR_MS = 3_600_000;
const hours = (ms: number | null) => (ms === null ? null : Math.round((ms / HOUR_MS) * 100) / 100);
const share = (value: number | null) => (value === null ? null : Math.round(value * 10_000) / 10_000);
const PERCENT = '0.0%';

/** The ranked list's columns, in the order a regulator reads them: who, how they scored, then each measure's inputs. */
export const RANKING_COLUMNS: Column<Evaluation>[] = [
  { header: '排名 Rank', width: 6, value: (e) => e.rank },
  { header: '名称 Name', width: 26, value: (e) => e.unit.name },
  { header: '类别 Kind', width: 10, value: (e) => (e.unit.kind === 'member' ? (e.unit.memberKind ?? 'member') : 'subject') },
  { header: '标识 Code', width: 30, value: (e) => e.unit.code },
  { header: '层级 Level', width: 10, value: (e) => e.unit.level },
  { header: '行政区划 Region code', width: 10, value: (e) => e.unit.regionCode },
  { header: '得分 Score', width: 8, format: '0.0', value: (e) => e.score },
  { header: '等级 Grade', width: 6, value: (e) => e.grade },
  { header: '上期得分 Previous score', width: 10, format: '0.0', value: (e) => e.previous?.score ?? null },
  { header: '变化 Change', width: 8, format: '+0.0;-0.0;0.0', value: (e) => e.change },
  { header: '及时率 On time', width: 10, format: PERCENT, value: (e) => share(e.measures.timeliness.value) },
  { header: '延迟中位数 Median lag (h)', width: 12, format: '0.00', value: (e) => hours(e.measures.timeliness.medianLagMs) },
  { header: '延迟P95 P95 lag (h)', width: 12, format: '0.00', value: (e) => hours(e.measures.timeliness.p95LagMs) },
  { header: '事件 Events', width: 8, value: (e) => e.measures.timeliness.events },
  { header: '完整率 Completeness', width: 12, format: PERCENT, value: (e) => share(e.measures.completeness.value) },
  { header: '缺失 Missing', width: 30, value: (e) => Object.entries(e.measures.completeness.missing).map(([element, n]) => `${element}: ${n}`).join('; ') || null },
  { header: '一致率 Consistency', width: 12, format: PERCENT, value: (e) => share(e.measures.consistency.value) },
  { header: '发货 Shipments', width: 9, value: (e) => e.measures.consistency.shipments },
  { header: '已收货 Answered', width: 9, value: (e) => e.measures.consistency.answered },
  { header: '未收货 Unanswered', width: 9, value: (e) => e.measures.consistency.unanswered },
  { header: '数量平衡 Quantity balance', width: 12, format: PERCENT, value: (e) => share(e.measures.consistency.quantityBalance) },
  { header: '拒收率 Rejection rate', width: 12, format: PERCENT, value: (e) => share(e.measures.rejection.rate) },
  { header: '提交 Submissions', width: 10, value: (e) => e.measures.rejection.submissions },
  { header: '拒收 Refused', width: 8, value: (e) => e.measures.rejection.refused },
  { header: '在线率 Availability', width: 12, format: PERCENT, value: (e) => share(e.measures.availability.value) },
  { header: '联系天数 Contact days', width: 10, value: (e) => e.measures.availability.contactDays },
  { header: '应报天数 Expected days', width: 10, value: (e) => e.measures.availability.expectedDays },
  { header: '最近联系 Last contact', width: 22, value: (e) => e.measures.availability.lastContact },
];
