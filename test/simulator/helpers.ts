/**
 * Test helpers that talk to the simulator the way 1Kosmos's own helpers do: encrypted `licensekey`
 * and `requestid` headers and an encrypted `{ data }` body, made with src/server/crypto.ts.
 */
import { randomUUID } from 'node:crypto';
import { generateKeyPair, sharedCipher, type KosmosKeyPair } from '../../src/server/crypto.js';
import type { Simulator } from '../../src/simulator/index.js';


/** What a test may change about one docuverify call. */
export interface CallOptions {
  /** The caller's key pair (a fresh one by default). */
  caller?: KosmosKeyPair;
  /** The service public key to encrypt for (the simulator's current one by default). */
  servicePublicKey?: string;
  license?: string;
  /** Replaces the `requestid` plaintext (an object is JSON-encoded). */
  requestId?: unknown;
  /** Seconds added to the simulator clock for `requestid.ts`. */
  tsOffset?: number;
  uuid?: string;
  /** Header values used as they are (e.g. a bad `publickey`); `null` removes a header. */
  headers?: Record<string, string | null>;
  /** The raw request body, instead of `{ data: enc(payload) }`. */
  body?: string;
  signal?: AbortSignal;
  /** The fetch to call with (e.g. one that trusts a `tls` simulator's certificate). */
  fetch?: typeof fetch;
}

/** One docuverify answer: status, raw text, parsed JSON (if any) and the decrypted `data` (if any). */
export interface CallResult {
  status: number;
  text: string;
  json: Record<string, unknown> | undefined;
  plaintext: Record<string, unknown> | undefined;
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** POSTs an encrypted payload to a docuverify path (e.g. `/document_share_session/create`). */
export async function call(
  sim: Simulator,
  path: string,
  payload: unknown,
  options: CallOptions = {},
): Promise<CallResult> {
  const caller = options.caller ?? generateKeyPair();
  const cipher = await sharedCipher(caller.privateKey, options.servicePublicKey ?? sim.servicePublicKey);
  const requestId = options.requestId ?? {
    ts: Math.round(Date.now() / 1000) + (options.tsOffset ?? 0),
    appid: 'simulator-tests',
    uuid: options.uuid ?? randomUUID(),
  };
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    publickey: caller.publicKey,
    licensekey: await cipher.encrypt(options.license ?? sim.licenseKey),
    requestid: await cipher.encrypt(typeof requestId === 'string' ? requestId : JSON.stringify(requestId)),
  };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  const body = options.body ?? JSON.stringify({ data: await cipher.encrypt(JSON.stringify(payload)) });
  const response = await (options.fetch ?? fetch)(`${sim.docuverifyUrl}${path}`, {
    method: 'POST',
    headers,
    body,
    signal: options.signal,
  });
  const text = await response.text();
  const json = parse(text);
  let plaintext: Record<string, unknown> | undefined;
  if (response.status === 200 && typeof json?.data === 'string' && typeof json.publicKey === 'string') {
    const answer = await sharedCipher(caller.privateKey, json.publicKey);
    plaintext = parse(await answer.decrypt(json.data));
  }
  return { status: response.status, text, json, plaintext };
}

/** A create request's plaintext for this simulator. */
export function createPayload(sim: Simulator, overrides: Record<string, unknown> = {}) {
  return {
    dvcID: 'default',
    sessionRequest: {
      tenantDNS: sim.tenantDNS,
      communityName: sim.communityName,
      documentType: 'ppt_object',
      user: { username: 'SAMPLE.SPECIMEN', firstname: 'SAMPLE', lastname: 'SPECIMEN' },
    },
    ...overrides,
  };
}

/** Creates a session; returns `{ sessionId, url }`. */
export async function createSession(
  sim: Simulator,
  dvcID = 'default',
  documentType = 'ppt_object',
): Promise<{ sessionId: string; url: string }> {
  const payload = createPayload(sim, { dvcID });
  (payload.sessionRequest as Record<string, unknown>).documentType = documentType;
  const result = await call(sim, '/document_share_session/create', payload);
  if (result.status !== 200) throw new Error(`create failed: ${result.status} ${result.text}`);
  return result.json as { sessionId: string; url: string };
}

/** Polls a session's result (v3 by default) and returns the decrypted plaintext. */
export async function result(
  sim: Simulator,
  sessionId: string,
  version: 'v1' | 'v3' = 'v3',
  dvcID = 'default',
): Promise<Record<string, unknown>> {
  const path = `${version === 'v3' ? '/v3' : ''}/document_share_session/result`;
  const answer = await call(sim, path, { dvcID, sessionId });
  if (!answer.plaintext) throw new Error(`result failed: ${answer.status} ${answer.text}`);
  return answer.plaintext;
}
