/**
 * `createMemoryStore()`: the ledger in this process's memory, **for unit tests only**. It behaves as
 * the SQL stores do (the store contract tests run all three), but a restart loses everything and
 * other instances cannot see it: never use it where results matter.
 */
import {
  StoreUnavailableError,
  type ChangeListener,
  type DueSession,
  type LedgerEntry,
  type LedgerStore,
  type NewResult,
  type PendingDelivery,
  type SessionState,
} from './store.js';

interface SessionRow extends Omit<DueSession, 'lastReadAt'> {
  documentType: string;
  lastReadAt: number | null;
  lastAskedAt: number | null;
  nextDueAt: number | null;
  lastError: string | null;
  leaseOwner: string | null;
  leaseUntil: number | null;
}

interface ResultRow extends NewResult {
  sessionId: string;
  createdAt: number;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  deliveredAt: number | null;
  payload: string;
  erased: boolean;
  leaseOwner: string | null;
  leaseUntil: number | null;
}

const free = (row: { leaseUntil: number | null }, now: number) => row.leaseUntil === null || row.leaseUntil <= now;

const stateOf = (row: SessionRow): SessionState => ({
  sessionId: row.sessionId,
  status: row.status,
  verification: row.verification,
  updatedAt: row.updatedAt,
});

export function createMemoryStore(): LedgerStore {
  const sessions = new Map<string, SessionRow>();
  const results = new Map<string, ResultRow>();
  const listeners = new Set<ChangeListener>();
  let closed = false;
  const live = () => {
    if (closed) throw new StoreUnavailableError('The ledger store is closed.');
  };
  const by = <T>(items: Iterable<T>, key: (item: T) => number) => [...items].sort((a, b) => key(a) - key(b));

  return {
    engine: 'memory',
    location: 'memory (unit tests only)',
    open: async () => live(),

    async create(session) {
      live();
      if (sessions.has(session.sessionId)) throw new Error(`session ${session.sessionId} is already recorded`);
      sessions.set(session.sessionId, {
        ...session,
        status: 'pending',
        verification: null,
        updatedAt: session.createdAt,
        lastReadAt: null,
        lastAskedAt: null,
        failures: 0,
        lastError: null,
        leaseOwner: null,
        leaseUntil: null,
        piiStash: null,
      });
    },

    async read(sessionId) {
      live();
      const row = sessions.get(sessionId);
      return row && stateOf(row);
    },

    async watched(sessionId, now) {
      live();
      const row = sessions.get(sessionId);
      if (!row || row.nextDueAt === null) return;
      row.lastReadAt = now;
      if (row.failures === 0) row.nextDueAt = Math.min(row.nextDueAt, Math.max((row.lastAskedAt ?? 0) + 1000, now));
    },

    async claimAsks(owner, now, leaseMs, limit) {
      live();
      const due = by(
        [...sessions.values()].filter((row) => row.nextDueAt !== null && row.nextDueAt <= now && free(row, now)),
        (row) => row.nextDueAt!,
      ).slice(0, limit);
      return due.map((row): DueSession => {
        Object.assign(row, { leaseOwner: owner, leaseUntil: now + leaseMs, lastAskedAt: now });
        const { sessionId, dvcID, subject, createdAt, expiresAt, status, verification, updatedAt, lastReadAt, failures, piiStash } = row;
        return { sessionId, dvcID, subject, createdAt, expiresAt, status, verification, updatedAt, lastReadAt, failures, piiStash };
      });
    },

    async recordAsk(owner, sessionId, now, outcome) {
      live();
      const row = sessions.get(sessionId);
      if (!row || row.leaseOwner !== owner) return false;
      const changed = row.status !== outcome.status || row.verification !== outcome.verification;
      Object.assign(row, {
        status: outcome.status,
        verification: outcome.verification,
        updatedAt: changed ? now : row.updatedAt,
        nextDueAt:
          outcome.nextDueAt !== null && outcome.failures === 0 && row.lastReadAt !== null && row.lastReadAt >= row.lastAskedAt!
            ? Math.min(outcome.nextDueAt, row.lastAskedAt! + 1000)
            : outcome.nextDueAt,
        failures: outcome.failures,
        lastError: outcome.lastError,
        piiStash: outcome.piiStash === undefined ? row.piiStash : outcome.piiStash,
        leaseOwner: null,
        leaseUntil: null,
      });
      for (const result of outcome.results) {
        if (results.has(result.resultId)) continue;
        results.set(result.resultId, {
          ...result,
          sessionId,
          createdAt: now,
          state: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          lastError: null,
          deliveredAt: null,
          erased: false,
          leaseOwner: null,
          leaseUntil: null,
        });
      }
      if (changed) for (const listener of listeners) listener(sessionId);
      return true;
    },

    async claimDeliveries(owner, now, leaseMs, limit) {
      live();
      const due = by(
        [...results.values()].filter((row) => row.state === 'pending' && row.nextAttemptAt! <= now && free(row, now)),
        (row) => row.nextAttemptAt!,
      ).slice(0, limit);
      return due.map((row): PendingDelivery => {
        Object.assign(row, { leaseOwner: owner, leaseUntil: now + leaseMs });
        const session = sessions.get(row.sessionId)!;
        const { resultId, sessionId, kind, status, verification, reasonCode, pii, piiMissing, payload, createdAt, attempts } = row;
        return { resultId, sessionId, dvcID: session.dvcID, subject: session.subject, kind, status, verification, reasonCode, pii, piiMissing, payload, createdAt, attempts };
      });
    },

    async settleDelivery(resultId, outcome) {
      live();
      const row = results.get(resultId);
      if (!row) return;
      if (outcome.delivered) {
        if (row.state === 'delivered') return;
        Object.assign(row, { state: 'delivered', deliveredAt: outcome.at, payload: '', erased: true, nextAttemptAt: null, leaseOwner: null, leaseUntil: null });
        return;
      }
      if (row.state !== 'pending') return;
      Object.assign(row, {
        attempts: Math.max(row.attempts, outcome.attempts),
        nextAttemptAt: outcome.nextAttemptAt,
        lastError: outcome.error,
        state: outcome.nextAttemptAt === null ? 'failed' : 'pending',
        leaseOwner: null,
        leaseUntil: null,
      });
    },

    async nextWake(now, deliveries) {
      live();
      // An unleased row wakes when due, a leased one when its lease ends.
      const wake = (due: number, row: { leaseUntil: number | null }) => (free(row, now) ? due : row.leaseUntil!);
      const times = [
        ...[...sessions.values()].filter((row) => row.nextDueAt !== null).map((row) => wake(row.nextDueAt!, row)),
        ...[...results.values()].filter((row) => deliveries && row.state === 'pending').map((row) => wake(row.nextAttemptAt!, row)),
      ];
      return times.length ? Math.max(now, Math.min(...times)) : null;
    },

    async release(owner) {
      live();
      for (const row of [...sessions.values(), ...results.values()]) {
        if (row.leaseOwner === owner) Object.assign(row, { leaseOwner: null, leaseUntil: null });
      }
    },

    async redeliver(sessionId, now) {
      live();
      let count = 0;
      for (const row of results.values()) {
        if (row.sessionId !== sessionId || row.state !== 'failed') continue;
        Object.assign(row, { state: 'pending', nextAttemptAt: now, attempts: 0 });
        count++;
      }
      return count;
    },

    async list({ pending = false, limit = 100 }) {
      live();
      const entries = [...sessions.values()]
        .map((row): LedgerEntry => ({
          ...stateOf(row),
          dvcID: row.dvcID,
          subject: row.subject,
          createdAt: row.createdAt,
          expiresAt: row.expiresAt,
          lastAskedAt: row.lastAskedAt,
          nextDueAt: row.nextDueAt,
          lastError: row.lastError,
          results: by(
            [...results.values()].filter((result) => result.sessionId === row.sessionId),
            (result) => result.createdAt,
          ).map((result) => ({
            resultId: result.resultId,
            status: result.status,
            state: result.state,
            attempts: result.attempts,
            nextAttemptAt: result.nextAttemptAt,
            lastError: result.lastError,
            holdsPii: result.pii && !result.erased,
          })),
        }))
        .filter((entry) => !pending || entry.nextDueAt !== null || entry.results.some((result) => result.state !== 'delivered'))
        .sort((a, b) => b.createdAt - a.createdAt || a.sessionId.localeCompare(b.sessionId));
      return entries.slice(0, limit);
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async close() {
      closed = true;
      listeners.clear();
    },
  };
}
