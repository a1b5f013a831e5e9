/**
 * The whole path through the handler against a live simulator: create → hosted steps → a
 * terminal status, for every outcome, with the status body checked at every step.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  RESULT_PATH,
  createSession,
  expectStatus,
  passInBrowser,
  readStatus,
  simulated,
  startKit,
} from './kit-helpers.js';

describe('createIdvHandler: create → hosted steps → terminal status', () => {
  it('passed, through the hosted pages\' own forms: statuses follow the flow, onResult gets the PII once', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler, { documentType: 'passport', firstname: 'Ada', lastname: 'Lovelace' });
    assert.equal(new URL(session.url).origin, kit.sim.origin);

    await expectStatus(kit.handler, session, 'pending');
    await passInBrowser(session.url);
    await expectStatus(kit.handler, session, 'completed', 'passed');
    await expectStatus(kit.handler, session, 'completed', 'passed');

    assert.equal(kit.results.length, 1, 'onResult is called once');
    const [{ result, context }] = kit.results;
    assert.deepEqual(context, { sessionId: session.sessionId, subject: null, dvcID: 'default' });
    assert.equal(result.status, 'completed');
    assert.equal(result.verification, 'passed');
    assert.equal(result.hasPII, true);
    assert.ok(result.raw.document, 'the full result carries the document');
    assert.deepEqual((result.raw.sessionData as { user: unknown }).user, { firstname: 'Ada', lastname: 'Lovelace' });
    assert.equal(kit.upstream(RESULT_PATH), 2, 'a terminal status is not asked again');
    assert.deepEqual(kit.errors, []);
  });

  it('in progress after the welcome step', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    simulated(kit.sim, session.sessionId).start();
    await expectStatus(kit.handler, session, 'in_progress');
  });

  it('failed: the reason code reaches onResult, never the status body', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler, { documentType: 'id_card' });
    const simulatedSession = simulated(kit.sim, session.sessionId);
    simulatedSession.start();
    simulatedSession.document('fail', 'IDV0006');

    const response = await readStatus(kit.handler, session);
    const text = await response.text();
    assert.equal(response.status, 200);
    assert.ok(!text.includes('IDV0006'), 'no reason code in the status body');
    await expectStatus(kit.handler, session, 'completed', 'failed');

    assert.equal(kit.results.length, 1);
    assert.equal(kit.results[0].result.verification, 'failed');
    assert.equal(kit.results[0].result.reasonCode, 'IDV0006');
  });

  it('not performed', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler, { documentType: 'driving_license' });
    simulated(kit.sim, session.sessionId).start();
    simulated(kit.sim, session.sessionId).document('not_performed');
    await expectStatus(kit.handler, session, 'completed', 'not_performed');
    assert.equal(kit.results.length, 1);
    assert.equal(kit.results[0].result.verification, 'not_performed');
  });

  it('declined: terminal, onResult gets the final result (without PII) once', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    simulated(kit.sim, session.sessionId).decline();
    await expectStatus(kit.handler, session, 'declined');
    await expectStatus(kit.handler, session, 'declined');
    assert.equal(kit.upstream(RESULT_PATH), 1);
    assert.equal(kit.results.length, 1);
    assert.equal(kit.results[0].result.status, 'declined');
    assert.equal(kit.results[0].result.hasPII, false);
  });

  it('expired by 1Kosmos once the simulator clock passes the session lifetime (7 days)', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    simulated(kit.sim, session.sessionId).start();
    await expectStatus(kit.handler, session, 'in_progress');
    kit.sim.clock.advance(7 * 24 * 3600);
    await expectStatus(kit.handler, session, 'expired');
    assert.equal(kit.upstream(RESULT_PATH), 2, 'the expiry was learnt from 1Kosmos');
    await expectStatus(kit.handler, session, 'expired');
    assert.equal(kit.upstream(RESULT_PATH), 2);
    assert.deepEqual(
      kit.results.map(({ result }) => result.status),
      ['expired'],
      'onResult gets the final result once',
    );
  });

  it('past expiresAt with no terminal status: expired without calling 1Kosmos', async (t) => {
    let now = Date.now();
    const kit = await startKit(t, { config: { now: () => now, sessionLifetime: 600 } });
    const session = await createSession(kit.handler);
    assert.equal(Date.parse(session.expiresAt), Math.floor(now / 1000) * 1000 + 600_000);
    await expectStatus(kit.handler, session, 'pending');
    const calls = kit.sim.stats.resultCalls.default;

    now += 600_000;
    await expectStatus(kit.handler, session, 'expired');
    await expectStatus(kit.handler, session, 'expired');
    assert.equal(kit.sim.stats.resultCalls.default, calls, 'no result call after expiresAt');
    assert.equal(kit.upstream(RESULT_PATH), 1);
    assert.deepEqual(kit.results, [], 'nothing came from 1Kosmos to hand over');
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
    assert.equal(kit.upstream('/docuverify/document_share_session/result'), 2);
    assert.equal(kit.results.length, 1);
    assert.ok(kit.results[0].result.raw.dl_object, 'the v1 document PII');
    assert.equal(kit.results[0].context.dvcID, 'selfie');
  });
});
