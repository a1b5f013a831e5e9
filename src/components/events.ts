/**
 * The element's events: one class per event, `bubbles` and `composed`, fields on the event.
 * Terminal events (`complete`, `expired`, `declined`) fire exactly once per session and only
 * from a status the backend confirmed.
 */
import type { IdvErrorCode } from '../contract/errors.js';
import type { SessionStatus, Verification } from '../contract/vocabulary.js';

/** How the hosted flow is shown. */
export type LaunchMode = 'popup' | 'tab' | 'redirect' | 'embedded' | 'qr';

const init: EventInit = { bubbles: true, composed: true };

/** A session was created, or resumed after a reload or redirect back. */
export class KosmosIdvSessionEvent extends Event {
  constructor(
    readonly sessionId: string,
    readonly url: string,
    readonly expiresAt: string,
    readonly resumed: boolean,
  ) {
    super('kosmos-idv-session', init);
  }
}

/** The hosted flow was opened. */
export class KosmosIdvOpenEvent extends Event {
  constructor(
    readonly sessionId: string,
    readonly mode: LaunchMode,
  ) {
    super('kosmos-idv-open', init);
  }
}

/** The status the backend confirmed changed. */
export class KosmosIdvStatusEvent extends Event {
  constructor(
    readonly sessionId: string,
    readonly status: SessionStatus,
    readonly verification: Verification | null,
    readonly previous: SessionStatus | null,
  ) {
    super('kosmos-idv-status', init);
  }
}

/** The session was completed; `verification` says whether the identity was verified. */
export class KosmosIdvCompleteEvent extends Event {
  constructor(
    readonly sessionId: string,
    readonly verification: Verification,
  ) {
    super('kosmos-idv-complete', init);
  }
}

/** The session expired before it was completed. */
export class KosmosIdvExpiredEvent extends Event {
  constructor(readonly sessionId: string) {
    super('kosmos-idv-expired', init);
  }
}

/** The user declined on the hosted flow's welcome screen. */
export class KosmosIdvDeclinedEvent extends Event {
  constructor(readonly sessionId: string) {
    super('kosmos-idv-declined', init);
  }
}

/** The user closed the popup or dialog before the session reached a final status. */
export class KosmosIdvCloseEvent extends Event {
  constructor(
    readonly sessionId: string,
    readonly status: SessionStatus | null,
  ) {
    super('kosmos-idv-close', init);
  }
}

/** Something failed; `code` is stable (see `IdvErrorCode`). */
export class KosmosIdvErrorEvent extends Event {
  constructor(
    readonly code: IdvErrorCode,
    readonly message: string,
    readonly retryable: boolean,
    readonly sessionId?: string,
  ) {
    super('kosmos-idv-error', init);
  }
}

/** Every event of `<kosmos-idv-launcher>` by name: the `kosmos-idv-` entries of `GlobalEventHandlersEventMap`. */
export type KosmosIdvEventMap = {
  [K in keyof GlobalEventHandlersEventMap as K extends `kosmos-idv-${string}` ? K : never]: GlobalEventHandlersEventMap[K];
};

/** Every event's name, to listen to them all (a log, a wrapper's event props). */
export const EVENT_NAMES = [
  'kosmos-idv-session',
  'kosmos-idv-open',
  'kosmos-idv-status',
  'kosmos-idv-complete',
  'kosmos-idv-expired',
  'kosmos-idv-declined',
  'kosmos-idv-close',
  'kosmos-idv-error',
] as const satisfies readonly (keyof KosmosIdvEventMap)[];

declare global {
  interface GlobalEventHandlersEventMap {
    'kosmos-idv-session': KosmosIdvSessionEvent;
    'kosmos-idv-open': KosmosIdvOpenEvent;
    'kosmos-idv-status': KosmosIdvStatusEvent;
    'kosmos-idv-complete': KosmosIdvCompleteEvent;
    'kosmos-idv-expired': KosmosIdvExpiredEvent;
    'kosmos-idv-declined': KosmosIdvDeclinedEvent;
    'kosmos-idv-close': KosmosIdvCloseEvent;
    'kosmos-idv-error': KosmosIdvErrorEvent;
  }
}
