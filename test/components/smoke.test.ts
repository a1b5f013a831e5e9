import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/index.js';
import type { KosmosIdvLauncher } from '../../src/index.js';

describe('smoke', () => {
  it('renders and creates a session', async () => {
    const calls: string[] = [];
    const fetchStub = async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push(`${init?.method} ${String(input)}`);
      if (init?.method === 'POST') {
        return new Response(JSON.stringify({ sessionId: 's1', url: 'https://example.com/idproofing/session/s1', token: 't', expiresAt: new Date(Date.now() + 60000).toISOString(), status: 'pending' }), { status: 201 });
      }
      return new Response(JSON.stringify({ sessionId: 's1', status: 'completed', verification: 'passed', updatedAt: new Date().toISOString() }), { status: 200 });
    };
    window.fetch = fetchStub as typeof fetch;
    window.open = (() => null) as typeof window.open;
    const el = await fixture<KosmosIdvLauncher>(html`<kosmos-idv-launcher endpoint="/api/idv" document-type="passport" no-resume></kosmos-idv-launcher>`);
    await expect(el).to.be.accessible();
    const done = oneEvent(el, 'kosmos-idv-complete');
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part~=button]')!.click();
    const event = await done;
    expect(event.verification).to.equal('passed');
    expect(el.state).to.equal('completed');
    await el.updateComplete;
    await expect(el).to.be.accessible();
    console.log(calls.join('\n'));
  });
});
