/**
 * The popup or tab that shows the hosted flow: opened inside the click (popup blockers allow
 * nothing else), navigated once the hosted URL arrives, watched for the user closing it, and
 * closed a moment after a final status. No timer outlives the element.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { showStartingPage } from './starting-page.js';

export type WindowMode = 'popup' | 'tab';

const WINDOW_NAME = 'kosmos-idv-flow';
/** How often an open window is checked for having been closed: browsers fire no event for it. */
const WINDOW_CHECK_MS = 200;
/**
 * How long the window stays open after a final status. Chromium can lose a `close()` that arrives
 * while the window commits a navigation (the hosted flow's last page), leaving it open for good.
 */
const CLOSE_DELAY_MS = 1000;

export class FlowWindow implements ReactiveController {
  readonly #onClosed: () => void;
  #win?: Window;
  #watcher?: ReturnType<typeof setInterval>;
  #closer?: ReturnType<typeof setTimeout>;

  /** `onClosed`: the user closed the window. */
  constructor(host: ReactiveControllerHost, onClosed: () => void) {
    this.#onClosed = onClosed;
    host.addController(this);
  }

  /** Whether a window was opened and has not been seen closed. */
  get opened(): boolean {
    return this.#win !== undefined;
  }

  /** In the click, before the hosted URL is known: a window saying `text` until `navigate()`. */
  openStarting(mode: WindowMode, text: string, lang: string): void {
    this.close();
    this.#win = this.#open('about:blank', mode);
    if (this.#win) showStartingPage(this.#win, text, lang);
  }

  /** Sends the window opened in the click to the hosted flow, and starts watching it. */
  navigate(url: string): void {
    if (!this.#win) return;
    this.#win.location.href = url;
    this.#watch();
  }

  /** Brings the flow's window forward, or opens a new one (in a click); whether one shows the flow. */
  show(url: string, mode: WindowMode): boolean {
    if (this.#win && !this.#win.closed) {
      this.#win.focus();
      return true;
    }
    this.#win = this.#open(url, mode);
    if (this.#win) this.#watch();
    return this.opened;
  }

  /** The blocked-window link's click: opens a watched window, or lets the link navigate on its own. */
  openFromLink(event: MouseEvent, mode: WindowMode): boolean {
    if (!this.show((event.currentTarget as HTMLAnchorElement).href, mode)) return false;
    event.preventDefault();
    return true;
  }

  /** After a final status: closes the window a moment later (see `CLOSE_DELAY_MS`). */
  closeSoon(): void {
    clearInterval(this.#watcher);
    this.#closer = setTimeout(() => this.close(), CLOSE_DELAY_MS);
  }

  close(): void {
    clearInterval(this.#watcher);
    clearTimeout(this.#closer);
    this.#closer = undefined;
    this.#win?.close();
    this.#win = undefined;
  }

  hostConnected(): void {
    if (this.#win) this.#watch();
  }

  hostDisconnected(): void {
    clearInterval(this.#watcher);
    // A window left to close a moment after a final status is closed now: no timer outlives removal.
    if (this.#closer) this.close();
  }

  #open(url: string, mode: WindowMode): Window | undefined {
    const features =
      mode === 'popup'
        ? `popup,width=480,height=760,left=${(screen.width - 480) / 2},top=${(screen.height - 760) / 2}`
        : '';
    // The window keeps its `opener`: without it Chromium refuses to let this page close the window
    // once the hosted flow has navigated, and the element closes it at a final status.
    return window.open(url, mode === 'popup' ? WINDOW_NAME : '_blank', features) ?? undefined;
  }

  #watch(): void {
    clearInterval(this.#watcher);
    this.#watcher = setInterval(() => {
      if (!this.#win?.closed) return;
      clearInterval(this.#watcher);
      this.#win = undefined;
      this.#onClosed();
    }, WINDOW_CHECK_MS);
  }
}
