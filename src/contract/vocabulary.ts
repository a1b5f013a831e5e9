/**
 * The words of the backend contract, shared by the browser and the backend kit: session statuses,
 * verifications and document types, with the normalisers that read the seed's and 1Kosmos's
 * spellings of them.
 */

/** The seed's session statuses, in the contract's spelling. */
export const SESSION_STATUSES = ['pending', 'in_progress', 'completed', 'expired', 'declined'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** The statuses after which nothing changes any more. */
export const TERMINAL_STATUSES: ReadonlySet<SessionStatus> = new Set(['completed', 'expired', 'declined']);

/** The seed's verification statuses, in the contract's spelling. */
export const VERIFICATIONS = ['passed', 'failed', 'not_performed'] as const;
export type Verification = (typeof VERIFICATIONS)[number];

/** The seed's three documents. */
export const DOCUMENT_TYPES = ['passport', 'driving_license', 'id_card'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** Lower case with spaces, underscores and hyphens removed: "In Progress" → "inprogress". */
const squash = (word: string) => word.toLowerCase().replace(/[\s_-]+/g, '');

const STATUS_WORDS: Record<string, SessionStatus> = {
  pending: 'pending',
  inprogress: 'in_progress',
  completed: 'completed',
  expired: 'expired',
  declined: 'declined',
};

const VERIFICATION_WORDS: Record<string, Verification> = {
  passed: 'passed',
  failed: 'failed',
  notperformed: 'not_performed',
};

/** 1Kosmos's wire values for the three documents. */
export type WireDocumentType = 'ppt_object' | 'dl_object' | 'idcard_object';
/** Every word a document type may be given as: the contract's or 1Kosmos's. */
export type DocumentTypeWord = DocumentType | WireDocumentType;

const WIRE_DOCUMENT_TYPES: Record<DocumentType, WireDocumentType> = {
  passport: 'ppt_object',
  driving_license: 'dl_object',
  id_card: 'idcard_object',
};

const DOCUMENT_WORDS: Record<string, DocumentType> = Object.fromEntries(
  DOCUMENT_TYPES.flatMap((type) => [
    [squash(type), type],
    [squash(WIRE_DOCUMENT_TYPES[type]), type],
  ]),
);

const lookup = <T>(table: Record<string, T>, word: unknown): T | undefined =>
  typeof word === 'string' && Object.hasOwn(table, squash(word)) ? table[squash(word)] : undefined;

/**
 * A session status from the contract's words or the seed's, in any case and with spaces,
 * underscores or hyphens ("In Progress", "in_progress", "INPROGRESS", "COMPLETED" …);
 * `undefined` for anything else.
 */
export const normaliseStatus = (word: unknown): SessionStatus | undefined => lookup(STATUS_WORDS, word);

/** A verification status ("Passed", "FAILED", "Not performed" …); `undefined` for anything else. */
export const normaliseVerification = (word: unknown): Verification | undefined => lookup(VERIFICATION_WORDS, word);

/**
 * A document type from the contract's words or 1Kosmos's wire values (`ppt_object`, `dl_object`,
 * `idcard_object`); `undefined` for anything else.
 */
export const normaliseDocumentType = (word: unknown): DocumentType | undefined => lookup(DOCUMENT_WORDS, word);

/** 1Kosmos's wire value for a document type. */
export const wireDocumentType = (type: DocumentType): WireDocumentType => WIRE_DOCUMENT_TYPES[type];
