/**
 * The ledger on PGlite (`@electric-sql/pglite`: PostgreSQL compiled to WebAssembly, in-process, on
 * disk), the embedded default for a single instance. The same SQL and migrations as PostgreSQL;
 * `LISTEN/NOTIFY` works inside the one process. PGlite is an optional peer dependency, loaded on
 * first use.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
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
    const db = await PGlite.create(dataDir);
    return {
      ...executor(db),
      transaction: (work) => db.transaction((tx) => work(executor(tx))),
      async listen(channel, onNotify) {
        await db.listen(channel, onNotify);
      },
      close: () => db.close(),
    };
  });
}
