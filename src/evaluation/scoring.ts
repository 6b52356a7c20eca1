import { invalid } from '../domain/errors.js';
import type { ProductClass } from '../domain/master-data.js';
import { canonicalIdentifier, shortType } from '../epcis/event-index.js';
import { thingReferences } from '../epcis/things.js';

/**
 * Monitoring and evaluation (分级监测评价, docs/EVALUATION.md) as pure functions: the reporting calendar, each measure
 * from the figures the service reads, and the score and grade. Nothing here reads the database or the clock; the
 * service passes `now` in, so a period's figures depend only on the data.
 */

// --- the reporting calendar ------------------------------------------------------------------------------------

/** Periods follow Beijing time: a day of reporting ends at midnight in China, not in Greenwich. */
export const REPORTING_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export const PERIOD_KINDS = ['day', 'week', 'month'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];
export const DEFAULT_PERIOD: PeriodKind = 'month';

export interface Period {
  kind: PeriodKind;
  /** `2026-11-23`, `2026-W48` or `2026-11`. */
  key: string;
  /** [start, end) in UTC. */
  start: string;
  end: string;
  startMs: number;
  endMs: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** The Beijing calendar date of an instant, as a Date whose UTC fields carry it. */
const local = (ms: number) => new Date(ms + REPORTING_OFFSET_MS);
const fromLocal = (localMs: number) => localMs - REPORTING_OFFSET_MS;
export const dayKey = (ms: number): string => local(ms).toISOString().slice(0, 10);

function isoWeek(localMidnight: number): { year: number; week: number; monday: number } {
  const dow = (new Date(localMidnight).getUTCDay() + 6) % 7;
  const monday = localMidnight - dow * DAY_MS;
  // The ISO week belongs to the year of its Thursday; week 1 is the one holding 4 January.
  const thursday = new Date(monday + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { year, week, monday };
}

function periodOf(kind: PeriodKind, instantMs: number): Period {
  const d = local(instantMs);
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  let startLocal: number;
  let endLocal: number;
  let key: string;
  if (kind === 'day') {
    startLocal = midnight;
    endLocal = midnight + DAY_MS;
    key = new Date(midnight).toISOString().slice(0, 10);
  } else if (kind === 'week') {
    const { year, week, monday } = isoWeek(midnight);
    startLocal = monday;
    endLocal = monday + 7 * DAY_MS;
    key = `${year}-W${pad(week)}`;
  } else {
    startLocal = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    endLocal = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    key = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
  }
  const startMs = fromLocal(startLocal);
  const endMs = fromLocal(endLocal);
  return { kind, key, start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString(), startMs, endMs };
}

const badPeriod = (at: string, kind: PeriodKind) =>
  invalid('evaluation-period-invalid', `${at} names no ${kind}: give a date (2026-11-23), a week (2026-W48) or a month (2026-11)`, [{ pointer: '/at', message: 'not a period' }]);

/**
 * The period of `kind` that `at` names: a date (the period holding it), an ISO week `2026-W48` or a month `2026-11`;
 * without `at`, the period holding `nowMs`.
 */
export function parsePeriod(kind: PeriodKind, at: string | undefined, nowMs: number): Period {
  if (at === undefined) return periodOf(kind, nowMs);
  const period = namedPeriod(kind, at);
  // Nothing has arrived in a period yet to come: every unit would score nil for want of expected days.
  if (period.startMs > nowMs) throw invalid('evaluation-period-future', `${period.key} has not begun`, [{ pointer: '/at', message: 'in the future' }]);
  return period;
}

function namedPeriod(kind: PeriodKind, at: string): Period {
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(at);
  if (match) {
    const localMs = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    if (new Date(localMs).toISOString().slice(0, 10) !== at) throw badPeriod(at, kind);
    return periodOf(kind, fromLocal(localMs));
  }
  match = /^(\d{4})-(\d{2})$/.exec(at);
  if (match && kind === 'month') {
    const month = Number(match[2]);
    if (month < 1 || month > 12) throw badPeriod(at, kind);
    return periodOf(kind, fromLocal(Date.UTC(Number(match[1]), month - 1, 1)));
  }
  match = /^(\d{4})-W(\d{2})$/.exec(at);
  if (match && kind === 'week') {
    const year = Number(match[1]);
    const week = Number(match[2]);
    const { monday } = isoWeek(Date.UTC(year, 0, 4));
    const period = periodOf(kind, fromLocal(monday + (week - 1) * 7 * DAY_MS));
    if (week < 1 || period.key !== at) throw badPeriod(at, kind);
    return period;
  }
  throw badPeriod(at, kind);
}

export const previousPeriod = (period: Period): Period => periodOf(period.kind, period.startMs - 1);

/** The period and the `count − 1` before it, oldest first. */
export function periodsUpTo(period: Period, count: number): Period[] {
  const periods = [period];
  while (periods.length < count) periods.unshift(previousPeriod(periods[0]!));
  return periods;
}

// --- timeliness ------------------------------------------------------------------------------------------------

/** An event reported within a day of happening is on time (most sector rules ask for upload within 24 hours). */
export const TIMELINESS_THRESHOLD_MS = 24 * 3_600_000;

export interface Timeliness {
  value: number | null;
  events: number;
  medianLagMs: number | null;
  p95LagMs: number | null;
  withinThreshold: number;
  thresholdMs: number;
}

/** Nearest-rank percentile of sorted figures. */
export function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

/** Lags are arrival minus event time; an event time ahead of the arrival (a skewed clock) counts as no lag. */
export function timeliness(lagsMs: readonly number[]): Timeliness {
  const sorted = lagsMs.map((l) => Math.max(0, l)).sort((a, b) => a - b);
  const within = sorted.filter((l) => l <= TIMELINESS_THRESHOLD_MS).length;
  return {
    value: sorted.length ? within / sorted.length : null,
    events: sorted.length,
    medianLagMs: percentile(sorted, 0.5),
    p95LagMs: percentile(sorted, 0.95),
    withinThreshold: within,
    thresholdMs: TIMELINESS_THRESHOLD_MS,
  };
}

// --- completeness ----------------------------------------------------------------------------------------------

/** What the completeness measure reads of one event: its type, canonical bizStep, product class and body. */
export interface EventFacts {
  eventType: string;
  bizStep: string | null;
  productClass: string | null;
  body: Record<string, unknown>;
}

export interface RequiredElement {
  element: string;
  appliesTo(e: EventFacts): boolean;
  isPresent(e: EventFacts): boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const hasId = (v: unknown) => isObject(v) && typeof v.id === 'string' && v.id !== '';
const nonEmptyList = (v: unknown) => Array.isArray(v) && v.length > 0;
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'] as const;
const quantityElements = (body: Json): unknown[] => QUANTITY_LISTS.flatMap((key) => (Array.isArray(body[key]) ? (body[key] as unknown[]) : []));
/** An ILMD field by its local name, whatever prefix the document gave it (`cbvmda:lotNumber`, `lotNumber`, …). */
const ilmdField = (body: Json, name: string) => isObject(body.ilmd) && Object.keys(body.ilmd).some((key) => key === name || key.endsWith(`:${name}`));
const isCommissioning = (e: EventFacts) => e.bizStep === 'commissioning';
const isMovement = (e: EventFacts) => e.bizStep === 'shipping' || e.bizStep === 'receiving';
/** A lot named by a class: an LGTIN URN or a GS1 Digital Link with AI 10. */
const namesLot = (code: string) => code.startsWith('urn:epc:class:lgtin:') || /\/10\/[^/]+/.test(code);

/**
 * The default profile: the key data elements every sector's rules share. Without a sector profile for an event's
 * product class this is what its events are held to.
 */
export const DEFAULT_PROFILE: readonly RequiredElement[] = [
  { element: 'bizStep', appliesTo: () => true, isPresent: (e) => e.bizStep !== null },
  { element: 'readPoint', appliesTo: () => true, isPresent: (e) => hasId(e.body.readPoint) },
  // After shipping the goods are in transit: the business location they are at is unknown by definition.
  { element: 'bizLocation', appliesTo: (e) => e.bizStep !== 'shipping', isPresent: (e) => hasId(e.body.bizLocation) },
  {
    element: 'quantityUom',
    appliesTo: (e) => quantityElements(e.body).length > 0,
    isPresent: (e) => quantityElements(e.body).every((q) => isObject(q) && typeof q.quantity === 'number' && typeof q.uom === 'string' && q.uom !== ''),
  },
  {
    element: 'lot',
    appliesTo: isCommissioning,
    isPresent: (e) => {
      const things = thingReferences(e.body);
      return ilmdField(e.body, 'lotNumber') || [...things.epcs, ...things.outputs].some((t) => namesLot(t.code));
    },
  },
  { element: 'ilmd', appliesTo: isCommissioning, isPresent: (e) => isObject(e.body.ilmd) && Object.keys(e.body.ilmd).length > 0 },
  { element: 'source', appliesTo: isMovement, isPresent: (e) => nonEmptyList(e.body.sourceList) },
  { element: 'destination', appliesTo: isMovement, isPresent: (e) => nonEmptyList(e.body.destinationList) },
];

/** Sector profiles: the default and what a sector adds. Drugs carry their expiry from commissioning on (药品追溯). */
export const SECTOR_PROFILES: Partial<Record<ProductClass, readonly RequiredElement[]>> = {
  drug: [...DEFAULT_PROFILE, { element: 'expiry', appliesTo: isCommissioning, isPresent: (e) => ilmdField(e.body, 'itemExpirationDate') }],
};

export const profileFor = (productClass: string | null): { name: string; elements: readonly RequiredElement[] } => {
  const sector = productClass === null ? undefined : SECTOR_PROFILES[productClass as ProductClass];
  return sector ? { name: productClass!, elements: sector } : { name: 'default', elements: DEFAULT_PROFILE };
};

export interface Completeness {
  value: number | null;
  events: number;
  completeEvents: number;
  required: number;
  present: number;
  /** Missing elements by name, with how many events lacked each. */
  missing: Record<string, number>;
  /** The profiles the events were held to. */
  profiles: string[];
}

/** The share of required elements present, counted element by element so a near-complete event scores nearly full. */
export function completeness(events: readonly EventFacts[]): Completeness {
  let required = 0;
  let present = 0;
  let completeEvents = 0;
  const missing: Record<string, number> = {};
  const profiles = new Set<string>();
  for (const e of events) {
    const profile = profileFor(e.productClass);
    profiles.add(profile.name);
    let complete = true;
    for (const r of profile.elements) {
      if (!r.appliesTo(e)) continue;
      required++;
      if (r.isPresent(e)) present++;
      else {
        complete = false;
        missing[r.element] = (missing[r.element] ?? 0) + 1;
      }
    }
    if (complete) completeEvents++;
  }
  return { value: required ? present / required : null, events: events.length, completeEvents, required, present, missing, profiles: [...profiles].sort() };
}

// --- consistency -----------------------------------------------------------------------------------------------

/** A shipment left unanswered this long after it happened is counted as unanswered; before, it is pending. */
export const RECEIPT_GRACE_MS = 72 * 3_600_000;

/** A shipment or a receipt: when, what (each thing with its amount) and to which parties. */
export interface Movement {
  timeMs: number;
  /** Canonical identifier → amount per unit of measure (instances count 1 `item`). */
  lines: Map<string, Map<string, number>>;
  /** The owning or possessing parties in its destination list, canonical. */
  parties: Set<string>;
}

const PARTY_TYPES = new Set(['owning_party', 'possessing_party']);

/** What a shipping or receiving event moved: its EPCs and quantities, its children and parent. */
export function movementOf(eventTimeMs: number, body: Json): Movement {
  const things = thingReferences(body);
  const lines = new Map<string, Map<string, number>>();
  const add = (code: string, uom: string, amount: number) => {
    const key = canonicalIdentifier(code);
    const byUom = lines.get(key) ?? new Map<string, number>();
    byUom.set(uom, (byUom.get(uom) ?? 0) + amount);
    lines.set(key, byUom);
  };
  for (const t of [...things.epcs, ...things.children]) add(t.code, t.uom ?? 'item', t.quantity ?? 1);
  if (things.parent) add(things.parent, 'item', 1);
  const parties = new Set<string>();
  for (const d of Array.isArray(body.destinationList) ? body.destinationList : []) {
    if (isObject(d) && typeof d.type === 'string' && typeof d.destination === 'string' && PARTY_TYPES.has(shortType(d.type))) parties.add(canonicalIdentifier(d.destination));
  }
  return { timeMs: eventTimeMs, lines, parties };
}

export interface Consistency {
  value: number | null;
  shipments: number;
  answered: number;
  unanswered: number;
  pending: number;
  /** Mean share of the shipped amounts the answering receipts account for, over answered shipments. */
  quantityBalance: number | null;
  graceMs: number;
}

/**
 * A receipt answers a shipment when it happened within the grace after it, names one of the things shipped and,
 * when both name the party the goods go to, the same party. Each decided shipment scores the share of its amounts
 * received (capped at what was shipped, line by line); an unanswered one scores nothing.
 */
export function consistency(shipments: readonly Movement[], receipts: readonly Movement[], nowMs: number): Consistency {
  let answered = 0;
  let unanswered = 0;
  let pending = 0;
  let balanceSum = 0;
  for (const ship of shipments) {
    const answers = receipts.filter(
      (r) =>
        r.timeMs >= ship.timeMs &&
        r.timeMs <= ship.timeMs + RECEIPT_GRACE_MS &&
        [...r.lines.keys()].some((code) => ship.lines.has(code)) &&
        (ship.parties.size === 0 || r.parties.size === 0 || [...r.parties].some((p) => ship.parties.has(p))),
    );
    if (answers.length === 0) {
      if (nowMs < ship.timeMs + RECEIPT_GRACE_MS) pending++;
      else unanswered++;
      continue;
    }
    answered++;
    let lineShares = 0;
    let lineCount = 0;
    for (const [code, byUom] of ship.lines) {
      for (const [uom, amount] of byUom) {
        const received = answers.reduce((sum, r) => sum + (r.lines.get(code)?.get(uom) ?? 0), 0);
        lineShares += amount > 0 ? Math.min(1, received / amount) : 1;
        lineCount++;
      }
    }
    balanceSum += lineCount ? lineShares / lineCount : 1;
  }
  const decided = answered + unanswered;
  return {
    value: decided ? balanceSum / decided : null,
    shipments: shipments.length,
    answered,
    unanswered,
    pending,
    quantityBalance: answered ? balanceSum / answered : null,
    graceMs: RECEIPT_GRACE_MS,
  };
}

// --- rejection -------------------------------------------------------------------------------------------------

/**
 * Refusals that are the protocol finding its place again, not faults of what was sent: a batch re-sent after a
 * lost answer, a proof from a size the witness has moved past. They are shown apart and counted in neither figure.
 */
export const RESYNC_CODES: ReadonlySet<string> = new Set(['federation-out-of-order', 'federation-witness-stale']);

export interface Submission {
  outcome: 'accepted' | 'refused';
  errorCode: string | null;
}

export interface Rejection {
  /** 1 − rate: the measure's contribution, so that more is better like the others. */
  value: number | null;
  rate: number | null;
  submissions: number;
  refused: number;
  resyncs: number;
  /** Refusals by problem code. */
  errorCodes: Record<string, number>;
}

export function rejection(submissions: readonly Submission[]): Rejection {
  let counted = 0;
  let refused = 0;
  let resyncs = 0;
  const errorCodes: Record<string, number> = {};
  for (const s of submissions) {
    if (s.outcome === 'refused' && s.errorCode !== null && RESYNC_CODES.has(s.errorCode)) {
      resyncs++;
      continue;
    }
    counted++;
    if (s.outcome === 'refused') {
      refused++;
      const code = s.errorCode ?? 'unknown';
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    }
  }
  const rate = counted ? refused / counted : null;
  return { value: rate === null ? null : 1 - rate, rate, submissions: counted, refused, resyncs, errorCodes };
}

// --- availability ----------------------------------------------------------------------------------------------

export interface Availability {
  value: number | null;
  lastContact: string | null;
  expectedDays: number;
  contactDays: number;
}

/**
 * The share of the reporting days the unit was expected on (from the period's start or its connection, whichever is
 * later, to the period's end or now, whichever is sooner) on which it was in contact at least once.
 */
export function availability(input: { contactsMs: readonly number[]; lastContact: string | null; connectedMs: number; period: Period; nowMs: number }): Availability {
  const fromMs = Math.max(input.period.startMs, input.connectedMs);
  const toMs = Math.min(input.period.endMs, input.nowMs);
  const expected = new Set<string>();
  if (fromMs < toMs) {
    for (let ms = fromMs; ms < toMs; ms += DAY_MS) expected.add(dayKey(ms));
    expected.add(dayKey(toMs - 1));
  }
  const contacted = new Set(input.contactsMs.filter((ms) => ms >= fromMs && ms < toMs).map(dayKey));
  return { value: expected.size ? contacted.size / expected.size : null, lastContact: input.lastContact, expectedDays: expected.size, contactDays: contacted.size };
}

// --- score and grade -------------------------------------------------------------------------------------------

export interface Measures {
  timeliness: Timeliness;
  completeness: Completeness;
  consistency: Consistency;
  rejection: Rejection;
  availability: Availability;
}

export type MeasureName = keyof Measures;

export const WEIGHTS: Readonly<Record<MeasureName, number>> = {
  timeliness: 0.25,
  completeness: 0.25,
  consistency: 0.2,
  rejection: 0.15,
  availability: 0.15,
};

export const GRADES = ['A', 'B', 'C', 'D'] as const;
export type Grade = (typeof GRADES)[number];
/** The lowest score of each grade but the last. */
export const GRADE_FLOORS: readonly [Grade, number][] = [
  ['A', 90],
  ['B', 75],
  ['C', 60],
];

export const gradeOf = (score: number): Grade => GRADE_FLOORS.find(([, floor]) => score >= floor)?.[0] ?? 'D';

/**
 * 100 × the weighted mean of the measures that have figures this period; a measure without any (no shipments, say)
 * is left out and the others' weights scale up, so a unit is neither rewarded nor punished for what it had no
 * occasion to do. A unit with no measure at all scores 0.
 */
export function scoreOf(measures: Measures): { score: number; grade: Grade; weightsApplied: Record<MeasureName, number> } {
  const names = Object.keys(WEIGHTS) as MeasureName[];
  const present = names.filter((n) => measures[n].value !== null);
  const total = present.reduce((sum, n) => sum + WEIGHTS[n], 0);
  const weightsApplied = Object.fromEntries(names.map((n) => [n, present.includes(n) && total > 0 ? WEIGHTS[n] / total : 0])) as Record<MeasureName, number>;
  const raw = present.reduce((sum, n) => sum + weightsApplied[n] * measures[n].value!, 0);
  const score = Math.round(raw * 1000) / 10;
  return { score, grade: gradeOf(score), weightsApplied };
}
