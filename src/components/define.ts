/** Registers `<kosmos-idv-launcher>` once; safe to import during server-side rendering. */
import { KosmosIdvLauncher } from './kosmos-idv-launcher.js';

export const tagName = 'kosmos-idv-launcher';

if (globalThis.customElements && !customElements.get(tagName)) {
  customElements.define('kosmos-idv-launcher', KosmosIdvLauncher);
}

declare global {
  interface HTMLElementTagNameMap {
    'kosmos-idv-launcher': KosmosIdvLauncher;
  }
}
