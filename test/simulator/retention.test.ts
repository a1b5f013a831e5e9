import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startSimulator, type PiiRetention, type Simulator } from '../../src/simulator/index.js';
import { createSession, result } from './helpers.js';

type Json = Record<string, unknown>;
const DAY = 24 * 60 * 60;

/** Whether a result plaintext carries PII (as the client's parseResult decides). */
function hasPii(body: Json): boolean {
  const extracted = body.extractedInfo as Json | undefined;
  return (
    'document' in body ||
    'dl_object' in body ||
    'liveid_object' in body ||
    (extracted !== undefined && Object.keys(extracted).length > 0) ||
    (body.sessionData as Json | undefined)?.user !== undefined
  );
}

async function withSimulator(piiRetention: PiiRetention, run: (sim: Simulator) => Promise<void>) {
  const sim = await startSimulator({ piiRetention });
  try {
    await run(sim);
  } finally {
    await sim.close();
  }
}

async function completedSession(sim: Simulator, outcome: 'pass' | 'fail' = 'pass') {
  const { sessionId } = await createSession(sim);
  const session = sim.session(sessionId);
  assert.ok(session);
  session.start();
  session.document(outcome);
  return sessionId;
}

describe('PII retention (the seed’s table)', () => {
  it('off = true: PII is never returned; status, verification and reason code remain', async () => {
    await withSimulator({ off: true, ttl: -1 }, async (sim) => {
      const passed = await completedSession(sim);
      assert.equal(sim.session(passed)?.view().piiRetained, false, 'deleted at completion');
      for (const version of ['v3', 'v1', 'v3'] as const) {
        const body = await result(sim, passed, version);
        assert.equal(hasPii(body), false, version);
        assert.equal(version === 'v3' ? body.sessionResult : body.responseStatus, 'SUCCESS');
      }
      const failed = await completedSession(sim, 'fail');
      const body = await result(sim, failed);
      assert.equal(hasPii(body), false);
      assert.deepEqual([body.sessionId, body.sessionResult, (body.errorInfo as Json).reason_code], [
        failed,
        'FAILED',
        'IDV0010',
      ]);
      assert.deepEqual(body.sessionData, { documentType: 'ppt_object' });
    });
  });

  it('ttl −1: PII on the first result call after completion, then never', async () => {
    await withSimulator({ off: false, ttl: -1 }, async (sim) => {
      const { sessionId } = await createSession(sim);
      const session = sim.session(sessionId);
      assert.ok(session);
      assert.equal(hasPii(await result(sim, sessionId)), false, 'a Pending poll does not use up the PII');
      session.start();
      await result(sim, sessionId, 'v1');
      session.document('pass');
      assert.equal(hasPii(await result(sim, sessionId, 'v1')), true, 'first call after completion (v1)');
      assert.equal(hasPii(await result(sim, sessionId, 'v3')), false, 'then never, on either version');
      assert.equal(hasPii(await result(sim, sessionId, 'v1')), false);
      assert.deepEqual(
        [session.view().piiRetained, session.view().piiReturned, session.view().resultCalls],
        [false, 1, 5],
      );
    });
  });

  it('ttl 0: PII on every call for 7 days after completion, then deleted', async () => {
    await withSimulator({ off: false, ttl: 0 }, async (sim) => {
      const sessionId = await completedSession(sim);
      assert.equal(hasPii(await result(sim, sessionId)), true);
      assert.equal(hasPii(await result(sim, sessionId, 'v1')), true);
      sim.clock.advance(7 * DAY - 1);
      assert.equal(hasPii(await result(sim, sessionId)), true, 'still within 7 days');
      sim.clock.advance(1);
      assert.equal(hasPii(await result(sim, sessionId)), false, '7 days after completion');
      assert.equal(sim.session(sessionId)?.view().piiRetained, false);
      assert.equal((await result(sim, sessionId)).sessionResult, 'SUCCESS');
    });
  });

  it('ttl > 0: PII on every call for that many seconds after completion', async () => {
    await withSimulator({ off: false, ttl: 30 }, async (sim) => {
      const sessionId = await completedSession(sim);
      sim.clock.advance(29);
      assert.equal(hasPii(await result(sim, sessionId)), true);
      assert.equal(hasPii(await result(sim, sessionId)), true);
      sim.clock.advance(1);
      assert.equal(hasPii(await result(sim, sessionId)), false);
      assert.equal(hasPii(await result(sim, sessionId, 'v1')), false);
    });
  });

  it('deletes PII when its window ends, whether or not the result is asked for again', async () => {
    await withSimulator({ off: false, ttl: 10 }, async (sim) => {
      const sessionId = await completedSession(sim);
      assert.equal(sim.session(sessionId)!.view().piiRetained, true);
      sim.clock.advance(10);
      assert.equal(sim.session(sessionId)!.view().piiRetained, false);
      assert.equal(sim.session(sessionId)!.view().piiReturned, 0);
    });
  });
});

describe('PII retention per workflow (dvcIDs.<name>.piiRetention)', () => {
  it("a workflow's own rule wins over the simulator's; the others keep the simulator's", async () => {
    const sim = await startSimulator({
      piiRetention: { off: false, ttl: 0 },
      dvcIDs: { default: { selfie: false }, strict: { selfie: false, piiRetention: { off: true } } },
    });
    try {
      const open = await completedSession(sim);
      assert.equal(hasPii(await result(sim, open)), true);
      assert.equal(hasPii(await result(sim, open)), true, 'ttl 0: returned again');
      const { sessionId } = await createSession(sim, 'strict');
      sim.session(sessionId)?.start();
      sim.session(sessionId)?.document('pass');
      assert.equal(sim.session(sessionId)?.view().piiRetained, false, 'deleted at completion');
      assert.equal(hasPii(await result(sim, sessionId, 'v3', 'strict')), false);
    } finally {
      await sim.close();
    }
  });

  it('a bad workflow rule is named', async () => {
    await assert.rejects(
      startSimulator({ dvcIDs: { default: { selfie: false, piiRetention: { ttl: -5 } } } }),
      /dvcIDs\.default\.piiRetention\.ttl must be an integer/,
    );
  });
});
