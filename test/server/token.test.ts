/**
 * Status tokens on their own: what they carry, and every way a token is refused.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { StatusTokens, TokenError } from '../../src/server/token.js';

const SECRET = 'status-token-tests-secret-0123456789';
const now = Date.parse('2030-01-01T00:00:00Z');
const claims = { sessionId: 'session-1', subject: 'alice', dvcID: 'default', expiresAt: now / 1000 + 600 };

describe('StatusTokens', () => {
  it('issues an HS256 token whose claims come back', async () => {
    const tokens = new StatusTokens(SECRET);
    const token = await tokens.issue(claims);
    assert.equal(decodeProtectedHeader(token).alg, 'HS256');
    assert.deepEqual(await tokens.verify(token), claims);
    const anonymous = await tokens.issue({ ...claims, subject: null });
    assert.equal((await tokens.verify(anonymous)).subject, null);
  });

  it('a token past its expiry still yields its claims (the ledger answers "expired"), remembered or not', async () => {
    const tokens = new StatusTokens(SECRET);
    const past = { ...claims, expiresAt: Math.floor(Date.now() / 1000) - 60 };
    const token = await tokens.issue(past);
    assert.deepEqual(await tokens.verify(token), past);
    assert.deepEqual(await tokens.verify(token), past);
  });

  it('refuses tampered, foreign and malformed tokens with a TokenError, after the genuine one verified', async () => {
    const tokens = new StatusTokens(SECRET);
    const token = await tokens.issue(claims);
    await tokens.verify(token);
    const [header, payload, signature] = token.split('.');
    const changed = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), jti: 'session-2' }),
    ).toString('base64url');
    const foreign = await new StatusTokens('some-other-secret-0123456789abcdefgh').issue(claims);
    for (const bad of [`${header}.${changed}.${signature}`, foreign, 'garbage', '', `${header}.${payload}.`]) {
      await assert.rejects(tokens.verify(bad), TokenError, bad.slice(0, 20));
    }
  });

  it('refuses a correctly signed token whose header is not plain HS256', async () => {
    const tokens = new StatusTokens(SECRET);
    const payload = (await tokens.issue(claims)).split('.')[1];
    for (const header of [{ alg: 'none' }, { alg: 'HS512' }, { alg: 'HS256', crit: ['exp'], exp: 1 }]) {
      const signingInput = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payload}`;
      const mac = createHmac('sha256', SECRET).update(signingInput).digest('base64url');
      await assert.rejects(tokens.verify(`${signingInput}.${mac}`), TokenError, header.alg);
    }
    const plain = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${payload}`;
    assert.equal((await tokens.verify(`${plain}.${createHmac('sha256', SECRET).update(plain).digest('base64url')}`)).sessionId, 'session-1');
  });
});
