/**
 * `kosmos-idv serve`'s webhooks, from one service process (a child process, as deployed) on a
 * PostgreSQL cluster of the bench's own, to a receiver in this process that answers 204 at once.
 *
 * - deliveries per second: the ledger is first filled with final results waiting for delivery
 *   (recorded through the store as the collector records them: sealed, in the same transaction as
 *   the status), then the service starts and delivers them; measured from the first webhook
 *   received to the last.
 * - completion → webhook: sessions created through the service and completed at the simulator (its
 *   control API) at random moments within 2 minutes of their creation (smoke: 20 s), nobody reading
 *   their status; measured from the completion call to the webhook's arrival.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../src/server/crypto.js';
import { createPostgresStore } from '../src/server/ledger/postgres.js';
import { Sealer } from '../src/server/ledger/seal.js';
import { startSimulator } from '../src/simulator/index.js';
import { startPostgres } from '../test/server/postgres-cluster.js';
import { median, type BenchOptions, type Figure } from './figures.js';

const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function benchWebhooks({ smoke }: BenchOptions): Promise<Figure[]> {
  const cluster = await startPostgres();
  const sim = await startSimulator({ port: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'kosmos-webhook-bench-'));
  const received = new Map<string, number>();
  const receiver = createServer((req, res) => {
    const id = String(req.headers['idempotency-key']);
    req.resume();
    req.on('end', () => {
      if (!received.has(id)) received.set(id, performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const storeKey = randomBytes(32).toString('base64url');
  const base = {
    tenantDNS: sim.tenantDNS,
    communityName: sim.communityName,
    dvcID: 'default',
    licenseKey: sim.licenseKey,
    keyPair: generateKeyPair(),
    tokenSecret: randomBytes(32).toString('base64url'),
    storeKey,
    public: true,
    webhook: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, secret: randomBytes(32).toString('base64url') },
  };
  const service = async (database: string): Promise<{ child: ChildProcess; origin: string }> => {
    const file = join(dir, `${randomBytes(4).toString('hex')}.json`);
    await writeFile(file, JSON.stringify({ ...base, database }));
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--config', file, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        const origin = /http:\/\/[\d.]+:\d+/.exec(chunk.toString())?.[0];
        if (origin) resolve({ child, origin });
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
  };
  const stop = (child: ChildProcess) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')));
  try {
    // Deliveries per second.
    const count = smoke ? 300 : 3000;
    const database = await cluster.createDatabase('deliveries');
    const store = createPostgresStore({ connectionString: database });
    const sealer = new Sealer([storeKey]);
    const now = Date.now();
    const payload = await sealer.seal(JSON.stringify({ sessionResult: 'SUCCESS', document: { firstName: 'SAMPLE', lastName: 'SPECIMEN' } }));
    for (let i = 0; i < count; i++) {
      await store.create({ sessionId: `bench-${i}`, dvcID: 'default', subject: null, documentType: 'passport', createdAt: now, expiresAt: now + 3_600_000, nextDueAt: now });
    }
    for (const due of await store.claimAsks('bench', now, 60_000, count)) {
      await store.recordAsk('bench', due.sessionId, now, {
        status: 'completed',
        verification: 'passed',
        nextDueAt: null,
        failures: 0,
        lastError: null,
        results: [{ resultId: `${due.sessionId}:final`, kind: 'final', status: 'completed', verification: 'passed', reasonCode: null, pii: true, piiMissing: false, payload }],
      });
    }
    await store.close();
    const deliveries = await service(database);
    const deadline = Date.now() + (smoke ? 60_000 : 180_000);
    while (received.size < count && Date.now() < deadline) await sleep(50);
    const times = [...received.values()];
    const perSecond = times.length > 1 ? ((times.length - 1) * 1000) / (Math.max(...times) - Math.min(...times)) : Number.NaN;
    await stop(deliveries.child);
    received.clear();

    // Completion → webhook, no browser.
    const sessions = smoke ? 6 : 40;
    const window = smoke ? 20_000 : 120_000;
    const flow = await service(await cluster.createDatabase('latency'));
    const completedAt = new Map<string, number>();
    await Promise.all(
      Array.from({ length: sessions }, async () => {
        const response = await fetch(`${flow.origin}/api/idv`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"documentType":"passport"}' });
        const { sessionId } = (await response.json()) as { sessionId: string };
        await sleep(Math.random() * window);
        const step = (body: object) =>
          fetch(`${sim.origin}/_simulator/sessions/${sessionId}/step`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        await step({ action: 'start' });
        completedAt.set(`${sessionId}:final`, performance.now());
        await step({ action: 'document', outcome: 'pass' });
      }),
    );
    const until = Date.now() + 30_000;
    while (received.size < sessions && Date.now() < until) await sleep(50);
    await stop(flow.child);
    const latencies = [...completedAt].filter(([id]) => received.has(id)).map(([id, at]) => received.get(id)! - at);
    const p95 = latencies.length === sessions ? percentile(latencies, 95) : Number.NaN;
    return [
      {
        name: 'serve: webhook deliveries per second, one service process',
        value: Math.round(perSecond),
        unit: '/s',
        target: 500,
        compare: 'min',
        note: `${times.length} of ${count} results waiting in a PostgreSQL ledger, delivered by one \`kosmos-idv serve\` process to a receiver answering 204 at once (each: claimed, unsealed, signed, POSTed, settled); first to last webhook received`,
      },
      {
        name: 'serve: completion → webhook received, no browser, p95',
        value: Math.round(p95),
        unit: 'ms',
        target: 6000,
        compare: 'max',
        note: `${latencies.length} of ${sessions} sessions completed at random moments within ${window / 1000} s of their creation, nobody reading them; median ${Math.round(median(latencies))} ms (the collector asks an unwatched new session every 5 s)`,
      },
    ];
  } finally {
    receiver.close();
    await sim.close();
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
