/**
 * The Merkle tree of the transparency log: RFC 6962 / RFC 9162 §2.1 hashing, inclusion and consistency proofs, and the
 * bookkeeping of what the log stores as leaves are appended. Pure: the stored hashes come in through a `NodeReader`.
 *
 * Storage model. The log stores the leaf hashes (node level 0) and, at every level that is a multiple of 8, the hash of
 * each complete subtree: node (level L, index N) covers leaves [N·2^L, (N+1)·2^L). These rows are exactly the hashes
 * served as tlog tiles of height 8 (tile (T, N) holds nodes N·256 … N·256+255 of level 8T), so tiles are served from
 * them unchanged, and any node in between is recomputed from at most 128 stored hashes of the level below it.
 *
 * Sizes and indexes are JavaScript numbers: safe integers, so a log can hold up to 2^53 − 1 entries. Everything below
 * divides instead of shifting, because the bitwise operators truncate to 32 bits.
 */
import { createHash } from 'node:crypto';

/** Bytes in every hash of the tree (SHA-256). */
export const HASH_SIZE = 32;

/** Levels between two stored levels: the height of a tlog tile. */
export const TILE_HEIGHT = 8;

/** Hashes in a full tile, and stored nodes of one level under each node of the next stored level. */
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

/** The highest level a node can have in a tree of at most 2^53 leaves. */
const MAX_LEVEL = 53;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** RFC 6962 leaf hash: SHA-256(0x00 || entry). The prefix keeps a leaf from passing for an interior node. */
export function leafHash(entry: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The root of the empty tree: SHA-256 of no bytes. A fresh copy, so a caller cannot alter anyone else's. */
export function emptyRootHash(): Buffer {
  return createHash('sha256').digest();
}

/**
 * Reads stored node hashes: `to − from` hashes of one stored level (a multiple of `TILE_HEIGHT`), indexes `from`
 * (inclusive) to `to` (exclusive), in index order. Only nodes that exist are asked for.
 */
export interface NodeReader {
  read(level: number, from: number, to: number): Promise<Buffer[]>;
}

/** A stored node hash: a leaf hash at level 0, the hash of a complete subtree at the other stored levels. */
export interface StoredNode {
  level: number;
  index: number;
  hash: Buffer;
}

export interface AppendResult {
  /** The tree size after the append. */
  size: number;
  /** Every node to store for the appended leaves, the leaves themselves included, by level then index. */
  nodes: StoredNode[];
  /** The root hash of the tree after the append. */
  root: Buffer;
}

/** Whether `level` is one the log stores, so a `NodeReader` can be asked for it. */
export const isStoredLevel = (level: number): boolean => Number.isInteger(level) && level >= 0 && level % TILE_HEIGHT === 0;

// ---------------------------------------------------------------------------------------------------------------------
// Argument checks. An impossible request is a bug in the caller, so it throws; a bad proof is data, so verifiers
// answer false instead.

function checkSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
}

function checkHash(name: string, value: Uint8Array): void {
  if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
    throw new RangeError(`${name} must be a ${HASH_SIZE}-byte hash, got ${value instanceof Uint8Array ? `${value.length} bytes` : typeof value}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Tree arithmetic on plain numbers.

/** The largest power of two strictly below `n` (n ≥ 2): where RFC 6962 splits a tree of n leaves. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A complete subtree: 2^level leaves from index·2^level. */
interface Subtree {
  level: number;
  index: number;
}

/**
 * The complete subtrees that tile the leaves [start, end), largest first. Where start is a multiple of a power of two
 * at least end − start, which holds for every node of a proof, their hashes folded from the right give MTH(D[start:end]).
 */
function subtreesCovering(start: number, end: number): Subtree[] {
  const out: Subtree[] = [];
  while (start < end) {
    let size = 1;
    while (start % (size * 2) === 0 && start + size * 2 <= end) size *= 2;
    out.push({ level: Math.log2(size), index: start / size });
    start += size;
  }
  return out;
}

/** The root of a perfect tree over `hashes` (a power-of-two count of hashes of one level). */
function perfectRoot(hashes: readonly Buffer[]): Buffer {
  let row = hashes.slice();
  while (row.length > 1) {
    const next: Buffer[] = new Array<Buffer>(row.length / 2);
    for (let i = 0; i < next.length; i += 1) next[i] = nodeHash(row[2 * i]!, row[2 * i + 1]!);
    row = next;
  }
  return row[0]!;
}

/** Folds hashes of adjacent subtrees, left to right and largest first, into the hash of the range they cover. */
function foldFromRight(hashes: readonly Buffer[]): Buffer {
  let acc = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i -= 1) acc = nodeHash(hashes[i]!, acc);
  return acc;
}

/** The complete subtrees over a row of hashes of one level that starts on a tile boundary, largest first. */
function rowPeaks(row: readonly Buffer[]): Buffer[] {
  const peaks: Buffer[] = [];
  let at = 0;
  for (let size = TILE_WIDTH; size >= 1; size /= 2) {
    if (row.length - at >= size) {
      peaks.push(perfectRoot(row.slice(at, at + size)));
      at += size;
    }
  }
  return peaks;
}

// ---------------------------------------------------------------------------------------------------------------------
// Fetching: every node an operation needs is planned first, then each tile it touches is read once, all in parallel.

/** The stored hashes a subtree is computed from: `count` nodes of stored level `base` from `from`. */
function storedSpan(node: Subtree): { base: number; from: number; count: number } {
  const above = node.level % TILE_HEIGHT;
  return { base: node.level - above, from: node.index * 2 ** above, count: 2 ** above };
}

async function readChecked(reader: NodeReader, level: number, from: number, to: number): Promise<Buffer[]> {
  const hashes = await reader.read(level, from, to);
  if (!Array.isArray(hashes) || hashes.length !== to - from) {
    throw new Error(`the node store returned ${Array.isArray(hashes) ? hashes.length : 'no list of'} hashes for level ${level} [${from}, ${to})`);
  }
  for (const hash of hashes) {
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) throw new Error(`the node store returned a malformed hash for level ${level} [${from}, ${to})`);
  }
  return hashes;
}

/** Reads what the given subtrees need, one read per tile touched, and returns a function giving each one's hash. */
async function fetchSubtrees(nodes: readonly Subtree[], reader: NodeReader): Promise<(node: Subtree) => Buffer> {
  const spans = new Map<string, { level: number; from: number; to: number; hashes?: Buffer[] }>();
  const tileKey = (level: number, index: number) => `${level}/${Math.floor(index / TILE_WIDTH)}`;
  for (const node of nodes) {
    const { base, from, count } = storedSpan(node);
    const key = tileKey(base, from);
    const span = spans.get(key);
    if (span === undefined) spans.set(key, { level: base, from, to: from + count });
    else {
      span.from = Math.min(span.from, from);
      span.to = Math.max(span.to, from + count);
    }
  }
  await Promise.all([...spans.values()].map(async (span) => {
    span.hashes = await readChecked(reader, span.level, span.from, span.to);
  }));
  const computed = new Map<string, Buffer>();
  return (node) => {
    const key = `${node.level}/${node.index}`;
    let hash = computed.get(key);
    if (hash === undefined) {
      const { base, from, count } = storedSpan(node);
      const span = spans.get(tileKey(base, from))!;
      hash = perfectRoot(span.hashes!.slice(from - span.from, from - span.from + count));
      computed.set(key, hash);
    }
    return hash;
  };
}

/** The hashes of leaf ranges [start, end), each a node of an RFC 6962 proof or a root, with the reads they need. */
async function rangeHashes(ranges: readonly (readonly [number, number])[], reader: NodeReader): Promise<Buffer[]> {
  const covers = ranges.map(([start, end]) => subtreesCovering(start, end));
  const hashOf = await fetchSubtrees(covers.flat(), reader);
  return covers.map((cover) => foldFromRight(cover.map(hashOf)));
}

// ---------------------------------------------------------------------------------------------------------------------
// Reading the tree.

/** The hash of the complete subtree at any level: read when the level is stored, else recomputed from the one below. */
export async function subtreeHash(level: number, index: number, reader: NodeReader): Promise<Buffer> {
  if (!Number.isInteger(level) || level < 0 || level > MAX_LEVEL) throw new RangeError(`level must be an integer from 0 to ${MAX_LEVEL}, got ${level}`);
  checkSize('index', index);
  if ((index + 1) * 2 ** level > Number.MAX_SAFE_INTEGER) throw new RangeError(`node (${level}, ${index}) lies past the largest possible tree`);
  const node = { level, index };
  const hashOf = await fetchSubtrees([node], reader);
  return hashOf(node);
}

/** MTH of the first `size` leaves: the root hash of the tree at that size. */
export async function rootHash(size: number, reader: NodeReader): Promise<Buffer> {
  checkSize('size', size);
  if (size === 0) return emptyRootHash();
  const [root] = await rangeHashes([[0, size]], reader);
  return root!;
}

/**
 * The audit path of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1, RFC 6962 PATH): the sibling of each
 * node on the way from the leaf to the root, the leaf's own sibling first.
 */
export async function inclusionProof(index: number, size: number, reader: NodeReader): Promise<Buffer[]> {
  checkSize('index', index);
  checkSize('size', size);
  if (index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size} leaves`);
  const siblings: [number, number][] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const mid = lo + splitPoint(hi - lo);
    if (index < mid) {
      siblings.push([mid, hi]);
      hi = mid;
    } else {
      siblings.push([lo, mid]);
      lo = mid;
    }
  }
  return rangeHashes(siblings.reverse(), reader);
}

/**
 * The proof that the tree of `oldSize` leaves is a prefix of the tree of `newSize` leaves (RFC 9162 §2.1.4.1, RFC 6962
 * PROOF). Empty when the sizes are equal or the old tree is empty: there is nothing to prove.
 */
export async function consistencyProof(oldSize: number, newSize: number, reader: NodeReader): Promise<Buffer[]> {
  checkSize('oldSize', oldSize);
  checkSize('newSize', newSize);
  if (oldSize > newSize) throw new RangeError(`a tree of ${oldSize} leaves cannot be a prefix of one of ${newSize}`);
  if (oldSize === 0 || oldSize === newSize) return [];
  const nodes: [number, number][] = [];
  let lo = 0;
  let hi = newSize;
  // While the old tree's root is a node of the new tree the verifier has it already; once the walk goes right of a
  // split it is not, and the subtree that stands in for it has to be sent too.
  let oldRootIsANode = true;
  while (oldSize < hi) {
    const mid = lo + splitPoint(hi - lo);
    if (oldSize <= mid) {
      nodes.push([mid, hi]);
      hi = mid;
    } else {
      nodes.push([lo, mid]);
      lo = mid;
      oldRootIsANode = false;
    }
  }
  if (!oldRootIsANode) nodes.push([lo, hi]);
  return rangeHashes(nodes.reverse(), reader);
}

// ---------------------------------------------------------------------------------------------------------------------
// Appending.

/**
 * What appending `newLeafHashes` to a tree of `oldSize` leaves adds to the store: the leaf hashes and every node of a
 * stored level that the append completes, with the new root. Each stored level above the leaves gets a node when 256
 * nodes of the level below complete it, so a batch costs about one hash per leaf plus a root, and at most one read per
 * stored level (the old right-edge tile, which new nodes fill up).
 */
export async function appended(oldSize: number, newLeafHashes: readonly Uint8Array[], reader: NodeReader): Promise<AppendResult> {
  checkSize('oldSize', oldSize);
  newLeafHashes.forEach((hash, i) => checkHash(`new leaf hash ${i}`, hash));
  const newSize = oldSize + newLeafHashes.length;
  if (!Number.isSafeInteger(newSize)) throw new RangeError(`appending ${newLeafHashes.length} leaves to ${oldSize} passes the largest possible tree`);

  const oldEdges = await Promise.all(storedLevelsOf(oldSize).map(async (level) => {
    const count = Math.floor(oldSize / 2 ** level);
    const tileStart = count - (count % TILE_WIDTH);
    return tileStart === count ? [] : readChecked(reader, level, tileStart, count);
  }));

  const nodes: StoredNode[] = [];
  const peaks: Buffer[][] = [];
  let fresh: Buffer[] = newLeafHashes.map((hash) => Buffer.from(hash));
  for (let level = 0; ; level += TILE_HEIGHT) {
    const oldCount = Math.floor(oldSize / 2 ** level);
    const newCount = Math.floor(newSize / 2 ** level);
    fresh.forEach((hash, i) => nodes.push({ level, index: oldCount + i, hash }));
    // The row runs from the start of the old right-edge tile to the new end of the level.
    const row = [...(oldEdges[level / TILE_HEIGHT] ?? []), ...fresh];
    const rowStart = oldCount - (oldCount % TILE_WIDTH);
    const completeEnd = newCount - (newCount % TILE_WIDTH);
    const completed: Buffer[] = [];
    for (let at = rowStart; at < completeEnd; at += TILE_WIDTH) completed.push(perfectRoot(row.slice(at - rowStart, at - rowStart + TILE_WIDTH)));
    peaks.push(rowPeaks(row.slice(completeEnd - rowStart)));
    if (newCount < TILE_WIDTH) break;
    fresh = completed;
  }
  nodes.sort((a, b) => a.level - b.level || a.index - b.index);
  const allPeaks = peaks.reverse().flat();
  return { size: newSize, nodes, root: allPeaks.length === 0 ? emptyRootHash() : foldFromRight(allPeaks) };
}

/** The stored levels that hold at least one node in a tree of `size` leaves. */
function storedLevelsOf(size: number): number[] {
  const levels: number[] = [];
  for (let level = 0; 2 ** level <= size; level += TILE_HEIGHT) levels.push(level);
  return levels;
}

// ---------------------------------------------------------------------------------------------------------------------
// Verifying. These take what a client received, so any malformed input is an answer of false, never an exception.

const isSize = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isHash = (value: unknown): value is Uint8Array => value instanceof Uint8Array && value.length === HASH_SIZE;
const isProof = (value: unknown): value is Uint8Array[] => Array.isArray(value) && value.every(isHash);
const sameHash = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;
const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);
const isPowerOfTwo = (n: number) => n >= 1 && 2 ** Math.round(Math.log2(n)) === n;

/** Whether `proof` shows the leaf with hash `leaf` at `index` in the tree of `size` leaves whose root is `root` (RFC 9162 §2.1.3.2). */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!isSize(index) || !isSize(size) || index >= size || !isHash(leaf) || !isHash(root) || !isProof(proof)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      // Past the right edge of an unbalanced tree the path skips the levels where this node has no sibling.
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(r, root);
}

/**
 * Whether `proof` shows the tree of `oldSize` leaves with root `oldRoot` to be a prefix of the tree of `newSize` leaves
 * with root `newRoot` (RFC 9162 §2.1.4.2). Equal sizes need an empty proof and equal roots; an empty old tree needs an
 * empty proof and the empty-tree root, since every tree extends it.
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize || !isHash(oldRoot) || !isHash(newRoot) || !isProof(proof)) return false;
  if (oldSize === 0) return proof.length === 0 && sameHash(oldRoot, emptyRootHash()) && (newSize > 0 || sameHash(newRoot, oldRoot));
  if (oldSize === newSize) return proof.length === 0 && sameHash(oldRoot, newRoot);
  if (proof.length === 0) return false;
  // When the old tree is a complete subtree its root is a node of the new tree, and the proof leaves it out.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(fr, oldRoot) && sameHash(sr, newRoot);
}

// ---------------------------------------------------------------------------------------------------------------------
// Ranges: a run of consecutive leaves shown to be leaves [from, to) of a tree, all at once.

/** The nodes of the tree of `size` leaves that lie wholly outside [from, to) and touch it: left to right. */
function rangeOutside(from: number, to: number, size: number): [number, number][] {
  const nodes: [number, number][] = [];
  const walk = (lo: number, hi: number): void => {
    if (hi <= from || lo >= to) nodes.push([lo, hi]);
    else if (lo < from || hi > to) {
      const mid = lo + splitPoint(hi - lo);
      walk(lo, mid);
      walk(mid, hi);
    }
  };
  walk(0, size);
  return nodes;
}

/**
 * The proof that leaves [from, to) are those of the tree of `size` leaves: the hashes of the subtrees around the range,
 * left to right, which with the range's own leaf hashes make the root. At most two per level, whatever the range's
 * length, so one proof covers a whole batch of leaves where an inclusion proof each would repeat the same nodes.
 */
export async function rangeProof(from: number, to: number, size: number, reader: NodeReader): Promise<Buffer[]> {
  checkSize('from', from);
  checkSize('to', to);
  checkSize('size', size);
  if (from >= to || to > size) throw new RangeError(`[${from}, ${to}) is not a non-empty range of a tree of ${size} leaves`);
  return rangeHashes(rangeOutside(from, to, size), reader);
}

/** Whether `leaves` (their leaf hashes, in order) are the leaves [from, to) of the tree of `size` leaves with root `root`. */
export function verifyRange(from: number, to: number, size: number, leaves: readonly Uint8Array[], proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!isSize(from) || !isSize(to) || !isSize(size) || from >= to || to > size || !isHash(root) || !isProof(proof)) return false;
  if (!Array.isArray(leaves) || leaves.length !== to - from || !leaves.every(isHash)) return false;
  let used = 0;
  const hashOf = (lo: number, hi: number): Uint8Array | undefined => {
    if (hi <= from || lo >= to) return proof[used++];
    if (hi - lo === 1) return leaves[lo - from];
    const mid = lo + splitPoint(hi - lo);
    const left = hashOf(lo, mid);
    const right = left && hashOf(mid, hi);
    return right && nodeHash(left!, right);
  };
  const computed = hashOf(0, size);
  return computed !== undefined && used === proof.length && sameHash(computed, root);
}
