import { createHash, createPrivateKey, createPublicKey, sign as signBytes, verify as verifyBytes, type KeyObject } from 'node:crypto';
import { DomainError, invalid } from '../domain/errors.js';
import { isSm2PublicKey, sm2PublicKeyOf, sm2Sign, sm2Verify } from './sm2.js';

/**
 * Signed notes (c2sp.org/signed-note), the checkpoints written in them (c2sp.org/tlog-checkpoint) and witness
 * cosignatures (c2sp.org/tlog-cosignature), so the log's checkpoints can be checked with the tools of the Go and
 * transparency-dev ecosystems.
 *
 * A note is a text ending in a newline, a blank line, then lines `— <key name> <base64(key ID ‖ signature)>`. A key is
 * known to a verifier by its name and its 4-byte ID, the first bytes of SHA-256(name ‖ "\n" ‖ key material), where the
 * key material starts with the signature type byte. A verifier key ("vkey") writes all three as
 * `<name>+<key ID in 8 hex digits>+<base64(key material)>`.
 *
 * - Ed25519 (type 0x01): key material 0x01 ‖ 32-byte public key; signs the note text.
 * - Ed25519 cosignature/v1 (type 0x04): key material 0x04 ‖ 32-byte public key; the signature is an 8-byte big-endian
 *   POSIX time ‖ Ed25519 over "cosignature/v1\ntime <seconds>\n" ‖ the checkpoint text.
 * - SM2 (ours): the spec leaves type 0xff for algorithms it assigns no byte to, followed by a longer identifier. Ours is
 *   {@link SM2_SIGNATURE_ALGORITHM} ended by a newline so the identifier cannot run into the key bytes:
 *   key material = 0xff ‖ "zhuisu-sm2-sm3\n" ‖ 65-byte public key 04‖x‖y, hence
 *   key ID = SHA-256(name ‖ "\n" ‖ 0xff ‖ "zhuisu-sm2-sm3\n" ‖ 04‖x‖y)[:4].
 *   The signature is SM2 per GB/T 32918.2 over the note text with SM3 and user ID "1234567812345678", DER-encoded as
 *   GM/T 0009 prescribes, so the bytes after the key ID verify as they are with OpenSSL or GmSSL. Verifiers that do not
 *   know the key ignore the line, as the spec requires, so the Ed25519 line alone satisfies standard tools.
 */

export const SIGNATURE_TYPE_ED25519 = 0x01;
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;
/** Followed by an identifier naming the algorithm. */
export const SIGNATURE_TYPE_NAMED = 0xff;
export const SM2_SIGNATURE_ALGORITHM = 'zhuisu-sm2-sm3';

/** Go's note.Open stops at 100; the spec asks to accept at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

const SM2_KEY_PREFIX = Buffer.concat([Buffer.from([SIGNATURE_TYPE_NAMED]), Buffer.from(`${SM2_SIGNATURE_ALGORITHM}\n`, 'utf8')]);
const SIGNATURE_PREFIX = '\u2014 ';
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const COSIGNATURE_HEADER = 'cosignature/v1\n';
const MAX_COSIGNATURE_TIME = 2n ** 63n - 1n;

/** One signature line: who signed (name and key ID) and the signature bytes that follow the key ID. */
export interface NoteSignature {
  name: string;
  keyId: number;
  signature: Buffer;
}

export interface ParsedNote {
  /** The signed text, final newline included. */
  body: string;
  signatures: NoteSignature[];
}

export interface OpenedNote {
  body: string;
  /** Signatures by known keys, each checked. */
  verified: NoteSignature[];
  /** Signatures by keys the caller did not pass, left unchecked. */
  unverified: NoteSignature[];
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(body: Buffer): Buffer;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly algorithm: string;
  verify(body: Buffer, signature: Buffer): boolean;
}

/** A checkpoint's text: origin, tree size and RFC 6962 root hash, then optional extension lines. */
export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  extensions?: string[];
}

// ---- keys -------------------------------------------------------------------------------------------------------

/** Non-empty, no Unicode white space, no '+' (which separates the parts of a vkey). */
export function isValidKeyName(name: string): boolean {
  return name !== '' && !/[\p{White_Space}+]/u.test(name) && isWellFormed(name);
}

/** SHA-256(name ‖ "\n" ‖ key material)[:4] as an unsigned 32-bit number. */
export function noteKeyId(name: string, keyMaterial: Uint8Array): number {
  return createHash('sha256').update(name, 'utf8').update('\n').update(keyMaterial).digest().readUInt32BE(0);
}

export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

export function formatVerifierKey(name: string, keyMaterial: Uint8Array): string {
  if (!isValidKeyName(name)) throw invalid('note_key_malformed', `"${name}" is not a valid key name: it must be non-empty, without spaces or "+"`);
  return `${name}+${formatKeyId(noteKeyId(name, keyMaterial))}+${Buffer.from(keyMaterial).toString('base64')}`;
}

/** Splits a vkey into its parts and checks that the key ID matches the name and key material. */
export function parseVerifierKey(vkey: string): { name: string; keyId: number; keyMaterial: Buffer } {
  const [name = '', id = '', material = '', ...rest] = vkey.split('+');
  // A vkey has exactly two '+': a '+' in base64 would land in `rest` and is put back.
  const base64 = [material, ...rest].join('+');
  const keyMaterial = decodeBase64(base64);
  if (!isValidKeyName(name) || !/^[0-9a-fA-F]{8}$/.test(id) || !keyMaterial || keyMaterial.length === 0) {
    throw invalid('note_key_malformed', 'malformed verifier key: expected <name>+<8 hex digits>+<base64 key>');
  }
  const keyId = Number.parseInt(id, 16);
  if (keyId !== noteKeyId(name, keyMaterial)) {
    throw invalid('note_key_malformed', `verifier key ${name}+${id}: the key ID does not match the name and key`);
  }
  return { name, keyId, keyMaterial };
}

/** A verifier for any vkey this module knows: Ed25519, Ed25519 cosignature/v1 or our SM2. */
export function verifierFromKey(vkey: string): NoteVerifier {
  const { name, keyId, keyMaterial } = parseVerifierKey(vkey);
  const type = keyMaterial[0];
  const key = keyMaterial.subarray(1);
  if (type === SIGNATURE_TYPE_ED25519 || type === SIGNATURE_TYPE_COSIGNATURE_V1) {
    if (key.length !== 32) throw invalid('note_key_malformed', `verifier key ${name}: an Ed25519 public key is 32 bytes, not ${key.length}`);
    const publicKey = ed25519PublicKeyFromBytes(key);
    return type === SIGNATURE_TYPE_ED25519
      ? { name, keyId, algorithm: 'Ed25519', verify: (body, signature) => ed25519Verify(body, signature, publicKey) }
      : { name, keyId, algorithm: 'Ed25519 cosignature/v1', verify: (body, signature) => cosignatureVerify(body, signature, publicKey) };
  }
  if (keyMaterial.subarray(0, SM2_KEY_PREFIX.length).equals(SM2_KEY_PREFIX)) {
    const publicKey = keyMaterial.subarray(SM2_KEY_PREFIX.length).toString('hex');
    if (!isSm2PublicKey(publicKey)) throw invalid('note_key_malformed', `verifier key ${name}: not an uncompressed SM2 public key`);
    return { name, keyId, algorithm: 'SM2-SM3', verify: (body, signature) => sm2Verify(body, signature, publicKey) };
  }
  throw invalid('note_key_unsupported', `verifier key ${name}: signature type 0x${(type ?? 0).toString(16).padStart(2, '0')} is not supported`);
}

// ---- Ed25519 ----------------------------------------------------------------------------------------------------

export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** The 32-byte public key of an Ed25519 key (public or private). */
export function ed25519PublicKeyBytes(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(ED25519_SPKI_PREFIX.length);
}

export function ed25519VerifierKey(name: string, publicKey: KeyObject | Uint8Array): string {
  return formatVerifierKey(name, Buffer.concat([Buffer.from([SIGNATURE_TYPE_ED25519]), ed25519Bytes(publicKey)]));
}

export function ed25519Signer(name: string, privateKey: KeyObject): NoteSigner {
  const keyId = noteKeyId(name, Buffer.concat([Buffer.from([SIGNATURE_TYPE_ED25519]), ed25519PublicKeyBytes(privateKey)]));
  return { name, keyId, sign: (body) => signBytes(null, body, privateKey) };
}

/** Go's `PRIVATE+KEY+<name>+<key ID>+<base64(0x01 ‖ seed)>`. Secret: for backups and `zhuisu keys` export only. */
export function ed25519SignerKey(name: string, privateKey: KeyObject): string {
  const verifierKey = ed25519VerifierKey(name, privateKey);
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(ED25519_PKCS8_PREFIX.length);
  const [, id] = verifierKey.split('+');
  return `PRIVATE+KEY+${name}+${id}+${Buffer.concat([Buffer.from([SIGNATURE_TYPE_ED25519]), seed]).toString('base64')}`;
}

/** Reads a signer key in Go's form. Errors never echo the key. */
export function signerFromKey(signerKey: string): NoteSigner {
  const parts = signerKey.split('+');
  const [private1, private2, name = '', id = ''] = parts;
  const material = decodeBase64(parts.slice(4).join('+'));
  if (private1 !== 'PRIVATE' || private2 !== 'KEY' || !isValidKeyName(name) || !/^[0-9a-fA-F]{8}$/.test(id) || !material) {
    throw invalid('note_key_malformed', 'malformed signer key: expected PRIVATE+KEY+<name>+<8 hex digits>+<base64 key>');
  }
  if (material[0] !== SIGNATURE_TYPE_ED25519 || material.length !== 33) {
    throw invalid('note_key_unsupported', `signer key ${name}: only Ed25519 signer keys (type 0x01, 32-byte seed) are supported`);
  }
  const signer = ed25519Signer(name, ed25519PrivateKeyFromSeed(material.subarray(1)));
  if (signer.keyId !== Number.parseInt(id, 16)) {
    throw invalid('note_key_malformed', `signer key ${name}+${id}: the key ID does not match the key`);
  }
  return signer;
}

// ---- cosignatures -----------------------------------------------------------------------------------------------

/** What an Ed25519 cosignature/v1 signs: header line, time line, then the checkpoint text. */
export function cosignatureMessage(checkpointBody: string | Uint8Array, timestamp: number | bigint): Buffer {
  const time = BigInt(timestamp);
  if (time < 0n || time > MAX_COSIGNATURE_TIME) throw new Error('a cosignature time is a POSIX time in [0, 2^63−1]');
  const body = typeof checkpointBody === 'string' ? Buffer.from(checkpointBody, 'utf8') : checkpointBody;
  return Buffer.concat([Buffer.from(`${COSIGNATURE_HEADER}time ${time}\n`, 'utf8'), body]);
}

export function cosignatureVerifierKey(name: string, publicKey: KeyObject | Uint8Array): string {
  return formatVerifierKey(name, Buffer.concat([Buffer.from([SIGNATURE_TYPE_COSIGNATURE_V1]), ed25519Bytes(publicKey)]));
}

/** A witness's signer: each signature carries the time it was made, from `now` (milliseconds, like Date.now). */
export function cosigner(name: string, privateKey: KeyObject, now: () => number = Date.now): NoteSigner {
  const keyId = noteKeyId(name, Buffer.concat([Buffer.from([SIGNATURE_TYPE_COSIGNATURE_V1]), ed25519PublicKeyBytes(privateKey)]));
  return {
    name,
    keyId,
    sign(body) {
      // A cosignature vouches for a tree head; signing anything else would be a statement with no meaning.
      parseCheckpoint(body.toString('utf8'));
      const time = BigInt(Math.floor(now() / 1000));
      const stamp = Buffer.alloc(8);
      stamp.writeBigUInt64BE(time);
      return Buffer.concat([stamp, signBytes(null, cosignatureMessage(body, time), privateKey)]);
    },
  };
}

/** The POSIX time a cosignature/v1 signature (the bytes after the key ID) was made at. */
export function cosignatureTimestamp(signature: Uint8Array): number {
  if (signature.length !== 72) throw invalid('cosignature_malformed', `a cosignature is 8 + 64 bytes, not ${signature.length}`);
  const time = Buffer.from(signature).readBigUInt64BE(0);
  if (time > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid('cosignature_malformed', `cosignature time ${time} is out of range`);
  return Number(time);
}

// ---- SM2 --------------------------------------------------------------------------------------------------------

export function sm2VerifierKey(name: string, publicKey: string): string {
  return formatVerifierKey(name, sm2KeyMaterial(publicKey));
}

export function sm2NoteSigner(name: string, privateKey: string): NoteSigner {
  const publicKey = sm2PublicKeyOf(privateKey);
  return { name, keyId: noteKeyId(name, sm2KeyMaterial(publicKey)), sign: (body) => sm2Sign(body, privateKey, { publicKey }) };
}

function sm2KeyMaterial(publicKey: string): Buffer {
  if (!isSm2PublicKey(publicKey)) throw new Error('not an uncompressed SM2 public key');
  return Buffer.concat([SM2_KEY_PREFIX, Buffer.from(publicKey, 'hex')]);
}

// ---- notes ------------------------------------------------------------------------------------------------------

/** Reads a note's structure without checking any signature. Throws a `note_malformed` error saying what is wrong. */
export function parseNote(note: string | Uint8Array): ParsedNote {
  const text = typeof note === 'string' ? note : decodeUtf8(note);
  checkCharacters(text, 'the note');
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw malformed('there is no blank line between the text and the signatures');
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (block === '') throw malformed('there are no signature lines after the last blank line');
  if (!block.endsWith('\n')) throw malformed('the last signature line does not end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw malformed(`it has ${lines.length} signatures, more than the ${MAX_NOTE_SIGNATURES} accepted`);
  const firstLine = body.split('\n').length + 1;
  const signatures = lines.map((line, index) => parseSignatureLine(line, firstLine + index));
  return { body, signatures };
}

/** Writes a note from its text and signature lines. */
export function formatNote(body: string, signatures: readonly NoteSignature[]): string {
  checkBody(body);
  if (signatures.length === 0) throw malformed('a note needs at least one signature');
  const lines = signatures.map(({ name, keyId, signature }) => {
    if (!isValidKeyName(name)) throw malformed(`"${name}" is not a valid key name: it must be non-empty, without spaces or "+"`);
    if (signature.length === 0) throw malformed(`the signature by ${name} is empty`);
    const id = Buffer.alloc(4);
    id.writeUInt32BE(keyId >>> 0);
    return `${SIGNATURE_PREFIX}${name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
  });
  return `${body}\n${lines.join('')}`;
}

/** Signs `body` with each signer, in order. */
export function signNote(body: string, signers: readonly NoteSigner[]): string {
  checkBody(body);
  const seen = new Set<string>();
  for (const signer of signers) {
    const key = `${signer.name}+${formatKeyId(signer.keyId)}`;
    if (seen.has(key)) throw malformed(`key ${key} is given twice`);
    seen.add(key);
  }
  const bytes = Buffer.from(body, 'utf8');
  return formatNote(body, signers.map((signer) => ({ name: signer.name, keyId: signer.keyId, signature: signer.sign(bytes) })));
}

/**
 * Opens a note as c2sp.org/signed-note asks of verifiers: signatures by unknown keys are set aside unchecked, every
 * signature by a known key must verify, and at least one must be there. Repeated lines count once.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const { body, signatures } = parseNote(note);
  const known = new Map<string, NoteVerifier[]>();
  for (const verifier of verifiers) {
    const key = `${verifier.name}+${formatKeyId(verifier.keyId)}`;
    known.set(key, [...(known.get(key) ?? []), verifier]);
  }
  const bytes = Buffer.from(body, 'utf8');
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seenKnown = new Set<string>();
  const seenUnknown = new Set<string>();
  for (const signature of signatures) {
    const key = `${signature.name}+${formatKeyId(signature.keyId)}`;
    const candidates = known.get(key);
    if (!candidates) {
      const line = `${key} ${signature.signature.toString('base64')}`;
      if (!seenUnknown.has(line)) unverified.push(signature);
      seenUnknown.add(line);
      continue;
    }
    if (candidates.length > 1) throw invalid('note_key_ambiguous', `key ${key} is given more than once among the verifiers`);
    if (seenKnown.has(key)) continue;
    seenKnown.add(key);
    if (!safeVerify(candidates[0]!, bytes, signature.signature)) {
      throw invalid('note_signature_invalid', `the ${candidates[0]!.algorithm} signature by key ${key} does not verify: the note was altered or signed with another key`);
    }
    verified.push(signature);
  }
  if (verified.length === 0) {
    const found = unverified.map((s) => `${s.name}+${formatKeyId(s.keyId)}`).join(', ');
    throw invalid('note_unverified', `the note has no signature by a known key (it is signed by ${found})`, [
      { message: 'expected one of', keys: verifiers.map((v) => `${v.name}+${formatKeyId(v.keyId)}`) },
    ]);
  }
  return { body, verified, unverified };
}

// ---- checkpoints ------------------------------------------------------------------------------------------------

export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  if (origin === '' || origin.includes('\n')) throw invalid('checkpoint_malformed', 'a checkpoint origin is one non-empty line');
  if (!Number.isSafeInteger(size) || size < 0) throw invalid('checkpoint_malformed', `tree size ${size} is not a non-negative integer`);
  if (rootHash.length !== 32) throw invalid('checkpoint_malformed', `a root hash is 32 bytes, not ${rootHash.length}`);
  for (const line of extensions) {
    if (line === '' || line.includes('\n')) throw invalid('checkpoint_malformed', 'checkpoint extension lines are single non-empty lines');
  }
  const body = [origin, String(size), rootHash.toString('base64'), ...extensions].join('\n') + '\n';
  checkBody(body);
  return body;
}

/** Reads a checkpoint's text (a note body); throws a `checkpoint_malformed` error saying which line is wrong. */
export function parseCheckpoint(body: string): Checkpoint {
  if (!body.endsWith('\n')) throw invalid('checkpoint_malformed', 'a checkpoint ends with a newline');
  const [origin = '', size = '', root = '', ...extensions] = body.slice(0, -1).split('\n');
  if (origin === '') throw invalid('checkpoint_malformed', 'line 1, the origin, is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(size)) throw invalid('checkpoint_malformed', `line 2, the tree size, is not a decimal number without leading zeroes: "${size}"`);
  const treeSize = Number(size);
  if (!Number.isSafeInteger(treeSize)) throw invalid('checkpoint_malformed', `tree size ${size} is too large`);
  const rootHash = decodeBase64(root);
  if (!rootHash || rootHash.length !== 32) throw invalid('checkpoint_malformed', 'line 3, the root hash, is not 32 bytes in base64');
  const empty = extensions.findIndex((line) => line === '');
  if (empty >= 0) throw invalid('checkpoint_malformed', `line ${empty + 4} is empty; extension lines must not be`);
  return { origin, size: treeSize, rootHash, extensions };
}

// ---- helpers ----------------------------------------------------------------------------------------------------

function parseSignatureLine(line: string, lineNumber: number): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw malformed(`line ${lineNumber} is not a signature line: it must start with an em dash (U+2014) and a space`);
  }
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const encoded = space < 0 ? '' : rest.slice(space + 1);
  if (!isValidKeyName(name)) throw malformed(`line ${lineNumber}: "${name}" is not a valid key name (non-empty, no spaces, no "+")`);
  const bytes = decodeBase64(encoded);
  if (!bytes) throw malformed(`line ${lineNumber}: the signature by ${name} is not valid base64`);
  if (bytes.length < 5) throw malformed(`line ${lineNumber}: the signature by ${name} is too short to hold a 4-byte key ID and a signature`);
  return { name, keyId: bytes.readUInt32BE(0), signature: bytes.subarray(4) };
}

function checkBody(body: string): void {
  if (!body.endsWith('\n')) throw malformed('the text must end with a newline');
  checkCharacters(body, 'the text');
}

/** Notes are UTF-8 with no ASCII control characters other than newline. */
function checkCharacters(text: string, what: string): void {
  if (!isWellFormed(text)) throw malformed(`${what} holds an unpaired UTF-16 surrogate, which is not valid UTF-8`);
  const bad = /[\u0000-\u0009\u000b-\u001f]/.exec(text);
  if (bad) {
    const line = text.slice(0, bad.index).split('\n').length;
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw malformed(`${what} holds the control character U+${code} on line ${line}; only newlines are allowed`);
  }
}

function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    // ignoreBOM keeps a leading U+FEFF in the text instead of silently dropping signed bytes.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw malformed('the note is not valid UTF-8');
  }
}

/** Standard base64 with padding, canonical only: Buffer.from alone skips junk and would accept altered text. */
function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function ed25519Bytes(key: KeyObject | Uint8Array): Buffer {
  if (key instanceof Uint8Array) {
    if (key.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
    return Buffer.from(key);
  }
  return ed25519PublicKeyBytes(key);
}

function ed25519PublicKeyFromBytes(key: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, key]), format: 'der', type: 'spki' });
}

function ed25519Verify(body: Buffer, signature: Buffer, publicKey: KeyObject): boolean {
  return signature.length === 64 && verifyBytes(null, body, publicKey, signature);
}

function cosignatureVerify(body: Buffer, signature: Buffer, publicKey: KeyObject): boolean {
  if (signature.length !== 72) return false;
  const time = signature.readBigUInt64BE(0);
  if (time > MAX_COSIGNATURE_TIME) return false;
  return verifyBytes(null, cosignatureMessage(body, time), publicKey, signature.subarray(8));
}

function safeVerify(verifier: NoteVerifier, body: Buffer, signature: Buffer): boolean {
  try {
    return verifier.verify(body, signature);
  } catch {
    return false;
  }
}

function malformed(reason: string): DomainError {
  return invalid('note_malformed', `malformed note: ${reason}`);
}
