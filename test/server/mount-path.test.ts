/**
 * A kit mounted by Express at a path that is not its basePath says so, instead of a silent 404,
 * and every 404 of the kit names the routes it serves.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import { expectError, request, startKit } from './kit-helpers.js';

describe('the kit mounted at the wrong path', () => {
  it("app.use('/kyc', handler.node) with the default basePath: a 404 that names basePath and the mount path", async (t) => {
    const kit = await startKit(t);
    const app = express();
    app.use('/kyc', kit.handler.node);
    app.get('/health', (_req, res) => void res.json({ ok: true }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    t.after(() => server.close());
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const answer = await fetch(`${origin}/kyc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"documentType":"passport"}' });
    const error = await expectError(answer, 404, 'not_found');
    assert.equal(error.message, 'Not found: this kit serves POST /api/idv and GET /api/idv/{sessionId} (basePath "/api/idv"), but it is mounted at /kyc. Mount it at /api/idv, or set basePath: "/kyc".');
    assert.equal((await fetch(`${origin}/health`)).status, 200, "the app's own routes still work");
  });

  it('a 404 of the fetch-API handler names the routes it serves', async (t) => {
    const kit = await startKit(t, { config: { basePath: '/kyc' } });
    const error = await expectError(await kit.handler(request('GET', '/api/idv/abc')), 404, 'not_found');
    assert.match(error.message, /this kit serves POST \/kyc and GET \/kyc\/\{sessionId\}/);
  });
});
