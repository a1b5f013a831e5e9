/**
 * The backend the element talks to: the page's `createSession`/`fetchStatus` hooks where it set
 * them, the contract's client of `endpoint` otherwise. A hook's answers are validated like the
 * contract's.
 */
import type { Session, SessionRequest, StatusReport } from '../contract/bodies.js';
import { createClient, type IdvClient } from './client.js';
import { parseSession, parseStatusReport } from './parse.js';

/** Custom backend: creates a session. Its answer is validated like the contract's. */
export type CreateSessionHook = (request: SessionRequest, signal: AbortSignal) => Promise<Session>;
/** Custom backend: reads a session's status. Its answer is validated like the contract's. */
export type FetchStatusHook = (session: Session, signal: AbortSignal) => Promise<StatusReport>;

export interface BackendOptions {
  /** The contract's base URL, for whatever no hook replaces. */
  endpoint: string;
  /** Merged into every request of the contract's client. */
  requestInit?: RequestInit;
  createSession?: CreateSessionHook;
  fetchStatus?: FetchStatusHook;
}

export interface Backend {
  createSession(request: SessionRequest, signal: AbortSignal): Promise<Session>;
  /** `wait`: how long the backend may hold the read (ignored where `holdsReads` is false). */
  fetchStatus(session: Session, signal: AbortSignal, wait: number): Promise<StatusReport>;
  /** Whether a status read may be held until the status changes: a hook's never is. */
  readonly holdsReads: boolean;
}

export function createBackend(options: BackendOptions): Backend {
  const { createSession, fetchStatus } = options;
  let client: IdvClient | undefined;
  // Made on first use: an endpoint that is not a URL is then an error of that request, not of setup.
  const contract = () => (client ??= createClient({ endpoint: options.endpoint, requestInit: options.requestInit }));
  return {
    createSession: async (request, signal) =>
      createSession ? parseSession(await createSession(request, signal)) : contract().createSession(request, signal),
    fetchStatus: async (session, signal, wait) =>
      fetchStatus
        ? parseStatusReport(await fetchStatus(session, signal), session.sessionId)
        : contract().fetchStatus(session, signal, wait),
    holdsReads: !fetchStatus,
  };
}
