/**
 * The CLI's outer shell: turns typed errors into one line on stderr and an exit code, never a
 * stack trace (set OVERPARAM_DEBUG=1 to see one).
 *
 * Exit codes: 0 success (train: ε reached); 1 train ran but did not reach ε (budget, divergence,
 * interrupt); 2 bad option; 3 bad data; 4 bad model file; 5 the job queue (Redis) is unreachable
 * or refused the password; 70 internal error.
 */
import { CommanderError } from 'commander';
import picocolors from 'picocolors';
import { OverparamError, type Hint } from '../errors.js';
import { FLAG_OF, hintsText } from './run-options.js';

// colour only on a terminal (and never with NO_COLOR)
const pc = picocolors.createColors(Boolean(process.stderr.isTTY) && !('NO_COLOR' in process.env));

export const EXIT = { ok: 0, notConverged: 1, option: 2, data: 3, model: 4, internal: 70 } as const;

export function fail(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (unknown option, missing argument, --help …)
    return err.exitCode === 0 ? EXIT.ok : EXIT.option;
  }
  if (err instanceof OverparamError) {
    process.stderr.write(`${pc.red('error:')} ${errorText(err)}\n`);
    return err.exitCode;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && typeof e.message === 'string' && e.code.startsWith('E')) {
    // file-system errors while writing outputs
    process.stderr.write(`${pc.red('error:')} ${e.message}\n`);
    return EXIT.data;
  }
  process.stderr.write(`${pc.red('internal error:')} ${e?.message ?? String(err)} (please report it; OVERPARAM_DEBUG=1 shows the stack)\n`);
  if (process.env.OVERPARAM_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  return EXIT.internal;
}

/**
 * A library error in the CLI's words: the flag of its field in front, its hints as flags after. Takes
 * an OverparamError, or a failed run's result line, which keeps the error's message, field and hints.
 */
export function errorText(err: { readonly message: string; readonly field?: string; readonly hints?: readonly Hint[] }): string {
  const flag = err.field !== undefined ? FLAG_OF[err.field] : undefined;
  return `${flag ? `${flag}: ` : ''}${err.message}${hintsText(err.hints ?? [])}`;
}

export function warn(message: string): void {
  process.stderr.write(`${pc.yellow('warning:')} ${message}\n`);
}

/**
 * Ctrl-C for a long command: the first asks it to stop after the runs in flight (and says so),
 * the second quits at once. `stopped()` is the flag to poll; `release()` removes the handler.
 */
export function interruptible(message = 'interrupted: finishing the runs in flight; rerun the same command to resume from the results file'): { stopped: () => boolean; release: () => void } {
  let stop = false;
  const onSigint = (): void => {
    if (stop) process.exit(130);
    stop = true;
    warn(message);
  };
  process.on('SIGINT', onSigint);
  return { stopped: () => stop, release: () => process.off('SIGINT', onSigint) };
}
