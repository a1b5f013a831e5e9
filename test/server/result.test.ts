import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KosmosApiError } from '../../src/server/errors.js';
import { parseResult, type KosmosResult } from '../../src/server/result.js';
import { fixtureBody as fixture, RESULT_FIXTURES } from '../fixtures/index.js';

type Expected = Omit<KosmosResult, 'raw'>;

const FIXTURE_RESULTS: Record<string, Expected> = {
  'result-v3-inprogress.json': {
    sessionId: '4f7daced-f8d8-4309-961a-c80f8e8d5829',
    status: 'in_progress',
    verification: null,
    hasPII: false,
  },
  'result-v3-success.json': {
    sessionId: '353f34f4-ee9c-4e6a-b918-abcfc1c0d5f7',
    status: 'completed',
    verification: 'passed',
    hasPII: true,
  },
  'result-v3-success-selfie.json': {
    sessionId: 'f664f8a3-c22c-46e1-92bd-8eddb3a9fae2',
    status: 'completed',
    verification: 'passed',
    hasPII: true,
  },
  'result-v3-failed.json': {
    sessionId: 'fd781879-5b49-4f0a-97d9-8f9716cb3fd1',
    status: 'completed',
    verification: 'failed',
    reasonCode: 'IDV0010',
    hasPII: true,
  },
  'result-v3-failed-reason-code.json': {
    sessionId: '82f67f10-b4e4-4680-9970-5dfcc04ea39e',
    status: 'completed',
    verification: 'failed',
    reasonCode: 'IDV0006',
    hasPII: true,
  },
};

const withoutRaw = ({ raw: _raw, ...rest }: KosmosResult): Expected => rest;

const isBadResponse = (error: unknown) => {
  assert.ok(error instanceof KosmosApiError, `expected KosmosApiError, got ${String(error)}`);
  assert.equal(error.kind, 'bad_response');
  assert.equal(error.retryable, false);
  return true;
};

describe('parseResult on the 1Kosmos fixtures', () => {
  it('has an expectation for every result-v3-*.json fixture', () => {
    const names = RESULT_FIXTURES;
    assert.deepEqual(names.sort(), Object.keys(FIXTURE_RESULTS).sort());
  });

  for (const [name, expected] of Object.entries(FIXTURE_RESULTS)) {
    it(`parses ${name}`, () => {
      const body = fixture(name);
      const result = parseResult(body);
      assert.deepEqual(withoutRaw(result), expected);
      assert.equal(result.raw, body);
    });
  }

  it('finds no PII once the retention rules strip document, extractedInfo and user', () => {
    const body = { ...fixture('result-v3-failed.json') };
    delete body.document;
    delete body.extractedInfo;
    body.sessionData = { documentType: 'idcard_object' };
    const result = parseResult(body);
    assert.deepEqual(withoutRaw(result), {
      sessionId: 'fd781879-5b49-4f0a-97d9-8f9716cb3fd1',
      status: 'completed',
      verification: 'failed',
      reasonCode: 'IDV0010',
      hasPII: false,
    });
  });

  it('finds no PII in an empty user and empty extractedInfo (a session created without user fields, not performed)', () => {
    const body = { sessionResult: 'NOT_PERFORMED', sessionId: 's1', sessionData: { user: {}, documentType: 'ppt_object' }, extractedInfo: {} };
    assert.equal(parseResult(body).hasPII, false);
    assert.equal(parseResult({ ...body, sessionData: { user: { username: 'ada' } } }).hasPII, true);
  });
});

describe("parseResult on the simulator's documented words", () => {
  const cases: [string, unknown, Expected][] = [
    [
      'v3 pending',
      { responseStatus: 'INPROGRESS', id: 's1', sessionStatus: 'Pending' },
      { sessionId: 's1', status: 'pending', verification: null, hasPII: false },
    ],
    [
      'v3 in progress',
      { responseStatus: 'INPROGRESS', id: 's1', sessionStatus: 'In Progress' },
      { sessionId: 's1', status: 'in_progress', verification: null, hasPII: false },
    ],
    [
      'v3 expired',
      { responseStatus: 'EXPIRED', id: 's1', sessionStatus: 'Expired' },
      { sessionId: 's1', status: 'expired', verification: null, hasPII: false },
    ],
    [
      'v3 declined',
      { responseStatus: 'DECLINED', id: 's1', sessionStatus: 'Declined' },
      { sessionId: 's1', status: 'declined', verification: null, hasPII: false },
    ],
    [
      'v3 completed, passed, words only',
      { sessionResult: 'SUCCESS', sessionId: 's1', sessionStatus: 'Completed', verificationStatus: 'Passed' },
      { sessionId: 's1', status: 'completed', verification: 'passed', hasPII: false },
    ],
    [
      'v3 not performed',
      {
        sessionResult: 'NOT_PERFORMED',
        sessionId: 's1',
        sessionStatus: 'Completed',
        verificationStatus: 'Not performed',
        errorInfo: { reasonCode: 'IDV0001' },
      },
      {
        sessionId: 's1',
        status: 'completed',
        verification: 'not_performed',
        reasonCode: 'IDV0001',
        hasPII: false,
      },
    ],
    [
      'v3 NOT_PERFORMED without a verificationStatus',
      { sessionResult: 'NOT_PERFORMED', sessionId: 's1' },
      { sessionId: 's1', status: 'completed', verification: 'not_performed', hasPII: false },
    ],
    [
      'v1 in progress',
      { responseStatus: 'INPROGRESS', sessionId: 's1', sessionStatus: 'In Progress' },
      { sessionId: 's1', status: 'in_progress', verification: null, hasPII: false },
    ],
    [
      'v1 success with document and selfie',
      {
        responseStatus: 'SUCCESS',
        sessionId: 's1',
        sessionStatus: 'Completed',
        verificationStatus: 'Passed',
        metadata: {},
        dl_object: { firstName: 'SAMPLE' },
        liveid_object: { face: '…' },
        token: 't',
      },
      { sessionId: 's1', status: 'completed', verification: 'passed', hasPII: true },
    ],
    [
      'v1 failed with only a document',
      { responseStatus: 'FAILED', sessionId: 's1', dl_object: { firstName: 'SAMPLE' } },
      { sessionId: 's1', status: 'completed', verification: 'failed', hasPII: true },
    ],
    [
      'v1 only a selfie',
      { responseStatus: 'SUCCESS', sessionId: 's1', liveid_object: {} },
      { sessionId: 's1', status: 'completed', verification: 'passed', hasPII: true },
    ],
    [
      'v1 expired by responseStatus alone',
      { responseStatus: 'EXPIRED', sessionId: 's1' },
      { sessionId: 's1', status: 'expired', verification: null, hasPII: false },
    ],
    [
      'v1 declined by responseStatus alone',
      { responseStatus: 'DECLINED', sessionId: 's1' },
      { sessionId: 's1', status: 'declined', verification: null, hasPII: false },
    ],
    [
      'a seed word in sessionResult, any case',
      { sessionResult: 'declined', sessionId: 's1' },
      { sessionId: 's1', status: 'declined', verification: null, hasPII: false },
    ],
    [
      'a seed verification word in sessionResult: "Passed"',
      { sessionResult: 'Passed', sessionId: 's1' },
      { sessionId: 's1', status: 'completed', verification: 'passed', hasPII: false },
    ],
    [
      'the seed spelling sessionID, with "Completed" and "Not performed"',
      { sessionStatus: 'Completed', sessionResult: 'Not performed', sessionID: 's1' },
      { sessionId: 's1', status: 'completed', verification: 'not_performed', hasPII: false },
    ],
    [
      'a seed word in status',
      { status: 'in_progress', sessionId: 's1', sessionResult: 'SUCCESS' },
      { sessionId: 's1', status: 'in_progress', verification: null, hasPII: false },
    ],
    [
      'sessionStatus wins over sessionResult and ignores an early verificationStatus',
      { sessionStatus: 'Pending', sessionResult: 'SUCCESS', verificationStatus: 'Passed', id: 's1' },
      { sessionId: 's1', status: 'pending', verification: null, hasPII: false },
    ],
    [
      'verificationStatus wins over sessionResult',
      { sessionStatus: 'Completed', sessionResult: 'SUCCESS', verificationStatus: 'Failed', sessionId: 's1' },
      { sessionId: 's1', status: 'completed', verification: 'failed', hasPII: false },
    ],
    [
      'an empty extractedInfo and a sessionData without user carry no PII',
      { sessionResult: 'FAILED', sessionId: 's1', extractedInfo: {}, sessionData: { documentType: 'ppt_object' } },
      { sessionId: 's1', status: 'completed', verification: 'failed', hasPII: false },
    ],
  ];
  for (const [name, plaintext, expected] of cases) {
    it(name, () => assert.deepEqual(withoutRaw(parseResult(plaintext)), expected));
  }
});

describe('parseResult on bad shapes', () => {
  const cases: [string, unknown][] = [
    ['null', null],
    ['a string', '{"sessionId":"s1"}'],
    ['an array', [{ sessionId: 's1', sessionResult: 'SUCCESS' }]],
    ['no session id', { sessionResult: 'SUCCESS' }],
    ['an empty session id', { sessionResult: 'SUCCESS', sessionId: '' }],
    ['a numeric session id', { sessionResult: 'SUCCESS', sessionId: 7 }],
    ['no status at all', { sessionId: 's1' }],
    ['an unknown status word', { sessionId: 's1', responseStatus: 'MAYBE' }],
    ['an unknown sessionStatus and nothing else', { sessionId: 's1', sessionStatus: 'Halfway' }],
    [
      'an unknown verificationStatus',
      { sessionId: 's1', sessionStatus: 'Completed', verificationStatus: 'Great' },
    ],
    ['a completed status without an outcome', { sessionId: 's1', sessionStatus: 'Completed' }],
  ];
  for (const [name, plaintext] of cases) {
    it(`rejects ${name} as bad_response`, () => assert.throws(() => parseResult(plaintext), isBadResponse));
  }

  it('keeps personal data out of the error message', () => {
    assert.throws(
      () => parseResult({ sessionId: 's1', sessionResult: 'WEIRD', document: { firstName: 'JORDAN' } }),
      (error: unknown) => isBadResponse(error) && !(error as Error).message.includes('JORDAN'),
    );
  });
});
