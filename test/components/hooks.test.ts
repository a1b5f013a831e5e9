import { expect, fixture, html } from '@open-wc/testing';
import sinon from 'sinon';
import { IdvError, type KosmosIdvLauncher, type Session, type SessionRequest } from '../../src/index.js';
import {
  cleanUp,
  FakeBackend,
  fakeWindow,
  flowUrl,
  logEvents,
  mainButton,
  sessionBody,
  statusBody,
  stubOpen,
  until,
} from './helpers.js';

type CreateHook = (request: SessionRequest, signal: AbortSignal) => Promise<Session>;

/** A launcher with both hooks and no endpoint; `fetch` is stubbed only to prove it is not used. */
async function withHooks(create: CreateHook, status: unknown = statusBody('s1', 'completed', 'passed'), id = '') {
  const backend = new FakeBackend();
  const createSession = sinon.spy(create);
  const fetchStatus = sinon.stub().resolves(status);
  const el = await fixture<KosmosIdvLauncher>(html`<kosmos-idv-launcher
    id=${id}
    document-type="passport"
    username="ada"
    ?no-resume=${!id}
    .createSession=${createSession}
    .fetchStatus=${fetchStatus}
  ></kosmos-idv-launcher>`);
  return { backend, createSession, fetchStatus, el };
}

const created = async () => sessionBody('s1') as unknown as Session;

describe('<kosmos-idv-launcher> custom backend hooks', () => {
  afterEach(cleanUp);

  it('uses createSession and fetchStatus instead of fetch, with no endpoint', async () => {
    const win = fakeWindow();
    stubOpen(win);
    const log = logEvents();
    const { backend, createSession, fetchStatus, el } = await withHooks(created);
    expect(el.state).to.equal('idle');
    mainButton(el).click();
    await until(() => el.state === 'completed');
    expect(backend.calls).to.have.length(0);
    expect(createSession.firstCall.args[0]).to.deep.equal({ documentType: 'passport', username: 'ada' });
    expect(createSession.firstCall.args[1]).to.be.instanceOf(AbortSignal);
    const [session, signal] = fetchStatus.firstCall.args;
    expect(session).to.include({ sessionId: 's1', token: 'token-s1', url: flowUrl('s1') });
    expect(signal).to.be.instanceOf(AbortSignal);
    expect(win.location.href).to.equal(flowUrl('s1'));
    expect(log.of('kosmos-idv-complete')[0]).to.include({ sessionId: 's1', verification: 'passed' });
  });

  it('refuses an unsafe url from createSession with unsafe_url and opens nothing', async () => {
    const blank = fakeWindow();
    stubOpen(blank);
    const log = logEvents();
    const { fetchStatus, el } = await withHooks(async () => sessionBody('s1', { url: 'javascript:alert(1)' }) as unknown as Session);
    mainButton(el).click();
    await until(() => el.state === 'error');
    expect(log.of('kosmos-idv-error')[0]).to.include({ code: 'unsafe_url', retryable: false });
    expect(blank.close.callCount).to.equal(1);
    expect(blank.location.href).to.equal('');
    expect(fetchStatus.callCount).to.equal(0);
  });

  it('validates what fetchStatus answers like the contract', async () => {
    stubOpen(fakeWindow());
    const log = logEvents();
    const { el } = await withHooks(created, { sessionId: 's1', status: 'completed' });
    mainButton(el).click();
    await until(() => el.state === 'error');
    expect(log.of('kosmos-idv-error')[0]).to.include({ code: 'bad_response', sessionId: 's1' });
    expect(log.of('kosmos-idv-complete')).to.have.length(0);
  });

  it('passes on the code of an IdvError a hook throws', async () => {
    stubOpen(fakeWindow());
    const log = logEvents();
    const { el } = await withHooks(async () => {
      throw new IdvError('forbidden', 'This account may not verify.');
    });
    mainButton(el).click();
    await until(() => el.state === 'error');
    expect(log.of('kosmos-idv-error')[0]).to.include({ code: 'forbidden', message: 'This account may not verify.' });
  });

  it('resumes through fetchStatus without calling createSession again', async () => {
    stubOpen(fakeWindow());
    const first = await withHooks(created, statusBody('s1', 'pending'), 'kyc');
    mainButton(first.el).click();
    await until(() => first.fetchStatus.callCount === 1);
    first.el.remove();
    sinon.restore();
    const again = await withHooks(created, statusBody('s1', 'in_progress'), 'kyc');
    await until(() => again.el.status === 'in_progress');
    expect(again.createSession.callCount).to.equal(0);
    expect(again.el.sessionId).to.equal('s1');
  });

  it('needs an endpoint when only one hook is set', async () => {
    const log = logEvents();
    const el = await fixture<KosmosIdvLauncher>(html`<kosmos-idv-launcher
      document-type="passport"
      no-resume
      .createSession=${created}
    ></kosmos-idv-launcher>`);
    expect(el.state).to.equal('error');
    expect(log.of('kosmos-idv-error')[0].code).to.equal('invalid_config');
  });
});
