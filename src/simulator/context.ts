import type { SimulatorClock } from './clock.js';
import type { SimulatorConfig } from './config.js';
import type { Faults } from './faults.js';
import type { ServiceKeys } from './keys.js';
import type { RequestGuard } from './requests.js';
import type { SessionStore } from './state.js';

/** Where the simulator listens, known once the server is up. */
export interface SimulatorAddress {
  /** `http://127.0.0.1:54321` */
  origin: string;
  /** `127.0.0.1:54321`, or the configured tenantDNS. */
  tenantDNS: string;
  /** Where people open the hosted flow: the configured publicUrl, else `origin`. */
  publicUrl: string;
}

/** Everything the routes share. */
export interface SimulatorContext {
  config: SimulatorConfig;
  clock: SimulatorClock;
  keys: ServiceKeys;
  store: SessionStore;
  faults: Faults;
  guard: RequestGuard;
  /** The HS256 key of `proof_jwt`, random per start. */
  jwtSecret: Uint8Array;
  address: SimulatorAddress;
}
