/**
 * The simulator's settings: their types, defaults and validation. The same checks serve
 * `startSimulator(options)` and the CLI's `--config file.json`, so each problem is reported
 * once, in words a person can act on.
 */

/** A workflow (dvcID) of the simulated tenant. */
export interface Workflow {
  /** Whether the hosted flow asks for a selfie after the document. */
  selfie: boolean;
  /** This workflow's PII retention, where it differs from the simulator's `piiRetention`. */
  piiRetention?: Partial<PiiRetention>;
}

/** The seed's PII-retention settings (`pii_retention_off`, `pii_retention_ttl`). */
export interface PiiRetention {
  /** `true`: PII is deleted at completion and never returned. */
  off: boolean;
  /** −1: returned once, on the first result call after completion; 0: for 7 days; > 0: for that many seconds. */
  ttl: number;
}

/** Injected faults on docuverify API calls. */
export interface FaultSettings {
  /** Added to every docuverify call, in milliseconds of real time. */
  latencyMs: number;
  /** Share (0..1) of docuverify calls answered with `503 { code, message }`. */
  errorRate: number;
  /** Share (0..1) of docuverify calls answered with `200` and a non-JSON or undecryptable body. */
  malformedRate: number;
}

/** Options of `startSimulator`; every field is optional. */
export interface SimulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** The tenant's DNS name as callers send it; default `{host}:{port}`. */
  tenantDNS?: string;
  /**
   * The origin people reach the simulator at when it is not where it listens (a phone on the same
   * network, a tunnel): the hosted-flow URLs use it. Default: the origin it listens on.
   */
  publicUrl?: string;
  /** Default `default`. */
  communityName?: string;
  /** Default `{ default: { selfie: false }, selfie: { selfie: true } }`. */
  dvcIDs?: Record<string, Workflow>;
  /** Accepted license keys; default one fixed development key ({@link DEV_LICENSE_KEY}). */
  licenseKeys?: string[];
  /** Session lifetime in seconds; default 7 days. */
  sessionLifetime?: number;
  /** Default `{ off: false, ttl: -1 }`. */
  piiRetention?: Partial<PiiRetention>;
  /** Default: no faults. */
  faults?: Partial<FaultSettings>;
  /** Whether hosted pages may be framed; default `true`. */
  frameable?: boolean;
  /**
   * Serve https with a self-signed certificate generated at start (`Simulator.certificate`), as
   * clients that only speak `https://{tenantDNS}` need (1Kosmos's own helpers); default `false`.
   */
  tls?: boolean;
  /**
   * Add `sessionStatus` and `verificationStatus` (the seed's words) to every result, fields that
   * no 1Kosmos document or published sample shows; default `false`: only the documented fields
   * (`sessionResult`, `responseStatus` and the samples' shapes).
   */
  undocumentedFields?: boolean;
  /** At most this many sessions are kept; the oldest are pruned first. Default 10 000. */
  maxSessions?: number;
  /** Source of randomness for faults (0 ≤ n < 1); default `Math.random`. */
  random?: () => number;
}

/** Options with every default filled in. */
export interface SimulatorConfig {
  port: number;
  host: string;
  tenantDNS: string | undefined;
  publicUrl: string | undefined;
  communityName: string;
  dvcIDs: Record<string, Workflow>;
  licenseKeys: string[];
  sessionLifetime: number;
  piiRetention: PiiRetention;
  faults: FaultSettings;
  frameable: boolean;
  tls: boolean;
  undocumentedFields: boolean;
  maxSessions: number;
  random: () => number;
}

/** The license key the simulator accepts when none is configured. */
export const DEV_LICENSE_KEY = 'kosmos-idv-simulator-dev-license';

export const SEVEN_DAYS_SECONDS = 7 * 24 * 60 * 60;

export const DEFAULT_CONFIG: Readonly<Omit<SimulatorConfig, 'random'>> = {
  port: 0,
  host: '127.0.0.1',
  tenantDNS: undefined,
  publicUrl: undefined,
  communityName: 'default',
  dvcIDs: { default: { selfie: false }, selfie: { selfie: true } },
  licenseKeys: [DEV_LICENSE_KEY],
  sessionLifetime: SEVEN_DAYS_SECONDS,
  piiRetention: { off: false, ttl: -1 },
  faults: { latencyMs: 0, errorRate: 0, malformedRate: 0 },
  frameable: true,
  tls: false,
  undocumentedFields: false,
  maxSessions: 10_000,
};

/** Bad settings; `problems` holds one sentence per problem. */
export class SimulatorConfigError extends Error {
  override readonly name = 'SimulatorConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid simulator settings: ${problems.join('; ')}`);
  }
}

const SETTINGS = new Set([
  'port',
  'host',
  'tenantDNS',
  'publicUrl',
  'communityName',
  'dvcIDs',
  'licenseKeys',
  'sessionLifetime',
  'piiRetention',
  'faults',
  'frameable',
  'tls',
  'undocumentedFields',
  'maxSessions',
  'random',
]);
const HOST_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isNonBlank = (value: unknown): value is string =>
  typeof value === 'string' && value.trim() !== '';

const describe = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

/** Problems with fault settings (all optional); used by the config and the control endpoint. */
export function checkFaults(input: unknown, prefix = 'faults'): string[] {
  if (!isRecord(input)) return [`${prefix} must be an object, got ${describe(input)}`];
  const problems: string[] = [];
  for (const key of Object.keys(input)) {
    const value = input[key];
    if (key === 'latencyMs') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 600_000) {
        problems.push(`${prefix}.latencyMs must be a number of milliseconds from 0 to 600000`);
      }
    } else if (key === 'errorRate' || key === 'malformedRate') {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
        problems.push(`${prefix}.${key} must be a number from 0 to 1`);
      }
    } else {
      problems.push(`${prefix}.${key} is not a fault setting (latencyMs, errorRate, malformedRate)`);
    }
  }
  return problems;
}

function checkDvcIDs(value: unknown): string[] {
  if (!isRecord(value) || Object.keys(value).length === 0) {
    return ['dvcIDs must be an object with at least one workflow, e.g. { "default": { "selfie": false } }'];
  }
  const problems: string[] = [];
  for (const [name, workflow] of Object.entries(value)) {
    if (name.trim() === '') problems.push('dvcIDs must not contain a blank dvcID');
    else if (!isRecord(workflow) || typeof workflow.selfie !== 'boolean') {
      problems.push(`dvcIDs.${name} must be { "selfie": true | false }`);
    } else if (Object.keys(workflow).some((key) => key !== 'selfie' && key !== 'piiRetention')) {
      problems.push(`dvcIDs.${name} may only have a "selfie" flag and a "piiRetention"`);
    } else if (workflow.piiRetention !== undefined) {
      problems.push(...checkPiiRetention(workflow.piiRetention).map((problem) => `dvcIDs.${name}.${problem}`));
    }
  }
  return problems;
}

function checkPiiRetention(value: unknown): string[] {
  if (!isRecord(value)) return [`piiRetention must be an object, got ${describe(value)}`];
  const problems: string[] = [];
  for (const [key, setting] of Object.entries(value)) {
    if (key === 'off') {
      if (typeof setting !== 'boolean') problems.push('piiRetention.off must be true or false');
    } else if (key === 'ttl') {
      if (!Number.isInteger(setting) || (setting as number) < -1) {
        problems.push('piiRetention.ttl must be an integer: -1 (once), 0 (7 days) or a number of seconds');
      }
    } else {
      problems.push(`piiRetention.${key} is not a setting (off, ttl)`);
    }
  }
  return problems;
}

function checkSetting(key: string, value: unknown): string[] {
  switch (key) {
    case 'port':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535
        ? []
        : ['port must be an integer from 0 to 65535'];
    case 'host':
      return isNonBlank(value) ? [] : ['host must be a non-empty string, e.g. "127.0.0.1"'];
    case 'tenantDNS':
      return typeof value === 'string' && HOST_PORT.test(value)
        ? []
        : ['tenantDNS must be a host name with an optional port, e.g. "127.0.0.1:8787"'];
    case 'publicUrl':
      return typeof value === 'string' && /^https?:\/\/[^/?#]+\/?$/i.test(value) && URL.canParse(value)
        ? []
        : ['publicUrl must be an http(s) origin, e.g. "https://192.168.1.20:8787"'];
    case 'communityName':
      return isNonBlank(value) ? [] : ['communityName must be a non-empty string'];
    case 'dvcIDs':
      return checkDvcIDs(value);
    case 'licenseKeys':
      return Array.isArray(value) && value.length > 0 && value.every(isNonBlank)
        ? []
        : ['licenseKeys must be a non-empty array of non-empty strings'];
    case 'sessionLifetime':
      return typeof value === 'number' && Number.isFinite(value) && value > 0
        ? []
        : ['sessionLifetime must be a positive number of seconds'];
    case 'piiRetention':
      return checkPiiRetention(value);
    case 'faults':
      return checkFaults(value);
    case 'frameable':
    case 'tls':
    case 'undocumentedFields':
      return typeof value === 'boolean' ? [] : [`${key} must be true or false`];
    case 'maxSessions':
      return Number.isInteger(value) && (value as number) >= 1
        ? []
        : ['maxSessions must be a positive integer'];
    case 'random':
      return typeof value === 'function' ? [] : ['random must be a function returning a number in [0, 1)'];
    default:
      return [`"${key}" is not a simulator setting`];
  }
}

/**
 * Every problem with a settings object (from code or a parsed JSON file); empty when it is valid.
 * Fields that are `undefined` are treated as absent.
 */
export function checkOptions(input: unknown): string[] {
  if (!isRecord(input)) return [`settings must be a JSON object, got ${describe(input)}`];
  return Object.entries(input)
    .filter(([key, value]) => value !== undefined || !SETTINGS.has(key))
    .flatMap(([key, value]) => checkSetting(key, value));
}

/** Validates options and fills in the defaults; throws {@link SimulatorConfigError}. */
export function resolveConfig(options: SimulatorOptions = {}): SimulatorConfig {
  const problems = checkOptions(options);
  if (problems.length > 0) throw new SimulatorConfigError(problems);
  return {
    port: options.port ?? DEFAULT_CONFIG.port,
    host: options.host ?? DEFAULT_CONFIG.host,
    tenantDNS: options.tenantDNS,
    publicUrl: options.publicUrl === undefined ? undefined : new URL(options.publicUrl).origin,
    communityName: options.communityName ?? DEFAULT_CONFIG.communityName,
    dvcIDs: structuredClone(options.dvcIDs ?? DEFAULT_CONFIG.dvcIDs),
    licenseKeys: [...(options.licenseKeys ?? DEFAULT_CONFIG.licenseKeys)],
    sessionLifetime: options.sessionLifetime ?? DEFAULT_CONFIG.sessionLifetime,
    piiRetention: { ...DEFAULT_CONFIG.piiRetention, ...options.piiRetention },
    faults: { ...DEFAULT_CONFIG.faults, ...options.faults },
    frameable: options.frameable ?? DEFAULT_CONFIG.frameable,
    tls: options.tls ?? DEFAULT_CONFIG.tls,
    undocumentedFields: options.undocumentedFields ?? DEFAULT_CONFIG.undocumentedFields,
    maxSessions: options.maxSessions ?? DEFAULT_CONFIG.maxSessions,
    random: options.random ?? Math.random,
  };
}
