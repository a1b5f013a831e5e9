/**
 * The ledger on PostgreSQL through `pg`, for one or many kit instances: sessions are leased with
 * `FOR UPDATE SKIP LOCKED`, and held status reads wake on `LISTEN/NOTIFY` on whichever instance
 * they wait. `pg` is an optional peer dependency, loaded on first use.
 */
import type { Pool, PoolClient } from 'pg';
import { loadPeer } from './load.js';
import { createSqlStore, type SqlDriver, type SqlExecutor } from './sql.js';
import type { LedgerStore } from './store.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database`; or pass your own `pool`. */
  connectionString?: string;
  /** A `pg` Pool of your own (closed by you, not by the store). */
  pool?: Pool;
  /** Connections of the store's own pool (default 10), besides the one that listens. */
  max?: number;
}

/** How long the listening connection waits before connecting again after losing the server. */
const RELISTEN_MS = 1000;

const executor = (target: Pool | PoolClient): SqlExecutor => ({
  query: async (text, params) => {
    const result = await target.query(text, params as unknown[]);
    return { rows: result.rows as Record<string, unknown>[], affectedRows: result.rowCount ?? 0 };
  },
});

/** Where a connection string points, without its password. */
function describe(connectionString: string | undefined): string {
  if (!connectionString) return 'postgres (your pool)';
  try {
    const url = new URL(connectionString);
    url.password = '';
    return url.href;
  } catch {
    return 'postgres';
  }
}

export function createPostgresStore(options: PostgresStoreOptions): LedgerStore {
  const { connectionString, pool: ownPool, max = 10 } = options;
  if (!connectionString === !ownPool) {
    throw new TypeError('createPostgresStore: pass either connectionString or pool');
  }
  return createSqlStore('postgres', describe(connectionString), async (): Promise<SqlDriver> => {
    const pg = await loadPeer('pg', () => import('pg'), 'createPostgresStore');
    const { Pool, Client } = (pg as unknown as { default?: typeof pg }).default ?? pg;
    const pool = ownPool ?? new Pool({ connectionString, max });
    // A connection that dies while idle must not crash the process: the pool replaces it.
    const ignore = () => undefined;
    if (!ownPool) pool.on('error', ignore);
    let listener: InstanceType<typeof Client> | undefined;
    let relisten: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    const base = executor(pool);

    /** Connects a client that listens on `channel`; when it is lost, another is connected until the store closes. */
    async function listen(channel: string, onNotify: (payload: string) => void, onReset: () => void): Promise<void> {
      const client = ownPool ? new Client(ownPool.options) : new Client({ connectionString });
      client.on('notification', (message) => onNotify(message.payload ?? ''));
      client.on('error', ignore);
      try {
        await client.connect();
        await client.query(`LISTEN ${channel}`);
      } catch (error) {
        await client.end().catch(ignore);
        throw error;
      }
      listener = client;
      client.once('end', () => {
        if (listener !== client) return;
        listener = undefined;
        // Anything committed while no connection listens is unknown: readers must not trust what they kept.
        onReset();
        const again = () => {
          if (closed) return;
          relisten = setTimeout(() => listen(channel, onNotify, onReset).then(onReset, again), RELISTEN_MS);
        };
        again();
      });
    }

    return {
      query: base.query,
      async transaction(work) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await work(executor(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(ignore);
          throw error;
        } finally {
          client.release();
        }
      },
      listen,
      async close() {
        closed = true;
        clearTimeout(relisten);
        const client = listener;
        listener = undefined;
        await client?.end().catch(ignore);
        if (!ownPool) await pool.end();
      },
    };
  });
}
