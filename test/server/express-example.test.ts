/**
 * The Express example (examples/express/server.ts): its page, the CDN build beside it, and a
 * session created and completed through the kit it mounts.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../examples/express/server.js';
import { createMemoryStore, createPgliteStore } from '../../src/server/index.js';
import { startSimulator } from '../../src/simulator/index.js';
import { assertStatusBody, passInBrowser, waitFor, type Created, type StatusBody } from './kit-helpers.js';

/**
 * The example app on 127.0.0.1 (port 0), with a stand-in CDN build; all closed at the end. Its
 * ledger is PGlite in a temporary folder, as the example's default is (or memory, for a test that
 * makes no session).
 */
async function startExample(t: TestContext, ledger: 'pglite' | 'memory' = 'pglite'): Promise<string> {
  const simulator = await startSimulator({ port: 0 });
  const cdnDir = mkdtempSync(join(tmpdir(), 'kosmos-cdn-'));
  writeFileSync(join(cdnDir, 'kosmos-idv-launcher.js'), 'export {};\n');
  const store = ledger === 'pglite' ? createPgliteStore({ dataDir: join(cdnDir, 'ledger') }) : createMemoryStore();
  const { app, handler } = createApp({ simulator, cdnDir, store });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  // In this order: no request, then no collector (nor its ledger), then no 1Kosmos, then no files.
  t.after(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await handler.close();
    await simulator.close();
    rmSync(cdnDir, { recursive: true, force: true });
  });
  await handler.ready();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('examples/express', () => {
  it('serves the page with the element and the CDN build it loads', async (t) => {
    const origin = await startExample(t, 'memory');
    const page = await fetch(`${origin}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('Content-Type') ?? '', /text\/html/);
    const html = await page.text();
    assert.match(html, /<script type="module" src="\/kosmos-idv-launcher\.js"><\/script>/);
    assert.match(html, /<kosmos-idv-launcher endpoint="\/api\/idv"/);
    const script = await fetch(`${origin}/kosmos-idv-launcher.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('Content-Type') ?? '', /javascript/);
    assert.equal(await script.text(), 'export {};\n');
    assert.equal((await fetch(`${origin}/page.js`)).status, 200);
    assert.deepEqual(await (await fetch(`${origin}/healthz`)).json(), { ok: true });
  });

  it('creates a session through the mounted kit and follows it to completion', async (t) => {
    const origin = await startExample(t);
    const response = await fetch(`${origin}/api/idv`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: origin },
      body: JSON.stringify({ documentType: 'passport' }),
    });
    assert.equal(response.status, 201, await response.clone().text());
    const session = (await response.json()) as Created;
    const read = async () => {
      const status = await fetch(`${origin}/api/idv/${session.sessionId}`, {
        headers: { Authorization: `Bearer ${session.token}` },
      });
      assert.equal(status.status, 200);
      return (await status.json()) as StatusBody;
    };
    assertStatusBody(await read(), { sessionId: session.sessionId, status: 'pending', verification: null });
    const logged = t.mock.method(console, 'log', () => {});
    await passInBrowser(session.url);
    const until = Date.now() + 5000;
    let body = await read();
    while (body.status !== 'completed' && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      body = await read();
    }
    assertStatusBody(body, { sessionId: session.sessionId, status: 'completed', verification: 'passed' });
    // The example's onResult logs the decision it is handed.
    await waitFor(() => logged.mock.callCount() === 1, "the example's onResult");
    assert.deepEqual(logged.mock.calls[0].arguments, [`session ${session.sessionId}: completed/passed (with PII)`]);
  });
});
