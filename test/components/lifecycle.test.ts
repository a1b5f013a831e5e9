import { expect, fixture, html } from '@open-wc/testing';
import type { KosmosIdvLauncher } from '../../src/index.js';
import {
  badge,
  cleanUp,
  FakeBackend,
  fakeWindow,
  launcher,
  logEvents,
  mainButton,
  part,
  sessionBody,
  settle,
  shows,
  start,
  stubOpen,
  until,
  useFakeClock,
  watchPageListeners,
} from './helpers.js';



/** Every page signal the element listens to. */
function pokeThePage(): void {
  window.dispatchEvent(new Event('focus'));
  window.dispatchEvent(new Event('online'));
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('<kosmos-idv-launcher> removal', () => {
  afterEach(cleanUp);

  it('leaves no timer, request or listener behind', async () => {
    const clock = useFakeClock();
    const backend = new FakeBackend(['pending']);
    stubOpen(fakeWindow());
    const el = await launcher();
    await start(el);
    await until(() => backend.gets.length === 1);
    await settle(el);
    expect(clock.countTimers(), 'polling and the popup check run').to.be.greaterThan(0);
    el.remove();
    await settle();
    expect(clock.countTimers()).to.equal(0);
    await clock.tickAsync(600_000);
    pokeThePage();
    el.refresh();
    await settle();
    expect(backend.calls).to.have.length(2);
  });

  it('removed just after a final status: the popup is closed at once, no timer is left', async () => {
    const clock = useFakeClock();
    const backend = new FakeBackend(['completed:passed']);
    const win = fakeWindow();
    stubOpen(win);
    const el = await launcher();
    await start(el);
    await until(() => el.state === 'completed');
    expect(win.closed, 'left open for a moment').to.equal(false);
    el.remove();
    expect(win.closed).to.equal(true);
    expect(clock.countTimers()).to.equal(0);
    expect(backend.gets).to.have.length(1);
  });

  it('removes every page listener it added', async () => {
    const listeners = watchPageListeners();
    new FakeBackend(['pending']);
    stubOpen(fakeWindow());
    const el = await launcher();
    await start(el);
    expect(listeners.added()).to.include.members(['focus', 'online', 'visibilitychange']);
    el.remove();
    expect(listeners.left()).to.deep.equal([]);
  });

  it('aborts a status read in flight', async () => {
    const backend = new FakeBackend(['hang']);
    stubOpen(fakeWindow());
    const el = await launcher();
    await start(el);
    await until(() => backend.gets.length === 1);
    expect(backend.gets[0].signal!.aborted).to.equal(false);
    el.remove();
    expect(backend.gets[0].signal!.aborted).to.equal(true);
  });

  it('aborts session creation in flight, and is ready to start again when put back', async () => {
    const clock = useFakeClock();
    const backend = new FakeBackend(['pending']);
    backend.creates = ['hang'];
    const blank = fakeWindow();
    stubOpen(blank, fakeWindow());
    const log = logEvents();
    const el = await launcher();
    const parent = el.parentNode!;
    mainButton(el).click();
    await settle(el);
    el.remove();
    expect(backend.posts[0].signal!.aborted).to.equal(true);
    await settle();
    expect(clock.countTimers()).to.equal(0);
    expect(blank.close.callCount, 'the blank popup that will never show the flow is closed').to.equal(1);
    expect(log.of('kosmos-idv-error'), 'an abort is no error').to.have.length(0);

    parent.appendChild(el);
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    await start(el);
    expect(el.state).to.equal('open');
    expect(backend.posts).to.have.length(2);
  });

  it('picks polling up again when put back', async () => {
    const clock = useFakeClock();
    const backend = new FakeBackend(['pending']);
    stubOpen(fakeWindow());
    const el = await launcher();
    const parent = el.parentNode!;
    await start(el);
    await until(() => backend.gets.length === 1);
    el.remove();
    parent.appendChild(el);
    await settle(el);
    expect(backend.gets, 'a read at once').to.have.length(2);
    await clock.tickAsync(2000);
    expect(backend.gets, 'and at the usual pace').to.have.length(3);
  });
});

describe('<kosmos-idv-launcher> disabled, strings and reset()', () => {
  afterEach(cleanUp);

  it('disabled prevents starting until it is removed', async () => {
    const backend = new FakeBackend();
    const open = stubOpen(fakeWindow());
    const el = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher endpoint="/api/idv" document-type="passport" disabled no-resume></kosmos-idv-launcher>`,
    );
    expect(mainButton(el).getAttribute('aria-disabled')).to.equal('true');
    mainButton(el).click();
    el.start();
    await settle(el);
    expect(el.state).to.equal('idle');
    expect(open.callCount).to.equal(0);
    expect(backend.calls).to.have.length(0);
    await expect(el).to.be.accessible();

    el.disabled = false;
    await el.updateComplete;
    expect(mainButton(el).getAttribute('aria-disabled')).to.equal('false');
    await start(el);
    expect(el.state).to.equal('open');
  });

  it('strings overrides the texts it names and keeps the others', async () => {
    new FakeBackend(['pending']);
    stubOpen(fakeWindow());
    const el = await fixture<KosmosIdvLauncher>(html`<kosmos-idv-launcher
      endpoint="/api/idv"
      no-resume
      .strings=${{ start: 'Vérifier mon identité', passport: 'Passeport', statusPending: 'Pas encore commencé' }}
    ></kosmos-idv-launcher>`);
    expect(mainButton(el).textContent!.trim()).to.equal('Vérifier mon identité');
    const labels = [...el.shadowRoot!.querySelectorAll('label')].map((label) => label.textContent!.trim());
    expect(labels).to.deep.equal(['Passeport', 'Driving licence', 'ID card']);
    await start(el);
    expect(badge(el)!.text).to.equal('Pas encore commencé');
    el.strings = { ...el.strings, reopen: 'Continuer' };
    await el.updateComplete;
    expect(mainButton(el).textContent!.trim()).to.equal('Continuer');
  });

  it('strings translates the error box too', async () => {
    const backend = new FakeBackend();
    backend.creates = [
      { status: 503, json: { error: { code: 'busy', message: 'Upstream is busy.', retryable: true } } },
      { status: 403, json: { error: { code: 'forbidden', message: 'Not allowed.', retryable: false } } },
    ];
    stubOpen(fakeWindow(), fakeWindow());
    const el = await fixture<KosmosIdvLauncher>(html`<kosmos-idv-launcher
      endpoint="/api/idv"
      document-type="passport"
      no-resume
      .strings=${{ errorTitle: 'Un problème est survenu', errorRetry: 'Service injoignable.', errorFailed: 'Vérification impossible.' }}
    ></kosmos-idv-launcher>`);
    await start(el);
    expect(el.state).to.equal('error');
    expect(part(el, 'error')!.textContent!.replace(/\s+/g, ' ').trim()).to.equal('Un problème est survenu Service injoignable.');
    await start(el);
    expect(part(el, 'error')!.textContent!.replace(/\s+/g, ' ').trim()).to.equal('Un problème est survenu Vérification impossible.');
  });

  it('reset() forgets the session, closes the popup, stops polling and returns to idle', async () => {
    const clock = useFakeClock();
    const backend = new FakeBackend(['in_progress']);
    const win = fakeWindow();
    stubOpen(win);
    const el = await launcher();
    await start(el);
    await until(() => el.status === 'in_progress');
    el.reset();
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    expect(el.sessionId).to.equal(null);
    expect(el.status).to.equal(null);
    expect(el.verification).to.equal(null);
    expect(badge(el)).to.equal(null);
    expect(shows(el, '[part~="error"]')).to.equal(false);
    expect(mainButton(el).textContent!.trim()).to.equal('Verify your identity');
    expect(win.closed).to.equal(true);
    expect(clock.countTimers()).to.equal(0);
    const calls = backend.calls.length;
    await clock.tickAsync(60_000);
    pokeThePage();
    await settle(el);
    expect(backend.calls).to.have.length(calls);
  });

  it('reset() during creation cancels it quietly', async () => {
    const backend = new FakeBackend();
    backend.creates = ['hang'];
    const blank = fakeWindow();
    stubOpen(blank);
    const log = logEvents();
    const el = await launcher();
    mainButton(el).click();
    el.reset();
    await settle(el);
    expect(el.state).to.equal('idle');
    expect(backend.posts[0].signal!.aborted).to.equal(true);
    expect(blank.closed).to.equal(true);
    expect(log.events).to.have.length(0);
  });

  it('reset() while a hook that ignores its signal is creating: the late session is not taken', async () => {
    const log = logEvents();
    let resolve!: (session: unknown) => void;
    const el = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher document-type="passport" mode="qr" no-resume></kosmos-idv-launcher>`,
    );
    el.fetchStatus = async () => {
      throw new Error('no status read expected');
    };
    el.createSession = () => new Promise((done) => (resolve = done)) as never;
    await el.updateComplete;
    mainButton(el).click();
    expect(el.state).to.equal('creating');
    el.reset();
    resolve(sessionBody('late'));
    await settle(el);
    expect(el.state).to.equal('idle');
    expect(el.sessionId).to.equal(null);
    expect(log.of('kosmos-idv-session')).to.have.length(0);
  });

  it('reset() and a new start while a hook that ignores its signal is creating: the new creation is shown and taken, the late failure is not', async () => {
    const creations: { signal: AbortSignal; resolve: (session: unknown) => void; reject: (error: unknown) => void }[] = [];
    const el = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher document-type="passport" mode="qr" no-resume></kosmos-idv-launcher>`,
    );
    el.fetchStatus = () => new Promise(() => {});
    el.createSession = (_request, signal) =>
      new Promise((resolve, reject) => creations.push({ signal, resolve, reject })) as never;
    await el.updateComplete;
    const log = logEvents();
    mainButton(el).click();
    el.reset();
    mainButton(el).click();
    await el.updateComplete;
    expect(creations).to.have.length(2);
    expect(creations[0].signal.aborted, 'the first is given up').to.equal(true);
    expect(el.state).to.equal('creating');
    expect(mainButton(el).getAttribute('aria-busy')).to.equal('true');
    creations[0].reject(new Error('too late'));
    await settle(el);
    expect(el.state, 'the first one failing later changes nothing').to.equal('creating');
    expect(mainButton(el).textContent?.trim()).to.equal('Starting…');
    expect(shows(el, '[part~="error"]')).to.equal(false);
    expect(log.of('kosmos-idv-error')).to.have.length(0);
    creations[1].resolve(sessionBody('second'));
    await settle(el);
    expect(el.sessionId).to.equal('second');
    expect(el.state).to.equal('open');
    expect(log.of('kosmos-idv-session').map((event) => event.sessionId)).to.deep.equal(['second']);
  });

  it('removed while a hook that ignores its signal is creating: put back it is idle, the late session is not taken', async () => {
    const log = logEvents();
    let resolve!: (session: unknown) => void;
    const el = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher document-type="passport" mode="qr" no-resume></kosmos-idv-launcher>`,
    );
    el.fetchStatus = () => new Promise(() => {});
    el.createSession = () => new Promise((done) => (resolve = done)) as never;
    await el.updateComplete;
    const parent = el.parentNode!;
    mainButton(el).click();
    el.remove();
    parent.appendChild(el);
    resolve(sessionBody('late'));
    await settle(el);
    expect(el.state).to.equal('idle');
    expect(el.sessionId).to.equal(null);
    expect(mainButton(el).textContent?.trim()).to.equal('Verify your identity');
    expect(log.of('kosmos-idv-session')).to.have.length(0);
  });

  it('a kosmos-idv-session listener that starts over: the new creation is pending, and a further start() makes no third session', async () => {
    const creations: { signal: AbortSignal; resolve: (session: unknown) => void }[] = [];
    const el = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher document-type="passport" mode="qr" no-resume></kosmos-idv-launcher>`,
    );
    el.fetchStatus = () => new Promise(() => {});
    el.createSession = (_request, signal) => new Promise((resolve) => creations.push({ signal, resolve })) as never;
    await el.updateComplete;
    el.addEventListener(
      'kosmos-idv-session',
      () => {
        el.reset();
        el.start();
      },
      { once: true },
    );
    mainButton(el).click();
    creations[0].resolve(sessionBody('first'));
    await until(() => creations.length === 2, 'the second creation');
    await settle(el);
    expect(el.state).to.equal('creating');
    expect(mainButton(el).getAttribute('aria-busy')).to.equal('true');
    el.start();
    expect(creations, 'no third session while the second is being created').to.have.length(2);
    expect(creations[1].signal.aborted).to.equal(false);
  });

  it('a failed creation is the error state by the time kosmos-idv-error fires, and a listener may start again', async () => {
    const backend = new FakeBackend(['pending']);
    backend.creates = ['network-error'];
    stubOpen(fakeWindow(), fakeWindow());
    const el = await launcher();
    const seen: string[] = [];
    el.addEventListener('kosmos-idv-error', () => {
      seen.push(el.state);
      el.start();
    });
    mainButton(el).click();
    await until(() => el.sessionId === 's2', 'the second session');
    expect(seen).to.deep.equal(['error']);
    expect(backend.posts).to.have.length(2);
  });
});
