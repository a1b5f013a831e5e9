/**
 * The handler on a real PostgreSQL ledger shared by several instances: a held read on one instance
 * wakes when another records the change, a session nobody reads still reaches onResult, a ledger
 * that cannot be written refuses sessions (503) rather than handing them out untracked. (Processes
 * killed while holding results: the chaos suite, test/fault/ledger-chaos.test.ts.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { IdvHandlerError, ResultContext } from '../../src/server/config.js';
import { createIdvHandler, type IdvHandler } from '../../src/server/handler.js';
import { createPostgresStore } from '../../src/server/ledger/postgres.js';
import { loadPeer } from '../../src/server/ledger/load.js';
import type { KosmosResult } from '../../src/server/result.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { configFor, createSession, expectError, readStatus, simulated, waitFor, type Created } from './kit-helpers.js';
import { postgresMissing, startPostgres, type PostgresCluster } from './postgres-cluster.js';

describe('the handler on a shared PostgreSQL ledger', { skip: postgresMissing }, () => {
  let cluster: PostgresCluster;
  let sim: Simulator;
  const handlers: IdvHandler[] = [];

  before(async () => {
    cluster = await startPostgres();
    sim = await startSimulator({ port: 0 });
  });
  after(async () => {
    for (const handler of handlers) await handler.close();
    await sim?.close();
    await cluster?.stop();
  });

  function instance(database: string, extra: Parameters<typeof createIdvHandler>[0] extends infer C ? Partial<C> : never = {}) {
    const handler = createIdvHandler({ ...configFor(sim), store: createPostgresStore({ connectionString: database }), ...extra });
    handlers.push(handler);
    return handler;
  }

  it('a held read on one instance answers as soon as another instance records the change', async () => {
    const database = await cluster.createDatabase('held');
    const collecting = instance(database);
    const serving = instance(database, { collect: false });
    await Promise.all([collecting.ready(), serving.ready()]);
    const session = await createSession(serving);
    const first = await readStatus(serving, session);
    const etag = first.headers.get('ETag')!;
    await first.body?.cancel();
    assert.equal(etag, '"pending.none"');
    const held = readStatus(serving, session, { 'If-None-Match': etag, Prefer: 'wait=10' });
    const askedAt = Date.now();
    simulated(sim, session.sessionId).start();
    const answer = await held;
    const waited = Date.now() - askedAt;
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as { status: string }).status, 'in_progress');
    assert.ok(waited < 5000, `answered ${waited} ms after the change, not at the end of the 10 s wait`);
  });

  it('a session nobody reads (finished on a phone, the tab closed) still reaches onResult, PII included', async () => {
    const database = await cluster.createDatabase('unread');
    const results: { result: KosmosResult; context: ResultContext }[] = [];
    const kit = instance(database, { onResult: (result, context) => void results.push({ result, context }) });
    const session = await createSession(kit, { documentType: 'passport', firstname: 'Ada' });
    simulated(sim, session.sessionId).start();
    simulated(sim, session.sessionId).document('pass');
    await waitFor(() => results.length === 1, 'onResult with no browser', 10_000);
    assert.equal(results[0].result.hasPII, true);
    assert.equal(results[0].context.resultId, `${session.sessionId}:final`);
  });

  it('a ledger that cannot be written: 503 store_unavailable with Retry-After, and no session asked of 1Kosmos', async () => {
    const database = await cluster.createDatabase('down');
    const errors: IdvHandlerError[] = [];
    const kit = instance(database, { onError: (problem) => void errors.push(problem) });
    await kit.ready();
    const creates = Object.values(sim.stats.createCalls).reduce((sum, calls) => sum + calls, 0);
    await cluster.restart();
    await cluster.cutConnections();
    const nowhere = instance('postgres://postgres@127.0.0.1:1/none', { onError: (problem) => void errors.push(problem) });
    const refused = await nowhere(new Request('http://kit.test/api/idv', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"documentType":"passport"}' }));
    assert.equal(refused.headers.get('Retry-After'), '5');
    await expectError(refused, 503, 'store_unavailable');
    assert.equal(Object.values(sim.stats.createCalls).reduce((sum, calls) => sum + calls, 0), creates, '1Kosmos was not asked');
    assert.ok(errors.some((problem) => problem.stage === 'store'));
    const created: Created = await createSession(kit);
    assert.ok(created.sessionId, 'the restarted database serves again');
  });
});

describe('the default ledger and the optional database packages', () => {
  it('without a store the kit keeps its ledger in PGlite in ./.kosmos-idv and says where; close() leaves nothing running', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kosmos-default-'));
    try {
      const script = `
        import { createIdvHandler, generateKeyPair } from ${JSON.stringify(fileURLToPath(new URL('../../src/server/index.ts', import.meta.url)))};
        const told = [];
        const handler = createIdvHandler({ tenantDNS: 'acme.1kosmos.net', communityName: 'c', dvcID: 'd', licenseKey: 'l',
          keyPair: generateKeyPair(), tokenSecret: 'x'.repeat(32), storeKey: 'y'.repeat(32), onError: (problem) => told.push(problem) });
        await handler.ready();
        await handler.close();
        console.log(JSON.stringify(told.map(({ stage, error }) => [stage, error.message])));`;
      // The process must end by itself once the handler is closed: no timer or connection outlives it.
      const run = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script], { cwd, encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.signal, null, 'the process ended by itself');
      assert.equal(run.status, 0, run.stderr);
      const [[stage, message]] = JSON.parse(run.stdout) as [string, string][];
      assert.equal(stage, 'store');
      assert.match(message, new RegExp(`PGlite in ${join(cwd, '.kosmos-idv').replace(/[/.]/g, '\\$&')}`));
      assert.ok(existsSync(join(cwd, '.kosmos-idv')), 'the ledger is there');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('a database package that is not installed is an IdvConfigError naming the npm i to run', async () => {
    const missing = Object.assign(new Error("Cannot find package 'pg'"), { code: 'ERR_MODULE_NOT_FOUND' });
    await assert.rejects(loadPeer('pg', () => Promise.reject(missing), 'createPostgresStore'), {
      name: 'IdvConfigError',
      message: /createPostgresStore needs the package pg: run `npm i pg`/,
    });
    const other = new Error('broken');
    await assert.rejects(loadPeer('pg', () => Promise.reject(other), 'createPostgresStore'), other);
  });
});
