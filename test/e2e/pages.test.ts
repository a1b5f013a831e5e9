/**
 * End to end, the demo's other pages: the CDN build on a page with no bundler, the React wrapper
 * and Vue each get the final event, shown in the page's `#outcome`, after the user clicks through
 * the hosted pages in the popup. The CDN build's lazy views (the `embedded` dialog, the `qr` code)
 * load from their chunks, with their styles.
 */
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Page } from 'playwright';
import { consentAndStart, events, launcherButton, startInPopup, submitDocument, useE2E, visit } from './helpers.js';

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

describe('the CDN build\'s lazy views', () => {
  it('embedded: the hosted pages run in the dialog until "complete: passed"', async () => {
    const { page, context } = await visit(e2e, {
      path: '/cdn.html',
      attributes: { mode: 'embedded', 'document-type': 'passport', 'poll-interval': '500' },
    });
    await launcherButton(page).click();
    const dialog = page.locator('kosmos-idv-launcher [part~="dialog"]');
    await dialog.waitFor();
    // The dialog's own stylesheet (from its chunk) applies: its frame fills it below the header.
    const frameHeight = await dialog.locator('iframe').evaluate((frame) => frame.getBoundingClientRect().height);
    assert.ok(frameHeight > 300, `the frame is ${frameHeight}px high`);
    const flow = page.frameLocator('kosmos-idv-launcher iframe');
    await consentAndStart(flow);
    await submitDocument(flow, 'pass');

    await waitForOutcome(page, 'complete: passed');
    await context.close();
  });

  it('qr: the code of the session\'s URL is drawn at its styled size', async () => {
    const { page, context } = await visit(e2e, {
      path: '/cdn.html',
      attributes: { mode: 'qr', 'document-type': 'passport' },
    });
    await launcherButton(page).click();
    const code = page.locator('kosmos-idv-launcher [part~="qr"] svg');
    await code.waitFor();
    const [session] = await events(page, 'kosmos-idv-session');
    assert.equal(await page.locator('kosmos-idv-launcher .url').textContent(), session.url);
    assert.match((await code.locator('path').getAttribute('d')) ?? '', /^M\d+ \d+h1v1h-1z/);
    // --kosmos-idv-qr-size's default, 12rem, from the view's stylesheet.
    assert.equal(await code.evaluate((svg) => svg.getBoundingClientRect().width), 192);
    await context.close();
  });
});
