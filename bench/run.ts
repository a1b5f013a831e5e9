/**
 * `npm run bench`: measures every figure and prints it with its target (✓/✗). Benchmarks print
 * figures; a missed target is a ✗, not a failure. The process exits non-zero only when a bench
 * crashes. `--smoke` (`npm run bench:smoke`) runs the same code paths with few iterations and
 * short windows, for CI.
 */
import { loadavg } from 'node:os';
import { startRig } from './browser.js';
import { benchBundles } from './bundles.js';
import { benchChaos } from './chaos.js';
import { benchCollector } from './collector.js';
import { benchDetection } from './detection.js';
import { table, type BenchOptions, type Figure } from './figures.js';
import { benchKit } from './kit.js';
import { machine } from './machine.js';
import { benchMount } from './mount.js';
import { benchPolling } from './polling.js';
import { benchWebhooks } from './webhooks.js';

const options: BenchOptions = { smoke: process.argv.includes('--smoke') };
const log = (message: string) => process.stderr.write(`${message}\n`);

const loadAtStart = loadavg()[0];
const startedAt = new Date();
const figures: Figure[] = [];
log('bundles …');
const bundles = await benchBundles();
figures.push(...bundles.figures);
log('backend kit: status reads …');
figures.push(...(await benchKit(options)));
log('backend kit: collector (watched, unwatched, lateness) …');
figures.push(...(await benchCollector(options)));
log('backend kit: chaos …');
figures.push(...(await benchChaos(options, log)));
log('kosmos-idv serve: webhooks …');
figures.push(...(await benchWebhooks(options)));

const rig = await startRig();
let host: string;
try {
  log('detection …');
  figures.push(...(await benchDetection(rig, options)));
  log('polling …');
  figures.push(...(await benchPolling(rig, options)));
  log('mount/unmount …');
  figures.push(...(await benchMount(rig.browser, options)));
  host = machine(rig.browser, loadAtStart);
} finally {
  await rig.close();
}

const largest = bundles.cdnInputs
  .filter((input) => input.bytes > 0)
  .map((input) => `  ${String(input.bytes).padStart(6)} B  ${input.name}`);
console.log(`${options.smoke ? 'Smoke run (few iterations, short windows): not the figures.\n' : ''}${startedAt.toISOString()} to ${new Date().toISOString()}`);
console.log(`${host}\n`);
console.log(table(figures));
console.log(`\nThe CDN bundle's inputs, minified bytes (esbuild's metafile):\n${largest.join('\n')}`);
