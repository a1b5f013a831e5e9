/**
 * `qr` mode's view: a QR code of the hosted-flow URL, the URL itself and a copy-link button.
 * Loaded lazily with its generator, so it costs nothing in the other modes.
 */
import { css, html, svg } from 'lit';
import { encode } from 'uqr';
import type { IdvStrings } from './strings.js';

/** What the element gives the view. */
export interface QrView {
  url: string;
  /** Whether the link was copied. */
  copied: boolean;
  text(key: keyof IdvStrings): string;
  onCopied(): void;
}

/** The QR code of the last URL drawn: width in modules (border included) and one SVG path. */
let drawn: { url: string; size: number; path: string } | undefined;

function qrCode(url: string): { size: number; path: string } {
  if (drawn?.url !== url) {
    const { data, size } = encode(url, { ecc: 'M', border: 2 });
    let path = '';
    data.forEach((row, y) =>
      row.forEach((dark, x) => {
        if (dark) path += `M${x} ${y}h1v1h-1z`;
      }),
    );
    drawn = { url, size, path };
  }
  return drawn;
}

async function copy({ url, onCopied }: QrView): Promise<void> {
  try {
    await navigator.clipboard.writeText(url);
    onCopied();
  } catch {
    // No clipboard access: the link stays on screen to copy by hand.
  }
}

export const styles = css`
  [part~='qr'] {
    display: grid;
    gap: 0.5rem;
    justify-items: start;
    margin: 0;
  }

  [part~='qr'] svg {
    width: var(--kosmos-idv-qr-size, 12rem);
    height: var(--kosmos-idv-qr-size, 12rem);
    background: #fff;
    border-radius: var(--kosmos-idv-radius, 0.5rem);
  }

  [part~='qr'] h2 {
    margin: 0;
    font-size: 1rem;
  }

  [part~='qr'] p {
    margin: 0;
    max-width: 24rem;
  }

  .url {
    font-size: 0.8em;
    word-break: break-all;
    color: var(--kosmos-idv-muted, #57606a);
  }
`;

export function render(view: QrView) {
  const { size, path } = qrCode(view.url);
  return html`<figure part="qr">
    <h2>${view.text('qrTitle')}</h2>
    <svg viewBox="0 0 ${size} ${size}" role="img" aria-label=${view.text('qrTitle')}>
      ${svg`<path d=${path} fill="#000" shape-rendering="crispEdges"></path>`}
    </svg>
    <figcaption>
      <p>${view.text('qrHint')}</p>
      <p class="url">${view.url}</p>
    </figcaption>
    <button class="secondary" @click=${() => copy(view)}>${view.text(view.copied ? 'copied' : 'copyLink')}</button>
  </figure>`;
}
