/**
 * `StatusReader` on its own, with a stub 1Kosmos client answering each fixture shape: the report
 * is status and verification only (no PII can reach it), reads are coalesced, final and expired
 * sessions cost no call, and the result is handed over.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StatusReport } from '../../src/api/types.js';
import { KosmosApiError } from '../../src/server/errors.js';
import { ResultHandoff } from '../../src/server/handoff.js';
import { parseResult, type KosmosResult } from '../../src/server/result.js';
import { StatusReader } from '../../src/server/status-reader.js';
import type { TokenClaims } from '../../src/server/token.js';
import { assertStatusBody } from './kit-helpers.js';
import { fixtureBody as fixture, RESULT_FIXTURES } from '../fixtures/index.js';

/** Fields holding personal data in 1Kosmos results. */
const PII_FIELDS = new Set([
  'uid',
  'username',
  'firstname',
  'lastname',
  'firstName',
  'lastName',
  'familyName',
  'fullName',
  'documentId',
  'id',
  'dob',
  'doe',
  'doi',
  'mrzResult',
  'image',
  'imageBack',
  'face',
  'proof_jwt',
]);

/** Every PII string of a result: the values of PII fields inside its personal parts. */
function piiStrings(body: Record<string, unknown>): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key = ''): void => {
    if (typeof value === 'string' && PII_FIELDS.has(key)) found.push(value);
    else if (value && typeof value === 'object') {
      for (const [name, inner] of Object.entries(value)) walk(inner, name);
    }
  };
  walk([body.document, body.extractedInfo, (body.sessionData as { user?: unknown } | undefined)?.user]);
  return found;
}

const claimsFor = (sessionId: string, changes: Partial<TokenClaims & { expired: boolean }> = {}) => ({
  sessionId,
  subject: 'subject-1',
  dvcID: 'workflow',
  expiresAt: Math.floor(Date.now() / 1000) + 600,
  expired: false,
  ...changes,
});

/** A reader over a stub client whose answers the test scripts. */
function readerWith(answer: (sessionId: string) => Promise<KosmosResult> | KosmosResult) {
  const calls: { dvcID: string; sessionId: string }[] = [];
  const handedOver: { result: KosmosResult; sessionId: string }[] = [];
  const handoff = new ResultHandoff({
    onResult: (result, context) => {
      handedOver.push({ result, sessionId: context.sessionId });
    },
    timeout: 1000,
  });
  const reader = new StatusReader(
    {
      getResult: async (input) => {
        calls.push(input);
        return answer(input.sessionId);
      },
    },
    handoff,
  );
  return { reader, calls, handedOver, handoff };
}

describe('StatusReader on every 1Kosmos result fixture', () => {
  it('covers the fixtures', () => {
    assert.ok(RESULT_FIXTURES.length >= 5, RESULT_FIXTURES.join(', '));
  });

  for (const name of RESULT_FIXTURES) {
    it(`${name}: the report carries status and verification only, none of the PII`, async () => {
      const body = fixture(name);
      const result = parseResult(body);
      const { reader, calls, handedOver } = readerWith(() => parseResult(structuredClone(body)));
      const report = await reader.read(claimsFor(result.sessionId));

      assertStatusBody(report, {
        sessionId: result.sessionId,
        status: result.status,
        verification: result.verification,
      });
      const text = JSON.stringify(report);
      const pii = piiStrings(body);
      assert.equal(pii.length > 0, result.hasPII, 'the fixture has PII exactly when parseResult says so');
      for (const value of pii) {
        if (value.length >= 3) assert.ok(!text.includes(value), `"${value.slice(0, 40)}" is not in the report`);
        else assert.ok(!Object.values(report).includes(value));
      }
      assert.ok(!text.includes('IDV00'), 'no reason code');
      assert.deepEqual(calls, [{ dvcID: 'workflow', sessionId: result.sessionId }]);
      if (result.hasPII) {
        assert.equal(handedOver.length, 1);
        assert.deepEqual(handedOver[0].result.raw, body, 'the full result is handed over');
      } else {
        assert.equal(handedOver.length, 0);
      }
    });
  }
});

describe('StatusReader', () => {
  const inProgress = fixture('result-v3-inprogress.json');
  const success = fixture('result-v3-success.json');
  const inProgressId = inProgress.id as string;
  const successId = success.sessionId as string;

  it('coalesces concurrent reads of one session into one call, and asks again afterwards', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { reader, calls } = readerWith(async () => {
      await gate;
      return parseResult(inProgress);
    });
    const reads = Array.from({ length: 10 }, () => reader.read(claimsFor(inProgressId)));
    release();
    const reports = await Promise.all(reads);
    assert.equal(calls.length, 1);
    assert.ok(reports.every((report) => report === reports[0]));
    await reader.read(claimsFor(inProgressId));
    assert.equal(calls.length, 2, 'a live status is asked for again');
  });

  it('a final status is remembered and costs no more calls; updatedAt stays put', async () => {
    const { reader, calls, handedOver } = readerWith(() => parseResult(success));
    const first = await reader.read(claimsFor(successId));
    const second = await reader.read(claimsFor(successId, { expired: true }));
    assert.equal(calls.length, 1);
    assert.deepEqual(second, first);
    assert.equal(second.status, 'completed', 'not "expired": the final status is known');
    assert.equal(handedOver.length, 1);
  });

  it('an expired token is answered "expired" without a call', async () => {
    const { reader, calls } = readerWith(() => parseResult(inProgress));
    const report: StatusReport = await reader.read(claimsFor(inProgressId, { expired: true }));
    assertStatusBody(report, { sessionId: inProgressId, status: 'expired', verification: null });
    assert.equal(calls.length, 0);
  });

  it('the first final result without PII is handed over (declined)', async () => {
    const declined = { responseStatus: 'DECLINED', id: 'declined-1', sessionStatus: 'Declined' };
    const { reader, handedOver } = readerWith(() => parseResult(declined));
    assertStatusBody(await reader.read(claimsFor('declined-1')), {
      sessionId: 'declined-1',
      status: 'declined',
      verification: null,
    });
    assert.equal(handedOver.length, 1);
    assert.equal(handedOver[0].result.hasPII, false);
  });

  it('refuses an answer about another session (bad_response) and hands nothing over', async () => {
    const { reader, handedOver } = readerWith(() => parseResult(success));
    await assert.rejects(reader.read(claimsFor('someone-else')), (error) => {
      assert.ok(error instanceof KosmosApiError);
      assert.equal(error.kind, 'bad_response');
      return true;
    });
    assert.equal(handedOver.length, 0);
  });

  it('a failed call is not remembered: the next read asks again', async () => {
    let fail = true;
    const { reader, calls } = readerWith(() => {
      if (fail) throw new KosmosApiError('unreachable', 'down');
      return parseResult(inProgress);
    });
    await assert.rejects(reader.read(claimsFor(inProgressId)), KosmosApiError);
    fail = false;
    assert.equal((await reader.read(claimsFor(inProgressId))).status, 'in_progress');
    assert.equal(calls.length, 2);
  });
});
