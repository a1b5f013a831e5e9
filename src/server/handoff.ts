/**
 * The one-time result hand-off. 1Kosmos may return a result's PII only once, so the first result
 * that carries it (or, without PII, the first final one) is given to `onResult` and kept until
 * `onResult` succeeds: a throw or a timeout is reported and retried with exponential backoff. Each
 * session is handed over once per process; a deployment with several instances needs a sink that
 * is idempotent by session id (two instances may each see the PII when 1Kosmos's retention allows it).
 */
import type { IdvHandlerError, ResultContext } from './config.js';
import type { KosmosResult } from './result.js';

export interface HandoffOptions {
  onResult?: (result: KosmosResult, context: ResultContext) => void | Promise<void>;
  /** Told each failure; must not throw (the handler's reporter guards `onError`). */
  report?: (problem: IdvHandlerError) => void;
  /** ms one `onResult` call may take. */
  timeout: number;
  /** First retry delay, ms (doubles each time, capped at `maxRetryDelay`). */
  retryDelay?: number;
  maxRetryDelay?: number;
}

/** How many delivered session ids are remembered, so repeated PII is not handed over again. */
const REMEMBERED = 100_000;

export class ResultHandoff {
  private readonly delivered = new Set<string>();
  private readonly pending = new Map<string, { attempt: number; timer?: ReturnType<typeof setTimeout> }>();

  constructor(private readonly options: HandoffOptions) {}

  /** Results kept because `onResult` has not succeeded yet. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Hands a result with PII over, unless this session's was already handed over or is being
   * retried. Resolves when this attempt is over, successful or not: the status answer never
   * depends on the sink.
   */
  async deliver(result: KosmosResult, context: ResultContext): Promise<void> {
    const { onResult } = this.options;
    if (!onResult || this.delivered.has(context.sessionId) || this.pending.has(context.sessionId)) return;
    this.pending.set(context.sessionId, { attempt: 0 });
    await this.attempt(onResult, result, context);
  }

  /** Stops the retry timers (results still pending are dropped): for shutdown and tests. */
  close(): void {
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
  }

  private async attempt(
    onResult: NonNullable<HandoffOptions['onResult']>,
    result: KosmosResult,
    context: ResultContext,
  ): Promise<void> {
    const entry = this.pending.get(context.sessionId);
    if (!entry) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => onResult(result, context)),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`onResult did not finish within ${this.options.timeout} ms`)),
            this.options.timeout,
          );
        }),
      ]);
      this.pending.delete(context.sessionId);
      this.remember(context.sessionId);
    } catch (error) {
      entry.attempt += 1;
      const { retryDelay = 1000, maxRetryDelay = 300_000 } = this.options;
      const retryIn = Math.min(maxRetryDelay, retryDelay * 2 ** (entry.attempt - 1));
      this.options.report?.({ stage: 'onResult', error, sessionId: context.sessionId, attempt: entry.attempt, retryIn });
      entry.timer = setTimeout(() => void this.attempt(onResult, result, context), retryIn);
      unref(entry.timer);
    } finally {
      clearTimeout(timer);
    }
  }

  private remember(sessionId: string): void {
    this.delivered.add(sessionId);
    if (this.delivered.size > REMEMBERED) this.delivered.delete(this.delivered.values().next().value as string);
  }
}

/** A retry timer must not keep a Node process alive on its own (a no-op elsewhere). */
function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
