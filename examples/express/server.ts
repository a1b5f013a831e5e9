/**
 * A real Express app using the backend kit: it serves a static page with <kosmos-idv-launcher>
 * (the CDN build, from dist/cdn/) and mounts `createIdvHandler` at /api/idv, next to its own
 * routes. Its 1Kosmos is the local simulator, started in-process with a generated key pair; for a
 * real tenant, put your tenant DNS, community, dvcID, license key and key pair in the config.
 *
 *   npm run build && npx tsx examples/express/server.ts   (PORT, SIMULATOR_PORT: default 3000, 8787)
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createIdvHandler, createPgliteStore, generateKeyPair, type IdvHandler, type LedgerStore } from '../../src/server/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Where `npm run build` writes the CDN build. */
export const CDN_DIR = resolve(here, '../../dist/cdn');

export interface ExampleOptions {
  /** The 1Kosmos the kit talks to. */
  simulator: Simulator;
  /** The folder served at `/` beside the page (default {@link CDN_DIR}). */
  cdnDir?: string;
  /** The session ledger (default: PGlite in ./.kosmos-idv; `createPostgresStore` for several instances). */
  store?: LedgerStore;
}

/** The app and its handler (call `handler.close()` when stopping). */
export function createApp({ simulator, cdnDir = CDN_DIR, store = createPgliteStore({ dataDir: '.kosmos-idv' }) }: ExampleOptions): { app: express.Express; handler: IdvHandler } {
  const handler = createIdvHandler({
    tenantDNS: simulator.tenantDNS,
    communityName: simulator.communityName,
    dvcID: 'default',
    licenseKey: simulator.licenseKey,
    keyPair: generateKeyPair(),
    tokenSecret: randomBytes(32).toString('base64url'),
    // Keep the storeKey with your other secrets: results sealed under it wait in the ledger across restarts.
    storeKey: process.env.IDV_STORE_KEY ?? randomBytes(32).toString('base64url'),
    store,
    basePath: '/api/idv',
    // Anyone may create sessions here (against the simulator); your app sets authenticate (its own
    // session, say) or rateLimit instead, or the kit warns at start-up.
    public: true,
    onResult: (result, { sessionId }) => {
      // The place to store the decision (and the PII, which 1Kosmos may return only once).
      console.log(`session ${sessionId}: ${result.status}/${result.verification ?? '-'}${result.hasPII ? ' (with PII)' : ''}`);
    },
    onError: ({ stage, error, sessionId }) => {
      console.warn(`kosmos-idv ${stage}${sessionId ? ` ${sessionId}` : ''}: ${(error as Error).message}`);
    },
  });
  const app = express();
  app.disable('x-powered-by');
  app.use('/api/idv', handler.node);
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(express.static(resolve(here, 'public')));
  app.use(express.static(cdnDir));
  return { app, handler };
}

/** Exits with one line saying which port is taken and how to choose another (`npm start` takes 8787 too). */
function exitIfTaken(error: NodeJS.ErrnoException, port: number, what: string, variable: string): never {
  if (error.code !== 'EADDRINUSE') throw error;
  console.error(`Port ${port} (${what}) is taken: choose another with ${variable}=<port>, or stop what is using it.`);
  process.exit(1);
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const simulatorPort = Number(process.env.SIMULATOR_PORT ?? 8787);
  const simulator = await startSimulator({ port: simulatorPort }).catch((error: NodeJS.ErrnoException) =>
    exitIfTaken(error, simulatorPort, 'the 1Kosmos simulator', 'SIMULATOR_PORT'),
  );
  if (!existsSync(resolve(CDN_DIR, 'kosmos-idv-launcher.js'))) {
    console.warn('dist/cdn/kosmos-idv-launcher.js is missing: run `npm run build` first.');
  }
  const { app, handler } = createApp({ simulator });
  const server = app.listen(port, '127.0.0.1', (error?: NodeJS.ErrnoException) => {
    if (error) exitIfTaken(error, port, 'the Express app', 'PORT');
    console.log(`Express example: http://localhost:${port}/  (1Kosmos simulator at ${simulator.origin})`);
  });
  const stop = () => {
    void handler.close();
    server.close();
    server.closeAllConnections();
    void simulator.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
