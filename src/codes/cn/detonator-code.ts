/**
 * 工业雷管编码: the 13-character code printed on every industrial detonator (GA 441 工业雷管编码通则, Code 128 on boxes
 * and cases), no repeats within ten years:
 *
 *   positions 1–2    生产企业代号, 01–99
 *   position 3       last digit of the year of manufacture
 *   positions 4–5    month
 *   positions 6–7    day
 *   position 8       特征号: a digit or a letter, but not the lower-case c, o, s, u, v, w, x or z
 *   positions 9–13   流水号
 *
 * The code is case-sensitive and upper-case letters are allowed in position 8. The excluded lower-case letters are
 * exactly those whose shape is their capital's: the rule only makes sense if capitals are in use and lower case is in
 * use too, and it keeps a printed 'C' from being read as two different codes. A code is therefore never re-cased.
 *
 * The decade is not in the code, so the date is checked as a month and day of some year: 29 February is accepted.
 */
import { nearMiss, notThisScheme, type CodeScheme, type SchemeResult } from '../scheme.js';
import { codePoints, daysInMonth, describeChar, firstBadChar, monthName, positions, readingOf, tooLong } from './common.js';

const LENGTH = 13;

const EXCLUDED_FEATURE_LETTERS = 'cosuvwxz';

const isDigit = (c: string) => c >= '0' && c <= '9';
const isAsciiAlnum = (c: string) => isDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

/** Digit-only parts of the code, by 0-based slice, with the name the reasons use. */
const DIGIT_PARTS: readonly { from: number; to: number; name: string }[] = [
  { from: 0, to: 2, name: '生产企业代号' },
  { from: 2, to: 3, name: '年' },
  { from: 3, to: 5, name: '月' },
  { from: 5, to: 7, name: '日' },
  { from: 8, to: 13, name: '流水号' },
];

export const detonatorCodeScheme: CodeScheme = {
  id: 'detonator-code',
  name: '工业雷管编码',
  layout: '13 characters: enterprise 01–99 (2) + year digit (1) + month (2) + day (2) + feature (1) + serial (5)',
  parse(text: string): SchemeResult {
    if (tooLong(text, LENGTH)) return notThisScheme(`a 工业雷管编码 is ${LENGTH} characters; the text is far longer`);
    const chars = codePoints(text);
    if (chars.length !== LENGTH) {
      const message = `a 工业雷管编码 is ${LENGTH} characters; got ${chars.length}`;
      return Math.abs(chars.length - LENGTH) === 1 && chars.every(isAsciiAlnum) ? nearMiss(message) : notThisScheme(message);
    }
    // Seven or more digits where the layout has them: enough resemblance to report what is wrong.
    const resembles = chars.slice(0, 7).concat(chars.slice(8)).filter(isDigit).length >= 7;
    const fail = (reason: string) => (resembles ? nearMiss(reason) : notThisScheme(reason));

    for (const part of DIGIT_PARTS) {
      const bad = firstBadChar(chars.slice(part.from, part.to), isDigit);
      if (bad) {
        const at = part.from + bad.position;
        return fail(`${positions(at)} is ${describeChar(bad.char)}; the ${part.name} (${positions(part.from + 1, part.to)}) is digits`);
      }
    }
    const enterprise = text.slice(0, 2);
    if (enterprise === '00') return nearMiss('positions 1–2 (生产企业代号) are 00; they must be 01–99');
    const month = Number(text.slice(3, 5));
    if (month < 1 || month > 12) return nearMiss(`positions 4–5 (月) are ${text.slice(3, 5)}; the month must be 01–12`);
    const day = Number(text.slice(5, 7));
    const days = daysInMonth(month);
    if (day < 1 || day > days) {
      return nearMiss(`positions 6–7 (日) are ${text.slice(5, 7)}; ${monthName(month)} has days 01–${days}`);
    }
    const feature = chars[7]!;
    if (!isAsciiAlnum(feature)) {
      return nearMiss(`position 8 (特征号) is ${describeChar(feature)}; it must be a digit or a Latin letter`);
    }
    if (EXCLUDED_FEATURE_LETTERS.includes(feature)) {
      return nearMiss(
        `position 8 (特征号) is '${feature}'; the lower-case letters ${EXCLUDED_FEATURE_LETTERS.split('').join(', ')} are excluded (their capitals are allowed)`,
      );
    }
    return readingOf(detonatorCodeScheme, {
      canonical: text,
      target: 'item',
      fields: {
        enterprise,
        yearLastDigit: text[2]!,
        productionMonthDay: `--${text.slice(3, 5)}-${text.slice(5, 7)}`,
        feature,
        serial: text.slice(8),
      },
      notes: ['the decade of manufacture is not encoded: the year is known only by its last digit, and codes may recur after ten years'],
    });
  },
};
