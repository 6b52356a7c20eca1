import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { boundedMemo } from './memo.js';

describe('boundedMemo', () => {
  it('computes a remembered key once, and a key it is not asked to remember every time', () => {
    const calls: string[] = [];
    const length = boundedMemo(10, (key) => (calls.push(key), key.length));
    assert.equal(length('abc', true), 3);
    assert.equal(length('abc', true), 3);
    assert.equal(length('de', false), 2);
    assert.equal(length('de', false), 2);
    assert.deepEqual(calls, ['abc', 'de', 'de']);
  });

  it('remembers null answers too', () => {
    let calls = 0;
    const none = boundedMemo(10, () => (calls += 1, null));
    none('x', true);
    none('x', true);
    assert.equal(calls, 1);
  });

  it('starts afresh when full, so memory stays bounded', () => {
    const calls: string[] = [];
    const echo = boundedMemo(2, (key) => (calls.push(key), key));
    for (const key of ['a', 'b', 'c', 'a']) echo(key, true);
    // "c" found the memo full and emptied it, so "a" had to be computed again.
    assert.deepEqual(calls, ['a', 'b', 'c', 'a']);
  });
});
