/**
 * The ledger's schema, as versioned migrations that PostgreSQL and PGlite both run. A migration is
 * never edited once released: a change is a new one. Tables are prefixed `kosmos_idv_` so the
 * ledger can live in an application's own database.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE kosmos_idv_sessions (
    session_id text PRIMARY KEY,
    dvc_id text NOT NULL,
    subject text,
    document_type text NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    status text NOT NULL,
    verification text,
    updated_at bigint NOT NULL,
    last_read_at bigint,
    last_asked_at bigint,
    next_due_at bigint,
    failures integer NOT NULL DEFAULT 0,
    last_error text,
    lease_owner text,
    lease_until bigint,
    pii_stash text
  );
  CREATE INDEX kosmos_idv_sessions_due ON kosmos_idv_sessions (next_due_at) WHERE next_due_at IS NOT NULL;
  CREATE INDEX kosmos_idv_sessions_created ON kosmos_idv_sessions (created_at);
  CREATE TABLE kosmos_idv_results (
    result_id text PRIMARY KEY,
    session_id text NOT NULL REFERENCES kosmos_idv_sessions (session_id) ON DELETE CASCADE,
    kind text NOT NULL,
    status text NOT NULL,
    verification text,
    reason_code text,
    pii boolean NOT NULL,
    pii_missing boolean NOT NULL,
    payload text,
    created_at bigint NOT NULL,
    state text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at bigint,
    last_error text,
    delivered_at bigint,
    lease_owner text,
    lease_until bigint
  );
  CREATE INDEX kosmos_idv_results_due ON kosmos_idv_results (next_attempt_at) WHERE state = 'pending';
  CREATE INDEX kosmos_idv_results_session ON kosmos_idv_results (session_id);`,
  // The collectors' wake-up query finds leases by their end without reading every session.
  `CREATE INDEX kosmos_idv_sessions_leased ON kosmos_idv_sessions (lease_until) WHERE lease_until IS NOT NULL;
  CREATE INDEX kosmos_idv_results_leased ON kosmos_idv_results (lease_until) WHERE lease_until IS NOT NULL AND state = 'pending';`,
];
