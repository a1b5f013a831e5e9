/**
 * The adaptive poller: reads a session's status until it is final.
 * - a read starts every `interval` ms while the page is visible (counted from the previous read's
 *   start), every `hiddenInterval` ms while hidden;
 * - while visible, every read lets the backend hold it up to `interval` (at most `maxWait`) until
 *   the status changes, so a change is seen at once without more reads; a backend that answers at
 *   once is fine. After a read that brought a change, the next starts at once, so that one is
 *   waiting for the next change (statuses change a few times per session), but never twice in a
 *   row, so a backend whose answers flap still gets at most two reads per interval. (The first
 *   read cannot be held: the backend has given no ETag yet.)
 * - `poke()` reads at once (focus, visibility, online, popup closed), replacing a read the backend
 *   may be holding, unless backing off: a backend that answers from what it knows (the kit's
 *   ledger) then answers as soon as it learns of the change the poke hints at;
 * - on a retryable error: exponential backoff with full jitter, capped at `maxBackoff` (at
 *   `maxVisibleBackoff` while the page is visible), or the backend's `Retry-After` when it gave one;
 *   a non-retryable error stops it;
 * - at most one read in flight; stops at a terminal status, at `expiresAt` and on `stop()`.
 */
import type { StatusReport } from '../contract/bodies.js';
import { TERMINAL_STATUSES } from '../contract/vocabulary.js';
import { IdvError, toIdvError } from './errors.js';

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  random(): number;
}

const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (id) => globalThis.clearTimeout(id as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};

const sessionExpired = (cause?: IdvError) =>
  new IdvError('session_expired', 'Session expired before a final status', { cause });

export interface PollerOptions {
  /** One read; the backend may hold it up to `wait` ms while the status is unchanged (0: answer at once). */
  read(signal: AbortSignal, wait: number): Promise<StatusReport>;
  /** Every report read, terminal ones included. */
  onReport(report: StatusReport): void;
  /** Every failed read; after a non-retryable one (or `session_expired`) the poller has stopped. */
  onError(error: IdvError): void;
  /** ms between reads while visible. Default 2000. */
  interval?: number;
  /** ms between reads while the page is hidden. Default 15 000. */
  hiddenInterval?: number;
  /** The longest a read may be held by the backend, ms. Default 5000; 0 for a reader that cannot be held. */
  maxWait?: number;
  /** Cap of the error backoff, ms. Default 30 000. */
  maxBackoff?: number;
  /** Cap of the error backoff while the page is visible, ms. Default `maxBackoff`. */
  maxVisibleBackoff?: number;
  /** Epoch ms after which the session cannot change any more. */
  expiresAt?: number;
  clock?: Clock;
}

export class Poller {
  readonly #clock: Clock;
  #timer: unknown;
  #inFlight?: AbortController;
  /** Whether the read in flight is a scheduled one the backend may hold (a poke replaces it). */
  #holding = false;
  /** The status and verification of the last report, to tell a change. */
  #last?: string;
  /** Whether the last read was started at once after a change. */
  #rushed = false;
  #failures = 0;
  /** Epoch ms before which no read may start (backoff or `Retry-After`). */
  #notBefore = 0;
  #visible = true;
  #active = false;
  readonly #options: PollerOptions;

  constructor(options: PollerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Whether it is polling. */
  get running(): boolean {
    return this.#active;
  }

  /** Starts polling with a read now. */
  start(): void {
    if (this.#active) return;
    this.#active = true;
    this.#failures = 0;
    this.#notBefore = 0;
    this.poke();
  }

  /** Stops polling: clears the timer and aborts a read in flight. */
  stop(): void {
    this.#active = false;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#inFlight?.abort();
    this.#inFlight = undefined;
  }

  /**
   * Reads now, unless the poller is backing off. A read the backend is holding is replaced; any
   * other read in flight is left to answer. The new read may be held too: a backend that answers
   * from what it already knows (the kit's ledger) answers at once when the status has changed, and
   * otherwise as soon as it learns of a change, instead of leaving it to the next read.
   */
  poke(): void {
    if (!this.#active || (this.#inFlight && !this.#holding)) return;
    this.#readWhenAllowed(true);
  }

  /** Page visibility: reads at once when it becomes visible, slows down while hidden. */
  setVisible(visible: boolean): void {
    const changed = visible !== this.#visible;
    this.#visible = visible;
    if (changed && visible) this.poke();
    else if (changed && !this.#inFlight && this.#active && this.#failures === 0) this.#schedule(this.#pace());
  }

  #pace(): number {
    return this.#visible ? (this.#options.interval ?? 2000) : (this.#options.hiddenInterval ?? 15_000);
  }

  #schedule(ms: number): void {
    this.#clock.clearTimeout(this.#timer);
    const { expiresAt } = this.#options;
    const delay = expiresAt === undefined ? ms : Math.min(ms, Math.max(0, expiresAt - this.#clock.now()));
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#active && !this.#inFlight) this.#readWhenAllowed(false);
    }, delay);
  }

  /** Reads unless backing off; `poked`: a read that later pokes leave to answer. */
  #readWhenAllowed(poked: boolean): void {
    const wait = this.#notBefore - this.#clock.now();
    if (wait > 0 && !this.#expired()) this.#schedule(wait);
    else void this.#read(poked);
  }

  /**
   * One read, which the backend may hold while the page is visible (the user is waiting). Only a
   * scheduled read is replaced by a poke: a poked one is left to answer, so a burst of focus and
   * visibility events makes one read, not one each.
   */
  async #read(poked: boolean): Promise<void> {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#inFlight?.abort();
    const controller = new AbortController();
    this.#inFlight = controller;
    const started = this.#clock.now();
    const wait = this.#visible ? Math.min(this.#pace(), this.#options.maxWait ?? 5000) : 0;
    this.#holding = !poked && wait > 0;
    let report: StatusReport;
    try {
      report = await this.#options.read(controller.signal, wait);
    } catch (thrown) {
      if (!controller.signal.aborted) this.#failed(toIdvError(thrown));
      return;
    }
    if (controller.signal.aborted) return;
    this.#inFlight = undefined;
    this.#failures = 0;
    this.#notBefore = 0;
    // The poller settles before the callbacks run, so one that throws cannot derail it.
    const final = TERMINAL_STATUSES.has(report.status);
    const expired = !final && this.#expired();
    const state = `${report.status}.${report.verification}`;
    const rush = this.#last !== undefined && state !== this.#last && !this.#rushed;
    this.#last = state;
    this.#rushed = rush;
    if (final || expired) this.stop();
    else this.#schedule(rush ? 0 : Math.max(0, this.#pace() - (this.#clock.now() - started)));
    this.#options.onReport(report);
    if (expired) this.#options.onError(sessionExpired());
  }

  #failed(error: IdvError): void {
    this.#inFlight = undefined;
    if (!error.retryable) return this.#fail(error);
    if (this.#expired()) return this.#fail(sessionExpired(error));
    this.#failures += 1;
    const { maxBackoff = 30_000, maxVisibleBackoff = maxBackoff } = this.#options;
    const limit = this.#visible ? Math.min(maxBackoff, maxVisibleBackoff) : maxBackoff;
    const cap = Math.min(limit, this.#pace() * 2 ** this.#failures);
    // Full jitter, never under a quarter of the pace, never over the cap (even when that is smaller).
    // A `Retry-After` is followed exactly, except one of 0 (or a date already past): backed off too.
    const delay = error.retryAfter || Math.min(cap, Math.max(this.#pace() / 4, this.#clock.random() * cap));
    this.#notBefore = this.#clock.now() + delay;
    this.#schedule(delay);
    this.#options.onError(error);
  }

  #expired(): boolean {
    return this.#options.expiresAt !== undefined && this.#clock.now() >= this.#options.expiresAt;
  }

  #fail(error: IdvError): void {
    this.stop();
    this.#options.onError(error);
  }
}
