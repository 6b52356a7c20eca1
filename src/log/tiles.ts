/**
 * The C2SP tlog-tiles layout of the log (c2sp.org/tlog-tiles): where each tile and entry bundle lives, which of them a
 * tree size has, and the bytes they hold. Tile level T holds the stored nodes of Merkle level 8T (see merkle.ts), so a
 * tile is served straight from the node store. Paths are relative to the log's prefix and start with `tile/`.
 */
import { HASH_SIZE, TILE_HEIGHT, TILE_WIDTH, type NodeReader } from './merkle.js';

export type TilePath =
  | { kind: 'hash'; level: number; index: number; width: number }
  | { kind: 'entries'; index: number; width: number };

/** The highest tile level a path may name (the spec's bound; a log of 2^53 entries reaches level 6). */
export const MAX_TILE_LEVEL = 63;

/** Longest entry an entry bundle can carry: its length is written in two bytes. */
export const MAX_ENTRY_SIZE = 0xffff;

function checkIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`tile index must be a non-negative safe integer, got ${index}`);
}

function checkLevel(level: number): void {
  if (!Number.isInteger(level) || level < 0 || level > MAX_TILE_LEVEL) throw new RangeError(`tile level must be an integer from 0 to ${MAX_TILE_LEVEL}, got ${level}`);
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new RangeError(`tile width must be an integer from 1 to ${TILE_WIDTH}, got ${width}`);
}

/**
 * A tile index as path elements: zero-padded groups of three digits, all but the last prefixed with `x`
 * (1234067 → `x001/x234/067`), so that no file name is also a directory name.
 */
export function encodeTileIndex(index: number): string {
  checkIndex(index);
  const digits = String(index);
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3 || 3, '0');
  const groups: string[] = [];
  for (let at = 0; at < padded.length; at += 3) groups.push(padded.slice(at, at + 3));
  return groups.map((group, i) => (i < groups.length - 1 ? `x${group}` : group)).join('/');
}

const widthSuffix = (width: number) => (width === TILE_WIDTH ? '' : `.p/${width}`);

/** The path of the hash tile at tile level `level`, index `index`, holding `width` hashes (256 for a full tile). */
export function tilePath(level: number, index: number, width: number = TILE_WIDTH): string {
  checkLevel(level);
  checkWidth(width);
  return `tile/${level}/${encodeTileIndex(index)}${widthSuffix(width)}`;
}

/** The path of the entry bundle `index` holding `width` entries (256 for a full bundle). */
export function entriesPath(index: number, width: number = TILE_WIDTH): string {
  checkWidth(width);
  return `tile/entries/${encodeTileIndex(index)}${widthSuffix(width)}`;
}

/**
 * Reads a tile or entry bundle path, or undefined when it is not one. Only the canonical spelling is accepted (the one
 * `tilePath` / `entriesPath` write), so each resource has one name and a cache cannot hold two copies of it.
 */
export function parseTilePath(path: string): TilePath | undefined {
  const match = /^tile\/(entries|[0-9]+)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([0-9]+))?$/.exec(path);
  if (match === null) return undefined;
  const [, levelText, indexText, widthText] = match;
  const index = Number(indexText!.replaceAll('x', '').replaceAll('/', ''));
  // A full tile has no suffix, so `.p/256` is not a name for it.
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (!Number.isSafeInteger(index) || width < 1 || (widthText !== undefined && width >= TILE_WIDTH)) return undefined;
  if (levelText === 'entries') {
    return entriesPath(index, width) === path ? { kind: 'entries', index, width } : undefined;
  }
  const level = Number(levelText);
  if (level > MAX_TILE_LEVEL) return undefined;
  return tilePath(level, index, width) === path ? { kind: 'hash', level, index, width } : undefined;
}

/**
 * How many hashes tile (`level`, `index`) holds in a tree of `size` leaves: 256 for a full tile, fewer for the partial
 * tile at the right edge, 0 when the tree has no such tile (so it must not be served).
 */
export function tileWidth(level: number, index: number, size: number): number {
  checkLevel(level);
  checkIndex(index);
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size must be a non-negative safe integer, got ${size}`);
  const nodes = Math.floor(size / TILE_WIDTH ** level);
  return Math.max(0, Math.min(TILE_WIDTH, nodes - index * TILE_WIDTH));
}

/**
 * The bytes of hash tile (`level`, `index`) with `width` hashes: that many stored node hashes of Merkle level 8·level,
 * concatenated. The caller checks with `tileWidth` that the tree has the tile.
 */
export async function tileHashes(level: number, index: number, width: number, reader: NodeReader): Promise<Buffer> {
  checkLevel(level);
  checkIndex(index);
  checkWidth(width);
  const from = index * TILE_WIDTH;
  const hashes = await reader.read(level * TILE_HEIGHT, from, from + width);
  if (hashes.length !== width || hashes.some((hash) => hash.length !== HASH_SIZE)) {
    throw new Error(`the node store returned ${hashes.length} hashes for tile ${tilePath(level, index, width)}`);
  }
  return Buffer.concat(hashes, width * HASH_SIZE);
}

/** An entry bundle: each entry as a two-byte big-endian length followed by its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  if (entries.length > TILE_WIDTH) throw new RangeError(`an entry bundle holds at most ${TILE_WIDTH} entries, got ${entries.length}`);
  const parts: Buffer[] = [];
  entries.forEach((entry, i) => {
    if (entry.length > MAX_ENTRY_SIZE) throw new RangeError(`entry ${i} has ${entry.length} bytes, more than the ${MAX_ENTRY_SIZE} an entry bundle can carry`);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(entry.length);
    parts.push(length, Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength));
  });
  return Buffer.concat(parts);
}

/** The entries of a bundle, as views into `bundle` (copy them to keep them past the buffer). */
export function decodeEntryBundle(bundle: Uint8Array): Buffer[] {
  const bytes = Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  const entries: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) throw new RangeError(`entry bundle ends inside the length of entry ${entries.length}`);
    const length = bytes.readUInt16BE(at);
    at += 2;
    if (at + length > bytes.length) throw new RangeError(`entry bundle ends inside entry ${entries.length} (${length} bytes announced, ${bytes.length - at} left)`);
    entries.push(bytes.subarray(at, at + length));
    at += length;
    if (entries.length > TILE_WIDTH) throw new RangeError(`entry bundle holds more than ${TILE_WIDTH} entries`);
  }
  return entries;
}
