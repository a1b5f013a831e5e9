/**
 * End to end, the demo's other pages: the CDN build on a page with no bundler, the React wrapper
 * and Vue each get the final event, shown in the page's `#outcome`, after the user clicks through
 * the hosted pages in the popup.
 */
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import { consentAndStart, startInPopup, submitDocument, useE2E, visit } from './helpers.js';

const CDN_BUILD = new URL('../../dist/cdn/kosmos-idv-launcher.js', import.meta.url);
const PAGES = [
  { name: 'the CDN page', path: '/cdn.html' },
  { name: 'the React page', path: '/react.html' },
  { name: 'the Vue page', path: '/vue.html' },
];

/** Waits until the page's `#outcome` reads exactly `text`. */
async function waitForOutcome(page: Page, text: string): Promise<void> {
  await page.locator('#outcome').filter({ hasText: new RegExp(`^${text}$`) }).waitFor();
}

const e2e = useE2E(() =>
  access(CDN_BUILD).catch(() => assert.fail('The CDN page needs the CDN build: run `npm run build:cdn` first.')),
);

describe('the CDN, React and Vue pages', () => {
  for (const { name, path } of PAGES) {
    it(`${name} shows "complete: passed" once the user passes the check`, async () => {
      const { page, context, creates } = await visit(e2e, { path, attributes: { 'poll-interval': '500' } });
      await waitForOutcome(page, 'none yet');
      const flow = await startInPopup(page);
      await consentAndStart(flow);
      await submitDocument(flow, 'pass');

      await waitForOutcome(page, 'complete: passed');
      assert.equal(creates.length, 1);
      await context.close();
    });

    it(`${name} shows "declined" once the user declines`, async () => {
      const { page, context } = await visit(e2e, { path, attributes: { 'poll-interval': '500' } });
      const flow = await startInPopup(page);
      await flow.getByRole('button', { name: 'Decline' }).click();

      await waitForOutcome(page, 'declined');
      await context.close();
    });
  }
});
