/**
 * `npm start` and the Express example as a newcomer runs them: a phone on the same network can
 * open the hosted flow (`--host 0.0.0.0`, `--public-url`), a port already taken is told in one
 * line (which port, and how to choose another), and the demo's log says "PII received" only when
 * the result carries some.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { request } from 'node:https';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { resultLine } from '../../demo/servers.js';
import { parseResult } from '../../src/server/result.js';
import { ROOT } from '../cli/helpers.js';
import { freePort } from '../server/postgres-cluster.js';

/** A port something else listens on until the test ends. */
async function takenPort(t: TestContext): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

/** Runs a TypeScript entry point of the repository to its end (at most 60 s). */
function run(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, file), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** One line naming the port and the way to choose another; no stack. */
function assertTaken(stderr: string, port: number, choose: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], new RegExp(`\\b${port}\\b.*taken`));
  assert.match(lines[0], choose);
}

describe('a port already taken', () => {
  it('npm start says which port and how to choose another, for the simulator and for the site', async (t) => {
    const port = await takenPort(t);
    const simulator = await run('demo/start.ts', ['--simulator-port', String(port), '--port', '0']);
    assert.equal(simulator.code, 1);
    assertTaken(simulator.stderr, port, /--simulator-port/);
    const site = await run('demo/start.ts', ['--simulator-port', '0', '--port', String(port), '--host', '127.0.0.1']);
    assert.equal(site.code, 1);
    assertTaken(site.stderr, port, /--port/);
  });

  it('the Express example says which port and how to choose another, for the simulator and for the app', async (t) => {
    const port = await takenPort(t);
    const simulator = await run('examples/express/server.ts', [], { SIMULATOR_PORT: String(port), PORT: '0' });
    assert.equal(simulator.code, 1);
    assertTaken(simulator.stderr, port, /SIMULATOR_PORT=/);
    const app = await run('examples/express/server.ts', [], { SIMULATOR_PORT: '0', PORT: String(port) });
    assert.equal(app.code, 1);
    assertTaken(app.stderr, port, /PORT=/);
  });
});

describe("the demo's log of a result", () => {
  const context = { sessionId: 's1', piiMissing: false };

  it('says "PII received" for a result with PII', () => {
    const result = parseResult({ sessionResult: 'SUCCESS', sessionId: 's1', document: { firstName: 'SAMPLE' } });
    assert.match(resultLine(result, context), /completed\/passed \(PII received, not logged\)/);
  });

  it('does not for a session created without user fields that was not performed (an empty user and extractedInfo)', () => {
    const result = parseResult({ sessionResult: 'NOT_PERFORMED', sessionId: 's1', sessionData: { user: {}, documentType: 'ppt_object' }, extractedInfo: {} });
    assert.doesNotMatch(resultLine(result, context), /PII received/);
  });
});

/** Starts `npm start` with `args`; resolves with its banner once it is up (the child is stopped when the test ends). */
async function startDemoProcess(t: TestContext, args: string[]): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'demo/start.ts'), ...args], { cwd: ROOT });
  t.after(() => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('close', () => resolve());
    child.kill('SIGTERM');
  }));
  let stdout = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (stdout.includes('Press Ctrl-C to stop.')) resolve(stdout);
    });
    child.once('close', (code) => reject(new Error(`npm start exited with ${code}: ${stdout}`)));
  });
}

/** Creates a session through the demo's backend kit; resolves with its hosted-flow URL. */
async function hostedUrl(banner: string): Promise<string> {
  const kit = /Backend kit\s+(\S+)/.exec(banner)![1];
  const created = await fetch(kit, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ documentType: 'passport' }) });
  assert.equal(created.status, 201, await created.clone().text());
  return ((await created.json()) as { url: string }).url;
}

const lan = Object.values(networkInterfaces()).flat().find((address) => address?.family === 'IPv4' && !address.internal)?.address;

describe('npm start for a phone on the same network', () => {
  it('--host 0.0.0.0: hosted flows (so the QR code) at https on this machine\'s network address, which the banner prints', { skip: !lan && 'no network address here' }, async (t) => {
    const simulatorPort = await freePort();
    const banner = await startDemoProcess(t, ['--host', '0.0.0.0', '--port', '0', '--simulator-port', String(simulatorPort)]);
    const phone = `https://${lan}:${simulatorPort}`;
    assert.match(banner, new RegExp(`On a phone\\s+hosted flows \\(and the QR code\\) at ${phone.replaceAll('.', '\\.')}`));
    // The kit (and the banner) reach the simulator at 127.0.0.1, never at the wildcard 0.0.0.0 (Windows cannot connect to it).
    assert.match(banner, new RegExp(`1Kosmos simulator\\s+https://127\\.0\\.0\\.1:${simulatorPort}\\s`));
    const url = await hostedUrl(banner);
    assert.ok(url.startsWith(`${phone}/idproofing/session/`), url);
    // What the phone does: open it (its certificate is self-signed, which the phone is told).
    const status = await new Promise<number | undefined>((resolve, reject) =>
      request(url, { rejectUnauthorized: false }, (answer) => {
        answer.resume();
        resolve(answer.statusCode);
      })
        .on('error', reject)
        .end(),
    );
    assert.equal(status, 200);
  });

  it('--public-url: hosted flows at a tunnel\'s or proxy\'s address', async (t) => {
    const banner = await startDemoProcess(t, ['--port', '0', '--simulator-port', '0', '--public-url', 'https://idv.tunnel.example']);
    assert.match(banner, /On a phone\s+hosted flows \(and the QR code\) at https:\/\/idv\.tunnel\.example\n/);
    assert.match(await hostedUrl(banner), /^https:\/\/idv\.tunnel\.example\/idproofing\/session\//);
  });

  it('without either, the banner has no phone line (the demo stays on this machine)', async (t) => {
    const banner = await startDemoProcess(t, ['--port', '0', '--simulator-port', '0']);
    assert.doesNotMatch(banner, /On a phone/);
    assert.match(await hostedUrl(banner), /^http:\/\/127\.0\.0\.1:\d+\/idproofing\/session\//);
  });
});
