import { createCipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The identity vault's first scheme (AES-256-GCM, HMAC-SHA-256 blind index) as it wrote data, kept apart from the
 * vault so tests can lay down rows sealed the old way and watch them being read and re-sealed.
 */
export function v1Sealer(masterKey: Buffer): { seal(plain: string): string; blindIndex(plain: string): string } {
  const key = (label: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), label, 32));
  const sealKey = key('zhuisu identity seal v1');
  const indexKey = key('zhuisu identity index v1');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), body].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
    },
    blindIndex(plain) {
      return createHmac('sha256', indexKey).update(plain.trim().toUpperCase()).digest('base64url');
    },
  };
}
