import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IdvError } from '../../src/api/errors.js';
import type { IdvErrorCode } from '../../src/contract/errors.js';
import { parseSession, parseStatusReport, safeHostedUrl } from '../../src/api/parse.js';
import { SESSION_STATUSES, VERIFICATIONS } from '../../src/contract/vocabulary.js';

/** `body` without `field`. */
const without = (body: object, field: string) =>
  Object.fromEntries(Object.entries(body).filter(([key]) => key !== field));

const session = () => ({
  sessionId: 's-1',
  url: 'https://idv.example.com/flow/s-1',
  token: 'tok',
  expiresAt: '2030-01-01T00:00:00.000Z',
  status: 'pending',
});

const report = () => ({
  sessionId: 's-1',
  status: 'in_progress',
  verification: null as unknown,
  updatedAt: '2030-01-01T00:00:00Z',
});

/** Asserts `run` throws an `IdvError` with `code`, and returns it. */
function throwsCode(run: () => unknown, code: IdvErrorCode): IdvError {
  let caught: unknown;
  assert.throws(run, (error) => {
    caught = error;
    return error instanceof IdvError && error.code === code;
  });
  return caught as IdvError;
}

describe('parseSession', () => {
  it('returns the session, with the status normalised', () => {
    assert.deepEqual(parseSession({ ...session(), status: 'Pending' }), session());
    assert.deepEqual(parseSession({ ...session(), status: 'In Progress' }).status, 'in_progress');
  });

  it('rejects an answer that is not a JSON object', () => {
    for (const value of [null, undefined, 'text', 42, true, [session()]]) {
      throwsCode(() => parseSession(value), 'bad_response');
    }
  });

  for (const field of ['sessionId', 'url', 'token', 'expiresAt', 'status'] as const) {
    it(`rejects a missing, empty or non-string "${field}" as bad_response, never undefined`, () => {
      const error = throwsCode(() => parseSession(without(session(), field)), 'bad_response');
      assert.match(error.message, new RegExp(field));
      for (const wrong of [null, 1, true, {}, [], '', '   ']) {
        throwsCode(() => parseSession({ ...session(), [field]: wrong }), 'bad_response');
      }
    });
  }

  it('rejects an expiresAt that is not an ISO 8601 date', () => {
    for (const expiresAt of ['tomorrow', '1', '2030', 'May 5, 2030', '2030-13-45T00:00:00Z', '2030-01-01T00:00:00']) {
      throwsCode(() => parseSession({ ...session(), expiresAt }), 'bad_response');
    }
    for (const expiresAt of ['2030-01-01T00:00:00Z', '2030-01-01T00:00:00.123+02:00', '2030-01-01T00:00Z']) {
      assert.equal(parseSession({ ...session(), expiresAt }).expiresAt, expiresAt);
    }
  });

  it('rejects an unknown status word as unknown_status', () => {
    const error = throwsCode(() => parseSession({ ...session(), status: 'approved' }), 'unknown_status');
    assert.equal(error.retryable, false);
  });

  it('refuses an unsafe hosted-flow URL', () => {
    throwsCode(() => parseSession({ ...session(), url: 'javascript:alert(1)' }), 'unsafe_url');
  });

  it('property: any JSON value is either a complete session or an IdvError', () => {
    const likely = fc.constantFrom(...Object.values(session()), 'Completed', 'http://localhost:1/x');
    const field = fc.oneof(likely, fc.jsonValue());
    const body = fc.record(
      { sessionId: field, url: field, token: field, expiresAt: field, status: field },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(body, fc.jsonValue()), (value) => {
        let parsed;
        try {
          parsed = parseSession(value);
        } catch (error) {
          return error instanceof IdvError;
        }
        return (
          ['sessionId', 'url', 'token', 'expiresAt'].every(
            (key) => typeof parsed[key as keyof typeof parsed] === 'string',
          ) && SESSION_STATUSES.includes(parsed.status)
        );
      }),
    );
  });
});

describe('parseStatusReport', () => {
  it('returns the report, with status and verification normalised', () => {
    assert.deepEqual(parseStatusReport(report(), 's-1'), report());
    assert.deepEqual(
      parseStatusReport({ ...report(), status: 'COMPLETED', verification: 'Not performed' }, 's-1'),
      { ...report(), status: 'completed', verification: 'not_performed' },
    );
    for (const verification of VERIFICATIONS) {
      const completed = parseStatusReport({ ...report(), status: 'completed', verification }, 's-1');
      assert.equal(completed.verification, verification);
    }
  });

  it('reads a missing verification before completion as null', () => {
    assert.equal(parseStatusReport(without(report(), 'verification'), 's-1').verification, null);
  });

  it('rejects a completed report without a verification', () => {
    throwsCode(() => parseStatusReport({ ...report(), status: 'completed' }, 's-1'), 'bad_response');
  });

  it('rejects an unknown verification word as unknown_status', () => {
    const maybe = { ...report(), status: 'completed', verification: 'maybe' };
    throwsCode(() => parseStatusReport(maybe, 's-1'), 'unknown_status');
  });

  it('rejects a verification of the wrong type as bad_response', () => {
    for (const verification of [1, true, {}, ['passed']]) {
      throwsCode(() => parseStatusReport({ ...report(), status: 'completed', verification }, 's-1'), 'bad_response');
    }
  });

  for (const field of ['sessionId', 'status', 'updatedAt'] as const) {
    it(`rejects a missing or non-string "${field}"`, () => {
      throwsCode(() => parseStatusReport(without(report(), field), 's-1'), 'bad_response');
      throwsCode(() => parseStatusReport({ ...report(), [field]: 7 }, 's-1'), 'bad_response');
    });
  }

  it('rejects an updatedAt that is not a date', () => {
    throwsCode(() => parseStatusReport({ ...report(), updatedAt: 'now' }, 's-1'), 'bad_response');
  });

  it('rejects a report about another session', () => {
    const error = throwsCode(() => parseStatusReport({ ...report(), sessionId: 's-2' }, 's-1'), 'bad_response');
    assert.match(error.message, /s-2/);
  });
});

describe('safeHostedUrl', () => {
  it('accepts https: anywhere and http: on loopback hosts', () => {
    for (const url of [
      'https://idv.example.com/flow?x=1',
      'HTTPS://IDV.EXAMPLE.COM/',
      'http://localhost:5173/flow',
      'http://127.0.0.1:8080/',
      'http://[::1]:3000/',
      'http://idv.localhost/',
    ]) {
      assert.equal(safeHostedUrl(url), new URL(url).href, url);
    }
  });

  it('refuses javascript:, data:, http: on other hosts, other schemes and non-URLs, not retryable', () => {
    for (const url of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'http://idv.example.com/flow',
      'http://127.0.0.1.evil.example/',
      'http://localhost.evil.example/',
      'ftp://idv.example.com/',
      'blob:https://idv.example.com/0c0e',
      '/relative/flow',
      '',
      'not a url',
      42,
      null,
    ]) {
      const error = throwsCode(() => safeHostedUrl(url), 'unsafe_url');
      assert.equal(error.retryable, false);
    }
  });
});
