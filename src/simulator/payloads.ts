/**
 * The decrypted create and result payloads, checked field by field with 1Kosmos's messages where
 * they are known ("dvcID is required", "dvcID is not allowed to be empty", 404 for an unknown
 * dvcID) and plain `{ code, message }` 400s elsewhere.
 */
import type { SimulatorConfig } from './config.js';
import { SimulatorHttpError } from './errors.js';
import { WIRE_DOCUMENT_TYPES, type NewSession, type SessionUser, type WireDocumentType } from './state.js';

const badRequest = (message: string) => new SimulatorHttpError(400, message);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A configured dvcID, or a 400 (missing, not a string, blank) / 404 (unknown). */
export function checkDvcID(value: unknown, config: SimulatorConfig): string {
  if (value === undefined || value === null) throw badRequest('dvcID is required');
  if (typeof value !== 'string') throw badRequest('dvcID must be a string');
  if (value.trim() === '') throw badRequest('dvcID is not allowed to be empty');
  if (!Object.hasOwn(config.dvcIDs, value)) throw new SimulatorHttpError(404, 'dvcID not found');
  return value;
}

function checkUser(request: Record<string, unknown>): SessionUser {
  const user = request.user ?? {};
  if (!isRecord(user)) throw badRequest('sessionRequest.user must be an object');
  const checked: SessionUser = {};
  for (const key of ['username', 'firstname', 'lastname'] as const) {
    const value = user[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw badRequest(`sessionRequest.user.${key} must be a string`);
    checked[key] = value;
  }
  // The seed types uid as an integer; 1Kosmos's own helpers send a UUID string as userUID instead.
  if (user.uid !== undefined) {
    if (!Number.isSafeInteger(user.uid)) throw badRequest('sessionRequest.user.uid must be an integer');
    checked.uid = user.uid as number;
  } else if (request.userUID !== undefined) {
    if (typeof request.userUID !== 'string') throw badRequest('sessionRequest.userUID must be a string');
    checked.uid = request.userUID;
  }
  return checked;
}

/** The create payload's `{ dvcID, sessionRequest }`, checked against this tenant. */
export function checkCreatePayload(
  payload: Record<string, unknown>,
  config: SimulatorConfig,
  tenantDNS: string,
): NewSession {
  const dvcID = checkDvcID(payload.dvcID, config);
  const request = payload.sessionRequest;
  if (!isRecord(request)) throw badRequest('sessionRequest is required');
  if (typeof request.tenantDNS !== 'string' || request.tenantDNS.trim() === '') {
    throw badRequest('sessionRequest.tenantDNS is required');
  }
  if (request.tenantDNS.toLowerCase() !== tenantDNS.toLowerCase()) {
    throw badRequest(`tenantDNS "${request.tenantDNS}" is not this tenant`);
  }
  if (typeof request.communityName !== 'string' || request.communityName.trim() === '') {
    throw badRequest('sessionRequest.communityName is required');
  }
  if (request.communityName !== config.communityName) {
    throw badRequest(`communityName "${request.communityName}" is not a community of this tenant`);
  }
  if (!WIRE_DOCUMENT_TYPES.includes(request.documentType as WireDocumentType)) {
    throw badRequest(`documentType must be one of ${WIRE_DOCUMENT_TYPES.join(', ')}`);
  }
  return { dvcID, documentType: request.documentType as WireDocumentType, user: checkUser(request) };
}

/** The result payload's `{ dvcID, sessionId }` (`sessionID` accepted, as the seed spells it). */
export function checkResultPayload(
  payload: Record<string, unknown>,
  config: SimulatorConfig,
): { dvcID: string; sessionId: string } {
  const dvcID = checkDvcID(payload.dvcID, config);
  const sessionId = payload.sessionId ?? payload.sessionID;
  if (typeof sessionId !== 'string' || sessionId.trim() === '') throw badRequest('sessionId is required');
  return { dvcID, sessionId };
}
