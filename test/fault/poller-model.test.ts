/**
 * Model-based property test of the Poller's state machine: fast-check drives it with any sequence
 * of answers (plain, terminal), failures (retryable with or without Retry-After, thrown non-IdvErrors,
 * non-retryable), pokes, visibility changes, clock advances, jitter values, stop() and start(), and
 * a small model predicts after every step whether it must still be running and which callbacks it
 * must have made. (The status normaliser's properties are in test/contract/vocabulary.test.ts.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { SessionStatus } from '../../src/contract/vocabulary.js';
import { flush } from '../api/fake-clock.js';
import { fatal, harness, retryable } from '../api/poller-harness.js';

type Step =
  | { kind: 'answer'; status: SessionStatus }
  | { kind: 'retryable' | 'thrown' | 'fatal' | 'poke' | 'stop' | 'start' }
  | { kind: 'retryAfter'; ms: number }
  | { kind: 'visible'; visible: boolean }
  | { kind: 'advance'; ms: number }
  | { kind: 'random'; value: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc
    .constantFrom<SessionStatus>('pending', 'in_progress', 'in_progress', 'completed', 'expired', 'declined')
    .map((status): Step => ({ kind: 'answer', status })),
  fc.constantFrom<Step>(
    { kind: 'retryable' },
    { kind: 'thrown' },
    { kind: 'fatal' },
    { kind: 'poke' },
    { kind: 'stop' },
    { kind: 'start' },
  ),
  fc.integer({ min: 0, max: 120_000 }).map((ms): Step => ({ kind: 'retryAfter', ms })),
  fc.boolean().map((visible): Step => ({ kind: 'visible', visible })),
  fc.integer({ min: 0, max: 60_000 }).map((ms): Step => ({ kind: 'advance', ms })),
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map((value): Step => ({ kind: 'random', value })),
);

const options = fc.record(
  {
    interval: fc.integer({ min: 250, max: 60_000 }),
    hiddenInterval: fc.integer({ min: 250, max: 120_000 }),
    maxBackoff: fc.integer({ min: 1000, max: 60_000 }),
    expiresAt: fc.integer({ min: 0, max: 300_000 }),
  },
  { requiredKeys: [] },
);

const TERMINAL = new Set<SessionStatus>(['completed', 'expired', 'declined']);

describe('Poller model', () => {
  it('stays valid under any answers, errors, pokes, visibility changes, clock moves, stop and start', async () => {
    await fc.assert(
      fc.asyncProperty(options, fc.array(step, { maxLength: 80, size: 'max' }), async (settings, steps) => {
        const h = harness(settings);
        const cap = settings.maxBackoff ?? 30_000;
        const expired = () => settings.expiresAt !== undefined && h.clock.now() >= settings.expiresAt;
        /** The model: whether it must be polling, what it must have reported, what no read may start before. */
        let running = true;
        let reports = 0;
        const errorCodes: string[] = [];
        let notBefore = 0;
        /** Reads when a terminal report or a stop happened (no read may follow until start()). */
        let frozenAt: number | undefined;
        let longestWait = Math.max(settings.interval ?? 2000, settings.hiddenInterval ?? 15_000, cap);

        /** A retryable failure of the read in flight: backoff (or a Retry-After above 0), or session_expired past expiresAt. */
        const failRetryable = async (error: unknown, retryAfter?: number) => {
          const at = h.clock.now();
          await h.fail(error);
          if (expired()) {
            running = false;
            errorCodes.push('session_expired');
            return;
          }
          errorCodes.push(error instanceof TypeError ? 'network_error' : 'server_error');
          const delay = h.clock.nextDelay;
          assert.ok(delay !== undefined, 'a retry is scheduled');
          const untilExpiry = settings.expiresAt === undefined ? Infinity : settings.expiresAt - at;
          // A Retry-After of 0 (or a date already past) is backed off like no Retry-After at all.
          if (!retryAfter) {
            assert.ok(delay <= cap, `backoff ${delay} ms is above the cap ${cap} ms`);
            assert.ok(delay > 0 || untilExpiry <= 0, 'a backoff waits');
            notBefore = at + delay;
          } else {
            assert.equal(delay, Math.min(retryAfter, untilExpiry), 'Retry-After is waited exactly (or until expiry)');
            notBefore = at + retryAfter;
            longestWait = Math.max(longestWait, retryAfter);
          }
        };

        h.poller.start();
        for (const s of steps) {
          const inFlight = h.open().length > 0;
          const readsBefore = h.reads.length;
          switch (s.kind) {
            case 'answer':
              if (!inFlight) break;
              await h.answer(s.status);
              reports += 1;
              notBefore = 0;
              if (TERMINAL.has(s.status)) {
                running = false;
              } else if (expired()) {
                running = false;
                errorCodes.push('session_expired');
              }
              break;
            case 'retryable':
              if (inFlight) await failRetryable(retryable());
              break;
            case 'retryAfter':
              if (inFlight) await failRetryable(retryable(s.ms), s.ms);
              break;
            case 'thrown':
              if (inFlight) await failRetryable(new TypeError('fetch failed'));
              break;
            case 'fatal':
              if (!inFlight) break;
              await h.fail(fatal());
              running = false;
              errorCodes.push('unauthorized');
              break;
            case 'poke':
              h.poller.poke();
              break;
            case 'stop':
              h.poller.stop();
              running = false;
              break;
            case 'start':
              if (!running) {
                running = true;
                frozenAt = undefined;
                notBefore = 0;
              }
              h.poller.start();
              break;
            case 'visible':
              h.poller.setVisible(s.visible);
              break;
            case 'advance':
              await h.clock.advance(s.ms);
              break;
            case 'random':
              h.clock.randomValue = s.value;
              break;
          }
          await flush();

          const reading = h.open().length;
          assert.equal(h.poller.running, running, 'running as the model says');
          assert.ok(h.maxInFlight <= 1, 'one read in flight at most');
          assert.equal(h.reports.length, reports, 'every answer reported once, nothing else');
          assert.deepEqual(
            h.errors.map((error) => error.code),
            errorCodes,
            'every failure reported once, as the model says',
          );
          for (const read of h.reads.slice(readsBefore)) {
            const earliest = Math.min(notBefore, settings.expiresAt ?? Infinity);
            assert.ok(read.at >= earliest, `read at ${read.at} before the backoff deadline ${earliest}`);
          }
          if (running) {
            assert.equal(reading + h.clock.pending, 1, 'while running: either a read in flight or one timer');
            if (reading === 0) assert.ok(h.clock.nextDelay! <= longestWait, 'the next read is never put off indefinitely');
          } else {
            frozenAt ??= h.reads.length;
            assert.equal(h.clock.pending, 0, 'no timer once stopped or final');
            assert.equal(reading, 0, 'no read in flight once stopped or final');
            assert.equal(h.reads.length, frozenAt, 'no read after a terminal report, a fatal error or stop()');
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
