import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { KeyStore } from '../../src/crypto/key-store.js';
import {
  cosignatureTimestamp,
  cosignatureVerifierKey,
  ed25519Signer,
  formatCheckpoint,
  openNote,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  signNote,
  verifierFromKey,
  type NoteVerifier,
} from '../../src/crypto/signed-note.js';
import { LogSigningKeys } from '../../src/crypto/signing-keys.js';
import { addCheckpointToWitness } from '../../src/log/witness-client.js';
import { epcisDocument, objectEvent, sgtin } from '../builders/epcis.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * A province witnessing a city (c2sp.org/tlog-witness), two platforms in one process: the city captures and asks for
 * cosignatures with consistency proofs from its own API; the province cosigns what extends what it cosigned before,
 * answers the spec's statuses otherwise, and raises an alarm when the city shows two histories. The cosignatures are
 * checked with the province's published witness key only.
 */

let serial = 700_000;

for (const dialect of TEST_DIALECTS) {
  describe(`witnessing on ${dialect}`, () => {
    let city: TestPlatform;
    let province: TestPlatform;
    let origin: string;
    /** The key the city was given at the province: any key may submit; a city regulator's here. */
    let cityKey: string;
    let witness: NoteVerifier;
    let witnessVkey: string;
    /** The checkpoint the province cosigned last, as the city sent it. */
    let cosigned: { note: string; size: number; root: Buffer };

    const grow = async (documents = 1) => {
      for (let i = 0; i < documents; i += 1) {
        const captured = await call(city.app, 'POST', '/epcis/capture', { body: epcisDocument([objectEvent({ epcList: [sgtin(++serial)] }), objectEvent({ epcList: [sgtin(++serial)] })]) });
        assert.equal(captured.status, 202, captured.body);
      }
    };

    /** The city's latest checkpoint and the proof that it extends size `from`, as the city's API serves them. */
    const cityUpdate = async (from: number) => {
      const res = await call(city.app, 'GET', `/api/v1/proof/consistency?from=${from}`);
      assert.equal(res.status, 200, res.body);
      const { size, rootHash } = parseCheckpoint(parseNote(res.json.checkpoint).body);
      return { note: res.json.checkpoint as string, size, root: rootHash, proof: (res.json.proof as string[]).map((h) => Buffer.from(h, 'hex')) };
    };

    const body = (old: number, proof: readonly Buffer[], note: string) => `old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${note}`;

    const submit = (rawBody: string, key: string | null = cityKey, contentType = 'text/plain') =>
      call(province.app, 'POST', '/log/witness/add-checkpoint', { key, rawBody, headers: { 'content-type': contentType } });

    const assertProblem = (res: Awaited<ReturnType<typeof call>>, status: number, code?: string) => {
      assert.equal(res.status, status, res.body);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      if (code) assert.equal(res.json.code, code, res.body);
    };

    const witnessedLog = async () => {
      const res = await call(province.app, 'GET', '/api/v1/witness/logs');
      assert.equal(res.status, 200, res.body);
      return (res.json.items as { origin: string; size: number; rootHash: string; checkpoint: string | null; cosignedAt: string | null }[]).find((l) => l.origin === origin)!;
    };

    /** A checkpoint of the city's origin over a made-up root, signed with the city's own log keys. */
    const forgedByCity = (size: number) => {
      const keys = LogSigningKeys.open(new KeyStore(city.platform.config.keyDir), city.platform.config.logOrigin);
      return keys.sign(formatCheckpoint({ origin, size, rootHash: randomBytes(32) }));
    };

    before(async () => {
      city = await startTestPlatform(dialect, { ZHUISU_PUBLIC_URL: 'https://city.example', ZHUISU_LEVEL: 'city' });
      province = await startTestPlatform(dialect, { ZHUISU_PUBLIC_URL: 'https://province.example', ZHUISU_LEVEL: 'province' });
      origin = city.platform.config.logOrigin;
      const user = (await call(province.app, 'POST', '/api/v1/users', { body: { username: `city${Math.random().toString(36).slice(2, 8)}`, role: 'regulator', regionPrefix: '3301', departments: ['market_regulation'] } })).json;
      cityKey = (await call(province.app, 'POST', `/api/v1/users/${user.id}/keys`, { body: { name: 'city log' } })).json.secret;
    });
    after(async () => {
      await province?.close();
      await city?.close();
    });

    test("the witness key is public: a cosignature vkey (type 0x04) named after the province's platform", async () => {
      const res = await call(province.app, 'GET', '/log/witness/key', { key: null });
      assert.equal(res.status, 200, res.body);
      witnessVkey = res.body.trim();
      const { name, keyMaterial } = parseVerifierKey(witnessVkey);
      assert.equal(name, 'province.example/witness');
      assert.equal(keyMaterial[0], 0x04);
      assert.equal(keyMaterial.length, 33);
      witness = verifierFromKey(witnessVkey);
      assert.notEqual(witnessVkey, (await call(province.app, 'GET', '/log/key', { key: null })).body.trim(), 'the witness key is not the log key');
    });

    test("an admin registers the city's log with its key; again is a conflict", async () => {
      const vkey = (await call(city.app, 'GET', '/log/key', { key: null })).body.trim();
      const created = await call(province.app, 'POST', '/api/v1/witness/logs', { body: { origin, vkey } });
      assert.equal(created.status, 201, created.body);
      assert.equal(created.json.origin, 'city.example/log');
      assert.equal(created.json.size, 0);
      assert.equal(created.json.checkpoint, null);
      assertProblem(await call(province.app, 'POST', '/api/v1/witness/logs', { body: { origin, vkey } }), 409, 'witnessed-log-exists');
      assertProblem(await call(province.app, 'POST', '/api/v1/witness/logs', { body: { origin: 'other.example/log', vkey: 'not a key' } }), 400, 'note_key_malformed');
      assertProblem(await call(province.app, 'POST', '/api/v1/witness/logs', { body: { origin: 'other.example/log', vkey: witnessVkey } }), 400, 'witness-vkey-not-a-log-key');
      assertProblem(await call(province.app, 'POST', '/api/v1/witness/logs', { body: { origin: 'a\nb', vkey } }), 400, 'witness-origin-malformed');
      assert.equal((await witnessedLog()).size, 0);
    });

    test("the city's checkpoints are cosigned as it grows, each verifying with the witness key", async () => {
      await grow();
      const first = await cityUpdate(0);
      const before = Math.floor(Date.now() / 1000);
      let res = await submit(body(0, [], first.note));
      assert.equal(res.status, 200, res.body);
      let opened = openNote(first.note + res.body, [witness]);
      assert.equal(opened.verified.length, 1);
      assert.equal(opened.verified[0]!.name, 'province.example/witness');
      const time = cosignatureTimestamp(opened.verified[0]!.signature);
      assert.ok(time >= before - 1 && time <= Date.now() / 1000 + 1, 'the cosignature is timestamped now');
      assert.match(res.body, /^(\u2014 \S+ [A-Za-z0-9+/=]+\n)+$/, 'the answer is signature lines only');
      cosigned = first;

      for (const documents of [1, 3]) {
        await grow(documents);
        const from = cosigned.size;
        const next = await cityUpdate(from);
        assert.ok(next.size > from);
        res = await submit(body(from, next.proof, next.note));
        assert.equal(res.status, 200, res.body);
        opened = openNote(next.note + res.body, [witness]);
        assert.equal(opened.verified.length, 1);
        cosigned = next;
      }
      const listed = await witnessedLog();
      assert.equal(listed.size, cosigned.size);
      assert.equal(listed.rootHash, cosigned.root.toString('hex'));
      assert.ok(listed.cosignedAt);
      // The stored note carries the city's signatures and the cosignature: it opens with both keys.
      const cityVerifier = verifierFromKey((await call(city.app, 'GET', '/log/key', { key: null })).body.trim());
      assert.equal(openNote(listed.checkpoint!, [cityVerifier, witness]).verified.length, 2);
    });

    test('the same checkpoint again is cosigned again; two submissions from one state advance it once', async () => {
      const again = await submit(body(cosigned.size, [], cosigned.note));
      assert.equal(again.status, 200, again.body);
      await grow();
      const next = await cityUpdate(cosigned.size);
      const request = body(cosigned.size, next.proof, next.note);
      const statuses = (await Promise.all([submit(request), submit(request)])).map((r) => [r.status, r.body] as const).sort();
      assert.deepEqual(statuses, [[200, statuses[0]![1]], [409, `${next.size}\n`]]);
      cosigned = next;
    });

    test("a stale old size gets 409 with the witness's size as text/x.tlog.size", async () => {
      await grow();
      const next = await cityUpdate(1);
      const res = await submit(body(1, next.proof, next.note));
      assert.equal(res.status, 409);
      assert.match(String(res.headers['content-type']), /^text\/x\.tlog\.size/);
      assert.equal(res.body, `${cosigned.size}\n`);
      // A client that knows nothing asks from 0 to learn the size.
      const fromZero = await submit(body(0, [], next.note));
      assert.equal(fromZero.status, 409);
      assert.equal(fromZero.body, `${cosigned.size}\n`);
    });

    test('a checkpoint signed by another key is refused 403; an unknown log 404', async () => {
      const next = await cityUpdate(cosigned.size);
      const { privateKey } = generateKeyPairSync('ed25519');
      const forged = signNote(parseNote(next.note).body, [ed25519Signer(origin, privateKey)]);
      assertProblem(await submit(body(cosigned.size, next.proof, forged)), 403, 'witness-signature-invalid');
      // The city's signature line with its bytes altered: a known key whose signature does not verify.
      const lines = next.note.split('\n');
      const line = lines.findIndex((l) => l.startsWith('\u2014 '));
      const bytes = Buffer.from(lines[line]!.split(' ')[2]!, 'base64');
      bytes.writeUInt8(bytes.readUInt8(10) ^ 1, 10);
      lines[line] = `\u2014 ${origin} ${bytes.toString('base64')}`;
      assertProblem(await submit(body(cosigned.size, next.proof, lines.join('\n'))), 403, 'witness-signature-invalid');
      const elsewhere = signNote(formatCheckpoint({ origin: 'elsewhere.example/log', size: 1, rootHash: randomBytes(32) }), [ed25519Signer('elsewhere.example/log', privateKey)]);
      assertProblem(await submit(body(0, [], elsewhere)), 404, 'witness-unknown-log');
      assert.equal((await witnessedLog()).size, cosigned.size, 'nothing moved');
    });

    test('a fork (a second root for the size cosigned) is refused 409 and raises an alarm', async () => {
      const fork = forgedByCity(cosigned.size);
      assertProblem(await submit(body(cosigned.size, [], fork)), 409, 'witness-fork');
      const alarms = await call(province.app, 'GET', '/api/v1/witness/alarms');
      assert.equal(alarms.status, 200, alarms.body);
      const alarm = alarms.json.items[0];
      assert.equal(alarm.origin, origin);
      assert.equal(alarm.kind, 'fork');
      assert.equal(alarm.submittedCheckpoint, fork);
      assert.equal(parseCheckpoint(parseNote(alarm.cosignedCheckpoint).body).rootHash.toString('hex'), cosigned.root.toString('hex'));
      assert.ok(!Number.isNaN(Date.parse(alarm.at)));
      assert.equal((await witnessedLog()).rootHash, cosigned.root.toString('hex'), 'the cosigned state stands');
      // The alarm is audited, so it is in the province's own log too.
      const audit = await call(province.app, 'GET', '/api/v1/audit?action=witness.alarm');
      assert.equal(audit.json.items[0].targetId, alarm.id);
    });

    test('a larger tree the proof does not tie to the cosigned one is refused 422 and raises an alarm', async () => {
      await grow();
      const next = await cityUpdate(cosigned.size);
      const fork = forgedByCity(next.size);
      const res = await submit(body(cosigned.size, next.proof, fork));
      assertProblem(res, 422, 'witness-proof-invalid');
      assert.equal(res.json.status, 422);
      const alarms = (await call(province.app, 'GET', `/api/v1/witness/alarms?origin=${encodeURIComponent(origin)}`)).json.items;
      assert.equal(alarms.length, 2);
      assert.equal(alarms[0].kind, 'inconsistent');
      assert.equal(alarms[0].oldSize, cosigned.size);
      assert.deepEqual(alarms[0].proof, next.proof.map((h) => h.toString('base64')));
      assert.equal(res.json.errors[0].alarmId, alarms[0].id);
      // The true checkpoint with the same proof still goes through.
      const ok = await submit(body(cosigned.size, next.proof, next.note));
      assert.equal(ok.status, 200, ok.body);
      cosigned = next;
    });

    test('malformed requests get problem+json 400; no key 401', async () => {
      const next = await cityUpdate(cosigned.size);
      const hash = Buffer.alloc(32, 7);
      const malformed: [string, string][] = [
        ['', 'witness-request-malformed'],
        [`old 01\n\n${next.note}`, 'witness-request-malformed'],
        [`old ${cosigned.size}\n${next.note}`, 'witness-request-malformed'],
        [`old ${cosigned.size}\nnot-base64\n\n${next.note}`, 'witness-request-malformed'],
        [`old ${cosigned.size}\n${hash.toString('base64').slice(0, -2)}=\n\n${next.note}`, 'witness-request-malformed'],
        [body(cosigned.size, Array.from({ length: 64 }, () => hash), next.note), 'witness-request-malformed'],
        [body(cosigned.size, next.proof, parseNote(next.note).body), 'note_malformed'],
        [body(cosigned.size, next.proof, `${origin}\nten\nAAAA\n\n\u2014 ${origin} AAAAAAAAAAAA\n`), 'checkpoint_malformed'],
        [body(next.size + 1, next.proof, next.note), 'witness-old-size-too-large'],
        [body(0, [hash], next.note), 'witness-proof-unexpected'],
        [body(cosigned.size, [hash], cosigned.note), 'witness-proof-unexpected'],
      ];
      for (const [text, code] of malformed) assertProblem(await submit(text), 400, code);
      assertProblem(await submit(body(0, [], next.note), null), 401);
      assertProblem(await submit(JSON.stringify({ old: 0 }), cityKey, 'application/json'), 400, 'witness-request-malformed');
      // No content type at all: the body is still read as text.
      const bare = await province.app.inject({ method: 'POST', url: '/log/witness/add-checkpoint', headers: { authorization: `Bearer ${cityKey}` }, payload: body(cosigned.size, [], cosigned.note) });
      assert.equal(bare.statusCode, 200, bare.body);
      assert.equal((await witnessedLog()).size, cosigned.size, 'nothing moved');
    });

    test('the witness client: cosignatures, the conflict, refusal and fork as typed outcomes over HTTP', async () => {
      await province.app.listen({ port: 0, host: '127.0.0.1' });
      const witnessUrl = `http://127.0.0.1:${(province.app.server.address() as AddressInfo).port}/`;
      await grow();
      const next = await cityUpdate(cosigned.size);

      const unknown = await addCheckpointToWitness({ witnessUrl, apiKey: cityKey, checkpoint: next.note, oldSize: 0, proof: [], witnessKey: witnessVkey });
      assert.deepEqual(unknown.ok ? null : [unknown.failure, unknown.failure === 'conflict' && unknown.witnessSize], ['conflict', cosigned.size]);

      const done = await addCheckpointToWitness({ witnessUrl, apiKey: cityKey, checkpoint: next.note, oldSize: cosigned.size, proof: next.proof, witnessKey: witnessVkey });
      assert.ok(done.ok, JSON.stringify(done));
      assert.equal(done.cosignatures.length, 1);
      assert.equal(openNote(next.note + done.cosignatures.join(''), [witness]).verified.length, 1);
      cosigned = next;

      const refused = await addCheckpointToWitness({ witnessUrl, apiKey: 'zsk_0000000000000000_' + 'A'.repeat(43), checkpoint: next.note, oldSize: next.size, proof: [] });
      assert.deepEqual(refused.ok ? null : [refused.failure, refused.failure === 'refused' && refused.status], ['refused', 401]);

      const fork = await addCheckpointToWitness({ witnessUrl, apiKey: cityKey, checkpoint: forgedByCity(next.size), oldSize: next.size, proof: [] });
      assert.ok(!fork.ok && fork.failure === 'fork', JSON.stringify(fork));
      assert.ok(fork.alarmId);

      // A witness key the answer is not signed by leaves no cosignature to use.
      const { publicKey } = generateKeyPairSync('ed25519');
      const wrongKey = await addCheckpointToWitness({ witnessUrl, apiKey: cityKey, checkpoint: next.note, oldSize: next.size, proof: [], witnessKey: cosignatureVerifierKey('province.example/witness', publicKey) });
      assert.ok(!wrongKey.ok && wrongKey.failure === 'unavailable', JSON.stringify(wrongKey));

      const nobody = await addCheckpointToWitness({ witnessUrl: 'http://127.0.0.1:1', apiKey: cityKey, checkpoint: next.note, oldSize: 0, proof: [], timeoutMs: 2000 });
      assert.ok(!nobody.ok && nobody.failure === 'unavailable');
    });
  });
}
