/** `overparam sweep`: run a grid of trainings on all cores, resumably. */
import { Command } from 'commander';
import { runLine, runsBar } from './progress.js';
import { DEFAULT_GRID, expandGrid, parseGrid, readGridFile } from '../experiments/grid.js';
import { describeRun } from '../experiments/spec.js';
import { runSweep, type SweepProgress } from '../experiments/sweep.js';
import { summarize } from '../experiments/summary.js';
import { OptionError } from '../errors.js';
import { checkOutputFile } from '../io/atomic.js';
import { provenance } from '../io/provenance.js';
import { addMemoryOption, intOption, memoryOption } from './options.js';
import { addRunOptions, gridOfOptions } from './run-options.js';
import { addQueueOptions } from './queue-options.js';
import type { SweepCliOptions } from './sweep-options.js';
import { EXIT, warn } from './run.js';
import { summaryLines } from './sweep-summary.js';

export function sweepCommand(): Command {
  const cmd = new Command('sweep')
    .summary('train a grid of networks (n × widths × seeds × activation × init × data), resumable')
    .description(
      'Expands the grid given by SPEC (a JSON or YAML file of grid fields) and/or the options below into runs, and ' +
        'executes them on worker threads. Each finished run is appended to the results file (JSON lines, one run per ' +
        'line) at once; running the same command again skips finished runs, so an interrupted sweep resumes where ' +
        'it stopped and nothing is duplicated. Every run is deterministic from its spec.',
    )
    .argument('[spec]', 'grid spec file (.json, .yaml): fields n, width, seeds, activation, init, data, scaling, normalize, eta, epsilon, maxSteps, monitorEvery, precision');
  addMemoryOption(addRunOptions(cmd, 'grid', DEFAULT_GRID))
    .option('--results <file>', 'results file (JSON lines)', 'sweep-results.jsonl')
    .option('--workers <count>', 'worker threads (default: all cores)')
    .option('--json', 'print a JSON summary')
    .option('--no-progress', 'no progress bar');
  addQueueOptions(cmd, false)
    .option('--status', 'with --queue: show how far the sweep is (queued, running, done, failed, retried)')
    .option('--collect', 'with --queue: write the finished runs to the results file now')
    .option('--no-follow', 'with --queue: enqueue and return (default: follow, then collect)')
    .option('--poll-ms <ms>', 'with --queue: interval between progress polls', '1000')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  overparam sweep --n 16,32,64 --width 256,1024,4096 --seeds 5 --activation exp,relu\n' +
        '  overparam sweep grid.yaml --results runs.jsonl     # rerun the same line to resume\n' +
        '  overparam sweep grid.yaml --queue redis://:pw@host:6379   # run on `overparam worker`s anywhere\n' +
        '\nA grid.yaml:\n  n: [16, 32, 64]\n  width: [256, 1024, 4096]\n  seeds: 5\n  activation: [exp, relu]\n  init: [gaussian, coupled]\n  epsilon: 0.01\n  maxSteps: 20000',
    )
    .action(async (spec: string | undefined, o: SweepCliOptions) => {
      process.exitCode = await runSweepCli(spec, o);
    });
  return cmd;
}

async function runSweepCli(specFile: string | undefined, o: SweepCliOptions): Promise<number> {
  const grid = gridOfOptions(o, 'grid', specFile ? parseGrid(readGridFile(specFile)) : DEFAULT_GRID);
  checkOutputFile(o.results);
  const specs = expandGrid(grid);
  if (specs.length === 0) throw new OptionError('the grid is empty');
  if (o.queue !== undefined) {
    // loaded on demand: the Redis and BullMQ clients take ~0.5 s to load, which no other command should pay
    const { runQueuedSweepCli } = await import('./sweep-queue.js');
    return runQueuedSweepCli(grid, specs, o);
  }
  if (o.status || o.collect) throw new OptionError(`--${o.status ? 'status' : 'collect'} needs --queue (a local sweep's progress is its results file)`);
  const workers = o.workers === undefined ? undefined : intOption('workers', o.workers, 1);
  const bar = runsBar('{value}/{total} runs | {failed} failed | {skipped} resumed | ETA {eta_formatted} | {last}', o.progress && !o.json);
  let started = false;
  let stop = false;
  const onProgress = (p: SweepProgress): void => {
    if (!bar) {
      if (p.last && !o.json) process.stderr.write(runLine(p.done, p.total, p.last));
      return;
    }
    const payload = { failed: p.failed, skipped: p.skipped, last: stop ? 'interrupted: finishing the runs in flight (Ctrl-C again quits now)' : p.last ? `${describeRun(p.last.spec)}: ${p.last.status}` : '' };
    if (!started) {
      bar.start(p.total, p.done, payload);
      started = true;
    } else bar.update(p.done, payload);
  };
  const onSigint = (): void => {
    if (stop) process.exit(130);
    stop = true;
    if (bar && started) bar.update({ last: 'interrupted: finishing the runs in flight (Ctrl-C again quits now)' });
    else warn('interrupted: finishing the runs in flight (Ctrl-C again quits now)');
  };
  process.on('SIGINT', onSigint);
  let outcome;
  try {
    const maxMemory = memoryOption(o.maxMemory);
    outcome = await runSweep(specs, o.results, { ...(workers ? { workers } : {}), ...(maxMemory !== undefined ? { maxMemory } : {}), onProgress, shouldStop: () => stop });
  } finally {
    bar?.stop();
    process.off('SIGINT', onSigint);
  }
  const done = outcome.results.filter((r) => r !== undefined);
  const groups = summarize(done);
  if (outcome.stopped) warn(`interrupted after ${done.length} of ${outcome.results.length} runs; every finished run is in ${o.results}: rerun the same command to resume`);
  if (o.json) {
    process.stdout.write(
      JSON.stringify({ command: 'sweep', provenance: provenance(['overparam', ...process.argv.slice(2)]), results: o.results, total: outcome.results.length, ran: outcome.ran, skipped: outcome.skipped, failed: outcome.failed, stopped: outcome.stopped, grid, groups }, null, 2) + '\n',
    );
  } else {
    const head = `overparam sweep: ${outcome.results.length} runs (${outcome.ran} ran now, ${outcome.skipped} already done, ${outcome.failed} failed) → ${o.results}`;
    process.stdout.write([head, ...summaryLines(grid, done)].join('\n') + '\n');
  }
  if (outcome.stopped) return 130;
  return outcome.failed > 0 ? EXIT.notConverged : EXIT.ok;
}
