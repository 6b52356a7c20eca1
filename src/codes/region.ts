/**
 * GB/T 2260 administrative region codes (行政区划代码), province → prefecture → county, backed by the vendored table
 * data/regions/regions.json (see data/regions/SOURCE.md for where it comes from and how it was built).
 *
 * The table is the present-day list. Codes that were valid when an enterprise registered or a person was born may
 * have been abolished since, which is why the USCC and resident-ID validators check only the shape of region codes
 * and why `regionWithin` does not require the code to be in the table.
 */
import { readFileSync } from 'node:fs';

// src/codes/ and dist/codes/ both sit two levels below the repository root, so one relative URL serves both.
const TABLE_URL = new URL('../../data/regions/regions.json', import.meta.url);

let table: ReadonlyMap<string, string> | undefined;

/** Loaded on first use, so importing src/codes/index.js for the pure validators never touches the file system. */
function regions(): ReadonlyMap<string, string> {
  if (table) return table;
  const raw: unknown = JSON.parse(readFileSync(TABLE_URL, 'utf8'));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`region table ${TABLE_URL.pathname} is not a JSON object`);
  }
  const map = new Map<string, string>();
  for (const [code, name] of Object.entries(raw)) {
    if (!/^\d{6}$/.test(code) || typeof name !== 'string') {
      throw new Error(`region table ${TABLE_URL.pathname} has a malformed entry ${JSON.stringify(code)}`);
    }
    map.set(code, name);
  }
  table = map;
  return table;
}

const SIX_DIGITS = /^\d{6}$/;
const SCOPE_PREFIX_SHAPE = /^(?:\d{2}|\d{4}|\d{6})?$/;

/** True for a 6-digit code present in the current table (any of the three levels). */
export function isRegionCode(code: string): boolean {
  return typeof code === 'string' && SIX_DIGITS.test(code) && regions().has(code);
}

/** The name the table gives a code, e.g. '东城区' for '110101'; undefined for codes not in the table. */
export function regionName(code: string): string | undefined {
  if (typeof code !== 'string' || !SIX_DIGITS.test(code)) return undefined;
  return regions().get(code);
}

/**
 * The chain from province down to `code`, e.g. 110101 → 北京市, 市辖区, 东城区. Levels missing from the table are
 * skipped, and a code that is its own prefecture (东莞市 441900) appears once. Empty when `code` is not in the table:
 * a partial chain for an abolished code would look like a complete answer.
 */
export function regionPath(code: string): { code: string; name: string }[] {
  if (!isRegionCode(code)) return [];
  const levels = [`${code.slice(0, 2)}0000`, `${code.slice(0, 4)}00`, code];
  const path: { code: string; name: string }[] = [];
  for (const level of levels) {
    if (path.some((entry) => entry.code === level)) continue;
    const name = regions().get(level);
    if (name !== undefined) path.push({ code: level, name });
  }
  return path;
}

/**
 * Whether `prefix` is a valid regulator scope:
 * - `''`: nationwide;
 * - 2 digits `pp`: a province, valid when `pp0000` is in the table;
 * - 4 digits `pppp`: a prefecture, valid when `pppp00` is in the table and is not the province itself (`pp00`
 *   would only ever match the province's own code, never anything under it);
 * - 6 digits: a county, valid when it is in the table and does not end in `00`, for the same reason: a
 *   province or prefecture scope is written in its short form.
 */
export function isRegionPrefix(prefix: string): boolean {
  if (typeof prefix !== 'string') return false;
  switch (prefix.length) {
    case 0:
      return true;
    case 2:
      return /^\d{2}$/.test(prefix) && regions().has(`${prefix}0000`);
    case 4:
      return /^\d{4}$/.test(prefix) && !prefix.endsWith('00') && regions().has(`${prefix}00`);
    case 6:
      return SIX_DIGITS.test(prefix) && !prefix.endsWith('00') && regions().has(prefix);
    default:
      return false;
  }
}

/**
 * Whether the 6-digit region `code` lies within the scope `prefix`, defined as plain `code.startsWith(prefix)`.
 *
 * The plain string prefix is deliberate, and it has consequences a scope designer must know:
 * - For a 直辖市 the second level is a grouping, not a city: '1101' (北京 市辖区) covers the districts but not
 *   codes under another grouping such as '5002' (重庆 县). A whole municipality is the 2-digit prefix.
 * - County-level cities administered directly by a province sit under a pseudo-prefecture (4290, 4690, 6590,
 *   4190), so '4290' covers 仙桃, 潜江, 天门 and 神农架 together.
 *
 * Only shapes are checked: `code` must be 6 digits and `prefix` empty or 2, 4 or 6 digits, otherwise the answer
 * is false (a malformed scope grants nothing). Neither needs to be in the table, so records that carry a since
 * abolished county code stay inside their province's scope; validate scopes with `isRegionPrefix` when they are
 * assigned.
 */
export function regionWithin(code: string, prefix: string): boolean {
  if (typeof code !== 'string' || typeof prefix !== 'string') return false;
  if (!SIX_DIGITS.test(code) || !SCOPE_PREFIX_SHAPE.test(prefix)) return false;
  return code.startsWith(prefix);
}
