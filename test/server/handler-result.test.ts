/**
 * The result hand-off through the handler, from the ledger: `onResult` gets each session's final
 * result (with the PII the one time 1Kosmos returns it) once, cluster-wide, whether or not a
 * browser reads the status; a failing or hanging `onResult` is retried with backoff without
 * touching the answers; an answer the kit cannot read is handed over as status `unknown`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IdvHandlerError, ResultContext } from '../../src/server/config.js';
import { generateKeyPair, sharedCipher, type KosmosKeyPair } from '../../src/server/crypto.js';
import { createMemoryStore } from '../../src/server/ledger/memory.js';
import type { LedgerEntry, LedgerStore } from '../../src/server/ledger/store.js';
import type { KosmosResult } from '../../src/server/result.js';
import {
  createSession,
  entryOf,
  expectStatus,
  ledgerSays,
  RESULT_PATH,
  simulated,
  startKit,
  type Kit,
  waitFor,
} from './kit-helpers.js';

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

const delivered = (entry: LedgerEntry) => entry.results[0]?.state === 'delivered';

/** One store for several kit instances, like one shared database: no instance's close() ends it. */
const shared = (store: LedgerStore): LedgerStore => ({ ...store, close: async () => undefined });

/** A retry delay: `base` ms with ±20 % jitter. */
function assertJittered(retryIn: number | undefined, base: number): void {
  assert.ok(retryIn !== undefined && retryIn >= base * 0.8 && retryIn <= base * 1.2, `retryIn ${retryIn} is ${base} ms ± 20 %`);
}

/** An `onResult` that throws on its first two calls ("the PII store is down"), then keeps what it gets. */
function failingTwice() {
  const sink = {
    calls: [] as { at: number; context: ResultContext }[],
    delivered: [] as KosmosResult[],
    onResult(result: KosmosResult, context: ResultContext) {
      sink.calls.push({ at: Date.now(), context });
      if (sink.calls.length <= 2) throw new Error('the PII store is down');
      sink.delivered.push(result);
    },
  };
  return sink;
}

/**
 * A fetch in front of the simulator that lets `rewrite` change the plaintext of result answers
 * (re-encrypted for `keyPair`, so the kit decrypts it as 1Kosmos's): `undefined` keeps it, a
 * string is sent as it is (not JSON).
 */
function rewriting(keyPair: KosmosKeyPair, rewrite: (plaintext: Record<string, unknown>) => unknown): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!String(input).endsWith('/result') || !response.ok) return response;
    const body = (await response.json()) as { data: string; publicKey: string };
    const cipher = await sharedCipher(keyPair.privateKey, body.publicKey);
    const changed = rewrite(JSON.parse(await cipher.decrypt(body.data)) as Record<string, unknown>);
    if (changed === undefined) return Response.json(body);
    const text = typeof changed === 'string' ? changed : JSON.stringify(changed);
    return Response.json({ data: await cipher.encrypt(text), publicKey: body.publicKey });
  };
}

describe('createIdvHandler: the final result handed over', () => {
  it('1Kosmos returns the PII once (ttl −1): onResult gets it once, with its context; the ledger then forgets it', async (t) => {
    const store = createMemoryStore();
    const kit = await startKit(t, { config: { store } });
    const session = await passedSession(kit);
    await expectStatus(kit.handler, session, 'completed', 'passed');
    await waitFor(() => kit.results.length === 1, 'onResult');
    const [{ result, context }] = kit.results;
    assert.equal(result.hasPII, true);
    assert.ok(result.raw.document, 'raw.document');
    assert.ok(result.raw.extractedInfo, 'raw.extractedInfo');
    assert.equal(simulated(kit.sim, session.sessionId).view().piiReturned, 1);
    assert.deepEqual(
      { ...context, signal: undefined },
      {
        sessionId: session.sessionId,
        subject: null,
        dvcID: 'default',
        resultId: `${session.sessionId}:final`,
        attempt: 1,
        piiMissing: false,
        signal: undefined,
      },
    );
    assert.ok(context.signal instanceof AbortSignal);
    await ledgerSays(store, session.sessionId, delivered, 'the delivery recorded');
    const [recorded] = (await entryOf(store, session.sessionId)).results;
    assert.deepEqual([recorded.attempts, recorded.holdsPii], [0, false], 'delivered at once; the PII erased from the ledger');
    await expectStatus(kit.handler, session, 'completed', 'passed');
    assert.equal(kit.results.length, 1);
  });

  it('two instances sharing one ledger: the result is handed over once in all, by whichever collected it', async (t) => {
    const store = createMemoryStore();
    const first = await startKit(t, { config: { store: shared(store) } });
    const second = await startKit(t, { simulator: first.sim, config: { store: shared(store) } });
    const session = await passedSession(first);
    // A browser reads through both (a load balancer in front of them).
    await Promise.all([
      expectStatus(first.handler, session, 'completed', 'passed'),
      expectStatus(second.handler, session, 'completed', 'passed'),
    ]);
    await ledgerSays(store, session.sessionId, delivered, 'the delivery recorded');
    const all = [...first.results, ...second.results];
    assert.equal(all.length, 1, 'one onResult call across the instances');
    assert.equal(all[0].result.hasPII, true);
    assert.equal(simulated(first.sim, session.sessionId).view().piiReturned, 1);
    assert.equal(first.upstream(RESULT_PATH) + second.upstream(RESULT_PATH), first.sim.stats.resultCalls.default);
  });

  it('with PII retention off, onResult gets the final result once, without PII, marked piiMissing', async (t) => {
    const kit = await startKit(t, { sim: { piiRetention: { off: true } } });
    const session = await passedSession(kit);
    await expectStatus(kit.handler, session, 'completed', 'passed');
    await waitFor(() => kit.results.length === 1, 'onResult');
    await expectStatus(kit.handler, session, 'completed', 'passed');
    assert.equal(kit.results.length, 1);
    assert.equal(kit.results[0].result.hasPII, false);
    assert.equal(kit.results[0].result.verification, 'passed');
    assert.equal(kit.results[0].context.piiMissing, true, 'look the PII up at 1Kosmos');
  });

  it('PII 1Kosmos sends before the final status is kept and handed over with the final result', async (t) => {
    const keyPair = generateKeyPair();
    let early = true;
    const kit = await startKit(t, {
      config: {
        keyPair,
        // The first answer with PII says "In Progress": as if 1Kosmos sent the PII with a status not final yet.
        fetch: rewriting(keyPair, (plaintext) => {
          if (!early || plaintext.document === undefined) return undefined;
          early = false;
          assert.equal(plaintext.sessionResult, 'SUCCESS');
          return { ...plaintext, sessionResult: 'In Progress' };
        }),
      },
    });
    const session = await passedSession(kit);
    await expectStatus(kit.handler, session, 'completed', 'passed');
    await waitFor(() => kit.results.length === 1, 'onResult');
    assert.equal(early, false, 'the PII came with a status that was not final');
    assert.ok(kit.upstream(RESULT_PATH) >= 2);
    const [{ result, context }] = kit.results;
    assert.equal(result.status, 'completed');
    assert.equal(result.verification, 'passed');
    assert.equal(result.hasPII, true);
    assert.ok(result.raw.document, 'the PII of the earlier answer');
    assert.equal(context.piiMissing, false);
    assert.equal(simulated(kit.sim, session.sessionId).view().piiReturned, 1);
  });
});

describe('createIdvHandler: onResult failures', { concurrency: true }, () => {
  it('onResult throwing twice then succeeding: retried with backoff, delivered once, failures reported, answers right all along', async (t) => {
    const store = createMemoryStore();
    const sink = failingTwice();
    const kit = await startKit(t, { config: { onResult: sink.onResult, store } });
    const session = await passedSession(kit);

    await expectStatus(kit.handler, session, 'completed', 'passed');
    await waitFor(() => sink.calls.length === 1, 'the first delivery');
    await waitFor(() => onResultErrors(kit.errors).length === 1, 'the first failure reported');
    const [firstFailure] = onResultErrors(kit.errors);
    assert.deepEqual({ ...firstFailure, retryIn: 0 }, { attempt: 1, retryIn: 0, sessionId: session.sessionId });
    assertJittered(firstFailure.retryIn, 1000);
    assert.match((kit.errors.find((problem) => problem.stage === 'onResult')!.error as Error).message, /PII store is down/);
    await expectStatus(kit.handler, session, 'completed', 'passed');

    await waitFor(() => sink.delivered.length === 1, 'the third delivery', 8000);
    const failures = onResultErrors(kit.errors);
    assert.equal(failures.length, 2);
    assert.deepEqual({ ...failures[1], retryIn: 0 }, { attempt: 2, retryIn: 0, sessionId: session.sessionId });
    assertJittered(failures[1].retryIn, 2000);
    const [one, two, three] = sink.calls;
    assert.deepEqual(
      sink.calls.map(({ context }) => [context.attempt, context.resultId]),
      [1, 2, 3].map((attempt) => [attempt, `${session.sessionId}:final`]),
      'the same result, attempt after attempt',
    );
    assert.ok(two.at - one.at >= failures[0].retryIn! - 50, `not before the first retry delay (${two.at - one.at} ms)`);
    assert.ok(three.at - two.at >= failures[1].retryIn! - 50, `not before the second retry delay (${three.at - two.at} ms)`);
    assert.equal(sink.delivered[0].hasPII, true, 'the kept result still has its PII');
    assert.ok(sink.delivered[0].raw.document);

    await ledgerSays(store, session.sessionId, delivered, 'the delivery recorded');
    const [recorded] = (await entryOf(store, session.sessionId)).results;
    assert.deepEqual([recorded.attempts, recorded.nextAttemptAt, recorded.holdsPii], [2, null, false], 'never delivered again');
    await expectStatus(kit.handler, session, 'completed', 'passed');
    assert.equal(sink.calls.length, 3);
  });

  it('onResult hanging past onResultTimeout counts as a failure: its signal is aborted and it is retried', async (t) => {
    const calls: ResultContext[] = [];
    const delivered: KosmosResult[] = [];
    const kit = await startKit(t, {
      config: {
        onResultTimeout: 300,
        onResult: (result, context) => {
          calls.push(context);
          if (calls.length === 1) return new Promise<void>(() => {});
          delivered.push(result);
        },
      },
    });
    const session = await passedSession(kit);
    await expectStatus(kit.handler, session, 'completed', 'passed');
    await waitFor(() => onResultErrors(kit.errors).length === 1, 'the timeout reported');
    assert.deepEqual({ ...onResultErrors(kit.errors)[0], retryIn: 0 }, { attempt: 1, retryIn: 0, sessionId: session.sessionId });
    assert.match((kit.errors.find((problem) => problem.stage === 'onResult')!.error as Error).message, /did not finish within 300 ms/);
    assert.equal(calls[0].signal.aborted, true, 'the hanging call was told to give up');

    await waitFor(() => delivered.length === 1, 'the retry');
    assert.equal(calls.length, 2);
    assert.equal(calls[1].attempt, 2);
    assert.equal(delivered[0].hasPII, true);
  });

  it('an onResult that finishes after its timeout still counts: not handed over again', async (t) => {
    const store = createMemoryStore();
    const calls: ResultContext[] = [];
    const kit = await startKit(t, {
      config: {
        store,
        onResultTimeout: 200,
        onResult: async (_result, context) => {
          calls.push(context);
          await new Promise((resolve) => setTimeout(resolve, 400));
        },
      },
    });
    const session = await passedSession(kit);
    await expectStatus(kit.handler, session, 'completed', 'passed');
    await waitFor(() => onResultErrors(kit.errors).length === 1, 'the timeout reported');
    await ledgerSays(store, session.sessionId, delivered, 'the late success recorded');
    const [recorded] = (await entryOf(store, session.sessionId)).results;
    assert.equal(recorded.nextAttemptAt, null, 'no retry left');
    assert.equal(calls.length, 1);
  });

  it('an onError that throws loses no result: the answers stay right and the retries go on', async (t) => {
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
    await waitFor(() => sink.calls.length === 2, 'the first retry', 8000);
    await expectStatus(kit.handler, session, 'completed', 'passed');
    await waitFor(() => sink.delivered.length === 1, 'the second retry', 8000);
    assert.equal(sink.calls.length, 3);
    assert.equal(sink.delivered[0].hasPII, true);
  });

  it('close() stops the retries; the result waits in the ledger for the next instance, PII included', async (t) => {
    const store = createMemoryStore();
    const calls: ResultContext[] = [];
    const first = await startKit(t, {
      config: {
        store: shared(store),
        onResult: (_result, context) => {
          calls.push(context);
          throw new Error('down');
        },
      },
    });
    const session = await passedSession(first);
    await expectStatus(first.handler, session, 'completed', 'passed');
    await waitFor(() => onResultErrors(first.errors).length === 1, 'the first failure reported');
    await first.handler.close();
    const [waiting] = (await entryOf(store, session.sessionId)).results;
    assert.deepEqual([waiting.state, waiting.attempts, waiting.holdsPii], ['pending', 1, true]);
    assert.ok(waiting.nextAttemptAt !== null);
    // Past the time of the retry, with the first instance closed: no retry from it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, waiting.nextAttemptAt! - Date.now()) + 1200));
    assert.equal(calls.length, 1);

    const next = await startKit(t, { simulator: first.sim, config: { store: shared(store) } });
    await waitFor(() => next.results.length === 1, 'the delivery by the next instance');
    const [{ result, context }] = next.results;
    assert.deepEqual([context.resultId, context.attempt], [`${session.sessionId}:final`, 2]);
    assert.equal(result.hasPII, true, 'sealed at rest, opened by the next instance');
    assert.ok(result.raw.document);
    assert.equal(calls.length, 1);
  });
});

describe('createIdvHandler: answers the kit cannot read', () => {
  it('an unknown status word reaches onResult as status unknown with the raw plaintext, once; onError is told; the session goes on', async (t) => {
    const keyPair = generateKeyPair();
    let mangle = true;
    const kit = await startKit(t, {
      config: {
        keyPair,
        fetch: rewriting(keyPair, (plaintext) =>
          mangle ? { ...plaintext, sessionResult: 'On Hold', responseStatus: 'ON_HOLD' } : undefined,
        ),
      },
    });
    const session = await createSession(kit.handler);
    await expectStatus(kit.handler, session, 'pending');
    await waitFor(() => kit.results.length === 1, 'the unknown result');
    const [{ result, context }] = kit.results;
    assert.equal(result.status, 'unknown');
    assert.equal(result.verification, null);
    assert.deepEqual(result.raw, { id: session.sessionId, sessionResult: 'On Hold', responseStatus: 'ON_HOLD' });
    assert.match(context.resultId, new RegExp(`^${session.sessionId}:unknown:[0-9a-f]{16}$`));
    assert.equal(context.attempt, 1);
    const told = kit.errors.filter((problem) => problem.stage === 'collect' && problem.sessionId === session.sessionId);
    assert.ok(told.length >= 1);
    assert.match((told[0].error as Error).message, /not understood/);
    assert.match((told[0].error as Error).message, /ON_HOLD/);

    // The same answer again is the same result: not handed over twice. The status read stays the last known.
    const asked = kit.upstream(RESULT_PATH);
    await waitFor(() => kit.upstream(RESULT_PATH) >= asked + 2, 'two more asks');
    await expectStatus(kit.handler, session, 'pending');
    assert.equal(kit.results.length, 1);

    mangle = false;
    simulated(kit.sim, session.sessionId).start();
    simulated(kit.sim, session.sessionId).document('pass');
    await expectStatus(kit.handler, session, 'completed', 'passed');
    await waitFor(() => kit.results.length === 2, 'the final result');
    assert.deepEqual(
      kit.results.map(({ result: { status, hasPII }, context: { resultId } }) => [status, hasPII, resultId.split(':')[1]]),
      [
        ['unknown', false, 'unknown'],
        ['completed', true, 'final'],
      ],
    );
  });

  it('a decrypted answer that is not JSON reaches onResult as status unknown, the plaintext under raw.plaintext', async (t) => {
    const keyPair = generateKeyPair();
    const kit = await startKit(t, { config: { keyPair, fetch: rewriting(keyPair, () => 'Service temporarily degraded') } });
    const session = await createSession(kit.handler);
    await expectStatus(kit.handler, session, 'pending');
    await waitFor(() => kit.results.length === 1, 'the unknown result');
    const [{ result }] = kit.results;
    assert.equal(result.status, 'unknown');
    assert.equal(result.sessionId, session.sessionId);
    assert.deepEqual(result.raw, { plaintext: 'Service temporarily degraded' });
    assert.ok(kit.errors.some((problem) => problem.stage === 'collect' && /not JSON/.test((problem.error as Error).message)));
    await expectStatus(kit.handler, session, 'pending');
  });
});
