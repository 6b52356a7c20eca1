import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The platform's secret key files, kept in one directory (`ZHUISU_KEY_DIR`, by default `<data dir>/keys`). A missing key
 * is created on first use for development; production creates them ahead with `zhuisu keys init` and backs them up,
 * since data sealed with a lost key cannot be read again.
 */
export class KeyStore {
  constructor(readonly directory: string) {}

  /** Whether the named secret exists, without creating it: lets `zhuisu keys init` refuse to replace a key. */
  has(name: string): boolean {
    return existsSync(this.fileOf(name));
  }

  /** Returns the named 32-byte secret, creating it (mode 0600) when absent. */
  secret(name: string): Buffer {
    const file = this.fileOf(name);
    if (existsSync(file)) {
      const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
      if (key.length !== 32) throw new Error(`key file ${name}.key is damaged: expected 32 bytes`);
      return key;
    }
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return key;
  }

  private fileOf(name: string): string {
    return join(this.directory, `${name}.key`);
  }
}
