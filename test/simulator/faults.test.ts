import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { call, createPayload, createSession } from './helpers.js';

const CREATE = '/document_share_session/create';
const RESULT_V3 = '/v3/document_share_session/result';

describe('fault injection', () => {
  /** The numbers the simulator's `random` hands out next; 0.99 (no fault) once empty. */
  const draws: number[] = [];
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ random: () => draws.shift() ?? 0.99 });
  });
  beforeEach(() => {
    draws.length = 0;
    sim.faults.latencyMs = 0;
    sim.faults.errorRate = 0;
    sim.faults.malformedRate = 0;
  });
  after(() => sim.close());

  it('latency delays docuverify calls (a client deadline fires) but not discovery or pages', async () => {
    const { sessionId } = await createSession(sim);
    sim.faults.latencyMs = 30_000;
    await assert.rejects(
      call(sim, RESULT_V3, { dvcID: 'default', sessionId }, { signal: AbortSignal.timeout(200) }),
      { name: 'TimeoutError' },
    );
    await assert.rejects(fetch(`${sim.docuverifyUrl}/publickeys`, { signal: AbortSignal.timeout(200) }), {
      name: 'TimeoutError',
    });
    const sd = await fetch(`${sim.origin}/caas/sd`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(sd.status, 200);
    sim.faults.latencyMs = 0;
    assert.equal((await call(sim, RESULT_V3, { dvcID: 'default', sessionId })).status, 200);
  });

  it("latency is the answer's: a requestid is judged when the call arrives, not after the wait", async () => {
    sim.faults.latencyMs = 2_000;
    const answer = await call(sim, CREATE, createPayload(sim), { tsOffset: -59 });
    assert.equal(answer.status, 200, 'a requestid 59 s old on arrival is still inside the 60 s window');
  });

  it('the error rate answers 503 { code, message } for the drawn share of calls, touching nothing', async () => {
    sim.faults.errorRate = 0.5;
    const before = sim.stats.createCalls.default ?? 0;
    draws.push(0.4);
    const failed = await call(sim, CREATE, createPayload(sim));
    assert.equal(failed.status, 503);
    assert.deepEqual(failed.json, { code: 503, message: 'service unavailable (simulated fault)' });
    assert.equal(sim.stats.createCalls.default ?? 0, before, 'no session was created');
    draws.push(0.6);
    assert.equal((await call(sim, CREATE, createPayload(sim))).status, 200);
    assert.equal(sim.stats.createCalls.default, before + 1);
    draws.push(0.1);
    assert.equal((await fetch(`${sim.docuverifyUrl}/publickeys`)).status, 503);
  });

  it('the malformed rate answers 200 with a non-JSON body, or an undecryptable one on results', async () => {
    const { sessionId } = await createSession(sim);
    sim.faults.malformedRate = 1;

    const create = await call(sim, CREATE, createPayload(sim));
    assert.equal(create.status, 200);
    assert.equal(create.json, undefined, `not JSON: ${create.text}`);

    draws.push(0, 0.2);
    const undecryptable = await call(sim, RESULT_V3, { dvcID: 'default', sessionId }).catch((error: Error) => error);
    assert.ok(undecryptable instanceof Error, 'the answer data does not decrypt');
    assert.match(undecryptable.message, /does not decrypt/);

    draws.push(0, 0.7);
    const nonJson = await call(sim, RESULT_V3, { dvcID: 'default', sessionId });
    assert.equal(nonJson.status, 200);
    assert.equal(nonJson.json, undefined);
    assert.equal(sim.session(sessionId)?.view().resultCalls, 0, 'faulted calls are not answered results');
  });

  it('the fault setters and the control endpoint reject bad values', async () => {
    assert.throws(() => (sim.faults.errorRate = 2), RangeError);
    assert.throws(() => (sim.faults.latencyMs = -1), RangeError);
    const bad = await fetch(`${sim.origin}/_simulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ malformedRate: 'half', other: 1 }),
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), {
      code: 400,
      message:
        'faults.malformedRate must be a number from 0 to 1; faults.other is not a fault setting (latencyMs, errorRate, malformedRate)',
    });
    const good = await fetch(`${sim.origin}/_simulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorRate: 0.25 }),
    });
    assert.deepEqual(await good.json(), { latencyMs: 0, errorRate: 0.25, malformedRate: 0 });
    assert.equal(sim.faults.errorRate, 0.25);
  });

  it('a rotated service key: old-key callers get 401 until they fetch the new public key', async () => {
    const oldKey = sim.servicePublicKey;
    const { sessionId } = await createSession(sim);
    const rotated = await fetch(`${sim.origin}/_simulator/rotate-key`, { method: 'POST' });
    const { publicKey } = (await rotated.json()) as { publicKey: string };
    assert.notEqual(publicKey, oldKey);
    assert.equal(sim.servicePublicKey, publicKey);

    const stale = await call(sim, RESULT_V3, { dvcID: 'default', sessionId }, { servicePublicKey: oldKey });
    assert.deepEqual(stale.json, { code: 401, message: 'licensekey does not decrypt with the service public key' });

    const fresh = (await (await fetch(`${sim.docuverifyUrl}/publickeys`)).json()) as { publicKey: string };
    assert.equal(fresh.publicKey, publicKey);
    const answer = await call(sim, RESULT_V3, { dvcID: 'default', sessionId }, { servicePublicKey: fresh.publicKey });
    assert.equal(answer.status, 200);
    assert.equal(answer.json?.publicKey, publicKey);
    assert.equal(answer.plaintext?.sessionResult, 'Pending');

    sim.faults.rotateKey();
    assert.notEqual(sim.servicePublicKey, publicKey);
  });
});

describe('closing with a call in its latency wait', () => {
  it('close() ends at once and the process is left with no handles', async () => {
    const sim = await startSimulator({ faults: { latencyMs: 60_000 } });
    const pending = fetch(`${sim.docuverifyUrl}/publickeys`).catch((error: Error) => error);
    await sleep(100);
    await sim.close();
    assert.ok((await pending) instanceof Error, 'the waiting call is cut off');
  });
});
