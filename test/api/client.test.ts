import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type ClientOptions } from '../../src/api/client.js';
import { IdvError } from '../../src/api/errors.js';
import type { IdvErrorCode } from '../../src/contract/errors.js';

const ENDPOINT = 'https://shop.example/api/idv';

/** `body` without `field`. */
const without = (body: object, field: string) =>
  Object.fromEntries(Object.entries(body).filter(([key]) => key !== field));

const sessionBody = (overrides: Record<string, unknown> = {}) => ({
  sessionId: 's-1',
  url: 'https://idv.example.com/flow/s-1',
  token: 'tok-1',
  expiresAt: '2030-01-01T00:00:00.000Z',
  status: 'pending',
  ...overrides,
});

const reportBody = (overrides: Record<string, unknown> = {}) => ({
  sessionId: 's-1',
  status: 'in_progress',
  verification: null,
  updatedAt: '2030-01-01T00:00:00.000Z',
  ...overrides,
});

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

type Answer = Response | ((request: Request, signal: AbortSignal) => Response | Promise<Response>);

/** A client whose `fetch` answers from `answers` in turn and records every request it is given. */
function clientWith(answers: Answer[], options: Partial<ClientOptions> = {}) {
  const requests: Request[] = [];
  const client = createClient({
    endpoint: ENDPOINT,
    ...options,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      requests.push(request);
      const answer = answers.shift();
      if (!answer) throw new Error('No answer left for ' + request.url);
      return typeof answer === 'function' ? answer(request, init!.signal!) : answer;
    },
  });
  return { client, requests };
}

/** Like a real `fetch` that gets no answer: pending (holding the event loop, as a socket does) until aborted. */
const hang = (_request: Request, signal: AbortSignal) =>
  new Promise<Response>((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const socket = setTimeout(() => reject(new Error('the test hung')), 60_000);
    signal.addEventListener('abort', () => {
      clearTimeout(socket);
      reject(signal.reason);
    });
  });

/** Like a real `fetch` whose answer sends its headers and part of the body, then stalls until aborted. */
const stallBody = (_request: Request, signal: AbortSignal) => {
  const socket = setTimeout(() => undefined, 60_000);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"sessionId":'));
      signal.addEventListener('abort', () => {
        clearTimeout(socket);
        controller.error(signal.reason);
      });
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } });
};

async function rejectsWith(promise: Promise<unknown>, code: IdvErrorCode): Promise<IdvError> {
  let caught: unknown;
  await assert.rejects(promise, (error) => {
    caught = error;
    return error instanceof IdvError && error.code === code;
  });
  return caught as IdvError;
}

describe('createSession', () => {
  it('POSTs the request as JSON to the endpoint and returns the parsed session', async () => {
    const { client, requests } = clientWith([json(sessionBody({ status: 'Pending' }), 201)]);
    const session = await client.createSession({ documentType: 'passport', username: 'ada' });
    assert.deepEqual(session, sessionBody());
    const [request] = requests;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, ENDPOINT);
    assert.equal(request.headers.get('Content-Type'), 'application/json');
    assert.equal(request.headers.get('Accept'), 'application/json');
    assert.deepEqual(await request.json(), { documentType: 'passport', username: 'ada' });
  });

  it('rejects a body that is not JSON, or empty, as bad_response with the HTTP status', async () => {
    for (const body of ['<html>oops</html>', '', '{"sessionId":']) {
      const { client } = clientWith([new Response(body, { status: 201 })]);
      const error = await rejectsWith(client.createSession({ documentType: 'passport' }), 'bad_response');
      assert.equal(error.status, 201);
      assert.equal(error.retryable, false);
    }
  });

  for (const field of ['url', 'sessionId', 'token', 'expiresAt', 'status']) {
    it(`rejects an answer without "${field}", or with a non-string one, as bad_response`, async () => {
      const { client } = clientWith([
        json(without(sessionBody(), field), 201),
        json(sessionBody({ [field]: 12 }), 201),
      ]);
      await rejectsWith(client.createSession({ documentType: 'passport' }), 'bad_response');
      await rejectsWith(client.createSession({ documentType: 'passport' }), 'bad_response');
    });
  }

  it('rejects an answer that is JSON but not an object', async () => {
    const { client } = clientWith([json([sessionBody()], 201), json(null, 201), json('s-1', 201)]);
    for (let i = 0; i < 3; i++) await rejectsWith(client.createSession({ documentType: 'passport' }), 'bad_response');
  });

  it('refuses a javascript:, data: or non-localhost http: hosted URL as unsafe_url', async () => {
    const unsafe = ['javascript:alert(document.cookie)', 'data:text/html;base64,PHNjcmlwdD4=', 'http://idv.example.com/flow'];
    for (const url of unsafe) {
      const { client } = clientWith([json(sessionBody({ url }), 201)]);
      const error = await rejectsWith(client.createSession({ documentType: 'passport' }), 'unsafe_url');
      assert.equal(error.retryable, false);
    }
  });

  it('accepts https: and http: on localhost or 127.0.0.1', async () => {
    for (const url of ['https://idv.example.com/flow', 'http://localhost:4173/flow', 'http://127.0.0.1:8787/flow']) {
      const { client } = clientWith([json(sessionBody({ url }), 201)]);
      assert.equal((await client.createSession({ documentType: 'passport' })).url, url);
    }
  });

  it('rejects an unknown status word as unknown_status', async () => {
    const { client } = clientWith([json(sessionBody({ status: 'approved' }), 201)]);
    await rejectsWith(client.createSession({ documentType: 'passport' }), 'unknown_status');
  });
});

describe('HTTP errors', () => {
  const cases: [number, IdvErrorCode, boolean][] = [
    [400, 'bad_request', false],
    [401, 'unauthorized', false],
    [403, 'forbidden', false],
    [404, 'not_found', false],
    [409, 'bad_response', false],
    [429, 'rate_limited', true],
    [500, 'server_error', true],
    [502, 'server_error', true],
    [503, 'server_error', true],
  ];

  for (const [status, code, retryable] of cases) {
    it(`${status} → ${code}, retryable ${retryable}, with the backend's message when it gives one`, async () => {
      const { client } = clientWith([
        json({ error: { code: 'whatever', message: `Backend says ${status}.` } }, status),
        new Response('<h1>Bad gateway</h1>', { status, statusText: 'Nope' }),
      ]);
      const first = await rejectsWith(client.createSession({ documentType: 'passport' }), code);
      assert.equal(first.status, status);
      assert.equal(first.retryable, retryable);
      assert.equal(first.message, `Backend says ${status}.`);
      const second = await rejectsWith(client.fetchStatus({ sessionId: 's-1', token: 't' }), code);
      assert.equal(second.status, status);
      assert.equal(second.retryable, retryable);
      assert.equal(second.message, `HTTP ${status} Nope`);
    });
  }

  it("uses the backend's retryable flag over the status's default", async () => {
    const { client } = clientWith([
      json({ error: { code: 'down', message: 'Gone for good.', retryable: false } }, 503),
      json({ error: { code: 'busy', message: 'Try again.', retryable: true } }, 409),
    ]);
    const first = await rejectsWith(client.createSession({ documentType: 'passport' }), 'server_error');
    assert.equal(first.retryable, false);
    const second = await rejectsWith(client.createSession({ documentType: 'passport' }), 'bad_response');
    assert.equal(second.retryable, true);
  });

  it('ignores an error body of the wrong shape', async () => {
    const { client } = clientWith([json({ error: { message: 3, retryable: 'yes' } }, 500)]);
    const error = await rejectsWith(client.createSession({ documentType: 'passport' }), 'server_error');
    assert.equal(error.message, 'HTTP 500');
    assert.equal(error.retryable, true);
  });

  it('parses Retry-After seconds into retryAfter ms, on 429 and 503', async () => {
    const { client } = clientWith([json({}, 429, { 'Retry-After': '7' }), json({}, 503, { 'Retry-After': '0' })]);
    const read = () => client.fetchStatus({ sessionId: 's-1', token: 't' });
    assert.equal((await rejectsWith(read(), 'rate_limited')).retryAfter, 7000);
    assert.equal((await rejectsWith(read(), 'server_error')).retryAfter, 0);
  });

  it('parses a Retry-After HTTP date into the ms left until then', async () => {
    const at = new Date(Date.now() + 120_000);
    const { client } = clientWith([json({}, 503, { 'Retry-After': at.toUTCString() })]);
    const { retryAfter } = await rejectsWith(client.fetchStatus({ sessionId: 's-1', token: 't' }), 'server_error');
    // The header has whole seconds: up to one second less than the two minutes.
    assert.ok(retryAfter !== undefined && retryAfter > 118_000 && retryAfter <= 120_000, String(retryAfter));
  });

  it('leaves retryAfter undefined without a usable Retry-After', async () => {
    const { client } = clientWith([json({}, 429), json({}, 429, { 'Retry-After': 'later' })]);
    const create = () => client.createSession({ documentType: 'passport' });
    assert.equal((await rejectsWith(create(), 'rate_limited')).retryAfter, undefined);
    assert.equal((await rejectsWith(create(), 'rate_limited')).retryAfter, undefined);
  });
});

describe('fetchStatus', () => {
  it('GETs {endpoint}/{sessionId} with the bearer token, uncached, and returns the parsed report', async () => {
    const { client, requests } = clientWith([json(reportBody({ status: 'In Progress' }))]);
    assert.deepEqual(await client.fetchStatus({ sessionId: 's-1', token: 'tok-1' }), reportBody());
    const [request] = requests;
    assert.equal(request.method, 'GET');
    assert.equal(request.url, `${ENDPOINT}/s-1`);
    assert.equal(request.headers.get('Authorization'), 'Bearer tok-1');
    assert.equal(request.headers.get('Accept'), 'application/json');
    assert.equal(request.headers.get('If-None-Match'), null);
    assert.equal(request.cache, 'no-store');
  });

  it('escapes the session id in the path', async () => {
    const { client, requests } = clientWith([json(reportBody({ sessionId: 'a/b c?d' }))]);
    await client.fetchStatus({ sessionId: 'a/b c?d', token: 't' });
    assert.equal(requests[0].url, `${ENDPOINT}/a%2Fb%20c%3Fd`);
  });

  it('sends the ETag back as If-None-Match and answers a 304 with the cached report', async () => {
    const completed = reportBody({ status: 'completed', verification: 'passed' });
    const { client, requests } = clientWith([
      json(reportBody(), 200, { ETag: '"v1"' }),
      new Response(null, { status: 304, headers: { ETag: '"v1"' } }),
      json(completed, 200, { ETag: '"v2"' }),
      json(completed),
      json(completed),
    ]);
    const session = { sessionId: 's-1', token: 'tok-1' };
    const first = await client.fetchStatus(session);
    assert.deepEqual(await client.fetchStatus(session), first);
    assert.equal(requests[1].headers.get('If-None-Match'), '"v1"');
    assert.deepEqual(await client.fetchStatus(session), completed);
    assert.equal(requests[2].headers.get('If-None-Match'), '"v1"');
    await client.fetchStatus(session);
    assert.equal(requests[3].headers.get('If-None-Match'), '"v2"');
    // The last answer had no ETag: nothing to revalidate any more.
    await client.fetchStatus(session);
    assert.equal(requests[4].headers.get('If-None-Match'), null);
  });

  it('asks the backend to hold a read (Prefer: wait, whole seconds) only when it has an ETag to compare with', async () => {
    const { client, requests } = clientWith([
      json(reportBody(), 200, { ETag: '"v1"' }),
      new Response(null, { status: 304, headers: { ETag: '"v1"' } }),
      new Response(null, { status: 304, headers: { ETag: '"v1"' } }),
      new Response(null, { status: 304, headers: { ETag: '"v1"' } }),
    ]);
    const session = { sessionId: 's-1', token: 'tok-1' };
    await client.fetchStatus(session, undefined, 2000);
    assert.equal(requests[0].headers.get('Prefer'), null, 'nothing to compare with yet');
    await client.fetchStatus(session, undefined, 2500);
    assert.equal(requests[1].headers.get('Prefer'), 'wait=2');
    assert.equal(requests[1].headers.get('If-None-Match'), '"v1"');
    await client.fetchStatus(session, undefined, 999);
    assert.equal(requests[2].headers.get('Prefer'), null, 'under a second: answer at once');
    await client.fetchStatus(session);
    assert.equal(requests[3].headers.get('Prefer'), null);
  });

  it('gives a held read its wait on top of the timeout', async () => {
    const slow = (ms: number, response: Response) => () => new Promise<Response>((resolve) => setTimeout(() => resolve(response), ms));
    const { client } = clientWith(
      [
        json(reportBody(), 200, { ETag: '"v1"' }),
        slow(150, new Response(null, { status: 304, headers: { ETag: '"v1"' } })),
        hang,
      ],
      { timeout: 100 },
    );
    const session = { sessionId: 's-1', token: 't' };
    await client.fetchStatus(session);
    assert.deepEqual(await client.fetchStatus(session, undefined, 1000), reportBody(), 'answered within 100 + 1000 ms');
    const error = await rejectsWith(client.fetchStatus(session, undefined, 1000), 'timeout');
    assert.match(error.message, /1100 ms/);
  });

  it("keeps ETags per session and never answers one session's read with another's report", async () => {
    const { client, requests } = clientWith([
      json(reportBody(), 200, { ETag: '"a"' }),
      json(reportBody({ sessionId: 's-2' }), 200, { ETag: '"b"' }),
      new Response(null, { status: 304 }),
    ]);
    await client.fetchStatus({ sessionId: 's-1', token: 't1' });
    await client.fetchStatus({ sessionId: 's-2', token: 't2' });
    assert.equal(requests[1].headers.get('If-None-Match'), null);
    assert.equal((await client.fetchStatus({ sessionId: 's-2', token: 't2' })).sessionId, 's-2');
    assert.equal(requests[2].headers.get('If-None-Match'), '"b"');
  });

  it('rejects a 304 it has nothing cached for', async () => {
    const { client } = clientWith([new Response(null, { status: 304 })]);
    const error = await rejectsWith(client.fetchStatus({ sessionId: 's-1', token: 't' }), 'bad_response');
    assert.equal(error.status, 304);
  });

  it('rejects a report about another session as bad_response', async () => {
    const { client } = clientWith([json(reportBody({ sessionId: 's-2' }))]);
    await rejectsWith(client.fetchStatus({ sessionId: 's-1', token: 't' }), 'bad_response');
  });

  it('rejects an unknown status word as unknown_status', async () => {
    const { client } = clientWith([json(reportBody({ status: 'approved' }))]);
    await rejectsWith(client.fetchStatus({ sessionId: 's-1', token: 't' }), 'unknown_status');
  });

  it('rejects missing or mistyped fields and non-JSON as bad_response', async () => {
    const { client } = clientWith([
      json({ sessionId: 's-1', status: 'pending', verification: null }),
      json(reportBody({ updatedAt: 1_893_456_000_000 })),
      json(reportBody({ status: 'completed', verification: null })),
      new Response('', { status: 200 }),
      new Response('OK', { status: 200 }),
    ]);
    for (let i = 0; i < 5; i++) await rejectsWith(client.fetchStatus({ sessionId: 's-1', token: 't' }), 'bad_response');
  });
});

describe('faults', () => {
  it('aborts a request that gets no answer within `timeout` as a retryable timeout', async () => {
    const { client, requests } = clientWith([hang, hang], { timeout: 50 });
    const error = await rejectsWith(client.createSession({ documentType: 'passport' }), 'timeout');
    assert.equal(error.retryable, true);
    await rejectsWith(client.fetchStatus({ sessionId: 's-1', token: 't' }), 'timeout');
    assert.ok(requests.every((request) => request.signal.aborted));
  });

  it('aborts an answer whose body stalls within `timeout` as a retryable timeout', async () => {
    const { client } = clientWith([stallBody, stallBody], { timeout: 50 });
    const error = await rejectsWith(client.fetchStatus({ sessionId: 's-1', token: 't' }), 'timeout');
    assert.equal(error.retryable, true);
    await rejectsWith(client.createSession({ documentType: 'passport' }), 'timeout');
  });

  it('turns a fetch that rejects into a retryable network_error with the cause', async () => {
    const failure = new TypeError('fetch failed');
    const { client } = clientWith([
      () => Promise.reject(failure),
      () => Promise.reject(failure),
    ]);
    const error = await rejectsWith(client.createSession({ documentType: 'passport' }), 'network_error');
    assert.equal(error.retryable, true);
    assert.equal(error.cause, failure);
    await rejectsWith(client.fetchStatus({ sessionId: 's-1', token: 't' }), 'network_error');
  });

  it("rejects with the caller's own abort reason, not an IdvError", async () => {
    const { client } = clientWith([hang, stallBody, hang]);
    const reason = new Error('the element was disconnected');
    for (const read of [
      (signal: AbortSignal) => client.createSession({ documentType: 'passport' }, signal),
      (signal: AbortSignal) => client.fetchStatus({ sessionId: 's-1', token: 't' }, signal),
    ]) {
      const controller = new AbortController();
      const pending = read(controller.signal);
      setImmediate(() => controller.abort(reason));
      await assert.rejects(pending, (error) => error === reason);
    }
    const aborted = AbortSignal.abort(reason);
    await assert.rejects(client.createSession({ documentType: 'passport' }, aborted), (error) => error === reason);
  });
});

describe('configuration', () => {
  it('merges requestInit headers and credentials into every request, the contract headers winning', async () => {
    const { client, requests } = clientWith([json(sessionBody(), 201), json(reportBody())], {
      requestInit: {
        headers: { 'X-CSRF-Token': 'csrf', Authorization: 'Basic page', Accept: 'text/html' },
        credentials: 'include',
        method: 'DELETE',
      },
    });
    await client.createSession({ documentType: 'id_card' });
    await client.fetchStatus({ sessionId: 's-1', token: 'tok-1' });
    const [post, get] = requests;
    assert.equal(post.method, 'POST');
    assert.equal(get.method, 'GET');
    for (const request of requests) {
      assert.equal(request.headers.get('X-CSRF-Token'), 'csrf');
      assert.equal(request.headers.get('Accept'), 'application/json');
      assert.equal(request.credentials, 'include');
    }
    assert.equal(post.headers.get('Authorization'), 'Basic page');
    assert.equal(get.headers.get('Authorization'), 'Bearer tok-1');
  });

  it('accepts requestInit headers as a Headers object or pairs', async () => {
    for (const headers of [new Headers({ 'X-Tenant': 'a' }), [['X-Tenant', 'a']] as [string, string][]]) {
      const { client, requests } = clientWith([json(sessionBody(), 201)], { requestInit: { headers } });
      await client.createSession({ documentType: 'passport' });
      assert.equal(requests[0].headers.get('X-Tenant'), 'a');
    }
  });

  it('resolves a relative endpoint against `base`', async () => {
    const { client, requests } = clientWith([json(sessionBody(), 201), json(reportBody())], {
      endpoint: '/api/idv',
      base: 'https://shop.example/checkout/page?step=2',
    });
    await client.createSession({ documentType: 'passport' });
    await client.fetchStatus({ sessionId: 's-1', token: 't' });
    assert.deepEqual(
      requests.map((request) => request.url),
      ['https://shop.example/api/idv', 'https://shop.example/api/idv/s-1'],
    );
    const relative = clientWith([json(sessionBody(), 201)], {
      endpoint: 'idv',
      base: 'https://shop.example/checkout/',
    });
    await relative.client.createSession({ documentType: 'passport' });
    assert.equal(relative.requests[0].url, 'https://shop.example/checkout/idv');
  });

  it('reads {endpoint}/{sessionId} with one slash when the endpoint ends with one, keeping its query', async () => {
    const cases = [
      ['https://shop.example/api/idv/', 'https://shop.example/api/idv/', 'https://shop.example/api/idv/s-1'],
      ['https://shop.example/idv?t=a', 'https://shop.example/idv?t=a', 'https://shop.example/idv/s-1?t=a'],
      ['https://shop.example/idv/?t=a&x=1', 'https://shop.example/idv/?t=a&x=1', 'https://shop.example/idv/s-1?t=a&x=1'],
    ];
    for (const [endpoint, post, get] of cases) {
      const { client, requests } = clientWith([json(sessionBody(), 201), json(reportBody())], { endpoint });
      await client.createSession({ documentType: 'passport' });
      await client.fetchStatus({ sessionId: 's-1', token: 't' });
      assert.deepEqual(requests.map((request) => request.url), [post, get], endpoint);
    }
  });

  it('refuses an endpoint it cannot resolve as invalid_config', () => {
    for (const endpoint of ['/api/idv', 'http://[broken']) {
      assert.throws(
        () => createClient({ endpoint, fetch: async () => json({}) }),
        (error) => error instanceof IdvError && error.code === 'invalid_config' && !error.retryable,
        endpoint,
      );
    }
  });
});

describe('with the platform fetch against a real server', () => {
  let server: Server;
  let endpoint: string;
  const seen: { method?: string; url?: string; authorization?: string; ifNoneMatch?: string }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      seen.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        ifNoneMatch: req.headers['if-none-match'],
      });
      if (req.method === 'POST') {
        res.writeHead(201, { 'Content-Type': 'application/json' });
        const { port } = server.address() as AddressInfo;
        res.end(JSON.stringify(sessionBody({ url: `http://localhost:${port}/flow` })));
      } else if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { ETag: '"v1"' }).end();
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"v1"' });
        res.end(JSON.stringify(reportBody()));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/idv`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('creates a session and revalidates its status with the ETag', async () => {
    const client = createClient({ endpoint });
    const session = await client.createSession({ documentType: 'driving_license' });
    const first = await client.fetchStatus(session);
    assert.deepEqual(await client.fetchStatus(session), first);
    assert.deepEqual(seen, [
      { method: 'POST', url: '/api/idv', authorization: undefined, ifNoneMatch: undefined },
      { method: 'GET', url: '/api/idv/s-1', authorization: 'Bearer tok-1', ifNoneMatch: undefined },
      { method: 'GET', url: '/api/idv/s-1', authorization: 'Bearer tok-1', ifNoneMatch: '"v1"' },
    ]);
  });
});
