/**
 * The `qr` and `embedded` views are chunks loaded on first use. One that cannot load (the test server
 * drops its connections while asked to with `POST /__failing-view/{view}`) is a retryable error
 * of the same session, and "Try again" loads it once it can.
 */
import { expect, fixture, html } from '@open-wc/testing';
import type { KosmosIdvLauncher } from '../../src/index.js';
import { cleanUp, FakeBackend, flowUrl, inShadow, logEvents, mainButton, part, shows, until } from './helpers.js';

/** The test server's own fetch (FakeBackend stubs `window.fetch`). */
const serverFetch = window.fetch.bind(window);

const shown = {
  qr: (el: KosmosIdvLauncher) => inShadow(el, '[part~="qr"] svg path') !== null,
  embedded: (el: KosmosIdvLauncher) => part<HTMLDialogElement>(el, 'dialog')?.open === true,
};

describe('a lazy view that cannot load', () => {
  afterEach(async () => {
    cleanUp();
    for (const view of ['qr', 'embedded']) await serverFetch(`/__failing-view/${view}`, { method: 'DELETE' });
  });

  for (const mode of ['qr', 'embedded'] as const) {
    it(`${mode}: a retryable network_error of the same session; "Try again" loads the view`, async () => {
      const failing = `/__failing-view/${mode}`;
      expect((await serverFetch(failing, { method: 'POST' })).status, 'the view cannot load').to.equal(204);
      const backend = new FakeBackend(['pending']);
      const log = logEvents();
      const el = await fixture<KosmosIdvLauncher>(
        html`<kosmos-idv-launcher endpoint="/api/idv" document-type="passport" mode=${mode} no-resume></kosmos-idv-launcher>`,
      );
      mainButton(el).click();
      await until(() => el.state === 'error', 'the error state');
      await el.updateComplete;
      const [error] = log.of('kosmos-idv-error');
      expect(error).to.include({ code: 'network_error', retryable: true, sessionId: 's1' });
      expect(shows(el, '[part~="error"]')).to.equal(true);
      expect(shown[mode](el)).to.equal(false);

      await serverFetch(failing, { method: 'DELETE' });
      mainButton(el).click();
      await until(() => shown[mode](el), `the ${mode} view`);
      expect(el.state).to.equal('open');
      expect(el.sessionId).to.equal('s1');
      expect(backend.posts, 'the same session, not a second one').to.have.length(1);
      if (mode === 'embedded') expect(part(el, 'dialog')!.querySelector('iframe')!.src).to.equal(flowUrl('s1'));
      else expect(inShadow(el, '[part~="qr"] .url')!.textContent).to.equal(flowUrl('s1'));
    });
  }
});
