/**
 * The backend kit's status reads, through `createIdvHandler`'s fetch-API handler called directly.
 *
 * The kit's `fetch` first passes through to a real simulator, recording each session's encrypted
 * result answer (and discovery and the service key); then the simulator is closed and the same
 * answers are replayed at once. Every read is of a session that is in progress, so it checks the
 * token (verified once, then remembered, as in a real deployment where a browser sends its
 * session's token with every poll), goes upstream (encrypted headers and body) and decrypts and
 * parses the answer.
 *
 * Run by `bench/run.ts` as a child process pinned to one CPU with `taskset` (any WebCrypto work
 * would run on libuv's thread pool, which could otherwise use the other cores); it prints its
 * figures as JSON.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createIdvHandler, generateKeyPair, sharedCipher, type KosmosKeyPair } from '../src/server/index.js';
import { startSimulator } from '../src/simulator/index.js';
import type { BenchOptions, Figure } from './figures.js';

/** Clients reading at the same time, each its own session. */
const CLIENTS = 32;
const CONCURRENT_READS = 100;
/** How long the upstream takes to answer in the coalescing figure, so the reads overlap its call. */
const COALESCE_UPSTREAM_MS = 50;
const TASKSET = '/usr/bin/taskset';

interface Held {
  sessionId: string;
  token: string;
}

/**
 * A stand-in 1Kosmos: records the simulator's real answers, then replays them with no network.
 * It tells which session a result call is for by decrypting the call's body, as 1Kosmos does
 * (one AES-GCM decryption per read, on the same core: it makes the figure conservative).
 */
class Upstream {
  replaying = false;
  delayMs = 0;
  resultCalls = 0;
  private readonly results = new Map<string, string>();
  private readonly others = new Map<string, string>();
  private serviceKey?: string;

  constructor(private readonly keyPair: KosmosKeyPair) {}

  readonly fetch: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const isResult = url.endsWith('/document_share_session/result');
    const sessionId = isResult ? await this.sessionOf(init) : '';
    if (!this.replaying) {
      const response = await fetch(input, init);
      const body = await response.text();
      if (response.ok && isResult) this.results.set(sessionId, body);
      else if (response.ok) this.others.set(url, body);
      if (response.ok && url.endsWith('/publickeys')) this.serviceKey = (JSON.parse(body) as { publicKey: string }).publicKey;
      return new Response(body, { status: response.status, headers: { 'Content-Type': 'application/json' } });
    }
    const body = isResult ? this.results.get(sessionId) : this.others.get(url);
    if (body === undefined) throw new Error(`Nothing recorded for ${url} ${sessionId}`);
    if (isResult) this.resultCalls += 1;
    if (isResult && this.delayMs) await sleep(this.delayMs);
    return new Response(body, { headers: { 'Content-Type': 'application/json' } });
  };

  private async sessionOf(init: RequestInit | undefined): Promise<string> {
    if (!this.serviceKey) throw new Error('A result call before the service key was fetched');
    const cipher = await sharedCipher(this.keyPair.privateKey, this.serviceKey);
    const { data } = JSON.parse(String(init?.body)) as { data: string };
    return (JSON.parse(await cipher.decrypt(data)) as { sessionId: string }).sessionId;
  }
}

async function measure({ smoke }: BenchOptions, pinned: boolean): Promise<Figure[]> {
  // The simulator's server replaces the global Request and Response with @hono/node-server's;
  // the kit is measured with the runtime's own, as a fetch-API deployment has them.
  const { Request, Response } = globalThis;
  const sim = await startSimulator({ port: 0 });
  const keyPair = generateKeyPair();
  const upstream = new Upstream(keyPair);
  const handler = createIdvHandler({
    tenantDNS: sim.tenantDNS,
    communityName: sim.communityName,
    dvcID: 'default',
    licenseKey: sim.licenseKey,
    keyPair,
    tokenSecret: randomBytes(32).toString('base64url'),
    fetch: upstream.fetch,
  });
  const base = 'http://kit.bench/api/idv';

  const read = async ({ sessionId, token }: Held): Promise<void> => {
    const response = await handler(new Request(`${base}/${sessionId}`, { headers: { Authorization: `Bearer ${token}` } }));
    const body = (await response.json()) as { status?: string };
    if (response.status !== 200 || body.status !== 'in_progress') {
      throw new Error(`A status read answered ${response.status} ${JSON.stringify(body)}`);
    }
  };

  const held: Held[] = [];
  try {
    for (let i = 0; i < CLIENTS; i++) {
      const response = await handler(
        new Request(base, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"documentType":"passport"}' }),
      );
      const session = (await response.json()) as Held;
      if (response.status !== 201) throw new Error(`Create answered ${response.status} ${JSON.stringify(session)}`);
      sim.session(session.sessionId)!.start();
      held.push(session);
      await read(session);
    }
  } finally {
    await sim.close();
    Object.assign(globalThis, { Request, Response });
  }
  upstream.replaying = true;

  /** Reads per second, each client reading its own session again as soon as it has its answer. */
  const run = async (seconds: number, clients: number): Promise<number> => {
    let reads = 0;
    const started = performance.now();
    const client = async (session: Held) => {
      while (performance.now() - started < seconds * 1000) {
        await read(session);
        reads += 1;
      }
    };
    await Promise.all(held.slice(0, clients).map(client));
    return reads / ((performance.now() - started) / 1000);
  };
  const seconds = smoke ? 0.5 : 5;
  await run(smoke ? 0.2 : 1, CLIENTS);
  const perSecond = await run(seconds, CLIENTS);
  const sequential = await run(seconds, 1);

  upstream.delayMs = COALESCE_UPSTREAM_MS;
  upstream.resultCalls = 0;
  await Promise.all(Array.from({ length: CONCURRENT_READS }, () => read(held[0])));
  const calls = upstream.resultCalls;
  handler.close();

  return [
    {
      name: 'kit: status reads per second, one core',
      value: Math.round(perSecond),
      unit: '/s',
      target: 5000,
      compare: 'min',
      note:
        `${CLIENTS} clients each re-reading its own in-progress session for ${seconds} s after a warm-up; every read ` +
        `checks its token (verified once, then remembered), goes upstream (answered at once with the simulator's ` +
        `recorded encrypted answer) and decrypts. One client at a time: ${Math.round(sequential)}/s. ` +
        (pinned ? 'Process pinned to one CPU with taskset.' : 'Not pinned (no taskset): the thread pool may use other cores.'),
    },
    {
      name: `kit: ${CONCURRENT_READS} concurrent reads of one session`,
      value: calls,
      unit: 'upstream calls',
      target: 1,
      compare: 'max',
      note: `the upstream answers after ${COALESCE_UPSTREAM_MS} ms, so the reads overlap its call`,
    },
  ];
}

/** Runs the measurement in a child process pinned to one CPU (when `taskset` exists). */
export async function benchKit(options: BenchOptions): Promise<Figure[]> {
  const pinned = existsSync(TASKSET);
  const script = new URL(import.meta.url).pathname;
  const node = [process.execPath, '--import', 'tsx', script, ...(options.smoke ? ['--smoke'] : []), ...(pinned ? ['--pinned'] : [])];
  const [command, ...args] = pinned ? [TASKSET, '-c', '0', ...node] : node;
  const { stdout } = await promisify(execFile)(command, args, { cwd: new URL('..', import.meta.url).pathname });
  return JSON.parse(stdout) as Figure[];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await measure({ smoke: process.argv.includes('--smoke') }, process.argv.includes('--pinned'));
  process.stdout.write(JSON.stringify(figures));
}
