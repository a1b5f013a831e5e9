/**
 * The kit's symmetric primitives (AES-256-GCM, base64), each chosen once when this
 * module loads: `node:crypto` and `Buffer` where the runtime has them (Node, Bun, Deno, Workers with
 * `nodejs_compat`), else WebCrypto and `atob`/`btoa`. In Node, every WebCrypto call is a job sent to
 * libuv's thread pool and back, which costs far more than the work on inputs this small; a status
 * read makes four such calls.
 *
 * The built-ins are asked of `process.getBuiltinModule` (Node ≥ 20.16), never imported, so this
 * module still loads on fetch-API runtimes without Node built-ins, which then take the WebCrypto path.
 */
import type * as NodeCrypto from 'node:crypto';

/** AES-256-GCM under one key, with a 16-byte tag and no AAD. */
export interface AesGcm {
  /** `plaintext`, UTF-8 encoded and sealed under `iv`: ciphertext ‖ tag. */
  seal(iv: Uint8Array<ArrayBuffer>, plaintext: string): Promise<Uint8Array>;
  /** The plaintext bytes of `sealed` (ciphertext ‖ tag); rejects when the tag does not match. */
  open(iv: Uint8Array<ArrayBuffer>, sealed: Uint8Array<ArrayBuffer>): Promise<Uint8Array>;
}

interface Primitives {
  /** An AES-256-GCM cipher under a 32-byte key. */
  aesGcm(key: Uint8Array<ArrayBuffer>): Promise<AesGcm>;
  /** Decodes base64 that the caller has already checked. */
  fromBase64(text: string): Uint8Array<ArrayBuffer>;
  /** Standard base64, with padding. */
  toBase64(bytes: Uint8Array): string;
}

const TAG_BYTES = 16;
const encoder = new TextEncoder();

interface NodeBuiltins {
  crypto: typeof NodeCrypto;
  Buffer: typeof Buffer;
}

/** `node:crypto` and `Buffer`, when the runtime has them and they do what this module uses. */
function nodeBuiltins(): NodeBuiltins | undefined {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof runtime?.getBuiltinModule !== 'function') return undefined;
  try {
    const crypto = runtime.getBuiltinModule('node:crypto') as typeof NodeCrypto;
    const { Buffer } = runtime.getBuiltinModule('node:buffer') as typeof import('node:buffer');
    crypto.createCipheriv('aes-256-gcm', Buffer.alloc(32), Buffer.alloc(16), { authTagLength: TAG_BYTES }).final();
    return { crypto, Buffer };
  } catch {
    return undefined;
  }
}

function nodePrimitives({ crypto, Buffer }: NodeBuiltins): Primitives {
  const options = { authTagLength: TAG_BYTES };
  return {
    aesGcm: async (raw) => {
      const key = crypto.createSecretKey(raw);
      return {
        seal: async (iv, plaintext) => {
          const cipher = crypto.createCipheriv('aes-256-gcm', key, iv, options);
          return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
        },
        open: async (iv, sealed) => {
          const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv, options);
          decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
          return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
        },
      };
    },
    fromBase64: (text) => {
      const bytes = Buffer.from(text, 'base64');
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    toBase64: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  };
}

const webPrimitives: Primitives = {
  aesGcm: async (raw) => {
    const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    const algorithm = (iv: Uint8Array<ArrayBuffer>) => ({ name: 'AES-GCM', iv, tagLength: TAG_BYTES * 8 });
    return {
      seal: async (iv, plaintext) =>
        new Uint8Array(await crypto.subtle.encrypt(algorithm(iv), key, encoder.encode(plaintext))),
      open: async (iv, sealed) => new Uint8Array(await crypto.subtle.decrypt(algorithm(iv), key, sealed)),
    };
  },
  fromBase64: (text) => {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  },
  toBase64: (bytes) => {
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  },
};

const builtins = nodeBuiltins();

/** Which implementation this runtime got, for diagnostics and tests. */
export const primitivesBackend: 'node:crypto' | 'webcrypto' = builtins ? 'node:crypto' : 'webcrypto';

/** The primitives of this runtime (see {@link Primitives}). */
export const { aesGcm, fromBase64, toBase64 } = builtins ? nodePrimitives(builtins) : webPrimitives;
