import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, sharedCipher, type KosmosKeyPair } from '../../src/server/crypto.js';
import { KosmosApiError, type KosmosApiErrorKind } from '../../src/server/errors.js';
import { checkedClient, KosmosClient, type KosmosClientOptions } from '../../src/server/kosmos-client.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

const SEVEN_DAYS = 7 * 24 * 60 * 60;
const RESULT_V3 = '/docuverify/v3/document_share_session/result';
const RESULT_V1 = '/docuverify/document_share_session/result';
const CREATE = '/docuverify/document_share_session/create';
const PUBLIC_KEYS = '/docuverify/publickeys';
const DISCOVERY = '/caas/sd';

interface Call {
  url: string;
  path: string;
  method: string;
  headers: Headers;
  body?: string;
}

/** Wraps a fetch and records every request it is asked to make. */
function recording(inner: typeof fetch = fetch) {
  const calls: Call[] = [];
  const record: typeof fetch = (input, init) => {
    const url = String(input);
    calls.push({
      url,
      path: new URL(url).pathname,
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    return inner(input, init);
  };
  return { fetch: record, calls, count: (path: string) => calls.filter((call) => call.path === path).length };
}

/** A simulator whose fault randomness is scripted: queued numbers first, then 0.99 (no fault). */
async function simulator(t: TestContext, options: SimulatorOptions = {}) {
  const draws: number[] = [];
  const sim = await startSimulator({ port: 0, random: () => draws.shift() ?? 0.99, ...options });
  t.after(() => sim.close());
  return { sim, draws };
}

function clientFor(sim: Simulator, options: Partial<KosmosClientOptions> = {}) {
  const recorder = recording(options.fetch);
  const client = new KosmosClient({
    tenantDNS: sim.tenantDNS,
    communityName: sim.communityName,
    licenseKey: sim.licenseKey,
    keyPair: generateKeyPair(),
    random: () => 0,
    ...options,
    fetch: recorder.fetch,
  });
  return { client, ...recorder };
}

async function rejectsWithKind(
  promise: Promise<unknown>,
  kind: KosmosApiErrorKind,
  expected: Partial<KosmosApiError> = {},
): Promise<KosmosApiError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof KosmosApiError, `expected KosmosApiError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  for (const [key, value] of Object.entries(expected)) {
    assert.deepEqual(caught[key as keyof KosmosApiError], value, `${key} of ${caught.message}`);
  }
  return caught;
}

/** Waits (at most 5 s) until `check` holds: for effects the simulator finishes after answering. */
async function eventually(check: () => boolean) {
  for (let waited = 0; !check(); waited += 20) {
    assert.ok(waited < 5000, 'condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const passport = { dvcID: 'default', documentType: 'passport' } as const;

describe('KosmosClient against the simulator: addresses', () => {
  it('discovers docuverify once and shares discovery and key among concurrent calls', async (t) => {
    const { sim } = await simulator(t);
    const { client, calls, count } = clientFor(sim);
    const sessions = await Promise.all([1, 2, 3].map(() => client.createSession(passport)));
    assert.equal(new Set(sessions.map((session) => session.sessionId)).size, 3);
    assert.equal(count(DISCOVERY), 1);
    assert.equal(count(PUBLIC_KEYS), 1);
    assert.equal(count(CREATE), 3);
    assert.equal(calls[0].url, `http://${sim.tenantDNS}/caas/sd`);
  });

  it('uses an explicit docuverifyUrl without discovery', async (t) => {
    const { sim } = await simulator(t);
    const { client, count } = clientFor(sim, { docuverifyUrl: `${sim.docuverifyUrl}/` });
    const { sessionId } = await client.createSession(passport);
    assert.equal((await client.getResult({ dvcID: 'default', sessionId })).status, 'pending');
    assert.equal(count(DISCOVERY), 0);
    assert.equal(count(PUBLIC_KEYS), 1);
  });

  it('fetches the service public key again once publicKeyTtlMs has passed', async (t) => {
    const { sim } = await simulator(t);
    // The client's own clock drives the cache (and stamps requestid, so it stays within 60 s).
    let now = Date.now();
    const { client, count } = clientFor(sim, { publicKeyTtlMs: 20_000, now: () => now });
    const { sessionId } = await client.createSession(passport);
    now += 19_000;
    await client.getResult({ dvcID: 'default', sessionId });
    assert.equal(count(PUBLIC_KEYS), 1);
    now += 2_000;
    await client.getResult({ dvcID: 'default', sessionId });
    assert.equal(count(PUBLIC_KEYS), 2);
  });
});

describe('KosmosClient against the simulator: sessions and results', () => {
  it('creates a session for the requested document and user', async (t) => {
    const { sim } = await simulator(t);
    const { client, count } = clientFor(sim);
    const session = await client.createSession({
      dvcID: 'default',
      documentType: 'driving_license',
      user: { username: 'jordan', firstname: 'Jordan', lastname: 'Specimen', uid: 7 },
    });
    assert.equal(session.url, `${sim.origin}/idproofing/session/${session.sessionId}`);
    const view = sim.session(session.sessionId)?.view();
    assert.equal(view?.documentType, 'dl_object');
    assert.equal(view?.status, 'Pending');
    assert.equal(count(CREATE), 1);
  });

  it('follows a v3 session from pending through in progress to completed (PII once)', async (t) => {
    const { sim } = await simulator(t);
    const { client, count } = clientFor(sim);
    const user = { username: 'jordan', uid: 7 };
    const { sessionId } = await client.createSession({ ...passport, user });
    const read = () => client.getResult({ dvcID: 'default', sessionId });
    const pending = await read();
    assert.deepEqual(
      [pending.sessionId, pending.status, pending.verification, pending.hasPII],
      [sessionId, 'pending', null, false],
    );
    sim.session(sessionId)?.start();
    assert.equal((await read()).status, 'in_progress');
    sim.session(sessionId)?.document('pass');
    const completed = await read();
    assert.equal(completed.status, 'completed');
    assert.equal(completed.verification, 'passed');
    assert.equal(completed.hasPII, true);
    assert.deepEqual((completed.raw.sessionData as { user: unknown }).user, user);
    const again = await read();
    assert.deepEqual([again.status, again.verification, again.hasPII], ['completed', 'passed', false]);
    assert.equal(count(RESULT_V3), 4);
    assert.equal(count(RESULT_V1), 0);
  });

  it('follows a v1 session with a selfie to completed', async (t) => {
    const { sim } = await simulator(t);
    const { client, count } = clientFor(sim, { resultVersion: 'v1' });
    const { sessionId } = await client.createSession({ dvcID: 'selfie', documentType: 'id_card' });
    const read = () => client.getResult({ dvcID: 'selfie', sessionId });
    assert.equal((await read()).status, 'pending');
    sim.session(sessionId)?.start();
    assert.equal((await read()).status, 'in_progress');
    sim.session(sessionId)?.document('pass');
    assert.equal((await read()).status, 'in_progress');
    sim.session(sessionId)?.selfie('pass');
    const completed = await read();
    assert.deepEqual([completed.status, completed.verification, completed.hasPII], ['completed', 'passed', true]);
    assert.ok(completed.raw.liveid_object);
    assert.equal(count(RESULT_V1), 4);
    assert.equal(count(RESULT_V3), 0);
  });

  it('reports failed (with the reason code), not performed, declined and expired sessions', async (t) => {
    const { sim } = await simulator(t);
    const { client } = clientFor(sim);
    const [failed, notPerformed, declined, expired] = await Promise.all(
      [1, 2, 3, 4].map(() => client.createSession(passport)),
    );
    sim.session(failed.sessionId)?.start();
    sim.session(failed.sessionId)?.document('fail', 'IDV0006');
    sim.session(notPerformed.sessionId)?.start();
    sim.session(notPerformed.sessionId)?.document('not_performed');
    sim.session(declined.sessionId)?.decline();
    const read = async ({ sessionId }: { sessionId: string }) => {
      const { status, verification, reasonCode } = await client.getResult({ dvcID: 'default', sessionId });
      return { status, verification, reasonCode };
    };
    assert.deepEqual(await read(failed), { status: 'completed', verification: 'failed', reasonCode: 'IDV0006' });
    assert.deepEqual(await read(notPerformed), {
      status: 'completed',
      verification: 'not_performed',
      reasonCode: undefined,
    });
    assert.deepEqual(await read(declined), { status: 'declined', verification: null, reasonCode: undefined });
    sim.clock.advance(SEVEN_DAYS + 1);
    assert.deepEqual(await read(expired), { status: 'expired', verification: null, reasonCode: undefined });
  });
});

describe('KosmosClient against the simulator: errors', () => {
  it("keeps 1Kosmos's code and message of a 400", async (t) => {
    const { sim } = await simulator(t);
    const { client } = clientFor(sim);
    await rejectsWithKind(client.createSession({ ...passport, dvcID: ' ' }), 'bad_request', {
      status: 400,
      code: 400,
      upstreamMessage: 'dvcID is not allowed to be empty',
      retryable: false,
    });
    await rejectsWithKind(
      client.createSession({ documentType: 'passport' } as unknown as typeof passport),
      'bad_request',
      { status: 400, code: 400, upstreamMessage: 'dvcID is required' },
    );
    await rejectsWithKind(client.getResult({ dvcID: '', sessionId: 'x' }), 'bad_request', {
      upstreamMessage: 'dvcID is not allowed to be empty',
    });
  });

  it("keeps 1Kosmos's code and message of a 404 (unknown dvcID or session)", async (t) => {
    const { sim } = await simulator(t);
    const { client, count } = clientFor(sim);
    await rejectsWithKind(client.createSession({ ...passport, dvcID: 'nope' }), 'not_found', {
      status: 404,
      code: 404,
      upstreamMessage: 'dvcID not found',
      retryable: false,
    });
    await rejectsWithKind(client.getResult({ dvcID: 'default', sessionId: 'unknown' }), 'not_found', {
      upstreamMessage: 'session not found',
    });
    assert.equal(count(RESULT_V3), 1);
  });

  it('gives up after one key refresh on repeated 401s, without leaking the license key', async (t) => {
    const { sim } = await simulator(t);
    const licenseKey = 'a-wrong-license-key';
    const { client, count } = clientFor(sim, { licenseKey });
    const error = await rejectsWithKind(client.createSession(passport), 'unauthorized', {
      status: 401,
      upstreamMessage: 'license key is not valid for this tenant',
      retryable: false,
    });
    assert.ok(!error.message.includes(licenseKey));
    assert.equal(count(CREATE), 2);
    assert.equal(count(PUBLIC_KEYS), 2);
  });

  it('times out when the simulator is slower than timeoutMs, and does not retry a create', async (t) => {
    const { sim } = await simulator(t);
    const { client, count } = clientFor(sim, { timeoutMs: 400 });
    await client.createSession(passport);
    sim.faults.latencyMs = 1500;
    await rejectsWithKind(client.createSession(passport), 'timeout', { retryable: true });
    assert.equal(count(CREATE), 2);
    await eventually(() => sim.stats.createCalls.default === 2);
    sim.faults.latencyMs = 0;
    assert.equal((await client.createSession(passport)).url.startsWith(sim.origin), true);
    assert.equal(sim.stats.createCalls.default, 3);
  });

  it('retries a timed-out getResult and reports timeout when every attempt times out', async (t) => {
    const { sim } = await simulator(t);
    const { client, count } = clientFor(sim, { timeoutMs: 400, retries: 1 });
    const { sessionId } = await client.createSession(passport);
    sim.faults.latencyMs = 60_000;
    await rejectsWithKind(client.getResult({ dvcID: 'default', sessionId }), 'timeout');
    assert.equal(count(RESULT_V3), 2);
  });

  it('reports unreachable for a closed port, retrying getResult', async (t) => {
    const { sim } = await simulator(t);
    await sim.close();
    const { client, count } = clientFor(sim, { retries: 1 });
    await rejectsWithKind(client.createSession(passport), 'unreachable', { retryable: true });
    assert.equal(count(DISCOVERY), 1);
    await rejectsWithKind(client.getResult({ dvcID: 'default', sessionId: 'x' }), 'unreachable');
    assert.equal(count(DISCOVERY), 3);
  });

  it('reports a malformed answer as bad_response, never retried', async (t) => {
    const { sim, draws } = await simulator(t, { faults: { malformedRate: 0.5 } });
    const { client, count } = clientFor(sim);
    const { sessionId } = await client.createSession(passport);
    draws.push(0.1);
    await rejectsWithKind(client.createSession(passport), 'bad_response', { retryable: false });
    draws.push(0.1, 0.7);
    await rejectsWithKind(client.getResult({ dvcID: 'default', sessionId }), 'bad_response');
    assert.equal(count(CREATE), 2);
    assert.equal(count(RESULT_V3), 1);
    assert.equal(sim.stats.createCalls.default, 1);
  });

  it('retries getResult on injected 503s and succeeds', async (t) => {
    const { sim, draws } = await simulator(t, { faults: { errorRate: 0.5 } });
    const { client, count, calls } = clientFor(sim, { retries: 2 });
    const { sessionId } = await client.createSession(passport);
    draws.push(0.1, 0.1);
    assert.equal((await client.getResult({ dvcID: 'default', sessionId })).status, 'pending');
    assert.equal(count(RESULT_V3), 3);
    const ids = calls.filter((call) => call.path === RESULT_V3).map((call) => call.headers.get('requestid'));
    assert.equal(new Set(ids).size, 3);
  });

  it('gives up on getResult after `retries` retries with the last 503', async (t) => {
    const { sim } = await simulator(t);
    const { client, count } = clientFor(sim, { retries: 2 });
    const { sessionId } = await client.createSession(passport);
    sim.faults.errorRate = 1;
    await rejectsWithKind(client.getResult({ dvcID: 'default', sessionId }), 'upstream_error', {
      status: 503,
      code: 503,
      retryable: true,
    });
    assert.equal(count(RESULT_V3), 3);
  });

  it('never retries createSession on an injected 503: the simulator sees exactly one create', async (t) => {
    const { sim, draws } = await simulator(t, { faults: { errorRate: 0.5 } });
    const { client, count } = clientFor(sim, { retries: 5 });
    await client.getResult({ dvcID: 'default', sessionId: 'warm-up' }).catch(() => undefined);
    draws.push(0.1);
    await rejectsWithKind(client.createSession(passport), 'upstream_error', { status: 503, retryable: true });
    assert.equal(count(CREATE), 1);
    assert.equal(sim.stats.createCalls.default, undefined);
    await client.createSession(passport);
    assert.equal(count(CREATE), 2);
    assert.equal(sim.stats.createCalls.default, 1);
  });
});

describe('KosmosClient against the simulator: key rotation', () => {
  it('refreshes the service key once after a rotation (401) and the call still works', async (t) => {
    const { sim } = await simulator(t);
    const { client, count } = clientFor(sim);
    const { sessionId } = await client.createSession(passport);
    sim.faults.rotateKey();
    assert.equal((await client.getResult({ dvcID: 'default', sessionId })).status, 'pending');
    assert.equal(count(PUBLIC_KEYS), 2);
    assert.equal(count(RESULT_V3), 2);
    sim.faults.rotateKey();
    await client.createSession(passport);
    assert.equal(count(PUBLIC_KEYS), 3);
    assert.equal(sim.stats.createCalls.default, 2);
  });

  it('refreshes the key and retries once when an answer does not decrypt', async (t) => {
    const { sim, draws } = await simulator(t, { faults: { malformedRate: 0.5 } });
    const { client, count } = clientFor(sim);
    const { sessionId } = await client.createSession(passport);
    draws.push(0.1, 0.2);
    assert.equal((await client.getResult({ dvcID: 'default', sessionId })).status, 'pending');
    assert.equal(count(PUBLIC_KEYS), 2);
    assert.equal(count(RESULT_V3), 2);
    draws.push(0.1, 0.2, 0.99, 0.1, 0.2);
    await rejectsWithKind(client.getResult({ dvcID: 'default', sessionId }), 'decryption_failed', {
      retryable: false,
    });
    assert.equal(count(RESULT_V3), 4);
  });
});

describe('KosmosClient: cancellation', () => {
  it("rejects with the caller's abort reason while the simulator is slow", async (t) => {
    const { sim } = await simulator(t);
    const controller = new AbortController();
    const { client, count } = clientFor(sim, {
      fetch: (input, init) => {
        const answer = fetch(input, init);
        if (String(input).endsWith('/result')) queueMicrotask(() => controller.abort(new Error('caller gave up')));
        return answer;
      },
    });
    const { sessionId } = await client.createSession(passport);
    sim.faults.latencyMs = 5000;
    await assert.rejects(client.getResult({ dvcID: 'default', sessionId }, controller.signal), {
      message: 'caller gave up',
    });
    assert.equal(count(RESULT_V3), 1);
  });
});

/* Cases the simulator cannot produce: a fetch that answers with real Response objects. */

const json = (body: unknown, status = 200) => Response.json(body, { status });

/** A stand-in 1Kosmos for one test: discovery and public key answered, the rest by `answer`. */
function injected(
  answer: (call: { path: string; init?: RequestInit }) => Response | Promise<Response>,
  service: KosmosKeyPair = generateKeyPair(),
) {
  return recording(async (input, init) => {
    const path = new URL(String(input)).pathname;
    if (path === DISCOVERY) return json({ docuverify: 'https://tenant.example/docuverify' });
    if (path === PUBLIC_KEYS) return json({ publicKey: service.publicKey });
    return answer({ path, init });
  });
}

function injectedClient(fetcher: typeof fetch, options: Partial<KosmosClientOptions> = {}) {
  const keyPair = options.keyPair ?? generateKeyPair();
  const client = new KosmosClient({
    tenantDNS: 'tenant.example',
    communityName: 'default',
    licenseKey: 'license-123',
    keyPair,
    random: () => 0,
    fetch: fetcher,
    ...options,
  });
  return { client, keyPair };
}

async function encryptedResult(service: KosmosKeyPair, caller: KosmosKeyPair, plaintext: unknown) {
  const cipher = await sharedCipher(service.privateKey, caller.publicKey);
  return json({ data: await cipher.encrypt(JSON.stringify(plaintext)), publicKey: service.publicKey });
}

describe('KosmosClient with injected answers', () => {
  it('validates its options with clear errors', () => {
    const good = {
      tenantDNS: 'tenant.example',
      communityName: 'default',
      licenseKey: 'license',
      keyPair: generateKeyPair(),
    };
    const cases: [Partial<Record<keyof KosmosClientOptions, unknown>>, RegExp][] = [
      [{ tenantDNS: '' }, /tenantDNS/],
      [{ tenantDNS: 'https://tenant.example' }, /tenantDNS/],
      [{ communityName: 7 }, /communityName/],
      [{ licenseKey: '  ' }, /licenseKey/],
      [{ keyPair: undefined }, /keyPair/],
      [{ keyPair: { publicKey: good.keyPair.publicKey, privateKey: 'bad!' } }, /keyPair.*base64/],
      [{ keyPair: { publicKey: generateKeyPair().publicKey, privateKey: good.keyPair.privateKey } }, /belong/],
      [{ docuverifyUrl: 'ftp://tenant.example/docuverify' }, /docuverifyUrl/],
      [{ resultVersion: 'v2' }, /resultVersion/],
      [{ timeoutMs: 0 }, /timeoutMs/],
      [{ retries: 1.5 }, /retries/],
      [{ publicKeyTtlMs: -1 }, /publicKeyTtlMs/],
      [{ fetch: 'fetch' }, /fetch/],
    ];
    for (const [override, message] of cases) {
      assert.throws(() => new KosmosClient({ ...good, ...override } as KosmosClientOptions), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, message);
        return true;
      });
    }
  });

  it('checks options once per hop: the kit\'s way in (options resolveConfig checked) does not check them again', () => {
    const good = { tenantDNS: 'tenant.example', communityName: 'default', licenseKey: 'license', keyPair: generateKeyPair() };
    // A key pair's halves are matched by an EC multiplication: the kit's resolveConfig did it already.
    const unmatched = { ...good, keyPair: { ...good.keyPair, publicKey: generateKeyPair().publicKey } };
    assert.throws(() => new KosmosClient(unmatched), /belong/);
    assert.ok(checkedClient(unmatched) instanceof KosmosClient);
  });

  it('discovers over plain http for every loopback tenant the browser half also calls local', async () => {
    for (const tenantDNS of ['localhost:8787', '127.0.0.2:8787', 'kyc.localhost:8787', '[::1]:8787']) {
      const recorder = injected(() => json({ sessionId: 's1', url: 'https://tenant.example/s/s1' }));
      const { client } = injectedClient(recorder.fetch, { tenantDNS });
      await client.createSession(passport);
      assert.equal(recorder.calls[0].url, `http://${tenantDNS}/caas/sd`);
    }
  });

  it('discovers over https for a non-loopback tenant and sends the agreed headers', async () => {
    const service = generateKeyPair();
    const now = 1_700_000_123_456;
    const url = 'https://tenant.example/idproofing/session/s1';
    const recorder = injected(() => json({ sessionId: 's1', url }), service);
    const { client, keyPair } = injectedClient(recorder.fetch, { now: () => now, appId: 'my-app' });
    assert.deepEqual(await client.createSession(passport), { sessionId: 's1', url });
    assert.equal(recorder.calls[0].url, 'https://tenant.example/caas/sd');
    const create = recorder.calls.find((call) => call.path === CREATE);
    assert.ok(create);
    const cipher = await sharedCipher(service.privateKey, keyPair.publicKey);
    assert.equal(create.method, 'POST');
    assert.equal(create.headers.get('content-type'), 'application/json');
    assert.equal(create.headers.get('publickey'), keyPair.publicKey);
    assert.equal(await cipher.decrypt(create.headers.get('licensekey') ?? ''), 'license-123');
    const requestId = JSON.parse(await cipher.decrypt(create.headers.get('requestid') ?? ''));
    assert.equal(requestId.ts, 1_700_000_123);
    assert.equal(requestId.appid, 'my-app');
    assert.match(requestId.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const body = JSON.parse(create.body ?? '');
    assert.deepEqual(JSON.parse(await cipher.decrypt(body.data)), {
      dvcID: 'default',
      sessionRequest: {
        tenantDNS: 'tenant.example',
        communityName: 'default',
        documentType: 'ppt_object',
        user: {},
      },
    });
  });

  it('rejects a create answer of the wrong shape as bad_response', async () => {
    const answers = [
      json({ sessionId: '', url: 'https://tenant.example/s' }),
      json({ sessionId: 's1', url: 'javascript:alert(1)' }),
      json({ sessionId: 's1' }),
      json(['s1']),
      new Response('<html>oops</html>', { status: 200 }),
    ];
    for (const answer of answers) {
      const { client } = injectedClient(injected(() => answer).fetch);
      await rejectsWithKind(client.createSession(passport), 'bad_response');
    }
  });

  it('rejects an unknown documentType before any request, a word it would have to read again included', async () => {
    const recorder = injected(() => json({}));
    const { client } = injectedClient(recorder.fetch);
    // The kit's handler reads the browser's words once; a typed DocumentType is not normalised again.
    for (const word of ['visa', 'ppt_object', 'PASSPORT', 'toString']) {
      await assert.rejects(client.createSession({ dvcID: 'default', documentType: word as never }), TypeError, word);
    }
    assert.equal(recorder.calls.length, 0);
  });

  it('rejects a user.uid that is not a safe integer before any request (JSON would send another number)', async () => {
    const recorder = injected(() => json({}));
    const { client } = injectedClient(recorder.fetch);
    for (const uid of [2 ** 60, 1.5, '42']) {
      await assert.rejects(client.createSession({ ...passport, user: { uid: uid as number } }), /user\.uid must be a safe integer/);
    }
    assert.equal(recorder.calls.length, 0);
  });

  it('rejects result answers of the wrong shape as bad_response or decryption_failed', async () => {
    const service = generateKeyPair();
    const keyPair = generateKeyPair();
    const cipher = await sharedCipher(service.privateKey, keyPair.publicKey);
    const forged = await sharedCipher(generateKeyPair().privateKey, keyPair.publicKey);
    let reply = async () => json({});
    const { client } = injectedClient(injected(() => reply(), service).fetch, { keyPair });
    const cases: [() => Promise<Response>, KosmosApiErrorKind][] = [
      [async () => json({}), 'bad_response'],
      [async () => new Response('<html>oops</html>', { status: 200 }), 'bad_response'],
      [async () => json({ data: 1, publicKey: service.publicKey }), 'bad_response'],
      [async () => json({ data: await cipher.encrypt('{}'), publicKey: 'not a key' }), 'bad_response'],
      [
        () => encryptedResult(service, keyPair, { sessionResult: 'SUCCESS', sessionId: 'another' }),
        'bad_response',
      ],
      // Unreadable, but for another session: never kept as this session's (its PII is someone else's).
      [
        () => encryptedResult(service, keyPair, { sessionResult: 'MAYBE_LATER', sessionId: 'another', document: { firstName: 'SAMPLE' } }),
        'bad_response',
      ],
      [() => encryptedResult(service, keyPair, { id: 'another', sessionStatus: 'On Hold' }), 'bad_response'],
      [async () => json({ data: await forged.encrypt('{}'), publicKey: service.publicKey }), 'decryption_failed'],
    ];
    for (const [answer, kind] of cases) {
      reply = answer;
      await rejectsWithKind(client.getResult({ dvcID: 'default', sessionId: 's1' }), kind);
    }
    reply = () => encryptedResult(service, keyPair, { sessionResult: 'SUCCESS', sessionId: 's1' });
    assert.equal((await client.getResult({ dvcID: 'default', sessionId: 's1' })).verification, 'passed');
  });

  it('returns a decrypted answer it cannot read as status unknown, with the plaintext and the problem', async () => {
    const service = generateKeyPair();
    const keyPair = generateKeyPair();
    const cipher = await sharedCipher(service.privateKey, keyPair.publicKey);
    let reply = async () => json({});
    const recorder = injected(() => reply(), service);
    const { client } = injectedClient(recorder.fetch, { keyPair, retries: 3 });
    const unknownWord = { sessionId: 's1', sessionResult: 'MAYBE_LATER', document: { firstName: 'SAMPLE' } };
    const noSessionId = { sessionResult: 'SUCCESS' };
    const cases: [() => Promise<Response>, Record<string, unknown>, boolean, RegExp][] = [
      [() => encryptedResult(service, keyPair, unknownWord), unknownWord, true, /no recognisable status.*MAYBE_LATER/],
      [() => encryptedResult(service, keyPair, noSessionId), noSessionId, false, /no sessionId/],
      [
        () => encryptedResult(service, keyPair, { sessionId: 's1', sessionResult: 'SUCCESS', verificationStatus: 'sort of' }),
        { sessionId: 's1', sessionResult: 'SUCCESS', verificationStatus: 'sort of' },
        false,
        /unknown verificationStatus/,
      ],
      [
        async () => json({ data: await cipher.encrypt('not json'), publicKey: service.publicKey }),
        { plaintext: 'not json' },
        false,
        /not JSON/,
      ],
      [() => encryptedResult(service, keyPair, ['s1']), { plaintext: ['s1'] }, false, /not a JSON object/],
    ];
    for (const [answer, raw, hasPII, problem] of cases) {
      reply = answer;
      const before = recorder.count(RESULT_V3);
      const result = await client.getResult({ dvcID: 'default', sessionId: 's1' });
      assert.equal(result.status, 'unknown', JSON.stringify(raw));
      assert.equal(result.sessionId, 's1', 'the session asked about');
      assert.equal(result.verification, null);
      assert.deepEqual(result.raw, raw, 'the plaintext, kept whole');
      assert.equal(result.hasPII, hasPII);
      assert.match(result.problem ?? '', problem);
      assert.equal(recorder.count(RESULT_V3) - before, 1, 'an answer, not a failure: not retried');
    }
  });

  it('retries 429 and 5xx answers of getResult but not 403', async () => {
    const service = generateKeyPair();
    const keyPair = generateKeyPair();
    const statuses = [429, 500, 502];
    const recorder = injected(async () => {
      const status = statuses.shift();
      if (status) return json({ code: status, message: 'busy' }, status);
      return encryptedResult(service, keyPair, { responseStatus: 'INPROGRESS', id: 's1' });
    }, service);
    const { client } = injectedClient(recorder.fetch, { retries: 3, keyPair });
    assert.equal((await client.getResult({ dvcID: 'default', sessionId: 's1' })).status, 'in_progress');
    assert.equal(recorder.count(RESULT_V3), 4);

    statuses.push(403);
    await rejectsWithKind(client.getResult({ dvcID: 'default', sessionId: 's1' }), 'upstream_error', {
      status: 403,
      code: 403,
      upstreamMessage: 'busy',
      retryable: false,
    });
    assert.equal(recorder.count(RESULT_V3), 5);
  });

  it("keeps 1Kosmos's Retry-After (seconds or a date) on the error, without retrying, which it does without one", async () => {
    const service = generateKeyPair();
    const keyPair = generateKeyPair();
    const answers = [
      Response.json({ code: 429, message: 'slow down' }, { status: 429, headers: { 'Retry-After': '7' } }),
      Response.json({ code: 503, message: 'busy' }, { status: 503, headers: { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() } }),
      Response.json({ code: 503, message: 'busy' }, { status: 503 }),
    ];
    const recorder = injected(async () => answers.shift()!, service);
    const { client } = injectedClient(recorder.fetch, { retries: 2, keyPair });
    const first = await rejectsWithKind(client.getResult({ dvcID: 'default', sessionId: 's1' }), 'upstream_error', { status: 429 });
    assert.equal(first.retryAfter, 7000);
    const second = await rejectsWithKind(client.getResult({ dvcID: 'default', sessionId: 's1' }), 'upstream_error', { status: 503 });
    assert.ok(second.retryAfter! > 55_000 && second.retryAfter! <= 60_000, String(second.retryAfter));
    assert.equal(recorder.count(RESULT_V3), 2, 'not retried when 1Kosmos asked for a wait');
    answers.push(Response.json({ code: 503, message: 'busy' }, { status: 503 }), Response.json({ code: 503, message: 'busy' }, { status: 503 }));
    const third = await rejectsWithKind(client.getResult({ dvcID: 'default', sessionId: 's1' }), 'upstream_error', { status: 503 });
    assert.equal(third.retryAfter, undefined);
    assert.equal(recorder.count(RESULT_V3), 5, 'a 503 without Retry-After is retried twice');
  });

  it('keeps the kind of a 400 whose body is not JSON', async () => {
    const { client } = injectedClient(injected(() => new Response('Bad Request', { status: 400 })).fetch);
    const error = await rejectsWithKind(client.createSession(passport), 'bad_request', { status: 400 });
    assert.equal(error.code, undefined);
    assert.equal(error.upstreamMessage, undefined);
  });

  it('stops retrying as soon as the caller aborts during the backoff', async () => {
    const controller = new AbortController();
    const recorder = injected(() => {
      controller.abort(new Error('stop'));
      return json({ code: 503, message: 'down' }, 503);
    });
    const { client } = injectedClient(recorder.fetch, { retries: 5, random: () => 1 });
    await assert.rejects(client.getResult({ dvcID: 'default', sessionId: 's1' }, controller.signal), {
      message: 'stop',
    });
    assert.equal(recorder.count(RESULT_V3), 1);
  });

  it('fetches discovery again after a failed discovery', async () => {
    const answers = [json({ services: {} }), json({ docuverify: 'https://tenant.example/docuverify' })];
    const recorder = recording(async (input) => {
      const path = new URL(String(input)).pathname;
      if (path === DISCOVERY) return answers.shift() ?? json({}, 500);
      if (path === PUBLIC_KEYS) return json({ publicKey: generateKeyPair().publicKey });
      return json({ sessionId: 's1', url: 'https://tenant.example/idproofing/session/s1' });
    });
    const { client } = injectedClient(recorder.fetch);
    await rejectsWithKind(client.createSession(passport), 'bad_response');
    assert.equal((await client.createSession(passport)).sessionId, 's1');
    assert.equal(recorder.count(DISCOVERY), 2);
  });
});
