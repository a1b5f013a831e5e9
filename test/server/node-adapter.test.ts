/**
 * `handler.node` on a real `node:http` server and in real Express apps, over HTTP, against a live
 * simulator.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import express from 'express';
import { MAX_BODY_BYTES } from '../../src/server/handler.js';
import {
  BASE_PATH,
  CREATE_PATH,
  assertStatusBody,
  expectError,
  passInBrowser,
  startKit,
  waitFor,
  type Created,
  type Kit,
} from './kit-helpers.js';

/** Serves a listener on 127.0.0.1 (port 0) until the test ends; resolves with its origin. */
async function serve(t: TestContext, listener: RequestListener): Promise<string> {
  const server: Server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const postJson = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });

/**
 * Creates a session over HTTP, runs its hosted flow, and follows it with held reads (`Prefer:
 * wait` with the last ETag) until completed/passed, as the element does.
 */
async function fullFlow(kit: Kit, origin: string, path = BASE_PATH): Promise<void> {
  const response = await postJson(`${origin}${path}`, JSON.stringify({ documentType: 'passport' }));
  assert.equal(response.status, 201, await response.clone().text());
  const session = (await response.json()) as Created;
  const read = (headers: Record<string, string> = {}) =>
    fetch(`${origin}${path}/${session.sessionId}`, { headers: { Authorization: `Bearer ${session.token}`, ...headers } });
  const pending = await read();
  let etag = pending.headers.get('ETag') ?? '';
  let body = assertStatusBody(await pending.json(), { sessionId: session.sessionId, status: 'pending', verification: null });
  await passInBrowser(session.url);
  const seen = [body.status];
  const until = Date.now() + 5000;
  while (body.status !== 'completed' && Date.now() < until) {
    const held = await read({ 'If-None-Match': etag, Prefer: 'wait=5' });
    if (held.status === 304) continue;
    assert.equal(held.status, 200);
    etag = held.headers.get('ETag') ?? '';
    body = (await held.json()) as typeof body;
    seen.push(body.status);
  }
  assertStatusBody(body, { sessionId: session.sessionId, status: 'completed', verification: 'passed' });
  assert.equal(new Set(seen).size, seen.length, `each change answered once: ${seen.join(' → ')}`);
  const unchanged = await read({ 'If-None-Match': etag });
  assert.equal(unchanged.status, 304);
  await waitFor(() => kit.results.length === 1, 'onResult');
}

/** A body of more than 16 KiB, streamed without a Content-Length. */
const chunked = () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(`{"documentType":"passport","pad":"${'x'.repeat(MAX_BODY_BYTES)}"}`));
      controller.close();
    },
  });

describe('handler.node on node:http', () => {
  it('serves the whole flow, errors included, without a next()', async (t) => {
    const kit = await startKit(t);
    const origin = await serve(t, (req, res) => void kit.handler.node(req, res));
    await fullFlow(kit, origin);

    await expectError(await fetch(`${origin}/elsewhere`), 404, 'not_found');
    const wrongMethod = await fetch(`${origin}${BASE_PATH}`);
    assert.equal(wrongMethod.headers.get('Allow'), 'POST, OPTIONS');
    await expectError(wrongMethod, 405, 'method_not_allowed');
    await expectError(
      await fetch(`${origin}${BASE_PATH}`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' }),
      415,
      'unsupported_media_type',
    );
    const same = await postJson(`${origin}${BASE_PATH}`, '{"documentType":"id_card"}', { Origin: origin });
    assert.equal(same.status, 201, 'a same-origin browser request passes');
    await expectError(
      await postJson(`${origin}${BASE_PATH}`, '{"documentType":"id_card"}', { Origin: 'https://evil.example' }),
      403,
      'origin_not_allowed',
    );
  });

  it('413 for a body over 16 KiB, with a Content-Length and chunked', async (t) => {
    const kit = await startKit(t);
    const origin = await serve(t, (req, res) => void kit.handler.node(req, res));
    const big = JSON.stringify({ documentType: 'passport', pad: 'x'.repeat(MAX_BODY_BYTES) });
    await expectError(await postJson(`${origin}${BASE_PATH}`, big), 413, 'payload_too_large');
    const streamed = await fetch(`${origin}${BASE_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: chunked(),
      duplex: 'half',
    } as RequestInit);
    await expectError(streamed, 413, 'payload_too_large');
    assert.equal(kit.upstream(CREATE_PATH), 0);
  });
});

describe('handler.node: a request that makes no URL', () => {
  it('answers the contract\'s 400, with nosniff', async (t) => {
    const kit = await startKit(t);
    const origin = await serve(t, (req, res) => void kit.handler.node(req, res));
    const { hostname, port } = new URL(origin);
    const socket = connect(Number(port), hostname);
    socket.write(`GET ${BASE_PATH} HTTP/1.1\r\nHost: not a host\r\nConnection: close\r\n\r\n`);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk));
    await new Promise((resolve) => socket.once('close', resolve));
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /"code":"bad_request"/);
    assert.match(answer, /\r\nX-Content-Type-Options: nosniff\r\n/i);
  });
});

describe('handler.node: slow bodies', () => {
  /** Sends the start of a create body to `origin` and then a byte every 50 ms; resolves with all it heard once the server closes. */
  function trickle(origin: string): Promise<{ answer: string; took: number }> {
    const { hostname, port } = new URL(origin);
    const socket = connect(Number(port), hostname);
    const started = Date.now();
    socket.write(`POST ${BASE_PATH} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"documentType"`);
    const drip = setInterval(() => socket.write(' '), 50);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk));
    socket.on('error', () => undefined);
    return new Promise((resolve) =>
      socket.once('close', () => {
        clearInterval(drip);
        resolve({ answer, took: Date.now() - started });
      }),
    );
  }

  it('answers 408 and closes the connection when the body is not all there within bodyTimeout', async (t) => {
    const kit = await startKit(t, { config: { bodyTimeout: 300 } });
    const origin = await serve(t, (req, res) => void kit.handler.node(req, res));
    const { answer, took } = await trickle(origin);
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.match(answer, /"code":"request_timeout"/);
    assert.ok(took >= 280 && took < 3000, `closed after ${took} ms`);
    assert.equal(kit.upstream(CREATE_PATH), 0);
  });

  it('in Express too', async (t) => {
    const kit = await startKit(t, { config: { bodyTimeout: 300 } });
    const app = express();
    app.use(BASE_PATH, kit.handler.node);
    const { answer } = await trickle(await serve(t, app));
    assert.match(answer, /^HTTP\/1\.1 408 /);
  });

  it('does not cut a held status read, which has no body', async (t) => {
    const kit = await startKit(t, { config: { bodyTimeout: 200 } });
    const origin = await serve(t, (req, res) => void kit.handler.node(req, res));
    const created = await postJson(`${origin}${BASE_PATH}`, JSON.stringify({ documentType: 'passport' }));
    const session = (await created.json()) as Created;
    const read = (headers: Record<string, string> = {}) =>
      fetch(`${origin}${BASE_PATH}/${session.sessionId}`, { headers: { Authorization: `Bearer ${session.token}`, ...headers } });
    const etag = (await read()).headers.get('ETag') ?? '';
    const started = Date.now();
    const held = await read({ 'If-None-Match': etag, Prefer: 'wait=1' });
    assert.equal(held.status, 304);
    assert.ok(Date.now() - started >= 900, 'held for the wait asked, past bodyTimeout');
  });
});

describe('handler.node in Express', () => {
  /** An app with the handler mounted by `mount`, and a route of its own after it. */
  async function expressApp(t: TestContext, mount: (app: express.Express) => void): Promise<string> {
    const app = express();
    mount(app);
    app.get('/hello', (_req, res) => {
      res.send('hello from express');
    });
    app.get('/api/hello', (_req, res) => {
      res.send('hello from express');
    });
    return serve(t, app);
  }

  it('app.use(handler.node): the flow works and other routes still reach Express', async (t) => {
    const kit = await startKit(t);
    const origin = await expressApp(t, (app) => app.use(kit.handler.node));
    await fullFlow(kit, origin);
    const other = await fetch(`${origin}/hello`);
    assert.equal(other.status, 200);
    assert.equal(await other.text(), 'hello from express');
  });

  it("app.use('/api/idv', handler.node): mounted at its base path", async (t) => {
    const kit = await startKit(t);
    const origin = await expressApp(t, (app) => app.use(BASE_PATH, kit.handler.node));
    await fullFlow(kit, origin);
    await expectError(await fetch(`${origin}${BASE_PATH}/a/b`), 404, 'not_found');
    assert.equal(await (await fetch(`${origin}/hello`)).text(), 'hello from express');
  });

  it("app.use('/api', handler.node): requests it does not serve go on to Express's routes", async (t) => {
    const kit = await startKit(t);
    const origin = await expressApp(t, (app) => app.use('/api', kit.handler.node));
    const created = await postJson(`${origin}${BASE_PATH}`, '{"documentType":"passport"}');
    assert.equal(created.status, 201);
    const other = await fetch(`${origin}/api/hello`);
    assert.equal(other.status, 200);
    assert.equal(await other.text(), 'hello from express');
  });

  it('after express.raw(): the bytes the parser read are the body', async (t) => {
    const kit = await startKit(t);
    const origin = await expressApp(t, (app) => {
      app.use(express.raw({ type: 'application/json' }));
      app.use(kit.handler.node);
    });
    const created = await postJson(`${origin}${BASE_PATH}`, '{"documentType":"id_card","firstname":"Ada"}');
    assert.equal(created.status, 201, await created.clone().text());
    const session = (await created.json()) as Created;
    assert.equal(kit.sim.session(session.sessionId)?.view().documentType, 'idcard_object');
  });

  it("basePath '/': the kit serves / and /{sessionId}; deeper paths go on to Express", async (t) => {
    const kit = await startKit(t, { config: { basePath: '/' } });
    const origin = await expressApp(t, (app) => {
      app.use(kit.handler.node);
      app.get('/assets/app.js', (_request, response) => void response.send('an asset'));
    });
    await fullFlow(kit, origin, '');
    assert.equal(await (await fetch(`${origin}/assets/app.js`)).text(), 'an asset');
  });

  it('after express.json(): a body the parser consumed still works, and its limits still hold', async (t) => {
    const kit = await startKit(t);
    const origin = await expressApp(t, (app) => {
      app.use(express.json());
      app.use(kit.handler.node);
    });
    const pretty = JSON.stringify({ documentType: 'driving_license', firstname: 'Ada' }, null, 4);
    const created = await postJson(`${origin}${BASE_PATH}`, pretty);
    assert.equal(created.status, 201, await created.clone().text());
    const session = (await created.json()) as Created;
    assert.equal(kit.sim.session(session.sessionId)?.view().documentType, 'dl_object');
    await fullFlow(kit, origin);

    const big = JSON.stringify({ documentType: 'passport', pad: 'x'.repeat(MAX_BODY_BYTES) });
    await expectError(await postJson(`${origin}${BASE_PATH}`, big), 413, 'payload_too_large');
    const streamed = await fetch(`${origin}${BASE_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: chunked(),
      duplex: 'half',
    } as RequestInit);
    await expectError(streamed, 413, 'payload_too_large');
    await expectError(
      await postJson(`${origin}${BASE_PATH}`, JSON.stringify({ documentType: 'passport', extra: 1 })),
      400,
      'bad_request',
    );
  });
});
