/**
 * Typed errors. The library throws these and never prints or exits; the CLI turns each into
 * one line on stderr and the exit code below (see cli/run.ts). The library never names a
 * command-line flag: an error about one setting carries its field (the name in the run
 * description, e.g. "eta", "maxSteps") and suggestions as hints, which the CLI words as flags.
 */

/** A suggested change to one setting of a run, e.g. { field: 'eta', value: 0.001 } or { field: 'maxSteps', change: 'raise' }. */
export interface Hint {
  /** The setting, as named in RunSpec / TrainOptions (e.g. "eta", "maxSteps", "normalize", "m"). */
  readonly field: string;
  /** A value to try. */
  readonly value?: number | string;
  /** Or a direction to change it in. */
  readonly change?: 'raise' | 'lower';
}

export interface ErrorDetails {
  /** The setting the error is about. */
  readonly field?: string;
  readonly hints?: readonly Hint[];
}

export class OverparamError extends Error {
  /** Process exit code the CLI uses for this kind of error. */
  readonly exitCode: number = 1;
  readonly field?: string;
  readonly hints: readonly Hint[];
  constructor(message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    if (details.field !== undefined) this.field = details.field;
    this.hints = details.hints ?? [];
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
