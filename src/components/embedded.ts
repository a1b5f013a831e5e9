/**
 * `embedded` mode's view: the hosted flow in an iframe inside a modal `<dialog>`. Loaded lazily,
 * so it costs nothing in the other modes.
 */
import { css, html, nothing } from 'lit';
import type { IdvStrings } from './strings.js';

/** What the element gives the view. */
export interface DialogView {
  url: string;
  /** Whether the iframe is in the dialog (only while the flow is open). */
  frame: boolean;
  text(key: keyof IdvStrings): string;
  /** The dialog closed: Escape, its close button, or the element. */
  onClose(): void;
  onFrameLoad(): void;
  onOpenInWindow(): void;
}

const closeDialog = (event: Event) => (event.currentTarget as Element).closest('dialog')?.close();

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

export function render(view: DialogView) {
  return html`<dialog part="dialog" aria-labelledby="dialog-title" @close=${view.onClose}>
    <div class="dialog-header">
      <h2 id="dialog-title">${view.text('dialogTitle')}</h2>
      <button class="secondary" @click=${closeDialog}>${view.text('close')}</button>
    </div>
    ${view.frame
      ? html`<iframe
          title=${view.text('dialogTitle')}
          src=${view.url}
          allow="camera; microphone; fullscreen"
          @load=${view.onFrameLoad}
        ></iframe>`
      : nothing}
    <div class="dialog-footer">
      <button class="secondary" @click=${view.onOpenInWindow}>${view.text('openInWindow')}</button>
    </div>
  </dialog>`;
}
