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
import { createPgliteStore } from '../../src/server/index.js';
import { startSimulator } from '../../src/simulator/index.js';
import { assertStatusBody, passInBrowser, type Created } from './kit-helpers.js';

/** The example app on 127.0.0.1 (port 0), with a stand-in CDN build; all closed at the end. */
async function startExample(t: TestContext): Promise<string> {
  const simulator = await startSimulator({ port: 0 });
  t.after(() => simulator.close());
  const cdnDir = mkdtempSync(join(tmpdir(), 'kosmos-cdn-'));
  t.after(() => rmSync(cdnDir, { recursive: true, force: true }));
  writeFileSync(join(cdnDir, 'kosmos-idv-launcher.js'), 'export {};\n');
  const { app, handler } = createApp({ simulator, cdnDir, store: createPgliteStore({ dataDir: join(cdnDir, 'ledger') }) });
  t.after(() => handler.close());
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('examples/express', () => {
  it('serves the page with the element and the CDN build it loads', async (t) => {
    const origin = await startExample(t);
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
      return status.json();
    };
    assertStatusBody(await read(), { sessionId: session.sessionId, status: 'pending', verification: null });
    t.mock.method(console, 'log', () => {});
    await passInBrowser(session.url);
    assertStatusBody(await read(), { sessionId: session.sessionId, status: 'completed', verification: 'passed' });
  });
});
