/**
 * The parts of the backend kit that every way of running it shares (the handler, `kosmos-idv
 * collect`): the checked configuration, the 1Kosmos client, the ledger store (opening), the
 * collector (not started) and the one guarded `onError` reporter.
 */
import { Collector, type Sink } from './collector.js';
import { resolveConfig, type IdvHandlerConfig, type IdvHandlerError, type ResolvedConfig } from './config.js';
import { checkedClient, type KosmosClient } from './kosmos-client.js';
import { createPgliteStore } from './ledger/pglite.js';
import { Sealer } from './ledger/seal.js';
import type { LedgerStore } from './ledger/store.js';
import { webhookSink } from './webhook.js';

/** Where the ledger is kept when no store is given. */
export const DEFAULT_DATA_DIR = '.kosmos-idv';
/** A lease outlasts the longest ask to 1Kosmos by this much, ms. */
const LEASE_MARGIN_MS = 5000;

export interface Kit {
  settings: ResolvedConfig;
  client: KosmosClient;
  store: LedgerStore;
  /** The store, connected and migrated (a failure is reported to `onError` too). */
  opened: Promise<void>;
  collector: Collector;
  /** The one place `onError` is called: a logger that throws must never lose a result or break an answer. */
  report: (problem: IdvHandlerError) => void;
  /** Tells the operator of a risky setting at start-up: `onError` when there is one, else the log. */
  notice: (stage: IdvHandlerError['stage'], message: string) => void;
}

/** Checks the configuration (throwing `IdvConfigError`) and assembles the kit's parts. */
export function createKit(config: IdvHandlerConfig): Kit {
  const settings = resolveConfig(config);
  const timeoutMs = settings.timeoutMs ?? 10_000;
  // Checked by resolveConfig: not checked again.
  const client = checkedClient({
    tenantDNS: settings.tenantDNS,
    communityName: settings.communityName,
    licenseKey: settings.licenseKey,
    keyPair: settings.keyPair,
    docuverifyUrl: settings.docuverifyUrl,
    resultVersion: settings.resultVersion,
    timeoutMs,
    // The collector's cadence is the retry.
    retries: 0,
    fetch: settings.fetch,
  });
  /** The one place `onError` is called: a logger that throws must never lose a result or break an answer. */
  const report = (problem: IdvHandlerError) => {
    try {
      settings.onError?.(problem);
    } catch {
      // Nowhere left to tell.
    }
  };
  const notice = (stage: IdvHandlerError['stage'], message: string) => {
    if (settings.onError) report({ stage, error: new Error(message) });
    else console.warn(`kosmos-idv: ${message}`);
  };
  const store = settings.store ?? createPgliteStore({ dataDir: DEFAULT_DATA_DIR });
  if (!settings.store) notice('store', `No store given: the session ledger is kept by PGlite in ${store.location} (one instance only).`);
  const opened = store.open();
  opened.catch((error: unknown) => report({ stage: 'store', error }));
  const collector = new Collector({
    store,
    client,
    sealer: new Sealer(settings.storeKey),
    sink: sinkOf(settings),
    sinkTimeout: settings.onResultTimeout,
    leaseMs: timeoutMs + LEASE_MARGIN_MS,
    report,
    now: settings.now,
  });
  return { settings, client, store, opened, collector, report, notice };
}

/**
 * Where results go: `onResult`, the webhook, or both (a result counts as delivered once both have
 * it; a failure of either retries both, which their idempotency by `resultId` absorbs).
 */
function sinkOf({ onResult, webhook, now }: ResolvedConfig): Sink | undefined {
  const sinks = [onResult, webhook && webhookSink(webhook, now)].filter((sink): sink is Sink => sink !== undefined);
  if (sinks.length < 2) return sinks[0];
  return async (result, context) => {
    for (const sink of sinks) await sink(result, context);
  };
}
