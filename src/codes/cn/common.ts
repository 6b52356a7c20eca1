/**
 * Small pieces the Chinese code schemes share: the clock, calendar checks in China's time zone, and the wording of
 * reasons (positions, characters, lengths), so every scheme reports a broken rule the same way.
 */
import { reading, type CodeReading, type SchemeResult } from '../scheme.js';

/** Where "today" comes from for rules that depend on it; injectable so tests and batch jobs can pin it. */
export type Clock = () => Date;

export interface ClockOptions {
  /** Defaults to the system clock, read at every parse (a scheme object lives longer than a day). */
  now?: Clock;
}

export const systemClock: Clock = () => new Date();

/** Dates printed in codes are Chinese calendar dates; "today" must be China's today or codes issued after 16:00 UTC fail. */
const CHINA_UTC_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Today in China as YYYY-MM-DD. A clock that returns an invalid date is ignored rather than allowed to throw. */
export function chinaToday(clock: Clock): string {
  let time = Number.NaN;
  try {
    time = clock().getTime();
  } catch {
    // A misbehaving clock must not make parse throw; the system time is the sensible fallback.
  }
  if (!Number.isFinite(time)) time = Date.now();
  return new Date(time + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 10);
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1–12); with no year, February has 29 because a leap year cannot be ruled out. */
export function daysInMonth(month: number, year?: number): number {
  if (month === 2) return year === undefined || isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Checks the 8 digits `yyyymmdd` (already known to be digits) as a calendar date and returns it as YYYY-MM-DD, or a
 * sentence saying what is impossible about it.
 */
export function calendarDate(yyyymmdd: string): { ok: true; iso: string } | { ok: false; problem: string } {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  const shown = `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
  if (month < 1 || month > 12) return { ok: false, problem: `${shown} is not a date: month ${yyyymmdd.slice(4, 6)} does not exist` };
  const days = daysInMonth(month, year);
  if (day < 1 || day > days) {
    return { ok: false, problem: `${shown} is not a date: ${monthName(month)} ${year} has days 01–${days}` };
  }
  return { ok: true, iso: shown };
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function monthName(month: number): string {
  return MONTH_NAMES[month - 1] ?? `month ${month}`;
}

/** The text as code points, so lengths and positions count what a person sees, not UTF-16 halves. */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/**
 * A character as it should appear in a reason: quoted when printable, as U+XXXX when it is a control character,
 * whitespace, an invisible format character or half of a surrogate pair (those would vanish or garble the message).
 */
export function describeChar(char: string): string {
  if (char === ' ') return "' ' (space)";
  if (/^[^\p{C}\p{Z}]$/u.test(char)) return `'${char}'`;
  const hex = (char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `U+${hex}`;
}

/** "position 8" or "positions 2–7" (1-based, inclusive), the way the standards number a code's characters. */
export function positions(from: number, to: number = from): string {
  return from === to ? `position ${from}` : `positions ${from}–${to}`;
}

/** The first character (1-based position in code points) that `allowed` rejects, or undefined when all pass. */
export function firstBadChar(chars: readonly string[], allowed: (char: string) => boolean): { position: number; char: string } | undefined {
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (!allowed(char)) return { position: i + 1, char };
  }
  return undefined;
}

export const isAsciiDigit = (char: string): boolean => char.length === 1 && char >= '0' && char <= '9';

export const ALL_DIGITS = /^[0-9]+$/;

/** "23 characters" / "1 character", for reasons about length. */
export function characters(count: number): string {
  return count === 1 ? '1 character' : `${count} characters`;
}

/**
 * A length no scheme here comes near: checked first so a 100,000-character paste costs a comparison, not a split
 * into code points.
 */
export function tooLong(text: string, limit: number): boolean {
  return text.length > limit * 2 + 16;
}

/** A reading of `scheme`, so parse functions need neither `this` nor to repeat the scheme's id and name. */
export function readingOf(
  scheme: { readonly id: string; readonly name: string },
  value: Omit<CodeReading, 'scheme' | 'schemeName'>,
): SchemeResult {
  return reading({ scheme: scheme.id, schemeName: scheme.name, ...value });
}
