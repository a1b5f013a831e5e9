/**
 * The demo's servers, in one call: the 1Kosmos simulator on its own origin (so the hosted flow is
 * cross-origin to the page, as the real one is), the backend kit at /api/idv talking to it with a
 * freshly generated key pair, and the demo site served by Vite. Used by `npm start` and the
 * end-to-end tests.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'vite';
import { createIdvHandler, generateKeyPair, type IdvHandlerConfig } from '../src/server/index.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/simulator/index.js';

export interface DemoOptions {
  /** The demo site's port (0: any free one). */
  port: number;
  host?: string;
  simulator?: SimulatorOptions;
  /** Added to the backend kit's configuration (hooks such as `onResult`). */
  kit?: Partial<IdvHandlerConfig>;
  /** Reload the page when a source file changes (default true; tests turn it off). */
  watch?: boolean;
}

export interface Demo {
  /** The demo site, e.g. `http://localhost:5173/`. */
  url: string;
  simulator: Simulator;
  close(): Promise<void>;
}

/** Which server could not start, and why (`code` is the listen error's, e.g. `EADDRINUSE`). */
export class DemoStartError extends Error {
  constructor(
    readonly server: 'simulator' | 'site',
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(`The ${server} could not start: ${(cause as Error).message}`, { cause });
  }
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  let simulator: Simulator;
  try {
    simulator = await startSimulator({ host: '127.0.0.1', ...options.simulator });
  } catch (error) {
    throw new DemoStartError('simulator', (error as { code?: string }).code, error);
  }
  const handler = createIdvHandler({
    tenantDNS: simulator.tenantDNS,
    communityName: simulator.communityName,
    dvcID: 'default',
    licenseKey: simulator.licenseKey,
    keyPair: generateKeyPair(),
    tokenSecret: randomBytes(32).toString('base64url'),
    basePath: '/api/idv',
    ...options.kit,
  });
  const site = await createServer({
    configFile: false,
    root: new URL('.', import.meta.url).pathname,
    logLevel: 'warn',
    server: {
      port: options.port,
      strictPort: true,
      host: options.host ?? 'localhost',
      ...(options.watch === false ? { watch: null, hmr: false } : {}),
    },
    plugins: [
      {
        name: 'kosmos-idv-backend',
        configureServer(server) {
          server.middlewares.use((req, res, next) => void handler.node(req, res, next));
        },
      },
    ],
  });
  try {
    await site.listen();
  } catch (error) {
    await Promise.allSettled([site.close(), simulator.close()]);
    throw new DemoStartError('site', (error as { code?: string }).code, error);
  }
  return {
    url: site.resolvedUrls?.local[0] ?? `http://localhost:${options.port}/`,
    simulator,
    async close() {
      handler.close();
      await Promise.allSettled([site.close(), simulator.close()]);
    },
  };
}
