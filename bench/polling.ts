/**
 * Status requests per minute: the GETs of `{endpoint}/{sessionId}` the demo page sends, counted
 * by Playwright over a window and scaled to a minute, with the launcher at its default interval:
 * - visible: the session in progress, its popup open;
 * - hidden: the same, the page then made hidden by overriding `document.visibilityState` (and
 *   `document.hidden`) and dispatching `visibilitychange`: headless Chromium has no hidden tabs
 *   to switch to. The window starts at that moment. (A really hidden tab is also throttled by
 *   Chromium, which can only lower the count.)
 * - after a terminal status: the session completed through the hosted pages; the window starts
 *   at `kosmos-idv-complete`.
 * The three run at once, each in its own browser context.
 */
import type { Page } from 'playwright';
import { beginHostedFlow, openFlow, submitDocument, type Flow, type Rig } from './browser.js';
import type { BenchOptions, Figure } from './figures.js';

const STATUS_PATH = /^\/api\/idv\/[^/]+$/;

/** Makes the page hidden as far as its scripts can tell (a string: tsx would wrap the getters in a helper the page lacks). */
const HIDE = `
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
  document.dispatchEvent(new Event('visibilitychange'));
`;

/** Counts the page's status reads from now on. */
function countReads(page: Page): () => number {
  let reads = 0;
  page.on('request', (request) => {
    if (request.method() === 'GET' && STATUS_PATH.test(new URL(request.url()).pathname)) reads += 1;
  });
  return () => reads;
}

/** Reads during `seconds`, counted from now. */
async function readsDuring(page: Page, seconds: number): Promise<number> {
  const reads = countReads(page);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return reads();
}

/** A session in progress, its popup left open, the badge showing it. */
async function inProgress(rig: Rig): Promise<Flow> {
  const flow = await openFlow(rig);
  await beginHostedFlow(flow.popup);
  await flow.page.locator('kosmos-idv-launcher [part~="status"]').getByText('In progress').waitFor();
  return flow;
}

async function visible(rig: Rig, seconds: number): Promise<number> {
  const flow = await inProgress(rig);
  try {
    return await readsDuring(flow.page, seconds);
  } finally {
    await flow.close();
  }
}

async function hidden(rig: Rig, seconds: number): Promise<number> {
  const flow = await inProgress(rig);
  try {
    await flow.page.evaluate(HIDE);
    return await readsDuring(flow.page, seconds);
  } finally {
    await flow.close();
  }
}

async function afterTerminal(rig: Rig, seconds: number): Promise<number> {
  const flow = await openFlow(rig);
  try {
    await beginHostedFlow(flow.popup);
    await submitDocument(flow.popup);
    await flow.completed();
    return await readsDuring(flow.page, seconds);
  } finally {
    await flow.close();
  }
}

export async function benchPolling(rig: Rig, { smoke }: BenchOptions): Promise<Figure[]> {
  const windows = smoke ? { visible: 10, hidden: 16, terminal: 5 } : { visible: 60, hidden: 60, terminal: 20 };
  const [shown, hiddenReads, terminalReads] = await Promise.all([
    visible(rig, windows.visible),
    hidden(rig, windows.hidden),
    afterTerminal(rig, windows.terminal),
  ]);
  const perMinute = (reads: number, seconds: number) => Math.round(((reads * 60) / seconds) * 100) / 100;
  return [
    {
      name: 'status requests per minute, flow open, tab visible',
      value: perMinute(shown, windows.visible),
      unit: '/min',
      target: 30,
      compare: 'max',
      note: `${shown} GETs in ${windows.visible} s`,
    },
    {
      name: 'status requests per minute, tab hidden',
      value: perMinute(hiddenReads, windows.hidden),
      unit: '/min',
      target: 4,
      compare: 'max',
      note: `${hiddenReads} GETs in ${windows.hidden} s from the moment it was hidden (visibilityState overridden + visibilitychange)`,
    },
    {
      name: 'status requests after a terminal status',
      value: terminalReads,
      unit: '',
      target: 0,
      compare: 'max',
      note: `${terminalReads} GETs in ${windows.terminal} s after kosmos-idv-complete`,
    },
  ];
}
