/**
 * `npm start`: the simulator, the backend kit and the demo site (see servers.ts), no 1Kosmos
 * account needed. Ports: --port / PORT (5173) and --simulator-port / SIMULATOR_PORT (8787).
 * Ctrl-C stops everything.
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createPgliteStore } from '../src/server/index.js';
import { DemoStartError, resultLine, startDemo, type Demo } from './servers.js';

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

/**
 * The demo's ledger, in PGlite. The simulator forgets its sessions when it stops, so the ledger
 * starts empty too (a real deployment keeps its ledger: that is its point).
 */
const DATA_DIR = '.kosmos-idv-demo';
rmSync(DATA_DIR, { recursive: true, force: true });

let demo: Demo;
try {
  demo = await startDemo({
    port: port(values.port, '--port'),
    host: values.host,
    simulator: { port: port(values['simulator-port'], '--simulator-port') },
    kit: {
      store: createPgliteStore({ dataDir: DATA_DIR }),
      onResult: (result, context) => {
        console.log(resultLine(result, context));
      },
      onError: ({ stage, error, sessionId }) => {
        console.warn(`backend kit, ${stage}${sessionId ? ` (${sessionId})` : ''}: ${(error as Error).message}`);
      },
    },
  });
} catch (error) {
  if (error instanceof DemoStartError && error.code === 'EADDRINUSE') {
    const [flag, variable] = error.server === 'site' ? ['--port', 'PORT'] : ['--simulator-port', 'SIMULATOR_PORT'];
    console.error(`Port ${error.port} (the ${error.server === 'site' ? 'demo site' : '1Kosmos simulator'}) is taken: choose another with npm start -- ${flag} <port> (or ${variable}=<port>), or stop what is using it.`);
  } else {
    console.error((error as Error).message);
  }
  process.exit(1);
}

console.log(`
  Demo site          ${demo.url}
  Backend kit        ${new URL('api/idv', demo.url).href}
  1Kosmos simulator  ${demo.simulator.origin}  (tenant ${demo.simulator.tenantDNS}, community ${demo.simulator.communityName})
  Session ledger     PGlite in ./${DATA_DIR}

  Press Ctrl-C to stop.
`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await demo.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
