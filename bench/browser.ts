/**
 * The browser benches' rig: the demo's servers (simulator, backend kit at /api/idv, the demo site)
 * and the system Chromium, plus the user's clicks through the simulator's hosted pages.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { startDemo, type Demo } from '../demo/servers.js';

export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Rig {
  demo: Demo;
  browser: Browser;
  close(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const demo = await startDemo({ port: 0, watch: false, simulator: { port: 0 } });
  try {
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    return {
      demo,
      browser,
      async close() {
        await browser.close();
        await demo.close();
      },
    };
  } catch (error) {
    await demo.close();
    throw error;
  }
}

/** The demo page, its launcher's session started in a popup showing the hosted welcome page. */
export interface Flow {
  context: BrowserContext;
  page: Page;
  popup: Page;
  /** Resolves with the page's clock (epoch ms, sub-ms) when `kosmos-idv-complete` fired. */
  completed(): Promise<number>;
  close(): Promise<void>;
}

declare global {
  interface Window {
    /** Set by {@link openFlow}: when the launcher fired `kosmos-idv-complete`, epoch ms. */
    benchCompleted?: Promise<number>;
  }
}

/**
 * Opens the demo in a fresh browser context and starts a verification in a popup, as a user would.
 * `pollInterval` is set on the launcher when given (the demo page sets the default, 2000 ms).
 */
export async function openFlow(rig: Rig, pollInterval?: number): Promise<Flow> {
  const context = await rig.browser.newContext();
  const page = await context.newPage();
  await page.goto(rig.demo.url);
  await page.evaluate((pollInterval) => {
    const launcher = document.querySelector('kosmos-idv-launcher')!;
    launcher.setAttribute('document-type', 'passport');
    if (pollInterval !== undefined) launcher.setAttribute('poll-interval', String(pollInterval));
    window.benchCompleted = new Promise((resolve) =>
      launcher.addEventListener('kosmos-idv-complete', () => resolve(performance.timeOrigin + performance.now()), { once: true }),
    );
  }, pollInterval);
  const opened = page.waitForEvent('popup');
  await page.getByRole('button', { name: 'Verify your identity' }).click();
  const popup = await opened;
  await popup.waitForURL(/\/idproofing\/session\//);
  await popup.getByRole('checkbox').waitFor();
  return {
    context,
    page,
    popup,
    completed: () => page.evaluate(() => window.benchCompleted!),
    close: () => context.close(),
  };
}

/** Consent and "Let's get started": the session is in progress, the document page shows. */
export async function beginHostedFlow(popup: Page): Promise<void> {
  await popup.getByRole('checkbox').check();
  await popup.getByRole('button', { name: /get started/i }).click();
  await popup.getByLabel('Pass').waitFor();
}

/** Picks "Pass" and presses Submit on the document page (the last hosted step). */
export async function submitDocument(popup: Page): Promise<void> {
  await popup.getByLabel('Pass').check();
  await popup.getByRole('button', { name: 'Submit' }).click();
}
