import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appended, emptyRootHash, leafHash, nodeHash, type NodeReader } from './merkle.js';
import {
  decodeEntryBundle,
  encodeEntryBundle,
  encodeTileIndex,
  entriesPath,
  parseTilePath,
  tileHashes,
  tilePath,
  tileWidth,
} from './tiles.js';

// The facts below are those of the C2SP tlog-tiles specification (c2sp.org/tlog-tiles).

test('tile indexes are written as groups of three digits, all but the last prefixed with x', () => {
  assert.equal(encodeTileIndex(1234067), 'x001/x234/067'); // the spec's example
  assert.equal(encodeTileIndex(0), '000');
  assert.equal(encodeTileIndex(7), '007');
  assert.equal(encodeTileIndex(999), '999');
  assert.equal(encodeTileIndex(1000), 'x001/000');
  assert.equal(encodeTileIndex(999_999), 'x999/999');
  assert.equal(encodeTileIndex(1_000_000), 'x001/x000/000');
  assert.equal(encodeTileIndex(Number.MAX_SAFE_INTEGER), 'x009/x007/x199/x254/x740/991');
  assert.throws(() => encodeTileIndex(-1), RangeError);
  assert.throws(() => encodeTileIndex(1.5), RangeError);
  assert.throws(() => encodeTileIndex(2 ** 53), RangeError);
});

test('tile and entry bundle paths, full and partial', () => {
  assert.equal(tilePath(0, 1234067), 'tile/0/x001/x234/067');
  assert.equal(tilePath(0, 1234067, 256), 'tile/0/x001/x234/067');
  assert.equal(tilePath(2, 0, 1), 'tile/2/000.p/1');
  assert.equal(tilePath(1, 1, 17), 'tile/1/001.p/17');
  assert.equal(tilePath(0, 273, 112), 'tile/0/273.p/112');
  assert.equal(tilePath(63, 5, 255), 'tile/63/005.p/255');
  assert.equal(entriesPath(1234067), 'tile/entries/x001/x234/067');
  assert.equal(entriesPath(273, 112), 'tile/entries/273.p/112');
  for (const [level, index, width] of [[-1, 0, 1], [64, 0, 1], [0, -1, 1], [0, 0, 0], [0, 0, 257], [0, 0, 1.5], [0.5, 0, 1]] as const) {
    assert.throws(() => tilePath(level, index, width), RangeError, `tilePath(${level}, ${index}, ${width})`);
  }
  assert.throws(() => entriesPath(0, 0), RangeError);
  assert.throws(() => entriesPath(0, 300), RangeError);
});

test('paths parse back to what they name', () => {
  const cases: [string, ReturnType<typeof parseTilePath>][] = [
    ['tile/0/x001/x234/067', { kind: 'hash', level: 0, index: 1234067, width: 256 }],
    ['tile/0/x001/x234/067.p/8', { kind: 'hash', level: 0, index: 1234067, width: 8 }],
    ['tile/2/000.p/1', { kind: 'hash', level: 2, index: 0, width: 1 }],
    ['tile/63/999.p/255', { kind: 'hash', level: 63, index: 999, width: 255 }],
    ['tile/entries/000', { kind: 'entries', index: 0, width: 256 }],
    ['tile/entries/x001/000.p/112', { kind: 'entries', index: 1000, width: 112 }],
    ['tile/1/x009/x007/x199/x254/x740/991', { kind: 'hash', level: 1, index: Number.MAX_SAFE_INTEGER, width: 256 }],
  ];
  for (const [path, expected] of cases) assert.deepEqual(parseTilePath(path), expected, path);
  for (let index = 0; index < 2_000_000; index += 997) {
    for (const width of [1, 100, 255, 256]) {
      assert.deepEqual(parseTilePath(tilePath(3, index, width)), { kind: 'hash', level: 3, index, width });
      assert.deepEqual(parseTilePath(entriesPath(index, width)), { kind: 'entries', index, width });
    }
  }
});

test('paths that are not canonical, or not tiles, are refused', () => {
  const refused = [
    '',
    'tile',
    'tile/0',
    'tile/0/',
    'tile/0/1', // index not padded to three digits
    'tile/0/0001',
    'tile/0/x000/001', // a leading group of zeros
    'tile/0/x001', // the last group carries no x
    'tile/0/001/002', // the others do
    'tile/0/x001/x002',
    'tile/0/X001/002',
    'tile/0/x01/002',
    'tile/00/000', // level with a leading zero
    'tile/01/000',
    'tile/64/000', // level past 63
    'tile/-1/000',
    'tile/+1/000',
    'tile/0/000.p/0', // partial widths are 1 to 255
    'tile/0/000.p/256', // a full tile has no suffix
    'tile/0/000.p/08',
    'tile/0/000.p/',
    'tile/0/000.p/1/',
    'tile/0/000.p',
    'tile/0/000/',
    '/tile/0/000',
    'tile/0/000?x=1',
    'tile//000',
    'tile/entries/x000/000',
    'tile/entries/000.p/256',
    'tile/entries/000.p/0',
    'tile/entries/0',
    'tile/entry/000',
    'tile/0/０００',
    'tile/٠/000',
    'tile/0/x999/x999/x999/x999/x999/999', // past the safe integers
  ];
  for (const path of refused) assert.equal(parseTilePath(path), undefined, path);
});

test('which tiles a tree has, with their widths', () => {
  const tilesOf = (size: number) => {
    const out: string[] = [];
    for (let level = 0; level <= 6; level += 1) {
      for (let index = 0; tileWidth(level, index, size) > 0; index += 1) out.push(tilePath(level, index, tileWidth(level, index, size)));
    }
    return out;
  };
  // The spec: a tree of 70,000 has 273 full level 0 tiles, a partial level 0 tile of width 112, one full level 1
  // tile, a partial level 1 tile of width 17 and a partial level 2 tile of width 1.
  const tiles = tilesOf(70_000);
  assert.equal(tiles.length, 273 + 1 + 1 + 1 + 1);
  assert.equal(tiles.filter((path) => /^tile\/0\/[^.]*$/.test(path)).length, 273);
  assert.deepEqual(tiles.slice(273), ['tile/0/273.p/112', 'tile/1/000', 'tile/1/001.p/17', 'tile/2/000.p/1']);
  // A tree of 256 has a full level 0 tile and a partial level 1 tile of width 1.
  assert.deepEqual(tilesOf(256), ['tile/0/000', 'tile/1/000.p/1']);
  assert.deepEqual(tilesOf(0), []);
  assert.deepEqual(tilesOf(1), ['tile/0/000.p/1']);
  assert.deepEqual(tilesOf(65_536), [...Array.from({ length: 256 }, (_, i) => tilePath(0, i)), 'tile/1/000', 'tile/2/000.p/1']);
  assert.equal(tileWidth(0, 274, 70_000), 0);
  assert.equal(tileWidth(3, 0, 70_000), 0);
  assert.equal(tileWidth(6, 0, Number.MAX_SAFE_INTEGER), 31);
  assert.equal(tileWidth(0, Math.floor(Number.MAX_SAFE_INTEGER / 256), Number.MAX_SAFE_INTEGER), 255);
  assert.throws(() => tileWidth(0, 0, -1), RangeError);
  assert.throws(() => tileWidth(0, 0, 2 ** 53), RangeError);
  assert.throws(() => tileWidth(0, -1, 10), RangeError);
});

test('tiles hold the Merkle Tree Hashes the spec defines', async () => {
  const size = 70_000;
  const leaves = Array.from({ length: size }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
  const memo = new Map<string, Buffer>();
  /** MTH(D[start:end]) by RFC 6962's recursion. */
  const mth = (start: number, end: number): Buffer => {
    if (end === start) return emptyRootHash();
    if (end - start === 1) return leaves[start]!;
    const key = `${start}:${end}`;
    let hash = memo.get(key);
    if (!hash) {
      let k = 1;
      while (k * 2 < end - start) k *= 2;
      hash = nodeHash(mth(start, start + k), mth(start + k, end));
      memo.set(key, hash);
    }
    return hash;
  };
  const { nodes } = await appended(0, leaves, { read: async () => [] });
  const rows = new Map<number, Buffer[]>();
  for (const { level, hash } of nodes) {
    const row = rows.get(level) ?? [];
    row.push(hash);
    rows.set(level, row);
  }
  const reader: NodeReader = { read: async (level, from, to) => rows.get(level)!.slice(from, to) };

  for (const [level, index] of [[0, 0], [0, 17], [0, 272], [0, 273], [1, 0], [1, 1], [2, 0]] as const) {
    const width = tileWidth(level, index, size);
    const bytes = await tileHashes(level, index, width, reader);
    assert.equal(bytes.length, width * 32, tilePath(level, index, width));
    // MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]) for i from 0 to width − 1.
    const expected = Array.from({ length: width }, (_, i) => mth((index * 256 + i) * 256 ** level, (index * 256 + i + 1) * 256 ** level));
    assert.deepEqual(bytes, Buffer.concat(expected), tilePath(level, index, width));
  }
  assert.equal((await tileHashes(0, 0, 256, reader)).length, 8192);
  // Each hash of a level 1 tile is the hash of a full level 0 tile, taken as the 256 leaves of a perfect tree.
  const level1 = await tileHashes(1, 0, 256, reader);
  for (const index of [0, 100, 255]) {
    const tile = await tileHashes(0, index, 256, reader);
    let row = Array.from({ length: 256 }, (_, i) => tile.subarray(i * 32, i * 32 + 32));
    while (row.length > 1) row = Array.from({ length: row.length / 2 }, (_, i) => nodeHash(row[2 * i]!, row[2 * i + 1]!));
    assert.deepEqual(level1.subarray(index * 32, index * 32 + 32), row[0]);
  }
  await assert.rejects(tileHashes(0, 0, 0, reader), RangeError);
  await assert.rejects(tileHashes(0, 0, 3, { read: async () => [leaves[0]!] }), /returned 1 hashes/);
});

test('entry bundles: big-endian uint16 lengths, each entry hashing to its level 0 tile hash', async () => {
  const entries = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('bc')];
  const bundle = encodeEntryBundle(entries);
  assert.equal(bundle.toString('hex'), '000161' + '0000' + '00026263');
  assert.deepEqual(decodeEntryBundle(bundle), entries);

  const long = Buffer.alloc(0xffff, 7);
  const mixed = [long, Buffer.from('日志条目'), Buffer.alloc(300, 1)];
  const encoded = encodeEntryBundle(mixed);
  assert.deepEqual(encoded.subarray(0, 2), Buffer.from([0xff, 0xff]));
  assert.deepEqual(decodeEntryBundle(encoded), mixed);
  assert.deepEqual(decodeEntryBundle(new Uint8Array(encoded)), mixed);
  assert.deepEqual(decodeEntryBundle(Buffer.alloc(0)), []);

  const full = Array.from({ length: 256 }, (_, i) => Buffer.from(`entry ${i}`));
  const { nodes } = await appended(0, full.map((entry) => leafHash(entry)), { read: async () => [] });
  const tile = await tileHashes(0, 0, 256, { read: async (level, from, to) => nodes.filter((n) => n.level === level).slice(from, to).map((n) => n.hash) });
  const decoded = decodeEntryBundle(encodeEntryBundle(full));
  assert.deepEqual(Buffer.concat(decoded.map((entry) => leafHash(entry))), tile);

  assert.throws(() => encodeEntryBundle([Buffer.alloc(0x10000)]), { name: 'RangeError', message: /entry 0 has 65536 bytes/ });
  assert.throws(() => encodeEntryBundle([...full, Buffer.from('one more')]), RangeError);
  assert.throws(() => decodeEntryBundle(Buffer.from([0x00])), /inside the length of entry 0/);
  assert.throws(() => decodeEntryBundle(Buffer.from([0x00, 0x01, 0x61, 0x00, 0x03, 0x62])), /inside entry 1/);
  assert.throws(() => decodeEntryBundle(Buffer.alloc(2 * 257)), /more than 256 entries/);
});
