/**
 * The figures of the spectral view (docs/theory.md §6, Arora, Du, Hu, Li & Wang 2019), built with
 * `lineChart` as figures.ts builds the others: the labels' energy on the eigenvectors of H^lim
 * against eigenvalue rank, and the training loss against iteration beside its spectral prediction
 * Σ_i (1 − ηλ_i)^{2k} (v_iᵀ y)².
 */
import { OptionError } from '../errors.js';
import { lineChart, seriesColor } from './chart.js';
import type { FigureOptions, FigureSpec, LineStyle, Series } from './types.js';


/** One set of labels on one kernel: the cumulative fraction of ‖y‖² on the top i eigenvectors, i = 1 … n. */
export interface EnergyCurve {
  /** Legend entry, e.g. "exp (H^cts)" or "ReLU, random labels". */
  label: string;
  /** Σ_{j≤i} (v_jᵀy)² / ‖y‖² for i = 1 … n (eigenvalues in descending order): ascending, ending at 1. */
  cumulative: ArrayLike<number>;
  color?: string;
  style?: LineStyle;
}

/** One run's training loss and the spectral prediction of it. Losses are ‖r(k)‖² = ‖F(W(k),X) − y‖₂² (not halved). */
export interface PredictedLossRun {
  label: string;
  steps: ArrayLike<number>;
  loss: ArrayLike<number>;
  /** Σ_i (1 − ηλ_i)^{2k} (v_iᵀ r(0))² at `predictedSteps` (default `steps`). */
  predicted: ArrayLike<number>;
  predictedSteps?: ArrayLike<number>;
  color?: string;
}

function subtitle(lines: string[], o: FigureOptions): string[] {
  const extra = o.subtitle === undefined ? [] : typeof o.subtitle === 'string' ? [o.subtitle] : [...o.subtitle];
  return [...lines, ...extra];
}

function checkLabels(what: string, items: readonly { label: string }[]): void {
  const labels = items.map((r) => r.label);
  const dup = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dup !== undefined) throw new OptionError(`${what}: two curves are labelled '${dup}'`);
}

/**
 * The cumulative energy of the labels on the eigenvectors of H^lim, Σ_{j≤i}(v_jᵀy)²/‖y‖², against
 * the rank i of the eigenvalue (1 = largest; log x): labels that a network learns fast sit on the
 * first few eigenvectors (the curve rises early), random labels spread over the whole spectrum
 * (towards i/n, drawn dotted for reference).
 */
export function cumulativeEnergyByRank(curves: readonly EnergyCurve[], o: FigureOptions): FigureSpec {
  checkLabels('cumulativeEnergyByRank', curves);
  const series: Series[] = curves.map((c, i) => ({
    name: c.label,
    x: Float64Array.from({ length: c.cumulative.length }, (_, k) => k + 1),
    y: c.cumulative,
    color: c.color ?? seriesColor(i, curves.length),
    ...(c.style ? { style: c.style } : {}),
  }));
  const n = Math.max(0, ...curves.map((c) => c.cumulative.length));
  if (n > 0) series.push({ name: `i/n: energy spread evenly (n = ${n})`, x: Float64Array.from({ length: n }, (_, k) => k + 1), y: Float64Array.from({ length: n }, (_, k) => (k + 1) / n), style: 'dotted', color: '#888' });
  return lineChart({
    conventions: o.conventions,
    width: o.width,
    height: o.height,
    maxPoints: o.maxPoints,
    title: o.title ?? 'Energy of the labels on the eigenvectors of the infinite-width kernel',
    xLabel: 'eigenvalue rank i (1 = largest λ; log scale)',
    yLabel: 'cumulative fraction Σ_{j≤i} (v_jᵀy)² / ‖y‖²',
    logX: true,
    yDomain: [0, 1],
    series,
    rules: o.rules,
    subtitle: subtitle(
      ['v_j: the eigenvectors of H^lim, by decreasing eigenvalue λ_j. GD on the linearised network fits component j at the rate ηλ_j per step (docs/theory.md §6): the earlier a curve rises, the faster those labels are learned.'],
      o,
    ),
  });
}

/**
 * Training loss ‖r(k)‖² against iteration (log y), each run solid, with its spectral prediction
 * Σ_i (1 − ηλ_i)^{2k} (v_iᵀ r(0))² dashed in the same colour (docs/theory.md §6).
 */
export function lossWithSpectralPrediction(runs: readonly PredictedLossRun[], o: FigureOptions): FigureSpec {
  checkLabels('lossWithSpectralPrediction', runs);
  const series: Series[] = [];
  runs.forEach((r, i) => {
    const color = r.color ?? seriesColor(i, runs.length);
    series.push({ name: `${r.label}: ‖r(k)‖²`, x: r.steps, y: r.loss, color });
    series.push({ name: `${r.label}: predicted Σ (1 − ηλ_i)^(2k) (v_iᵀy)²`, x: r.predictedSteps ?? r.steps, y: r.predicted, color, style: 'dashed' });
  });
  return lineChart({
    conventions: o.conventions,
    width: o.width,
    height: o.height,
    maxPoints: o.maxPoints,
    title: o.title ?? 'Training loss against iteration, beside its spectral prediction',
    xLabel: 'iteration k',
    yLabel: 'training loss ‖F(W(k), X) − y‖₂² (log scale)',
    logY: true,
    series,
    rules: o.rules,
    subtitle: subtitle(
      [
        'Solid: the trained network; dashed: the linearised prediction on the infinite-width kernel, Σ_i (1 − ηλ_i)^(2k) (v_iᵀy)² with r(0) = −y (docs/theory.md §6).',
      ],
      o,
    ),
  });
}
