/** The command line was wrong (unknown command or option, missing argument): exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The input was wrong (bad key, ciphertext, file or config): exit code 1. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** The kit's configuration cannot be used (every problem listed): exit code 2, before anything starts. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
