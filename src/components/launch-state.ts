/**
 * The element's one state: where it is in a verification, with what it holds there. Everything
 * else it shows (the public `state` word, the badge, which button) is derived from it.
 */
import type { IdvError } from '../api/errors.js';
import type { Session } from '../contract/bodies.js';
import type { IdvErrorCode } from '../contract/errors.js';
import type { SessionStatus, Verification } from '../contract/vocabulary.js';

/** What the backend confirmed of a session. */
export interface Report {
  status: SessionStatus;
  verification: Verification | null;
}

/**
 * Where the hosted flow is: `showing` (a window, the dialog, the QR code, or the page left for it),
 * `hidden` (closed by the user, or not shown again after a resume) or `offered` as a link (the
 * window was blocked, or the embedded frame did not load).
 */
export type Flow = 'showing' | 'hidden' | 'offered';

export type Launch =
  | { kind: 'idle' }
  /** A session is being created, or its creation failed: the element's creation task says which, and why. */
  | { kind: 'creating' }
  | { kind: 'following'; session: Session; report?: Report; flow: Flow }
  | { kind: 'settled'; session: Session; report: Report }
  | { kind: 'error'; error: IdvError; session?: Session; report?: Report };

/** Where the element is in a verification: the `state` property. */
export type LauncherState =
  | 'idle'
  | 'creating'
  | 'open'
  | 'polling'
  | 'completed'
  | 'expired'
  | 'declined'
  | 'error';

/** The `state` word of a launch (a `creating` one whose creation failed is `error`: the element knows which). */
export function stateWord(launch: Launch): LauncherState {
  switch (launch.kind) {
    case 'following':
      return launch.flow === 'showing' ? 'open' : 'polling';
    case 'settled':
      return launch.report.status as LauncherState;
    default:
      return launch.kind;
  }
}

/**
 * Failures after which a session cannot be followed any more: "Start again" makes a new one. (A
 * 401 is not one: the page's sign-in may only have lapsed.)
 */
const SESSION_LOST: ReadonlySet<IdvErrorCode> = new Set<IdvErrorCode>(['session_expired', 'forbidden', 'not_found']);

/** The session that can still be followed (and shown again), if any. */
export function liveSession(launch: Launch): Session | undefined {
  if (launch.kind === 'following') return launch.session;
  if (launch.kind === 'error' && !SESSION_LOST.has(launch.error.code)) return launch.session;
  return undefined;
}

/** Whether the failure ended the session for good. */
export const sessionLost = (launch: Launch): boolean =>
  launch.kind === 'error' && launch.session !== undefined && SESSION_LOST.has(launch.error.code);
