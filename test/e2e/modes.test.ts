/**
 * End to end, the modes that keep the user on the page: `qr` (the QR code is decoded for real and
 * its URL finished on a "phone", a second browser context) and `embedded` (the hosted pages in the
 * element's dialog).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import type { Locator } from 'playwright';
import {
  consentAndStart,
  events,
  launcherButton,
  launcherState,
  screenshot,
  submitDocument,
  useE2E,
  visit,
  waitForBadge,
  waitForEvent,
} from './helpers.js';

// jsqr is CommonJS: imported from ESM its default is `module.exports`, which has the decoder as `.default`.
const jsQR = jsqr.default;

/** White space added around the code before decoding (a scanner wants a quiet zone of 4 modules). */
const QUIET_ZONE = 64;

/** Screenshots a QR code and decodes it. */
async function decodeQr(code: Locator): Promise<string | undefined> {
  const shot = PNG.sync.read(await code.screenshot());
  const padded = new PNG({ width: shot.width + 2 * QUIET_ZONE, height: shot.height + 2 * QUIET_ZONE });
  padded.data.fill(255);
  PNG.bitblt(shot, padded, 0, 0, shot.width, shot.height, QUIET_ZONE, QUIET_ZONE);
  return jsQR(new Uint8ClampedArray(padded.data), padded.width, padded.height)?.data;
}

const e2e = useE2E();

describe('the qr and embedded modes', () => {
  it('shows a QR code of the hosted URL; finishing it on a phone turns the desktop badge to Verified', async () => {
    const desktop = await visit(e2e, { attributes: { mode: 'qr', 'document-type': 'passport', 'poll-interval': '500' } });
    let popups = 0;
    desktop.context.on('page', () => popups++);
    await launcherButton(desktop.page).click();
    const code = desktop.page.locator('kosmos-idv-launcher [part~="qr"] svg');
    await code.waitFor();
    await waitForBadge(desktop.page, 'Not started yet');
    await screenshot(desktop.page, 'qr');
    const [session] = await events(desktop.page, 'kosmos-idv-session');
    const url = await decodeQr(code);
    assert.equal(url, session.url);
    assert.match(url ?? '', /\/idproofing\/session\//);

    const phone = await e2e.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const flow = await phone.newPage();
    await flow.goto(url ?? '');
    await consentAndStart(flow);
    await waitForBadge(desktop.page, 'In progress');
    await submitDocument(flow, 'pass');

    await waitForBadge(desktop.page, 'Verified');
    assert.equal(await launcherState(desktop.page), 'completed');
    await code.waitFor({ state: 'detached' });
    assert.equal(popups, 0);
    assert.equal(desktop.creates.length, 1);
    await phone.close();
    await desktop.context.close();
  });

  it('runs the hosted pages in the dialog, which closes once the session is completed', async () => {
    const { page, context, creates } = await visit(e2e, {
      attributes: { mode: 'embedded', 'document-type': 'passport', 'poll-interval': '500' },
    });
    await launcherButton(page).click();
    const dialog = page.locator('kosmos-idv-launcher [part~="dialog"]');
    await dialog.waitFor();
    const open = await waitForEvent(page, 'kosmos-idv-open');
    assert.equal(open.mode, 'embedded');
    const [session] = await events(page, 'kosmos-idv-session');
    assert.equal(await dialog.locator('iframe').getAttribute('src'), session.url);

    const flow = page.frameLocator('kosmos-idv-launcher iframe');
    await flow.getByRole('heading', { name: 'Verify your identity' }).waitFor();
    await consentAndStart(flow);
    await waitForBadge(page, 'In progress');
    await submitDocument(flow, 'pass');

    await waitForBadge(page, 'Verified');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await launcherState(page), 'completed');
    assert.deepEqual(
      (await events(page, 'kosmos-idv-complete')).map((event) => event.verification),
      ['passed'],
    );
    assert.deepEqual(await events(page, 'kosmos-idv-close'), []);
    assert.equal(creates.length, 1);
    await context.close();
  });
});
