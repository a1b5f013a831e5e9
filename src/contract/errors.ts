/**
 * The contract's error codes: the `code` of a backend's error body
 * `{ error: { code, message, retryable } }` and of the browser's `IdvError` (and so of
 * `kosmos-idv-error`). Both halves take their words from here, so that a code is spelled once.
 */

/**
 * The codes named after an HTTP status. A backend sends them with that status, and the browser's
 * client reports an answer of that status by the same word, whatever the body says.
 */
export const HTTP_ERROR_CODES = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limited',
} as const;
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[keyof typeof HTTP_ERROR_CODES];

/**
 * The codes the browser reports (`IdvError.code`, `kosmos-idv-error`):
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
  | HttpErrorCode
  | 'invalid_config'
  | 'network_error'
  | 'timeout'
  | 'bad_response'
  | 'unknown_status'
  | 'unsafe_url'
  | 'server_error'
  | 'session_expired';

/**
 * The codes the backend kit sends: the HTTP ones, and finer causes that the browser reports by
 * their HTTP status (`server_error` for a 5xx, `forbidden` for `origin_not_allowed` …).
 */
export type KitErrorCode =
  | HttpErrorCode
  | 'method_not_allowed'
  | 'request_timeout'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'origin_not_allowed'
  | 'internal_error'
  | 'store_unavailable'
  | 'upstream_timeout'
  | 'upstream_unreachable'
  | 'upstream_busy'
  | 'upstream_error'
  | 'upstream_rejected';
