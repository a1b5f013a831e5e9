/**
 * The ledger's chaos run, shared by `npm test` (a short run, `ledger-chaos.test.ts`) and `npm run
 * bench` (the full run, `bench/chaos.ts`): kit processes (`chaos-kit.ts`) on one ledger and the
 * simulator; sessions created through the kits and completed, failed, declined or left to expire at
 * the simulator through its control API at random times, under every PII retention mode; some read
 * by 1–5 "tabs" spread over the kits, the rest by nobody; kits killed with SIGKILL at random every
 * 1–3 s and started again; the sink failing on purpose; the database connection cut once. It then
 * reads the ledger, the sink's file and the simulator, and reports what was lost, kept or asked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { generateKeyPair } from '../../src/server/crypto.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { freePort, startPostgres, type PostgresCluster } from '../server/postgres-cluster.js';
import type { ChaosKitSettings, SinkLine } from './chaos-kit.js';

const KIT = fileURLToPath(new URL('./chaos-kit.ts', import.meta.url));
/** The concurrency of a collector: what a killed kit can have had in flight, at most. */
const COLLECTOR_CONCURRENCY = 32;

export interface ChaosOptions {
  engine: 'postgres' | 'pglite';
  kits: number;
  sessions: number;
  /** Sessions are completed (or left) at random moments within this window after their creation, ms. */
  spreadMs: number;
  /** The sessions' lifetime at the simulator and the kit, seconds. */
  lifetimeS: number;
  /** How long to wait for every result after the last session ended, ms. */
  drainMs: number;
  /** Share of sink calls that fail. */
  sinkFailure: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  sessions: number;
  /** Sessions created (201) and never answered a final status in the ledger, or never delivered. */
  undelivered: string[];
  /** Sessions whose delivered status differs from what the simulator says happened. */
  wrongOutcome: string[];
  /** Sessions whose PII the ledger captured but the sink never received. */
  piiLost: string[];
  /** Sessions with more than one distinct PII-carrying result kept by the sink. */
  piiTwice: string[];
  /** Sessions with PII still at rest in the ledger at the end. */
  piiAtRest: number;
  /** PII 1Kosmos returned that the ledger never recorded (a kit killed between the answer and the write). */
  piiNeverRecorded: number;
  /** Completed sessions handed over with piiMissing, by retention mode. */
  piiMissing: Record<string, number>;
  kills: number;
  sinkCalls: number;
  sinkDuplicates: number;
  /** 1Kosmos result calls, and the cadence's budget for them. */
  upstreamCalls: number;
  upstreamBudget: number;
  /** Create requests refused (503 while a store was unreachable) or lost to a killed kit, retried elsewhere. */
  createRetries: number;
  durationMs: number;
}

const WORKFLOWS = {
  once: { selfie: false, piiRetention: { off: false, ttl: -1 } },
  off: { selfie: false, piiRetention: { off: true } },
  ttl: { selfie: false, piiRetention: { off: false, ttl: 3 } },
  week: { selfie: false, piiRetention: { off: false, ttl: 0 } },
};

type Outcome = 'pass' | 'fail' | 'not_performed' | 'decline' | 'abandon' | 'ignore';
const OUTCOMES: [Outcome, number][] = [
  ['pass', 0.35],
  ['fail', 0.15],
  ['not_performed', 0.1],
  ['decline', 0.15],
  ['abandon', 0.1],
  ['ignore', 0.15],
];
const SIM_STATUS: Record<string, string> = { Completed: 'completed', Declined: 'declined', Expired: 'expired' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)];

function outcome(): Outcome {
  let roll = Math.random();
  for (const [name, share] of OUTCOMES) {
    if ((roll -= share) < 0) return name;
  }
  return 'ignore';
}

interface Created {
  sessionId: string;
  token: string;
  workflow: string;
  createdAt: number;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'kosmos-chaos-'));
  const sinkFile = join(dir, 'sink.jsonl');
  writeFileSync(sinkFile, '');
  let cluster: PostgresCluster | undefined;
  let sim: Simulator | undefined;
  const processes = new Map<number, ChildProcess>();
  let stopping = false;
  try {
    sim = await startSimulator({ port: 0, sessionLifetime: options.lifetimeS, dvcIDs: WORKFLOWS });
    let database: string | undefined;
    if (options.engine === 'postgres') {
      cluster = await startPostgres();
      database = await cluster.createDatabase('chaos');
    }
    const keyPair = generateKeyPair();
    const ports = await Promise.all(Array.from({ length: options.kits }, freePort));
    const base = {
      tenantDNS: sim.tenantDNS,
      communityName: sim.communityName,
      licenseKey: sim.licenseKey,
      keyPair,
      tokenSecret: randomBytes(32).toString('base64url'),
      storeKey: randomBytes(32).toString('base64url'),
      sessionLifetime: options.lifetimeS,
      database,
      dataDir: database ? undefined : join(dir, 'pglite'),
      sinkFile,
      sinkFailure: options.sinkFailure,
    };
    const settingsOf = (index: number): ChaosKitSettings => ({
      ...base,
      index,
      port: ports[index],
      // The kits' maps differ only in where a passport goes, so that every retention mode is used.
      dvcID: { passport: index % 2 === 0 ? 'once' : 'week', driving_license: 'off', id_card: 'ttl' },
    });

    const startKit = (index: number) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', KIT, JSON.stringify(settingsOf(index))], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        processes.set(index, child);
        child.stderr.on('data', (chunk: Buffer) => log(chunk.toString().trimEnd()));
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) resolve();
        });
        child.once('exit', (code, signal) => {
          if (processes.get(index) === child) processes.delete(index);
          if (!stopping && signal !== 'SIGKILL') reject(new Error(`kit ${index} exited (${code ?? signal})`));
          resolve();
        });
      });
    await Promise.all(ports.map((_, index) => startKit(index)));

    const alivePorts = () => [...processes.keys()].map((index) => ports[index]);
    const origin = (port: number) => `http://127.0.0.1:${port}`;

    // Chaos: a kit killed every 1–3 s and started again at once; the database cut once.
    let kills = 0;
    let chaos = true;
    const chaosLoop = (async () => {
      while (chaos) {
        await sleep(1000 + Math.random() * 2000);
        if (!chaos) break;
        const index = pick([...processes.keys()]);
        const child = processes.get(index);
        if (!child) continue;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        kills++;
        await exited;
        await startKit(index);
      }
    })();
    const cut = cluster
      ? sleep(options.spreadMs / 2).then(() => {
          log('cutting every database connection');
          return cluster!.cutConnections();
        })
      : Promise.resolve();

    // Sessions: created through any live kit (another one when it fails), then played out at the simulator.
    let createRetries = 0;
    const documentTypes = ['passport', 'driving_license', 'id_card'] as const;
    const create = async (): Promise<Created> => {
      const documentType = pick(documentTypes);
      for (;;) {
        const port = pick(alivePorts().length ? alivePorts() : ports);
        try {
          const response = await fetch(`${origin(port)}/api/idv`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ documentType, firstname: 'Ada', lastname: 'Chaos' }),
          });
          if (response.status === 201) {
            const body = (await response.json()) as { sessionId: string; token: string };
            return { ...body, workflow: sim!.session(body.sessionId)!.view().dvcID, createdAt: Date.now() };
          }
          await response.body?.cancel();
        } catch {
          // The kit was killed under the request.
        }
        createRetries++;
        await sleep(100);
      }
    };
    const control = async (sessionId: string, body: object) => {
      const response = await fetch(`${sim!.origin}/_simulator/sessions/${sessionId}/step`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`control ${JSON.stringify(body)}: ${response.status} ${await response.text()}`);
    };
    const play = async (session: Created, what: Outcome) => {
      await sleep(Math.random() * options.spreadMs);
      if (what === 'ignore') return;
      if (what === 'decline') return control(session.sessionId, { action: 'decline' });
      await control(session.sessionId, { action: 'start' });
      if (what === 'abandon') return;
      await control(session.sessionId, { action: 'document', outcome: what });
    };
    const deadline = Date.now() + options.spreadMs + options.lifetimeS * 1000 + options.drainMs;
    /** A browser tab: reads the status from any live kit (held reads), until a final status or the deadline. */
    const tab = async (session: Created) => {
      await sleep(Math.random() * options.spreadMs);
      let etag = '';
      while (Date.now() < deadline) {
        try {
          const response = await fetch(`${origin(pick(ports))}/api/idv/${session.sessionId}`, {
            headers: { Authorization: `Bearer ${session.token}`, Prefer: 'wait=5', ...(etag ? { 'If-None-Match': etag } : {}) },
          });
          if (response.status === 200) {
            etag = response.headers.get('ETag') ?? '';
            const { status } = (await response.json()) as { status: string };
            if (['completed', 'declined', 'expired'].includes(status)) return;
          } else {
            await response.body?.cancel();
            if (response.status !== 304) await sleep(500);
          }
        } catch {
          await sleep(200);
        }
      }
    };

    const work: Promise<unknown>[] = [];
    const created: Created[] = [];
    const stagger = options.spreadMs / options.sessions;
    for (let i = 0; i < options.sessions; i++) {
      const session = await create();
      created.push(session);
      work.push(play(session, outcome()));
      if (Math.random() >= 0.4) for (let t = 1 + Math.floor(Math.random() * 5); t > 0; t--) work.push(tab(session));
      await sleep(Math.random() * stagger);
    }
    log(`${created.length} sessions created`);
    await Promise.all([...work, cut]);
    // Until the last one could have expired, then the kits stop dying and the results drain.
    await sleep(Math.max(0, Math.max(...created.map((s) => s.createdAt)) + options.lifetimeS * 1000 + 1000 - Date.now()));
    chaos = false;
    await chaosLoop;
    const sink = () =>
      readFileSync(sinkFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as SinkLine);
    while (Date.now() < deadline) {
      const finals = new Set(sink().map((line) => line.resultId));
      if (created.every((session) => finals.has(`${session.sessionId}:final`))) break;
      await sleep(250);
    }
    // The sink may hold a result whose delivery the ledger has not recorded yet (the kit was killed
    // after the sink kept it, or the sink failed after keeping it): the kits deliver it again. Stop
    // them (gracefully) and read the ledger; while a final result is still pending, run them again.
    const stopAll = () => {
      stopping = true;
      return Promise.all([...processes.values()].map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')))));
    };
    await stopAll();
    let rows = await ledgerRows(database, join(dir, 'pglite'));
    const settled = () => created.every(({ sessionId }) => rows.sessions.get(sessionId)?.state === 'delivered');
    while (!settled() && Date.now() < deadline) {
      stopping = false;
      await Promise.all(ports.map((_, index) => startKit(index)));
      await sleep(3000);
      await stopAll();
      rows = await ledgerRows(database, join(dir, 'pglite'));
    }
    const lines = sink();
    const report: ChaosReport = {
      sessions: created.length,
      undelivered: [],
      wrongOutcome: [],
      piiLost: [],
      piiTwice: [],
      piiAtRest: rows.piiAtRest,
      piiNeverRecorded: 0,
      piiMissing: {},
      kills,
      sinkCalls: lines.length,
      sinkDuplicates: lines.length - new Set(lines.map((line) => line.resultId)).size,
      upstreamCalls: Object.values(sim.stats.resultCalls).reduce((sum, calls) => sum + calls, 0),
      upstreamBudget: kills * COLLECTOR_CONCURRENCY,
      createRetries,
      durationMs: 0,
    };
    for (const session of created) {
      const { sessionId, workflow } = session;
      const final = lines.filter((line) => line.resultId === `${sessionId}:final`);
      const ledger = rows.sessions.get(sessionId);
      const view = sim.session(sessionId)!.view();
      if (!final.length || !ledger || ledger.state !== 'delivered') report.undelivered.push(sessionId);
      else if (final[0].status !== SIM_STATUS[view.status]) report.wrongOutcome.push(sessionId);
      const piiCopies = new Set(lines.filter((line) => line.sessionId === sessionId && line.hasPII).map((line) => line.resultId));
      if (ledger?.pii && piiCopies.size === 0) report.piiLost.push(sessionId);
      if (piiCopies.size > 1) report.piiTwice.push(sessionId);
      if (view.piiReturned > 0 && !ledger?.pii) report.piiNeverRecorded++;
      if (final.some((line) => line.piiMissing)) report.piiMissing[workflow] = (report.piiMissing[workflow] ?? 0) + 1;
      const end = ledger?.updatedAt ?? Date.now();
      report.upstreamBudget += Math.ceil((end - session.createdAt) / 1000) + 2;
    }
    report.durationMs = Date.now() - started;
    return report;
  } finally {
    stopping = true;
    for (const child of processes.values()) child.kill('SIGKILL');
    await sim?.close();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface LedgerRow {
  state: string | null;
  pii: boolean;
  updatedAt: number;
}

/** Each session's final result (delivery state, PII captured) and how much PII is still at rest, by SQL. */
async function ledgerRows(database: string | undefined, dataDir: string): Promise<{ sessions: Map<string, LedgerRow>; piiAtRest: number }> {
  const sql = {
    sessions: `SELECT s.session_id, s.updated_at, r.state, coalesce(r.pii, false) AS pii
      FROM kosmos_idv_sessions s LEFT JOIN kosmos_idv_results r ON r.session_id = s.session_id AND r.kind = 'final'`,
    atRest: `SELECT (SELECT count(*) FROM kosmos_idv_sessions WHERE pii_stash IS NOT NULL)
      + (SELECT count(*) FROM kosmos_idv_results WHERE payload IS NOT NULL AND pii) AS n`,
  };
  let rows: Record<string, unknown>[];
  let atRest: unknown;
  if (database) {
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    rows = (await client.query(sql.sessions)).rows;
    atRest = (await client.query(sql.atRest)).rows[0].n;
    await client.end();
  } else {
    const db = await PGlite.create(dataDir);
    rows = (await db.query<Record<string, unknown>>(sql.sessions)).rows;
    atRest = (await db.query<{ n: unknown }>(sql.atRest)).rows[0].n;
    await db.close();
  }
  const sessions = new Map<string, LedgerRow>();
  for (const row of rows) {
    sessions.set(String(row.session_id), { state: row.state === null ? null : String(row.state), pii: Boolean(row.pii), updatedAt: Number(row.updated_at) });
  }
  return { sessions, piiAtRest: Number(atRest) };
}
