/**
 * Pesticide label codes under 农业部公告第2579号《农药标签二维码管理规定》 (compulsory from 2018-01-01).
 *
 * 单元识别代码, one per sales package, 32 digits:
 *   position 1       登记类别: 1 = PD, 2 = WP, 3 = 临时登记
 *   positions 2–7    the last 6 digits of the 农药登记证号
 *   position 8       生产类型: 1 = made by the registration holder, 2 = 委托加工, 3 = 委托分装
 *   positions 9–11   产品规格码, chosen by the enterprise
 *   positions 12–32  random part (21 digits)
 * No check character.
 *
 * The QR or Data Matrix on the label carries the 追溯网址 and the 单元识别代码. The announcement does not fix how the two
 * are joined, so the three arrangements labels use are read: the code as the URL's last path segment, the code as
 * the value of a query parameter, or the URL and the code on two lines.
 */
import { nearMiss, notThisScheme, type CodeScheme, type SchemeResult } from '../scheme.js';
import { ALL_DIGITS, codePoints, describeChar, firstBadChar, isAsciiDigit, positions, readingOf, tooLong } from './common.js';

const LENGTH = 32;

const REGISTRATION_CATEGORIES: Readonly<Record<string, string>> = { '1': 'PD', '2': 'WP', '3': '临时登记' };
const PRODUCTION_TYPES: Readonly<Record<string, string>> = { '1': '登记证持有人生产', '2': '委托加工', '3': '委托分装' };

type UnitCodeCheck =
  | { ok: true; fields: Record<string, string> }
  | { ok: false; reason: string; near: boolean };

/** The rules of the 32-digit code, shared by the bare code and the label payload. */
function checkUnitCode(text: string): UnitCodeCheck {
  if (tooLong(text, LENGTH)) return { ok: false, reason: `a 单元识别代码 is ${LENGTH} digits; the text is far longer`, near: false };
  const chars = codePoints(text);
  if (chars.length !== LENGTH) {
    const digits = ALL_DIGITS.test(text);
    return {
      ok: false,
      reason: `a 农药单元识别代码 is ${LENGTH} digits; got ${chars.length} ${digits ? 'digits' : 'characters'}`,
      near: digits && Math.abs(chars.length - LENGTH) <= 1,
    };
  }
  const bad = firstBadChar(chars, isAsciiDigit);
  if (bad) return { ok: false, reason: `${positions(bad.position)} is ${describeChar(bad.char)}; a 单元识别代码 has digits only`, near: true };
  const category = text[0]!;
  const categoryName = REGISTRATION_CATEGORIES[category];
  if (!categoryName) {
    return { ok: false, reason: `position 1 (登记类别) is ${category}; it must be 1 (PD), 2 (WP) or 3 (临时登记)`, near: true };
  }
  const productionType = text[7]!;
  const productionTypeName = PRODUCTION_TYPES[productionType];
  if (!productionTypeName) {
    return { ok: false, reason: `position 8 (生产类型) is ${productionType}; it must be 1, 2 or 3`, near: true };
  }
  return {
    ok: true,
    fields: {
      registrationCategory: category,
      registrationCategoryName: categoryName,
      registrationNumberDigits: text.slice(1, 7),
      productionType,
      productionTypeName,
      specificationCode: text.slice(8, 11),
      random: text.slice(11),
    },
  };
}

const UNIT_CODE_NOTES = ['no check character: only the manufacturer\'s traceability system can confirm that the code was issued'];

export const pesticideUnitCodeScheme: CodeScheme = {
  id: 'pesticide-unit-code',
  name: '农药单元识别代码',
  layout: '32 digits: 登记类别 (1) + 登记证号 last 6 + 生产类型 (1) + 规格码 (3) + random (21)',
  parse(text: string): SchemeResult {
    const check = checkUnitCode(text);
    if (!check.ok) return check.near ? nearMiss(check.reason) : notThisScheme(check.reason);
    return readingOf(pesticideUnitCodeScheme, { canonical: text, target: 'item', fields: check.fields, notes: UNIT_CODE_NOTES });
  },
};

/** More than a QR code or Data Matrix can hold; nothing longer is a label payload. */
const MAX_PAYLOAD = 8_000;

const LINE_BREAK = /\r\n|\n|\r/;

/** An absolute http(s) URL with a host, or undefined. */
function httpUrl(text: string): URL | undefined {
  if (!/^https?:\/\//i.test(text)) return undefined;
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? url : undefined;
  } catch {
    return undefined;
  }
}

function decoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

/** Digit runs about as long as a unit code: what a label meant to carry even when it is wrong. */
const CANDIDATE = /^[0-9]{24,40}$/;

interface Located {
  code: string;
  location: 'path' | 'query' | 'line';
}

/** Where in a URL a unit code sits: the last path segment first, then query values in order. */
function locateInUrl(url: URL): Located[] {
  const found: Located[] = [];
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const last = segments.length ? decoded(segments[segments.length - 1]!) : '';
  if (CANDIDATE.test(last)) found.push({ code: last, location: 'path' });
  for (const value of url.searchParams.values()) if (CANDIDATE.test(value)) found.push({ code: value, location: 'query' });
  return found;
}

const QR_NAME = '农药标签二维码';

function qrReading(url: string, located: Located, fields: Record<string, string>): SchemeResult {
  return readingOf(pesticideQrScheme, {
    // The package is identified by its unit code; the URL is where its record lives and may change.
    canonical: located.code,
    target: 'item',
    fields: { url, unitCode: located.code, codeLocation: located.location, ...fields },
    notes: UNIT_CODE_NOTES,
  });
}

export const pesticideQrScheme: CodeScheme = {
  id: 'pesticide-qr',
  name: QR_NAME,
  layout: '追溯网址 + 32-digit 单元识别代码 (as the last path segment, a query value, or on the next line)',
  parse(text: string): SchemeResult {
    if (text.length > MAX_PAYLOAD) return notThisScheme(`a ${QR_NAME} payload fits in a QR code; the text has ${text.length} characters`);
    const shape = 'a pesticide label payload is a http(s) 追溯网址 carrying the 32-digit 单元识别代码, or the URL and the code on two lines';
    const lines = text.split(LINE_BREAK).map((line) => line.trim()).filter((line) => line !== '');
    const first = lines[0] ?? '';
    const url = httpUrl(first);
    if (!url) return notThisScheme(shape);

    if (lines.length === 1) {
      const found = locateInUrl(url);
      if (found.length === 0) return notThisScheme(`the URL carries no 32-digit 单元识别代码; ${shape}`);
      // Several candidates happen (a tracking parameter next to the code); the first valid one is the code.
      let nearProblem: string | undefined;
      for (const located of found) {
        const check = checkUnitCode(located.code);
        if (check.ok) return qrReading(first, located, check.fields);
        if (check.near) nearProblem ??= `单元识别代码 in the URL's ${located.location === 'path' ? 'last path segment' : 'query'}: ${check.reason}`;
      }
      // A long number that is nowhere near 32 digits (a GS1 serial, an order number) is not a failed unit code.
      return nearProblem ? nearMiss(nearProblem) : notThisScheme(`the URL carries no 32-digit 单元识别代码; ${shape}`);
    }

    if (lines.length !== 2) {
      return nearMiss(`a pesticide label payload with line breaks has two lines, the 追溯网址 and the 单元识别代码; got ${lines.length}`);
    }
    const code = lines[1]!;
    const check = checkUnitCode(code);
    if (!check.ok) return nearMiss(`line 2 (单元识别代码): ${check.reason}`);
    return qrReading(first, { code, location: 'line' }, check.fields);
  },
};
