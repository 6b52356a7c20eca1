import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../test/support/random.js';
import {
  appended,
  consistencyProof,
  emptyRootHash,
  HASH_SIZE,
  inclusionProof,
  leafHash,
  nodeHash,
  rangeProof,
  rootHash,
  subtreeHash,
  verifyConsistency,
  verifyInclusion,
  verifyRange,
  type NodeReader,
  type StoredNode,
} from './merkle.js';

// ---------------------------------------------------------------------------------------------------------------------
// A reference written straight from the recursive definitions of RFC 9162 §2.1 (MTH, PATH, PROOF), sharing nothing
// with the module under test but the two hash functions.

type Range = readonly [number, number];

const largestPowerOfTwoBelow = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** MTH over leaves given by `leafAt`, memoised by `keyOf(start, end)` (the range, or anything that decides its hash). */
function referenceTree(leafAt: (index: number) => Buffer, keyOf: (start: number, end: number) => string = (s, e) => `${s}:${e}`) {
  const memo = new Map<string, Buffer>();
  const mth = (start: number, end: number): Buffer => {
    if (end === start) return emptyRootHash();
    const key = keyOf(start, end);
    const known = memo.get(key);
    if (known) return known;
    const hash = end - start === 1 ? leafAt(start) : nodeHash(mth(start, start + largestPowerOfTwoBelow(end - start)), mth(start + largestPowerOfTwoBelow(end - start), end));
    memo.set(key, hash);
    return hash;
  };
  const path = (m: number, start: number, end: number): Range[] => {
    if (end - start <= 1) return [];
    const k = largestPowerOfTwoBelow(end - start);
    return m < k ? [...path(m, start, start + k), [start + k, end]] : [...path(m - k, start + k, end), [start, start + k]];
  };
  const subproof = (m: number, start: number, end: number, complete: boolean): Range[] => {
    if (m === end - start) return complete ? [] : [[start, end]];
    const k = largestPowerOfTwoBelow(end - start);
    return m <= k
      ? [...subproof(m, start, start + k, complete), [start + k, end]]
      : [...subproof(m - k, start + k, end, false), [start, start + k]];
  };
  return {
    mth,
    root: (size: number) => mth(0, size),
    inclusion: (index: number, size: number) => path(index, 0, size).map(([s, e]) => mth(s, e)),
    consistency: (m: number, n: number) => (m === 0 ? [] : subproof(m, 0, n, true).map(([s, e]) => mth(s, e))),
  };
}

type Reference = ReturnType<typeof referenceTree>;

/**
 * The store the log keeps, as the reference computes it: leaf hashes and complete subtrees at levels 0, 8, 16, …,
 * limited to a tree of `size` leaves, so reading a node the tree does not have yet fails the test. Counts its reads.
 */
function referenceReader(reference: Reference, size: number): NodeReader & { reads: number } {
  return {
    reads: 0,
    async read(level, from, to) {
      this.reads += 1;
      assert.ok(level % 8 === 0, `read of level ${level}, which is not stored`);
      assert.ok(from >= 0 && from < to && to <= Math.floor(size / 2 ** level), `read of level ${level} [${from}, ${to}) in a tree of ${size}`);
      const out: Buffer[] = [];
      for (let i = from; i < to; i += 1) out.push(reference.mth(i * 2 ** level, (i + 1) * 2 ** level));
      return out;
    },
  };
}

/** A store filled the way the log fills it: by the nodes `appended` returns. */
function nodeStore() {
  const rows = new Map<number, Buffer[]>();
  return {
    rows,
    add(nodes: readonly StoredNode[]) {
      for (const { level, index, hash } of nodes) {
        const row = rows.get(level) ?? [];
        assert.equal(index, row.length, `node (${level}, ${index}) stored out of order`);
        row.push(hash);
        rows.set(level, row);
      }
    },
    reader: {
      async read(level: number, from: number, to: number) {
        const row = rows.get(level) ?? [];
        assert.ok(to <= row.length, `read of level ${level} [${from}, ${to}) past the ${row.length} stored`);
        return row.slice(from, to);
      },
    } satisfies NodeReader,
  };
}

const entry = (i: number) => Buffer.from(`entry ${i}`);
const hex = (hashes: readonly Uint8Array[]) => hashes.map((h) => Buffer.from(h).toString('hex'));

function flipped(proof: readonly Buffer[], at: number, byte = 0): Buffer[] {
  return proof.map((hash, i) => {
    if (i !== at) return hash;
    const copy = Buffer.from(hash);
    copy[byte] = copy[byte]! ^ 0x10;
    return copy;
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// transparency-dev/merkle reference vectors (Apache-2.0, see the fixture's README.md and LICENSE).

interface Vectors {
  hashing: { emptyRoot: string; leaves: { input: string; hash: string }[]; nodes: { left: string; right: string; hash: string }[] };
  leafInputs: string[];
  nodeHashes: string[][];
  roots: string[];
  inclusionProofs: { index: number; size: number; proof: string[] }[];
  consistencyProofs: { oldSize: number; newSize: number; proof: string[] }[];
  inclusionShapes: { index: number; size: number; ranges: [number, number][] }[];
  consistencyShapes: { oldSize: number; newSize: number; ranges: [number, number][] }[];
  inclusionErrors: { index: number; size: number }[];
  consistencyErrors: { oldSize: number; newSize: number }[];
}

const VECTORS = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../test/fixtures/transparency-dev-merkle/vectors.json', import.meta.url)), 'utf8'),
) as Vectors;
const fromHex = (text: string) => Buffer.from(text, 'hex');
const vectorLeaves = VECTORS.leafInputs.map((input) => leafHash(fromHex(input)));
const vectorTree = referenceTree((i) => vectorLeaves[i]!);
const SOME_HASH = fromHex('abacaba000000000000000000000000000000000000000000060061e00123456');

test('vectors: leaf, node and empty-tree hashes', () => {
  assert.equal(emptyRootHash().toString('hex'), VECTORS.hashing.emptyRoot);
  for (const { input, hash } of VECTORS.hashing.leaves) assert.equal(leafHash(fromHex(input)).toString('hex'), hash);
  for (const { left, right, hash } of VECTORS.hashing.nodes) assert.equal(nodeHash(fromHex(left), fromHex(right)).toString('hex'), hash);
});

test('vectors: the root of every tree size and every complete subtree', async () => {
  const all = referenceReader(vectorTree, vectorLeaves.length);
  for (let size = 0; size < VECTORS.roots.length; size += 1) {
    assert.equal((await rootHash(size, referenceReader(vectorTree, size))).toString('hex'), VECTORS.roots[size], `root of size ${size}`);
  }
  for (const [level, hashes] of VECTORS.nodeHashes.entries()) {
    for (const [index, hash] of hashes.entries()) assert.equal((await subtreeHash(level, index, all)).toString('hex'), hash, `node (${level}, ${index})`);
  }
  const built = await appended(0, vectorLeaves, referenceReader(vectorTree, 0));
  assert.equal(built.root.toString('hex'), VECTORS.roots[vectorLeaves.length]);
  assert.deepEqual(hex(built.nodes.map((n) => n.hash)), VECTORS.nodeHashes[0]);
});

test('vectors: inclusion proofs are produced, verify, and fail once tampered with', async () => {
  for (const { index, size, proof: expectedHex } of VECTORS.inclusionProofs) {
    const label = `leaf ${index} of ${size}`;
    const proof = await inclusionProof(index, size, referenceReader(vectorTree, size));
    assert.deepEqual(hex(proof), expectedHex, label);
    const expected = expectedHex.map(fromHex);
    const root = fromHex(VECTORS.roots[size]!);
    const leaf = vectorLeaves[index]!;
    assert.ok(verifyInclusion(leaf, index, size, expected, root), label);
    // The mutations of the upstream testdata/inclusion files.
    const tampered: [string, Parameters<typeof verifyInclusion>][] = [
      ['index - 1', [leaf, index - 1, size, expected, root]],
      ['index + 1', [leaf, index + 1, size, expected, root]],
      ['index ^ 2', [leaf, index ^ 2, size, expected, root]],
      ['size * 2', [leaf, index, size * 2, expected, root]],
      ['size / 2', [leaf, index, Math.floor(size / 2), expected, root]],
      ['wrong leaf', [Buffer.from('WrongLeaf'), index, size, expected, root]],
      ['empty root', [leaf, index, size, expected, emptyRootHash()]],
      ['random root', [leaf, index, size, expected, SOME_HASH]],
      ['trailing garbage', [leaf, index, size, [...expected, Buffer.alloc(0)], root]],
      ['trailing root', [leaf, index, size, [...expected, root], root]],
      ['preceding garbage', [leaf, index, size, [Buffer.alloc(0), ...expected], root]],
      ['preceding root', [leaf, index, size, [root, ...expected], root]],
      ...expected.map((_, i): [string, Parameters<typeof verifyInclusion>] => [`modified proof[${i}]`, [leaf, index, size, flipped(expected, i), root]]),
    ];
    if (expected.length > 0) tampered.push(['removed component', [leaf, index, size, expected.slice(0, -1), root]]);
    if (expected.length > 1) tampered.push(['inserted component', [leaf, index, size, [expected[0]!, SOME_HASH, ...expected.slice(1)], root]]);
    for (const [what, args] of tampered) assert.equal(verifyInclusion(...args), false, `${label}: ${what}`);
  }
});

test('vectors: consistency proofs are produced, verify, and fail once tampered with', async () => {
  for (const { oldSize, newSize, proof: expectedHex } of VECTORS.consistencyProofs) {
    const label = `${oldSize} → ${newSize}`;
    assert.deepEqual(hex(await consistencyProof(oldSize, newSize, referenceReader(vectorTree, newSize))), expectedHex, label);
    const expected = expectedHex.map(fromHex);
    const oldRoot = fromHex(VECTORS.roots[oldSize]!);
    const newRoot = fromHex(VECTORS.roots[newSize]!);
    assert.ok(verifyConsistency(oldSize, newSize, oldRoot, newRoot, expected), label);
    if (expected.length === 0) continue;
    // The mutations of the upstream testdata/consistency files.
    const tampered: [string, Parameters<typeof verifyConsistency>][] = [
      ['oldSize - 1', [oldSize - 1, newSize, oldRoot, newRoot, expected]],
      ['oldSize + 1', [oldSize + 1, newSize, oldRoot, newRoot, expected]],
      ['oldSize ^ 2', [oldSize ^ 2, newSize, oldRoot, newRoot, expected]],
      ['newSize * 2', [oldSize, newSize * 2, oldRoot, newRoot, expected]],
      ['newSize / 2', [oldSize, Math.floor(newSize / 2), oldRoot, newRoot, expected]],
      ['wrong old root', [oldSize, newSize, Buffer.from('WrongRoot'), newRoot, expected]],
      ['wrong new root', [oldSize, newSize, oldRoot, Buffer.from('WrongRoot'), expected]],
      ['swapped roots', [oldSize, newSize, newRoot, oldRoot, expected]],
      ['empty proof', [oldSize, newSize, oldRoot, newRoot, []]],
      ['trailing garbage', [oldSize, newSize, oldRoot, newRoot, [...expected, Buffer.alloc(0)]]],
      ['trailing old root', [oldSize, newSize, oldRoot, newRoot, [...expected, oldRoot]]],
      ['trailing new root', [oldSize, newSize, oldRoot, newRoot, [...expected, newRoot]]],
      ['preceding garbage', [oldSize, newSize, oldRoot, newRoot, [Buffer.alloc(0), ...expected]]],
      ['preceding old root', [oldSize, newSize, oldRoot, newRoot, [oldRoot, ...expected]]],
      ['preceding new root', [oldSize, newSize, oldRoot, newRoot, [newRoot, ...expected]]],
      ['preceding proof[0]', [oldSize, newSize, oldRoot, newRoot, [expected[0]!, ...expected]]],
      ['truncated proof', [oldSize, newSize, oldRoot, newRoot, expected.slice(0, -1)]],
      ...expected.map((_, i): [string, Parameters<typeof verifyConsistency>] => [`modified proof[${i}]`, [oldSize, newSize, oldRoot, newRoot, flipped(expected, i)]]),
    ];
    for (const [what, args] of tampered) assert.equal(verifyConsistency(...args), false, `${label}: ${what}`);
  }
});

test('vectors: proofs are made of the nodes the upstream proof tests name', async () => {
  const leaves = Array.from({ length: 95 }, (_, i) => leafHash(entry(i)));
  const reference = referenceTree((i) => leaves[i]!);
  const hashesOf = (ranges: [number, number][]) => hex(ranges.map(([s, e]) => reference.mth(s, e)));
  for (const { index, size, ranges } of VECTORS.inclusionShapes) {
    assert.deepEqual(hex(await inclusionProof(index, size, referenceReader(reference, size))), hashesOf(ranges), `leaf ${index} of ${size}`);
  }
  for (const { oldSize, newSize, ranges } of VECTORS.consistencyShapes) {
    assert.deepEqual(hex(await consistencyProof(oldSize, newSize, referenceReader(reference, newSize))), hashesOf(ranges), `${oldSize} → ${newSize}`);
  }
  for (const { index, size } of VECTORS.inclusionErrors) {
    await assert.rejects(inclusionProof(index, size, referenceReader(reference, size)), RangeError, `leaf ${index} of ${size}`);
  }
  for (const { oldSize, newSize } of VECTORS.consistencyErrors) {
    await assert.rejects(consistencyProof(oldSize, newSize, referenceReader(reference, newSize)), RangeError, `${oldSize} → ${newSize}`);
  }
});

// ---------------------------------------------------------------------------------------------------------------------
// Every small tree against the reference.

const SMALL = 600;
const smallLeaves = Array.from({ length: SMALL }, (_, i) => leafHash(entry(i)));
const small = referenceTree((i) => smallLeaves[i]!);

/** Which proof elements to corrupt: the first, the last and one that moves with `seed`, which over many proofs is each. */
const tamperedElements = (proof: readonly Buffer[], seed: number) =>
  proof.length === 0 ? [] : [...new Set([0, proof.length - 1, seed % proof.length])];

/** Checks an inclusion proof, then that each tampered form of it fails; claimed sizes stay within `available` leaves. */
function checkInclusion(reference: Reference, leaves: (i: number) => Buffer, available: number, index: number, size: number, proof: Buffer[]) {
  const label = `leaf ${index} of ${size}`;
  const root = reference.root(size);
  assert.ok(verifyInclusion(leaves(index), index, size, proof, root), label);
  for (const i of tamperedElements(proof, index)) {
    assert.equal(verifyInclusion(leaves(index), index, size, flipped(proof, i, i % HASH_SIZE), root), false, `${label}: byte flipped in proof[${i}]`);
  }
  if (proof.length > 0) assert.equal(verifyInclusion(leaves(index), index, size, proof.slice(0, -1), root), false, `${label}: truncated`);
  assert.equal(verifyInclusion(leaves(index), index, size, [...proof, root], root), false, `${label}: extended`);
  assert.equal(verifyInclusion(leaves(index), index, size, proof, flipped([root], 0)[0]!), false, `${label}: wrong root`);
  for (const other of [index - 1, index + 1]) {
    if (other >= 0 && other < size) {
      assert.equal(verifyInclusion(leaves(index), other, size, proof, root), false, `${label}: claimed index ${other}`);
      assert.equal(verifyInclusion(leaves(other), index, size, proof, root), false, `${label}: leaf ${other} instead`);
    }
  }
  // A proof for one size can fit another size's shape, so a claimed size is tested against that size's own root: the
  // proof must then pass exactly when it is that size's proof.
  for (const other of [size - 1, size + 1, size * 2, Math.floor(size / 2)]) {
    if (other > index && other !== size && other <= available) {
      const accepted = verifyInclusion(leaves(index), index, other, proof, reference.root(other));
      assert.equal(accepted, hex(proof).join() === hex(reference.inclusion(index, other)).join(), `${label}: claimed size ${other}`);
    }
  }
}

function checkConsistency(reference: Reference, available: number, oldSize: number, newSize: number, proof: Buffer[]) {
  const label = `${oldSize} → ${newSize}`;
  const oldRoot = reference.root(oldSize);
  const newRoot = reference.root(newSize);
  assert.ok(verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof), label);
  for (const i of tamperedElements(proof, oldSize)) {
    assert.equal(verifyConsistency(oldSize, newSize, oldRoot, newRoot, flipped(proof, i, i % HASH_SIZE)), false, `${label}: byte flipped in proof[${i}]`);
  }
  if (proof.length > 0) assert.equal(verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof.slice(0, -1)), false, `${label}: truncated`);
  assert.equal(verifyConsistency(oldSize, newSize, oldRoot, newRoot, [...proof, newRoot]), false, `${label}: extended`);
  if (oldSize < newSize) assert.equal(verifyConsistency(oldSize, newSize, newRoot, oldRoot, proof), false, `${label}: swapped roots`);
  // Every tree extends the empty one, whatever its root.
  if (oldSize > 0) assert.equal(verifyConsistency(oldSize, newSize, oldRoot, flipped([newRoot], 0)[0]!, proof), false, `${label}: wrong new root`);
  for (const [m, n] of [[oldSize - 1, newSize], [oldSize + 1, newSize], [oldSize, newSize + 1], [oldSize, newSize - 1], [oldSize, newSize * 2]] as const) {
    if (m >= 0 && m <= n && n <= available && (m !== oldSize || n !== newSize)) {
      const accepted = verifyConsistency(m, n, reference.root(m), reference.root(n), proof);
      assert.equal(accepted, hex(proof).join() === hex(reference.consistency(m, n)).join(), `${label}: claimed ${m} → ${n}`);
    }
  }
}

test(`roots, subtrees and stored nodes of every tree up to ${SMALL} leaves`, async () => {
  const built = nodeStore();
  let root = emptyRootHash();
  for (let size = 0; size <= SMALL; size += 1) {
    assert.equal((await rootHash(size, referenceReader(small, size))).toString('hex'), small.root(size).toString('hex'), `root of ${size}`);
    assert.equal(root.toString('hex'), small.root(size).toString('hex'), `appended root of ${size}`);
    if (size < SMALL) {
      const result = await appended(size, [smallLeaves[size]!], built.reader);
      assert.equal(result.size, size + 1);
      built.add(result.nodes);
      root = result.root;
    }
  }
  assert.deepEqual([...built.rows.keys()], [0, 8]);
  assert.deepEqual(hex(built.rows.get(8)!), [0, 1].map((i) => small.mth(i * 256, (i + 1) * 256).toString('hex')));
  const reader = referenceReader(small, SMALL);
  for (let level = 0; level <= 9; level += 1) {
    for (let index = 0; (index + 1) * 2 ** level <= SMALL; index += 1) {
      assert.equal((await subtreeHash(level, index, reader)).toString('hex'), small.mth(index * 2 ** level, (index + 1) * 2 ** level).toString('hex'), `node (${level}, ${index})`);
    }
  }
});

/**
 * Proofs cost up to ~250 hashes each once a tree has a full tile (the levels inside a tile are recomputed), so every
 * pair is proved for the small trees, and past them the sizes at tile boundaries and a stride of the rest.
 */
const EXHAUSTIVE = 128;
const provedSize = (size: number) => size <= EXHAUSTIVE || size % 9 === 0 || [255, 256, 257, 511, 512, 513, SMALL].includes(size);

test(`inclusion proofs: every leaf of trees up to ${EXHAUSTIVE} leaves, edges and random leaves up to ${SMALL}`, async () => {
  const random = seededRandom(6962);
  for (let size = 1; size <= SMALL; size += 1) {
    if (!provedSize(size)) continue;
    const reader = referenceReader(small, size);
    const indexes = size <= EXHAUSTIVE
      ? Array.from({ length: size }, (_, i) => i)
      : [...new Set([0, 1, 127, 128, 255, 256, 257, size - 2, size - 1, ...[1, 2, 3].map(() => Math.floor(random() * size))])].filter((i) => i < size);
    for (const index of indexes) {
      const proof = await inclusionProof(index, size, reader);
      assert.deepEqual(hex(proof), hex(small.inclusion(index, size)), `leaf ${index} of ${size}`);
      checkInclusion(small, (i) => smallLeaves[i]!, SMALL, index, size, proof);
    }
  }
});

test(`consistency proofs: every pair of sizes up to ${EXHAUSTIVE}, edges and random old sizes up to ${SMALL}`, async () => {
  const random = seededRandom(9162);
  for (let newSize = 0; newSize <= SMALL; newSize += 1) {
    if (!provedSize(newSize)) continue;
    const reader = referenceReader(small, newSize);
    const oldSizes = newSize <= EXHAUSTIVE
      ? Array.from({ length: newSize + 1 }, (_, i) => i)
      : [...new Set([0, 1, 2, 3, 127, 128, 129, 255, 256, 257, 512, newSize - 1, newSize, ...[1, 2, 3].map(() => Math.floor(random() * newSize))])].filter((m) => m <= newSize);
    for (const oldSize of oldSizes) {
      const proof = await consistencyProof(oldSize, newSize, reader);
      assert.deepEqual(hex(proof), hex(small.consistency(oldSize, newSize)), `${oldSize} → ${newSize}`);
      checkConsistency(small, SMALL, oldSize, newSize, proof);
    }
  }
});

// ---------------------------------------------------------------------------------------------------------------------
// Appending in batches.

/** A deterministic sequence of batch sizes, uneven and sometimes empty, summing to `total`. */
function batches(total: number, largest: number, seed: number): number[] {
  const random = seededRandom(seed);
  const out: number[] = [];
  let left = total;
  while (left > 0) {
    const size = Math.min(left, Math.floor(random() * (largest + 1)));
    out.push(size);
    left -= size;
  }
  return out;
}

const BIG = 70_000;
const bigLeaves = Array.from({ length: BIG }, (_, i) => leafHash(entry(i)));
const big = referenceTree((i) => bigLeaves[i]!);

test(`appending ${BIG} leaves in uneven batches stores the same nodes and roots as one append`, async () => {
  const whole = await appended(0, bigLeaves, nodeStore().reader);
  assert.equal(whole.root.toString('hex'), big.root(BIG).toString('hex'));
  const levels = [0, 8, 16].map((level) => whole.nodes.filter((n) => n.level === level).length);
  assert.deepEqual(levels, [BIG, Math.floor(BIG / 256), 1]);
  assert.equal(whole.nodes.length, levels.reduce((a, b) => a + b));
  for (const { level, index, hash } of whole.nodes.filter((n) => n.level > 0)) {
    assert.equal(hash.toString('hex'), big.mth(index * 2 ** level, (index + 1) * 2 ** level).toString('hex'), `node (${level}, ${index})`);
  }

  for (const [seed, largest] of [[1, 3000], [7, 300], [42, 1]] as const) {
    const store = nodeStore();
    let size = 0;
    let counted = 0;
    const reader: NodeReader = { read: (level, from, to) => { counted += 1; return store.reader.read(level, from, to); } };
    for (const count of batches(largest === 1 ? 1_000 : BIG, largest, seed)) {
      counted = 0;
      const result = await appended(size, bigLeaves.slice(size, size + count), reader);
      assert.ok(counted <= 3, `${counted} reads for one batch`);
      store.add(result.nodes);
      size += count;
      assert.equal(result.size, size);
      if (count > 0 || size % 97 === 0) assert.equal(result.root.toString('hex'), big.root(size).toString('hex'), `root after batch to ${size}`);
    }
    const expected = whole.nodes.filter((n) => n.index * 2 ** n.level < size && (n.index + 1) * 2 ** n.level <= size);
    for (const level of [0, 8, 16]) {
      assert.deepEqual(hex(store.rows.get(level) ?? []), hex(expected.filter((n) => n.level === level).map((n) => n.hash)), `level ${level} after batches of up to ${largest}`);
    }
  }
});

test(`roots and proofs of trees past 65,536 leaves, with few reads`, async () => {
  const sizes = [65_535, 65_536, 65_537, 65_536 + 256 * 3 + 17, BIG];
  for (const size of sizes) {
    const reader = referenceReader(big, size);
    assert.equal((await rootHash(size, reader)).toString('hex'), big.root(size).toString('hex'), `root of ${size}`);
    for (const index of [0, 1, 255, 256, 65_535, size - 1, Math.floor(size / 3)].filter((i) => i < size)) {
      reader.reads = 0;
      const proof = await inclusionProof(index, size, reader);
      assert.ok(reader.reads <= 6, `${reader.reads} reads for leaf ${index} of ${size}`);
      assert.deepEqual(hex(proof), hex(big.inclusion(index, size)), `leaf ${index} of ${size}`);
      checkInclusion(big, (i) => bigLeaves[i]!, BIG, index, size, proof);
    }
    for (const oldSize of [1, 255, 256, 4097, 65_535, 65_536, size - 1, size].filter((m) => m <= size)) {
      reader.reads = 0;
      const proof = await consistencyProof(oldSize, size, reader);
      assert.ok(reader.reads <= 6, `${reader.reads} reads for ${oldSize} → ${size}`);
      assert.deepEqual(hex(proof), hex(big.consistency(oldSize, size)), `${oldSize} → ${size}`);
      checkConsistency(big, BIG, oldSize, size, proof);
    }
  }
  assert.equal((await subtreeHash(16, 0, referenceReader(big, BIG))).toString('hex'), big.mth(0, 65_536).toString('hex'));
  assert.equal((await subtreeHash(13, 7, referenceReader(big, BIG))).toString('hex'), big.mth(7 * 8192, 8 * 8192).toString('hex'));
});

// ---------------------------------------------------------------------------------------------------------------------
// Trees far past 2^32 leaves, where 32-bit arithmetic would go wrong. Leaves alternate between two values, so every
// complete subtree above the leaves has one hash per level and both the store and the reference stay cheap.

const EVEN = leafHash(Buffer.from('even'));
const ODD = leafHash(Buffer.from('odd'));
const alternating = (i: number) => (i % 2 === 0 ? EVEN : ODD);
const uniform = referenceTree(alternating, (start, end) => `${start % 2}:${end - start}`);

function alternatingReader(size: number): NodeReader {
  return {
    async read(level, from, to) {
      assert.ok(level % 8 === 0 && to <= Math.floor(size / 2 ** level), `read of level ${level} [${from}, ${to}) in a tree of ${size}`);
      return Array.from({ length: to - from }, (_, i) => (level === 0 ? alternating(from + i) : uniform.mth(0, 2 ** level)));
    },
  };
}

test('roots and proofs of trees of up to 2^53 − 1 leaves', async () => {
  const sizes = [2 ** 32 + 1, 2 ** 40 + 12_345, 2 ** 48 + 2 ** 33 + 511, Number.MAX_SAFE_INTEGER];
  for (const size of sizes) {
    const reader = alternatingReader(size);
    assert.equal((await rootHash(size, reader)).toString('hex'), uniform.root(size).toString('hex'), `root of ${size}`);
    for (const index of [0, 2 ** 31 + 1, 2 ** 32, size - 1, size - 2 ** 20 - 3]) {
      const proof = await inclusionProof(index, size, reader);
      assert.deepEqual(hex(proof), hex(uniform.inclusion(index, size)), `leaf ${index} of ${size}`);
      assert.ok(verifyInclusion(alternating(index), index, size, proof, uniform.root(size)), `leaf ${index} of ${size}`);
      assert.equal(verifyInclusion(alternating(index), index, size, proof.slice(1), uniform.root(size)), false);
    }
    for (const oldSize of [1, 2 ** 32 - 1, 2 ** 32 + 1, size - 1, size - 2 ** 33 - 5].filter((m) => m > 0 && m < size)) {
      const proof = await consistencyProof(oldSize, size, reader);
      assert.deepEqual(hex(proof), hex(uniform.consistency(oldSize, size)), `${oldSize} → ${size}`);
      assert.ok(verifyConsistency(oldSize, size, uniform.root(oldSize), uniform.root(size), proof), `${oldSize} → ${size}`);
      assert.equal(verifyConsistency(oldSize, size, uniform.root(oldSize), uniform.root(size), proof.slice(0, -1)), false);
    }
    const before = size - 600;
    const result = await appended(before, Array.from({ length: 600 }, (_, i) => alternating(before + i)), alternatingReader(before));
    assert.equal(result.root.toString('hex'), uniform.root(size).toString('hex'), `appended root of ${size}`);
    for (const { level, index, hash } of result.nodes) assert.equal(hash.toString('hex'), uniform.mth(index * 2 ** level, (index + 1) * 2 ** level).toString('hex'));
  }
  const top = Number.MAX_SAFE_INTEGER;
  assert.equal((await subtreeHash(52, 0, alternatingReader(top))).toString('hex'), uniform.mth(0, 2 ** 52).toString('hex'));
  assert.equal((await subtreeHash(45, 254, alternatingReader(top))).toString('hex'), uniform.mth(0, 2 ** 45).toString('hex'));
});

// ---------------------------------------------------------------------------------------------------------------------
// Arguments.

test('impossible requests throw a RangeError that says why', async () => {
  const reader = referenceReader(small, 10);
  await assert.rejects(inclusionProof(10, 10, reader), { name: 'RangeError', message: 'leaf 10 is not in a tree of 10 leaves' });
  await assert.rejects(inclusionProof(0, 0, reader), RangeError);
  await assert.rejects(inclusionProof(-1, 10, reader), RangeError);
  await assert.rejects(inclusionProof(1.5, 10, reader), RangeError);
  await assert.rejects(consistencyProof(11, 10, reader), { name: 'RangeError', message: 'a tree of 11 leaves cannot be a prefix of one of 10' });
  await assert.rejects(consistencyProof(0, 2 ** 53, reader), RangeError);
  await assert.rejects(rootHash(Number.NaN, reader), RangeError);
  await assert.rejects(subtreeHash(54, 0, reader), RangeError);
  await assert.rejects(subtreeHash(52, 2, reader), RangeError);
  await assert.rejects(appended(0, [Buffer.alloc(31)], reader), RangeError);
  await assert.rejects(appended(Number.MAX_SAFE_INTEGER, [leafHash(entry(0))], reader), RangeError);
  await assert.rejects(rootHash(10, { read: async () => [] }), /returned 0 hashes/);
  assert.deepEqual(await consistencyProof(0, 10, reader), []);
  assert.deepEqual(await consistencyProof(10, 10, reader), []);
});

test('verifiers answer false to malformed input and never throw', () => {
  const root = small.root(5);
  const leaf = smallLeaves[2]!;
  const proof = small.inclusion(2, 5);
  assert.ok(verifyInclusion(leaf, 2, 5, proof, root));
  const junk: unknown[] = [undefined, null, 'x', {}, [1, 2], Buffer.alloc(33), Buffer.alloc(0), -1, 1.5, Number.NaN, 2 ** 53];
  for (const bad of junk) {
    assert.equal(verifyInclusion(bad as Buffer, 2, 5, proof, root), false);
    assert.equal(verifyInclusion(leaf, bad as number, 5, proof, root), false);
    assert.equal(verifyInclusion(leaf, 2, bad as number, proof, root), false);
    assert.equal(verifyInclusion(leaf, 2, 5, bad as Buffer[], root), false);
    assert.equal(verifyInclusion(leaf, 2, 5, [...proof.slice(0, -1), bad as Buffer], root), false);
    assert.equal(verifyInclusion(leaf, 2, 5, proof, bad as Buffer), false);
  }
  assert.equal(verifyInclusion(leaf, 5, 5, proof, root), false);
  assert.equal(verifyInclusion(leaf, 0, 0, [], emptyRootHash()), false);

  const oldRoot = small.root(3);
  const consistency = small.consistency(3, 5);
  assert.ok(verifyConsistency(3, 5, oldRoot, root, consistency));
  for (const bad of junk) {
    assert.equal(verifyConsistency(bad as number, 5, oldRoot, root, consistency), false);
    assert.equal(verifyConsistency(3, bad as number, oldRoot, root, consistency), false);
    assert.equal(verifyConsistency(3, 5, bad as Buffer, root, consistency), false);
    assert.equal(verifyConsistency(3, 5, oldRoot, bad as Buffer, consistency), false);
    assert.equal(verifyConsistency(3, 5, oldRoot, root, bad as Buffer[]), false);
    assert.equal(verifyConsistency(3, 5, oldRoot, root, [bad as Buffer, ...consistency.slice(1)]), false);
  }
  assert.equal(verifyConsistency(5, 3, root, oldRoot, consistency), false);
  // The empty tree is a prefix of every tree, but only under its own root, and equal sizes need equal roots.
  assert.ok(verifyConsistency(0, 5, emptyRootHash(), root, []));
  assert.ok(verifyConsistency(0, 0, emptyRootHash(), emptyRootHash(), []));
  assert.equal(verifyConsistency(0, 5, oldRoot, root, []), false);
  assert.equal(verifyConsistency(0, 5, emptyRootHash(), root, [root]), false);
  assert.ok(verifyConsistency(5, 5, root, root, []));
  assert.equal(verifyConsistency(5, 5, root, oldRoot, []), false);
  assert.equal(verifyConsistency(5, 5, root, root, [root]), false);
});

test('range proofs: every range of trees up to 40 leaves, and ranges of a few hundred in bigger trees, verify and fail once tampered with', async () => {
  const check = async (from: number, to: number, size: number) => {
    const reader = referenceReader(small, size);
    const proof = await rangeProof(from, to, size, reader);
    const leaves = smallLeaves.slice(from, to);
    const root = small.root(size);
    assert.ok(verifyRange(from, to, size, leaves, proof, root), `[${from}, ${to}) of ${size}`);
    assert.ok(proof.length <= 2 * Math.ceil(Math.log2(size + 1)), `a short proof for [${from}, ${to}) of ${size}`);
    assert.ok(!verifyRange(from, to, size, leaves.map((l, i) => (i === leaves.length - 1 ? flipped([l], 0)[0]! : l)), proof, root), 'a leaf altered');
    if (proof.length) assert.ok(!verifyRange(from, to, size, leaves, flipped(proof, proof.length - 1), root), 'a proof node altered');
    assert.ok(!verifyRange(from, to, size, leaves, [...proof, SOME_HASH], root), 'a node too many');
    if (to < size) assert.ok(!verifyRange(from, to + 1, size, [...leaves, SOME_HASH], proof, root), 'a leaf added');
    if (to - from > 1) assert.ok(!verifyRange(from + 1, to, size, leaves.slice(1), proof, root), 'shifted');
  };
  for (let size = 1; size <= 40; size += 1) for (let from = 0; from < size; from += 1) for (let to = from + 1; to <= size; to += 1) await check(from, to, size);
  const random = seededRandom(9162);
  for (const size of [256, 257, 513, SMALL]) {
    for (let i = 0; i < 5; i += 1) {
      const from = Math.floor(random() * (size - 1));
      await check(from, Math.min(size, from + 1 + Math.floor(random() * 500)), size);
    }
  }
  await assert.rejects(rangeProof(3, 3, 5, referenceReader(small, 5)), RangeError);
  await assert.rejects(rangeProof(2, 6, 5, referenceReader(small, 5)), RangeError);
  assert.equal(verifyRange(0, 0, 5, [], [], small.root(5)), false);
});
