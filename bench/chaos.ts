/**
 * The ledger's chaos run (`test/fault/chaos.ts`; `npm test` runs a short one): kit processes on one
 * ledger, killed with SIGKILL every 1–3 s and started again, a sink failing a fifth of the time,
 * the database connection cut once (PostgreSQL), sessions played out at the simulator at random
 * under every PII retention mode, some read by 1–5 tabs. Full run: 3 kits on PostgreSQL with 300
 * sessions, and one kit on PGlite with fewer. `--smoke`: a small PostgreSQL run only.
 */
import { runChaos, type ChaosOptions, type ChaosReport } from '../test/fault/chaos.js';
import type { BenchOptions, Figure } from './figures.js';

type Run = Omit<ChaosOptions, 'log'>;

const FULL: Run[] = [
  { engine: 'postgres', kits: 3, sessions: 300, spreadMs: 60_000, lifetimeS: 90, drainMs: 60_000, sinkFailure: 0.2 },
  { engine: 'pglite', kits: 1, sessions: 60, spreadMs: 30_000, lifetimeS: 45, drainMs: 60_000, sinkFailure: 0.2 },
];
const SMOKE: Run[] = [{ engine: 'postgres', kits: 3, sessions: 10, spreadMs: 3000, lifetimeS: 6, drainMs: 20_000, sinkFailure: 0.2 }];

/** The chaos suite's collector concurrency: what a killed kit may have had in flight (chaos.ts's budget). */
const IN_FLIGHT = 32;

function figures(run: Run, report: ChaosReport): Figure[] {
  const label = `chaos (${run.engine === 'postgres' ? 'PostgreSQL' : 'PGlite'}, ${run.kits} kit${run.kits > 1 ? 's' : ''}, ${report.sessions} sessions)`;
  const modes = Object.entries(report.piiMissing)
    .map(([mode, count]) => `${mode} ${count}`)
    .join(', ');
  const setting =
    `${run.sessions} sessions created over about ${run.spreadMs / 2000} s and played out within ${run.spreadMs / 1000} s of ` +
    `creation, lifetime ${run.lifetimeS} s, sink failing ${run.sinkFailure * 100}% of calls (half before keeping the result, ` +
    `half after), ${run.engine === 'postgres' ? 'every database connection cut once, ' : ''}${report.kills} kills with SIGKILL; ` +
    `${Math.round(report.durationMs / 1000)} s in all`;
  return [
    {
      name: `${label}: sessions undelivered`,
      value: report.undelivered.length,
      unit: '',
      target: 0,
      compare: 'max',
      note:
        `${setting}. ${report.wrongOutcome.length} delivered with an outcome other than the simulator's; ` +
        `${report.sinkCalls} sink calls kept a result, ${report.sinkDuplicates} of them a duplicate (same resultId); ` +
        `completed sessions handed over with piiMissing, by retention mode: ${modes || 'none'} (off: PII deleted at ` +
        `completion; once: returned to the first ask only; ttl: for 3 s; week: for 7 days); ${report.createRetries} ` +
        `create requests retried on another kit.`,
    },
    {
      name: `${label}: captured PII not delivered`,
      value: report.piiLost.length,
      unit: '',
      target: 0,
      compare: 'max',
      note:
        `${report.piiTwice.length} sessions with two distinct PII-carrying results at the sink; PII that 1Kosmos returned ` +
        `but the ledger never recorded (a kit killed between the answer and the write): ${report.piiNeverRecorded}.`,
    },
    {
      name: `${label}: sessions with PII at rest`,
      value: report.piiAtRest,
      unit: '',
      target: 0,
      compare: 'max',
      note: 'PII stashes and undelivered PII payloads left in the ledger at the end, by SQL.',
    },
    {
      name: `${label}: 1Kosmos result calls (target: the cadence's budget)`,
      value: report.upstreamCalls,
      unit: '',
      target: report.upstreamBudget,
      compare: 'max',
      note:
        `budget = one call per second each session was open + 2, plus ${IN_FLIGHT} per kill (what a killed collector may ` +
        `have had in flight): ${report.upstreamBudget}; calls ${report.upstreamCalls} ` +
        `(${Math.round((report.upstreamCalls / report.upstreamBudget) * 100)}% of it).`,
    },
  ];
}

export async function benchChaos({ smoke }: BenchOptions, log: (line: string) => void): Promise<Figure[]> {
  const result: Figure[] = [];
  if (smoke) log('  chaos on PGlite: not run with --smoke (npm test runs a short one)');
  for (const run of smoke ? SMOKE : FULL) {
    log(`  chaos on ${run.engine}: ${run.kits} kit${run.kits > 1 ? 's' : ''}, ${run.sessions} sessions …`);
    result.push(...figures(run, await runChaos(run)));
  }
  return result;
}
