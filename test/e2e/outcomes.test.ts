/**
 * End to end, as a user would: the demo page (the element), the backend kit and the simulator's
 * hosted pages in a popup, clicked through in the system Chromium, to every final status; the
 * badge is screenshotted in each state it passes through.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  consentAndStart,
  events,
  launcherButton,
  launcherState,
  screenshot,
  startInPopup,
  submitDocument,
  useE2E,
  visit,
  waitForBadge,
  waitForEvent,
} from './helpers.js';

const attributes = { 'document-type': 'passport', 'poll-interval': '500' };

const e2e = useE2E();

describe('a verification in a popup, to each final status', () => {
  it('reaches completed/passed after the user clicks through the hosted pages', async () => {
    const { page, context, creates } = await visit(e2e, { attributes });
    await screenshot(page, 'idle');
    const flow = await startInPopup(page);
    await waitForBadge(page, 'Not started yet');
    await screenshot(page, 'pending');
    await consentAndStart(flow);
    await waitForBadge(page, 'In progress');
    await screenshot(page, 'in-progress');
    await submitDocument(flow, 'pass');

    await waitForBadge(page, 'Verified');
    await screenshot(page, 'verified');
    assert.equal(await launcherState(page), 'completed');
    const complete = await events(page, 'kosmos-idv-complete');
    assert.equal(complete.length, 1);
    assert.equal(complete[0].verification, 'passed');
    const sessionId = complete[0].sessionId as string;
    assert.deepEqual(
      (await events(page, 'kosmos-idv-status')).map((event) => event.status),
      ['pending', 'in_progress', 'completed'],
    );
    assert.deepEqual(
      e2e.results.filter((result) => result.sessionId === sessionId),
      [{ sessionId, status: 'completed', verification: 'passed' }],
    );
    assert.equal(creates.length, 1);
    // The element closes the popup it opened once the session is final.
    if (!flow.isClosed()) await flow.waitForEvent('close');
    await context.close();
  });

  it('reaches completed/failed, with the reason code for the backend only', async () => {
    const { page, context } = await visit(e2e, { attributes });
    const flow = await startInPopup(page);
    await consentAndStart(flow);
    await submitDocument(flow, 'fail', 'IDV0010');

    await waitForBadge(page, 'Verification failed');
    await screenshot(page, 'failed');
    const [complete] = await events(page, 'kosmos-idv-complete');
    assert.equal(complete.verification, 'failed');
    assert.equal(JSON.stringify(await events(page, 'kosmos-idv-status')).includes('IDV0010'), false);
    const sessionId = complete.sessionId as string;
    assert.deepEqual(
      e2e.results.filter((result) => result.sessionId === sessionId),
      [{ sessionId, status: 'completed', verification: 'failed', reasonCode: 'IDV0010' }],
    );
    await context.close();
  });

  it('reaches completed/not_performed when the document check was not performed', async () => {
    const { page, context } = await visit(e2e, { attributes });
    const flow = await startInPopup(page);
    await consentAndStart(flow);
    await submitDocument(flow, 'not_performed');

    await waitForBadge(page, 'Completed, not verified');
    await screenshot(page, 'not-verified');
    const [complete] = await events(page, 'kosmos-idv-complete');
    assert.equal(complete.verification, 'not_performed');
    await context.close();
  });

  it('reaches declined when the user declines on the welcome screen', async () => {
    const { page, context } = await visit(e2e, { attributes });
    const flow = await startInPopup(page);
    await flow.getByRole('button', { name: 'Decline' }).click();

    await waitForBadge(page, 'Declined');
    await screenshot(page, 'declined');
    assert.equal(await launcherState(page), 'declined');
    assert.equal((await events(page, 'kosmos-idv-declined')).length, 1);
    assert.equal((await events(page, 'kosmos-idv-complete')).length, 0);
    await context.close();
  });

  it('reaches expired once the session lifetime has passed on the simulator clock', async () => {
    const { page, context } = await visit(e2e, { attributes });
    const flow = await startInPopup(page);
    await waitForBadge(page, 'Not started yet');
    e2e.demo.simulator.clock.advance(7 * 24 * 3600 + 1);

    await waitForBadge(page, 'Expired');
    await screenshot(page, 'expired');
    assert.equal(await launcherState(page), 'expired');
    assert.equal((await events(page, 'kosmos-idv-expired')).length, 1);
    if (!flow.isClosed()) await flow.waitForEvent('close');
    const [session] = await events(page, 'kosmos-idv-session');
    const hosted = await context.newPage();
    await hosted.goto(session.url as string);
    await hosted.getByRole('heading', { name: /expired/i }).waitFor();
    await context.close();
  });

  it('shows "Starting…" while the backend creates the session', async () => {
    const { page, context } = await visit(e2e, { attributes });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      '**/api/idv',
      async (route) => {
        await held;
        await route.continue();
      },
      { times: 1 },
    );
    const popup = page.waitForEvent('popup');
    await launcherButton(page).click();
    await page.locator('kosmos-idv-launcher [part~="button"][aria-busy="true"]').getByText('Starting…').waitFor();
    assert.equal(await launcherState(page), 'creating');
    await screenshot(page, 'starting');
    release();
    await waitForBadge(page, 'Not started yet');
    const flow = await popup;
    await flow.waitForURL(/\/idproofing\/session\//);
    await context.close();
  });

  it('shows a backend failure to the user in plain words, and "Try again" starts the session', async () => {
    const { page, context, creates } = await visit(e2e, { attributes });
    await page.route(
      '**/api/idv',
      (route) =>
        route.fulfill({
          status: 500,
          contentType: 'application/json',
          body: JSON.stringify({
            error: { code: 'upstream_unavailable', message: 'The verification service is unavailable.', retryable: true },
          }),
        }),
      { times: 1 },
    );
    await launcherButton(page).click();
    const error = await waitForEvent(page, 'kosmos-idv-error');
    assert.equal(error.code, 'server_error');
    assert.equal(error.message, 'The verification service is unavailable.');
    await page.locator('kosmos-idv-launcher [part~="error"]').getByText('could not be reached. Try again in a moment.').waitFor();
    assert.equal(await launcherState(page), 'error');
    await screenshot(page, 'error');

    const flow = await startInPopup(page);
    await waitForBadge(page, 'Not started yet');
    assert.equal(creates.length, 2);
    assert.equal(await launcherState(page), 'open');
    await flow.close();
    await context.close();
  });
});
