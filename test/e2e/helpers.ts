/**
 * Shared setup of the end-to-end suites: the demo's servers (simulator, backend kit, Vite site)
 * and the system Chromium, one of each per test file; a fresh browser context per visit, with the
 * launcher's events recorded from before the page's own scripts run (so they survive reloads) and
 * every session-creating POST counted; the clicks of the simulator's hosted pages; badge
 * screenshots.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright';
import { startDemo, type Demo } from '../../demo/servers.js';
import { EVENT_NAMES } from '../../src/components/events.js';
import type { KosmosIdvLauncher } from '../../src/index.js';

/** What the backend kit's `onResult` received (the PII is left out). */
export interface KitResult {
  sessionId: string;
  status: string;
  verification: string | null;
  reasonCode?: string;
}

/** One file's servers and browser. */
export interface E2E {
  demo: Demo;
  browser: Browser;
  results: KitResult[];
  close(): Promise<void>;
}

/** A launcher event as recorded in the page: its type and its own fields. */
export interface SeenEvent {
  type: string;
  [field: string]: unknown;
}

/** A page opened in its own browser context. */
export interface Visit {
  page: Page;
  context: BrowserContext;
  /** The session-creating `POST {endpoint}` requests the page has sent so far. */
  creates: string[];
}

export interface VisitOptions {
  /** The demo site's path (default `/`). */
  path?: string;
  /** Set on `<kosmos-idv-launcher>` once the page has loaded. */
  attributes?: Record<string, string>;
  /** A script run in the page before its own (e.g. a popup blocker). */
  initScript?: () => void;
}

const ROOT = new URL('../../', import.meta.url);
const ARTIFACTS = new URL('test-results/screenshots/', ROOT);
const DOCS = new URL('docs/screenshots/', ROOT);
/** The badge states the README shows (copied to docs/screenshots with UPDATE_SCREENSHOTS=1). */
/** White space around the launcher in a screenshot, in CSS pixels. */
const MARGIN = 12;
const README_SHOTS = new Set(['idle', 'in-progress', 'verified', 'failed', 'declined', 'expired']);

/** Starts the demo's servers on free ports and the system Chromium. */
export async function startE2E(): Promise<E2E> {
  const results: KitResult[] = [];
  const demo = await startDemo({
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
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox'],
    });
  } catch (error) {
    await demo.close();
    throw error;
  }
  return {
    demo,
    browser,
    results,
    async close() {
      await browser.close();
      await demo.close();
    },
  };
}

/**
 * One test file's servers and browser: started (after `prepare`) before the file's tests, closed
 * after them. The object is filled in by then.
 */
export function useE2E(prepare?: () => Promise<void>): E2E {
  const e2e = {} as E2E;
  before(async () => {
    await prepare?.();
    Object.assign(e2e, await startE2E());
  });
  after(() => e2e.close?.());
  return e2e;
}

/** Opens a demo page in a new browser context and waits for the launcher's button. */
export async function visit(e2e: E2E, options: VisitOptions = {}): Promise<Visit> {
  const context = await e2e.browser.newContext({ deviceScaleFactor: 2 });
  await context.addInitScript((types) => {
    const seen: unknown[] = [];
    Object.assign(window, { idvEvents: seen });
    for (const type of types) {
      document.addEventListener(type, (event) => seen.push({ ...event, type }), true);
    }
  }, EVENT_NAMES);
  if (options.initScript) await context.addInitScript(options.initScript);
  const page = await context.newPage();
  const creates: string[] = [];
  const endpoint = new URL('api/idv', e2e.demo.url).href;
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url() === endpoint) creates.push(request.url());
  });
  await page.goto(new URL(options.path ?? '/', e2e.demo.url).href);
  await launcherButton(page).waitFor();
  if (options.attributes) await setAttributes(page, options.attributes);
  return { page, context, creates };
}

/** Sets attributes on the page's `<kosmos-idv-launcher>`. */
export async function setAttributes(page: Page, attributes: Record<string, string>): Promise<void> {
  await page.locator('kosmos-idv-launcher').evaluate((launcher, attributes) => {
    for (const [name, value] of Object.entries(attributes)) launcher.setAttribute(name, value);
  }, attributes);
}

/** The launcher's main button (start, continue, try again …). */
export const launcherButton = (page: Page): Locator => page.locator('kosmos-idv-launcher [part~="button"]').first();

/** The badge's status text. */
export const badge = (page: Page): Locator => page.locator('kosmos-idv-launcher [part~="status"]');

/** Waits until the badge reads exactly `text`. */
export async function waitForBadge(page: Page, text: string): Promise<void> {
  await badge(page)
    .filter({ hasText: new RegExp(`^${text}$`) })
    .waitFor();
}

/** The launcher's `state` property. */
export const launcherState = (page: Page): Promise<string> =>
  page.locator('kosmos-idv-launcher').evaluate((launcher: KosmosIdvLauncher) => launcher.state);

/** The launcher events of one type the page has seen since it was (re)loaded. */
export const events = (page: Page, type: string): Promise<SeenEvent[]> =>
  page.evaluate(
    (type) => (window as unknown as { idvEvents: SeenEvent[] }).idvEvents.filter((event) => event.type === type),
    type,
  );

/** Waits for the page's first event of a type and returns it. */
export async function waitForEvent(page: Page, type: string): Promise<SeenEvent> {
  await page.waitForFunction(
    (type) => (window as unknown as { idvEvents: SeenEvent[] }).idvEvents.some((event) => event.type === type),
    type,
  );
  const [event] = await events(page, type);
  return event;
}

/** Clicks the launcher's main button and returns the popup it opens, once it shows the hosted flow. */
export async function startInPopup(page: Page): Promise<Page> {
  return openedBy(page, () => launcherButton(page).click());
}

/** Runs `click` and returns the popup it opens, once that shows the hosted flow. */
export async function openedBy(page: Page, click: () => Promise<void>): Promise<Page> {
  const popup = page.waitForEvent('popup');
  await click();
  const flow = await popup;
  await flow.waitForURL(/\/idproofing\/session\//);
  return flow;
}

/** A hosted flow: a page (popup, tab, phone) or the embedded dialog's frame. */
export type HostedFlow = Pick<Page, 'getByRole' | 'getByLabel'>;

/** Welcome screen: ticks the consent box and presses "Let's get started". */
export async function consentAndStart(flow: HostedFlow): Promise<void> {
  await flow.getByRole('checkbox').check();
  await flow.getByRole('button', { name: /get started/i }).click();
  await flow.getByRole('heading', { name: 'Scan your document' }).waitFor();
}

/**
 * Document step: picks the outcome (and the reason code for a failure) and submits. The caller
 * waits for the launcher: once the session is final the element may close the popup or dialog at
 * any moment, so nothing is awaited in the flow after the click.
 */
export async function submitDocument(
  flow: HostedFlow,
  outcome: 'pass' | 'fail' | 'not_performed',
  reasonCode?: string,
): Promise<void> {
  const labels = { pass: /^Pass$/, fail: /^Fail/, not_performed: /^Not performed$/ };
  await flow.getByLabel(labels[outcome]).check();
  if (reasonCode) await flow.getByLabel(/Reason code/).selectOption(reasonCode);
  await flow.getByRole('button', { name: 'Submit' }).click();
}

/**
 * Screenshots the launcher (with a margin) into test-results/screenshots/{name}.png; with UPDATE_SCREENSHOTS=1
 * the README's ones are copied to docs/screenshots/ too.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  const box = await page.locator('kosmos-idv-launcher').boundingBox();
  assert.ok(box, 'the launcher is not rendered');
  const clip = { x: box.x - MARGIN, y: box.y - MARGIN, width: box.width + 2 * MARGIN, height: box.height + 2 * MARGIN };
  const png = await page.screenshot({ clip, animations: 'disabled' });
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(new URL(`${name}.png`, ARTIFACTS), png);
  if (process.env.UPDATE_SCREENSHOTS === '1' && README_SHOTS.has(name)) {
    await mkdir(DOCS, { recursive: true });
    await writeFile(new URL(`${name}.png`, DOCS), png);
  }
}
