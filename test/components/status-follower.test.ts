/** `StatusFollower` on its own: the poller fed by the page's signals, on a bare controller host. */
import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { IdvError } from '../../src/api/errors.js';
import { StatusFollower } from '../../src/components/status-follower.js';
import type { StatusReport } from '../../src/contract/bodies.js';
import { ControllerHost } from './controller-host.js';
import { cleanUp, settle, statusBody, useFakeClock, watchPageListeners } from './helpers.js';

/** One status read the test answers by hand. */
interface Read {
  signal: AbortSignal;
  wait: number;
  answer(report: StatusReport): void;
  fail(error: unknown): void;
}

function follower({ connected = true } = {}) {
  const host = new ControllerHost();
  const handlers = { onReport: sinon.spy(), onRetrying: sinon.spy(), onStopped: sinon.spy() };
  const controller = new StatusFollower(host, handlers);
  if (connected) host.connect();
  const reads: Read[] = [];
  const read = (signal: AbortSignal, wait: number) =>
    new Promise<StatusReport>((resolve, reject) => reads.push({ signal, wait, answer: resolve, fail: reject }));
  const follow = (options: { holdsReads?: boolean; expiresAt?: number } = {}) =>
    controller.follow({ read, holdsReads: false, interval: 2000, expiresAt: Date.now() + 3_600_000, ...options });
  return { host, handlers, controller, reads, follow };
}

const report = (status: string) => statusBody('s1', status) as StatusReport;

/** Takes over `document.visibilityState`: the function returned switches it and tells the page, as switching tabs does. */
function pageVisibility(): (state: DocumentVisibilityState) => void {
  let current: DocumentVisibilityState = 'visible';
  sinon.stub(document, 'visibilityState').get(() => current);
  return (state) => {
    current = state;
    document.dispatchEvent(new Event('visibilitychange'));
  };
}

describe('StatusFollower', () => {
  afterEach(cleanUp);

  it('reads at once, then every interval, and hands each report on', async () => {
    const clock = useFakeClock();
    const { reads, follow, handlers, controller } = follower();
    follow();
    expect(controller.active).to.equal(true);
    expect(reads).to.have.length(1);
    expect(reads[0].wait, 'a hook is never held').to.equal(0);
    reads[0].answer(report('pending'));
    await settle();
    expect(handlers.onReport.firstCall.args[0]).to.include({ status: 'pending' });
    await clock.tickAsync(1999);
    expect(reads).to.have.length(1);
    await clock.tickAsync(1);
    expect(reads).to.have.length(2);
  });

  it('lets a backend that holds reads hold them', async () => {
    useFakeClock();
    const { reads, follow } = follower();
    follow({ holdsReads: true });
    expect(reads[0].wait).to.equal(2000);
  });

  it('reads at once when the window gets the focus or the network comes back', async () => {
    useFakeClock();
    const { reads, follow } = follower();
    follow();
    reads[0].answer(report('pending'));
    await settle();
    window.dispatchEvent(new Event('focus'));
    expect(reads).to.have.length(2);
    reads[1].answer(report('pending'));
    await settle();
    window.dispatchEvent(new Event('online'));
    expect(reads).to.have.length(3);
  });

  it('slows down while the page is hidden and reads at once when it is shown again', async () => {
    const clock = useFakeClock();
    const setVisibility = pageVisibility();
    const { reads, follow } = follower();
    follow();
    reads[0].answer(report('pending'));
    await settle();
    setVisibility('hidden');
    await clock.tickAsync(14_999);
    expect(reads, 'no read for 15 s while hidden').to.have.length(1);
    setVisibility('visible');
    expect(reads).to.have.length(2);
  });

  it('does nothing until the host is connected', async () => {
    const clock = useFakeClock();
    const { host, reads, follow } = follower({ connected: false });
    follow();
    window.dispatchEvent(new Event('focus'));
    await clock.tickAsync(10_000);
    expect(reads).to.have.length(0);
    host.connect();
    expect(reads).to.have.length(1);
  });

  it('removed: aborts the read in flight, leaves no timer and no listener; put back, reads again', async () => {
    const clock = useFakeClock();
    const listeners = watchPageListeners();
    const { host, reads, follow } = follower();
    follow();
    reads[0].answer(report('pending'));
    await settle();
    window.dispatchEvent(new Event('focus'));
    expect(reads).to.have.length(2);
    host.disconnect();
    expect(reads[1].signal.aborted).to.equal(true);
    expect(clock.countTimers()).to.equal(0);
    expect(listeners.added()).to.have.members(['focus', 'online', 'pagehide', 'pageshow', 'visibilitychange']);
    expect(listeners.left()).to.deep.equal([]);
    window.dispatchEvent(new Event('focus'));
    window.dispatchEvent(new Event('online'));
    document.dispatchEvent(new Event('visibilitychange'));
    await clock.tickAsync(60_000);
    expect(reads).to.have.length(2);
    host.connect();
    expect(reads).to.have.length(3);
  });

  it('stop() ends following: the read in flight is aborted and signals read nothing', async () => {
    const clock = useFakeClock();
    const { reads, follow, controller } = follower();
    follow();
    controller.stop();
    expect(controller.active).to.equal(false);
    expect(reads[0].signal.aborted).to.equal(true);
    window.dispatchEvent(new Event('focus'));
    await clock.tickAsync(60_000);
    expect(reads).to.have.length(1);
  });

  it('stops reading when the page is left, and reads again when it comes back from the back-forward cache', async () => {
    useFakeClock();
    const { reads, follow } = follower();
    follow();
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    expect(reads[0].signal.aborted, 'a read the browser is about to drop is no error').to.equal(true);
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: false }));
    expect(reads).to.have.length(1);
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    expect(reads).to.have.length(2);
  });

  it('a failing read is retried, reconnecting after 10 s of failures; one that cannot be retried stops following', async () => {
    const clock = useFakeClock();
    const { host, reads, follow, handlers, controller } = follower();
    follow();
    reads[0].fail(new IdvError('network_error', 'down'));
    await settle();
    expect(handlers.onRetrying.callCount).to.equal(1);
    expect(controller.reconnecting).to.equal(false);
    // While the page is visible a failed read is retried within 5 s.
    await clock.tickAsync(5000);
    reads[1].fail(new IdvError('network_error', 'down'));
    await settle();
    expect(controller.reconnecting, 'failing for 5 s').to.equal(false);
    await clock.tickAsync(5000);
    reads[2].fail(new IdvError('network_error', 'down'));
    await settle();
    expect(controller.reconnecting, 'failing for 10 s').to.equal(true);
    expect(host.updatesRequested, 'the host re-renders its badge').to.equal(1);
    await clock.tickAsync(5000);
    reads[3].answer(report('in_progress'));
    await settle();
    expect(controller.reconnecting).to.equal(false);
    expect(host.updatesRequested).to.equal(2);
    window.dispatchEvent(new Event('focus'));
    reads[4].fail(new IdvError('forbidden', 'no'));
    await settle();
    expect(handlers.onStopped.firstCall.args[0]).to.include({ code: 'forbidden' });
    expect(controller.active).to.equal(false);
  });
});
