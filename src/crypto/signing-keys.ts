import { createPublicKey, type KeyObject } from 'node:crypto';
import { conflict } from '../domain/errors.js';
import type { KeyStore } from './key-store.js';
import {
  ed25519PrivateKeyFromSeed,
  ed25519PublicKeyBytes,
  ed25519Signer,
  ed25519VerifierKey,
  formatKeyId,
  isValidKeyName,
  parseVerifierKey,
  signNote,
  SIGNATURE_TYPE_ED25519,
  SIGNATURE_TYPE_NAMED,
  SM2_SIGNATURE_ALGORITHM,
  sm2NoteSigner,
  sm2VerifierKey,
  verifierFromKey,
  type NoteSigner,
  type NoteVerifier,
} from './signed-note.js';
import { SM2_DEFAULT_USER_ID, sm2KeyPairFromSecret, sm2PublicKeyToPem } from './sm2.js';

/**
 * The keys the log signs its checkpoints with: Ed25519, which every signed-note tool verifies, and SM2, for verifiers
 * held to the Chinese commercial cryptography standards. Both live in the key directory as 32-byte secrets
 * (`log-ed25519.key`, the Ed25519 seed; `log-sm2.key`, from which the SM2 private key is derived). The note key name is
 * the log's origin. Nothing here hands out secret material: the keys stay in private fields.
 */

export const LOG_ED25519_KEY_FILE = 'log-ed25519';
export const LOG_SM2_KEY_FILE = 'log-sm2';

/** One public key as `/.well-known/zhuisu/keys` publishes it. */
export interface PublishedKey {
  name: string;
  algorithm: 'Ed25519' | 'SM2';
  /** The signed-note signature type byte. */
  signatureType: number;
  /** For type 0xff, the identifier after the byte. */
  signatureAlgorithm?: string;
  keyId: string;
  /** The signed-note verifier key, ready for `note.NewVerifier` (Ed25519) or our own verifiers. */
  verifierKey: string;
  /** Raw public key in base64: 32 bytes for Ed25519, 65 bytes 04‖x‖y for SM2. */
  publicKey: string;
  /** SubjectPublicKeyInfo in PEM. */
  publicKeyPem: string;
  /** SM2 only: the user ID in ZA and how the signature bytes are encoded. */
  userId?: string;
  signatureEncoding?: 'DER';
}

export interface PublishedKeys {
  origin: string;
  keys: PublishedKey[];
}

export class LogSigningKeys {
  readonly origin: string;
  readonly #ed25519: KeyObject;
  readonly #signers: NoteSigner[];
  readonly #sm2PublicKey: string;

  private constructor(origin: string, ed25519Seed: Buffer, sm2Secret: Buffer) {
    this.origin = origin;
    this.#ed25519 = ed25519PrivateKeyFromSeed(ed25519Seed);
    const sm2 = sm2KeyPairFromSecret(sm2Secret);
    this.#sm2PublicKey = sm2.publicKey;
    this.#signers = [ed25519Signer(origin, this.#ed25519), sm2NoteSigner(origin, sm2.privateKey)];
  }

  /** Reads the keys, creating any that is missing: the development path. */
  static open(store: KeyStore, origin: string): LogSigningKeys {
    checkOrigin(origin);
    return new LogSigningKeys(origin, store.secret(LOG_ED25519_KEY_FILE), store.secret(LOG_SM2_KEY_FILE));
  }

  /** Creates both keys for `zhuisu keys init`; refuses when either exists, since replacing one orphans every checkpoint it signed. */
  static init(store: KeyStore, origin: string): LogSigningKeys {
    checkOrigin(origin);
    const existing = [LOG_ED25519_KEY_FILE, LOG_SM2_KEY_FILE].filter((name) => store.has(name));
    if (existing.length > 0) {
      throw conflict(
        'signing_keys_exist',
        `the log signing keys already exist in ${store.directory} (${existing.map((name) => `${name}.key`).join(', ')}); ` +
          'they are kept, since checkpoints signed with them would no longer verify with new ones',
      );
    }
    return LogSigningKeys.open(store, origin);
  }

  /** The note text: `body`, a blank line, the Ed25519 signature line, then the SM2 one. */
  sign(body: string): string {
    return signNote(body, this.#signers);
  }

  get ed25519VerifierKey(): string {
    return ed25519VerifierKey(this.origin, this.#ed25519);
  }

  get sm2VerifierKey(): string {
    return sm2VerifierKey(this.origin, this.#sm2PublicKey);
  }

  /** Verifiers for both keys, for checking the log's own notes. */
  verifiers(): NoteVerifier[] {
    return [verifierFromKey(this.ed25519VerifierKey), verifierFromKey(this.sm2VerifierKey)];
  }

  /** The public description for `/.well-known/zhuisu/keys`. */
  describe(): PublishedKeys {
    const ed25519Key = this.ed25519VerifierKey;
    const sm2Key = this.sm2VerifierKey;
    return {
      origin: this.origin,
      keys: [
        {
          name: this.origin,
          algorithm: 'Ed25519',
          signatureType: SIGNATURE_TYPE_ED25519,
          keyId: formatKeyId(parseVerifierKey(ed25519Key).keyId),
          verifierKey: ed25519Key,
          publicKey: ed25519PublicKeyBytes(this.#ed25519).toString('base64'),
          publicKeyPem: createPublicKey(this.#ed25519).export({ format: 'pem', type: 'spki' }).toString(),
        },
        {
          name: this.origin,
          algorithm: 'SM2',
          signatureType: SIGNATURE_TYPE_NAMED,
          signatureAlgorithm: SM2_SIGNATURE_ALGORITHM,
          keyId: formatKeyId(parseVerifierKey(sm2Key).keyId),
          verifierKey: sm2Key,
          publicKey: Buffer.from(this.#sm2PublicKey, 'hex').toString('base64'),
          publicKeyPem: sm2PublicKeyToPem(this.#sm2PublicKey),
          userId: SM2_DEFAULT_USER_ID,
          signatureEncoding: 'DER',
        },
      ],
    };
  }
}

function checkOrigin(origin: string): void {
  if (!isValidKeyName(origin)) {
    throw new Error(`the log origin "${origin}" cannot name a note key: it must be non-empty, without spaces or "+" (e.g. zhuisu.example/log)`);
  }
}
