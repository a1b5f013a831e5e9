/**
 * The collector on its own: its cadence, what it writes to the ledger for each answer 1Kosmos
 * gives, and how it hands results over. 1Kosmos is a scripted stand-in here (the simulator-backed
 * flows are in handler-*.test.ts and the chaos suite); the clock is moved by hand and the work run
 * with `runOnce()`, so nothing depends on timing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IdvHandlerError, ResultContext } from '../../src/server/config.js';
import { Collector, DELIVERY_WINDOW_MS, nextAsk, type Sink } from '../../src/server/collector.js';
import { KosmosApiError } from '../../src/server/errors.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore } from '../../src/server/ledger/memory.js';
import { createPgliteStore } from '../../src/server/ledger/pglite.js';
import { SealError, Sealer } from '../../src/server/ledger/seal.js';
import type { LedgerStore } from '../../src/server/ledger/store.js';
import type { KosmosResult } from '../../src/server/result.js';
import { STORE_KEY } from './kit-helpers.js';

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;

type Answer = KosmosResult | Error;

const answer = (status: KosmosResult['status'], extra: Partial<KosmosResult> = {}): KosmosResult => ({
  sessionId: 's1',
  status,
  verification: status === 'completed' ? 'passed' : null,
  hasPII: false,
  raw: { sessionId: 's1', responseStatus: status },
  ...extra,
});

const withPII = (status: KosmosResult['status'], name = 'ADA') =>
  answer(status, { hasPII: true, raw: { sessionId: 's1', responseStatus: status, document: { firstName: name } } });

/** A collector on a memory store with a scripted 1Kosmos and a recording sink. */
function rig(options: { sink?: Sink; store?: LedgerStore; sinkTimeout?: number } = {}) {
  let now = T0;
  const store = options.store ?? createMemoryStore();
  const answers: Answer[] = [];
  const asked: string[] = [];
  const delivered: { result: KosmosResult; context: ResultContext }[] = [];
  const errors: IdvHandlerError[] = [];
  const collector = new Collector({
    store,
    client: {
      getResult: async ({ sessionId }) => {
        asked.push(sessionId);
        const next = answers.shift() ?? answer('pending');
        if (next instanceof Error) throw next;
        return { ...next, sessionId };
      },
    },
    sealer: new Sealer([STORE_KEY]),
    sink:
      options.sink ??
      ((result, context) => {
        delivered.push({ result, context });
      }),
    sinkTimeout: options.sinkTimeout ?? 1000,
    leaseMs: 15_000,
    report: (problem) => errors.push(problem),
    now: () => now,
    random: () => 0.5,
  });
  return {
    store,
    collector,
    answers,
    asked,
    delivered,
    errors,
    at: (time: number) => (now = time),
    create: (id = 's1', lifetime = 24 * HOUR) =>
      store.create({ sessionId: id, dvcID: 'wf', subject: 'user-7', documentType: 'passport', createdAt: T0, expiresAt: T0 + lifetime, nextDueAt: T0 + 5000 }),
    entry: async (id = 's1') => (await store.list({ limit: 100 })).find((entry) => entry.sessionId === id)!,
  };
}

describe('collector cadence (nextAsk)', () => {
  const session = { createdAt: T0, expiresAt: T0 + 7 * 24 * HOUR, lastReadAt: null };
  it('every second while a browser read the session in the last 30 s', () => {
    assert.equal(nextAsk({ ...session, lastReadAt: T0 + 10_000 }, T0 + 39_000), T0 + 40_000);
    assert.equal(nextAsk({ ...session, lastReadAt: T0 + 10_000 }, T0 + 40_000), T0 + 45_000, 'not watched after 30 s');
  });
  it('unwatched: every 5 s while new, slowing with age to 5 minutes', () => {
    assert.equal(nextAsk(session, T0 + 60_000) - (T0 + 60_000), 5000);
    assert.equal(nextAsk(session, T0 + 2 * 60_000) - (T0 + 2 * 60_000), 5000, 'a session completed within 2 minutes is seen within 5 s');
    assert.equal(nextAsk(session, T0 + HOUR) - (T0 + HOUR), 150_000);
    assert.equal(nextAsk(session, T0 + 24 * HOUR) - (T0 + 24 * HOUR), 300_000);
  });
  it('always whole milliseconds (the ledger keeps integers)', () => {
    for (let age = 0; age < 3 * HOUR; age += 7_777) assert.ok(Number.isInteger(nextAsk(session, T0 + age) - T0), String(age));
  });

  it('failures back off (to 5 s while watched, 5 minutes otherwise); a Retry-After is honoured', () => {
    const watched = { ...session, lastReadAt: T0 };
    assert.deepEqual([1, 2, 3, 4, 9].map((failures) => nextAsk(watched, T0 + 1000, failures) - (T0 + 1000)), [1000, 2000, 4000, 5000, 5000]);
    assert.equal(nextAsk(session, T0 + 1000, 12) - (T0 + 1000), 300_000);
    assert.equal(nextAsk(watched, T0 + 1000, 0, 30_000) - (T0 + 1000), 30_000);
    assert.equal(nextAsk(session, T0 + 1000, 1, 86_400_000) - (T0 + 1000), 300_000, 'a Retry-After of a day waits 5 minutes');
  });
  it('always asks at expiresAt, and after it on the usual cadence', () => {
    const ending = { ...session, expiresAt: T0 + 3000 };
    assert.equal(nextAsk(ending, T0 + 1000), T0 + 3000);
    assert.equal(nextAsk(ending, T0 + 4000), T0 + 9000);
  });
});

describe('collector: asking 1Kosmos and recording the answer', () => {
  it('records each status; a final one with PII is delivered once with its context, then erased from the ledger', async () => {
    const kit = rig();
    await kit.create();
    kit.at(T0 + 4999);
    assert.deepEqual(await kit.collector.runOnce(), { asked: 0, delivered: 0 }, 'not due yet');
    kit.at(T0 + 5000);
    kit.answers.push(answer('in_progress'));
    await kit.collector.runOnce();
    assert.equal((await kit.store.read('s1'))?.status, 'in_progress');
    assert.equal((await kit.entry()).nextDueAt, T0 + 10_000);
    kit.at(T0 + 10_000);
    kit.answers.push(withPII('completed'));
    await kit.collector.runOnce();
    assert.equal(kit.delivered.length, 1);
    const [{ result, context }] = kit.delivered;
    assert.deepEqual(
      { ...context, signal: undefined },
      { sessionId: 's1', subject: 'user-7', dvcID: 'wf', resultId: 's1:final', attempt: 1, piiMissing: false, signal: undefined },
    );
    assert.ok(context.signal instanceof AbortSignal);
    assert.deepEqual(
      { status: result.status, verification: result.verification, hasPII: result.hasPII, raw: result.raw },
      { status: 'completed', verification: 'passed', hasPII: true, raw: withPII('completed').raw },
    );
    const entry = await kit.entry();
    assert.equal(entry.nextDueAt, null, 'a final session is not asked again');
    assert.deepEqual(entry.results.map((r) => [r.state, r.holdsPii]), [['delivered', false]]);
    kit.at(T0 + 1e9);
    assert.deepEqual(await kit.collector.runOnce(), { asked: 0, delivered: 0 });
    assert.deepEqual(kit.asked, ['s1', 's1']);
  });

  it('PII that comes before the final status is kept for it: a PII-less final copy never replaces it', async () => {
    const kit = rig();
    await kit.create();
    kit.at(T0 + 5000);
    kit.answers.push(withPII('in_progress', 'EARLY'));
    await kit.collector.runOnce();
    assert.equal(kit.delivered.length, 0, 'nothing is handed over before the final status');
    kit.at(T0 + 10_000);
    kit.answers.push(answer('completed'));
    await kit.collector.runOnce();
    const [{ result, context }] = kit.delivered;
    assert.equal(result.status, 'completed');
    assert.equal(result.hasPII, true);
    assert.equal(context.piiMissing, false);
    assert.deepEqual(result.raw.document, { firstName: 'EARLY' });
  });

  it('a completed session whose PII never came is handed over with piiMissing', async () => {
    const kit = rig();
    await kit.create();
    kit.at(T0 + 5000);
    kit.answers.push(answer('completed', { verification: 'failed', reasonCode: 'IDV0010' }));
    await kit.collector.runOnce();
    const [{ result, context }] = kit.delivered;
    assert.deepEqual([result.status, result.verification, result.reasonCode, result.hasPII, context.piiMissing], ['completed', 'failed', 'IDV0010', false, true]);
  });

  it('declined is final, with nothing missing', async () => {
    const kit = rig();
    await kit.create();
    kit.at(T0 + 5000);
    kit.answers.push(answer('declined'));
    await kit.collector.runOnce();
    assert.deepEqual(kit.delivered.map(({ result, context }) => [result.status, context.piiMissing]), [['declined', false]]);
  });

  it('an answer it cannot read is handed over raw as status unknown, told to onError, and the session still followed', async () => {
    const kit = rig();
    await kit.create();
    kit.at(T0 + 5000);
    const raw = { sessionId: 's1', sessionResult: 'Manual Review', document: { firstName: 'ADA' } };
    kit.answers.push(answer('unknown', { raw, hasPII: true, problem: 'no recognisable status' }));
    await kit.collector.runOnce();
    assert.equal(kit.delivered.length, 1);
    const [{ result, context }] = kit.delivered;
    assert.deepEqual([result.status, result.hasPII, result.raw], ['unknown', true, raw]);
    assert.match(context.resultId, /^s1:unknown:[0-9a-f]{16}$/);
    assert.equal(kit.errors.length, 1);
    assert.equal(kit.errors[0].stage, 'collect');
    assert.match(String((kit.errors[0].error as Error).message), /Manual Review|no recognisable status/);
    assert.equal((await kit.store.read('s1'))?.status, 'pending', 'the status stays what was last known');
    kit.at(T0 + 10_000);
    kit.answers.push(answer('unknown', { raw, hasPII: true }));
    kit.answers.push(answer('completed'));
    await kit.collector.runOnce();
    assert.equal(kit.delivered.length, 1, 'the same unreadable answer is handed over once');
    kit.at(T0 + 15_000);
    await kit.collector.runOnce();
    assert.deepEqual(kit.delivered.map(({ result }) => result.status), ['unknown', 'completed']);
  });

  it('asks at expiresAt one last time: still under way is expired, a result that came in time is never called expired', async () => {
    const kit = rig();
    await kit.create('late', 60_000);
    await kit.create('on-time', 60_000);
    kit.at(T0 + 55_000);
    kit.answers.push(answer('in_progress'), answer('in_progress'));
    await kit.collector.runOnce();
    assert.equal((await kit.entry('late')).nextDueAt, T0 + 60_000, 'the next ask is at expiresAt');
    kit.at(T0 + 60_000);
    kit.answers.push(answer('in_progress'), answer('completed'));
    await kit.collector.runOnce();
    const statuses = kit.delivered.map(({ result }) => result.status).sort();
    assert.deepEqual(statuses, ['completed', 'expired']);
    assert.equal((await kit.store.read(kit.delivered.find(({ result }) => result.status === 'completed')!.result.sessionId))?.status, 'completed');
  });

  it('a failed ask keeps the status, backs off and tells onError; 1Kosmos forgetting an expired session expires it', async () => {
    const kit = rig();
    await kit.create('s1', 60_000);
    kit.at(T0 + 5000);
    kit.answers.push(new KosmosApiError('upstream_error', '1Kosmos answered HTTP 503', { status: 503, retryAfter: 20_000 }));
    await kit.collector.runOnce();
    assert.equal((await kit.store.read('s1'))?.status, 'pending');
    const entry = await kit.entry();
    assert.equal(entry.nextDueAt, T0 + 25_000, "1Kosmos's Retry-After is honoured");
    assert.match(entry.lastError ?? '', /503/);
    assert.deepEqual(kit.errors.map((problem) => [problem.stage, problem.sessionId]), [['collect', 's1']]);
    kit.at(T0 + 70_000);
    kit.answers.push(new KosmosApiError('not_found', '1Kosmos answered HTTP 404', { status: 404 }));
    await kit.collector.runOnce();
    assert.deepEqual(kit.delivered.map(({ result }) => result.status), ['expired']);
  });

  it('on PGlite too: a session an hour old, unwatched, is asked again on its slower cadence', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kosmos-collector-'));
    const store = createPgliteStore({ dataDir });
    t.after(async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const kit = rig({ store });
    await kit.create('old', 7 * 24 * HOUR);
    kit.at(T0 + HOUR + 1234);
    kit.answers.push(answer('in_progress'));
    assert.deepEqual(await kit.collector.runOnce(), { asked: 1, delivered: 0 });
    assert.deepEqual(kit.errors, []);
    assert.equal((await kit.store.read('old'))?.status, 'in_progress');
    assert.equal((await kit.entry('old')).nextDueAt, nextAsk({ createdAt: T0, expiresAt: T0 + 7 * 24 * HOUR, lastReadAt: null }, T0 + HOUR + 1234));
  });

  it('two collectors on one ledger never ask about a session at the same time', async () => {
    const store = createMemoryStore();
    const first = rig({ store });
    const second = rig({ store });
    for (let i = 0; i < 50; i++) await first.create(`many-${i}`);
    first.at(T0 + 5000);
    second.at(T0 + 5000);
    await Promise.all([first.collector.runOnce(), second.collector.runOnce()]);
    const asked = [...first.asked, ...second.asked];
    assert.equal(asked.length, 50);
    assert.equal(new Set(asked).size, 50);
  });
});

describe('collector: delivery', () => {
  it('a sink that throws is retried with backoff (attempt 2 next), each failure told to onError', async () => {
    let calls = 0;
    const contexts: ResultContext[] = [];
    const kit = rig({
      sink: (_result, context) => {
        contexts.push(context);
        calls += 1;
        if (calls === 1) throw new Error('database down');
      },
    });
    await kit.create();
    kit.at(T0 + 5000);
    kit.answers.push(withPII('completed'));
    await kit.collector.runOnce();
    assert.equal(calls, 1);
    assert.deepEqual(kit.errors.map((problem) => [problem.stage, problem.attempt, problem.retryIn]), [['onResult', 1, 1000]]);
    const [result] = (await kit.entry()).results;
    assert.deepEqual([result.state, result.attempts, result.holdsPii, result.lastError], ['pending', 1, true, 'database down']);
    kit.at(T0 + 5999);
    await kit.collector.runOnce();
    assert.equal(calls, 1, 'not before the backoff');
    kit.at(T0 + 6000);
    await kit.collector.runOnce();
    assert.deepEqual(contexts.map((context) => [context.attempt, context.resultId]), [[1, 's1:final'], [2, 's1:final']]);
    assert.deepEqual((await kit.entry()).results.map((r) => [r.state, r.holdsPii]), [['delivered', false]]);
  });

  it('a sink past its timeout is aborted and retried; its late success still counts', async () => {
    let finish!: () => void;
    let signal!: AbortSignal;
    const kit = rig({
      sinkTimeout: 50,
      sink: (_result, context) => {
        signal = context.signal;
        return new Promise<void>((resolve) => (finish = resolve));
      },
    });
    await kit.create();
    kit.at(T0 + 5000);
    kit.answers.push(withPII('completed'));
    await kit.collector.runOnce();
    assert.equal(signal.aborted, true);
    assert.match(String((kit.errors[0].error as Error).message), /did not finish within 50 ms/);
    assert.equal((await kit.entry()).results[0].state, 'pending');
    finish();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual((await kit.entry()).results.map((r) => [r.state, r.holdsPii]), [['delivered', false]]);
  });

  it('gives up after 3 days of failures: the result is marked failed (still inspectable), onError told without a retry', async () => {
    const kit = rig({
      sink: () => {
        throw new Error('gone');
      },
    });
    await kit.create();
    kit.at(T0 + 5000);
    kit.answers.push(withPII('completed'));
    await kit.collector.runOnce();
    kit.at(T0 + 5000 + DELIVERY_WINDOW_MS);
    await kit.collector.runOnce();
    const last = kit.errors.at(-1)!;
    assert.equal(last.stage, 'onResult');
    assert.equal(last.retryIn, undefined);
    const [result] = (await kit.entry()).results;
    assert.deepEqual([result.state, result.holdsPii], ['failed', true]);
    assert.equal(await kit.store.redeliver('s1', T0), 1, 'redeliverable');
  });

  it('stop() lets an ask in flight finish and be recorded, then gives the leases back', async () => {
    const store = createMemoryStore();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const collector = new Collector({
      store,
      client: {
        getResult: async ({ sessionId }) => {
          await gate;
          return { ...withPII('completed'), sessionId };
        },
      },
      sealer: new Sealer([STORE_KEY]),
      sinkTimeout: 1000,
      leaseMs: 15_000,
      report: () => undefined,
      now: Date.now,
    });
    await store.create({ sessionId: 's1', dvcID: 'wf', subject: null, documentType: 'passport', createdAt: 0, expiresAt: Date.now() + HOUR, nextDueAt: 0 });
    collector.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = collector.stop();
    release();
    await stopped;
    assert.equal((await store.read('s1'))?.status, 'completed', 'the answer (with PII) was recorded, not dropped');
    const [entry] = await store.list({});
    assert.deepEqual(entry.results.map((r) => [r.state, r.holdsPii]), [['pending', true]], 'waiting for a process with a sink');
  });
});

describe('sealing results at rest (storeKey)', () => {
  it('seals and opens; a rotated list still opens what the old key sealed; tampering and unknown keys fail', async () => {
    const old = new Sealer([STORE_KEY]);
    const sealed = await old.seal('{"document":"PII"}');
    assert.match(sealed, /^k1\.[\w-]{8}\.[A-Za-z0-9+/=]+$/);
    assert.ok(!sealed.includes('PII'));
    assert.notEqual(await old.seal('same'), await old.seal('same'), 'a fresh IV each time');
    const rotated = new Sealer(['a-brand-new-store-key-0123456789abcdef', STORE_KEY]);
    assert.equal(await rotated.open(sealed), '{"document":"PII"}');
    assert.notEqual((await rotated.seal('x')).split('.')[1], sealed.split('.')[1], 'the first key seals');
    await assert.rejects(new Sealer(['another-store-key-0123456789abcdefghij']).open(sealed), SealError);
    const body = sealed.split('.')[2];
    const flipped = `${sealed.slice(0, -body.length)}${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`;
    await assert.rejects(old.open(flipped), SealError);
  });
});
