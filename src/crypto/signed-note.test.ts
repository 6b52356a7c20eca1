import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { isDomainError } from '../domain/errors.js';
import {
  cosignatureMessage,
  cosignatureTimestamp,
  cosignatureVerifierKey,
  cosigner,
  ed25519PrivateKeyFromSeed,
  ed25519Signer,
  ed25519SignerKey,
  ed25519VerifierKey,
  formatCheckpoint,
  formatKeyId,
  formatNote,
  formatVerifierKey,
  isValidKeyName,
  openNote,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  signerFromKey,
  signNote,
  sm2NoteSigner,
  sm2VerifierKey,
  verifierFromKey,
} from './signed-note.js';
import { generateSm2KeyPair, sm2Verify } from './sm2.js';

/** Throws-assertion for DomainErrors: checks the code and that the message says `says`. */
function rejects(run: () => unknown, code: string, says?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isDomainError(error), `expected a DomainError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (says) assert.match(error.message, says);
    return true;
  });
}

/**
 * The fixed keys and notes of Go's golang.org/x/mod/sumdb/note tests and package documentation: a signer key for
 * "PeterNeumann", its verifier key, the note it signs (Ed25519 is deterministic, so the signature is fixed), and a second
 * signature by "EnochRoot" of which only the verifier key is published.
 */
const GO = {
  peterSignerKey: 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz',
  peterVerifierKey: 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
  enochVerifierKey: 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop',
  text: "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n",
  peterLine: '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n',
  enochLine: '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n',
  /** Same key bytes, a wrong length, key ID adjusted to match. */
  wrongLengthKey: 'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==',
  /** Type byte 0x65, key ID adjusted to match. */
  unknownTypeKey: 'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
};

/**
 * From transparency-dev/formats' note tests: verifier keys in use (an Ed25519 one whose base64 holds a '+', and a
 * cosignature/v1 one, type 0x04), and a cosignature whose timestamp is 1727964367.
 */
const TRANSPARENCY_DEV = {
  ed25519Key: 'TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6',
  cosignatureKey: 'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2',
  cosignature: 'ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==',
  cosignatureTime: 1727964367,
  /** An ordinary Ed25519 note signature: 64 bytes after the key ID, no timestamp. */
  plainSignature: 'eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY=',
};

/** The examples of c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature (their public keys are not published). */
const C2SP = {
  checkpoint: 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
  logLine: '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n',
  witnessLine: '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n',
  cosignedMessage:
    'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
  /** c2sp.org/signed-note's example: its text holds a blank line of its own. */
  poem: 'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n',
};

describe('Go sumdb/note vectors', () => {
  const peter = verifierFromKey(GO.peterVerifierKey);
  const enoch = verifierFromKey(GO.enochVerifierKey);
  const note = `${GO.text}\n${GO.peterLine}${GO.enochLine}`;

  it('reads the signer key and signs byte for byte as Go does', () => {
    const signer = signerFromKey(GO.peterSignerKey);
    assert.equal(signer.name, 'PeterNeumann');
    assert.equal(formatKeyId(signer.keyId), 'c74f20a3');
    assert.equal(signNote(GO.text, [signer]), `${GO.text}\n${GO.peterLine}`);
  });

  it('derives the verifier key and the signer key from the seed', () => {
    const seed = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
    const key = ed25519PrivateKeyFromSeed(seed);
    assert.equal(ed25519VerifierKey('PeterNeumann', key), GO.peterVerifierKey);
    assert.equal(ed25519SignerKey('PeterNeumann', key), GO.peterSignerKey);
  });

  it('verifies one signature and sets the other aside when only one key is known', () => {
    const opened = openNote(note, [peter]);
    assert.equal(opened.body, GO.text);
    assert.deepEqual(opened.verified.map((s) => [s.name, formatKeyId(s.keyId)]), [['PeterNeumann', 'c74f20a3']]);
    assert.deepEqual(opened.unverified.map((s) => [s.name, formatKeyId(s.keyId)]), [['EnochRoot', 'af0cfe78']]);
  });

  it('verifies both when both keys are known', () => {
    const opened = openNote(note, [peter, enoch]);
    assert.deepEqual(opened.verified.map((s) => s.name), ['PeterNeumann', 'EnochRoot']);
    assert.deepEqual(opened.unverified, []);
  });

  it('fails when no known key signed', () => {
    rejects(() => openNote(note, []), 'note_unverified', /no signature by a known key.*PeterNeumann\+c74f20a3, EnochRoot\+af0cfe78/);
  });

  it('refuses a key given twice, but only when a signature needs it', () => {
    rejects(() => openNote(`${GO.text}\n${GO.enochLine}`, [enoch, peter, enoch]), 'note_key_ambiguous', /EnochRoot\+af0cfe78/);
    assert.equal(openNote(`${GO.text}\n${GO.peterLine}`, [enoch, peter, enoch]).verified.length, 1);
  });

  it('rejects the whole note when a known key’s signature does not verify', () => {
    const broken = GO.peterLine.slice(0, 60) + 'ABCD' + GO.peterLine.slice(60);
    rejects(() => openNote(`${GO.text}\n${broken}`, [peter]), 'note_signature_invalid', /PeterNeumann\+c74f20a3 does not verify/);
  });

  it('counts repeated lines once', () => {
    const enochAltered = GO.enochLine.slice(0, 60) + 'ABCD' + GO.enochLine.slice(60);
    const opened = openNote(`${GO.text}\n${GO.peterLine}${GO.peterLine}${GO.enochLine}${GO.enochLine}${enochAltered}`, [peter]);
    assert.equal(opened.verified.length, 1);
    assert.equal(opened.unverified.length, 2);
  });

  it('refuses more than 100 signatures', () => {
    rejects(() => openNote(`${GO.text}\n${GO.peterLine.repeat(101)}`, [peter]), 'note_malformed', /101 signatures/);
  });

  it('rejects the malformed notes Go rejects, saying why', () => {
    const cases: [string | Uint8Array, RegExp][] = [
      [GO.text, /no blank line/],
      [`${GO.text}\n`, /no signature lines/],
      [`${GO.text}\n${GO.peterLine.slice(0, -1)}`, /does not end with a newline/],
      [`\u0001${GO.text}\n${GO.peterLine}`, /control character U\+0001 on line 1/],
      [Buffer.concat([Buffer.from([0xff]), Buffer.from(`${GO.text}\n${GO.peterLine}`)]), /not valid UTF-8/],
      [`${GO.text}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`, /line 4: the signature by Bad is not valid base64/],
      [`${GO.text}\n${GO.peterLine}Unexpected line.\n`, /line 5 is not a signature line: it must start with an em dash/],
    ];
    for (const [text, says] of cases) rejects(() => openNote(text, [peter]), 'note_malformed', says);
  });

  it('refuses the verifier keys Go refuses', () => {
    // Its padding bits are not zero either, which our canonical base64 reading refuses before the length is looked at.
    rejects(() => verifierFromKey(GO.wrongLengthKey), 'note_key_malformed');
    rejects(() => verifierFromKey(formatVerifierKey('PeterNeumann', Buffer.alloc(32, 1))), 'note_key_malformed', /32 bytes, not 31/);
    rejects(() => verifierFromKey(GO.unknownTypeKey), 'note_key_unsupported', /0x65/);
    rejects(() => verifierFromKey(GO.peterVerifierKey.replace('c74f20a3', 'c74f20a4')), 'note_key_malformed', /does not match/);
    for (const mangled of ['PeterNeumann+c74f20a3', 'PeterNeumann', '+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', GO.peterVerifierKey.slice(0, -1)]) {
      assert.throws(() => verifierFromKey(mangled), mangled);
    }
  });

  it('refuses mangled signer keys without echoing them', () => {
    for (const mangled of [GO.peterSignerKey.replace('c74f20a3', 'c74f20a4'), GO.peterSignerKey.slice(8), GO.peterSignerKey.slice(0, -2)]) {
      assert.throws(() => signerFromKey(mangled), (error: Error) => !error.message.includes('AYEKFALV'));
    }
  });
});

describe('transparency-dev vectors', () => {
  it('reads an Ed25519 verifier key whose base64 holds a "+"', () => {
    const verifier = verifierFromKey(TRANSPARENCY_DEV.ed25519Key);
    assert.equal(verifier.algorithm, 'Ed25519');
    assert.equal(formatKeyId(verifier.keyId), '7997405c');
  });

  it('reads a witness cosignature/v1 verifier key', () => {
    const verifier = verifierFromKey(TRANSPARENCY_DEV.cosignatureKey);
    assert.equal(verifier.algorithm, 'Ed25519 cosignature/v1');
    assert.equal(verifier.name, 'remora.n621.de');
    assert.equal(formatKeyId(verifier.keyId), 'da77ade7');
  });

  it('reads the time of a cosignature and refuses a plain signature as one', () => {
    const bytes = Buffer.from(TRANSPARENCY_DEV.cosignature, 'base64').subarray(4);
    assert.equal(cosignatureTimestamp(bytes), TRANSPARENCY_DEV.cosignatureTime);
    rejects(() => cosignatureTimestamp(Buffer.from(TRANSPARENCY_DEV.plainSignature, 'base64').subarray(4)), 'cosignature_malformed');
  });
});

describe('C2SP examples', () => {
  it('builds the cosigned message of tlog-cosignature', () => {
    assert.equal(cosignatureMessage(C2SP.checkpoint, 1679315147).toString('utf8'), C2SP.cosignedMessage);
  });

  it('reads the example checkpoint with its log signature and witness cosignature', () => {
    const note = parseNote(`${C2SP.checkpoint}\n${C2SP.logLine}${C2SP.witnessLine}`);
    assert.equal(note.body, C2SP.checkpoint);
    assert.deepEqual(note.signatures.map((s) => [s.name, formatKeyId(s.keyId)]), [
      ['example.com/behind-the-sofa', '033de0ae'],
      ['witness.example.com/w1', '8d66cf3f'],
    ]);
    // The witness's timestamp is the one the spec's cosigned message carries.
    assert.equal(cosignatureTimestamp(note.signatures[1]!.signature), 1679315147);
    const checkpoint = parseCheckpoint(note.body);
    assert.equal(checkpoint.origin, 'example.com/behind-the-sofa');
    assert.equal(checkpoint.size, 20852163);
    assert.equal(formatCheckpoint(checkpoint), C2SP.checkpoint);
  });

  it('splits at the last blank line, keeping blank lines in the text', () => {
    const note = parseNote(C2SP.poem);
    assert.equal(note.body, 'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n');
    assert.deepEqual(note.signatures.map((s) => s.name), ['quasimodo.example/salvatore']);
    rejects(() => openNote(C2SP.poem, []), 'note_unverified');
  });
});

describe('signed notes with our keys', () => {
  const origin = 'zhuisu.example/log';
  const body = formatCheckpoint({ origin, size: 42, rootHash: createHash('sha256').update('root').digest() });
  const ed = generateKeyPairSync('ed25519');
  const sm2 = generateSm2KeyPair();
  const edSigner = ed25519Signer(origin, ed.privateKey);
  const sm2Signer = sm2NoteSigner(origin, sm2.privateKey);
  const edVerifier = verifierFromKey(ed25519VerifierKey(origin, ed.publicKey));
  const sm2Verifier = verifierFromKey(sm2VerifierKey(origin, sm2.publicKey));
  const note = signNote(body, [edSigner, sm2Signer]);

  it('round-trips with both keys', () => {
    const opened = openNote(note, [edVerifier, sm2Verifier]);
    assert.equal(opened.body, body);
    assert.deepEqual(opened.verified.map((s) => s.keyId), [edSigner.keyId, sm2Signer.keyId]);
  });

  it('is enough for a verifier that knows only the Ed25519 key, which ignores the SM2 line', () => {
    const opened = openNote(note, [edVerifier]);
    assert.equal(opened.verified.length, 1);
    assert.deepEqual(opened.unverified.map((s) => s.keyId), [sm2Signer.keyId]);
  });

  it('verifies with the SM2 key alone, and its signature bytes are plain SM2 DER', () => {
    assert.equal(openNote(note, [sm2Verifier]).verified.length, 1);
    const line = parseNote(note).signatures[1]!;
    assert.equal(line.signature[0], 0x30);
    assert.ok(sm2Verify(Buffer.from(body), line.signature, sm2.publicKey));
  });

  it('computes the SM2 key ID as documented', () => {
    const expected = createHash('sha256')
      .update(`${origin}\n`)
      .update(Buffer.from([0xff]))
      .update('zhuisu-sm2-sm3\n')
      .update(Buffer.from(sm2.publicKey, 'hex'))
      .digest()
      .readUInt32BE(0);
    assert.equal(sm2Signer.keyId, expected);
    assert.equal(parseVerifierKey(sm2VerifierKey(origin, sm2.publicKey)).keyId, expected);
  });

  it('fails on a tampered body, for either key', () => {
    const tampered = note.replace('\n42\n', '\n43\n');
    rejects(() => openNote(tampered, [edVerifier]), 'note_signature_invalid', /Ed25519 signature/);
    rejects(() => openNote(tampered, [sm2Verifier]), 'note_signature_invalid', /SM2-SM3 signature/);
  });

  it('fails on a tampered signature, for either key', () => {
    const parsed = parseNote(note);
    for (const [index, verifier] of [[0, edVerifier], [1, sm2Verifier]] as const) {
      const signatures = parsed.signatures.map((s) => ({ ...s, signature: Buffer.from(s.signature) }));
      signatures[index]!.signature[10]! ^= 0x01;
      rejects(() => openNote(formatNote(parsed.body, signatures), [verifier]), 'note_signature_invalid');
    }
  });

  it('ignores signatures by unknown keys, even one sharing the name or the key ID of a known key', () => {
    const other = generateKeyPairSync('ed25519');
    const sameName = ed25519Signer(origin, other.privateKey);
    const sameId = { name: 'someone.else/log', keyId: edSigner.keyId, sign: (bytes: Buffer) => ed25519Signer('x', other.privateKey).sign(bytes) };
    const opened = openNote(signNote(body, [sameName, sameId, edSigner]), [edVerifier]);
    assert.equal(opened.verified.length, 1);
    assert.deepEqual(opened.unverified.map((s) => s.name), [origin, 'someone.else/log']);
  });

  it('refuses to sign a text without a final newline, control characters, or a key twice', () => {
    rejects(() => signNote('no newline', [edSigner]), 'note_malformed', /end with a newline/);
    rejects(() => signNote('tab\there\n', [edSigner]), 'note_malformed', /U\+0009 on line 1/);
    rejects(() => signNote('carriage\r\n', [edSigner]), 'note_malformed', /U\+000D/);
    rejects(() => signNote(body, [edSigner, edSigner]), 'note_malformed', /given twice/);
  });

  it('keeps key names to the spec', () => {
    for (const name of ['zhuisu.example/log', 'PeterNeumann', '追溯/log']) assert.ok(isValidKeyName(name), name);
    for (const name of ['', 'a b', 'a+b', 'a\u00a0b', 'a\u3000b', 'a\tb']) assert.ok(!isValidKeyName(name), JSON.stringify(name));
  });

  it('refuses non-canonical base64 in a signature line', () => {
    const line = parseNote(note).signatures[0]!;
    const encoded = Buffer.concat([Buffer.alloc(4), line.signature]).toString('base64');
    rejects(() => parseNote(`${body}\n— ${origin} ${encoded.slice(0, -2)}\n`), 'note_malformed', /not valid base64/);
    rejects(() => parseNote(`${body}\n— ${origin} ${encoded.replace(/^./, '*')}\n`), 'note_malformed', /not valid base64/);
    rejects(() => parseNote(`${body}\n— ${origin} AAAA\n`), 'note_malformed', /too short/);
  });
});

describe('cosignatures', () => {
  const witness = generateKeyPairSync('ed25519');
  const body = formatCheckpoint({ origin: 'zhuisu.example/log', size: 7, rootHash: Buffer.alloc(32, 1) });
  const at = Date.UTC(2025, 0, 2, 3, 4, 5);
  const signer = cosigner('witness.example/w1', witness.privateKey, () => at);
  const verifier = verifierFromKey(cosignatureVerifierKey('witness.example/w1', witness.publicKey));

  it('makes a timestamped signature that verifies with the witness’s vkey', () => {
    const opened = openNote(signNote(body, [signer]), [verifier]);
    assert.equal(cosignatureTimestamp(opened.verified[0]!.signature), Math.floor(at / 1000));
  });

  it('is not a plain Ed25519 signature: the same key as type 0x01 does not know it', () => {
    const plain = verifierFromKey(ed25519VerifierKey('witness.example/w1', witness.publicKey));
    assert.notEqual(plain.keyId, verifier.keyId);
    rejects(() => openNote(signNote(body, [signer]), [plain]), 'note_unverified');
  });

  it('fails when the timestamp is changed', () => {
    const parsed = parseNote(signNote(body, [signer]));
    const signature = Buffer.from(parsed.signatures[0]!.signature);
    signature.writeBigUInt64BE(signature.readBigUInt64BE(0) + 1n, 0);
    rejects(() => openNote(formatNote(body, [{ ...parsed.signatures[0]!, signature }]), [verifier]), 'note_signature_invalid');
  });

  it('covers extension lines', () => {
    const extended = formatCheckpoint({ origin: 'zhuisu.example/log', size: 7, rootHash: Buffer.alloc(32, 1), extensions: ['ext'] });
    const note = signNote(extended, [signer]);
    rejects(() => openNote(note.replace('ext\n', 'exu\n'), [verifier]), 'note_signature_invalid');
  });

  it('signs checkpoints only', () => {
    rejects(() => signNote('just some text\n', [signer]), 'checkpoint_malformed');
  });
});

describe('checkpoints', () => {
  it('say which line is wrong', () => {
    const root = Buffer.alloc(32).toString('base64');
    rejects(() => parseCheckpoint(`o\n007\n${root}\n`), 'checkpoint_malformed', /line 2.*leading zeroes/);
    rejects(() => parseCheckpoint(`o\n7\nAAAA\n`), 'checkpoint_malformed', /line 3/);
    rejects(() => parseCheckpoint(`\n7\n${root}\n`), 'checkpoint_malformed', /line 1/);
    rejects(() => parseCheckpoint(`o\n7\n${root}\n\nx\n`), 'checkpoint_malformed', /line 4 is empty/);
    rejects(() => parseCheckpoint(`o\n7\n${root}`), 'checkpoint_malformed', /newline/);
    assert.equal(parseCheckpoint(`o\n0\n${root}\n`).size, 0);
  });
});

describe('formatNote', () => {
  it('writes lines that parse back to the same signatures', () => {
    const signatures = [{ name: 'a.example/k', keyId: 0xdeadbeef, signature: Buffer.from('signature bytes') }];
    const parsed = parseNote(formatNote('text\n', signatures));
    assert.deepEqual(parsed, { body: 'text\n', signatures });
  });
});
