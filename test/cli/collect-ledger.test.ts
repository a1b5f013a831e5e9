/**
 * `kosmos-idv collect` and `kosmos-idv ledger` as an operator runs them: a kit configuration file,
 * a PostgreSQL ledger shared with a running handler, the simulator as 1Kosmos.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIdvHandler } from '../../src/server/handler.js';
import { createPostgresStore } from '../../src/server/ledger/postgres.js';
import type { KosmosResult } from '../../src/server/result.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { configFor, createSession, simulated, STORE_KEY, waitFor } from '../server/kit-helpers.js';
import { postgresMissing, startPostgres, type PostgresCluster } from '../server/postgres-cluster.js';
import { cli } from './helpers.js';

describe('kosmos-idv collect and ledger', { skip: postgresMissing }, () => {
  let cluster: PostgresCluster;
  let sim: Simulator;
  let dir: string;

  before(async () => {
    cluster = await startPostgres();
    sim = await startSimulator({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'kosmos-cli-'));
  });
  after(async () => {
    await sim?.close();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A kit.json for the simulator and a database, secrets given in the file or left to the environment. */
  async function kitFile(database: string, extra: Record<string, unknown> = {}) {
    const config = configFor(sim);
    const file = join(dir, `kit-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify({ ...config, store: undefined, database, ...extra }));
    return { file, config };
  }

  it('collect --once records a session completed with no browser; ledger shows it; a kit instance with onResult delivers it', async () => {
    const database = await cluster.createDatabase('cli_flow');
    const { file, config } = await kitFile(database);
    // A request handler that does not collect (collect: false), as in a serverless deployment.
    // Its clock is 10 s behind, so the session is due for its first ask at once.
    const web = createIdvHandler({ ...config, store: createPostgresStore({ connectionString: database }), collect: false, now: () => Date.now() - 10_000 });
    await web.ready();
    const session = await createSession(web);
    await web.close();
    simulated(sim, session.sessionId).start();
    simulated(sim, session.sessionId).document('pass');
    sim.clock.advance(10);

    const pending = await cli(['ledger', '--config', file, '--pending']);
    assert.equal(pending.code, 0, pending.stderr);
    assert.match(pending.stdout, new RegExp(`^${session.sessionId}  pending  created .*  next ask `, 'm'));

    const collected = await cli(['collect', '--config', file, '--once'], { env: { KOSMOS_LICENSE_KEY: sim.licenseKey } });
    assert.equal(collected.code, 0, collected.stderr);
    assert.match(collected.stdout, /asked 1Kosmos about 1 session/);

    const listed = await cli(['ledger', '--config', file]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${session.sessionId}  completed/passed `, 'm'));
    assert.match(listed.stdout, new RegExp(`^  ${session.sessionId}:final  completed  pending  attempts 0  next .*  PII at rest$`, 'm'));
    assert.doesNotMatch(listed.stdout, /SPECIMEN|SAMPLE|k1\./, 'no PII, no sealed payload');

    const results: KosmosResult[] = [];
    const worker = createIdvHandler({ ...config, store: createPostgresStore({ connectionString: database }), onResult: (result) => void results.push(result) });
    await waitFor(() => results.length === 1, 'the delivery');
    await worker.close();
    assert.equal(results[0].hasPII, true);
    const json = await cli(['ledger', '--config', file, '--json']);
    const [entry] = JSON.parse(json.stdout) as { results: { state: string; holdsPii: boolean }[] }[];
    assert.deepEqual(entry.results.map((result) => [result.state, result.holdsPii]), [['delivered', false]]);
    assert.equal((await cli(['ledger', '--config', file, '--pending'])).stdout.trim(), 'nothing pending');
  });

  it('--redeliver queues failed results again', async () => {
    const database = await cluster.createDatabase('cli_redeliver');
    const { file, config } = await kitFile(database);
    const store = createPostgresStore({ connectionString: database });
    // The first delivery fails, and the clock then jumps past the 3 days of retries: the result is failed.
    let failedOnce = false;
    const kit = createIdvHandler({
      ...config,
      store,
      now: () => Date.now() + 4 * 24 * 3600 * 1000 * Number(failedOnce),
      onResult: () => {
        failedOnce = true;
        throw new Error('the sink is down');
      },
    });
    const session = await createSession(kit);
    simulated(sim, session.sessionId).decline();
    await waitFor(() => failedOnce, 'a failed delivery', 10_000);
    await kit.close();
    const before = await cli(['ledger', '--config', file, '--pending']);
    assert.match(before.stdout, /:final {2}declined {2}failed {2}attempts 1 {2}last error: the sink is down$/m);
    const redelivered = await cli(['ledger', '--config', file, '--redeliver', session.sessionId]);
    assert.equal(redelivered.code, 0, redelivered.stderr);
    assert.match(redelivered.stdout, /^1 failed result\(s\) of .* queued for delivery again/);
    assert.match((await cli(['ledger', '--config', file, '--pending'])).stdout, /:final {2}declined {2}pending {2}attempts 0/);
  });

  it('every problem of the file is told at once, secrets from the environment win, no stack trace', async () => {
    const { file } = await kitFile('mysql://nowhere', { tokenSecret: 'short', storeKey: 'short' });
    const refused = await cli(['ledger', '--config', file], { env: { KOSMOS_PRIVATE_KEY: 'not base64!' } });
    assert.equal(refused.code, 2, 'a configuration problem is exit code 2');
    for (const problem of [/KOSMOS_PRIVATE_KEY/, /database must be a postgres:\/\/ URL/, /tokenSecret must be at least 32/, /storeKey must be at least 32/]) {
      assert.match(refused.stderr, problem);
    }
    assert.doesNotMatch(refused.stderr, /\bat .+:\d+:\d+/);
    const missing = await cli(['collect']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--config <kit.json> is required/);
    const fromEnv = await kitFile(await cluster.createDatabase('cli_env'), { storeKey: undefined });
    const ok = await cli(['ledger', '--config', fromEnv.file], { env: { IDV_STORE_KEY: STORE_KEY } });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'no sessions');
  });
});
