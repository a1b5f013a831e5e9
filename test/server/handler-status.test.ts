/**
 * `GET {base}/{sessionId}`: tokens, ownership, ETags, held reads (`Prefer: wait`), CORS, 1Kosmos
 * failures and coalesced reads.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, UnsecuredJWT } from 'jose';
import type { KosmosApiError } from '../../src/server/errors.js';
import { StatusTokens } from '../../src/server/token.js';
import {
  BASE_PATH,
  CREATE_PATH,
  ORIGIN,
  PUBLIC_KEYS_PATH,
  RESULT_PATH,
  TOKEN_SECRET,
  assertStatusBody,
  createSession,
  expectError,
  expectStatus,
  readStatus,
  request,
  simulated,
  startKit,
  type Created,
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

describe('createIdvHandler: status tokens', () => {
  it('401 for a missing, malformed, tampered, forged or foreign token; never asks 1Kosmos', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
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
        `Bearer ${await new StatusTokens('another-secret-of-more-than-32-characters', Date.now).issue({
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
    await expectStatus(kit.handler, session, 'pending');
  });

  it('403 for a token of another session, whether or not that session exists', async (t) => {
    const kit = await startKit(t);
    const mine = await createSession(kit.handler);
    const theirs = await createSession(kit.handler);
    const forTheirs = await readStatus(kit.handler, { sessionId: theirs.sessionId, token: mine.token });
    const forNone = await readStatus(kit.handler, { sessionId: 'no-such-session', token: mine.token });
    const theirsError = await expectError(forTheirs, 403, 'forbidden');
    const noneError = await expectError(forNone, 403, 'forbidden');
    assert.deepEqual(theirsError, noneError, 'the answer does not tell whether the session exists');
    assert.equal(kit.upstream(RESULT_PATH), 0);
  });

  it('an expired token is answered "expired" (its session is over), without asking 1Kosmos', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    const token = await new StatusTokens(TOKEN_SECRET, Date.now).issue({
      sessionId: session.sessionId,
      subject: null,
      dvcID: 'default',
      expiresAt: Math.floor(Date.now() / 1000) - 1,
    });
    await expectStatus(kit.handler, { sessionId: session.sessionId, token }, 'expired');
    assert.equal(kit.upstream(RESULT_PATH), 0);
  });

  it('with authenticate: 401 when it returns null, 403 for another subject than at creation', async (t) => {
    let subject: string | null = 'alice';
    const kit = await startKit(t, { config: { authenticate: () => subject } });
    const session = await createSession(kit.handler);
    await expectStatus(kit.handler, session, 'pending');
    subject = 'mallory';
    await expectError(await readStatus(kit.handler, session), 403, 'forbidden');
    subject = null;
    await expectError(await readStatus(kit.handler, session), 401, 'unauthorized');
    assert.equal(kit.upstream(RESULT_PATH), 1);
  });

  it('404 for a validly signed token of a session 1Kosmos does not know', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    const tokens = new StatusTokens(TOKEN_SECRET, Date.now);
    const expiresAt = Math.floor(Date.now() / 1000) + 600;
    const unknown = { sessionId: 'a6e0d2f4-0000-4000-8000-000000000000', subject: null, dvcID: 'default', expiresAt };
    const response = await readStatus(kit.handler, { sessionId: unknown.sessionId, token: await tokens.issue(unknown) });
    const error = await expectError(response, 404, 'not_found', kit.secrets);
    assert.doesNotMatch(error.message, /1Kosmos/);
    const otherWorkflow = { ...unknown, sessionId: session.sessionId, dvcID: 'selfie' };
    await expectError(
      await readStatus(kit.handler, { sessionId: session.sessionId, token: await tokens.issue(otherWorkflow) }),
      404,
      'not_found',
    );
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
    const changed = await readStatus(kit.handler, session, { 'If-None-Match': etag });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('ETag'), etag);
    assertStatusBody(await changed.json(), { sessionId: session.sessionId, status: 'in_progress', verification: null });
  });
});

describe('createIdvHandler: held reads (Prefer: wait with If-None-Match)', () => {
  async function heldKit(t: Parameters<typeof startKit>[0], options: Parameters<typeof startKit>[1] = {}) {
    const kit = await startKit(t, options);
    const session = await createSession(kit.handler);
    const etag = (await readStatus(kit.handler, session)).headers.get('ETag')!;
    return { kit, session, etag, reads: () => kit.upstream(RESULT_PATH) };
  }

  it('holds an unchanged status for the wait, asking 1Kosmos again every second, then answers 304', async (t) => {
    const { kit, session, etag, reads } = await heldKit(t);
    const before = reads();
    const held = await readStatus(kit.handler, session, { 'If-None-Match': etag, Prefer: 'respond-async, wait=2' });
    assert.equal(held.status, 304);
    assert.equal(held.headers.get('ETag'), etag);
    assert.equal(reads() - before, 2, 'read at arrival and once a second later, not again at the deadline');
  });

  it('answers 200 as soon as the status changes during the wait', async (t) => {
    const { kit, session, etag, reads } = await heldKit(t);
    const before = reads();
    const held = readStatus(kit.handler, session, { 'If-None-Match': etag, Prefer: 'wait=5' });
    setTimeout(() => simulated(kit.sim, session.sessionId).start(), 200);
    const changed = await held;
    assert.equal(changed.status, 200);
    assertStatusBody(await changed.json(), { sessionId: session.sessionId, status: 'in_progress', verification: null });
    assert.equal(reads() - before, 2, 'the change was seen at the first recheck, not the deadline');
  });

  it('answers at once without If-None-Match, for another ETag, or without a wait', async (t) => {
    const { kit, session, etag, reads } = await heldKit(t);
    const before = reads();
    const cases: [Record<string, string>, number][] = [
      [{ Prefer: 'wait=5' }, 200],
      [{ 'If-None-Match': '"other"', Prefer: 'wait=5' }, 200],
      [{ 'If-None-Match': etag }, 304],
    ];
    for (const [headers, status] of cases) assert.equal((await readStatus(kit.handler, session, headers)).status, status);
    assert.equal(reads() - before, 3, 'one read each');
  });

  it('answers at once, reading 1Kosmos once, with holdReads: false', async (t) => {
    const { kit, session, etag, reads } = await heldKit(t, { config: { holdReads: false } });
    const before = reads();
    const answer = await readStatus(kit.handler, session, { 'If-None-Match': etag, Prefer: 'wait=5' });
    assert.equal(answer.status, 304);
    assert.equal(reads() - before, 1, 'no recheck: a held read asks again after a second');
  });

  it('ends the hold with a 304 when a recheck fails (the failure goes to onError)', async (t) => {
    const { kit, session, etag } = await heldKit(t);
    const held = readStatus(kit.handler, session, { 'If-None-Match': etag, Prefer: 'wait=3' });
    setTimeout(() => kit.sim.faults.update({ errorRate: 1 }), 200);
    assert.equal((await held).status, 304);
    assert.equal((kit.errors.at(-1)?.error as KosmosApiError).status, 503);
  });

  it('answers at the end of the wait even when a recheck is still waiting for 1Kosmos', async (t) => {
    let slow = false;
    let pending = 0;
    const { kit, session, etag } = await heldKit(t, {
      config: {
        fetch: async (input, init) => {
          if (!slow || !String(input).endsWith(RESULT_PATH)) return fetch(input, init);
          pending += 1;
          await new Promise((resolve) => setTimeout(resolve, 1500));
          pending -= 1;
          return fetch(input, init);
        },
      },
    });
    const answer = readStatus(kit.handler, session, { 'If-None-Match': etag, Prefer: 'wait=2' });
    setTimeout(() => (slow = true), 200);
    const held = await answer;
    assert.equal(held.status, 304);
    assert.equal(pending, 1, 'the slow recheck had not been answered yet');
  });

  it('a recheck takes a read of the same session made in the last second by another caller', async (t) => {
    const { kit, session, etag, reads } = await heldKit(t);
    const before = reads();
    const headers = { 'If-None-Match': etag, Prefer: 'wait=2' };
    const first = readStatus(kit.handler, session, headers);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = readStatus(kit.handler, session, headers);
    assert.deepEqual((await Promise.all([first, second])).map((answer) => answer.status), [304, 304]);
    assert.equal(reads() - before, 3, 'two arrivals and one recheck, not two');
  });

  it('stops holding, quietly, when the caller goes away', async (t) => {
    const { kit, session, etag, reads } = await heldKit(t);
    const before = reads();
    const gone = new AbortController();
    const held = kit.handler(
      new Request(request('GET', `${BASE_PATH}/${session.sessionId}`).url, {
        headers: { Authorization: `Bearer ${session.token}`, 'If-None-Match': etag, Prefer: 'wait=10' },
        signal: gone.signal,
      }),
    );
    setTimeout(() => gone.abort(), 100);
    assert.equal((await held).status, 304);
    assert.equal(reads() - before, 1);
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

describe('createIdvHandler: when 1Kosmos fails during a status read', () => {
  it('502 upstream_unreachable (retryable) when the simulator is down; onError sees it', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    await kit.sim.close();
    const error = await expectError(await readStatus(kit.handler, session), 502, 'upstream_unreachable', kit.secrets);
    assert.equal(error.retryable, true);
    assert.equal(kit.errors.at(-1)?.stage, 'status');
    assert.equal(kit.errors.at(-1)?.sessionId, session.sessionId);
  });

  it('502 upstream_error for a non-JSON or an undecryptable answer, 503 upstream_busy with Retry-After for a 503', async (t) => {
    const draws: number[] = [];
    const kit = await startKit(t, { sim: { random: () => draws.shift() ?? 0.99 } });
    const session = await createSession(kit.handler);
    const failure = async (kind: string, ...script: number[]) => {
      draws.splice(0, draws.length, ...script);
      const busy = kind === 'upstream_error';
      const response = await readStatus(kit.handler, session);
      if (busy) assert.equal(response.headers.get('Retry-After'), '5', '1Kosmos gave none: 5 s');
      const error = await expectError(response, busy ? 503 : 502, busy ? 'upstream_busy' : 'upstream_error', kit.secrets);
      assert.equal((kit.errors.at(-1)?.error as KosmosApiError).kind, kind);
      return error;
    };
    kit.sim.faults.malformedRate = 0.9;
    // Each call draws: malformed? (< 0.9), then for a result call its kind (< 0.5: undecryptable).
    await failure('bad_response', 0.5, 0.9);
    // Undecryptable: the key is fetched again (0.95: not faulted) and the call made once more.
    await failure('decryption_failed', 0.5, 0.1, 0.95, 0.5, 0.1);
    kit.sim.faults.update({ malformedRate: 0, errorRate: 1 });
    const unavailable = await failure('upstream_error', 0.5, 0.5, 0.5);
    assert.equal(unavailable.retryable, true);
    assert.equal(kit.upstream(RESULT_PATH), 1 + 2 + 3, 'a 503 is retried twice');
    kit.sim.faults.errorRate = 0;
    await expectStatus(kit.handler, session, 'pending');
  });

  it("passes 1Kosmos's 429 on as 503 upstream_busy with its Retry-After, at most 60 s", async (t) => {
    let busy = false;
    let retryAfter = '7';
    const kit = await startKit(t, {
      config: {
        fetch: (input, init) =>
          busy && String(input).endsWith(RESULT_PATH)
            ? Promise.resolve(Response.json({ code: 429, message: 'slow down' }, { status: 429, headers: { 'Retry-After': retryAfter } }))
            : fetch(input, init),
      },
    });
    const session = await createSession(kit.handler);
    busy = true;
    const response = await readStatus(kit.handler, session);
    assert.equal(response.headers.get('Retry-After'), '7');
    assert.equal((await expectError(response, 503, 'upstream_busy', kit.secrets)).retryable, true);
    retryAfter = '86400';
    assert.equal((await readStatus(kit.handler, session)).headers.get('Retry-After'), '60');
  });

  it('a rotated 1Kosmos key is fetched again and the read succeeds', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    assert.equal(kit.upstream(PUBLIC_KEYS_PATH), 1);
    kit.sim.faults.rotateKey();
    simulated(kit.sim, session.sessionId).start();
    await expectStatus(kit.handler, session, 'in_progress');
    assert.equal(kit.upstream(PUBLIC_KEYS_PATH), 2);
    await expectStatus(kit.handler, session, 'in_progress');
    assert.equal(kit.upstream(PUBLIC_KEYS_PATH), 2);
  });

  it('504 upstream_timeout when 1Kosmos is slower than timeoutMs', async (t) => {
    const kit = await startKit(t, { config: { timeoutMs: 100 } });
    const session = await createSession(kit.handler);
    kit.sim.faults.latencyMs = 2000;
    const error = await expectError(await readStatus(kit.handler, session), 504, 'upstream_timeout', kit.secrets);
    assert.equal(error.retryable, true);
  });
});

describe('createIdvHandler: concurrent reads', () => {
  it('100 concurrent reads of a completed session: one upstream call, one onResult, 100 equal answers', async (t) => {
    // PII retention of 7 days: 1Kosmos would hand the PII to every call, so every extra call would show.
    const kit = await startKit(t, { sim: { piiRetention: { ttl: 0 } } });
    const session = await createSession(kit.handler);
    simulated(kit.sim, session.sessionId).start();
    simulated(kit.sim, session.sessionId).document('pass');

    const responses = await Promise.all(Array.from({ length: 100 }, () => readStatus(kit.handler, session)));
    const bodies = await Promise.all(responses.map((response) => response.json()));
    for (const body of bodies) {
      assertStatusBody(body, { sessionId: session.sessionId, status: 'completed', verification: 'passed' });
    }
    assert.equal(new Set(bodies.map((body) => JSON.stringify(body))).size, 1);
    assert.equal(kit.sim.stats.resultCalls.default, 1);
    assert.equal(kit.upstream(RESULT_PATH), 1);
    assert.equal(kit.results.length, 1);
    assert.equal(kit.results[0].result.hasPII, true);
  });

  it('concurrent reads of a live session share one call; later reads ask again', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    // 1Kosmos slow enough that every read arrives while the first is still waiting for it.
    kit.sim.faults.latencyMs = 300;
    const responses = await Promise.all(Array.from({ length: 20 }, () => readStatus(kit.handler, session)));
    assert.ok(responses.every((response) => response.status === 200));
    assert.equal(kit.upstream(RESULT_PATH), 1);
    kit.sim.faults.latencyMs = 0;
    simulated(kit.sim, session.sessionId).start();
    await expectStatus(kit.handler, session, 'in_progress');
    assert.equal(kit.upstream(RESULT_PATH), 2);
  });
});
