import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { isDomainError } from '../domain/errors.js';
import { KeyStore } from './key-store.js';
import { formatCheckpoint, formatKeyId, openNote, parseNote, parseVerifierKey, verifierFromKey } from './signed-note.js';
import { LOG_ED25519_KEY_FILE, LOG_SM2_KEY_FILE, LogSigningKeys } from './signing-keys.js';
import { sm2KeyPairFromSecret, sm2PublicKeyFromSpki } from './sm2.js';

const ORIGIN = 'zhuisu.example/log';
const root = mkdtempSync(join(tmpdir(), 'zhuisu-signing-keys-'));
after(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
const freshStore = () => new KeyStore(join(root, `keys-${(count += 1)}`));
const mode = (path: string) => statSync(path).mode & 0o777;
const body = formatCheckpoint({ origin: ORIGIN, size: 3, rootHash: Buffer.alloc(32, 9) });

describe('LogSigningKeys.open', () => {
  it('creates both keys on first use, files 0600 in a 0700 directory', () => {
    const store = freshStore();
    LogSigningKeys.open(store, ORIGIN);
    assert.equal(mode(store.directory), 0o700);
    for (const name of [LOG_ED25519_KEY_FILE, LOG_SM2_KEY_FILE]) assert.equal(mode(join(store.directory, `${name}.key`)), 0o600, name);
  });

  it('reuses the keys on the next start', () => {
    const store = freshStore();
    const first = LogSigningKeys.open(store, ORIGIN);
    const second = LogSigningKeys.open(new KeyStore(store.directory), ORIGIN);
    assert.equal(second.ed25519VerifierKey, first.ed25519VerifierKey);
    assert.equal(second.sm2VerifierKey, first.sm2VerifierKey);
    openNote(first.sign(body), second.verifiers());
  });

  it('refuses an origin that cannot be a key name', () => {
    assert.throws(() => LogSigningKeys.open(freshStore(), 'zhuisu example'), /cannot name a note key/);
  });
});

describe('LogSigningKeys.init', () => {
  it('creates the keys in an empty directory', () => {
    const store = freshStore();
    const keys = LogSigningKeys.init(store, ORIGIN);
    assert.ok(store.has(LOG_ED25519_KEY_FILE) && store.has(LOG_SM2_KEY_FILE));
    assert.equal(LogSigningKeys.open(store, ORIGIN).ed25519VerifierKey, keys.ed25519VerifierKey);
  });

  it('refuses to replace existing keys, even one of the two, and creates nothing then', () => {
    const store = freshStore();
    store.secret(LOG_SM2_KEY_FILE);
    const before = readFileSync(join(store.directory, `${LOG_SM2_KEY_FILE}.key`), 'utf8');
    assert.throws(
      () => LogSigningKeys.init(store, ORIGIN),
      (error: unknown) => isDomainError(error) && error.kind === 'conflict' && error.code === 'signing_keys_exist' && /log-sm2\.key/.test(error.message),
    );
    assert.ok(!store.has(LOG_ED25519_KEY_FILE));
    assert.equal(readFileSync(join(store.directory, `${LOG_SM2_KEY_FILE}.key`), 'utf8'), before);
  });
});

describe('signing checkpoints', () => {
  const keys = LogSigningKeys.open(freshStore(), ORIGIN);

  it('writes an Ed25519 line, then an SM2 line, both named after the origin', () => {
    const note = parseNote(keys.sign(body));
    assert.equal(note.body, body);
    assert.deepEqual(note.signatures.map((s) => s.name), [ORIGIN, ORIGIN]);
    assert.deepEqual(
      note.signatures.map((s) => formatKeyId(s.keyId)),
      [keys.ed25519VerifierKey, keys.sm2VerifierKey].map((vkey) => formatKeyId(parseVerifierKey(vkey).keyId)),
    );
  });

  it('verifies with the Ed25519 verifier key alone, as a signed-note tool would', () => {
    assert.match(keys.ed25519VerifierKey, /^zhuisu\.example\/log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    const opened = openNote(keys.sign(body), [verifierFromKey(keys.ed25519VerifierKey)]);
    assert.equal(opened.verified.length, 1);
    assert.equal(opened.unverified.length, 1);
  });

  it('verifies with both', () => {
    assert.equal(openNote(keys.sign(body), keys.verifiers()).verified.length, 2);
  });
});

describe('the published key description', () => {
  const store = freshStore();
  const keys = LogSigningKeys.open(store, ORIGIN);
  const description = keys.describe();

  it('lists both public keys with matching IDs and readable PEM', () => {
    assert.equal(description.origin, ORIGIN);
    const [ed25519, sm2] = description.keys;
    assert.ok(ed25519 && sm2);
    assert.equal(ed25519.algorithm, 'Ed25519');
    assert.equal(ed25519.verifierKey, keys.ed25519VerifierKey);
    assert.equal(ed25519.keyId, keys.ed25519VerifierKey.split('+')[1]);
    assert.equal(Buffer.from(ed25519.publicKey, 'base64').length, 32);
    const edPem = createPublicKey(ed25519.publicKeyPem);
    assert.equal(edPem.asymmetricKeyType, 'ed25519');
    assert.deepEqual(edPem.export({ format: 'der', type: 'spki' }).subarray(12), Buffer.from(ed25519.publicKey, 'base64'));

    assert.equal(sm2.algorithm, 'SM2');
    assert.equal(sm2.signatureType, 0xff);
    assert.equal(sm2.signatureAlgorithm, 'zhuisu-sm2-sm3');
    assert.equal(sm2.userId, '1234567812345678');
    assert.equal(sm2.signatureEncoding, 'DER');
    assert.equal(sm2.keyId, keys.sm2VerifierKey.split('+')[1]);
    assert.equal(sm2PublicKeyFromSpki(sm2.publicKeyPem), Buffer.from(sm2.publicKey, 'base64').toString('hex'));
  });

  it('holds no secret, and neither does the object when printed or serialised', () => {
    const ed25519Seed = Buffer.from(readFileSync(join(store.directory, `${LOG_ED25519_KEY_FILE}.key`), 'utf8').trim(), 'base64');
    const sm2Secret = Buffer.from(readFileSync(join(store.directory, `${LOG_SM2_KEY_FILE}.key`), 'utf8').trim(), 'base64');
    const secrets = [
      ed25519Seed.toString('base64'),
      ed25519Seed.toString('hex'),
      sm2Secret.toString('base64'),
      sm2Secret.toString('hex'),
      sm2KeyPairFromSecret(sm2Secret).privateKey,
    ];
    const outputs = [JSON.stringify(description), JSON.stringify(keys), inspect(keys, { depth: 10, showHidden: true }), keys.sign(body)];
    for (const output of outputs) {
      for (const secret of secrets) assert.ok(!output.toLowerCase().includes(secret.toLowerCase()), `secret found in ${output.slice(0, 80)}`);
    }
  });
});
