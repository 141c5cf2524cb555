#!/usr/bin/env node
/** The `overparam` command: one small file per subcommand; this one wires them up. */
import { Command, Option } from 'commander';
import { OptionError } from '../errors.js';
import { boundsCommand } from './bounds.js';
import { dataCommand } from './data.js';
import { ntkCommand } from './ntk.js';
import { predictCommand } from './predict.js';
import { replicateCommand } from './replicate.js';
import { reportCommand } from './report.js';
import { fail } from './run.js';
import { sweepCommand } from './sweep.js';
import { studyCommand } from './study.js';
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

const commands = [
  trainCommand(),
  predictCommand(),
  dataCommand(),
  ntkCommand(),
  boundsCommand(),
  sweepCommand(),
  workerCommand(),
  thresholdCommand(),
  studyCommand(),
  reportCommand(),
  replicateCommand(),
];

/** The held-out options (docs/theory.md §6): a command without them names the commands that take them, instead of "unknown option". */
const HELD_OUT_FLAGS = ['--test-data', '--test-labels', '--test-fraction', '--split-seed', '--test-n'];
const takesHeldOut = commands.filter((c) => c.options.some((o) => o.long === '--test-data')).map((c) => c.name());
for (const cmd of commands) {
  const missing = HELD_OUT_FLAGS.filter((flag) => !cmd.options.some((o) => o.long === flag));
  if (missing.length > 0) {
    for (const flag of missing) cmd.addOption(new Option(`${flag} <value>`).hideHelp());
    cmd.hook('preAction', (c) => {
      const given = missing.filter((f) => c.getOptionValue(f.slice(2).replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase())) !== undefined);
      if (given.length > 0) throw new OptionError(`\`overparam ${c.name()}\` does not take ${given.join(', ')}: held-out points go with ${takesHeldOut.map((n) => `\`${n}\``).join(', ')}`);
    });
  }
  program.addCommand(cmd.exitOverride().showHelpAfterError('(add --help for usage)'));
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = fail(err);
}
