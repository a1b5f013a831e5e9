/**
 * `createIdvHandler(config)`: the backend contract for page owners' servers, as a fetch-API
 * handler `(Request) => Promise<Response>` (plus `.node` for `node:http` and Express).
 * - `POST {basePath}` creates a 1Kosmos session, records it in the ledger, and answers
 *   `201 { sessionId, url, token, expiresAt, status }`;
 * - `GET {basePath}/{sessionId}` with `Authorization: Bearer {token}` answers its status from the
 *   ledger; with `If-None-Match` and `Prefer: wait=N` it holds the read up to N seconds (at most 10)
 *   while the status is unchanged, and answers as soon as the ledger records a change.
 * The collector (`collector.ts`) asks 1Kosmos and hands the results over, off the request path.
 * Every error is `{ error: { code, message, retryable } }`: no stack, no license key, no PII.
 */
import * as v from 'valibot';
import type { StatusReport } from '../contract/bodies.js';
import type { KitErrorCode } from '../contract/errors.js';
import { DOCUMENT_TYPES, normaliseDocumentType, TERMINAL_STATUSES } from '../contract/vocabulary.js';
import { UNWATCHED_MIN_MS } from './collector.js';
import type { IdvHandlerConfig, IdvHandlerError } from './config.js';
import { KosmosApiError } from './errors.js';
import { createKit } from './kit.js';
import type { SessionState } from './ledger/store.js';
import { nodeAdapter, type NodeHandler } from './node-adapter.js';
import { StatusView } from './status-view.js';
import { StatusTokens, TicketError, Tickets, TokenError } from './token.js';

/** The header that carries a session-creation ticket (`ticketSecret`). */
export const TICKET_HEADER = 'Kosmos-Idv-Ticket';
/** The largest request body accepted, bytes. */
export const MAX_BODY_BYTES = 16 * 1024;
const MAX_FIELD = 128;
/** The longest a status read is held waiting for a change (`Prefer: wait`), seconds. */
const MAX_WAIT_S = 10;
/** The wait a 429 or 503 from 1Kosmos is passed on with when 1Kosmos gave no `Retry-After`. */
const BUSY_RETRY_MS = 5000;
/** The longest `Retry-After` passed on from 1Kosmos, seconds. */
const MAX_BUSY_S = 60;
/** The `Retry-After` of a 503 while the ledger cannot be written, seconds. */
const STORE_RETRY_S = 5;
/** How long a health check waits for the ledger and 1Kosmos, ms. */
const HEALTH_TIMEOUT_MS = 3000;
const PREFER_WAIT = /(?:^|[,;])\s*wait\s*=\s*"?(\d{1,6})"?\s*(?=[,;]|$)/i;

/** The contract's ETag of a status: it changes exactly when `status` or `verification` does. */
const etagOf = ({ status, verification }: SessionState) => `"${status}.${verification ?? 'none'}"`;

const reportOf = ({ sessionId, status, verification, updatedAt }: SessionState): StatusReport => ({
  sessionId,
  status,
  verification,
  updatedAt: new Date(updatedAt).toISOString(),
});

export interface IdvHandler {
  (request: Request): Promise<Response>;
  /** The same handler for `node:http` and Express: `(req, res, next?)`. */
  node: NodeHandler;
  /** Opens the ledger (connects, migrates); rejects with why it cannot. Requests wait for it anyway. */
  ready(): Promise<void>;
  /** Whether the ledger and 1Kosmos answer now (for a health check; says nothing secret). */
  health(): Promise<{ ok: boolean; store: boolean; kosmos: boolean }>;
  /**
   * Stops the collector (letting asks in flight finish and handing back leases) and closes the
   * store: no timer or connection outlives it. Results not delivered yet wait in the ledger.
   */
  close(): Promise<void>;
}

/** A refusal with the contract's error body. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: KitErrorCode,
    message: string,
    readonly retryable = false,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const DOCUMENT_TYPE_PROBLEM = 'documentType must be passport, driving_license or id_card';
/** The seed types uid as an integer; JavaScript (and most JSON parsers) keep one exact only up to 2^53 - 1. */
const UID_PROBLEM = `uid must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER} (a JSON integer, or a string of digits)`;

const field = (name: string) =>
  v.optional(
    v.pipe(
      v.string(`${name} must be a string`),
      v.trim(),
      v.maxLength(MAX_FIELD, `${name} must be at most ${MAX_FIELD} characters`),
    ),
  );

const createBody = v.strictObject({
  documentType: v.pipe(
    v.string(DOCUMENT_TYPE_PROBLEM),
    v.transform((word: string) => normaliseDocumentType(word)),
    v.picklist(DOCUMENT_TYPES, DOCUMENT_TYPE_PROBLEM),
  ),
  username: field('username'),
  firstname: field('firstname'),
  lastname: field('lastname'),
  uid: v.optional(
    v.pipe(
      v.union([v.number(), v.pipe(v.string(), v.regex(/^\d{1,16}$/, UID_PROBLEM))], UID_PROBLEM),
      v.transform(Number),
      v.safeInteger(UID_PROBLEM),
      v.minValue(0, UID_PROBLEM),
    ),
  ),
});

/** The longest key of the client's that an answer repeats. */
const MAX_ECHO = 64;

/** A create-body problem in words: a missing or unknown field is named as such (a long unknown one by its length). */
function bodyProblem(issue: v.BaseIssue<unknown>): string {
  const path = issue.path?.map((item) => String(item.key)).join('.') ?? '';
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    return `${path.length > MAX_ECHO ? `a field name of ${path.length} characters` : path} is not allowed`;
  }
  if (issue.type === 'strict_object' && issue.input === undefined) return `${path} is required`;
  return issue.message;
}

/** The headers of every JSON answer: never cached, never sniffed as another type. */
export const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
} as const;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

function errorResponse(error: HttpError): Response {
  return json(error.status, { error: { code: error.code, message: error.message, retryable: error.retryable } }, error.headers);
}

/** What the browser may learn of a 1Kosmos failure: its class, never 1Kosmos's own words. */
function upstreamError(error: KosmosApiError): HttpError {
  switch (error.kind) {
    case 'timeout':
      return new HttpError(504, 'upstream_timeout', '1Kosmos did not answer in time.', true);
    case 'unreachable':
      return new HttpError(502, 'upstream_unreachable', '1Kosmos could not be reached.', true);
    case 'upstream_error':
      if (error.status === 429 || error.status === 503) {
        const seconds = Math.min(MAX_BUSY_S, Math.max(1, Math.ceil((error.retryAfter ?? BUSY_RETRY_MS) / 1000)));
        return new HttpError(503, 'upstream_busy', '1Kosmos is busy: try again shortly.', true, { 'Retry-After': String(seconds) });
      }
      return new HttpError(502, 'upstream_error', '1Kosmos answered something unusable.', error.retryable);
    case 'bad_response':
    case 'decryption_failed':
      return new HttpError(502, 'upstream_error', '1Kosmos answered something unusable.', true);
  }
  return new HttpError(502, 'upstream_rejected', '1Kosmos refused the request: check the server configuration.');
}

/**
 * Reads a body of at most `MAX_BODY_BYTES` within `timeout` ms, refusing more, or a body that is
 * late (a slow client holding a connection), without reading it all.
 */
async function readBody(request: Request, timeout: number): Promise<string> {
  const declared = Number(request.headers.get('Content-Length'));
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HttpError(408, 'request_timeout', `The body must arrive within ${timeout} ms.`, true, { Connection: 'close' })),
      timeout,
    );
  });
  const next = () => Promise.race([reader.read(), late]);
  try {
    for (let chunk = await next(); !chunk.done; chunk = await next()) {
      size += chunk.value.byteLength;
      if (size > MAX_BODY_BYTES) throw tooLarge();
      chunks.push(chunk.value);
    }
  } catch (error) {
    void reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'bad_request', 'The body is not valid UTF-8.');
  }
}

const tooLarge = () => new HttpError(413, 'payload_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes.`);

export function createIdvHandler(config: IdvHandlerConfig): IdvHandler {
  const { settings, client, store, opened, collector, report, notice } = createKit(config);
  if (settings.collect !== false) void opened.finally(() => collector.start()).catch(() => undefined);
  const tokens = new StatusTokens(settings.tokenSecret);
  const tickets = settings.ticketSecret === undefined ? undefined : new Tickets(settings.ticketSecret);
  const view = new StatusView(
    store,
    () => collector.poke(),
    (error, sessionId) => report({ stage: 'store', error, sessionId }),
  );
  const base = settings.basePath;
  const served = `this kit serves POST ${base || '/'} and GET ${base}/{sessionId} (basePath "${base || '/'}")`;
  if (!settings.public && !settings.authenticate && settings.ticketSecret === undefined && !settings.rateLimit) {
    notice(
      'create',
      `anyone who reaches POST ${base || '/'} can create 1Kosmos sessions without limit: set authenticate, ticketSecret or rateLimit, or public: true if that is meant.`,
    );
  }

  /** Runs a ledger operation; a ledger that cannot be reached or written is a 503, never an untracked session. */
  async function ledger<T>(work: () => Promise<T>, sessionId?: string): Promise<T> {
    try {
      await opened;
      return await work();
    } catch (error) {
      report({ stage: 'store', error, sessionId });
      throw new HttpError(503, 'store_unavailable', 'The server cannot record sessions right now: try again shortly.', true, {
        'Retry-After': String(STORE_RETRY_S),
      });
    }
  }

  /** What follows the base path ('' for the base itself, a trailing slash ignored), or `undefined` outside it. */
  function restOf(pathname: string): string | undefined {
    const path = pathname.replace(/\/+$/, '');
    if (path === base) return '';
    return path.startsWith(`${base}/`) ? path.slice(base.length + 1) : undefined;
  }

  function corsHeaders(request: Request): Record<string, string> {
    const origin = request.headers.get('Origin');
    if (!origin || !settings.allowedOrigins.includes(origin)) return {};
    return {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': 'ETag, Retry-After',
      Vary: 'Origin',
    };
  }

  /**
   * A browser request from an origin that is neither this one (scheme, host and port) nor an allowed one is refused.
   * The scheme is the one a proxy that terminates TLS names in `X-Forwarded-Proto`, if any: a
   * browser cannot send that header to another origin (the preflight does not allow it).
   * `Origin: null` is let through, never given CORS headers: it is what a same-origin page sends
   * with a POST under `Referrer-Policy: no-referrer`, and a foreign opaque page cannot read the answer.
   */
  function checkOrigin(request: Request): void {
    const origin = request.headers.get('Origin');
    if (!origin || origin === 'null' || settings.allowedOrigins.includes(origin)) return;
    const own = new URL(request.url);
    const forwarded = request.headers.get('X-Forwarded-Proto')?.split(',')[0].trim().toLowerCase();
    if (forwarded === 'http' || forwarded === 'https') own.protocol = `${forwarded}:`;
    const asked = URL.canParse(origin) ? new URL(origin) : undefined;
    if (asked?.origin === own.origin) return;
    // Same host and port, another scheme: a proxy in front that terminates TLS without saying so.
    const hint = asked?.host === own.host ? ` This server is ${own.origin}: behind a proxy that terminates TLS, have it send X-Forwarded-Proto or list the page's origin in allowedOrigins.` : '';
    throw new HttpError(403, 'origin_not_allowed', `This origin may not use this endpoint.${hint}`);
  }

  async function call<T>(stage: IdvHandlerError['stage'], work: () => T | Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      report({ stage, error });
      throw new HttpError(500, 'internal_error', 'The server could not handle the request.', true);
    }
  }

  async function limitRate(request: Request): Promise<void> {
    if (!settings.rateLimit) return;
    const wait: unknown = await call('rateLimit', () => settings.rateLimit!(request));
    // Only a real wait refuses: a hook answering undefined or NaN must not lock everyone out.
    if (typeof wait === 'number' && Number.isFinite(wait) && wait > 0) {
      throw new HttpError(429, 'rate_limited', 'Too many requests: slow down.', true, { 'Retry-After': String(Math.ceil(wait)) });
    }
  }

  async function ticketSubject(request: Request): Promise<string> {
    try {
      return await tickets!.subjectOf(request.headers.get(TICKET_HEADER));
    } catch (error) {
      if (error instanceof TicketError) throw new HttpError(401, 'unauthorized', error.message);
      throw error;
    }
  }

  async function subjectOf(request: Request): Promise<string | null> {
    if (!settings.authenticate) return null;
    const subject = await call('authenticate', () => settings.authenticate!(request));
    if (subject === null || subject === undefined) throw new HttpError(401, 'unauthorized', 'Sign in first.');
    return String(subject);
  }

  async function create(request: Request): Promise<Response> {
    const type = request.headers.get('Content-Type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.');
    }
    const text = await readBody(request, settings.bodyTimeout);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'bad_request', 'The body is not valid JSON.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, 'bad_request', 'The body must be a JSON object.');
    }
    const parsed = v.safeParse(createBody, body, { abortEarly: false });
    if (!parsed.success) {
      throw new HttpError(400, 'bad_request', [...new Set(parsed.issues.map(bodyProblem))].join('; '));
    }
    const subject = tickets ? await ticketSubject(request) : await subjectOf(request);
    const { documentType, ...user } = parsed.output;
    const dvcID = settings.dvcIDs[documentType];
    if (!dvcID) throw new HttpError(400, 'bad_request', `documentType ${documentType} is not offered here.`);
    // A ledger that cannot be written refuses before 1Kosmos is asked for a session it could not track.
    await ledger(async () => undefined);
    let session;
    try {
      session = await client.createSession({ dvcID, documentType, user });
    } catch (error) {
      report({ stage: 'create', error });
      if (error instanceof KosmosApiError) throw upstreamError(error);
      throw error;
    }
    const createdAt = settings.now();
    const expiresAt = Math.floor(createdAt / 1000) + settings.sessionLifetime;
    await ledger(
      () =>
        store.create({
          sessionId: session.sessionId,
          dvcID,
          subject,
          documentType,
          createdAt,
          expiresAt: expiresAt * 1000,
          nextDueAt: createdAt + UNWATCHED_MIN_MS,
        }),
      session.sessionId,
    );
    const token = await tokens.issue({ sessionId: session.sessionId, subject, dvcID, expiresAt });
    return json(201, {
      sessionId: session.sessionId,
      url: session.url,
      token,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
      status: 'pending',
    });
  }

  async function status(request: Request, sessionId: string): Promise<Response> {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('Authorization') ?? '');
    if (!bearer) throw new HttpError(401, 'unauthorized', 'Send the session token as Authorization: Bearer.');
    let claims;
    try {
      claims = await tokens.verify(bearer[1]);
    } catch (error) {
      if (error instanceof TokenError) throw new HttpError(401, 'unauthorized', error.message);
      throw error;
    }
    if (claims.sessionId !== sessionId) throw new HttpError(403, 'forbidden', 'This token is for another session.');
    if (settings.authenticate && (await subjectOf(request)) !== claims.subject) {
      throw new HttpError(403, 'forbidden', 'This session belongs to someone else.');
    }
    const read = async () => {
      const state = await ledger(() => view.read(sessionId), sessionId);
      if (!state) throw new HttpError(404, 'not_found', 'No such session.');
      return state;
    };
    const match = request.headers.get('If-None-Match');
    const known = (current: SessionState) =>
      match !== null && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etagOf(current));
    const asked = Number(PREFER_WAIT.exec(request.headers.get('Prefer') ?? '')?.[1] ?? 0);
    const wait = settings.holdReads === false ? 0 : Math.min(MAX_WAIT_S, asked);
    const until = Date.now() + wait * 1000;
    let current = await read();
    view.watch(sessionId, current, settings.now());
    // Held: answers as soon as the ledger records a change, or with what is known when the wait is over.
    while (known(current) && !TERMINAL_STATUSES.has(current.status) && Date.now() < until && !request.signal.aborted) {
      await view.nextChange(sessionId, until - Date.now(), request.signal);
      current = await read();
    }
    const headers = { ETag: etagOf(current), 'Cache-Control': 'no-cache, private' };
    if (known(current)) return new Response(null, { status: 304, headers });
    return json(200, reportOf(current), headers);
  }

  async function route(request: Request): Promise<Response> {
    const rest = restOf(new URL(request.url).pathname);
    if (rest === undefined || rest.includes('/')) throw new HttpError(404, 'not_found', `Not found: ${served}.`);
    const allowed = rest === '' ? 'POST' : 'GET';
    if (request.method === 'OPTIONS') {
      return new Response(null, {
        status: 204,
        headers: {
          Allow: `${allowed}, OPTIONS`,
          'Access-Control-Allow-Methods': `${allowed}, OPTIONS`,
          'Access-Control-Allow-Headers': `Authorization, Content-Type, If-None-Match, Prefer, ${TICKET_HEADER}`,
          'Access-Control-Max-Age': '600',
        },
      });
    }
    if (request.method !== allowed) {
      throw new HttpError(405, 'method_not_allowed', `Use ${allowed}.`, false, { Allow: `${allowed}, OPTIONS` });
    }
    checkOrigin(request);
    await limitRate(request);
    if (rest === '') return create(request);
    let sessionId: string;
    try {
      sessionId = decodeURIComponent(rest);
    } catch {
      throw new HttpError(404, 'not_found', 'Not found.');
    }
    return status(request, sessionId);
  }

  const handler = (async (request: Request): Promise<Response> => {
    let response: Response;
    try {
      response = await route(request);
    } catch (error) {
      if (!(error instanceof HttpError)) report({ stage: 'request', error });
      response = errorResponse(
        error instanceof HttpError ? error : new HttpError(500, 'internal_error', 'The server could not handle the request.', true),
      );
    }
    for (const [name, value] of Object.entries(corsHeaders(request))) response.headers.set(name, value);
    return response;
  }) as IdvHandler;
  // Everything under a base path is the kit's (its 404 included); at the root only its own routes
  // are, so that the app's other paths go on to Express's next().
  handler.node = nodeAdapter(
    handler,
    (pathname) => {
      const rest = restOf(pathname);
      return rest !== undefined && (base !== '' || !rest.includes('/'));
    },
    // A mount path that holds the basePath (`app.use('/api', …)` for `/api/idv`) is fine: the app's other paths under it go on.
    (mount) =>
      base === mount || base.startsWith(`${mount}/`)
        ? undefined
        : errorResponse(new HttpError(404, 'not_found', `Not found: ${served}, but it is mounted at ${mount}. Mount it at ${base || '/'}, or set basePath: "${mount}".`)),
    () => errorResponse(new HttpError(400, 'bad_request', 'The request URL cannot be read.')),
  );
  handler.ready = () => opened;
  handler.health = async () => {
    const signal = AbortSignal.timeout(HEALTH_TIMEOUT_MS);
    const [reachable, kosmos] = await Promise.all([
      opened.then(() => store.read('')).then(() => true, () => false),
      client.ping(signal).then(() => true, () => false),
    ]);
    return { ok: reachable && kosmos, store: reachable, kosmos };
  };
  handler.close = async () => {
    await collector.stop();
    view.close();
    await store.close();
  };
  return handler;
}
