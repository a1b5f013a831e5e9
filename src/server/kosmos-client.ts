/**
 * The client of 1Kosmos's document-verification API (docuverify): discovery, the service public
 * key, encrypted headers and bodies, session creation and result polling.
 * Uses only fetch-API globals, so it runs on Node 20+ and on any fetch-API runtime.
 */
import * as v from 'valibot';
import { isLoopbackHost, parseRetryAfter } from '../contract/http.js';
import { DOCUMENT_TYPES, wireDocumentType, type DocumentType } from '../contract/vocabulary.js';
import {
  decodePublicKey,
  sharedCipher,
  type KosmosKeyPair,
  type SharedCipher,
} from './crypto.js';
import { KosmosApiError, type KosmosApiErrorKind } from './errors.js';
import { parseResult, unreadableResult, type KosmosResult } from './result.js';
import { connection, fn, problemOf, text, wholeNumber } from './options.js';
import { sleep } from './sleep.js';

/** Options of a {@link KosmosClient}. */
export interface KosmosClientOptions {
  /** The tenant's host (and port), e.g. `acme.1kosmos.net`; loopback hosts are spoken to over http. */
  tenantDNS: string;
  communityName: string;
  licenseKey: string;
  /** Our own key pair in 1Kosmos's format (base64 64-byte point, base64 scalar). */
  keyPair: KosmosKeyPair;
  /** The docuverify base URL; discovered through `/caas/sd` when absent. */
  docuverifyUrl?: string;
  /** Which result endpoint to poll (default `v3`). */
  resultVersion?: 'v3' | 'v1';
  /** The `appid` sent in every `requestid` header (default `kosmos-idv-launcher`). */
  appId?: string;
  /** Per-request timeout in ms (default 10000). */
  timeoutMs?: number;
  /** Retries of `getResult` on network trouble, timeouts, 5xx and 429 without `Retry-After` (default 2). */
  retries?: number;
  fetch?: typeof fetch;
  /** How long the service public key is cached, in ms (default 10 minutes). */
  publicKeyTtlMs?: number;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
  /** Random number in [0, 1) for backoff jitter (default `Math.random`). */
  random?: () => number;
}

/** The person a session is created for; every field is optional. */
export interface KosmosUser {
  username?: string;
  firstname?: string;
  lastname?: string;
  /** An integer, as the seed's create-session table types it. */
  uid?: number;
}

/** `createSession` input. */
export interface CreateSessionInput {
  /** The workflow name. */
  dvcID: string;
  documentType: DocumentType;
  user?: KosmosUser;
}

/** `createSession` output: the session and its hosted-flow URL. */
export interface CreatedSession {
  sessionId: string;
  url: string;
}

/** `getResult` input. */
export interface GetResultInput {
  dvcID: string;
  sessionId: string;
}

const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 4000;
const MAX_UPSTREAM_MESSAGE = 200;

const STATUS_KINDS: Record<number, KosmosApiErrorKind> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
};

type Plain = Record<string, unknown>;

const isPlain = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const nonEmptyString = (value: unknown): value is string =>
  typeof value === 'string' && value.trim() !== '';

/** An absolute http(s) URL without trailing slashes, or `undefined`. */
function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return url.href.replace(/\/+$/, '');
}

/** Resolves with `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The error for a non-2xx answer, keeping 1Kosmos's `{ code, message }` when the body has one. */
function httpError(what: string, status: number, text: string, retryAfter: string | null): KosmosApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const code =
    isPlain(body) && (typeof body.code === 'number' || typeof body.code === 'string') ? body.code : undefined;
  const upstreamMessage =
    isPlain(body) && typeof body.message === 'string'
      ? body.message.slice(0, MAX_UPSTREAM_MESSAGE)
      : undefined;
  const kind = STATUS_KINDS[status] ?? 'upstream_error';
  return new KosmosApiError(
    kind,
    `${what}: 1Kosmos answered HTTP ${status}${upstreamMessage ? ` (${upstreamMessage})` : ''}`,
    { status, code, upstreamMessage, retryAfter: parseRetryAfter(retryAfter) },
  );
}

/** Whether a failed call may succeed with a fresh service public key (the key was rotated). */
const isKeyProblem = (error: unknown) =>
  error instanceof KosmosApiError && (error.kind === 'unauthorized' || error.kind === 'decryption_failed');

interface ServiceKeyEntry {
  key: Promise<string>;
  /** The key, once fetched. */
  value?: string;
  expiresAt: number;
}

const OPTIONS = v.object({
  ...connection,
  appId: v.optional(text('appId')),
  retries: wholeNumber('retries', 0),
  publicKeyTtlMs: wholeNumber('publicKeyTtlMs', 0),
  now: fn('now'),
  random: fn('random'),
});

/** Marks options that were checked already (the kit's `resolveConfig`), so that they are not checked twice. */
const CHECKED = Symbol('checked');

function checkOptions(options: KosmosClientOptions): KosmosClientOptions {
  const parsed = v.safeParse(OPTIONS, options);
  if (parsed.issues) throw new TypeError(`KosmosClient: ${problemOf(parsed.issues[0], 'options')}`);
  return parsed.output as KosmosClientOptions;
}

/** A client on options the caller has checked with the same schemas (`./options.ts`): the kit's way in. */
export const checkedClient = (options: KosmosClientOptions): KosmosClient =>
  new KosmosClient({ ...options, [CHECKED]: true } as KosmosClientOptions);

/**
 * Talks to 1Kosmos's docuverify API. Discovery and the service public key are fetched once and
 * shared by concurrent calls; a 401 or an undecryptable answer refreshes the key once.
 */
export class KosmosClient {
  private readonly tenantDNS: string;
  private readonly communityName: string;
  private readonly licenseKey: string;
  private readonly keyPair: KosmosKeyPair;
  private readonly resultPath: string;
  private readonly appId: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly fetch: typeof fetch;
  private readonly publicKeyTtlMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private docuverify?: Promise<string>;
  private serviceKeyEntry?: ServiceKeyEntry;

  constructor(options: KosmosClientOptions) {
    const checked = (options as { [CHECKED]?: true } | undefined)?.[CHECKED] ? options : checkOptions(options);
    this.tenantDNS = checked.tenantDNS;
    this.communityName = checked.communityName;
    this.licenseKey = checked.licenseKey;
    this.keyPair = checked.keyPair;
    const docuverify = httpUrl(checked.docuverifyUrl);
    if (docuverify) this.docuverify = Promise.resolve(docuverify);
    this.resultPath =
      checked.resultVersion === 'v1' ? '/document_share_session/result' : '/v3/document_share_session/result';
    this.appId = checked.appId ?? 'kosmos-idv-launcher';
    this.timeoutMs = checked.timeoutMs ?? 10_000;
    this.retries = checked.retries ?? 2;
    this.publicKeyTtlMs = checked.publicKeyTtlMs ?? 600_000;
    this.fetch = checked.fetch ?? ((input, init) => fetch(input, init));
    this.now = checked.now ?? Date.now;
    this.random = checked.random ?? Math.random;
  }

  /**
   * Creates a verification session. Never retried (a retry could create a second session),
   * except once with a refreshed service key after a 401.
   */
  async createSession(input: CreateSessionInput, signal?: AbortSignal): Promise<CreatedSession> {
    // Typed already (the kit's handler read the browser's word): checked, not read again.
    if (!DOCUMENT_TYPES.includes(input.documentType)) {
      throw new TypeError('createSession: documentType must be passport, driving_license or id_card');
    }
    const { username, firstname, lastname, uid } = input.user ?? {};
    if (uid !== undefined && !Number.isSafeInteger(uid)) {
      throw new TypeError('createSession: user.uid must be a safe integer');
    }
    const payload = {
      dvcID: input.dvcID,
      sessionRequest: {
        tenantDNS: this.tenantDNS,
        communityName: this.communityName,
        documentType: wireDocumentType(input.documentType),
        user: { username, firstname, lastname, uid },
      },
    };
    return this.exchange('1Kosmos create session', '/document_share_session/create', payload, signal, (body) => {
      const url = isPlain(body) ? httpUrl(body.url) : undefined;
      if (!isPlain(body) || !nonEmptyString(body.sessionId) || !url) {
        throw new KosmosApiError(
          'bad_response',
          '1Kosmos create session: the answer is not { sessionId, url } with an http(s) url',
        );
      }
      return Promise.resolve({ sessionId: body.sessionId, url: body.url as string });
    });
  }

  /** Whether 1Kosmos answers: discovery (if needed) and a fresh read of the service public key. */
  async ping(signal?: AbortSignal): Promise<void> {
    const base = await this.docuverifyUrl(signal);
    await this.send('1Kosmos public key', `${base}/publickeys`, {}, signal);
  }

  /**
   * Reads a session's result (v3 or v1 per the options) and maps it with `parseResult`; an answer
   * that decrypts but cannot be read comes back with status `unknown` and the plaintext.
   * Retried with exponential backoff and full jitter on network trouble, timeouts, 5xx and 429,
   * except an answer with a `Retry-After`: 1Kosmos asked for a wait, which the caller is told.
   */
  async getResult(input: GetResultInput, signal?: AbortSignal): Promise<KosmosResult> {
    const payload = { dvcID: input.dvcID, sessionId: input.sessionId };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.exchange('1Kosmos result', this.resultPath, payload, signal, (body) =>
          this.readResult(body, payload.sessionId),
        );
      } catch (error) {
        if (!(error instanceof KosmosApiError) || !error.retryable || error.retryAfter !== undefined) throw error;
        if (attempt >= this.retries) throw error;
        await sleep(this.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt), signal);
      }
    }
  }

  /**
   * Decrypts a result answer `{ data, publicKey }` and parses the plaintext. A plaintext that
   * cannot be read is an `unknown` result (it may carry PII that 1Kosmos will not send again).
   */
  private async readResult(body: unknown, sessionId: string): Promise<KosmosResult> {
    if (!isPlain(body) || typeof body.data !== 'string' || typeof body.publicKey !== 'string') {
      throw new KosmosApiError('bad_response', '1Kosmos result: the answer is not { data, publicKey }');
    }
    let cipher: SharedCipher;
    try {
      cipher = await sharedCipher(this.keyPair.privateKey, body.publicKey);
    } catch (error) {
      throw new KosmosApiError('bad_response', '1Kosmos result: the publicKey in the answer is not a valid key', {
        cause: error,
      });
    }
    let text: string;
    try {
      text = await cipher.decrypt(body.data);
    } catch (error) {
      throw new KosmosApiError(
        'decryption_failed',
        '1Kosmos result: the data does not decrypt with our key pair',
        { cause: error },
      );
    }
    let plaintext: unknown;
    try {
      plaintext = JSON.parse(text);
    } catch {
      return unreadableResult(sessionId, text, 'the decrypted data is not JSON');
    }
    const forAnother = () => new KosmosApiError('bad_response', '1Kosmos result: the answer is for another session');
    let result: KosmosResult;
    try {
      result = parseResult(plaintext);
    } catch (error) {
      if (!(error instanceof KosmosApiError)) throw error;
      // An answer naming another session is not this one's, however little else of it can be read.
      const named = isPlain(plaintext) ? (plaintext.sessionId ?? plaintext.sessionID ?? plaintext.id) : undefined;
      if (typeof named === 'string' && named !== '' && named !== sessionId) throw forAnother();
      return unreadableResult(sessionId, plaintext, error.message);
    }
    if (result.sessionId !== sessionId) throw forAnother();
    return result;
  }

  /**
   * One encrypted POST to docuverify, read by `read`. A 401 or an undecryptable answer means the
   * service key may have rotated: the key is refreshed and the call made once more.
   */
  private async exchange<T>(
    what: string,
    path: string,
    payload: object,
    signal: AbortSignal | undefined,
    read: (body: unknown) => Promise<T>,
  ): Promise<T> {
    const base = await this.docuverifyUrl(signal);
    const attempt = async (serviceKey: string) => {
      const cipher = await sharedCipher(this.keyPair.privateKey, serviceKey);
      const body = await this.send(
        what,
        `${base}${path}`,
        {
          method: 'POST',
          headers: await this.headers(cipher),
          body: JSON.stringify({ data: await cipher.encrypt(JSON.stringify(payload)) }),
        },
        signal,
      );
      return read(body);
    };
    const serviceKey = await this.serviceKey(signal);
    try {
      return await attempt(serviceKey);
    } catch (error) {
      if (!isKeyProblem(error)) throw error;
    }
    return attempt(await this.serviceKey(signal, serviceKey));
  }

  /** The headers of every docuverify POST, with a fresh `requestid`. */
  private async headers(cipher: SharedCipher): Promise<Record<string, string>> {
    const requestId = { ts: Math.floor(this.now() / 1000), appid: this.appId, uuid: crypto.randomUUID() };
    return {
      'Content-Type': 'application/json',
      publickey: this.keyPair.publicKey,
      licensekey: await cipher.encrypt(this.licenseKey),
      requestid: await cipher.encrypt(JSON.stringify(requestId)),
    };
  }

  /** The docuverify base URL, from the options or discovered once through `/caas/sd`. */
  private docuverifyUrl(signal?: AbortSignal): Promise<string> {
    if (!this.docuverify) {
      const host = new URL(`https://${this.tenantDNS}/`).hostname;
      const scheme = isLoopbackHost(host) ? 'http' : 'https';
      const discovery = this.send('1Kosmos discovery', `${scheme}://${this.tenantDNS}/caas/sd`, {}).then(
        (body) => {
          const url = isPlain(body) ? httpUrl(body.docuverify) : undefined;
          if (!url) {
            throw new KosmosApiError(
              'bad_response',
              '1Kosmos discovery: no http(s) "docuverify" URL in the answer',
            );
          }
          return url;
        },
      );
      discovery.catch(() => {
        if (this.docuverify === discovery) this.docuverify = undefined;
      });
      this.docuverify = discovery;
    }
    return untilAborted(this.docuverify, signal);
  }

  /**
   * The service public key, cached for `publicKeyTtlMs`; concurrent callers share one fetch.
   * With `stale`, a cached key equal to it is fetched again (another caller may already have).
   */
  private serviceKey(signal?: AbortSignal, stale?: string): Promise<string> {
    let entry = this.serviceKeyEntry;
    if (!entry || (entry.value !== undefined && (entry.value === stale || this.now() >= entry.expiresAt))) {
      entry = this.fetchServiceKey();
    }
    return untilAborted(entry.key, signal);
  }

  private fetchServiceKey(): ServiceKeyEntry {
    const key = this.docuverifyUrl()
      .then((base) => this.send('1Kosmos public key', `${base}/publickeys`, {}))
      .then((body) => {
        if (!isPlain(body) || typeof body.publicKey !== 'string') {
          throw new KosmosApiError('bad_response', '1Kosmos public key: the answer is not { publicKey }');
        }
        try {
          decodePublicKey(body.publicKey);
        } catch (error) {
          throw new KosmosApiError('bad_response', '1Kosmos public key: not a valid secp256k1 key', {
            cause: error,
          });
        }
        return body.publicKey;
      });
    const entry: ServiceKeyEntry = { key, expiresAt: Number.POSITIVE_INFINITY };
    key.then(
      (value) => {
        entry.value = value;
        entry.expiresAt = this.now() + this.publicKeyTtlMs;
      },
      () => {
        if (this.serviceKeyEntry === entry) this.serviceKeyEntry = undefined;
      },
    );
    this.serviceKeyEntry = entry;
    return entry;
  }

  /**
   * One HTTP exchange with a timeout (combined with the caller's signal), mapped to
   * `KosmosApiError`s; resolves with the parsed JSON of a 2xx answer. A caller's abort rejects
   * with the signal's reason.
   */
  private async send(what: string, url: string, init: RequestInit, signal?: AbortSignal): Promise<unknown> {
    signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(url, {
        ...init,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) {
        throw new KosmosApiError('timeout', `${what}: no answer within ${this.timeoutMs} ms`, { cause: error });
      }
      throw new KosmosApiError('unreachable', `${what}: cannot reach ${new URL(url).origin}`, { cause: error });
    }
    const { status } = response;
    if (status < 200 || status > 299) throw httpError(what, status, text, response.headers.get('Retry-After'));
    try {
      return JSON.parse(text);
    } catch {
      throw new KosmosApiError('bad_response', `${what}: the answer (HTTP ${status}) is not JSON`, { status });
    }
  }
}
