import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Keeps personal identity numbers (身份证号) of natural-person subjects: sealed at rest, with a keyed blind index so the
 * platform can refuse a second registration of the same person without being able to list the numbers. This is the
 * one place that knows the cipher; the trusted-records work swaps AES-256-GCM for SM4-GCM here (the `v1` tag lets both
 * be read during the change).
 */
export class IdentityVault {
  private readonly sealKey: Buffer;
  private readonly indexKey: Buffer;

  constructor(masterKey: Buffer) {
    this.sealKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'zhuisu identity seal v1', 32));
    this.indexKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'zhuisu identity index v1', 32));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unknown sealed identity format');
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  blindIndex(plain: string): string {
    return createHmac('sha256', this.indexKey).update(plain.trim().toUpperCase()).digest('base64url');
  }
}
