/**
 * Bad-input fuzzing of the backend kit's two routes (`POST {base}`, `GET {base}/{sessionId}`) with
 * fast-check, against a live simulator that keeps PII for 7 days (so every result the kit reads
 * carries PII) and injects upstream faults: random methods, paths, headers (Content-Type,
 * Content-Length lies, Authorization garbage, JWT-like strings, tokens signed with the right secret
 * but random claims), bodies (JSON, bytes, huge strings, deep nesting). Whatever comes in: never a
 * 500, never a stack trace, never a PII byte, key or secret, and every error is exactly
 * `{ error: { code, message, retryable } }` with a code that fits its HTTP status. Both the
 * fetch-API handler and its `node:http` adapter are fuzzed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, METHODS, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { SESSION_STATUSES, VERIFICATIONS } from '../../src/contract/vocabulary.js';
import { generateKeyPair } from '../../src/server/crypto.js';
import type { IdvHandlerConfig, IdvHandlerError } from '../../src/server/config.js';
import { createIdvHandler, type IdvHandler } from '../../src/server/handler.js';
import type { KosmosResult } from '../../src/server/result.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { PLACEHOLDER_IMAGE } from '../../src/simulator/results.js';
import {
  BASE_PATH,
  ORIGIN,
  TOKEN_SECRET,
  configFor,
  createSession,
  readStatus,
  simulated,
  waitFor,
  type Created,
} from '../server/kit-helpers.js';
import { seededRandom } from './seeded.js';

/** The user of every session created in the set-up: PII the kit sends to 1Kosmos and gets back. */
const USER = { username: 'pii-user-7f3a9c', firstname: 'Quirinus', lastname: 'Zebedee-Marlowe', uid: '424242917313' };
/** The simulator's synthetic document PII (src/simulator/results.ts): names, numbers, birth date, MRZ. */
const SYNTHETIC_PII = ['JORDAN', 'SPECIMEN', 'P0000002', '19850615', 'P<XXX', PLACEHOLDER_IMAGE];

const STATUS_CODES: Record<number, string[]> = {
  400: ['bad_request'],
  401: ['unauthorized'],
  403: ['forbidden', 'origin_not_allowed'],
  404: ['not_found'],
  405: ['method_not_allowed'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
  502: ['upstream_error', 'upstream_unreachable', 'upstream_rejected'],
  503: ['upstream_busy'],
  504: ['upstream_timeout'],
};
const STACK = /\n\s*at\s|node:internal|file:\/\/|\/work\/|\/node_modules\/|\w+Error: /;
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

let sim: Simulator;
let plain: IdvHandler;
let guarded: IdvHandler;
const servers: Server[] = [];
const ports = new Map<'plain' | 'guarded', number>();
const sessions: Created[] = [];
const results: KosmosResult[] = [];
const problems: IdvHandlerError[] = [];
/** Strings no answer may carry: the PII the kit has held, the license key, the key pair, the token secret. */
let forbidden: string[] = [];
/** The statuses answered in the current test. */
const seen = new Set<number>();

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

before(async () => {
  sim = await startSimulator({ port: 0, piiRetention: { ttl: 0 }, random: seededRandom(0xf022) });
  const keyPair = generateKeyPair();
  // One ledger (configFor's memory store) for both instances, as one database behind two servers.
  const config: IdvHandlerConfig = {
    ...configFor(sim, keyPair),
    onResult: (result) => {
      results.push(result);
    },
    onError: (problem) => {
      problems.push(problem);
    },
  };
  plain = createIdvHandler(config);
  guarded = createIdvHandler({
    ...config,
    authenticate: (request) => request.headers.get('x-user'),
    allowedOrigins: ['https://shop.example'],
  });
  await Promise.all([plain.ready(), guarded.ready()]);
  for (const [name, handler] of [['plain', plain], ['guarded', guarded]] as const) {
    const server = createServer((req, res) => void handler.node(req, res));
    servers.push(server);
    ports.set(name, await listen(server));
  }

  // Sessions in every state, each read once (so that the collector asks about them at once), until
  // the kit has held their PII.
  const drive: ((id: string) => void)[] = [
    (id) => (simulated(sim, id).start(), simulated(sim, id).document('pass')),
    (id) => (simulated(sim, id).start(), simulated(sim, id).document('fail', 'IDV0010')),
    (id) => (simulated(sim, id).start(), simulated(sim, id).document('not_performed')),
    (id) => simulated(sim, id).decline(),
    (id) => simulated(sim, id).start(),
    () => {},
  ];
  for (const step of drive) {
    const session = await createSession(plain, { documentType: 'passport', ...USER });
    step(session.sessionId);
    sessions.push(session);
  }
  const owned = await createSession(guarded, { documentType: 'ppt_object', ...USER }, { 'x-user': 'alice' });
  simulated(sim, owned.sessionId).start();
  simulated(sim, owned.sessionId).document('pass');
  sessions.push(owned);
  for (const session of sessions) {
    const response =
      session === owned ? await readStatus(guarded, session, { 'x-user': 'alice' }) : await readStatus(plain, session);
    assert.equal(response.status, 200, await response.text());
  }

  await waitFor(() => results.length === 5, 'the final results of the five sessions that ended');
  const held = results.filter((result) => result.hasPII);
  assert.equal(held.length, 4, 'the kit has held the PII of every completed session');
  const proofs = held.flatMap((result) => {
    const document = result.raw.document as Record<string, string> | undefined;
    return document ? [document.proof_jwt, document.proofedBy] : [];
  });
  forbidden = [...Object.values(USER), ...SYNTHETIC_PII, ...proofs, sim.licenseKey, keyPair.privateKey, TOKEN_SECRET];
  const everything = JSON.stringify(held.map((result) => result.raw));
  for (const pii of [...Object.values(USER), ...SYNTHETIC_PII, ...proofs]) {
    assert.ok(everything.includes(pii), `the kit's results carry ${pii.slice(0, 20)}`);
  }
  sim.faults.update({ errorRate: 0.15, malformedRate: 0.1 });
});

after(async () => {
  await plain?.close();
  await guarded?.close();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await sim?.close();
});

// ---------------------------------------------------------------- what a request is made of

const latin1 = fc
  .integer({ min: 0x20, max: 0xff })
  .filter((code) => code < 0x7f || code > 0x9f)
  .map((code) => String.fromCharCode(code));
const headerValue = fc.string({ unit: latin1, maxLength: 200 });
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary', maxLength: 40 }));

type Auth =
  | { kind: 'none' }
  | { kind: 'raw'; value: string }
  | { kind: 'real'; prefix: string; index: number }
  | { kind: 'jwtlike'; prefix: string; parts: string[] }
  | { kind: 'signed'; prefix: string; claims: Record<string, unknown>; secret: string; alg: 'HS256' | 'HS512' };

type Body =
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'huge'; size: number }
  | { kind: 'deep'; depth: number; shape: 'array' | 'object' | 'documentType' };

type Path =
  | { kind: 'fixed'; path: string }
  | { kind: 'session'; index: number; suffix: string }
  /** The session the Authorization header's token is (or claims to be) for. */
  | { kind: 'claimed' }
  | { kind: 'segment'; segment: string; encode: boolean }
  | { kind: 'long'; length: number };

interface Case {
  target: 'plain' | 'guarded';
  method: string;
  path: Path;
  headers: Record<string, string>;
  auth: Auth;
  body: Body;
}

const prefix = fc.constantFrom('Bearer ', 'bearer ', 'Bearer   ', 'BEARER\t', 'Basic ', '', 'Bearer');
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const base64url = fc.string({ unit: fc.constantFrom(...BASE64URL), maxLength: 60 });

function caseArbitrary(sessionIds: string[]): fc.Arbitrary<Case> {
  const index = fc.nat({ max: sessionIds.length - 1 });
  const claims = fc.record(
    {
      jti: fc.oneof(fc.constantFrom(...sessionIds), anyString, fc.integer()),
      dvc: fc.oneof(fc.constantFrom('default', 'selfie', '', ' '), anyString, fc.jsonValue()),
      sub: fc.oneof(fc.constantFrom('alice', 'bob'), anyString, fc.integer()),
      aud: fc.oneof(fc.constant('kosmos-idv-status'), anyString, fc.array(fc.constantFrom('kosmos-idv-status', 'x'))),
      exp: fc.oneof(
        fc.integer({ min: 1, max: 4_000_000_000 }),
        fc.double({ noDefaultInfinity: true, noNaN: true }),
        fc.constantFrom(0, -1, 1e308),
        anyString,
      ),
      iat: fc.oneof(fc.integer({ min: 0, max: 4_000_000_000 }), anyString),
      nbf: fc.integer({ min: 0, max: 4_000_000_000 }),
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  );
  const auth: fc.Arbitrary<Auth> = fc.oneof(
    fc.constant<Auth>({ kind: 'none' }),
    headerValue.map((value): Auth => ({ kind: 'raw', value })),
    fc.record({ kind: fc.constant('real' as const), prefix, index }),
    fc.record({ kind: fc.constant('jwtlike' as const), prefix, parts: fc.array(base64url, { minLength: 1, maxLength: 4 }) }),
    fc.record({
      kind: fc.constant('signed' as const),
      prefix: fc.constant('Bearer '),
      claims,
      secret: fc.constantFrom(TOKEN_SECRET, TOKEN_SECRET, 'a-different-secret-of-at-least-32-chars'),
      alg: fc.constantFrom('HS256' as const, 'HS256' as const, 'HS512' as const),
    }),
  );
  const createBody = fc.record(
    {
      documentType: fc.oneof(
        fc.constantFrom('passport', 'driving_license', 'id_card', 'ppt_object', 'ID Card', 'visa', ''),
        anyString,
        fc.jsonValue(),
      ),
      username: fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue()),
      firstname: fc.string({ maxLength: 140 }),
      lastname: fc.oneof(fc.string(), fc.constant(null)),
      uid: fc.oneof(fc.integer(), fc.double(), anyString, fc.jsonValue()),
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  );
  const body: fc.Arbitrary<Body> = fc.oneof(
    fc.constant<Body>({ kind: 'none' }),
    fc.oneof(createBody, fc.jsonValue()).map((value): Body => ({ kind: 'text', text: JSON.stringify(value) ?? '' })),
    anyString.map((text): Body => ({ kind: 'text', text })),
    fc.uint8Array({ maxLength: 2000 }).map((bytes): Body => ({ kind: 'bytes', bytes })),
    fc.integer({ min: 16 * 1024 - 64, max: 200_000 }).map((size): Body => ({ kind: 'huge', size })),
    fc.record({
      kind: fc.constant('deep' as const),
      depth: fc.integer({ min: 1, max: 6000 }),
      shape: fc.constantFrom('array' as const, 'object' as const, 'documentType' as const),
    }),
  );
  const path: fc.Arbitrary<Path> = fc.oneof(
    fc
      .constantFrom(
        BASE_PATH,
        `${BASE_PATH}/`,
        `${BASE_PATH}//`,
        '/API/IDV',
        `/${BASE_PATH}`,
        `${BASE_PATH}?documentType=passport`,
        `${BASE_PATH}/../idv`,
        `${BASE_PATH}/..`,
        `${BASE_PATH}/%2e%2e`,
        `${BASE_PATH}/%2e%2e%2f%2e%2e%2fetc%2fpasswd`,
        `${BASE_PATH}/a/b`,
        `${BASE_PATH}/%E0%A4%A`,
        `${BASE_PATH}/%`,
        `${BASE_PATH}/%00`,
        `${BASE_PATH}x`,
        '/api',
        '/',
        '/api/idv/__proto__',
        '/api/idv/constructor',
      )
      .map((fixed): Path => ({ kind: 'fixed', path: fixed })),
    fc.record({
      kind: fc.constant('session' as const),
      index,
      suffix: fc.constantFrom('', '/', '%00', '/x', '?q=1', '%2Fx', '/..', '#frag'),
    }),
    fc.constant<Path>({ kind: 'claimed' }),
    fc.record({
      kind: fc.constant('segment' as const),
      segment: fc.oneof(anyString, fc.constantFrom('%', '%E0%A4%A', '%zz', '%C0%AF', '..%2F..', '%00', '%ff', '%F0%9F%98')),
      encode: fc.boolean(),
    }),
    fc.integer({ min: 200, max: 30_000 }).map((length): Path => ({ kind: 'long', length })),
  );
  const headers = fc.record(
    {
      'content-type': fc.oneof(
        fc.constantFrom(
          'application/json',
          'application/json',
          'application/json; charset=utf-8',
          'APPLICATION/JSON ;charset=latin1',
          'application/jsonx',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded',
          '',
        ),
        headerValue,
      ),
      'content-length': fc.oneof(
        fc.integer({ min: -10, max: 1_000_000 }).map(String),
        fc.constantFrom('abc', '1e9', '0x10', ' 5 ', 'Infinity', '-0', '99999999999999999999', ''),
      ),
      'if-none-match': fc.oneof(headerValue, fc.constant('*')),
      origin: fc.oneof(
        fc.constantFrom('https://shop.example', ORIGIN, 'null', 'http://evil.test', 'not a url'),
        headerValue,
      ),
      'x-user': fc.oneof(fc.constantFrom('alice', 'bob', ''), headerValue),
      accept: headerValue,
      host: fc.oneof(fc.constantFrom('kit.test', 'KIT.test:80', 'a b', 'a@b', 'x:99999', '[::1', ''), headerValue),
    },
    { requiredKeys: [] },
  );
  const anyCase = fc.record({
    target: fc.constantFrom('plain' as const, 'guarded' as const),
    method: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'get', 'post') },
      {
        weight: 1,
        arbitrary: fc
          .stringMatching(/^[A-Za-z][A-Za-z-]{0,11}$/)
          .filter((method) => !FORBIDDEN_METHODS.has(method.toUpperCase())),
      },
    ),
    path,
    headers,
    auth,
    body,
  });
  // Valid requests (a create, or a status read with the session's own token) with some parts
  // swapped for random ones, so that the fuzzing also reaches the deeper checks and 1Kosmos.
  const validBody = fc.record(
    {
      documentType: fc.constantFrom('passport', 'driving_license', 'id_card', 'ppt_object', 'DL_OBJECT', 'ID Card'),
      username: fc.string({ maxLength: 128 }),
      firstname: fc.string({ maxLength: 20 }),
      lastname: fc.string({ maxLength: 20 }),
      uid: fc.oneof(fc.stringMatching(/^\d{1,15}$/), fc.nat()),
    },
    { requiredKeys: ['documentType'] },
  );
  const validCreate = fc.record({
    target: fc.constant('plain' as const),
    method: fc.constant('POST'),
    path: fc.constant<Path>({ kind: 'fixed', path: BASE_PATH }),
    headers: fc.oneof(
      { weight: 4, arbitrary: fc.constant({ 'content-type': 'application/json' }) },
      fc.nat({ max: 100_000 }).map((length) => ({ 'content-type': 'application/json', 'content-length': String(length) })),
      fc.constantFrom('text/plain', 'application/jsonp', '').map((type) => ({ 'content-type': type })),
    ),
    auth: fc.constant<Auth>({ kind: 'none' }),
    body: fc.oneof(
      { weight: 4, arbitrary: validBody.map((value): Body => ({ kind: 'text', text: JSON.stringify(value) })) },
      fc.integer({ min: 16 * 1024 - 64, max: 200_000 }).map((size): Body => ({ kind: 'huge', size })),
    ),
  });
  const validRead = fc.record({
    target: fc.constant('plain' as const),
    method: fc.constant('GET'),
    path: fc.oneof(
      { weight: 4, arbitrary: fc.constant<Path>({ kind: 'claimed' }) },
      fc.constantFrom<Path>({ kind: 'session', index: 0, suffix: '/x' }, { kind: 'fixed', path: `${BASE_PATH}x` }),
    ),
    headers: fc.constant({}),
    auth: index.map((i): Auth => ({ kind: 'real', prefix: 'Bearer ', index: i })),
    body: fc.constant<Body>({ kind: 'none' }),
  });
  const parts = ['target', 'method', 'path', 'headers', 'auth', 'body'] as const;
  const nearlyValid = fc
    .tuple(fc.oneof(validCreate, validRead), anyCase, fc.subarray([...parts], { maxLength: 2 }))
    .map(([valid, random, swapped]): Case => {
      const c: Case = { ...valid, headers: { ...valid.headers } };
      for (const part of swapped) {
        if (part === 'headers') Object.assign(c.headers, random.headers);
        else Object.assign(c, { [part]: random[part] });
      }
      return c;
    });
  return fc.oneof(anyCase, nearlyValid);
}

// ---------------------------------------------------------------- building and checking requests

async function authorization(auth: Auth): Promise<string | undefined> {
  switch (auth.kind) {
    case 'none':
      return undefined;
    case 'raw':
      return auth.value;
    case 'real':
      return `${auth.prefix}${sessions[auth.index].token}`;
    case 'jwtlike':
      return `${auth.prefix}${auth.parts.join('.')}`;
    case 'signed':
      return `${auth.prefix}${await new SignJWT(auth.claims)
        .setProtectedHeader({ alg: auth.alg, typ: 'JWT' })
        .sign(new TextEncoder().encode(auth.secret))}`;
  }
}

function bodyBytes(body: Body): Uint8Array<ArrayBuffer> | undefined {
  const text = (value: string) => new TextEncoder().encode(value);
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'text':
      return text(body.text);
    case 'bytes':
      return new Uint8Array(body.bytes);
    case 'huge':
      return text(JSON.stringify({ documentType: 'passport', username: 'x'.repeat(body.size) }));
    case 'deep': {
      const { depth } = body;
      if (body.shape === 'array') return text(`${'['.repeat(depth)}${']'.repeat(depth)}`);
      const nested = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      return text(body.shape === 'object' ? nested : `{"documentType":${nested}}`);
    }
  }
}

function pathOf(c: Case): string {
  const { path } = c;
  switch (path.kind) {
    case 'fixed':
      return path.path;
    case 'session':
      return `${BASE_PATH}/${sessions[path.index].sessionId}${path.suffix}`;
    case 'claimed': {
      const { auth } = c;
      const id = auth.kind === 'real' ? sessions[auth.index].sessionId : auth.kind === 'signed' ? auth.claims.jti : 'none';
      return `${BASE_PATH}/${encodeURIComponent(String(id))}`;
    }
    case 'segment':
      return `${BASE_PATH}/${path.encode ? encodeURIComponent(path.segment) : path.segment}`;
    case 'long':
      return `${BASE_PATH}/${'a'.repeat(path.length)}`;
  }
}

/** Checks one answer against the contract and the no-leak rules; `text` is its whole body. */
function checkAnswer(status: number, headers: Headers, text: string, hasBody: boolean): void {
  seen.add(status);
  assert.notEqual(status, 500, `a 500: ${text}`);
  const everything = `${text}\n${[...headers].map(([name, value]) => `${name}: ${value}`).join('\n')}`;
  assert.doesNotMatch(everything, STACK, 'no stack trace');
  for (const secret of forbidden) {
    assert.ok(!everything.includes(secret), `leaked ${secret.slice(0, 24)}… in ${status} ${text.slice(0, 300)}`);
  }
  if (!hasBody || status === 204 || status === 304) {
    assert.ok([204, 304].includes(status) || !hasBody, `status ${status}`);
    assert.equal(text, '', 'no body');
    return;
  }
  assert.match(headers.get('Content-Type') ?? '', /^application\/json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  if (status === 200) {
    assert.deepEqual(Object.keys(body).sort(), ['sessionId', 'status', 'updatedAt', 'verification']);
    assert.ok((SESSION_STATUSES as readonly unknown[]).includes(body.status));
    assert.ok(body.verification === null || (VERIFICATIONS as readonly unknown[]).includes(body.verification));
    return;
  }
  if (status === 201) {
    assert.deepEqual(Object.keys(body).sort(), ['expiresAt', 'sessionId', 'status', 'token', 'url']);
    return;
  }
  assert.ok(STATUS_CODES[status], `unexpected status ${status}: ${text.slice(0, 300)}`);
  assert.deepEqual(Object.keys(body), ['error']);
  const error = body.error as Record<string, unknown>;
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message', 'retryable']);
  assert.ok(STATUS_CODES[status].includes(error.code as string), `code ${String(error.code)} for ${status}`);
  assert.equal(typeof error.message, 'string');
  assert.ok((error.message as string).length > 0);
  assert.equal(typeof error.retryable, 'boolean');
}

/** Sends a case to the fetch-API handler (Content-Length lies included). */
async function sendToHandler(c: Case): Promise<void> {
  const method = c.method;
  const noBody = ['GET', 'HEAD'].includes(method.toUpperCase());
  const headers = new Headers(c.headers);
  const auth = await authorization(c.auth);
  if (auth !== undefined) headers.set('Authorization', auth);
  const request = new Request(`${ORIGIN}${pathOf(c)}`, {
    method,
    headers,
    body: noBody ? undefined : bodyBytes(c.body),
  });
  const response = await (c.target === 'plain' ? plain : guarded)(request);
  checkAnswer(response.status, response.headers, await response.text(), true);
}

/** Sends a case over HTTP to the `node:http` adapter (the body's real length is declared); resolves with the status. */
async function sendOverHttp(c: Case): Promise<number> {
  const raw = pathOf(c);
  const path = /^[\x21-\x7e]*$/.test(raw) ? raw : new URL(raw, ORIGIN).pathname;
  const body = bodyBytes(c.body);
  const headers: Record<string, string> = { ...c.headers, 'content-length': String(body?.byteLength ?? 0) };
  const auth = await authorization(c.auth);
  if (auth !== undefined) headers.authorization = auth;
  const answer = await new Promise<{ status: number; headers: Headers; text: string }>((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: ports.get(c.target), method: c.method, path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const received = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) received.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          resolve({ status: res.statusCode ?? 0, headers: received, text: Buffer.concat(chunks).toString() });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  checkAnswer(answer.status, answer.headers, answer.text, c.method !== 'HEAD');
  return answer.status;
}

/** `GET {base}/x` with nothing else. */
const EMPTY_GET: Case = {
  target: 'plain',
  method: 'GET',
  path: { kind: 'fixed', path: `${BASE_PATH}/x` },
  headers: {},
  auth: { kind: 'none' },
  body: { kind: 'none' },
};

/**
 * Runs a property over fresh cases, then checks that the cases reached every answer in `expected`
 * (a fuzzer stuck on 404s proves nothing) and that no request failed unexpectedly inside the kit.
 */
async function fuzz(property: fc.IAsyncProperty<[Case]>, numRuns: number, expected: number[]): Promise<void> {
  seen.clear();
  const before = problems.length;
  // A fixed seed: the coverage check below must not depend on the luck of the draw. Set
  // FUZZ_SEED to explore other cases.
  await fc.assert(property, { numRuns, seed: Number(process.env.FUZZ_SEED ?? 20261125) });
  for (const status of expected) {
    assert.ok(seen.has(status), `the fuzzing reached a ${status} (seen: ${[...seen].sort().join(', ')})`);
  }
  assert.deepEqual(problems.slice(before).filter((problem) => problem.stage === 'request'), []);
}

describe('the backend kit under bad input', () => {
  it('fetch-API handler: never a 500, a stack, a PII byte or a secret; errors always in the contract shape', async () => {
    const cases = caseArbitrary(sessions.map((session) => session.sessionId));
    await fuzz(fc.asyncProperty(cases, sendToHandler), 300, [200, 201, 204, 400, 401, 403, 404, 405, 413, 415, 502]);
  });

  it('node:http adapter: the same, over real HTTP', async () => {
    // Only methods Node's HTTP parser accepts, and paths within its 16 KiB header limit: the rest
    // never reaches the kit.
    const cases = caseArbitrary(sessions.map((session) => session.sessionId)).map((c) => ({
      ...c,
      method: METHODS.includes(c.method) && c.method !== 'CONNECT' ? c.method : 'POST',
      path: c.path.kind === 'long' ? { ...c.path, length: Math.min(c.path.length, 8000) } : c.path,
    }));
    await fuzz(
      fc.asyncProperty(cases, async (c) => void (await sendOverHttp(c))),
      150,
      [200, 201, 400, 401, 403, 404, 405],
    );
  });

  it('node:http adapter: a request URL that makes no fetch-API Request gets the contract 400 too', async () => {
    const unreadable: Case[] = [
      { ...EMPTY_GET, path: { kind: 'segment', segment: '\\', encode: false } },
      { ...EMPTY_GET, headers: { host: 'a b' } },
      { ...EMPTY_GET, headers: { host: 'a@b' } },
    ];
    for (const c of unreadable) assert.equal(await sendOverHttp(c), 400, JSON.stringify(c));
  });
});
