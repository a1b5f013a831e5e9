import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import sinon from 'sinon';
import type { KosmosIdvLauncher, Session } from '../../src/index.js';
import {
  cleanUp,
  FakeBackend,
  fakeWindow,
  flowUrl,
  focusIsOn,
  inShadow,
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
} from './helpers.js';



/** Whether this page has fetched a module whose URL contains `name`. */
const fetched = (name: string) => performance.getEntriesByType('resource').some((entry) => entry.name.includes(name));
const qrLoaded = () => fetched('uqr');

describe('<kosmos-idv-launcher mode="popup">', () => {
  afterEach(cleanUp);

  it('opens about:blank synchronously in the click, before the backend answers, then navigates it', async () => {
    const backend = new FakeBackend();
    const win = fakeWindow();
    const open = stubOpen(win);
    const log = logEvents();
    const el = await launcher({ mode: 'popup' });
    mainButton(el).click();
    expect(open.callCount, 'window.open inside the click').to.equal(1);
    expect(open.firstCall.args[0]).to.equal('about:blank');
    expect(open.firstCall.args[2]).to.contain('popup');
    expect(win.location.href).to.equal('');
    expect(el.state).to.equal('creating');
    await until(() => el.state === 'open');
    expect(win.location.href).to.equal(flowUrl('s1'));
    expect(backend.posts).to.have.length(1);
    expect(log.of('kosmos-idv-open').map((event) => event.mode)).to.deep.equal(['popup']);
  });

  it('shows "Starting verification…" in the window opened in the click, and closes it with the error shown in the page when the backend cannot be reached', async () => {
    const backend = new FakeBackend();
    backend.creates = ['hang'];
    const win = fakeWindow();
    stubOpen(win);
    const log = logEvents();
    const el = await launcher({ mode: 'popup' });
    el.lang = 'fr';
    el.strings = { startingFlow: 'Démarrage de la vérification…' };
    await el.updateComplete;
    mainButton(el).click();
    expect(win.document.title).to.equal('Démarrage de la vérification…');
    expect(win.document.body.textContent?.trim()).to.equal('Démarrage de la vérification…');
    expect(win.document.documentElement.lang).to.equal('fr');
    backend.dropConnections();
    await until(() => el.state === 'error', 'the error state');
    await el.updateComplete;
    expect(win.closed).to.equal(true);
    expect(shows(el, '[part~="error"]')).to.equal(true);
    expect(log.of('kosmos-idv-error')[0]).to.include({ code: 'network_error', retryable: true });
  });

  it('"Try again" with the popup still open follows it again: open, then its closing is seen', async () => {
    const backend = new FakeBackend(['pending']);
    const win = fakeWindow();
    stubOpen(win);
    const log = logEvents();
    const el = await launcher({ mode: 'popup' });
    await start(el);
    backend.statuses = [{ text: 'OK' }];
    el.refresh();
    await until(() => el.state === 'error', 'the error state');
    await el.updateComplete;
    backend.statuses = ['in_progress'];
    mainButton(el).click();
    expect(el.state).to.equal('open');
    expect(win.focus.callCount, 'the same popup, brought forward').to.equal(1);
    expect(log.of('kosmos-idv-open')).to.have.length(2);
    win.closed = true;
    await until(() => log.of('kosmos-idv-close').length === 1, 'kosmos-idv-close');
    expect(el.state).to.equal('polling');
  });

  it('when the popup is closed: fires close, polls at once, and reopen() shows the same session again', async () => {
    const clock = useFakeClock();
    const backend = new FakeBackend(['pending']);
    const first = fakeWindow();
    const second = fakeWindow();
    const open = stubOpen(first, second);
    const log = logEvents();
    const el = await launcher({ mode: 'popup' });
    await start(el);
    await until(() => backend.gets.length === 1);
    await clock.tickAsync(500);
    expect(log.of('kosmos-idv-close')).to.have.length(0);
    first.close();
    await clock.tickAsync(500);
    await settle(el);
    expect(el.state).to.equal('polling');
    expect(log.of('kosmos-idv-close')).to.have.length(1);
    expect(backend.gets, 'an immediate read, before the 2 s interval').to.have.length(2);
    expect(focusIsOn(el, mainButton(el)), 'focus returns to the button').to.equal(true);

    mainButton(el).click();
    expect(open.callCount).to.equal(2);
    expect(open.secondCall.args[0]).to.equal(flowUrl('s1'));
    expect(el.state).to.equal('open');
    expect(backend.posts, 'never a second session').to.have.length(1);
    expect(log.of('kosmos-idv-open')).to.have.length(2);

    el.reopen();
    expect(second.focus.callCount, 'an open window is focused, not opened again').to.equal(1);
    expect(open.callCount).to.equal(2);
    el.start();
    expect(second.focus.callCount, 'start() during a session continues it').to.equal(2);
    expect(backend.posts).to.have.length(1);
  });

  it('when the popup is blocked: no error, a link to the flow, and clicking it opens the window', async () => {
    const backend = new FakeBackend(['pending']);
    const open = stubOpen(null);
    const log = logEvents();
    const el = await launcher({ mode: 'popup' });
    await start(el);
    expect(el.state).to.equal('polling');
    expect(log.of('kosmos-idv-error')).to.have.length(0);
    expect(shows(el, '[part~="error"]')).to.equal(false);
    const link = inShadow<HTMLAnchorElement>(el, `a[href="${flowUrl('s1')}"]`);
    expect(link, 'a link to the hosted flow').to.not.equal(null);
    expect(link!.textContent!.trim()).to.equal('Open the verification');
    await expect(el).to.be.accessible();

    const win = fakeWindow();
    open.returns(win as unknown as Window);
    let defaultPrevented = false;
    el.shadowRoot!.addEventListener('click', (event) => {
      defaultPrevented = event.defaultPrevented;
      event.preventDefault();
    });
    link!.click();
    expect(open.lastCall.args[0]).to.equal(flowUrl('s1'));
    expect(defaultPrevented, 'the link does not navigate as well').to.equal(true);
    expect(el.state).to.equal('open');
    expect(log.of('kosmos-idv-open').map((event) => event.mode)).to.deep.equal(['popup']);
    await el.updateComplete;
    expect(shows(el, 'a[href]'), 'the link goes once the window is open').to.equal(false);
    expect(backend.posts).to.have.length(1);
  });
});

describe('<kosmos-idv-launcher mode="tab">', () => {
  afterEach(cleanUp);

  it('when the tab is blocked, the link opens a tab, not a popup', async () => {
    new FakeBackend(['pending']);
    const open = stubOpen(null);
    const el = await launcher({ mode: 'tab' });
    await start(el);
    const link = inShadow<HTMLAnchorElement>(el, `a[href="${flowUrl('s1')}"]`)!;
    open.returns(fakeWindow() as unknown as Window);
    el.shadowRoot!.addEventListener('click', (event) => event.preventDefault());
    link.click();
    expect(open.lastCall.args.slice(0, 2)).to.deep.equal([flowUrl('s1'), '_blank']);
    expect(open.lastCall.args[2]).to.not.contain('popup');
    expect(el.mode).to.equal('tab');
    expect(el.state).to.equal('open');
  });

  it('opens a blank tab in the click and navigates it to the flow', async () => {
    new FakeBackend();
    const win = fakeWindow();
    const open = stubOpen(win);
    const log = logEvents();
    const el = await launcher({ mode: 'tab' });
    mainButton(el).click();
    expect(open.firstCall.args.slice(0, 2)).to.deep.equal(['about:blank', '_blank']);
    expect(open.firstCall.args[2]).to.not.contain('popup');
    await until(() => el.state === 'open');
    expect(win.location.href).to.equal(flowUrl('s1'));
    expect(log.of('kosmos-idv-open')[0]).to.include({ sessionId: 's1', mode: 'tab' });
  });
});

describe('<kosmos-idv-launcher mode="redirect">', () => {
  afterEach(cleanUp);

  it('navigates the page to the flow after saving the session for the way back', async () => {
    const backend = new FakeBackend(['pending']);
    const open = stubOpen();
    const log = logEvents();
    const el = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher endpoint="/api/idv" document-type="passport" mode="redirect"></kosmos-idv-launcher>`,
    );
    const navigate = sinon.stub(el as unknown as { navigate(url: string): void }, 'navigate');
    await start(el);
    expect(open.callCount, 'no window').to.equal(0);
    expect(navigate.callCount).to.equal(1);
    expect(navigate.firstCall.args).to.deep.equal([flowUrl('s1')]);
    expect(log.of('kosmos-idv-open')[0]).to.include({ sessionId: 's1', mode: 'redirect' });

    el.remove();
    const back = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher endpoint="/api/idv" document-type="passport" mode="redirect"></kosmos-idv-launcher>`,
    );
    expect(back.sessionId, 'the session saved before leaving is resumed').to.equal('s1');
    expect(log.of('kosmos-idv-session').map((event) => event.resumed)).to.deep.equal([false, true]);
    expect(backend.posts).to.have.length(1);

    const again = sinon.stub(back as unknown as { navigate(url: string): void }, 'navigate');
    await back.updateComplete;
    mainButton(back).click();
    expect(again.firstCall?.args, '"Continue verification" goes back to the same flow').to.deep.equal([flowUrl('s1')]);
    expect(backend.posts).to.have.length(1);
  });

  it('takes no error from the read that leaving the page cuts short, and follows again if the page comes back', async () => {
    const backend = new FakeBackend(['hang']);
    stubOpen();
    const log = logEvents();
    const el = await fixture<KosmosIdvLauncher>(
      html`<kosmos-idv-launcher endpoint="/api/idv" document-type="passport" mode="redirect" no-resume></kosmos-idv-launcher>`,
    );
    sinon.stub(el as unknown as { navigate(url: string): void }, 'navigate');
    await start(el);
    await until(() => backend.gets.length === 1, 'the first status read');
    // The browser leaves the page, then drops its connections.
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    backend.dropConnections();
    await settle(el);
    expect(log.of('kosmos-idv-error')).to.deep.equal([]);
    expect(shows(el, '[part~="error"]')).to.equal(false);

    backend.statuses = ['in_progress'];
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await until(() => el.status === 'in_progress', 'a read once the page is shown again');
  });
});

describe('<kosmos-idv-launcher mode="embedded">', () => {
  afterEach(cleanUp);

  it('has not loaded the dialog view for the other modes (this file ran them first)', () => {
    expect(fetched('components/embedded')).to.equal(false);
  });

  async function openEmbedded() {
    const backend = new FakeBackend(['pending']);
    const open = stubOpen();
    const log = logEvents();
    const el = await launcher({ mode: 'embedded' });
    await start(el);
    await until(() => part<HTMLDialogElement>(el, 'dialog')?.open === true, 'the dialog, loaded on demand');
    const dialog = part<HTMLDialogElement>(el, 'dialog')!;
    return { backend, open, log, el, dialog };
  }

  it('shows the flow in a modal dialog with an iframe allowed camera, microphone and fullscreen', async () => {
    const { open, log, el, dialog } = await openEmbedded();
    expect(el.state).to.equal('open');
    expect(open.callCount, 'no window').to.equal(0);
    expect(dialog.localName).to.equal('dialog');
    expect(dialog.open).to.equal(true);
    expect(dialog.matches(':modal')).to.equal(true);
    const iframe = dialog.querySelector('iframe')!;
    expect(iframe.src).to.equal(flowUrl('s1'));
    const allowed = iframe.allow.split(';').map((feature) => feature.trim());
    expect(allowed).to.include.members(['camera', 'microphone', 'fullscreen']);
    expect(log.of('kosmos-idv-open')[0]).to.include({ sessionId: 's1', mode: 'embedded' });
    expect(fetched('components/embedded'), 'the view is loaded on demand').to.equal(true);
  });

  it('closes the dialog at a final status, focus on what follows: "Start a new verification", or the badge', async () => {
    for (const [step, state, target] of [
      ['declined', 'declined', 'button'],
      ['completed:passed', 'completed', 'badge'],
    ] as const) {
      const { backend, el, dialog } = await openEmbedded();
      backend.statuses = [step];
      el.refresh();
      await until(() => el.state === state, state);
      const expected = target === 'button' ? mainButton(el) : part(el, 'badge');
      await until(() => el.shadowRoot!.activeElement === expected, `focus on the ${target}`);
      expect(dialog.open).to.equal(false);
      cleanUp();
    }
  });

  it('reset() with the dialog open closes it, focus on the start button', async () => {
    const { el, dialog } = await openEmbedded();
    el.reset();
    await until(() => el.shadowRoot!.activeElement === mainButton(el), 'focus on the button');
    expect(dialog.open).to.equal(false);
    expect(mainButton(el).textContent!.trim()).to.equal('Verify your identity');
  });

  it('reset() then start() at once: the old dialog’s queued close does not close the new one', async () => {
    const { el, log } = await openEmbedded();
    el.createSession = async () => sessionBody('s2') as unknown as Session;
    el.reset();
    el.start();
    await until(() => el.sessionId === 's2' && part<HTMLDialogElement>(el, 'dialog')?.open === true, 'the new dialog');
    await settle(el);
    expect(el.state).to.equal('open');
    expect(part<HTMLDialogElement>(el, 'dialog')!.open).to.equal(true);
    expect(log.of('kosmos-idv-close')).to.have.length(0);
  });

  it('an answer it cannot use closes the dialog, focus on "Try again"', async () => {
    const { backend, el, dialog } = await openEmbedded();
    backend.statuses = [{ text: 'OK' }];
    el.refresh();
    await until(() => el.state === 'error', 'the error state');
    await until(() => el.shadowRoot!.activeElement === mainButton(el), 'focus on the button');
    expect(dialog.open, 'no modal left over the error').to.equal(false);
    expect(mainButton(el).textContent!.trim()).to.equal('Try again');
  });

  it('Escape closes the dialog: close event, polling, focus back on the button', async () => {
    const { backend, log, el, dialog } = await openEmbedded();
    await until(() => backend.gets.length === 1);
    await sendKeys({ press: 'Escape' });
    await until(() => log.of('kosmos-idv-close').length === 1, 'kosmos-idv-close');
    await el.updateComplete;
    expect(dialog.open).to.equal(false);
    expect(el.state).to.equal('polling');
    expect(log.of('kosmos-idv-close')[0]).to.include({ sessionId: 's1', status: 'pending' });
    await until(() => backend.gets.length === 2, 'an immediate read');
    expect(focusIsOn(el, mainButton(el)), 'focus returns to the button').to.equal(true);
    await expect(el).to.be.accessible();

    mainButton(el).click();
    await el.updateComplete;
    expect(dialog.open, 'the same session shows again').to.equal(true);
    expect(backend.posts).to.have.length(1);
  });

  it('the close button closes the dialog the same way', async () => {
    const { log, el, dialog } = await openEmbedded();
    const close = [...dialog.querySelectorAll('button')].find((button) => button.textContent!.trim() === 'Close')!;
    close.click();
    await until(() => log.of('kosmos-idv-close').length === 1, 'kosmos-idv-close');
    await el.updateComplete;
    expect(el.state).to.equal('polling');
    expect(focusIsOn(el, mainButton(el)), 'focus returns to the button').to.equal(true);
  });

  it('a flow that does not load within 15 s is offered as a link, without a close event', async () => {
    const clock = useFakeClock();
    const { log, el, dialog } = await openEmbedded();
    clock.tick(15_000);
    await el.updateComplete;
    await settle(el);
    expect(dialog.isConnected && dialog.open).to.equal(false);
    expect(el.state).to.equal('polling');
    expect(shows(el, `a[href="${flowUrl('s1')}"]`), 'a link to open the flow in a window').to.equal(true);
    expect(log.of('kosmos-idv-close'), 'the user closed nothing').to.have.length(0);
  });

  it('"Open in a new window instead" shows the same session in a popup', async () => {
    const { backend, open, log, el, dialog } = await openEmbedded();
    const win = fakeWindow();
    open.returns(win as unknown as Window);
    const instead = [...dialog.querySelectorAll('button')].find((button) =>
      button.textContent!.includes('new window'),
    )!;
    instead.click();
    expect(open.callCount).to.equal(1);
    expect(open.firstCall.args[0]).to.equal(flowUrl('s1'));
    await settle(el);
    expect(dialog.isConnected && dialog.open).to.equal(false);
    expect(el.state).to.equal('open');
    expect(log.of('kosmos-idv-open').map((event) => event.mode)).to.deep.equal(['embedded', 'popup']);
    expect(log.of('kosmos-idv-close'), 'switching is not closing').to.have.length(0);
    expect(backend.posts).to.have.length(1);
    expect(el.getAttribute('mode'), "the page's own mode is left as it is").to.equal('embedded');
    expect(el.mode).to.equal('embedded');

    el.reset();
    await el.updateComplete;
    await start(el);
    await until(() => part<HTMLDialogElement>(el, 'dialog')?.open === true, 'the next session in the dialog');
  });
});

describe('<kosmos-idv-launcher mode="qr">', () => {
  afterEach(cleanUp);

  it('has not loaded the QR generator for the other modes (this file ran them first)', () => {
    expect(qrLoaded()).to.equal(false);
  });

  it('shows a QR code of the URL, the URL itself and a copy-link button', async () => {
    new FakeBackend(['pending']);
    const open = stubOpen();
    const log = logEvents();
    const writeText = sinon.stub(navigator.clipboard, 'writeText').resolves();
    const el = await launcher({ mode: 'qr' });
    await start(el);
    expect(el.state).to.equal('open');
    expect(open.callCount, 'no window').to.equal(0);
    expect(log.of('kosmos-idv-open')[0]).to.include({ sessionId: 's1', mode: 'qr' });
    await until(() => inShadow(el, '[part~="qr"] svg path') !== null, 'the QR code');
    expect(qrLoaded(), 'the generator is loaded on demand').to.equal(true);
    const svg = inShadow(el, '[part~="qr"] svg')!;
    expect(svg.getAttribute('role')).to.equal('img');
    expect(svg.querySelector('path')!.getAttribute('d')).to.match(/^M\d+ \d+h1v1h-1z/);
    expect(inShadow(el, '[part~="qr"] .url')!.textContent).to.equal(flowUrl('s1'));
    await expect(el).to.be.accessible();

    const copy = inShadow(el, '[part~="qr"] button')!;
    expect(copy.textContent!.trim()).to.equal('Copy link');
    copy.click();
    await until(() => copy.textContent!.trim() === 'Link copied', 'the copied notice');
    expect(writeText.callCount).to.equal(1);
    expect(writeText.firstCall.args).to.deep.equal([flowUrl('s1')]);
  });

  it('shows the QR code when a session under way is switched to qr mode', async () => {
    new FakeBackend(['pending']);
    stubOpen(fakeWindow());
    const el = await launcher({ mode: 'popup' });
    await start(el);
    expect(el.state).to.equal('open');
    el.mode = 'qr';
    await until(() => inShadow(el, '[part~="qr"] svg path') !== null, 'the QR code of the same session');
    expect(inShadow(el, '[part~="qr"] .url')!.textContent).to.equal(flowUrl('s1'));
  });

  it('removes the QR code once the session is final', async () => {
    const clock = useFakeClock();
    new FakeBackend(['pending', 'completed:passed']);
    stubOpen();
    const el = await launcher({ mode: 'qr' });
    await start(el);
    await until(() => shows(el, '[part~="qr"]'), 'the QR code');
    await clock.tickAsync(2000);
    await until(() => el.state === 'completed');
    await el.updateComplete;
    expect(shows(el, '[part~="qr"]')).to.equal(false);
  });
});
