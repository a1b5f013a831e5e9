/** The words of the backend contract (see the README's "Backend contract"). */

/** The seed's session statuses, in the contract's spelling. */
export const SESSION_STATUSES = ['pending', 'in_progress', 'completed', 'expired', 'declined'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** The statuses after which nothing changes any more. */
export const TERMINAL_STATUSES: ReadonlySet<SessionStatus> = new Set([
  'completed',
  'expired',
  'declined',
]);

/** The seed's verification statuses, in the contract's spelling. */
export const VERIFICATIONS = ['passed', 'failed', 'not_performed'] as const;
export type Verification = (typeof VERIFICATIONS)[number];

/** The seed's three documents. */
export const DOCUMENT_TYPES = ['passport', 'driving_license', 'id_card'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** `POST {endpoint}` body. */
export interface SessionRequest {
  documentType: DocumentType;
  username?: string;
  firstname?: string;
  lastname?: string;
  uid?: string;
}

/** `POST {endpoint}` answer (201). */
export interface Session {
  sessionId: string;
  /** The hosted-flow URL. */
  url: string;
  /** Opaque bearer token authorising status reads of this one session. */
  token: string;
  /** ISO 8601. */
  expiresAt: string;
  status: SessionStatus;
}

/** `GET {endpoint}/{sessionId}` answer (200). Never carries PII. */
export interface StatusReport {
  sessionId: string;
  status: SessionStatus;
  /** `null` until the session is completed. */
  verification: Verification | null;
  /** ISO 8601. */
  updatedAt: string;
}
