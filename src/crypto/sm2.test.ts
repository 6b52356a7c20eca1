import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sm2 as smCryptoV2 } from 'sm-crypto-v2';
import {
  generateSm2KeyPair,
  isSm2PublicKey,
  SM2_DEFAULT_USER_ID,
  sm2Digest,
  sm2KeyPairFromSecret,
  sm2PublicKeyFromSpki,
  sm2PublicKeyOf,
  sm2PublicKeyToDer,
  sm2PublicKeyToPem,
  sm2Sign,
  sm2SignatureFromDer,
  sm2SignatureToDer,
  sm2SignRaw,
  sm2Verify,
  sm2VerifyRaw,
  sm2Za,
} from './sm2.js';

/** The original sm-crypto (jsbn arithmetic, not noble-curves): the second implementation signatures are checked against. */
interface SmCrypto {
  sm2: {
    doSignature(msg: string | number[], privateKey: string, options: { der: boolean; hash: boolean; userId: string; publicKey?: string }): string;
    doVerifySignature(msg: string | number[], signature: string, publicKey: string, options: { der: boolean; hash: boolean; userId: string }): boolean;
  };
}
const smCrypto = createRequire(import.meta.url)('sm-crypto') as SmCrypto;

/**
 * GM/T 0003.5-2012 annex A (also GB/T 32918.5), the signature example on the recommended curve: key pair, message,
 * user ID, the ZA and e = SM3(ZA ‖ M) it gives, the random k and the resulting (r, s).
 */
const STANDARD = {
  privateKey: '3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8',
  publicKey: '04' + '09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020' + 'CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13',
  message: 'message digest',
  userId: '1234567812345678',
  za: 'B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3',
  e: 'F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640',
  k: '59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21',
  r: 'F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3',
  s: 'B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA',
};
const N = 'FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123';

const hex = (buffer: Uint8Array) => Buffer.from(buffer).toString('hex').toUpperCase();

describe('the GM/T 0003.5 signature example', () => {
  it('derives the public key from the private key', () => {
    assert.equal(sm2PublicKeyOf(STANDARD.privateKey).toUpperCase(), STANDARD.publicKey);
  });

  it('computes ZA and e for user ID 1234567812345678', () => {
    assert.equal(hex(sm2Za(STANDARD.publicKey, STANDARD.userId)), STANDARD.za);
    assert.equal(hex(sm2Digest(STANDARD.message, STANDARD.publicKey, STANDARD.userId)), STANDARD.e);
    assert.equal(SM2_DEFAULT_USER_ID, STANDARD.userId);
  });

  it('verifies the standard’s (r, s), as r‖s and as DER', () => {
    const raw = Buffer.from(STANDARD.r + STANDARD.s, 'hex');
    assert.ok(sm2VerifyRaw(STANDARD.message, raw, STANDARD.publicKey));
    assert.ok(sm2Verify(STANDARD.message, sm2SignatureToDer(raw), STANDARD.publicKey));
    assert.ok(!sm2VerifyRaw('message digesT', raw, STANDARD.publicKey));
    assert.ok(!sm2VerifyRaw(STANDARD.message, raw, STANDARD.publicKey, { userId: 'ALICE123@YAHOO.COM' }));
  });

  it('is reproduced by the library this module signs with, given the standard’s k', () => {
    const kG = sm2PublicKeyOf(STANDARD.k);
    const signature = smCryptoV2.doSignature(STANDARD.message, STANDARD.privateKey.toLowerCase(), {
      hash: true,
      publicKey: STANDARD.publicKey,
      userId: STANDARD.userId,
      pointPool: [{ k: BigInt(`0x${STANDARD.k}`), x1: BigInt(`0x${kG.slice(2, 66)}`) }],
    });
    assert.equal(signature.toUpperCase(), STANDARD.r + STANDARD.s);
  });
});

describe('interoperability with sm-crypto (user ID 1234567812345678, DER)', () => {
  const keys = generateSm2KeyPair();
  const message = '追溯 checkpoint\n12345\n';
  const bytes = Array.from(Buffer.from(message, 'utf8'));
  const options = { der: true, hash: true, userId: SM2_DEFAULT_USER_ID };

  it('our DER signature verifies there', () => {
    const signature = sm2Sign(message, keys.privateKey);
    assert.ok(smCrypto.sm2.doVerifySignature(bytes, signature.toString('hex'), keys.publicKey, options));
    assert.ok(!smCrypto.sm2.doVerifySignature(bytes, signature.toString('hex'), keys.publicKey, { ...options, userId: 'someone-else' }));
  });

  it('its DER signature verifies here', () => {
    const signature = Buffer.from(smCrypto.sm2.doSignature(bytes, keys.privateKey, { ...options, publicKey: keys.publicKey }), 'hex');
    assert.ok(sm2Verify(Buffer.from(message, 'utf8'), signature, keys.publicKey));
    assert.ok(!sm2Verify(Buffer.from(message, 'utf8'), signature, keys.publicKey, { userId: 'someone-else' }));
  });

  it('and the same both ways as r‖s', () => {
    const ours = sm2SignRaw(message, keys.privateKey);
    assert.equal(ours.length, 64);
    assert.ok(smCrypto.sm2.doVerifySignature(bytes, ours.toString('hex'), keys.publicKey, { ...options, der: false }));
    const theirs = Buffer.from(smCrypto.sm2.doSignature(bytes, keys.privateKey, { ...options, der: false, publicKey: keys.publicKey }), 'hex');
    assert.ok(sm2VerifyRaw(message, theirs, keys.publicKey));
  });
});

/** OpenSSL 3's SM2 (EVP_PKEY_SM2 with a distinguishing ID), when the openssl command is there: a third implementation. */
describe('interoperability with the openssl command', () => {
  const probe = spawnSync('openssl', ['list', '-signature-algorithms'], { encoding: 'utf8' });
  const skip = probe.status !== 0 || !/SM2/i.test(probe.stdout) ? 'no openssl command with SM2 here' : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'zhuisu-sm2-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const openssl = (...args: string[]) => spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  const distid = `distid:${SM2_DEFAULT_USER_ID}`;

  it('verifies our signature against our PEM public key', { skip }, () => {
    const keys = generateSm2KeyPair();
    writeFileSync(join(dir, 'ours.pem'), sm2PublicKeyToPem(keys.publicKey));
    writeFileSync(join(dir, 'message'), 'checkpoint body\n');
    writeFileSync(join(dir, 'ours.sig'), sm2Sign('checkpoint body\n', keys.privateKey));
    const result = openssl('dgst', '-sm3', '-verify', 'ours.pem', '-sigopt', distid, '-signature', 'ours.sig', 'message');
    assert.equal(result.status, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /Verified OK/);
  });

  it('makes a signature and a public key that we read and verify', { skip }, () => {
    writeFileSync(join(dir, 'message'), 'checkpoint body\n');
    for (const args of [
      ['genpkey', '-algorithm', 'SM2', '-out', 'theirs.key'],
      ['pkey', '-in', 'theirs.key', '-pubout', '-out', 'theirs.pem'],
      ['dgst', '-sm3', '-sign', 'theirs.key', '-sigopt', distid, '-out', 'theirs.sig', 'message'],
    ]) {
      const result = openssl(...args);
      assert.equal(result.status, 0, result.stderr);
    }
    const publicKey = sm2PublicKeyFromSpki(readFileSync(join(dir, 'theirs.pem'), 'utf8'));
    const signature = readFileSync(join(dir, 'theirs.sig'));
    assert.ok(sm2Verify('checkpoint body\n', signature, publicKey));
    assert.ok(!sm2Verify('checkpoint body?\n', signature, publicKey));
  });
});

describe('SM2 keys', () => {
  it('publish as a SubjectPublicKeyInfo on the SM2 curve that Node reads and that reads back', () => {
    const keys = generateSm2KeyPair();
    const der = sm2PublicKeyToDer(keys.publicKey);
    // OpenSSL takes it as an SM2 key, a type Node has no name for; it still reads and writes it unchanged.
    const node = createPublicKey({ key: der, format: 'der', type: 'spki' });
    assert.deepEqual(node.export({ format: 'der', type: 'spki' }), der);
    // 06 08 2A 81 1C CF 55 01 82 2D is OID 1.2.156.10197.1.301.
    assert.ok(der.includes(Buffer.from('06082a811ccf5501822d', 'hex')));
    assert.equal(sm2PublicKeyFromSpki(der), keys.publicKey);
    assert.equal(sm2PublicKeyFromSpki(sm2PublicKeyToPem(keys.publicKey)), keys.publicKey);
  });

  it('derive from a secret into [1, n−2], the same every time', () => {
    assert.equal(sm2KeyPairFromSecret(Buffer.alloc(32)).privateKey, '0'.repeat(63) + '1');
    const high = sm2KeyPairFromSecret(Buffer.alloc(32, 0xff)).privateKey;
    assert.ok(BigInt(`0x${high}`) <= BigInt(`0x${N}`) - 2n);
    const secret = Buffer.alloc(32, 7);
    assert.deepEqual(sm2KeyPairFromSecret(secret), sm2KeyPairFromSecret(secret));
    assert.throws(() => sm2KeyPairFromSecret(Buffer.alloc(16)), /at least 32 bytes/);
  });

  it('refuse what is not an uncompressed point on the curve, or a private key out of range', () => {
    const { publicKey } = generateSm2KeyPair();
    assert.ok(isSm2PublicKey(publicKey));
    assert.ok(!isSm2PublicKey(publicKey.slice(2)));
    assert.ok(!isSm2PublicKey(`02${publicKey.slice(2, 66)}`));
    assert.ok(!isSm2PublicKey(publicKey.slice(0, -1) + (publicKey.endsWith('0') ? '1' : '0')));
    assert.throws(() => sm2Sign('m', '00'.repeat(32)), /\[1, n−2\]/);
    assert.throws(() => sm2Sign('m', (BigInt(`0x${N}`) - 1n).toString(16)), /\[1, n−2\]/);
  });
});

describe('signature encodings', () => {
  const keys = generateSm2KeyPair();
  const message = Buffer.from('strict');
  const der = sm2Sign(message, keys.privateKey);
  const raw = sm2SignatureFromDer(der);

  it('round-trip between DER and r‖s', () => {
    assert.deepEqual(sm2SignatureToDer(raw), der);
    assert.ok(sm2VerifyRaw(message, raw, keys.publicKey));
  });

  it('verify DER only when it is strict DER', () => {
    const r = raw.subarray(0, 32);
    const s = raw.subarray(32);
    const integer = (value: Buffer) => Buffer.concat([Buffer.from([0x02, value.length]), value]);
    const sequence = (...parts: Buffer[]) => {
      const body = Buffer.concat(parts);
      return Buffer.concat([Buffer.from([0x30, body.length]), body]);
    };
    const padded = (value: Buffer) => Buffer.concat([Buffer.from([0, 0]), value.subarray(value.findIndex((b) => b !== 0))]);
    const bad: [string, Buffer][] = [
      ['trailing byte', Buffer.concat([der, Buffer.from([0])])],
      ['needless leading zeros', sequence(integer(padded(r)), integer(s))],
      ['long-form length', Buffer.concat([Buffer.from([0x30, 0x81, der.length - 2]), der.subarray(2)])],
      ['raw r‖s handed in as DER', raw],
      ['r = 0', sequence(integer(Buffer.from([0])), integer(s))],
      ['s = n', sequence(integer(r), integer(Buffer.from(`00${N}`, 'hex')))],
      ['negative s', sequence(integer(r), integer(Buffer.from([0x80, ...s.subarray(1)])))],
    ];
    for (const [what, signature] of bad) {
      assert.ok(!sm2Verify(message, signature, keys.publicKey), what);
      assert.throws(() => sm2SignatureFromDer(signature), Error, what);
    }
  });

  it('verify r‖s only at 64 bytes with r, s in [1, n−1]', () => {
    assert.ok(!sm2VerifyRaw(message, der, keys.publicKey));
    assert.ok(!sm2VerifyRaw(message, Buffer.concat([raw, Buffer.from([0])]), keys.publicKey));
    assert.ok(!sm2VerifyRaw(message, Buffer.concat([raw.subarray(0, 32), Buffer.from(N, 'hex')]), keys.publicKey));
    assert.ok(!sm2VerifyRaw(message, Buffer.concat([Buffer.alloc(32), raw.subarray(32)]), keys.publicKey));
  });

  it('fail on a tampered message or signature, or another key', () => {
    assert.ok(!sm2Verify(Buffer.from('strict!'), der, keys.publicKey));
    const flipped = Buffer.from(raw);
    flipped[40]! ^= 1;
    assert.ok(!sm2VerifyRaw(message, flipped, keys.publicKey));
    assert.ok(!sm2Verify(message, der, generateSm2KeyPair().publicKey));
  });
});
