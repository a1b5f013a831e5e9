/**
 * Signed webhooks and tickets, in the kit: the signature a receiver checks with `verifyWebhook`
 * (forged, altered, stale and replayed ones refused), the webhook's own rules (https, failures
 * thrown for the collector to retry), and tickets guarding session creation.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { SignJWT } from 'jose';
import { IdvConfigError } from '../../src/server/config.js';
import { signWebhook, verifyWebhook, webhookSink, webhookUrlProblem, WebhookVerificationError } from '../../src/server/webhook.js';
import { configFor, createSession, expectError, request, startKit, waitFor, BASE_PATH } from './kit-helpers.js';
import { createIdvHandler } from '../../src/server/handler.js';
import { startSimulator } from '../../src/simulator/index.js';

const SECRET = 'webhook-tests-secret-0123456789abcdefghij';
const TICKETS = 'ticket-tests-secret-0123456789abcdefghijk';
const NOW = 1_800_000_000_000;

async function receiver(t: TestContext, answer: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => answer(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/idv`;
}

describe('webhook signatures', () => {
  it('verifyWebhook accepts its own signature and refuses altered bodies, other secrets, stale and future times', async () => {
    const body = JSON.stringify({ resultId: 'r1', result: { status: 'completed' } });
    const t = NOW / 1000;
    const header = await signWebhook(body, SECRET, t);
    assert.match(header, /^t=1800000000,v1=[0-9a-f]{64}$/);
    const now = () => NOW;
    assert.equal((await verifyWebhook(body, header, SECRET, { now })).resultId, 'r1');
    await assert.rejects(verifyWebhook(body.replace('completed', 'declined'), header, SECRET, { now }), WebhookVerificationError);
    await assert.rejects(verifyWebhook(body, header, `${SECRET}x`, { now }), WebhookVerificationError);
    await assert.rejects(verifyWebhook(body, header, SECRET, { now: () => NOW + 301_000 }), /too old/, 'a replay after 5 minutes');
    await assert.rejects(verifyWebhook(body, header, SECRET, { now: () => NOW - 301_000 }), /too old/);
    assert.ok(await verifyWebhook(body, header, SECRET, { now: () => NOW + 3_600_000, tolerance: 7200 }));
    for (const bad of [null, '', 'v1=abc', `t=${t}`, `t=soon,v1=${'0'.repeat(64)}`, header.replace(/v1=\w+/, `v1=${'0'.repeat(64)}`)]) {
      await assert.rejects(verifyWebhook(body, bad, SECRET, { now }), WebhookVerificationError, String(bad));
    }
    const rotated = `${header},v1=${'1'.repeat(64)}`;
    assert.ok(await verifyWebhook(body, rotated, SECRET, { now }), 'any one matching v1 is enough');
  });

  it('webhook URLs are https:, or http: on a loopback host only', () => {
    assert.equal(webhookUrlProblem('https://app.example/hooks'), undefined);
    assert.equal(webhookUrlProblem('http://127.0.0.1:9000/hooks'), undefined);
    assert.equal(webhookUrlProblem('http://localhost/hooks'), undefined);
    assert.match(webhookUrlProblem('http://app.example/hooks') ?? '', /must be https:/);
    assert.match(webhookUrlProblem('not a url') ?? '', /absolute URL/);
    assert.throws(() => createIdvHandler({ ...configFor(fakeSim), webhook: { url: 'http://app.example/x', secret: 'short' } }), (error: unknown) => {
      assert.ok(error instanceof IdvConfigError);
      assert.deepEqual(error.problems, ['webhook.url must be https: (http: only on a loopback host)', 'webhook.secret must be at least 32 characters']);
      return true;
    });
  });

  it('the sink POSTs the signed event with Idempotency-Key; anything but a 2xx is a failure', async (t) => {
    const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
    let status = 503;
    const url = await receiver(t, (req, res, body) => {
      seen.push({ headers: req.headers, body });
      res.writeHead(status).end();
    });
    const sink = webhookSink({ url, secret: SECRET }, Date.now);
    const result = { sessionId: 's1', status: 'completed' as const, verification: 'passed' as const, hasPII: true, raw: { document: { name: 'ADA' } } };
    const context = { sessionId: 's1', subject: 'u1', dvcID: 'wf', resultId: 's1:final', attempt: 2, piiMissing: false, signal: new AbortController().signal };
    await assert.rejects(sink(result, context), /HTTP 503/);
    status = 204;
    await sink(result, context);
    const { headers, body } = seen[1];
    assert.equal(headers['idempotency-key'], 's1:final');
    assert.equal(headers['content-type'], 'application/json');
    const event = await verifyWebhook(body, headers['kosmos-idv-signature'] as string, SECRET);
    assert.deepEqual(event, {
      resultId: 's1:final',
      sessionId: 's1',
      subject: 'u1',
      dvcID: 'wf',
      attempt: 2,
      piiMissing: false,
      result: { status: 'completed', verification: 'passed', hasPII: true, raw: { document: { name: 'ADA' } } },
    });
  });
});

describe('webhook beside onResult', () => {
  it('a result counts as delivered once both have it: a failing webhook retries both, which dedupe by resultId', async (t) => {
    const bodies: string[] = [];
    let failures = 1;
    const url = await receiver(t, (_req, res, body) => {
      bodies.push(body);
      res.writeHead(failures-- > 0 ? 500 : 200).end();
    });
    const kit = await startKit(t, { config: { webhook: { url, secret: SECRET } } });
    const session = await createSession(kit.handler);
    kit.sim.session(session.sessionId)!.decline();
    await waitFor(() => bodies.length === 2, 'the webhook, failed once then delivered', 15_000);
    assert.deepEqual(kit.results.map(({ context }) => [context.resultId, context.attempt]), [
      [`${session.sessionId}:final`, 1],
      [`${session.sessionId}:final`, 2],
    ]);
    assert.deepEqual(bodies.map((body) => (JSON.parse(body) as { attempt: number }).attempt), [1, 2]);
  });
});

const fakeSim = { tenantDNS: 'acme.1kosmos.net', communityName: 'c', licenseKey: 'l' } as Parameters<typeof configFor>[0];

describe('tickets (ticketSecret): who may create a session', () => {
  const mint = (claims: Record<string, unknown>, secret = TICKETS) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));

  it('401 without a valid ticket; a valid one makes its sub the subject, which reaches the result', async (t) => {
    const kit = await startKit(t, { config: { ticketSecret: TICKETS } });
    const create = (ticket?: string) =>
      kit.handler(request('POST', BASE_PATH, { body: { documentType: 'passport' }, headers: ticket ? { 'Kosmos-Idv-Ticket': ticket } : {} }));
    const exp = Math.floor(Date.now() / 1000) + 60;
    await expectError(await create(), 401, 'unauthorized');
    await expectError(await create(await mint({ sub: 'user-9', exp }, `${TICKETS}x`)), 401, 'unauthorized');
    await expectError(await create(await mint({ sub: 'user-9', exp: exp - 120 })), 401, 'unauthorized');
    await expectError(await create(await mint({ exp })), 401, 'unauthorized');
    await expectError(await create(await mint({ sub: 'user-9' })), 401, 'unauthorized');
    const session = await createSession(kit.handler, { documentType: 'passport' }, { 'Kosmos-Idv-Ticket': await mint({ sub: 'user-9', exp }) });
    kit.sim.session(session.sessionId)!.decline();
    await waitFor(() => kit.results.length === 1, 'the result', 10_000);
    assert.equal(kit.results[0].context.subject, 'user-9');
    const preflight = await kit.handler(request('OPTIONS', BASE_PATH));
    assert.match(preflight.headers.get('Access-Control-Allow-Headers') ?? '', /Kosmos-Idv-Ticket/);
  });

  it('a ticketSecret and an authenticate hook together are refused: one names the caller', async (t) => {
    const sim = await startSimulator({ port: 0 });
    t.after(() => sim.close());
    assert.throws(
      () => createIdvHandler({ ...configFor(sim), ticketSecret: TICKETS, authenticate: () => 'x' }),
      /ticketSecret and authenticate both name the caller/,
    );
    assert.throws(() => createIdvHandler({ ...configFor(sim), ticketSecret: 'short' }), /ticketSecret must be at least 32 characters/);
  });
});
