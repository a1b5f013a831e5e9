/**
 * `collect`: the kit's collector alone, for deployments whose request handlers do not run one
 * (`collect: false`, serverless) or as a cron job (`--once`): asks 1Kosmos about the sessions due in
 * the ledger and records what it learns. It has no `onResult` of its own: results wait in the
 * ledger for a kit instance that has one.
 */
import type { IdvHandlerError } from '../server/config.js';
import { createKit } from '../server/kit.js';
import { InputError } from './errors.js';
import { loadKitConfig } from './kit-config.js';

export interface CollectFlags {
  config: string;
  once: boolean;
}

const describe = ({ stage, sessionId, error }: IdvHandlerError) =>
  `${stage}${sessionId ? ` ${sessionId}` : ''}: ${error instanceof Error ? error.message : String(error)}`;

/** Runs until SIGINT or SIGTERM (or, with `once`, until nothing is due). */
export async function collect(flags: CollectFlags, log: (line: string) => void, warn: (line: string) => void): Promise<void> {
  const file = await loadKitConfig(flags.config);
  const { collector, opened, store } = createKit({ ...file.config, store: file.store(), onError: (problem) => warn(describe(problem)) });
  try {
    await opened;
  } catch (error) {
    await store.close();
    throw new InputError(`the ledger cannot be opened: ${(error as Error).message}`);
  }
  if (flags.once) {
    const done = await collector.runOnce();
    await collector.stop();
    await store.close();
    log(`asked 1Kosmos about ${done.asked} session(s)`);
    return;
  }
  collector.start();
  log(`collecting from ${store.location}; Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await collector.stop();
  await store.close();
}
