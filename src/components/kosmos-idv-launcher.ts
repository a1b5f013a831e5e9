import { adoptStyles, html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { createClient, type IdvClient } from '../api/client.js';
import { IdvError, toIdvError } from '../api/errors.js';
import { parseSession, parseStatusReport } from '../api/parse.js';
import { Poller } from '../api/poller.js';
import type { Session, SessionRequest, StatusReport } from '../contract/bodies.js';
import type { IdvErrorCode } from '../contract/errors.js';
import {
  DOCUMENT_TYPES,
  normaliseDocumentType,
  TERMINAL_STATUSES,
  type DocumentType,
  type SessionStatus,
  type Verification,
} from '../contract/vocabulary.js';
import {
  KosmosIdvCloseEvent,
  KosmosIdvCompleteEvent,
  KosmosIdvDeclinedEvent,
  KosmosIdvErrorEvent,
  KosmosIdvExpiredEvent,
  KosmosIdvOpenEvent,
  KosmosIdvSessionEvent,
  KosmosIdvStatusEvent,
  type LaunchMode,
} from './events.js';
import { PageSignals } from './page-signals.js';
import { SessionStore } from './session-store.js';
import { showStartingPage } from './starting-page.js';
import { defaultStrings, type IdvStrings } from './strings.js';
import { styles } from './kosmos-idv-launcher.styles.js';

/** Where the element is in a verification. */
export type LauncherState =
  | 'idle'
  | 'creating'
  | 'open'
  | 'polling'
  | 'completed'
  | 'expired'
  | 'declined'
  | 'error';

const MODES: readonly LaunchMode[] = ['popup', 'tab', 'redirect', 'embedded', 'qr'];
/** The rarer modes' views, loaded when first used. */
interface Views {
  qr?: typeof import('./qr.js');
  embedded?: typeof import('./embedded.js');
}
const WINDOW_NAME = 'kosmos-idv-flow';
/** How often an open popup or tab is checked for having been closed. */
const WINDOW_CHECK_MS = 200;
/**
 * How long the window stays open after a final status. Chromium can lose a `close()` that arrives
 * while the window commits a navigation (the hosted flow's last page), leaving it open for good.
 */
const CLOSE_DELAY_MS = 1000;
/**
 * Failures after which a session cannot be followed any more: "Start again" makes a new one. (A
 * 401 is not one: the page's sign-in may only have lapsed.)
 */
const SESSION_LOST: ReadonlySet<IdvErrorCode> = new Set<IdvErrorCode>(['session_expired', 'forbidden', 'not_found']);
/** An embedded flow that has not loaded by then is offered in a window instead. */
const FRAME_TIMEOUT_MS = 15_000;
/** While the page is visible the user is waiting: a backend that comes back is seen within this. */
const MAX_VISIBLE_BACKOFF_MS = 5000;
/** Failing reads for this long turn the badge to "Reconnecting…". */
const RECONNECTING_AFTER_MS = 10_000;
const MIN_POLL_INTERVAL_MS = 250;
const DEFAULT_POLL_INTERVAL_MS = 2000;
/** `poll-interval` as a number; removing the attribute restores the default. */
const pollIntervalConverter = {
  fromAttribute: (value: string | null) => (value === null ? DEFAULT_POLL_INTERVAL_MS : Number(value)),
};

/** Custom backend: creates a session. Its answer is validated like the contract's. */
export type CreateSessionHook = (request: SessionRequest, signal: AbortSignal) => Promise<Session>;
/** Custom backend: reads a session's status. Its answer is validated like the contract's. */
export type FetchStatusHook = (session: Session, signal: AbortSignal) => Promise<StatusReport>;

/**
 * Runs a 1Kosmos identity verification: asks the page owner's backend for a session, opens
 * 1Kosmos's hosted flow, shows a live status badge fed by polling, and fires events when the
 * session completes, expires or is declined.
 *
 * @summary A button and live status badge for a 1Kosmos identity verification.
 *
 * @fires {KosmosIdvSessionEvent} kosmos-idv-session - A session was created or resumed (`sessionId`, `url`, `expiresAt`, `resumed`).
 * @fires {KosmosIdvOpenEvent} kosmos-idv-open - The hosted flow was opened (`sessionId`, `mode`).
 * @fires {KosmosIdvStatusEvent} kosmos-idv-status - The backend-confirmed status changed (`sessionId`, `status`, `verification`, `previous`).
 * @fires {KosmosIdvCompleteEvent} kosmos-idv-complete - The session was completed (`sessionId`, `verification`). Once per session.
 * @fires {KosmosIdvExpiredEvent} kosmos-idv-expired - The session expired (`sessionId`). Once per session.
 * @fires {KosmosIdvDeclinedEvent} kosmos-idv-declined - The user declined (`sessionId`). Once per session.
 * @fires {KosmosIdvCloseEvent} kosmos-idv-close - The user closed the popup or dialog before a final status (`sessionId`, `status`).
 * @fires {KosmosIdvErrorEvent} kosmos-idv-error - Something failed (`code`, `message`, `retryable`, `sessionId`).
 *
 * @csspart button - The main action: start, continue, try again.
 * @csspart badge - The status badge.
 * @csspart status - The status text inside the badge.
 * @csspart dialog - The `<dialog>` of `embedded` mode.
 * @csspart qr - The QR code block of `qr` mode.
 * @csspart error - The error message.
 *
 * @cssprop [--kosmos-idv-font=inherit] - Font of the whole element.
 * @cssprop [--kosmos-idv-text=inherit] - Text colour (the dialog falls back to #1f2328).
 * @cssprop [--kosmos-idv-accent=#0a66c2] - Button and accent colour.
 * @cssprop [--kosmos-idv-accent-hover=#084e96] - Button colour on hover (the accent when only that is set).
 * @cssprop [--kosmos-idv-on-accent=#fff] - Text on the accent colour.
 * @cssprop [--kosmos-idv-radius=0.5rem] - Corner radius.
 * @cssprop [--kosmos-idv-gap=0.75rem] - Space between the parts.
 * @cssprop [--kosmos-idv-border=#c8ccd1] - Border colour.
 * @cssprop [--kosmos-idv-focus-ring=#f5a623] - Focus outline colour.
 * @cssprop [--kosmos-idv-badge-background=#eef1f4] - Badge background.
 * @cssprop [--kosmos-idv-badge-text=#1f2328] - Badge text colour.
 * @cssprop [--kosmos-idv-muted=#6e7781] - Neutral status dot and secondary text (the QR link text falls back to #57606a).
 * @cssprop [--kosmos-idv-success=#1a7f37] - Status dot when verified.
 * @cssprop [--kosmos-idv-danger=#cf222e] - Status dot when failed or declined; error accent.
 * @cssprop [--kosmos-idv-warning=#9a6700] - Status dot when expired or not verified.
 * @cssprop [--kosmos-idv-error-background=#fff1f0] - Error box background.
 * @cssprop [--kosmos-idv-error-text=#82071e] - Error box text.
 * @cssprop [--kosmos-idv-surface=#fff] - Dialog background.
 * @cssprop [--kosmos-idv-backdrop=rgb(0 0 0 / 0.5)] - Dialog backdrop.
 * @cssprop [--kosmos-idv-qr-size=12rem] - Size of the QR code.
 */
export class KosmosIdvLauncher extends LitElement {
  static override styles = styles;

  /** The backend contract's base URL. Required unless both `createSession` and `fetchStatus` are set. */
  @property({ reflect: true }) endpoint = '';

  /** `passport`, `driving_license` or `id_card` (1Kosmos's `ppt_object` … too). Absent: the user picks. */
  @property({ attribute: 'document-type', reflect: true }) documentType?: string;

  /** Passed to 1Kosmos as the session's user name. */
  @property({ reflect: true }) username?: string;

  /** Passed to 1Kosmos as the user's first name. */
  @property({ reflect: true }) firstname?: string;

  /** Passed to 1Kosmos as the user's last name. */
  @property({ reflect: true }) lastname?: string;

  /** Your identifier of the user, to map the session to them. */
  @property({ reflect: true }) uid?: string;

  /** How the hosted flow is shown: `popup`, `tab`, `redirect`, `embedded` or `qr`. */
  @property({ reflect: true }) mode: string = 'popup';

  /**
   * ms between status reads while the page is visible.
   * @default 2000
   */
  @property({ attribute: 'poll-interval', converter: pollIntervalConverter, reflect: true })
  pollInterval: number = DEFAULT_POLL_INTERVAL_MS;

  /** Do not keep the session in `sessionStorage` for resuming after a reload. */
  @property({ attribute: 'no-resume', type: Boolean, reflect: true }) noResume = false;

  /** No "Try again" after a completed session that did not pass: the page decides retries itself. */
  @property({ attribute: 'no-retry', type: Boolean, reflect: true }) noRetry = false;

  /** Disables starting a verification. */
  @property({ type: Boolean, reflect: true }) disabled = false;

  /** Merged into every request to the backend (headers, credentials …). */
  @property({ attribute: false }) requestInit?: RequestInit;

  /** Custom backend hook replacing `POST {endpoint}`. */
  @property({ attribute: false }) createSession?: CreateSessionHook;

  /** Custom backend hook replacing `GET {endpoint}/{sessionId}`. */
  @property({ attribute: false }) fetchStatus?: FetchStatusHook;

  /** Any subset of the texts the element shows, to translate or reword them. */
  @property({ attribute: false }) strings: Partial<IdvStrings> = {};

  @state() private phase: LauncherState = 'idle';
  @state() private session?: Session;
  @state() private report?: Pick<StatusReport, 'status' | 'verification'>;
  @state() private failure?: IdvError;
  @state() private chosenDocument: DocumentType = 'passport';
  @state() private windowBlocked = false;
  @state() private views: Views = {};
  @state() private copied = false;
  @state() private reconnecting = false;

  @query('dialog') private dialog?: HTMLDialogElement;
  @query('[part~="button"]') private mainButton?: HTMLElement;
  @query('[part~="badge"]') private badge?: HTMLElement;

  #settled = false;
  /** When the current run of failing status reads began. */
  #failingSince?: number;
  #resumeChecked = false;
  #configProblem?: IdvError;
  #flowWindow?: Window;
  #windowTimer?: ReturnType<typeof setInterval>;
  #closeTimer?: ReturnType<typeof setTimeout>;
  #frameTimer?: ReturnType<typeof setTimeout>;
  #poller?: Poller;
  /** The client of the current `endpoint` and `requestInit` (set a new `requestInit` object to change headers). */
  #client?: { endpoint: string; requestInit?: RequestInit; client: IdvClient };

  readonly #signals = new PageSignals(this, {
    visibility: (visible) => this.#poller?.setVisible(visible),
    poke: () => this.#poller?.poke(),
    // Stopping aborts the read in flight before the browser drops it: leaving is not an error.
    leaving: () => this.#poller?.stop(),
    back: () => {
      if (this.session && !this.#settled) this.#follow();
    },
  });

  /** Aborts the session creation under way. */
  #creation?: AbortController;

  /** Where the element is: `idle`, `creating`, `open`, `polling`, `completed`, `expired`, `declined` or `error`. */
  get state(): LauncherState {
    return this.#configProblem ? 'error' : this.phase;
  }

  /** The backend-confirmed session status, or `null` before there is a session. */
  get status(): SessionStatus | null {
    return this.report?.status ?? null;
  }

  /** `passed`, `failed` or `not_performed` once completed, else `null`. */
  get verification(): Verification | null {
    return this.report?.verification ?? null;
  }

  /** The current session's id, or `null`. */
  get sessionId(): string | null {
    return this.session?.sessionId ?? null;
  }

  /**
   * Starts a verification, or continues the current one: never a second session while one is
   * under way. Call it from a click so that a popup is not blocked.
   */
  start(): void {
    // Called before the first update (right after the element was made), it checks the
    // configuration and resumes a saved session first, as that update would have.
    if (!this.hasUpdated) {
      this.#checkConfig();
      this.#resumeOnce();
    }
    if (this.disabled || this.#configProblem || this.phase === 'creating') return;
    if (this.session && !this.#settled && !this.#sessionLost()) return this.reopen();
    this.reset();
    const mode = this.mode as LaunchMode;
    if (mode === 'popup' || mode === 'tab') {
      this.#flowWindow = this.#openWindow('about:blank', mode);
      if (this.#flowWindow) showStartingPage(this.#flowWindow, this.#text('startingFlow'), this.lang || document.documentElement.lang);
    }
    this.phase = 'creating';
    void this.#create(this.#request());
  }

  /** Shows the hosted flow of the current session again. Call it from a click. */
  reopen(): void {
    const { session } = this;
    if (!session || this.#settled) return;
    this.failure = undefined;
    const mode = this.mode as LaunchMode;
    if ((mode === 'popup' || mode === 'tab') && this.#flowWindow && !this.#flowWindow.closed) {
      this.#flowWindow.focus();
      if (this.phase !== 'open') this.#showFlow();
    } else if (mode === 'popup' || mode === 'tab') {
      this.#flowWindow = this.#openWindow(session.url, mode);
      this.#showFlow();
    } else {
      if (mode === 'redirect') this.navigate(session.url);
      this.#showFlow();
    }
    if (!this.#poller?.running) this.#follow();
  }

  /** Reads the status now. */
  refresh(): void {
    this.#poller?.poke();
  }

  /** Forgets the current session (the backend's session is left as it is) and returns to `idle`. */
  reset(): void {
    this.#creation?.abort();
    this.#stopFollowing();
    this.#closeFlowWindow();
    this.#store()?.clear();
    this.session = undefined;
    this.report = undefined;
    this.failure = undefined;
    this.windowBlocked = false;
    this.copied = false;
    this.#settled = false;
    this.phase = 'idle';
    // After the changes above, so that the focus goes to the button of the render they cause.
    this.#closeDialog();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.session && !this.#settled) this.#follow();
    if (this.#flowWindow) this.#watchWindow();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.phase === 'creating') {
      // Creation is given up, not left pending: put back, the element can start again.
      this.#creation?.abort();
      this.#closeFlowWindow();
      this.phase = 'idle';
    }
    // A window left to close a moment after a final status is closed now: no timer outlives removal.
    if (this.#settled) this.#closeFlowWindow();
    this.#stopFollowing();
  }

  protected override willUpdate(changed: PropertyValues): void {
    const problem = this.#checkConfig();
    if (changed.has('pollInterval') && this.#poller && !problem) this.#follow();
    // A session switched to a rarer mode shows that mode's view: load it.
    const { mode } = this;
    if (changed.has('mode') && this.session && !this.#settled && (mode === 'qr' || mode === 'embedded')) {
      void this.#loadView(mode);
    }
    this.#resumeOnce();
  }

  /** The configuration's problem, if any; `kosmos-idv-error` tells each new one. */
  #checkConfig(): IdvError | undefined {
    const problem = this.#findConfigProblem();
    if (problem?.message !== this.#configProblem?.message) {
      this.#configProblem = problem;
      if (problem) this.dispatchEvent(new KosmosIdvErrorEvent(problem.code, problem.message, false));
    }
    return problem;
  }

  /** Takes on the saved session, the first time the configuration is valid. */
  #resumeOnce(): void {
    if (this.#configProblem || this.#resumeChecked) return;
    this.#resumeChecked = true;
    const saved = this.#store()?.load();
    if (saved) this.#begin(saved, true);
  }

  protected override updated(changed: PropertyValues): void {
    const shown = changed.has('phase') || changed.has('views');
    const { dialog } = this;
    if (shown && this.phase === 'open' && this.mode === 'embedded' && this.isConnected && dialog && !dialog.open) {
      dialog.showModal();
      this.#frameTimer = setTimeout(() => this.#frameFailed(), FRAME_TIMEOUT_MS);
    }
  }

  /** Navigates the page to the hosted flow (`redirect` mode). */
  protected navigate(url: string): void {
    window.location.assign(url);
  }

  #findConfigProblem(): IdvError | undefined {
    const problem = (message: string) => new IdvError('invalid_config', message);
    if (!MODES.includes(this.mode as LaunchMode)) {
      return problem(`mode "${this.mode}" is not one of ${MODES.join(', ')}`);
    }
    if (this.documentType && !normaliseDocumentType(this.documentType)) {
      return problem(`document-type "${this.documentType}" is not one of ${DOCUMENT_TYPES.join(', ')}`);
    }
    if (!this.endpoint && !(this.createSession && this.fetchStatus)) {
      return problem('Set endpoint, or both createSession and fetchStatus');
    }
    if (!(this.pollInterval >= MIN_POLL_INTERVAL_MS)) {
      return problem(`poll-interval must be at least ${MIN_POLL_INTERVAL_MS} (ms)`);
    }
    return undefined;
  }

  #backend(): IdvClient {
    const { endpoint, requestInit } = this;
    if (this.#client?.endpoint !== endpoint || this.#client.requestInit !== requestInit) {
      this.#client = { endpoint, requestInit, client: createClient({ endpoint, requestInit }) };
    }
    return this.#client.client;
  }

  #store(): SessionStore | undefined {
    if (this.noResume) return undefined;
    return SessionStore.for(`${this.endpoint || 'custom'}#${this.id}`);
  }

  #request(): SessionRequest {
    const request: SessionRequest = {
      documentType: normaliseDocumentType(this.documentType) ?? this.chosenDocument,
    };
    for (const field of ['username', 'firstname', 'lastname', 'uid'] as const) {
      if (this[field]) request[field] = this[field];
    }
    return request;
  }

  async #create(request: SessionRequest): Promise<void> {
    const creation = new AbortController();
    this.#creation = creation;
    const { signal } = creation;
    try {
      const session = this.createSession
        ? parseSession(await this.createSession(request, signal))
        : await this.#backend().createSession(request, signal);
      // A creation given up (reset, removal) may still resolve, if a hook ignores its signal.
      if (!signal.aborted) this.#begin(session, false);
    } catch (error) {
      if (signal.aborted) return;
      this.#closeFlowWindow();
      this.#fail(toIdvError(error));
    }
  }

  /** Takes on a session that was just created, or resumed from storage. */
  #begin(session: Session, resumed: boolean): void {
    this.session = session;
    this.#settled = false;
    this.#store()?.save(session);
    this.dispatchEvent(new KosmosIdvSessionEvent(session.sessionId, session.url, session.expiresAt, resumed));
    this.#applyReport({ status: session.status, verification: null });
    if (this.#settled) return;
    // A resumed flow is not showing any more, except a QR code, which costs nothing to show again.
    const show = !resumed || this.mode === 'qr';
    if (!show) this.phase = 'polling';
    else if (this.mode === 'redirect') this.navigate(session.url);
    else if (this.#flowWindow) this.#flowWindow.location.href = session.url;
    if (show) this.#showFlow();
    this.#follow();
  }

  /** Marks the flow as open in the current mode, or offers a link when the popup was blocked. */
  #showFlow(): void {
    const { session } = this;
    if (!session) return;
    const mode = this.mode as LaunchMode;
    if ((mode === 'popup' || mode === 'tab') && !this.#flowWindow) {
      this.windowBlocked = true;
      this.phase = 'polling';
      return;
    }
    this.windowBlocked = false;
    this.phase = 'open';
    if (this.#flowWindow) this.#watchWindow();
    if (mode === 'qr' || mode === 'embedded') void this.#loadView(mode);
    this.dispatchEvent(new KosmosIdvOpenEvent(session.sessionId, mode));
  }

  #openWindow(url: string, mode: 'popup' | 'tab'): Window | undefined {
    const features =
      mode === 'popup'
        ? `popup,width=480,height=760,left=${(screen.width - 480) / 2},top=${(screen.height - 760) / 2}`
        : '';
    // The window keeps its `opener`: without it Chromium refuses to let this page close the window
    // once the hosted flow has navigated, and the element closes it at a final status.
    return window.open(url, mode === 'popup' ? WINDOW_NAME : '_blank', features) ?? undefined;
  }

  #watchWindow(): void {
    clearInterval(this.#windowTimer);
    this.#windowTimer = setInterval(() => {
      if (this.#flowWindow?.closed) this.#flowClosed();
    }, WINDOW_CHECK_MS);
  }

  #closeFlowWindow(): void {
    clearInterval(this.#windowTimer);
    clearTimeout(this.#closeTimer);
    this.#windowTimer = undefined;
    this.#flowWindow?.close();
    this.#flowWindow = undefined;
  }

  /** The user closed the popup, tab or dialog. */
  #flowClosed(): void {
    clearInterval(this.#windowTimer);
    clearTimeout(this.#frameTimer);
    this.#windowTimer = undefined;
    this.#flowWindow = undefined;
    if (this.phase !== 'open' || !this.session) return;
    this.phase = 'polling';
    this.dispatchEvent(new KosmosIdvCloseEvent(this.session.sessionId, this.status));
    this.#poller?.poke();
    void this.updateComplete.then(() => this.mainButton?.focus());
  }

  /** The dialog's `close` event, queued: the dialog may have been shown again since (reset, then start). */
  #dialogClosed(): void {
    if (this.mode === 'embedded' && !this.dialog?.open) this.#flowClosed();
  }

  /** The embedded flow did not load in time: offer it in a window instead (the user closed nothing). */
  #frameFailed(): void {
    this.windowBlocked = true;
    this.phase = 'polling';
    this.#closeDialog();
  }

  /** The embedded flow's escape hatch: the same session in a popup, opened in this click. */
  #openInWindowInstead(): void {
    clearTimeout(this.#frameTimer);
    this.mode = 'popup';
    this.#closeDialog();
    this.reopen();
  }

  /** Loads a rarer mode's view and adopts its styles; one that cannot load is an error to retry. */
  async #loadView(mode: 'qr' | 'embedded'): Promise<void> {
    if (this.views[mode]) return;
    try {
      const view = await (mode === 'qr' ? import('./qr.js') : import('./embedded.js'));
      this.views = { ...this.views, [mode]: view };
      const { elementStyles } = this.constructor as typeof LitElement;
      const loaded = Object.values(this.views).map(({ styles }) => styles);
      adoptStyles(this.renderRoot as ShadowRoot, [...elementStyles, ...loaded]);
    } catch (error) {
      if (this.phase !== 'open' || this.mode !== mode) return;
      this.#fail(new IdvError('network_error', `The ${mode} view did not load.`, { cause: error }));
    }
  }

  /** Starts (or restarts) polling the current session. */
  #follow(): void {
    const { session } = this;
    if (!session || !this.isConnected) return;
    this.#poller?.stop();
    this.#poller = new Poller({
      read: async (signal, wait) =>
        this.fetchStatus
          ? parseStatusReport(await this.fetchStatus(session, signal), session.sessionId)
          : this.#backend().fetchStatus(session, signal, wait),
      onReport: (report) => this.#applyReport(report),
      onError: (error) => this.#pollFailed(error),
      interval: this.pollInterval,
      maxVisibleBackoff: MAX_VISIBLE_BACKOFF_MS,
      // A fetchStatus hook is never asked to hold a read.
      maxWait: this.fetchStatus ? 0 : undefined,
      expiresAt: Date.parse(session.expiresAt),
    });
    this.#poller.setVisible(this.#signals.visible);
    this.#poller.start();
  }

  #stopFollowing(): void {
    this.#poller?.stop();
    this.#poller = undefined;
    clearInterval(this.#windowTimer);
    clearTimeout(this.#frameTimer);
    this.#windowTimer = undefined;
  }

  #applyReport(report: Pick<StatusReport, 'status' | 'verification'>): void {
    const { session } = this;
    if (!session || this.#settled) return;
    this.#failingSince = undefined;
    this.reconnecting = false;
    const previous = this.report?.status ?? null;
    if (previous !== report.status || this.report?.verification !== report.verification) {
      this.report = { status: report.status, verification: report.verification };
      this.dispatchEvent(
        new KosmosIdvStatusEvent(session.sessionId, report.status, report.verification, previous),
      );
    }
    if (!TERMINAL_STATUSES.has(report.status)) return;
    this.#settled = true;
    this.#stopFollowing();
    this.#closeTimer = setTimeout(() => this.#closeFlowWindow(), CLOSE_DELAY_MS);
    this.#closeDialog();
    this.#store()?.clear();
    this.phase = report.status as LauncherState;
    const { sessionId } = session;
    if (report.status === 'completed') {
      this.dispatchEvent(new KosmosIdvCompleteEvent(sessionId, report.verification ?? 'not_performed'));
    } else if (report.status === 'expired') {
      this.dispatchEvent(new KosmosIdvExpiredEvent(sessionId));
    } else {
      this.dispatchEvent(new KosmosIdvDeclinedEvent(sessionId));
    }
  }

  #pollFailed(error: IdvError): void {
    if (this.#poller?.running) {
      this.#failingSince ??= Date.now();
      this.reconnecting = Date.now() - this.#failingSince >= RECONNECTING_AFTER_MS;
      this.dispatchEvent(new KosmosIdvErrorEvent(error.code, error.message, true, this.sessionId ?? undefined));
    } else {
      this.#fail(error);
    }
  }

  #fail(error: IdvError): void {
    this.failure = error;
    this.phase = 'error';
    this.#closeDialog();
    // A session that cannot be followed any more is not resumed after a reload either.
    if (this.#sessionLost()) this.#store()?.clear();
    this.dispatchEvent(
      new KosmosIdvErrorEvent(error.code, error.message, error.retryable, this.sessionId ?? undefined),
    );
  }

  /** The error state's button: the same session if it can still be followed, else a new attempt. */
  #retry(): void {
    if (this.session && !this.#settled && !this.#sessionLost()) {
      this.failure = undefined;
      this.phase = 'polling';
      this.#follow();
      if (this.windowBlocked || this.mode !== 'redirect') this.reopen();
    } else {
      this.start();
    }
  }

  #sessionLost(): boolean {
    return Boolean(this.session && this.failure && SESSION_LOST.has(this.failure.code));
  }

  /** Closes the embedded dialog the element is showing; the focus it held goes to the main button, else the badge. */
  #closeDialog(): void {
    if (!this.dialog?.open) return;
    this.dialog.close();
    void this.updateComplete.then(() => (this.mainButton ?? this.badge)?.focus());
  }

  #text(key: keyof IdvStrings): string {
    return this.strings[key] ?? defaultStrings[key];
  }

  protected override render() {
    const problem = this.#configProblem ?? (this.phase === 'error' ? this.failure : undefined);
    return html`<div class="launcher">
      ${this.#renderPicker()} ${this.session ? this.#renderBadge() : nothing}
      ${problem ? this.#renderError(problem) : nothing} ${this.#renderAction(problem)}
      ${this.#renderBlocked()} ${this.#renderQr()} ${this.#renderDialog()}
    </div>`;
  }

  #renderPicker() {
    if (this.documentType || !['idle', 'creating'].includes(this.state)) return nothing;
    const options: [DocumentType, keyof IdvStrings][] = [
      ['passport', 'passport'],
      ['driving_license', 'drivingLicense'],
      ['id_card', 'idCard'],
    ];
    return html`<fieldset>
      <legend>${this.#text('chooseDocument')}</legend>
      ${options.map(
        ([value, label]) =>
          html`<label
            ><input
              type="radio"
              name="document"
              .value=${value}
              .checked=${this.chosenDocument === value}
              ?disabled=${this.phase === 'creating'}
              @change=${() => (this.chosenDocument = value)}
            />${this.#text(label)}</label
          >`,
      )}
    </fieldset>`;
  }

  #badgeKey(): { key: string; label: keyof IdvStrings } {
    const status = this.status;
    if (status === 'completed') {
      const verification = this.verification ?? 'not_performed';
      const labels = { passed: 'statusPassed', failed: 'statusFailed', not_performed: 'statusNotPerformed' } as const;
      return { key: verification, label: labels[verification] };
    }
    const labels = {
      pending: 'statusPending',
      in_progress: 'statusInProgress',
      expired: 'statusExpired',
      declined: 'statusDeclined',
    } as const;
    return status ? { key: status, label: labels[status] } : { key: 'starting', label: 'statusStarting' };
  }

  #renderBadge() {
    const { key, label } = this.#badgeKey();
    return html`<div part="badge" role="status" tabindex="-1" aria-label=${this.#text('statusLabel')} data-status=${key}>
      <span class="dot" aria-hidden="true"></span
      ><span part="status">${this.#text(this.reconnecting ? 'statusReconnecting' : label)}</span>
    </div>`;
  }

  /**
   * The user reads a text from `strings`; the page's developer gets the detailed message in
   * `kosmos-idv-error`. A misconfiguration is shown as its message: only the developer sees it.
   */
  #renderError(error: IdvError) {
    const { code, retryable } = error;
    const text =
      code === 'invalid_config'
        ? error.message
        : this.#text(code === 'session_expired' ? 'errorExpired' : retryable ? 'errorRetry' : 'errorFailed');
    return html`<div part="error" role="alert">
      <strong>${this.#text('errorTitle')}</strong>
      <p>${text}</p>
    </div>`;
  }

  #renderAction(problem: IdvError | undefined) {
    const state = this.state;
    if (problem) {
      if (this.#configProblem) return nothing;
      const lost = this.#sessionLost();
      const blocked = this.disabled && (lost || !this.session || this.#settled);
      return html`<button part="button" aria-disabled=${blocked ? 'true' : 'false'} @click=${this.#retry}>${this.#text(lost ? 'startAgain' : 'retry')}</button>`;
    }
    if (state === 'idle' || state === 'creating') {
      const busy = state === 'creating' || this.disabled;
      return html`<button
        part="button"
        aria-disabled=${busy ? 'true' : 'false'}
        aria-busy=${state === 'creating' ? 'true' : 'false'}
        @click=${this.start}
      >
        ${this.#text(state === 'creating' ? 'starting' : 'start')}
      </button>`;
    }
    if ((state === 'open' || state === 'polling') && !this.windowBlocked && this.mode !== 'qr') {
      return html`<button part="button" class=${state === 'open' ? 'secondary' : ''} @click=${this.reopen}>
        ${this.#text('reopen')}
      </button>`;
    }
    if (state === 'expired' || state === 'declined') {
      return html`<button part="button" aria-disabled=${this.disabled ? 'true' : 'false'} @click=${this.start}>${this.#text('startAgain')}</button>`;
    }
    if (state === 'completed' && this.verification !== 'passed' && !this.noRetry) {
      return html`<button part="button" aria-disabled=${this.disabled ? 'true' : 'false'} @click=${this.start}>${this.#text('retry')}</button>`;
    }
    return nothing;
  }

  #renderBlocked() {
    if (!this.windowBlocked || !this.session || this.#settled) return nothing;
    return html`<p class="notice">${this.#text('popupBlocked')}</p>
      <a part="button" class="link-button" href=${this.session.url} target=${WINDOW_NAME} @click=${this.#openFromLink}
        >${this.#text('openFlow')}</a
      >`;
  }

  /** The blocked-popup link: opens a watched window in the click; if that fails too, the link navigates on its own. */
  #openFromLink(event: MouseEvent): void {
    const mode = this.mode === 'tab' ? 'tab' : 'popup';
    const opened = this.#openWindow((event.currentTarget as HTMLAnchorElement).href, mode);
    if (!opened) return;
    event.preventDefault();
    this.#flowWindow = opened;
    this.mode = mode;
    this.#showFlow();
  }

  #renderQr() {
    const { session, views } = this;
    if (this.mode !== 'qr' || !views.qr || !session || this.#settled || this.state === 'error') return nothing;
    return views.qr.render({
      url: session.url,
      copied: this.copied,
      text: (key) => this.#text(key),
      onCopied: () => (this.copied = true),
    });
  }

  #renderDialog() {
    const { session, views } = this;
    if (this.mode !== 'embedded' || !views.embedded || !session || this.#settled) return nothing;
    return views.embedded.render({
      url: session.url,
      frame: this.phase === 'open',
      text: (key) => this.#text(key),
      onClose: () => this.#dialogClosed(),
      onFrameLoad: () => clearTimeout(this.#frameTimer),
      onOpenInWindow: () => this.#openInWindowInstead(),
    });
  }
}
