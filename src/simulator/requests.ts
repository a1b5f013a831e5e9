/**
 * The checks on every docuverify POST, in order: the `publickey`, `licensekey` and `requestid`
 * headers (401), then the `{ data: enc(JSON) }` body (400). Any caller key pair is accepted: the
 * license key authorises. `requestid` must be `{ ts, appid, uuid }`, with `ts` within 60 seconds
 * of the real time either way and a `uuid` not seen before. As 1Kosmos's own helpers send it: the
 * PHP helper spells `appId` and takes its `uuid` from `uniqid()` (13 hex digits, no UUID). Real time, not the simulator clock:
 * callers stamp `ts` with their own clock, and moving the simulator's clock forward (to expire a
 * session, say) must not lock them out.
 */
import { decodePublicKey, sharedCipher, type SharedCipher } from '../server/crypto.js';
import { SimulatorHttpError } from './errors.js';
import type { ServiceKeys } from './keys.js';

/** How far (seconds) a `requestid` timestamp may be from the real time. */
export const REQUEST_WINDOW_SECONDS = 60;

/** The longest `requestid.uuid` remembered. */
const MAX_UUID = 128;

/** A caller that passed the header checks. */
export interface Caller {
  /** The cipher of (service private key, caller public key): decrypts the request, encrypts the answer. */
  cipher: SharedCipher;
  /** The service public key the caller encrypted for (sent back with encrypted answers). */
  servicePublicKey: string;
}

/** Reads a header by name; `undefined` when absent. */
export type HeaderReader = (name: string) => string | undefined;

const unauthorised = (message: string) => new SimulatorHttpError(401, message);
const badRequest = (message: string) => new SimulatorHttpError(400, message);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Header and body checks, with the memory of used `requestid` uuids. */
export class RequestGuard {
  /** uuid → time (ms) it was first seen; a uuid is forgotten once its ts must be stale. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly keys: ServiceKeys,
    private readonly licenseKeys: ReadonlySet<string>,
    /** Real time in epoch ms. */
    private readonly now: () => number = Date.now,
  ) {}

  /** Checks the three headers; throws a 401 {@link SimulatorHttpError}. */
  async authenticate(header: HeaderReader): Promise<Caller> {
    const publicKey = header('publickey');
    if (!publicKey) throw unauthorised('publickey header is required');
    try {
      decodePublicKey(publicKey);
    } catch {
      throw unauthorised('publickey is not a valid secp256k1 public key');
    }
    const service = this.keys.current;
    const cipher = await sharedCipher(service.privateKey, publicKey);

    const license = await this.decryptHeader(cipher, header('licensekey'), 'licensekey');
    if (!this.licenseKeys.has(license)) throw unauthorised('license key is not valid for this tenant');

    const requestId = parseJson(await this.decryptHeader(cipher, header('requestid'), 'requestid'));
    if (
      !isRecord(requestId) ||
      typeof requestId.ts !== 'number' ||
      !Number.isFinite(requestId.ts) ||
      typeof (requestId.appid ?? requestId.appId) !== 'string' ||
      typeof requestId.uuid !== 'string' ||
      requestId.uuid === '' ||
      requestId.uuid.length > MAX_UUID
    ) {
      throw unauthorised('requestid must be JSON { ts: <unix seconds>, appid (or appId): <string>, uuid: <a unique string> }');
    }
    const now = this.now();
    const age = now / 1000 - requestId.ts;
    if (age > REQUEST_WINDOW_SECONDS) throw unauthorised('requestid is older than 60 seconds');
    if (age < -REQUEST_WINDOW_SECONDS) throw unauthorised('requestid is more than 60 seconds in the future');
    this.forgetOld(now);
    const uuid = requestId.uuid.toLowerCase();
    if (this.seen.has(uuid)) throw unauthorised('requestid uuid has already been used');
    this.seen.set(uuid, now);
    return { cipher, servicePublicKey: service.publicKey };
  }

  /** Parses and decrypts a `{ data: enc(JSON object) }` body; throws a 400 {@link SimulatorHttpError}. */
  async readBody(caller: Caller, text: string): Promise<Record<string, unknown>> {
    const body = parseJson(text);
    if (!isRecord(body)) throw badRequest('request body must be a JSON object { "data": "<encrypted>" }');
    if (body.data === undefined) throw badRequest('data is required');
    if (typeof body.data !== 'string') throw badRequest('data must be an encrypted string');
    let plaintext: string;
    try {
      plaintext = await caller.cipher.decrypt(body.data);
    } catch {
      throw badRequest('data does not decrypt with the service public key');
    }
    const payload = parseJson(plaintext);
    if (!isRecord(payload)) throw badRequest('data must decrypt to a JSON object');
    return payload;
  }

  private async decryptHeader(cipher: SharedCipher, value: string | undefined, name: string): Promise<string> {
    if (!value) throw unauthorised(`${name} header is required`);
    try {
      return await cipher.decrypt(value);
    } catch {
      throw unauthorised(`${name} does not decrypt with the service public key`);
    }
  }

  /** Drops uuids whose timestamps are stale by now (first seen more than two windows ago). */
  private forgetOld(now: number) {
    for (const [uuid, firstSeen] of this.seen) {
      if (now - firstSeen <= 2 * REQUEST_WINDOW_SECONDS * 1000) break;
      this.seen.delete(uuid);
    }
  }
}
