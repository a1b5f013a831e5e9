/**
 * One kit instance of the collector benches, in a process of its own (`postgres.ts` starts it):
 * `createIdvHandler` on a PostgreSQL ledger, with its collector, served on `node:http` when a port
 * is given. It prints `ready` once the ledger is open (and the port listens), then one line per
 * event the bench counts:
 *
 *   result <sessionId> <epoch ms>      onResult was called (when `results` is set)
 *   error <stage> <message>            onError was called
 *
 *   node --import tsx bench/kit-child.ts '<settings JSON>'
 */
import { createServer } from 'node:http';
import { createIdvHandler, createPostgresStore, type KosmosKeyPair } from '../src/server/index.js';

export interface KitChildSettings {
  index: number;
  database: string;
  tenantDNS: string;
  communityName: string;
  licenseKey: string;
  keyPair: KosmosKeyPair;
  tokenSecret: string;
  storeKey: string;
  /** Serves the handler at `/api/idv` on this port when given. */
  port?: number;
  /** Whether this instance hands results over (an `onResult` that prints a line). */
  results?: boolean;
}

if (process.argv[2]) {
  const settings = JSON.parse(process.argv[2]) as KitChildSettings;
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  const handler = createIdvHandler({
    tenantDNS: settings.tenantDNS,
    communityName: settings.communityName,
    dvcID: 'default',
    licenseKey: settings.licenseKey,
    keyPair: settings.keyPair,
    tokenSecret: settings.tokenSecret,
    storeKey: settings.storeKey,
    store: createPostgresStore({ connectionString: settings.database }),
    ...(settings.results ? { onResult: (_result, context) => print(`result ${context.sessionId} ${Date.now()}`) } : {}),
    onError: ({ stage, error }) => print(`error ${stage} ${(error as Error)?.message ?? String(error)}`.replace(/\n/g, ' ')),
  });
  await handler.ready();
  const server = settings.port === undefined ? undefined : createServer((req, res) => void handler.node(req, res));
  if (server) await new Promise<void>((resolve) => server.listen(settings.port, '127.0.0.1', resolve));
  print('ready');
  process.once('SIGTERM', () => {
    server?.close();
    server?.closeAllConnections();
    void handler.close().then(() => process.exit(0));
  });
}
