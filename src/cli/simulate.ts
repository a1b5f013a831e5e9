/** `simulate`: runs the local 1Kosmos simulator until SIGINT or SIGTERM. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOptions, startSimulator, type SimulatorOptions } from '../simulator/index.js';
import { InputError, UsageError } from './errors.js';
import { readJsonFile } from './input.js';

/** The command-line options of `simulate` (strings, as parsed). */
export interface SimulateFlags {
  port?: string;
  host?: string;
  licenseKey?: string;
  sessionLifetime?: string;
  config?: string;
  tls?: boolean;
}

const DEFAULT_PORT = 8787;

async function readConfig(file: string): Promise<SimulatorOptions> {
  const json = await readJsonFile(file, (message) => new InputError(message));
  const problems = checkOptions(json);
  if (problems.length > 0) throw new InputError(problems.map((problem) => `${file}: ${problem}`).join('\n'));
  return json as SimulatorOptions;
}

function flagOptions(flags: SimulateFlags): SimulatorOptions {
  const options: SimulatorOptions = {};
  if (flags.port !== undefined) {
    if (!/^\d{1,5}$/.test(flags.port) || Number(flags.port) > 65535) {
      throw new UsageError('--port must be an integer from 0 to 65535');
    }
    options.port = Number(flags.port);
  }
  if (flags.host !== undefined) {
    if (flags.host.trim() === '') throw new UsageError('--host must not be empty');
    options.host = flags.host;
  }
  if (flags.licenseKey !== undefined) {
    if (flags.licenseKey.trim() === '') throw new UsageError('--license-key must not be empty');
    options.licenseKeys = [flags.licenseKey];
  }
  if (flags.tls) options.tls = true;
  if (flags.sessionLifetime !== undefined) {
    const seconds = Number(flags.sessionLifetime);
    if (flags.sessionLifetime.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
      throw new UsageError('--session-lifetime must be a positive number of seconds');
    }
    options.sessionLifetime = seconds;
  }
  return options;
}

/** The simulator options: defaults, then the config file (if any), then the command-line flags. */
export async function simulatorOptions(flags: SimulateFlags): Promise<SimulatorOptions> {
  const fromFlags = flagOptions(flags);
  const fromFile = flags.config === undefined ? {} : await readConfig(flags.config);
  return { port: DEFAULT_PORT, ...fromFile, ...fromFlags };
}

/** Starts the simulator, prints how to reach it, and resolves once it has stopped on a signal. */
export async function simulate(flags: SimulateFlags, print: (line: string) => void): Promise<void> {
  const options = await simulatorOptions(flags);
  const sim = await startSimulator(options).catch((error: NodeJS.ErrnoException) => {
    if (['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'ENOTFOUND', 'EAI_AGAIN'].includes(error.code ?? '')) {
      throw new InputError(`cannot listen on ${options.host ?? '127.0.0.1'}:${options.port}: ${error.code}`);
    }
    throw error;
  });
  // The certificate goes to a file for clients to trust (NODE_EXTRA_CA_CERTS=<file>). The simulator
  // is closed and the file removed however this ends (a failed write included: no CLI left listening).
  let certificateDir: string | undefined;
  try {
    let certificate: string | undefined;
    if (sim.certificate !== undefined) {
      certificateDir = await mkdtemp(join(tmpdir(), 'kosmos-idv-simulator-'));
      certificate = join(certificateDir, 'certificate.pem');
      await writeFile(certificate, sim.certificate);
    }
    const workflows = Object.entries(sim.dvcIDs)
      .map(([name, { selfie }]) => `${name} (${selfie ? 'document + selfie' : 'document only'})`)
      .join(', ');
    const pii = { off: false, ttl: -1, ...options.piiRetention };
    print('1Kosmos simulator running');
    print(`  origin:             ${sim.origin}`);
    print(`  tenantDNS:          ${sim.tenantDNS}`);
    print(`  community:          ${sim.communityName}`);
    print(`  dvcIDs:             ${workflows}`);
    print(`  license key:        ${sim.licenseKey}`);
    print(`  service public key: ${sim.servicePublicKey}`);
    print(`  PII retention:      ${pii.off ? 'off (never returned)' : `ttl ${pii.ttl}`}`);
    print(`  control endpoints:  ${sim.origin}/_simulator/`);
    if (certificate) {
      print(`  certificate:        ${certificate}`);
      print(`                      (self-signed: trust it, e.g. NODE_EXTRA_CA_CERTS=${certificate}, or skip verification)`);
    }
    print('Stop with Ctrl+C.');
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  } finally {
    try {
      await sim.close();
    } finally {
      if (certificateDir) await rm(certificateDir, { recursive: true, force: true });
    }
  }
  print('1Kosmos simulator stopped');
}
