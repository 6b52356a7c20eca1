import { randomBytes } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';

/**
 * SM2 signatures as GB/T 32918.2 (GM/T 0003.2) defines them on the curve GB/T 32918.5 recommends: the message is hashed
 * with SM3 behind ZA, the digest of the signer's identity (user ID, curve parameters, public key), so a signature
 * verifies only for the identity it was made for. Node's own 'SM2' keys sign plain ECDSA without ZA and are no
 * substitute. The arithmetic comes from sm-crypto-v2; this module owns the parts interoperability hangs on: which user
 * ID, which signature encoding (DER `SEQUENCE { r INTEGER, s INTEGER }` per GM/T 0009, or r‖s), and refusing anything
 * loose on the way in, since the library's own DER reader and range checks are lenient.
 *
 * Keys travel as hex: the private key d as 64 digits, the public key uncompressed as `04‖x‖y` (130 digits).
 */

/** The user ID GM/T 0009 names as the default; both sides of a verification must use the same one. */
export const SM2_DEFAULT_USER_ID = '1234567812345678';
/** The SM2 curve (sm2p256v1), named in a SubjectPublicKeyInfo's parameters. */
export const SM2_CURVE_OID = '1.2.156.10197.1.301';

export type Sm2Message = Uint8Array | string;

export interface Sm2KeyPair {
  /** d as 64 hex digits. Secret. */
  privateKey: string;
  /** `04‖x‖y` as 130 hex digits. */
  publicKey: string;
}

export interface Sm2Options {
  /** Defaults to {@link SM2_DEFAULT_USER_ID}. */
  userId?: string;
}

const N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');

/** id-ecPublicKey with the SM2 curve as its parameter, then the BIT STRING header for a 65-byte point: what OpenSSL and GmSSL write. */
const SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');
const PEM_LABEL = 'PUBLIC KEY';

/** A fresh key pair from the operating system's random source. */
export function generateSm2KeyPair(): Sm2KeyPair {
  // 48 bytes reduced modulo n−2 leave no measurable bias toward small keys.
  return sm2KeyPairFromSecret(randomBytes(48));
}

/**
 * The key pair a stored secret stands for: d = (secret mod (n−2)) + 1, which always lands in [1, n−2] as GB/T 32918.1
 * requires (d = n−1 has no (1+d)⁻¹). A 32-byte secret is skewed toward values below 2²²⁴ by about 2⁻³² — harmless for a
 * long-lived key, which is not a nonce.
 */
export function sm2KeyPairFromSecret(secret: Uint8Array): Sm2KeyPair {
  if (secret.length < 32) throw new Error('an SM2 key needs a secret of at least 32 bytes');
  const d = (BigInt(`0x${Buffer.from(secret).toString('hex')}`) % (N - 2n)) + 1n;
  const privateKey = d.toString(16).padStart(64, '0');
  return { privateKey, publicKey: sm2.getPublicKeyFromPrivateKey(privateKey) };
}

export function sm2PublicKeyOf(privateKey: string): string {
  return sm2.getPublicKeyFromPrivateKey(checkPrivateKey(privateKey));
}

/** Whether `publicKey` is an uncompressed point on the curve, written as 130 hex digits. */
export function isSm2PublicKey(publicKey: string): boolean {
  if (!/^04[0-9a-fA-F]{128}$/.test(publicKey)) return false;
  try {
    return sm2.verifyPublicKey(publicKey);
  } catch {
    return false;
  }
}

/** ZA = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA). */
export function sm2Za(publicKey: string, userId = SM2_DEFAULT_USER_ID): Buffer {
  return Buffer.from(sm2.getZ(checkPublicKey(publicKey), checkUserId(userId)));
}

/** e = SM3(ZA ‖ M), the value the signature equation works on. */
export function sm2Digest(message: Sm2Message, publicKey: string, userId = SM2_DEFAULT_USER_ID): Buffer {
  return Buffer.from(sm2.getHash(bytesOf(message), checkPublicKey(publicKey), checkUserId(userId)), 'hex');
}

/** Signs and returns the DER encoding. Pass `publicKey` when it is at hand to spare deriving it again. */
export function sm2Sign(message: Sm2Message, privateKey: string, options: Sm2Options & { publicKey?: string } = {}): Buffer {
  return sm2SignatureToDer(sm2SignRaw(message, privateKey, options));
}

/** Signs and returns r‖s, 64 bytes. */
export function sm2SignRaw(message: Sm2Message, privateKey: string, options: Sm2Options & { publicKey?: string } = {}): Buffer {
  const d = checkPrivateKey(privateKey);
  const publicKey = options.publicKey === undefined ? sm2.getPublicKeyFromPrivateKey(d) : checkPublicKey(options.publicKey);
  const rs = sm2.doSignature(bytesOf(message), d, {
    hash: true,
    publicKey,
    userId: checkUserId(options.userId ?? SM2_DEFAULT_USER_ID),
  });
  return Buffer.from(rs, 'hex');
}

/**
 * Verifies a DER-encoded signature. Only strict DER is accepted (minimal lengths and integers, nothing trailing), so a
 * signature has one encoding and cannot be altered into a second valid one.
 */
export function sm2Verify(message: Sm2Message, signature: Uint8Array, publicKey: string, options: Sm2Options = {}): boolean {
  let raw: Buffer;
  try {
    raw = sm2SignatureFromDer(signature);
  } catch {
    return false;
  }
  return sm2VerifyRaw(message, raw, publicKey, options);
}

/** Verifies a 64-byte r‖s signature. */
export function sm2VerifyRaw(message: Sm2Message, signature: Uint8Array, publicKey: string, options: Sm2Options = {}): boolean {
  if (signature.length !== 64 || !isSm2PublicKey(publicKey)) return false;
  const raw = Buffer.from(signature);
  if (!inSignatureRange(raw.subarray(0, 32)) || !inSignatureRange(raw.subarray(32))) return false;
  return sm2.doVerifySignature(bytesOf(message), raw.toString('hex'), publicKey.toLowerCase(), {
    hash: true,
    userId: checkUserId(options.userId ?? SM2_DEFAULT_USER_ID),
  });
}

/** r‖s (64 bytes) to `SEQUENCE { r INTEGER, s INTEGER }`. */
export function sm2SignatureToDer(raw: Uint8Array): Buffer {
  if (raw.length !== 64) throw new Error(`an SM2 signature r‖s is 64 bytes, not ${raw.length}`);
  const r = derInteger(Buffer.from(raw.subarray(0, 32)));
  const s = derInteger(Buffer.from(raw.subarray(32)));
  return Buffer.concat([Buffer.from([0x30, r.length + s.length]), r, s]);
}

/** Strict DER to r‖s; throws on any other encoding or on r, s outside [1, n−1]. */
export function sm2SignatureFromDer(der: Uint8Array): Buffer {
  const bytes = Buffer.from(der);
  if (bytes.length < 8 || bytes[0] !== 0x30 || bytes[1] !== bytes.length - 2) {
    throw new Error('not a DER SEQUENCE of the stated length');
  }
  const r = readDerInteger(bytes, 2);
  const s = readDerInteger(bytes, r.next);
  if (s.next !== bytes.length) throw new Error('bytes after the second INTEGER');
  const raw = Buffer.concat([r.value, s.value]);
  if (!inSignatureRange(raw.subarray(0, 32)) || !inSignatureRange(raw.subarray(32))) throw new Error('r or s outside [1, n−1]');
  return raw;
}

/** The public key as a DER SubjectPublicKeyInfo (id-ecPublicKey, curve SM2), the form certificates and OpenSSL use. */
export function sm2PublicKeyToDer(publicKey: string): Buffer {
  return Buffer.concat([SPKI_PREFIX, Buffer.from(checkPublicKey(publicKey), 'hex')]);
}

export function sm2PublicKeyToPem(publicKey: string): string {
  const lines = sm2PublicKeyToDer(publicKey).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${PEM_LABEL}-----\n${lines.join('\n')}\n-----END ${PEM_LABEL}-----\n`;
}

/** Reads a SubjectPublicKeyInfo (DER bytes or PEM text) for an SM2 key back to `04‖x‖y` hex. */
export function sm2PublicKeyFromSpki(spki: Uint8Array | string): string {
  let der: Buffer;
  if (typeof spki === 'string') {
    const match = new RegExp(`^-----BEGIN ${PEM_LABEL}-----\\s+([A-Za-z0-9+/=\\s]+?)\\s*-----END ${PEM_LABEL}-----\\s*$`).exec(spki.trim());
    if (!match) throw new Error('not a PEM public key');
    der = Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64');
  } else {
    der = Buffer.from(spki);
  }
  if (der.length !== SPKI_PREFIX.length + 65 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) {
    throw new Error('not a SubjectPublicKeyInfo for an uncompressed SM2 public key');
  }
  const publicKey = der.subarray(SPKI_PREFIX.length).toString('hex');
  if (!isSm2PublicKey(publicKey)) throw new Error('the SubjectPublicKeyInfo holds a point that is not on the SM2 curve');
  return publicKey;
}

function bytesOf(message: Sm2Message): Uint8Array {
  return typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
}

function checkPrivateKey(privateKey: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(privateKey)) throw new Error('an SM2 private key is 64 hex digits');
  const d = BigInt(`0x${privateKey}`);
  if (d < 1n || d > N - 2n) throw new Error('an SM2 private key lies in [1, n−2]');
  return privateKey.toLowerCase();
}

function checkPublicKey(publicKey: string): string {
  if (!isSm2PublicKey(publicKey)) throw new Error('an SM2 public key is an uncompressed curve point 04‖x‖y in 130 hex digits');
  return publicKey.toLowerCase();
}

function checkUserId(userId: string): string {
  // ENTL, the ID's length in bits, has two bytes.
  if (Buffer.byteLength(userId, 'utf8') * 8 > 0xffff) throw new Error('an SM2 user ID is at most 8191 bytes');
  return userId;
}

function inSignatureRange(value: Uint8Array): boolean {
  const v = BigInt(`0x${Buffer.from(value).toString('hex')}`);
  return v >= 1n && v < N;
}

function derInteger(value: Buffer): Buffer {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start += 1;
  let body = value.subarray(start);
  if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02, body.length]), body]);
}

function readDerInteger(bytes: Buffer, offset: number): { value: Buffer; next: number } {
  if (bytes[offset] !== 0x02) throw new Error('expected an INTEGER');
  const length = bytes[offset + 1];
  if (length === undefined || length < 1 || length > 33 || offset + 2 + length > bytes.length) throw new Error('INTEGER length out of bounds');
  const body = bytes.subarray(offset + 2, offset + 2 + length);
  if (body[0]! & 0x80) throw new Error('negative INTEGER');
  if (body.length > 1 && body[0] === 0 && !(body[1]! & 0x80)) throw new Error('INTEGER not minimally encoded');
  const magnitude = body[0] === 0 && body.length > 1 ? body.subarray(1) : body;
  if (magnitude.length > 32) throw new Error('INTEGER wider than 256 bits');
  return { value: Buffer.concat([Buffer.alloc(32 - magnitude.length), magnitude]), next: offset + 2 + length };
}
