/**
 * The simulator as 1Kosmos's own helper libraries meet a tenant (nodejs-helper-files' BIDTenant and
 * BIDVerifyDocument): over https with a certificate it generates, `POST
 * /api/r1/system/community_info/fetch`, `/caas/sd` with a `licenses` entry, then their create
 * (`userUID` and `did`, no `user`) and v1 poll. The calls are made here as the helpers make them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { ROOT } from '../cli/helpers.js';
import { call } from './helpers.js';

const COMMUNITY_INFO = '/api/r1/system/community_info/fetch';

describe('simulator with tls: true, as 1Kosmos\'s helper libraries use a tenant', () => {
  let sim: Simulator;
  let secure: typeof fetch;
  before(async () => {
    sim = await startSimulator({ port: 0, tls: true });
    secure = sim.fetch;
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

describe('simulator publicUrl and fetch', () => {
  it('gives hosted-flow URLs on publicUrl (where a phone or a tunnel reaches it), its API staying where it listens', async () => {
    const sim = await startSimulator({ port: 0, publicUrl: 'https://idv.tunnel.example/' });
    try {
      assert.equal(sim.publicUrl, 'https://idv.tunnel.example');
      assert.match(sim.docuverifyUrl, /^http:\/\/127\.0\.0\.1:\d+\/docuverify$/);
      const created = await call(sim, '/document_share_session/create', {
        dvcID: 'default',
        sessionRequest: { tenantDNS: sim.tenantDNS, communityName: 'default', documentType: 'ppt_object' },
      });
      const { sessionId, url } = created.json as { sessionId: string; url: string };
      assert.equal(url, `https://idv.tunnel.example/idproofing/session/${sessionId}`);
    } finally {
      await sim.close();
    }
  });

  it('with tls, its certificate names publicUrl\'s host (an IP address or a DNS name) besides where it listens', async () => {
    for (const [publicUrl, names] of [
      ['https://192.168.1.20:8443', (cert: X509Certificate) => cert.checkIP('192.168.1.20')],
      ['https://idv.lan.example:8443', (cert: X509Certificate) => cert.checkHost('idv.lan.example')],
      ['https://[fd00::20]:8443', (cert: X509Certificate) => cert.checkIP('fd00::20')],
    ] as const) {
      const sim = await startSimulator({ port: 0, tls: true, publicUrl });
      try {
        const cert = new X509Certificate(sim.certificate!);
        assert.ok(names(cert), `${publicUrl}: ${cert.subjectAltName}`);
        assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
      } finally {
        await sim.close();
      }
    }
  });

  it('listening on a wildcard address (0.0.0.0, ::), its docuverifyUrl is a loopback one its certificate names', async () => {
    for (const [host, loopback] of [['0.0.0.0', '127.0.0.1'], ['::', '[::1]']]) {
      const sim = await startSimulator({ port: 0, host, tls: true });
      try {
        assert.match(sim.docuverifyUrl, new RegExp(`^https://${loopback.replace(/[.[\]]/g, '\\$&')}:\\d+/docuverify$`), host);
        const answer = await sim.fetch(`${sim.docuverifyUrl}/publickeys`, { signal: AbortSignal.timeout(5000) });
        assert.equal(answer.status, 200, host);
      } finally {
        await sim.close();
      }
    }
  });

  it('refuses a publicUrl that is not an http(s) origin', async () => {
    for (const publicUrl of ['idv.example', 'ftp://idv.example', 'https://idv.example/path', 42]) {
      await assert.rejects(startSimulator({ publicUrl: publicUrl as string }), /publicUrl must be an http\(s\) origin/, String(publicUrl));
    }
  });

  it('fetch is the global fetch without tls, and trusts its own certificate with tls', async () => {
    const plain = await startSimulator({ port: 0 });
    try {
      assert.equal(plain.fetch, globalThis.fetch);
      assert.equal(plain.publicUrl, plain.origin);
    } finally {
      await plain.close();
    }
    const secure = await startSimulator({ port: 0, tls: true });
    try {
      const answer = await secure.fetch(`${secure.docuverifyUrl}/publickeys`, { signal: AbortSignal.timeout(5000) });
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { publicKey: secure.servicePublicKey });
      const missing = await secure.fetch(`${secure.origin}/nowhere`);
      assert.equal(missing.status, 404);
      await assert.rejects(secure.fetch(`${secure.origin}/caas/sd`, { signal: AbortSignal.abort() }));
    } finally {
      await secure.close();
    }
  });
});

describe('simulator without tls', () => {
  it('loads no certificate library (selfsigned installs a global Reflect.getMetadata): only tls does', () => {
    const script = `
      const { startSimulator } = await import('./src/simulator/index.ts');
      const plain = await startSimulator({ port: 0 });
      await plain.close();
      const before = typeof Reflect.getMetadata;
      const secure = await startSimulator({ port: 0, tls: true });
      await secure.close();
      console.log(before, typeof Reflect.getMetadata);
    `;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(output.trim(), 'undefined function');
  });
});
