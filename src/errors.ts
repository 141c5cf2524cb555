/**
 * Typed errors. The library throws these and never prints or exits; the CLI turns each into
 * one line on stderr and the exit code below (see cli/run.ts).
 */
export class OverparamError extends Error {
  /** Process exit code the CLI uses for this kind of error. */
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A bad command-line option or API argument (unknown value, out of range). Exit code 2. */
export class OptionError extends OverparamError {
  override readonly exitCode = 2;
}

/** Input data that cannot be used: unreadable, malformed, non-finite, wrong shape. Exit code 3. */
export class DataError extends OverparamError {
  override readonly exitCode = 3;
}

/** A model file that cannot be read, or does not fit the data it is applied to. Exit code 4. */
export class ModelError extends OverparamError {
  override readonly exitCode = 4;
}
