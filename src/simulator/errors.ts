/** An answer the simulator gives on purpose: a plain `{ code, message }` JSON error. */
export class SimulatorHttpError extends Error {
  override readonly name = 'SimulatorHttpError';
  constructor(
    readonly status: 400 | 401 | 404 | 409 | 413 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** A hosted-flow step that the session's state does not allow (e.g. a document before consent). */
export class SessionStepError extends Error {
  override readonly name = 'SessionStepError';
}
