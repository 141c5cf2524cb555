/** `overparam bounds`: the a-priori numbers of docs/theory.md §4 for a data set. */
import { Command } from 'commander';
import { hCts } from '../kernel/infinite.js';
import { kernelLambdaMin } from '../linalg/eigh.js';
import { activationByName } from '../activations/index.js';
import { normalizationText } from '../report/conventions.js';
import { aPrioriBounds } from '../theory/apriori.js';
import { expectedR0Sq } from '../theory/bounds.js';
import { fmt, table } from './format.js';
import { DATA_FIELDS, normalizedDataOfGrid, probabilityOption } from './options.js';
import { addRunOptions, gridOfOptions, TRAIN_GRID, type RunOptionValues } from './run-options.js';
import { describeDegeneracies, findDegeneracies } from '../data/degenerate.js';
import { DataError } from '../errors.js';
import { EXIT } from './run.js';

interface BoundsOptions extends RunOptionValues {
  delta: string;
  json?: boolean;
}

/** 1.2e27 → "1.2e27 (10^27.1)": these numbers are far beyond float formatting habits. */
const big = (v: number): string => (Number.isFinite(v) ? `${v.toPrecision(3)}  (10^${Math.log10(v).toFixed(1)})` : String(v));

export function boundsCommand(): Command {
  const cmd = new Command('bounds')
    .summary('the a-priori quantities of docs/theory.md §4: B, R*, the widths from §4B and §4C, η and T from §4D')
    .description(
      'For the data (normalised as for training) and the exp network with κ = 1/√m: λ = λ_min(H^cts); the high-probability bound ' +
        'B ≤ √(2 ln(2mn/δ)); R* = ½ ln(1 + λ/(4 n e^{2B})); the widths that make conditions B (concentration) and C ' +
        '(movement) hold, solved for m with B = B(m) since B itself grows with m; the step bound of §4D and the step ' +
        'count T to reach ε. ‖r(0)‖² is taken as its expectation Σ_i (e^{2‖x_i‖²} + y_i²). These are sufficient, ' +
        'conservative conditions from the elementary argument; the paper’s refined result is stated only as an order, ' +
        'm = Ω(n^{2+o(1)} log(n/δ)), with no constant. They are derived for the exp network only: for another --activation ' +
        'the command says so and prints none of them (its runs are checked by the measured rows of the certificate).',
    );
  addRunOptions(cmd, 'single', { ...TRAIN_GRID, width: [] }, [...DATA_FIELDS, 'normalize', 'activation', 'epsilon', 'm'])
    .option('--delta <value>', 'failure probability δ', '0.1')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  overparam bounds\n  overparam bounds --n 30 --d 6 --delta 0.05 --width 64000 --json')
    .action((o: BoundsOptions) => {
      const grid = gridOfOptions(o, 'single', TRAIN_GRID);
      const delta = probabilityOption('delta', o.delta);
      const eps = grid.epsilon;
      const m = o.width === undefined ? undefined : grid.width[0];
      const activation = activationByName(grid.activation[0]);
      if (!activation.theory.apriori) {
        const text = `the a-priori conditions of docs/theory.md §4 are derived for the exp network, not for ${activation.label}: ${activation.theory.note ?? 'none apply'}`;
        if (o.json) process.stdout.write(JSON.stringify({ command: 'bounds', activation: activation.name, applies: false, note: text }, null, 2) + '\n');
        else process.stdout.write(`overparam bounds (${activation.label})\n  ${text}.\n  Measure a run instead: overparam train --activation ${activation.name} (its certificate lists the measured rows).\n`);
        process.exitCode = EXIT.ok;
        return;
      }
      const ds = normalizedDataOfGrid(grid);
      const { n, d, X, y } = ds;
      const lambda = kernelLambdaMin(hCts(X, n, d), n);
      if (!(lambda > 0)) {
        // a property of the data, not of the options: the bounds divide by λ
        const why = describeDegeneracies(findDegeneracies(X, n, d, y), ds.source) ?? `${ds.source}: the inputs are (nearly) linearly dependent in the kernel's feature space`;
        throw new DataError(`λ_min(H^cts) is 0 to rounding (${lambda === 0 ? 'within n·ε·λ_max' : lambda.toPrecision(3)}), and every bound of docs/theory.md §4 divides by λ. ${why}`);
      }
      const r0Sq = expectedR0Sq(X, n, d, y);
      const b = aPrioriBounds({ n, lambda, delta, eps, r0Sq, ...(m !== undefined ? { m } : {}) });
      const conventions = { activation: 'exp', scaling: 'ntk', kappa: '1/√m', normalization: ds.normalization, precision: 'f64', delta, epsilon: eps };
      if (o.json) {
        process.stdout.write(JSON.stringify({ command: 'bounds', activation: 'exp', applies: true, data: { source: ds.source, n, d }, conventions, lambda, r0Sq, width: m ?? null, ...b }, null, 2) + '\n');
        return;
      }
      const rows: [string, string][] = [
        ['data', `${ds.source} (n = ${n}, d = ${d}), normalisation ${normalizationText(ds.normalization)}`],
        ['paper (order only)', b.paperOrder],
        ['λ = λ_min(H^cts)', fmt(lambda)],
        ['E‖r(0)‖²', fmt(r0Sq)],
        ['width for §4B', `${big(b.implicitWidthB.m)}  with B(m) = ${fmt(b.implicitWidthB.B, 4)}`],
        ['width for §4C', `${big(b.implicitWidthC.m)}  with B(m) = ${fmt(b.implicitWidthC.B, 4)}, R* = ${fmt(b.implicitWidthC.rStar, 4)}`],
      ];
      if (m !== undefined) {
        rows.push(
          [`at m = ${m}: B ≤`, `${fmt(b.bHighProb, 5)} = √(2 ln(2mn/δ))`],
          ['  R*', fmt(b.rStar)],
          ['  §4B bound', `‖H(W(0)) − H^cts‖₂ ≤ ${fmt(b.concentrationBound)} (needs ≤ λ/4 = ${fmt(lambda / 4, 4)})`],
          ['  η of §4D', `≤ ${fmt(b.eta)}`],
          ['  T of §4D', big(b.steps) + ' steps to reach ε'],
        );
      }
      const out = `overparam bounds (exp, δ = ${delta}, ε = ${eps}, κ = 1/√m, float64)\n${table(rows)}\n` +
        '  These are the sufficient conditions of docs/theory.md §4; real runs need far less (see `overparam threshold`).\n';
      process.stdout.write(out);
    });
  return cmd;
}
