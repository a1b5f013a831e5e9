/**
 * `serve`: the backend kit as a standalone service, for page owners whose backend is not Node: the
 * contract's two routes under `basePath`, `GET /healthz`, the collector, and results delivered to
 * the page owner's app by signed webhook. It refuses to start unless session creation is
 * guarded by tickets (`ticketSecret`) or the configuration says `"public": true`. SIGTERM or
 * SIGINT: stops accepting, lets requests and asks in flight finish, gives back its leases and
 * closes the ledger, within 10 s.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { IdvHandlerError } from '../server/config.js';
import { createIdvHandler, JSON_HEADERS } from '../server/handler.js';
import { InputError, UsageError } from './errors.js';
import { loadKitConfig } from './kit-config.js';

export interface ServeFlags {
  config: string;
  port?: string;
  host?: string;
}

const DEFAULT_PORT = 8080;
const DEFAULT_HOST = '127.0.0.1';
/** Held reads still open this long after SIGTERM are cut. */
const DRAIN_MS = 2000;
/** The whole shutdown, at most. */
const SHUTDOWN_MS = 9000;

const describe = ({ stage, sessionId, error }: IdvHandlerError) =>
  `${stage}${sessionId ? ` ${sessionId}` : ''}: ${error instanceof Error ? error.message : String(error)}`;

function portOf(flag: string | undefined): number {
  if (flag === undefined) return DEFAULT_PORT;
  if (!/^\d{1,5}$/.test(flag) || Number(flag) > 65535) throw new UsageError('--port must be an integer from 0 to 65535');
  return Number(flag);
}

/** Runs until SIGTERM or SIGINT; `listening` is told the service's origin. */
export async function serve(flags: ServeFlags, log: (line: string) => void, warn: (line: string) => void): Promise<void> {
  const port = portOf(flags.port);
  const host = flags.host ?? DEFAULT_HOST;
  const file = await loadKitConfig(flags.config, (settings) =>
    settings.ticketSecret === undefined && settings.public !== true
      ? ['set ticketSecret (or IDV_TICKET_SECRET) so that only your users create sessions, or "public": true to let anyone who reaches the service create them']
      : [],
  );
  if (!file.config.webhook && !file.config.onResult) warn('no webhook: results wait in the ledger (kosmos-idv ledger --pending)');
  const store = file.store();
  const handler = createIdvHandler({ ...file.config, store, onError: (problem) => warn(describe(problem)) });
  try {
    await handler.ready();
  } catch (error) {
    await handler.close();
    throw new InputError(`the ledger cannot be opened: ${(error as Error).message}`);
  }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.split('?')[0] === '/healthz' && req.method === 'GET') {
      void handler.health().then((health) => {
        res.writeHead(health.ok ? 200 : 503, JSON_HEADERS);
        res.end(JSON.stringify(health));
      });
      return;
    }
    void handler.node(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new InputError(`cannot listen on ${host}:${port}: ${error.code ?? error.message}`)));
    server.listen(port, host, resolve);
  });
  const { port: bound } = server.address() as { port: number };
  log(`kosmos-idv serve: http://${host.includes(':') ? `[${host}]` : host}:${bound} (ledger: ${store.location})`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const deadline = setTimeout(() => {
    warn('shutdown took too long: exiting with work in flight (its leases run out and another process takes it over)');
    process.exit(1);
  }, SHUTDOWN_MS);
  server.close();
  server.closeIdleConnections();
  const cut = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  await handler.close();
  clearTimeout(cut);
  server.closeAllConnections();
  clearTimeout(deadline);
}
