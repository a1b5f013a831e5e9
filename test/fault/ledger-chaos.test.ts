/**
 * The chaos suite's short run (`chaos.ts`; the full run is in `npm run bench`): kit processes
 * killed with SIGKILL every 1–3 s, a sink that fails a fifth of the time, the database cut once.
 * Nothing may be lost: every session's outcome delivered, every captured PII delivered once and
 * none left at rest, and 1Kosmos asked within the cadence's budget.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgresMissing } from '../server/postgres-cluster.js';
import { runChaos, type ChaosReport } from './chaos.js';

function assertNothingLost(report: ChaosReport): void {
  const summary = JSON.stringify(report);
  assert.deepEqual(report.undelivered, [], `every outcome delivered: ${summary}`);
  assert.deepEqual(report.wrongOutcome, [], `the outcome 1Kosmos gave: ${summary}`);
  assert.deepEqual(report.piiLost, [], `every captured PII delivered: ${summary}`);
  assert.deepEqual(report.piiTwice, [], `one PII copy per session: ${summary}`);
  assert.equal(report.piiAtRest, 0, `no PII left at rest: ${summary}`);
  assert.ok(report.upstreamCalls <= report.upstreamBudget, `1Kosmos asked within the cadence's budget: ${summary}`);
  assert.ok(report.kills > 0, 'kits were killed');
}

describe('ledger chaos (short run)', () => {
  it('three kits on PostgreSQL, killed at random, a failing sink, the connection cut once: nothing lost', { skip: postgresMissing }, async () => {
    const report = await runChaos({ engine: 'postgres', kits: 3, sessions: 30, spreadMs: 8000, lifetimeS: 14, drainMs: 30_000, sinkFailure: 0.2 });
    process.stdout.write(`# chaos figures: ${JSON.stringify(report)}\n`);
    assertNothingLost(report);
  });

  it('one kit on PGlite, killed at random and started again: nothing lost', async () => {
    const report = await runChaos({ engine: 'pglite', kits: 1, sessions: 12, spreadMs: 6000, lifetimeS: 12, drainMs: 30_000, sinkFailure: 0.2 });
    process.stdout.write(`# chaos figures: ${JSON.stringify(report)}\n`);
    assertNothingLost(report);
  });
});
