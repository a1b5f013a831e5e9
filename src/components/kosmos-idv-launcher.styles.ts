import { css } from 'lit';

/**
 * Every colour, radius and font is a `--kosmos-idv-*` custom property read with a fallback and
 * never declared on `:host`, so a page can set them on any ancestor.
 */
export const styles = css`
  :host {
    display: inline-block;
    font: var(--kosmos-idv-font, inherit);
    color: var(--kosmos-idv-text, inherit);
  }

  :host([hidden]) {
    display: none;
  }

  .launcher {
    display: grid;
    gap: var(--kosmos-idv-gap, 0.75rem);
    justify-items: start;
  }

  button,
  .link-button {
    font: inherit;
    cursor: pointer;
    border-radius: var(--kosmos-idv-radius, 0.5rem);
    padding: 0.625rem 1.125rem;
    border: 1px solid transparent;
    text-decoration: none;
    display: inline-block;
  }

  [part~='button'] {
    background: var(--kosmos-idv-accent, #0a66c2);
    color: var(--kosmos-idv-on-accent, #fff);
    font-weight: 600;
  }

  [part~='button']:hover {
    background: var(--kosmos-idv-accent-hover, var(--kosmos-idv-accent, #084e96));
  }

  button[aria-disabled='true'] {
    cursor: not-allowed;
    opacity: 0.7;
  }

  .secondary {
    background: transparent;
    color: var(--kosmos-idv-accent, #0a66c2);
    border-color: currentColor;
  }

  :focus-visible {
    outline: 3px solid var(--kosmos-idv-focus-ring, #f5a623);
    outline-offset: 2px;
  }

  fieldset {
    border: 1px solid var(--kosmos-idv-border, #c8ccd1);
    border-radius: var(--kosmos-idv-radius, 0.5rem);
    margin: 0;
    padding: 0.5rem 0.875rem 0.75rem;
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 1rem;
  }

  legend {
    padding: 0 0.25rem;
    font-weight: 600;
  }

  label {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    cursor: pointer;
  }

  input[type='radio'] {
    accent-color: var(--kosmos-idv-accent, #0a66c2);
  }

  [part~='badge'] {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    padding: 0.3rem 0.75rem 0.3rem 0.6rem;
    border-radius: 999px;
    background: var(--kosmos-idv-badge-background, #eef1f4);
    color: var(--kosmos-idv-badge-text, #1f2328);
    font-size: 0.875em;
    line-height: 1.4;
  }

  .dot {
    width: 0.625rem;
    height: 0.625rem;
    border-radius: 50%;
    background: var(--kosmos-idv-muted, #6e7781);
    flex: none;
  }

  [data-status='in_progress'] .dot,
  [data-status='starting'] .dot {
    background: var(--kosmos-idv-accent, #0a66c2);
    animation: pulse 1.4s ease-in-out infinite;
  }

  [data-status='passed'] .dot {
    background: var(--kosmos-idv-success, #1a7f37);
  }

  [data-status='failed'] .dot,
  [data-status='declined'] .dot {
    background: var(--kosmos-idv-danger, #cf222e);
  }

  [data-status='expired'] .dot,
  [data-status='not_performed'] .dot {
    background: var(--kosmos-idv-warning, #9a6700);
  }

  @keyframes pulse {
    50% {
      opacity: 0.35;
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .dot {
      animation: none !important;
    }
  }

  [part~='error'] {
    border-left: 4px solid var(--kosmos-idv-danger, #cf222e);
    background: var(--kosmos-idv-error-background, #fff1f0);
    color: var(--kosmos-idv-error-text, #82071e);
    padding: 0.5rem 0.75rem;
    border-radius: var(--kosmos-idv-radius, 0.5rem);
  }

  [part~='error'] p {
    margin: 0.25rem 0 0;
  }

  .notice {
    margin: 0;
  }
`;
