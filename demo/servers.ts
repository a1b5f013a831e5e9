/**
 * The demo's servers, in one call: the 1Kosmos simulator on its own origin (so the hosted flow is
 * cross-origin to the page, as the real one is), the backend kit at /api/idv talking to it with a
 * freshly generated key pair, and the demo site served by Vite (the main page, React and Vue
 * pages built on the fly; the CDN page and the CDN build served as they are). Used by `npm start`
 * and the end-to-end tests.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import react from '@vitejs/plugin-react';
import vue from '@vitejs/plugin-vue';
import { createServer } from 'vite';
import {
  createIdvHandler,
  createMemoryStore,
  generateKeyPair,
  type IdvHandlerConfig,
  type KosmosResult,
  type ResultContext,
} from '../src/server/index.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/simulator/index.js';

export interface DemoOptions {
  /** The demo site's port (0: any free one). */
  port: number;
  host?: string;
  simulator?: SimulatorOptions;
  /** Added to the backend kit's configuration (hooks such as `onResult`, the `store`: a memory store by default). */
  kit?: Partial<IdvHandlerConfig>;
  /** Reload the page when a source file changes (default true; tests turn it off). */
  watch?: boolean;
}

export interface Demo {
  /** The demo site, e.g. `http://localhost:5173/`. */
  url: string;
  /** The demo site at this machine's network address, when it listens on one (`host` 0.0.0.0). */
  networkUrl: string | undefined;
  simulator: Simulator;
  close(): Promise<void>;
}

/** Which server could not start on which port, and why (`code` is the listen error's, e.g. `EADDRINUSE`). */
export class DemoStartError extends Error {
  constructor(
    readonly server: 'simulator' | 'site',
    readonly port: number,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(`The ${server} could not start: ${(cause as Error).message}`, { cause });
  }
}

/** The demo's log line for a result handed to `onResult`: never the PII, only whether it came. */
export function resultLine(result: KosmosResult, { sessionId, piiMissing }: Pick<ResultContext, 'sessionId' | 'piiMissing'>): string {
  const pii = result.hasPII ? 'PII received, not logged' : piiMissing ? 'PII missing' : 'no PII';
  return `onResult: session ${sessionId} ${result.status}/${result.verification} (${pii})`;
}

const DEMO = new URL('.', import.meta.url);
const DEMO_STORE_KEY = 'kosmos-idv demo store key: not for production use';
const CDN_BUILD = new URL('../dist/cdn/', import.meta.url);

/**
 * The CDN page as any static host would serve it, with no bundler in the way: `/cdn.html` as it is
 * (Vite would rewrite its inline script) and the CDN build `dist/cdn/*.js` at `/cdn/`.
 */
function serveCdnPage(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const path = new URL(req.url ?? '/', 'http://demo').pathname;
  const file =
    path === '/cdn.html'
      ? new URL('cdn.html', DEMO)
      : /^\/cdn\/[\w-]+(\.[\w-]+)*\.js$/.test(path)
        ? new URL(path.slice('/cdn/'.length), CDN_BUILD)
        : undefined;
  if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
  const type = path.endsWith('.html') ? 'text/html' : 'text/javascript';
  readFile(file).then(
    (body) => {
      res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
    () => {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${path} not found: \`npm run build\` writes the CDN build to dist/cdn/.`);
    },
  );
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  let simulator: Simulator;
  try {
    simulator = await startSimulator({ host: '127.0.0.1', ...options.simulator });
  } catch (error) {
    throw new DemoStartError('simulator', options.simulator?.port ?? 0, (error as { code?: string }).code, error);
  }
  const handler = createIdvHandler({
    tenantDNS: simulator.tenantDNS,
    communityName: simulator.communityName,
    dvcID: 'default',
    licenseKey: simulator.licenseKey,
    // Straight to where the simulator listens (with its certificate trusted when it serves https),
    // whatever address phones reach it at.
    docuverifyUrl: simulator.docuverifyUrl,
    fetch: simulator.fetch,
    keyPair: generateKeyPair(),
    tokenSecret: randomBytes(32).toString('base64url'),
    // The demo's own key, so that results sealed before a restart still open after it. A real
    // deployment keeps its storeKey with its other secrets.
    storeKey: DEMO_STORE_KEY,
    basePath: '/api/idv',
    // A demo anyone may use, against the simulator: a real page sets authenticate or rateLimit.
    public: true,
    store: createMemoryStore(),
    ...options.kit,
  });
  const site = await createServer({
    configFile: false,
    root: DEMO.pathname,
    logLevel: 'warn',
    server: {
      port: options.port,
      strictPort: true,
      host: options.host ?? 'localhost',
      ...(options.watch === false ? { watch: null, hmr: false } : {}),
    },
    // The CDN page is not scanned for dependencies: it imports none, only the CDN build.
    optimizeDeps: { entries: ['index.html', 'react.html', 'vue.html'] },
    plugins: [
      react(),
      vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'kosmos-idv-launcher' } } }),
      {
        name: 'kosmos-idv-backend',
        configureServer(server) {
          server.middlewares.use((req, res, next) => void handler.node(req, res, next));
          server.middlewares.use(serveCdnPage);
        },
      },
    ],
  });
  try {
    await site.listen();
  } catch (error) {
    await Promise.allSettled([site.close(), simulator.close()]);
    // Vite's strictPort refusal is an Error without a code: "Port 5173 is already in use".
    const code = (error as { code?: string }).code ?? (/is already in use/.test((error as Error).message) ? 'EADDRINUSE' : undefined);
    throw new DemoStartError('site', options.port, code, error);
  }
  return {
    url: site.resolvedUrls?.local[0] ?? `http://localhost:${options.port}/`,
    networkUrl: site.resolvedUrls?.network[0],
    simulator,
    async close() {
      await Promise.allSettled([handler.close(), site.close(), simulator.close()]);
    },
  };
}
