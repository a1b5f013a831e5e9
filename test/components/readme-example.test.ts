/**
 * The README's usage example, as a page owner would paste it: the CDN build from a plain
 * `<script type="module">`, the tag, and the listener, against a stub backend. Needs
 * `npm run build:cdn` first (`npm test` builds before it runs the browser suites).
 */
import { expect, waitUntil } from '@open-wc/testing';
import sinon from 'sinon';

const CDN_BUILD = '/dist/cdn/kosmos-idv-launcher.js';

async function readmeExample(): Promise<string> {
  const readme = await (await fetch('/README.md')).text();
  const block = /```html\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no html example');
  return block[1];
}

/** Adds the example to the page; its scripts are re-created so that they run. */
function mount(example: string): HTMLElement {
  const host = document.createElement('div');
  host.innerHTML = example;
  for (const inert of host.querySelectorAll('script')) {
    const script = document.createElement('script');
    script.type = inert.type;
    if (inert.src) script.src = CDN_BUILD;
    else script.textContent = inert.textContent;
    inert.replaceWith(script);
  }
  document.body.append(host);
  return host;
}

describe('the README example with the CDN build', () => {
  afterEach(() => sinon.restore());

  it('renders the button, then the badge once the stub backend created a session', async () => {
    const example = await readmeExample();
    const expiresAt = new Date(Date.now() + 600_000).toISOString();
    sinon.stub(window, 'fetch').callsFake(async (_input, init) =>
      init?.method === 'POST'
        ? new Response(
            JSON.stringify({ sessionId: 'readme-1', url: 'https://idv.example/idproofing/session/readme-1', token: 't', expiresAt, status: 'pending' }),
            { status: 201 },
          )
        : new Response(
            JSON.stringify({ sessionId: 'readme-1', status: 'in_progress', verification: null, updatedAt: expiresAt }),
          ),
    );
    sinon.stub(window, 'open').returns(null);
    const host = mount(example);
    await waitUntil(() => customElements.get('kosmos-idv-launcher'), 'the CDN build did not register the element');

    const launcher = host.querySelector('kosmos-idv-launcher')!;
    await waitUntil(() => launcher.shadowRoot?.querySelector('[part~="button"]'));
    const button = launcher.shadowRoot!.querySelector<HTMLButtonElement>('[part~="button"]')!;
    expect(button.textContent?.trim()).to.equal('Verify your identity');

    button.click();
    await waitUntil(() => launcher.shadowRoot!.querySelector('[part~="badge"]'), 'no badge after starting');
    await waitUntil(() => launcher.shadowRoot!.querySelector('[part~="status"]')?.textContent === 'In progress');
    host.remove();
  });
});
