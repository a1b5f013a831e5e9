import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { PLACEHOLDER_IMAGE } from '../../src/simulator/results.js';
import { fixtureBody as fixture } from '../fixtures/index.js';
import { createSession, result } from './helpers.js';

type Json = Record<string, unknown>;

const keys = (value: unknown) => Object.keys(value as Json).sort();
const without = (list: string[], ...drop: string[]) => list.filter((key) => !drop.includes(key));

/** Completes a session through `sim.session()` and returns its first (PII-carrying) result. */
async function completed(
  sim: Simulator,
  options: { dvcID?: string; documentType?: string; outcome?: 'pass' | 'fail' | 'not_performed'; reasonCode?: string; version?: 'v1' | 'v3' },
) {
  const dvcID = options.dvcID ?? 'default';
  const { sessionId } = await createSession(sim, dvcID, options.documentType ?? 'ppt_object');
  const session = sim.session(sessionId);
  assert.ok(session);
  session.start();
  session.document(options.outcome ?? 'pass', options.reasonCode);
  if (dvcID === 'selfie') session.selfie('pass');
  return { sessionId, body: await result(sim, sessionId, options.version ?? 'v3', dvcID) };
}

describe('completed results', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ piiRetention: { off: false, ttl: 0 } });
  });
  after(() => sim.close());

  it('v3 passed (ID card) has the fixture shape, with synthetic PII and images', async () => {
    const shape = fixture('result-v3-success.json');
    const { sessionId, body } = await completed(sim, { documentType: 'idcard_object' });
    assert.deepEqual(keys(body), keys(shape), 'only the published sample\'s fields');
    assert.deepEqual([body.sessionResult, body.sessionId], ['SUCCESS', sessionId]);
    assert.deepEqual(keys(body.sessionData), keys(shape.sessionData));
    assert.deepEqual(keys(body.extractedInfo), keys(shape.extractedInfo));
    const document = body.document as Json;
    assert.deepEqual(keys(document), without(keys(shape.document), 'state'));
    assert.equal(document.image, PLACEHOLDER_IMAGE);
    assert.equal(document.imageBack, PLACEHOLDER_IMAGE);
    assert.equal(document.face, PLACEHOLDER_IMAGE);
    for (const date of ['dob', 'doe', 'doi']) assert.match(String(document[date]), /^\d{8}$/);
    assert.ok(String(document.doe) > String(document.doi));
    assert.match(`${document.firstName} ${document.lastName}`, /SAMPLE|SPECIMEN/);
    assert.deepEqual((body.sessionData as Json).user, {
      username: 'SAMPLE.SPECIMEN',
      firstname: 'SAMPLE',
      lastname: 'SPECIMEN',
    });
  });

  it('proof_jwt is HS256 with the fixtures’ checks, plus face_compare and selfie_liveness for selfies', async () => {
    const plain = (await completed(sim, { documentType: 'idcard_object' })).body.document as Json;
    const selfie = (await completed(sim, { dvcID: 'selfie' })).body.document as Json;
    const selfieShape = (fixture('result-v3-success-selfie.json')).document as Json;
    const plainShape = (fixture('result-v3-success.json')).document as Json;

    for (const [jwt, shape] of [
      [plain.proof_jwt, plainShape.proof_jwt],
      [selfie.proof_jwt, selfieShape.proof_jwt],
    ] as [string, string][]) {
      assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'HS256', typ: 'JWT' });
      const payload = decodeJwt(jwt);
      const expected = decodeJwt(shape);
      assert.deepEqual([...(payload.checks as string[])].sort(), [...(expected.checks as string[])].sort());
      assert.deepEqual(keys(payload.result), keys(expected.result));
      assert.ok(Object.values(payload.result as Json).every((check) => (check as Json).verified === true));
      assert.deepEqual(keys(payload), keys(expected));
      assert.deepEqual(keys((payload.document as Json).hashes), keys((expected.document as Json).hashes));
    }
    assert.ok((decodeJwt(selfie.proof_jwt as string).checks as string[]).includes('face_compare'));
    assert.ok(!(decodeJwt(plain.proof_jwt as string).checks as string[]).includes('selfie_liveness'));
    assert.deepEqual(keys(selfie), keys(selfieShape), 'passport with selfie: no imageBack, an mrzResult');
  });

  it('v3 failed carries extractedInfo and errorInfo with reason_code, as result-v3-failed.json', async () => {
    const shape = fixture('result-v3-failed.json');
    const { body } = await completed(sim, { outcome: 'fail', reasonCode: 'IDV0010' });
    assert.deepEqual(keys(body), keys(shape));
    assert.equal(body.sessionResult, 'FAILED');
    assert.deepEqual(body.errorInfo, shape.errorInfo);
  });

  it('v3 failed with IDV0006 has empty extractedInfo and the fixture’s errorInfo fields', async () => {
    const shape = fixture('result-v3-failed-reason-code.json');
    const { sessionId, body } = await completed(sim, { outcome: 'fail', reasonCode: 'IDV0006' });
    assert.deepEqual(body.extractedInfo, {});
    const errorInfo = body.errorInfo as Json;
    const expected = shape.errorInfo as Json;
    assert.deepEqual(keys(errorInfo), without([...keys(expected), 'reason_code'], 'reasonCode').sort());
    assert.equal(errorInfo.reason_code, 'IDV0006');
    assert.equal(errorInfo.docId, sessionId);
    assert.equal(errorInfo.message, expected.message);
    assert.equal(errorInfo.reason, expected.reason);
  });

  it('v3 not performed', async () => {
    const { body } = await completed(sim, { outcome: 'not_performed' });
    assert.equal(body.sessionResult, 'NOT_PERFORMED');
    assert.equal(body.verificationStatus, undefined);
    assert.equal(body.errorInfo, undefined);
    assert.equal(body.document, undefined);
  });

  it('v1 passed with selfie: metadata, dl_object, liveid_object and token', async () => {
    const { sessionId, body } = await completed(sim, { dvcID: 'selfie', version: 'v1' });
    assert.deepEqual(keys(body), [
      'dl_object',
      'liveid_object',
      'metadata',
      'responseStatus',
      'sessionId',
      'token',
    ]);
    assert.deepEqual([body.responseStatus, body.sessionId], ['SUCCESS', sessionId]);
    assert.equal((body.dl_object as Json).face, PLACEHOLDER_IMAGE);
    assert.equal((body.liveid_object as Json).face, PLACEHOLDER_IMAGE);
    assert.equal(body.token, (body.dl_object as Json).proof_jwt);
    assert.deepEqual(body.metadata, {
      dvcID: 'selfie',
      documentType: 'ppt_object',
      selfie: true,
      ts: (body.metadata as Json).ts,
    });
  });

  it('v1 failed and not performed carry no document, failed carries errorInfo', async () => {
    const failed = (await completed(sim, { outcome: 'fail', version: 'v1' })).body;
    assert.equal(failed.responseStatus, 'FAILED');
    assert.equal((failed.errorInfo as Json).reason_code, 'IDV0010');
    assert.equal(failed.dl_object, undefined);
    const notPerformed = (await completed(sim, { outcome: 'not_performed', version: 'v1' })).body;
    assert.equal(notPerformed.responseStatus, 'NOT_PERFORMED');
  });

  it('v1 expired and declined', async () => {
    const declined = await createSession(sim);
    sim.session(declined.sessionId)?.decline();
    assert.deepEqual(await result(sim, declined.sessionId, 'v1'), {
      responseStatus: 'DECLINED',
      sessionId: declined.sessionId,
      sessionResult: 'Declined',
    });
    const short = await startSimulator({ sessionLifetime: 1 });
    try {
      const expired = await createSession(short);
      short.clock.advance(1);
      assert.deepEqual(await result(short, expired.sessionId, 'v1'), {
        responseStatus: 'EXPIRED',
        sessionId: expired.sessionId,
        sessionResult: 'Expired',
      });
    } finally {
      await short.close();
    }
  });
});

describe('undocumentedFields', () => {
  it('is off by default; on, every result also carries sessionStatus and verificationStatus (the seed\'s words)', async () => {
    const sim = await startSimulator({ undocumentedFields: true });
    try {
      const { sessionId } = await createSession(sim);
      assert.deepEqual(await result(sim, sessionId), { responseStatus: 'INPROGRESS', id: sessionId, sessionResult: 'Pending', sessionStatus: 'Pending' });
      const { body } = await completed(sim, { outcome: 'fail' });
      assert.deepEqual([body.sessionResult, body.sessionStatus, body.verificationStatus], ['FAILED', 'Completed', 'Failed']);
    } finally {
      await sim.close();
    }
  });
});
