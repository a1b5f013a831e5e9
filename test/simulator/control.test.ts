import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  SessionStepError,
  SimulatorConfigError,
  startSimulator,
  type Simulator,
} from '../../src/simulator/index.js';
import { call, createPayload, createSession, result } from './helpers.js';

async function control(sim: Simulator, path: string, body?: unknown) {
  const response = await fetch(`${sim.origin}/_simulator${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('control endpoints', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());

  it('the clock: GET /clock and POST /clock/advance { seconds }', async () => {
    const { json: before } = await control(sim, '/clock');
    const { status, json } = await control(sim, '/clock/advance', { seconds: 3600 });
    assert.equal(status, 200);
    assert.ok((json.now as number) - (before.now as number) >= 3600_000);
    assert.ok(Math.abs(sim.clock.now() - (json.now as number)) < 60_000);
    // A century at most: beyond, dates would leave what `Date` can hold (and results would fail).
    for (const bad of [{ seconds: -1 }, { seconds: 'x' }, {}, 'nope', '[]', { seconds: 1e13 }, { seconds: 1e308 }]) {
      const answer = await control(sim, '/clock/advance', bad);
      assert.equal(answer.status, 400, JSON.stringify(bad));
    }
    assert.throws(() => sim.clock.advance(Number.NaN), RangeError);
    assert.throws(() => sim.clock.advance(Number.POSITIVE_INFINITY), RangeError);
    assert.ok(Math.abs(sim.clock.now() - (json.now as number)) < 60_000, 'a refused advance moves nothing');
  });

  it('GET /sessions/:id shows the state; POST /sessions/:id/step drives it', async () => {
    const { sessionId } = await createSession(sim, 'selfie', 'dl_object');
    const { json: pending } = await control(sim, `/sessions/${sessionId}`);
    assert.deepEqual(
      [pending.id, pending.dvcID, pending.documentType, pending.selfie, pending.status, pending.step, pending.verification],
      [sessionId, 'selfie', 'dl_object', true, 'Pending', 'welcome', null],
    );
    await result(sim, sessionId, 'v3', 'selfie');

    const steps: [Record<string, unknown>, string, string][] = [
      [{ action: 'start' }, 'In Progress', 'document'],
      [{ action: 'document', outcome: 'fail', reasonCode: 'IDV0006' }, 'In Progress', 'selfie'],
      [{ action: 'selfie', outcome: 'pass' }, 'Completed', 'finished'],
    ];
    for (const [step, status, hosted] of steps) {
      const answer = await control(sim, `/sessions/${sessionId}/step`, step);
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      assert.deepEqual([answer.json.status, answer.json.step], [status, hosted]);
    }
    const { json: done } = await control(sim, `/sessions/${sessionId}`);
    assert.deepEqual([done.verification, done.reasonCode, done.resultCalls], ['Failed', 'IDV0006', 1]);
    assert.equal(typeof done.completedAt, 'number');
  });

  it('step errors: 409 when the state does not allow it, 400 for bad input, 404 for unknown sessions', async () => {
    const { sessionId } = await createSession(sim);
    const step = (body: unknown) => control(sim, `/sessions/${sessionId}/step`, body);
    assert.deepEqual((await step({ action: 'document' })).json, {
      code: 409,
      message: 'session is Pending; "document" needs it to be In Progress',
    });
    assert.equal((await step({ action: 'fly' })).status, 400);
    assert.equal((await step({ action: 'start', reasonCode: 5 })).status, 400);
    assert.equal((await step('{')).status, 400);
    assert.equal((await step({ action: 'start' })).status, 200);
    assert.deepEqual((await step({ action: 'selfie' })).json, {
      code: 409,
      message: 'workflow "default" has no selfie step',
    });
    assert.equal((await step({ action: 'document', outcome: 'maybe' })).status, 400);
    assert.deepEqual((await step({ action: 'document', outcome: 'fail', reasonCode: 'IDV9999' })).json, {
      code: 409,
      message: 'unknown reason code "IDV9999"',
    });
    assert.equal((await step({ action: 'decline' })).status, 409);
    assert.equal((await control(sim, '/sessions/nope')).status, 404);
    assert.equal((await control(sim, '/sessions/nope/step', { action: 'start' })).status, 404);
  });

  it('sim.session(id) drives the same steps and throws SessionStepError out of order', async () => {
    const { sessionId } = await createSession(sim);
    const session = sim.session(sessionId);
    assert.ok(session);
    assert.throws(() => session.selfie(), SessionStepError);
    session.start();
    assert.throws(() => session.start(), SessionStepError);
    assert.equal(session.verification, null);
    session.document('not_performed');
    assert.deepEqual([session.status, session.verification, session.step], ['Completed', 'Not performed', 'finished']);
    assert.equal(sim.session('nope'), undefined);
  });

  it('GET /stats and sim.stats count creates and answered results per dvcID', async () => {
    const before = sim.stats;
    const { sessionId } = await createSession(sim, 'selfie');
    await result(sim, sessionId, 'v1', 'selfie');
    await result(sim, sessionId, 'v3', 'selfie');
    await call(sim, '/document_share_session/create', createPayload(sim, { dvcID: 'nope' }));
    const { json } = await control(sim, '/stats');
    assert.deepEqual(json, sim.stats);
    assert.equal(sim.stats.createCalls.selfie, (before.createCalls.selfie ?? 0) + 1);
    assert.equal(sim.stats.resultCalls.selfie, (before.resultCalls.selfie ?? 0) + 2);
    assert.equal(sim.stats.createCalls.nope, undefined);
  });
});

describe('simulator options', () => {
  it('rejects bad options with one problem each', async () => {
    await assert.rejects(
      startSimulator({
        port: -1,
        dvcIDs: {},
        licenseKeys: [''],
        piiRetention: { ttl: -5 },
        faults: { errorRate: 3 },
        sessionLifetime: 0,
        frameable: 'no' as unknown as boolean,
      }),
      (error: unknown) => {
        assert.ok(error instanceof SimulatorConfigError);
        assert.equal(error.problems.length, 7);
        return true;
      },
    );
  });

  it('uses the configured tenant, community, workflows and licenses', async () => {
    const sim = await startSimulator({
      tenantDNS: 'localhost:1',
      communityName: 'acme',
      dvcIDs: { kyc: { selfie: true } },
      licenseKeys: ['first-license', 'second-license'],
    });
    try {
      assert.equal(sim.tenantDNS, 'localhost:1');
      assert.equal(sim.licenseKey, 'first-license');
      const payload = {
        dvcID: 'kyc',
        sessionRequest: { tenantDNS: 'localhost:1', communityName: 'acme', documentType: 'idcard_object' },
      };
      const created = await call(sim, '/document_share_session/create', payload, { license: 'second-license' });
      assert.equal(created.status, 200);
      assert.equal(sim.session(created.json?.sessionId as string)?.view().selfie, true);
      const defaults = await call(sim, '/document_share_session/create', createPayload(sim));
      assert.deepEqual(defaults.json, { code: 404, message: 'dvcID not found' });
    } finally {
      await sim.close();
    }
  });

  it('keeps at most maxSessions sessions, pruning the oldest', async () => {
    const sim = await startSimulator({ maxSessions: 2 });
    try {
      const [first, second, third] = [await createSession(sim), await createSession(sim), await createSession(sim)];
      assert.equal(sim.session(first.sessionId), undefined);
      assert.ok(sim.session(second.sessionId));
      assert.ok(sim.session(third.sessionId));
      const gone = await call(sim, '/v3/document_share_session/result', { dvcID: 'default', sessionId: first.sessionId });
      assert.equal(gone.status, 404);
    } finally {
      await sim.close();
    }
  });

  it('reports a taken port', async () => {
    const sim = await startSimulator();
    try {
      const port = Number(new URL(sim.origin).port);
      await assert.rejects(startSimulator({ port }), { code: 'EADDRINUSE' });
    } finally {
      await sim.close();
    }
  });
});
