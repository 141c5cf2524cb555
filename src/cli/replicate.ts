/** `overparam replicate du2019`: the experiment of Du et al. 2019 (docs/theory.md §3), run and reported. */
import { Command, Option } from 'commander';
import { DU2019_SCALES, du2019Setup, du2019Specs, du2019Summary, type Du2019ScaleName } from '../experiments/du2019.js';
import type { Grid } from '../experiments/grid.js';
import type { RunResult } from '../experiments/run.js';
import { runSweep } from '../experiments/sweep.js';
import { OptionError } from '../errors.js';
import { ACTIVATIONS } from '../activations/index.js';
import { du2019Page, du2019ScaleText } from '../report/du2019-page.js';
import { choice, intOption } from './options.js';
import { pngScaleOption, reportJson, reportLines, writePage } from './report-output.js';
import { addRunOptions, gridOfOptions, type RunOptionValues } from './run-options.js';
import { errorText, EXIT, warn } from './run.js';
import { runLine } from './progress.js';
import { checkOutputDir, checkOutputFile } from '../io/atomic.js';

interface ReplicateCliOptions extends RunOptionValues {
  quick?: boolean;
  full?: boolean;
  widths?: string;
  results: string;
  out: string;
  workers?: string;
  pngScale?: string;
  json?: boolean;
}

/** The scale's settings as a grid, so that the run options override them with the usual checks. */
function scaleGrid(name: Du2019ScaleName): Grid {
  const s = DU2019_SCALES[name];
  return {
    data: [{ inputs: 'sphere', d: s.d, labels: 'normal', seed: 0 }],
    n: [s.n],
    width: s.widths,
    seeds: Array.from({ length: s.seeds }, (_, k) => k),
    activation: ['relu', 'exp'],
    init: ['gaussian'],
    scaling: 'ntk',
    normalize: 'unit',
    eta: 'auto',
    epsilon: s.epsilon,
    maxSteps: s.maxSteps,
    precision: 'f64',
    monitorEvery: 'auto',
  };
}

export function replicateCommand(): Command {
  const cmd = new Command('replicate')
    .summary('replicate a published experiment (du2019: Du et al. 2019, Figure 1) and write its report')
    .description(
      'du2019 (docs/theory.md §3): n points uniform on the unit sphere in R^d, labels N(0,1), full-batch GD with one fixed step ' +
        'η = 1/λ_max of the infinite-width kernel of the data per activation (the same for every width), for several widths m, ' +
        'for ReLU and exp. Plots training loss and (ReLU) flipped activation patterns against iteration, one curve per width, and ' +
        'the largest movement max_r ‖w_r(k) − w_r(0)‖₂ against m. Runs go into a results file (resumable), then the report is written. ' +
        'Default scale: n = 200, d = 100, widths 100…25600, 2 seeds (about a minute on 2 cores); --full: the paper\'s n = d = 1000.',
    )
    .argument('<experiment>', 'du2019')
    .option('--quick', 'tiny scale for tests: n = 20, d = 10, widths 50, 200, 800 (seconds)')
    .option('--full', "the paper's scale: n = 1000, d = 1000, widths 100, 1000, 10000 (long: see the warning)")
    .addOption(new Option('--widths <list>', 'the same as --width').hideHelp());
  addRunOptions(cmd, 'grid', scaleGrid('default'), ['n', 'd', 'activation', 'm', 'seed', 'epsilon', 'maxSteps'])
    .option('--results <file>', 'results file (JSON lines); rerun to resume', 'du2019-results.jsonl')
    .option('--out <dir>', 'report directory', 'du2019-report')
    .option('--workers <count>', 'worker threads (default: all cores)')
    .option('--png-scale <factor>', 'PNG width as a multiple of the SVG width (default 2)')
    .option('--json', 'print the setup, the measurements and what was written as JSON')
    .addHelpText('after', '\nExamples:\n  overparam replicate du2019\n  overparam replicate du2019 --quick --out /tmp/du\n  overparam replicate du2019 --full --workers 2')
    .action(async (experiment: string, o: ReplicateCliOptions) => {
      process.exitCode = await runReplicate(experiment, o);
    });
  return cmd;
}

async function runReplicate(experiment: string, o: ReplicateCliOptions): Promise<number> {
  choice('experiment', ['du2019'], experiment);
  if (o.quick && o.full) throw new OptionError('--quick and --full exclude each other');
  const scale: Du2019ScaleName = o.quick ? 'quick' : o.full ? 'full' : 'default';
  if (o.widths !== undefined && o.width === undefined) o.width = o.widths;
  const g = gridOfOptions(o, 'grid', scaleGrid(scale));
  if (g.n.length !== 1) throw new OptionError('--n: du2019 runs one data set; give one n');
  if (g.seeds.some((s, k) => s !== k)) throw new OptionError('--seeds: du2019 takes a number of seeds (seeds 0 … s−1)');
  const synthetic = g.data[0];
  if (!synthetic || 'path' in synthetic) throw new OptionError('du2019 draws its own data (points on the sphere)');
  const setup = du2019Setup(scale, {
    n: g.n[0],
    d: synthetic.d,
    widths: g.width,
    seeds: g.seeds.length,
    activations: g.activation,
    maxSteps: g.maxSteps,
    epsilon: g.epsilon,
  });
  const workers = o.workers === undefined ? undefined : intOption('workers', o.workers, 1);
  const pngScale = pngScaleOption(o.pngScale);
  checkOutputDir(o.out);
  checkOutputFile(o.results);
  const specs = du2019Specs(setup);
  const log = (s: string): void => {
    if (!o.json) process.stdout.write(s + '\n');
  };
  log(`overparam replicate du2019 (Du, Zhai, Póczos & Singh 2019, Figure 1): ${specs.length} runs`);
  log(`  ${du2019ScaleText(setup)}`);
  for (const st of setup.steps) log(`  fixed step ${st.activation}: η = ${st.eta.toPrecision(6)} = 1/λ_max(${ACTIVATIONS[st.activation].limit.symbol}), λ_max = ${st.lambdaMax.toPrecision(6)}, λ_min = ${st.lambdaMin.toPrecision(6)}`);
  if (scale === 'full') {
    warn(`--full: n = d = 1000; one GD step at m = ${Math.max(...setup.widths)} costs ~${((2 * 2 * setup.n * setup.d * Math.max(...setup.widths)) / 1e9).toFixed(0)} GFLOP and each kernel-monitor observation an n×n Gram over m and O(n³) eigensolves: expect tens of minutes to hours on a few cores. It resumes from ${o.results} if interrupted.`);
  }
  let stop = false;
  const onSigint = (): void => {
    if (stop) process.exit(130);
    stop = true;
    warn(`interrupted: finishing the runs in flight; rerun the same command to resume from ${o.results}`);
  };
  process.on('SIGINT', onSigint);
  const lines = !(o.json && process.stderr.isTTY);
  const t0 = performance.now();
  let outcome;
  try {
    outcome = await runSweep(specs, o.results, {
      ...(workers !== undefined ? { workers } : {}),
      shouldStop: () => stop,
      onProgress: (p) => {
        if (lines && p.last) process.stderr.write(runLine(p.done, p.total, p.last));
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  if (outcome.stopped) return 130;
  const results = outcome.results.filter((r): r is RunResult => r !== undefined);
  const failed = results.filter((r) => r.status === 'error');
  for (const r of failed.slice(0, 5)) warn(`run ${r.spec.model.activation} m=${r.spec.model.m} seed ${r.spec.model.seed} failed: ${errorText(r)}`);
  const summary = du2019Summary(results, setup);
  const rp = du2019Page(results, setup, summary, { wallSeconds });
  const written = await writePage(o.out, rp, pngScale);
  if (o.json) {
    process.stdout.write(
      JSON.stringify({ command: 'replicate', experiment: 'du2019', setup, runs: results.length, ran: outcome.ran, resumed: outcome.skipped, failed: failed.length, wallSeconds, summary, results: o.results, ...reportJson(o.out, rp, written) }, null, 2) + '\n',
    );
  } else {
    log(`  ${outcome.ran} run(s) now, ${outcome.skipped} resumed from ${o.results}, ${failed.length} failed; ${wallSeconds.toFixed(1)} s`);
    log('  activation  width m   converged  steps   max movement [min, max]        flipped');
    for (const a of summary) {
      for (const r of a.rows) {
        log(
          `  ${a.activation.padEnd(10)} ${String(r.m).padStart(8)}   ${`${r.converged}/${r.seeds}`.padStart(9)}  ${r.steps.toFixed(0).padStart(5)}   ${r.maxMovement.toPrecision(4).padStart(8)} [${r.minMovement.toPrecision(3)}, ${r.maxMovementHi.toPrecision(3)}]`.padEnd(72) +
            (r.flipFraction === null ? '-' : `${(100 * r.flipFraction).toFixed(2)}%`),
        );
      }
      if (a.slope) log(`  ${a.activation}: max movement ∝ m^${a.slope.exponent.toFixed(3)}${a.slope.ci ? ` (95% CI ${a.slope.ci[0].toFixed(2)} to ${a.slope.ci[1].toFixed(2)})` : ''} (docs/theory.md §4 C: −1/2)`);
    }
    log(reportLines(rp, written).join('\n'));
  }
  return failed.length > 0 ? EXIT.notConverged : EXIT.ok;
}
