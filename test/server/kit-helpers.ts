/**
 * Shared set-up for the backend kit's tests: a live simulator, a `createIdvHandler` pointed at it
 * (with a fetch that counts the kit's upstream calls), and assertions on the contract's bodies.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { generateKeyPair, type KosmosKeyPair } from '../../src/server/crypto.js';
import type { IdvHandlerConfig, IdvHandlerError, ResultContext } from '../../src/server/config.js';
import { createIdvHandler, type IdvHandler } from '../../src/server/handler.js';
import { createMemoryStore } from '../../src/server/ledger/memory.js';
import type { LedgerEntry, LedgerStore } from '../../src/server/ledger/store.js';
import type { KosmosResult } from '../../src/server/result.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';
import { open, press } from '../simulator/browser.js';

/** The origin the fetch-API handler is called on in these tests. */
export const ORIGIN = 'http://kit.test';
export const BASE_PATH = '/api/idv';
export const TOKEN_SECRET = 'kit-tests-token-secret-0123456789abcdef';
export const STORE_KEY = 'kit-tests-store-key-0123456789abcdefghij';
export const RESULT_PATH = '/docuverify/v3/document_share_session/result';
export const CREATE_PATH = '/docuverify/document_share_session/create';
export const PUBLIC_KEYS_PATH = '/docuverify/publickeys';

/** Wraps a fetch and counts the requests it makes, by path. */
export function countingFetch(inner: typeof fetch = fetch) {
  const paths: string[] = [];
  const counted: typeof fetch = (input, init) => {
    paths.push(new URL(String(input instanceof Request ? input.url : input)).pathname);
    return inner(input, init);
  };
  return { fetch: counted, count: (path: string) => paths.filter((item) => item === path).length };
}

export interface Kit {
  sim: Simulator;
  handler: IdvHandler;
  keyPair: KosmosKeyPair;
  /** Every `onResult` call, in order. */
  results: { result: KosmosResult; context: ResultContext }[];
  /** Every `onError` report, in order. */
  errors: IdvHandlerError[];
  /** How many upstream requests the kit made to a path (e.g. {@link RESULT_PATH}). */
  upstream: (path: string) => number;
  /** Strings no answer may ever contain: license key, key material, token secret. */
  secrets: string[];
}

export interface KitOptions {
  sim?: SimulatorOptions;
  /** Overrides of the handler's configuration (`onResult` defaults to recording into `results`). */
  config?: Partial<IdvHandlerConfig>;
  /** A running simulator to reuse instead of starting one. */
  simulator?: Simulator;
}

/** The handler's configuration for a simulator, with a fresh key pair and a memory store of its own. */
export function configFor(sim: Simulator, keyPair: KosmosKeyPair = generateKeyPair()): IdvHandlerConfig {
  return {
    tenantDNS: sim.tenantDNS,
    communityName: sim.communityName,
    dvcID: 'default',
    licenseKey: sim.licenseKey,
    keyPair,
    tokenSecret: TOKEN_SECRET,
    storeKey: STORE_KEY,
    store: createMemoryStore(),
    // These tests create sessions without authenticate or rateLimit, on purpose.
    public: true,
  };
}

/** A simulator and a handler in front of it; both are closed when the test ends. */
export async function startKit(t: TestContext, options: KitOptions = {}): Promise<Kit> {
  const sim = options.simulator ?? (await startSimulator({ port: 0, ...options.sim }));
  if (!options.simulator) t.after(() => sim.close());
  const keyPair = generateKeyPair();
  const results: Kit['results'] = [];
  const errors: IdvHandlerError[] = [];
  const counter = countingFetch(options.config?.fetch);
  const handler = createIdvHandler({
    ...configFor(sim, keyPair),
    onResult: (result, context) => {
      results.push({ result, context });
    },
    onError: (problem) => {
      errors.push(problem);
    },
    ...options.config,
    fetch: counter.fetch,
  });
  t.after(() => handler.close());
  await handler.ready();
  return {
    sim,
    handler,
    keyPair,
    results,
    errors,
    upstream: counter.count,
    secrets: [sim.licenseKey, keyPair.privateKey, keyPair.publicKey, TOKEN_SECRET, STORE_KEY, sim.servicePublicKey],
  };
}

/** A request to the fetch-API handler; a plain-object body is sent as JSON. */
export function request(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Request {
  const json = options.body !== undefined && typeof options.body !== 'string';
  return new Request(`${ORIGIN}${path}`, {
    method,
    headers: { ...(json ? { 'Content-Type': 'application/json' } : {}), ...options.headers },
    body: json ? JSON.stringify(options.body) : (options.body as string | undefined),
  });
}

/** The contract's create answer. */
export interface Created {
  sessionId: string;
  url: string;
  token: string;
  expiresAt: string;
  status: string;
}

/** Creates a session through the handler and checks the 201 answer's shape. */
export async function createSession(
  handler: (request: Request) => Promise<Response>,
  body: Record<string, unknown> = { documentType: 'passport' },
  headers: Record<string, string> = {},
): Promise<Created> {
  const response = await handler(request('POST', BASE_PATH, { body, headers }));
  assert.equal(response.status, 201, await response.clone().text());
  const created = (await response.json()) as Created;
  assert.deepEqual(Object.keys(created).sort(), ['expiresAt', 'sessionId', 'status', 'token', 'url']);
  assert.equal(created.status, 'pending');
  assert.ok(!Number.isNaN(Date.parse(created.expiresAt)), 'expiresAt is a date');
  return created;
}

/** GET {base}/{sessionId} through the handler with the session's token. */
export function readStatus(
  handler: (request: Request) => Promise<Response>,
  session: Pick<Created, 'sessionId' | 'token'>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return handler(
    request('GET', `${BASE_PATH}/${session.sessionId}`, {
      headers: { Authorization: `Bearer ${session.token}`, ...headers },
    }),
  );
}

export interface StatusBody {
  sessionId: string;
  status: string;
  verification: string | null;
  updatedAt: string;
}

/**
 * Checks a status body: exactly sessionId/status/verification/updatedAt (so no PII can ride
 * along), with the expected values.
 */
export function assertStatusBody(
  body: unknown,
  expected: { sessionId: string; status: string; verification: string | null },
): StatusBody {
  assert.ok(typeof body === 'object' && body !== null, 'the status body is an object');
  assert.deepEqual(Object.keys(body).sort(), ['sessionId', 'status', 'updatedAt', 'verification']);
  const report = body as StatusBody;
  assert.deepEqual(
    { sessionId: report.sessionId, status: report.status, verification: report.verification },
    expected,
  );
  assert.ok(!Number.isNaN(Date.parse(report.updatedAt)), 'updatedAt is a date');
  return report;
}

/**
 * Reads a session's status until it is `status` (the collector writes what it learns to the ledger
 * within a second of a browser's read), and checks the body: as a browser would see it.
 */
export async function expectStatus(
  handler: (request: Request) => Promise<Response>,
  session: Pick<Created, 'sessionId' | 'token'>,
  status: string,
  verification: string | null = null,
  timeoutMs = 5000,
): Promise<StatusBody> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const response = await readStatus(handler, session);
    const text = await response.text();
    assert.equal(response.status, 200, text);
    const body = JSON.parse(text) as StatusBody;
    if ((body.status === status && body.verification === verification) || Date.now() > until) {
      return assertStatusBody(body, { sessionId: session.sessionId, status, verification });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until `condition()` holds (checked every 20 ms), failing with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < until, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Words of 1Kosmos's (and the simulator's) own error texts and of the client's internal messages. */
const UPSTREAM_WORDS = [
  'simulat',
  'not found:',
  'session not found',
  'dvcID',
  'license',
  'requestid',
  'HTTP ',
  'service unavailable',
  'decrypt',
  'KosmosApiError',
];

/**
 * Checks an error answer: the status, the exact `{ error: { code, message, retryable } }` shape,
 * and that it carries no stack trace, secret or 1Kosmos wording.
 */
export async function expectError(
  response: Response,
  status: number,
  code: string,
  secrets: string[] = [],
): Promise<{ code: string; message: string; retryable: boolean }> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.match(response.headers.get('Content-Type') ?? '', /^application\/json/);
  const body = JSON.parse(text) as { error: { code: string; message: string; retryable: boolean } };
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'retryable']);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
  assert.equal(typeof body.error.retryable, 'boolean');
  assert.doesNotMatch(text, /\bat .+:\d+:\d+|\.ts\b|\.js\b|node:/, 'no stack trace');
  for (const secret of secrets) assert.ok(!text.includes(secret), 'no secret in an error answer');
  if (status >= 500) {
    for (const word of UPSTREAM_WORDS) {
      assert.ok(!text.toLowerCase().includes(word.toLowerCase()), `no upstream wording ("${word}") in ${text}`);
    }
  }
  return body.error;
}

/** Runs a session's hosted flow through its pages' own forms, as a browser would. */
export async function passInBrowser(url: string): Promise<void> {
  const welcome = await open(url);
  assert.equal(welcome.heading, 'Verify your identity');
  const documentStep = await press(welcome, "Let's get started", { tick: ['consent'] });
  assert.equal(documentStep.heading, 'Scan your document');
  const finished = await press(documentStep, 'Submit', { choose: { outcome: 'pass' } });
  assert.equal(finished.heading, 'Verification finished');
}

/** The simulated session behind a created one (it must exist). */
export function simulated(sim: Simulator, sessionId: string) {
  const session = sim.session(sessionId);
  assert.ok(session, `the simulator knows session ${sessionId}`);
  return session;
}

/** What the ledger holds of a session (it must be there). */
export async function entryOf(store: LedgerStore, sessionId: string): Promise<LedgerEntry> {
  const entry = (await store.list({ limit: 1000 })).find((item) => item.sessionId === sessionId);
  assert.ok(entry, `the ledger records ${sessionId}`);
  return entry;
}

/** Waits until the ledger's entry of a session passes `check`. */
export async function ledgerSays(store: LedgerStore, sessionId: string, check: (entry: LedgerEntry) => boolean, what: string): Promise<LedgerEntry> {
  const until = Date.now() + 5000;
  for (;;) {
    const entry = await entryOf(store, sessionId);
    if (check(entry)) return entry;
    assert.ok(Date.now() < until, `timed out waiting for ${what} (${JSON.stringify(entry)})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
