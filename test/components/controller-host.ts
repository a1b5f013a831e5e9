/** A host for testing one reactive controller on its own: connected and removed by hand. */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class ControllerHost implements ReactiveControllerHost {
  controllers: ReactiveController[] = [];
  /** How many times a controller asked for an update. */
  updatesRequested = 0;
  readonly updateComplete = Promise.resolve(true);

  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }

  removeController(controller: ReactiveController): void {
    this.controllers = this.controllers.filter((added) => added !== controller);
  }

  requestUpdate(): void {
    this.updatesRequested += 1;
  }

  /** What a Lit element does in `connectedCallback`. */
  connect(): void {
    for (const controller of this.controllers) controller.hostConnected?.();
  }

  /** What a Lit element does in `disconnectedCallback`. */
  disconnect(): void {
    for (const controller of this.controllers) controller.hostDisconnected?.();
  }
}
