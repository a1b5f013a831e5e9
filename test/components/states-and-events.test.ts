import { expect, fixture, html } from '@open-wc/testing';
import {
  KosmosIdvCloseEvent,
  KosmosIdvCompleteEvent,
  KosmosIdvDeclinedEvent,
  KosmosIdvErrorEvent,
  KosmosIdvExpiredEvent,
  KosmosIdvOpenEvent,
  KosmosIdvSessionEvent,
  KosmosIdvStatusEvent,
  type KosmosIdvLauncher,
} from '../../src/index.js';
import {
  badge,
  cleanUp,
  FakeBackend,
  fakeWindow,
  flowUrl,
  inShadow,
  launcher,
  logEvents,
  mainButton,
  part,
  settle,
  shows,
  start,
  stubOpen,
  until,
  useFakeClock,
  type StatusStep,
} from './helpers.js';


/** Clicks the main button and waits until the backend's answer has been taken in. */

describe('<kosmos-idv-launcher> states', () => {
  afterEach(cleanUp);

  it('is idle with a start button, no badge and no error, and axe-clean', async () => {
    const el = await launcher();
    expect(el.state).to.equal('idle');
    expect(el.status).to.equal(null);
    expect(el.sessionId).to.equal(null);
    expect(mainButton(el).textContent?.trim()).to.equal('Verify your identity');
    expect(badge(el)).to.equal(null);
    expect(shows(el, '[part~="error"]')).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('is creating while the backend has not answered: the button says so and is busy, axe-clean', async () => {
    const backend = new FakeBackend();
    backend.creates = ['hang'];
    stubOpen(fakeWindow());
    const el = await launcher();
    mainButton(el).click();
    await el.updateComplete;
    expect(el.state).to.equal('creating');
    expect(mainButton(el).textContent?.trim()).to.equal('Starting…');
    expect(mainButton(el).getAttribute('aria-busy')).to.equal('true');
    await expect(el).to.be.accessible();
  });

  it('is open with a "Not started yet" badge once the popup shows the flow, axe-clean', async () => {
    new FakeBackend(['pending']);
    stubOpen(fakeWindow());
    const el = await launcher();
    await start(el);
    expect(el.state).to.equal('open');
    expect(el.sessionId).to.equal('s1');
    expect(badge(el)).to.deep.equal({ text: 'Not started yet', status: 'pending' });
    expect(part(el, 'badge')!.getAttribute('role')).to.equal('status');
    await expect(el).to.be.accessible();
  });

  it('is polling with an "In progress" badge while no window shows the flow, axe-clean', async () => {
    new FakeBackend(['in_progress']);
    stubOpen(null);
    const el = await launcher();
    await start(el);
    await until(() => el.status === 'in_progress', 'the first status read');
    await el.updateComplete;
    expect(el.state).to.equal('polling');
    expect(badge(el)).to.deep.equal({ text: 'In progress', status: 'in_progress' });
    await expect(el).to.be.accessible();
  });

  const terminal: [StatusStep, string, string, string | null][] = [
    ['completed:passed', 'completed', 'Verified', 'passed'],
    ['completed:failed', 'completed', 'Verification failed', 'failed'],
    ['completed:not_performed', 'completed', 'Completed, not verified', 'not_performed'],
    ['expired', 'expired', 'Expired', null],
    ['declined', 'declined', 'Declined', null],
  ];
  for (const [step, state, text, verification] of terminal) {
    it(`is ${state} with a "${text}" badge when the backend says ${step}, axe-clean`, async () => {
      new FakeBackend([step]);
      const win = fakeWindow();
      stubOpen(win);
      const el = await launcher();
      await start(el);
      await until(() => el.state === state, `state ${state}`);
      await el.updateComplete;
      expect(badge(el)).to.deep.equal({ text, status: verification ?? state });
      expect(el.status).to.equal(state);
      expect(el.verification).to.equal(verification);
      // Closed a moment later, not while the hosted flow may still be loading its last page.
      expect(win.closed, 'the popup is still open at once').to.equal(false);
      await until(() => win.closed, 'the popup closed after a final status');
      await expect(el).to.be.accessible();
    });
  }

  for (const verification of ['failed', 'not_performed'] as const) {
    it(`offers "Try again", a new session, after a completed session that is ${verification}`, async () => {
      const backend = new FakeBackend([`completed:${verification}`]);
      stubOpen(fakeWindow(), fakeWindow());
      const el = await launcher();
      await start(el);
      await until(() => el.state === 'completed');
      await el.updateComplete;
      expect(mainButton(el).textContent?.trim()).to.equal('Try again');
      await expect(el).to.be.accessible();
      backend.statuses = ['pending'];
      await start(el);
      expect(el.state).to.equal('open');
      expect(el.sessionId).to.equal('s2');
      expect(backend.posts).to.have.length(2);
    });
  }

  it('offers nothing after a completed session that passed, nor with no-retry after one that failed', async () => {
    new FakeBackend(['completed:passed']);
    stubOpen(fakeWindow());
    const passed = await launcher();
    await start(passed);
    await until(() => passed.state === 'completed');
    await passed.updateComplete;
    expect(shows(passed, '[part~="button"]')).to.equal(false);
    cleanUp();

    new FakeBackend(['completed:failed']);
    stubOpen(fakeWindow());
    const el = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher endpoint="/api/idv" document-type="passport" no-resume no-retry></kosmos-idv-launcher>`,
    );
    await start(el);
    await until(() => el.state === 'completed');
    await el.updateComplete;
    expect(shows(el, '[part~="button"]'), 'the page decides retries itself').to.equal(false);
  });

  it('offers a new verification after expired or declined (shown disabled while `disabled`)', async () => {
    const backend = new FakeBackend(['declined']);
    stubOpen(fakeWindow(), fakeWindow());
    const el = await launcher();
    await start(el);
    await until(() => el.state === 'declined');
    await el.updateComplete;
    expect(mainButton(el).textContent?.trim()).to.equal('Start a new verification');
    el.disabled = true;
    await el.updateComplete;
    expect(mainButton(el).getAttribute('aria-disabled'), 'shown as disabled').to.equal('true');
    mainButton(el).click();
    expect(el.state, 'and does nothing').to.equal('declined');
    el.disabled = false;
    await el.updateComplete;
    backend.statuses = ['pending'];
    await start(el);
    expect(el.state).to.equal('open');
    expect(el.sessionId).to.equal('s2');
  });

  it('is error with a text for the user and a "Try again" button when the backend fails, axe-clean', async () => {
    const backend = new FakeBackend();
    backend.creates = [{ status: 500, json: { error: { code: 'boom', message: 'The backend broke.', retryable: true } } }];
    stubOpen(fakeWindow());
    const el = await launcher();
    await start(el);
    expect(el.state).to.equal('error');
    const box = part(el, 'error')!.textContent!;
    expect(box).to.contain('Something went wrong').and.contain('could not be reached. Try again in a moment.');
    expect(box, "the backend's message is for the developer (in the event)").to.not.contain('The backend broke.');
    expect(part(el, 'error')!.getAttribute('role')).to.equal('alert');
    expect(mainButton(el).textContent?.trim()).to.equal('Try again');
    expect(badge(el)).to.equal(null);
    await expect(el).to.be.accessible();
  });
});

describe('<kosmos-idv-launcher> document picker', () => {
  afterEach(cleanUp);

  it('offers the three documents when document-type is absent and sends the choice', async () => {
    const backend = new FakeBackend();
    stubOpen(fakeWindow());
    const el = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher endpoint="/api/idv" no-resume></kosmos-idv-launcher>`,
    );
    const radios = [...el.shadowRoot!.querySelectorAll<HTMLInputElement>('input[type=radio]')];
    expect(radios.map((radio) => radio.value)).to.deep.equal(['passport', 'driving_license', 'id_card']);
    expect(radios.map((radio) => radio.closest('label')!.textContent!.trim())).to.deep.equal([
      'Passport',
      'Driving licence',
      'ID card',
    ]);
    expect(inShadow(el, 'fieldset legend')!.textContent).to.equal('Choose your document');
    radios[1].click();
    await el.updateComplete;
    await expect(el).to.be.accessible();
    await start(el);
    expect(backend.posts[0].body).to.deep.equal({ documentType: 'driving_license' });
    expect(shows(el, 'input[type=radio]'), 'no picker once a session runs').to.equal(false);
  });

  it('shows no picker when document-type is set', async () => {
    const el = await launcher();
    expect(shows(el, 'input[type=radio]')).to.equal(false);
    expect(shows(el, 'fieldset')).to.equal(false);
  });

  it('accepts 1Kosmos wire values such as ppt_object as document-type', async () => {
    const backend = new FakeBackend();
    stubOpen(fakeWindow());
    const el = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher endpoint="/api/idv" document-type="ppt_object" no-resume></kosmos-idv-launcher>`,
    );
    expect(el.state).to.equal('idle');
    expect(shows(el, 'input[type=radio]')).to.equal(false);
    await start(el);
    expect(backend.posts[0].body).to.deep.equal({ documentType: 'passport' });
  });
});

describe('<kosmos-idv-launcher> events', () => {
  afterEach(cleanUp);

  it('fires session, open, status and complete with the documented fields, bubbling and composed', async () => {
    const clock = useFakeClock();
    new FakeBackend(['pending', 'in_progress', 'completed:passed']);
    stubOpen(fakeWindow());
    const log = logEvents();
    const el = await launcher();
    await start(el);
    await clock.tickAsync(2000);
    await until(() => el.status === 'in_progress');
    await clock.tickAsync(2000);
    await until(() => el.state === 'completed');

    expect(log.names).to.deep.equal([
      'kosmos-idv-session',
      'kosmos-idv-status',
      'kosmos-idv-open',
      'kosmos-idv-status',
      'kosmos-idv-status',
      'kosmos-idv-complete',
    ]);
    for (const event of log.events) {
      expect(event.bubbles, `${event.type} bubbles`).to.equal(true);
      expect(event.composed, `${event.type} is composed`).to.equal(true);
    }
    const [session] = log.of('kosmos-idv-session');
    expect(session).to.be.instanceOf(KosmosIdvSessionEvent);
    expect(session).to.include({ sessionId: 's1', url: flowUrl('s1'), resumed: false });
    expect(session.expiresAt).to.equal(new Date(Date.now() - 4000 + 600_000).toISOString());
    const [open] = log.of('kosmos-idv-open');
    expect(open).to.be.instanceOf(KosmosIdvOpenEvent);
    expect(open).to.include({ sessionId: 's1', mode: 'popup' });
    const statuses = log.of('kosmos-idv-status');
    expect(statuses.every((event) => event instanceof KosmosIdvStatusEvent)).to.equal(true);
    expect(statuses.map(({ sessionId, status, verification, previous }) => ({ sessionId, status, verification, previous }))).to.deep.equal([
      { sessionId: 's1', status: 'pending', verification: null, previous: null },
      { sessionId: 's1', status: 'in_progress', verification: null, previous: 'pending' },
      { sessionId: 's1', status: 'completed', verification: 'passed', previous: 'in_progress' },
    ]);
    const [complete] = log.of('kosmos-idv-complete');
    expect(complete).to.be.instanceOf(KosmosIdvCompleteEvent);
    expect(complete).to.include({ sessionId: 's1', verification: 'passed' });
  });

  it('fires kosmos-idv-expired with the session id', async () => {
    new FakeBackend(['expired']);
    stubOpen(fakeWindow());
    const log = logEvents();
    const el = await launcher();
    await start(el);
    await until(() => el.state === 'expired');
    const [expired] = log.of('kosmos-idv-expired');
    expect(expired).to.be.instanceOf(KosmosIdvExpiredEvent);
    expect(expired).to.include({ sessionId: 's1', bubbles: true, composed: true });
    expect(log.of('kosmos-idv-complete')).to.have.length(0);
  });

  it('fires kosmos-idv-declined with the session id', async () => {
    new FakeBackend(['declined']);
    stubOpen(fakeWindow());
    const log = logEvents();
    const el = await launcher();
    await start(el);
    await until(() => el.state === 'declined');
    const [declined] = log.of('kosmos-idv-declined');
    expect(declined).to.be.instanceOf(KosmosIdvDeclinedEvent);
    expect(declined).to.include({ sessionId: 's1', bubbles: true, composed: true });
  });

  it('fires kosmos-idv-close with the session id and current status when the popup is closed', async () => {
    const clock = useFakeClock();
    new FakeBackend(['in_progress']);
    const win = fakeWindow();
    stubOpen(win);
    const log = logEvents();
    const el = await launcher();
    await start(el);
    await until(() => el.status === 'in_progress');
    win.close();
    await clock.tickAsync(500);
    const [close] = log.of('kosmos-idv-close');
    expect(close).to.be.instanceOf(KosmosIdvCloseEvent);
    expect(close).to.include({ sessionId: 's1', status: 'in_progress', bubbles: true, composed: true });
  });

  it('fires kosmos-idv-error with code, message, retryable and no session id when creating fails', async () => {
    const backend = new FakeBackend();
    backend.creates = [{ status: 401, json: { error: { code: 'unauthorized', message: 'Sign in first.', retryable: false } } }];
    stubOpen(fakeWindow());
    const log = logEvents();
    const el = await launcher();
    await start(el);
    const [error] = log.of('kosmos-idv-error');
    expect(error).to.be.instanceOf(KosmosIdvErrorEvent);
    expect(error).to.include({ code: 'unauthorized', message: 'Sign in first.', retryable: false });
    expect(error.sessionId).to.equal(undefined);
    expect(error.bubbles && error.composed).to.equal(true);
  });

  it('fires kosmos-idv-error with the session id when a status read fails', async () => {
    new FakeBackend([{ status: 403, json: { error: { code: 'forbidden', message: 'Not yours.', retryable: false } } }]);
    stubOpen(fakeWindow());
    const log = logEvents();
    const el = await launcher();
    await start(el);
    await until(() => el.state === 'error');
    const [error] = log.of('kosmos-idv-error');
    expect(error).to.include({ code: 'forbidden', message: 'Not yours.', retryable: false, sessionId: 's1' });
  });

  it('fires a terminal event once even if the backend keeps answering completed and refresh() is called', async () => {
    const clock = useFakeClock();
    const backend = new FakeBackend(['in_progress', 'completed:failed']);
    stubOpen(fakeWindow());
    const log = logEvents();
    const el = await launcher();
    await start(el);
    await clock.tickAsync(2000);
    await until(() => el.state === 'completed');
    const reads = backend.gets.length;
    el.refresh();
    el.refresh();
    window.dispatchEvent(new Event('focus'));
    window.dispatchEvent(new Event('online'));
    await clock.tickAsync(60_000);
    await settle(el);
    el.refresh();
    await settle(el);
    expect(log.of('kosmos-idv-complete')).to.have.length(1);
    expect(log.of('kosmos-idv-complete')[0].verification).to.equal('failed');
    expect(log.of('kosmos-idv-status').filter((event) => event.status === 'completed')).to.have.length(1);
    expect(backend.gets.length, 'no reads after the final status').to.equal(reads);
  });
});

describe('<kosmos-idv-launcher> trust', () => {
  afterEach(cleanUp);

  it('takes no status from the hosted page: a message saying completed changes nothing', async () => {
    const backend = new FakeBackend(['pending']);
    stubOpen(fakeWindow());
    const log = logEvents();
    const el = await launcher();
    await start(el);
    window.postMessage({ type: 'kosmos-idv-status', sessionId: 's1', status: 'completed', verification: 'passed' }, '*');
    window.postMessage('completed', '*');
    await settle(el);
    expect(el.state).to.equal('open');
    expect(el.status).to.equal('pending');
    expect(log.of('kosmos-idv-complete')).to.have.length(0);
    expect(backend.gets).to.have.length(1);
  });
});

describe('<kosmos-idv-launcher> requests', () => {
  afterEach(cleanUp);

  it('sends the user fields, the requestInit headers and credentials, and the bearer token', async () => {
    const backend = new FakeBackend(['pending']);
    stubOpen(fakeWindow());
    const el = await fixture<KosmosIdvLauncher>(html`<kosmos-idv-launcher
      endpoint="/api/idv"
      document-type="id_card"
      username="ada"
      firstname="Ada"
      lastname="Lovelace"
      uid="user-42"
      no-resume
      .requestInit=${{ headers: { 'X-CSRF-Token': 'csrf-1' }, credentials: 'include' }}
    ></kosmos-idv-launcher>`);
    await start(el);
    await until(() => backend.gets.length === 1);
    const [post, get] = backend.calls;
    expect(post.method).to.equal('POST');
    expect(new URL(post.url).pathname).to.equal('/api/idv');
    expect(post.body).to.deep.equal({
      documentType: 'id_card',
      username: 'ada',
      firstname: 'Ada',
      lastname: 'Lovelace',
      uid: 'user-42',
    });
    expect(post.headers.get('Content-Type')).to.equal('application/json');
    expect(post.headers.get('X-CSRF-Token')).to.equal('csrf-1');
    expect(post.credentials).to.equal('include');
    expect(new URL(get.url).pathname).to.equal('/api/idv/s1');
    expect(get.headers.get('Authorization')).to.equal('Bearer token-s1');
    expect(get.headers.get('X-CSRF-Token')).to.equal('csrf-1');
    expect(get.credentials).to.equal('include');
  });

  it('leaves out the user fields that are not set', async () => {
    const backend = new FakeBackend();
    stubOpen(fakeWindow());
    const el = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher endpoint="/api/idv" document-type="dl_object" uid="u1" no-resume></kosmos-idv-launcher>`,
    );
    await start(el);
    expect(backend.posts[0].body).to.deep.equal({ documentType: 'driving_license', uid: 'u1' });
  });
});
