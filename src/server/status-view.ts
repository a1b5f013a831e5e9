/**
 * Status reads, answered from the ledger and never by a call to 1Kosmos: a short-lived cache per
 * instance (so many tabs cost the database little), dropped for a session as soon as the ledger
 * announces a change to it, and a wait for such a change for held reads (`Prefer: wait`). A read
 * also tells the ledger that a browser watches the session, which speeds up its collection.
 */
import { TERMINAL_STATUSES } from '../contract/vocabulary.js';
import type { LedgerStore, SessionState } from './ledger/store.js';

/** How long a status read from the ledger is answered again without asking it, ms. */
const FRESH_MS = 250;
/** How often a held read looks at the ledger even without news of a change (news can be lost), ms. */
const RECHECK_MS = 1000;
/** A session's watching is written to the ledger at most this often, ms (the watch window is 30 s). */
const WATCH_WRITE_MS = 5000;
/** How many sessions' states and watch times are kept. */
const REMEMBERED = 50_000;

/** Adds to a map used as a cache, forgetting the oldest entry beyond `REMEMBERED`. */
function keep<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED) map.delete(map.keys().next().value as K);
}

export class StatusView {
  private readonly cache = new Map<string, { state: SessionState; at: number }>();
  /** Bumped at each change announced, so that a read that overlapped it is not cached. */
  private version = 0;
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly watchWritten = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: LedgerStore,
    /** Told when a session became watched (the local collector may ask sooner). */
    private readonly onWatched: (sessionId: string) => void,
    private readonly onWatchFailed: (error: unknown, sessionId: string) => void,
  ) {
    this.unsubscribe = store.subscribe((sessionId) => this.changed(sessionId));
  }

  async read(sessionId: string): Promise<SessionState | undefined> {
    const cached = this.cache.get(sessionId);
    if (cached && (TERMINAL_STATUSES.has(cached.state.status) || Date.now() - cached.at < FRESH_MS)) return cached.state;
    const version = this.version;
    const state = await this.store.read(sessionId);
    if (state && version === this.version) keep(this.cache, sessionId, { state, at: Date.now() });
    return state;
  }

  /** Records that a browser watches the session (written at most every few seconds). */
  watch(sessionId: string, state: SessionState, now: number): void {
    if (TERMINAL_STATUSES.has(state.status) || now - (this.watchWritten.get(sessionId) ?? -Infinity) < WATCH_WRITE_MS) return;
    keep(this.watchWritten, sessionId, now);
    this.store.watched(sessionId, now).then(
      () => this.onWatched(sessionId),
      (error: unknown) => {
        this.watchWritten.delete(sessionId);
        this.onWatchFailed(error, sessionId);
      },
    );
  }

  /** Resolves when the session may have changed, after `ms` at most, or when `signal` aborts. */
  nextChange(sessionId: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.waiters.get(sessionId);
      if (!waiters) this.waiters.set(sessionId, (waiters = new Set()));
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiters.get(sessionId) === waiters) this.waiters.delete(sessionId);
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, RECHECK_MS));
      signal.addEventListener('abort', done, { once: true });
      waiters.add(done);
    });
  }

  close(): void {
    this.unsubscribe();
    for (const waiters of this.waiters.values()) for (const done of waiters) done();
  }

  private changed(sessionId: string | null): void {
    this.version += 1;
    if (sessionId === null) this.cache.clear();
    else this.cache.delete(sessionId);
    const woken = sessionId === null ? [...this.waiters.values()] : [this.waiters.get(sessionId) ?? new Set()];
    for (const waiters of woken) for (const done of [...waiters]) done();
  }
}
