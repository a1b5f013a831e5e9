/**
 * The simulator as 1Kosmos's own helper libraries meet a tenant (nodejs-helper-files' BIDTenant and
 * BIDVerifyDocument): over https with a certificate it generates, `POST
 * /api/r1/system/community_info/fetch`, `/caas/sd` with a `licenses` entry, then their create
 * (`userUID` and `did`, no `user`) and v1 poll. The calls are made here as the helpers make them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { call } from './helpers.js';

/** A fetch over `node:https` that trusts `ca` (the global fetch cannot be given a CA). */
function trusting(ca: string): typeof fetch {
  return (input, init = {}) =>
    new Promise((resolve, reject) => {
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const outgoing = request(new URL(String(input)), { method: init.method ?? 'GET', headers, ca }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: incoming.statusCode })));
      });
      outgoing.on('error', reject);
      outgoing.end(init.body as string | undefined);
    });
}

const COMMUNITY_INFO = '/api/r1/system/community_info/fetch';

describe('simulator with tls: true, as 1Kosmos\'s helper libraries use a tenant', () => {
  let sim: Simulator;
  let secure: typeof fetch;
  before(async () => {
    sim = await startSimulator({ port: 0, tls: true });
    secure = trusting(sim.certificate!);
  });
  after(() => sim.close());

  const post = (path: string, body: unknown) =>
    secure(`https://${sim.tenantDNS}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', charset: 'utf-8' },
      body: JSON.stringify(body),
    });

  it('answers on https:// with its own certificate (PEM), and its URLs say https:', async () => {
    assert.match(sim.origin, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(sim.docuverifyUrl, `${sim.origin}/docuverify`);
    assert.match(sim.certificate ?? '', /^-----BEGIN CERTIFICATE-----/);
    await assert.rejects(fetch(`${sim.origin}/caas/sd`), 'a client that does not trust the certificate is refused');
  });

  it('lists licenses and an https docuverify in /caas/sd (the helpers drop an answer without licenses)', async () => {
    const sd = (await (await secure(`https://${sim.tenantDNS}/caas/sd`)).json()) as Record<string, string>;
    assert.equal(sd.docuverify, `${sim.origin}/docuverify`);
    assert.equal(sd.licenses, `${sim.origin}/licenses`);
  });

  it('answers community_info by dns and communityName, and by tenantId and communityId', async () => {
    const byName = await post(COMMUNITY_INFO, { dns: sim.tenantDNS, communityName: sim.communityName });
    assert.equal(byName.status, 200);
    const info = (await byName.json()) as { tenant: Record<string, string>; community: Record<string, string> };
    assert.equal(info.tenant.dns, sim.tenantDNS);
    assert.equal(info.community.name, 'default');
    assert.equal(typeof info.tenant.id, 'string');
    assert.equal(typeof info.community.id, 'string');
    const byId = await post(COMMUNITY_INFO, { tenantId: info.tenant.id, communityId: info.community.id });
    assert.deepEqual(await byId.json(), info);
  });

  it('answers community_info for another tenant or community with 404 { code, message }', async () => {
    for (const body of [
      { dns: 'other.example', communityName: 'default' },
      { dns: sim.tenantDNS, communityName: 'other' },
      { tenantId: 'nope', communityName: 'default' },
      { dns: sim.tenantDNS },
    ]) {
      const answer = await post(COMMUNITY_INFO, body);
      assert.equal(answer.status, 404, JSON.stringify(body));
      assert.deepEqual(Object.keys((await answer.json()) as object).sort(), ['code', 'message']);
    }
  });

  it('creates a session from the helpers\' request (userUID and did) and answers their v1 poll', async () => {
    const uid = randomUUID();
    const created = await call(
      sim,
      '/document_share_session/create',
      {
        dvcID: 'default',
        sessionRequest: { tenantDNS: sim.tenantDNS, communityName: 'default', documentType: 'dl_object', userUID: uid, did: uid },
      },
      { fetch: secure },
    );
    assert.equal(created.status, 200, created.text);
    const { sessionId, url } = created.json as { sessionId: string; url: string };
    assert.equal(url, `${sim.origin}/idproofing/session/${sessionId}`);
    const polled = await call(sim, '/document_share_session/result', { dvcID: 'default', sessionId }, { fetch: secure });
    assert.equal(polled.plaintext?.responseStatus, 'INPROGRESS');
    assert.equal(polled.plaintext?.sessionId, sessionId);
  });
});
