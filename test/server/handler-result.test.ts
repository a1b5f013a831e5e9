/**
 * The result hand-off through the handler: `onResult` gets the PII the one time 1Kosmos returns
 * it, exactly once, and a failing or hanging `onResult` is retried without touching the answers.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { IdvHandlerError } from '../../src/server/config.js';
import type { KosmosResult } from '../../src/server/result.js';
import { createSession, expectStatus, simulated, startKit, type Kit } from './kit-helpers.js';

/** Lets every queued promise callback run (mocked timers do not mock `setImmediate`). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A completed, passed session with its PII still at 1Kosmos. */
async function passedSession(kit: Kit) {
  const session = await createSession(kit.handler);
  simulated(kit.sim, session.sessionId).start();
  simulated(kit.sim, session.sessionId).document('pass');
  return session;
}

const onResultErrors = (errors: IdvHandlerError[]) =>
  errors
    .filter((problem) => problem.stage === 'onResult')
    .map(({ attempt, retryIn, sessionId }) => ({ attempt, retryIn, sessionId }));

/** An `onResult` that throws on its first two calls ("the PII store is down"), then keeps what it gets. */
function failingTwice() {
  const sink = {
    calls: 0,
    delivered: [] as KosmosResult[],
    onResult(result: KosmosResult) {
      sink.calls++;
      if (sink.calls <= 2) throw new Error('the PII store is down');
      sink.delivered.push(result);
    },
  };
  return sink;
}

describe('createIdvHandler: PII hand-off', () => {
  it('1Kosmos returns the PII once (ttl −1): onResult gets it, another instance gets the final result without', async (t) => {
    const kit = await startKit(t);
    const session = await passedSession(kit);
    await expectStatus(kit.handler, session, 'completed', 'passed');
    assert.equal(kit.results.length, 1);
    const [{ result }] = kit.results;
    assert.equal(result.hasPII, true);
    assert.ok(result.raw.document, 'raw.document');
    assert.ok(result.raw.extractedInfo, 'raw.extractedInfo');
    assert.equal(simulated(kit.sim, session.sessionId).view().piiReturned, 1);

    // A second instance (same secret, no shared memory) serves the same token.
    const other = await startKit(t, { simulator: kit.sim });
    await expectStatus(other.handler, session, 'completed', 'passed');
    assert.equal(other.results.length, 1);
    assert.equal(other.results[0].result.hasPII, false);
    assert.equal(other.results[0].result.raw.document, undefined);
    assert.equal(simulated(kit.sim, session.sessionId).view().piiReturned, 1);
  });

  it('with PII retention off, onResult gets the final result (without PII) once', async (t) => {
    const kit = await startKit(t, { sim: { piiRetention: { off: true } } });
    const session = await passedSession(kit);
    await expectStatus(kit.handler, session, 'completed', 'passed');
    await expectStatus(kit.handler, session, 'completed', 'passed');
    assert.equal(kit.results.length, 1);
    assert.equal(kit.results[0].result.hasPII, false);
    assert.equal(kit.results[0].result.verification, 'passed');
  });

  it('onResult throwing twice then succeeding: delivered once, failures reported, answers right all along', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const sink = failingTwice();
    const kit = await startKit(t, { config: { onResult: sink.onResult } });
    const session = await passedSession(kit);

    await expectStatus(kit.handler, session, 'completed', 'passed');
    assert.equal(sink.calls, 1);
    assert.deepEqual(onResultErrors(kit.errors), [{ attempt: 1, retryIn: 1000, sessionId: session.sessionId }]);
    assert.match((kit.errors[0].error as Error).message, /PII store is down/);

    t.mock.timers.tick(999);
    await settle();
    assert.equal(sink.calls, 1, 'not before the retry delay');
    t.mock.timers.tick(1);
    await settle();
    assert.equal(sink.calls, 2);
    assert.deepEqual(onResultErrors(kit.errors).at(-1), { attempt: 2, retryIn: 2000, sessionId: session.sessionId });
    await expectStatus(kit.handler, session, 'completed', 'passed');

    t.mock.timers.tick(2000);
    await settle();
    assert.equal(sink.calls, 3);
    assert.equal(sink.delivered.length, 1);
    assert.equal(sink.delivered[0].hasPII, true, 'the kept result still has its PII');
    assert.ok(sink.delivered[0].raw.document);

    t.mock.timers.tick(600_000);
    await settle();
    await expectStatus(kit.handler, session, 'completed', 'passed');
    assert.equal(sink.calls, 3, 'never delivered again');
    assert.equal(onResultErrors(kit.errors).length, 2);
  });

  it('onResult hanging past onResultTimeout counts as a failure and is retried', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let calls = 0;
    let firstCall!: () => void;
    const called = new Promise<void>((resolve) => (firstCall = resolve));
    const delivered: KosmosResult[] = [];
    const kit = await startKit(t, {
      config: {
        onResultTimeout: 5000,
        onResult: (result) => {
          calls++;
          if (calls === 1) {
            firstCall();
            return new Promise<void>(() => {});
          }
          delivered.push(result);
        },
      },
    });
    const session = await passedSession(kit);

    const answer = expectStatus(kit.handler, session, 'completed', 'passed');
    await called;
    t.mock.timers.tick(5000);
    await answer;
    assert.deepEqual(onResultErrors(kit.errors), [{ attempt: 1, retryIn: 1000, sessionId: session.sessionId }]);
    assert.match((kit.errors[0].error as Error).message, /did not finish within 5000 ms/);

    t.mock.timers.tick(1000);
    await settle();
    assert.equal(calls, 2);
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0].hasPII, true);
  });

  it('an onError that throws loses no result: the answers stay right and the retries go on', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const sink = failingTwice();
    const kit = await startKit(t, {
      config: {
        onResult: sink.onResult,
        onError: () => {
          throw new Error('the logger is down');
        },
      },
    });
    const session = await passedSession(kit);
    await expectStatus(kit.handler, session, 'completed', 'passed');
    assert.equal(sink.calls, 1);
    t.mock.timers.tick(1000);
    await settle();
    assert.equal(sink.calls, 2, 'retried from its timer, where a throw would be an unhandled rejection');
    t.mock.timers.tick(2000);
    await settle();
    assert.equal(sink.calls, 3);
    assert.equal(sink.delivered.length, 1);
    assert.equal(sink.delivered[0].hasPII, true);
  });

  it('close() stops the retries', async (t: TestContext) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let calls = 0;
    const kit = await startKit(t, {
      config: {
        onResult: () => {
          calls++;
          throw new Error('down');
        },
      },
    });
    const session = await passedSession(kit);
    await expectStatus(kit.handler, session, 'completed', 'passed');
    kit.handler.close();
    t.mock.timers.tick(600_000);
    await settle();
    assert.equal(calls, 1);
  });
});
