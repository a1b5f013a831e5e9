/**
 * `kosmos-idv serve` as a child process, as a page owner without a Node backend runs it: against the
 * simulator and a PostgreSQL cluster of its own, a session created with a ticket minted by the
 * README's Python recipe and driven through the simulator's control API, and the result received by
 * a webhook receiver written here (and verified by the README's Python recipe too): signature,
 * idempotency key, retries after a receiver that fails, redelivery after the service was killed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyWebhook } from '../../src/server/webhook.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { configFor, STORE_KEY, waitFor } from '../server/kit-helpers.js';
import { postgresMissing, startPostgres, type PostgresCluster } from '../server/postgres-cluster.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const WEBHOOK_SECRET = 'serve-tests-webhook-secret-0123456789ab';
const TICKET_SECRET = 'serve-tests-ticket-secret-0123456789abc';

/** The README's Python recipes, with a small command line around them. */
function pythonRecipes(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```python\n([\s\S]*?)```/g)].map((match) => match[1]);
  assert.equal(blocks.length, 2, 'the README has the ticket and the webhook recipes in Python');
  return `${blocks.join('\n')}
import sys
if sys.argv[1] == "ticket":
    print(idv_ticket(sys.argv[2], sys.argv[3]))
else:
    print(verify_idv_webhook(sys.stdin.buffer.read(), sys.argv[2], sys.argv[3]))
`;
}

interface Hook {
  headers: IncomingHttpHeaders;
  body: string;
}

describe('kosmos-idv serve', { skip: postgresMissing }, () => {
  let cluster: PostgresCluster;
  let sim: Simulator;
  let dir: string;
  let recipes: string;
  const hooks: Hook[] = [];
  /** How the receiver answers the next deliveries (a status each), then 200. */
  const answers: number[] = [];
  let hookUrl: string;
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      hooks.push({ headers: req.headers, body });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });

  before(async () => {
    cluster = await startPostgres();
    sim = await startSimulator({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'kosmos-serve-'));
    recipes = join(dir, 'recipes.py');
    await writeFile(recipes, pythonRecipes());
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/idv`;
  });
  after(async () => {
    receiver.close();
    await sim?.close();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const python = (args: string[], input = '') => {
    const run = spawnSync('python3', [recipes, ...args], { input, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  };

  async function kitFile(database: string, extra: Record<string, unknown> = {}): Promise<string> {
    const file = join(dir, `kit-${Math.random().toString(36).slice(2)}.json`);
    const config = { ...configFor(sim), store: undefined, storeKey: undefined, database, webhook: { url: hookUrl }, ...extra };
    await writeFile(file, JSON.stringify(config));
    return file;
  }

  const env = { IDV_STORE_KEY: STORE_KEY, IDV_WEBHOOK_SECRET: WEBHOOK_SECRET, IDV_TICKET_SECRET: TICKET_SECRET };

  /** Starts the service; resolves with its origin once it listens. */
  function serve(file: string, extraEnv: Record<string, string> = env): Promise<{ child: ChildProcess; origin: string; stderr: () => string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--config', file, '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, ...extraEnv },
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        const origin = /http:\/\/[\d.]+:\d+/.exec(chunk.toString())?.[0];
        if (origin) resolve({ child, origin, stderr: () => stderr });
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
  }

  function run(args: string[], extraEnv: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...extraEnv } });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  }

  const stop = (child: ChildProcess, signal: NodeJS.Signals) =>
    new Promise<{ code: number | null; ms: number }>((resolve) => {
      const started = Date.now();
      child.once('exit', (code) => resolve({ code, ms: Date.now() - started }));
      child.kill(signal);
    });

  const create = (origin: string, ticket?: string) =>
    fetch(`${origin}/api/idv`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(ticket ? { 'Kosmos-Idv-Ticket': ticket } : {}) },
      body: JSON.stringify({ documentType: 'passport', firstname: 'Ada' }),
    });

  const step = (sessionId: string, body: object) =>
    fetch(`${sim.origin}/_simulator/sessions/${sessionId}/step`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('refuses to start without tickets or "public": true, and tells every configuration problem at once (exit 2)', async () => {
    const database = await cluster.createDatabase('serve_config');
    const open = await run(['serve', '--config', await kitFile(database)], { IDV_STORE_KEY: STORE_KEY, IDV_WEBHOOK_SECRET: WEBHOOK_SECRET });
    assert.equal(open.code, 2);
    assert.match(open.stderr, /set ticketSecret \(or IDV_TICKET_SECRET\).*or "public": true/);
    const bad = await run(['serve', '--config', await kitFile(database, { webhook: { url: 'http://app.example/hooks', secret: 'short' }, public: 'yes' })], {});
    assert.equal(bad.code, 2);
    for (const problem of [/set ticketSecret/, /public must be true or false/, /storeKey is required/, /webhook.url must be https:/, /webhook.secret must be at least 32/]) {
      assert.match(bad.stderr, problem);
    }
    assert.doesNotMatch(bad.stderr, /\bat .+:\d+:\d+/);
  });

  it('healthz, a ticket from the Python recipe, the signed webhook (Python verifies it too), retries after 3 failures, SIGTERM', async () => {
    const service = await serve(await kitFile(await cluster.createDatabase('serve_flow')));
    const health = await fetch(`${service.origin}/healthz`);
    const healthText = await health.text();
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(healthText), { ok: true, store: true, kosmos: true });
    for (const secret of [STORE_KEY, TICKET_SECRET, WEBHOOK_SECRET, sim.licenseKey]) assert.ok(!healthText.includes(secret));

    assert.equal((await create(service.origin)).status, 401, 'no ticket, no session');
    const created = await create(service.origin, python(['ticket', 'customer-42', TICKET_SECRET]));
    assert.equal(created.status, 201);
    const { sessionId, token } = (await created.json()) as { sessionId: string; token: string };
    answers.push(500, 502, 503);
    hooks.length = 0;
    await step(sessionId, { action: 'start' });
    await step(sessionId, { action: 'document', outcome: 'pass' });
    // A browser watching makes the collector ask every second.
    await fetch(`${service.origin}/api/idv/${sessionId}`, { headers: { Authorization: `Bearer ${token}` } });
    await waitFor(() => hooks.length === 4, 'three failed deliveries and a fourth that succeeds', 20_000);

    const signatures = hooks.map((hook) => hook.headers['kosmos-idv-signature'] as string);
    const events = await Promise.all(hooks.map((hook, i) => verifyWebhook(hook.body, signatures[i], WEBHOOK_SECRET)));
    assert.deepEqual(events.map((event) => event.attempt), [1, 2, 3, 4]);
    assert.deepEqual([...new Set(hooks.map((hook) => hook.headers['idempotency-key']))], [`${sessionId}:final`]);
    const [event] = events;
    assert.deepEqual([event.sessionId, event.subject, event.result.status, event.result.verification, event.result.hasPII, event.piiMissing], [sessionId, 'customer-42', 'completed', 'passed', true, false]);
    assert.equal(python(['verify', signatures[3], WEBHOOK_SECRET], hooks[3].body), 'True', "the README's Python recipe accepts it");
    assert.equal(python(['verify', signatures[3], WEBHOOK_SECRET], hooks[3].body.replace('customer-42', 'customer-43')), 'False');

    const stopped = await stop(service.child, 'SIGTERM');
    assert.equal(stopped.code, 0, service.stderr());
    assert.ok(stopped.ms < 10_000, `stopped in ${stopped.ms} ms`);
  });

  it('a delivery whose retries the SIGKILL interrupted is made by the service started again', async () => {
    const file = await kitFile(await cluster.createDatabase('serve_kill'));
    const first = await serve(file);
    const created = await create(first.origin, python(['ticket', 'customer-7', TICKET_SECRET]));
    const { sessionId, token } = (await created.json()) as { sessionId: string; token: string };
    hooks.length = 0;
    answers.push(500, 500, 500, 500, 500, 500);
    await step(sessionId, { action: 'decline' });
    await fetch(`${first.origin}/api/idv/${sessionId}`, { headers: { Authorization: `Bearer ${token}` } });
    await waitFor(() => hooks.length >= 1, 'a first, failed delivery', 15_000);
    await stop(first.child, 'SIGKILL');
    answers.length = 0;
    const delivered = hooks.length;
    const second = await serve(file);
    await waitFor(() => hooks.length > delivered, 'the delivery after the restart', 15_000);
    const last = hooks.at(-1)!;
    const event = await verifyWebhook(last.body, last.headers['kosmos-idv-signature'] as string, WEBHOOK_SECRET);
    assert.equal(event.resultId, `${sessionId}:final`);
    assert.equal(event.result.status, 'declined');
    assert.ok(event.attempt > 1, 'the attempts counted before the kill are kept');
    await stop(second.child, 'SIGTERM');
  });
});
