/**
 * `overparam replicate du2019 | arora2019`: the experiments of Du et al. 2019 (docs/theory.md §3)
 * and of Arora et al. 2019 (true against random labels, §6), run and reported.
 */
import { Command, Option } from 'commander';
import { ARORA2019_SCALES, arora2019Setup, arora2019Specs, arora2019Spectra, arora2019Summary, type Arora2019ScaleName } from '../experiments/arora2019.js';
import { DU2019_SCALES, du2019Setup, du2019Specs, du2019Summary, type Du2019ScaleName } from '../experiments/du2019.js';
import type { Grid } from '../experiments/grid.js';
import type { RunResult } from '../experiments/run.js';
import type { RunSpec } from '../experiments/spec.js';
import { runSweep, type SweepOutcome } from '../experiments/sweep.js';
import { OptionError } from '../errors.js';
import { ACTIVATIONS } from '../activations/index.js';
import { arora2019Page, arora2019ScaleText } from '../report/arora2019-page.js';
import { du2019Page, du2019ScaleText } from '../report/du2019-page.js';
import { choice, intOption, TEST_FIELDS } from './options.js';
import { pngScaleOption, reportJson, reportLines, writePage } from './report-output.js';
import { addRunOptions, gridOfOptions, type RunOptionValues } from './run-options.js';
import { errorText, EXIT, interruptible, warn } from './run.js';
import { runLine } from './progress.js';
import { checkOutputDir, checkOutputFile } from '../io/atomic.js';

interface ReplicateCliOptions extends RunOptionValues {
  quick?: boolean;
  full?: boolean;
  widths?: string;
  results?: string;
  out?: string;
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

const EXPERIMENTS = ['du2019', 'arora2019'] as const;

export function replicateCommand(): Command {
  const a = ARORA2019_SCALES;
  const cmd = new Command('replicate')
    .summary('replicate a published experiment (du2019: Du et al. 2019, Figure 1; arora2019: Arora et al. 2019, true against random labels) and write its report')
    .description(
      'du2019 (docs/theory.md §3): n points uniform on the unit sphere in R^d, labels N(0,1), full-batch GD with one fixed step ' +
        'η = 1/λ_max of the infinite-width kernel of the data per activation (the same for every width), for several widths m, ' +
        'for ReLU and exp. Plots training loss and (ReLU) flipped activation patterns against iteration, one curve per width, and ' +
        'the largest movement max_r ‖w_r(k) − w_r(0)‖₂ against m. ' +
        'Default scale: n = 200, d = 100, widths 100…25600, 2 seeds (about a minute on 2 cores); --full: the paper\'s n = d = 1000. ' +
        'arora2019 (docs/theory.md §6, the spectral view): synthetic points uniform on the unit sphere (not the paper\'s MNIST/CIFAR), ' +
        'true labels from a random exp teacher against random labels (every label replaced, label noise 1), ReLU and exp, coupled ' +
        'initialisation (r(0) = −y), one fixed η = 1/λ_max(H^lim) per activation for both label kinds, a fixed number of steps; ' +
        'plots the loss ‖r(k)‖² against k beside the prediction Σ_i (1 − ηλ_i)^{2k} (v_iᵀy)², the labels\' energy on the eigenvectors ' +
        'of H^lim, and tabulates yᵀ(H^lim)⁻¹y and the test error on held-out points. ' +
        `Default scale: n = ${a.default.n}, d = ${a.default.d}, m = ${a.default.m}, ${a.default.seeds} seeds, ${a.default.maxSteps} steps, ${a.default.nTest} test points (about two minutes on 2 cores); ` +
        `--full: n = ${a.full.n}, d = ${a.full.d}, m = ${a.full.m}, ${a.full.maxSteps} steps (tens of minutes). ` +
        'Runs go into a results file (resumable), then the report is written. The run options below override the scale\'s values.',
    )
    .argument('<experiment>', EXPERIMENTS.join(' | '))
    .option('--quick', `tiny scale for tests (seconds): du2019 n = 20, d = 10, widths 50, 200, 800; arora2019 n = ${a.quick.n}, d = ${a.quick.d}, m = ${a.quick.m}, ${a.quick.maxSteps} steps`)
    .option('--full', "the paper's scale (du2019: n = d = 1000, widths 100, 1000, 10000) or the largest synthetic one (arora2019); long: see the warning")
    .addOption(new Option('--widths <list>', 'the same as --width').hideHelp());
  addRunOptions(cmd, 'grid', scaleGrid('default'), ['n', 'd', ...TEST_FIELDS, 'activation', 'm', 'seed', 'epsilon', 'maxSteps']);
  // the defaults differ by experiment (the description states both scales); of the held-out options only arora2019's --test-n applies
  for (const opt of cmd.options) {
    if (['--n', '--d', '--activation', '--width', '--seeds', '--epsilon', '--max-steps'].includes(opt.long ?? '')) opt.description = opt.description.replace(/ \(default [^()]*\)$/, " (default: the experiment's scale)");
    if (opt.long === '--test-n') opt.description = "arora2019: the number of held-out points, drawn from the same stream with the teacher's labels (default: the scale's)";
    if (['--test-data', '--test-labels', '--test-fraction', '--split-seed'].includes(opt.long ?? '')) opt.hideHelp();
  }
  cmd
    .option('--results <file>', 'results file (JSON lines); rerun to resume (default <experiment>-results.jsonl)')
    .option('--out <dir>', 'report directory (default <experiment>-report)')
    .option('--workers <count>', 'worker threads (default: all cores)')
    .option('--png-scale <factor>', 'PNG width as a multiple of the SVG width (default 2)')
    .option('--json', 'print the setup, the measurements and what was written as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  overparam replicate du2019\n  overparam replicate du2019 --quick --out /tmp/du\n  overparam replicate du2019 --full --workers 2\n' +
        '  overparam replicate arora2019\n  overparam replicate arora2019 --quick --out /tmp/arora\n  overparam replicate arora2019 --activation relu --width 8000 --max-steps 5000',
    )
    .action(async (experiment: string, o: ReplicateCliOptions) => {
      process.exitCode = await runReplicate(experiment, o);
    });
  return cmd;
}

/** Runs the specs through the resumable sweep, with progress lines and Ctrl-C finishing the runs in flight. */
async function sweepRuns(specs: readonly RunSpec[], results: string, workers: number | undefined, json: boolean): Promise<{ outcome: SweepOutcome; wallSeconds: number }> {
  const interrupt = interruptible(`interrupted: finishing the runs in flight; rerun the same command to resume from ${results}`);
  const lines = !(json && process.stderr.isTTY);
  const t0 = performance.now();
  let outcome;
  try {
    outcome = await runSweep(specs, results, {
      ...(workers !== undefined ? { workers } : {}),
      shouldStop: interrupt.stopped,
      onProgress: (p) => {
        if (lines && p.last) process.stderr.write(runLine(p.done, p.total, p.last));
      },
    });
  } finally {
    interrupt.release();
  }
  return { outcome, wallSeconds: (performance.now() - t0) / 1000 };
}

async function runReplicate(experiment: string, o: ReplicateCliOptions): Promise<number> {
  choice('experiment', EXPERIMENTS, experiment);
  if (o.quick && o.full) throw new OptionError('--quick and --full exclude each other');
  if (o.widths !== undefined && o.width === undefined) o.width = o.widths;
  if (experiment === 'arora2019') return runArora2019(o);
  const results = o.results ?? 'du2019-results.jsonl';
  const outDir = o.out ?? 'du2019-report';
  const scale: Du2019ScaleName = o.quick ? 'quick' : o.full ? 'full' : 'default';
  const g = gridOfOptions(o, 'grid', scaleGrid(scale));
  if (g.test !== undefined) throw new OptionError('du2019 has no held-out points (held-out points go with arora2019: --test-n)');
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
  checkOutputDir(outDir);
  checkOutputFile(results);
  const specs = du2019Specs(setup);
  const log = (s: string): void => {
    if (!o.json) process.stdout.write(s + '\n');
  };
  log(`overparam replicate du2019 (Du, Zhai, Póczos & Singh 2019, Figure 1): ${specs.length} runs`);
  log(`  ${du2019ScaleText(setup)}`);
  for (const st of setup.steps) log(`  fixed step ${st.activation}: η = ${st.eta.toPrecision(6)} = 1/λ_max(${ACTIVATIONS[st.activation].limit.symbol}), λ_max = ${st.lambdaMax.toPrecision(6)}, λ_min = ${st.lambdaMin.toPrecision(6)}`);
  if (scale === 'full') {
    warn(`--full: n = d = 1000; one GD step at m = ${Math.max(...setup.widths)} costs ~${((2 * 2 * setup.n * setup.d * Math.max(...setup.widths)) / 1e9).toFixed(0)} GFLOP and each kernel-monitor observation an n×n Gram over m and O(n³) eigensolves: expect tens of minutes to hours on a few cores. It resumes from ${results} if interrupted.`);
  }
  const { outcome, wallSeconds } = await sweepRuns(specs, results, workers, o.json === true);
  if (outcome.stopped) return 130;
  const done = outcome.results.filter((r): r is RunResult => r !== undefined);
  const failed = done.filter((r) => r.status === 'error');
  for (const r of failed.slice(0, 5)) warn(`run ${r.spec.model.activation} m=${r.spec.model.m} seed ${r.spec.model.seed} failed: ${errorText(r)}`);
  const summary = du2019Summary(done, setup);
  const rp = du2019Page(done, setup, summary, { wallSeconds });
  const written = await writePage(outDir, rp, pngScale);
  if (o.json) {
    process.stdout.write(
      JSON.stringify({ command: 'replicate', experiment: 'du2019', setup, runs: done.length, ran: outcome.ran, resumed: outcome.skipped, failed: failed.length, wallSeconds, summary, results, ...reportJson(outDir, rp, written) }, null, 2) + '\n',
    );
  } else {
    log(`  ${outcome.ran} run(s) now, ${outcome.skipped} resumed from ${results}, ${failed.length} failed; ${wallSeconds.toFixed(1)} s`);
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

/** arora2019's scale as a grid, so that the run options override it with the usual checks. */
function aroraScaleGrid(name: Arora2019ScaleName): Grid {
  const s = ARORA2019_SCALES[name];
  return {
    data: [{ inputs: 'sphere', d: s.d, labels: 'teacher', seed: 0 }],
    n: [s.n],
    width: [s.m],
    seeds: Array.from({ length: s.seeds }, (_, k) => k),
    activation: ['relu', 'exp'],
    init: ['coupled'],
    scaling: 'ntk',
    normalize: 'unit',
    eta: 'auto',
    epsilon: 1e-12,
    maxSteps: s.maxSteps,
    precision: 'f64',
    monitorEvery: 0,
    ...(s.nTest > 0 ? { test: { kind: 'synthetic' as const, n: s.nTest } } : {}),
  };
}

async function runArora2019(o: ReplicateCliOptions): Promise<number> {
  const results = o.results ?? 'arora2019-results.jsonl';
  const outDir = o.out ?? 'arora2019-report';
  const scale: Arora2019ScaleName = o.quick ? 'quick' : o.full ? 'full' : 'default';
  if (o.epsilon !== undefined) throw new OptionError('--epsilon: arora2019 has no early stop (every run takes the --max-steps budget, ε = 1e-12)', { field: 'epsilon' });
  const g = gridOfOptions(o, 'grid', aroraScaleGrid(scale));
  if (g.test !== undefined && g.test.kind !== 'synthetic') throw new OptionError('arora2019 draws its held-out points from the same stream as its data: give their number with --test-n (not --test-data or --test-fraction)');
  if (g.n.length !== 1) throw new OptionError('--n: arora2019 runs one data set; give one n');
  if (g.width.length !== 1) throw new OptionError('--width: arora2019 trains one width; give one m');
  if (g.seeds.some((s, k) => s !== k)) throw new OptionError('--seeds: arora2019 takes a number of seeds (seeds 0 … s−1)');
  const synthetic = g.data[0];
  if (!synthetic || 'path' in synthetic) throw new OptionError('arora2019 draws its own data (points on the sphere, teacher labels)');
  if (g.width[0] % 2 !== 0) throw new OptionError(`--width: arora2019 uses coupled initialisation, which needs an even width, got ${g.width[0]}`, { field: 'm' });
  const workers = o.workers === undefined ? undefined : intOption('workers', o.workers, 1);
  const pngScale = pngScaleOption(o.pngScale);
  checkOutputDir(outDir);
  checkOutputFile(results);
  const setup = arora2019Setup(scale, {
    n: g.n[0],
    d: synthetic.d,
    nTest: g.test?.kind === 'synthetic' ? g.test.n : 0,
    m: g.width[0],
    seeds: g.seeds.length,
    maxSteps: g.maxSteps,
    activations: g.activation,
  });
  const specs = arora2019Specs(setup);
  const log = (s: string): void => {
    if (!o.json) process.stdout.write(s + '\n');
  };
  log(`overparam replicate arora2019 (Arora, Du, Hu, Li & Wang 2019: true against random labels, on synthetic data): ${specs.length} runs`);
  log(`  ${arora2019ScaleText(setup)}`);
  for (const st of setup.steps) {
    log(`  fixed step ${st.activation}: η = ${st.eta.toPrecision(6)} = 1/λ_max(${ACTIVATIONS[st.activation].limit.symbol}) for true and random labels alike, λ_max = ${st.lambdaMax.toPrecision(6)}, λ_min = ${st.lambdaMin.toPrecision(6)}`);
  }
  if (scale === 'full') {
    warn(`--full: n = ${setup.n}, m = ${setup.m}; one GD step costs ~${((4 * setup.n * setup.d * setup.m) / 1e9).toFixed(1)} GFLOP, ${setup.maxSteps} steps per run, and the held-out monitor two ${setup.n}×${setup.n} eigendecompositions per run: expect tens of minutes on 2 cores. It resumes from ${results} if interrupted.`);
  }
  const { outcome, wallSeconds } = await sweepRuns(specs, results, workers, o.json === true);
  if (outcome.stopped) return 130;
  const done = outcome.results.filter((r): r is RunResult => r !== undefined);
  const failed = done.filter((r) => r.status === 'error');
  for (const r of failed.slice(0, 5)) warn(`run ${r.spec.model.activation} ${r.spec.labelNoise ? 'random' : 'true'} labels seed ${r.spec.model.seed} failed: ${errorText(r)}`);
  for (const r of done.filter((x) => x.status === 'diverged').slice(0, 5)) warn(`run ${r.spec.model.activation} ${r.spec.labelNoise ? 'random' : 'true'} labels seed ${r.spec.model.seed} diverged: ${r.message}`);
  const spectra = arora2019Spectra(setup);
  const summary = arora2019Summary(done, setup, spectra);
  const rp = arora2019Page(done, setup, summary, spectra, { wallSeconds });
  const written = await writePage(outDir, rp, pngScale);
  const spectraJson = spectra.map((sp) => ({ activation: sp.activation, labels: sp.labels, yNormSq: sp.yNormSq, rkhsNormSq: sp.rkhsNormSq, boundTerm: sp.boundTerm, ranksFor: sp.ranksFor }));
  if (o.json) {
    process.stdout.write(
      JSON.stringify(
        {
          command: 'replicate',
          experiment: 'arora2019',
          setup,
          conventions: { scaling: 'ntk (κ = 1/√m)', init: 'coupled: F(W(0), ·) = 0, r(0) = −y', loss: '‖F(W(k), X) − y‖₂² (not halved)', eta: '1/λ_max(H^lim) per activation, the same for true and random labels', labels: { true: 'teacher', random: 'label noise 1: every label replaced by a draw from the labels' }, data: 'synthetic (sphere), not MNIST/CIFAR', precision: 'f64' },
          runs: done.length,
          ran: outcome.ran,
          resumed: outcome.skipped,
          failed: failed.length,
          wallSeconds,
          spectra: spectraJson,
          summary,
          results,
          ...reportJson(outDir, rp, written),
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    log(`  ${outcome.ran} run(s) now, ${outcome.skipped} resumed from ${results}, ${failed.length} failed; ${wallSeconds.toFixed(1)} s`);
    const k1 = summary.rows[0]?.kEarly ?? 0;
    log(`  losses ‖r(k)‖² = ‖F(W(k),X) − y‖₂² (mean over seeds), the spectral prediction Σ_i (1 − ηλ_i)^{2k} (v_iᵀy)² in brackets`);
    log(`  activation  labels        ‖y‖²   yᵀH⁻¹y   √(2yᵀH⁻¹y/n)   top 50%/90%   ${`‖r(${k1})‖²`.padStart(22)}   ${`‖r(${setup.maxSteps})‖²`.padStart(22)}   test RMSE (network, kernel)`);
    for (const r of summary.rows) {
      const sp = spectra.find((x) => x.activation === r.activation && x.labels === r.labels)!;
      const p = (v: number, d = 4) => (Number.isFinite(v) ? v.toPrecision(d) : String(v));
      log(
        `  ${r.activation.padEnd(10)}  ${r.labels.padEnd(7)}  ${p(r.yNormSq).padStart(9)}  ${p(r.rkhsNormSq).padStart(7)}  ${p(r.boundTerm).padStart(13)}   ${`${sp.ranksFor[0].rank}/${sp.ranksFor[1].rank}`.padStart(11)}   ${`${p(r.lossEarly)} (${p(r.predictedEarly, 3)})`.padStart(22)}   ${`${p(r.lossFinal)} (${p(r.predictedFinal, 3)})`.padStart(22)}   ${r.testRmse === null ? '-' : p(r.testRmse)}, ${r.kernelTestRmse === null ? '-' : p(r.kernelTestRmse)}`,
      );
    }
    for (const f of summary.findings) {
      log(`  ${f.activation}: random labels left a larger fraction ‖r(k)‖²/‖y‖² of the loss than true labels in ${f.randomSlowerEarly}/${f.seeds} seed(s) at k = ${f.kEarly} (×${f.ratioEarly.toPrecision(3)}) and ${f.randomSlowerFinal}/${f.seeds} at k = ${setup.maxSteps} (×${f.ratioFinal.toPrecision(3)})`);
    }
    log(reportLines(rp, written).join('\n'));
  }
  return failed.length > 0 ? EXIT.notConverged : EXIT.ok;
}
