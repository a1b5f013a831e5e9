/**
 * Strict validation of the backend's answers: a field missing or of the wrong type is an
 * `IdvError('bad_response')`, never `undefined` passed along.
 */
import type { Session, StatusReport } from '../contract/bodies.js';
import { isLoopbackHost } from '../contract/http.js';
import { normaliseStatus, normaliseVerification, type SessionStatus, type Verification } from '../contract/vocabulary.js';
import { IdvError } from './errors.js';

type Json = Record<string, unknown>;

const bad = (message: string) => new IdvError('bad_response', message);

function object(value: unknown): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('Answer is not an object');
  return value as Json;
}

function text(body: Json, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw bad(`"${field}" is not a non-empty string`);
  }
  return value;
}

/** An ISO 8601 date and time with its zone (`Z` or an offset): without one it would be read as local time. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

function timestamp(body: Json, field: string): string {
  const value = text(body, field);
  if (!ISO_8601.test(value) || Number.isNaN(Date.parse(value))) {
    throw bad(`"${field}" is not an ISO 8601 time with a zone`);
  }
  return value;
}

function status(body: Json): SessionStatus {
  const word = text(body, 'status');
  const known = normaliseStatus(word);
  if (!known) throw new IdvError('unknown_status', `Unknown status "${word}"`);
  return known;
}

function verification(body: Json, status: SessionStatus): Verification | null {
  const word = body.verification;
  if (word === null || word === undefined) {
    if (status === 'completed') throw bad('"verification" is missing');
    return null;
  }
  if (typeof word !== 'string') throw bad('"verification" is not a string');
  const known = normaliseVerification(word);
  if (!known) throw new IdvError('unknown_status', `Unknown verification "${word}"`);
  return known;
}

/**
 * The hosted-flow URL, if it is safe to open: absolute, `https:`, or `http:` on a loopback host.
 * Anything else (`javascript:`, `data:`, plain `http:` elsewhere, garbage) is `unsafe_url`.
 */
export function safeHostedUrl(url: unknown): string {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  const safe =
    parsed?.protocol === 'https:' || (parsed?.protocol === 'http:' && isLoopbackHost(parsed.hostname));
  if (!parsed || !safe) {
    throw new IdvError('unsafe_url', `Unsafe hosted-flow URL "${String(url)}"`, {
      retryable: false,
    });
  }
  return parsed.href;
}

/** A `POST {endpoint}` answer. */
export function parseSession(value: unknown): Session {
  const body = object(value);
  return {
    sessionId: text(body, 'sessionId'),
    url: safeHostedUrl(text(body, 'url')),
    token: text(body, 'token'),
    expiresAt: timestamp(body, 'expiresAt'),
    status: status(body),
  };
}

/** A `GET {endpoint}/{sessionId}` answer, which must be about `sessionId`. */
export function parseStatusReport(value: unknown, sessionId: string): StatusReport {
  const body = object(value);
  const current = status(body);
  const report = {
    sessionId: text(body, 'sessionId'),
    status: current,
    verification: verification(body, current),
    updatedAt: timestamp(body, 'updatedAt'),
  };
  if (report.sessionId !== sessionId) {
    throw bad(`Answer is about session ${report.sessionId}, not ${sessionId}`);
  }
  return report;
}
