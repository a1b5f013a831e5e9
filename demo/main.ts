/** The demo page: controls that set the launcher's attributes, and a live log of its events. */
import '../src/index.js';
import type { KosmosIdvLauncher } from '../src/index.js';

const launcher = document.querySelector<KosmosIdvLauncher>('#launcher')!;
const controls = document.querySelector<HTMLFormElement>('#controls')!;
const stage = document.querySelector<HTMLElement>('#stage')!;
const log = document.querySelector<HTMLOListElement>('#log')!;

function apply(): void {
  const data = new FormData(controls);
  launcher.mode = String(data.get('mode'));
  const documentType = String(data.get('documentType'));
  if (documentType) launcher.documentType = documentType;
  else launcher.removeAttribute('document-type');
  launcher.pollInterval = Number(data.get('pollInterval'));
  stage.className = `theme-${data.get('theme')}`;
}

function readout(): void {
  document.querySelector('#state')!.textContent = launcher.state;
  document.querySelector('#status')!.textContent = String(launcher.status);
  document.querySelector('#verification')!.textContent = String(launcher.verification);
}

const EVENTS = [
  'kosmos-idv-session',
  'kosmos-idv-open',
  'kosmos-idv-status',
  'kosmos-idv-complete',
  'kosmos-idv-expired',
  'kosmos-idv-declined',
  'kosmos-idv-close',
  'kosmos-idv-error',
] as const;

for (const name of EVENTS) {
  launcher.addEventListener(name, (event) => {
    const fields = Object.fromEntries(Object.entries(event).filter(([key]) => key !== 'isTrusted'));
    const entry = document.createElement('li');
    entry.textContent = `${new Date().toLocaleTimeString()} ${name} ${JSON.stringify(fields)}`;
    log.prepend(entry);
    void launcher.updateComplete.then(readout);
  });
}

controls.addEventListener('change', apply);
document.querySelector('#reset')!.addEventListener('click', () => {
  launcher.reset();
  void launcher.updateComplete.then(readout);
});
apply();
void launcher.updateComplete.then(readout);
