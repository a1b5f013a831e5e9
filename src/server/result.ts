import { normaliseStatus, normaliseVerification, type SessionStatus, type Verification } from '../contract/vocabulary.js';
import { KosmosApiError } from './errors.js';

/** A decrypted 1Kosmos result, mapped to the contract's words. */
export interface KosmosResult {
  sessionId: string;
  /** `unknown`: an answer the kit could not read, handed over as it came (see `problem`). */
  status: SessionStatus | 'unknown';
  /** `null` unless `status` is `completed`. */
  verification: Verification | null;
  /** 1Kosmos's `errorInfo` reason code ("IDV0010"), when there is one. */
  reasonCode?: string;
  /** Whether `raw` carries personal data (document, extracted fields, user). */
  hasPII: boolean;
  /**
   * The decrypted plaintext as 1Kosmos sent it (PII included); `{ plaintext }` for a decrypted
   * answer that is not a JSON object.
   */
  raw: Record<string, unknown>;
  /** For an `unknown` result: what the kit could not read in it. */
  problem?: string;
}

type Plain = Record<string, unknown>;

const isPlain = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const present = (value: unknown) => value !== undefined && value !== null;

/**
 * The outcome of a completed session in `sessionResult` / `responseStatus`: 1Kosmos's `SUCCESS`,
 * or a verification word (`FAILED`, the seed's "Passed", "Not performed" …).
 */
function outcome(word: unknown): Verification | undefined {
  return typeof word === 'string' && word.toUpperCase() === 'SUCCESS' ? 'passed' : normaliseVerification(word);
}

/** A short, PII-free description of a status word for error messages. */
const describe = (word: unknown) =>
  typeof word === 'string' ? JSON.stringify(word.slice(0, 40)) : typeof word;

const badResponse = (message: string) =>
  new KosmosApiError('bad_response', `1Kosmos result: ${message}`);

function statusOf(raw: Plain): SessionStatus {
  const seed = normaliseStatus(raw.sessionStatus) ?? normaliseStatus(raw.status);
  if (seed) return seed;
  for (const field of ['sessionResult', 'responseStatus'] as const) {
    if (outcome(raw[field])) return 'completed';
    const status = normaliseStatus(raw[field]);
    if (status) return status;
  }
  throw badResponse(
    `no recognisable status (sessionStatus ${describe(raw.sessionStatus)}, ` +
      `sessionResult ${describe(raw.sessionResult)}, responseStatus ${describe(raw.responseStatus)})`,
  );
}

function verificationOf(raw: Plain): Verification {
  if (present(raw.verificationStatus)) {
    const word = normaliseVerification(raw.verificationStatus);
    if (!word) throw badResponse(`unknown verificationStatus ${describe(raw.verificationStatus)}`);
    return word;
  }
  const word = outcome(raw.sessionResult) ?? outcome(raw.responseStatus);
  if (!word) throw badResponse('a completed session carries no verification outcome');
  return word;
}

function reasonCodeOf(raw: Plain): string | undefined {
  if (!isPlain(raw.errorInfo)) return undefined;
  const code = raw.errorInfo.reason_code ?? raw.errorInfo.reasonCode;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

/** An object with at least one field: an empty `extractedInfo` or `user` holds nothing personal. */
const filled = (value: unknown) => isPlain(value) && Object.keys(value).length > 0;

function hasPII(raw: Plain): boolean {
  return (
    present(raw.document) ||
    present(raw.dl_object) ||
    present(raw.liveid_object) ||
    filled(raw.extractedInfo) ||
    (isPlain(raw.sessionData) && filled(raw.sessionData.user))
  );
}

/**
 * Maps a decrypted 1Kosmos result (v3 or v1, any status) to a {@link KosmosResult}.
 * The seed's word in `sessionStatus` / `status` wins; else `sessionResult` or `responseStatus`
 * (SUCCESS / FAILED / NOT_PERFORMED mean completed, INPROGRESS in progress, seed words in any case).
 * Throws a `KosmosApiError` of kind `bad_response` for anything it cannot read.
 */
export function parseResult(plaintext: unknown): KosmosResult {
  if (!isPlain(plaintext)) throw badResponse('the plaintext is not a JSON object');
  // v3 says `sessionId` (`id` while in progress), the seed's table `sessionID`.
  const sessionId = plaintext.sessionId ?? plaintext.sessionID ?? plaintext.id;
  if (typeof sessionId !== 'string' || sessionId === '') {
    throw badResponse('no sessionId (sessionID or id) in the plaintext');
  }
  const status = statusOf(plaintext);
  const reasonCode = reasonCodeOf(plaintext);
  return {
    sessionId,
    status,
    verification: status === 'completed' ? verificationOf(plaintext) : null,
    ...(reasonCode === undefined ? {} : { reasonCode }),
    hasPII: hasPII(plaintext),
    raw: plaintext,
  };
}

/**
 * The result for a decrypted answer about `sessionId` that {@link parseResult} cannot read: kept
 * whole, PII included, with status `unknown`, so that nothing 1Kosmos handed over is dropped.
 */
export function unreadableResult(sessionId: string, plaintext: unknown, problem: string): KosmosResult {
  const raw = isPlain(plaintext) ? plaintext : { plaintext };
  return { sessionId, status: 'unknown', verification: null, hasPII: hasPII(raw), raw, problem };
}
