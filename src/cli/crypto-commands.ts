/** `keygen`, `encrypt` and `decrypt`: the 1Kosmos "ECDSA" helper the seed asks page owners to bring. */
import { generateKeyPair, KosmosCryptoError, sharedCipher } from '../server/crypto.js';
import { InputError, UsageError } from './errors.js';
import { readInput } from './input.js';

/** Options shared by `encrypt` and `decrypt`. */
export interface CipherOptions {
  privateKey: string | undefined;
  publicKey: string | undefined;
  file: string | undefined;
}

async function cipherFor(privateKey: string | undefined, publicKey: string | undefined) {
  if (!privateKey) throw new UsageError('--private-key is required');
  if (!publicKey) throw new UsageError('--public-key is required');
  try {
    return await sharedCipher(privateKey, publicKey);
  } catch (error) {
    if (error instanceof KosmosCryptoError) throw new InputError(error.message);
    throw error;
  }
}

/** Prints a new key pair as JSON. */
export function keygen(): string {
  const { publicKey, privateKey } = generateKeyPair();
  return JSON.stringify({ publicKey, privateKey }, null, 2);
}

/** The base64 ciphertext of the input (one trailing newline dropped). */
export async function encrypt(options: CipherOptions): Promise<string> {
  const cipher = await cipherFor(options.privateKey, options.publicKey);
  const text = (await readInput(options.file)).replace(/\r?\n$/, '');
  return cipher.encrypt(text);
}

/** The ciphertext and the peer key to use: a response body's own publicKey wins. */
function parseCiphertext(input: string, publicKey: string | undefined) {
  const text = input.trim();
  if (!text.startsWith('{')) return { ciphertext: text, publicKey };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new InputError('input starts with "{" but is not valid JSON');
  }
  const { data, publicKey: bodyKey } = (body ?? {}) as Record<string, unknown>;
  if (typeof data !== 'string') throw new InputError('input JSON has no string "data" field');
  return { ciphertext: data, publicKey: typeof bodyKey === 'string' ? bodyKey : publicKey };
}

/** The plaintext of a bare ciphertext or of a `{ data, publicKey }` body. */
export async function decrypt(options: CipherOptions): Promise<string> {
  if (!options.privateKey) throw new UsageError('--private-key is required');
  const input = parseCiphertext(await readInput(options.file), options.publicKey);
  if (!input.publicKey) {
    throw new UsageError('--public-key is required (or give a response body with a "publicKey")');
  }
  const cipher = await cipherFor(options.privateKey, input.publicKey);
  try {
    return await cipher.decrypt(input.ciphertext);
  } catch (error) {
    if (error instanceof KosmosCryptoError) throw new InputError(error.message);
    throw error;
  }
}
