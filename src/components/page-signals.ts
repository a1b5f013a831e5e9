import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface PageSignalHandlers {
  /** The page became visible or hidden. */
  visibility(visible: boolean): void;
  /** Something suggests the status may have changed: focus came back, or the network did. */
  poke(): void;
}

/**
 * Listens to the page's visibility, focus and connectivity while the host is connected, and to
 * nothing once it is disconnected.
 */
export class PageSignals implements ReactiveController {
  readonly #onVisibility: () => void;
  readonly #onPoke: () => void;

  constructor(host: ReactiveControllerHost, handlers: PageSignalHandlers) {
    this.#onVisibility = () => handlers.visibility(this.visible);
    this.#onPoke = () => handlers.poke();
    host.addController(this);
  }

  get visible(): boolean {
    return document.visibilityState !== 'hidden';
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.#onVisibility);
    window.addEventListener('focus', this.#onPoke);
    window.addEventListener('online', this.#onPoke);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.#onVisibility);
    window.removeEventListener('focus', this.#onPoke);
    window.removeEventListener('online', this.#onPoke);
  }
}
