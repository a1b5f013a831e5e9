/** The browser's typed failures, with the contract's error codes (`src/contract/errors.ts`). */
import { HTTP_ERROR_CODES, type IdvErrorCode } from '../contract/errors.js';

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

/** The error code for a non-2xx HTTP status. */
export const codeForStatus = (status: number): IdvErrorCode =>
  (HTTP_ERROR_CODES as Record<number, IdvErrorCode>)[status] ?? (status >= 500 ? 'server_error' : 'bad_response');

/** Any thrown value as an `IdvError` (an `IdvError` is returned as it is). */
export const toIdvError = (error: unknown): IdvError =>
  error instanceof IdvError
    ? error
    : new IdvError('network_error', error instanceof Error ? error.message : String(error), {
        cause: error,
      });
