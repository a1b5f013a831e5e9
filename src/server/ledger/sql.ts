/**
 * The ledger on SQL, shared by PostgreSQL and PGlite: the same statements, the same migrations.
 * Each engine supplies a {@link SqlDriver}. Changes are announced with `pg_notify` inside the
 * transaction that makes them, so a listener hears of them once they are committed, on any instance.
 */
import { MIGRATIONS } from './migrations.js';
import {
  StoreUnavailableError,
  type AskOutcome,
  type ChangeListener,
  type DeliveryOutcome,
  type DueSession,
  type LedgerEntry,
  type LedgerStore,
  type PendingDelivery,
  type SessionState,
} from './store.js';

export interface SqlResult {
  rows: Record<string, unknown>[];
  affectedRows: number;
}

export interface SqlExecutor {
  query(text: string, params?: unknown[]): Promise<SqlResult>;
}

/** What an engine provides: queries, transactions, notifications. */
export interface SqlDriver extends SqlExecutor {
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Listens on `channel`: `onNotify` gets each payload; `onReset` is called when notifications may
   * have been missed (the listening connection was lost and is being re-established).
   */
  listen(channel: string, onNotify: (payload: string) => void, onReset: () => void): Promise<void>;
  close(): Promise<void>;
}

const CHANNEL = 'kosmos_idv_changes';
/** Serialises migrations between instances starting at once (any constant unique to the kit). */
const MIGRATION_LOCK = 7_146_329_551;

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const str = (value: unknown) => (value === null || value === undefined ? null : String(value));

const SESSION_STATE = 'session_id, status, verification, updated_at';

function stateOf(row: Record<string, unknown>): SessionState {
  return {
    sessionId: String(row.session_id),
    status: row.status as SessionState['status'],
    verification: str(row.verification) as SessionState['verification'],
    updatedAt: Number(row.updated_at),
  };
}

export function createSqlStore(
  engine: 'postgres' | 'pglite',
  location: string,
  connect: () => Promise<SqlDriver>,
): LedgerStore {
  let driver: Promise<SqlDriver> | undefined;
  let closed = false;
  const listeners = new Set<ChangeListener>();
  const tell = (sessionId: string | null) => {
    for (const listener of listeners) listener(sessionId);
  };

  async function start(): Promise<SqlDriver> {
    const db = await connect();
    try {
      await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        await tx.query('CREATE TABLE IF NOT EXISTS kosmos_idv_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
        const { rows } = await tx.query('SELECT coalesce(max(version), 0) AS version FROM kosmos_idv_migrations');
        for (let version = Number(rows[0].version) + 1; version <= MIGRATIONS.length; version++) {
          for (const statement of MIGRATIONS[version - 1].split(/;\s*\n/)) await tx.query(statement);
          await tx.query('INSERT INTO kosmos_idv_migrations (version) VALUES ($1)', [version]);
        }
      });
      await db.listen(CHANNEL, (payload) => tell(payload), () => tell(null));
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
    return db;
  }

  /** The driver, connected and migrated; a failed start is tried again on the next call. */
  function db(): Promise<SqlDriver> {
    if (closed) return Promise.reject(new StoreUnavailableError('The ledger store is closed.'));
    if (!driver) {
      const started = start();
      driver = started;
      started.catch(() => {
        if (driver === started) driver = undefined;
      });
    }
    return driver;
  }

  /** Runs a query, turning a connection failure into {@link StoreUnavailableError}. */
  async function run<T>(work: (db: SqlDriver) => Promise<T>): Promise<T> {
    const connected = await db().catch((error: unknown) => {
      throw unavailable(error);
    });
    return work(connected);
  }

  const notify = (tx: SqlExecutor, sessionId: string) => tx.query('SELECT pg_notify($1, $2)', [CHANNEL, sessionId]);

  return {
    engine,
    location,
    open: () => run(async () => undefined),

    create: (session) =>
      run(async (sql) => {
        await sql.query(
          `INSERT INTO kosmos_idv_sessions (session_id, dvc_id, subject, document_type, created_at, expires_at, status, updated_at, next_due_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'pending', $5, $7)`,
          [session.sessionId, session.dvcID, session.subject, session.documentType, session.createdAt, session.expiresAt, session.nextDueAt],
        );
      }),

    read: (sessionId) =>
      run(async (sql) => {
        const { rows } = await sql.query(`SELECT ${SESSION_STATE} FROM kosmos_idv_sessions WHERE session_id = $1`, [sessionId]);
        return rows[0] ? stateOf(rows[0]) : undefined;
      }),

    watched: (sessionId, now) =>
      run(async (sql) => {
        await sql.query(
          `UPDATE kosmos_idv_sessions SET last_read_at = $2,
             next_due_at = CASE WHEN failures = 0 THEN least(next_due_at, greatest(coalesce(last_asked_at, 0) + 1000, $2)) ELSE next_due_at END
           WHERE session_id = $1 AND next_due_at IS NOT NULL`,
          [sessionId, now],
        );
      }),

    claimAsks: (owner, now, leaseMs, limit) =>
      run(async (sql) => {
        const { rows } = await sql.query(
          `UPDATE kosmos_idv_sessions SET lease_owner = $1, lease_until = $2::bigint + $3::bigint, last_asked_at = $2
           WHERE session_id IN (
             SELECT session_id FROM kosmos_idv_sessions
             WHERE next_due_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
             ORDER BY next_due_at LIMIT $4 FOR UPDATE SKIP LOCKED)
           RETURNING ${SESSION_STATE}, dvc_id, subject, created_at, expires_at, last_read_at, failures, pii_stash`,
          [owner, now, leaseMs, limit],
        );
        return rows.map(
          (row): DueSession => ({
            ...stateOf(row),
            dvcID: String(row.dvc_id),
            subject: str(row.subject),
            createdAt: Number(row.created_at),
            expiresAt: Number(row.expires_at),
            lastReadAt: num(row.last_read_at),
            failures: Number(row.failures),
            piiStash: str(row.pii_stash),
          }),
        );
      }),

    recordAsk: (owner, sessionId, now, outcome: AskOutcome) =>
      run((sql) =>
        sql.transaction(async (tx) => {
          const { rows } = await tx.query(
            `UPDATE kosmos_idv_sessions AS s SET status = $3, verification = $4,
               updated_at = CASE WHEN s.status = $3 AND s.verification IS NOT DISTINCT FROM $4 THEN s.updated_at ELSE $5 END,
               next_due_at = CASE WHEN $6::bigint IS NOT NULL AND $7::integer = 0 AND s.last_read_at >= s.last_asked_at
                 THEN least($6::bigint, s.last_asked_at + 1000) ELSE $6::bigint END,
               failures = $7, last_error = $8,
               pii_stash = CASE WHEN $9 THEN $10 ELSE s.pii_stash END,
               lease_owner = NULL, lease_until = NULL
             FROM kosmos_idv_sessions AS before
             WHERE s.session_id = $1 AND s.lease_owner = $2 AND before.session_id = s.session_id
             RETURNING before.status AS was_status, before.verification AS was_verification`,
            [
              sessionId,
              owner,
              outcome.status,
              outcome.verification,
              now,
              outcome.nextDueAt,
              outcome.failures,
              outcome.lastError,
              outcome.piiStash !== undefined,
              outcome.piiStash ?? null,
            ],
          );
          if (!rows[0]) return false;
          for (const result of outcome.results) {
            await tx.query(
              `INSERT INTO kosmos_idv_results (result_id, session_id, kind, status, verification, reason_code, pii, pii_missing, payload, created_at, state, next_attempt_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $10) ON CONFLICT (result_id) DO NOTHING`,
              [result.resultId, sessionId, result.kind, result.status, result.verification, result.reasonCode, result.pii, result.piiMissing, result.payload, now],
            );
          }
          if (rows[0].was_status !== outcome.status || str(rows[0].was_verification) !== outcome.verification) {
            await notify(tx, sessionId);
          }
          return true;
        }),
      ),

    claimDeliveries: (owner, now, leaseMs, limit) =>
      run(async (sql) => {
        const { rows } = await sql.query(
          `UPDATE kosmos_idv_results AS r SET lease_owner = $1, lease_until = $2::bigint + $3::bigint
           FROM kosmos_idv_sessions AS s
           WHERE s.session_id = r.session_id AND r.result_id IN (
             SELECT result_id FROM kosmos_idv_results
             WHERE state = 'pending' AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
             ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED)
           RETURNING r.result_id, r.session_id, s.dvc_id, s.subject, r.kind, r.status, r.verification, r.reason_code,
             r.pii, r.pii_missing, r.payload, r.created_at, r.attempts`,
          [owner, now, leaseMs, limit],
        );
        return rows.map(
          (row): PendingDelivery => ({
            resultId: String(row.result_id),
            sessionId: String(row.session_id),
            dvcID: String(row.dvc_id),
            subject: str(row.subject),
            kind: row.kind as PendingDelivery['kind'],
            status: row.status as PendingDelivery['status'],
            verification: str(row.verification) as PendingDelivery['verification'],
            reasonCode: str(row.reason_code),
            pii: Boolean(row.pii),
            piiMissing: Boolean(row.pii_missing),
            payload: String(row.payload),
            createdAt: Number(row.created_at),
            attempts: Number(row.attempts),
          }),
        );
      }),

    settleDelivery: (resultId, outcome: DeliveryOutcome) =>
      run(async (sql) => {
        if (outcome.delivered) {
          await sql.query(
            `UPDATE kosmos_idv_results SET state = 'delivered', delivered_at = $2, payload = NULL, next_attempt_at = NULL,
               lease_owner = NULL, lease_until = NULL WHERE result_id = $1 AND state <> 'delivered'`,
            [resultId, outcome.at],
          );
          return;
        }
        await sql.query(
          `UPDATE kosmos_idv_results SET attempts = greatest(attempts, $2), next_attempt_at = $3, last_error = $4,
             state = CASE WHEN $3::bigint IS NULL THEN 'failed' ELSE 'pending' END, lease_owner = NULL, lease_until = NULL
           WHERE result_id = $1 AND state = 'pending'`,
          [resultId, outcome.attempts, outcome.nextAttemptAt, outcome.error],
        );
      }),

    nextWake: (now, deliveries) =>
      run(async (sql) => {
        const { rows } = await sql.query(
          // Each part is one index lookup: the first unleased due row, and the first lease to end.
          `SELECT least(
             (SELECT next_due_at FROM kosmos_idv_sessions WHERE next_due_at IS NOT NULL AND (lease_until IS NULL OR lease_until <= $2)
               ORDER BY next_due_at LIMIT 1),
             (SELECT min(lease_until) FROM kosmos_idv_sessions WHERE lease_until > $2 AND next_due_at IS NOT NULL),
             (SELECT next_attempt_at FROM kosmos_idv_results WHERE $1 AND state = 'pending' AND (lease_until IS NULL OR lease_until <= $2)
               ORDER BY next_attempt_at LIMIT 1),
             (SELECT min(lease_until) FROM kosmos_idv_results WHERE $1 AND state = 'pending' AND lease_until > $2)
           ) AS wake`,
          [deliveries, now],
        );
        const wake = num(rows[0]?.wake);
        return wake === null ? null : Math.max(wake, now);
      }),

    release: (owner) =>
      run(async (sql) => {
        await sql.query('UPDATE kosmos_idv_sessions SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1', [owner]);
        await sql.query('UPDATE kosmos_idv_results SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1', [owner]);
      }),

    redeliver: (sessionId, now) =>
      run(async (sql) => {
        const { affectedRows } = await sql.query(
          `UPDATE kosmos_idv_results SET state = 'pending', next_attempt_at = $2, attempts = 0 WHERE session_id = $1 AND state = 'failed'`,
          [sessionId, now],
        );
        return affectedRows;
      }),

    list: ({ pending = false, limit = 100 }) =>
      run(async (sql) => {
        const { rows } = await sql.query(
          `SELECT s.*, coalesce(json_agg(json_build_object(
               'resultId', r.result_id, 'status', r.status, 'state', r.state, 'attempts', r.attempts,
               'nextAttemptAt', r.next_attempt_at, 'lastError', r.last_error, 'holdsPii', r.payload IS NOT NULL AND r.pii)
               ORDER BY r.created_at) FILTER (WHERE r.result_id IS NOT NULL), '[]') AS results
           FROM kosmos_idv_sessions s LEFT JOIN kosmos_idv_results r ON r.session_id = s.session_id
           WHERE NOT $1 OR s.next_due_at IS NOT NULL
             OR EXISTS (SELECT 1 FROM kosmos_idv_results p WHERE p.session_id = s.session_id AND p.state <> 'delivered')
           GROUP BY s.session_id ORDER BY s.created_at DESC, s.session_id LIMIT $2`,
          [pending, limit],
        );
        return rows.map(
          (row): LedgerEntry => ({
            ...stateOf(row),
            dvcID: String(row.dvc_id),
            subject: str(row.subject),
            createdAt: Number(row.created_at),
            expiresAt: Number(row.expires_at),
            lastAskedAt: num(row.last_asked_at),
            nextDueAt: num(row.next_due_at),
            lastError: str(row.last_error),
            results: (typeof row.results === 'string' ? JSON.parse(row.results) : row.results) as LedgerEntry['results'],
          }),
        );
      }),

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async close() {
      closed = true;
      const current = driver;
      driver = undefined;
      listeners.clear();
      if (current) await (await current.catch(() => undefined))?.close();
    },
  };
}

/** A connection failure in the store's words; anything else (a bug) passes as it is. */
function unavailable(error: unknown): Error {
  if (error instanceof StoreUnavailableError || (error as { name?: string }).name === 'IdvConfigError') return error as Error;
  return new StoreUnavailableError(`The ledger store cannot be reached: ${(error as Error).message}`, { cause: error });
}
