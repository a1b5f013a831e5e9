/**
 * The kit's configuration file (`--config kit.json`) for `serve`, `collect` and `ledger`: what
 * `createIdvHandler` takes that is not code (webhook, ticketSecret and `public`, which also lets
 * `serve` run without tickets), and where the ledger is. Secrets may come from the environment instead, which
 * wins: `KOSMOS_LICENSE_KEY`, `KOSMOS_PRIVATE_KEY` (the public key is derived from it),
 * `IDV_TOKEN_SECRET`, `IDV_STORE_KEY` (one key, or a JSON list to rotate), `IDV_WEBHOOK_SECRET`,
 * `IDV_TICKET_SECRET` and `DATABASE_URL` (PostgreSQL; without it the embedded PGlite ledger in
 * `dataDir`, default `./.kosmos-idv`). Every problem is reported at once (`ConfigError`).
 */
import * as v from 'valibot';
import { IdvConfigError, resolveConfig, type IdvHandlerConfig } from '../server/config.js';
import { publicKeyOf } from '../server/crypto.js';
import { DEFAULT_DATA_DIR } from '../server/kit.js';
import { createPgliteStore } from '../server/ledger/pglite.js';
import { createPostgresStore } from '../server/ledger/postgres.js';
import type { LedgerStore } from '../server/ledger/store.js';
import { ConfigError } from './errors.js';
import { readJsonFile } from './input.js';

/** The fields of the file that are not `createIdvHandler`'s own. */
const SERVICE = v.object({
  database: v.optional(v.pipe(v.string('database must be a postgres:// URL'), v.regex(/^postgres(ql)?:\/\//, 'database must be a postgres:// URL'))),
  dataDir: v.optional(v.pipe(v.string('dataDir must be a directory path'), v.nonEmpty('dataDir must be a directory path'))),
});

/** Where the ledger of a configuration is. */
export function storeOf(file: { database?: string; dataDir?: string }): LedgerStore {
  return file.database
    ? createPostgresStore({ connectionString: file.database })
    : createPgliteStore({ dataDir: file.dataDir ?? DEFAULT_DATA_DIR });
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  const json = await readJsonFile(file, (message) => new ConfigError(message));
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`${file} must hold a JSON object`);
  return json as Record<string, unknown>;
}

/** The file's settings with the environment's secrets applied. */
function withEnvironment(json: Record<string, unknown>, env: NodeJS.ProcessEnv): { settings: Record<string, unknown>; problems: string[] } {
  const settings = { ...json };
  const problems: string[] = [];
  if (env.KOSMOS_LICENSE_KEY) settings.licenseKey = env.KOSMOS_LICENSE_KEY;
  if (env.KOSMOS_PRIVATE_KEY) {
    try {
      settings.keyPair = { privateKey: env.KOSMOS_PRIVATE_KEY, publicKey: publicKeyOf(env.KOSMOS_PRIVATE_KEY) };
    } catch (error) {
      problems.push(`KOSMOS_PRIVATE_KEY: ${(error as Error).message}`);
    }
  }
  if (env.IDV_TOKEN_SECRET) settings.tokenSecret = env.IDV_TOKEN_SECRET;
  if (env.IDV_STORE_KEY) {
    const key = env.IDV_STORE_KEY.trim();
    try {
      settings.storeKey = key.startsWith('[') ? JSON.parse(key) : key;
    } catch {
      problems.push('IDV_STORE_KEY: a key, or a JSON list of keys');
    }
  }
  if (env.DATABASE_URL) settings.database = env.DATABASE_URL;
  if (env.IDV_TICKET_SECRET) settings.ticketSecret = env.IDV_TICKET_SECRET;
  if (env.IDV_WEBHOOK_SECRET) {
    const webhook = settings.webhook;
    settings.webhook = { ...(typeof webhook === 'object' && webhook !== null ? webhook : {}), secret: env.IDV_WEBHOOK_SECRET };
  }
  return { settings, problems };
}

export interface KitFile {
  /** The kit's configuration, checked (without a store: see `store`). */
  config: IdvHandlerConfig;
  /** The ledger it names (not opened yet). */
  store: () => LedgerStore;
}

/**
 * Reads and checks a kit configuration file; throws `ConfigError` listing every problem, those
 * `check` finds in the settings (the environment applied) included.
 */
export async function loadKitConfig(
  file: string,
  check: (settings: Record<string, unknown>) => string[] = () => [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<KitFile> {
  const { settings, problems } = withEnvironment(await readJson(file), env);
  problems.push(...check(settings));
  const { database, dataDir, ...kit } = settings;
  const service = v.safeParse(SERVICE, { database, dataDir }, { abortEarly: false });
  for (const issue of service.issues ?? []) problems.push(issue.message);
  try {
    resolveConfig(kit as unknown as IdvHandlerConfig);
  } catch (error) {
    if (!(error instanceof IdvConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length) throw new ConfigError(problems.map((problem) => `${file}: ${problem}`).join('\n'));
  return { config: kit as unknown as IdvHandlerConfig, store: () => storeOf({ database: database as string | undefined, dataDir: dataDir as string | undefined }) };
}
