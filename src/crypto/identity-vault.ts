import { createCipheriv, createDecipheriv, createHmac, getCiphers, getHashes, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** A sealed identity that cannot be opened: altered, damaged, of an unknown format, or sealed under another key. */
export class SealedIdentityError extends Error {
  override readonly name = 'SealedIdentityError';
}

const CURRENT = 'v2';
const IV_BYTES = 16;
const MAC_BYTES = 32;

/**
 * Keeps personal identity numbers (身份证号) of natural-person subjects: sealed at rest, with a keyed blind index so the
 * platform can refuse a second registration of the same person without being able to list the numbers. This is the
 * one place that knows the cipher.
 *
 * Deployments are assessed under GB/T 39786 (密评), which expects the national algorithms, and OpenSSL has no SM4-GCM,
 * so `v2` is SM4-CTR with a random IV, authenticated by HMAC-SM3 over the version tag, the IV and the ciphertext
 * (encrypt-then-MAC): `v2.<iv>.<ciphertext>.<mac>`, each part base64url. The blind index is HMAC-SM3 of the number
 * in upper case without surrounding spaces. Each key is drawn from the master key by HKDF-SM3 under its own label, so
 * no key serves two purposes.
 *
 * `v1` (AES-256-GCM, blind index HMAC-SHA-256) is still opened so that data sealed before can be re-sealed; a row's
 * index is always written together with its sealed number, so `isCurrent` of the sealed number speaks for both.
 */
export class IdentityVault {
  /** The version `seal` writes; stored values sealed otherwise are to be re-sealed. */
  static readonly CURRENT_VERSION = CURRENT;

  private readonly cipherKey: Buffer;
  private readonly macKey: Buffer;
  private readonly indexKey: Buffer;
  private readonly v1SealKey: Buffer;

  constructor(masterKey: Buffer) {
    if (!getCiphers().includes('sm4-ctr') || !getHashes().includes('sm3')) {
      throw new Error('the OpenSSL of this Node.js has no SM4-CTR or SM3, which the identity vault needs');
    }
    this.cipherKey = derive('sm3', masterKey, 'zhuisu identity seal v2 sm4-ctr', 16);
    this.macKey = derive('sm3', masterKey, 'zhuisu identity seal v2 hmac-sm3', 32);
    this.indexKey = derive('sm3', masterKey, 'zhuisu identity index v2 hmac-sm3', 32);
    this.v1SealKey = derive('sha256', masterKey, 'zhuisu identity seal v1', 32);
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const body = sm4Ctr(this.cipherKey, iv, Buffer.from(plain, 'utf8'));
    return [CURRENT, iv.toString('base64url'), body.toString('base64url'), this.mac(iv, body).toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const version = sealed.split('.', 1)[0];
    if (version === CURRENT) return this.openV2(sealed);
    if (version === 'v1') return this.openV1(sealed);
    throw new SealedIdentityError('unknown sealed identity format');
  }

  /** True when `sealed` is in the format `seal` writes now, so neither it nor its row's blind index needs redoing. */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(`${CURRENT}.`);
  }

  blindIndex(plain: string): string {
    return createHmac('sm3', this.indexKey).update(plain.trim().toUpperCase()).digest('base64url');
  }

  // The IV has a fixed length, so tag, IV and ciphertext laid end to end can be split only one way.
  private mac(iv: Buffer, body: Buffer): Buffer {
    return createHmac('sm3', this.macKey).update(`${CURRENT}.`).update(iv).update(body).digest();
  }

  private openV2(sealed: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 4) throw new SealedIdentityError(`sealed identity ${CURRENT} must have 4 parts, found ${parts.length}`);
    const iv = strictBase64url(parts[1]!, 'IV');
    const body = strictBase64url(parts[2]!, 'ciphertext');
    const mac = strictBase64url(parts[3]!, 'MAC');
    if (iv.length !== IV_BYTES) throw new SealedIdentityError(`sealed identity IV must be ${IV_BYTES} bytes, found ${iv.length}`);
    if (mac.length !== MAC_BYTES) throw new SealedIdentityError(`sealed identity MAC must be ${MAC_BYTES} bytes, found ${mac.length}`);
    // Checked before anything is deciphered, in constant time so the comparison leaks nothing about the expected MAC.
    if (!timingSafeEqual(mac, this.mac(iv, body))) {
      throw new SealedIdentityError('sealed identity failed its integrity check: altered, or sealed under another key');
    }
    return sm4Ctr(this.cipherKey, iv, body).toString('utf8');
  }

  private openV1(sealed: string): string {
    const [, iv, tag, body] = sealed.split('.');
    if (!iv || !tag || body === undefined) throw new SealedIdentityError('sealed identity v1 must have 4 parts');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.v1SealKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedIdentityError('sealed identity v1 failed its integrity check: altered, or sealed under another key');
    }
  }
}

/** SM4 in counter mode (GB/T 17964): the same call seals and opens. */
export function sm4Ctr(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('sm4-ctr', key, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

function derive(hash: 'sm3' | 'sha256', masterKey: Buffer, label: string, bytes: number): Buffer {
  return Buffer.from(hkdfSync(hash, masterKey, Buffer.alloc(0), label, bytes));
}

// Node's decoder skips characters outside the alphabet and ignores spare trailing bits, so two different strings can
// give the same bytes; only the canonical spelling is accepted, and an altered sealed value never opens.
function strictBase64url(text: string, part: string): Buffer {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new SealedIdentityError(`sealed identity ${part} is not canonical base64url`);
  return bytes;
}
