/**
 * The hosted verification pages as plain, accessible HTML: one `<main>` and `<h1>` per page,
 * `lang`, labelled controls, errors announced with `role="alert"`, visible focus, no script and no
 * inline style (the stylesheet is served, so a strict CSP works). Forms POST back and the server
 * redirects (POST-redirect-GET). Everything interpolated is escaped.
 */
import { REASON_CODES } from './reasons.js';
import type { SessionRecord, WireDocumentType } from './state.js';

/** Where the stylesheet is served. */
export const STYLESHEET_PATH = '/idproofing/assets/simulator.css';
/** Where the icon is served (named by every page, so that no browser asks for /favicon.ico and logs a 404). */
export const ICON_PATH = '/idproofing/assets/icon.svg';

/** The pages' icon: a blue disc. */
export const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#0a66c2"/></svg>';

/** The hosted page's errors, as carried by `?error=` after a redirect. */
export type PageError = 'consent' | 'outcome';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and double- or single-quoted attributes. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ENTITIES[char]);

const DOCUMENT_LABELS: Record<WireDocumentType, string> = {
  ppt_object: 'Passport',
  dl_object: 'Driving licence',
  idcard_object: 'ID card',
};

/** The path of a session's hosted flow. */
export const sessionPath = (id: string) => `/idproofing/session/${encodeURIComponent(id)}`;

function layout(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · 1Kosmos ID verification (simulator)</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
<link rel="icon" href="${ICON_PATH}" type="image/svg+xml">
</head>
<body>
<header class="banner"><p>1Kosmos ID verification <span class="tag">Simulator</span></p></header>
<main>
<h1>${escapeHtml(title)}</h1>
${main}
</main>
</body>
</html>
`;
}

function errorMessage(id: string, text: string): string {
  return `<p class="error" id="${escapeHtml(id)}" role="alert">${escapeHtml(text)}</p>`;
}

function stepCounter(record: SessionRecord, step: number): string {
  const total = record.selfie ? 2 : 1;
  return `<p class="step">Step ${step} of ${total}</p>`;
}

/** The welcome screen: consent checkbox, "Let's get started" and "Decline". */
export function welcomePage(record: SessionRecord, error?: PageError): string {
  const invalid = error === 'consent';
  const documentLabel = DOCUMENT_LABELS[record.documentType];
  return layout(
    'Verify your identity',
    `<p>You will be asked to show your ${escapeHtml(documentLabel.toLowerCase())}${
      record.selfie ? ' and to take a selfie' : ''
    }. This is a simulated flow: no camera is used and no real document is read.</p>
<form method="post" action="${sessionPath(record.id)}/welcome">
${invalid ? errorMessage('consent-error', 'Tick the consent box to continue, or choose Decline.') : ''}
<div class="field checkbox">
<input type="checkbox" id="consent" name="consent" value="yes"${
      invalid ? ' aria-invalid="true" aria-describedby="consent-error" autofocus' : ''
    }>
<label for="consent">I consent to the processing of my identity document${
      record.selfie ? ' and selfie' : ''
    } for this verification.</label>
</div>
<div class="actions">
<button type="submit" name="action" value="start">Let's get started</button>
<button type="submit" name="action" value="decline" class="secondary">Decline</button>
</div>
</form>`,
  );
}

function reasonSelect(): string {
  const options = Object.entries(REASON_CODES)
    .map(
      ([code, { reason }]) =>
        `<option value="${escapeHtml(code)}">${escapeHtml(code)}: ${escapeHtml(reason)}</option>`,
    )
    .join('\n');
  return `<div class="field">
<label for="reasonCode">Reason code (used when the check fails)</label>
<select id="reasonCode" name="reasonCode">
${options}
</select>
</div>`;
}

function outcomeFieldset(legend: string, choices: [value: string, label: string][], error: boolean): string {
  const radios = choices
    .map(
      ([value, label], index) => `<div class="choice">
<input type="radio" id="outcome-${value}" name="outcome" value="${value}"${index === 0 ? ' checked' : ''}>
<label for="outcome-${value}">${escapeHtml(label)}</label>
</div>`,
    )
    .join('\n');
  return `<fieldset${error ? ' aria-describedby="outcome-error"' : ''}>
<legend>${escapeHtml(legend)}</legend>
${error ? errorMessage('outcome-error', 'Choose one of the outcomes.') : ''}
${radios}
</fieldset>`;
}

/** The document step: the tester picks the outcome of the document check. */
export function documentPage(record: SessionRecord, error?: PageError): string {
  return layout(
    'Scan your document',
    `${stepCounter(record, 1)}
<p>Document: <strong>${escapeHtml(DOCUMENT_LABELS[record.documentType])}</strong> (<code>${escapeHtml(
      record.documentType,
    )}</code>)</p>
<form method="post" action="${sessionPath(record.id)}/document">
${outcomeFieldset(
  'Outcome of the document check',
  [
    ['pass', 'Pass'],
    ['fail', 'Fail, with the reason code below'],
    ['not_performed', 'Not performed'],
  ],
  error === 'outcome',
)}
${reasonSelect()}
<div class="actions"><button type="submit">Submit</button></div>
</form>`,
  );
}

/** The selfie step (selfie workflows only): the tester picks the outcome of the face checks. */
export function selfiePage(record: SessionRecord, error?: PageError): string {
  return layout(
    'Take a selfie',
    `${stepCounter(record, 2)}
<form method="post" action="${sessionPath(record.id)}/selfie">
${outcomeFieldset(
  'Outcome of the selfie check',
  [
    ['pass', 'Pass'],
    ['fail', 'Fail, with the reason code below'],
  ],
  error === 'outcome',
)}
${reasonSelect()}
<div class="actions"><button type="submit">Submit</button></div>
</form>`,
  );
}

/** Shown once the session is completed. */
export const finishedPage = () =>
  layout('Verification finished', '<p>Verification finished. You can close this window.</p>');

/** Shown once the session is declined. */
export const declinedPage = () =>
  layout('Verification declined', '<p>You declined the verification. You can close this window.</p>');

/** Shown (410) for an expired session. */
export const expiredPage = () =>
  layout(
    'This session has expired',
    '<p>This verification session has expired. Return to the site that sent you here to start a new one.</p>',
  );

/** Shown (404) for an unknown session. */
export const notFoundPage = () =>
  layout(
    'Session not found',
    '<p>There is no verification session at this address. Check the link, or return to the site that sent you here.</p>',
  );

/** The hosted pages' stylesheet. */
export const STYLESHEET = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; background: Canvas; color: CanvasText; }
.banner { padding: 0.5rem 1rem; border-bottom: 1px solid GrayText; }
.banner p { margin: 0; font-weight: 600; }
.tag { font-size: 0.8rem; border: 1px solid currentColor; border-radius: 0.25rem; padding: 0 0.25rem; }
main { max-width: 36rem; margin: 0 auto; padding: 1rem; }
.field, .choice, .actions { margin: 1rem 0; }
.checkbox, .choice { display: flex; gap: 0.5rem; align-items: flex-start; }
fieldset { border: 1px solid GrayText; border-radius: 0.25rem; }
label, legend { font-weight: 500; }
select { display: block; margin-top: 0.25rem; font: inherit; }
.actions { display: flex; gap: 0.75rem; flex-wrap: wrap; }
button { font: inherit; padding: 0.5rem 1rem; border-radius: 0.25rem; border: 2px solid #0a66c2; background: #0a66c2; color: #fff; cursor: pointer; }
button.secondary { background: transparent; color: inherit; }
.error { color: #b00020; font-weight: 600; }
@media (prefers-color-scheme: dark) { .error { color: #ff8a80; } }
:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.step { color: #595959; }
@media (prefers-color-scheme: dark) { .step { color: #b3b3b3; } }
`;
