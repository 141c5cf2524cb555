/** `overparam ntk`: the infinite-width kernel's spectrum, and how far H(W(0)) is from it. */
import { Command } from 'commander';
import { createBackend } from '../backend/index.js';
import type { Activation } from '../backend/types.js';
import { warn } from './run.js';
import { fitPowerLaw } from '../experiments/stats.js';
import { infiniteKernel } from '../kernel/infinite.js';
import { initDistanceStats, type InitDistanceStats } from '../kernel/montecarlo.js';
import { eigvalsh } from '../linalg/eigh.js';
import { ACTIVATION_NAMES } from '../model/spec.js';
import { bHighProb, concentrationBound } from '../theory/bounds.js';
import { fmt, table } from './format.js';
import { addDataOptions, choice, type DataOptions, intOption, normalizedData, probabilityOption } from './options.js';

interface NtkOptions extends DataOptions {
  activation: string;
  normalize: string;
  width?: string;
  seeds: string;
  delta: string;
  spectrum?: boolean;
  json?: boolean;
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function ntkCommand(): Command {
  const cmd = new Command('ntk')
    .summary('λ and the spectrum of the infinite-width kernel; Monte-Carlo ‖H(W(0)) − H^cts‖₂ against width')
    .description(
      'Computes the infinite-width kernel of the data (theory.md §3) — H^cts_ij = ⟨x_i,x_j⟩ exp(‖x_i + x_j‖²/2) for exp, ' +
        'H^∞_ij = ⟨x_i,x_j⟩ (π − θ_ij)/(2π) for ReLU — and its full spectrum (Householder tridiagonalisation + implicit QL): ' +
        'λ = λ_min, λ_max, the condition number and quantiles. With --width, draws W(0) for each seed (the same W(0) as ' +
        '`train --seed s`), measures ‖H(W(0)) − H^lim‖₂ on the NTK scale (κ = 1/√m), and prints mean and spread beside ' +
        'the bound of theory.md §4B, n e^{2B} √(2 ln(2n²/δ)/m) with B = √(2 ln(2mn/δ)).',
    );
  addDataOptions(cmd)
    .option('--activation <name>', `exp | relu`, 'exp')
    .option('--normalize <kind>', 'unit | max | none (as for train)', 'unit')
    .option('--width <list>', 'widths m for the Monte-Carlo distance, comma-separated')
    .option('--seeds <count>', 'initialisations per width (seeds 0 … s−1)', '10')
    .option('--delta <value>', 'failure probability δ of the §4B bound', '0.1')
    .option('--spectrum', 'include every eigenvalue in --json')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  overparam ntk\n  overparam ntk --n 30 --d 6 --width 1000,4000,16000,64000 --seeds 5\n  overparam ntk --activation relu --data points.csv')
    .action((o: NtkOptions) => {
      const activation = choice<Activation>('activation', ACTIVATION_NAMES, o.activation);
      const seeds = intOption('seeds', o.seeds, 1);
      const delta = probabilityOption('delta', o.delta);
      const widths = o.width ? o.width.split(',').map((w) => intOption('width', w, 1)) : [];
      const ds = normalizedData(o, o.normalize);
      const { n, d, X } = ds;
      const limit = infiniteKernel(activation, X, n, d);
      const backend = createBackend({ onNotice: warn });
      const values = eigvalsh(limit, n);
      const lambda = values[0];
      const lambdaMax = values[n - 1];
      const mc: (InitDistanceStats & { bound: number; bHighProb: number })[] = widths.map((m) => {
        const st = initDistanceStats({ activation, X, n, d, m, seeds: Array.from({ length: seeds }, (_, k) => k), limit, backend });
        const B = bHighProb(m, n, delta);
        return { ...st, bHighProb: B, bound: activation === 'exp' ? concentrationBound(n, B, m, delta) : NaN };
      });
      const slope = mc.length >= 2 ? fitPowerLaw(mc.map((s) => s.m), mc.map((s) => s.mean)) : null;
      const kernelName = activation === 'exp' ? 'H^cts' : 'H^∞';
      const conventions = { activation, kernel: kernelName, scaling: 'ntk (κ = 1/√m)', normalization: ds.normalization, precision: 'float64', seeds: `0…${seeds - 1}`, delta };
      if (o.json) {
        const sorted = values;
        process.stdout.write(
          JSON.stringify(
            {
              command: 'ntk',
              data: { source: ds.source, n, d },
              conventions,
              lambda,
              lambdaMax,
              condition: lambdaMax / lambda,
              quantiles: Object.fromEntries([0, 0.1, 0.25, 0.5, 0.75, 0.9, 1].map((q) => [String(q), quantile(sorted, q)])),
              spectrum: o.spectrum ? Array.from(values) : undefined,
              initDistance: mc.map(({ values: v, ...rest }) => ({ ...rest, values: Array.from(v) })),
              slope: slope ? { exponent: slope.exponent, ci: slope.ci } : null,
            },
            null,
            2,
          ) + '\n',
        );
        return;
      }
      const rows: [string, string][] = [
        ['data', `${ds.source} (n = ${n}, d = ${d}), normalisation ${ds.normalization}`],
        ['kernel', `${kernelName} (${activation}, infinite width, κ = 1/√m scale)`],
        ['λ = λ_min', fmt(lambda)],
        ['λ_max', fmt(lambdaMax)],
        ['condition number', fmt(lambdaMax / lambda, 4)],
        ['spectrum', `min ${fmt(values[0], 4)}, 10% ${fmt(quantile(values, 0.1), 4)}, median ${fmt(quantile(values, 0.5), 4)}, 90% ${fmt(quantile(values, 0.9), 4)}, max ${fmt(values[n - 1], 4)}`],
        ['diagonal', activation === 'exp' ? 'e² = 7.389 for unit-norm inputs' : '1/2 for unit-norm inputs'],
      ];
      let out = `overparam ntk\n${table(rows)}\n`;
      if (mc.length) {
        out += `‖H(W(0)) − ${kernelName}‖₂ over ${seeds} seeds (threshold of §4B: λ/4 = ${fmt(lambda / 4, 4)})\n`;
        out += '        m        mean          sd         min         max   §4B bound (δ = ' + delta + ')\n';
        for (const s of mc) out += `  ${String(s.m).padStart(7)}  ${fmt(s.mean, 4).padStart(10)}  ${fmt(s.sd, 4).padStart(10)}  ${fmt(s.min, 4).padStart(10)}  ${fmt(s.max, 4).padStart(10)}   ${activation === 'exp' ? fmt(s.bound, 4) : '- (exp only)'}\n`;
        if (slope) out += `  log-log slope of the mean against m: ${slope.exponent.toFixed(3)}${slope.ci ? ` (95% CI [${slope.ci[0].toFixed(3)}, ${slope.ci[1].toFixed(3)}])` : ''}; the theory's rate is m^{−1/2}\n`;
      }
      process.stdout.write(out);
    });
  return cmd;
}
