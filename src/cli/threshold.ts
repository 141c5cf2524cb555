/** `overparam threshold`: how wide must the network be? m*(n) and its fitted exponent. */
import { Command } from 'commander';
import { DEFAULT_GRID, parseGrid, readGridFile } from '../experiments/grid.js';
import { thresholdStudy, type ThresholdCurve, type ThresholdPoint, type ThresholdStudy } from '../experiments/study.js';
import { checkOutputFile } from '../io/atomic.js';
import { provenance } from '../io/provenance.js';
import { addMemoryOption, fractionOption, intOption, memoryOption } from './options.js';
import { runLine } from './progress.js';
import { addRunOptions, gridOfOptions, type RunField, type RunOptionValues } from './run-options.js';
import { EXIT, interruptible, warn } from './run.js';

interface ThresholdCliOptions extends RunOptionValues {
  maxMemory?: string;
  delta: string;
  m0: string;
  mMax: string;
  grid: string;
  results: string;
  workers?: string;
  json?: boolean;
}

/** The width is what the search finds, so it is not an option here. */
const ALL_BUT_WIDTH: readonly RunField[] = ['data', 'labelsPath', 'labelColumn', 'synthetic', 'n', 'd', 'labelKind', 'dataSeed', 'activation', 'scaling', 'init', 'seed', 'normalize', 'eta', 'epsilon', 'maxSteps', 'monitorEvery', 'precision'];

export function thresholdCommand(): Command {
  const cmd = new Command('threshold')
    .summary('find the smallest width m*(n) at which GD reaches ε, and fit its exponent')
    .description(
      'For each n (and each activation × initialisation), searches the smallest width m* on the geometric grid ' +
        'm0·2^{j/g} at which gradient descent reaches ‖F(W,X) − y‖₂ ≤ ε within the step budget for at least a fraction ' +
        '1 − δ of the seeds: doubling until success, then bisection on the grid (about log2(m*/m0) + log2(g) probes, ' +
        'each probe = one run per seed). Then fits m* ≈ C·n^b on log-log axes and prints b with its 95% confidence ' +
        'interval beside the orders of the theory. Runs are cached in the results file, so a rerun resumes.',
    )
    .argument('[spec]', 'grid spec file (.json, .yaml); width is searched, not given');
  addMemoryOption(addRunOptions(cmd, 'grid', DEFAULT_GRID, ALL_BUT_WIDTH))
    .option('--delta <value>', 'allowed failure fraction over seeds: success needs rate ≥ 1 − δ', '0')
    .option('--m0 <width>', 'first width probed', '64')
    .option('--m-max <width>', 'largest width probed', String(2 ** 18))
    .option('--grid <g>', 'grid points per doubling of m', '4')
    .option('--results <file>', 'results file (JSON lines) caching every run', 'threshold-results.jsonl')
    .option('--workers <count>', 'worker threads (default: all cores)')
    .option('--json', 'print the study as JSON')
    .addHelpText('after', '\nExample (114 runs, about 10 s on 2 cores):\n  overparam threshold --n 8,16,32 --d 8 --seeds 3 --activation exp,relu --init gaussian,coupled --max-steps 5000 --m0 8 --grid 2 --m-max 4096')
    .action(async (spec: string | undefined, o: ThresholdCliOptions) => {
      process.exitCode = await runThreshold(spec, o);
    });
  return cmd;
}

async function runThreshold(specFile: string | undefined, o: ThresholdCliOptions): Promise<number> {
  const grid = gridOfOptions(o, 'grid', specFile ? parseGrid(readGridFile(specFile)) : DEFAULT_GRID);
  const delta = fractionOption('delta', o.delta);
  checkOutputFile(o.results);
  const m0 = intOption('m0', o.m0, 2);
  const mMax = intOption('m-max', o.mMax, m0);
  const g = intOption('grid', o.grid, 1);
  const maxMemory = memoryOption(o.maxMemory);
  const workers = o.workers === undefined ? undefined : intOption('workers', o.workers, 1);
  const interrupt = interruptible();
  const stopped = interrupt.stopped;
  // a line per finished run and per probe on stderr: a search takes minutes and must not be silent
  // (with --json on a terminal the lines would only clutter the screen above the JSON)
  const talk = !(o.json && process.stderr.isTTY);
  let study;
  try {
    study = await thresholdStudy(grid, {
      delta,
      m0,
      mMax,
      gridPerDoubling: g,
      resultsPath: o.results,
      ...(workers ? { workers } : {}),
      ...(maxMemory !== undefined ? { maxMemory } : {}),
      shouldStop: stopped,
      onProgress: (p) => {
        if (talk && p.last && p.done > p.skipped) process.stderr.write(runLine(p.done, p.total, p.last));
      },
      onProbe: ({ activation, init, n, probe }) => {
        if (talk) process.stderr.write(`probe ${activation}/${init} n=${n}: m=${probe.m} success ${(100 * probe.rate).toFixed(0)}%\n`);
      },
    });
  } finally {
    interrupt.release();
  }
  if (stopped()) return 130;
  const conventions = { scaling: grid.scaling, normalization: grid.normalize, eta: grid.eta, epsilon: grid.epsilon, maxSteps: grid.maxSteps, precision: grid.precision, data: grid.data, seeds: grid.seeds, delta, m0, gridPerDoubling: g };
  if (o.json) {
    process.stdout.write(JSON.stringify({ command: 'threshold', provenance: provenance(['overparam', ...process.argv.slice(2)]), conventions, ...study }, null, 2) + '\n');
    return undetermined(study) ? EXIT.notConverged : EXIT.ok;
  }
  const lines = [
    `overparam threshold: success = ‖F(W,X) − y‖₂ ≤ ${grid.epsilon} within ${grid.maxSteps} steps for ≥ ${(100 * (1 - delta)).toFixed(0)}% of ${grid.seeds.length} seeds`,
    `  conventions: scaling ${grid.scaling}, normalisation ${grid.normalize}, η ${grid.eta}, ${grid.precision === 'f64' ? 'float64' : 'float32'}, widths on m0·2^(j/${g}) from m0 = ${m0}; ${study.runs} runs (cached in ${o.results})`,
  ];
  for (const c of study.curves) lines.push(...curveLines(c, mMax));
  process.stdout.write(lines.join('\n') + '\n');
  return undetermined(study) ? EXIT.notConverged : EXIT.ok;
}

/** The text lines of one curve: m* per n (a bound where censored), the fit over the uncensored n, the theory. */
export function curveLines(c: ThresholdCurve, mMax: number): string[] {
  const lines = [`  ${c.activation} / ${c.init}:`];
  for (const p of c.points) {
    if (p.undetermined !== undefined) lines.push(`    n = ${String(p.n).padStart(5)}   m* undetermined: ${p.undetermined}`);
    else lines.push(`    n = ${String(p.n).padStart(5)}   ${mStarText(p, mMax)}`);
  }
  const left = leftOut(c.censored);
  if (c.fit) {
    const ci = c.fit.ci ? `, ${Math.round(100 * c.fit.level)}% CI [${c.fit.ci[0].toFixed(2)}, ${c.fit.ci[1].toFixed(2)}]` : ' (no CI with two points)';
    lines.push(`    fit: m* ≈ ${c.fit.constant.toPrecision(3)} · n^${c.fit.exponent.toFixed(2)}${ci}, R² = ${c.fit.r2.toFixed(3)}, over ${c.fit.points} uncensored n${left}`);
  } else lines.push(`    fit: needs uncensored m* at two or more n${left}`);
  lines.push(`    theory (orders, sufficient conditions): ${c.theory.join('; ')}`);
  return lines;
}

/** One point's m*: a value when bracketed by a failing width, a bound when censored. */
function mStarText(p: ThresholdPoint, mMax: number): string {
  const probes = `${p.probes.length} probe${p.probes.length === 1 ? '' : 's'}`;
  if (p.censored === 'above' || p.mStar === null) return `m* > ${p.mBelow ?? mMax} (censored: no width up to ${mMax} succeeded); ${probes}`;
  if (p.censored === 'below') return `m* ≤ ${p.mStar} (censored: the smallest width probed already succeeded); ${probes}`;
  return `m* = ${String(p.mStar).padStart(7)}   (largest failing width ${p.mBelow ?? '-'}; ${probes})`;
}

/** What the fit refused, e.g. "; left out: 2 censored below (m* ≤ the smallest width probed)", or "". */
function leftOut(c: { below: number; above: number }): string {
  const parts = [c.below > 0 ? `${c.below} censored below (m* ≤ the smallest width probed)` : '', c.above > 0 ? `${c.above} censored above (m* > the largest width probed)` : ''].filter((s) => s !== '');
  return parts.length > 0 ? `; left out: ${parts.join(', ')}` : '';
}

/** Some m* could not be read off because runs ended in errors: exit 1, like a sweep with failed runs. */
const undetermined = (study: ThresholdStudy): boolean => study.curves.some((c) => c.points.some((p) => p.undetermined !== undefined));
