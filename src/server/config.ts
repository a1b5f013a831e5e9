/**
 * The backend kit's configuration, checked once at start-up: every problem is reported, one per
 * line, in a single `IdvConfigError`, so a misconfigured server fails before it serves anyone.
 */
import * as v from 'valibot';
import { DOCUMENT_TYPES, type DocumentType } from '../contract/vocabulary.js';
import type { KosmosKeyPair } from './crypto.js';
import { connection, fn, milliseconds, problemOf, text, wholeNumber } from './options.js';
import type { LedgerStore } from './ledger/store.js';
import type { KosmosResult } from './result.js';
import { webhookUrlProblem, type WebhookOptions } from './webhook.js';

/** What `onResult` is told about the result it receives. */
export interface ResultContext {
  sessionId: string;
  /** What `authenticate` returned when the session was created, or `null`. */
  subject: string | null;
  dvcID: string;
  /** Stable for this result however often it is handed over: dedupe by it. */
  resultId: string;
  /** 1 for the first delivery of this result, 2 for the next … */
  attempt: number;
  /** A completed session whose PII the kit never captured (retention off or already spent): look it up at 1Kosmos. */
  piiMissing: boolean;
  /** Aborted when this delivery's `onResultTimeout` has passed (a success after it still counts). */
  signal: AbortSignal;
}

/** A problem the kit could not hide from the browser's answer but the operator must see. */
export interface IdvHandlerError {
  /**
   * Where it happened: `collect` (asking 1Kosmos about a session, or an answer it could not read),
   * `store` (the ledger), `onResult` (a delivery that failed; retried), and the request stages.
   */
  stage: 'create' | 'status' | 'collect' | 'store' | 'onResult' | 'authenticate' | 'rateLimit' | 'request';
  error: unknown;
  sessionId?: string;
  /** For `onResult`: how many deliveries have failed so far, and when the next one is tried (ms; absent: never). */
  attempt?: number;
  retryIn?: number;
}

export interface IdvHandlerConfig {
  /** The 1Kosmos tenant's host, e.g. `acme.1kosmos.net` (a loopback host is spoken to over http). */
  tenantDNS: string;
  communityName: string;
  /** The workflow: one dvcID, or one per document type. */
  dvcID: string | Partial<Record<DocumentType, string>>;
  licenseKey: string;
  /** Your key pair in 1Kosmos's format (see `kosmos-idv keygen`). */
  keyPair: KosmosKeyPair;
  /** Signs the status tokens: at least 32 characters, the same on every instance. */
  tokenSecret: string;
  /** The docuverify base URL; discovered from the tenant when absent. */
  docuverifyUrl?: string;
  /** Where the handler is mounted (default `/api/idv`): `POST {basePath}`, `GET {basePath}/{sessionId}`. */
  basePath?: string;
  /** The caller's subject (user id), or `null` to refuse with 401. Absent: anyone may create. */
  authenticate?: (request: Request) => string | null | Promise<string | null>;
  /**
   * That anyone who reaches the handler may create 1Kosmos sessions, as many as they like, on
   * purpose. Without it, and with none of `authenticate`, `ticketSecret` or `rateLimit`, the kit
   * says so at start-up (`onError`, else the log).
   */
  public?: boolean;
  /**
   * Receives each session's final result (completed, declined or expired; PII included when the
   * kit captured it), and any answer the kit could not read (status `unknown`, raw), from the
   * ledger: at least once, retried with backoff for up to 3 days, whichever instance collected it.
   * Dedupe by `context.resultId`. A result's PII is erased from the ledger once this resolves.
   */
  onResult?: (result: KosmosResult, context: ResultContext) => void | Promise<void>;
  /**
   * POSTs each result, signed, to your app (beside or instead of `onResult`): `Kosmos-Idv-Signature`
   * (check it with `verifyWebhook`) and `Idempotency-Key: <resultId>`; retried like `onResult`.
   */
  webhook?: WebhookOptions;
  /**
   * Session creation requires a ticket your backend minted for the user: an HS256 JWT with `sub`
   * and `exp`, signed with this secret (at least 32 characters), sent as `Kosmos-Idv-Ticket`.
   * Its `sub` becomes the session's subject. For a kit that cannot run your code (`kosmos-idv serve`).
   */
  ticketSecret?: string;
  /**
   * The session ledger (`createPostgresStore`, `createPgliteStore`, `createMemoryStore`). Absent:
   * `createPgliteStore({ dataDir: '.kosmos-idv' })`, for one instance.
   */
  store?: LedgerStore;
  /**
   * Seals results at rest (AES-256-GCM): at least 32 characters, not the `tokenSecret`, the same on
   * every instance. A list rotates: the first seals, all open.
   */
  storeKey: string | string[];
  /** Whether this instance runs a collector (default `true`); `false` when `kosmos-idv collect` runs apart. */
  collect?: boolean;
  /** Failures the browser is not told about in detail: log them, count them. What it throws is ignored. */
  onError?: (problem: IdvHandlerError) => void;
  /**
   * Returns seconds to wait when the caller must slow down (→ 429 with `Retry-After`, rounded up),
   * else `null`: anything but a finite number above 0 lets the request through.
   */
  rateLimit?: (request: Request) => number | null | Promise<number | null>;
  /** The session lifetime configured for the workflow at 1Kosmos, in whole seconds (default 7 days, at most a year). */
  sessionLifetime?: number;
  /**
   * Whether a status read may be held (`Prefer: wait`) until the status changes (default `true`).
   * `false` answers every read at once: half the 1Kosmos reads of a page showing a session, and
   * the badge follows changes at the element's poll interval instead of within a second.
   */
  holdReads?: boolean;
  /**
   * Origins allowed to call the handler cross-origin (CORS): `https://shop.example`, or an app's
   * `capacitor://localhost`. Absent: same origin only. `Origin: null` is never allowed.
   */
  allowedOrigins?: string[];
  /** How long one `onResult` call may take before it counts as failed and is retried, ms (default 10 000). */
  onResultTimeout?: number;
  /**
   * How long the handler waits for a request's whole body, ms (default 10 000): a body still
   * trickling in after it is answered `408` (by `handler.node`, its connection closed too).
   */
  bodyTimeout?: number;
  /** Which 1Kosmos result endpoint to poll (default `v3`). */
  resultVersion?: 'v3' | 'v1';
  /** Per-request timeout towards 1Kosmos, ms (default 10 000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** The clock, epoch ms (default `Date.now`): session expiry is judged by it. */
  now?: () => number;
}

/** The configuration after checking, with defaults applied. */
export interface ResolvedConfig extends Omit<IdvHandlerConfig, 'storeKey'> {
  storeKey: string[];
  /** Without a trailing slash: `''` for the root. */
  basePath: string;
  sessionLifetime: number;
  allowedOrigins: string[];
  onResultTimeout: number;
  bodyTimeout: number;
  now: () => number;
  /** The dvcID of each document type offered. */
  dvcIDs: Partial<Record<DocumentType, string>>;
}

/** A configuration the kit cannot run with; `problems` lists each, the message joins them. */
export class IdvConfigError extends Error {
  override readonly name = 'IdvConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid kosmos-idv handler configuration:\n- ${problems.join('\n- ')}`);
  }
}

const SEVEN_DAYS = 7 * 24 * 3600;
const ONE_YEAR = 365 * 24 * 3600;

/** An http(s) origin, normalised by `URL` (a path is dropped). */
const WEB_ORIGIN = /^https?:/i;
/**
 * An app's origin of another scheme, kept as written (in lower case, as browsers send it): `URL`
 * serialises such an origin as "null", which is also the `Origin` of every sandboxed page.
 */
const APP_ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[a-z0-9.-]+(:\d+)?\/?$/i;
const ORIGIN_PROBLEM = 'each of allowedOrigins must be an origin such as https://shop.example or capacitor://localhost';

/** In the order of `IdvHandlerConfig`, so that problems are listed in that order. */
const schema = v.object({
  tenantDNS: connection.tenantDNS,
  communityName: connection.communityName,
  dvcID: v.union(
    [
      text('dvcID'),
      v.pipe(
        v.strictObject(
          Object.fromEntries(DOCUMENT_TYPES.map((type) => [type, v.optional(text(`dvcID.${type}`))])),
          'dvcID keys must be passport, driving_license or id_card',
        ),
        v.check((map) => Object.keys(map).length > 0, 'dvcID must name at least one document type'),
      ),
    ],
    'dvcID must be a string, or a map from document type to dvcID',
  ),
  licenseKey: connection.licenseKey,
  keyPair: connection.keyPair,
  tokenSecret: v.pipe(
    v.string('tokenSecret must be a string'),
    v.minLength(32, 'tokenSecret must be at least 32 characters'),
  ),
  store: v.optional(
    v.custom<LedgerStore>(
      (store) => typeof (store as LedgerStore | null)?.claimAsks === 'function',
      'store must be a ledger store (createPostgresStore, createPgliteStore or createMemoryStore)',
    ),
  ),
  storeKey: v.pipe(
    v.union([v.string(), v.array(v.string())], 'storeKey must be a string or a list of strings'),
    v.transform((key) => (typeof key === 'string' ? [key] : key)),
    v.minLength(1, 'storeKey must list at least one key'),
    v.check((keys) => keys.every((key) => key.length >= 32), 'storeKey must be at least 32 characters'),
  ),
  collect: v.optional(v.boolean('collect must be true or false')),
  webhook: v.optional(
    v.object(
      {
        url: v.pipe(
          v.string('webhook.url must be a URL'),
          v.rawCheck(({ dataset, addIssue }) => {
            const problem = dataset.typed ? webhookUrlProblem(dataset.value) : undefined;
            if (problem) addIssue({ message: problem });
          }),
        ),
        secret: v.pipe(v.string('webhook.secret must be a string'), v.minLength(32, 'webhook.secret must be at least 32 characters')),
      },
      'webhook must be { url, secret }',
    ),
  ),
  ticketSecret: v.optional(
    v.pipe(v.string('ticketSecret must be a string'), v.minLength(32, 'ticketSecret must be at least 32 characters')),
  ),
  docuverifyUrl: connection.docuverifyUrl,
  basePath: v.optional(
    v.pipe(v.string('basePath must be a string'), v.regex(/^\/[^?#]*$/, 'basePath must be a path starting with /')),
  ),
  authenticate: fn('authenticate'),
  public: v.optional(v.boolean('public must be true or false')),
  onResult: fn('onResult'),
  onError: fn('onError'),
  rateLimit: fn('rateLimit'),
  sessionLifetime: wholeNumber('sessionLifetime', 1, ONE_YEAR, ' seconds (a year)'),
  holdReads: v.optional(v.boolean('holdReads must be true or false')),
  allowedOrigins: v.optional(
    v.array(
      v.pipe(
        v.string('each of allowedOrigins must be a string'),
        v.check((origin) => (WEB_ORIGIN.test(origin) ? URL.canParse(origin) : APP_ORIGIN.test(origin)), ORIGIN_PROBLEM),
        v.transform((origin) => (WEB_ORIGIN.test(origin) ? new URL(origin).origin : origin.toLowerCase().replace(/\/$/, ''))),
      ),
      'allowedOrigins must be an array of origins',
    ),
  ),
  onResultTimeout: milliseconds('onResultTimeout'),
  bodyTimeout: milliseconds('bodyTimeout'),
  resultVersion: connection.resultVersion,
  timeoutMs: connection.timeoutMs,
  fetch: connection.fetch,
  now: fn('now'),
});

/** Checks a configuration and applies the defaults; throws `IdvConfigError` listing every problem. */
export function resolveConfig(config: IdvHandlerConfig): ResolvedConfig {
  const parsed = v.safeParse(schema, config, { abortEarly: false });
  const issues = parsed.issues ?? [];
  const problems = issues.map((issue) => problemOf(issue, 'the configuration'));
  const checked = parsed.output as ResolvedConfig;
  const storeKeys: unknown[] = Array.isArray(config?.storeKey) ? config.storeKey : [config?.storeKey];
  if (typeof config?.tokenSecret === 'string' && storeKeys.includes(config.tokenSecret)) {
    problems.push('storeKey must differ from tokenSecret');
  }
  if (parsed.success && checked.ticketSecret !== undefined && checked.authenticate) {
    problems.push('ticketSecret and authenticate both name the caller: use one');
  }
  if (problems.length) throw new IdvConfigError([...new Set(problems)]);
  const { dvcID } = checked;
  return {
    ...checked,
    basePath: (checked.basePath ?? '/api/idv').replace(/\/+$/, ''),
    sessionLifetime: checked.sessionLifetime ?? SEVEN_DAYS,
    allowedOrigins: checked.allowedOrigins ?? [],
    onResultTimeout: checked.onResultTimeout ?? 10_000,
    bodyTimeout: checked.bodyTimeout ?? 10_000,
    now: checked.now ?? Date.now,
    dvcIDs: typeof dvcID === 'string' ? Object.fromEntries(DOCUMENT_TYPES.map((type) => [type, dvcID])) : dvcID,
  };
}
