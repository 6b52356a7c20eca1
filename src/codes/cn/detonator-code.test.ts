import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRefuses } from '../../../test/support/assertions.js';
import { detonatorCodeScheme } from './detonator-code.js';

/** A detonator code from its parts. */
function detonator(parts: { enterprise?: string; year?: string; month?: string; day?: string; feature?: string; serial?: string } = {}): string {
  return (
    (parts.enterprise ?? '35') +
    (parts.year ?? '4') +
    (parts.month ?? '03') +
    (parts.day ?? '15') +
    (parts.feature ?? 'A') +
    (parts.serial ?? '00127')
  );
}

const rejects = (text: string, reason: RegExp, near?: boolean) => assertRefuses(detonatorCodeScheme, text, reason, near);

describe('工业雷管编码 (detonator-code)', () => {
  it('reads enterprise, year digit, month and day, feature and serial', () => {
    const result = detonatorCodeScheme.parse(detonator());
    assert.ok(result.ok);
    assert.equal(result.value.canonical, '3540315A00127');
    assert.equal(result.value.target, 'item');
    assert.deepEqual(result.value.fields, {
      enterprise: '35',
      yearLastDigit: '4',
      productionMonthDay: '--03-15',
      feature: 'A',
      serial: '00127',
    });
    assert.match(result.value.notes!.join(' '), /decade of manufacture is not encoded/);
  });

  it('accepts digits, capitals and the allowed lower-case letters as the feature, keeping case', () => {
    for (const feature of ['0', '9', 'C', 'O', 'Z', 'a', 'b', 'k', 'y']) {
      const result = detonatorCodeScheme.parse(detonator({ feature }));
      assert.ok(result.ok, feature);
      assert.equal(result.value.fields.feature, feature);
    }
  });

  it('accepts the last day of each month, and 29 February since the year is unknown', () => {
    const lastDays = ['31', '29', '31', '30', '31', '30', '31', '31', '30', '31', '30', '31'];
    lastDays.forEach((day, index) => {
      const month = String(index + 1).padStart(2, '0');
      assert.ok(detonatorCodeScheme.parse(detonator({ month, day })).ok, `${month}-${day}`);
    });
  });

  it('rejects impossible dates and enterprise 00', () => {
    rejects(detonator({ month: '13' }), /positions 4–5 \(月\) are 13; the month must be 01–12/);
    rejects(detonator({ month: '00' }), /positions 4–5 \(月\) are 00/);
    rejects(detonator({ month: '02', day: '30' }), /positions 6–7 \(日\) are 30; February has days 01–29/);
    rejects(detonator({ month: '04', day: '31' }), /April has days 01–30/);
    rejects(detonator({ day: '00' }), /positions 6–7 \(日\) are 00/);
    rejects(detonator({ enterprise: '00' }), /positions 1–2 \(生产企业代号\) are 00; they must be 01–99/);
  });

  it('rejects the excluded lower-case feature letters and non-alphanumerics', () => {
    for (const feature of 'cosuvwxz') {
      rejects(detonator({ feature }), new RegExp(`position 8 \\(特征号\\) is '${feature}'; the lower-case letters c, o, s, u, v, w, x, z are excluded`));
    }
    rejects(detonator({ feature: '-' }), /position 8 \(特征号\) is '-'; it must be a digit or a Latin letter/);
  });

  it('rejects letters in digit positions and wrong lengths', () => {
    rejects(detonator({ serial: '001A7' }), /position 12 is 'A'; the 流水号 \(positions 9–13\) is digits/);
    rejects(detonator({ year: 'Y' }), /position 3 is 'Y'; the 年 \(position 3\) is digits/);
    rejects(detonator().slice(0, 12), /13 characters; got 12/);
    rejects(`${detonator()}1`, /13 characters; got 14/);
    rejects('雷管', /13 characters; got 2/, false);
  });
});
