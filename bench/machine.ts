/** The machine the figures were measured on (and how busy it was: other work skews the timings). */
import { cpus, loadavg, totalmem } from 'node:os';
import type { Browser } from 'playwright';

/** `loadAtStart`: the 1-minute load average when the run began. */
export function machine(browser: Browser, loadAtStart: number): string {
  const [cpu] = cpus();
  return [
    `CPU: ${cpu?.model ?? 'unknown'}, ${cpus().length} cores`,
    `memory: ${Math.round(totalmem() / 1024 ** 3)} GB`,
    `Node ${process.version}, Chromium ${browser.version()}, ${process.platform}/${process.arch}`,
    `1-minute load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end`,
  ].join('; ');
}
