/** A deterministic `Clock` for the poller's tests: a queue of timers that run only when `advance` says so. */
import type { Clock } from '../../src/api/poller.js';

interface Timer {
  at: number;
  callback: () => void;
}

/** Lets every settled promise's continuation run. */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FakeClock implements Clock {
  time = 0;
  /** What `random()` answers. */
  randomValue = 1;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(id: unknown): void {
    this.timers.delete(id as number);
  }

  random(): number {
    return this.randomValue;
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.timers.size;
  }

  /** ms until the earliest timer, or `undefined` when none waits. */
  get nextDelay(): number | undefined {
    const times = [...this.timers.values()].map((timer) => timer.at);
    return times.length ? Math.min(...times) - this.time : undefined;
  }

  /** Moves time on by `ms`, running each timer that falls due in order and settling the promises it starts. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, timer]) => timer.at <= end).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      const [id, timer] = due;
      this.timers.delete(id);
      this.time = timer.at;
      timer.callback();
      await flush();
    }
    this.time = end;
    await flush();
  }
}
