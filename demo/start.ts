/**
 * `npm start`: the simulator, the backend kit and the demo site (see servers.ts), no 1Kosmos
 * account needed. Ports: --port / PORT (5173) and --simulator-port / SIMULATOR_PORT (8787).
 * For a phone on the same network (`qr` mode): --host 0.0.0.0 serves the site and the simulator on
 * every interface, the simulator over https (a self-signed certificate) at this machine's network
 * address; or --public-url / PUBLIC_URL names a tunnel or proxy (serving https) that forwards to
 * the simulator. Ctrl-C stops everything.
 */
import { rmSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import { isLoopbackHost } from '../src/contract/http.js';
import { createPgliteStore } from '../src/server/index.js';
import type { SimulatorOptions } from '../src/simulator/index.js';
import { DemoStartError, resultLine, startDemo, type Demo } from './servers.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '5173' },
    'simulator-port': { type: 'string', default: process.env.SIMULATOR_PORT ?? '8787' },
    host: { type: 'string', default: process.env.HOST ?? 'localhost' },
    'public-url': { type: 'string', default: process.env.PUBLIC_URL },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function port(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) fail(`${flag} must be a port number (0-65535), got "${value}".`);
  return number;
}

/** This machine's first IPv4 address on a network (not loopback). */
function networkAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal)?.address;
}

/** Where the simulator listens and the address its hosted-flow URLs (and so the QR code) carry. */
function simulatorOptions(host: string, simulatorPort: number, publicUrl: string | undefined): SimulatorOptions {
  if (publicUrl !== undefined) return { port: simulatorPort, host: isLoopbackHost(host) ? '127.0.0.1' : host, publicUrl };
  if (isLoopbackHost(host)) return { port: simulatorPort };
  const address = networkAddress();
  if (!address) fail(`--host ${host}: this machine has no network address a phone could reach; give --public-url.`);
  if (simulatorPort === 0) fail(`--host ${host} needs a fixed --simulator-port: the QR code carries it.`);
  // The element opens only https: hosted URLs off this machine, so the simulator serves https.
  return { port: simulatorPort, host, tls: true, publicUrl: `https://${address}:${simulatorPort}` };
}

/**
 * The demo's ledger, in PGlite. The simulator forgets its sessions when it stops, so the ledger
 * starts empty too (a real deployment keeps its ledger: that is its point).
 */
const DATA_DIR = '.kosmos-idv-demo';
rmSync(DATA_DIR, { recursive: true, force: true });

const simulator = simulatorOptions(values.host, port(values['simulator-port'], '--simulator-port'), values['public-url']);
let demo: Demo;
try {
  demo = await startDemo({
    port: port(values.port, '--port'),
    host: values.host,
    simulator,
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

const phone = demo.simulator.publicUrl === demo.simulator.origin
  ? []
  : [
      `  On a phone          hosted flows (and the QR code) at ${demo.simulator.publicUrl}${demo.simulator.certificate ? ' (a self-signed certificate: accept the warning once)' : ''}`,
      ...(demo.networkUrl ? [`                      the demo site at ${demo.networkUrl}`] : []),
    ];
console.log(
  [
    '',
    `  Demo site          ${demo.url}`,
    `  Backend kit        ${new URL('api/idv', demo.url).href}`,
    `  1Kosmos simulator  ${demo.simulator.origin}  (tenant ${demo.simulator.tenantDNS}, community ${demo.simulator.communityName})`,
    ...phone,
    `  Session ledger     PGlite in ./${DATA_DIR}`,
    '',
    '  Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await demo.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
