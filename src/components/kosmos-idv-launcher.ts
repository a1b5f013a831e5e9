import { adoptStyles, html, LitElement, nothing, type CSSResult, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { initialState, Task, TaskStatus } from '@lit/task';
import { createBackend, type Backend, type CreateSessionHook, type FetchStatusHook } from '../api/backend.js';
import { toIdvError, type IdvError } from '../api/errors.js';
import type { Session, SessionRequest } from '../contract/bodies.js';
import {
  normaliseDocumentType,
  TERMINAL_STATUSES,
  type DocumentType,
  type DocumentTypeWord,
  type SessionStatus,
  type Verification,
} from '../contract/vocabulary.js';
import { configProblem } from './config.js';
import type { EmbeddedDialog } from './embedded.js';
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
import { FlowWindow, type WindowMode } from './flow-window.js';
import { liveSession, sessionLost, stateWord, type Launch, type LauncherState, type Report } from './launch-state.js';
import { SessionStore } from './session-store.js';
import { StatusFollower } from './status-follower.js';
import { defaultStrings, type IdvStrings } from './strings.js';
import { loadView, type LazyMode, type View } from './views.js';
import { styles } from './kosmos-idv-launcher.styles.js';

export type { CreateSessionHook, FetchStatusHook, LauncherState };

const DEFAULT_POLL_INTERVAL_MS = 2000;
/** `poll-interval` as a number; removing the attribute restores the default. */
const pollIntervalConverter = {
  fromAttribute: (value: string | null) => (value === null ? DEFAULT_POLL_INTERVAL_MS : Number(value)),
};

/** The badge's text for each status (`starting` before the first), and for each verification of a completed session. */
const BADGE_LABELS = {
  starting: 'statusStarting',
  pending: 'statusPending',
  in_progress: 'statusInProgress',
  expired: 'statusExpired',
  declined: 'statusDeclined',
  passed: 'statusPassed',
  failed: 'statusFailed',
  not_performed: 'statusNotPerformed',
} as const satisfies Record<Exclude<SessionStatus, 'completed'> | Verification | 'starting', keyof IdvStrings>;

const isWindowMode = (mode: LaunchMode): mode is WindowMode => mode === 'popup' || mode === 'tab';

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
  @property({ attribute: 'document-type', reflect: true }) documentType?: DocumentTypeWord;

  /** Passed to 1Kosmos as the session's user name. */
  @property({ reflect: true }) username?: string;

  /** Passed to 1Kosmos as the user's first name. */
  @property({ reflect: true }) firstname?: string;

  /** Passed to 1Kosmos as the user's last name. */
  @property({ reflect: true }) lastname?: string;

  /** Your identifier of the user, to map the session to them. */
  @property({ reflect: true }) uid?: string;

  /** How the hosted flow is shown: `popup`, `tab`, `redirect`, `embedded` or `qr`. */
  @property({ reflect: true }) mode: LaunchMode = 'popup';

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

  /** Where the element is in a verification, with what it holds there. */
  @state() private launch: Launch = { kind: 'idle' };
  /** The mode in effect when the user moved the flow to a window ("open in a new window instead"). */
  @state() private windowMode?: WindowMode;
  @state() private chosenDocument: DocumentType = 'passport';
  @state() private copied = false;

  /** The configuration's problem, derived from the properties at each update. */
  #configProblem?: IdvError;
  /** `documentType` normalised; `undefined` when absent (the user picks) or unknown (`#configProblem`). */
  #documentType?: DocumentType;
  #resumeChecked = false;
  #backendFor?: { key: unknown[]; backend: Backend };
  #dialog?: EmbeddedDialog;
  readonly #adopted = new Set<CSSResult>();

  readonly #window = new FlowWindow(this, () => this.#flowClosed());

  readonly #follower = new StatusFollower(this, {
    onReport: (report) => this.#applyReport(report),
    onRetrying: (error) => this.#tell(error),
    onStopped: (error) => this.#fail(error),
  });

  /**
   * Session creation, started by a click; its pending and failed states are what the `creating`
   * launch shows. `reset()` and removal give it up with a run without a request: the run under way
   * is aborted, and its outcome ignored even when a hook ignores its signal and settles later.
   */
  readonly #creation = new Task(this, {
    autoRun: false,
    task: ([request]: [SessionRequest?], { signal }) =>
      request ? this.#backend().createSession(request, signal) : initialState,
    // The task is `COMPLETE` only once this returns, so the session is begun a moment later: a
    // listener of its events that starts over then makes a creation that stays `PENDING`.
    onComplete: (session) =>
      queueMicrotask(() => {
        if (this.#creating === TaskStatus.COMPLETE) this.#begin(session, false);
      }),
    onError: (error) => {
      this.#window.close();
      // The task is `ERROR` once this returns: a listener of the event sees `state` `error` and may start again.
      queueMicrotask(() => this.#tell(toIdvError(error)));
    },
  });

  /** The rarer mode's view the flow needs now, loaded on first use. */
  readonly #view = new Task(this, {
    task: ([mode]: readonly [LazyMode | undefined]) => (mode ? loadView(mode) : initialState),
    args: () => [this.#viewNeeded()] as const,
    onComplete: (view) => this.#viewLoaded(view),
    onError: (error) => {
      if (this.#viewNeeded()) this.#fail(toIdvError(error));
    },
  });

  /** Where the element is: `idle`, `creating`, `open`, `polling`, `completed`, `expired`, `declined` or `error`. */
  get state(): LauncherState {
    return this.#configProblem || this.#creating === TaskStatus.ERROR ? 'error' : stateWord(this.launch);
  }

  /** The backend-confirmed session status, or `null` before there is a session. */
  get status(): SessionStatus | null {
    return this.#report?.status ?? null;
  }

  /** `passed`, `failed` or `not_performed` once completed, else `null`. */
  get verification(): Verification | null {
    return this.#report?.verification ?? null;
  }

  /** The current session's id, or `null`. */
  get sessionId(): string | null {
    return this.#session?.sessionId ?? null;
  }

  get #session(): Session | undefined {
    return 'session' in this.launch ? this.launch.session : undefined;
  }

  /** How the creation of the `creating` launch goes: `PENDING`, `COMPLETE` (a moment) or `ERROR` (`undefined` in any other launch). */
  get #creating(): TaskStatus | undefined {
    return this.launch.kind === 'creating' ? this.#creation.status : undefined;
  }

  get #report(): Report | undefined {
    return 'report' in this.launch ? this.launch.report : undefined;
  }

  /** The mode the flow is shown in: the page's `mode`, unless the user moved the flow to a window. */
  get #mode(): LaunchMode {
    return this.windowMode ?? this.mode;
  }

  /**
   * Starts a verification, or continues the current one: never a second session while one is
   * under way. Call it from a click so that a popup is not blocked.
   */
  start(): void {
    // Called before the first update (right after the element was made), it checks the
    // configuration and resumes a saved session first, as that update would have.
    if (!this.hasUpdated) {
      this.#deriveConfig();
      this.#resumeOnce();
    }
    if (this.disabled || this.#configProblem || this.#creating === TaskStatus.PENDING) return;
    if (liveSession(this.launch)) return this.reopen();
    this.reset();
    if (isWindowMode(this.mode)) {
      this.#window.openStarting(this.mode, this.#text('startingFlow'), this.lang || document.documentElement.lang);
    }
    this.launch = { kind: 'creating' };
    void this.#creation.run([this.#request()]);
  }

  /** Shows the hosted flow of the current session again. Call it from a click. */
  reopen(): void {
    const session = liveSession(this.launch);
    if (!session) return;
    const mode = this.#mode;
    if (isWindowMode(mode)) this.#window.show(session.url, mode);
    else if (mode === 'redirect') this.navigate(session.url);
    this.#show(session);
    if (!this.#follower.active) this.#follow(session);
  }

  /** Reads the status now. */
  refresh(): void {
    this.#follower.poke();
  }

  /** Forgets the current session (the backend's session is left as it is) and returns to `idle`. */
  reset(): void {
    void this.#creation.run([]);
    this.#follower.stop();
    this.#window.close();
    this.#store()?.clear();
    this.windowMode = undefined;
    this.copied = false;
    this.launch = { kind: 'idle' };
    this.#closeDialog();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Creation is given up, not left pending: put back, the element can start again.
    if (this.#creating === TaskStatus.PENDING) this.reset();
  }

  // Before rendering, so that what the configuration changes is in the same render (no second update).
  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#deriveConfig();
    const session = this.#session;
    if (changed.has('pollInterval') && this.#follower.active && session && !this.#configProblem) this.#follow(session);
    this.#resumeOnce();
  }

  /** Navigates the page to the hosted flow (`redirect` mode). */
  protected navigate(url: string): void {
    window.location.assign(url);
  }

  /** The document type and the configuration's problem, if any; `kosmos-idv-error` tells each new problem. */
  #deriveConfig(): void {
    this.#documentType = normaliseDocumentType(this.documentType);
    const problem = configProblem({
      mode: this.mode,
      documentType: this.documentType,
      normalisedDocumentType: this.#documentType,
      endpoint: this.endpoint,
      hooks: Boolean(this.createSession && this.fetchStatus),
      pollInterval: this.pollInterval,
    });
    if (problem?.message === this.#configProblem?.message) return;
    this.#configProblem = problem;
    if (problem) this.dispatchEvent(new KosmosIdvErrorEvent(problem.code, problem.message, false));
  }

  /** Takes on the saved session, the first time the configuration is valid. */
  #resumeOnce(): void {
    if (this.#configProblem || this.#resumeChecked) return;
    this.#resumeChecked = true;
    const saved = this.#store()?.load();
    if (saved) this.#begin(saved, true);
  }

  /** The backend of the current properties (a new `requestInit` object changes it). */
  #backend(): Backend {
    const { endpoint, requestInit, createSession, fetchStatus } = this;
    const key = [endpoint, requestInit, createSession, fetchStatus];
    if (!this.#backendFor || key.some((value, i) => value !== this.#backendFor!.key[i])) {
      this.#backendFor = { key, backend: createBackend({ endpoint, requestInit, createSession, fetchStatus }) };
    }
    return this.#backendFor.backend;
  }

  #store(): SessionStore | undefined {
    if (this.noResume) return undefined;
    return SessionStore.for(`${this.endpoint || 'custom'}#${this.id}`);
  }

  #request(): SessionRequest {
    const request: SessionRequest = {
      documentType: this.#documentType ?? this.chosenDocument,
    };
    for (const field of ['username', 'firstname', 'lastname', 'uid'] as const) {
      if (this[field]) request[field] = this[field];
    }
    return request;
  }

  /** Takes on a session that was just created, or resumed from storage. */
  #begin(session: Session, resumed: boolean): void {
    this.windowMode = undefined;
    this.#store()?.save(session);
    this.launch = { kind: 'following', session, flow: 'hidden' };
    this.dispatchEvent(new KosmosIdvSessionEvent(session.sessionId, session.url, session.expiresAt, resumed));
    this.#applyReport({ status: session.status, verification: null });
    if (this.launch.kind !== 'following') return;
    // A resumed flow is not showing any more, except a QR code, which costs nothing to show again.
    if (!resumed || this.mode === 'qr') {
      if (this.mode === 'redirect') this.navigate(session.url);
      else this.#window.navigate(session.url);
      this.#show(session);
    }
    this.#follow(session);
  }

  /** Marks the flow as shown in the current mode, or offered as a link when its window was blocked. */
  #show(session: Session): void {
    const mode = this.#mode;
    const blocked = isWindowMode(mode) && !this.#window.opened;
    this.launch = { kind: 'following', session, report: this.#report, flow: blocked ? 'offered' : 'showing' };
    if (!blocked) this.dispatchEvent(new KosmosIdvOpenEvent(session.sessionId, mode));
  }

  #follow(session: Session): void {
    this.#follower.follow({
      // The backend of the properties of each read's time: a new `requestInit` applies at once.
      read: (signal, wait) => this.#backend().fetchStatus(session, signal, wait),
      holdsReads: this.#backend().holdsReads,
      interval: this.pollInterval,
      expiresAt: Date.parse(session.expiresAt),
    });
  }

  #applyReport(next: Report): void {
    const { launch } = this;
    if (launch.kind !== 'following' && launch.kind !== 'error') return;
    const { session, report } = launch;
    if (!session) return;
    if (report?.status !== next.status || report?.verification !== next.verification) {
      const { status, verification } = next;
      this.launch = { ...launch, report: { status, verification } };
      this.dispatchEvent(new KosmosIdvStatusEvent(session.sessionId, status, verification, report?.status ?? null));
    }
    if (TERMINAL_STATUSES.has(next.status)) this.#settle(session, next);
  }

  #settle(session: Session, { status, verification }: Report): void {
    this.#follower.stop();
    this.#window.closeSoon();
    this.#store()?.clear();
    this.launch = { kind: 'settled', session, report: { status, verification } };
    this.#closeDialog();
    const { sessionId } = session;
    if (status === 'completed') {
      this.dispatchEvent(new KosmosIdvCompleteEvent(sessionId, verification ?? 'not_performed'));
    } else if (status === 'expired') {
      this.dispatchEvent(new KosmosIdvExpiredEvent(sessionId));
    } else {
      this.dispatchEvent(new KosmosIdvDeclinedEvent(sessionId));
    }
  }

  #fail(error: IdvError): void {
    this.launch = { kind: 'error', error, session: this.#session, report: this.#report };
    this.#closeDialog();
    // A session that cannot be followed any more is not resumed after a reload either.
    if (sessionLost(this.launch)) this.#store()?.clear();
    this.#tell(error);
  }

  /** `kosmos-idv-error`, with the current session's id if there is one. */
  #tell(error: IdvError): void {
    this.dispatchEvent(new KosmosIdvErrorEvent(error.code, error.message, error.retryable, this.sessionId ?? undefined));
  }

  /** The error state's button: the same session if it can still be followed, else a new attempt. */
  #retry(): void {
    const session = liveSession(this.launch);
    if (!session) return this.start();
    if (this.#mode !== 'redirect') return this.reopen();
    // In `redirect` mode showing the flow again means leaving the page: only "Continue verification" does that.
    this.launch = { kind: 'following', session, report: this.#report, flow: 'hidden' };
    if (!this.#follower.active) this.#follow(session);
  }

  /** The user closed the popup, tab or dialog. */
  #flowClosed(): void {
    const { launch } = this;
    if (launch.kind !== 'following' || launch.flow !== 'showing') return;
    this.launch = { ...launch, flow: 'hidden' };
    this.dispatchEvent(new KosmosIdvCloseEvent(launch.session.sessionId, this.status));
    this.#follower.poke();
    this.#refocus();
  }

  /** The embedded flow did not load in time: offer it in a window instead (the user closed nothing). */
  #frameTimedOut(): void {
    const { launch } = this;
    if (launch.kind !== 'following') return;
    this.launch = { ...launch, flow: 'offered' };
    this.#closeDialog();
  }

  /** The embedded flow's escape hatch: the same session in a popup, opened in this click. */
  #openInWindowInstead(): void {
    this.windowMode = 'popup';
    this.#closeDialog();
    this.reopen();
  }

  /** The blocked-window link: opens a watched window in the click; if that fails too, the link navigates on its own. */
  #openFromLink(event: MouseEvent): void {
    const session = liveSession(this.launch);
    const mode = this.#mode === 'tab' ? 'tab' : 'popup';
    if (!session || !this.#window.openFromLink(event, mode)) return;
    this.windowMode = mode;
    this.#show(session);
  }

  /**
   * Closes the embedded dialog if it is open, and gives the focus it held back (`#refocus`). Called
   * after a state change, so that the focus goes to the button of the render it causes.
   */
  #closeDialog(): void {
    if (this.#dialog?.close()) this.#refocus();
  }

  /** Once the flow stops showing: the focus goes to the main button of the next render, else the badge. */
  #refocus(): void {
    void this.updateComplete.then(() => (this.#part('button') ?? this.#part('badge'))?.focus());
  }

  /** The lazy view the flow needs now, if any. */
  #viewNeeded(): LazyMode | undefined {
    const mode = this.#mode;
    return this.launch.kind === 'following' && (mode === 'qr' || mode === 'embedded') ? mode : undefined;
  }

  /** A view came: its styles join the element's, and the dialog view starts watching its dialog. */
  #viewLoaded(view: View): void {
    this.#adopted.add(view.module.styles);
    const { elementStyles } = this.constructor as typeof LitElement;
    adoptStyles(this.renderRoot as ShadowRoot, [...elementStyles, ...this.#adopted]);
    if (view.mode === 'embedded') {
      this.#dialog ??= new view.module.EmbeddedDialog(this, {
        text: (key) => this.#text(key),
        onClose: () => this.#flowClosed(),
        onFrameTimeout: () => this.#frameTimedOut(),
        onOpenInWindow: () => this.#openInWindowInstead(),
      });
    }
  }

  #part(name: 'button' | 'badge'): HTMLElement | null {
    return this.renderRoot.querySelector(`[part~="${name}"]`);
  }

  #text(key: keyof IdvStrings): string {
    return this.strings[key] ?? defaultStrings[key];
  }

  protected override render() {
    const problem = this.#configProblem;
    return html`<div class="launcher">
      ${this.#session ? this.#renderBadge() : nothing} ${problem ? this.#renderError(problem) : this.#renderAction()}
      ${this.#renderOffer()} ${this.#renderView()}
    </div>`;
  }

  /** The document picker when the page has not set `document-type`: before a session, disabled while one is created. */
  #renderPicker(creating: boolean) {
    if (this.documentType) return nothing;
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
              ?disabled=${creating}
              @change=${() => (this.chosenDocument = value)}
            />${this.#text(label)}</label
          >`,
      )}
    </fieldset>`;
  }

  #renderBadge() {
    const { status } = this;
    const key = status === 'completed' ? (this.verification ?? 'not_performed') : (status ?? 'starting');
    const text = this.#text(this.#follower.reconnecting ? 'statusReconnecting' : BADGE_LABELS[key]);
    return html`<div part="badge" role="status" tabindex="-1" aria-label=${this.#text('statusLabel')} data-status=${key}>
      <span class="dot" aria-hidden="true"></span><span part="status">${text}</span>
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

  /** The main button where the element is, after the picker before a session or after the failure it answers; `creating` as its task goes. */
  #renderAction() {
    const { launch, disabled } = this;
    const button = (label: keyof IdvStrings, action: () => void, inert = disabled) =>
      html`<button part="button" aria-disabled=${inert ? 'true' : 'false'} @click=${action}>${this.#text(label)}</button>`;
    switch (launch.kind) {
      case 'idle':
        return html`${this.#renderPicker(false)} ${button('start', this.start)}`;
      case 'creating':
        return this.#creation.render({
          pending: () =>
            html`${this.#renderPicker(true)}
              <button part="button" aria-disabled="true" aria-busy="true">${this.#text('starting')}</button>`,
          error: (error) => html`${this.#renderError(toIdvError(error))} ${button('retry', this.start)}`,
        });
      case 'following':
        if (launch.flow === 'offered' || this.#mode === 'qr') return nothing;
        return html`<button part="button" class=${launch.flow === 'showing' ? 'secondary' : ''} @click=${this.reopen}>
          ${this.#text('reopen')}
        </button>`;
      case 'error':
        // Continuing a live session is allowed while `disabled`; starting a new one is not.
        return html`${this.#renderError(launch.error)}
        ${button(sessionLost(launch) ? 'startAgain' : 'retry', this.#retry, disabled && !liveSession(launch))}`;
      case 'settled': {
        const { status, verification } = launch.report;
        if (status !== 'completed') return button('startAgain', this.start);
        return verification === 'passed' || this.noRetry ? nothing : button('retry', this.start);
      }
    }
  }

  /** The flow as a link, when its window was blocked or its frame did not load. */
  #renderOffer() {
    const { launch } = this;
    if (launch.kind !== 'following' || launch.flow !== 'offered') return nothing;
    return html`<p class="notice">${this.#text('popupBlocked')}</p>
      <a part="button" class="link-button" href=${launch.session.url} target="kosmos-idv-flow" @click=${this.#openFromLink}
        >${this.#text('openFlow')}</a
      >`;
  }

  /** The QR code or the dialog of a following session, once its view has loaded. */
  #renderView() {
    const { launch } = this;
    if (launch.kind !== 'following') return nothing;
    return this.#view.render({
      complete: (view) =>
        view.mode === 'qr'
          ? view.module.render({
              url: launch.session.url,
              copied: this.copied,
              text: (key) => this.#text(key),
              onCopied: () => (this.copied = true),
            })
          : this.#dialog?.render(launch.session.url, launch.flow === 'showing'),
    });
  }
}
