/**
 * Results at rest are sealed with AES-256-GCM under a key derived (HKDF-SHA-256) from `storeKey`.
 * `storeKey` may be a list: the first seals, every one opens, so a key is rotated by putting the
 * new one first and dropping the old one once no result sealed with it is left (`kosmos-idv ledger
 * --pending`). A sealed text is `k1.<key id>.<base64(iv ‖ ciphertext ‖ tag)>`.
 */
import { aesGcm, fromBase64, toBase64, type AesGcm } from '../primitives.js';

const IV_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Key {
  id: string;
  cipher: AesGcm;
}

async function derive(secret: string): Promise<Key> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveBits']);
  const bits = (info: string) =>
    crypto.subtle.deriveBits(
      { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(info) },
      material,
      256,
    );
  const id = toBase64(new Uint8Array(await bits('kosmos-idv store key id'))).slice(0, 8).replace(/[+/]/g, '_');
  return { id, cipher: await aesGcm(new Uint8Array(await bits('kosmos-idv store key'))) };
}

/** A sealed text that no configured key opens, or that was tampered with. */
export class SealError extends Error {
  override readonly name = 'SealError';
}

export class Sealer {
  private readonly keys: Promise<Key[]>;

  constructor(secrets: readonly string[]) {
    this.keys = Promise.all(secrets.map(derive));
  }

  async seal(plaintext: string): Promise<string> {
    const [key] = await this.keys;
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = await key.cipher.seal(iv, plaintext);
    const out = new Uint8Array(IV_BYTES + sealed.length);
    out.set(iv);
    out.set(sealed, IV_BYTES);
    return `k1.${key.id}.${toBase64(out)}`;
  }

  async open(text: string): Promise<string> {
    const [version, id, body] = text.split('.');
    const key = (await this.keys).find((candidate) => candidate.id === id);
    if (version !== 'k1' || !key || !body) throw new SealError(`No storeKey opens this result (key id ${id ?? 'none'}).`);
    const bytes = fromBase64(body);
    try {
      return decoder.decode(await key.cipher.open(bytes.slice(0, IV_BYTES), bytes.slice(IV_BYTES)));
    } catch (error) {
      throw new SealError('A sealed result does not open: it was altered.', { cause: error });
    }
  }
}
