/**
 * The whole system under faults, in Chromium: the element (CDN build) on a page served with the
 * backend kit, the kit talking to a simulator that adds 200 ms to every docuverify call, answers
 * 30 % of them with a 503 and 10 % with a malformed body (seeded), rotates its service key in the
 * middle of the sessions, and the kit itself restarted mid-session (a new `createIdvHandler` with
 * the same token secret, store key and key pair on the same port, over the same ledger: one
 * `createMemoryStore()` standing for the database both processes use).
 *
 * Five sessions, one per page, each clicked through the hosted pages to a different end: passed
 * (before the rotation), failed (finished just before the restart), not performed and declined
 * (after it), expired (the simulator clock moved at the end). The promises checked: every session
 * reaches its terminal status in the element, whose terminal event fires exactly once; 1Kosmos's
 * faults never reach the element (status reads are answered from the ledger; the collector meets
 * the faults, tells onError and asks again), and the element rides over the restart (retryable
 * errors, polling goes on); no second session is created; every final session reaches `onResult`
 * exactly once across both processes, and a completed session's PII (returned once: ttl −1)
 * reaches it exactly once across the restart.
 *
 * The simulator's faults are drawn from a seeded sequence; which call gets which draw still
 * depends on the order of the calls, so the assertions hold for any draw.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type Page } from 'playwright';
import type { IdvHandlerError } from '../../src/server/config.js';
import {
  createIdvHandler,
  createMemoryStore,
  generateKeyPair,
  type IdvHandler,
  type KosmosKeyPair,
  type LedgerStore,
} from '../../src/server/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { PUBLIC_KEYS_PATH, countingFetch } from '../server/kit-helpers.js';
import { EVENTS } from '../../demo/shared.js';
import { consentAndStart, submitDocument } from '../e2e/helpers.js';
import { seededRandom } from './seeded.js';

const SEED = 0x6fa17;
const CDN_BUILD = new URL('../../dist/cdn/kosmos-idv-launcher.js', import.meta.url);
const TOKEN_SECRET = 'fault-suite-token-secret-0123456789abcdef';
const STORE_KEY = 'fault-suite-store-key-0123456789abcdefghij';
/**
 * How long a page may take to show a status. A status reaches the element through the ledger: under
 * 40 % faulted calls the collector backs off up to 5 s between asks, on a machine that also runs
 * the other test files.
 */
const WAIT_MS = 30_000;
const SEVEN_DAYS = 7 * 24 * 3600;

const TERMINAL_EVENTS = ['kosmos-idv-complete', 'kosmos-idv-expired', 'kosmos-idv-declined'];

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Fault suite</title><script type="module" src="/kosmos-idv-launcher.js"></script></head>
<body><kosmos-idv-launcher endpoint="/api/idv" document-type="passport" poll-interval="250"></kosmos-idv-launcher></body>
</html>`;

/** A launcher event as the page recorded it. */
interface SeenEvent {
  type: string;
  [field: string]: unknown;
}

/** What `onResult` was given (PII reduced to whether there was any). */
interface Delivery {
  sessionId: string;
  resultId: string;
  attempt: number;
  status: string;
  verification: string | null;
  reasonCode?: string;
  hasPII: boolean;
}

/** One backend kit process: its handler, what it handed to `onResult` and told `onError`, how often it fetched the service key. */
interface KitProcess {
  handler: IdvHandler;
  deliveries: Delivery[];
  problems: IdvHandlerError[];
  publicKeyFetches(): number;
}

/** How each page's session ends, its terminal event and the badge's words. */
const ENDS = {
  passed: { event: 'kosmos-idv-complete', state: 'completed', verification: 'passed', badge: 'Verified' },
  failed: { event: 'kosmos-idv-complete', state: 'completed', verification: 'failed', badge: 'Verification failed' },
  not_performed: {
    event: 'kosmos-idv-complete',
    state: 'completed',
    verification: 'not_performed',
    badge: 'Completed, not verified',
  },
  declined: { event: 'kosmos-idv-declined', state: 'declined', verification: null, badge: 'Declined' },
  expired: { event: 'kosmos-idv-expired', state: 'expired', verification: null, badge: 'Expired' },
} as const;
type End = keyof typeof ENDS;

interface Visit {
  end: End;
  page: Page;
  flow: Page;
  sessionId: string;
}

let sim: Simulator;
let browser: Browser;
let server: Server;
let port: number;
let kit: KitProcess;
const kits: KitProcess[] = [];
/** The HTTP status of every `POST /api/idv` the page server answered, across restarts. */
const createAnswers: number[] = [];
const visits: Visit[] = [];
let keyPair: KosmosKeyPair;
/** The ledger both kit processes use, as they would one database. */
let ledger: LedgerStore;

function startKit(): KitProcess {
  const counter = countingFetch();
  const deliveries: Delivery[] = [];
  const problems: IdvHandlerError[] = [];
  const handler = createIdvHandler({
    tenantDNS: sim.tenantDNS,
    communityName: sim.communityName,
    dvcID: 'default',
    licenseKey: sim.licenseKey,
    keyPair,
    tokenSecret: TOKEN_SECRET,
    storeKey: STORE_KEY,
    // A process closing its connection does not close the database.
    store: { ...ledger, close: async () => undefined },
    fetch: counter.fetch,
    onResult: ({ sessionId, status, verification, reasonCode, hasPII }, { resultId, attempt }) => {
      deliveries.push({ sessionId, resultId, attempt, status, verification, ...(reasonCode ? { reasonCode } : {}), hasPII });
    },
    onError: (problem) => {
      problems.push(problem);
    },
  });
  const instance = { handler, deliveries, problems, publicKeyFetches: () => counter.count(PUBLIC_KEYS_PATH) };
  kits.push(instance);
  return instance;
}

/** The page, the CDN build, and `/api/idv` through whichever kit process is running. */
const site: RequestListener = (req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path.startsWith('/api/idv')) {
    if (req.method === 'POST') res.on('finish', () => createAnswers.push(res.statusCode));
    void kit.handler.node(req, res);
  } else if (path === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
  } else if (/^\/[\w.-]+\.js$/.test(path)) {
    // The CDN build's entry and the chunks it loads from beside it.
    readFile(new URL(`.${path}`, CDN_BUILD)).then(
      (body) => res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(body),
      () => res.writeHead(404).end(),
    );
  } else {
    res.writeHead(404).end();
  }
};

function listen(at: number): Promise<Server> {
  const next = createServer(site);
  return new Promise((resolve, reject) => {
    next.once('error', reject);
    next.listen(at, '127.0.0.1', () => resolve(next));
  });
}

function stopServer(): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Waits (polling every 50 ms) until `check` holds. */
async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

const events = (page: Page): Promise<SeenEvent[]> =>
  page.evaluate(() => (window as unknown as { idvEvents: SeenEvent[] }).idvEvents);

const state = (page: Page): Promise<string> =>
  page.evaluate(() => document.querySelector('kosmos-idv-launcher')!.state);

const badge = (page: Page, text: string) =>
  page
    .locator('kosmos-idv-launcher [part~="status"]')
    .filter({ hasText: new RegExp(`^${text}$`) })
    .waitFor({ timeout: WAIT_MS });

/** Opens the page in its own browser context, recording the launcher's events from the start. */
async function openPage(): Promise<Page> {
  const context = await browser.newContext();
  await context.addInitScript((types) => {
    const seen: unknown[] = [];
    Object.assign(window, { idvEvents: seen });
    for (const type of types) document.addEventListener(type, (event) => seen.push({ ...event, type }), true);
  }, EVENTS);
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  return page;
}

/**
 * Clicks the launcher's button until a session is under way: a create that fails (1Kosmos faulted)
 * puts the element in its error state, whose "Try again" starts over. Resolves with the popup
 * showing the hosted flow.
 */
async function startSession(page: Page): Promise<Page> {
  for (let attempt = 1; attempt <= 10; attempt++) {
    const popup = page.waitForEvent('popup', { timeout: WAIT_MS });
    await page.locator('kosmos-idv-launcher [part~="button"]').first().click();
    const flow = await popup;
    await page.waitForFunction(
      () => ['open', 'polling', 'error'].includes(document.querySelector('kosmos-idv-launcher')!.state),
      undefined,
      { timeout: WAIT_MS },
    );
    if ((await state(page)) !== 'error') {
      await flow.waitForURL(/\/idproofing\/session\//, { timeout: WAIT_MS });
      return flow;
    }
  }
  throw new Error('no session after 10 attempts');
}

/** Runs the last clicks of a hosted flow, whose popup the element closes once it sees the final status. */
async function finish(flow: Page, clicks: () => Promise<unknown>): Promise<void> {
  try {
    await clicks();
  } catch (error) {
    if (!flow.isClosed()) throw error;
  }
}

async function submit(flow: Page, outcome: 'pass' | 'fail' | 'not_performed', reasonCode?: string): Promise<void> {
  await finish(flow, async () => {
    await submitDocument(flow, outcome, reasonCode);
    await flow.getByRole('heading', { name: 'Verification finished' }).waitFor();
  });
}

const visit = (end: End): Visit => visits.find((item) => item.end === end)!;
const allResults = () => kits.flatMap((instance) => instance.deliveries);

before(async () => {
  await access(CDN_BUILD).catch(() => {
    throw new Error(`${CDN_BUILD.pathname} is missing: run \`npm run build\` first`);
  });
  sim = await startSimulator({
    port: 0,
    random: seededRandom(SEED),
    faults: { latencyMs: 200, errorRate: 0.3, malformedRate: 0.1 },
  });
  keyPair = generateKeyPair();
  ledger = createMemoryStore();
  kit = startKit();
  await kit.handler.ready();
  server = await listen(0);
  port = (server.address() as AddressInfo).port;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });

  // Five sessions, created through the faults ("Try again" after a failed create).
  for (const end of Object.keys(ENDS) as End[]) {
    const page = await openPage();
    const flow = await startSession(page);
    const [session] = (await events(page)).filter((event) => event.type === 'kosmos-idv-session');
    visits.push({ end, page, flow, sessionId: session.sessionId as string });
  }
  // All but the one to be declined get under way; the element confirms each through the faults.
  const started = visits.filter((item) => item.end !== 'declined');
  for (const { flow } of started) await consentAndStart(flow);
  for (const { page } of started) await badge(page, 'In progress');
  await badge(visit('declined').page, 'Not started yet');

  // Passed, before anything else goes wrong.
  await submit(visit('passed').flow, 'pass');
  await badge(visit('passed').page, ENDS.passed.badge);

  // The service key rotates: the kit must fetch the new one and go on reading results (1Kosmos
  // answers, and counts, only the calls made with its current key).
  const keyFetches = kit.publicKeyFetches();
  sim.faults.rotateKey();
  const answered = () => Object.values(sim.stats.resultCalls).reduce((sum, count) => sum + count, 0);
  await until('the kit fetched the rotated service key', () => kit.publicKeyFetches() > keyFetches);
  const afterRotation = answered();
  await until('1Kosmos answered result calls made with the new key', () => answered() >= afterRotation + 4);

  // Failed, finished just as the kit goes down; the kit restarts once every live page has felt it.
  await submit(visit('failed').flow, 'fail', 'IDV0010');
  const seenBefore = new Map<Page, number>();
  for (const { page } of visits) seenBefore.set(page, (await events(page)).length);
  await stopServer();
  await kit.handler.close();
  for (const { page } of visits) {
    await until('every page still polling has met the outage', async () => {
      if (['completed', 'declined', 'expired'].includes(await state(page))) return true;
      const fresh = (await events(page)).slice(seenBefore.get(page));
      return fresh.some((event) => event.type === 'kosmos-idv-error' && event.code === 'network_error');
    });
  }
  kit = startKit();
  await kit.handler.ready();
  server = await listen(port);

  await badge(visit('failed').page, ENDS.failed.badge);
  await submit(visit('not_performed').flow, 'not_performed');
  await badge(visit('not_performed').page, ENDS.not_performed.badge);
  const { flow: declining } = visit('declined');
  await finish(declining, () => declining.getByRole('button', { name: 'Decline' }).click());
  await badge(visit('declined').page, ENDS.declined.badge);
  sim.clock.advance(SEVEN_DAYS + 1);
  await badge(visit('expired').page, ENDS.expired.badge);
  // The results are handed over from the ledger just after the statuses are recorded.
  await until('every final result was handed over', () => allResults().length >= visits.length);
});

after(async () => {
  await browser?.close();
  if (server?.listening) await stopServer();
  for (const instance of kits) await instance.handler.close();
  await sim?.close();
  await ledger?.close();
});

describe('under latency, 503s, malformed bodies, a key rotation and a kit restart', () => {
  it('every session reaches its terminal status in the element', async () => {
    for (const { end, page, sessionId } of visits) {
      const expected = ENDS[end];
      assert.equal(await state(page), expected.state, end);
      const statuses = (await events(page)).filter((event) => event.type === 'kosmos-idv-status');
      const last = statuses.at(-1);
      assert.equal(last?.sessionId, sessionId);
      assert.equal(last?.status, expected.state, end);
      assert.equal(last?.verification, expected.verification, end);
      // Each change announced once, each from the status before it.
      statuses.forEach((event, i) => assert.equal(event.previous, i === 0 ? null : statuses[i - 1].status));
      assert.equal(new Set(statuses.map((event) => event.status)).size, statuses.length, `${end}: no status twice`);
    }
  });

  it("each terminal event fires exactly once; 1Kosmos's faults never reached the element, which rode over the restart", async () => {
    const codes = new Set<unknown>();
    for (const { end, page, sessionId } of visits) {
      const seen = await events(page);
      const terminal = seen.filter((event) => TERMINAL_EVENTS.includes(event.type));
      assert.deepEqual(
        terminal.map((event) => [event.type, event.sessionId]),
        [[ENDS[end].event, sessionId]],
        `${end}: one terminal event`,
      );
      if (ENDS[end].event === 'kosmos-idv-complete') assert.equal(terminal[0].verification, ENDS[end].verification);
      const polling = seen.filter((event) => event.type === 'kosmos-idv-error' && event.sessionId === sessionId);
      for (const error of polling) {
        assert.equal(error.retryable, true, `${end}: ${String(error.code)} while polling is retryable`);
        codes.add(error.code);
      }
    }
    assert.deepEqual([...codes], ['network_error'], 'only the restart reached the element while polling, which polled on');
    // The faults were met off the request path, by the collectors, which told onError and asked again.
    const collected = kits.flatMap((instance) => instance.problems).filter((problem) => problem.stage === 'collect');
    assert.ok(collected.length > 0, 'the collectors met 1Kosmos\'s faults');
    assert.ok(
      kits.every((instance) => instance.problems.every((problem) => ['collect', 'create'].includes(problem.stage))),
      `only 1Kosmos's faults were reported: ${[...new Set(kits.flatMap((instance) => instance.problems.map((problem) => problem.stage)))].join(', ')}`,
    );
  });

  it('no second session is created', async () => {
    const sessions = visits.map((item) => item.sessionId);
    assert.equal(new Set(sessions).size, visits.length);
    for (const { page } of visits) {
      const created = (await events(page)).filter((event) => event.type === 'kosmos-idv-session');
      assert.equal(created.length, 1, 'one session per page');
    }
    assert.equal(createAnswers.filter((status) => status === 201).length, visits.length, 'one 201 per page');
    assert.deepEqual(sim.stats.createCalls, { default: visits.length }, 'one session per page at 1Kosmos');
    // Every other create was refused (1Kosmos faulted) and each refusal was one "Try again".
    const refusals = createAnswers.filter((status) => status !== 201);
    assert.ok(refusals.every((status) => status === 502 || status === 503), `refused creates: ${refusals.join(', ')}`);
    let failedCreates = 0;
    for (const { page } of visits) {
      failedCreates += (await events(page)).filter(
        (event) => event.type === 'kosmos-idv-error' && event.sessionId === undefined,
      ).length;
    }
    assert.equal(failedCreates, refusals.length);
  });

  it('every final result reaches onResult exactly once across both processes, and the PII exactly once', () => {
    assert.equal(kits.length, 2, 'the kit was restarted once');
    const ids = allResults().map((delivery) => delivery.resultId);
    assert.equal(new Set(ids).size, ids.length, 'one hand-off per result, whichever process collected it');
    assert.ok(allResults().every((delivery) => delivery.attempt === 1), 'each accepted at its first delivery');
    const expected: Record<End, Omit<Delivery, 'sessionId' | 'resultId' | 'attempt' | 'hasPII'>> = {
      passed: { status: 'completed', verification: 'passed' },
      failed: { status: 'completed', verification: 'failed', reasonCode: 'IDV0010' },
      not_performed: { status: 'completed', verification: 'not_performed' },
      declined: { status: 'declined', verification: null },
      expired: { status: 'expired', verification: null },
    };
    for (const { end, sessionId } of visits) {
      const delivered = allResults().filter((delivery) => delivery.sessionId === sessionId);
      assert.deepEqual(
        delivered.map((delivery) => delivery.resultId),
        [`${sessionId}:final`],
        `${end}: onResult got the final result once`,
      );
      for (const delivery of delivered) {
        const { status, verification, reasonCode } = delivery;
        assert.deepEqual({ status, verification, ...(reasonCode ? { reasonCode } : {}) }, expected[end], end);
      }
      const completed = expected[end].status === 'completed';
      // A check not performed read no document, and the element sent no user fields: nothing personal in it.
      const personal = completed && end !== 'not_performed';
      assert.equal(delivered.filter((delivery) => delivery.hasPII).length, personal ? 1 : 0, `${end}: PII handed over`);
      if (completed) assert.equal(sim.session(sessionId)?.view().piiReturned, 1, `${end}: 1Kosmos returned the PII once`);
    }
    assert.ok(
      kits[0].deliveries.some((delivery) => delivery.sessionId === visit('passed').sessionId),
      'the session completed before the restart was handed over by the first process',
    );
  });
});
