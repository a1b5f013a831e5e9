/**
 * Result plaintexts (v3 and v1) in the shapes of 1Kosmos's published examples, with synthetic,
 * obviously fake PII (SAMPLE / SPECIMEN names, `YYYYMMDD` dates, 1×1 placeholder images) and a
 * `proof_jwt` signed HS256 with the simulator's own secret. See docs/1kosmos-protocol.md and
 * /work/notes/interfaces.md for the status words.
 */
import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { REASON_CODES } from './reasons.js';
import type { PiiGrant } from './retention.js';
import type { SessionRecord, WireDocumentType } from './state.js';

export type ResultVersion = 'v1' | 'v3';

/** What result building needs from the running simulator. */
export interface ResultContext {
  origin: string;
  /** The HS256 key of `proof_jwt`. */
  jwtSecret: Uint8Array;
  /** Whether to add `sessionStatus` and `verificationStatus`, which no 1Kosmos document or sample shows. */
  undocumentedFields: boolean;
}

interface SyntheticDocument {
  documentType: string;
  type: string;
  country: string;
  documentId: string;
  firstName: string;
  lastName: string;
  dob: string;
  doi: string;
  doe: string;
  /** Passports have no back image, no issue date and no full name, but an MRZ (as the fixtures). */
  passport: boolean;
}

/** A valid 1×1 grey PNG: the placeholder for every document and face image. */
export const PLACEHOLDER_IMAGE =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==';

const DOCUMENTS: Record<WireDocumentType, Omit<SyntheticDocument, 'dob' | 'doi' | 'doe'>> = {
  ppt_object: {
    documentType: 'PASSPORT',
    type: 'ppt',
    country: 'XX',
    documentId: 'P0000002',
    firstName: 'JORDAN',
    lastName: 'SPECIMEN',
    passport: true,
  },
  dl_object: {
    documentType: 'DRIVING_LICENSE',
    type: 'dl',
    country: 'XX',
    documentId: 'D0000003',
    firstName: 'SAMPLE',
    lastName: 'SPECIMEN',
    passport: false,
  },
  idcard_object: {
    documentType: 'ID_CARD',
    type: 'idcard',
    country: 'XX',
    documentId: 'X00000001',
    firstName: 'SAMPLE',
    lastName: 'Alex',
    passport: false,
  },
};

const sha512 = (text: string) => createHash('sha512').update(text).digest('hex');

/** `YYYYMMDD` of a time `years` years after `ms`. */
function yyyymmdd(ms: number, years: number): string {
  const date = new Date(ms);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

function syntheticDocument(record: SessionRecord, completedAt: number): SyntheticDocument {
  return {
    ...DOCUMENTS[record.documentType],
    dob: '19850615',
    doi: yyyymmdd(completedAt, -5),
    doe: yyyymmdd(completedAt, 5),
  };
}

function mrz(doc: SyntheticDocument): string {
  const line1 = `P<${doc.country}X${doc.lastName}<<${doc.firstName}`.padEnd(44, '<');
  const line2 = `${doc.documentId}<0${doc.country}X${doc.dob.slice(2)}1F${doc.doe.slice(2)}`.padEnd(44, '<');
  return `${line1}\n${line2}\n`;
}

async function proofJwt(
  doc: SyntheticDocument,
  record: SessionRecord,
  completedAt: number,
  context: ResultContext,
): Promise<string> {
  const hashes = {
    id: sha512(doc.documentId),
    firstName: sha512(doc.firstName),
    lastName: sha512(doc.lastName),
    zipCode: null,
    state: null,
    country: sha512(doc.country),
    dob: sha512(doc.dob),
    doi: doc.passport ? null : sha512(doc.doi),
  };
  const checks = [
    'document_liveness_back',
    'document_liveness_front',
    'fraud_detection',
    'session_decision',
    'session_summary',
    ...(record.selfie ? ['face_compare', 'selfie_liveness'] : []),
  ];
  const ts = Math.floor(completedAt / 1000);
  return new SignJWT({
    version: '1.0',
    document: {
      type: doc.documentType,
      documentId: doc.documentId,
      doe: doc.doe,
      hashes,
      hash: sha512(JSON.stringify(hashes)),
    },
    checks,
    result: Object.fromEntries(checks.map((check) => [check, { verified: true }])),
    connector: { id: record.id.replaceAll('-', '').slice(0, 24) },
    aud: context.origin,
    iss: `${context.origin}/idproofing`,
    jit: record.id,
    ts,
    iat: ts,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(context.jwtSecret);
}

async function documentPii(
  doc: SyntheticDocument,
  record: SessionRecord,
  completedAt: number,
  context: ResultContext,
): Promise<Record<string, unknown>> {
  return {
    category: 'identity_document',
    proofedBy: sha512(`kosmos-idv-simulator:${context.origin}`),
    documentType: doc.documentType,
    type: doc.type,
    country: doc.country,
    image: PLACEHOLDER_IMAGE,
    ...(doc.passport ? {} : { imageBack: PLACEHOLDER_IMAGE }),
    face: PLACEHOLDER_IMAGE,
    documentId: doc.documentId,
    id: doc.documentId,
    firstName: doc.firstName,
    familyName: doc.lastName,
    lastName: doc.lastName,
    ...(doc.passport ? {} : { fullName: `${doc.firstName} ${doc.lastName}` }),
    complianceType: 'F',
    ...(doc.passport ? { mrzResult: mrz(doc) } : {}),
    dob: doc.dob,
    doe: doc.doe,
    ...(doc.passport ? {} : { doi: doc.doi }),
    gender: '2',
    proof_jwt: await proofJwt(doc, record, completedAt, context),
  };
}

function errorInfo(record: SessionRecord, doc: SyntheticDocument, completedAt: number) {
  const code = record.reasonCode as string;
  const { message, reason } = REASON_CODES[code];
  const common = { status: 400, message, reason, reason_code: code };
  return code === 'IDV0006'
    ? { type: doc.type, docType: doc.type.toUpperCase(), docId: record.id, ts: completedAt, ...common }
    : common;
}

const SESSION_RESULTS = { Passed: 'SUCCESS', Failed: 'FAILED', 'Not performed': 'NOT_PERFORMED' } as const;

const PENDING_WORDS = {
  Pending: 'INPROGRESS',
  'In Progress': 'INPROGRESS',
  Expired: 'EXPIRED',
  Declined: 'DECLINED',
} as const;

/**
 * The decrypted result answer for a session. `pii` (from the retention rules) decides whether
 * names, document data, images and `proof_jwt` are included.
 */
export async function buildResult(
  version: ResultVersion,
  record: SessionRecord,
  pii: PiiGrant | undefined,
  context: ResultContext,
): Promise<Record<string, unknown>> {
  const idKey = version === 'v3' ? 'id' : 'sessionId';
  if (record.status !== 'Completed') {
    // The published in-progress sample's fields, and the seed's word in sessionResult (its table's field).
    return {
      responseStatus: PENDING_WORDS[record.status],
      [idKey]: record.id,
      sessionResult: record.status,
      ...(context.undocumentedFields ? { sessionStatus: record.status } : {}),
    };
  }
  const { completedAt, verification } = record;
  if (completedAt === undefined || verification === null) {
    throw new Error(`session ${record.id} is Completed without a completion time or verification`);
  }
  const doc = syntheticDocument(record, completedAt);
  const passed = verification === 'Passed';
  const failed = verification === 'Failed';
  const extracted =
    passed || (failed && record.reasonCode !== 'IDV0006')
      ? {
          documentType: doc.documentType,
          documentId: doc.documentId,
          firstName: doc.firstName,
          lastName: doc.lastName,
          doe: doc.doe,
        }
      : {};
  const document = pii && passed ? await documentPii(doc, record, completedAt, context) : undefined;
  const status = context.undocumentedFields ? { sessionStatus: 'Completed', verificationStatus: verification } : {};
  const errors = failed ? { errorInfo: errorInfo(record, doc, completedAt) } : {};
  if (version === 'v3') {
    return {
      sessionResult: SESSION_RESULTS[verification],
      sessionId: record.id,
      ...status,
      sessionData: pii
        ? { user: pii.user, documentType: record.documentType }
        : { documentType: record.documentType },
      ...(pii ? { extractedInfo: extracted } : {}),
      ...(document ? { document } : {}),
      ...errors,
    };
  }
  return {
    responseStatus: SESSION_RESULTS[verification],
    sessionId: record.id,
    ...status,
    metadata: {
      dvcID: record.dvcID,
      documentType: record.documentType,
      selfie: record.selfie,
      ts: Math.floor(completedAt / 1000),
    },
    ...(document ? { dl_object: document, token: document.proof_jwt } : {}),
    ...(document && record.selfie
      ? { liveid_object: { id: record.id, type: 'liveid', face: PLACEHOLDER_IMAGE, proofedBy: document.proofedBy } }
      : {}),
    ...errors,
  };
}
