/**
 * `ResultHandoff` on its own: once per session, kept and retried with doubling delays until
 * `onResult` succeeds, every failure reported.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IdvHandlerError, ResultContext } from '../../src/server/config.js';
import { ResultHandoff } from '../../src/server/handoff.js';
import type { KosmosResult } from '../../src/server/result.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));

const result = (sessionId: string): KosmosResult => ({
  sessionId,
  status: 'completed',
  verification: 'passed',
  hasPII: true,
  raw: { sessionId, document: { firstName: 'SAMPLE' } },
});
const context = (sessionId: string): ResultContext => ({ sessionId, subject: null, dvcID: 'default' });

describe('ResultHandoff', () => {
  it('hands each session over once, even when asked concurrently and again later', async () => {
    const seen: string[] = [];
    const handoff = new ResultHandoff({
      onResult: async (given) => {
        await settle();
        seen.push(given.sessionId);
      },
      timeout: 1000,
    });
    await Promise.all([
      handoff.deliver(result('a'), context('a')),
      handoff.deliver(result('a'), context('a')),
      handoff.deliver(result('b'), context('b')),
    ]);
    await handoff.deliver(result('a'), context('a'));
    assert.deepEqual(seen.sort(), ['a', 'b']);
    assert.equal(handoff.pendingCount, 0);
  });

  it('keeps a failed result, retries with doubling delays up to the cap, and reports each failure', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const problems: IdvHandlerError[] = [];
    let calls = 0;
    const handoff = new ResultHandoff({
      onResult: () => {
        calls++;
        if (calls <= 4) throw new Error(`failure ${calls}`);
      },
      report: (problem) => problems.push(problem),
      timeout: 1000,
      retryDelay: 100,
      maxRetryDelay: 300,
    });
    await handoff.deliver(result('a'), context('a'));
    await handoff.deliver(result('a'), context('a'));
    assert.equal(calls, 1, 'a pending result is not handed over a second time');
    assert.equal(handoff.pendingCount, 1);
    for (const delay of [100, 200, 300]) {
      t.mock.timers.tick(delay);
      await settle();
    }
    t.mock.timers.tick(299);
    await settle();
    assert.equal(calls, 4);
    t.mock.timers.tick(1);
    await settle();
    assert.equal(calls, 5);
    assert.equal(handoff.pendingCount, 0);
    assert.deepEqual(
      problems.map(({ stage, attempt, retryIn, sessionId }) => ({ stage, attempt, retryIn, sessionId })),
      [1, 2, 3, 4].map((attempt) => ({ stage: 'onResult', attempt, retryIn: [100, 200, 300, 300][attempt - 1], sessionId: 'a' })),
    );
    assert.deepEqual(
      problems.map(({ error }) => (error as Error).message),
      ['failure 1', 'failure 2', 'failure 3', 'failure 4'],
    );
  });

  it('does nothing without onResult', async () => {
    const handoff = new ResultHandoff({ timeout: 1000 });
    await handoff.deliver(result('a'), context('a'));
    assert.equal(handoff.pendingCount, 0);
  });
});
