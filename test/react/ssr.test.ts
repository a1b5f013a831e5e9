/**
 * `kosmos-idv-launcher/react` during server-side rendering: it imports in plain Node with no DOM,
 * and `renderToString` gives the bare tag with its plain attributes; the element's properties and
 * listeners wait for the browser (React sets them once the element is mounted).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';

test('kosmos-idv-launcher/react imports without a DOM and renders the tag on the server', async () => {
  assert.equal('window' in globalThis || 'document' in globalThis, false);
  const { KosmosIdvLauncher } = await import('../../src/react/index.js');
  const html = renderToString(
    createElement(KosmosIdvLauncher, {
      id: 'launcher',
      className: 'idv',
      endpoint: '/api/idv',
      documentType: 'passport',
      onKosmosIdvComplete: () => {},
    }),
  );
  assert.equal(html, '<kosmos-idv-launcher id="launcher" class="idv"></kosmos-idv-launcher>');
  assert.equal('window' in globalThis || 'document' in globalThis, false);
});
