/**
 * End to end, as a user would: the demo page (the element), the backend kit and the simulator's
 * hosted pages, clicked through in the system Chromium.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright';
import { startDemo, type Demo } from '../../demo/servers.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let demo: Demo;
let browser: Browser;
const results: { sessionId: string; status: string; verification: string | null; reasonCode?: string }[] = [];

before(async () => {
  demo = await startDemo({
    port: 0,
    watch: false,
    simulator: { port: 0 },
    kit: {
      onResult: (result, { sessionId }) => {
        const { status, verification, reasonCode } = result;
        results.push({ sessionId, status, verification, ...(reasonCode ? { reasonCode } : {}) });
      },
    },
  });
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

/** Opens the demo, records the launcher's events, and starts a verification in a popup. */
async function startVerification(page: Page): Promise<Page> {
  await page.goto(demo.url);
  await page.evaluate(() => {
    const launcher = document.querySelector('kosmos-idv-launcher')!;
    const seen: { type: string; fields: Record<string, unknown> }[] = [];
    (window as unknown as { seen: typeof seen }).seen = seen;
    for (const type of ['kosmos-idv-session', 'kosmos-idv-open', 'kosmos-idv-status', 'kosmos-idv-complete', 'kosmos-idv-declined', 'kosmos-idv-expired', 'kosmos-idv-error']) {
      launcher.addEventListener(type, (event) => seen.push({ type, fields: { ...event } }));
    }
    launcher.setAttribute('document-type', 'passport');
    launcher.setAttribute('poll-interval', '500');
  });
  const popup = page.waitForEvent('popup');
  await page.getByRole('button', { name: 'Verify your identity' }).click();
  const flow = await popup;
  await flow.waitForURL(/\/idproofing\/session\//);
  return flow;
}

const events = (page: Page, type: string) =>
  page.evaluate((type) => (window as unknown as { seen: { type: string; fields: Record<string, unknown> }[] }).seen.filter((event) => event.type === type), type);

const badge = (page: Page) => page.locator('kosmos-idv-launcher [part~="status"]');

describe('the element, the backend kit and the simulator together', () => {
  it('reaches completed/passed after the user clicks through the hosted pages', async () => {
    const page = await browser.newPage();
    const flow = await startVerification(page);
    await flow.getByRole('checkbox').check();
    await flow.getByRole('button', { name: /get started/i }).click();
    await badge(page).getByText('In progress').waitFor();
    await flow.getByLabel('Pass').check();
    await flow.getByRole('button', { name: 'Submit' }).click();

    await badge(page).getByText('Verified').waitFor();
    assert.equal(await page.locator('kosmos-idv-launcher').evaluate((el: Element & { state?: string }) => el.state), 'completed');
    const complete = await events(page, 'kosmos-idv-complete');
    assert.equal(complete.length, 1);
    assert.equal(complete[0].fields.verification, 'passed');
    const sessionId = complete[0].fields.sessionId as string;
    assert.deepEqual(results.filter((result) => result.sessionId === sessionId), [
      { sessionId, status: 'completed', verification: 'passed' },
    ]);
    // The element closes the popup it opened once the session is final.
    if (!flow.isClosed()) await flow.waitForEvent('close', { timeout: 5000 });
    await page.close();
  });

  it('reaches declined when the user declines on the welcome screen', async () => {
    const page = await browser.newPage();
    const flow = await startVerification(page);
    await flow.getByRole('button', { name: 'Decline' }).click();
    await badge(page).getByText('Declined').waitFor();
    assert.equal((await events(page, 'kosmos-idv-declined')).length, 1);
    await page.close();
  });

  it('reaches completed/failed, with the reason code for the backend only', async () => {
    const page = await browser.newPage();
    const flow = await startVerification(page);
    await flow.getByRole('checkbox').check();
    await flow.getByRole('button', { name: /get started/i }).click();
    await flow.getByLabel(/^Fail/).check();
    await flow.getByLabel(/Reason code/).selectOption('IDV0010');
    await flow.getByRole('button', { name: 'Submit' }).click();

    await badge(page).getByText('Verification failed').waitFor();
    const [complete] = await events(page, 'kosmos-idv-complete');
    assert.equal(complete.fields.verification, 'failed');
    const sessionId = complete.fields.sessionId as string;
    assert.deepEqual(results.filter((result) => result.sessionId === sessionId), [
      { sessionId, status: 'completed', verification: 'failed', reasonCode: 'IDV0010' },
    ]);
    await page.close();
  });

  it('reaches expired once the session lifetime has passed on the simulator clock', async () => {
    const page = await browser.newPage();
    const flow = await startVerification(page);
    await badge(page).getByText('Not started yet').waitFor();
    demo.simulator.clock.advance(7 * 24 * 3600 + 1);
    await badge(page).getByText('Expired').waitFor();
    assert.equal((await events(page, 'kosmos-idv-expired')).length, 1);
    if (!flow.isClosed()) await flow.waitForEvent('close', { timeout: 5000 });
    const [session] = await events(page, 'kosmos-idv-session');
    const hosted = await browser.newPage();
    await hosted.goto(session.fields.url as string);
    await hosted.getByRole('heading', { name: /expired/i }).waitFor();
    await hosted.close();
    await page.close();
  });
});
