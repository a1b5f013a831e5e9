/**
 * The stable error codes of `kosmos-idv-error` and of every rejection in `src/api`.
 * - `invalid_config`: the element or a hook is misconfigured (no endpoint, unknown mode …);
 * - `network_error`, `timeout`: the backend could not be reached in time;
 * - `bad_response`: the backend answered something that breaks the contract;
 * - `unknown_status`: a status word the contract does not have;
 * - `unsafe_url`: a hosted-flow URL that is not `https:` (or `http:` on localhost);
 * - `bad_request`, `unauthorized`, `forbidden`, `not_found`, `rate_limited`, `server_error`:
 *   the backend's HTTP status (400, 401, 403, 404, 429, 5xx);
 * - `session_expired`: `expiresAt` passed and the backend did not confirm a final status.
 */
export type IdvErrorCode =
  | 'invalid_config'
  | 'network_error'
  | 'timeout'
  | 'bad_response'
  | 'unknown_status'
  | 'unsafe_url'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'rate_limited'
  | 'server_error'
  | 'session_expired';

const RETRYABLE: ReadonlySet<IdvErrorCode> = new Set([
  'network_error',
  'timeout',
  'rate_limited',
  'server_error',
]);

export interface IdvErrorOptions {
  /** The backend's HTTP status, when there was an answer. */
  status?: number;
  /** How long the backend asked to wait (`Retry-After`), in ms. */
  retryAfter?: number;
  /** Overrides the code's default (network, timeout, 429 and 5xx are retryable). */
  retryable?: boolean;
  cause?: unknown;
}

/** A typed failure: a stable `code`, a readable `message`, and whether retrying may help. */
export class IdvError extends Error {
  override readonly name = 'IdvError';
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfter?: number;

  constructor(
    readonly code: IdvErrorCode,
    message: string,
    options: IdvErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? RETRYABLE.has(code);
    this.status = options.status;
    this.retryAfter = options.retryAfter;
  }
}

const HTTP_CODES: Record<number, IdvErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limited',
};

/** The error code for a non-2xx HTTP status. */
export const codeForStatus = (status: number): IdvErrorCode =>
  HTTP_CODES[status] ?? (status >= 500 ? 'server_error' : 'bad_response');

/** Any thrown value as an `IdvError` (an `IdvError` is returned as it is). */
export const toIdvError = (error: unknown): IdvError =>
  error instanceof IdvError
    ? error
    : new IdvError('network_error', error instanceof Error ? error.message : String(error), {
        cause: error,
      });
