/**
 * A tiny form-submitting "browser" for the hosted pages: it reads the page's own forms (action,
 * inputs, selects, buttons) and posts them as a browser would (checked boxes and radios only,
 * the selected option, the pressed button's name and value), then follows the redirect.
 */
import assert from 'node:assert/strict';

export interface Page {
  url: string;
  status: number;
  headers: Headers;
  html: string;
  /** The text of the `<h1>`. */
  heading: string;
  forms: Form[];
}

interface Control {
  tag: 'input' | 'select';
  type: string;
  name: string;
  value: string;
  checked: boolean;
  options: string[];
}

export interface Form {
  action: string;
  method: string;
  controls: Control[];
  buttons: { name: string; value: string; text: string }[];
}

/** What the user does before pressing a button. */
export interface Interaction {
  /** Checkbox names to tick. */
  tick?: string[];
  /** Radio choices and select values by name (each must be one the page offers). */
  choose?: Record<string, string>;
}

const attributes = (tag: string): Record<string, string> => {
  const found: Record<string, string> = {};
  for (const match of [...tag.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)].slice(1)) found[match[1]] = match[2] ?? '';
  return found;
};

const decode = (text: string) =>
  text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');

const textOf = (html: string) => decode(html.replace(/<[^>]*>/g, '').trim());

function parseForms(html: string): Form[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map(([, open, body]) => {
    const form = attributes(`form ${open}`);
    const controls: Control[] = [];
    for (const [tag] of body.matchAll(/<input\b[^>]*>/g)) {
      const a = attributes(tag);
      controls.push({
        tag: 'input',
        type: a.type ?? 'text',
        name: a.name ?? '',
        value: decode(a.value ?? 'on'),
        checked: 'checked' in a,
        options: [],
      });
    }
    for (const [, open, inner] of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
      const options = [...inner.matchAll(/<option\b([^>]*)>/g)].map(([, o]) => attributes(`option ${o}`));
      const selected = options.find((o) => 'selected' in o) ?? options[0];
      controls.push({
        tag: 'select',
        type: 'select',
        name: attributes(`select ${open}`).name ?? '',
        value: decode(selected?.value ?? ''),
        checked: true,
        options: options.map((o) => decode(o.value ?? '')),
      });
    }
    const buttons = [...body.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/g)].map(([, open, inner]) => {
      const a = attributes(`button ${open}`);
      return { name: a.name ?? '', value: decode(a.value ?? ''), text: textOf(inner) };
    });
    return { action: decode(form.action ?? ''), method: (form.method ?? 'get').toLowerCase(), controls, buttons };
  });
}

async function toPage(response: Response): Promise<Page> {
  const html = await response.text();
  const heading = /<h1>([\s\S]*?)<\/h1>/.exec(html)?.[1];
  return {
    url: response.url,
    status: response.status,
    headers: response.headers,
    html,
    heading: heading === undefined ? '' : textOf(heading),
    forms: parseForms(html),
  };
}

/** GETs a hosted page. */
export async function open(url: string): Promise<Page> {
  return toPage(await fetch(url));
}

/**
 * Fills in the page's (only) form, presses the button with the given text and follows the
 * POST-redirect-GET, asserting the redirect is a 303 to a GET.
 */
export async function press(page: Page, buttonText: string, interaction: Interaction = {}): Promise<Page> {
  assert.equal(page.forms.length, 1, 'the page has one form');
  const [form] = page.forms;
  assert.equal(form.method, 'post');
  const button = form.buttons.find((b) => b.text === buttonText);
  assert.ok(button, `button "${buttonText}" is on the page (${form.buttons.map((b) => b.text).join(', ')})`);
  const body = new URLSearchParams();
  for (const control of form.controls) {
    const choice = interaction.choose?.[control.name];
    if (control.type === 'checkbox') {
      if (interaction.tick?.includes(control.name)) body.append(control.name, control.value);
    } else if (control.type === 'radio') {
      if (choice === undefined ? control.checked : choice === control.value) body.append(control.name, control.value);
    } else if (control.tag === 'select') {
      if (choice !== undefined) assert.ok(control.options.includes(choice), `option ${choice} is offered`);
      body.append(control.name, choice ?? control.value);
    } else {
      body.append(control.name, control.value);
    }
  }
  for (const [name, value] of Object.entries(interaction.choose ?? {})) {
    assert.ok(
      form.controls.some((c) => c.name === name && (c.tag === 'select' || c.value === value)),
      `the form offers ${name}=${value}`,
    );
  }
  if (button.name) body.append(button.name, button.value);
  const response = await fetch(new URL(form.action, page.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
    redirect: 'manual',
  });
  assert.equal(response.status, 303, 'a form post answers 303 See Other');
  const location = response.headers.get('location');
  assert.ok(location, 'the redirect has a Location');
  return open(new URL(location, page.url).href);
}
