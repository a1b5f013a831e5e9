/**
 * End to end, the popup's troubles as a user meets them: a popup blocker, closing the popup before
 * the end, reloading the page mid-flow. Each time the one session carries on to `completed`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  consentAndStart,
  events,
  launcherButton,
  launcherState,
  openedBy,
  setAttributes,
  startInPopup,
  submitDocument,
  useE2E,
  visit,
  waitForBadge,
  waitForEvent,
} from './helpers.js';

const attributes = { 'document-type': 'passport', 'poll-interval': '500' };

/** A popup blocker that refuses the page's first `window.open` only. */
function blockFirstPopup(): void {
  const open = window.open.bind(window);
  let blocked = false;
  window.open = (...args) => {
    if (blocked) return open(...args);
    blocked = true;
    return null;
  };
}

const e2e = useE2E();

describe('the popup blocked, closed early, or the page reloaded', () => {
  it('offers a link when the popup is blocked, and the link opens the flow in a popup', async () => {
    const { page, context, creates } = await visit(e2e, { attributes, initScript: blockFirstPopup });
    await launcherButton(page).click();
    await page.getByText('Your browser blocked the verification window.').waitFor();
    await waitForBadge(page, 'Not started yet');
    assert.equal(await launcherState(page), 'polling');
    assert.deepEqual(await events(page, 'kosmos-idv-error'), []);
    assert.deepEqual(await events(page, 'kosmos-idv-open'), []);

    const flow = await openedBy(page, () => page.getByRole('link', { name: 'Open the verification' }).click());
    const [session] = await events(page, 'kosmos-idv-session');
    assert.equal(flow.url(), session.url);
    const open = await waitForEvent(page, 'kosmos-idv-open');
    assert.equal(open.mode, 'popup');
    await consentAndStart(flow);
    await submitDocument(flow, 'pass');

    await waitForBadge(page, 'Verified');
    assert.equal(await launcherState(page), 'completed');
    assert.equal(creates.length, 1);
    if (!flow.isClosed()) await flow.waitForEvent('close');
    await context.close();
  });

  it('stays in progress when the popup is closed early, and "Continue verification" reopens the same session', async () => {
    const { page, context, creates } = await visit(e2e, { attributes });
    const first = await startInPopup(page);
    await consentAndStart(first);
    await waitForBadge(page, 'In progress');
    await first.close();

    const close = await waitForEvent(page, 'kosmos-idv-close');
    const [session] = await events(page, 'kosmos-idv-session');
    assert.equal(close.sessionId, session.sessionId);
    assert.equal(close.status, 'in_progress');
    assert.equal(await launcherState(page), 'polling');
    await waitForBadge(page, 'In progress');

    const again = await openedBy(page, () =>
      page.getByRole('button', { name: 'Continue verification' }).click(),
    );
    assert.equal(again.url(), session.url);
    await submitDocument(again, 'pass');

    await waitForBadge(page, 'Verified');
    const complete = await events(page, 'kosmos-idv-complete');
    assert.deepEqual(
      complete.map((event) => [event.sessionId, event.verification]),
      [[session.sessionId, 'passed']],
    );
    assert.equal(creates.length, 1);
    await context.close();
  });

  it('resumes the same session after a reload, and finishing the flow in the open popup completes it', async () => {
    const { page, context, creates } = await visit(e2e, { attributes });
    const flow = await startInPopup(page);
    await consentAndStart(flow);
    await waitForBadge(page, 'In progress');
    const [created] = await events(page, 'kosmos-idv-session');
    assert.equal(created.resumed, false);

    await page.reload();
    const resumed = await waitForEvent(page, 'kosmos-idv-session');
    assert.equal(resumed.sessionId, created.sessionId);
    assert.equal(resumed.url, created.url);
    assert.equal(resumed.resumed, true);
    await setAttributes(page, { 'poll-interval': '500' });
    await waitForBadge(page, 'In progress');
    assert.equal(await launcherState(page), 'polling');
    await page.getByRole('button', { name: 'Continue verification' }).waitFor();

    await submitDocument(flow, 'pass');
    await waitForBadge(page, 'Verified');
    const [complete] = await events(page, 'kosmos-idv-complete');
    assert.equal(complete.sessionId, created.sessionId);
    assert.equal(complete.verification, 'passed');
    assert.equal(creates.length, 1);
    await context.close();
  });
});
