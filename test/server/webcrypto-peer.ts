/**
 * The far side of crypto-backends.test.ts: a process in which `process.getBuiltinModule` is removed
 * before the kit loads, so the kit takes its WebCrypto path, as on a fetch-API runtime without
 * `node:crypto`. Reads a {@link PeerRequest} (JSON) from stdin and writes a {@link PeerAnswer} to stdout.
 */
export interface PeerRequest {
  /** The peer's own private key and the test's public key. */
  privateKey: string;
  peerPublicKey: string;
  /** Ciphertexts for the peer to decrypt. */
  ciphertexts: string[];
  /** Plaintexts for the peer to encrypt. */
  messages: string[];
}

export interface PeerAnswer {
  backend: string;
  /** Per ciphertext: its plaintext, or `error:<code>` for a `KosmosCryptoError`. */
  decrypted: string[];
  ciphertexts: string[];
}

delete (process as { getBuiltinModule?: unknown }).getBuiltinModule;
const { KosmosCryptoError, sharedCipher } = await import('../../src/server/index.js');
const { primitivesBackend } = await import('../../src/server/primitives.js');

const input: Buffer[] = [];
for await (const chunk of process.stdin) input.push(chunk as Buffer);
const request = JSON.parse(Buffer.concat(input).toString('utf8')) as PeerRequest;
const cipher = await sharedCipher(request.privateKey, request.peerPublicKey);
const answer: PeerAnswer = {
  backend: primitivesBackend,
  decrypted: await Promise.all(
    request.ciphertexts.map((ciphertext) =>
      cipher.decrypt(ciphertext).catch((error: unknown) => {
        if (error instanceof KosmosCryptoError) return `error:${error.code}`;
        throw error;
      }),
    ),
  ),
  ciphertexts: await Promise.all(request.messages.map((message) => cipher.encrypt(message))),
};
process.stdout.write(JSON.stringify(answer));
