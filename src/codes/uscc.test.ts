import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../test/support/random.js';
import {
  organisationCodeCheckCharacter,
  parseUscc,
  usccCheckCharacter,
  usccOrganisationTypeName,
  usccRegistrationAuthorityName,
} from './uscc.js';

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

function pick(random: () => number, chars: string): string {
  return chars[Math.floor(random() * chars.length)]!;
}

/** Completes a code from its parts, computing both check characters, whatever the parts contain. */
function buildUscc(authority: string, type: string, region: string, body8: string): string {
  const first17 = `${authority}${type}${region}${body8}${organisationCodeCheckCharacter(body8)}`;
  return first17 + usccCheckCharacter(first17);
}

/** Like buildUscc but with a free position 17, so only the final check is guaranteed right. */
function withFinalCheck(first17: string): string {
  return first17 + usccCheckCharacter(first17);
}

const CONFIRMED_TYPES: Record<string, string> = {
  '1': '1239', '2': '19', '3': '123459', '4': '19', '5': '1239', '6': '129', '7': '129', '8': '19',
  '9': '123', 'A': '19', 'N': '1239', 'Y': '1',
};
const UNCONFIRMED_AUTHORITIES = 'BCDEFG';

function randomValidUscc(random: () => number): string {
  const authorities = Object.keys(CONFIRMED_TYPES).join('') + UNCONFIRMED_AUTHORITIES;
  const authority = pick(random, authorities);
  const type = pick(random, CONFIRMED_TYPES[authority] ?? '123456789');
  let region = '';
  for (let i = 0; i < 6; i++) region += pick(random, '0123456789');
  let body = '';
  for (let i = 0; i < 8; i++) body += pick(random, ALPHABET);
  return buildUscc(authority, type, region, body);
}

describe('usccCheckCharacter', () => {
  it('uses the weight 3^(i-1) mod 31 at each position', () => {
    // A single 1 at position i contributes exactly its weight, so the check value reveals it.
    let weight = 1;
    for (let i = 0; i < 17; i++) {
      const first17 = '0'.repeat(i) + '1' + '0'.repeat(16 - i);
      assert.equal(usccCheckCharacter(first17), ALPHABET[(31 - weight) % 31], `position ${i + 1}`);
      weight = (weight * 3) % 31;
    }
  });

  it("maps a remainder of 0 to '0' rather than to a 32nd character", () => {
    assert.equal(usccCheckCharacter('0'.repeat(17)), '0');
  });

  it('gives letters their alphabet values, skipping I, O, S, V and Z', () => {
    // 'Y' is value 30 (the last), 'J' is 18 because I is skipped; at position 1 the weight is 1.
    assert.equal(usccCheckCharacter('Y' + '0'.repeat(16)), '1');
    assert.equal(usccCheckCharacter('J' + '0'.repeat(16)), 'D'); // 31 − 18 = 13 → 'D'
  });

  it('throws RangeError for anything but 17 USCC characters', () => {
    assert.throws(() => usccCheckCharacter('0'.repeat(16)), RangeError);
    assert.throws(() => usccCheckCharacter('0'.repeat(18)), RangeError);
    assert.throws(() => usccCheckCharacter('I' + '0'.repeat(16)), /position 1/);
    assert.throws(() => usccCheckCharacter('0'.repeat(16) + 'a'), RangeError);
    assert.throws(() => usccCheckCharacter(undefined as unknown as string), RangeError);
  });
});

describe('organisationCodeCheckCharacter', () => {
  it('uses the GB 11714 weights 3,7,9,10,5,8,4,2', () => {
    const weights = [3, 7, 9, 10, 5, 8, 4, 2];
    weights.forEach((weight, i) => {
      const first8 = '0'.repeat(i) + '1' + '0'.repeat(7 - i);
      const check = 11 - weight;
      assert.equal(organisationCodeCheckCharacter(first8), check === 10 ? 'X' : String(check), `position ${i + 1}`);
    });
  });

  it("turns 10 into 'X' and 11 into '0'", () => {
    assert.equal(organisationCodeCheckCharacter('00000000'), '0'); // Σ = 0 → 11
    assert.equal(organisationCodeCheckCharacter('40000000'), 'X'); // Σ = 12 ≡ 1 → 10
  });

  it('values letters A=10 … Z=35, including those the USCC alphabet leaves out', () => {
    assert.equal(organisationCodeCheckCharacter('A0000000'), '3'); // 30 ≡ 8 → 3
    assert.equal(organisationCodeCheckCharacter('Z0000000'), '5'); // 105 ≡ 6 → 5
    assert.equal(organisationCodeCheckCharacter('I0000000'), '1'); // 18·3 = 54 ≡ 10 → 1
  });

  it('throws RangeError for anything but 8 digits or upper-case letters', () => {
    assert.throws(() => organisationCodeCheckCharacter('0000000'), RangeError);
    assert.throws(() => organisationCodeCheckCharacter('000000000'), RangeError);
    assert.throws(() => organisationCodeCheckCharacter('0000000a'), /position 8/);
    assert.throws(() => organisationCodeCheckCharacter('0000-000'), RangeError);
  });
});

describe('parseUscc', () => {
  it('accepts the commonly cited 91350100M000100Y43, checked by hand', () => {
    // GB 11714 part: M000100Y → 22·3 + 1·5 + 34·2 = 139 ≡ 7 (mod 11) → 11 − 7 = 4.
    assert.equal(organisationCodeCheckCharacter('M000100Y'), '4');
    // GB 32100 part: 9·1 + 1·3 + 3·9 + 5·27 + 1·26 + 21·20 (M) + 1·8 + 30·30 (Y) + 4·28 = 1640 ≡ 28 (mod 31) → 3.
    assert.equal(usccCheckCharacter('91350100M000100Y4'), '3');
    assert.deepEqual(parseUscc('91350100M000100Y43'), {
      ok: true,
      value: {
        code: '91350100M000100Y43',
        registrationAuthority: '9',
        organisationType: '1',
        regionCode: '350100',
        organisationCode: 'M000100Y4',
        registrationAuthorityName: '工商',
        organisationTypeName: '企业',
      },
    });
  });

  it('trims and upper-cases before checking', () => {
    const result = parseUscc('  91350100m000100y43\n');
    assert.equal(result.ok, true);
    assert.equal(result.ok && result.value.code, '91350100M000100Y43');
  });

  it('accepts codes built from random bodies for every authority and type', () => {
    const random = seededRandom(20240601);
    for (let n = 0; n < 500; n++) {
      const code = randomValidUscc(random);
      const result = parseUscc(code);
      assert.ok(result.ok, `${code}: ${result.ok ? '' : result.reason}`);
      assert.equal(result.value.code, code);
      assert.equal(result.value.registrationAuthority, code[0]);
      assert.equal(result.value.organisationType, code[1]);
      assert.equal(result.value.regionCode, code.slice(2, 8));
      assert.equal(result.value.organisationCode, code.slice(8, 17));
    }
  });

  it('rejects every single-character substitution of a valid code', () => {
    const random = seededRandom(7);
    for (let n = 0; n < 40; n++) {
      const code = randomValidUscc(random);
      for (let i = 0; i < 18; i++) {
        for (const char of ALPHABET) {
          if (char === code[i]) continue;
          const altered = code.slice(0, i) + char + code.slice(i + 1);
          assert.equal(parseUscc(altered).ok, false, `${altered} (from ${code}) was accepted`);
        }
      }
    }
  });

  it('rejects every transposition of two adjacent different characters', () => {
    const random = seededRandom(11);
    for (let n = 0; n < 200; n++) {
      const code = randomValidUscc(random);
      for (let i = 0; i < 17; i++) {
        if (code[i] === code[i + 1]) continue;
        const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
        assert.equal(parseUscc(swapped).ok, false, `${swapped} (from ${code}) was accepted`);
      }
    }
  });

  it('accepts a region code that no longer exists, since old registrations keep it', () => {
    // 110103 (崇文区) was abolished in 2010.
    const code = buildUscc('9', '1', '110103', 'MA01ABCD');
    assert.equal(parseUscc(code).ok, true);
  });

  describe('reasons', () => {
    function reasonOf(input: string): string {
      const result = parseUscc(input);
      assert.equal(result.ok, false, `${input} was accepted`);
      return result.ok ? '' : result.reason;
    }

    it('rejects non-strings', () => {
      assert.equal(reasonOf(undefined as unknown as string), 'must be a string, got undefined');
      assert.equal(reasonOf(null as unknown as string), 'must be a string, got null');
    });

    it('reports the length', () => {
      assert.equal(reasonOf(''), 'must be 18 characters, got 0');
      assert.equal(reasonOf('91350100M000100Y4'), 'must be 18 characters, got 17');
      assert.equal(reasonOf('91350100M000100Y433'), 'must be 18 characters, got 19');
    });

    it('names the first character outside the alphabet and its position', () => {
      for (const bad of ['I', 'O', 'Z', 'S', 'V', '-', '＊']) {
        const input = `91350100M0${bad}0100Y43`;
        assert.equal(
          reasonOf(input),
          `invalid character '${bad}' at position 11; only digits and upper-case letters other than I, O, Z, S and V are allowed`,
        );
      }
      assert.match(reasonOf('91350100M000 00Y43'), /invalid character ' ' \(space\) at position 13/);
    });

    it('rejects unknown registration authorities even with correct check characters', () => {
      for (const authority of ['0', 'H', 'M', 'X']) {
        const code = buildUscc(authority, '1', '350100', 'M000100Y');
        assert.match(reasonOf(code), new RegExp(`^unknown registration authority code '${authority}' at position 1; expected one of 1, 2, .*, Y$`));
      }
    });

    it('rejects organisation types outside the authority’s table', () => {
      assert.equal(
        reasonOf(buildUscc('9', '4', '350100', 'M000100Y')),
        "organisation type code '4' at position 2 is not defined for registration authority '9' (工商); expected 1, 2, 3",
      );
      assert.equal(
        reasonOf(buildUscc('9', '9', '350100', 'M000100Y')),
        "organisation type code '9' at position 2 is not defined for registration authority '9' (工商); expected 1, 2, 3",
      );
      assert.match(reasonOf(buildUscc('Y', '2', '350100', 'M000100Y')), /authority 'Y' \(其他\); expected 1$/);
      assert.match(reasonOf(buildUscc('5', '4', '350100', 'M000100Y')), /authority '5' \(民政\); expected 1, 2, 3, 9$/);
      assert.match(reasonOf(buildUscc('1', 'A', '350100', 'M000100Y')), /authority '1' \(机构编制\); expected 1, 2, 3, 9$/);
    });

    it('accepts any type digit 1–9 for authorities whose type list is unconfirmed, and nothing else', () => {
      for (const authority of UNCONFIRMED_AUTHORITIES) {
        for (const type of '123456789') {
          assert.equal(parseUscc(buildUscc(authority, type, '350100', 'M000100Y')).ok, true, `${authority}${type}`);
        }
        assert.equal(
          reasonOf(buildUscc(authority, '0', '350100', 'M000100Y')),
          `organisation type code '0' at position 2 is not defined for registration authority '${authority}'; expected a digit 1–9`,
        );
        assert.match(reasonOf(buildUscc(authority, 'A', '350100', 'M000100Y')), /expected a digit 1–9$/);
      }
    });

    it('requires the region part to be digits', () => {
      assert.equal(reasonOf(buildUscc('9', '1', '35A100', 'M000100Y')), "region code at positions 3–8 must be 6 digits, got '35A100'");
    });

    it('checks the organisation code check character on its own', () => {
      // Position 17 is wrong but position 18 is computed over it, so only the GB 11714 check can catch it.
      const code = withFinalCheck('91350100M000100Y5');
      assert.equal(reasonOf(code), "organisation code check character should be '4', got '5' (position 17)");
      const xCode = withFinalCheck('913501004000000' + '0' + '3'); // body 40000000 needs 'X'
      assert.equal(reasonOf(xCode), "organisation code check character should be 'X', got '3' (position 17)");
    });

    it('checks the final check character', () => {
      assert.equal(reasonOf('91350100M000100Y44'), "check character should be '3', got '4' (position 18)");
      // A code whose correct final character is 'X': found by the builder, then corrupted.
      const random = seededRandom(3);
      let withX = '';
      while (!withX.endsWith('X')) withX = randomValidUscc(random);
      const corrupted = withX.slice(0, 17) + '3';
      assert.equal(reasonOf(corrupted), "check character should be 'X', got '3' (position 18)");
    });
  });
});

describe('name lookups', () => {
  it('name authorities and types from the table', () => {
    assert.equal(usccRegistrationAuthorityName('5'), '民政');
    assert.equal(usccRegistrationAuthorityName('N'), '农业');
    assert.equal(usccRegistrationAuthorityName('B'), undefined);
    assert.equal(usccRegistrationAuthorityName('H'), undefined);
    assert.equal(usccRegistrationAuthorityName('toString'), undefined);
    assert.equal(usccOrganisationTypeName('9', '2'), '个体工商户');
    assert.equal(usccOrganisationTypeName('N', '2'), '村级集体经济组织');
    assert.equal(usccOrganisationTypeName('9', '9'), undefined);
    assert.equal(usccOrganisationTypeName('B', '1'), undefined);
    assert.equal(usccOrganisationTypeName('9', 'toString'), undefined);
  });

  it('leaves the names out of parse results for unconfirmed authorities', () => {
    const result = parseUscc(buildUscc('C', '3', '350100', 'M000100Y'));
    assert.ok(result.ok);
    assert.equal(result.value.registrationAuthorityName, undefined);
    assert.equal(result.value.organisationTypeName, undefined);
    assert.equal('registrationAuthorityName' in result.value, false);
  });
});
