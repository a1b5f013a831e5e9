/**
 * Mount/unmount cycles of `<kosmos-idv-launcher>` in Chromium, from the CDN build (built with the
 * project's `vite.config.ts` into a temporary directory) on a bare page:
 * create → append → set `endpoint` → first render → remove, 1000 times (100 in the smoke run).
 * Heap: CDP `HeapProfiler.collectGarbage` (twice) then `Runtime.getHeapUsage`, after 20 warm-up
 * cycles (Lit's one-time template and style setup) and after the cycles. Live timers: an init
 * script wraps `setTimeout`/`setInterval`/`clear*` and counts those neither fired (timeouts) nor
 * cleared, right after the last removal.
 * A second run does the same while a session is resumed from `sessionStorage` on every mount, so
 * each element also starts polling, reads the status once, and is removed with its poller running.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright';
import { buildCdn } from './bundles.js';
import type { BenchOptions, Figure } from './figures.js';

const WARM_UP = 20;
const KB = 1024;

/** Counts live timers in the page (a string: it runs before the page's own scripts). */
const TIMER_TRACKER = `(() => {
  const live = new Set();
  const { setTimeout: set, setInterval: repeat, clearTimeout: clear, clearInterval: stop } = window;
  window.setTimeout = function (handler, delay, ...args) {
    const id = set.call(window, function () {
      live.delete(id);
      if (typeof handler === 'function') handler.apply(this, args);
    }, delay);
    live.add(id);
    return id;
  };
  window.setInterval = function (handler, delay, ...args) {
    const id = repeat.call(window, handler, delay, ...args);
    live.add(id);
    return id;
  };
  window.clearTimeout = function (id) { live.delete(id); clear.call(window, id); };
  window.clearInterval = function (id) { live.delete(id); stop.call(window, id); };
  window.benchLiveTimers = () => live.size;
})();`;

/** The page's own script: `mountCycles(count, resumed)`. */
const CYCLES = `import '/kosmos-idv-launcher.js';
window.mountCycles = async (count, resumed) => {
  for (let i = 0; i < count; i++) {
    const launcher = document.createElement('kosmos-idv-launcher');
    launcher.id = 'bench';
    const read = resumed
      ? new Promise((resolve) => launcher.addEventListener('kosmos-idv-status', (event) => {
          if (event.status === 'in_progress') resolve();
        }))
      : undefined;
    document.body.append(launcher);
    launcher.setAttribute('endpoint', '/api/idv');
    await launcher.updateComplete;
    await read;
    launcher.remove();
  }
};`;

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mount bench</title>
<script type="module" src="/cycles.js"></script></head><body></body></html>`;

const SESSION_ID = 'bench-session';

/** Serves the page, the CDN build and a status endpoint answering "in progress". */
async function serve(outDir: string): Promise<Server> {
  const server = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const send = (type: string, body: string | Buffer) => {
        response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
        response.end(body);
      };
      if (path === '/') return send('text/html', PAGE);
      if (path === '/cycles.js') return send('text/javascript', CYCLES);
      if (path === `/api/idv/${SESSION_ID}`) {
        const report = { sessionId: SESSION_ID, status: 'in_progress', verification: null, updatedAt: new Date().toISOString() };
        return send('application/json', JSON.stringify(report));
      }
      if (/^\/[\w-]+\.js$/.test(path)) return send('text/javascript', await readFile(join(outDir, path)));
      response.writeHead(404).end();
    })().catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function heapUsed(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

interface Cycled {
  growth: number;
  timers: number;
}

declare global {
  interface Window {
    mountCycles(count: number, resumed: boolean): Promise<void>;
    benchLiveTimers(): number;
  }
}

async function cycle(page: Page, cdp: CDPSession, count: number, resumed: boolean): Promise<Cycled> {
  await page.evaluate(([count, resumed]) => window.mountCycles(count, resumed), [WARM_UP, resumed] as const);
  const before = await heapUsed(cdp);
  await page.evaluate(([count, resumed]) => window.mountCycles(count, resumed), [count, resumed] as const);
  const timers = await page.evaluate(() => window.benchLiveTimers());
  return { growth: (await heapUsed(cdp)) - before, timers };
}

export async function benchMount(browser: Browser, { smoke }: BenchOptions): Promise<Figure[]> {
  const count = smoke ? 100 : 1000;
  const outDir = await mkdtemp(join(tmpdir(), 'kosmos-idv-bench-mount-'));
  let server: Server | undefined;
  const context = await browser.newContext();
  try {
    await buildCdn(outDir);
    server = await serve(outDir);
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await context.addInitScript(TIMER_TRACKER);
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => typeof window.mountCycles === 'function');
    const cdp = await context.newCDPSession(page);

    const plain = await cycle(page, cdp, count, false);
    const session = {
      sessionId: SESSION_ID,
      url: `${origin}/hosted/${SESSION_ID}`,
      token: 'bench-token',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      status: 'pending',
    };
    await page.evaluate((saved) => sessionStorage.setItem('kosmos-idv-launcher:/api/idv#bench', saved), JSON.stringify(session));
    const resumed = await cycle(page, cdp, count, true);

    const kb = (bytes: number) => Math.round((bytes / KB) * 10) / 10;
    const figures = (label: string, { growth, timers }: Cycled): Figure[] => [
      { name: `${label}: heap growth`, value: kb(growth), unit: 'KB', target: KB, compare: 'below' },
      { name: `${label}: live timers`, value: timers, unit: '', target: 0, compare: 'max' },
    ];
    return [
      ...figures(`${count} mount/unmount cycles`, plain),
      ...figures(`${count} cycles polling a resumed session`, resumed),
    ];
  } finally {
    await context.close();
    server?.close();
    await rm(outDir, { recursive: true, force: true });
  }
}
