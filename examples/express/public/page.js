/* global document */
// Shows the element's outcome. It is only a hint for the page: the server decides, from the full
// result its onResult receives.
const launcher = document.querySelector('kosmos-idv-launcher');
const outcome = document.getElementById('outcome');

launcher.addEventListener('kosmos-idv-complete', (event) => {
  outcome.textContent = `Verification ${event.verification.replace('_', ' ')}.`;
});
launcher.addEventListener('kosmos-idv-declined', () => {
  outcome.textContent = 'Verification declined.';
});
launcher.addEventListener('kosmos-idv-expired', () => {
  outcome.textContent = 'The session expired: start again.';
});
