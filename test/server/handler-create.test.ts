/**
 * `POST {base}`: creating a session through the handler, and every way a create is refused.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { startSimulator } from '../../src/simulator/index.js';
import type { IdvHandlerError } from '../../src/server/config.js';
import { createIdvHandler, MAX_BODY_BYTES } from '../../src/server/handler.js';
import { createMemoryStore } from '../../src/server/ledger/memory.js';
import type { LedgerStore } from '../../src/server/ledger/store.js';
import {
  BASE_PATH,
  CREATE_PATH,
  RESULT_PATH,
  configFor,
  countingFetch,
  createSession,
  expectError,
  expectStatus,
  readStatus,
  request,
  simulated,
  startKit,
  waitFor,
} from './kit-helpers.js';

const UID_PROBLEM = /^uid must be a whole number from 0 to 9007199254740991/;

const post = (body: unknown, headers: Record<string, string> = {}) => request('POST', BASE_PATH, { body, headers });

describe('createIdvHandler: POST {base}', () => {
  it('creates a 1Kosmos session: 201 { sessionId, url, token, expiresAt, status }', async (t) => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    const kit = await startKit(t, { config: { now: () => now } });
    const created = await createSession(kit.handler, { documentType: 'passport' });
    assert.equal(created.expiresAt, '2030-01-08T00:00:00.000Z', 'seven days by default');
    assert.equal(created.url, `${kit.sim.origin}/idproofing/session/${created.sessionId}`);
    const view = simulated(kit.sim, created.sessionId).view();
    assert.deepEqual([view.dvcID, view.documentType, view.status], ['default', 'ppt_object', 'Pending']);
    const claims = decodeJwt(created.token);
    assert.equal(claims.jti, created.sessionId);
    assert.equal(claims.exp, now / 1000 + 7 * 24 * 3600);
    assert.equal(kit.upstream(CREATE_PATH), 1);
  });

  it('accepts the contract words and 1Kosmos wire words for the document type', async (t) => {
    const kit = await startKit(t);
    const cases = [
      ['driving_license', 'dl_object'],
      ['id_card', 'idcard_object'],
      ['ppt_object', 'ppt_object'],
      ['dl_object', 'dl_object'],
    ];
    for (const [documentType, wire] of cases) {
      const created = await createSession(kit.handler, { documentType });
      assert.equal(simulated(kit.sim, created.sessionId).view().documentType, wire, documentType);
    }
  });

  it('sends the user fields to 1Kosmos (uid as a JSON integer, the seed\'s type) and they come back in onResult', async (t) => {
    const kit = await startKit(t);
    const created = await createSession(kit.handler, {
      documentType: 'id_card',
      username: ' ada ',
      firstname: 'Ada',
      lastname: 'x'.repeat(128),
      uid: 42,
    });
    simulated(kit.sim, created.sessionId).start();
    simulated(kit.sim, created.sessionId).document('pass');
    await expectStatus(kit.handler, created, 'completed', 'passed');
    await waitFor(() => kit.results.length === 1, 'onResult');
    const { user } = kit.results[0].result.raw.sessionData as { user: Record<string, unknown> };
    assert.deepEqual(user, { username: 'ada', firstname: 'Ada', lastname: 'x'.repeat(128), uid: 42 });
  });

  it('sends a uid given as a string of digits as the same JSON integer, however large while it is safe', async (t) => {
    const kit = await startKit(t);
    const uids = ['42', '9007199254740991', 9007199254740991];
    for (const uid of uids) {
      const created = await createSession(kit.handler, { documentType: 'passport', uid });
      simulated(kit.sim, created.sessionId).start();
      simulated(kit.sim, created.sessionId).document('pass');
      await expectStatus(kit.handler, created, 'completed', 'passed');
    }
    await waitFor(() => kit.results.length === uids.length, 'onResult');
    const sent = kit.results.map(({ result }) => (result.raw.sessionData as { user: { uid: unknown } }).user.uid);
    assert.deepEqual(sent, uids.map(Number));
  });

  it('uses the dvcID of the document type, and refuses a type that has none', async (t) => {
    const kit = await startKit(t, { config: { dvcID: { passport: 'selfie', driving_license: 'default' } } });
    const passport = await createSession(kit.handler, { documentType: 'passport' });
    assert.equal(simulated(kit.sim, passport.sessionId).view().dvcID, 'selfie');
    const licence = await createSession(kit.handler, { documentType: 'driving_license' });
    assert.equal(simulated(kit.sim, licence.sessionId).view().dvcID, 'default');
    const refused = await expectError(await kit.handler(post({ documentType: 'id_card' })), 400, 'bad_request');
    assert.match(refused.message, /id_card/);
    assert.equal(kit.upstream(CREATE_PATH), 2);
  });

  it('puts the authenticated subject in the token and in onResult\'s context', async (t) => {
    const kit = await startKit(t, {
      config: { authenticate: (req) => (req.headers.get('Cookie') === 'user=alice' ? 'alice' : null) },
    });
    const created = await createSession(kit.handler, { documentType: 'passport' }, { Cookie: 'user=alice' });
    assert.equal(decodeJwt(created.token).sub, 'alice');
    simulated(kit.sim, created.sessionId).decline();
    const response = await kit.handler(
      request('GET', `${BASE_PATH}/${created.sessionId}`, {
        headers: { Authorization: `Bearer ${created.token}`, Cookie: 'user=alice' },
      }),
    );
    assert.equal(response.status, 200);
    await waitFor(() => kit.results.length === 1, 'onResult');
    assert.equal(kit.results[0].context.subject, 'alice');
    assert.equal(kit.results[0].result.status, 'declined');
  });

  it('records the session in the ledger before answering 201', async (t) => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    const store = createMemoryStore();
    let created = 0;
    const kit = await startKit(t, {
      config: {
        now: () => now,
        authenticate: () => 'alice',
        store: {
          ...store,
          create: async (session) => {
            await new Promise((resolve) => setTimeout(resolve, 50));
            await store.create(session);
            created++;
          },
        },
      },
    });
    const session = await createSession(kit.handler, { documentType: 'id_card' });
    assert.equal(created, 1, 'the ledger write finished before the 201');
    assert.deepEqual(await store.read(session.sessionId), {
      sessionId: session.sessionId,
      status: 'pending',
      verification: null,
      updatedAt: now,
    });
    const [entry] = await store.list({});
    assert.deepEqual(
      { sessionId: entry.sessionId, dvcID: entry.dvcID, subject: entry.subject, createdAt: entry.createdAt, expiresAt: entry.expiresAt },
      { sessionId: session.sessionId, dvcID: 'default', subject: 'alice', createdAt: now, expiresAt: Date.parse(session.expiresAt) },
    );
    assert.equal(kit.upstream(RESULT_PATH), 0, 'creating asks 1Kosmos nothing but the create');
  });
});

/** A memory store whose writes of new sessions fail, or that cannot be opened at all. */
function brokenStore(broken: 'create' | 'open'): LedgerStore {
  const store = createMemoryStore();
  const down = () => Promise.reject(new Error('connect ECONNREFUSED db.internal:5432'));
  return broken === 'create' ? { ...store, create: down } : { ...store, open: down };
}

describe('createIdvHandler: POST {base} when the ledger is down', () => {
  it('503 store_unavailable with Retry-After 5 when the session cannot be recorded; onError sees it', async (t) => {
    const kit = await startKit(t, { config: { store: brokenStore('create') } });
    const response = await kit.handler(post({ documentType: 'passport' }));
    assert.equal(response.headers.get('Retry-After'), '5');
    const error = await expectError(response, 503, 'store_unavailable', kit.secrets);
    assert.equal(error.retryable, true);
    assert.doesNotMatch(error.message, /db\.internal|ECONNREFUSED/);
    const problems = kit.errors.filter((problem) => problem.stage === 'store');
    assert.equal(problems.length, 1);
    assert.match((problems[0].error as Error).message, /ECONNREFUSED/);
    assert.equal(typeof problems[0].sessionId, 'string', 'the session 1Kosmos created is named for the operator');
  });

  it('503 store_unavailable before 1Kosmos is asked when the ledger cannot be opened', async (t) => {
    const sim = await startSimulator({ port: 0 });
    t.after(() => sim.close());
    const counter = countingFetch();
    const errors: IdvHandlerError[] = [];
    const handler = createIdvHandler({
      ...configFor(sim),
      store: brokenStore('open'),
      fetch: counter.fetch,
      onError: (problem) => errors.push(problem),
    });
    t.after(() => handler.close());
    await assert.rejects(handler.ready(), /ECONNREFUSED/);
    const response = await handler(post({ documentType: 'passport' }));
    assert.equal(response.headers.get('Retry-After'), '5');
    await expectError(response, 503, 'store_unavailable');
    assert.equal(counter.count(CREATE_PATH), 0, 'no 1Kosmos session the ledger could not track');
    assert.equal(sim.stats.createCalls.default, undefined);
    assert.ok(errors.some((problem) => problem.stage === 'store'));
    const read = await readStatus(handler, { sessionId: 'any', token: 'not-a-token' });
    await expectError(read, 401, 'unauthorized');
  });
});

describe('createIdvHandler: POST {base} refusals', () => {
  it('400 for bodies that are not one JSON object of the allowed fields', async (t) => {
    const kit = await startKit(t);
    const cases: [string, string | Record<string, unknown>, RegExp][] = [
      ['bad JSON', '{"documentType":', /JSON/],
      ['empty body', '', /JSON/],
      ['JSON null', 'null', /object/],
      ['JSON array', '[]', /object/],
      ['JSON string', '"passport"', /object/],
      ['no documentType', {}, /documentType is required/],
      ['unknown documentType', { documentType: 'visa' }, /documentType must be passport, driving_license or id_card/],
      ['documentType not a string', { documentType: 7 }, /documentType/],
      ['extra field', { documentType: 'passport', email: 'a@b.example' }, /email is not allowed/],
      ['field too long', { documentType: 'passport', firstname: 'x'.repeat(129) }, /firstname must be at most 128 characters/],
      ['field not a string', { documentType: 'passport', lastname: ['x'] }, /lastname/],
      ['uid as object', { documentType: 'passport', uid: { id: 1 } }, UID_PROBLEM],
      ['uid fractional', { documentType: 'passport', uid: 1.5 }, UID_PROBLEM],
      ['uid not digits', { documentType: 'passport', uid: 'u-1' }, UID_PROBLEM],
      // 1Kosmos would be sent 1152921504606847000: a different user.
      ['uid beyond a safe integer', { documentType: 'passport', uid: '1152921504606846977' }, UID_PROBLEM],
      ['uid a number beyond a safe integer', { documentType: 'passport', uid: 2 ** 60 }, UID_PROBLEM],
      ['uid too long', { documentType: 'passport', uid: '9'.repeat(129) }, UID_PROBLEM],
    ];
    for (const [name, body, message] of cases) {
      const response = await kit.handler(
        typeof body === 'string' ? post(body, { 'Content-Type': 'application/json' }) : post(body),
      );
      const error = await expectError(response, 400, 'bad_request');
      assert.match(error.message, message, name);
      assert.doesNotMatch(error.message, /Invalid (key|type)/, `${name}: a message for people (${error.message})`);
    }
    assert.equal(kit.upstream(CREATE_PATH), 0, 'nothing reached 1Kosmos');
  });

  it('400 lists every problem of a body at once', async (t) => {
    const kit = await startKit(t);
    const error = await expectError(
      await kit.handler(post({ documentType: 'visa', firstname: 'x'.repeat(200), extra: true })),
      400,
      'bad_request',
    );
    assert.match(error.message, /documentType/);
    assert.match(error.message, /firstname/);
    assert.match(error.message, /extra/);
  });

  it('400 for a body that is not UTF-8', async (t) => {
    const kit = await startKit(t);
    const response = await kit.handler(
      new Request(`http://kit.test${BASE_PATH}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      }),
    );
    assert.match((await expectError(response, 400, 'bad_request')).message, /UTF-8/);
  });

  it('415 unless the body is declared application/json', async (t) => {
    const kit = await startKit(t);
    const body = JSON.stringify({ documentType: 'passport' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', undefined]) {
      const response = await kit.handler(
        new Request(`http://kit.test${BASE_PATH}`, {
          method: 'POST',
          headers: type ? { 'Content-Type': type } : {},
          body: type ? body : new TextEncoder().encode(body),
        }),
      );
      await expectError(response, 415, 'unsupported_media_type');
    }
    await createSession(kit.handler, { documentType: 'passport' }, { 'Content-Type': 'application/json; charset=UTF-8' });
    assert.equal(kit.upstream(CREATE_PATH), 1);
  });

  it('413 for a body over 16 KiB, declared by Content-Length or not', async (t) => {
    const kit = await startKit(t);
    const big = JSON.stringify({ documentType: 'passport', pad: 'x'.repeat(MAX_BODY_BYTES) });
    const declared = post(big, { 'Content-Type': 'application/json', 'Content-Length': String(big.length) });
    await expectError(await kit.handler(declared), 413, 'payload_too_large');

    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1024;
        controller.enqueue(new Uint8Array(1024).fill(0x20));
        if (pulled > 1024 * 1024) controller.close();
      },
    });
    const undeclared = new Request(`http://kit.test${BASE_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(undeclared.headers.get('Content-Length'), null);
    await expectError(await kit.handler(undeclared), 413, 'payload_too_large');
    assert.ok(pulled < 64 * 1024, 'the body was not read to its end');

    const justFits = JSON.stringify({ documentType: 'passport' }).padEnd(MAX_BODY_BYTES, ' ');
    assert.equal(
      (await kit.handler(post(justFits, { 'Content-Type': 'application/json' }))).status,
      201,
      'exactly 16 KiB is accepted',
    );
    assert.equal(kit.upstream(CREATE_PATH), 1);
  });

  it('401 when authenticate returns null, before 1Kosmos is asked', async (t) => {
    const kit = await startKit(t, { config: { authenticate: () => null } });
    await expectError(await kit.handler(post({ documentType: 'passport' })), 401, 'unauthorized');
    assert.equal(kit.upstream(CREATE_PATH), 0);
  });

  it('500 without details when authenticate throws; onError sees it', async (t) => {
    const kit = await startKit(t, {
      config: {
        authenticate: () => {
          throw new Error('session store down at db.internal:5432');
        },
      },
    });
    const error = await expectError(await kit.handler(post({ documentType: 'passport' })), 500, 'internal_error');
    assert.doesNotMatch(error.message, /db\.internal/);
    assert.equal(kit.errors.length, 1);
    assert.equal(kit.errors[0].stage, 'authenticate');
  });

  it('an onError that throws changes no answer', async (t) => {
    const kit = await startKit(t, {
      config: {
        authenticate: () => {
          throw new Error('session store down');
        },
        onError: () => {
          throw new Error('the logger is down');
        },
      },
    });
    await expectError(await kit.handler(post({ documentType: 'passport' })), 500, 'internal_error');
  });

  it('429 with Retry-After when the rateLimit hook says so', async (t) => {
    const seen: Request[] = [];
    let wait: number | null = 2.5;
    const kit = await startKit(t, {
      config: {
        rateLimit: (req) => {
          seen.push(req);
          return wait;
        },
      },
    });
    const response = await kit.handler(post({ documentType: 'passport' }));
    assert.equal(response.headers.get('Retry-After'), '3');
    const error = await expectError(response, 429, 'rate_limited');
    assert.equal(error.retryable, true);
    assert.equal(kit.upstream(CREATE_PATH), 0);
    assert.equal(seen[0].method, 'POST');
    wait = null;
    await createSession(kit.handler);
  });

  it('a rateLimit hook answering anything but a finite number above 0 lets the request through', async (t) => {
    let wait: unknown;
    const kit = await startKit(t, { config: { rateLimit: () => wait as number } });
    for (const value of [undefined, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5']) {
      wait = value;
      await createSession(kit.handler);
    }
    wait = 0.2;
    const response = await kit.handler(post({ documentType: 'passport' }));
    assert.equal(response.headers.get('Retry-After'), '1');
    await expectError(response, 429, 'rate_limited');
  });

  it('405 with Allow for other methods; 404 for paths outside the contract', async (t) => {
    const kit = await startKit(t);
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const response = await kit.handler(request(method, BASE_PATH));
      assert.equal(response.headers.get('Allow'), 'POST, OPTIONS', method);
      await expectError(response, 405, 'method_not_allowed');
    }
    const onSession = await kit.handler(request('POST', `${BASE_PATH}/abc`, { body: { documentType: 'passport' } }));
    assert.equal(onSession.headers.get('Allow'), 'GET, OPTIONS');
    await expectError(onSession, 405, 'method_not_allowed');
    for (const path of ['/', '/api', '/api/idvx', `${BASE_PATH}/a/b`, '/other/api/idv']) {
      await expectError(await kit.handler(request('POST', path, { body: { documentType: 'passport' } })), 404, 'not_found');
    }
    assert.equal(kit.upstream(CREATE_PATH), 0);
  });

  it('a trailing slash on the base path is the same endpoint', async (t) => {
    const kit = await startKit(t);
    const response = await kit.handler(request('POST', `${BASE_PATH}/`, { body: { documentType: 'passport' } }));
    assert.equal(response.status, 201);
  });

  it('502 when 1Kosmos cannot be reached, retryable; nothing is recorded in the ledger', async (t) => {
    const store = createMemoryStore();
    const kit = await startKit(t, { config: { store } });
    await kit.sim.close();
    const error = await expectError(await kit.handler(post({ documentType: 'passport' })), 502, 'upstream_unreachable', kit.secrets);
    assert.equal(error.retryable, true);
    assert.equal(kit.errors[0].stage, 'create');
    assert.deepEqual(await store.list({}), []);
  });

  it('502, not retryable and without 1Kosmos\'s words, when 1Kosmos refuses the configuration', async (t) => {
    const unknownWorkflow = await startKit(t, { config: { dvcID: 'no-such-workflow' } });
    const error = await expectError(
      await unknownWorkflow.handler(post({ documentType: 'passport' })),
      502,
      'upstream_rejected',
      unknownWorkflow.secrets,
    );
    assert.equal(error.retryable, false);
    assert.equal(unknownWorkflow.errors[0].stage, 'create');

    const wrongLicence = await startKit(t, { config: { licenseKey: 'not-the-licence-key' } });
    await expectError(await wrongLicence.handler(post({ documentType: 'passport' })), 502, 'upstream_rejected', [
      ...wrongLicence.secrets,
      'not-the-licence-key',
    ]);
  });

  it('502 when 1Kosmos answers something unusable', async (t) => {
    const kit = await startKit(t, { sim: { random: () => 0.9 } });
    kit.sim.faults.malformedRate = 1;
    const error = await expectError(await kit.handler(post({ documentType: 'passport' })), 502, 'upstream_error', kit.secrets);
    assert.equal(error.retryable, true);
  });

  it('504 when 1Kosmos is slower than timeoutMs', async (t) => {
    const kit = await startKit(t, { config: { timeoutMs: 100 } });
    kit.sim.faults.latencyMs = 2000;
    const error = await expectError(await kit.handler(post({ documentType: 'passport' })), 504, 'upstream_timeout', kit.secrets);
    assert.equal(error.retryable, true);
  });
});
