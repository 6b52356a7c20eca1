/**
 * 公民身份号码 (GB 11643-1999): the 18-character citizen identity number, used in the traceability system as the 主体码
 * of natural persons such as individual growers and stall holders.
 *
 * Layout (1-based positions): 1–6 address code (GB/T 2260 region of first registration), 7–14 birth date YYYYMMDD,
 * 15–17 sequence code (odd for men, even for women), 18 ISO 7064 MOD 11-2 check character (0–9 or X).
 *
 * Pure: the region part is checked for shape and province only, because the county that issued an ID may since
 * have been abolished or renumbered while the ID stays valid for life.
 */

/** 2^(17-i) mod 11 for positions 1–17, the ISO 7064 MOD 11-2 weights GB 11643 tabulates. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;

/**
 * Province-level prefixes of GB/T 2260, plus 83: the 港澳台居民居住证 issued since 2018 carry a number in this
 * same format whose address code is 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan), and those holders are
 * as much traceability subjects as citizens. 83 is not a GB/T 2260 code, which is why it is listed here and not
 * taken from the region table.
 */
const PROVINCE_PREFIXES: ReadonlySet<string> = new Set([
  '11', '12', '13', '14', '15',
  '21', '22', '23',
  '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46',
  '50', '51', '52', '53', '54',
  '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

/** No resident of 1999 or later needed a birth date before this; earlier dates are typing errors. */
const EARLIEST_BIRTH_DATE = '1900-01-01';

/** Birth dates are calendar dates in China; "today" must be China's today, or IDs of babies born after 16:00 UTC fail. */
const CHINA_UTC_OFFSET_MS = 8 * 60 * 60 * 1000;

export interface ResidentIdInfo {
  /** The normalised 18-character number, with an upper-case X if it ends in one. */
  id: string;
  /** Positions 1–6. Only its shape and province are checked. */
  regionCode: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  sex: 'male' | 'female';
}

export type ResidentIdResult = { ok: true; value: ResidentIdInfo } | { ok: false; reason: string };

export interface ParseResidentIdOptions {
  /** The moment "not in the future" is measured against; defaults to now. Lets tests and batch jobs pin the clock. */
  now?: Date;
}

/**
 * ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID.
 * @throws RangeError unless `first17` is exactly 17 ASCII digits.
 */
export function residentIdCheckCharacter(first17: string): string {
  if (typeof first17 !== 'string' || !/^\d{17}$/.test(first17)) {
    throw new RangeError(`residentIdCheckCharacter needs exactly 17 digits, got ${JSON.stringify(first17)}`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  const check = (12 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= daysInMonth;
}

/**
 * Validates and decomposes an 18-character resident ID number. Surrounding whitespace is ignored and a trailing
 * lower-case x is accepted as X. 15-digit first-generation numbers are rejected: they carry no check character.
 */
export function parseResidentId(input: string, options: ParseResidentIdOptions = {}): ResidentIdResult {
  if (typeof input !== 'string') return { ok: false, reason: `must be a string, got ${input === null ? 'null' : typeof input}` };
  let id = input.trim();
  if (id.endsWith('x')) id = `${id.slice(0, -1)}X`;
  if (id.length !== 18) {
    const hint = id.length === 15 ? ' (15-digit first-generation numbers are not accepted)' : '';
    return { ok: false, reason: `must be 18 characters, got ${id.length}${hint}` };
  }
  const badAt = id.slice(0, 17).search(/\D/);
  if (badAt >= 0) {
    return { ok: false, reason: `invalid character '${id[badAt]}' at position ${badAt + 1}; positions 1–17 must be digits` };
  }
  const last = id[17]!;
  if (!/^[0-9X]$/.test(last)) {
    return { ok: false, reason: `invalid check character '${last}' at position 18; must be a digit or X` };
  }

  const regionCode = id.slice(0, 6);
  if (!PROVINCE_PREFIXES.has(regionCode.slice(0, 2))) {
    return { ok: false, reason: `region code '${regionCode}' does not start with a province-level code (got '${regionCode.slice(0, 2)}')` };
  }

  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!isRealDate(year, month, day)) {
    return { ok: false, reason: `birth date ${birthDate} at positions 7–14 is not a real calendar date` };
  }
  if (birthDate < EARLIEST_BIRTH_DATE) {
    return { ok: false, reason: `birth date ${birthDate} is before ${EARLIEST_BIRTH_DATE}` };
  }
  const now = options.now ?? new Date();
  const todayInChina = new Date(now.getTime() + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 10);
  if (birthDate > todayInChina) {
    return { ok: false, reason: `birth date ${birthDate} is in the future (today is ${todayInChina} in China)` };
  }

  const expected = residentIdCheckCharacter(id.slice(0, 17));
  if (last !== expected) {
    return { ok: false, reason: `check character should be '${expected}', got '${last}' (position 18)` };
  }

  const sex = (id.charCodeAt(16) - 48) % 2 === 1 ? 'male' : 'female';
  return { ok: true, value: { id, regionCode, birthDate, sex } };
}
