import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { auditRow } from '../../src/audit/audit.repository.js';
import { openNote, parseCheckpoint, parseNote, verifierFromKey, type NoteVerifier } from '../../src/crypto/signed-note.js';
import { eventHash } from '../../src/epcis/event-hash.js';
import { parseEntry, recordDigest } from '../../src/log/entries.js';
import { emptyRootHash, leafHash, nodeHash, verifyConsistency, verifyInclusion } from '../../src/log/merkle.js';
import { decodeEntryBundle } from '../../src/log/tiles.js';
import { aggregationEvent, epcisDocument, objectEvent, sgtin, sscc } from '../builders/epcis.js';
import { subjectBody } from '../builders/master-data.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { ADMIN_TOKEN, call, startTestPlatform, subjectWithKey, type TestPlatform } from '../support/platform.js';

/**
 * The transparency log end to end over HTTP: signed checkpoints, the tree rebuilt from hash and entry tiles, inclusion
 * and consistency proofs, which writes add leaves, and the problems bad requests get. Roots are recomputed here from the
 * entries with a plain RFC 6962 recursion, not with the log's own tree code.
 */

const TILE = 256;

/** MTH(D[0:n]) of RFC 6962, by its definition. */
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return emptyRootHash();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** A tile index in the tlog-tiles spelling, written out here rather than taken from the code under test. */
const indexPath = (n: number) => {
  const groups: string[] = [];
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
};
const widthSuffix = (width: number) => (width === TILE ? '' : `.p/${width}`);

interface Captured {
  eventID: string;
  hash: string;
}

interface Checkpoint {
  note: string;
  origin: string;
  size: number;
  root: Buffer;
}

for (const dialect of TEST_DIALECTS) {
  describe(`transparency log on ${dialect}`, () => {
    let t: TestPlatform;
    let ed25519: NoteVerifier;
    let sm2: NoteVerifier;
    let origin: string;
    const captured: Captured[] = [];
    /** The checkpoints after the first and the second capture, and at the start. */
    let initial: Checkpoint;
    let first: Checkpoint;
    let second: Checkpoint;

    const raw = async (url: string, key: string | null = ADMIN_TOKEN) => {
      const response = await t.app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });
      return { status: response.statusCode, bytes: response.rawPayload, headers: response.headers, body: response.body };
    };

    const checkpoint = async (): Promise<Checkpoint> => {
      const response = await call(t.app, 'GET', '/log/checkpoint', { key: null });
      assert.equal(response.status, 200, response.body);
      const opened = openNote(response.body, [ed25519, sm2]);
      assert.equal(opened.verified.length, 2, 'both signature lines verify');
      const { origin: o, size, rootHash } = parseCheckpoint(opened.body);
      return { note: response.body, origin: o, size, root: rootHash };
    };

    const capture = async (events: Record<string, unknown>[]) => {
      const document = epcisDocument(events);
      const response = await call(t.app, 'POST', '/epcis/capture', { body: document });
      assert.equal(response.status, 202, response.body);
      const job = (await call(t.app, 'GET', String(response.headers.location))).json;
      assert.equal(job.success, true, JSON.stringify(job.errors));
      const context = document['@context'] as never;
      (job.eventIDs as string[]).forEach((eventID, i) => captured.push({ eventID, hash: eventHash(events[i]!, context) }));
    };

    /** Every leaf of the tree of `size` from the tiles: the entries, their leaf hashes, checked against the hash tiles. */
    const readLog = async (size: number) => {
      const entries: Buffer[] = [];
      const leaves: Buffer[] = [];
      for (let index = 0; index * TILE < size; index++) {
        const width = Math.min(TILE, size - index * TILE);
        const hashTile = await raw(`/log/tile/0/${indexPath(index)}${widthSuffix(width)}`, null);
        assert.equal(hashTile.status, 200, hashTile.body);
        assert.equal(hashTile.headers['content-type'], 'application/octet-stream');
        assert.equal(hashTile.bytes.length, width * 32);
        const bundle = await raw(`/log/tile/entries/${indexPath(index)}${widthSuffix(width)}`);
        assert.equal(bundle.status, 200, bundle.body);
        const bundleEntries = decodeEntryBundle(bundle.bytes).map((e) => Buffer.from(e));
        assert.equal(bundleEntries.length, width);
        bundleEntries.forEach((entry, i) => {
          const hash = leafHash(entry);
          assert.deepEqual(hash, hashTile.bytes.subarray(i * 32, (i + 1) * 32), `the hash tile holds the leaf hash of entry ${index * TILE + i}`);
          entries.push(entry);
          leaves.push(hash);
        });
      }
      // Higher tile levels hold the roots of complete subtrees of 256^level leaves.
      for (let level = 1; TILE ** level <= size; level++) {
        const span = TILE ** level;
        for (let index = 0; index * TILE * span < size; index++) {
          const width = Math.min(TILE, Math.floor(size / span) - index * TILE);
          if (width <= 0) break;
          const tile = await raw(`/log/tile/${level}/${indexPath(index)}${widthSuffix(width)}`, null);
          assert.equal(tile.status, 200, tile.body);
          assert.equal(tile.bytes.length, width * 32);
          for (let i = 0; i < width; i++) {
            const start = (index * TILE + i) * span;
            assert.deepEqual(tile.bytes.subarray(i * 32, (i + 1) * 32), mth(leaves.slice(start, start + span)), `tile ${level}/${index} hash ${i}`);
          }
        }
      }
      return { entries, leaves };
    };

    before(async () => {
      t = await startTestPlatform(dialect);
      const keys = (await call(t.app, 'GET', '/.well-known/zhuisu/keys', { key: null })).json;
      origin = keys.origin;
      const vkey = await call(t.app, 'GET', '/log/key', { key: null });
      assert.equal(vkey.status, 200);
      assert.ok(vkey.body.endsWith('\n') && !vkey.body.slice(0, -1).includes('\n'), 'one line and a newline');
      ed25519 = verifierFromKey(vkey.body.slice(0, -1));
      sm2 = verifierFromKey(keys.keys.find((k: { algorithm: string }) => k.algorithm === 'SM2').verifierKey);
      initial = await checkpoint();

      // A few events, one of them with an eventID of its own (so its entry's id and hash differ).
      await capture([
        objectEvent({ epcList: [sgtin('TL1')] }),
        aggregationEvent({ parentID: sscc(777001), childEPCs: [sgtin('TL1'), sgtin('TL2')] }),
        objectEvent({ eventID: `urn:uuid:${randomUUID()}`, epcList: [sgtin('TL3')] }),
      ]);
      first = await checkpoint();
      // Enough events to fill a tile, so level-1 tiles and a partial level-0 tile exist.
      await capture(Array.from({ length: 300 }, (_, i) => objectEvent({ epcList: [sgtin(`TLB${i}`)] })));
      second = await checkpoint();
    });
    after(() => t?.close());

    test('the checkpoint is a signed note: the Ed25519 line verifies with /log/key, the SM2 line with the published SM2 key', async () => {
      const response = await call(t.app, 'GET', '/log/checkpoint', { key: null });
      assert.match(String(response.headers['content-type']), /^text\/plain/);
      const note = response.body;
      const lines = note.split('\n');
      assert.equal(lines.length, 7, note);
      assert.equal(lines[0], origin);
      assert.match(lines[1]!, /^(0|[1-9][0-9]*)$/);
      assert.match(lines[2]!, /^[A-Za-z0-9+/]{43}=$/);
      assert.equal(lines[3], '');
      assert.match(lines[4]!, new RegExp(`^\u2014 ${origin.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} [A-Za-z0-9+/=]+$`));
      assert.ok(lines[5]!.startsWith(`\u2014 ${origin} `));
      assert.equal(lines[6], '');
      assert.equal(parseNote(note).signatures.length, 2);

      const byEd25519 = openNote(note, [ed25519]);
      assert.deepEqual([byEd25519.verified.length, byEd25519.unverified.length], [1, 1], 'the SM2 line is set aside by an Ed25519-only verifier');
      assert.equal(byEd25519.verified[0]!.keyId, ed25519.keyId);
      const bySm2 = openNote(note, [sm2]);
      assert.deepEqual([bySm2.verified.length, bySm2.unverified.length], [1, 1]);
      assert.equal(bySm2.verified[0]!.keyId, sm2.keyId);
      assert.equal(sm2.algorithm, 'SM2-SM3');

      const cp = parseCheckpoint(byEd25519.body);
      assert.equal(cp.origin, origin);
      assert.equal(cp.size, second.size);
      assert.ok(second.size >= initial.size + 3 + 1 + 300 + 1, 'each capture adds its events and its audit entry');

      const keys = (await call(t.app, 'GET', '/.well-known/zhuisu/keys', { key: null })).json;
      assert.equal(keys.keys.find((k: { algorithm: string }) => k.algorithm === 'Ed25519').verifierKey, (await call(t.app, 'GET', '/log/key', { key: null })).body.trimEnd());

      // Altered text fails each signature; a note signed by neither key opens with neither.
      const altered = note.replace(`\n${cp.size}\n`, `\n${cp.size + 1}\n`);
      assert.throws(() => openNote(altered, [ed25519]), /does not verify/);
      assert.throws(() => openNote(altered, [sm2]), /does not verify/);
    });

    test('the tree rebuilt from the hash tiles and the entry tiles has the checkpoint root', async () => {
      const cp = await checkpoint();
      assert.ok(cp.size > TILE, 'the log spans more than one tile');
      const { entries, leaves } = await readLog(cp.size);
      assert.equal(leaves.length, cp.size);
      assert.deepEqual(mth(leaves), cp.root);
      for (const entry of entries) assert.ok(parseEntry(entry.toString('utf8')), `a well-formed entry: ${JSON.stringify(entry.toString('utf8'))}`);
      // The earlier checkpoints' roots are those of the prefixes.
      assert.deepEqual(mth(leaves.slice(0, first.size)), first.root);
      assert.deepEqual(mth(leaves.slice(0, initial.size)), initial.root);

      // A full tile never changes; the right-edge partial one grows.
      const full = await raw('/log/tile/0/000', null);
      assert.match(String(full.headers['cache-control']), /immutable/);
      const partial = await raw(`/log/tile/0/001.p/${cp.size - TILE}`, null);
      assert.equal(partial.status, 200);
      assert.equal(partial.headers['cache-control'], 'no-cache');
      // A narrower partial tile is a prefix of the wider one: what a client holding an older tree asks for.
      const narrower = await raw('/log/tile/0/001.p/1', null);
      assert.deepEqual(narrower.bytes, partial.bytes.subarray(0, 32));
    });

    test("every captured event's proof verifies against the checkpoint root, and its leaf names the event and its hash", async () => {
      const cp = await checkpoint();
      const { entries } = await readLog(cp.size);
      assert.equal(captured.length, 303);
      assert.notEqual(captured[2]!.eventID, captured[2]!.hash, 'the event with an eventID of its own');
      const seen = new Set<number>();
      for (const { eventID, hash } of captured) {
        const response = await call(t.app, 'GET', `/api/v1/proof?eventID=${encodeURIComponent(eventID)}`);
        assert.equal(response.status, 200, response.body);
        const proof = response.json as { eventID: string; leafIndex: number; treeSize: number; leafHash: string; inclusionProof: string[]; checkpoint: string };
        assert.equal(proof.eventID, eventID);
        assert.equal(proof.treeSize, cp.size);
        assert.equal(proof.checkpoint, cp.note);
        assert.ok(!seen.has(proof.leafIndex));
        seen.add(proof.leafIndex);
        const leaf = Buffer.from(proof.leafHash, 'hex');
        const path = proof.inclusionProof.map((h) => Buffer.from(h, 'hex'));
        assert.ok(verifyInclusion(leaf, proof.leafIndex, proof.treeSize, path, cp.root), `the proof of ${eventID} verifies`);

        const entry = entries[proof.leafIndex]!;
        assert.deepEqual(leafHash(entry), leaf, 'the leaf hash is that of the entry');
        assert.deepEqual(parseEntry(entry.toString('utf8')), { kind: 'event', ref: eventID, digest: hash });
      }
    });

    test('a proof fails for a tampered leaf, another index, another size, an altered path or another root', async () => {
      const cp = await checkpoint();
      const { eventID } = captured[1]!;
      const proof = (await call(t.app, 'GET', `/api/v1/proof?eventID=${encodeURIComponent(eventID)}`)).json;
      const leaf = Buffer.from(proof.leafHash, 'hex');
      const path: Buffer[] = proof.inclusionProof.map((h: string) => Buffer.from(h, 'hex'));
      assert.ok(verifyInclusion(leaf, proof.leafIndex, cp.size, path, cp.root));

      const tamperedLeaf = Buffer.from(leaf);
      tamperedLeaf[0]! ^= 1;
      assert.equal(verifyInclusion(tamperedLeaf, proof.leafIndex, cp.size, path, cp.root), false);
      assert.equal(verifyInclusion(leafHash(Buffer.from(`event ${eventID} sha-256:${'0'.repeat(64)}\n`)), proof.leafIndex, cp.size, path, cp.root), false);
      assert.equal(verifyInclusion(leaf, proof.leafIndex + 1, cp.size, path, cp.root), false);
      assert.equal(verifyInclusion(leaf, proof.leafIndex - 1, cp.size, path, cp.root), false);
      // The size fixes the shape of the path: a size with another shape fails. (One with the same shape, such as
      // cp.size − 1 here, folds the same hashes the same way: the size is bound by the signed checkpoint, not the path.)
      assert.ok(proof.leafIndex < TILE);
      assert.equal(verifyInclusion(leaf, proof.leafIndex, TILE, path, cp.root), false);
      assert.equal(verifyInclusion(leaf, proof.leafIndex, proof.leafIndex + 1, path, cp.root), false);
      const altered = path.map((h) => Buffer.from(h));
      altered[altered.length - 1]![5]! ^= 0x80;
      assert.equal(verifyInclusion(leaf, proof.leafIndex, cp.size, altered, cp.root), false);
      assert.equal(verifyInclusion(leaf, proof.leafIndex, cp.size, path.slice(1), cp.root), false);
      assert.equal(verifyInclusion(leaf, proof.leafIndex, cp.size, path, first.root), false);
      // Another event's leaf at this one's index.
      const other = (await call(t.app, 'GET', `/api/v1/proof?eventID=${encodeURIComponent(captured[0]!.eventID)}`)).json;
      assert.equal(verifyInclusion(Buffer.from(other.leafHash, 'hex'), proof.leafIndex, cp.size, path, cp.root), false);
    });

    test("consistency proofs between earlier and later checkpoints verify, and an old checkpoint's root is what it was", async () => {
      const cp = await checkpoint();
      const { leaves } = await readLog(cp.size);
      const consistency = async (from: number, to?: number) => {
        const response = await call(t.app, 'GET', `/api/v1/proof/consistency?from=${from}${to === undefined ? '' : `&to=${to}`}`);
        assert.equal(response.status, 200, response.body);
        return response.json as { from: number; to: number; proof: string[]; checkpoint: string };
      };
      const hashes = (proof: string[]) => proof.map((h) => Buffer.from(h, 'hex'));

      const firstToSecond = await consistency(first.size, second.size);
      assert.deepEqual([firstToSecond.from, firstToSecond.to], [first.size, second.size]);
      assert.equal(firstToSecond.checkpoint, second.note, 'the checkpoint signed earlier, unchanged');
      assert.ok(verifyConsistency(first.size, second.size, first.root, second.root, hashes(firstToSecond.proof)));
      const tampered = Buffer.from(first.root);
      tampered[31]! ^= 1;
      assert.equal(verifyConsistency(first.size, second.size, tampered, second.root, hashes(firstToSecond.proof)), false);
      assert.equal(verifyConsistency(first.size, second.size, first.root, tampered, hashes(firstToSecond.proof)), false);
      assert.equal(verifyConsistency(first.size + 1, second.size, first.root, second.root, hashes(firstToSecond.proof)), false);

      // `to` defaults to the latest checkpoint.
      const toLatest = await consistency(first.size);
      assert.equal(toLatest.to, cp.size);
      assert.equal(toLatest.checkpoint, cp.note);
      assert.ok(verifyConsistency(first.size, cp.size, first.root, cp.root, hashes(toLatest.proof)));

      // The checkpoint served for an old size is the one signed then, and its root is that of the prefix.
      const old = await consistency(0, first.size);
      assert.equal(old.checkpoint, first.note);
      assert.deepEqual(old.proof, []);
      const reopened = parseCheckpoint(openNote(old.checkpoint, [ed25519, sm2]).body);
      assert.deepEqual([reopened.size, reopened.rootHash], [first.size, first.root]);

      // Sizes never signed before, against roots recomputed from the entries: across and at tile edges.
      for (const from of [1, 2, 3, first.size - 1, first.size + 1, 255, 256, 257, cp.size - 1, cp.size]) {
        for (const to of [from, 256, 257, cp.size].filter((to) => to >= from)) {
          const answer = await consistency(from, to);
          const oldRoot = mth(leaves.slice(0, from));
          const newRoot = mth(leaves.slice(0, to));
          assert.ok(verifyConsistency(from, to, oldRoot, newRoot, hashes(answer.proof)), `consistency ${from} → ${to}`);
          const signed = parseCheckpoint(openNote(answer.checkpoint, [ed25519, sm2]).body);
          assert.deepEqual([signed.size, signed.rootHash], [to, newRoot], `the checkpoint of size ${to}`);
        }
      }
    });

    test('a rejected capture document adds no leaf', async () => {
      const before = await checkpoint();
      for (const document of [epcisDocument([objectEvent({ action: 'SOMETIMES' })]), epcisDocument([objectEvent({ eventTime: 'yesterday' })])]) {
        const response = await call(t.app, 'POST', '/epcis/capture', { body: document });
        assert.equal(response.status, 400, response.body);
        assert.equal(response.json.code, 'epcis-validation-failed', response.body);
      }
      const notJson = await call(t.app, 'POST', '/epcis/capture', { rawBody: '{"type": "EPCISDocument", ', headers: { 'content-type': 'application/ld+json' } });
      assert.equal(notJson.status, 400);
      const after = await checkpoint();
      assert.equal(after.size, before.size);
      assert.deepEqual(after.root, before.root);
      assert.equal(after.note, before.note);
    });

    test('an audited master-data change adds an audit leaf for its audit entry', async () => {
      const before = await checkpoint();
      const subject = await call(t.app, 'POST', '/api/v1/subjects', { body: subjectBody({ name: 'log test subject' }) });
      assert.equal(subject.status, 201, subject.body);
      const after = await checkpoint();
      assert.equal(after.size, before.size + 1);
      const consistency = (await call(t.app, 'GET', `/api/v1/proof/consistency?from=${before.size}&to=${after.size}`)).json;
      assert.ok(verifyConsistency(before.size, after.size, before.root, after.root, consistency.proof.map((h: string) => Buffer.from(h, 'hex'))));

      const { entries, leaves } = await readLog(after.size);
      assert.deepEqual(mth(leaves), after.root);
      const entry = parseEntry(entries[before.size]!.toString('utf8'));
      assert.equal(entry?.kind, 'audit');
      const audit = (await call(t.app, 'GET', `/api/v1/audit?targetId=${encodeURIComponent(subject.json.id)}`)).json.items as Parameters<typeof auditRow>[0][];
      assert.equal(audit.length, 1);
      assert.equal(entry?.ref, audit[0]!.id);
      assert.equal(entry?.digest, recordDigest(auditRow(audit[0]!)), "the digest is over the audit row's canonical JSON");
      // An audit entry is not an event: no event proof names it.
      assert.equal((await call(t.app, 'GET', `/api/v1/proof?eventID=${encodeURIComponent(audit[0]!.id)}`)).status, 404);
    });

    test('bad requests get problem+json 4xx, tiles beyond the tree 404, entry tiles need a key that reads everything', async () => {
      const { key: subjectKey } = await subjectWithKey(t.app);
      const cp = await checkpoint();
      const lastIndex = Math.floor((cp.size - 1) / TILE);
      const lastWidth = cp.size - lastIndex * TILE;
      const problem = async (url: string, status: number, key: string | null = ADMIN_TOKEN) => {
        const response = await call(t.app, 'GET', url, { key });
        assert.equal(response.status, status, `${url}: ${response.body}`);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/, url);
        assert.equal(response.json.status, status, url);
        assert.equal(typeof response.json.title, 'string', url);
      };
      // Proofs.
      await problem(`/api/v1/proof/consistency?from=${first.size + 1}&to=${first.size}`, 400);
      await problem(`/api/v1/proof/consistency?from=0&to=${cp.size + 1}`, 400);
      await problem('/api/v1/proof/consistency?from=-1', 400);
      await problem('/api/v1/proof/consistency?from=abc', 400);
      await problem('/api/v1/proof/consistency', 400);
      await problem('/api/v1/proof', 400);
      await problem(`/api/v1/proof?eventID=${encodeURIComponent(`urn:uuid:${randomUUID()}`)}`, 404);
      await problem(`/api/v1/proof?eventID=${encodeURIComponent(`ni:///sha-256;${'a'.repeat(64)}?ver=CBV2.0`)}`, 404);
      await problem(`/api/v1/proof?eventID=${encodeURIComponent(captured[0]!.eventID)}`, 401, null);
      // Malformed tile paths.
      for (const path of [
        '0/1234',
        '0/12',
        '0/000.p/0',
        '0/000.p/256',
        '0/000.p/300',
        '0/001.p/01',
        '0/x000/001',
        '0/000/',
        '00/000',
        '-1/000',
        '64/000',
        'x/000',
        '0/000.p',
        'entries/000.p/0',
        'entries/000.p/256',
        'entries/1234',
        '',
      ]) {
        await problem(`/log/tile/${path}`, 404);
      }
      // Tiles beyond the tree.
      await problem(`/log/tile/0/${indexPath(lastIndex + 1)}`, 404);
      await problem(`/log/tile/0/${indexPath(lastIndex + 1)}.p/1`, 404);
      await problem(`/log/tile/0/${indexPath(lastIndex)}`, 404);
      await problem(`/log/tile/0/${indexPath(lastIndex)}.p/${lastWidth + 1}`, 404);
      await problem(`/log/tile/1/000.p/${Math.floor(cp.size / TILE) + 1}`, 404);
      await problem('/log/tile/2/000.p/1', 404);
      await problem(`/log/tile/entries/${indexPath(lastIndex + 1)}.p/1`, 404);
      await problem(`/log/tile/entries/${indexPath(lastIndex)}.p/${lastWidth + 1}`, 404);
      // Entry tiles name every eventID.
      await problem('/log/tile/entries/000', 401, null);
      await problem('/log/tile/entries/000', 403, subjectKey);
      assert.equal((await raw('/log/tile/0/000', subjectKey)).status, 200, 'hash tiles are public');
    });
  });
}
