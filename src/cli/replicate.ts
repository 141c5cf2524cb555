/** `overparam replicate du2019`: the experiment of Du et al. 2019 (theory.md §3), run and reported. */
import { Command } from 'commander';
import type { Activation } from '../backend/types.js';
import { du2019Setup, du2019Specs, du2019Summary, type Du2019ScaleName } from '../experiments/du2019.js';
import type { RunResult } from '../experiments/run.js';
import { runSweep } from '../experiments/sweep.js';
import { OptionError } from '../errors.js';
import { ACTIVATION_NAMES } from '../model/spec.js';
import { du2019Page, du2019ScaleText } from '../report/du2019-page.js';
import { choice, intOption, positiveOption } from './options.js';
import { pngScaleOption, reportJson, reportLines, writePage } from './report-output.js';
import { EXIT, warn } from './run.js';

interface ReplicateCliOptions {
  quick?: boolean;
  full?: boolean;
  n?: string;
  d?: string;
  widths?: string;
  seeds?: string;
  activation?: string;
  maxSteps?: string;
  epsilon?: string;
  results: string;
  out: string;
  workers?: string;
  pngScale?: string;
  json?: boolean;
}

const csv = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);

export function replicateCommand(): Command {
  return new Command('replicate')
    .summary('replicate a published experiment (du2019: Du et al. 2019, Figure 1) and write its report')
    .description(
      'du2019 (theory.md §3): n points uniform on the unit sphere in R^d, labels N(0,1), full-batch GD with one fixed step ' +
        'η = 1/λ_max of the infinite-width kernel of the data per activation (the same for every width), for several widths m, ' +
        'for ReLU and exp. Plots training loss and (ReLU) flipped activation patterns against iteration, one curve per width, and ' +
        'the largest movement max_r ‖w_r(k) − w_r(0)‖₂ against m. Runs go into a results file (resumable), then the report is written. ' +
        'Default scale: n = 200, d = 100, widths 100…25600, 2 seeds (about a minute on 2 cores); --full: the paper\'s n = d = 1000.',
    )
    .argument('<experiment>', 'du2019')
    .option('--quick', 'tiny scale for tests: n = 20, d = 10, widths 50, 200, 800 (seconds)')
    .option('--full', "the paper's scale: n = 1000, d = 1000, widths 100, 1000, 10000 (long: see the warning)")
    .option('--n <count>', 'override the number of points')
    .option('--d <dim>', 'override the input dimension')
    .option('--widths <list>', 'override the widths m, comma-separated')
    .option('--seeds <count>', 'override the number of seeds per width')
    .option('--activation <list>', 'relu,exp (default both)')
    .option('--max-steps <count>', 'override the step budget')
    .option('--epsilon <value>', 'override the target ‖F(W,X) − y‖₂ (default 1e-4)')
    .option('--results <file>', 'results file (JSON lines); rerun to resume', 'du2019-results.jsonl')
    .option('--out <dir>', 'report directory', 'du2019-report')
    .option('--workers <count>', 'worker threads (default: all cores)')
    .option('--png-scale <factor>', 'PNG width as a multiple of the SVG width (default 2)')
    .option('--json', 'print the setup, the measurements and what was written as JSON')
    .addHelpText('after', '\nExamples:\n  overparam replicate du2019\n  overparam replicate du2019 --quick --out /tmp/du\n  overparam replicate du2019 --full --workers 2')
    .action(async (experiment: string, o: ReplicateCliOptions) => {
      process.exitCode = await runReplicate(experiment, o);
    });
}

async function runReplicate(experiment: string, o: ReplicateCliOptions): Promise<number> {
  choice('experiment', ['du2019'], experiment);
  if (o.quick && o.full) throw new OptionError('--quick and --full exclude each other');
  const scale: Du2019ScaleName = o.quick ? 'quick' : o.full ? 'full' : 'default';
  const setup = du2019Setup(scale, {
    ...(o.n !== undefined ? { n: intOption('n', o.n, 2) } : {}),
    ...(o.d !== undefined ? { d: intOption('d', o.d, 1) } : {}),
    ...(o.widths !== undefined ? { widths: csv(o.widths).map((w) => intOption('widths', w, 1)) } : {}),
    ...(o.seeds !== undefined ? { seeds: intOption('seeds', o.seeds, 1) } : {}),
    ...(o.activation !== undefined ? { activations: csv(o.activation).map((a) => choice<Activation>('activation', ACTIVATION_NAMES, a)) } : {}),
    ...(o.maxSteps !== undefined ? { maxSteps: intOption('max-steps', o.maxSteps, 1) } : {}),
    ...(o.epsilon !== undefined ? { epsilon: positiveOption('epsilon', o.epsilon) } : {}),
  });
  const workers = o.workers === undefined ? undefined : intOption('workers', o.workers, 1);
  const pngScale = pngScaleOption(o.pngScale);
  const specs = du2019Specs(setup);
  const log = (s: string): void => {
    if (!o.json) process.stdout.write(s + '\n');
  };
  log(`overparam replicate du2019 (Du, Zhai, Póczos & Singh 2019, Figure 1): ${specs.length} runs`);
  log(`  ${du2019ScaleText(setup)}`);
  for (const st of setup.steps) log(`  fixed step ${st.activation}: η = ${st.eta.toPrecision(6)} = 1/λ_max(${st.activation === 'relu' ? 'H^∞' : 'H^cts'}), λ_max = ${st.lambdaMax.toPrecision(6)}, λ_min = ${st.lambdaMin.toPrecision(6)}`);
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
  const tty = process.stderr.isTTY && !o.json;
  const t0 = performance.now();
  let outcome;
  try {
    outcome = await runSweep(specs, o.results, {
      ...(workers !== undefined ? { workers } : {}),
      shouldStop: () => stop,
      onProgress: (p) => {
        if (tty && p.last) process.stderr.write(`  ${p.done}/${p.total} ${p.last.spec.model.activation} m=${p.last.spec.model.m} seed ${p.last.spec.model.seed}: ${p.last.status}, ${p.last.steps} steps, ${(p.last.timeMs / 1000).toFixed(1)} s\n`);
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  if (outcome.stopped) return 130;
  const results = outcome.results.filter((r): r is RunResult => r !== undefined);
  const failed = results.filter((r) => r.status === 'error');
  for (const r of failed.slice(0, 5)) warn(`run ${r.spec.model.activation} m=${r.spec.model.m} seed ${r.spec.model.seed} failed: ${r.message}`);
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
      if (a.slope) log(`  ${a.activation}: max movement ∝ m^${a.slope.exponent.toFixed(3)}${a.slope.ci ? ` (95% CI ${a.slope.ci[0].toFixed(2)} to ${a.slope.ci[1].toFixed(2)})` : ''} (theory.md §4 C: −1/2)`);
    }
    log(reportLines(rp, written).join('\n'));
  }
  return failed.length > 0 ? EXIT.notConverged : EXIT.ok;
}
