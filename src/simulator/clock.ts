/**
 * The simulator's clock: real time plus an offset that tests move forward, so session lifetimes,
 * PII retention windows and the `requestid` time window can be crossed without waiting.
 */
export interface SimulatorClock {
  /** Milliseconds since the epoch, by the simulator. */
  now(): number;
  /** Moves the clock forward; `seconds` must be a finite number ≥ 0 (RangeError otherwise). */
  advance(seconds: number): void;
}

/** A clock that starts at real time. */
export function createClock(): SimulatorClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(seconds: number) {
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
        throw new RangeError('seconds must be a finite number ≥ 0');
      }
      offset += seconds * 1000;
    },
  };
}
