/**
 * `ledger`: what the kit's ledger holds, for operators: each session, its status, when it is asked
 * next, and its results' delivery states (never PII, never a payload). `--redeliver <sessionId>`
 * puts a session's failed results back in the delivery queue.
 */
import type { LedgerEntry } from '../server/ledger/store.js';
import { InputError } from './errors.js';
import { loadKitConfig } from './kit-config.js';

export interface LedgerFlags {
  config: string;
  pending: boolean;
  json: boolean;
  redeliver?: string;
  limit: number;
}

const time = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

function lines(entry: LedgerEntry): string[] {
  const outcome = entry.verification ? `${entry.status}/${entry.verification}` : entry.status;
  const head = `${entry.sessionId}  ${outcome}  created ${time(entry.createdAt)}  next ask ${time(entry.nextDueAt)}`;
  return [
    entry.lastError ? `${head}  last error: ${entry.lastError}` : head,
    ...entry.results.map(
      (result) =>
        `  ${result.resultId}  ${result.status}  ${result.state}  attempts ${result.attempts}` +
        `${result.state === 'pending' ? `  next ${time(result.nextAttemptAt)}` : ''}` +
        `${result.holdsPii ? '  PII at rest' : ''}${result.lastError ? `  last error: ${result.lastError}` : ''}`,
    ),
  ];
}

export async function ledger(flags: LedgerFlags, out: (line: string) => void): Promise<void> {
  const file = await loadKitConfig(flags.config);
  const store = file.store();
  try {
    await store.open().catch((error: unknown) => {
      throw new InputError(`the ledger cannot be opened: ${(error as Error).message}`);
    });
    if (flags.redeliver !== undefined) {
      const count = await store.redeliver(flags.redeliver, Date.now());
      out(`${count} failed result(s) of ${flags.redeliver} queued for delivery again`);
      return;
    }
    const entries = await store.list({ pending: flags.pending, limit: flags.limit });
    if (flags.json) return out(JSON.stringify(entries, null, 2));
    if (entries.length === 0) return out(flags.pending ? 'nothing pending' : 'no sessions');
    for (const entry of entries) for (const line of lines(entry)) out(line);
  } finally {
    await store.close();
  }
}
