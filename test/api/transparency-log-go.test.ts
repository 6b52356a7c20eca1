import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ed25519VerifierKey } from '../../src/crypto/signed-note.js';
import { epcisDocument, objectEvent, sgtin } from '../builders/epcis.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { ADMIN_TOKEN, call, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { runProcess } from '../support/process.js';

/**
 * The log checked by an implementation we did not write: test/go/logcheck verifies checkpoints, tiles and proofs with
 * Go's golang.org/x/mod/sumdb/note and sumdb/tlog against the app listening on a loopback port. Go and the library come
 * from Debian (golang-go, golang-golang-x-mod-dev; .ci/run installs them); the program builds in GOPATH mode against the
 * library's sources, with no module download.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INSTALL_HINT = 'run `apt-get install golang-go golang-golang-x-mod-dev` (as .ci/run does)';
/** Where Debian's golang-*-dev packages put Go library sources: a GOPATH. */
const GOPATH = process.env.ZHUISU_TEST_GOPATH ?? '/usr/share/gocode';

const buildDir = mkdtempSync(join(tmpdir(), 'zhuisu-logcheck-'));
const binary = join(buildDir, 'logcheck');
after(() => rmSync(buildDir, { recursive: true, force: true }));

before(() => {
  const version = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    assert.fail(`the Go log verifier needs the go command, which is not on PATH: ${INSTALL_HINT}`);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GO111MODULE: 'off',
    GOPATH,
    GOFLAGS: '',
    GOPROXY: 'off',
    GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'zhuisu-go-build-cache'),
  };
  const build = spawnSync('go', ['build', '-o', binary, './test/go/logcheck'], { cwd: ROOT, env, encoding: 'utf8' });
  if (build.status !== 0) {
    const missing = /cannot find package "golang\.org\/x\/mod/.test(build.stderr);
    assert.fail(`building test/go/logcheck failed${missing ? ` (golang.org/x/mod is not in ${GOPATH}: ${INSTALL_HINT})` : ''}:\n${build.stderr}`);
  }
});

/** Runs the verifier without blocking the event loop, which serves its requests. */
const logcheck = (args: string[]) => runProcess(binary, args);

for (const dialect of TEST_DIALECTS) {
  describe(`the log checked with Go's sumdb/note and sumdb/tlog on ${dialect}`, () => {
    let t: TestPlatform;
    let base: string;
    const eventIDs: string[] = [];
    before(async () => {
      t = await startTestPlatform(dialect);
      for (const events of [
        [objectEvent({ epcList: [sgtin('GO1')] }), objectEvent({ epcList: [sgtin('GO2')] })],
        // More than a tile: level-1 tiles and a partial level-0 tile for tlog's TileHashReader to authenticate.
        Array.from({ length: 270 }, (_, i) => objectEvent({ epcList: [sgtin(`GOB${i}`)] })),
        [objectEvent({ epcList: [sgtin('GO3')] })],
      ]) {
        const captured = await call(t.app, 'POST', '/epcis/capture', { body: epcisDocument(events) });
        assert.equal(captured.status, 202, captured.body);
        const job = (await call(t.app, 'GET', String(captured.headers.location))).json;
        assert.equal(job.success, true, JSON.stringify(job.errors));
        eventIDs.push(...(job.eventIDs as string[]));
      }
      assert.equal(eventIDs.length, 273);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const address = t.app.server.address();
      assert.ok(address && typeof address === 'object');
      base = `http://127.0.0.1:${address.port}`;
    });
    after(() => t?.close());

    test('note, tiles, entry, inclusion and consistency all check out, for events in the first, a full and the last tile', async () => {
      for (const eventID of [eventIDs[0]!, eventIDs[150]!, eventIDs[eventIDs.length - 1]!]) {
        const result = await logcheck([base, ADMIN_TOKEN, eventID]);
        assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
        for (const check of ['checked note:', 'checked tiles:', 'checked entry:', 'checked inclusion:', 'checked consistency:', 'OK: every check passed']) {
          assert.ok(result.stdout.includes(check), `${check} in:\n${result.stdout}`);
        }
        assert.match(result.stdout, /1 signature\(s\) by keys note does not know set aside/, 'the SM2 line is ignored by sumdb/note');
        assert.ok(result.stdout.includes(`"event ${eventID} `), result.stdout);
      }
    });

    test('it fails with a verifier key other than the log\'s, with a wrong API key, and for an unknown event', async () => {
      const { origin } = (await call(t.app, 'GET', '/.well-known/zhuisu/keys', { key: null })).json;
      const stranger = ed25519VerifierKey(origin, generateKeyPairSync('ed25519').publicKey);
      const wrongKey = await logcheck(['-vkey', stranger, base, ADMIN_TOKEN, eventIDs[0]!]);
      assert.equal(wrongKey.code, 1, wrongKey.stdout);
      assert.match(wrongKey.stderr, /^FAIL: the checkpoint note does not verify/);
      assert.ok(!wrongKey.stdout.includes('OK'));

      const pinned = (await call(t.app, 'GET', '/log/key', { key: null })).body.trimEnd();
      assert.equal((await logcheck(['-vkey', pinned, base, ADMIN_TOKEN, eventIDs[0]!])).code, 0, 'the right key pinned passes');

      const badToken = await logcheck([base, 'not-a-key', eventIDs[0]!]);
      assert.equal(badToken.code, 1);
      assert.match(badToken.stderr, /401/);
      const unknown = await logcheck([base, ADMIN_TOKEN, 'urn:uuid:00000000-0000-4000-8000-000000000000']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /404/);
      assert.equal((await logcheck([base])).code, 2, 'usage');
    });
  });
}
