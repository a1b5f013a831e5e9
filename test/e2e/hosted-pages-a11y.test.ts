/**
 * The simulator's hosted pages in Chromium: every page (each step, its error states, the final
 * and error pages) passes axe in light and dark colour schemes (the step text at 4.5:1 among
 * them), and none loads anything that fails, and each names an icon that answers
 * (an SVG), so that no browser asks for /favicon.ico.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { createSession } from '../simulator/helpers.js';

/** axe-core, run through the DevTools protocol: the pages' CSP forbids any script of theirs. */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeResults {
  violations: { id: string; help: string; nodes: { html: string }[] }[];
}

describe('hosted pages in a browser', () => {
  let sim: Simulator;
  let browser: Browser;
  before(async () => {
    sim = await startSimulator({ port: 0, sessionLifetime: 60 });
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await sim?.close();
  });

  /** The URL of every page a user can meet, named. */
  async function pages(): Promise<[string, string][]> {
    const url = async (dvcID = 'default') => (await createSession(sim, dvcID)).url;
    const session = (url: string) => sim.session(new URL(url).pathname.split('/').pop()!)!;
    const welcome = await url();
    const documentStep = await url();
    session(documentStep).start();
    const selfie = await url('selfie');
    session(selfie).start();
    session(selfie).document('pass');
    const finished = await url();
    session(finished).start();
    session(finished).document('pass');
    const declined = await url();
    session(declined).decline();
    const short = await startSimulator({ port: 0, sessionLifetime: 1 });
    after(() => short.close());
    const expired = (await createSession(short)).url;
    short.clock.advance(1);
    return [
      ['welcome', welcome],
      ['welcome, consent missing', `${welcome}?error=consent`],
      ['document', documentStep],
      ['document, no outcome', `${documentStep}?error=outcome`],
      ['selfie', selfie],
      ['finished', finished],
      ['declined', declined],
      ['expired', expired],
      ['not found', `${sim.origin}/idproofing/session/no-such-session`],
    ];
  }

  it('every page passes axe, light and dark, and loads nothing that fails', async () => {
    const failures: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ colorScheme });
      for (const [name, url] of await pages()) {
        const page = await context.newPage();
        const failed: string[] = [];
        page.on('response', (response) => {
          if (response.url() !== url && response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
        });
        page.on('console', (message) => {
          // The expired and unknown sessions' pages are a 410 and a 404 on purpose.
          if (message.type() === 'error' && message.location().url !== url) failed.push(message.text());
        });
        await page.goto(url, { waitUntil: 'load' });
        // The favicon: Playwright reports no request for it and a 404 for it reaches the console late if at all, so the
        // page must name one (else a browser asks for /favicon.ico) and what it names must answer.
        const icons = await page.$$eval('link[rel~="icon"]', (links) => links.map((link) => (link as HTMLLinkElement).href));
        if (icons.length === 0) failed.push('no <link rel="icon">');
        for (const icon of icons) {
          const answer = await page.request.get(icon);
          const type = answer.headers()['content-type'] ?? '';
          if (answer.status() !== 200 || !type.startsWith('image/svg+xml')) failed.push(`icon ${icon}: ${answer.status()} ${type}`);
        }
        await page.evaluate(AXE);
        const results = (await page.evaluate('axe.run(document)')) as AxeResults;
        for (const violation of results.violations) {
          failures.push(`${name} (${colorScheme}): ${violation.id}: ${violation.help} ${violation.nodes.map((node) => node.html).join(' ')}`);
        }
        for (const problem of failed) failures.push(`${name} (${colorScheme}): ${problem}`);
        await page.close();
      }
      await context.close();
    }
    assert.deepEqual(failures, []);
  });
});
