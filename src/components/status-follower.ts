/**
 * Follows a session's status while the element is connected: the adaptive `Poller`, fed by the
 * page's visibility, focus, connectivity and page transitions. Nothing listens or polls once the
 * element is removed; put back, it follows again.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { IdvError } from '../api/errors.js';
import { Poller } from '../api/poller.js';
import type { StatusReport } from '../contract/bodies.js';

/** While the page is visible the user is waiting: a backend that comes back is seen within this. */
const MAX_VISIBLE_BACKOFF_MS = 5000;
/** Reads failing for this long make the follower `reconnecting`. */
const RECONNECTING_AFTER_MS = 10_000;

const pageVisible = () => document.visibilityState !== 'hidden';

export interface Following {
  /** One status read; the backend may hold it up to `wait` ms. */
  read(signal: AbortSignal, wait: number): Promise<StatusReport>;
  /** Whether the backend may hold a read. */
  holdsReads: boolean;
  /** ms between reads while the page is visible. */
  interval: number;
  /** Epoch ms of the session's end. */
  expiresAt: number;
}

export interface FollowerHandlers {
  onReport(report: StatusReport): void;
  /** A read failed; reads go on, backing off. */
  onRetrying(error: IdvError): void;
  /** A read failed and following has stopped: not retryable, or the session ran out of time. */
  onStopped(error: IdvError): void;
}

export class StatusFollower implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #handlers: FollowerHandlers;
  #following?: Following;
  #poller?: Poller;
  /** Aborted when the host is removed: takes the page's listeners away. */
  #listening?: AbortController;
  /** When the current run of failing reads began. */
  #failingSince?: number;
  #reconnecting = false;

  constructor(host: ReactiveControllerHost, handlers: FollowerHandlers) {
    this.#host = host;
    this.#handlers = handlers;
    host.addController(this);
  }

  /** Whether a session is being followed (or will be, once the element is connected). */
  get active(): boolean {
    return this.#following !== undefined;
  }

  /** Whether reads have failed for 10 s and more. */
  get reconnecting(): boolean {
    return this.#reconnecting;
  }

  /** Follows a session, from a read now. */
  follow(following: Following): void {
    this.#following = following;
    this.#failingSince = undefined;
    this.#setReconnecting(false);
    this.#start();
  }

  stop(): void {
    this.#following = undefined;
    this.#pause();
    this.#setReconnecting(false);
  }

  /** Reads now (unless backing off). */
  poke(): void {
    this.#poller?.poke();
  }

  hostConnected(): void {
    this.#listening = new AbortController();
    const options = { signal: this.#listening.signal };
    const poke = () => this.poke();
    document.addEventListener('visibilitychange', () => this.#poller?.setVisible(pageVisible()), options);
    window.addEventListener('focus', poke, options);
    window.addEventListener('online', poke, options);
    // The page is being left (`redirect` mode's own navigation, a link, a reload). The browser
    // drops the page's requests next, and the read in flight would fail like a network error:
    // stopping first aborts it, and an aborted read is no error.
    window.addEventListener('pagehide', () => this.#pause(), options);
    // Shown again from the back-forward cache, as it was when left: follow again.
    window.addEventListener(
      'pageshow',
      (event) => {
        if (event.persisted) this.#start();
      },
      options,
    );
    this.#start();
  }

  hostDisconnected(): void {
    this.#listening?.abort();
    this.#listening = undefined;
    this.#pause();
  }

  #start(): void {
    this.#pause();
    if (!this.#following || !this.#listening) return;
    const { read, holdsReads, interval, expiresAt } = this.#following;
    const poller = new Poller({
      read,
      interval,
      expiresAt,
      maxWait: holdsReads ? undefined : 0,
      maxVisibleBackoff: MAX_VISIBLE_BACKOFF_MS,
      onReport: (report) => {
        this.#failingSince = undefined;
        this.#setReconnecting(false);
        this.#handlers.onReport(report);
      },
      onError: (error) => {
        if (!poller.running) {
          this.stop();
          this.#handlers.onStopped(error);
          return;
        }
        this.#failingSince ??= Date.now();
        this.#setReconnecting(Date.now() - this.#failingSince >= RECONNECTING_AFTER_MS);
        this.#handlers.onRetrying(error);
      },
    });
    this.#poller = poller;
    poller.setVisible(pageVisible());
    poller.start();
  }

  #pause(): void {
    this.#poller?.stop();
    this.#poller = undefined;
  }

  #setReconnecting(reconnecting: boolean): void {
    if (reconnecting === this.#reconnecting) return;
    this.#reconnecting = reconnecting;
    this.#host.requestUpdate();
  }
}
