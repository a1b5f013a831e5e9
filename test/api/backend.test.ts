import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../../src/api/backend.js';
import { IdvError } from '../../src/api/errors.js';
import type { Session } from '../../src/contract/bodies.js';

const session: Session = {
  sessionId: 's-1',
  url: 'https://idv.example.com/flow/s-1',
  token: 'tok-1',
  expiresAt: '2030-01-01T00:00:00.000Z',
  status: 'pending',
};

const signal = new AbortController().signal;

const rejectsWith = (promise: Promise<unknown>, code: string) =>
  assert.rejects(promise, (error) => error instanceof IdvError && error.code === code);

describe('createBackend', () => {
  it("validates the hooks' answers like the contract's, and never asks a status hook to hold a read", async () => {
    const waits: unknown[] = [];
    const backend = createBackend({
      endpoint: '',
      createSession: async () => ({ ...session, status: 'In Progress' }) as unknown as Session,
      fetchStatus: async (_session, _signal, ...rest: unknown[]) => {
        waits.push(...rest);
        return { sessionId: 's-1', status: 'COMPLETED', verification: 'Passed', updatedAt: session.expiresAt } as never;
      },
    });
    assert.equal(backend.holdsReads, false);
    assert.equal((await backend.createSession({ documentType: 'passport' }, signal)).status, 'in_progress');
    const report = await backend.fetchStatus(session, signal, 5000);
    assert.deepEqual([report.status, report.verification], ['completed', 'passed']);
    assert.deepEqual(waits, [], 'the hook gets the session and the signal only');
  });

  it('refuses a hook answer that breaks the contract', async () => {
    const backend = createBackend({
      endpoint: '',
      createSession: async () => ({ ...session, url: 'javascript:alert(1)' }),
      fetchStatus: async () => ({ sessionId: 's-2', status: 'pending', verification: null, updatedAt: session.expiresAt }),
    });
    await rejectsWith(backend.createSession({ documentType: 'passport' }, signal), 'unsafe_url');
    await rejectsWith(backend.fetchStatus(session, signal, 0), 'bad_response');
  });

  it('reads through the contract where no status hook is set, and those reads may be held', () => {
    const backend = createBackend({ endpoint: 'https://shop.example/api/idv', createSession: async () => session });
    assert.equal(backend.holdsReads, true);
  });

  it('takes an endpoint that is not a URL as the error of the first request, not of its making', async () => {
    const backend = createBackend({ endpoint: 'http://' });
    await rejectsWith(backend.createSession({ documentType: 'passport' }, signal), 'invalid_config');
  });
});
