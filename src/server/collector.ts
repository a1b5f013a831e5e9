/**
 * The collector: each kit instance asks 1Kosmos about the sessions in the ledger that are due
 * (leased, so one process asks about a session at a time, cluster-wide), writes what it learns to
 * the ledger in one transaction with the result it owes, and hands the results over to the page
 * owner's sink, at least once, whatever the browser does and whichever process dies.
 *
 * Cadence ({@link nextAsk}): every second while a browser has read the session in the last 30 s;
 * otherwise every 5 s for a new session, slowing with its age to every 5 minutes; always one last
 * ask at `expiresAt` (or, if that one fails, as soon as 1Kosmos answers) before a session still
 * under way is called `expired`: a result that arrived in time is never called expired.
 */
import { TERMINAL_STATUSES } from '../contract/vocabulary.js';
import type { IdvHandlerError, ResultContext } from './config.js';
import { KosmosApiError } from './errors.js';
import type { KosmosClient } from './kosmos-client.js';
import type { Sealer } from './ledger/seal.js';
import type { AskOutcome, DueSession, LedgerStore, NewResult, PendingDelivery } from './ledger/store.js';
import type { KosmosResult } from './result.js';

const WATCH_WINDOW_MS = 30_000;
const WATCHED_EVERY_MS = 1000;
export const UNWATCHED_MIN_MS = 5000;
const UNWATCHED_MAX_MS = 300_000;
/** The unwatched interval is the session's age divided by this (within the bounds above). */
const AGE_DIVISOR = 24;
/** Failed deliveries are retried for this long after the result was recorded, then marked failed. */
export const DELIVERY_WINDOW_MS = 3 * 24 * 3600 * 1000;
const DELIVERY_RETRY_MS = 1000;
const DELIVERY_RETRY_MAX_MS = 300_000;
/** The longest the loop sleeps without looking at the ledger (sessions created on other instances). */
const IDLE_MS = 1000;
/** A pause after the ledger failed, before trying again. */
const STORE_RETRY_MS = 1000;
/** A delivery's lease outlasts the sink's timeout by this much, ms. */
const DELIVERY_LEASE_MARGIN_MS = 5000;

export type Sink = (result: KosmosResult, context: ResultContext) => void | Promise<void>;

export interface CollectorOptions {
  store: LedgerStore;
  client: Pick<KosmosClient, 'getResult'>;
  sealer: Sealer;
  /** Where results go; without one, this process only asks, and results wait for a process that has one. */
  sink?: Sink;
  /** ms one sink call may take. */
  sinkTimeout: number;
  /** How long an ask's lease lasts, ms: longer than an ask to 1Kosmos can take. */
  leaseMs: number;
  report: (problem: IdvHandlerError) => void;
  now: () => number;
  /** How many asks and how many deliveries may be in flight at once (default 32 each). */
  concurrency?: number;
  random?: () => number;
}

/** When to ask about a session next, after an ask at `askedAt` that left `failures` failures in a row. */
export function nextAsk(
  session: Pick<DueSession, 'createdAt' | 'expiresAt' | 'lastReadAt'>,
  askedAt: number,
  failures = 0,
  retryAfter = 0,
): number {
  const watched = session.lastReadAt !== null && askedAt - session.lastReadAt < WATCH_WINDOW_MS;
  const age = askedAt - session.createdAt;
  // Whole milliseconds: the ledger keeps times as integers.
  let wait = watched
    ? WATCHED_EVERY_MS
    : Math.min(UNWATCHED_MAX_MS, Math.max(UNWATCHED_MIN_MS, Math.ceil(age / AGE_DIVISOR)));
  if (failures > 0) {
    const cap = watched ? UNWATCHED_MIN_MS : UNWATCHED_MAX_MS;
    wait = Math.max(wait, Math.min(cap, WATCHED_EVERY_MS * 2 ** (failures - 1)));
  }
  // 1Kosmos's Retry-After is honoured up to the slowest cadence.
  const next = askedAt + Math.max(wait, Math.min(retryAfter, UNWATCHED_MAX_MS));
  return askedAt < session.expiresAt ? Math.min(next, session.expiresAt) : next;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function digest(text: string): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return [...hash.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

export class Collector {
  readonly owner = `${Date.now().toString(36)}-${crypto.randomUUID()}`;
  private readonly inFlight = new Set<Promise<void>>();
  private asking = 0;
  private delivering = 0;
  private stopped = true;
  /** Once stopped, a collector never starts again. */
  private ended = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wake?: () => void;
  private readonly concurrency: number;
  private readonly random: () => number;

  constructor(private readonly options: CollectorOptions) {
    this.concurrency = options.concurrency ?? 32;
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (!this.stopped || this.ended) return;
    this.stopped = false;
    this.loopDone = this.loop();
  }

  /** Looks at the ledger now (a session became due sooner). */
  poke(): void {
    this.wake?.();
  }

  /**
   * Stops claiming work, lets what is in flight finish (an ask's answer may carry PII that
   * 1Kosmos will not send again), then gives back the leases this process still holds.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.ended = true;
    this.poke();
    await this.loopDone;
    await Promise.allSettled([...this.inFlight]);
    await this.options.store.release(this.owner).catch((error: unknown) => this.options.report({ stage: 'store', error }));
  }

  /** Asks and delivers everything due now, then returns (`kosmos-idv collect --once`). */
  async runOnce(): Promise<{ asked: number; delivered: number }> {
    const done = { asked: 0, delivered: 0 };
    for (;;) {
      const { asks, deliveries } = await this.claim();
      if (asks === 0 && deliveries === 0) break;
      done.asked += asks;
      done.delivered += deliveries;
      await Promise.allSettled([...this.inFlight]);
    }
    return done;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let delay: number;
      try {
        const { asks, deliveries, full } = await this.claim();
        if (full) delay = IDLE_MS;
        else if (asks > 0 || deliveries > 0) continue;
        else {
          const now = this.options.now();
          const wake = await this.options.store.nextWake(now, Boolean(this.options.sink));
          delay = wake === null ? IDLE_MS : Math.min(IDLE_MS, Math.max(10, wake - now));
        }
      } catch (error) {
        this.options.report({ stage: 'store', error });
        delay = STORE_RETRY_MS;
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Claims what is due into the free slots and starts it. */
  private async claim(): Promise<{ asks: number; deliveries: number; full: boolean }> {
    const { store, leaseMs, sink } = this.options;
    const askSlots = this.concurrency - this.asking;
    const deliverySlots = sink ? this.concurrency - this.delivering : 0;
    const now = this.options.now();
    const asks = askSlots > 0 ? await store.claimAsks(this.owner, now, leaseMs, askSlots) : [];
    for (const session of asks) this.track('asking', () => this.ask(session));
    const deliveryLease = this.options.sinkTimeout + DELIVERY_LEASE_MARGIN_MS;
    const deliveries = deliverySlots > 0 ? await store.claimDeliveries(this.owner, now, deliveryLease, deliverySlots) : [];
    for (const item of deliveries) this.track('delivering', () => this.deliver(item, sink!));
    const full = this.asking >= this.concurrency || (Boolean(sink) && this.delivering >= this.concurrency);
    return { asks: asks.length, deliveries: deliveries.length, full };
  }

  private track(kind: 'asking' | 'delivering', work: () => Promise<void>): void {
    this[kind] += 1;
    const task = work()
      .catch((error: unknown) => this.options.report({ stage: 'store', error }))
      .finally(() => {
        this[kind] -= 1;
        this.inFlight.delete(task);
        this.poke();
      });
    this.inFlight.add(task);
  }

  /** One ask about one leased session, and its outcome written to the ledger. */
  private async ask(session: DueSession): Promise<void> {
    const { client, store, now, report, leaseMs } = this.options;
    const { sessionId, dvcID } = session;
    const askedAt = now();
    let answer: KosmosResult;
    try {
      answer = await client.getResult({ dvcID, sessionId }, AbortSignal.timeout(Math.max(1000, leaseMs - 2000)));
    } catch (error) {
      const outcome = await this.failed(session, askedAt, error);
      if (!(await store.recordAsk(this.owner, sessionId, now(), outcome))) this.leaseLost(session);
      return;
    }
    const outcome = await this.decide(session, askedAt, answer);
    if (!(await store.recordAsk(this.owner, sessionId, now(), outcome))) this.leaseLost(session);
    if (outcome.results.length) this.poke();
    if (answer.status === 'unknown') {
      report({
        stage: 'collect',
        sessionId,
        error: new KosmosApiError('bad_response', `1Kosmos result not understood (${answer.problem}): kept and handed over as status unknown`),
      });
    }
  }

  /** An ask that got no answer: the same status, asked again later; 1Kosmos forgetting an expired session expires it. */
  private async failed(session: DueSession, askedAt: number, error: unknown): Promise<AskOutcome> {
    const gone = error instanceof KosmosApiError && error.kind === 'not_found' && askedAt >= session.expiresAt;
    if (gone) return this.final(session, 'expired', null, null, {}, false);
    this.options.report({ stage: 'collect', error, sessionId: session.sessionId });
    const failures = session.failures + 1;
    const retryAfter = error instanceof KosmosApiError ? (error.retryAfter ?? 0) : 0;
    return {
      status: session.status,
      verification: session.verification,
      nextDueAt: nextAsk(session, askedAt, failures, retryAfter),
      failures,
      lastError: message(error),
      results: [],
    };
  }

  private async decide(session: DueSession, askedAt: number, answer: KosmosResult): Promise<AskOutcome> {
    const { sealer } = this.options;
    if (answer.status !== 'unknown' && TERMINAL_STATUSES.has(answer.status)) {
      return this.final(session, answer.status, answer.verification, answer.reasonCode ?? null, answer.raw, answer.hasPII);
    }
    // The last ask after expiresAt found no final status: the session is over.
    if (askedAt >= session.expiresAt) return this.final(session, 'expired', null, null, answer.raw, answer.hasPII);
    const results: NewResult[] = [];
    const plaintext = JSON.stringify(answer.raw);
    if (answer.status === 'unknown') {
      results.push({
        resultId: `${session.sessionId}:unknown:${await digest(plaintext)}`,
        kind: 'unknown',
        status: 'unknown',
        verification: null,
        reasonCode: answer.reasonCode ?? null,
        pii: answer.hasPII,
        piiMissing: false,
        payload: await sealer.seal(plaintext),
      });
    }
    const status = answer.status === 'unknown' ? session.status : answer.status;
    return {
      status,
      verification: null,
      nextDueAt: nextAsk(session, askedAt),
      failures: 0,
      lastError: null,
      // PII that came before the final status is kept for the final result (it may not come again).
      ...(answer.hasPII && answer.status !== 'unknown' ? { piiStash: await sealer.seal(plaintext) } : {}),
      results,
    };
  }

  /** The session's final status and its result: the answer's PII, else the PII kept from before, else none. */
  private async final(
    session: DueSession,
    status: AskOutcome['status'],
    verification: AskOutcome['verification'],
    reasonCode: string | null,
    raw: Record<string, unknown>,
    hasPII: boolean,
  ): Promise<AskOutcome> {
    const payload = hasPII || !session.piiStash ? await this.options.sealer.seal(JSON.stringify(raw)) : session.piiStash;
    const pii = hasPII || session.piiStash !== null;
    return {
      status,
      verification,
      nextDueAt: null,
      failures: 0,
      lastError: null,
      piiStash: null,
      results: [
        {
          resultId: `${session.sessionId}:final`,
          kind: 'final',
          status,
          verification,
          reasonCode,
          pii,
          piiMissing: status === 'completed' && !pii,
          payload,
        },
      ],
    };
  }

  private leaseLost(session: DueSession): void {
    this.options.report({
      stage: 'collect',
      sessionId: session.sessionId,
      error: new Error('The ask outlasted its lease and another process took the session over: its answer was not recorded.'),
    });
  }

  /** One delivery attempt; a success after the timeout still counts. */
  private async deliver(item: PendingDelivery, sink: Sink): Promise<void> {
    const { store, sealer, now, report, sinkTimeout } = this.options;
    const attempt = item.attempts + 1;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const call = (async () => {
      const raw = JSON.parse(await sealer.open(item.payload)) as Record<string, unknown>;
      const result: KosmosResult = {
        sessionId: item.sessionId,
        status: item.status,
        verification: item.verification,
        ...(item.reasonCode === null ? {} : { reasonCode: item.reasonCode }),
        hasPII: item.pii,
        raw,
      };
      const { sessionId, subject, dvcID, resultId, piiMissing } = item;
      await sink(result, { sessionId, subject, dvcID, resultId, attempt, piiMissing, signal: controller.signal });
    })();
    try {
      await Promise.race([
        call,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`onResult did not finish within ${sinkTimeout} ms`)), sinkTimeout);
        }),
      ]);
      await store.settleDelivery(item.resultId, { delivered: true, at: now() });
    } catch (error) {
      controller.abort(error);
      call.then(
        () => store.settleDelivery(item.resultId, { delivered: true, at: now() }).catch((late: unknown) => report({ stage: 'store', error: late })),
        () => undefined,
      );
      const at = now();
      const retryIn = Math.round(Math.min(DELIVERY_RETRY_MAX_MS, DELIVERY_RETRY_MS * 2 ** (attempt - 1)) * (0.8 + 0.4 * this.random()));
      const giveUp = at + retryIn - item.createdAt > DELIVERY_WINDOW_MS;
      report({ stage: 'onResult', error, sessionId: item.sessionId, attempt, ...(giveUp ? {} : { retryIn }) });
      await store.settleDelivery(item.resultId, {
        delivered: false,
        attempts: attempt,
        nextAttemptAt: giveUp ? null : at + retryIn,
        error: message(error),
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
