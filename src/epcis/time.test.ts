import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoString } from './time.js';

describe('isoString', () => {
  it('writes what toISOString writes', () => {
    const times = [0, 1, 999, 86_399_999, 951_782_400_000, 951_868_800_000, 4_107_542_400_000, 253_402_300_799_999];
    // Every day boundary across four centuries, leap days and century years included.
    for (let day = 0; day < 146_097 * 2; day += 7) times.push(day * 86_400_000 - 1, day * 86_400_000 + 45_296_789);
    for (const ms of times) assert.equal(isoString(ms), new Date(ms).toISOString(), String(ms));
  });

  it('leaves years outside 1000–9999 and fractional times to Date, and throws for an invalid time as toISOString does', () => {
    for (const ms of [-1, -30_610_224_000_001, -62_198_755_200_000, 253_402_300_800_000, 8.64e15, 1.5]) assert.equal(isoString(ms), new Date(ms).toISOString());
    assert.throws(() => isoString(Number.NaN), RangeError);
  });
});
