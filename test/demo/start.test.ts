/**
 * `npm start` and the Express example as a newcomer runs them: a port already taken is told in one
 * line (which port, and how to choose another), and the demo's log says "PII received" only when
 * the result carries some.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { resultLine } from '../../demo/servers.js';
import { parseResult } from '../../src/server/result.js';
import { ROOT } from '../cli/helpers.js';

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
