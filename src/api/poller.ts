/**
 * The adaptive poller: reads a session's status until it is final.
 * - every `interval` ms while the page is visible, every `hiddenInterval` ms while hidden;
 * - `poke()` reads at once (focus, visibility, online, popup closed), unless backing off;
 * - on a retryable error: exponential backoff with full jitter, capped at `maxBackoff`, or the
 *   backend's `Retry-After` when it gave one; a non-retryable error stops it;
 * - at most one read in flight; stops at a terminal status, at `expiresAt` and on `stop()`.
 */
import { IdvError, toIdvError } from './errors.js';
import { TERMINAL_STATUSES, type StatusReport } from './types.js';

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
  read(signal: AbortSignal): Promise<StatusReport>;
  /** Every report read, terminal ones included. */
  onReport(report: StatusReport): void;
  /** Every failed read; after a non-retryable one (or `session_expired`) the poller has stopped. */
  onError(error: IdvError): void;
  /** ms between reads while visible. Default 2000. */
  interval?: number;
  /** ms between reads while the page is hidden. Default 15 000. */
  hiddenInterval?: number;
  /** Cap of the error backoff, ms. Default 30 000. */
  maxBackoff?: number;
  /** Epoch ms after which the session cannot change any more. */
  expiresAt?: number;
  clock?: Clock;
}

export class Poller {
  readonly #clock: Clock;
  #timer: unknown;
  #inFlight?: AbortController;
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

  /** Reads now, unless a read is in flight or the poller is backing off. */
  poke(): void {
    if (!this.#active || this.#inFlight) return;
    const wait = this.#notBefore - this.#clock.now();
    if (wait > 0 && !this.#expired()) this.#schedule(wait);
    else void this.#read();
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
      this.poke();
    }, delay);
  }

  async #read(): Promise<void> {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const controller = new AbortController();
    this.#inFlight = controller;
    let report: StatusReport;
    try {
      report = await this.#options.read(controller.signal);
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
    if (final || expired) this.stop();
    else this.#schedule(this.#pace());
    this.#options.onReport(report);
    if (expired) this.#options.onError(sessionExpired());
  }

  #failed(error: IdvError): void {
    this.#inFlight = undefined;
    if (!error.retryable) return this.#fail(error);
    if (this.#expired()) return this.#fail(sessionExpired(error));
    this.#failures += 1;
    const cap = Math.min(this.#options.maxBackoff ?? 30_000, this.#pace() * 2 ** this.#failures);
    // Full jitter, never under a quarter of the pace, never over the cap (even when that is smaller).
    const delay = error.retryAfter ?? Math.min(cap, Math.max(this.#pace() / 4, this.#clock.random() * cap));
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
