/** What went wrong talking to 1Kosmos. */
export type KosmosApiErrorKind =
  /** 1Kosmos answered 400 (e.g. "dvcID is required"). */
  | 'bad_request'
  /** 1Kosmos answered 401: license key, public key or request id refused. */
  | 'unauthorized'
  /** 1Kosmos answered 404: unknown dvcID or session. */
  | 'not_found'
  /** Any other non-2xx answer (5xx, 429, 403 …). */
  | 'upstream_error'
  /** No HTTP answer at all: DNS, connection refused, reset. */
  | 'unreachable'
  /** No complete answer within the configured timeout. */
  | 'timeout'
  /** A 2xx answer that is not JSON or not of the expected shape. */
  | 'bad_response'
  /** An encrypted answer that does not decrypt with our key pair. */
  | 'decryption_failed';

/** Optional details of a {@link KosmosApiError}. */
export interface KosmosApiErrorDetails {
  /** The HTTP status of 1Kosmos's answer, when there was one. */
  status?: number;
  /** The `code` of 1Kosmos's `{ code, message }` error body. */
  code?: number | string;
  /** The `message` of 1Kosmos's `{ code, message }` error body. */
  upstreamMessage?: string;
  /** How long 1Kosmos asked to wait (its `Retry-After`), ms. */
  retryAfter?: number;
  cause?: unknown;
}

/**
 * Every failure of the 1Kosmos client. Messages never carry the license key or decrypted data;
 * `retryable` says whether the same call may succeed later (network trouble, timeouts, 5xx, 429).
 */
export class KosmosApiError extends Error {
  override readonly name = 'KosmosApiError';
  readonly status?: number;
  readonly code?: number | string;
  readonly upstreamMessage?: string;
  readonly retryAfter?: number;
  readonly retryable: boolean;

  constructor(
    readonly kind: KosmosApiErrorKind,
    message: string,
    details: KosmosApiErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.code = details.code;
    this.upstreamMessage = details.upstreamMessage;
    this.retryAfter = details.retryAfter;
    this.retryable =
      kind === 'unreachable' ||
      kind === 'timeout' ||
      (kind === 'upstream_error' &&
        details.status !== undefined &&
        (details.status >= 500 || details.status === 429));
  }
}
