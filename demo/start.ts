/**
 * `npm start`: the whole flow on one machine, no 1Kosmos account needed.
 * - the 1Kosmos simulator on its own origin (default port 8787), so the hosted flow is
 *   cross-origin to the page, as the real one is;
 * - the backend kit at /api/idv, talking to the simulator with a freshly generated key pair;
 * - the demo site (Vite) at http://localhost:5173.
 * Ports: --port / PORT and --simulator-port / SIMULATOR_PORT. Ctrl-C stops everything.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createServer, type ViteDevServer } from 'vite';
import { createIdvHandler, generateKeyPair, type IdvHandler } from '../src/server/index.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '5173' },
    'simulator-port': { type: 'string', default: process.env.SIMULATOR_PORT ?? '8787' },
    host: { type: 'string', default: process.env.HOST ?? 'localhost' },
  },
});

function port(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) {
    console.error(`${flag} must be a port number (0-65535), got "${value}".`);
    process.exit(2);
  }
  return number;
}

function explain(error: unknown, what: string, flag: string): never {
  const code = (error as { code?: string }).code;
  console.error(
    code === 'EADDRINUSE'
      ? `The ${what} port is in use: pass ${flag} <port> (or stop what is using it).`
      : `Could not start the ${what}: ${(error as Error).message}`,
  );
  process.exit(1);
}

const sitePort = port(values.port, '--port');
const simulatorPort = port(values['simulator-port'], '--simulator-port');

let simulator: Simulator;
try {
  simulator = await startSimulator({ port: simulatorPort, host: '127.0.0.1' });
} catch (error) {
  explain(error, 'simulator', '--simulator-port');
}

const handler: IdvHandler = createIdvHandler({
  tenantDNS: simulator.tenantDNS,
  communityName: simulator.communityName,
  dvcID: 'default',
  licenseKey: simulator.licenseKey,
  keyPair: generateKeyPair(),
  tokenSecret: randomBytes(32).toString('base64url'),
  basePath: '/api/idv',
  onResult: (result, { sessionId }) => {
    console.log(`onResult: session ${sessionId} ${result.status}/${result.verification} (PII received, not logged)`);
  },
  onError: ({ stage, error, sessionId }) => {
    console.warn(`backend kit ${stage}${sessionId ? ` (${sessionId})` : ''}: ${(error as Error).message}`);
  },
});

let site: ViteDevServer;
try {
  site = await createServer({
    configFile: false,
    root: new URL('.', import.meta.url).pathname,
    server: { port: sitePort, strictPort: true, host: values.host },
    plugins: [
      {
        name: 'kosmos-idv-backend',
        configureServer(server) {
          server.middlewares.use((req, res, next) => void handler.node(req, res, next));
        },
      },
    ],
  });
  await site.listen();
} catch (error) {
  await simulator.close();
  explain(error, 'demo site', '--port');
}

const siteUrl = site.resolvedUrls?.local[0] ?? `http://localhost:${sitePort}/`;
console.log(`
  Demo site        ${siteUrl}
  Backend kit      ${new URL('api/idv', siteUrl).href}
  1Kosmos simulator ${simulator.origin}  (tenant ${simulator.tenantDNS}, community ${simulator.communityName})

  Press Ctrl-C to stop.
`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  handler.close();
  await Promise.allSettled([site.close(), simulator.close()]);
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
