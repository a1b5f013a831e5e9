/**
 * What the backend kit's benches share: a PostgreSQL cluster of their own (the tests'
 * `startPostgres`: initdb/pg_ctl on a free port, removed afterwards), its processes pinned to CPUs,
 * the CPU time processes used (from /proc), kit child processes (`kit-child.ts`), and a clean-up
 * that stops clusters and children even when the bench process exits early.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPostgres, type PostgresCluster } from '../test/server/postgres-cluster.js';
import type { KitChildSettings } from './kit-child.js';

export const TASKSET = '/usr/bin/taskset';
const KIT_CHILD = fileURLToPath(new URL('./kit-child.ts', import.meta.url));

/** Synchronous clean-ups still owed (a cluster to stop, a child to kill), run at exit if not done before. */
const owed = new Set<() => void>();
process.once('exit', () => {
  for (const cleanup of owed) {
    try {
      cleanup();
    } catch {
      // Exiting anyway.
    }
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/** Registers a clean-up run at exit unless the returned function runs it first. */
export function owe(cleanup: () => void): () => void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    owed.delete(run);
    cleanup();
  };
  owed.add(run);
  return run;
}

export interface BenchCluster {
  cluster: PostgresCluster;
  /** The postmaster's process id. */
  postmaster: number;
  /** The postmaster and every process it started (backends come and go). */
  pids(): number[];
  /** Pins the server's processes, and every backend started later, to `cpus` (taskset syntax). */
  pin(cpus: string): void;
  /** A fresh database's connection string. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** The parent process id of `pid`, from /proc (the field after the parenthesised name). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Processes whose parent is `parent`. */
export function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => parentOf(pid) === parent);
}

/** CPU seconds (user + system) `pid` has used so far, 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat, 11 and 12 after the name; in clock ticks (100 Hz on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The CPU affinity list of `pid` (`taskset -cp`), e.g. `0,1`. */
export function affinityOf(pid: number): string {
  return execFileSync(TASKSET, ['-cp', String(pid)]).toString().split(':').pop()!.trim();
}

/** Sets the CPU affinity of `pid` and all its threads (`taskset -a -p`). */
export function pinProcess(pid: number, cpus: string): void {
  if (existsSync(TASKSET)) execFileSync(TASKSET, ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
}

/** Starts a cluster of the bench's own; `stop()` (or the process's exit) removes it. */
export async function startBenchPostgres(): Promise<BenchCluster> {
  const cluster = await startPostgres();
  // `stop()` is synchronous inside (pg_ctl and rm), so it also runs to the end in an exit handler.
  const release = owe(() => void cluster.stop().catch(() => undefined));
  try {
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${cluster.port}/postgres` });
    await admin.connect();
    const backend = Number((await admin.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    const postmaster = parentOf(backend);
    await admin.end();
    if (!postmaster) throw new Error('The postmaster of the bench cluster was not found');
    const pids = () => [postmaster, ...childrenOf(postmaster)];
    return {
      cluster,
      postmaster,
      pids,
      pin: (cpus) => {
        for (const pid of pids()) pinProcess(pid, cpus);
      },
      createDatabase: (name) => cluster.createDatabase(name),
      stop: async () => release(),
    };
  } catch (error) {
    release();
    throw error;
  }
}

export interface KitChild {
  process: ChildProcess;
  /** `http://127.0.0.1:{port}` when the child serves HTTP. */
  origin: string;
  stop(): Promise<void>;
}

/**
 * Starts a kit process (`kit-child.ts`) and resolves once it is ready. `stop()` asks it to close
 * (SIGTERM: its collector gives back its leases), and kills it if it has not exited within 10 s.
 */
export function startKitChild(settings: KitChildSettings, onLine?: (line: string) => void): Promise<KitChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', KIT_CHILD, JSON.stringify(settings)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const kill = owe(() => child.kill('SIGKILL'));
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        if (line === 'ready') {
          resolve({
            process: child,
            origin: `http://127.0.0.1:${settings.port ?? 0}`,
            async stop() {
              if (child.exitCode === null && child.signalCode === null) {
                child.kill('SIGTERM');
                const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
                await exited;
                clearTimeout(timer);
              }
              kill();
            },
          });
        } else onLine?.(line);
      }
    });
    child.once('exit', (code, signal) => {
      kill();
      reject(new Error(`kit child exited before it was ready (${code ?? signal}): ${stderr}`));
    });
  });
}
