/**
 * SSR safety: both entries import in plain Node, with no DOM and no shim installed by the test.
 * Lit's `node` export condition supplies its own `HTMLElement` (from `@lit-labs/ssr-dom-shim`, kept
 * local to Lit) and a `customElements` registry on `globalThis`; nothing else may appear.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

const DOM_GLOBALS = ['window', 'document', 'customElements', 'HTMLElement', 'location', 'sessionStorage'];

const present = () => DOM_GLOBALS.filter((name) => name in globalThis);

test('the test starts without a DOM', () => {
  assert.deepEqual(present(), []);
});

test('kosmos-idv-launcher/api imports without a DOM and adds none', async () => {
  const api = await import('../src/api/index.js');
  assert.equal(typeof api.createClient, 'function');
  assert.equal(typeof api.Poller, 'function');
  assert.equal(api.normaliseStatus('In Progress'), 'in_progress');
  assert.deepEqual(present(), []);
});

test('kosmos-idv-launcher imports without a DOM and registers its tag in Lit\'s server registry', async () => {
  const entry = await import('../src/index.js');
  assert.equal(entry.tagName, 'kosmos-idv-launcher');
  assert.deepEqual(present(), ['customElements']);
  assert.equal(globalThis.customElements.get(entry.tagName), entry.KosmosIdvLauncher);
});

test('the element and its events can be constructed without a DOM', async () => {
  const { KosmosIdvLauncher, KosmosIdvCompleteEvent } = await import('../src/index.js');
  const element = new KosmosIdvLauncher();
  assert.equal(element.state, 'idle');
  assert.equal(element.sessionId, null);
  const event = new KosmosIdvCompleteEvent('s-1', 'passed');
  assert.equal(event.type, 'kosmos-idv-complete');
  assert.equal(event.bubbles && event.composed, true);
  assert.deepEqual(present(), ['customElements']);
});
