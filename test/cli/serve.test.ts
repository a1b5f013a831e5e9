/**
 * `kosmos-idv serve` as a child process, as a page owner without a Node backend runs it: against the
 * simulator and a PostgreSQL cluster of its own, a session created with a ticket minted by the
 * README's Python recipe and driven through the simulator's control API, and the result received by
 * webhook receivers written here, one in Python with the README's recipe: signature, idempotency
 * key, retries after a receiver that fails, redelivery after the service was killed.
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
import { signWebhook, verifyWebhook } from '../../src/server/webhook.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { configFor, STORE_KEY, waitFor } from '../server/kit-helpers.js';
import { postgresMissing, startPostgres, type PostgresCluster } from '../server/postgres-cluster.js';
import { cli, ROOT, spawnCli } from './helpers.js';

const WEBHOOK_SECRET = 'serve-tests-webhook-secret-0123456789ab';
const TICKET_SECRET = 'serve-tests-ticket-secret-0123456789abc';

/**
 * The README's Python recipes, with a small command line around them: `ticket <user> <secret>`
 * prints a ticket; `receive <port> <secret>` is a webhook receiver (standard library only) that
 * answers 204 to a webhook whose signature the recipe accepts, 400 to any other, and prints
 * "verified <Idempotency-Key>" or "refused" for each.
 */
function pythonRecipes(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```python\n([\s\S]*?)```/g)].map((match) => match[1]);
  assert.equal(blocks.length, 2, 'the README has the ticket and the webhook recipes in Python');
  return `${blocks.join('\n')}
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        good = verify_idv_webhook(body, self.headers.get("Kosmos-Idv-Signature", ""), sys.argv[3])
        print(f"verified {self.headers['Idempotency-Key']}" if good else "refused", flush=True)
        self.send_response(204 if good else 400)
        self.end_headers()

    def log_message(self, *args):
        pass

if sys.argv[1] == "ticket":
    print(idv_ticket(sys.argv[2], sys.argv[3]))
else:
    server = HTTPServer(("127.0.0.1", int(sys.argv[2])), Receiver)
    print("listening", flush=True)
    server.serve_forever()
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
    const config = { ...configFor(sim), store: undefined, storeKey: undefined, public: undefined, database, webhook: { url: hookUrl }, ...extra };
    await writeFile(file, JSON.stringify(config));
    return file;
  }

  const env = { IDV_STORE_KEY: STORE_KEY, IDV_WEBHOOK_SECRET: WEBHOOK_SECRET, IDV_TICKET_SECRET: TICKET_SECRET };

  /** Starts the service; resolves with its origin once it listens. */
  function serve(file: string, extraEnv: Record<string, string> = env): Promise<{ child: ChildProcess; origin: string; stderr: () => string }> {
    const child = spawnCli(['serve', '--config', file, '--port', '0'], extraEnv);
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
    const open = await cli(['serve', '--config', await kitFile(database)], { env: { IDV_STORE_KEY: STORE_KEY, IDV_WEBHOOK_SECRET: WEBHOOK_SECRET } });
    assert.equal(open.code, 2);
    assert.match(open.stderr, /set ticketSecret \(or IDV_TICKET_SECRET\).*or "public": true/);
    const bad = await cli(['serve', '--config', await kitFile(database, { webhook: { url: 'http://app.example/hooks', secret: 'short' }, public: 'yes' })]);
    assert.equal(bad.code, 2);
    for (const problem of [/set ticketSecret/, /public must be true or false/, /storeKey is required/, /webhook.url must be https:/, /webhook.secret must be at least 32/]) {
      assert.match(bad.stderr, problem);
    }
    assert.doesNotMatch(bad.stderr, /\bat .+:\d+:\d+/);
  });

  it('healthz, a ticket from the Python recipe, the signed webhook with its idempotency key, retries after 3 failures, SIGTERM', async () => {
    const service = await serve(await kitFile(await cluster.createDatabase('serve_flow')));
    const health = await fetch(`${service.origin}/healthz`);
    const healthText = await health.text();
    assert.equal(health.status, 200);
    assert.equal(health.headers.get('X-Content-Type-Options'), 'nosniff');
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

    const stopped = await stop(service.child, 'SIGTERM');
    assert.equal(stopped.code, 0, service.stderr());
    assert.ok(stopped.ms < 10_000, `stopped in ${stopped.ms} ms`);
  });

  it('a receiver in Python, verifying with the README\'s recipe, accepts the service\'s webhooks and refuses an altered one', async (t) => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const receiver = spawn('python3', [recipes, 'receive', String(port), WEBHOOK_SECRET]);
    t.after(() => receiver.kill());
    let printed = '';
    receiver.stdout.on('data', (chunk: Buffer) => (printed += chunk));
    await waitFor(() => printed.includes('listening'), 'the Python receiver');
    const service = await serve(await kitFile(await cluster.createDatabase('serve_python'), { webhook: { url: `http://127.0.0.1:${port}/hooks` } }));
    const created = await create(service.origin, python(['ticket', 'customer-3', TICKET_SECRET]));
    const { sessionId, token } = (await created.json()) as { sessionId: string; token: string };
    await step(sessionId, { action: 'decline' });
    await fetch(`${service.origin}/api/idv/${sessionId}`, { headers: { Authorization: `Bearer ${token}` } });
    await waitFor(() => printed.includes(`verified ${sessionId}:final`), 'the Python receiver verifying the webhook', 15_000);
    const body = JSON.stringify({ resultId: 'forged' });
    const stale = await fetch(`http://127.0.0.1:${port}/hooks`, {
      method: 'POST',
      headers: { 'Kosmos-Idv-Signature': await signWebhook(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 600), 'Idempotency-Key': 'x' },
      body,
    });
    assert.equal(stale.status, 400, 'a replayed (stale) signature is refused');
    const altered = await fetch(`http://127.0.0.1:${port}/hooks`, {
      method: 'POST',
      headers: { 'Kosmos-Idv-Signature': await signWebhook(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000)), 'Idempotency-Key': 'x' },
      body: body.replace('forged', 'altered'),
    });
    assert.equal(altered.status, 400, 'an altered body is refused');
    await waitFor(() => printed.match(/refused/g)?.length === 2, 'both refusals printed');
    await stop(service.child, 'SIGTERM');
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
    // Two failed deliveries: the second is only made once the first was recorded in the ledger.
    await waitFor(() => hooks.length >= 2, 'two failed deliveries', 15_000);
    await stop(first.child, 'SIGKILL');
    answers.length = 0;
    const delivered = hooks.length;
    const second = await serve(file);
    await waitFor(() => hooks.length > delivered, 'the delivery after the restart', 15_000);
    const last = hooks.at(-1)!;
    const event = await verifyWebhook(last.body, last.headers['kosmos-idv-signature'] as string, WEBHOOK_SECRET);
    assert.equal(event.resultId, `${sessionId}:final`);
    assert.equal(event.result.status, 'declined');
    assert.ok(event.attempt >= 2, 'the attempts recorded before the kill are kept');
    await stop(second.child, 'SIGTERM');
  });
});
