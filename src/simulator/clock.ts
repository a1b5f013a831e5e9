/**
 * The simulator's clock: real time plus an offset that tests move forward, so session lifetimes,
 * PII retention windows and the `requestid` time window can be crossed without waiting.
 */
export interface SimulatorClock {
  /** Milliseconds since the epoch, by the simulator. */
  now(): number;
  /**
   * Moves the clock forward; `seconds` must be a number ≥ 0 that keeps the clock within a century
   * of real time (RangeError otherwise).
   */
  advance(seconds: number): void;
}

/** How far the clock may be moved in all: dates stay well inside what `Date` can hold. */
const MAX_OFFSET_S = 100 * 365 * 24 * 3600;

/** A clock that starts at real time. */
export function createClock(): SimulatorClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(seconds: number) {
      if (typeof seconds !== 'number' || !(seconds >= 0) || offset / 1000 + seconds > MAX_OFFSET_S) {
        throw new RangeError('seconds must be a number ≥ 0, and the clock moves a century at most');
      }
      offset += seconds * 1000;
    },
  };
}
