import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackHost, parseRetryAfter } from '../../src/contract/http.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');

  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter(' 3 ', now), 3000);
    assert.equal(parseRetryAfter('-5', now), 0);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    assert.equal(parseRetryAfter('Tue, 01 Jan 2030 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Mon, 31 Dec 2029 23:59:00 GMT', now), 0);
  });

  it('is undefined for nothing or garbage', () => {
    for (const header of [null, '', '   ', 'soon', 'NaN', 'Infinity']) {
      assert.equal(parseRetryAfter(header, now), undefined, JSON.stringify(header));
    }
  });
});

describe('isLoopbackHost', () => {
  it('is true for names and addresses of this machine only', () => {
    for (const host of ['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]']) {
      assert.equal(isLoopbackHost(host), true, host);
    }
    for (const host of ['example.com', 'localhost.example.com', '10.0.0.1', '128.0.0.1', '[::2]', 'mylocalhost']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });
});
