import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { escapeHtml } from '../../src/simulator/pages.js';
import { open, press, type Page } from './browser.js';
import { createSession, result } from './helpers.js';

const FINISHED = 'Verification finished. You can close this window.';

/** The seed's verification of a completed session's sessionResult. */
const VERIFICATIONS: Record<string, string> = { SUCCESS: 'Passed', FAILED: 'Failed', NOT_PERFORMED: 'Not performed' };

/** The seed's words for a session, read from the documented fields of its v3 result. */
async function status(sim: Simulator, sessionId: string, dvcID = 'default') {
  const answer = await result(sim, sessionId, 'v3', dvcID);
  const verification = VERIFICATIONS[answer.sessionResult as string];
  return { status: verification ? 'Completed' : answer.sessionResult, verification, raw: answer };
}

async function started(sim: Simulator, dvcID = 'default', documentType = 'ppt_object') {
  const { sessionId, url } = await createSession(sim, dvcID, documentType);
  const welcome = await open(url);
  const page = await press(welcome, "Let's get started", { tick: ['consent'] });
  return { sessionId, url, page };
}

describe('hosted flow pages', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());

  it('serves an accessible, script-free welcome page under a strict CSP', async () => {
    const { url } = await createSession(sim);
    const page = await open(url);
    assert.equal(page.status, 200);
    assert.match(page.html, /<html lang="en">/);
    assert.equal(page.html.match(/<main>/g)?.length, 1);
    assert.equal(page.html.match(/<h1>/g)?.length, 1);
    assert.equal(page.heading, 'Verify your identity');
    assert.match(page.html, /<input type="checkbox" id="consent" name="consent"/);
    assert.match(page.html, /<label for="consent">/);
    assert.doesNotMatch(page.html, /<script|\sstyle=|<style/);
    assert.deepEqual(
      page.forms[0].buttons.map((b) => b.text),
      ["Let's get started", 'Decline'],
    );
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /style-src 'self'/);
    assert.equal(page.headers.get('x-frame-options'), null, 'frameable by default');
    assert.doesNotMatch(csp, /frame-ancestors/);

    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(page.html)?.[1];
    assert.ok(href);
    const css = await fetch(new URL(href, url));
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
    assert.match(await css.text(), /:focus-visible/);
  });

  it('Pending → In Progress → Completed/Passed through the forms, with no selfie step for "default"', async () => {
    const { sessionId, url } = await createSession(sim);
    assert.deepEqual((await status(sim, sessionId)).status, 'Pending');

    const document = await press(await open(url), "Let's get started", { tick: ['consent'] });
    assert.equal(document.heading, 'Scan your document');
    assert.match(document.html, /Passport/);
    assert.match(document.html, /ppt_object/);
    assert.equal((await status(sim, sessionId)).status, 'In Progress');
    const reasonCodes = document.forms[0].controls.find((c) => c.name === 'reasonCode')?.options;
    assert.ok(reasonCodes?.includes('IDV0006') && reasonCodes.includes('IDV0010'));

    const finished = await press(document, 'Submit');
    assert.equal(finished.heading, 'Verification finished');
    assert.match(finished.html, new RegExp(FINISHED));
    assert.equal(finished.forms.length, 0);
    assert.deepEqual(
      { status: (await status(sim, sessionId)).status, verification: sim.session(sessionId)?.verification },
      { status: 'Completed', verification: 'Passed' },
    );
  });

  for (const reasonCode of ['IDV0006', 'IDV0010']) {
    it(`a failed document completes as Failed with reason code ${reasonCode}`, async () => {
      const { sessionId, page } = await started(sim, 'default', 'dl_object');
      assert.match(page.html, /Driving licence/);
      const finished = await press(page, 'Submit', { choose: { outcome: 'fail', reasonCode } });
      assert.match(finished.html, new RegExp(FINISHED));
      const answer = await status(sim, sessionId);
      assert.equal(answer.status, 'Completed');
      assert.equal(answer.verification, 'Failed');
      assert.equal(answer.raw.sessionResult, 'FAILED');
      assert.equal((answer.raw.errorInfo as Record<string, unknown>).reason_code, reasonCode);
    });
  }

  it('"Not performed" completes the session with verification Not performed', async () => {
    const { sessionId, page } = await started(sim, 'default', 'idcard_object');
    await press(page, 'Submit', { choose: { outcome: 'not_performed' } });
    const answer = await status(sim, sessionId);
    assert.deepEqual([answer.status, answer.verification, answer.raw.sessionResult], [
      'Completed',
      'Not performed',
      'NOT_PERFORMED',
    ]);
  });

  it('the "selfie" workflow asks for a selfie before completing', async () => {
    const { sessionId, page } = await started(sim, 'selfie');
    const selfie = await press(page, 'Submit');
    assert.equal(selfie.heading, 'Take a selfie');
    assert.equal((await status(sim, sessionId, 'selfie')).status, 'In Progress');
    const finished = await press(selfie, 'Submit');
    assert.match(finished.html, new RegExp(FINISHED));
    const answer = await status(sim, sessionId, 'selfie');
    assert.deepEqual([answer.status, answer.verification], ['Completed', 'Passed']);
  });

  it('a failed selfie fails the verification with its reason code', async () => {
    const { sessionId, page } = await started(sim, 'selfie');
    const selfie = await press(page, 'Submit');
    await press(selfie, 'Submit', { choose: { outcome: 'fail', reasonCode: 'IDV0006' } });
    const answer = await status(sim, sessionId, 'selfie');
    assert.equal(answer.verification, 'Failed');
    assert.equal((answer.raw.errorInfo as Record<string, unknown>).reason_code, 'IDV0006');
  });

  it('"Let\'s get started" without consent re-shows the welcome page with an accessible error', async () => {
    const { sessionId, url } = await createSession(sim);
    const again = await press(await open(url), "Let's get started");
    assert.equal(again.heading, 'Verify your identity');
    assert.match(again.html, /<p class="error" id="consent-error" role="alert">/);
    assert.match(again.html, /aria-invalid="true" aria-describedby="consent-error"/);
    assert.equal((await status(sim, sessionId)).status, 'Pending');
    const document = await press(again, "Let's get started", { tick: ['consent'] });
    assert.equal(document.heading, 'Scan your document');
  });

  it('Decline on the welcome screen declines the session, and later posts change nothing', async () => {
    const { sessionId, url } = await createSession(sim);
    const welcome = await open(url);
    const declined = await press(welcome, 'Decline');
    assert.equal(declined.heading, 'Verification declined');
    const answer = await status(sim, sessionId);
    assert.deepEqual([answer.status, answer.raw.responseStatus, answer.verification], [
      'Declined',
      'DECLINED',
      undefined,
    ]);
    const stale = await press(welcome, "Let's get started", { tick: ['consent'] });
    assert.equal(stale.heading, 'Verification declined');
    assert.equal((await status(sim, sessionId)).status, 'Declined');
  });

  it('a resubmitted or out-of-order form just shows the current step', async () => {
    const { sessionId, url, page } = await started(sim);
    const welcomeAgain = await open(url);
    assert.equal(welcomeAgain.heading, 'Scan your document', 'GET shows the current step');
    await press(page, 'Submit');
    const twice = await press(page, 'Submit', { choose: { outcome: 'fail' } });
    assert.equal(twice.heading, 'Verification finished');
    assert.equal((await status(sim, sessionId)).verification, 'Passed');
  });

  it('a tampered outcome re-shows the step with an error', async () => {
    const { page } = await started(sim);
    const response = await fetch(new URL(page.forms[0].action, page.url), {
      method: 'POST',
      body: new URLSearchParams({ outcome: 'maybe' }),
      redirect: 'manual',
    });
    assert.equal(response.status, 303);
    const again = await open(new URL(response.headers.get('location') ?? '', page.url).href);
    assert.equal(again.heading, 'Scan your document');
    assert.match(again.html, /role="alert"/);
  });

  it('an unknown session shows a clear 404 page, for GET and POST', async () => {
    const page = await open(`${sim.origin}/idproofing/session/no-such-session`);
    assert.equal(page.status, 404);
    assert.equal(page.heading, 'Session not found');
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const post = await fetch(`${sim.origin}/idproofing/session/no-such-session/welcome`, {
      method: 'POST',
      body: new URLSearchParams({ action: 'start', consent: 'yes' }),
    });
    assert.equal(post.status, 404);
    assert.match(await post.text(), /Session not found/);
  });
});

describe('hosted flow expiry and framing', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ sessionLifetime: 60, frameable: false });
  });
  after(() => sim.close());

  it('Pending and In Progress sessions expire on the simulator clock; completed ones do not', async () => {
    const pending = await createSession(sim);
    const inProgress = await started(sim);
    const completed = await started(sim);
    await press(completed.page, 'Submit');

    sim.clock.advance(59);
    assert.equal((await open(pending.url)).status, 200);
    sim.clock.advance(1);

    for (const { sessionId, url } of [pending, inProgress]) {
      const page: Page = await open(url);
      assert.equal(page.status, 410);
      assert.equal(page.heading, 'This session has expired');
      const answer = await status(sim, sessionId);
      assert.deepEqual([answer.status, answer.raw.responseStatus, answer.raw.id], ['Expired', 'EXPIRED', sessionId]);
    }
    const stale = await press(inProgress.page, 'Submit');
    assert.equal(stale.status, 410, 'a form posted after expiry shows the expired page');
    assert.equal((await status(sim, completed.sessionId)).status, 'Completed');
  });

  it('frameable: false forbids framing of hosted pages', async () => {
    const { url } = await createSession(sim);
    const page = await open(url);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
