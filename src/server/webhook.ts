/**
 * Signed webhooks: the ledger's hand-off as an HTTP POST to the page owner's app, for backends in
 * any language (`kosmos-idv serve`), signed as Stripe signs: `Kosmos-Idv-Signature: t=<unix
 * seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, with `Idempotency-Key: <resultId>`. A 2xx is
 * delivery; anything else, a timeout or a refused connection is a failure the collector retries.
 * `verifyWebhook` checks a signature on the receiving side.
 */
import { isLoopbackHost } from '../contract/http.js';
import type { ResultContext } from './config.js';
import type { KosmosResult } from './result.js';

export const SIGNATURE_HEADER = 'Kosmos-Idv-Signature';
/** How old a signature may be before it is refused, seconds. */
const DEFAULT_TOLERANCE_S = 300;
const encoder = new TextEncoder();

export interface WebhookOptions {
  /** `https:`, or `http:` on a loopback host. */
  url: string;
  /** The shared secret both sides sign with: at least 32 characters. */
  secret: string;
}

/** What the webhook's body carries: the result and its context (PII included in `result.raw`). */
export interface WebhookEvent {
  resultId: string;
  sessionId: string;
  subject: string | null;
  dvcID: string;
  attempt: number;
  piiMissing: boolean;
  result: Omit<KosmosResult, 'sessionId'>;
}

/** A webhook URL's problem in words, or `undefined` for a good one. */
export function webhookUrlProblem(url: string): string | undefined {
  if (!URL.canParse(url)) return 'webhook.url must be an absolute URL';
  const { protocol, hostname } = new URL(url);
  if (protocol === 'https:' || (protocol === 'http:' && isLoopbackHost(hostname))) return undefined;
  return 'webhook.url must be https: (http: only on a loopback host)';
}

const hmacKey = (secret: string) =>
  crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, '0')).join('');

/** The signature header for `body` at `t` (unix seconds). */
export async function signWebhook(body: string, secret: string, t: number): Promise<string> {
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(`${t}.${body}`));
  return `t=${t},v1=${hex(signature)}`;
}

/** A webhook whose signature is missing, forged, for another body, or too old (a replay). */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

/**
 * Checks a webhook as received (`body`: the raw text, before any JSON parsing) and returns its
 * event; throws `WebhookVerificationError` for a bad or stale signature (`tolerance` seconds,
 * default 300, either side of now).
 */
export async function verifyWebhook(
  body: string,
  header: string | null | undefined,
  secret: string,
  options: { tolerance?: number; now?: () => number } = {},
): Promise<WebhookEvent> {
  const fields = new Map<string, string[]>();
  for (const part of (header ?? '').split(',')) {
    const [name, value] = part.trim().split('=');
    if (name && value) fields.set(name, [...(fields.get(name) ?? []), value]);
  }
  const t = Number(fields.get('t')?.[0]);
  const signatures = fields.get('v1') ?? [];
  if (!Number.isInteger(t) || signatures.length === 0) throw new WebhookVerificationError(`No valid ${SIGNATURE_HEADER} header.`);
  const age = Math.abs((options.now ?? Date.now)() / 1000 - t);
  if (age > (options.tolerance ?? DEFAULT_TOLERANCE_S)) throw new WebhookVerificationError('The signature is too old: refused as a replay.');
  const key = await hmacKey(secret);
  const signed = encoder.encode(`${t}.${body}`);
  for (const signature of signatures) {
    if (!/^[0-9a-f]{64}$/.test(signature)) continue;
    const bytes = new Uint8Array(signature.match(/../g)!.map((pair) => parseInt(pair, 16)));
    if (await crypto.subtle.verify('HMAC', key, bytes, signed)) return JSON.parse(body) as WebhookEvent;
  }
  throw new WebhookVerificationError('The signature does not match the body.');
}

/** A sink that POSTs each result to the webhook, signed; a non-2xx answer or no answer throws. */
export function webhookSink(options: WebhookOptions, now: () => number) {
  return async ({ sessionId, ...result }: KosmosResult, context: ResultContext): Promise<void> => {
    const event: WebhookEvent = {
      resultId: context.resultId,
      sessionId,
      subject: context.subject,
      dvcID: context.dvcID,
      attempt: context.attempt,
      piiMissing: context.piiMissing,
      result,
    };
    const body = JSON.stringify(event);
    const response = await fetch(options.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': context.resultId,
        [SIGNATURE_HEADER]: await signWebhook(body, options.secret, Math.floor(now() / 1000)),
      },
      body,
      signal: context.signal,
    });
    await response.body?.cancel();
    if (response.status < 200 || response.status > 299) throw new Error(`The webhook answered HTTP ${response.status}.`);
  };
}
