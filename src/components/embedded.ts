/**
 * `embedded` mode's view: the hosted flow in an iframe inside a modal `<dialog>`, shown while the
 * flow is, and offered in a window instead when the frame has not loaded in time. Loaded lazily,
 * so it costs nothing in the other modes.
 */
import { css, html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { IdvStrings } from './strings.js';

/** An embedded flow that has not loaded by then is offered in a window instead. */
const FRAME_TIMEOUT_MS = 15_000;

export interface DialogHandlers {
  text(key: keyof IdvStrings): string;
  /** The user closed the dialog: Escape, or its close button (not `close()`). */
  onClose(): void;
  /** The frame did not load within `FRAME_TIMEOUT_MS` (1Kosmos may refuse to be framed). */
  onFrameTimeout(): void;
  onOpenInWindow(): void;
}

export const styles = css`
  [part~='dialog'] {
    width: min(40rem, 100vw - 2rem);
    height: min(48rem, 100vh - 2rem);
    padding: 0;
    border: none;
    border-radius: var(--kosmos-idv-radius, 0.5rem);
    background: var(--kosmos-idv-surface, #fff);
    color: var(--kosmos-idv-text, #1f2328);
  }

  [part~='dialog'][open] {
    display: flex;
    flex-direction: column;
  }

  [part~='dialog']::backdrop {
    background: var(--kosmos-idv-backdrop, rgb(0 0 0 / 0.5));
  }

  .dialog-header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 1rem;
    padding: 0.5rem 0.5rem 0.5rem 1rem;
    border-bottom: 1px solid var(--kosmos-idv-border, #c8ccd1);
  }

  .dialog-header h2 {
    margin: 0;
    font-size: 1rem;
  }

  iframe {
    flex: 1;
    width: 100%;
    border: none;
  }

  .dialog-footer {
    padding: 0.5rem 1rem;
    border-top: 1px solid var(--kosmos-idv-border, #c8ccd1);
  }

  .dialog-footer button {
    padding: 0.25rem 0.5rem;
  }
`;

export class EmbeddedDialog implements ReactiveController {
  readonly #host: ReactiveControllerHost & { renderRoot: ParentNode };
  readonly #handlers: DialogHandlers;
  /** Whether the last render wants the dialog open. */
  #wanted = false;
  /** Whether the dialog was shown for the flow's current showing (not again after the user closed it). */
  #shown = false;
  /** The dialog `close()` closed: its `close` event is not the user's. */
  #closedByElement?: HTMLDialogElement;
  #frameTimer?: ReturnType<typeof setTimeout>;

  constructor(host: ReactiveControllerHost & { renderRoot: ParentNode }, handlers: DialogHandlers) {
    this.#host = host;
    this.#handlers = handlers;
    host.addController(this);
  }

  /** The dialog, with the hosted flow's frame while `showing`. */
  render(url: string, showing: boolean) {
    this.#wanted = showing;
    const { text, onOpenInWindow } = this.#handlers;
    return html`<dialog part="dialog" aria-labelledby="dialog-title" @close=${this.#closed}>
      <div class="dialog-header">
        <h2 id="dialog-title">${text('dialogTitle')}</h2>
        <button class="secondary" @click=${this.#userClose}>${text('close')}</button>
      </div>
      ${showing
        ? html`<iframe
            title=${text('dialogTitle')}
            src=${url}
            allow="camera; microphone; fullscreen"
            @load=${this.#loaded}
          ></iframe>`
        : nothing}
      <div class="dialog-footer">
        <button class="secondary" @click=${onOpenInWindow}>${text('openInWindow')}</button>
      </div>
    </dialog>`;
  }

  /** Closes the dialog; whether it was open. */
  close(): boolean {
    const dialog = this.#dialog;
    this.#shown = false;
    clearTimeout(this.#frameTimer);
    if (!dialog?.open) return false;
    this.#closedByElement = dialog;
    dialog.close();
    return true;
  }

  hostUpdated(): void {
    const dialog = this.#dialog;
    if (!this.#wanted || this.#shown || !dialog) return;
    this.#shown = true;
    dialog.showModal();
    this.#frameTimer = setTimeout(() => this.#handlers.onFrameTimeout(), FRAME_TIMEOUT_MS);
  }

  hostDisconnected(): void {
    clearTimeout(this.#frameTimer);
  }

  get #dialog(): HTMLDialogElement | null {
    return this.#host.renderRoot.querySelector('dialog');
  }

  readonly #loaded = () => clearTimeout(this.#frameTimer);

  /** The dialog's own close button: the user closes it, as with Escape. */
  readonly #userClose = () => this.#dialog?.close();

  /**
   * The `close` event comes a task later: by then the element may have shown the dialog again
   * (reset, then start), so one that `close()` caused is no news.
   */
  readonly #closed = (event: Event) => {
    if (event.target === this.#closedByElement) {
      this.#closedByElement = undefined;
      return;
    }
    this.#shown = false;
    clearTimeout(this.#frameTimer);
    this.#handlers.onClose();
  };
}
