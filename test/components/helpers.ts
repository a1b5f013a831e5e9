/**
 * Shared helpers of the browser suites: a fake backend behind a `window.fetch` stub, fake
 * popup windows, an event log, fake timers that leave the test's own waiting alone, and
 * queries into the element's shadow root.
 */
import { fixture, fixtureCleanup, html } from '@open-wc/testing';
import { nothing } from 'lit';
import sinon from 'sinon';
import '../../src/index.js';
import { EVENT_NAMES, type KosmosIdvLauncher } from '../../src/index.js';
import type { SessionStatus, Verification } from '../../src/contract/vocabulary.js';

/** The browser's own `setTimeout`, kept before any test fakes it. */
const realSetTimeout = globalThis.setTimeout.bind(globalThis);

/** Waits one real macrotask (fake timers do not delay it). */
const macrotask = () => new Promise<void>((resolve) => realSetTimeout(resolve, 0));

/** Waits (in real time, whatever the fake clock says) until `predicate` holds; fails after 3 s. */
export async function until(predicate: () => boolean, what = 'the condition'): Promise<void> {
  for (let waited = 0; !predicate(); waited += 5) {
    if (waited > 3000) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise<void>((resolve) => realSetTimeout(resolve, 5));
  }
}

/** Lets pending responses, promise chains and Lit updates run to the end. */
export async function settle(el?: KosmosIdvLauncher): Promise<void> {
  for (let i = 0; i < 5; i += 1) {
    await macrotask();
    await el?.updateComplete;
  }
}

/** Fake timers for the element's polling and window checks; `Date` moves with them. */
export function useFakeClock(): sinon.SinonFakeTimers {
  return sinon.useFakeTimers({
    now: Date.parse('2030-01-01T00:00:00Z'),
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
}

export const ENDPOINT = '/api/idv';

export interface LauncherOptions {
  mode?: string;
  id?: string;
  /** Keep the session in `sessionStorage` (the suites leave it out unless they test resuming). */
  resume?: boolean;
}

/** A launcher for a passport on the fake backend's endpoint. */
export const launcher = ({ mode = 'popup', id, resume = false }: LauncherOptions = {}) =>
  fixture<KosmosIdvLauncher>(
    html`<kosmos-idv-launcher
      id=${id ?? nothing}
      endpoint=${ENDPOINT}
      document-type="passport"
      mode=${mode}
      ?no-resume=${!resume}
    ></kosmos-idv-launcher>`,
  );

/** Clicks the main button and waits until the backend's answer has been taken in. */
export async function start(el: KosmosIdvLauncher): Promise<void> {
  mainButton(el).click();
  await until(() => el.state !== 'creating', 'the session to be created');
  await el.updateComplete;
}

/** The hosted-flow URL the fake backend gives session `id`. */
export const flowUrl = (id: string) => `https://idv.example.com/flow/${id}`;

/** A contract `POST` answer for session `id`, expiring in 10 minutes. */
export function sessionBody(id = 's1', overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sessionId: id,
    url: flowUrl(id),
    token: `token-${id}`,
    expiresAt: new Date(Date.now() + 600_000).toISOString(),
    status: 'pending',
    ...overrides,
  };
}

/** A contract `GET` answer. */
export function statusBody(id: string, status: string, verification: string | null = null) {
  return { sessionId: id, status, verification, updatedAt: new Date().toISOString() };
}

/** One scripted answer: an HTTP response, a request that never answers, or a network failure. */
export type Reply =
  | { status?: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | 'hang'
  | 'network-error';

/** A status read's answer: a status word (`completed:passed` …) answered 200, or any `Reply`. */
export type StatusStep = Exclude<SessionStatus, 'completed'> | `completed:${Verification}` | Reply;

export interface Call {
  method: string;
  url: string;
  headers: Headers;
  body: unknown;
  credentials?: RequestCredentials;
  signal?: AbortSignal | null;
}

/**
 * A backend behind a `window.fetch` stub. `POST` answers the next of `creates`, or (when they
 * are used up) a new session `s1`, `s2` …; `GET` answers the next of `statuses` about the
 * session in its URL, the last one repeating. Every call is recorded.
 */
export class FakeBackend {
  readonly calls: Call[] = [];
  readonly fetch: sinon.SinonStub;
  creates: Reply[] = [];
  statuses: StatusStep[];
  private sessions = 0;
  private reads = 0;
  /** Fails the requests left hanging. */
  private readonly hanging: (() => void)[] = [];

  constructor(statuses: StatusStep[] = ['pending']) {
    this.statuses = statuses;
    this.fetch = sinon.stub(window, 'fetch').callsFake((input, init) => this.answer(input, init));
  }

  /** Fails every request left hanging as a dropped connection does (as when the page is left). */
  dropConnections(): void {
    this.hanging.splice(0).forEach((drop) => drop());
  }

  get posts(): Call[] {
    return this.calls.filter((call) => call.method === 'POST');
  }

  get gets(): Call[] {
    return this.calls.filter((call) => call.method === 'GET');
  }

  private answer(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    const url = String(input);
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const { signal, credentials } = init;
    this.calls.push({ method, url, headers: new Headers(init.headers), body, credentials, signal });
    if (method === 'POST') {
      this.sessions += 1;
      return this.reply(this.creates.shift() ?? { status: 201, json: sessionBody(`s${this.sessions}`) }, signal);
    }
    const step = this.statuses[Math.min(this.reads, this.statuses.length - 1)];
    this.reads += 1;
    if (typeof step !== 'string' || step === 'hang' || step === 'network-error') return this.reply(step, signal);
    const [status, verification = null] = step.split(':');
    const id = decodeURIComponent(url.split('/').pop() ?? '');
    return this.reply({ json: statusBody(id, status, verification) }, signal);
  }

  private reply(step: Reply, signal?: AbortSignal | null): Promise<Response> {
    const dropped = () => new TypeError('Failed to fetch');
    if (step === 'network-error') return Promise.reject(dropped());
    if (step === 'hang') {
      return new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason));
        this.hanging.push(() => reject(dropped()));
      });
    }
    const { status = 200, json, text, headers = {} } = step;
    const body = json === undefined ? (text ?? '') : JSON.stringify(json);
    return Promise.resolve(new Response(body, { status, headers: { 'Content-Type': 'application/json', ...headers } }));
  }
}

/** What the element sees of a popup or tab it opened. */
export interface FakeWindow {
  closed: boolean;
  /** The blank document a window opened on `about:blank` starts with. */
  document: Document;
  location: { href: string };
  opener: unknown;
  focus: sinon.SinonSpy;
  close: sinon.SinonSpy;
}

export function fakeWindow(): FakeWindow {
  const win = {
    closed: false,
    document: document.implementation.createHTMLDocument(''),
    location: { href: '' },
    opener: {} as unknown,
    focus() {},
    close() {
      win.closed = true;
    },
  };
  return Object.assign(win, { focus: sinon.spy(win, 'focus'), close: sinon.spy(win, 'close') });
}

/** Stubs `window.open` to answer these windows in turn (`null`: blocked), then `null`. */
export function stubOpen(...windows: (FakeWindow | null)[]): sinon.SinonStub {
  const open = sinon.stub(window, 'open');
  windows.forEach((win, i) => open.onCall(i).returns(win as unknown as Window | null));
  open.returns(null);
  return open;
}

type EventName = (typeof EVENT_NAMES)[number];

/** Records every `kosmos-idv-*` event that reaches `document`. */
export class EventLog {
  readonly events: Event[] = [];
  private readonly record = (event: Event) => this.events.push(event);

  constructor() {
    for (const name of EVENT_NAMES) document.addEventListener(name, this.record);
  }

  of<K extends EventName>(name: K): GlobalEventHandlersEventMap[K][] {
    return this.events.filter((event) => event.type === name) as GlobalEventHandlersEventMap[K][];
  }

  get names(): string[] {
    return this.events.map((event) => event.type);
  }

  stop(): void {
    for (const name of EVENT_NAMES) document.removeEventListener(name, this.record);
  }
}

const logs: EventLog[] = [];

/** An event log that `cleanUp()` stops. */
export function logEvents(): EventLog {
  const log = new EventLog();
  logs.push(log);
  return log;
}

/** Removes the fixtures (while stubs and clock are still in place), then restores every stub and
 * fake clock, stops event logs and forgets saved sessions. */
export function cleanUp(): void {
  fixtureCleanup();
  sinon.restore();
  logs.splice(0).forEach((log) => log.stop());
  sessionStorage.clear();
}

/** The first element in the shadow root matching `selector`, or `null`. */
export const inShadow = <T extends Element = HTMLElement>(el: KosmosIdvLauncher, selector: string) =>
  el.shadowRoot!.querySelector<T>(selector);

/**
 * Whether the shadow root has an element matching `selector`. Assert on this boolean rather than
 * on elements: a failed assertion that carries an element stalls the test runner.
 */
export const shows = (el: KosmosIdvLauncher, selector: string) => inShadow(el, selector) !== null;

/** The element part named `name`, or `null`. */
export const part = <T extends Element = HTMLElement>(el: KosmosIdvLauncher, name: string) =>
  inShadow<T>(el, `[part~="${name}"]`);

/** The main action (`part="button"`); fails if there is none. */
export function mainButton(el: KosmosIdvLauncher): HTMLElement {
  const button = part(el, 'button');
  if (!button) throw new Error('The element shows no main button.');
  return button;
}

/** Whether keyboard focus is on `target` inside the element (a boolean to assert on, see `shows`). */
export const focusIsOn = (el: KosmosIdvLauncher, target: Element) =>
  document.activeElement === el && el.shadowRoot!.activeElement === target;

/** The badge's status text and `data-status`, or `null` when no badge is shown. */
export function badge(el: KosmosIdvLauncher): { text: string; status: string | undefined } | null {
  const box = part(el, 'badge');
  if (!box) return null;
  return { text: part(el, 'status')?.textContent?.trim() ?? '', status: box.dataset.status };
}

/**
 * Records the listeners added to `window` and `document` from now on: `added()` lists their event
 * types, `left()` those still listening, neither removed nor added with a signal since aborted.
 */
export function watchPageListeners(): { added: () => string[]; left: () => string[] } {
  const targets = [window, document];
  const adds = targets.map((target) => sinon.spy(target, 'addEventListener'));
  const removes = targets.map((target) => sinon.spy(target, 'removeEventListener'));
  const calls = (spies: sinon.SinonSpy[]) => spies.flatMap((spy, i) => spy.getCalls().map((call) => ({ i, args: call.args })));
  const removed = ({ i, args: [type, listener, options] }: { i: number; args: unknown[] }) =>
    (options as AddEventListenerOptions | undefined)?.signal?.aborted === true ||
    calls(removes).some((call) => call.i === i && call.args[0] === type && call.args[1] === listener);
  return {
    added: () => calls(adds).map(({ args }) => String(args[0])),
    left: () => calls(adds).filter((call) => !removed(call)).map(({ args }) => String(args[0])),
  };
}
