/**
 * A `Poller` on a fake clock whose reads the test answers one by one; shared by the poller's unit
 * tests (test/api) and its model-based property test (test/fault).
 */
import assert from 'node:assert/strict';
import { IdvError } from '../../src/api/errors.js';
import { Poller, type PollerOptions } from '../../src/api/poller.js';
import type { StatusReport } from '../../src/contract/bodies.js';
import type { SessionStatus } from '../../src/contract/vocabulary.js';
import { FakeClock, flush } from './fake-clock.js';

export const report = (status: SessionStatus = 'in_progress'): StatusReport => ({
  sessionId: 's-1',
  status,
  verification: status === 'completed' ? 'passed' : null,
  updatedAt: '2030-01-01T00:00:00Z',
});

/** A 503 the poller must retry, with the backend's `Retry-After` (ms) if given. */
export const retryable = (retryAfter?: number) =>
  new IdvError('server_error', 'Down for a moment.', { status: 503, retryAfter });
/** A 401: the poller must stop. */
export const fatal = () => new IdvError('unauthorized', 'Bad token.', { status: 401 });

export interface Read {
  signal: AbortSignal;
  /** How long the backend may hold it (ms). */
  wait: number;
  /** The fake clock's time when the read started. */
  at: number;
  resolve(report: StatusReport): void;
  reject(error: unknown): void;
  settled: boolean;
}

export type Harness = ReturnType<typeof harness>;

/** A poller on a fake clock whose reads the test answers one by one. */
export function harness(options: Partial<PollerOptions> = {}) {
  const clock = new FakeClock();
  const reads: Read[] = [];
  const reports: StatusReport[] = [];
  const errors: IdvError[] = [];
  /** The most reads ever in flight at once (an aborted read is no longer in flight). */
  let maxInFlight = 0;
  const open = () => reads.filter((read) => !read.settled && !read.signal.aborted);
  const poller = new Poller({
    clock,
    read: (signal, wait) =>
      new Promise<StatusReport>((resolve, reject) => {
        const read: Read = {
          signal,
          wait,
          at: clock.now(),
          settled: false,
          resolve: (value) => {
            read.settled = true;
            resolve(value);
          },
          reject: (error) => {
            read.settled = true;
            reject(error);
          },
        };
        reads.push(read);
        maxInFlight = Math.max(maxInFlight, open().length);
      }),
    onReport: (value) => reports.push(value),
    onError: (error) => errors.push(error),
    ...options,
  });

  /** The read in flight, which must exist. */
  const current = () => {
    const [read, ...more] = open();
    assert.ok(read, 'a read is in flight');
    assert.equal(more.length, 0);
    return read;
  };
  return {
    clock,
    poller,
    reads,
    reports,
    errors,
    open,
    get maxInFlight() {
      return maxInFlight;
    },
    /** Answers the read in flight with a report. */
    async answer(status: SessionStatus = 'in_progress') {
      current().resolve(report(status));
      await flush();
    },
    /** Fails the read in flight. */
    async fail(error: unknown) {
      current().reject(error);
      await flush();
    },
  };
}
