/**
 * `overparam ntk`: the infinite-width kernel's spectrum for each model, and how far H(W(0)) is from
 * it: ‖H(W(0)) − H^lim‖₂ and ‖H(W(0)) − H^lim‖₂ / λ against width, several models on the same data
 * and the same seeds side by side (the comparison behind the softmax paper's "good perturbation").
 */
import { extname } from 'node:path';
import { Command } from 'commander';
import { createBackend } from '../backend/index.js';
import { DataError, OptionError } from '../errors.js';
import { fitPowerLaw, studentTQuantile, type PowerLawFit } from '../experiments/stats.js';
import { checkOutputFile, writeFileAtomic } from '../io/atomic.js';
import { infiniteKernel } from '../kernel/infinite.js';
import { initDistanceStats, type InitDistanceStats } from '../kernel/montecarlo.js';
import { eigvalsh, zeroToRounding } from '../linalg/eigh.js';
import { activationByName, type Activation } from '../activations/index.js';
import { describeDegeneracies, findDegeneracies } from '../data/degenerate.js';
import { kernelDistanceVsWidth } from '../report/figures.js';
import { normalizationText } from '../report/conventions.js';
import { renderPng, renderSvg } from '../report/render.js';
import type { WidthSample } from '../report/types.js';
import { bHighProb, concentrationBound } from '../theory/bounds.js';
import { fmt, table } from './format.js';
import { addMemoryOption, DATA_FIELDS, memoryLimit, normalizedDataOfGrid, probabilityOption } from './options.js';
import { checkRunMemory } from '../train/memory.js';
import { addRunOptions, gridOfOptions, TRAIN_GRID, type RunOptionValues } from './run-options.js';
import { warn } from './run.js';

interface NtkOptions extends RunOptionValues {
  delta: string;
  spectrum?: boolean;
  json?: boolean;
  figure?: string;
  maxMemory?: string;
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
  values: Float64Array;
  lambda: number;
  lambdaMax: number;
  widths: (InitDistanceStats & { relative: number; bound: number; bHighProb: number })[];
  slope: PowerLawFit | null;
}

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
    .summary('λ and the spectrum of the infinite-width kernel; Monte-Carlo ‖H(W(0)) − H^lim‖₂ against width, several models side by side')
    .description(
      'Computes the infinite-width kernel H^lim of the data for each activation (docs/theory.md §3, §5) — H^cts = ⟨x_i,x_j⟩ exp(‖x_i + x_j‖²/2) ' +
        'for exp, H^∞ = ⟨x_i,x_j⟩ (π − θ_ij)/(2π) for ReLU, ⟨x_i,x_j⟩ e^{(‖x_i‖²+‖x_j‖²)/2} sinh or cosh ⟨x_i,x_j⟩ for cosh and sinh, ' +
        '⟨x_i,x_j⟩ e^{⟨x_i,x_j⟩} for softmax — and its full spectrum: λ = λ_min, λ_max, the condition number and quantiles. With --width, ' +
        'draws W(0) and a for each seed (the same as `train --seed s`) and measures ‖H(W(0)) − H^lim‖₂ on the NTK scale (κ = 1/√m), ' +
        'its mean and spread, the ratio to λ (§4B asks for ≤ 1/4) and the log-log slope against m, beside the §4B bound where it ' +
        'applies (exp). Several activations are measured on the same data with the same seeds, in one table and one figure.',
    );
  addRunOptions(cmd, 'single', NTK_DEFAULTS, [...DATA_FIELDS, 'normalize', 'activation', 'm', 'seed'], ['activation', 'm', 'seed'])
    .option('--delta <value>', 'failure probability δ of the §4B bound', '0.1')
    .option('--spectrum', 'include every eigenvalue in --json')
    .option('--figure <file>', 'with --width: write the figure of ‖H(W(0)) − H^lim‖₂ / λ against width (.svg or .png)')
    .option('--json', 'print JSON');
  addMemoryOption(cmd)
    .addHelpText(
      'after',
      '\nExamples:\n  overparam ntk\n  overparam ntk --n 30 --d 6 --width 1000,4000,16000,64000 --seeds 5\n' +
        '  overparam ntk --activation exp,softmax,relu --width 256,1024,4096,16384 --seeds 10 --figure concentration.png\n' +
        '  overparam ntk --activation relu --data points.csv',
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
  if (o.figure !== undefined) {
    if (widths.length === 0) throw new OptionError('--figure draws the distance against width: give --width');
    if (!['.svg', '.png'].includes(extname(o.figure).toLowerCase())) throw new OptionError(`--figure ${o.figure}: unknown format (expected .svg or .png)`);
    checkOutputFile(o.figure);
  }
  const seeds = grid.seeds;
  const { limit, limitText } = memoryLimit(o.maxMemory);
  const ds = normalizedDataOfGrid(grid);
  const { n, d, X } = ds;
  // the widest W(0), and the n×n matrices: H^lim, H(W(0)), their difference, the eigensolver's work
  checkRunMemory({ n, d, m: Math.max(1, ...widths), monitor: true, reference: false }, limit, limitText);
  const parities = [...new Set(grid.activation.map((a) => activationByName(a).parity))];
  for (const parity of parities) {
    const w = describeDegeneracies(findDegeneracies(X, n, d, ds.y, parity ? { parity } : {}), ds.source);
    if (w) warn(w);
  }
  const models: ModelKernel[] = grid.activation.map((name) => {
    const activation = activationByName(name);
    const limit = infiniteKernel(activation, X, n, d);
    const values = eigvalsh(limit, n);
    // λ below the eigensolver's backward error is 0 (kernelLambdaMin): the ratio to λ of §4B has no value
    const lambda = zeroToRounding(values[0], values[n - 1], n);
    if (!(lambda > 0)) {
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
    return { activation, values, lambda, lambdaMax: values[n - 1], widths: mc, slope };
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
  if (o.figure !== undefined) figure = await writeFigure(o.figure, models, ds.source, n, d, normalizationText(ds.normalization), seeds.length);
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
    }));
    process.stdout.write(JSON.stringify({ command: 'ntk', data: { source: ds.source, n, d }, conventions, ...modelJson[0], models: modelJson, figure }, null, 2) + '\n');
    return;
  }
  let out = `overparam ntk\n${table([
    ['data', `${ds.source} (n = ${n}, d = ${d}), normalisation ${normalizationText(ds.normalization)}`],
    ['conventions', `NTK scale (κ = 1/√m), Gaussian initialisation, float64${widths.length ? `, seeds ${seeds[0]}…${seeds[seeds.length - 1]}` : ''}`],
  ])}\n`;
  for (const mk of models) {
    const { activation: act, values, lambda, lambdaMax } = mk;
    out += `${act.label}: ${act.limit.symbol} (${act.limit.method}, ${act.limit.diagonal})\n`;
    out += `${table([
      ['λ = λ_min', fmt(lambda)],
      ['λ_max', fmt(lambdaMax)],
      ['condition number', fmt(lambdaMax / lambda, 4)],
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
  if (figure) out += `wrote ${figure}\n`;
  process.stdout.write(out);
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
