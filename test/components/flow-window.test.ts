/** `FlowWindow` on its own: the popup or tab of the hosted flow, on a bare controller host. */
import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { FlowWindow } from '../../src/components/flow-window.js';
import { ControllerHost } from './controller-host.js';
import { cleanUp, fakeWindow, flowUrl, stubOpen, useFakeClock } from './helpers.js';

const URL_1 = flowUrl('s1');

function flowWindow() {
  const host = new ControllerHost();
  const onClosed = sinon.spy();
  const flow = new FlowWindow(host, onClosed);
  host.connect();
  return { host, onClosed, flow };
}

/** A popup opened in a click (fake clock) and sent to the flow. */
function sentToFlow() {
  const clock = useFakeClock();
  const win = fakeWindow();
  stubOpen(win);
  const { flow, onClosed } = flowWindow();
  flow.openStarting('popup', 'Starting…', '');
  flow.navigate(URL_1);
  return { clock, win, flow, onClosed };
}

/**
 * Clicks a link to the flow, as the blocked-window offer renders it, handing the click to `handle`
 * while it is dispatched: whether `handle` took it, and whether it kept the link from navigating.
 * The test page itself never follows the link.
 */
function clickLink(handle: (event: MouseEvent) => boolean): { handled: boolean; prevented: boolean } {
  const link = document.createElement('a');
  link.href = URL_1;
  let handled = false;
  let prevented = false;
  link.addEventListener('click', (event) => (handled = handle(event)));
  link.addEventListener('click', (event) => {
    prevented = event.defaultPrevented;
    event.preventDefault();
  });
  link.dispatchEvent(new MouseEvent('click', { cancelable: true }));
  return { handled, prevented };
}

describe('FlowWindow', () => {
  afterEach(cleanUp);

  it('opens a named popup on a starting page inside the click, then sends it to the flow', () => {
    const win = fakeWindow();
    const open = stubOpen(win);
    const { flow } = flowWindow();
    flow.openStarting('popup', 'Starting verification…', 'fr');
    expect(open.callCount, 'opened at once, before any answer').to.equal(1);
    const [url, name, features] = open.firstCall.args;
    expect([url, name]).to.deep.equal(['about:blank', 'kosmos-idv-flow']);
    expect(features).to.match(/^popup,width=480,height=760,/);
    expect(win.document.body.textContent).to.equal('Starting verification…');
    expect(win.document.documentElement.lang).to.equal('fr');
    expect(flow.opened).to.equal(true);
    flow.navigate(URL_1);
    expect(win.location.href).to.equal(URL_1);
  });

  it('opens a tab as a new browsing context with no window features', () => {
    const open = stubOpen(fakeWindow());
    const { flow } = flowWindow();
    flow.openStarting('tab', 'Starting verification…', '');
    expect(open.firstCall.args.slice(1)).to.deep.equal(['_blank', '']);
  });

  it('tells when the user closes the window it sent to the flow, once', async () => {
    const { clock, win, flow, onClosed } = sentToFlow();
    await clock.tickAsync(1000);
    expect(onClosed.callCount, 'open: nothing to tell').to.equal(0);
    win.closed = true;
    await clock.tickAsync(200);
    expect(onClosed.callCount).to.equal(1);
    expect(flow.opened).to.equal(false);
    await clock.tickAsync(10_000);
    expect(onClosed.callCount).to.equal(1);
    expect(clock.countTimers(), 'no watching once closed').to.equal(0);
  });

  it('brings the open window forward instead of opening another, and opens a new one once it was closed', async () => {
    const clock = useFakeClock();
    const first = fakeWindow();
    const second = fakeWindow();
    const open = stubOpen(first, second);
    const { flow, onClosed } = flowWindow();
    flow.openStarting('popup', 'Starting…', '');
    flow.navigate(URL_1);
    expect(flow.show(URL_1, 'popup')).to.equal(true);
    expect(first.focus.callCount).to.equal(1);
    expect(open.callCount).to.equal(1);
    first.closed = true;
    await clock.tickAsync(200);
    expect(flow.show(URL_1, 'popup')).to.equal(true);
    expect(open.callCount).to.equal(2);
    expect(open.secondCall.args[0]).to.equal(URL_1);
    second.closed = true;
    await clock.tickAsync(200);
    expect(onClosed.callCount, 'the new window is watched too').to.equal(2);
  });

  it('closes the window a moment after a final status, and the closing is not the user’s', async () => {
    const { clock, win, flow, onClosed } = sentToFlow();
    flow.closeSoon();
    await clock.tickAsync(999);
    expect(win.closed, 'left to finish its navigation').to.equal(false);
    await clock.tickAsync(1);
    expect(win.close.callCount).to.equal(1);
    expect(flow.opened).to.equal(false);
    await clock.tickAsync(1000);
    expect(onClosed.callCount).to.equal(0);
    expect(clock.countTimers()).to.equal(0);
  });

  it('blocked: opens nothing, navigates nothing, and says no window shows the flow', async () => {
    const clock = useFakeClock();
    stubOpen(null, null);
    const { flow, onClosed } = flowWindow();
    flow.openStarting('popup', 'Starting…', '');
    expect(flow.opened).to.equal(false);
    flow.navigate(URL_1);
    expect(flow.show(URL_1, 'popup')).to.equal(false);
    await clock.tickAsync(1000);
    expect(onClosed.callCount).to.equal(0);
    expect(clock.countTimers()).to.equal(0);
  });

  it('the blocked-window link: a watched window opened in its click, else the link left to navigate on its own', async () => {
    const clock = useFakeClock();
    const win = fakeWindow();
    const open = stubOpen(null, win);
    const { flow, onClosed } = flowWindow();
    expect(clickLink((event) => flow.openFromLink(event, 'tab'))).to.deep.equal({ handled: false, prevented: false });
    expect(clickLink((event) => flow.openFromLink(event, 'tab'))).to.deep.equal({ handled: true, prevented: true });
    expect(open.secondCall.args.slice(0, 2)).to.deep.equal([URL_1, '_blank']);
    win.closed = true;
    await clock.tickAsync(200);
    expect(onClosed.callCount).to.equal(1);
  });

  it('removed: stops watching, and a window left to close a moment later is closed at once; put back, watches again', async () => {
    const clock = useFakeClock();
    const first = fakeWindow();
    const second = fakeWindow();
    stubOpen(first, second);
    const { host, flow, onClosed } = flowWindow();
    flow.openStarting('popup', 'Starting…', '');
    flow.navigate(URL_1);
    host.disconnect();
    expect(clock.countTimers(), 'no watching while removed').to.equal(0);
    host.connect();
    first.closed = true;
    await clock.tickAsync(200);
    expect(onClosed.callCount, 'watched again once put back').to.equal(1);
    flow.show(URL_1, 'popup');
    flow.closeSoon();
    host.disconnect();
    expect(second.close.callCount).to.equal(1);
    expect(clock.countTimers()).to.equal(0);
  });
});
