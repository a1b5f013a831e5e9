/**
 * Fault injection on docuverify API calls: added latency, a rate of `503 { code, message }`
 * answers and a rate of malformed `200` answers (non-JSON, or a `data` that does not decrypt).
 * A faulted call never reaches the session state. Randomness is injectable so tests are
 * deterministic: each call draws one number for the error rate (when above 0), then, if not an
 * error, one for the malformed rate (when above 0), then, for a malformed result call, one to pick
 * its kind (< 0.5: undecryptable `data`; otherwise non-JSON).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { checkFaults, type FaultSettings } from './config.js';
import type { ServiceKeys } from './keys.js';

/** What a call gets: the real answer or one of the injected faults. */
export type FaultDraw = 'none' | 'error' | 'non_json' | 'undecryptable';

/** The live fault settings (the setters validate: RangeError) and the service key rotation. */
export class Faults implements FaultSettings {
  private settings: FaultSettings;

  constructor(
    settings: FaultSettings,
    private readonly random: () => number,
    private readonly keys: ServiceKeys,
    private readonly closing: AbortSignal,
  ) {
    this.settings = { ...settings };
  }

  /**
   * Replaces the service key pair: answers carry the new public key, and callers still encrypting
   * for the old one get 401 (their `licensekey` no longer decrypts) until they fetch the new key.
   */
  rotateKey(): string {
    return this.keys.rotate().publicKey;
  }

  get latencyMs(): number {
    return this.settings.latencyMs;
  }
  set latencyMs(value: number) {
    this.update({ latencyMs: value });
  }
  get errorRate(): number {
    return this.settings.errorRate;
  }
  set errorRate(value: number) {
    this.update({ errorRate: value });
  }
  get malformedRate(): number {
    return this.settings.malformedRate;
  }
  set malformedRate(value: number) {
    this.update({ malformedRate: value });
  }

  /** Changes some settings at once; RangeError (nothing changed) if any is invalid. */
  update(changes: Partial<FaultSettings>): FaultSettings {
    const problems = checkFaults(changes);
    if (problems.length > 0) throw new RangeError(problems.join('; '));
    this.settings = { ...this.settings, ...changes };
    return this.snapshot();
  }

  snapshot(): FaultSettings {
    return { ...this.settings };
  }

  /** Waits the configured latency (ends early, rejecting, when the simulator closes). */
  async delay(): Promise<void> {
    if (this.settings.latencyMs > 0) {
      await sleep(this.settings.latencyMs, undefined, { signal: this.closing });
    }
  }

  /** Decides the fate of one call; `resultCall` calls can also get an undecryptable body. */
  draw(resultCall: boolean): FaultDraw {
    if (this.settings.errorRate > 0 && this.random() < this.settings.errorRate) return 'error';
    if (this.settings.malformedRate > 0 && this.random() < this.settings.malformedRate) {
      return resultCall && this.random() < 0.5 ? 'undecryptable' : 'non_json';
    }
    return 'none';
  }
}
