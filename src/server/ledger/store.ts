/**
 * The session ledger's store: what the kit records of every session it creates, and the results
 * it owes the page owner. Three engines implement it with the same behaviour (the store contract
 * tests run them all): PostgreSQL (`postgres.ts`), PGlite (`pglite.ts`, the same SQL in-process) and
 * a memory store for unit tests (`memory.ts`). Times are epoch milliseconds of the kit's clock.
 *
 * A store holds no decision: the collector decides (cadence, statuses, results) and the store
 * applies each decision atomically, guarded by the lease of the process that made it.
 */
import type { DocumentType, SessionStatus, Verification } from '../../contract/vocabulary.js';

/** A result's status: the contract's, or `unknown` for an answer the kit could not read. */
export type ResultStatus = SessionStatus | 'unknown';

/** What is recorded when a session is created (before the browser gets its `201`). */
export interface NewSession {
  sessionId: string;
  dvcID: string;
  subject: string | null;
  documentType: DocumentType;
  createdAt: number;
  expiresAt: number;
  /** When the collector first asks 1Kosmos. */
  nextDueAt: number;
}

/** What a status read answers: no PII, ever. */
export interface SessionState {
  sessionId: string;
  status: SessionStatus;
  verification: Verification | null;
  /** When `status` or `verification` last changed. */
  updatedAt: number;
}

/** A session claimed by a collector, to ask 1Kosmos about. */
export interface DueSession extends SessionState {
  dvcID: string;
  subject: string | null;
  createdAt: number;
  expiresAt: number;
  /** When a browser last read its status, or `null`. */
  lastReadAt: number | null;
  /** Failed asks in a row. */
  failures: number;
  /** A sealed answer with PII that came before the final status, kept for the final result. */
  piiStash: string | null;
}

/** A result to hand over, recorded in the same transaction as the status it comes with. */
export interface NewResult {
  /** Stable for this result: the page owner's idempotency key. */
  resultId: string;
  kind: 'final' | 'unknown';
  status: ResultStatus;
  verification: Verification | null;
  reasonCode: string | null;
  /** Whether `payload` carries PII. */
  pii: boolean;
  /** A final result whose PII the kit never captured. */
  piiMissing: boolean;
  /** The sealed 1Kosmos plaintext. */
  payload: string;
}

/** The collector's decision after one ask, applied atomically if it still holds the lease. */
export interface AskOutcome {
  status: SessionStatus;
  verification: Verification | null;
  /** When to ask next; `null`: never (a final status). */
  nextDueAt: number | null;
  failures: number;
  lastError: string | null;
  /** A new stash, `null` to clear it, `undefined` to leave it. */
  piiStash?: string | null;
  results: NewResult[];
}

/** A result claimed for delivery. */
export interface PendingDelivery {
  resultId: string;
  sessionId: string;
  dvcID: string;
  subject: string | null;
  kind: 'final' | 'unknown';
  status: ResultStatus;
  verification: Verification | null;
  reasonCode: string | null;
  pii: boolean;
  piiMissing: boolean;
  payload: string;
  createdAt: number;
  /** Failed attempts so far. */
  attempts: number;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** How a delivery attempt ended. */
export type DeliveryOutcome =
  | { delivered: true; at: number }
  | { delivered: false; attempts: number; nextAttemptAt: number | null; error: string };

/** One line of `kosmos-idv ledger`: a session and its results' delivery states, never PII. */
export interface LedgerEntry extends SessionState {
  dvcID: string;
  subject: string | null;
  createdAt: number;
  expiresAt: number;
  lastAskedAt: number | null;
  nextDueAt: number | null;
  lastError: string | null;
  results: {
    resultId: string;
    status: ResultStatus;
    state: DeliveryState;
    attempts: number;
    nextAttemptAt: number | null;
    lastError: string | null;
    /** Whether PII is still at rest for it. */
    holdsPii: boolean;
  }[];
}

/** Told of every change a status read may answer differently: a session id, or `null` for "anything". */
export type ChangeListener = (sessionId: string | null) => void;

export interface LedgerStore {
  readonly engine: 'postgres' | 'pglite' | 'memory';
  /** Where the data lives, for logs (never a password). */
  readonly location: string;
  /** Connects and applies the migrations (once; later calls share the first). */
  open(): Promise<void>;
  create(session: NewSession): Promise<void>;
  read(sessionId: string): Promise<SessionState | undefined>;
  /**
   * A browser read the status at `now`: records it and brings the next ask forward to a second
   * after the last one (the watched cadence), unless the session is done or its last ask failed
   * (its backoff, or 1Kosmos's `Retry-After`, stands).
   */
  watched(sessionId: string, now: number): Promise<void>;
  /** Leases up to `limit` sessions due at `now` to `owner` until `now + leaseMs`. */
  claimAsks(owner: string, now: number, leaseMs: number, limit: number): Promise<DueSession[]>;
  /**
   * Applies an ask's outcome; `false` when `owner` no longer holds the lease (nothing is written).
   * A browser read that came while the ask was under way makes the next ask a second after this
   * one (the watched cadence), whatever the outcome planned without knowing of it.
   */
  recordAsk(owner: string, sessionId: string, now: number, outcome: AskOutcome): Promise<boolean>;
  /** Leases up to `limit` results whose next attempt is due at `now`. */
  claimDeliveries(owner: string, now: number, leaseMs: number, limit: number): Promise<PendingDelivery[]>;
  /** Records an attempt; a delivery erases the payload. A delivered result stays delivered. */
  settleDelivery(resultId: string, outcome: DeliveryOutcome): Promise<void>;
  /** The earliest time an ask (or, with `deliveries`, a delivery) is due and unleased, or `null`. */
  nextWake(now: number, deliveries: boolean): Promise<number | null>;
  /** Gives back every lease `owner` holds (at shutdown). */
  release(owner: string): Promise<void>;
  /** Puts a session's failed results back to pending; resolves to how many. */
  redeliver(sessionId: string, now: number): Promise<number>;
  /** Sessions, newest first; `pending`: only those with work left (asks or deliveries). */
  list(options: { pending?: boolean; limit?: number }): Promise<LedgerEntry[]>;
  /** Subscribes to changes (from any instance, for a shared engine); returns the unsubscribe. */
  subscribe(listener: ChangeListener): () => void;
  close(): Promise<void>;
}

/** The store could not be reached or written: the kit answers `503` and retries later. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
