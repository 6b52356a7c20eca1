import assert from 'node:assert/strict';
import { createCipheriv, createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { v1Sealer } from '../../test/support/identity-v1.js';
import { IdentityVault, SealedIdentityError, sm4Ctr } from './identity-vault.js';

const MASTER = Buffer.alloc(32, 7);
const OTHER_MASTER = Buffer.alloc(32, 8);
const PERSON = '11010519491231002X';

/** GB/T 32907-2016, appendix A, example 1: the key is also the plaintext. */
const SM4_KEY = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
const SM4_CIPHERTEXT = '681edf34d206965e86b3e94f536e4246';

/** Replaces part `index` of a sealed value by `change(bytes)`, spelt canonically, so only the bytes differ. */
function alterPart(sealed: string, index: number, change: (bytes: Buffer) => Buffer): string {
  const parts = sealed.split('.');
  parts[index] = change(Buffer.from(parts[index]!, 'base64url')).toString('base64url');
  return parts.join('.');
}

const flipFirstBit = (bytes: Buffer) => {
  const copy = Buffer.from(bytes);
  copy[0]! ^= 0x01;
  return copy;
};

const rejectsAs = (open: () => unknown, message: RegExp) =>
  assert.throws(open, (error: unknown) => {
    assert.ok(error instanceof SealedIdentityError, `expected a SealedIdentityError, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });

describe('the national primitives under the vault', () => {
  it("node's sm4-ecb is SM4: GB/T 32907 example 1", () => {
    const cipher = createCipheriv('sm4-ecb', SM4_KEY, null).setAutoPadding(false);
    assert.equal(Buffer.concat([cipher.update(SM4_KEY), cipher.final()]).toString('hex'), SM4_CIPHERTEXT);
  });

  it('SM4-CTR enciphers the counter block with SM4: a zero block under IV = the example plaintext gives its ciphertext', () => {
    const out = sm4Ctr(SM4_KEY, SM4_KEY, Buffer.alloc(32));
    assert.equal(out.subarray(0, 16).toString('hex'), SM4_CIPHERTEXT);
    // The second block uses the counter plus one, enciphered by the same SM4 block function.
    const next = Buffer.from(SM4_KEY);
    next[15]! += 1;
    const ecb = createCipheriv('sm4-ecb', SM4_KEY, null).setAutoPadding(false);
    assert.equal(out.subarray(16).toString('hex'), Buffer.concat([ecb.update(next), ecb.final()]).toString('hex'));
    // And it is its own inverse, so one call seals and opens.
    const text = Buffer.from('公民身份号码 with 17 bytes more', 'utf8');
    assert.deepEqual(sm4Ctr(SM4_KEY, SM4_KEY, sm4Ctr(SM4_KEY, SM4_KEY, text)), text);
  });

  it('SM3("abc") matches GB/T 32905 example 1', () => {
    assert.equal(createHash('sm3').update('abc').digest('hex'), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
});

describe('IdentityVault', () => {
  const vault = new IdentityVault(MASTER);

  it('seals as v2 (SM4-CTR, 16-byte IV, 32-byte HMAC-SM3) and opens again, Chinese text included', () => {
    for (const plain of [PERSON, '张三 身份证 11010519491231002X', '', '𠮷野家']) {
      const sealed = vault.seal(plain);
      const parts = sealed.split('.');
      assert.equal(parts[0], 'v2');
      assert.equal(parts.length, 4);
      assert.equal(Buffer.from(parts[1]!, 'base64url').length, 16);
      assert.equal(Buffer.from(parts[2]!, 'base64url').length, Buffer.byteLength(plain, 'utf8'));
      assert.equal(Buffer.from(parts[3]!, 'base64url').length, 32);
      assert.ok(!sealed.includes(plain) || plain === '');
      assert.ok(vault.isCurrent(sealed));
      assert.equal(vault.open(sealed), plain);
    }
  });

  it('seals the same number differently each time (random IV)', () => {
    const a = vault.seal(PERSON);
    const b = vault.seal(PERSON);
    assert.notEqual(a, b);
    assert.notEqual(a.split('.')[1], b.split('.')[1]);
  });

  it('rejects an altered IV, ciphertext or MAC, and a value sealed under another key, with a readable error', () => {
    const sealed = vault.seal(PERSON);
    rejectsAs(() => vault.open(alterPart(sealed, 1, flipFirstBit)), /integrity check/);
    rejectsAs(() => vault.open(alterPart(sealed, 2, flipFirstBit)), /integrity check/);
    rejectsAs(() => vault.open(alterPart(sealed, 3, flipFirstBit)), /integrity check/);
    rejectsAs(() => vault.open(alterPart(sealed, 2, (b) => b.subarray(0, b.length - 1))), /integrity check/);
    rejectsAs(() => vault.open(alterPart(sealed, 1, (b) => b.subarray(1))), /IV must be 16 bytes/);
    rejectsAs(() => vault.open(alterPart(sealed, 3, (b) => b.subarray(1))), /MAC must be 32 bytes/);
    rejectsAs(() => new IdentityVault(OTHER_MASTER).open(sealed), /integrity check/);
  });

  it('rejects a v2 value whose tag was changed, whose parts are missing, or that is not spelt canonically', () => {
    const sealed = vault.seal(PERSON);
    const [, iv, body, mac] = sealed.split('.');
    rejectsAs(() => vault.open(['v3', iv, body, mac].join('.')), /unknown sealed identity format/);
    rejectsAs(() => vault.open(['v2', iv, body].join('.')), /4 parts/);
    rejectsAs(() => vault.open(PERSON), /unknown sealed identity format/);
    // 16 bytes take 22 base64url characters with 4 spare bits; a decoder that ignored them would open this.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = iv!.slice(0, -1) + alphabet[alphabet.indexOf(iv!.at(-1)!) + 1];
    assert.deepEqual(Buffer.from(sameBytes, 'base64url'), Buffer.from(iv!, 'base64url'));
    rejectsAs(() => vault.open(['v2', sameBytes, body, mac].join('.')), /not canonical/);
    rejectsAs(() => vault.open(['v2', iv, body + '!', mac].join('.')), /not canonical/);
  });

  it('opens v1 (AES-256-GCM) values, which are not current, and rejects an altered one readably', () => {
    const old = v1Sealer(MASTER).seal(PERSON);
    assert.equal(vault.open(old), PERSON);
    assert.equal(vault.open(v1Sealer(MASTER).seal('李四')), '李四');
    assert.equal(vault.isCurrent(old), false);
    rejectsAs(() => vault.open(alterPart(old, 3, flipFirstBit)), /v1 failed its integrity check/);
    rejectsAs(() => new IdentityVault(OTHER_MASTER).open(old), /v1 failed its integrity check/);
  });

  it('keeps the blind index stable, keyed and normalised for case and surrounding spaces, and new under HMAC-SM3', () => {
    const index = vault.blindIndex(PERSON);
    assert.equal(index, new IdentityVault(MASTER).blindIndex(PERSON));
    assert.equal(vault.blindIndex(` ${PERSON.toLowerCase()}\t`), index);
    assert.notEqual(vault.blindIndex('110105194912310029'), index);
    assert.notEqual(new IdentityVault(OTHER_MASTER).blindIndex(PERSON), index);
    assert.match(index, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(index, v1Sealer(MASTER).blindIndex(PERSON), 'the v2 index must differ from the v1 one, so stored values are recomputed');
  });

  it('tells current values from earlier ones by their version tag', () => {
    assert.equal(IdentityVault.CURRENT_VERSION, 'v2');
    assert.ok(vault.isCurrent(vault.seal(PERSON)));
    assert.equal(vault.isCurrent('v1.a.b.c'), false);
    assert.equal(vault.isCurrent('v2x'), false);
  });
});
