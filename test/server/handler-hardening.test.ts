/**
 * The kit's safe defaults: a start-up warning when anyone may create sessions without limit, the
 * same-origin check on scheme, host and port, `nosniff` on every JSON answer, and 400s that never
 * echo a long key or value of the client's.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IdvHandlerError } from '../../src/server/config.js';
import { createIdvHandler } from '../../src/server/handler.js';
import { startSimulator } from '../../src/simulator/index.js';
import { BASE_PATH, configFor, createSession, expectError, readStatus, request, startKit } from './kit-helpers.js';

const OPEN = /anyone who reaches .* can create 1Kosmos sessions without limit/;

describe('createIdvHandler: safe defaults', () => {
  it('tells onError at start-up that anyone may create sessions without limit, unless public: true', async (t) => {
    const sim = await startSimulator({ port: 0 });
    t.after(() => sim.close());
    const told = async (config: Record<string, unknown>) => {
      const errors: IdvHandlerError[] = [];
      const handler = createIdvHandler({ ...configFor(sim), public: undefined, ...config, onError: (problem) => errors.push(problem) });
      await handler.close();
      return errors.filter((problem) => OPEN.test((problem.error as Error).message)).map((problem) => problem.stage);
    };
    assert.deepEqual(await told({}), ['create']);
    assert.deepEqual(await told({ public: true }), []);
    assert.deepEqual(await told({ authenticate: () => 'alice' }), []);
    assert.deepEqual(await told({ rateLimit: () => null }), []);
    assert.deepEqual(await told({ ticketSecret: 'a-ticket-secret-of-at-least-32-characters' }), []);
  });

  it('logs the same warning when there is no onError', async (t) => {
    const sim = await startSimulator({ port: 0 });
    t.after(() => sim.close());
    const warned = t.mock.method(console, 'warn', () => undefined);
    const handler = createIdvHandler({ ...configFor(sim), public: undefined });
    await handler.close();
    assert.ok(warned.mock.calls.some((call) => OPEN.test(String(call.arguments[0]))));
  });

  it('refuses public that is not true or false', () => {
    assert.throws(() => createIdvHandler({ ...configFor({} as never), public: 'yes' as never }), /public must be true or false/);
  });

  it('the same-origin check compares scheme, host and port: https://host:port is not http://host:port', async (t) => {
    const kit = await startKit(t);
    const post = (url: string, origin: string, headers: Record<string, string> = {}) =>
      kit.handler(
        new Request(`${url}${BASE_PATH}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: origin, ...headers },
          body: JSON.stringify({ documentType: 'passport' }),
        }),
      );
    assert.equal((await post('http://kit.test:8080', 'http://kit.test:8080')).status, 201);
    const refused = await expectError(await post('http://kit.test:8080', 'https://kit.test:8080'), 403, 'origin_not_allowed');
    assert.match(refused.message, /allowedOrigins/, 'says what to do behind a proxy that terminates TLS');
    await expectError(await post('https://kit.test', 'http://kit.test'), 403, 'origin_not_allowed');
    await expectError(await post('http://kit.test:8080', 'http://kit.test:8081'), 403, 'origin_not_allowed');
    // Behind a proxy that terminates TLS and says so, the page's https origin is this server's own.
    assert.equal((await post('http://kit.test', 'https://kit.test', { 'X-Forwarded-Proto': 'https' })).status, 201);
    assert.equal((await post('http://kit.test', 'https://kit.test', { 'X-Forwarded-Proto': 'HTTPS, http' })).status, 201);
    await expectError(await post('http://kit.test', 'http://kit.test', { 'X-Forwarded-Proto': 'https' }), 403, 'origin_not_allowed');
  });

  it('every JSON answer carries X-Content-Type-Options: nosniff', async (t) => {
    const kit = await startKit(t);
    const session = await createSession(kit.handler);
    const answers = [
      await kit.handler(request('POST', BASE_PATH, { body: { documentType: 'passport' } })),
      await readStatus(kit.handler, session),
      await kit.handler(request('POST', BASE_PATH, { body: { documentType: 'visa' } })),
      await readStatus(kit.handler, { ...session, token: 'forged' }),
      await kit.handler(request('GET', '/elsewhere')),
      await kit.handler(request('PUT', BASE_PATH)),
    ];
    for (const answer of answers) {
      assert.match(answer.headers.get('Content-Type') ?? '', /^application\/json/);
      assert.equal(answer.headers.get('X-Content-Type-Options'), 'nosniff', `${answer.status}`);
    }
  });

  it('a 400 never echoes a key or value of the client longer than 64 characters', async (t) => {
    const kit = await startKit(t);
    const long = `k${'x'.repeat(200)}`;
    for (const body of [{ documentType: 'passport', [long]: 1 }, { documentType: long }, { documentType: 'passport', uid: long }]) {
      const error = await expectError(await kit.handler(request('POST', BASE_PATH, { body })), 400, 'bad_request');
      assert.ok(!error.message.includes('x'.repeat(65)), error.message);
    }
    const short = await expectError(
      await kit.handler(request('POST', BASE_PATH, { body: { documentType: 'passport', email: 'a' } })),
      400,
      'bad_request',
    );
    assert.match(short.message, /email is not allowed/, 'a short key is still named');
  });
});
