/**
 * `GET {base}/{sessionId}`: tokens, ownership, ETags, held reads (`Prefer: wait`), CORS, and what
 * a browser sees while 1Kosmos fails. Status reads are answered from the ledger and never call
 * 1Kosmos: the collector asks it off the request path, about once a second while a browser reads.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, UnsecuredJWT } from 'jose';
import { KosmosApiError } from '../../src/server/errors.js';
import { createMemoryStore } from '../../src/server/ledger/memory.js';
import type { LedgerStore } from '../../src/server/ledger/store.js';
import { StatusTokens } from '../../src/server/token.js';
import {
  assertStatusBody,
  BASE_PATH,
  CREATE_PATH,
  createSession,
  entryOf,
  expectError,
  expectStatus,
  ORIGIN,
  PUBLIC_KEYS_PATH,
  readStatus,
  request,
  RESULT_PATH,
  simulated,
  startKit,
  TOKEN_SECRET,
  type Created,
  type Kit,
  waitFor,
} from './kit-helpers.js';

const base64url = (text: string) => Buffer.from(text).toString('base64url');
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

/** The same token with its payload changed and its signature kept. */
function withPayload(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [header, , signature] = token.split('.');
  const claims = claimsOf(token);
  change(claims);
  return `${header}.${base64url(JSON.stringify(claims))}.${signature}`;
}

const key = (secret: string) => new TextEncoder().encode(secret);

/** One store for several kit instances, like one shared database: no instance's close() ends it. */
const shared = (store: LedgerStore): LedgerStore => ({ ...store, close: async () => undefined });

/** The `onError` reports of stage `collect` about a session. */
const collectErrors = (kit: Kit, sessionId: string) =>
  kit.errors.filter((problem) => problem.stage === 'collect' && problem.sessionId === sessionId);

const isResultCall = (input: Parameters<typeof fetch>[0]) => String(input instanceof Request ? input.url : input).endsWith(RESULT_PATH);

/** How long `work` takes, ms, with its value. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

describe('createIdvHandler: status tokens', () => {
  it('401 for a missing, malformed, tampered, forged or foreign token; never asks 1Kosmos nor marks the session watched', async (t) => {
    const store = createMemoryStore();
    const kit = await startKit(t, { config: { store } });
    const session = await createSession(kit.handler);
    const untouched = await entryOf(store, session.sessionId);
    const [header, payload, signature] = session.token.split('.');
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    const exp = claimsOf(session.token).exp as number;
    const tokens: [string, string | null][] = [
      ['no Authorization', null],
      ['not Bearer', `Basic ${session.token}`],
      ['garbage', 'Bearer not-a-token'],
      ['empty', 'Bearer '],
      ['tampered signature', `Bearer ${header}.${payload}.${flipped}`],
      ['tampered payload', `Bearer ${withPayload(session.token, (claims) => (claims.dvc = 'selfie'))}`],
      ['no signature', `Bearer ${header}.${payload}.`],
      [
        'alg none',
        `Bearer ${new UnsecuredJWT({ dvc: 'default' })
          .setJti(session.sessionId)
          .setAudience('kosmos-idv-status')
          .setExpirationTime(exp)
          .encode()}`,
      ],
      [
        'signed with another secret',
        `Bearer ${await new StatusTokens('another-secret-of-more-than-32-characters').issue({
          sessionId: session.sessionId,
          subject: null,
          dvcID: 'default',
          expiresAt: exp,
        })}`,
      ],
      [
        'another audience',
        `Bearer ${await new SignJWT({ dvc: 'default' })
          .setProtectedHeader({ alg: 'HS256' })
          .setJti(session.sessionId)
          .setAudience('something-else')
          .setExpirationTime(exp)
          .sign(key(TOKEN_SECRET))}`,
      ],
      [
        'no dvcID claim',
        `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setJti(session.sessionId)
          .setAudience('kosmos-idv-status')
          .setExpirationTime(exp)
          .sign(key(TOKEN_SECRET))}`,
      ],
    ];
    for (const [name, authorization] of tokens) {
      const response = await kit.handler(
        request('GET', `${BASE_PATH}/${session.sessionId}`, {
          headers: authorization === null ? {} : { Authorization: authorization },
        }),
      );
      const error = await expectError(response, 401, 'unauthorized', kit.secrets);
      assert.equal(error.retryable, false, name);
    }
    assert.equal(kit.upstream(RESULT_PATH), 0);
    assert.deepEqual(await entryOf(store, session.sessionId), untouched, 'a refused read does not bring the next ask forward');
    await expectStatus(kit.handler, session, 'pending');
    await waitFor(() => kit.upstream(RESULT_PATH) === 1, 'the ask a real read brings forward');
  });

  it('403 for a token of another session, whether or not that session exists', async (t) => {
    const store = createMemoryStore();
    const kit = await startKit(t, { config: { store } });
    const mine = await createSession(kit.handler);
    const theirs = await createSession(kit.handler);
    const untouched = await entryOf(store, theirs.sessionId);
    const forTheirs = await readStatus(kit.handler, { sessionId: theirs.sessionId, token: mine.token });
    const forNone = await readStatus(kit.handler, { sessionId: 'no-such-session', token: mine.token });
    const theirsError = await expectError(forTheirs, 403, 'forbidden');
    const noneError = await expectError(forNone, 403, 'forbidden');
    assert.deepEqual(theirsError, noneError, 'the answer does not tell whether the session exists');
    assert.equal(kit.upstream(RESULT_PATH), 0);
    assert.deepEqual(await entryOf(store, theirs.sessionId), untouched);
  });

  it('a token past its expiry still reads its session: the ledger says what the kit last learnt, then expired', async (t) => {
    // The kit's clock stands still unless moved: the collector asks only when the test lets it.
    let now = Math.floor(Date.now() / 1000) * 1000 + 500;
    const kit = await startKit(t, { config: { now: () => now, sessionLifetime: 2 } });
    const session = await createSession(kit.handler);
    simulated(kit.sim, session.sessionId).start();
    await expectStatus(kit.handler, session, 'in_progress');
    const asked = kit.upstream(RESULT_PATH);
    now = Date.parse(session.expiresAt) - 1;
    await waitFor(() => kit.upstream(RESULT_PATH) > asked, 'the last ask before expiresAt');
    now = Date.parse(session.expiresAt) + 1;
    const late = await readStatus(kit.handler, session);
    assert.equal(late.status, 200, 'an expired token is no 401: its session is answered');
    await expectStatus(kit.handler, session, 'expired');
    const token = await new StatusTokens(TOKEN_SECRET).issue({
      sessionId: session.sessionId,
      subject: null,
      dvcID: 'default',
      expiresAt: Math.floor(now / 1000) - 3600,
    });
    await expectStatus(kit.handler, { sessionId: session.sessionId, token }, 'expired');
  });

  it('with authenticate: 401 when it returns null, 403 for another subject than at creation', async (t) => {
    let subject: string | null = 'alice';
    const store = createMemoryStore();
    const kit = await startKit(t, { config: { authenticate: () => subject, store } });
    const session = await createSession(kit.handler);
    const untouched = await entryOf(store, session.sessionId);
    subject = 'mallory';
    await expectError(await readStatus(kit.handler, session), 403, 'forbidden');
    subject = null;
    await expectError(await readStatus(kit.handler, session), 401, 'unauthorized');
    assert.deepEqual(await entryOf(store, session.sessionId), untouched, 'refused reads do not mark the session watched');
    assert.equal(kit.upstream(RESULT_PATH), 0);
    subject = 'alice';
    await expectStatus(kit.handler, session, 'pending');
    await waitFor(() => kit.upstream(RESULT_PATH) === 1, 'the ask the owner\'s read brings forward');
  });

  it('404 for a validly signed token of a session the ledger does not know, without asking 1Kosmos', async (t) => {
    const kit = await startKit(t);
    const tokens = new StatusTokens(TOKEN_SECRET);
    const expiresAt = Math.floor(Date.now() / 1000) + 600;
    const unknown = { sessionId: 'a6e0d2f4-0000-4000-8000-000000000000', subject: null, dvcID: 'default', expiresAt };
    const response = await readStatus(kit.handler, { sessionId: unknown.sessionId, token: await tokens.issue(unknown) });
    const error = await expectError(response, 404, 'not_found', kit.secrets);
    assert.doesNotMatch(error.message, /1Kosmos/);
    // A session 1Kosmos knows, created by an instance with another ledger (same token secret): not this ledger's.
    const elsewhere = await startKit(t, { simulator: kit.sim });
    const theirs = await createSession(elsewhere.handler);
    await expectError(await readStatus(kit.handler, theirs), 404, 'not_found', kit.secrets);
    await expectStatus(elsewhere.handler, theirs, 'pending');
    assert.equal(kit.upstream(RESULT_PATH), 0);
  });

  it('405 with Allow for other methods on a session; 404 for deeper paths', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD']) {
      const response = await kit.handler(
        request(method, `${BASE_PATH}/${session.sessionId}`, { headers: { Authorization: `Bearer ${session.token}` } }),
      );
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get('Allow'), 'GET, OPTIONS');
    }
    await expectError(
      await kit.handler(
        request('GET', `${BASE_PATH}/${session.sessionId}/x`, { headers: { Authorization: `Bearer ${session.token}` } }),
      ),
      404,
      'not_found',
    );
  });
});

describe('createIdvHandler: ETag and If-None-Match', () => {
  it('304 for the current ETag (strong, weak or in a list), 200 once the status changed', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    const first = await readStatus(kit.handler, session);
    const etag = first.headers.get('ETag');
    assert.ok(etag, 'an ETag');
    assertStatusBody(await first.json(), { sessionId: session.sessionId, status: 'pending', verification: null });

    for (const match of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const again = await readStatus(kit.handler, session, { 'If-None-Match': match });
      assert.equal(again.status, 304, match);
      assert.equal(again.headers.get('ETag'), etag);
      assert.equal(await again.text(), '');
    }
    const stale = await readStatus(kit.handler, session, { 'If-None-Match': '"other"' });
    assert.equal(stale.status, 200);
    assertStatusBody(await stale.json(), { sessionId: session.sessionId, status: 'pending', verification: null });

    simulated(kit.sim, session.sessionId).start();
    const changed = await readStatus(kit.handler, session, { 'If-None-Match': etag, Prefer: 'wait=5' });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('ETag'), etag);
    assertStatusBody(await changed.json(), { sessionId: session.sessionId, status: 'in_progress', verification: null });
  });
});

describe('createIdvHandler: held reads (Prefer: wait with If-None-Match)', { concurrency: true }, () => {
  async function heldKit(t: Parameters<typeof startKit>[0], options: Parameters<typeof startKit>[1] = {}) {
    const store = createMemoryStore();
    const kit = await startKit(t, { ...options, config: { store, ...options.config } });
    const session = await createSession(kit.handler);
    const etag = (await readStatus(kit.handler, session)).headers.get('ETag')!;
    return { kit, store, session, etag };
  }

  it('holds an unchanged status for the wait, while the collector asks about once a second, then answers 304', async (t) => {
    const { kit, session, etag } = await heldKit(t);
    const { value: held, ms } = await timed(() =>
      readStatus(kit.handler, session, { 'If-None-Match': etag, Prefer: 'respond-async, wait=2' }),
    );
    assert.equal(held.status, 304);
    assert.equal(held.headers.get('ETag'), etag);
    assert.ok(ms >= 1900 && ms < 3500, `held for the wait (${ms} ms)`);
    const asks = kit.upstream(RESULT_PATH);
    assert.ok(asks >= 2 && asks <= 4, `asked at the watched cadence, not per read (${asks} asks in about 2 s)`);
  });

  it('answers 200 as soon as the ledger records a change during the wait', async (t) => {
    const { kit, store, session, etag } = await heldKit(t);
    let changedAt = 0;
    store.subscribe((sessionId) => {
      if (sessionId === session.sessionId) changedAt = Date.now();
    });
    setTimeout(() => simulated(kit.sim, session.sessionId).start(), 200);
    const { value: changed, ms } = await timed(() => readStatus(kit.handler, session, { 'If-None-Match': etag, Prefer: 'wait=5' }));
    assert.equal(changed.status, 200);
    assertStatusBody(await changed.json(), { sessionId: session.sessionId, status: 'in_progress', verification: null });
    assert.ok(ms < 3500, `the change came at the next ask, within about a second (${ms} ms)`);
    assert.ok(changedAt > 0 && Date.now() - changedAt < 700, 'answered on the ledger\'s news of the change, not at the next recheck');
  });

  it('answers at once without If-None-Match, for another ETag, or without a wait', async (t) => {
    const { kit, session, etag } = await heldKit(t);
    const cases: [Record<string, string>, number][] = [
      [{ Prefer: 'wait=5' }, 200],
      [{ 'If-None-Match': '"other"', Prefer: 'wait=5' }, 200],
      [{ 'If-None-Match': etag }, 304],
    ];
    for (const [headers, status] of cases) {
      const { value: answer, ms } = await timed(() => readStatus(kit.handler, session, headers));
      assert.equal(answer.status, status, JSON.stringify(headers));
      assert.ok(ms < 1500, `at once, not held for 5 s (${ms} ms): ${JSON.stringify(headers)}`);
    }
  });

  it('answers at once with holdReads: false', async (t) => {
    const { kit, session, etag } = await heldKit(t, { config: { holdReads: false } });
    const { value: answer, ms } = await timed(() => readStatus(kit.handler, session, { 'If-None-Match': etag, Prefer: 'wait=5' }));
    assert.equal(answer.status, 304);
    assert.ok(ms < 1500, `not held for 5 s (${ms} ms)`);
  });

  it('a hold is not ended by 1Kosmos failing: 304 at the deadline, the failure goes to onError (collect)', async (t) => {
    const { kit, session, etag } = await heldKit(t);
    setTimeout(() => kit.sim.faults.update({ errorRate: 1 }), 200);
    const { value: held, ms } = await timed(() => readStatus(kit.handler, session, { 'If-None-Match': etag, Prefer: 'wait=3' }));
    assert.equal(held.status, 304);
    assert.ok(ms >= 2900, `held to the deadline (${ms} ms)`);
    const [failure] = collectErrors(kit, session.sessionId);
    assert.ok(failure, 'onError told of the failed ask');
    assert.ok(failure.error instanceof KosmosApiError);
    assert.equal(failure.error.status, 503);
  });

  it('answers at the end of the wait even while the collector is still waiting for 1Kosmos', async (t) => {
    let slow = false;
    let pending = 0;
    const { kit, session, etag } = await heldKit(t, {
      config: {
        fetch: async (input, init) => {
          if (!slow || !isResultCall(input)) return fetch(input, init);
          pending += 1;
          await new Promise((resolve) => setTimeout(resolve, 1500));
          pending -= 1;
          return fetch(input, init);
        },
      },
    });
    setTimeout(() => (slow = true), 200);
    const { value: held, ms } = await timed(() => readStatus(kit.handler, session, { 'If-None-Match': etag, Prefer: 'wait=2' }));
    assert.equal(held.status, 304);
    assert.ok(ms < 3000, `answered at the deadline (${ms} ms)`);
    assert.equal(pending, 1, 'the slow ask had not been answered yet');
  });

  it('stops holding, quietly, when the caller goes away', async (t) => {
    const { kit, session, etag } = await heldKit(t);
    const gone = new AbortController();
    setTimeout(() => gone.abort(), 100);
    const { value: held, ms } = await timed(() =>
      kit.handler(
        new Request(request('GET', `${BASE_PATH}/${session.sessionId}`).url, {
          headers: { Authorization: `Bearer ${session.token}`, 'If-None-Match': etag, Prefer: 'wait=10' },
          signal: gone.signal,
        }),
      ),
    );
    assert.equal(held.status, 304);
    assert.ok(ms < 2000, `stopped when the caller left, not held for 10 s (${ms} ms)`);
    assert.deepEqual(kit.errors, []);
  });
});

describe('createIdvHandler: CORS', () => {
  const allowed = 'https://shop.example';

  it('an allowed origin gets Access-Control-Allow-Origin on answers and errors', async (t) => {
    const kit = await startKit(t, { config: { allowedOrigins: [`${allowed}/`] } });
    const response = await kit.handler(
      request('POST', BASE_PATH, { body: { documentType: 'passport' }, headers: { Origin: allowed } }),
    );
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('Access-Control-Allow-Origin'), allowed);
    assert.match(response.headers.get('Vary') ?? '', /Origin/);
    const session = (await response.json()) as Created;

    const status = await readStatus(kit.handler, session, { Origin: allowed });
    assert.equal(status.headers.get('Access-Control-Allow-Origin'), allowed);
    assert.match(status.headers.get('Access-Control-Expose-Headers') ?? '', /ETag/);
    assertStatusBody(await status.json(), { sessionId: session.sessionId, status: 'pending', verification: null });

    const refused = await readStatus(kit.handler, { ...session, token: 'x' }, { Origin: allowed });
    assert.equal(refused.headers.get('Access-Control-Allow-Origin'), allowed);
    await expectError(refused, 401, 'unauthorized');
  });

  it('403 origin_not_allowed for a foreign origin, before 1Kosmos is asked', async (t) => {
    const kit = await startKit(t, { config: { allowedOrigins: [allowed] } });
    const session = await createSession(kit.handler);
    const create = await kit.handler(
      request('POST', BASE_PATH, { body: { documentType: 'passport' }, headers: { Origin: 'https://evil.example' } }),
    );
    assert.equal(create.headers.get('Access-Control-Allow-Origin'), null);
    await expectError(create, 403, 'origin_not_allowed');
    await expectError(await readStatus(kit.handler, session, { Origin: 'https://evil.example' }), 403, 'origin_not_allowed');
    assert.equal(kit.upstream(CREATE_PATH), 1);
    assert.equal(kit.upstream(RESULT_PATH), 0);
  });

  it('without allowedOrigins: same origin passes (no CORS headers), another origin is refused', async (t) => {
    const kit = await startKit(t);
    const same = await kit.handler(request('POST', BASE_PATH, { body: { documentType: 'passport' }, headers: { Origin: ORIGIN } }));
    assert.equal(same.status, 201);
    assert.equal(same.headers.get('Access-Control-Allow-Origin'), null);
    await expectError(
      await kit.handler(request('POST', BASE_PATH, { body: { documentType: 'passport' }, headers: { Origin: allowed } })),
      403,
      'origin_not_allowed',
    );
  });

  it("an app's origin (capacitor://localhost) is allowed as written; Origin: null never gets CORS headers", async (t) => {
    const app = 'capacitor://localhost';
    const kit = await startKit(t, { config: { allowedOrigins: [app, allowed] } });
    const post = (origin: string) =>
      kit.handler(request('POST', BASE_PATH, { body: { documentType: 'passport' }, headers: { Origin: origin } }));
    const created = await post(app);
    assert.equal(created.status, 201, await created.clone().text());
    assert.equal(created.headers.get('Access-Control-Allow-Origin'), app);
    const session = (await created.json()) as Created;

    // A same-origin page under Referrer-Policy: no-referrer posts with Origin: null; a foreign
    // opaque page sends the same, so the answer is never shared with it.
    const opaque = await post('null');
    assert.equal(opaque.status, 201);
    assert.equal(opaque.headers.get('Access-Control-Allow-Origin'), null);
    const read = await readStatus(kit.handler, session, { Origin: 'null' });
    assert.equal(read.status, 200);
    assert.equal(read.headers.get('Access-Control-Allow-Origin'), null);
    const preflight = await kit.handler(
      request('OPTIONS', BASE_PATH, { headers: { Origin: 'null', 'Access-Control-Request-Method': 'POST' } }),
    );
    assert.equal(preflight.headers.get('Access-Control-Allow-Origin'), null);
    assert.equal(preflight.headers.get('Access-Control-Allow-Credentials'), null);
    assert.equal(kit.upstream(CREATE_PATH), 2);
  });

  it('preflight OPTIONS: 204 with the methods and headers the contract uses', async (t) => {
    const kit = await startKit(t, { config: { allowedOrigins: [allowed] } });
    const preflight = (path: string) =>
      kit.handler(
        request('OPTIONS', path, {
          headers: { Origin: allowed, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
        }),
      );
    const create = await preflight(BASE_PATH);
    assert.equal(create.status, 204);
    assert.equal(create.headers.get('Access-Control-Allow-Origin'), allowed);
    assert.equal(create.headers.get('Access-Control-Allow-Methods'), 'POST, OPTIONS');
    assert.match(create.headers.get('Access-Control-Allow-Headers') ?? '', /Content-Type/);
    const status = await preflight(`${BASE_PATH}/some-session`);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('Access-Control-Allow-Methods'), 'GET, OPTIONS');
    assert.match(status.headers.get('Access-Control-Allow-Headers') ?? '', /Authorization/);
    assert.match(status.headers.get('Access-Control-Allow-Headers') ?? '', /If-None-Match/);
    assert.match(status.headers.get('Access-Control-Allow-Headers') ?? '', /Prefer/);
    const foreign = await kit.handler(request('OPTIONS', BASE_PATH, { headers: { Origin: 'https://evil.example' } }));
    assert.equal(foreign.headers.get('Access-Control-Allow-Origin'), null);
  });
});

describe('createIdvHandler: status reads while 1Kosmos fails', { concurrency: true }, () => {
  it('1Kosmos unreachable: reads answer 200 with the last known status, onError (collect) is told, the status catches up', async (t) => {
    let down = false;
    const kit = await startKit(t, {
      config: {
        fetch: (input, init) => (down && isResultCall(input) ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init)),
      },
    });
    const session = await createSession(kit.handler);
    simulated(kit.sim, session.sessionId).start();
    const before = await expectStatus(kit.handler, session, 'in_progress');
    down = true;
    simulated(kit.sim, session.sessionId).document('pass');
    await waitFor(() => collectErrors(kit, session.sessionId).length >= 2, 'two failed asks reported');
    const failure = collectErrors(kit, session.sessionId)[0].error;
    assert.ok(failure instanceof KosmosApiError);
    assert.equal(failure.kind, 'unreachable');
    const during = await readStatus(kit.handler, session);
    assert.equal(during.status, 200, 'no 502: the ledger answers');
    assert.deepEqual(await during.json(), before, 'the last known status, updatedAt included');
    assert.equal(kit.results.length, 0, 'nothing to hand over yet');
    down = false;
    await expectStatus(kit.handler, session, 'completed', 'passed', 10_000);
    await waitFor(() => kit.results.length === 1, 'onResult');
    assert.equal(kit.results[0].result.hasPII, true, 'the PII 1Kosmos kept during the outage');
  });

  it('malformed answers (non-JSON body, undecryptable data): reads stay 200, onError (collect) is told, nothing is handed over', async (t) => {
    const draws: number[] = [];
    const kit = await startKit(t, { sim: { random: () => draws.shift() ?? 0.99 } });
    const session = await createSession(kit.handler);
    await expectStatus(kit.handler, session, 'pending');
    // The simulator has drawn for (and answered) the first ask: the script below is for the next ones.
    await waitFor(() => kit.sim.stats.resultCalls.default === 1, 'the first ask answered');
    simulated(kit.sim, session.sessionId).start();
    simulated(kit.sim, session.sessionId).document('pass');
    kit.sim.faults.malformedRate = 0.9;
    // Each call draws: malformed? (< 0.9), then for a result call its kind (< 0.5: undecryptable).
    // Undecryptable: the key is fetched again (0.95: not faulted) and the call made once more. Then a non-JSON answer.
    draws.push(0.5, 0.1, 0.95, 0.5, 0.1, 0.5, 0.9);
    await waitFor(() => collectErrors(kit, session.sessionId).length >= 2, 'two failed asks reported');
    const kinds = collectErrors(kit, session.sessionId).map(({ error }) => (error as KosmosApiError).kind);
    assert.deepEqual(kinds, ['decryption_failed', 'bad_response']);
    const during = await readStatus(kit.handler, session);
    assert.equal(during.status, 200);
    assertStatusBody(await during.json(), { sessionId: session.sessionId, status: 'pending', verification: null });
    await expectStatus(kit.handler, session, 'completed', 'passed', 8000);
    await waitFor(() => kit.results.length === 1, 'onResult');
    assert.deepEqual(
      kit.results.map(({ result }) => [result.status, result.hasPII]),
      [['completed', true]],
      'a malformed answer is a failed ask, not a result',
    );
  });

  it("1Kosmos busy (429 with Retry-After): reads stay 200, and the collector waits as long as 1Kosmos asked", async (t) => {
    let busy = true;
    const kit = await startKit(t, {
      config: {
        fetch: (input, init) =>
          busy && isResultCall(input)
            ? Promise.resolve(Response.json({ code: 429, message: 'slow down' }, { status: 429, headers: { 'Retry-After': '3' } }))
            : fetch(input, init),
      },
    });
    const session = await createSession(kit.handler);
    const first = await readStatus(kit.handler, session);
    assert.equal(first.status, 200);
    const etag = first.headers.get('ETag')!;
    await waitFor(() => collectErrors(kit, session.sessionId).length === 1, 'the refused ask reported');
    const refusal = collectErrors(kit, session.sessionId)[0].error as KosmosApiError;
    assert.deepEqual([refusal.kind, refusal.status, refusal.retryAfter], ['upstream_error', 429, 3000]);
    simulated(kit.sim, session.sessionId).start();
    // Watched, the session would be asked about every second: 1Kosmos asked for 3.
    const held = await readStatus(kit.handler, session, { 'If-None-Match': etag, Prefer: 'wait=2' });
    assert.equal(held.status, 304);
    assert.equal(kit.upstream(RESULT_PATH), 1, 'not asked again within the Retry-After');
    busy = false;
    await expectStatus(kit.handler, session, 'in_progress');
    assert.equal(kit.upstream(RESULT_PATH), 2);
  });

  it('1Kosmos slower than timeoutMs: reads answer at once; onError (collect) gets the timeout', async (t) => {
    const kit = await startKit(t, { config: { timeoutMs: 100 } });
    const session = await createSession(kit.handler);
    kit.sim.faults.latencyMs = 2000;
    const { value: read, ms } = await timed(() => readStatus(kit.handler, session));
    assert.equal(read.status, 200);
    assert.ok(ms < 1500, `answered from the ledger, not after 1Kosmos's 2 s (${ms} ms)`);
    await waitFor(() => collectErrors(kit, session.sessionId).length >= 1, 'the timed-out ask reported');
    assert.equal((collectErrors(kit, session.sessionId)[0].error as KosmosApiError).kind, 'timeout');
    await expectStatus(kit.handler, session, 'pending');
  });

  it('a rotated 1Kosmos key is fetched again and the collector reads on', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    assert.equal(kit.upstream(PUBLIC_KEYS_PATH), 1);
    kit.sim.faults.rotateKey();
    simulated(kit.sim, session.sessionId).start();
    await expectStatus(kit.handler, session, 'in_progress');
    assert.equal(kit.upstream(PUBLIC_KEYS_PATH), 2);
    const asked = kit.upstream(RESULT_PATH);
    await waitFor(() => kit.upstream(RESULT_PATH) > asked, 'another ask');
    assert.equal(kit.upstream(PUBLIC_KEYS_PATH), 2, 'the new key is kept');
    assert.deepEqual(collectErrors(kit, session.sessionId), [], 'the rotation cost no failed ask');
  });
});

describe('createIdvHandler: concurrent reads', () => {
  it('100 concurrent reads of a completed session, twice: one upstream call, one onResult, equal answers', async (t) => {
    // PII retention of 7 days: 1Kosmos would hand the PII to every call, so every extra call would show.
    const store = createMemoryStore();
    const kit = await startKit(t, { sim: { piiRetention: { ttl: 0 } }, config: { store } });
    const session = await createSession(kit.handler);
    simulated(kit.sim, session.sessionId).start();
    simulated(kit.sim, session.sessionId).document('pass');

    const first = await Promise.all(Array.from({ length: 100 }, () => readStatus(kit.handler, session)));
    assert.ok(first.every((response) => response.status === 200));
    await expectStatus(kit.handler, session, 'completed', 'passed');
    const responses = await Promise.all(Array.from({ length: 100 }, () => readStatus(kit.handler, session)));
    const bodies = await Promise.all(responses.map((response) => response.json()));
    for (const body of bodies) {
      assertStatusBody(body, { sessionId: session.sessionId, status: 'completed', verification: 'passed' });
    }
    assert.equal(new Set(bodies.map((body) => JSON.stringify(body))).size, 1);
    await waitFor(() => kit.results.length === 1, 'onResult');
    assert.equal(kit.sim.stats.resultCalls.default, 1);
    assert.equal(kit.upstream(RESULT_PATH), 1);
    assert.equal(kit.results[0].result.hasPII, true);
    assert.equal((await entryOf(store, session.sessionId)).nextDueAt, null, 'a final status is never asked about again');
  });

  it('reads of a live session for two seconds: 1Kosmos is asked at the collector\'s cadence, not once per read', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    let reads = 0;
    const until = Date.now() + 2000;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (Date.now() < until) {
          const response = await readStatus(kit.handler, session);
          assert.equal(response.status, 200);
          await response.body?.cancel();
          reads++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }),
    );
    const asks = kit.upstream(RESULT_PATH);
    assert.ok(reads >= 200, `${reads} reads`);
    assert.ok(asks >= 1 && asks <= 4, `${asks} asks for ${reads} reads in 2 s`);
    simulated(kit.sim, session.sessionId).start();
    await expectStatus(kit.handler, session, 'in_progress');
  });

  it('an instance with collect: false answers from the ledger another instance\'s collector fills, and never calls 1Kosmos', async (t) => {
    const store = createMemoryStore();
    const reader = await startKit(t, { config: { store: shared(store), collect: false } });
    const collector = await startKit(t, { simulator: reader.sim, config: { store: shared(store) } });
    const session = await createSession(reader.handler);
    simulated(reader.sim, session.sessionId).start();
    await Promise.all(Array.from({ length: 50 }, () => readStatus(reader.handler, session)));
    await expectStatus(reader.handler, session, 'in_progress');
    simulated(reader.sim, session.sessionId).document('pass');
    await expectStatus(reader.handler, session, 'completed', 'passed');
    await waitFor(() => collector.results.length === 1, 'onResult of the collecting instance');
    assert.equal(reader.upstream(RESULT_PATH), 0, 'reads never call 1Kosmos');
    assert.ok(collector.upstream(RESULT_PATH) >= 2);
    assert.deepEqual(reader.results, [], 'results are handed over by the collecting instance');
    assert.equal(collector.results[0].result.hasPII, true);
  });
});
