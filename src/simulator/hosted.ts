/**
 * The hosted verification flow at `/idproofing/session/{sessionId}`: GET shows the page for the
 * session's state; each form POSTs to its step and is answered with a 303 back to the GET
 * (POST-redirect-GET). A stale or repeated POST just redirects to the current state.
 */
import { Hono, type Context } from 'hono';
import type { SimulatorContext } from './context.js';
import { SessionStepError } from './errors.js';
import {
  declinedPage,
  documentPage,
  expiredPage,
  finishedPage,
  notFoundPage,
  selfiePage,
  sessionPath,
  ICON,
  STYLESHEET,
  welcomePage,
  type PageError,
} from './pages.js';
import type { SessionRecord } from './state.js';

const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'";

function page(c: Context, html: string, frameable: boolean, status: 200 | 404 | 410 = 200): Response {
  c.header('Content-Security-Policy', frameable ? CSP : `${CSP}; frame-ancestors 'none'`);
  if (!frameable) c.header('X-Frame-Options', 'DENY');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cache-Control', 'no-store');
  return c.html(html, status);
}

async function formFields(c: Context): Promise<Record<string, string>> {
  try {
    const body = await c.req.parseBody();
    return Object.fromEntries(
      Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  } catch {
    return {};
  }
}

const pageError = (value: string | undefined): PageError | undefined =>
  value === 'consent' || value === 'outcome' ? value : undefined;

function livePage(record: SessionRecord, error: PageError | undefined): string {
  if (record.step === 'document') return documentPage(record, error);
  if (record.step === 'selfie') return selfiePage(record, error);
  return welcomePage(record, error);
}

/** The hosted pages and their stylesheet, to be mounted at `/idproofing`. */
export function hostedRoutes(context: SimulatorContext): Hono {
  const hosted = new Hono();
  const { store } = context;
  const frameable = context.config.frameable;

  hosted.get('/assets/simulator.css', (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(STYLESHEET);
  });

  hosted.get('/assets/icon.svg', (c) => {
    c.header('Content-Type', 'image/svg+xml');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(ICON);
  });

  hosted.get('/session/:id', (c) => {
    const record = store.get(c.req.param('id'));
    if (!record) return page(c, notFoundPage(), frameable, 404);
    switch (record.status) {
      case 'Expired':
        return page(c, expiredPage(), frameable, 410);
      case 'Declined':
        return page(c, declinedPage(), frameable);
      case 'Completed':
        return page(c, finishedPage(), frameable);
      default:
        return page(c, livePage(record, pageError(c.req.query('error'))), frameable);
    }
  });

  /** Runs a step from a form post and redirects to the session page (with `?error=` if asked). */
  const step = (path: string, run: (record: SessionRecord, form: Record<string, string>) => PageError | void) =>
    hosted.post(`/session/:id/${path}`, async (c) => {
      const record = store.get(c.req.param('id'));
      if (!record) return page(c, notFoundPage(), frameable, 404);
      let error: PageError | void = undefined;
      try {
        error = run(record, await formFields(c));
      } catch (failure) {
        if (!(failure instanceof SessionStepError)) throw failure;
      }
      return c.redirect(`${sessionPath(record.id)}${error ? `?error=${error}` : ''}`, 303);
    });

  step('welcome', (record, form) => {
    if (form.action === 'decline') return store.decline(record);
    if (form.consent !== 'yes') return 'consent';
    store.start(record);
  });

  step('document', (record, form) => {
    const outcome = form.outcome;
    if (outcome !== 'pass' && outcome !== 'fail' && outcome !== 'not_performed') return 'outcome';
    store.submitDocument(record, outcome, form.reasonCode);
  });

  step('selfie', (record, form) => {
    const outcome = form.outcome;
    if (outcome !== 'pass' && outcome !== 'fail') return 'outcome';
    store.submitSelfie(record, outcome, form.reasonCode);
  });

  return hosted;
}
