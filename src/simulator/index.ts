/**
 * A faithful local 1Kosmos: the docuverify API (encrypted, with 1Kosmos's header checks and
 * errors), the hosted verification pages, a controllable clock, PII retention and fault injection.
 *
 * ```ts
 * const sim = await startSimulator({ port: 0 });
 * // point a client at sim.tenantDNS / sim.licenseKey, drive sim.session(id) or the hosted pages
 * await sim.close();
 * ```
 */
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createApp } from './app.js';
import { selfSignedCertificate, trustingFetch } from './certificate.js';
import { createClock, type SimulatorClock } from './clock.js';
import { resolveConfig, type SimulatorOptions, type Workflow } from './config.js';
import type { SimulatorAddress, SimulatorContext } from './context.js';
import { Faults } from './faults.js';
import { ServiceKeys } from './keys.js';
import { RequestGuard } from './requests.js';
import { SessionStore, SimulatedSession, type SimulatorStats } from './state.js';

export { DEV_LICENSE_KEY, SimulatorConfigError, checkOptions } from './config.js';
export type { FaultSettings, PiiRetention, SimulatorOptions, Workflow } from './config.js';
export { SessionStepError } from './errors.js';
export { REASON_CODES } from './reasons.js';
export { SimulatedSession } from './state.js';
export type {
  DocumentOutcome,
  HostedStep,
  SeedStatus,
  SeedVerification,
  SelfieOutcome,
  SessionView,
  SimulatorStats,
} from './state.js';

/** The live fault settings (the setters validate: RangeError) and the service key rotation. */
export type SimulatorFaults = Pick<
  Faults,
  'latencyMs' | 'errorRate' | 'malformedRate' | 'update' | 'snapshot' | 'rotateKey'
>;

/** A running simulator. */
export interface Simulator {
  /** `http://127.0.0.1:54321` (`https:` with `tls`) */
  readonly origin: string;
  /** `127.0.0.1:54321`, unless configured. */
  readonly tenantDNS: string;
  readonly communityName: string;
  /** The (first) configured license key. */
  readonly licenseKey: string;
  /** `${origin}/docuverify` */
  readonly docuverifyUrl: string;
  /** Where people open the hosted flow (the `publicUrl` option), else `origin`. */
  readonly publicUrl: string;
  /**
   * A fetch for calling this simulator from the same process (the kit's `fetch` option): with
   * `tls`, one that trusts its certificate (and only it); else the global fetch.
   */
  readonly fetch: typeof fetch;
  /** The configured workflows. */
  readonly dvcIDs: Readonly<Record<string, Workflow>>;
  /** With `tls`: the self-signed certificate it serves (PEM), for a client to trust. */
  readonly certificate?: string;
  /** The docuverify service's current public key (changes with `faults.rotateKey()`). */
  readonly servicePublicKey: string;
  /** The simulator clock (ms); `advance(seconds)` moves it forward. */
  readonly clock: SimulatorClock;
  readonly faults: SimulatorFaults;
  /** Successful create calls and answered result calls, per dvcID. */
  readonly stats: SimulatorStats;
  /** Drive a session's hosted steps without HTTP (the control endpoints do the same). */
  session(id: string): SimulatedSession | undefined;
  /** Stops listening and drops open connections (pending latency waits end at once). */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Starts a simulator (port 0 by default: an ephemeral port). Throws `SimulatorConfigError` for bad
 * options and the listen error (e.g. `EADDRINUSE`) if the port is taken.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const config = resolveConfig(options);
  const closing = new AbortController();
  const clock = createClock();
  const keys = new ServiceKeys();
  const store = new SessionStore(config, clock);
  const faults = new Faults(config.faults, config.random, keys, closing.signal);
  const address: SimulatorAddress = { origin: '', tenantDNS: '', publicUrl: '' };
  const context: SimulatorContext = {
    config,
    clock,
    keys,
    store,
    faults,
    guard: new RequestGuard(keys, new Set(config.licenseKeys)),
    jwtSecret: new Uint8Array(randomBytes(32)),
    address,
  };
  const app = createApp(context);
  // The host of a URL, an IPv6 address without its brackets.
  const hostOf = (url: string) => new URL(url).hostname.replace(/^\[|\]$/g, '');
  // Where phones open the hosted flow (publicUrl) is named too, else they are refused even once they trust it.
  const hosts = [config.host];
  if (config.tenantDNS) hosts.push(hostOf(`https://${config.tenantDNS}`));
  if (config.publicUrl) hosts.push(hostOf(config.publicUrl));
  const tls = config.tls ? await selfSignedCertificate(hosts) : undefined;
  const server = (
    tls
      ? createAdaptorServer({ fetch: app.fetch, createServer: createHttpsServer, serverOptions: { key: tls.key, cert: tls.cert } })
      : createAdaptorServer({ fetch: app.fetch })
  ) as Server;
  const { port } = await listen(server, config.port, config.host);
  address.origin = `${tls ? 'https' : 'http'}://${urlHost(config.host)}:${port}`;
  address.tenantDNS = config.tenantDNS ?? `${urlHost(config.host)}:${port}`;
  address.publicUrl = config.publicUrl ?? address.origin;

  let closed: Promise<void> | undefined;
  return {
    origin: address.origin,
    tenantDNS: address.tenantDNS,
    communityName: config.communityName,
    licenseKey: config.licenseKeys[0],
    docuverifyUrl: `${address.origin}/docuverify`,
    publicUrl: address.publicUrl,
    fetch: tls ? trustingFetch(tls.cert) : globalThis.fetch,
    certificate: tls?.cert,
    dvcIDs: config.dvcIDs,
    get servicePublicKey() {
      return keys.current.publicKey;
    },
    clock,
    faults,
    get stats() {
      return store.stats();
    },
    session(id: string) {
      const record = store.get(id);
      return record && new SimulatedSession(store, record);
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
