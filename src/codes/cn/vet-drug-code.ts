/**
 * 兽药追溯码: the code the 国家兽药产品追溯系统 issues for every sales package of a veterinary drug (农业部公告第2210号,
 * compulsory from 2016-06-30), printed in a QR code:
 *
 *   positions 1–8    application date YYYYMMDD
 *   positions 9–13   企业标识, the enterprise number in the national system
 *   positions 14–24  random part
 *
 * There is no check character: the date is the only part that can be checked offline.
 */
import { nearMiss, notThisScheme, type CodeScheme, type SchemeResult } from '../scheme.js';
import {
  ALL_DIGITS,
  calendarDate,
  chinaToday,
  codePoints,
  describeChar,
  firstBadChar,
  isAsciiDigit,
  positions,
  readingOf,
  systemClock,
  tooLong,
  type ClockOptions,
} from './common.js';

const LENGTH = 24;

/** Announcement 2210 dates from February 2015; an earlier application date cannot belong to a real code. */
export const VET_DRUG_CODE_EARLIEST_DATE = '2015-01-01';

export function createVetDrugCodeScheme(options: ClockOptions = {}): CodeScheme {
  const clock = options.now ?? systemClock;
  const scheme: CodeScheme = {
    id: 'vet-drug-code',
    name: '兽药追溯码',
    layout: '24 digits: application date YYYYMMDD + enterprise (5) + random (11)',
    parse(text: string): SchemeResult {
      if (tooLong(text, LENGTH)) return notThisScheme(`a 兽药追溯码 is ${LENGTH} digits; the text is far longer`);
      const chars = codePoints(text);
      if (chars.length !== LENGTH) {
        if (ALL_DIGITS.test(text) && Math.abs(chars.length - LENGTH) === 1) {
          return nearMiss(`a 兽药追溯码 is ${LENGTH} digits; got ${chars.length}`);
        }
        return notThisScheme(`a 兽药追溯码 is ${LENGTH} digits; got ${chars.length} characters`);
      }
      const bad = firstBadChar(chars, isAsciiDigit);
      if (bad) return nearMiss(`${positions(bad.position)} is ${describeChar(bad.char)}; a 兽药追溯码 has digits only`);
      const date = calendarDate(text.slice(0, 8));
      if (!date.ok) return nearMiss(`application date (positions 1–8): ${date.problem}`);
      if (date.iso < VET_DRUG_CODE_EARLIEST_DATE) {
        return nearMiss(
          `application date ${date.iso} (positions 1–8) is before ${VET_DRUG_CODE_EARLIEST_DATE}; 兽药追溯码 were first issued in 2015`,
        );
      }
      const today = chinaToday(clock);
      if (date.iso > today) {
        return nearMiss(`application date ${date.iso} (positions 1–8) is in the future (today is ${today} in China)`);
      }
      return readingOf(scheme, {
        canonical: text,
        target: 'item',
        fields: { applicationDate: date.iso, enterprise: text.slice(8, 13), random: text.slice(13) },
        notes: ['no check character: only the national 兽药追溯 system can confirm that the code was issued'],
      });
    },
  };
  return scheme;
}

export const vetDrugCodeScheme: CodeScheme = createVetDrugCodeScheme();
