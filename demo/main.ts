/** The demo page: controls that set the launcher's attributes, and a live log of its events. */
import '../src/index.js';
import { EVENT_NAMES, type DocumentTypeWord, type KosmosIdvLauncher, type LaunchMode } from '../src/index.js';
import { describeEvent, NO_OUTCOME, outcomeOf } from './shared.js';

const launcher = document.querySelector<KosmosIdvLauncher>('#launcher')!;
const controls = document.querySelector<HTMLFormElement>('#controls')!;
const stage = document.querySelector<HTMLElement>('#stage')!;
const log = document.querySelector<HTMLOListElement>('#log')!;
const outcome = document.querySelector<HTMLOutputElement>('#outcome')!;

function apply(): void {
  const data = new FormData(controls);
  launcher.mode = data.get('mode') as LaunchMode;
  const documentType = data.get('documentType') as DocumentTypeWord | '';
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

for (const name of EVENT_NAMES) {
  launcher.addEventListener(name, (event) => {
    const entry = document.createElement('li');
    entry.textContent = describeEvent(event);
    log.prepend(entry);
    void launcher.updateComplete.then(readout);
  });
}
launcher.addEventListener('kosmos-idv-session', () => {
  outcome.value = NO_OUTCOME;
});
for (const name of ['kosmos-idv-complete', 'kosmos-idv-expired', 'kosmos-idv-declined'] as const) {
  launcher.addEventListener(name, (event) => {
    outcome.value = outcomeOf(event);
  });
}

controls.addEventListener('change', apply);
document.querySelector('#reset')!.addEventListener('click', () => {
  launcher.reset();
  outcome.value = NO_OUTCOME;
  void launcher.updateComplete.then(readout);
});
apply();
void launcher.updateComplete.then(readout);
