import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../test/support/random.js';
import { jsonBytes } from './json-bytes.js';

const same = (value: unknown, message?: string) => assert.equal(jsonBytes(value).toString('utf8'), JSON.stringify(value) ?? 'null', message);

describe('jsonBytes: an answer as UTF-8 JSON, byte for byte what JSON.stringify writes', () => {
  it('long lists at the top level, at and around the run length, with Chinese, escapes and holes', () => {
    const random = seededRandom(5);
    const node = (i: number) => ({ id: `n${i}`, name: random() < 0.5 ? `冷鲜猪排骨 ${i}` : `pork "loin" \\ ${i}\n`, quantity: random() < 0.2 ? null : i / 3, tags: [i, 'a'] });
    for (const length of [0, 1, 31, 32, 33, 64, 65, 100, 1000]) {
      same({ root: 'n0', nodes: Array.from({ length }, (_, i) => node(i)), edges: Array.from({ length }, (_, i) => ({ from: `n${i}`, to: `n${i + 1}` })), warnings: [] }, `${length} elements`);
    }
    same({ list: [1, undefined, () => 1, ...Array.from({ length: 40 }, (_, i) => (i % 7 === 0 ? undefined : i))] }, 'holes become null, as JSON.stringify writes them');
  });

  it('members JSON leaves out, and values that are not plain objects', () => {
    same({ a: undefined, b: () => 1, c: Symbol('s'), d: 1, e: undefined });
    same({ when: new Date(0), nested: { deep: [{ x: 1 }] } });
    same({ toJSON: () => ({ replaced: true }) });
    for (const value of [null, 'text', 42, true, [], Array.from({ length: 70 }, (_, i) => i), {}]) same(value);
    assert.equal(jsonBytes({ name: '冷鲜' }).length, Buffer.byteLength(JSON.stringify({ name: '冷鲜' })), 'UTF-8, not UTF-16');
  });
});
