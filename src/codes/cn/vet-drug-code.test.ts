import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRefuses } from '../../../test/support/assertions.js';
import { createVetDrugCodeScheme, vetDrugCodeScheme } from './vet-drug-code.js';

/** 2025-06-15 12:00 in China. */
const NOW = new Date('2025-06-15T04:00:00Z');
const scheme = createVetDrugCodeScheme({ now: () => NOW });

/** A 兽药追溯码 for an application date, enterprise and random part. */
function vetCode(date: Date, enterprise = 12345, random = 98765432101): string {
  const ymd = date.toISOString().slice(0, 10).replaceAll('-', '');
  return ymd + String(enterprise).padStart(5, '0') + String(random).padStart(11, '0');
}

const daysBefore = (date: Date, days: number) => new Date(date.getTime() - days * 86_400_000);

const rejects = (text: string, reason: RegExp, near?: boolean) => assertRefuses(scheme, text, reason, near);

describe('兽药追溯码 (vet-drug-code)', () => {
  it('reads date, enterprise and random part', () => {
    const code = vetCode(daysBefore(NOW, 30), 307, 1);
    const result = scheme.parse(code);
    assert.ok(result.ok);
    assert.equal(result.value.canonical, code);
    assert.equal(result.value.target, 'item');
    assert.deepEqual(result.value.fields, { applicationDate: '2025-05-16', enterprise: '00307', random: '00000000001' });
  });

  it('accepts the first day of 2015, a leap day and today in China', () => {
    assert.ok(scheme.parse(vetCode(new Date('2015-01-01T00:00:00Z'))).ok);
    assert.ok(scheme.parse(vetCode(new Date('2024-02-29T00:00:00Z'))).ok);
    // 23:30 on 15 June in China is still 15 June there although UTC is 15:30.
    const lateEvening = createVetDrugCodeScheme({ now: () => new Date('2025-06-15T15:30:00Z') });
    assert.ok(lateEvening.parse(vetCode(new Date('2025-06-15T00:00:00Z'))).ok);
  });

  it('rejects impossible, early and future dates', () => {
    rejects('20250230' + '12345' + '00000000001', /application date \(positions 1–8\): 2025-02-30 is not a date: February 2025 has days 01–28/);
    rejects('20251301' + '12345' + '00000000001', /month 13 does not exist/);
    rejects(vetCode(new Date('2014-12-31T00:00:00Z')), /2014-12-31 .* is before 2015-01-01/);
    rejects(vetCode(new Date('2025-06-16T00:00:00Z')), /2025-06-16 .* is in the future \(today is 2025-06-15 in China\)/);
  });

  it('rejects wrong lengths and non-digits, naming the rule', () => {
    const code = vetCode(daysBefore(NOW, 1));
    rejects(code.slice(0, 23), /24 digits; got 23/);
    rejects(`${code}9`, /24 digits; got 25/);
    rejects(`${code.slice(0, 10)}A${code.slice(11)}`, /position 11 is 'A'; a 兽药追溯码 has digits only/);
    rejects('兽药', /24 digits; got 2 characters/, false);
  });

  it('measures "today" with the system clock by default', () => {
    assert.ok(vetDrugCodeScheme.parse(vetCode(daysBefore(new Date(), 2))).ok);
    const nextYear = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 10));
    assert.equal(vetDrugCodeScheme.parse(vetCode(nextYear)).ok, false);
  });
});
