import { expect, fixture, html } from '@open-wc/testing';
import sinon from 'sinon';
import type { IdvErrorCode, KosmosIdvLauncher } from '../../src/index.js';
import {
  cleanUp,
  FakeBackend,
  fakeWindow,
  flowUrl,
  launcher,
  logEvents,
  mainButton,
  part,
  sessionBody,
  settle,
  shows,
  stubOpen,
  until,
  useFakeClock,
  type Reply,
  type StatusStep,
} from './helpers.js';


const without = (field: string) => {
  const body = sessionBody('s1');
  delete body[field];
  return { status: 201, json: body };
};
const withUrl = (url: string) => ({ status: 201, json: sessionBody('s1', { url }) });
const failing = (status: number) => ({
  status,
  json: { error: { code: 'x', message: `The backend says ${status}.`, retryable: status >= 500 } },
});

/** Backend answers to `POST` that must end in an error, and the error's code. */
const badCreations: [string, Reply, IdvErrorCode][] = [
  ['non-JSON', { status: 201, text: '<html>oops</html>' }, 'bad_response'],
  ['an empty body', { status: 201, text: '' }, 'bad_response'],
  ['a JSON array', { status: 201, json: [] }, 'bad_response'],
  ['no url', without('url'), 'bad_response'],
  ['no sessionId', without('sessionId'), 'bad_response'],
  ['no token', without('token'), 'bad_response'],
  ['a javascript: url', withUrl('javascript:alert(1)'), 'unsafe_url'],
  ['a data: url', withUrl('data:text/html,<script>alert(1)</script>'), 'unsafe_url'],
  ['an http: url off localhost', withUrl('http://idv.example.com/flow/s1'), 'unsafe_url'],
  ['a status word it does not know', { status: 201, json: sessionBody('s1', { status: 'paused' }) }, 'unknown_status'],
  ['400', failing(400), 'bad_request'],
  ['401', failing(401), 'unauthorized'],
  ['403', failing(403), 'forbidden'],
  ['404', failing(404), 'not_found'],
  ['429', failing(429), 'rate_limited'],
  ['500', failing(500), 'server_error'],
  ['503 without a JSON body', { status: 503, text: 'Service Unavailable' }, 'server_error'],
  ['a network error', 'network-error', 'network_error'],
];

describe('<kosmos-idv-launcher> bad answers to creating a session', () => {
  afterEach(cleanUp);

  for (const [what, answer, code] of badCreations) {
    it(`shows ${code} for ${what}, closes the blank popup, and "Try again" works`, async () => {
      const backend = new FakeBackend(['pending']);
      backend.creates = [answer];
      const blank = fakeWindow();
      const next = fakeWindow();
      const open = stubOpen(blank, next);
      const log = logEvents();
      const el = await launcher();
      mainButton(el).click();
      await until(() => el.state === 'error', 'the error state');
      await el.updateComplete;

      const [error] = log.of('kosmos-idv-error');
      expect(error.code).to.equal(code);
      expect(error.message).to.be.a('string').and.not.equal('');
      expect(error.sessionId).to.equal(undefined);
      const text = error.retryable ? 'could not be reached. Try again in a moment.' : 'could not continue.';
      expect(part(el, 'error')!.textContent, 'a text for the user, not the message').to.contain(text);
      expect(blank.close.callCount, 'the blank popup is closed').to.equal(1);
      expect(blank.location.href, 'and never shown the URL').to.equal('');
      expect(log.of('kosmos-idv-open')).to.have.length(0);
      expect(log.of('kosmos-idv-session')).to.have.length(0);

      mainButton(el).click();
      expect(open.callCount, 'a new blank popup in the retry click').to.equal(2);
      await until(() => el.state === 'open', 'the second attempt');
      await el.updateComplete;
      expect(shows(el, '[part~="error"]')).to.equal(false);
      expect(next.location.href).to.equal(flowUrl('s2'));
      expect(backend.posts).to.have.length(2);
    });
  }

  it('shows timeout when the backend does not answer within 15 s', async () => {
    const clock = useFakeClock();
    // AbortSignal.timeout runs on the browser's own clock: make it follow the fake one.
    const timeout = sinon.stub(AbortSignal, 'timeout').callsFake((ms: number) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), ms);
      return controller.signal;
    });
    const backend = new FakeBackend();
    backend.creates = ['hang'];
    const blank = fakeWindow();
    stubOpen(blank);
    const log = logEvents();
    const el = await launcher();
    mainButton(el).click();
    await clock.tickAsync(14_999);
    await settle(el);
    expect(el.state).to.equal('creating');
    expect(timeout.firstCall.args).to.deep.equal([15_000]);
    await clock.tickAsync(1);
    await until(() => el.state === 'error', 'the error state');
    expect(log.of('kosmos-idv-error')[0]).to.include({ code: 'timeout', retryable: true });
    expect(backend.posts[0].signal!.aborted, 'the request is aborted').to.equal(true);
    expect(blank.close.callCount).to.equal(1);
  });
});

describe('<kosmos-idv-launcher> bad answers to status reads', () => {
  afterEach(cleanUp);

  const badReads: [string, StatusStep, IdvErrorCode][] = [
    ['a status word it does not know', { json: { sessionId: 's1', status: 'paused', verification: null, updatedAt: '2030-01-01T00:00:00Z' } }, 'unknown_status'],
    ['a verification word it does not know', { json: { sessionId: 's1', status: 'completed', verification: 'maybe', updatedAt: '2030-01-01T00:00:00Z' } }, 'unknown_status'],
    ['completed without a verification', { json: { sessionId: 's1', status: 'completed', verification: null, updatedAt: '2030-01-01T00:00:00Z' } }, 'bad_response'],
    ['another session', { json: { sessionId: 's2', status: 'completed', verification: 'passed', updatedAt: '2030-01-01T00:00:00Z' } }, 'bad_response'],
    ['non-JSON', { text: 'OK' }, 'bad_response'],
    ['401 (the page’s sign-in may have lapsed)', failing(401), 'unauthorized'],
  ];

  for (const [what, answer, code] of badReads) {
    it(`shows ${code} for ${what}, and "Try again" polls the same session`, async () => {
      const backend = new FakeBackend([answer, 'in_progress']);
      const win = fakeWindow();
      stubOpen(win);
      const log = logEvents();
      const el = await launcher();
      mainButton(el).click();
      await until(() => el.state === 'error', 'the error state');
      await el.updateComplete;
      expect(el.status, 'nothing the backend did not confirm').to.equal('pending');
      expect(log.of('kosmos-idv-complete')).to.have.length(0);
      expect(log.of('kosmos-idv-error')[0]).to.include({ code, retryable: false, sessionId: 's1' });
      expect(part(el, 'error')!.textContent).to.contain('The verification could not continue.');

      mainButton(el).click();
      await until(() => el.status === 'in_progress', 'the retried read');
      await el.updateComplete;
      expect(el.state).to.not.equal('error');
      expect(shows(el, '[part~="error"]')).to.equal(false);
      expect(backend.posts, 'the same session, not a new one').to.have.length(1);
      expect(backend.gets).to.have.length(2);
      expect(new URL(backend.gets[1].url).pathname).to.equal('/api/idv/s1');
    });
  }

  const lostReads: [string, StatusStep, IdvErrorCode][] = [
    ['403 (someone else’s session)', failing(403), 'forbidden'],
    ['404 (a session the backend does not know)', failing(404), 'not_found'],
  ];

  for (const [what, answer, code] of lostReads) {
    it(`shows ${code} for ${what}, forgets the session, and "Start a new verification" creates one`, async () => {
      const backend = new FakeBackend([answer, 'in_progress']);
      const first = fakeWindow();
      stubOpen(first, fakeWindow());
      const log = logEvents();
      const el = await fixture<KosmosIdvLauncher>(
        html`<kosmos-idv-launcher id="kyc" endpoint="/api/idv" document-type="passport"></kosmos-idv-launcher>`,
      );
      mainButton(el).click();
      await until(() => el.state === 'error', 'the error state');
      await el.updateComplete;
      expect(log.of('kosmos-idv-error')[0]).to.include({ code, retryable: false, sessionId: 's1' });
      expect(Object.keys(sessionStorage), 'nothing left to resume after a reload').to.have.length(0);
      expect(mainButton(el).textContent!.trim()).to.equal('Start a new verification');
      el.disabled = true;
      mainButton(el).click();
      expect([el.state, el.sessionId], 'disabled: nothing happens').to.deep.equal(['error', 's1']);
      el.disabled = false;

      mainButton(el).click();
      await until(() => el.status === 'in_progress', 'the new session read');
      expect(first.closed, 'the old session’s popup').to.equal(true);
      expect(el.sessionId).to.equal('s2');
      expect(backend.posts).to.have.length(2);
      expect(new URL(backend.gets[1].url).pathname).to.equal('/api/idv/s2');
    });
  }

  it('keeps polling through a network error and a 500, reporting them as retryable', async () => {
    const clock = useFakeClock();
    sinon.stub(Math, 'random').returns(0);
    const backend = new FakeBackend(['network-error', failing(500), 'completed:passed']);
    stubOpen(fakeWindow());
    const log = logEvents();
    const el = await launcher();
    mainButton(el).click();
    await until(() => log.of('kosmos-idv-error').length === 1, 'the first error');
    await clock.tickAsync(500);
    await until(() => log.of('kosmos-idv-error').length === 2, 'the second error');
    await clock.tickAsync(500);
    await until(() => el.state === 'completed', 'completion');
    expect(log.of('kosmos-idv-error').map(({ code, retryable }) => ({ code, retryable }))).to.deep.equal([
      { code: 'network_error', retryable: true },
      { code: 'server_error', retryable: true },
    ]);
    expect(backend.gets).to.have.length(3);
  });
});

describe('<kosmos-idv-launcher> bad configuration', () => {
  afterEach(cleanUp);

  const configs: [string, () => Promise<KosmosIdvLauncher>, (el: KosmosIdvLauncher) => void, RegExp][] = [
    [
      'an unknown mode',
      () => fixture(html`<kosmos-idv-launcher endpoint="/api/idv" document-type="passport" mode="popover" no-resume></kosmos-idv-launcher>`),
      (el) => (el.mode = 'tab'),
      /mode "popover"/,
    ],
    [
      'an unknown document-type',
      () => fixture(html`<kosmos-idv-launcher endpoint="/api/idv" document-type="library_card" no-resume></kosmos-idv-launcher>`),
      (el) => el.setAttribute('document-type', 'id_card'),
      /document-type "library_card"/,
    ],
    [
      'no endpoint',
      () => fixture(html`<kosmos-idv-launcher document-type="passport" no-resume></kosmos-idv-launcher>`),
      (el) => el.setAttribute('endpoint', '/api/idv'),
      /endpoint/,
    ],
    [
      'a poll-interval that is no number',
      () => fixture(html`<kosmos-idv-launcher endpoint="/api/idv" document-type="passport" poll-interval="fast" no-resume></kosmos-idv-launcher>`),
      (el) => el.setAttribute('poll-interval', '1000'),
      /poll-interval/,
    ],
    [
      'a poll-interval below 250 ms',
      () => fixture(html`<kosmos-idv-launcher endpoint="/api/idv" document-type="passport" poll-interval="10" no-resume></kosmos-idv-launcher>`),
      (el) => el.removeAttribute('poll-interval'),
      /poll-interval/,
    ],
  ];

  for (const [what, create, fix, message] of configs) {
    it(`reports ${what} as invalid_config, starts nothing, and clears it once fixed`, async () => {
      const backend = new FakeBackend();
      const open = stubOpen(fakeWindow());
      const log = logEvents();
      const el = await create();
      expect(el.state).to.equal('error');
      expect(part(el, 'error')!.textContent).to.match(message);
      const errors = log.of('kosmos-idv-error');
      expect(errors).to.have.length(1);
      expect(errors[0]).to.include({ code: 'invalid_config', retryable: false });
      expect(errors[0].message).to.match(message);
      el.start();
      expect(open.callCount).to.equal(0);
      expect(backend.calls).to.have.length(0);
      await expect(el).to.be.accessible();

      fix(el);
      await el.updateComplete;
      expect(el.state).to.equal('idle');
      expect(shows(el, '[part~="error"]')).to.equal(false);
      mainButton(el).click();
      await until(() => el.state === 'open');
      expect(backend.posts).to.have.length(1);
      expect(log.of('kosmos-idv-error')).to.have.length(1);
    });
  }

  it('goes back to the default poll-interval when the attribute is removed', async () => {
    const el = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher endpoint="/api/idv" document-type="passport" poll-interval="500" no-resume></kosmos-idv-launcher>`,
    );
    el.removeAttribute('poll-interval');
    await el.updateComplete;
    expect(el.pollInterval).to.equal(2000);
    expect(el.state).to.equal('idle');
  });
});
