#!/usr/bin/env node
/** The `overparam` command: one small file per subcommand; this one wires them up. */
import { Command } from 'commander';
import { boundsCommand } from './bounds.js';
import { dataCommand } from './data.js';
import { ntkCommand } from './ntk.js';
import { predictCommand } from './predict.js';
import { replicateCommand } from './replicate.js';
import { reportCommand } from './report.js';
import { fail } from './run.js';
import { sweepCommand } from './sweep.js';
import { thresholdCommand } from './threshold.js';
import { trainCommand } from './train.js';
import { workerCommand } from './worker.js';

// `npm run overparam -- …` runs this from the package root whatever directory the user typed it in
// (npm's INIT_CWD): go back there, so that the user's relative paths mean what they meant
if (process.env.npm_lifecycle_event === 'overparam' && process.env.INIT_CWD) {
  try {
    process.chdir(process.env.INIT_CWD);
  } catch {
    // the directory is gone: paths then resolve from the package root, as npm ran it
  }
}

// `overparam … | head` closes stdout early: that is not an error
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const program = new Command('overparam')
  .description(
    'Over-parameterised two-layer networks F(W,x) = κ Σ_r a_r exp(⟨w_r,x⟩), trained by gradient descent, ' +
      'and the quantities of their convergence theory. Start with `overparam train`.',
  )
  .version('0.1.0')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

for (const cmd of [
  trainCommand(),
  predictCommand(),
  dataCommand(),
  ntkCommand(),
  boundsCommand(),
  sweepCommand(),
  workerCommand(),
  thresholdCommand(),
  reportCommand(),
  replicateCommand(),
]) {
  program.addCommand(cmd.exitOverride().showHelpAfterError('(add --help for usage)'));
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = fail(err);
}
