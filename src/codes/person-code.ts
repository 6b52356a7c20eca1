/**
 * 自然人主体码: the platform-issued subject code of a natural person (a farmer, a pedlar), so that person's 身份证号 never
 * has to appear in events, traces or labels. Layout (18 characters):
 *
 *   `ZP` | 6-digit GB/T 2260 region of registration | 9-digit sequence | ISO 7064 MOD 11-2 check character
 *
 * The leading `Z` is outside the GB 32100 alphabet, so a person code can never be read as a 统一社会信用代码, and the
 * letters keep it apart from 18-digit SSCCs.
 */
const PATTERN = /^ZP(\d{6})(\d{9})([0-9X])$/;

/** ISO 7064 MOD 11-2 over a digit string of any length (the pure system behind the 身份证 check character). */
export function mod11_2CheckCharacter(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new RangeError('MOD 11-2 input must be digits');
  let p = 0;
  for (const ch of digits) p = ((p + Number(ch)) * 2) % 11;
  const check = (12 - p) % 11;
  return check === 10 ? 'X' : String(check);
}

export function formatPersonCode(regionCode: string, sequence: number): string {
  if (!/^\d{6}$/.test(regionCode)) throw new RangeError('region code must be 6 digits');
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 999_999_999) {
    throw new RangeError('person code sequence out of range');
  }
  const body = regionCode + String(sequence).padStart(9, '0');
  return `ZP${body}${mod11_2CheckCharacter(body)}`;
}

export function parsePersonCode(
  input: string,
): { ok: true; value: { code: string; regionCode: string; sequence: number } } | { ok: false; reason: string } {
  const code = input.trim().toUpperCase();
  const match = PATTERN.exec(code);
  if (!match) return { ok: false, reason: 'a person subject code is ZP + 6-digit region + 9 digits + check character' };
  const [, region, sequence, check] = match as unknown as [string, string, string, string];
  const expected = mod11_2CheckCharacter(region + sequence);
  if (check !== expected) return { ok: false, reason: `check character should be '${expected}', got '${check}'` };
  return { ok: true, value: { code, regionCode: region, sequence: Number(sequence) } };
}
