/**
 * 1Kosmos's "ECDSA" encryption, which is really ECDH on secp256k1 followed by AES-256-GCM:
 * - public key: base64 of the 64-byte X‖Y point (no 0x04 prefix);
 * - private key: base64 of the big-endian scalar (31- and 33-byte forms are normalised to 32);
 * - shared key: the raw 32-byte X coordinate of the ECDH point, used as the AES key, no KDF;
 * - wire: base64(IV[16] ‖ ciphertext ‖ tag[16]), no AAD.
 *
 * Portable: `@noble/curves` for the curve, and AES and base64 from `./primitives.js` (`node:crypto`
 * where the runtime has it, else WebCrypto), so it runs on Node 20+ and on fetch-API runtimes
 * without `node:crypto`.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { aesGcm, fromBase64, toBase64, type AesGcm } from './primitives.js';

const IV_BYTES = 16;
const TAG_BYTES = 16;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type KosmosCryptoErrorCode = 'invalid_key' | 'invalid_ciphertext' | 'decryption_failed';

/** Every failure of this module: a bad key, a malformed ciphertext, or one that does not decrypt. */
export class KosmosCryptoError extends Error {
  override readonly name = 'KosmosCryptoError';
  constructor(
    readonly code: KosmosCryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A key pair in 1Kosmos's format: base64 raw point and scalar. */
export interface KosmosKeyPair {
  publicKey: string;
  privateKey: string;
}

export function base64ToBytes(text: string, what: string): Uint8Array<ArrayBuffer> {
  if (typeof text !== 'string' || !BASE64.test(text)) {
    throw new KosmosCryptoError(
      what === 'ciphertext' ? 'invalid_ciphertext' : 'invalid_key',
      `${what} is not valid base64`,
    );
  }
  return fromBase64(text);
}

export function bytesToBase64(bytes: Uint8Array): string {
  return toBase64(bytes);
}

/** Decodes a private key, normalising 31- and 33-byte encodings to the 32-byte scalar. */
export function decodePrivateKey(privateKey: string): Uint8Array {
  const raw = base64ToBytes(privateKey, 'private key');
  let scalar: Uint8Array;
  if (raw.length === 32) scalar = raw;
  else if (raw.length === 33 && raw[0] === 0) scalar = raw.subarray(1);
  else if (raw.length === 31) scalar = new Uint8Array([0, ...raw]);
  else {
    throw new KosmosCryptoError(
      'invalid_key',
      `private key must be 32 bytes (31 or 33 accepted), got ${raw.length}`,
    );
  }
  if (!secp256k1.utils.isValidSecretKey(scalar)) {
    throw new KosmosCryptoError('invalid_key', 'private key is not a valid secp256k1 scalar');
  }
  return scalar;
}

/** Decodes a 64-byte X‖Y public key into SEC1 uncompressed form, checking it is on the curve. */
export function decodePublicKey(publicKey: string): Uint8Array {
  const raw = base64ToBytes(publicKey, 'public key');
  if (raw.length !== 64) {
    throw new KosmosCryptoError('invalid_key', `public key must be 64 bytes, got ${raw.length}`);
  }
  const sec1 = new Uint8Array([4, ...raw]);
  if (!secp256k1.utils.isValidPublicKey(sec1, false)) {
    throw new KosmosCryptoError('invalid_key', 'public key is not a point on secp256k1');
  }
  return sec1;
}

/** A fresh key pair in 1Kosmos's format. */
export function generateKeyPair(): KosmosKeyPair {
  const secret = secp256k1.utils.randomSecretKey();
  return {
    privateKey: bytesToBase64(secret),
    publicKey: bytesToBase64(secp256k1.getPublicKey(secret, false).subarray(1)),
  };
}

/** The public key (1Kosmos format) of a private key. */
export function publicKeyOf(privateKey: string): string {
  return bytesToBase64(secp256k1.getPublicKey(decodePrivateKey(privateKey), false).subarray(1));
}

/** Encrypts and decrypts with the shared key of one (own private key, peer public key) pair. */
export class SharedCipher {
  private constructor(private readonly aes: AesGcm) {}

  static async derive(privateKey: string, peerPublicKey: string): Promise<SharedCipher> {
    const point = secp256k1.getSharedSecret(
      decodePrivateKey(privateKey),
      decodePublicKey(peerPublicKey),
      true,
    );
    return new SharedCipher(await aesGcm(point.slice(1)));
  }

  async encrypt(plaintext: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = await this.aes.seal(iv, plaintext);
    const wire = new Uint8Array(IV_BYTES + sealed.length);
    wire.set(iv);
    wire.set(sealed, IV_BYTES);
    return bytesToBase64(wire);
  }

  async decrypt(ciphertext: string): Promise<string> {
    const wire = base64ToBytes(ciphertext, 'ciphertext');
    if (wire.length < IV_BYTES + TAG_BYTES) {
      throw new KosmosCryptoError(
        'invalid_ciphertext',
        `ciphertext is ${wire.length} bytes, shorter than IV and tag (${IV_BYTES + TAG_BYTES})`,
      );
    }
    let plain: Uint8Array;
    try {
      plain = await this.aes.open(wire.subarray(0, IV_BYTES), wire.subarray(IV_BYTES));
    } catch {
      throw new KosmosCryptoError(
        'decryption_failed',
        'ciphertext does not decrypt with this key pair (wrong key or tampered data)',
      );
    }
    try {
      return utf8.decode(plain);
    } catch {
      throw new KosmosCryptoError('decryption_failed', 'plaintext is not valid UTF-8');
    }
  }
}

const CACHE_LIMIT = 256;
const cache = new Map<string, Promise<SharedCipher>>();

/**
 * The shared cipher for a key pair, derived once and reused (the ECDH multiplication is the
 * expensive part). The cache is bounded: the least recently used pair is dropped first.
 */
export function sharedCipher(privateKey: string, peerPublicKey: string): Promise<SharedCipher> {
  const id = `${privateKey}\n${peerPublicKey}`;
  let cipher = cache.get(id);
  if (cipher) {
    cache.delete(id);
  } else {
    cipher = SharedCipher.derive(privateKey, peerPublicKey);
    cipher.catch(() => cache.delete(id));
  }
  cache.set(id, cipher);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return cipher;
}
