/**
 * `overparam ntk`: the infinite-width kernel's spectrum for each model, and how far H(W(0)) is from
 * it: ‖H(W(0)) − H^lim‖₂ and ‖H(W(0)) − H^lim‖₂ / λ against width, several models on the same data
 * and the same seeds side by side (the comparison behind the softmax paper's "good perturbation").
 *
 * Without training (docs/theory.md §6): with test points, the infinite-width prediction
 * f_∞,k(x*) = H^lim(x*, X) P_k y at k → ∞ (kernel interpolation) and at --steps k, and its test
 * error; with --projections, the spectral view of Arora et al. 2019 (the labels' energy on the
 * eigenvectors of H^lim, the predicted residual, yᵀ(H^lim)⁻¹y). --export-kernel writes H^lim (or
 * the empirical H(W(0)) of one width and seed), --out the predictions.
 */
import { extname } from 'node:path';
import { Command } from 'commander';
import { createBackend } from '../backend/index.js';
import { DataError, OptionError } from '../errors.js';
import { fitPowerLaw, studentTQuantile, type PowerLawFit } from '../experiments/stats.js';
import { checkOutputFile, writeFileAtomic } from '../io/atomic.js';
import { formatNpy } from '../data/npy.js';
import { normalisedKernel } from '../kernel/empirical.js';
import { infiniteCrossKernel, infiniteKernel } from '../kernel/infinite.js';
import { initDistanceStats, type InitDistanceStats } from '../kernel/montecarlo.js';
import { kernelRegression, labelProjections, type LabelProjections } from '../kernel/regression.js';
import { eigh, eigvalsh, zeroToRounding, type EighResult } from '../linalg/eigh.js';
import { createModel, problemOf } from '../model/model.js';
import type { Dataset } from '../data/dataset.js';
import type { Normalization } from '../data/normalize.js';
import { cumulativeEnergyByRank } from '../report/spectral-figures.js';
import { activationByName, type Activation } from '../activations/index.js';
import { describeDegeneracies, findDegeneracies } from '../data/degenerate.js';
import { kernelDistanceVsWidth } from '../report/figures.js';
import { normalizationText } from '../report/conventions.js';
import { renderPng, renderSvg } from '../report/render.js';
import type { WidthSample } from '../report/types.js';
import { bHighProb, concentrationBound } from '../theory/bounds.js';
import { fmt, table } from './format.js';
import { addMemoryOption, DATA_FIELDS, intOption, memoryLimit, normalizedDataOfGrid, positiveOption, probabilityOption, TEST_FIELDS } from './options.js';
import { checkRunMemory } from '../train/memory.js';
import { addRunOptions, gridOfOptions, TRAIN_GRID, type RunOptionValues } from './run-options.js';
import { warn } from './run.js';

interface NtkOptions extends RunOptionValues {
  delta: string;
  spectrum?: boolean;
  json?: boolean;
  figure?: string;
  maxMemory?: string;
  steps?: string;
  eta?: string;
  projections?: boolean;
  out?: string;
  exportKernel?: string;
  seed?: string;
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** What `ntk` measures of one model. */
interface ModelKernel {
  activation: Activation;
  /** H^lim of the training inputs (n×n, NTK scale). */
  limit: Float64Array;
  values: Float64Array;
  lambda: number;
  lambdaMax: number;
  widths: (InitDistanceStats & { relative: number; bound: number; bHighProb: number })[];
  slope: PowerLawFit | null;
  regression?: Regression;
  projections?: Projections;
}

/** A test error ‖f − y*‖₂ and RMSE = ‖f − y*‖₂/√n*, with the training residual ‖r(k)‖₂ of the same k. */
interface TestError {
  testResidual: number;
  rmse: number;
  trainResidual: number;
}

/** The infinite-width prediction on the test points (docs/theory.md §6), for one activation. */
interface Regression {
  /** The step of the finite-k prediction (NTK scale) and how it was chosen; stable: η λ_max < 2. */
  eta: number;
  etaMode: 'auto' | 'fixed';
  stable: boolean;
  /** Directions left out as eigenvalue zero to rounding (the minimum-norm interpolant). */
  dropped: number;
  interpolation: TestError & { predictions: Float64Array };
  atStep: (TestError & { k: number; predictions: Float64Array }) | null;
}

/** The spectral view (Arora et al. 2019, docs/theory.md §6) of the training labels on H^lim. */
interface Projections {
  p: LabelProjections;
  eta: number;
  etaMode: 'auto' | 'fixed';
  yNormSq: number;
  dropped: number;
  cumulativeAt: { rank: number; fraction: number }[];
  ranksFor: { fraction: number; rank: number }[];
  predicted: { k: number; residual: number; residualSq: number }[];
}

/** The ranks at which the cumulative energy is printed: 1, 2, 5, 10, 10%, 50% and 90% of n (those ≤ n). */
function reportRanks(n: number): number[] {
  return [...new Set([1, 2, 5, 10, Math.ceil(0.1 * n), Math.ceil(0.5 * n), Math.ceil(0.9 * n), n].filter((r) => r >= 1 && r <= n))].sort((a, b) => a - b);
}

/** The steps k at which --projections prints the predicted residual (and --steps k, if given). */
const PROJECTION_STEPS = [10, 100, 1000, 10000];

function testError(f: Float64Array, y: Float64Array, trainResidual: number): TestError {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (f[i] - y[i]) ** 2;
  return { testResidual: Math.sqrt(s), rmse: Math.sqrt(s / y.length), trainResidual };
}

const npyPath = (flag: string, path: string): void => {
  if (extname(path).toLowerCase() !== '.npy') throw new OptionError(`${flag} ${path}: writes a .npy file (give a name ending in .npy)`);
  checkOutputFile(path);
};

/** As train's, but no widths unless asked (then 10 seeds each). */
const NTK_DEFAULTS = { ...TRAIN_GRID, width: [], seeds: Array.from({ length: 10 }, (_, k) => k) };

/** One model's ‖H(W(0)) − H^lim‖₂/λ against the first model's, seed by seed (the same W(0)): geometric mean and its 95% t-interval. */
interface PairedRatio {
  m: number;
  ratio: number;
  ci: [number, number] | null;
}

function pairedRatios(mk: ModelKernel, base: ModelKernel): PairedRatio[] {
  return mk.widths.map((s, k) => {
    const b = base.widths[k];
    const logs = Array.from(s.values, (v, i) => Math.log(v / mk.lambda / (b.values[i] / base.lambda)));
    const q = logs.length;
    const mean = logs.reduce((acc, v) => acc + v, 0) / q;
    if (q < 2) return { m: s.m, ratio: Math.exp(mean), ci: null };
    const sd = Math.sqrt(logs.reduce((acc, v) => acc + (v - mean) ** 2, 0) / (q - 1));
    const half = (studentTQuantile(0.975, q - 1) * sd) / Math.sqrt(q);
    return { m: s.m, ratio: Math.exp(mean), ci: [Math.exp(mean - half), Math.exp(mean + half)] };
  });
}

export function ntkCommand(): Command {
  const cmd = new Command('ntk')
    .summary('λ and the spectrum of the infinite-width kernel; Monte-Carlo ‖H(W(0)) − H^lim‖₂ against width; kernel regression on test points and the spectral view, without training')
    .description(
      'Computes the infinite-width kernel H^lim of the data for each activation (docs/theory.md §3, §5) — H^cts = ⟨x_i,x_j⟩ exp(‖x_i + x_j‖²/2) ' +
        'for exp, H^∞ = ⟨x_i,x_j⟩ (π − θ_ij)/(2π) for ReLU, ⟨x_i,x_j⟩ e^{(‖x_i‖²+‖x_j‖²)/2} sinh or cosh ⟨x_i,x_j⟩ for cosh and sinh, ' +
        '⟨x_i,x_j⟩ e^{⟨x_i,x_j⟩} for softmax — and its full spectrum: λ = λ_min, λ_max, the condition number and quantiles. With --width, ' +
        'draws W(0) and a for each seed (the same as `train --seed s`) and measures ‖H(W(0)) − H^lim‖₂ on the NTK scale (κ = 1/√m), ' +
        'its mean and spread, the ratio to λ (§4B asks for ≤ 1/4) and the log-log slope against m, beside the §4B bound where it ' +
        'applies (exp). Several activations are measured on the same data with the same seeds, in one table and one figure. ' +
        'With test points (--test-data, --test-fraction, --test-n; docs/theory.md §6), the test error of the infinite-width prediction ' +
        'f_∞,k(x*) = H^lim(x*, X) P_k y (an infinite network starts at F = 0, so r(0) = −y): at k → ∞ the kernel interpolation ' +
        'H^lim(x*, X) (H^lim)⁻¹ y (minimum-norm where H^lim is singular), and with --steps k after k steps of GD with --eta. ' +
        'With --projections, the spectral view of Arora et al. 2019: the energy (v_iᵀy)² of the labels on the eigenvectors of H^lim, ' +
        'the predicted residual ‖r(k)‖ = (Σ_i (1 − ηλ_i)^{2k} (v_iᵀy)²)^{1/2}, and yᵀ(H^lim)⁻¹y.',
    );
  addRunOptions(cmd, 'single', NTK_DEFAULTS, [...DATA_FIELDS, ...TEST_FIELDS, 'normalize', 'activation', 'm', 'seed'], ['activation', 'm', 'seed'])
    .option('--delta <value>', 'failure probability δ of the §4B bound', '0.1')
    .option('--spectrum', 'include every eigenvalue in --json')
    .option('--steps <k>', 'with test points: also the prediction after k steps of GD (k = 0, 1, …; the default is k → ∞ alone); with --projections: also the predicted residual at k')
    .option('--eta <value>', "the step of the predictions after k steps, on the NTK scale: a number, or 'auto' = 1/λ_max(H^lim) of each activation (default auto)")
    .option('--projections', 'the spectral view (Arora et al. 2019): the labels\' energy on the eigenvectors of H^lim, the predicted residual at a few k, yᵀ(H^lim)⁻¹y')
    .option('--out <file>', 'with test points: write the predictions (at --steps k, else at k → ∞) as .npy, shape [n*] for one activation, [A, n*] for A activations (in the order of --activation)')
    .option('--export-kernel <file>', 'write the infinite-width kernel H^lim of the training inputs as .npy (n×n, NTK scale, float64; [A, n, n] for A activations); with one --width, the empirical H(W(0)) of seed --seed instead')
    .option('--seed <int>', 'with --export-kernel and one --width: the seed of W(0) (the same as `train --seed s`; default 0)')
    .option('--figure <file>', 'with --width: write the figure of ‖H(W(0)) − H^lim‖₂ / λ against width; with --projections: the cumulative energy against eigenvalue rank (.svg or .png)')
    .option('--json', 'print JSON');
  addMemoryOption(cmd)
    .addHelpText(
      'after',
      '\nExamples:\n  overparam ntk\n  overparam ntk --n 30 --d 6 --width 1000,4000,16000,64000 --seeds 5\n' +
        '  overparam ntk --activation exp,softmax,relu --width 256,1024,4096,16384 --seeds 10 --figure concentration.png\n' +
        '  overparam ntk --activation relu --data points.csv\n' +
        '  overparam ntk --data train.csv --test-data test.csv --activation exp,relu --steps 1000 --out pred.npy\n' +
        '  overparam ntk --n 200 --d 10 --label-kind teacher --projections --figure energy.svg\n' +
        '  overparam ntk --n 50 --export-kernel H.npy --width 4096 --seed 3',
    )
    .action(async (o: NtkOptions) => {
      await runNtk(o);
    });
  return cmd;
}

async function runNtk(o: NtkOptions): Promise<void> {
  const grid = gridOfOptions(o, 'single', NTK_DEFAULTS, ['activation', 'm', 'seed']);
  const delta = probabilityOption('delta', o.delta);
  const widths = o.width === undefined ? [] : grid.width;
  const hasTest = grid.test !== undefined;
  const projections = o.projections === true;
  const steps = o.steps === undefined ? undefined : intOption('steps', o.steps, 0);
  const etaGiven = o.eta === undefined || o.eta.trim() === 'auto' ? undefined : positiveOption('eta', o.eta);
  if (steps !== undefined && !hasTest && !projections) {
    throw new OptionError('--steps k predicts after k steps: give test points (--test-data, --test-fraction or --test-n) or --projections');
  }
  if (o.eta !== undefined && steps === undefined && !projections) {
    throw new OptionError('--eta is the step of the predictions after --steps k (and of --projections\' predicted residuals); at k → ∞ the interpolation does not depend on it');
  }
  if (o.out !== undefined) {
    if (!hasTest) throw new OptionError('--out writes the predictions on the test points: give --test-data, --test-fraction or --test-n');
    npyPath('--out', o.out);
  }
  const seedGiven = o.seed === undefined ? undefined : intOption('seed', o.seed, 0);
  if (seedGiven !== undefined && o.exportKernel === undefined) throw new OptionError('--seed picks the W(0) whose empirical kernel --export-kernel writes: give --export-kernel (the Monte Carlo over seeds takes --seeds)');
  if (o.exportKernel !== undefined) {
    if (widths.length > 1) throw new OptionError(`--export-kernel with --width writes the empirical H(W(0)) of one width: give one --width, not ${widths.length}`);
    if (seedGiven !== undefined && widths.length === 0) throw new OptionError('--seed picks the W(0) of the empirical kernel: give one --width (without --width, --export-kernel writes H^lim)');
    npyPath('--export-kernel', o.exportKernel);
  }
  if (o.figure !== undefined) {
    if (projections && widths.length > 0) throw new OptionError('--figure draws one figure: the distance against width (--width) or the energy against rank (--projections); run them separately');
    if (!projections && widths.length === 0) throw new OptionError('--figure draws the distance against width: give --width (or --projections for the energy against rank)');
    if (!['.svg', '.png'].includes(extname(o.figure).toLowerCase())) throw new OptionError(`--figure ${o.figure}: unknown format (expected .svg or .png)`);
    checkOutputFile(o.figure);
  }
  const seeds = grid.seeds;
  const { limit, limitText } = memoryLimit(o.maxMemory);
  const ds = normalizedDataOfGrid(grid);
  const { n, d, X } = ds;
  const test: Dataset | undefined = ds.test;
  // the widest W(0), and the n×n matrices: H^lim, H(W(0)), their difference, the eigensolver's work (with test points, the n*×n cross-kernels too)
  checkRunMemory({ n, d, m: Math.max(1, ...widths), monitor: true, reference: false, training: false, nTest: test?.n ?? 0 }, limit, limitText);
  const parities = [...new Set(grid.activation.map((a) => activationByName(a).parity))];
  for (const parity of parities) {
    const w = describeDegeneracies(findDegeneracies(X, n, d, ds.y, parity ? { parity } : {}), ds.source);
    if (w) warn(w);
  }
  const needVectors = hasTest || projections;
  const models: ModelKernel[] = grid.activation.map((name) => {
    const activation = activationByName(name);
    const limit = infiniteKernel(activation, X, n, d);
    // eigh's eigenvalues are eigvalsh's bit for bit (the same QL sweeps; the vectors ride along)
    const eigen: EighResult | undefined = needVectors ? eigh(limit, n) : undefined;
    const values = eigen ? eigen.values : eigvalsh(limit, n);
    // λ below the eigensolver's backward error is 0 (kernelLambdaMin): the ratio to λ of §4B has no value
    const lambda = zeroToRounding(values[0], values[n - 1], n);
    if (!(lambda > 0) && (widths.length > 0 || !needVectors)) {
      throw new DataError(`λ_min(${activation.limit.symbol}) = ${values[0].toPrecision(3)} is 0 to rounding: the limit kernel of ${activation.label} is singular on ${ds.source}, and the ratio ‖H(W(0)) − ${activation.limit.symbol}‖₂ / λ of docs/theory.md §4B is undefined`);
    }
    const backend = createBackend({ activation, onNotice: warn });
    const mc = widths.map((m) => {
      const st = initDistanceStats({ activation, X, n, d, m, seeds, limit, backend });
      const B = bHighProb(m, n, delta);
      return { ...st, relative: st.mean / lambda, bHighProb: B, bound: activation.theory.apriori ? concentrationBound(n, B, m, delta) : NaN };
    });
    let slope: PowerLawFit | null = null;
    if (mc.length >= 2) {
      try {
        slope = fitPowerLaw(mc.map((s) => s.m), mc.map((s) => s.mean));
      } catch {
        slope = null; // a zero distance: nothing to fit on log axes
      }
    }
    const lambdaMax = values[n - 1];
    const eta = etaGiven ?? 1 / lambdaMax;
    const etaMode = etaGiven === undefined ? 'auto' : 'fixed';
    const mk: ModelKernel = { activation, limit, values, lambda, lambdaMax, widths: mc, slope };
    if (test && eigen) mk.regression = regressionOf(activation, limit, eigen, X, n, d, ds.y, test, eta, etaMode, steps);
    if (projections && eigen) mk.projections = projectionsOf(limit, eigen, n, ds.y, eta, etaMode, steps);
    return mk;
  });
  const conventions = {
    activations: models.map((m) => m.activation.name),
    scaling: 'ntk',
    kappa: '1/√m',
    init: 'gaussian',
    normalization: ds.normalization,
    precision: 'f64',
    seeds,
    delta,
  };
  let figure: string | null = null;
  if (o.figure !== undefined) {
    figure = projections
      ? await writeEnergyFigure(o.figure, models, ds.source, n, d, normalizationText(ds.normalization))
      : await writeFigure(o.figure, models, ds.source, n, d, normalizationText(ds.normalization), seeds.length);
  }
  const predictionK = steps ?? Infinity;
  let predictions: { path: string; shape: number[]; k: number | 'infinity' } | null = null;
  if (o.out !== undefined && test) {
    const rows = models.map((mk) => (steps !== undefined ? mk.regression!.atStep!.predictions : mk.regression!.interpolation.predictions));
    const shape = rows.length === 1 ? [test.n] : [rows.length, test.n];
    const flat = new Float64Array(rows.length * test.n);
    rows.forEach((r, i) => flat.set(r, i * test.n));
    writeFileAtomic(o.out, formatNpy(flat, shape));
    predictions = { path: o.out, shape, k: predictionK === Infinity ? 'infinity' : predictionK };
  }
  let exported: ExportedKernel | null = null;
  if (o.exportKernel !== undefined) exported = exportKernel(o.exportKernel, models, ds, widths[0], seedGiven ?? 0);
  const regressionConventions = test
    ? {
        kernel: 'H^lim, the infinite-width kernel of each activation, on the NTK scale (κ = 1/√m)',
        start: 'F_∞(W(0), ·) = 0, so r(0) = −y (docs/theory.md §6)',
        prediction: 'f_∞,k(x*) = H^lim(x*, X) P_k y, P_k = η Σ_{j<k} (I − ηH^lim)^j; k → ∞: H^lim(x*, X) (H^lim)⁺ y, the minimum-norm interpolant',
        eta: etaGiven === undefined ? 'auto: 1/λ_max(H^lim) of each activation (NTK scale)' : etaGiven,
        steps: steps ?? null,
        testError: '‖f − y*‖₂ and RMSE = ‖f − y*‖₂/√n*',
        normalization: normalizationText(ds.normalization) + ', fitted on the training inputs and applied to the test inputs',
      }
    : null;
  const zeroTest = test ? testError(new Float64Array(test.n), test.y, Number.NaN) : null;
  if (o.json) {
    const modelJson = models.map((mk) => ({
      activation: mk.activation.name,
      kernel: mk.activation.limit.symbol,
      method: mk.activation.limit.method,
      lambda: mk.lambda,
      lambdaMax: mk.lambdaMax,
      condition: mk.lambdaMax / mk.lambda,
      quantiles: Object.fromEntries([0, 0.1, 0.25, 0.5, 0.75, 0.9, 1].map((q) => [String(q), quantile(mk.values, q)])),
      spectrum: o.spectrum ? Array.from(mk.values) : undefined,
      initDistance: mk.widths.map(({ values: v, ...rest }) => ({ ...rest, values: Array.from(v) })),
      slope: mk.slope ? { exponent: mk.slope.exponent, ci: mk.slope.ci } : null,
      ...(mk !== models[0] && widths.length > 0 ? { pairedRatioTo: { activation: models[0].activation.name, ratios: pairedRatios(mk, models[0]) } } : {}),
      ...(mk.regression ? { regression: regressionJson(mk.regression) } : {}),
      ...(mk.projections ? { projections: projectionsJson(mk.projections) } : {}),
    }));
    const extra = {
      ...(test ? { test: { source: test.source, n: test.n, zeroPredictor: { testResidual: zeroTest!.testResidual, rmse: zeroTest!.rmse } }, regressionConventions } : {}),
      ...(predictions ? { predictions } : {}),
      ...(exported ? { exportKernel: exported } : {}),
    };
    process.stdout.write(JSON.stringify({ command: 'ntk', data: { source: ds.source, n, d }, conventions, ...modelJson[0], models: modelJson, figure, ...extra }, null, 2) + '\n');
    return;
  }
  let out = `overparam ntk\n${table([
    ['data', `${ds.source} (n = ${n}, d = ${d}), normalisation ${normalizationText(ds.normalization)}`],
    ...(test ? [['test points', `${test.source} (n* = ${test.n}), normalised as the training inputs`] as [string, string]] : []),
    ['conventions', `NTK scale (κ = 1/√m), Gaussian initialisation, float64${widths.length ? `, seeds ${seeds[0]}…${seeds[seeds.length - 1]}` : ''}`],
  ])}\n`;
  for (const mk of models) {
    const { activation: act, values, lambda, lambdaMax } = mk;
    out += `${act.label}: ${act.limit.symbol} (${act.limit.method}, ${act.limit.diagonal})\n`;
    out += `${table([
      ['λ = λ_min', lambda > 0 ? fmt(lambda) : `0 to rounding (computed ${fmt(values[0], 3)}): the kernel is singular`],
      ['λ_max', fmt(lambdaMax)],
      ['condition number', lambda > 0 ? fmt(lambdaMax / lambda, 4) : '∞'],
      ['spectrum', `min ${fmt(values[0], 4)}, 10% ${fmt(quantile(values, 0.1), 4)}, median ${fmt(quantile(values, 0.5), 4)}, 90% ${fmt(quantile(values, 0.9), 4)}, max ${fmt(values[n - 1], 4)}`],
    ])}\n`;
    if (mk.widths.length) {
      out += `  ‖H(W(0)) − ${act.limit.symbol}‖₂ over ${seeds.length} seeds (threshold of §4B: λ/4 = ${fmt(lambda / 4, 4)})\n`;
      out += `        m        mean          sd         min         max      mean/λ${act.theory.apriori ? `   §4B bound (δ = ${delta})` : ''}\n`;
      for (const s of mk.widths) {
        out += `  ${String(s.m).padStart(7)}  ${fmt(s.mean, 4).padStart(10)}  ${fmt(s.sd, 4).padStart(10)}  ${fmt(s.min, 4).padStart(10)}  ${fmt(s.max, 4).padStart(10)}  ${fmt(s.relative, 4).padStart(10)}${act.theory.apriori ? `   ${fmt(s.bound, 4)}` : ''}\n`;
      }
      if (mk.slope) out += `  log-log slope of the mean against m: ${mk.slope.exponent.toFixed(3)}${mk.slope.ci ? ` (95% CI [${mk.slope.ci[0].toFixed(3)}, ${mk.slope.ci[1].toFixed(3)}])` : ''}; Hoeffding's rate is m^{−1/2}\n`;
    }
  }
  if (models.length > 1 && widths.length > 0) {
    out += `comparison: mean ‖H(W(0)) − H^lim‖₂ / λ over the same ${seeds.length} seeds (§4B holds below 1/4)\n`;
    out += `        m  ${models.map((mk) => mk.activation.label.padStart(12)).join('')}\n`;
    widths.forEach((m, k) => {
      out += `  ${String(m).padStart(7)}  ${models.map((mk) => fmt(mk.widths[k].relative, 4).padStart(12)).join('')}\n`;
    });
    const base = models[0];
    out += `paired over the seeds (the same W(0) for every model): geometric mean of the ratio to ${base.activation.label}, 95% t-interval\n`;
    for (const mk of models.slice(1)) {
      const pr = pairedRatios(mk, base);
      out += `  ${mk.activation.label.padEnd(8)} ${pr.map((p) => `m = ${p.m}: ${fmt(p.ratio, 3)}${p.ci ? ` [${fmt(p.ci[0], 3)}, ${fmt(p.ci[1], 3)}]` : ''}`).join('; ')}\n`;
    }
  }
  if (test) out += regressionText(models, test, zeroTest!, etaGiven, steps);
  if (projections) out += projectionsText(models, n, ds.source);
  if (figure) out += `wrote ${figure}\n`;
  if (predictions) out += `wrote ${predictions.path}: the predictions ${predictions.k === 'infinity' ? 'at k → ∞ (kernel interpolation)' : `after k = ${predictions.k} steps`}, shape [${predictions.shape.join(', ')}]${predictions.shape.length === 2 ? ` (rows: ${models.map((mk) => mk.activation.name).join(', ')})` : ''}, float64\n`;
  if (exported) out += `wrote ${exported.path}: ${exported.what}, shape [${exported.shape.join(', ')}]${exported.shape.length === 3 ? ` (${exported.activations.join(', ')})` : ''}, NTK scale, float64\n`;
  process.stdout.write(out);
}

/** The infinite-width prediction of one activation on the test points: at k → ∞, and at --steps k with η (docs/theory.md §6). */
function regressionOf(activation: Activation, H: Float64Array, eigen: EighResult, X: Float64Array, n: number, d: number, y: Float64Array, test: Dataset, eta: number, etaMode: 'auto' | 'fixed', steps: number | undefined): Regression {
  const cross = infiniteCrossKernel(activation, test.X, test.n, X, n, d);
  const bad = cross.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new DataError(`the cross-kernel ${activation.limit.symbol}(x*, X) is ${cross[bad]} at test point ${Math.floor(bad / n) + 1}, training point ${(bad % n) + 1}: the test inputs are too large for it`, { field: 'normalize', hints: [{ field: 'normalize', value: 'unit' }] });
  const r0 = Float64Array.from(y, (v) => -v);
  // k → ∞ is the interpolation whatever the (stable) step: take 1/λ_max, where every 1 − ηλ_i lies in [0, 1)
  const interp = kernelRegression({ H, n, cross, nTest: test.n, r0, eta: 1 / eigen.values[n - 1], eigen });
  const f = interp.predict(Infinity);
  const stepped = etaMode === 'auto' ? interp : kernelRegression({ H, n, cross, nTest: test.n, r0, eta, eigen });
  let atStep: Regression['atStep'] = null;
  if (steps !== undefined) {
    const fk = stepped.predict(steps);
    atStep = { k: steps, ...testError(fk, test.y, stepped.trainResidualNorm(steps)), predictions: fk };
  }
  return { eta, etaMode, stable: stepped.stable, dropped: interp.dropped, interpolation: { ...testError(f, test.y, interp.trainResidualNorm(Infinity)), predictions: f }, atStep };
}

function projectionsOf(H: Float64Array, eigen: EighResult, n: number, y: Float64Array, eta: number, etaMode: 'auto' | 'fixed', steps: number | undefined): Projections {
  const p = labelProjections(H, n, y, eigen);
  let yNormSq = 0;
  for (const v of y) yNormSq += v * v;
  const ks = [...new Set([...PROJECTION_STEPS, ...(steps !== undefined ? [steps] : [])])].sort((a, b) => a - b);
  const rankFor = (q: number): number => {
    for (let i = 0; i < n; i++) if (p.cumulative[i] >= q - 1e-12) return i + 1;
    return n;
  };
  return {
    p,
    eta,
    etaMode,
    yNormSq,
    dropped: Array.from(p.values).filter((v) => v === 0).length,
    cumulativeAt: reportRanks(n).map((rank) => ({ rank, fraction: p.cumulative[rank - 1] })),
    ranksFor: [0.5, 0.9, 0.99].map((fraction) => ({ fraction, rank: rankFor(fraction) })),
    predicted: ks.map((k) => {
      const sq = p.predictedResidualSq(eta, k);
      return { k, residual: Math.sqrt(sq), residualSq: sq };
    }),
  };
}

const jsonNumber = (v: number): number | string => (Number.isFinite(v) ? v : String(v));

function regressionJson(r: Regression) {
  const te = (e: TestError) => ({ testResidual: e.testResidual, rmse: e.rmse, trainResidual: e.trainResidual });
  return {
    eta: r.eta,
    etaMode: r.etaMode,
    stable: r.stable,
    dropped: r.dropped,
    interpolation: { k: 'infinity', ...te(r.interpolation) },
    atStep: r.atStep ? { k: r.atStep.k, ...te(r.atStep) } : null,
  };
}

function projectionsJson(pr: Projections) {
  const n = pr.p.values.length;
  return {
    eigenvalues: Array.from(pr.p.values),
    energy: Array.from(pr.p.energy),
    cumulative: Array.from(pr.p.cumulative),
    yNormSq: pr.yNormSq,
    rkhsNormSq: jsonNumber(pr.p.rkhsNormSq),
    boundTerm: jsonNumber(Math.sqrt((2 * pr.p.rkhsNormSq) / n)),
    dropped: pr.dropped,
    cumulativeAt: pr.cumulativeAt,
    ranksFor: pr.ranksFor,
    eta: pr.eta,
    etaMode: pr.etaMode,
    predicted: pr.predicted,
  };
}

function regressionText(models: readonly ModelKernel[], test: Dataset, zero: TestError, etaGiven: number | undefined, steps: number | undefined): string {
  let out = `kernel regression on the ${test.n} test points, without training (docs/theory.md §6): the infinite-width prediction f_∞,k(x*) = H^lim(x*, X) P_k y\n`;
  out += `  H^lim on the NTK scale (κ = 1/√m); an infinite network starts at F = 0, so r(0) = −y; k → ∞ is the kernel interpolation H^lim(x*, X) (H^lim)⁻¹ y (minimum-norm: directions of eigenvalue 0 to rounding dropped)\n`;
  if (steps !== undefined) out += `  after k = ${steps} steps of GD with ${etaGiven === undefined ? 'η = 1/λ_max(H^lim) of each activation' : `η = ${fmt(etaGiven)} (NTK scale)`}\n`;
  out += `  activation  kernel        η            k   ‖f − y*‖₂        RMSE   train ‖r(k)‖₂   dropped\n`;
  const row = (mk: ModelKernel, eta: string, k: string, e: TestError, dropped: number | string) =>
    `  ${mk.activation.name.padEnd(10)}  ${mk.activation.limit.symbol.padEnd(8)}  ${eta.padStart(10)}  ${k.padStart(6)}  ${fmt(e.testResidual, 5).padStart(10)}  ${fmt(e.rmse, 5).padStart(10)}  ${fmt(e.trainResidual, 4).padStart(14)}   ${String(dropped).padStart(7)}\n`;
  for (const mk of models) {
    const r = mk.regression!;
    out += row(mk, '-', '∞', r.interpolation, r.dropped);
    if (r.atStep) out += row(mk, fmt(r.eta, 4), String(r.atStep.k), r.atStep, r.dropped);
    if (r.atStep && !r.stable) out += `  ${mk.activation.name}: η λ_max = ${fmt(r.eta * mk.lambdaMax, 4)} ≥ 2: the recursion diverges (docs/theory.md §6, stability of the step)\n`;
  }
  out += `  for scale: predicting 0 gives ‖y*‖₂ = ${fmt(zero.testResidual, 5)}, RMSE ${fmt(zero.rmse, 5)}\n`;
  return out;
}

function projectionsText(models: readonly ModelKernel[], n: number, source: string): string {
  let out = `spectral view (Arora, Du, Hu, Li & Wang 2019; docs/theory.md §6): the labels y of ${source} on the eigenvectors v_i of H^lim (rank 1 = largest λ_i)\n`;
  for (const mk of models) {
    const pr = mk.projections!;
    const rkhs = pr.p.rkhsNormSq;
    out += `${mk.activation.label} (${mk.activation.limit.symbol}): ‖y‖² = ${fmt(pr.yNormSq, 5)}${pr.dropped ? `; ${pr.dropped} eigenvalue(s) 0 to rounding (the kernel is singular)` : ''}\n`;
    out += `  cumulative energy Σ_{j≤i} (v_jᵀy)²/‖y‖²: ${pr.cumulativeAt.map((c) => `i = ${c.rank}: ${fmt(c.fraction, 3)}`).join(', ')}\n`;
    out += `  the top ${pr.ranksFor.map((r) => `${r.rank}`).join(', ')} of ${n} eigenvectors hold ${pr.ranksFor.map((r) => `${100 * r.fraction}%`).join(', ')} of ‖y‖²\n`;
    out += `  yᵀ(H^lim)⁻¹y = ${Number.isFinite(rkhs) ? fmt(rkhs, 5) : '∞ (y has energy on a direction of eigenvalue 0)'}, √(2 yᵀ(H^lim)⁻¹y / n) = ${Number.isFinite(rkhs) ? fmt(Math.sqrt((2 * rkhs) / n), 4) : '∞'} (Arora et al.'s generalisation bound grows with it)\n`;
    out += `  predicted ‖r(k)‖₂ = (Σ_i (1 − ηλ_i)^{2k} (v_iᵀy)²)^{1/2}, r(0) = −y, η = ${fmt(pr.eta, 4)}${pr.etaMode === 'auto' ? ' = 1/λ_max' : ''}: ${pr.predicted.map((q) => `k = ${q.k}: ${fmt(q.residual, 4)}`).join(', ')}\n`;
  }
  return out;
}

interface ExportedKernel {
  path: string;
  kernel: 'infinite' | 'empirical';
  what: string;
  activations: string[];
  shape: number[];
  scale: 'ntk';
  m?: number;
  seed?: number;
  init?: 'gaussian';
}

/** Writes H^lim (or, with a width, the empirical H(W(0)) of one seed) of the training inputs, one n×n block per activation. */
function exportKernel(path: string, models: readonly ModelKernel[], ds: Dataset & { normalization: Normalization }, m: number | undefined, seed: number): ExportedKernel {
  const { n, d } = ds;
  const blocks = models.map((mk) => {
    if (m === undefined) return mk.limit;
    const model = createModel({ activation: mk.activation.name, scaling: 'ntk', init: 'gaussian', m, seed }, mk.activation, d, ds.normalization);
    const backend = createBackend({ activation: mk.activation, onNotice: warn });
    return normalisedKernel(backend, problemOf(model, ds.X, ds.y, n), model.W0);
  });
  const shape = blocks.length === 1 ? [n, n] : [blocks.length, n, n];
  const flat = new Float64Array(blocks.length * n * n);
  blocks.forEach((b, i) => flat.set(b, i * n * n));
  writeFileAtomic(path, formatNpy(flat, shape));
  const symbols = models.map((mk) => mk.activation.limit.symbol).join(', ');
  return m === undefined
    ? { path, kernel: 'infinite', what: `the infinite-width kernel ${symbols} of the training inputs`, activations: models.map((mk) => mk.activation.name), shape, scale: 'ntk' }
    : { path, kernel: 'empirical', what: `the empirical kernel H(W(0)) at width m = ${m}, seed ${seed} (Gaussian initialisation, as \`train --seed ${seed}\`)`, activations: models.map((mk) => mk.activation.name), shape, scale: 'ntk', m, seed, init: 'gaussian' };
}

/** The cumulative energy of the labels against eigenvalue rank, one curve per activation (--projections --figure). */
async function writeEnergyFigure(path: string, models: readonly ModelKernel[], source: string, n: number, d: number, normalization: string): Promise<string> {
  const spec = cumulativeEnergyByRank(
    models.map((mk) => ({ label: `${mk.activation.label} (${mk.activation.limit.symbol})`, cumulative: mk.projections!.p.cumulative })),
    {
      conventions: { data: source.includes(`n=${n}`) ? source : `${source} (n = ${n}, d = ${d})`, normalisation: normalization, kernel: 'H^lim (infinite width, NTK scale)', precision: 'float64' },
    },
  );
  const svg = await renderSvg(spec);
  writeFileAtomic(path, extname(path).toLowerCase() === '.png' ? renderPng(svg) : svg);
  return path;
}

async function writeFigure(path: string, models: readonly ModelKernel[], source: string, n: number, d: number, normalization: string, seeds: number): Promise<string> {
  const points: WidthSample[] = models.flatMap((mk) =>
    mk.widths.flatMap((s) => Array.from(s.values, (v, k) => ({ series: `${mk.activation.label} (${mk.activation.limit.symbol})`, m: s.m, value: v / mk.lambda, seed: k }))),
  );
  const spec = kernelDistanceVsWidth(points, {
    relative: true,
    conventions: { data: source.includes(`n=${n}`) ? source : `${source} (n = ${n}, d = ${d})`, normalisation: normalization, scaling: 'ntk (κ = 1/√m)', init: 'gaussian', precision: 'float64', seeds: String(seeds) },
    rules: [{ name: '§4B threshold: ‖H(W(0)) − H^lim‖₂ = λ/4', y: 0.25, style: 'dashed', color: '#555' }],
  });
  const svg = await renderSvg(spec);
  writeFileAtomic(path, extname(path).toLowerCase() === '.png' ? renderPng(svg) : svg);
  return path;
}
