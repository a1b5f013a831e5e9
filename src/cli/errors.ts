/** The command line was wrong (unknown command or option, missing argument): exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The input was wrong (bad key, ciphertext, file or config): exit code 1. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
