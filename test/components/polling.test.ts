import { expect, fixture, html } from '@open-wc/testing';
import sinon from 'sinon';
import type { KosmosIdvLauncher } from '../../src/index.js';
import {
  badge,
  cleanUp,
  FakeBackend,
  logEvents,
  mainButton,
  sessionBody,
  settle,
  shows,
  stubOpen,
  until,
  useFakeClock,
  type StatusStep,
} from './helpers.js';

/** A launcher whose session was just created, and the first status read made, on a fake clock. */
async function polling(statuses: StatusStep[], interval = 2000, lifetime = 600_000) {
  const clock = useFakeClock();
  const backend = new FakeBackend(statuses);
  const expiresAt = new Date(Date.now() + lifetime).toISOString();
  backend.creates = [{ status: 201, json: sessionBody('s1', { expiresAt }) }];
  // No window to watch, so the fake clock only has the poller's timers to step through.
  stubOpen(null);
  const log = logEvents();
  const el = await fixture<KosmosIdvLauncher>(
    html`<kosmos-idv-launcher endpoint="/api/idv" document-type="passport" poll-interval=${interval} no-resume></kosmos-idv-launcher>`,
  );
  mainButton(el).click();
  await until(() => backend.gets.length === 1, 'the first status read');
  await settle(el);
  /** Advances the fake clock, then lets the answers arrive. */
  const advance = async (ms: number) => {
    await clock.tickAsync(ms);
    await settle(el);
  };
  return { clock, backend, log, el, advance };
}

const reads = (backend: FakeBackend) => backend.gets.length;

describe('<kosmos-idv-launcher> polling', () => {
  afterEach(cleanUp);

  it('reads the status every poll-interval', async () => {
    const { backend, advance } = await polling(['pending'], 1000);
    await advance(999);
    expect(reads(backend)).to.equal(1);
    await advance(1);
    expect(reads(backend)).to.equal(2);
    await advance(1000);
    expect(reads(backend)).to.equal(3);
  });

  it('reads slowly while the page is hidden and at once when it is visible again', async () => {
    const { backend, advance } = await polling(['pending']);
    const visibility = sinon.stub(document, 'visibilityState').get(() => 'hidden');
    document.dispatchEvent(new Event('visibilitychange'));
    await advance(14_000);
    expect(reads(backend), 'no read at the visible pace').to.equal(1);
    await advance(1000);
    expect(reads(backend), 'a read at the hidden pace').to.equal(2);
    visibility.get(() => 'visible');
    document.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect(reads(backend), 'a read when visible again').to.equal(3);
  });

  it('reads at once on window focus and when the network comes back', async () => {
    const { backend, advance } = await polling(['pending']);
    window.dispatchEvent(new Event('focus'));
    await advance(0);
    expect(reads(backend)).to.equal(2);
    window.dispatchEvent(new Event('online'));
    await advance(0);
    expect(reads(backend)).to.equal(3);
  });

  it('has one read in flight at most: a poke replaces a read the backend may be holding, once', async () => {
    const { backend, advance } = await polling(['pending', 'hang']);
    await advance(2000);
    expect(reads(backend)).to.equal(2);
    window.dispatchEvent(new Event('focus'));
    window.dispatchEvent(new Event('online'));
    await advance(10_000);
    expect(reads(backend)).to.equal(3);
    expect(backend.gets.map((get) => get.signal?.aborted)).to.deep.equal([false, true, false]);
  });

  it('backs off exponentially on 503, at most 5 s while visible, and keeps going without showing an error', async () => {
    sinon.stub(Math, 'random').returns(1);
    const { backend, log, el, advance } = await polling([{ status: 503 }, { status: 503 }, 'in_progress']);
    expect(el.state).to.equal('polling');
    expect(shows(el, '[part~="error"]')).to.equal(false);
    expect(log.of('kosmos-idv-error')[0]).to.include({ code: 'server_error', retryable: true, sessionId: 's1' });
    await advance(3999);
    expect(reads(backend), 'no read at the usual interval').to.equal(1);
    await advance(1);
    expect(reads(backend), 'a read after 2 × the interval').to.equal(2);
    await advance(4999);
    expect(reads(backend)).to.equal(2);
    await advance(1);
    expect(reads(backend), 'a read after 5 s, not 4 × the interval').to.equal(3);
    expect(el.status).to.equal('in_progress');
    await advance(2000);
    expect(reads(backend), 'back to the usual pace').to.equal(4);
  });

  it('says it is reconnecting after 10 s of failing reads, and sees the backend back within 5 s', async () => {
    // The longest backoff the jitter allows: reads fail at 2, 6, 11 and 16 s.
    sinon.stub(Math, 'random').returns(1);
    const { backend, el, advance } = await polling(['pending', 'network-error']);
    await advance(14_000);
    expect(badge(el), 'failing for 9 s').to.deep.equal({ text: 'Not started yet', status: 'pending' });
    await advance(2000);
    expect(badge(el), 'failing for 14 s').to.deep.equal({ text: 'Reconnecting…', status: 'pending' });
    expect(shows(el, '[part~="error"]')).to.equal(false);
    backend.statuses = ['in_progress'];
    await advance(5000);
    expect(badge(el), 'the backend is back').to.deep.equal({ text: 'In progress', status: 'in_progress' });
  });

  it('honours Retry-After: no read before it, even when poked', async () => {
    const { backend, log, el, advance } = await polling([
      { status: 429, headers: { 'Retry-After': '30' } },
      'pending',
    ]);
    expect(log.of('kosmos-idv-error')[0]).to.include({ code: 'rate_limited', retryable: true });
    await advance(20_000);
    window.dispatchEvent(new Event('focus'));
    el.refresh();
    await advance(9_999);
    expect(reads(backend)).to.equal(1);
    await advance(1);
    expect(reads(backend)).to.equal(2);
  });

  it('stops at a final status: no timer left and no read however long it waits', async () => {
    const { clock, backend, el, advance } = await polling(['pending', 'completed:passed']);
    await advance(2000);
    expect(el.state).to.equal('completed');
    expect(clock.countTimers(), "only the popup's close, a moment later").to.equal(1);
    await advance(1000);
    expect(clock.countTimers()).to.equal(0);
    await advance(600_000);
    window.dispatchEvent(new Event('focus'));
    await settle(el);
    expect(reads(backend)).to.equal(2);
  });

  it('stops at expiresAt with session_expired when the backend never says the session is over', async () => {
    const { backend, log, el, advance } = await polling(['pending'], 2000, 9000);
    await advance(8000);
    expect(el.state).to.equal('polling');
    await advance(1000);
    expect(el.state).to.equal('error');
    expect(log.of('kosmos-idv-error').at(-1)).to.include({ code: 'session_expired', sessionId: 's1' });
    const count = reads(backend);
    await advance(600_000);
    expect(reads(backend)).to.equal(count);
    await el.updateComplete;
    expect(mainButton(el).textContent!.trim(), 'the session is over: a new one').to.equal('Start a new verification');
  });

  it('restarts at the new pace when poll-interval changes', async () => {
    const { backend, el, advance } = await polling(['pending']);
    el.pollInterval = 5000;
    await settle(el);
    const count = reads(backend);
    await advance(4999);
    expect(reads(backend)).to.equal(count);
    await advance(1);
    expect(reads(backend)).to.equal(count + 1);
  });

  it('an invalid poll-interval set during a session is refused, and polling keeps its pace', async () => {
    const { backend, el, advance } = await polling(['pending']);
    el.setAttribute('poll-interval', 'abc');
    await settle(el);
    expect(el.state).to.equal('error');
    const before = backend.gets.length;
    await advance(10_000);
    expect(backend.gets.length - before, 'at most one read per 2 s, not a loop').to.be.at.most(5);
  });
});
