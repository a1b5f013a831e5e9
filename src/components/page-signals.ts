import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface PageSignalHandlers {
  /** The page became visible or hidden. */
  visibility(visible: boolean): void;
  /** Something suggests the status may have changed: focus came back, or the network did. */
  poke(): void;
  /**
   * The page is being left (`redirect` mode's own navigation, a link, a reload). The browser drops
   * the page's requests next, so a read in flight fails with what looks like a network error.
   */
  leaving(): void;
  /** The page was shown again from the back-forward cache, with its state as it was when left. */
  back(): void;
}

/**
 * Listens to the page's visibility, focus, connectivity and page transitions while the host is
 * connected, and to nothing once it is disconnected.
 */
export class PageSignals implements ReactiveController {
  readonly #onVisibility: () => void;
  readonly #onPoke: () => void;
  readonly #onLeaving: () => void;
  readonly #onShow: (event: PageTransitionEvent) => void;

  constructor(host: ReactiveControllerHost, handlers: PageSignalHandlers) {
    this.#onVisibility = () => handlers.visibility(this.visible);
    this.#onPoke = () => handlers.poke();
    this.#onLeaving = () => handlers.leaving();
    this.#onShow = (event) => {
      if (event.persisted) handlers.back();
    };
    host.addController(this);
  }

  get visible(): boolean {
    return document.visibilityState !== 'hidden';
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.#onVisibility);
    window.addEventListener('focus', this.#onPoke);
    window.addEventListener('online', this.#onPoke);
    window.addEventListener('pagehide', this.#onLeaving);
    window.addEventListener('pageshow', this.#onShow);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.#onVisibility);
    window.removeEventListener('focus', this.#onPoke);
    window.removeEventListener('online', this.#onPoke);
    window.removeEventListener('pagehide', this.#onLeaving);
    window.removeEventListener('pageshow', this.#onShow);
  }
}
