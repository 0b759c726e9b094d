/**
 * Errors that carry their exit code, so the CLI and the actions map them in one place:
 * 0 success, 1 a gate failed, 2 bad usage or bad input.
 */
export const EXIT_OK = 0;
export const EXIT_GATE_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** Bad input from the user (a file, a column, a model): exit 2, message shown as is. */
export class InputError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
  constructor(
    message: string,
    readonly location?: { file: string; line?: number; column?: number },
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** Bad command-line or action usage: exit 2. */
export class UsageError extends Error {
  readonly exitCode = EXIT_BAD_INPUT;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
