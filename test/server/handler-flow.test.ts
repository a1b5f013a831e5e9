/**
 * The whole path through the handler against a live simulator: create → hosted steps → a
 * terminal status, for every outcome, with the status body checked at every step. The statuses
 * come from the ledger, which the collector fills; the final result reaches `onResult` from it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '../../src/server/ledger/memory.js';
import {
  createSession,
  entryOf,
  expectStatus,
  ledgerSays,
  passInBrowser,
  readStatus,
  RESULT_PATH,
  simulated,
  startKit,
  waitFor,
} from './kit-helpers.js';

describe('createIdvHandler: create → hosted steps → terminal status', () => {
  it('derives every status from 1Kosmos\'s documented fields alone (sessionResult, responseStatus: no sessionStatus)', async (t) => {
    const kit = await startKit(t);
    const outcomes = [
      { steps: ['start', 'pass'], expect: ['completed', 'passed'] },
      { steps: ['start', 'fail'], expect: ['completed', 'failed'] },
      { steps: ['start', 'not_performed'], expect: ['completed', 'not_performed'] },
      { steps: ['decline'], expect: ['declined', null] },
    ] as const;
    for (const { steps, expect } of outcomes) {
      const session = await createSession(kit.handler);
      await expectStatus(kit.handler, session, 'pending');
      const simulatedSession = simulated(kit.sim, session.sessionId);
      for (const step of steps) {
        if (step === 'start') {
          simulatedSession.start();
          await expectStatus(kit.handler, session, 'in_progress');
        } else if (step === 'decline') simulatedSession.decline();
        else simulatedSession.document(step);
      }
      await expectStatus(kit.handler, session, expect[0], expect[1]);
    }
    const expiring = await createSession(kit.handler);
    kit.sim.clock.advance(7 * 24 * 3600);
    await expectStatus(kit.handler, expiring, 'expired');
    await waitFor(() => kit.results.length === outcomes.length + 1, 'onResult');
    for (const { result } of kit.results) {
      assert.ok(!('sessionStatus' in result.raw) && !('verificationStatus' in result.raw), JSON.stringify(result.raw));
    }
  });

  it('passed, through the hosted pages\' own forms: statuses follow the flow, onResult gets the PII once', async (t) => {
    const store = createMemoryStore();
    const kit = await startKit(t, { config: { store } });
    const session = await createSession(kit.handler, { documentType: 'passport', firstname: 'Ada', lastname: 'Lovelace' });
    assert.equal(new URL(session.url).origin, kit.sim.origin);

    await expectStatus(kit.handler, session, 'pending');
    await passInBrowser(session.url);
    await expectStatus(kit.handler, session, 'completed', 'passed');
    await waitFor(() => kit.results.length === 1, 'onResult');

    const [{ result, context }] = kit.results;
    const { signal, ...rest } = context;
    assert.deepEqual(rest, {
      sessionId: session.sessionId,
      subject: null,
      dvcID: 'default',
      resultId: `${session.sessionId}:final`,
      attempt: 1,
      piiMissing: false,
    });
    assert.ok(signal instanceof AbortSignal && !signal.aborted);
    assert.equal(result.status, 'completed');
    assert.equal(result.verification, 'passed');
    assert.equal(result.hasPII, true);
    assert.ok(result.raw.document, 'the full result carries the document');
    assert.deepEqual((result.raw.sessionData as { user: unknown }).user, { firstname: 'Ada', lastname: 'Lovelace' });

    const entry = await entryOf(store, session.sessionId);
    assert.equal(entry.nextDueAt, null, 'a terminal status is not asked again');
    assert.deepEqual(
      entry.results.map(({ resultId, state, holdsPii }) => ({ resultId, state, holdsPii })),
      [{ resultId: `${session.sessionId}:final`, state: 'delivered', holdsPii: false }],
      'delivered, and its PII erased from the ledger',
    );
    const asked = kit.upstream(RESULT_PATH);
    await expectStatus(kit.handler, session, 'completed', 'passed');
    assert.equal(kit.upstream(RESULT_PATH), asked);
    assert.equal(kit.results.length, 1, 'onResult is called once');
    assert.deepEqual(kit.errors, []);
  });

  it('in progress after the welcome step', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    simulated(kit.sim, session.sessionId).start();
    await expectStatus(kit.handler, session, 'in_progress');
    assert.deepEqual(kit.results, [], 'a status that is not final is not handed over');
  });

  it('failed: the reason code reaches onResult, never the status body', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler, { documentType: 'id_card' });
    const simulatedSession = simulated(kit.sim, session.sessionId);
    simulatedSession.start();
    simulatedSession.document('fail', 'IDV0006');

    await expectStatus(kit.handler, session, 'completed', 'failed');
    const response = await readStatus(kit.handler, session);
    const text = await response.text();
    assert.equal(response.status, 200);
    assert.ok(!text.includes('IDV0006'), 'no reason code in the status body');

    await waitFor(() => kit.results.length === 1, 'onResult');
    assert.equal(kit.results[0].result.verification, 'failed');
    assert.equal(kit.results[0].result.reasonCode, 'IDV0006');
  });

  it('not performed', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler, { documentType: 'driving_license' });
    simulated(kit.sim, session.sessionId).start();
    simulated(kit.sim, session.sessionId).document('not_performed');
    await expectStatus(kit.handler, session, 'completed', 'not_performed');
    await waitFor(() => kit.results.length === 1, 'onResult');
    assert.equal(kit.results[0].result.verification, 'not_performed');
  });

  it('declined: terminal, onResult gets the final result (without PII) once', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    simulated(kit.sim, session.sessionId).decline();
    await expectStatus(kit.handler, session, 'declined');
    await expectStatus(kit.handler, session, 'declined');
    await waitFor(() => kit.results.length === 1, 'onResult');
    assert.equal(kit.upstream(RESULT_PATH), 1, 'the first read brought one ask forward, which found it final');
    assert.equal(kit.results[0].result.status, 'declined');
    assert.equal(kit.results[0].result.hasPII, false);
    assert.equal(kit.results[0].context.piiMissing, false, 'a declined session has no PII to miss');
  });

  it('a final status reaches onResult though no browser reads it', async (t) => {
    let now = Date.now();
    const kit = await startKit(t, { config: { now: () => now } });
    const session = await createSession(kit.handler);
    simulated(kit.sim, session.sessionId).decline();
    // Unwatched, a new session is first asked about 5 s after its creation (by the kit's clock).
    now += 4900;
    // The collector looks at the ledger at least once a second: 1.2 s without an ask is a no.
    const early = await new Promise<number>((resolve) => setTimeout(() => resolve(kit.upstream(RESULT_PATH)), 1200));
    assert.equal(early, 0, 'not asked before its first ask is due');
    now += 100;
    await waitFor(() => kit.results.length === 1, 'onResult');
    assert.equal(kit.results[0].context.sessionId, session.sessionId);
    assert.equal(kit.results[0].result.status, 'declined');
    assert.equal(kit.upstream(RESULT_PATH), 1);
  });

  it('expired by 1Kosmos once the simulator clock passes the session lifetime (7 days)', async (t) => {
    const store = createMemoryStore();
    const kit = await startKit(t, { config: { store } });
    const session = await createSession(kit.handler);
    simulated(kit.sim, session.sessionId).start();
    await expectStatus(kit.handler, session, 'in_progress');
    kit.sim.clock.advance(7 * 24 * 3600);
    await expectStatus(kit.handler, session, 'expired');
    await waitFor(() => kit.results.length === 1, 'onResult');
    assert.deepEqual(
      kit.results.map(({ result }) => [result.status, result.raw.sessionResult]),
      [['expired', 'Expired']],
      'the expiry was learnt from 1Kosmos, and handed over once',
    );
    assert.equal((await entryOf(store, session.sessionId)).nextDueAt, null);
    const asked = kit.upstream(RESULT_PATH);
    await expectStatus(kit.handler, session, 'expired');
    assert.equal(kit.upstream(RESULT_PATH), asked);
  });

  it('past expiresAt with no terminal status at 1Kosmos: the kit asks once more, then says expired', async (t) => {
    // The kit's clock stands still unless moved: the collector asks only when the test lets it.
    const start = Math.floor(Date.now() / 1000) * 1000 + 500;
    let now = start;
    const store = createMemoryStore();
    const kit = await startKit(t, { config: { now: () => now, sessionLifetime: 2, store } });
    const session = await createSession(kit.handler);
    const expiresAt = Date.parse(session.expiresAt);
    assert.equal(expiresAt, start - 500 + 2000);

    await expectStatus(kit.handler, session, 'pending');
    // Watched: asked at once, then again a second later.
    await ledgerSays(store, session.sessionId, (entry) => entry.nextDueAt === start + 1000, 'the first ask recorded');
    assert.equal(kit.upstream(RESULT_PATH), 1, 'the ask the read brought forward');

    now = start + 1000;
    // The next ask is at expiresAt, not after it.
    await ledgerSays(store, session.sessionId, (entry) => entry.nextDueAt === expiresAt, 'the watched ask recorded');
    assert.equal(kit.upstream(RESULT_PATH), 2, 'the watched ask');
    await expectStatus(kit.handler, session, 'pending');

    now = expiresAt;
    await expectStatus(kit.handler, session, 'expired');
    assert.equal(kit.upstream(RESULT_PATH), 3, 'one ask at expiresAt, which found no final status');
    const entry = await entryOf(store, session.sessionId);
    assert.equal(entry.nextDueAt, null, 'never asked again');
    await waitFor(() => kit.results.length === 1, 'onResult');
    const [{ result, context }] = kit.results;
    assert.deepEqual([result.status, result.verification, result.hasPII], ['expired', null, false]);
    assert.deepEqual([context.resultId, context.piiMissing], [`${session.sessionId}:final`, false]);

    now += 3600_000;
    await expectStatus(kit.handler, session, 'expired');
    assert.equal(kit.upstream(RESULT_PATH), 3);
    assert.equal(kit.results.length, 1);
  });

  it('past expiresAt without any read: one ask, then expired', async (t) => {
    let now = Date.now();
    const kit = await startKit(t, { config: { now: () => now, sessionLifetime: 60 } });
    const session = await createSession(kit.handler);
    now = Date.parse(session.expiresAt) + 10_000;
    await waitFor(() => kit.results.length === 1, 'the expired result');
    assert.equal(kit.results[0].result.status, 'expired');
    assert.equal(kit.upstream(RESULT_PATH), 1, 'asked once, past expiresAt');
    assert.equal(kit.sim.stats.resultCalls.default, 1);
    await expectStatus(kit.handler, session, 'expired');
  });

  it('a status known to be terminal stays so past expiresAt', async (t) => {
    let now = Date.now();
    const kit = await startKit(t, { config: { now: () => now, sessionLifetime: 600 } });
    const session = await createSession(kit.handler);
    simulated(kit.sim, session.sessionId).start();
    simulated(kit.sim, session.sessionId).document('pass');
    await expectStatus(kit.handler, session, 'completed', 'passed');
    now += 3600_000;
    await expectStatus(kit.handler, session, 'completed', 'passed');
    await waitFor(() => kit.results.length === 1, 'onResult');
    assert.equal(kit.results[0].result.status, 'completed');
    assert.equal(kit.upstream(RESULT_PATH), 1);
  });

  it('the v1 result endpoint gives the same statuses and hands its PII (dl_object) over', async (t) => {
    const kit = await startKit(t, { config: { resultVersion: 'v1', dvcID: { passport: 'selfie' } } });
    const session = await createSession(kit.handler, { documentType: 'passport' });
    assert.equal(simulated(kit.sim, session.sessionId).view().dvcID, 'selfie');
    simulated(kit.sim, session.sessionId).start();
    simulated(kit.sim, session.sessionId).document('pass');
    await expectStatus(kit.handler, session, 'in_progress');
    simulated(kit.sim, session.sessionId).selfie('pass');
    await expectStatus(kit.handler, session, 'completed', 'passed');
    await waitFor(() => kit.results.length === 1, 'onResult');
    assert.ok(kit.upstream('/docuverify/document_share_session/result') >= 2);
    assert.equal(kit.upstream(RESULT_PATH), 0, 'never the v3 endpoint');
    assert.ok(kit.results[0].result.raw.dl_object, 'the v1 document PII');
    assert.equal(kit.results[0].context.dvcID, 'selfie');
  });
});
