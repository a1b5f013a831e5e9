/**
 * The handler's configuration: every problem named once, all at once, before anything is served;
 * and the defaults a good configuration gets.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IdvConfigError, resolveConfig, type IdvHandlerConfig } from '../../src/server/config.js';
import { generateKeyPair } from '../../src/server/crypto.js';
import { createIdvHandler } from '../../src/server/handler.js';
import { createMemoryStore } from '../../src/server/ledger/memory.js';
import { STORE_KEY, TOKEN_SECRET } from './kit-helpers.js';

const keyPair = generateKeyPair();
const ORIGIN_PROBLEM = 'each of allowedOrigins must be an origin such as https://shop.example or capacitor://localhost';
const good: IdvHandlerConfig = {
  tenantDNS: 'acme.1kosmos.net',
  communityName: 'default',
  dvcID: 'workflow',
  licenseKey: 'licence',
  keyPair,
  tokenSecret: TOKEN_SECRET,
  storeKey: STORE_KEY,
  store: createMemoryStore(),
};

/** The problems of a configuration (it must be refused by `createIdvHandler` too). */
function problems(config: unknown): string[] {
  let thrown: unknown;
  try {
    createIdvHandler(config as IdvHandlerConfig);
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof IdvConfigError, `an IdvConfigError, not ${String(thrown)}`);
  for (const problem of thrown.problems) assert.ok(thrown.message.includes(problem));
  return thrown.problems;
}

describe('createIdvHandler configuration', () => {
  it('one clear message per bad field, all at once (key pair included)', () => {
    const found = problems({
      tenantDNS: 'https://acme.1kosmos.net/',
      communityName: ' ',
      dvcID: 42,
      licenseKey: 7,
      keyPair: { publicKey: keyPair.publicKey, privateKey: generateKeyPair().privateKey },
      tokenSecret: 'short',
      store: {},
      storeKey: 'too short',
      collect: 'yes',
      docuverifyUrl: 'ftp://acme.example/docuverify',
      basePath: 'api/idv',
      authenticate: 'yes',
      onResult: {},
      onError: [],
      rateLimit: 1,
      sessionLifetime: 0,
      holdReads: 'no',
      allowedOrigins: ['shop.example'],
      onResultTimeout: -5,
      resultVersion: 'v2',
      timeoutMs: 2.5,
      fetch: 'fetch',
      now: Date.now(),
    });
    assert.deepEqual(found, [
      'tenantDNS must be a host name (and port), without scheme or path',
      'communityName must not be empty',
      'dvcID must be a string, or a map from document type to dvcID',
      'licenseKey must be a string',
      'keyPair.publicKey does not belong to keyPair.privateKey',
      'tokenSecret must be at least 32 characters',
      'store must be a ledger store (createPostgresStore, createPgliteStore or createMemoryStore)',
      'storeKey must be at least 32 characters',
      'collect must be true or false',
      'docuverifyUrl must be an http(s) URL',
      'basePath must be a path starting with /',
      'authenticate must be a function',
      'onResult must be a function',
      'onError must be a function',
      'rateLimit must be a function',
      'sessionLifetime must be at least 1',
      'holdReads must be true or false',
      ORIGIN_PROBLEM,
      'onResultTimeout must be at least 1',
      'resultVersion must be v3 or v1',
      'timeoutMs must be a whole number',
      'fetch must be a function',
      'now must be a function',
    ]);
  });

  it('names missing fields as missing', () => {
    assert.deepEqual(problems({}), [
      'tenantDNS is required',
      'communityName is required',
      'dvcID is required',
      'licenseKey is required',
      'keyPair is required',
      'tokenSecret is required',
      'storeKey is required',
    ]);
    const { storeKey, ...withoutStoreKey } = good;
    assert.ok(storeKey);
    assert.deepEqual(problems(withoutStoreKey), ['storeKey is required']);
    assert.deepEqual(problems({ ...good, keyPair: { publicKey: keyPair.publicKey } }), ['keyPair.privateKey is required']);
    assert.deepEqual(problems(undefined), ['the configuration must be an object']);
    assert.deepEqual(problems(null), ['the configuration must be an object']);
  });

  it('checks each field on its own terms', () => {
    const cases: [Partial<Record<keyof IdvHandlerConfig, unknown>>, string][] = [
      [{ tenantDNS: 'acme.1kosmos.net:99999' }, 'tenantDNS must be a host name (and port), without scheme or path'],
      [{ tenantDNS: 'acme.1kosmos.net/caas' }, 'tenantDNS must be a host name (and port), without scheme or path'],
      [{ dvcID: {} }, 'dvcID must name at least one document type'],
      [{ dvcID: { passport: '' } }, 'dvcID.passport must not be empty'],
      [{ dvcID: { visa: 'x' } }, 'dvcID must be a string, or a map from document type to dvcID'],
      [{ keyPair: 'pem' }, 'keyPair must be { publicKey, privateKey }'],
      [{ keyPair: { publicKey: 'not base64!', privateKey: 'not base64!' } }, 'keyPair: private key is not valid base64'],
      [{ sessionLifetime: Number.POSITIVE_INFINITY }, 'sessionLifetime must be at most 31536000 seconds (a year)'],
      [{ sessionLifetime: '3600' }, 'sessionLifetime must be a number'],
      [{ allowedOrigins: 'https://shop.example' }, 'allowedOrigins must be an array of origins'],
      [{ bodyTimeout: 0 }, 'bodyTimeout must be at least 1'],
      [{ bodyTimeout: 1.5 }, 'bodyTimeout must be a whole number'],
      [{ timeoutMs: Number.NaN }, 'timeoutMs must be a number'],
      [{ timeoutMs: 0 }, 'timeoutMs must be at least 1'],
      [{ timeoutMs: 0.5 }, 'timeoutMs must be at least 1'],
      [{ allowedOrigins: ['null'] }, ORIGIN_PROBLEM],
      [{ allowedOrigins: ['capacitor://localhost/app'] }, ORIGIN_PROBLEM],
      [{ allowedOrigins: ['file:///index.html'] }, ORIGIN_PROBLEM],
      [{ basePath: 5 }, 'basePath must be a string'],
      [{ storeKey: 'x'.repeat(31) }, 'storeKey must be at least 32 characters'],
      [{ storeKey: [STORE_KEY, 'x'.repeat(31)] }, 'storeKey must be at least 32 characters'],
      [{ storeKey: [] }, 'storeKey must list at least one key'],
      [{ storeKey: 42 }, 'storeKey must be a string or a list of strings'],
      [{ storeKey: [STORE_KEY, 42] }, 'storeKey must be a string or a list of strings'],
      [{ storeKey: TOKEN_SECRET }, 'storeKey must differ from tokenSecret'],
      [{ storeKey: [STORE_KEY, TOKEN_SECRET] }, 'storeKey must differ from tokenSecret'],
      [{ store: { open: () => undefined } }, 'store must be a ledger store (createPostgresStore, createPgliteStore or createMemoryStore)'],
      [{ collect: 1 }, 'collect must be true or false'],
    ];
    for (const [change, message] of cases) {
      assert.deepEqual(problems({ ...good, ...change }), [message], JSON.stringify(change));
    }
    assert.deepEqual(
      problems({ ...good, storeKey: TOKEN_SECRET, timeoutMs: 0 }),
      ['timeoutMs must be at least 1', 'storeKey must differ from tokenSecret'],
      'told beside the other problems',
    );
  });

  it('refuses timers Node cannot keep (over 2^31 − 1 ms) and session lifetimes over a year', () => {
    const cases: [Partial<Record<keyof IdvHandlerConfig, unknown>>, string][] = [
      [{ timeoutMs: 2 ** 31 }, 'timeoutMs must be at most 2147483647 ms'],
      [{ timeoutMs: Number.POSITIVE_INFINITY }, 'timeoutMs must be at most 2147483647 ms'],
      [{ onResultTimeout: 2 ** 31 }, 'onResultTimeout must be at most 2147483647 ms'],
      [{ sessionLifetime: 1e15 }, 'sessionLifetime must be at most 31536000 seconds (a year)'],
    ];
    for (const [change, message] of cases) {
      assert.deepEqual(problems({ ...good, ...change }), [message], JSON.stringify(change));
    }
    const longest = resolveConfig({ ...good, timeoutMs: 2 ** 31 - 1, onResultTimeout: 2 ** 31 - 1, sessionLifetime: 365 * 24 * 3600 });
    assert.equal(longest.onResultTimeout, 2 ** 31 - 1);
  });

  it('applies the defaults and normalises a good configuration', () => {
    const resolved = resolveConfig({
      ...good,
      basePath: '/kyc/',
      allowedOrigins: ['https://shop.example/checkout', 'capacitor://localhost/', 'ionic://localhost'],
      dvcID: 'workflow',
    });
    assert.equal(resolved.basePath, '/kyc');
    assert.deepEqual(resolved.allowedOrigins, ['https://shop.example', 'capacitor://localhost', 'ionic://localhost']);
    assert.deepEqual(resolved.dvcIDs, { passport: 'workflow', driving_license: 'workflow', id_card: 'workflow' });
    assert.equal(resolved.sessionLifetime, 7 * 24 * 3600);
    assert.equal(resolved.onResultTimeout, 10_000);
    assert.equal(resolved.bodyTimeout, 10_000);
    assert.equal(resolveConfig(good).basePath, '/api/idv');
    assert.deepEqual(resolveConfig({ ...good, dvcID: { id_card: 'cards' } }).dvcIDs, { id_card: 'cards' });
    assert.deepEqual(resolved.storeKey, [STORE_KEY], 'one key is a list of one');
    const rotated = [STORE_KEY, 'an-older-store-key-0123456789abcdefghij'];
    assert.deepEqual(resolveConfig({ ...good, storeKey: rotated }).storeKey, rotated);
  });

  it('a good configuration makes a handler without any network call', async () => {
    let calls = 0;
    const handler = createIdvHandler({
      ...good,
      store: createMemoryStore(),
      fetch: () => {
        calls++;
        return Promise.reject(new Error('no network'));
      },
    });
    await handler.ready();
    await handler.close();
    assert.equal(calls, 0);
  });
});
