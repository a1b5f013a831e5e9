/**
 * The kit's two crypto paths agree: `node:crypto` (taken here) and WebCrypto (taken by a child
 * process in which `process.getBuiltinModule` is removed, as on a fetch-API runtime without
 * `node:crypto`). Ciphertexts made on either side are read on the other, and both refuse the same
 * bad input with the same errors.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createCipheriv, createECDH, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateKeyPair, sharedCipher, type KosmosKeyPair } from '../../src/server/crypto.js';
import { primitivesBackend } from '../../src/server/primitives.js';
import type { PeerAnswer, PeerRequest } from './webcrypto-peer.js';

const MESSAGES = ['', 'a', '\uFEFFleading byte-order mark', 'héllo wörld', '日本語', '😀👩‍👩‍👧', '{"dvcID":"default"}', 'x'.repeat(70_000)];

/** A ciphertext of raw bytes (not necessarily UTF-8) under the shared key of `ours` and `theirs`. */
function sealBytes(ours: KosmosKeyPair, theirs: KosmosKeyPair, plain: Buffer): string {
  const ecdh = createECDH('secp256k1');
  ecdh.setPrivateKey(Buffer.from(ours.privateKey, 'base64'));
  const key = ecdh.computeSecret(Buffer.concat([Buffer.from([4]), Buffer.from(theirs.publicKey, 'base64')]));
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

/** The same base64 ciphertext with one byte of its ciphertext part flipped. */
function tampered(ciphertext: string): string {
  const bytes = Buffer.from(ciphertext, 'base64');
  bytes[20] ^= 1;
  return bytes.toString('base64');
}

describe('crypto backends: node:crypto and WebCrypto', () => {
  const ours = generateKeyPair();
  const theirs = generateKeyPair();
  let sent: { ciphertexts: string[] };
  let peer: PeerAnswer;

  before(async () => {
    const cipher = await sharedCipher(ours.privateKey, theirs.publicKey);
    const good = await Promise.all(MESSAGES.map((message) => cipher.encrypt(message)));
    sent = {
      ciphertexts: [
        ...good,
        tampered(good[3]),
        await (await sharedCipher(generateKeyPair().privateKey, theirs.publicKey)).encrypt('another key'),
        sealBytes(ours, theirs, Buffer.from([0xc3, 0x28])),
        'not base64!',
        Buffer.alloc(31).toString('base64'),
      ],
    };
    const request: PeerRequest = {
      privateKey: theirs.privateKey,
      peerPublicKey: ours.publicKey,
      ciphertexts: sent.ciphertexts,
      messages: MESSAGES,
    };
    const script = fileURLToPath(new URL('./webcrypto-peer.ts', import.meta.url));
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', script], { maxBuffer: 16 * 1024 * 1024 });
    run.child.stdin?.end(JSON.stringify(request));
    peer = JSON.parse((await run).stdout) as PeerAnswer;
  });

  it('takes node:crypto here and WebCrypto where process.getBuiltinModule is absent', () => {
    assert.equal(primitivesBackend, 'node:crypto');
    assert.equal(peer.backend, 'webcrypto');
  });

  it('WebCrypto decrypts what node:crypto encrypted', () => {
    assert.deepEqual(peer.decrypted.slice(0, MESSAGES.length), MESSAGES);
  });

  it('node:crypto decrypts what WebCrypto encrypted, in the same wire format', async () => {
    const cipher = await sharedCipher(ours.privateKey, theirs.publicKey);
    assert.deepEqual(await Promise.all(peer.ciphertexts.map((ciphertext) => cipher.decrypt(ciphertext))), MESSAGES);
    peer.ciphertexts.forEach((ciphertext, i) => {
      assert.equal(Buffer.from(ciphertext, 'base64').length, 16 + Buffer.byteLength(MESSAGES[i]) + 16);
    });
  });

  it('both refuse the same bad ciphertexts with the same error codes', async () => {
    const cipher = await sharedCipher(theirs.privateKey, ours.publicKey);
    const local = await Promise.all(
      sent.ciphertexts.slice(MESSAGES.length).map((ciphertext) =>
        cipher.decrypt(ciphertext).then(
          () => 'decrypted',
          (error: { code: string }) => `error:${error.code}`,
        ),
      ),
    );
    const expected = ['decryption_failed', 'decryption_failed', 'decryption_failed', 'invalid_ciphertext', 'invalid_ciphertext'];
    assert.deepEqual(local, expected.map((code) => `error:${code}`));
    assert.deepEqual(peer.decrypted.slice(MESSAGES.length), local);
  });
});
