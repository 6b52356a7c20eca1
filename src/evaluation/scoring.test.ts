import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../domain/errors.js';
import {
  availability,
  completeness,
  consistency,
  gradeOf,
  movementOf,
  parsePeriod,
  periodsUpTo,
  previousPeriod,
  RECEIPT_GRACE_MS,
  rejection,
  scoreOf,
  timeliness,
  TIMELINESS_THRESHOLD_MS,
  WEIGHTS,
  type EventFacts,
  type Measures,
} from './scoring.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('the reporting calendar (Beijing time)', () => {
  it('puts a month, a week and a day between Beijing midnights', () => {
    const month = parsePeriod('month', '2026-11', NOW);
    assert.deepEqual([month.key, month.start, month.end], ['2026-11', '2026-10-31T16:00:00.000Z', '2026-11-30T16:00:00.000Z']);
    const week = parsePeriod('week', '2026-W48', NOW);
    // ISO week 48 of 2026 runs from Monday 23 November.
    assert.deepEqual([week.key, week.start, week.end], ['2026-W48', '2026-11-22T16:00:00.000Z', '2026-11-29T16:00:00.000Z']);
    assert.equal(parsePeriod('week', '2026-11-29', NOW).key, '2026-W48');
    assert.equal(parsePeriod('day', '2026-11-23', NOW).start, '2026-11-22T16:00:00.000Z');
  });

  it('takes the period holding now by default, in Beijing rather than UTC', () => {
    // 20:00 UTC on the 30th is already 1 December in Beijing.
    assert.equal(parsePeriod('month', undefined, Date.parse('2026-11-30T20:00:00Z')).key, '2026-12');
    assert.equal(parsePeriod('day', undefined, Date.parse('2026-11-30T15:59:59Z')).key, '2026-11-30');
  });

  it('steps back across a year for weeks and months', () => {
    assert.equal(previousPeriod(parsePeriod('month', '2026-01', NOW)).key, '2025-12');
    assert.equal(previousPeriod(parsePeriod('week', '2026-W01', NOW)).key, '2025-W52');
    assert.deepEqual(periodsUpTo(parsePeriod('month', '2026-03', NOW), 4).map((p) => p.key), ['2025-12', '2026-01', '2026-02', '2026-03']);
  });

  it('refuses a period that has not begun', () => {
    assert.throws(() => parsePeriod('month', '2026-12', NOW), (e: unknown) => e instanceof DomainError && e.code === 'evaluation-period-future');
    assert.equal(parsePeriod('day', '2026-11-23', NOW).key, '2026-11-23');
  });

  it('refuses what names no period', () => {
    for (const [kind, at] of [['month', '2026-13'], ['day', '2026-02-30'], ['week', '2026-W54'], ['day', '2026-11'], ['month', 'November']] as const) {
      assert.throws(() => parsePeriod(kind, at, NOW), (e: unknown) => e instanceof DomainError && e.code === 'evaluation-period-invalid', `${kind} ${at}`);
    }
  });
});

describe('timeliness', () => {
  it('gives the median, the 95th percentile and the share within a day', () => {
    const lags = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((h) => h * HOUR).concat([30 * HOUR, 50 * HOUR]);
    const t = timeliness(lags);
    assert.equal(t.events, 12);
    assert.equal(t.medianLagMs, 6 * HOUR);
    assert.equal(t.p95LagMs, 50 * HOUR);
    assert.equal(t.withinThreshold, 10);
    assert.equal(t.value, 10 / 12);
    assert.equal(t.thresholdMs, TIMELINESS_THRESHOLD_MS);
  });

  it('counts an event time ahead of arrival as no lag, and has no figure without events', () => {
    assert.equal(timeliness([-5 * HOUR]).medianLagMs, 0);
    assert.deepEqual(timeliness([]).value, null);
  });
});

const facts = (body: Record<string, unknown>, productClass: string | null = null): EventFacts => ({
  eventType: String(body.type),
  bizStep: typeof body.bizStep === 'string' ? body.bizStep : null,
  productClass,
  body,
});
const place = { id: 'urn:epc:id:sgln:0614141.00777.0' };

describe('completeness', () => {
  it('holds each event to the elements its step requires and counts what is missing', () => {
    const full = facts({ type: 'ObjectEvent', bizStep: 'commissioning', readPoint: place, bizLocation: place, quantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.107346.L1', quantity: 5, uom: 'KGM' }], ilmd: { 'cbvmda:bestBeforeDate': '2027-01-01' } });
    const bare = facts({ type: 'ObjectEvent', bizStep: 'commissioning', epcList: ['urn:epc:id:sgtin:0614141.107346.1'] });
    const ship = facts({ type: 'ObjectEvent', bizStep: 'shipping', readPoint: place, sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:0614141.00777' }] });
    const c = completeness([full, bare, ship]);
    // full: bizStep readPoint bizLocation quantityUom lot ilmd = 6 of 6; bare: bizStep only of 5; ship: bizStep readPoint source of 4.
    assert.equal(c.required, 15);
    assert.equal(c.present, 10);
    assert.equal(c.value, 10 / 15);
    assert.equal(c.completeEvents, 1);
    assert.deepEqual(c.missing, { readPoint: 1, bizLocation: 1, lot: 1, ilmd: 1, destination: 1 });
    assert.deepEqual(c.profiles, ['default']);
  });

  it('wants a unit of measure on every quantity', () => {
    const c = completeness([facts({ type: 'ObjectEvent', bizStep: 'packing', readPoint: place, bizLocation: place, quantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.107346.L1', quantity: 5 }] })]);
    assert.deepEqual(c.missing, { quantityUom: 1 });
  });

  it('holds drugs to their sector profile, which adds the expiry', () => {
    const body = { type: 'ObjectEvent', bizStep: 'commissioning', readPoint: place, bizLocation: place, ilmd: { 'cbvmda:lotNumber': 'L1' } };
    assert.deepEqual(completeness([facts(body, 'drug')]).missing, { expiry: 1 });
    assert.deepEqual(completeness([facts(body, 'food')]).missing, {});
    assert.deepEqual(completeness([facts(body, 'drug')]).profiles, ['drug']);
  });
});

const T0 = Date.parse('2026-11-10T00:00:00Z');
const ITEM = 'urn:epc:id:sgtin:0614141.107346.1';
const LOT = 'urn:epc:class:lgtin:0614141.107346.L1';
const BUYER = 'urn:epc:id:pgln:0614141.00888';
const OTHER = 'urn:epc:id:pgln:0614141.00999';
const moved = (time: number, things: { epcList?: string[]; quantityList?: unknown[] }, party?: string) =>
  movementOf(time, { ...things, ...(party ? { destinationList: [{ type: 'owning_party', destination: party }] } : {}) });

describe('consistency', () => {
  it('answers a shipment with a later receipt of the same goods and party, and weighs the quantity received', () => {
    const ship = moved(T0, { quantityList: [{ epcClass: LOT, quantity: 100, uom: 'KGM' }] }, BUYER);
    const received = moved(T0 + HOUR, { quantityList: [{ epcClass: LOT, quantity: 80, uom: 'KGM' }] }, BUYER);
    const c = consistency([ship], [received], NOW);
    assert.deepEqual([c.shipments, c.answered, c.unanswered, c.pending], [1, 1, 0, 0]);
    assert.equal(c.quantityBalance, 0.8);
    assert.equal(c.value, 0.8);
  });

  it('does not take a receipt before the shipment, by another party, of other goods or after the grace', () => {
    const ship = moved(T0, { epcList: [ITEM] }, BUYER);
    const receipts = [
      moved(T0 - HOUR, { epcList: [ITEM] }, BUYER),
      moved(T0 + HOUR, { epcList: [ITEM] }, OTHER),
      moved(T0 + HOUR, { epcList: ['urn:epc:id:sgtin:0614141.107346.2'] }, BUYER),
      moved(T0 + RECEIPT_GRACE_MS + 1, { epcList: [ITEM] }, BUYER),
    ];
    const c = consistency([ship], receipts, NOW);
    assert.deepEqual([c.answered, c.unanswered], [0, 1]);
    assert.equal(c.value, 0);
  });

  it('matches identifiers in any form, and leaves a recent shipment pending rather than unanswered', () => {
    const ship = moved(T0, { epcList: [ITEM] }, BUYER);
    const byLink = moved(T0 + HOUR, { epcList: ['https://id.gs1.org/01/10614141073464/21/1'] });
    assert.equal(consistency([ship], [byLink], NOW).answered, 1);
    const recent = moved(NOW - HOUR, { epcList: [ITEM] }, BUYER);
    const c = consistency([ship, recent], [], NOW);
    assert.deepEqual([c.answered, c.unanswered, c.pending], [0, 1, 1]);
    assert.equal(consistency([], [], NOW).value, null);
  });
});

describe('rejection', () => {
  it('counts refusals over submissions and keeps protocol resyncs apart', () => {
    const r = rejection([
      { outcome: 'accepted', errorCode: null },
      { outcome: 'accepted', errorCode: null },
      { outcome: 'accepted', errorCode: null },
      { outcome: 'refused', errorCode: 'federation-events-rejected' },
      { outcome: 'refused', errorCode: 'federation-out-of-order' },
      { outcome: 'refused', errorCode: 'federation-witness-stale' },
    ]);
    assert.deepEqual([r.submissions, r.refused, r.resyncs, r.rate, r.value], [4, 1, 2, 0.25, 0.75]);
    assert.deepEqual(r.errorCodes, { 'federation-events-rejected': 1 });
  });
});

describe('availability', () => {
  const period = parsePeriod('week', '2026-W47', NOW);
  it('is the share of expected days with contact, from the connection on', () => {
    const contacts = [period.startMs + 2 * HOUR, period.startMs + 3 * HOUR, period.startMs + 2 * DAY];
    const a = availability({ contactsMs: contacts, lastContact: '2026-11-18T00:00:00.000Z', connectedMs: 0, period, nowMs: NOW });
    assert.deepEqual([a.expectedDays, a.contactDays, a.value], [7, 2, 2 / 7]);
    const late = availability({ contactsMs: contacts, lastContact: null, connectedMs: period.startMs + 2 * DAY, period, nowMs: NOW });
    assert.deepEqual([late.expectedDays, late.contactDays], [5, 1]);
  });

  it('expects no day past now', () => {
    const current = parsePeriod('week', undefined, NOW);
    // Monday noon UTC is Monday evening in Beijing: one day expected so far.
    assert.equal(availability({ contactsMs: [], lastContact: null, connectedMs: 0, period: current, nowMs: NOW }).expectedDays, 1);
  });
});

const measures = (values: Partial<Record<keyof Measures, number | null>>): Measures => {
  const empty = <T>(m: T, value: number | null | undefined) => ({ ...m, value: value ?? null });
  return {
    timeliness: empty(timeliness([]), values.timeliness),
    completeness: empty(completeness([]), values.completeness),
    consistency: empty(consistency([], [], NOW), values.consistency),
    rejection: empty(rejection([]), values.rejection),
    availability: empty(availability({ contactsMs: [], lastContact: null, connectedMs: 0, period: parsePeriod('day', undefined, NOW), nowMs: NOW }), values.availability),
  };
};

describe('score and grade', () => {
  it('is 100 × the weighted mean of the measures', () => {
    const s = scoreOf(measures({ timeliness: 1, completeness: 0.8, consistency: 0.5, rejection: 1, availability: 0.6 }));
    assert.equal(s.score, Math.round(100 * (0.25 * 1 + 0.25 * 0.8 + 0.2 * 0.5 + 0.15 * 1 + 0.15 * 0.6) * 10) / 10);
    assert.equal(s.score, 79);
    assert.equal(s.grade, 'B');
    assert.deepEqual(s.weightsApplied, WEIGHTS);
  });

  it('leaves out a measure without figures and scales the others up', () => {
    const s = scoreOf(measures({ timeliness: 1, completeness: 1, consistency: null, rejection: 1, availability: 0 }));
    assert.equal(s.weightsApplied.consistency, 0);
    assert.equal(s.weightsApplied.availability, 0.15 / 0.8);
    assert.equal(s.score, 81.3);
    assert.equal(scoreOf(measures({})).score, 0);
  });

  it('grades at 90, 75 and 60', () => {
    assert.deepEqual([90, 89.9, 75, 74.9, 60, 59.9, 0].map(gradeOf), ['A', 'B', 'B', 'C', 'C', 'D', 'D']);
  });
});
