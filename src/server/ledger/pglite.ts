/**
 * The ledger on PGlite (`@electric-sql/pglite`: PostgreSQL compiled to WebAssembly, in-process, on
 * disk), the embedded default for a single instance. The same SQL and migrations as PostgreSQL;
 * `LISTEN/NOTIFY` works inside the one process. PGlite is an optional peer dependency, loaded on
 * first use. One process at a time: a lock file in the data directory refuses a second one (two
 * would corrupt the data), and is taken over from a process that died.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadPeer } from './load.js';
import { createSqlStore, type SqlDriver, type SqlExecutor } from './sql.js';
import type { LedgerStore } from './store.js';

export interface PgliteStoreOptions {
  /** The data directory (created when missing), e.g. `.kosmos-idv`. */
  dataDir: string;
}

type Queryable = Pick<import('@electric-sql/pglite').PGlite, 'query'>;

const executor = (target: Queryable): SqlExecutor => ({
  query: async (text, params) => {
    const result = await target.query<Record<string, unknown>>(text, params);
    return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
  },
});

export function createPgliteStore(options: PgliteStoreOptions): LedgerStore {
  if (typeof options?.dataDir !== 'string' || options.dataDir.trim() === '') {
    throw new TypeError('createPgliteStore: dataDir must be a directory path');
  }
  const dataDir = resolve(options.dataDir);
  return createSqlStore('pglite', dataDir, async (): Promise<SqlDriver> => {
    const { PGlite } = await loadPeer('@electric-sql/pglite', () => import('@electric-sql/pglite'), 'createPgliteStore');
    await mkdir(dataDir, { recursive: true });
    const lock = await takeLock(dataDir);
    const db = await PGlite.create(dataDir).catch(async (error: unknown) => {
      await rm(lock, { force: true });
      throw error;
    });
    return {
      ...executor(db),
      transaction: (work) => db.transaction((tx) => work(executor(tx))),
      async listen(channel, onNotify) {
        await db.listen(channel, onNotify);
      },
      async close() {
        await db.close();
        await rm(lock, { force: true });
      },
    };
  });
}

/** Whether a process with this id runs (a signal 0 probe; `EPERM` means it runs as someone else). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes this process's id into the data directory's lock file, refusing one held by a live process (this one included). */
async function takeLock(dataDir: string): Promise<string> {
  const lock = join(dataDir, 'kosmos-idv.pid');
  try {
    await writeFile(lock, String(process.pid), { flag: 'wx' });
    return lock;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number(await readFile(lock, 'utf8').catch(() => ''));
  if (Number.isInteger(holder) && holder > 0 && running(holder)) {
    throw new Error(`The PGlite ledger in ${dataDir} is in use by process ${holder}: PGlite serves one process (use createPostgresStore for more).`);
  }
  await writeFile(lock, String(process.pid));
  return lock;
}
