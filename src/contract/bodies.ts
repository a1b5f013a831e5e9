/** The JSON bodies of the backend contract (see the README's "The backend contract"). */
import type { DocumentType, SessionStatus, Verification } from './vocabulary.js';

/** `POST {endpoint}` body. */
export interface SessionRequest {
  documentType: DocumentType;
  username?: string;
  firstname?: string;
  lastname?: string;
  /**
   * The user's id as 1Kosmos takes it: an integer, written as a string of digits, at most
   * 9007199254740991 (the backend kit answers `400` to anything else).
   */
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
