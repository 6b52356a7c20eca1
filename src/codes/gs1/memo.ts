/**
 * A bounded memo for verdicts on identifier strings. The capture path meets the same locations, lots and parties in
 * event after event, while item serials are seen once; emptying the memo when it is full keeps the repeated ones
 * (they are back after one miss) without the bookkeeping of an LRU, and bounds memory whatever arrives.
 *
 * Meant for functions of the string alone whose results are primitives, so that nothing a caller receives is shared.
 * Keeping parse results here instead was measured to cost more than it saved: every item serial's objects lived until
 * the next clear and were promoted to the old generation.
 */
export function boundedMemo<T extends string | number | boolean | null>(
  limit: number,
  compute: (key: string) => T,
): (key: string, remember: boolean) => T {
  const memo = new Map<string, T>();
  return (key: string, remember: boolean): T => {
    if (!remember) return compute(key);
    const known = memo.get(key);
    if (known !== undefined) return known;
    const value = compute(key);
    if (memo.size >= limit) memo.clear();
    memo.set(key, value);
    return value;
  };
}
