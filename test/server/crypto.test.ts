import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  randomBytes,
  type ECDH,
} from 'node:crypto';
import fc from 'fast-check';
import {
  KosmosCryptoError,
  SharedCipher,
  decodePrivateKey,
  decodePublicKey,
  generateKeyPair,
  publicKeyOf,
  sharedCipher,
  type KosmosCryptoErrorCode,
  type KosmosKeyPair,
} from '../../src/server/crypto.js';

/** An independent implementation of the scheme with node:crypto, the way 1Kosmos's Node helper does it. */
const node = {
  keyPair(): { ecdh: ECDH; publicKey: string } {
    const ecdh = createECDH('secp256k1');
    ecdh.generateKeys();
    return { ecdh, publicKey: ecdh.getPublicKey().subarray(1).toString('base64') };
  },
  fromPrivate(scalar: Buffer): ECDH {
    const ecdh = createECDH('secp256k1');
    ecdh.setPrivateKey(scalar);
    return ecdh;
  },
  sharedKey(ecdh: ECDH, peerPublicKey: string): Buffer {
    return ecdh.computeSecret(Buffer.concat([Buffer.from([4]), Buffer.from(peerPublicKey, 'base64')]));
  },
  encrypt(key: Buffer, plain: Buffer): string {
    const iv = randomBytes(16);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
  },
  decrypt(key: Buffer, wire: string): string {
    const bytes = Buffer.from(wire, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 16));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(16, bytes.length - 16)), decipher.final()]).toString(
      'utf8',
    );
  },
};

const FIXED_MESSAGES = [
  '',
  'a',
  '\uFEFFleading byte-order mark',
  'héllo wörld',
  '日本語のテキスト',
  '😀👩‍👩‍👧 emoji',
  '{"dvcID":"default"}',
];

async function rejectsWith(promise: Promise<unknown>, code: KosmosCryptoErrorCode) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof KosmosCryptoError, `expected KosmosCryptoError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.ok(error.message.length > 0);
    return true;
  });
}

/** A fresh cipher between our key pair and a node:crypto peer, with the peer's shared AES key. */
async function pairWithNode(ours: KosmosKeyPair = generateKeyPair()) {
  const peer = node.keyPair();
  const cipher = await SharedCipher.derive(ours.privateKey, peer.publicKey);
  return { ours, peer, cipher, key: node.sharedKey(peer.ecdh, ours.publicKey) };
}

describe('crypto against node:crypto', () => {
  it('derives the same shared key and interoperates both ways for fixed messages', async () => {
    for (const message of FIXED_MESSAGES) {
      const { cipher, key } = await pairWithNode();
      assert.equal(node.decrypt(key, await cipher.encrypt(message)), message);
      assert.equal(await cipher.decrypt(node.encrypt(key, Buffer.from(message, 'utf8'))), message);
    }
  });

  it('interoperates both ways for random keys and random messages', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), async (message) => {
        const { cipher, key } = await pairWithNode();
        assert.equal(node.decrypt(key, await cipher.encrypt(message)), message);
        assert.equal(await cipher.decrypt(node.encrypt(key, Buffer.from(message, 'utf8'))), message);
      }),
      { numRuns: 40 },
    );
  });

  it('uses a fresh IV for every message', async () => {
    const { cipher } = await pairWithNode();
    assert.notEqual(await cipher.encrypt('same'), await cipher.encrypt('same'));
  });

  it('agrees with node:crypto on the public key of a private key', () => {
    const peer = node.keyPair();
    const scalar = Buffer.alloc(32);
    peer.ecdh.getPrivateKey().copy(scalar, 32 - peer.ecdh.getPrivateKey().length);
    assert.equal(publicKeyOf(scalar.toString('base64')), peer.publicKey);
  });

  it('normalises a 31-byte private key (leading zero dropped) to 32 and still interoperates', async () => {
    const short = randomBytes(31);
    short[0] ||= 1;
    const ecdh = node.fromPrivate(Buffer.concat([Buffer.from([0]), short]));
    const ours = {
      privateKey: short.toString('base64'),
      publicKey: ecdh.getPublicKey().subarray(1).toString('base64'),
    };
    assert.equal(decodePrivateKey(ours.privateKey).length, 32);
    assert.equal(publicKeyOf(ours.privateKey), ours.publicKey);
    const { cipher, key } = await pairWithNode(ours);
    assert.equal(node.decrypt(key, await cipher.encrypt('31 bytes')), '31 bytes');
    assert.equal(await cipher.decrypt(node.encrypt(key, Buffer.from('back'))), 'back');
  });

  it('normalises a 33-byte private key (leading zero) to 32 and still interoperates', async () => {
    const pair = generateKeyPair();
    const long = Buffer.concat([Buffer.from([0]), Buffer.from(pair.privateKey, 'base64')]);
    const ours = { privateKey: long.toString('base64'), publicKey: pair.publicKey };
    assert.equal(decodePrivateKey(ours.privateKey).length, 32);
    assert.equal(publicKeyOf(ours.privateKey), pair.publicKey);
    const { cipher, key } = await pairWithNode(ours);
    assert.equal(node.decrypt(key, await cipher.encrypt('33 bytes')), '33 bytes');
    assert.equal(await cipher.decrypt(node.encrypt(key, Buffer.from('back'))), 'back');
  });
});

describe('crypto failures', () => {
  it('rejects a tampered ciphertext (any byte flipped) as decryption_failed', async () => {
    const { cipher } = await pairWithNode();
    const wire = Buffer.from(await cipher.encrypt('secret message'), 'base64');
    for (const index of [0, 16, wire.length - 1]) {
      const tampered = Buffer.from(wire);
      tampered[index] ^= 0x01;
      await rejectsWith(cipher.decrypt(tampered.toString('base64')), 'decryption_failed');
    }
  });

  it('rejects a ciphertext made with another key as decryption_failed', async () => {
    const { cipher } = await pairWithNode();
    const other = await pairWithNode();
    await rejectsWith(cipher.decrypt(await other.cipher.encrypt('not for you')), 'decryption_failed');
  });

  it('rejects a plaintext that is not UTF-8 as decryption_failed rather than returning garbage', async () => {
    const { cipher, key } = await pairWithNode();
    await rejectsWith(cipher.decrypt(node.encrypt(key, Buffer.from([0xff, 0xfe, 0x80]))), 'decryption_failed');
  });

  it('rejects bad base64 as invalid_ciphertext', async () => {
    const { cipher } = await pairWithNode();
    for (const bad of ['not base64!', 'abc', 'a===', '@@@@', 'YWJj\nZA==']) {
      await rejectsWith(cipher.decrypt(bad), 'invalid_ciphertext');
    }
  });

  it('rejects input shorter than IV and tag as invalid_ciphertext', async () => {
    const { cipher } = await pairWithNode();
    for (const length of [0, 1, 16, 31]) {
      await rejectsWith(cipher.decrypt(randomBytes(length).toString('base64')), 'invalid_ciphertext');
    }
  });

  it('rejects private keys of the wrong length or value as invalid_key', async () => {
    const peer = generateKeyPair().publicKey;
    const bad = [
      randomBytes(30),
      randomBytes(34),
      Buffer.concat([Buffer.from([1]), randomBytes(32)]),
      Buffer.alloc(32),
      Buffer.alloc(32, 0xff),
    ].map((bytes) => bytes.toString('base64'));
    for (const privateKey of [...bad, 'not base64!']) {
      await rejectsWith(Promise.resolve().then(() => decodePrivateKey(privateKey)), 'invalid_key');
      await rejectsWith(SharedCipher.derive(privateKey, peer), 'invalid_key');
    }
  });

  it('rejects public keys of the wrong length, bad base64 or off the curve as invalid_key', async () => {
    const ours = generateKeyPair();
    const full = Buffer.from(ours.publicKey, 'base64');
    const offCurve = Buffer.from(full);
    offCurve[63] ^= 0x01;
    const bad = [
      full.subarray(0, 63),
      Buffer.concat([Buffer.from([4]), full]),
      offCurve,
      Buffer.alloc(64),
    ].map((bytes) => bytes.toString('base64'));
    for (const publicKey of [...bad, 'not base64!']) {
      await rejectsWith(Promise.resolve().then(() => decodePublicKey(publicKey)), 'invalid_key');
      await rejectsWith(SharedCipher.derive(ours.privateKey, publicKey), 'invalid_key');
      await rejectsWith(sharedCipher(ours.privateKey, publicKey), 'invalid_key');
    }
  });
});

describe('sharedCipher', () => {
  it('derives once per pair and returns the same instance', async () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    const first = sharedCipher(a.privateKey, b.publicKey);
    assert.equal(sharedCipher(a.privateKey, b.publicKey), first);
    const cipher = await first;
    assert.equal(await sharedCipher(a.privateKey, b.publicKey), cipher);
    assert.notEqual(await sharedCipher(a.privateKey, generateKeyPair().publicKey), cipher);
  });

  it('gives both sides of a pair the same key', async () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    const ab = await sharedCipher(a.privateKey, b.publicKey);
    const ba = await sharedCipher(b.privateKey, a.publicKey);
    assert.equal(await ba.decrypt(await ab.encrypt('hello')), 'hello');
  });
});
