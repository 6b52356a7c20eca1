import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseResidentId, residentIdCheckCharacter } from './resident-id.js';
import { seededRandom } from '../../test/support/random.js';

/** A fixed "now" (2024-06-15 12:00 in China) so date rules do not drift with the calendar. */
const NOW = new Date('2024-06-15T04:00:00Z');

function buildId(region: string, birth: string, sequence: string): string {
  const first17 = `${region}${birth}${sequence}`;
  return first17 + residentIdCheckCharacter(first17);
}

function parse(input: string, now: Date = NOW) {
  return parseResidentId(input, { now });
}

function reasonOf(input: string, now: Date = NOW): string {
  const result = parse(input, now);
  assert.equal(result.ok, false, `${input} was accepted`);
  return result.ok ? '' : result.reason;
}

const PROVINCES = ['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42',
  '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82', '83'];

function randomId(random: () => number): { id: string; birthDate: string; sex: 'male' | 'female' } {
  const int = (n: number) => Math.floor(random() * n);
  const province = PROVINCES[int(PROVINCES.length)]!;
  const region = province + String(int(10000)).padStart(4, '0');
  // 1900-01-01 up to the day before NOW, as a real date.
  const start = Date.UTC(1900, 0, 1);
  const day = new Date(start + int(Math.floor((NOW.getTime() - start) / 86_400_000)) * 86_400_000);
  const birthDate = day.toISOString().slice(0, 10);
  const sequence = String(int(1000)).padStart(3, '0');
  return {
    id: buildId(region, birthDate.replaceAll('-', ''), sequence),
    birthDate,
    sex: Number(sequence[2]) % 2 === 1 ? 'male' : 'female',
  };
}

describe('residentIdCheckCharacter', () => {
  it('uses the weights 2^(17-i) mod 11 and (12 − Σ mod 11) mod 11', () => {
    for (let i = 0; i < 17; i++) {
      const weight = 2 ** (17 - i) % 11;
      const check = (12 - weight) % 11;
      const first17 = '0'.repeat(i) + '1' + '0'.repeat(16 - i);
      assert.equal(residentIdCheckCharacter(first17), check === 10 ? 'X' : String(check), `position ${i + 1}`);
    }
  });

  it('matches the two examples printed in GB 11643-1999', () => {
    assert.equal(residentIdCheckCharacter('11010519491231002'), 'X');
    assert.equal(residentIdCheckCharacter('44052418800101001'), '4');
  });

  it('throws RangeError for anything but 17 digits', () => {
    assert.throws(() => residentIdCheckCharacter('1101051949123100'), RangeError);
    assert.throws(() => residentIdCheckCharacter('110105194912310021'), RangeError);
    assert.throws(() => residentIdCheckCharacter('1101051949123100A'), RangeError);
    assert.throws(() => residentIdCheckCharacter('１１010519491231002'), RangeError); // full-width digits
  });
});

describe('parseResidentId', () => {
  it('accepts the standard’s example and decomposes it', () => {
    assert.deepEqual(parse('11010519491231002X'), {
      ok: true,
      value: { id: '11010519491231002X', regionCode: '110105', birthDate: '1949-12-31', sex: 'female' },
    });
  });

  it('upper-cases a trailing x and trims whitespace', () => {
    const result = parse(' 11010519491231002x ');
    assert.ok(result.ok);
    assert.equal(result.value.id, '11010519491231002X');
  });

  it('accepts IDs built from random valid parts', () => {
    const random = seededRandom(1999);
    for (let n = 0; n < 1000; n++) {
      const expected = randomId(random);
      const result = parse(expected.id);
      assert.ok(result.ok, `${expected.id}: ${result.ok ? '' : result.reason}`);
      assert.equal(result.value.birthDate, expected.birthDate);
      assert.equal(result.value.sex, expected.sex);
      assert.equal(result.value.regionCode, expected.id.slice(0, 6));
    }
  });

  it('reads the sex from the parity of position 17', () => {
    const male = parse(buildId('110105', '19800101', '019'));
    const female = parse(buildId('110105', '19800101', '090'));
    assert.equal(male.ok && male.value.sex, 'male');
    assert.equal(female.ok && female.value.sex, 'female');
  });

  it('rejects every single-digit substitution in positions 1–17', () => {
    const random = seededRandom(42);
    for (let n = 0; n < 100; n++) {
      const { id } = randomId(random);
      for (let i = 0; i < 17; i++) {
        for (const digit of '0123456789') {
          if (digit === id[i]) continue;
          const altered = id.slice(0, i) + digit + id.slice(i + 1);
          assert.equal(parse(altered).ok, false, `${altered} (from ${id}) was accepted`);
        }
      }
    }
  });

  it('accepts Hong Kong, Macao and Taiwan residence permit prefixes', () => {
    for (const region of ['810000', '820000', '830000']) {
      assert.equal(parse(buildId(region, '19900101', '123')).ok, true, region);
    }
  });

  describe('reasons', () => {
    it('rejects non-strings', () => {
      assert.equal(reasonOf(42 as unknown as string), 'must be a string, got number');
    });

    it('reports the length, pointing out first-generation numbers', () => {
      assert.equal(reasonOf('110105491231002'), 'must be 18 characters, got 15 (15-digit first-generation numbers are not accepted)');
      assert.equal(reasonOf('11010519491231002'), 'must be 18 characters, got 17');
    });

    it('requires digits in positions 1–17', () => {
      assert.equal(reasonOf('1101051949123100xX'), "invalid character 'x' at position 17; positions 1–17 must be digits");
      assert.equal(reasonOf('11010A19491231002X'), "invalid character 'A' at position 6; positions 1–17 must be digits");
    });

    it('requires a digit or X in position 18', () => {
      assert.equal(reasonOf('11010519491231002Y'), "invalid check character 'Y' at position 18; must be a digit or X");
    });

    it('requires a province-level prefix', () => {
      for (const region of ['000000', '100101', '240101', '720000', '840000', '990000']) {
        assert.equal(
          reasonOf(buildId(region, '19900101', '123')),
          `region code '${region}' does not start with a province-level code (got '${region.slice(0, 2)}')`,
        );
      }
    });

    it('requires a real calendar date', () => {
      for (const birth of ['19990229', '19000229', '19901301', '19900001', '19900100', '19900431', '19901232']) {
        const shown = `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6)}`;
        assert.equal(
          reasonOf(buildId('110105', birth, '123')),
          `birth date ${shown} at positions 7–14 is not a real calendar date`,
        );
      }
      assert.equal(parse(buildId('110105', '20000229', '123')).ok, true, 'leap day of a year divisible by 400');
      assert.equal(parse(buildId('110105', '19960229', '123')).ok, true, 'leap day of an ordinary leap year');
    });

    it('rejects birth dates before 1900, even the standard’s own 1880 example', () => {
      assert.equal(reasonOf('440524188001010014'), 'birth date 1880-01-01 is before 1900-01-01');
      assert.equal(reasonOf(buildId('110105', '18991231', '123')), 'birth date 1899-12-31 is before 1900-01-01');
      assert.equal(parse(buildId('110105', '19000101', '123')).ok, true);
    });

    it('rejects birth dates after today in China', () => {
      assert.equal(parse(buildId('110105', '20240615', '123')).ok, true, 'born today');
      assert.equal(
        reasonOf(buildId('110105', '20240616', '123')),
        'birth date 2024-06-16 is in the future (today is 2024-06-15 in China)',
      );
      // At 16:30 UTC it is already the next day in China, so a baby born that day is not from the future.
      const lateUtc = new Date('2024-06-15T16:30:00Z');
      assert.equal(parse(buildId('110105', '20240616', '123'), lateUtc).ok, true);
      const beforeMidnightChina = new Date('2024-06-15T15:59:00Z');
      assert.match(reasonOf(buildId('110105', '20240616', '123'), beforeMidnightChina), /is in the future/);
    });

    it('defaults "now" to the real clock', () => {
      const nextYear = new Date().getUTCFullYear() + 1;
      const future = parseResidentId(buildId('110105', `${nextYear}0101`, '123'));
      assert.equal(future.ok, false);
      assert.match(future.ok ? '' : future.reason, /is in the future/);
      assert.equal(parseResidentId('11010519491231002X').ok, true);
    });

    it('reports a wrong check character with the expected one', () => {
      assert.equal(reasonOf('110105194912310021'), "check character should be 'X', got '1' (position 18)");
      const valid = buildId('440524', '19800101', '001');
      const wrong = valid[17] === '0' ? '1' : '0';
      assert.equal(reasonOf(valid.slice(0, 17) + wrong), `check character should be '${valid[17]}', got '${wrong}' (position 18)`);
    });
  });
});
