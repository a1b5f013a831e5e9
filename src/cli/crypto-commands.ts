/** `keygen`, `encrypt` and `decrypt`: the 1Kosmos "ECDSA" helper the seed asks page owners to bring. */
import { generateKeyPair, KosmosCryptoError, sharedCipher } from '../server/crypto.js';
import { InputError, UsageError } from './errors.js';
import { readInput } from './input.js';

/** Options shared by `encrypt` and `decrypt`. */
export interface CipherOptions {
  /** On the command line, where process lists and shell history see it: for throwaway keys. */
  privateKey: string | undefined;
  /** A file holding the private key, or `keygen`'s JSON. */
  privateKeyFile: string | undefined;
  publicKey: string | undefined;
  file: string | undefined;
}

/** The private key: `--private-key`, else `--private-key-file`, else `KOSMOS_PRIVATE_KEY`. */
async function privateKeyOf(options: CipherOptions, env: NodeJS.ProcessEnv): Promise<string> {
  if (options.privateKey !== undefined && options.privateKeyFile !== undefined) {
    throw new UsageError('give --private-key or --private-key-file, not both');
  }
  if (options.privateKeyFile !== undefined) {
    const text = (await readInput(options.privateKeyFile)).trim();
    if (!text.startsWith('{')) return text;
    let json: { privateKey?: unknown };
    try {
      json = JSON.parse(text) as { privateKey?: unknown };
    } catch {
      throw new InputError(`${options.privateKeyFile} starts with "{" but is not valid JSON`);
    }
    if (typeof json.privateKey !== 'string') throw new InputError(`${options.privateKeyFile} holds JSON without a "privateKey"`);
    return json.privateKey;
  }
  const key = options.privateKey ?? env.KOSMOS_PRIVATE_KEY;
  if (!key) throw new UsageError('--private-key-file <file> (or KOSMOS_PRIVATE_KEY) is required');
  return key;
}

async function cipherFor(privateKey: string, publicKey: string | undefined) {
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
export async function encrypt(options: CipherOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const cipher = await cipherFor(await privateKeyOf(options, env), options.publicKey);
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
export async function decrypt(options: CipherOptions, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const privateKey = await privateKeyOf(options, env);
  const input = parseCiphertext(await readInput(options.file), options.publicKey);
  if (!input.publicKey) {
    throw new UsageError('--public-key is required (or give a response body with a "publicKey")');
  }
  const cipher = await cipherFor(privateKey, input.publicKey);
  try {
    return await cipher.decrypt(input.ciphertext);
  } catch (error) {
    if (error instanceof KosmosCryptoError) throw new InputError(error.message);
    throw error;
  }
}
