import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodePublicKey, generateKeyPair } from '../../src/server/crypto.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { fixture } from '../fixtures/index.js';
import { call, createPayload, createSession } from './helpers.js';

const CREATE = '/document_share_session/create';
const RESULT_V1 = '/document_share_session/result';
const RESULT_V3 = '/v3/document_share_session/result';

describe('simulator docuverify API', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());

  it('describes itself: origin, tenantDNS, docuverify URL and the defaults', () => {
    assert.match(sim.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(sim.tenantDNS, sim.origin.slice('http://'.length));
    assert.equal(sim.docuverifyUrl, `${sim.origin}/docuverify`);
    assert.equal(sim.communityName, 'default');
    assert.deepEqual(sim.dvcIDs, { default: { selfie: false }, selfie: { selfie: true } });
  });

  it('GET /caas/sd lists docuverify (and the other services) at its own origin', async () => {
    const response = await fetch(`http://${sim.tenantDNS}/caas/sd`);
    assert.equal(response.status, 200);
    const sd = (await response.json()) as Record<string, string>;
    assert.equal(sd.docuverify, sim.docuverifyUrl);
    assert.equal(sd.licenses, `${sim.origin}/licenses`);
  });

  it('GET /docuverify/publickeys answers the service public key, a valid secp256k1 point', async () => {
    const response = await fetch(`${sim.docuverifyUrl}/publickeys`);
    const body = (await response.json()) as { publicKey: string };
    assert.equal(body.publicKey, sim.servicePublicKey);
    assert.equal(decodePublicKey(body.publicKey).length, 65);
  });

  it('creates a session in the fixture shape, with a hosted URL at its own origin', async () => {
    const shape = fixture('create-session.response.json');
    const answer = await call(sim, CREATE, createPayload(sim));
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.json ?? {}).sort(), Object.keys(shape.body).sort());
    const { sessionId, url } = answer.json as { sessionId: string; url: string };
    assert.match(sessionId, /^[0-9a-f-]{36}$/);
    assert.equal(url, `${sim.origin}/idproofing/session/${sessionId}`);
    assert.equal(sim.session(sessionId)?.status, 'Pending');
  });

  it('accepts the documented request fixture (adapted to this tenant) and the old userUID form', async () => {
    const request = (fixture('create-session.request.json')).body.data as Record<string, unknown>;
    const sessionRequest = {
      ...(request.sessionRequest as Record<string, unknown>),
      tenantDNS: sim.tenantDNS.toUpperCase(),
      communityName: 'default',
    };
    assert.equal((await call(sim, CREATE, { dvcID: 'default', sessionRequest })).status, 200);
    const old = { tenantDNS: sim.tenantDNS, communityName: 'default', documentType: 'dl_object', userUID: 'u-1', did: 'u-1' };
    assert.equal((await call(sim, CREATE, { dvcID: 'selfie', sessionRequest: old })).status, 200);
  });

  it('answers v3 and v1 results encrypted for the caller, with the service public key', async () => {
    const { sessionId } = await createSession(sim);
    const v3 = await call(sim, RESULT_V3, { dvcID: 'default', sessionId });
    assert.equal(v3.status, 200);
    assert.deepEqual(Object.keys(v3.json ?? {}).sort(), ['data', 'publicKey']);
    assert.equal(v3.json?.publicKey, sim.servicePublicKey);
    assert.deepEqual(v3.plaintext, { responseStatus: 'INPROGRESS', id: sessionId, sessionResult: 'Pending' });
    const inProgress = fixture('result-v3-inprogress.json');
    for (const key of Object.keys(inProgress.body)) assert.ok(key in (v3.plaintext ?? {}), key);

    sim.session(sessionId)?.start();
    const v1 = await call(sim, RESULT_V1, { dvcID: 'default', sessionID: sessionId });
    assert.deepEqual(v1.plaintext, { responseStatus: 'INPROGRESS', sessionId, sessionResult: 'In Progress' });
  });

  describe('errors are plain { code, message }', () => {
    const cases: [string, (sim: Simulator) => unknown, number, string | RegExp][] = [
      ['missing dvcID', (s) => ({ ...createPayload(s), dvcID: undefined }), 400, 'dvcID is required'],
      ['blank dvcID', (s) => createPayload(s, { dvcID: '  ' }), 400, 'dvcID is not allowed to be empty'],
      ['unknown dvcID', (s) => createPayload(s, { dvcID: 'nope' }), 404, 'dvcID not found'],
      ['dvcID not a string', (s) => createPayload(s, { dvcID: 7 }), 400, 'dvcID must be a string'],
      ['no sessionRequest', () => ({ dvcID: 'default' }), 400, 'sessionRequest is required'],
      [
        'wrong tenantDNS',
        (s) => createPayload(s, { sessionRequest: { ...sessionRequestOf(s), tenantDNS: 'acme.1kosmos.net' } }),
        400,
        /tenantDNS "acme\.1kosmos\.net" is not this tenant/,
      ],
      [
        'wrong communityName',
        (s) => createPayload(s, { sessionRequest: { ...sessionRequestOf(s), communityName: 'other' } }),
        400,
        /communityName "other" is not a community of this tenant/,
      ],
      [
        'wrong documentType',
        (s) => createPayload(s, { sessionRequest: { ...sessionRequestOf(s), documentType: 'passport' } }),
        400,
        'documentType must be one of ppt_object, dl_object, idcard_object',
      ],
      [
        'user not an object',
        (s) => createPayload(s, { sessionRequest: { ...sessionRequestOf(s), user: 'x' } }),
        400,
        'sessionRequest.user must be an object',
      ],
      [
        'user.uid a float',
        (s) => createPayload(s, { sessionRequest: { ...sessionRequestOf(s), user: { uid: 1.5 } } }),
        400,
        'sessionRequest.user.uid must be an integer',
      ],
      [
        // The seed's create-session table types uid as an integer.
        'user.uid a string',
        (s) => createPayload(s, { sessionRequest: { ...sessionRequestOf(s), user: { uid: '42' } } }),
        400,
        'sessionRequest.user.uid must be an integer',
      ],
      [
        'userUID not a string',
        (s) => createPayload(s, { sessionRequest: { ...sessionRequestOf(s), userUID: 42 } }),
        400,
        'sessionRequest.userUID must be a string',
      ],
    ];
    for (const [name, payload, status, message] of cases) {
      it(`create: ${name} → ${status}`, async () => {
        const answer = await call(sim, CREATE, payload(sim));
        assert.equal(answer.status, status);
        assert.equal(answer.json?.code, status);
        if (typeof message === 'string') assert.equal(answer.json?.message, message);
        else assert.match(String(answer.json?.message), message);
        assert.deepEqual(Object.keys(answer.json ?? {}).sort(), ['code', 'message']);
      });
    }

    it('the dvcID errors match the fixtures exactly', async () => {
      const required = fixture('error-400-dvcid-required.json');
      const empty = fixture('error-400-dvcid-empty.json');
      assert.deepEqual((await call(sim, CREATE, { sessionRequest: {} })).json, required.body);
      assert.deepEqual((await call(sim, RESULT_V3, { dvcID: '', sessionId: 'x' })).json, empty.body);
    });

    it('result: unknown session, session of another dvcID, missing sessionId', async () => {
      const { sessionId } = await createSession(sim);
      const unknown = await call(sim, RESULT_V3, { dvcID: 'default', sessionId: randomUUID() });
      assert.deepEqual(unknown.json, { code: 404, message: 'session not found' });
      const other = await call(sim, RESULT_V1, { dvcID: 'selfie', sessionId });
      assert.deepEqual(other.json, { code: 404, message: 'session not found' });
      const missing = await call(sim, RESULT_V3, { dvcID: 'default' });
      assert.deepEqual(missing.json, { code: 400, message: 'sessionId is required' });
      const noDvc = await call(sim, RESULT_V1, { sessionId });
      assert.deepEqual(noDvc.json, { code: 400, message: 'dvcID is required' });
    });

    it('body: not JSON, no data, data not a string, undecryptable, not a JSON object', async () => {
      const otherKeys = generateKeyPair();
      const cases: [string, string][] = [
        ['{nope', 'request body must be a JSON object { "data": "<encrypted>" }'],
        ['[]', 'request body must be a JSON object { "data": "<encrypted>" }'],
        ['{}', 'data is required'],
        ['{"data": 5}', 'data must be an encrypted string'],
        ['{"data": "bm90IGEgY2lwaGVydGV4dA=="}', 'data does not decrypt with the service public key'],
        ['{"data": "***"}', 'data does not decrypt with the service public key'],
      ];
      for (const [body, message] of cases) {
        const answer = await call(sim, CREATE, null, { body, caller: otherKeys });
        assert.deepEqual(answer.json, { code: 400, message }, body);
      }
      const array = await call(sim, CREATE, [1, 2]);
      assert.deepEqual(array.json, { code: 400, message: 'data must decrypt to a JSON object' });
    });
  });

  describe('header checks → 401', () => {
    const expect401 = async (answer: Promise<{ status: number; json: unknown }>, message: string) => {
      const { status, json } = await answer;
      assert.equal(status, 401);
      assert.deepEqual(json, { code: 401, message });
    };

    it('publickey missing, not base64, wrong length, not on the curve', async () => {
      await expect401(call(sim, CREATE, createPayload(sim), { headers: { publickey: null } }), 'publickey header is required');
      for (const bad of ['not-base64!', btoa('short'), btoa(String.fromCharCode(...new Uint8Array(64).fill(1)))]) {
        await expect401(
          call(sim, CREATE, createPayload(sim), { headers: { publickey: bad } }),
          'publickey is not a valid secp256k1 public key',
        );
      }
    });

    it('any caller key pair is accepted: the license authorises', async () => {
      for (let i = 0; i < 3; i++) {
        assert.equal((await call(sim, CREATE, createPayload(sim), { caller: generateKeyPair() })).status, 200);
      }
    });

    it('licensekey missing, not decrypting, or not a configured license', async () => {
      await expect401(call(sim, CREATE, createPayload(sim), { headers: { licensekey: null } }), 'licensekey header is required');
      await expect401(
        call(sim, CREATE, createPayload(sim), { headers: { licensekey: 'AAAA' } }),
        'licensekey does not decrypt with the service public key',
      );
      await expect401(
        call(sim, CREATE, createPayload(sim), { license: 'someone-elses-license' }),
        'license key is not valid for this tenant',
      );
    });

    it('requestid missing, not decrypting, or not { ts, appid, uuid }', async () => {
      await expect401(call(sim, CREATE, createPayload(sim), { headers: { requestid: null } }), 'requestid header is required');
      await expect401(
        call(sim, CREATE, createPayload(sim), { headers: { requestid: 'AAAA' } }),
        'requestid does not decrypt with the service public key',
      );
      const ts = Math.round(Date.now() / 1000);
      const shapes: unknown[] = [
        'not json',
        [],
        { ts: String(ts), appid: 'a', uuid: randomUUID() },
        { ts, uuid: randomUUID() },
        { ts, appid: 'a' },
        { ts, appid: 'a', uuid: '' },
        { ts, appId: 7, uuid: randomUUID() },
      ];
      for (const requestId of shapes) {
        await expect401(
          call(sim, CREATE, createPayload(sim), { requestId }),
          'requestid must be JSON { ts: <unix seconds>, appid (or appId): <string>, uuid: <a unique string> }',
        );
      }
    });

    it('requestid as 1Kosmos\'s PHP helper makes it: appId, and a uuid from uniqid() (13 hex digits)', async () => {
      const requestId = { appId: 'blockid.php.sdk', uuid: '65f1c2a9b3e4d', ts: Math.round(Date.now() / 1000) };
      assert.equal((await call(sim, CREATE, createPayload(sim), { requestId })).status, 200);
      await expect401(call(sim, CREATE, createPayload(sim), { requestId }), 'requestid uuid has already been used');
    });

    it('requestid older than 60 s or more than 60 s ahead of the simulator clock', async () => {
      assert.equal((await call(sim, CREATE, createPayload(sim), { tsOffset: -59 })).status, 200);
      assert.equal((await call(sim, CREATE, createPayload(sim), { tsOffset: 59 })).status, 200);
      await expect401(call(sim, CREATE, createPayload(sim), { tsOffset: -62 }), 'requestid is older than 60 seconds');
      await expect401(
        call(sim, CREATE, createPayload(sim), { tsOffset: 62 }),
        'requestid is more than 60 seconds in the future',
      );
    });

    it('a reused requestid uuid is a replay, on any endpoint', async () => {
      const uuid = randomUUID();
      assert.equal((await call(sim, CREATE, createPayload(sim), { uuid })).status, 200);
      await expect401(call(sim, CREATE, createPayload(sim), { uuid }), 'requestid uuid has already been used');
      await expect401(
        call(sim, RESULT_V3, { dvcID: 'default', sessionId: 'x' }, { uuid: uuid.toUpperCase() }),
        'requestid uuid has already been used',
      );
    });

    it('headers are checked before the body', async () => {
      await expect401(call(sim, CREATE, null, { body: '{nope', headers: { licensekey: null } }), 'licensekey header is required');
    });
  });

  it('never answers 500 to bad input', async () => {
    const junk = ['', 'null', '"x"', '{"data":null}', '{"data":"' + 'A'.repeat(5000) + '"}', '\u0000', '{"data":{}}'];
    const paths = [CREATE, RESULT_V1, RESULT_V3, '/publickeys', '/nope'];
    const payloads: unknown[] = [
      null,
      0,
      'x',
      [],
      {},
      { dvcID: {} },
      { dvcID: 'default', sessionId: 5 },
      { dvcID: 'default', sessionRequest: [] },
      { dvcID: 'default', sessionRequest: { tenantDNS: 5, communityName: null } },
      { dvcID: 'default', sessionRequest: { ...sessionRequestOf(sim), user: { username: 5 } } },
      { dvcID: 'default', sessionId: '../../etc/passwd' },
      { dvcID: 'constructor', sessionId: 'x' },
      { dvcID: '__proto__', sessionRequest: sessionRequestOf(sim) },
    ];
    const statuses = new Set<number>();
    for (const path of paths) {
      for (const body of junk) statuses.add((await call(sim, path, null, { body })).status);
      for (const payload of payloads) statuses.add((await call(sim, path, payload)).status);
      const odd: Record<string, string>[] = [{ publickey: '' }, { 'content-type': 'text/plain' }, { requestid: '{}' }];
      for (const headers of odd) {
        statuses.add((await call(sim, path, {}, { headers })).status);
      }
    }
    for (const path of ['/idproofing/session/%00', '/idproofing/session/x/selfie', '/_simulator/sessions/%ZZ']) {
      statuses.add((await fetch(`${sim.origin}${path}`, { method: 'POST', body: '\u0000' })).status);
      statuses.add((await fetch(`${sim.origin}${path}`)).status);
    }
    const big = await fetch(`${sim.docuverifyUrl}${CREATE}`, { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) });
    assert.deepEqual(await big.json(), { code: 413, message: 'request body is larger than 1 MiB' });
    assert.ok(![...statuses].some((s) => s >= 500), `statuses: ${[...statuses].join(', ')}`);
  });
});

function sessionRequestOf(sim: Simulator) {
  return createPayload(sim).sessionRequest;
}
