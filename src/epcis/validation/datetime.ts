/**
 * Timestamp checks for EPCIS: `eventTime`, `recordTime`, `creationDate`, `declarationTime`, sensor times.
 *
 * EPCIS types them `xsd:dateTimeStamp`: an RFC 3339 / ISO 8601 date-time that must carry a time zone. The lexical form
 * accepted is `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)` with an upper-case `T` and `Z` as XML Schema requires.
 * The fields must name a real instant: month 13, 30 February, hour 24 and minute 60 are rejected (no leap seconds:
 * XML Schema has none), and the offset must lie within −14:00..+14:00.
 *
 * Written with `charCodeAt` instead of a regular expression because it runs several times per event on the capture
 * path.
 */

const ZERO = 48;

function digits(s: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = s.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True when `s` is a valid `xsd:dateTimeStamp` (date-time with a time zone) denoting a real date and time. */
export function isDateTimeStamp(s: string): boolean {
  // Shortest form: 2024-01-01T00:00:00Z (20 characters).
  if (s.length < 20) return false;
  if (s.charCodeAt(4) !== 45 /* - */ || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 /* T */) return false;
  if (s.charCodeAt(13) !== 58 /* : */ || s.charCodeAt(16) !== 58) return false;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  let i = 19;
  if (s.charCodeAt(i) === 46 /* . */) {
    i++;
    const start = i;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c < ZERO || c > ZERO + 9) break;
      i++;
    }
    if (i === start) return false;
  }
  return isZone(s, i);
}

function isZone(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c === 90 /* Z */) return i + 1 === s.length;
  if (c !== 43 /* + */ && c !== 45 /* - */) return false;
  return i + 6 === s.length && isOffsetBody(s, i + 1);
}

function isOffsetBody(s: string, at: number): boolean {
  if (s.charCodeAt(at + 2) !== 58) return false;
  const hours = digits(s, at, 2);
  const minutes = digits(s, at + 3, 2);
  if (hours < 0 || minutes < 0 || minutes > 59) return false;
  return hours < 14 || (hours === 14 && minutes === 0);
}

/** True when `s` is an EPCIS `eventTimeZoneOffset`: `±hh:mm` within −14:00..+14:00. */
export function isTimeZoneOffset(s: string): boolean {
  if (s.length !== 6) return false;
  const sign = s.charCodeAt(0);
  return (sign === 43 || sign === 45) && isOffsetBody(s, 1);
}
