/**
 * What the window opened in the click shows until the hosted URL arrives, instead of a blank page.
 * Written with DOM calls only: the blank window inherits the page's Content Security Policy, which
 * may forbid inline markup styles, while CSSOM writes are allowed under any policy.
 */
export function showStartingPage(win: Window, text: string, lang: string): void {
  let doc: Document;
  try {
    doc = win.document;
  } catch {
    // The browser reused the named window while it still shows the hosted flow (another origin).
    return;
  }
  doc.title = text;
  if (lang) doc.documentElement.lang = lang;
  const message = doc.createElement('p');
  message.textContent = text;
  Object.assign(doc.body.style, {
    margin: '0',
    minHeight: '100vh',
    display: 'grid',
    placeItems: 'center',
    font: '1rem/1.5 system-ui, sans-serif',
  });
  doc.body.replaceChildren(message);
}
