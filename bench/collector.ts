/**
 * The collector's figures, with kit instances as processes of their own (`kit-child.ts`) on a
 * PostgreSQL cluster of the bench's own and the simulator in this process:
 *
 * - upstream result calls per minute for one watched session: 1, 5 and 20 "tabs" (loops of held
 *   reads, `Prefer: wait=5` with the ETag, round-robin over the instances) on 1 and on 3 instances
 *   (one database per instance count), counted at the simulator for that session over a window;
 * - completion → `onResult` with no browser watching: sessions created through a kit, started and
 *   completed at the simulator at random moments within 2 minutes of their creation, nobody reading
 *   them; from the completion call to the kit's `onResult` (both clocks are this machine's `Date.now`);
 * - collector lateness: 10,000 open sessions in the ledger, created over the last 7 days as in a
 *   steady state, 3 instances; every ask's lateness is logged by a trigger of the bench's own on the
 *   bench's database (the claim's time minus the due time it claimed), and the most overdue unleased
 *   session is sampled every 100 ms.
 *
 * The first two run at the same time (separate databases, light load); the third alone.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createPostgresStore, generateKeyPair, KosmosClient, type KosmosKeyPair } from '../src/server/index.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { median, percentile, type BenchOptions, type Figure } from './figures.js';
import type { KitChildSettings } from './kit-child.js';
import { freePort } from '../test/server/postgres-cluster.js';
import { cpuSeconds, startBenchPostgres, startKitChild, type BenchCluster, type KitChild } from './postgres.js';

const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;
/** The collector's cadence for a session nobody reads: its age / 24, within 5 s – 5 min (collector.ts). */
const unwatchedInterval = (age: number) => Math.min(300_000, Math.max(5000, age / 24));

/** What every kit process of a bench shares. */
interface Shared {
  cluster: BenchCluster;
  sim: Simulator;
  keyPair: KosmosKeyPair;
  tokenSecret: string;
  storeKey: string;
}

function shared(cluster: BenchCluster, sim: Simulator): Shared {
  return {
    cluster,
    sim,
    keyPair: generateKeyPair(),
    tokenSecret: randomBytes(32).toString('base64url'),
    storeKey: randomBytes(32).toString('base64url'),
  };
}

/** `onError` reports by stage: how many, and the first one's message. */
type Errors = Map<string, { count: number; first: string }>;

const errorsNote = (errors: Errors) =>
  errors.size
    ? ` onError: ${[...errors].map(([stage, { count, first }]) => `${count} × ${stage} (the first: "${first}")`).join(', ')}.`
    : ' No onError reports.';

/** Kit processes on `database`; errors they report are counted by stage. */
async function startKits(
  setup: Shared,
  database: string,
  count: number,
  options: { serve?: boolean; results?: boolean; onResult?: (sessionId: string, at: number) => void },
): Promise<{ kits: KitChild[]; errors: Errors; stop(): Promise<void> }> {
  const errors: Errors = new Map();
  const onLine = (line: string) => {
    const [kind, first, second] = line.split(' ');
    if (kind === 'result') options.onResult?.(first, Number(second));
    else if (kind === 'error') {
      const seen = errors.get(first);
      if (seen) seen.count += 1;
      else errors.set(first, { count: 1, first: line.split(' ').slice(2).join(' ').slice(0, 160) });
    }
  };
  const kits: KitChild[] = [];
  const stop = () => Promise.all(kits.map((kit) => kit.stop())).then(() => undefined);
  try {
    for (let index = 0; index < count; index++) {
      const settings: KitChildSettings = {
        index,
        database,
        tenantDNS: setup.sim.tenantDNS,
        communityName: setup.sim.communityName,
        licenseKey: setup.sim.licenseKey,
        keyPair: setup.keyPair,
        tokenSecret: setup.tokenSecret,
        storeKey: setup.storeKey,
        ...(options.serve ? { port: await freePort() } : {}),
        ...(options.results ? { results: true } : {}),
      };
      kits.push(await startKitChild(settings, onLine));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { kits, errors, stop };
}


async function createSession(origin: string): Promise<{ sessionId: string; token: string }> {
  const response = await fetch(`${origin}/api/idv`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"documentType":"passport"}',
  });
  const body = (await response.json()) as { sessionId: string; token: string };
  if (response.status !== 201) throw new Error(`Create answered ${response.status} ${JSON.stringify(body)}`);
  return body;
}

const TAB_COUNTS = [1, 5, 20];
const INSTANCE_COUNTS = [1, 3];

/** Upstream result calls per minute for one watched session, by instances and tabs. */
async function watchedCalls(setup: Shared, { smoke }: BenchOptions): Promise<Figure[]> {
  const windowS = smoke ? 10 : 60;
  const warmUpS = smoke ? 3 : 5;
  const groups = await Promise.all(
    INSTANCE_COUNTS.map(async (instances) => {
      const database = await setup.cluster.createDatabase(`watched_${instances}`);
      return { instances, ...(await startKits(setup, database, instances, { serve: true })) };
    }),
  );
  const stopTabs = new AbortController();
  const tabs: Promise<void>[] = [];
  try {
    const watched: { instances: number; tabs: number; sessionId: string }[] = [];
    for (const group of groups) {
      for (const tabCount of TAB_COUNTS) {
        const session = await createSession(group.kits[0].origin);
        setup.sim.session(session.sessionId)!.start();
        watched.push({ instances: group.instances, tabs: tabCount, sessionId: session.sessionId });
        for (let t = 0; t < tabCount; t++) tabs.push(tab(group.kits, session, t, stopTabs.signal));
      }
    }
    await sleep(warmUpS * 1000);
    const callsOf = (sessionId: string) => setup.sim.session(sessionId)!.view().resultCalls;
    const before = watched.map(({ sessionId }) => callsOf(sessionId));
    const started = performance.now();
    await sleep(windowS * 1000);
    const seconds = (performance.now() - started) / 1000;
    const perMinute = watched.map(({ sessionId }, i) => ((callsOf(sessionId) - before[i]) * 60) / seconds);
    const all = watched.map((item, i) => `${item.instances} inst. × ${item.tabs} tab${item.tabs > 1 ? 's' : ''}: ${perMinute[i].toFixed(1)}`).join(', ');
    return groups.map((group) => {
      const mine = perMinute.filter((_, i) => watched[i].instances === group.instances);
      return {
        name: `kit: upstream result calls per minute, one watched session, ${group.instances} instance${group.instances > 1 ? 's' : ''} (1, 5, 20 tabs: highest)`,
        value: Math.round(Math.max(...mine) * 10) / 10,
        unit: '/min',
        target: 60,
        compare: 'max' as const,
        note:
          `${mine.map((value) => value.toFixed(1)).join(', ')} for 1, 5, 20 tabs (spread ${(Math.max(...mine) - Math.min(...mine)).toFixed(1)}). ` +
          `All six: ${all}. Result calls for the session counted at the simulator over ${windowS} s after a ${warmUpS} s warm-up` +
          `${windowS === 60 ? '' : ', scaled to a minute'}; tabs are loops of held reads (Prefer: wait=5 with the ETag) ` +
          `round-robin over the instances, which are kit processes on one PostgreSQL database each; the six sessions were ` +
          `watched at the same time.${errorsNote(group.errors)}`,
      };
    });
  } finally {
    stopTabs.abort();
    await Promise.allSettled(tabs);
    await Promise.all(groups.map((group) => group.stop()));
  }
}

/** A browser tab: held reads of one session, round-robin over the instances, until stopped. */
async function tab(kits: KitChild[], session: { sessionId: string; token: string }, first: number, signal: AbortSignal): Promise<void> {
  let etag = '';
  for (let k = first; !signal.aborted; k++) {
    const origin = kits[k % kits.length].origin;
    try {
      const response = await fetch(`${origin}/api/idv/${session.sessionId}`, {
        headers: { Authorization: `Bearer ${session.token}`, ...(etag ? { Prefer: 'wait=5', 'If-None-Match': etag } : {}) },
        signal,
      });
      if (response.status === 200) {
        etag = response.headers.get('ETag') ?? '';
        await response.json();
      } else {
        await response.body?.cancel();
        if (response.status !== 304) await sleep(500);
      }
    } catch {
      if (!signal.aborted) await sleep(200);
    }
  }
}

/** Completion at the simulator → `onResult`, nobody reading the sessions. */
async function unwatchedDelivery(setup: Shared, { smoke }: BenchOptions): Promise<Figure[]> {
  const count = smoke ? 6 : 100;
  const createOverMs = smoke ? 0 : 30_000;
  const completeWithinMs = smoke ? 12_000 : 120_000;
  const database = await setup.cluster.createDatabase('unwatched');
  const delivered = new Map<string, number>();
  const group = await startKits(setup, database, 1, {
    serve: true,
    results: true,
    onResult: (sessionId, at) => {
      if (!delivered.has(sessionId)) delivered.set(sessionId, at);
    },
  });
  try {
    const completed = new Map<string, number>();
    const play = async () => {
      await sleep(Math.random() * createOverMs);
      const { sessionId } = await createSession(group.kits[0].origin);
      const created = Date.now();
      const completeAt = created + Math.random() * completeWithinMs;
      await sleep(Math.random() * (completeAt - created));
      setup.sim.session(sessionId)!.start();
      await sleep(Math.max(0, completeAt - Date.now()));
      completed.set(sessionId, Date.now());
      setup.sim.session(sessionId)!.document('pass');
    };
    await Promise.all(Array.from({ length: count }, play));
    const deadline = Date.now() + 30_000;
    while ([...completed.keys()].some((id) => !delivered.has(id)) && Date.now() < deadline) await sleep(100);
    const latencies = [...completed].filter(([id]) => delivered.has(id)).map(([id, at]) => delivered.get(id)! - at);
    const missing = completed.size - latencies.length;
    return [
      {
        name: 'kit: completion → onResult, no browser watching, p95',
        value: missing ? Number.NaN : Math.round(percentile(latencies, 95)),
        unit: 'ms',
        target: 6000,
        compare: 'max',
        note:
          `${latencies.length} sessions, p50 ${Math.round(median(latencies))} ms, max ${Math.round(Math.max(...latencies))} ms` +
          `${missing ? `, ${missing} not handed over within 30 s` : ''}; created through one kit process on PostgreSQL ` +
          `${createOverMs ? `over ${createOverMs / 1000} s` : 'at once'}, started and completed (document passed) at the simulator at ` +
          `random moments within ${completeWithinMs / 1000} s of creation, never read; from the completion call to the kit's ` +
          `onResult.${errorsNote(group.errors)}`,
      },
    ];
  } finally {
    await group.stop();
  }
}

/** How late the collectors ask, with `sessions` open sessions created over the last 7 days. */
async function lateness(cluster: BenchCluster, { smoke }: BenchOptions): Promise<Figure[]> {
  const sessions = smoke ? 1000 : 10_000;
  const instances = 3;
  const warmUpS = smoke ? 2 : 10;
  const windowS = smoke ? 6 : 60;
  const sim = await startSimulator({ port: 0, maxSessions: sessions * 2 });
  const setup = shared(cluster, sim);
  const database = await cluster.createDatabase('lateness');
  const admin = new pg.Client({ connectionString: database });
  let group: Awaited<ReturnType<typeof startKits>> | undefined;
  try {
    await admin.connect();
    // The ledger's tables (the store's migrations), then the bench's own log of every claim.
    const store = createPostgresStore({ connectionString: database });
    await store.open();
    await admin.query(`CREATE TABLE bench_asks (session_id text NOT NULL, due bigint NOT NULL, asked bigint NOT NULL)`);
    await admin.query(`CREATE FUNCTION bench_log_ask() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO bench_asks VALUES (OLD.session_id, OLD.next_due_at, NEW.last_asked_at); RETURN NEW; END $$`);
    await admin.query('CREATE INDEX ON bench_asks (session_id, due)');
    await admin.query(`CREATE TRIGGER bench_log_ask AFTER UPDATE ON kosmos_idv_sessions FOR EACH ROW
      WHEN (NEW.last_asked_at IS DISTINCT FROM OLD.last_asked_at AND OLD.next_due_at IS NOT NULL) EXECUTE FUNCTION bench_log_ask()`);

    // The sessions exist at the simulator (created through its API: it answers each ask for real,
    // encrypted, "in progress"); the ledger gets them through the store with created times over the
    // last 7 days and each next ask within its cadence's interval from now, as in a steady state.
    const client = new KosmosClient({
      tenantDNS: sim.tenantDNS,
      communityName: sim.communityName,
      licenseKey: sim.licenseKey,
      keyPair: setup.keyPair,
      retries: 0,
    });
    const setupStarted = performance.now();
    let made = 0;
    const now = Date.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (made < sessions) {
          made += 1;
          const { sessionId } = await client.createSession({ dvcID: 'default', documentType: 'passport' });
          const age = Math.round(Math.random() * (SEVEN_DAYS_MS - 3600_000));
          await store.create({
            sessionId,
            dvcID: 'default',
            subject: null,
            documentType: 'passport',
            createdAt: now - age,
            expiresAt: now - age + SEVEN_DAYS_MS,
            nextDueAt: Date.now() + Math.round(Math.random() * unwatchedInterval(age)),
          });
        }
      }),
    );
    await store.close();
    const setupS = (performance.now() - setupStarted) / 1000;

    group = await startKits(setup, database, instances, {});
    await sleep(warmUpS * 1000);

    const stats = async () => {
      const { rows } = await admin.query(
        `SELECT d.xact_commit, t.seq_scan, t.seq_tup_read, t.idx_scan FROM pg_stat_database d, pg_stat_user_tables t
         WHERE d.datname = current_database() AND t.relname = 'kosmos_idv_sessions'`,
      );
      return Object.fromEntries(Object.entries(rows[0]).map(([key, value]) => [key, Number(value)]));
    };
    const kitPids = group.kits.map((kit) => kit.process.pid!);
    const cpu = () => ({
      kits: kitPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
      postgres: cluster.pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    });
    const calls = () => sim.stats.resultCalls.default ?? 0;
    await admin.query('SELECT pg_stat_clear_snapshot()');
    const statsBefore = await stats();
    const cpuBefore = cpu();
    const callsBefore = calls();
    const from = Date.now();
    const samples: number[] = [];
    const started = performance.now();
    while (performance.now() - started < windowS * 1000) {
      const at = Date.now();
      const { rows } = await admin.query(
        `SELECT $1::bigint - min(next_due_at) AS late FROM kosmos_idv_sessions
         WHERE next_due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)`,
        [at],
      );
      samples.push(Math.max(0, Number(rows[0].late ?? 0)));
      await sleep(Math.max(0, 100 - (Date.now() - at)));
    }
    const to = Date.now();
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpu();
    const asks = (calls() - callsBefore) / seconds;
    // Statistics reach the views within about a second (PostgreSQL 15 flushes them at least that often).
    await sleep(1500);
    await admin.query('SELECT pg_stat_clear_snapshot()');
    const statsAfter = await stats();
    // A claim of a due time already claimed before: the earlier ask's outcome was not recorded (its lease ran out).
    const { rows } = await admin.query(
      `SELECT asked - due AS late, EXISTS (SELECT 1 FROM bench_asks e WHERE e.session_id = a.session_id AND e.due = a.due
         AND e.asked < a.asked) AS again FROM bench_asks a WHERE asked >= $1 AND asked < $2`,
      [from, to],
    );
    const late = rows.map((row) => Math.max(0, Number(row.late)));
    const firstClaims = rows.filter((row) => !row.again).map((row) => Math.max(0, Number(row.late)));
    const again = late.length - firstClaims.length;
    const rate = (key: string) => Math.round((statsAfter[key] - statsBefore[key]) / (seconds + 1.5));
    return [
      {
        name: `kit: collector lateness with ${sessions.toLocaleString('en-US')} open sessions over ${instances} instances, p99`,
        value: Math.round(percentile(late, 99)),
        unit: 'ms',
        target: 1000,
        compare: 'max',
        note:
          `every ask in ${windowS} s after a ${warmUpS} s warm-up: ${late.length} asks (${asks.toFixed(1)} result calls/s at ` +
          `the simulator), lateness p50 ${Math.round(median(late))} ms, p99 ${Math.round(percentile(late, 99))} ms, max ` +
          `${Math.round(Math.max(...late))} ms (claim time minus the due time claimed, logged by a trigger on the bench's ` +
          `database); the most overdue unleased session sampled every 100 ms: p50 ${Math.round(median(samples))} ms, p99 ` +
          `${Math.round(percentile(samples, 99))} ms. ${again} of the asks claimed a due time that had been claimed before (the ` +
          `earlier ask's outcome was not recorded and its lease ran out); without them p50 ${Math.round(median(firstClaims))} ms, ` +
          `p99 ${Math.round(percentile(firstClaims, 99))} ms. Sessions created at the simulator through its API (it answers every ask ` +
          `for real: encrypted, in progress) and recorded with the store's create(), created times spread over the last 7 days, ` +
          `each next ask within its interval from now (set-up ${Math.round(setupS)} s). ${instances} kit processes on one ` +
          `PostgreSQL database used ${Math.round(((cpuAfter.kits - cpuBefore.kits) / seconds) * 100)}% of a core together, ` +
          `PostgreSQL ${Math.round(((cpuAfter.postgres - cpuBefore.postgres) / seconds) * 100)}%; the database committed ` +
          `${rate('xact_commit')} transactions/s and scanned the sessions table sequentially ${rate('seq_scan')} times/s ` +
          `(${rate('seq_tup_read').toLocaleString('en-US')} rows/s), by index ${rate('idx_scan')} times/s.${errorsNote(group.errors)}`,
      },
    ];
  } finally {
    await group?.stop();
    await admin.end().catch(() => undefined);
    await sim.close();
  }
}

export async function benchCollector(options: BenchOptions): Promise<Figure[]> {
  const cluster = await startBenchPostgres();
  const sim = await startSimulator({ port: 0 });
  try {
    const setup = shared(cluster, sim);
    const [watched, unwatched] = await Promise.all([watchedCalls(setup, options), unwatchedDelivery(setup, options)]);
    return [...watched, ...unwatched, ...(await lateness(cluster, options))];
  } finally {
    await sim.close();
    await cluster.stop();
  }
}
