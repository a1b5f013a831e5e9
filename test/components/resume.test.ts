import { expect, fixture, html } from '@open-wc/testing';
import type { KosmosIdvLauncher } from '../../src/index.js';
import {
  cleanUp,
  ENDPOINT,
  FakeBackend,
  fakeWindow,
  launcher,
  logEvents,
  mainButton,
  settle,
  start,
  stubOpen,
  until,
} from './helpers.js';

/** The `sessionStorage` entries the element wrote. */
const saved = () => Object.keys(sessionStorage).filter((key) => key.startsWith('kosmos-idv-launcher'));

/** A launcher `kyc` started a session (in progress, read once) that it saved, and was removed. */
async function leaveWithSessionSaved(): Promise<FakeBackend> {
  const backend = new FakeBackend(['in_progress']);
  stubOpen(fakeWindow());
  const first = await launcher({ id: 'kyc', resume: true });
  await start(first);
  await until(() => backend.gets.length === 1);
  first.remove();
  return backend;
}

/** A launcher `kyc` put on the page without waiting for its first update (the caller removes it). */
function addUnrendered(): KosmosIdvLauncher {
  const el = document.createElement('kosmos-idv-launcher');
  el.id = 'kyc';
  el.setAttribute('endpoint', ENDPOINT);
  el.setAttribute('document-type', 'passport');
  document.body.append(el);
  return el;
}

describe('<kosmos-idv-launcher> resume', () => {
  afterEach(cleanUp);

  it('resumes the same session after a reload: resumed event, no new POST, polling the same session', async () => {
    const backend = new FakeBackend(['in_progress']);
    stubOpen(fakeWindow());
    const log = logEvents();
    const first = await launcher({ id: 'kyc', resume: true });
    await start(first);
    await until(() => backend.gets.length === 1);
    first.remove();

    const again = await launcher({ id: 'kyc', resume: true });
    await settle(again);
    expect(backend.posts, 'no new session').to.have.length(1);
    expect(again.sessionId).to.equal('s1');
    expect(again.state).to.equal('polling');
    const sessions = log.of('kosmos-idv-session');
    expect(sessions.map(({ sessionId, resumed }) => ({ sessionId, resumed }))).to.deep.equal([
      { sessionId: 's1', resumed: false },
      { sessionId: 's1', resumed: true },
    ]);
    expect(sessions[1].url).to.equal(sessions[0].url);
    expect(sessions[1].expiresAt).to.equal(sessions[0].expiresAt);
    expect(backend.gets, 'one read of the resumed session').to.have.length(2);
    const read = backend.gets[1];
    expect(read.signal!.aborted, 'the read is not cancelled').to.equal(false);
    expect(new URL(read.url).pathname).to.equal('/api/idv/s1');
    expect(read.headers.get('Authorization')).to.equal('Bearer token-s1');
    expect(mainButton(again).textContent!.trim(), 'the user can reopen the resumed session').to.equal(
      'Continue verification',
    );
  });

  it('resumes within its first update, and takes a new poll-interval within the update it causes (no second update)', async () => {
    await leaveWithSessionSaved();
    const again = addUnrendered();
    try {
      expect(await again.updateComplete, 'no update scheduled by the first one').to.equal(true);
      expect(again.state).to.equal('polling');
      again.pollInterval = 500;
      expect(await again.updateComplete, 'no update scheduled by the poll interval change').to.equal(true);
    } finally {
      again.remove();
    }
  });

  it('start() called before the first render resumes the saved session instead of creating another', async () => {
    const backend = await leaveWithSessionSaved();
    const again = addUnrendered();
    try {
      again.start();
      await settle(again);
      expect(backend.posts, 'no second session').to.have.length(1);
      expect(again.sessionId).to.equal('s1');
    } finally {
      again.remove();
    }
  });

  it('keeps sessions apart by element id', async () => {
    const backend = new FakeBackend(['pending']);
    stubOpen(fakeWindow());
    const first = await launcher({ id: 'a', resume: true });
    await start(first);
    first.remove();
    const other = await launcher({ id: 'b', resume: true });
    expect(other.state).to.equal('idle');
    expect(other.sessionId).to.equal(null);
    other.remove();
    const same = await launcher({ id: 'a', resume: true });
    expect(same.sessionId).to.equal('s1');
    expect(backend.posts).to.have.length(1);
  });

  it('forgets the session at a final status: a new element starts idle', async () => {
    const backend = new FakeBackend(['completed:passed']);
    stubOpen(fakeWindow());
    const first = await launcher({ id: 'kyc', resume: true });
    await start(first);
    await until(() => first.state === 'completed');
    expect(saved()).to.deep.equal([]);
    first.remove();
    const log = logEvents();
    const calls = backend.calls.length;
    const again = await launcher({ id: 'kyc', resume: true });
    await settle(again);
    expect(again.state).to.equal('idle');
    expect(log.events).to.have.length(0);
    expect(backend.calls.length).to.equal(calls);
  });

  it('forgets the session on reset()', async () => {
    new FakeBackend(['pending']);
    stubOpen(fakeWindow());
    const first = await launcher({ id: 'kyc', resume: true });
    await start(first);
    expect(saved()).to.have.length(1);
    first.reset();
    expect(saved()).to.deep.equal([]);
    first.remove();
    const again = await launcher({ id: 'kyc', resume: true });
    expect(again.state).to.equal('idle');
  });

  it('with no-resume neither writes nor reads the saved session', async () => {
    const backend = new FakeBackend(['pending']);
    stubOpen(fakeWindow(), fakeWindow());
    const silent = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher id="kyc" endpoint="/api/idv" document-type="passport" no-resume></kosmos-idv-launcher>`,
    );
    await start(silent);
    expect(silent.sessionId).to.equal('s1');
    expect(saved(), 'nothing written').to.deep.equal([]);
    silent.remove();

    const resumable = await launcher({ id: 'kyc', resume: true });
    await start(resumable);
    expect(saved()).to.have.length(1);
    resumable.remove();
    const log = logEvents();
    const calls = backend.calls.length;
    const ignoring = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher id="kyc" endpoint="/api/idv" document-type="passport" no-resume></kosmos-idv-launcher>`,
    );
    await settle(ignoring);
    expect(ignoring.state, 'nothing read').to.equal('idle');
    expect(log.events).to.have.length(0);
    expect(backend.calls.length).to.equal(calls);
  });

  it('resumes only once its configuration is valid', async () => {
    const backend = new FakeBackend(['pending']);
    stubOpen(fakeWindow());
    const first = await launcher({ id: 'kyc', resume: true });
    await start(first);
    first.remove();
    const reads = backend.gets.length;
    const broken = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher id="kyc" endpoint="/api/idv" document-type="passport" mode="sideways"></kosmos-idv-launcher>`,
    );
    await settle(broken);
    expect(broken.state).to.equal('error');
    expect(broken.sessionId).to.equal(null);
    expect(backend.gets).to.have.length(reads);
    broken.mode = 'popup';
    await until(() => backend.gets.length === reads + 1, 'a read of the resumed session');
    expect(broken.sessionId).to.equal('s1');
    expect(backend.posts).to.have.length(1);
  });

  it('ignores a saved session that is unreadable or was tampered with', async () => {
    const backend = new FakeBackend(['pending']);
    stubOpen(fakeWindow());
    const first = await launcher({ id: 'kyc', resume: true });
    await start(first);
    first.remove();
    const [key] = saved();
    const session = JSON.parse(sessionStorage.getItem(key)!);

    sessionStorage.setItem(key, JSON.stringify({ ...session, url: 'javascript:alert(1)' }));
    const tampered = await launcher({ id: 'kyc', resume: true });
    expect(tampered.state).to.equal('idle');
    expect(saved(), 'the bad entry is dropped').to.deep.equal([]);
    tampered.remove();

    sessionStorage.setItem(key, '{not json');
    const unreadable = await launcher({ id: 'kyc', resume: true });
    expect(unreadable.state).to.equal('idle');
    expect(saved()).to.deep.equal([]);
    expect(backend.posts).to.have.length(1);
  });

  it('in qr mode, a resumed session shows its QR code again', async () => {
    new FakeBackend(['pending']);
    stubOpen();
    const first = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher id="qr" endpoint="/api/idv" document-type="passport" mode="qr"></kosmos-idv-launcher>`,
    );
    await start(first);
    first.remove();
    const again = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher id="qr" endpoint="/api/idv" document-type="passport" mode="qr"></kosmos-idv-launcher>`,
    );
    await until(() => again.shadowRoot!.querySelector('[part~="qr"] svg') !== null, 'the QR code');
    expect(again.state).to.equal('open');
  });
});
