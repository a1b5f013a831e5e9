/** The browser's client of the backend contract: `POST {endpoint}` and `GET {endpoint}/{sessionId}`. */
import type { Session, SessionRequest, StatusReport } from '../contract/bodies.js';
import { parseRetryAfter } from '../contract/http.js';
import { codeForStatus, IdvError } from './errors.js';
import { parseSession, parseStatusReport } from './parse.js';

export interface ClientOptions {
  /** The backend's base URL, absolute or relative to `base`. */
  endpoint: string;
  /** Merged into every request (headers, credentials, mode …). */
  requestInit?: RequestInit;
  /** ms before a request is aborted with `timeout`. Default 15 000. */
  timeout?: number;
  /** Resolves a relative `endpoint`. Default: the page's URL. */
  base?: string;
  fetch?: typeof fetch;
}

/** What a custom backend hook must provide; the element uses the same shape for its own client. */
export interface IdvClient {
  createSession(request: SessionRequest, signal?: AbortSignal): Promise<Session>;
  /**
   * `wait` (ms): how long the backend may hold the read while the status is the one last read
   * (`Prefer: wait`, whole seconds, with `If-None-Match`); 0 or absent: answer at once.
   */
  fetchStatus(session: Pick<Session, 'sessionId' | 'token'>, signal?: AbortSignal, wait?: number): Promise<StatusReport>;
}

/** A backend's answer: the response and its whole body. */
interface Answer {
  response: Response;
  body: string;
}

function errorFrom({ response, body }: Answer): IdvError {
  let message = `HTTP ${response.status} ${response.statusText}`.trim();
  let retryable: boolean | undefined;
  try {
    const { error } = JSON.parse(body);
    if (typeof error?.message === 'string') message = error.message;
    if (typeof error?.retryable === 'boolean') retryable = error.retryable;
  } catch {
    // Not the contract's error JSON: the status line says enough.
  }
  return new IdvError(codeForStatus(response.status), message, {
    status: response.status,
    retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
    retryable,
  });
}

/** The endpoint as a URL; one that is not a URL (or relative with no base) is `invalid_config`. */
function resolve(endpoint: string, base: string | undefined): URL {
  try {
    return new URL(endpoint, base);
  } catch (error) {
    throw new IdvError('invalid_config', `endpoint "${endpoint}" is not a URL`, { cause: error });
  }
}

/** The contract's client: `fetch`, the timeout and the endpoint's base are injectable. */
export function createClient(options: ClientOptions): IdvClient {
  const { requestInit = {}, timeout = 15_000 } = options;
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const endpoint = resolve(options.endpoint, options.base ?? globalThis.location?.href);
  /** The last report and its ETag per session, for `If-None-Match`. */
  const known = new Map<string, { etag: string; report: StatusReport }>();

  /**
   * Sends a request and reads its whole body, both within `timeout` (plus the time the backend may
   * hold it) and before `signal` aborts.
   */
  async function request(url: URL, init: RequestInit, signal?: AbortSignal, held = 0): Promise<Answer> {
    const limit = timeout + held;
    const timer = AbortSignal.timeout(limit);
    const headers = new Headers(requestInit.headers);
    new Headers(init.headers).forEach((value, name) => headers.set(name, value));
    headers.set('Accept', 'application/json');
    try {
      const response = await doFetch(url, {
        ...requestInit,
        ...init,
        headers,
        signal: signal ? AbortSignal.any([signal, timer]) : timer,
      });
      return { response, body: await response.text() };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timer.aborted) {
        throw new IdvError('timeout', `No answer within ${limit} ms`, { cause: error });
      }
      throw new IdvError('network_error', 'Backend unreachable', { cause: error });
    }
  }

  function json({ response, body }: Answer): unknown {
    try {
      return JSON.parse(body);
    } catch (error) {
      throw new IdvError('bad_response', 'Answer is not JSON', {
        status: response.status,
        cause: error,
      });
    }
  }

  return {
    async createSession(body, signal) {
      const answer = await request(
        endpoint,
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
        signal,
      );
      if (!answer.response.ok) throw errorFrom(answer);
      return parseSession(json(answer));
    },

    async fetchStatus({ sessionId, token }, signal, wait = 0) {
      const url = new URL(`${endpoint.pathname.replace(/\/$/, '')}/${encodeURIComponent(sessionId)}`, endpoint);
      url.search = endpoint.search;
      const cached = known.get(sessionId);
      const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
      if (cached) headers['If-None-Match'] = cached.etag;
      const seconds = cached ? Math.floor(wait / 1000) : 0;
      if (seconds > 0) headers.Prefer = `wait=${seconds}`;
      const answer = await request(url, { method: 'GET', headers, cache: 'no-store' }, signal, seconds * 1000);
      if (answer.response.status === 304 && cached) return cached.report;
      if (!answer.response.ok) throw errorFrom(answer);
      const report = parseStatusReport(json(answer), sessionId);
      const etag = answer.response.headers.get('ETag');
      if (etag) known.set(sessionId, { etag, report });
      else known.delete(sessionId);
      return report;
    },
  };
}
