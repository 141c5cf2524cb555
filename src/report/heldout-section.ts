/**
 * The report section of docs/theory.md §6: on held-out points, the trained network against the
 * linearised network and the infinite-width prediction (test residual against k, predictions
 * against labels); along the runs, λ_max(H(W(k))) against the linear-stability line 2/η and the
 * relative kernel change; across runs of the centred model, the kernel change against α.
 */
import type { RunResult } from '../experiments/run.js';
import { formatNumber, lineChart } from './chart.js';
import { conventionsOf, distinct, ntkOf, pickRuns, runLabels } from './runs.js';
import type { FigureEntry, PageSection, Series, Table } from './types.js';

const fmt = formatNumber;

export interface HeldOutSection {
  section: PageSection;
  skipped: { name: string; reason: string }[];
}

const heldOutOf = (r: RunResult) => r.monitors?.heldout;

/** Test curves and predictions of up to `max` runs with held-out points; sharpness and laziness of the monitored runs. */
export function heldOutSection(runs: readonly RunResult[], max: number): HeldOutSection | null {
  const withTest = runs.filter((r) => r.test !== undefined);
  const monitored = runs.filter((r) => ntkOf(r)?.observations[0]?.lambdaMax !== undefined);
  const alphas = distinct(monitored.map((r) => r.spec.alpha).filter((a): a is number => a !== undefined));
  if (withTest.length === 0 && monitored.length === 0) return null;
  const figures: FigureEntry[] = [];
  const skipped: { name: string; reason: string }[] = [];
  const tables: Table[] = [];

  if (withTest.length > 0) {
    const shown = pickRuns(withTest, max);
    const labels = runLabels(shown);
    const series: Series[] = [];
    shown.forEach((r, i) => {
      const t = r.test!;
      const h = heldOutOf(r);
      const prefix = shown.length > 1 ? `${labels[i]}: ` : '';
      series.push({ name: `${prefix}network`, x: t.history.k, y: t.history.residual });
      if (h) {
        series.push({ name: `${prefix}linearised f_lin`, x: h.k, y: h.linearised.test, style: 'dashed' });
        series.push({ name: `${prefix}infinite width f_∞`, x: h.k, y: h.infinite.test, style: 'dotted' });
      }
    });
    const conv = conventionsOf(shown, { kernels: 'NTK scale H/(κ²m), step η κ² m' });
    figures.push({
      name: 'test-residual',
      spec: lineChart({ title: 'Held-out points: ‖f_k(X*) − y*‖₂ against k', xLabel: 'step k', yLabel: '‖f_k(X*) − y*‖₂', logY: true, series, conventions: conv }),
      caption: `The test residual of the trained network against the two kernel predictions of docs/theory.md §6 at the same step k: the linearised network f_lin,k (the Jacobian frozen at W(0)) and the infinite-width prediction f_∞,k (H^lim, the same η κ² m). Recorded every ${distinct(shown.map((r) => heldOutOf(r)?.k[1] ?? r.test!.history.k[1])).join(', ')} steps.`,
    });
    const first = shown[0];
    const t = first.test!;
    const h = heldOutOf(first);
    if (t.predictions && t.labels) {
      const pts: Series[] = [{ name: 'network', x: t.labels, y: t.predictions, mark: 'points' }];
      if (h?.linearised.final) pts.push({ name: 'linearised f_lin', x: t.labels, y: h.linearised.final, mark: 'points' });
      if (h?.infinite.final) pts.push({ name: 'infinite width f_∞', x: t.labels, y: h.infinite.final, mark: 'points' });
      const lo = Math.min(...t.labels);
      const hi = Math.max(...t.labels);
      pts.push({ name: 'y = x', x: [lo, hi], y: [lo, hi], style: 'dashed', color: '#555' });
      figures.push({
        name: 'test-predictions',
        spec: lineChart({ title: 'Held-out points: predictions against labels', xLabel: 'label y*', yLabel: 'prediction at the final step', series: pts, conventions: conventionsOf([first]) }),
        caption: `${labels[0] ? `${labels[0]}: ` : ''}each test point's prediction at the final step (k = ${first.steps}) by the network, the linearised network and the infinite-width prediction, against its label.`,
      });
    } else {
      skipped.push({ name: 'test-predictions', reason: `The predictions of the ${t.n} test points are not stored (results lines keep them up to 1000 test points).` });
    }
    tables.push({
      caption: 'Held-out points at the final step (and k → ∞ for the kernel predictions): ‖f(X*) − y*‖₂ and RMSE',
      columns: ['run', 'n*', 'network', 'f_lin', 'f_∞', 'f_lin, k → ∞', 'f_∞, k → ∞', 'network RMSE'],
      rows: shown.map((r, i) => {
        const hh = heldOutOf(r);
        const last = (xs: readonly number[] | undefined): number | null => (xs && xs.length > 0 ? xs[xs.length - 1] : null);
        return [
          labels[i] || r.spec.model.activation,
          r.test!.n,
          r.test!.residual,
          last(hh?.linearised.test),
          last(hh?.infinite.test),
          hh?.linearised.limit ? hh.linearised.limit.test : null,
          hh?.infinite.limit ? hh.infinite.limit.test : null,
          r.test!.rmse,
        ];
      }),
    });
  }

  if (monitored.length > 0) {
    const shown = pickRuns(monitored, max);
    const labels = runLabels(shown);
    const sharp: Series[] = shown.map((r, i) => {
      const mon = ntkOf(r)!;
      return { name: labels[i] || 'the run', x: mon.observations.map((o) => o.k), y: mon.observations.map((o) => mon.initial.etaNtk * o.lambdaMax) };
    });
    figures.push({
      name: 'sharpness',
      spec: lineChart({
        title: 'Sharpness: η κ² m · λ_max(H(W(k))) against k',
        xLabel: 'step k',
        yLabel: 'η κ² m λ_max(H(W(k)))',
        series: sharp,
        rules: [{ name: 'linear stability limit 2', y: 2, style: 'dashed', color: '#555' }],
        conventions: conventionsOf(shown, { kernels: 'NTK scale H/(κ²m), step η κ² m' }),
      }),
      caption: 'λ_max of the kernel along the run times the step: GD on the linearised model is stable while it stays below 2 (docs/theory.md §6); --eta auto starts it at 1. A run that rises to 2 and stays there is at the "edge of stability" (Cohen et al. 2021).',
    });
    const drift: Series[] = shown.map((r, i) => {
      const mon = ntkOf(r)!;
      return { name: labels[i] || 'the run', x: mon.observations.map((o) => o.k), y: mon.observations.map((o) => o.relativeDrift) };
    });
    figures.push({
      name: 'kernel-change',
      spec: lineChart({ title: 'Relative kernel change ‖H(W(k)) − H(W(0))‖₂ / ‖H(W(0))‖₂', xLabel: 'step k', yLabel: 'relative change', logY: true, series: drift, conventions: conventionsOf(shown, { kernels: 'NTK scale H/(κ²m)' }) }),
      caption: 'How far the kernel moved from its initial value, relative to its norm: small in the kernel (lazy) regime, of order one when features are learned (docs/theory.md §6).',
    });
    if (alphas.length >= 2) {
      const points: Series[] = distinct(monitored.map((r) => r.spec.model.activation)).map((act) => {
        const rs = monitored.filter((r) => r.spec.model.activation === act && r.spec.alpha !== undefined);
        return { name: act, x: rs.map((r) => r.spec.alpha!), y: rs.map((r) => ntkOf(r)!.laziness.maxRelativeDrift), mark: 'points' };
      });
      figures.push({
        name: 'laziness-alpha',
        spec: lineChart({ title: 'Lazy against feature learning: the kernel change against α', xLabel: 'α (centred model α(F − F(W(0))))', yLabel: 'max_k ‖H(W(k)) − H(W(0))‖₂ / ‖H(W(0))‖₂', logX: true, logY: true, series: points, conventions: conventionsOf(monitored) }),
        caption: `One point per run of the centred model (${alphas.length} values of α): the largest relative kernel change over the monitored steps. Large α keeps the kernel near H(W(0)) (the lazy regime of Chizat, Oyallon & Bach 2019); small α lets it move (docs/theory.md §6).`,
      });
      tables.push({
        caption: 'Runs of the centred model: α against the kernel change, the sharpness and the movement (largest over the monitored steps)',
        columns: ['run', 'α', 'status', 'relative kernel change', 'η κ² m λ_max', 'largest movement', 'median movement', '‖W − W(0)‖_F'],
        rows: [...monitored]
          .filter((r) => r.spec.alpha !== undefined)
          .sort((a, b) => a.spec.alpha! - b.spec.alpha!)
          .map((r) => {
            const z = ntkOf(r)!.laziness;
            return [`${r.spec.model.activation}, m = ${r.spec.model.m}, seed ${r.spec.model.seed}`, fmt(r.spec.alpha!), r.status, z.maxRelativeDrift, z.maxSharpness, r.movement, z.maxMovementMedian, z.maxMovementFrobenius];
          }),
      });
    }
  }
  return {
    section: {
      heading: 'Held-out points, sharpness and laziness (docs/theory.md §6)',
      text: [
        withTest.length > 0
          ? 'What the kernel predicts against what the network does, on points it was not trained on: the linearised network and the infinite-width prediction are computed in closed form through eigendecompositions (docs/theory.md §6), at the same steps and with the same step size as the run.'
          : 'No run here had held-out points (train with --test-data, --test-fraction or --test-n).',
        'Along the monitored runs: the largest kernel eigenvalue against the stability line, and the relative kernel change that tells the lazy regime from feature learning.',
        ...skipped.map((s) => `Not drawn: ${s.name}. ${s.reason}`),
      ].join('\n\n'),
      figures,
      tables,
    },
    skipped,
  };
}
