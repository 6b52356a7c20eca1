import { withCheckDigit } from '../../src/codes/gs1/check-digit.js';
import { residentIdCheckCharacter } from '../../src/codes/resident-id.js';
import { formatUscc } from '../../src/codes/uscc.js';

/** Builders for valid master data: every code is computed, so each test gets fresh, unique, valid identifiers. */

let sequence = 0;
const next = () => {
  sequence += 1;
  return sequence;
};
const randomDigits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');

/** A valid 统一社会信用代码 for a company (authority 9, type 1) in `region`. */
export function buildUscc(region = '330106'): string {
  return formatUscc('91', region, randomDigits(7) + String(next() % 10));
}

/**
 * A valid 身份证号 in `region`. Unless a birth date is given it is drawn from 1950–1999, and the sequence number counts
 * up: three random digits alone made two people of one test the same person once in a thousand runs.
 */
export function buildResidentId(region = '330106', birth = randomBirthDate()): string {
  const first17 = `${region}${birth}${String(next() % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
}

function randomBirthDate(): string {
  const day = new Date(Date.UTC(1950, 0, 1) + Math.floor(Math.random() * 50 * 365) * 86_400_000);
  return day.toISOString().slice(0, 10).replace(/-/g, '');
}

/** A GS1 company prefix unique within the run (9 digits under a 69x China prefix). */
export function buildCompanyPrefix(): string {
  return `69${String(next()).padStart(3, '0')}${randomDigits(4)}`;
}

export function buildGln(companyPrefix = buildCompanyPrefix()): string {
  return withCheckDigit((companyPrefix + randomDigits(12)).slice(0, 12));
}

export function buildGtin(companyPrefix = buildCompanyPrefix()): string {
  return withCheckDigit((companyPrefix + randomDigits(12)).slice(0, 12));
}

export function subjectBody(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    kind: 'organisation',
    subjectCode: buildUscc((overrides.regionCode as string | undefined) ?? '330106'),
    name: `测试企业${next()}`,
    roles: ['processor'],
    regionCode: '330106',
    ...overrides,
  };
}

export function locationBody(overrides: Record<string, unknown> = {}): Record<string, any> {
  return { gln: buildGln(), name: `仓库${next()}`, kind: 'warehouse', regionCode: '330106', ...overrides };
}

export function productBody(overrides: Record<string, unknown> = {}): Record<string, any> {
  return { gtin: buildGtin(), name: `产品${next()}`, spec: '500g', productClass: 'food', ...overrides };
}
