/**
 * The backend kit's status reads on a PostgreSQL ledger, through `createIdvHandler`'s fetch-API
 * handler called directly.
 *
 * The bench starts a PostgreSQL cluster of its own and the simulator, and pins both (the server's
 * processes, and this process, which serves the simulator) to CPU 1; the kit runs in a child process
 * pinned to CPU 0 with `taskset` (so that libuv's thread pool cannot use the other core either). The
 * child creates sessions through the handler, has the simulator start them, waits until the ledger
 * says `in_progress`, and then each client re-reads its own session as soon as it has its answer:
 * every read checks its token (verified once, then remembered, as a browser sends its session's
 * token with every read) and is answered from the ledger through the kit's 250 ms per-instance
 * cache, exactly as in a deployment; the kit's collector runs meanwhile, asking 1Kosmos about each
 * watched session every second. Each read starts on a fresh turn of the event loop
 * (`setImmediate`), as a request arriving on a socket would, so the collector's timers and the
 * ledger's answers are not starved by reads that never leave the microtask queue. The ledger's
 * queries are counted with a wrapped `pg` Pool passed as `createPostgresStore({ pool })`.
 *
 * The child prints its figures as JSON.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { createIdvHandler, createPostgresStore, generateKeyPair, type KosmosKeyPair } from '../src/server/index.js';
import { startSimulator } from '../src/simulator/index.js';
import type { BenchOptions, Figure } from './figures.js';
import { affinityOf, pinProcess, startBenchPostgres, TASKSET } from './postgres.js';

/** Clients reading at the same time, each its own session. */
const CLIENTS = 32;

interface ChildSettings {
  smoke: boolean;
  pinned: boolean;
  database: string;
  simulator: string;
  tenantDNS: string;
  communityName: string;
  licenseKey: string;
  keyPair: KosmosKeyPair;
}

interface Held {
  sessionId: string;
  token: string;
}

/** What the ledger was asked, counted on the pool the store is given. */
interface Counts {
  /** Status reads (`SELECT … WHERE session_id = $1`). */
  reads: number;
  /** "A browser watches this session" writes. */
  watched: number;
  /** The collector's other single statements (claims, next wake, deliveries). */
  other: number;
  /** Transactions (the collector recording an ask). */
  transactions: number;
}

/** A `pg` Pool whose statements are counted by kind. */
function countingPool(connectionString: string): { pool: pg.Pool; counts: Counts } {
  const pool = new pg.Pool({ connectionString, max: 10 });
  const counts: Counts = { reads: 0, watched: 0, other: 0, transactions: 0 };
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = ((...args: unknown[]) => {
    const text = String(args[0]);
    if (/^SELECT session_id, status, verification, updated_at FROM kosmos_idv_sessions WHERE session_id/.test(text)) counts.reads += 1;
    else if (/^UPDATE kosmos_idv_sessions SET last_read_at/.test(text)) counts.watched += 1;
    else counts.other += 1;
    return query(...args);
  }) as typeof pool.query;
  // `pool.query` takes a client with `connect(callback)`; the store's transactions call `connect()`.
  const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
  pool.connect = ((...args: unknown[]) => {
    if (args.length === 0) counts.transactions += 1;
    return connect(...args);
  }) as typeof pool.connect;
  return { pool, counts };
}

const total = (counts: Counts) => counts.reads + counts.watched + counts.other + counts.transactions;

async function measure(settings: ChildSettings): Promise<Figure[]> {
  const { smoke } = settings;
  const { pool, counts } = countingPool(settings.database);
  let problems = 0;
  const handler = createIdvHandler({
    tenantDNS: settings.tenantDNS,
    communityName: settings.communityName,
    dvcID: 'default',
    licenseKey: settings.licenseKey,
    keyPair: settings.keyPair,
    tokenSecret: randomBytes(32).toString('base64url'),
    storeKey: randomBytes(32).toString('base64url'),
    store: createPostgresStore({ pool }),
    onError: () => {
      problems += 1;
    },
  });
  const base = 'http://kit.bench/api/idv';
  const resultCalls = async () => {
    const response = await fetch(`${settings.simulator}/_simulator/stats`);
    const stats = (await response.json()) as { resultCalls: Record<string, number> };
    return stats.resultCalls.default ?? 0;
  };

  const read = async ({ sessionId, token }: Held): Promise<string> => {
    const response = await handler(new Request(`${base}/${sessionId}`, { headers: { Authorization: `Bearer ${token}` } }));
    const body = (await response.json()) as { status?: string };
    if (response.status !== 200) throw new Error(`A status read answered ${response.status} ${JSON.stringify(body)}`);
    return String(body.status);
  };

  const held: Held[] = [];
  try {
    await handler.ready();
    for (let i = 0; i < CLIENTS; i++) {
      const response = await handler(
        new Request(base, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"documentType":"passport"}' }),
      );
      const session = (await response.json()) as Held;
      if (response.status !== 201) throw new Error(`Create answered ${response.status} ${JSON.stringify(session)}`);
      const started = await fetch(`${settings.simulator}/_simulator/sessions/${session.sessionId}/step`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"action":"start"}',
      });
      if (!started.ok) throw new Error(`The simulator did not start the session: ${started.status}`);
      held.push(session);
    }
    // The first read marks each session watched; the collector then learns within a second that it is in progress.
    const deadline = Date.now() + 15_000;
    for (const session of held) {
      while ((await read(session)) !== 'in_progress') {
        if (Date.now() > deadline) throw new Error('The ledger did not say in_progress within 15 s');
        await sleep(100);
      }
    }

    /** Each client re-reading its own session for `seconds`, each read on a fresh turn of the event loop. */
    const run = async (seconds: number, clients: number) => {
      let reads = 0;
      const before = { ...counts };
      const callsBefore = await resultCalls();
      const started = performance.now();
      const client = async (session: Held) => {
        while (performance.now() - started < seconds * 1000) {
          await new Promise(setImmediate);
          const status = await read(session);
          if (status !== 'in_progress') throw new Error(`A status read answered ${status}`);
          reads += 1;
        }
      };
      await Promise.all(held.slice(0, clients).map(client));
      const elapsed = (performance.now() - started) / 1000;
      const asks = (await resultCalls()) - callsBefore;
      const delta = (key: keyof Counts) => (counts[key] - before[key]) / elapsed;
      return {
        perSecond: reads / elapsed,
        queries: (total(counts) - total(before)) / elapsed,
        reads: delta('reads'),
        watched: delta('watched'),
        collector: delta('other') + delta('transactions'),
        asks: asks / elapsed,
      };
    };
    const seconds = smoke ? 0.5 : 5;
    await run(smoke ? 0.2 : 1, CLIENTS);
    const many = await run(seconds, CLIENTS);
    const one = await run(seconds, 1);
    const ledger = (figures: typeof many) =>
      `${Math.round(figures.queries)} ledger queries/s (${Math.round(figures.reads)} status reads, ` +
      `${Math.round(figures.watched)} watch writes, ${Math.round(figures.collector)} by the collector, which asked 1Kosmos ` +
      `${figures.asks.toFixed(1)} times/s)`;
    const where = settings.pinned
      ? 'Kit process pinned to CPU 0 with taskset; the PostgreSQL server and the simulator pinned to CPU 1.'
      : 'Not pinned (no taskset or one CPU): the kit, PostgreSQL and the simulator share the cores.';
    return [
      {
        name: 'kit: status reads per second, one core, PostgreSQL ledger',
        value: Math.round(many.perSecond),
        unit: '/s',
        target: 10_000,
        compare: 'min',
        note:
          `${CLIENTS} clients each re-reading its own in-progress session for ${seconds} s after a warm-up, through ` +
          `the fetch-API handler (token checked, answered from the ledger via the 250 ms per-instance cache; each read ` +
          `on a fresh event-loop turn); ${ledger(many)}. One client: ${Math.round(one.perSecond).toLocaleString('en-US')}/s, ${ledger(one)}. ` +
          `${where}${problems ? ` onError was called ${problems} times.` : ''}`,
      },
    ];
  } finally {
    await handler.close();
    await pool.end();
  }
}

/** Runs the measurement in a child process pinned to CPU 0, PostgreSQL and the simulator on CPU 1. */
export async function benchKit(options: BenchOptions): Promise<Figure[]> {
  const pinned = existsSync(TASKSET) && cpus().length >= 2;
  const affinity = pinned ? affinityOf(process.pid) : '';
  const cluster = await startBenchPostgres();
  const sim = await startSimulator({ port: 0 });
  try {
    const database = await cluster.createDatabase('reads');
    if (pinned) {
      cluster.pin('1');
      pinProcess(process.pid, '1');
    }
    const settings: ChildSettings = {
      smoke: options.smoke,
      pinned,
      database,
      simulator: sim.origin,
      tenantDNS: sim.tenantDNS,
      communityName: sim.communityName,
      licenseKey: sim.licenseKey,
      keyPair: generateKeyPair(),
    };
    const node = [process.execPath, '--import', 'tsx', new URL(import.meta.url).pathname, JSON.stringify(settings)];
    const [command, ...args] = pinned ? [TASKSET, '-c', '0', ...node] : node;
    const { stdout } = await promisify(execFile)(command, args, { cwd: new URL('..', import.meta.url).pathname, maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as Figure[];
  } finally {
    if (pinned) pinProcess(process.pid, affinity);
    await sim.close();
    await cluster.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[2]) {
  const figures = await measure(JSON.parse(process.argv[2]) as ChildSettings);
  process.stdout.write(JSON.stringify(figures));
}
