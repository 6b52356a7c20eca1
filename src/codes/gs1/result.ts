/**
 * Outcome of parsing or translating an identifier. Identifiers come from partners and scanners, so a malformed one is
 * an expected answer, not an exception: callers decide whether it becomes a validation error, a skipped value or a
 * log line, and `reason` says precisely what is wrong so that decision can be reported.
 */
export type Gs1Result<T> = { ok: true; value: T } | { ok: false; reason: string };

export const ok = <T>(value: T): Gs1Result<T> => ({ ok: true, value });
export const fail = <T = never>(reason: string): Gs1Result<T> => ({ ok: false, reason });
