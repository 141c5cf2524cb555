/**
 * The project's figures (docs/theory.md §3–4), each a function from plain inputs (types.ts) to a
 * Vega-Lite spec built with `lineChart`.
 */
import { OptionError } from '../errors.js';
import { formatNumber, lineChart, seriesColor } from './chart.js';
import type { FigureOptions, FigureSpec, FlipRun, LambdaRun, LossRun, MovementRun, PowerFit, Rule, Series, ThresholdPoint, WidthSample } from './types.js';

const fmt = formatNumber;
const SUPERSCRIPT: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻', '.': '·' };

/** n², n⁴, … for integer powers; n^2.5 otherwise. */
export function power(base: string, p: number): string {
  const s = String(p);
  return Number.isInteger(p) ? base + [...s].map((c) => SUPERSCRIPT[c] ?? c).join('') : `${base}^${s}`;
}

function common(o: FigureOptions) {
  return { conventions: o.conventions, width: o.width, height: o.height, maxPoints: o.maxPoints };
}

function subtitle(lines: string[], o: FigureOptions): string[] {
  const extra = o.subtitle === undefined ? [] : typeof o.subtitle === 'string' ? [o.subtitle] : [...o.subtitle];
  return [...lines, ...extra];
}

function prefixed(label: string, name: string, many: boolean): string {
  return many && label.length > 0 ? `${label}: ${name}` : name;
}

/** The full name for one run, "short, label" for several. */
function perRun(label: string, full: string, short: string, many: boolean): string {
  return many && label.length > 0 ? `${short}, ${label}` : full;
}

function checkRuns(what: string, runs: readonly { label: string }[]): void {
  const labels = runs.map((r) => r.label);
  const dup = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dup !== undefined) throw new OptionError(`${what}: two runs are labelled '${dup}'`);
}

/** Horizontal rules at each distinct value, named "<what> = value" (and by run when they differ). */
function distinctRules(what: string, items: readonly { label: string; value: number | undefined }[], colors: readonly string[]): Rule[] {
  const given = items.map((it, i) => ({ ...it, color: colors[i] })).filter((it): it is { label: string; value: number; color: string } => it.value !== undefined);
  const distinct = [...new Set(given.map((g) => g.value))];
  if (distinct.length <= 1) return given.length > 0 ? [{ name: `${what} = ${fmt(given[0].value)}`, y: given[0].value, style: 'dashed', color: '#555' }] : [];
  return given.map((g) => ({ name: `${what} = ${fmt(g.value)} (${g.label})`, y: g.value, style: 'dashed' as const, color: g.color }));
}

/**
 * The three loss curves of docs/theory.md §4 per run: the actual ‖r(k)‖, the linearised prediction
 * ‖(I − ηH(W(0)))^k r(0)‖ (dotted) and the envelope (1 − ηλ/2)^{k/2}‖r(0)‖ of §4 D (dashed); log y.
 * Runs are told apart by colour, curves by line style.
 */
export function lossCurves(runs: readonly LossRun[], o: FigureOptions): FigureSpec {
  checkRuns('lossCurves', runs);
  const many = runs.length > 1;
  const series: Series[] = [];
  const notes: string[] = [];
  runs.forEach((run, i) => {
    const color = seriesColor(i, runs.length);
    series.push({ name: prefixed(run.label, 'actual ‖r(k)‖', many), x: run.steps, y: run.residual, color });
    if (run.linearised !== undefined) {
      series.push({ name: prefixed(run.label, 'linearised ‖(I − ηH(W(0)))ᵏ r(0)‖', many), x: run.linearisedSteps ?? run.steps, y: run.linearised, color, style: 'dotted' });
    }
    const r0 = run.r0 ?? run.residual[0];
    const q = 1 - (run.eta * run.lambda) / 2;
    const envelope = new Float64Array(run.steps.length);
    if (q > 0 && q <= 1 && Number.isFinite(r0)) {
      const logQ = Math.log(q);
      for (let k = 0; k < envelope.length; k++) envelope[k] = r0 * Math.exp((run.steps[k] / 2) * logQ);
    } else {
      envelope.fill(Number.NaN);
      notes.push(`Envelope of ${run.label || 'the run'} undefined: 1 − ηλ/2 = ${fmt(q)} is not in (0, 1].`);
    }
    series.push({ name: prefixed(run.label, 'envelope (1 − ηλ/2)^(k/2) ‖r(0)‖', many), x: run.steps, y: envelope, color, style: 'dashed' });
  });
  const params = runs.map((r) => `${many ? `${r.label}: ` : ''}η = ${fmt(r.eta)}, λ = ${fmt(r.lambda)}`).join('; ');
  return lineChart({
    ...common(o),
    title: o.title ?? 'Residual ‖F(W(k), X) − y‖₂: actual, linearised, and the theorem’s envelope',
    xLabel: 'iteration k',
    yLabel: '‖r(k)‖₂ (log scale)',
    logY: true,
    series,
    // the stopping criterion ‖r‖₂ ≤ ε, one rule per distinct ε (grey: it belongs to no run)
    rules: [...distinctRules('ε', runs.map((r) => ({ label: r.label, value: r.epsilon })), runs.map(() => '#777')).map((r) => ({ ...r, style: 'dotted' as const, color: '#777' })), ...(o.rules ?? [])],
    subtitle: subtitle([`${params}. Solid: actual; dotted: linearised prediction; dashed: envelope of docs/theory.md §4 D; grey dotted: the target ε.`, ...notes], o),
  });
}

/** λ_min(H(W(k))) along each run against λ/2, the level §4 C–D need it to stay above. */
export function lambdaMinOverSteps(runs: readonly LambdaRun[], o: FigureOptions): FigureSpec {
  checkRuns('lambdaMinOverSteps', runs);
  const many = runs.length > 1;
  const colors = runs.map((_, i) => seriesColor(i, runs.length));
  const series = runs.map((r, i): Series => ({ name: perRun(r.label, 'λ_min(H(W(k)))', 'λ_min(H(W(k)))', many), x: r.steps, y: r.lambdaMin, color: colors[i] }));
  const rules = distinctRules('λ/2', runs.map((r) => ({ label: r.label, value: r.lambda / 2 })), colors);
  return lineChart({
    ...common(o),
    title: o.title ?? 'Smallest eigenvalue of the empirical kernel H(W(k)) during training',
    xLabel: 'iteration k',
    yLabel: 'λ_min(H(W(k)))',
    series,
    rules: [...rules, ...(o.rules ?? [])],
    subtitle: subtitle(['Dashed: λ/2 with λ = λ_min of the infinite-width kernel (docs/theory.md §4 C–D need λ_min(H(W(k))) ≥ λ/2).'], o),
  });
}

/** Movement R(k) = max_r ‖w_r(k) − w_r(0)‖₂ along each run against R* (§4 A); log y by default. */
export function movementOverSteps(runs: readonly MovementRun[], o: FigureOptions & { logY?: boolean }): FigureSpec {
  checkRuns('movementOverSteps', runs);
  const many = runs.length > 1;
  const colors = runs.map((_, i) => seriesColor(i, runs.length));
  const series = runs.map((r, i): Series => ({ name: perRun(r.label, 'R(k) = max_r ‖w_r(k) − w_r(0)‖₂', 'R(k)', many), x: r.steps, y: r.movement, color: colors[i] }));
  const rules = distinctRules('R*', runs.map((r) => ({ label: r.label, value: r.rStar })), colors);
  const logY = o.logY ?? true;
  return lineChart({
    ...common(o),
    title: o.title ?? 'Largest distance any neuron moved from initialisation',
    xLabel: 'iteration k',
    yLabel: `R(k)${logY ? ' (log scale)' : ''}`,
    logY,
    series,
    rules: [...rules, ...(o.rules ?? [])],
    subtitle: subtitle([rules.length > 0 ? 'Dashed: R* = ½ ln(1 + λ/(4n e^{2B})) of docs/theory.md §4 A, the movement under which H stays within λ/4 of H(W(0)).' : 'R* not given.'], o),
  });
}

export interface SeedSummary {
  series: string;
  m: number;
  mean: number;
  min: number;
  max: number;
  count: number;
}

/** Mean, min and max over seeds per (series, m), non-finite values skipped; series in first-seen order, m ascending. */
export function summarizeOverSeeds(points: readonly WidthSample[]): SeedSummary[] {
  const groups = new Map<string, Map<number, number[]>>();
  for (const p of points) {
    if (!groups.has(p.series)) groups.set(p.series, new Map());
    const g = groups.get(p.series)!;
    if (!g.has(p.m)) g.set(p.m, []);
    if (Number.isFinite(p.value)) g.get(p.m)!.push(p.value);
  }
  const out: SeedSummary[] = [];
  for (const [series, g] of groups) {
    for (const m of [...g.keys()].sort((a, b) => a - b)) {
      const v = g.get(m)!;
      const mean = v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN;
      out.push({ series, m, mean, min: v.length > 0 ? Math.min(...v) : Number.NaN, max: v.length > 0 ? Math.max(...v) : Number.NaN, count: v.length });
    }
  }
  return out;
}

function widthSeries(summary: readonly SeedSummary[], nameOf: (s: string) => string): { series: Series[]; names: string[]; seeds: string } {
  const bySeries = new Map<string, SeedSummary[]>();
  for (const s of summary) {
    if (!bySeries.has(s.series)) bySeries.set(s.series, []);
    bySeries.get(s.series)!.push(s);
  }
  const series: Series[] = [];
  let i = 0;
  for (const [name, rows] of bySeries) {
    series.push({
      name: nameOf(name),
      x: rows.map((r) => r.m),
      y: rows.map((r) => r.mean),
      yLow: rows.map((r) => r.min),
      yHigh: rows.map((r) => r.max),
      mark: 'line+points',
      color: seriesColor(i++, bySeries.size),
    });
  }
  const counts = [...new Set(summary.map((s) => s.count))].sort((a, b) => a - b);
  const seeds = counts.length === 0 ? 'no data' : counts.length === 1 ? `${counts[0]} seed(s) per point` : `${counts[0]}–${counts[counts.length - 1]} seeds per point`;
  return { series, names: [...bySeries.keys()], seeds };
}

/** A guide c·x^p through the first drawable point of a series, over the series' x range. */
function guide(name: string, s: Series, p: number, color: string): Series | undefined {
  let first = -1;
  for (let i = 0; i < s.x.length; i++) {
    if (s.x[i] > 0 && s.y[i] > 0 && Number.isFinite(s.x[i]) && Number.isFinite(s.y[i])) {
      first = i;
      break;
    }
  }
  if (first < 0) return undefined;
  const x0 = s.x[first];
  const y0 = s.y[first];
  let x1 = x0;
  for (let i = 0; i < s.x.length; i++) if (Number.isFinite(s.x[i]) && s.x[i] > x1) x1 = s.x[i];
  if (x1 === x0) return undefined;
  return { name, x: [x0, x1], y: [y0, y0 * (x1 / x0) ** p], style: 'dashed', color };
}

/**
 * ‖H(W(0)) − H^lim‖₂ against width m (log-log), H^lim each series' infinite-width kernel (H^cts for
 * exp, H^∞ for ReLU, …): mean over seeds with min–max bars per series (e.g. activation), and an
 * m^{−1/2} guide through each series' first point. `relative`: the values are ‖H(W(0)) − H^lim‖₂ / λ.
 */
export function kernelDistanceVsWidth(points: readonly WidthSample[], o: FigureOptions & { relative?: boolean }): FigureSpec {
  const what = o.relative ? '‖H(W(0)) − H^lim‖₂ / λ' : '‖H(W(0)) − H^lim‖₂';
  const { series, names, seeds } = widthSeries(summarizeOverSeeds(points), (s) => `${what}, ${s}`);
  const guides = series
    .map((s, i) => guide(names.length > 1 ? `m^(−1/2) guide (${names[i]})` : 'm^(−1/2) guide', s, -0.5, s.color ?? '#888'))
    .filter((g): g is Series => g !== undefined);
  return lineChart({
    ...common(o),
    title: o.title ?? (o.relative ? 'Concentration of the initial kernel, relative to λ = λ_min(H^lim)' : 'Distance of the initial kernel H(W(0)) from its infinite-width limit'),
    xLabel: 'width m (log scale)',
    yLabel: `${what} (log scale)`,
    logX: true,
    logY: true,
    series: [...series, ...guides],
    rules: o.rules,
    subtitle: subtitle(
      [
        `Points: mean over seeds (${seeds}); bars: min–max over seeds. Dashed: slope −1/2 through the first point (Hoeffding rate, docs/theory.md §4B). H^lim is each network's infinite-width kernel (§3, §5).`,
      ],
      o,
    ),
  });
}

/** The largest movement max_k R(k) against width m (log-log), mean over seeds with min–max bars. */
export function movementVsWidth(points: readonly WidthSample[], o: FigureOptions): FigureSpec {
  const { series, seeds } = widthSeries(summarizeOverSeeds(points), (s) => `max_k R(k), ${s}`);
  return lineChart({
    ...common(o),
    title: o.title ?? 'Largest neuron movement during training against width',
    xLabel: 'width m (log scale)',
    yLabel: 'max_k max_r ‖w_r(k) − w_r(0)‖₂ (log scale)',
    logX: true,
    logY: true,
    series,
    rules: o.rules,
    subtitle: subtitle([`Points: mean over seeds (${seeds}); bars: min–max over seeds. Theory (§4 C): movement shrinks like m^(−1/2).`], o),
  });
}

/**
 * The width threshold m*(n) on log-log axes with the fitted power law (exponent and CI in the
 * title and legend) and reference orders (default n², n⁴, n⁶) through the first point. The y axis
 * spans the data and the fit; steeper reference lines leave the frame at the top. Points that are
 * only bounds (`bound`) are drawn as open triangles and left out of the fit's span and the anchor.
 */
export function thresholdVsN(points: readonly ThresholdPoint[], fit: PowerFit | null, o: FigureOptions & { orders?: readonly number[] }): FigureSpec {
  const groups = new Map<string, ThresholdPoint[]>();
  for (const p of points) {
    const key = p.series ?? 'm*(n)';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(p);
  }
  const series: Series[] = [];
  let ci = 0;
  let bounds = { upper: false, lower: false };
  for (const [name, ps] of groups) {
    const sorted = [...ps].sort((a, b) => a.n - b.n);
    const measured = sorted.filter((p) => p.bound === undefined);
    const color = seriesColor(ci++, groups.size);
    const suffix = name === 'm*(n)' ? '' : `, ${name}`;
    if (measured.length > 0) {
      const bars = measured.some((p) => p.lo !== undefined || p.hi !== undefined);
      series.push({
        name: `measured m*(n)${suffix}`,
        x: measured.map((p) => p.n),
        y: measured.map((p) => p.mStar),
        yLow: bars ? measured.map((p) => p.lo ?? p.mStar) : undefined,
        yHigh: bars ? measured.map((p) => p.hi ?? p.mStar) : undefined,
        mark: 'points',
        color,
      });
    }
    // bounds are not thresholds: open triangles at the bound, in the group's colour, never fitted
    for (const [bound, label, shape] of [['upper', 'm*(n) ≤ this (the smallest width run already converged)', 'triangle-down'], ['lower', 'm*(n) > this (no width run converged)', 'triangle-up']] as const) {
      const bs = sorted.filter((p) => p.bound === bound);
      if (bs.length === 0) continue;
      bounds = { ...bounds, [bound]: true };
      series.push({ name: `${label}${suffix}`, x: bs.map((p) => p.n), y: bs.map((p) => p.mStar), mark: 'points', shape, filled: false, color });
    }
  }
  // what the fit and the reference orders rest on: the measured points (bounds only widen the frame)
  const finite = points.filter((p) => p.bound === undefined && p.n > 0 && p.mStar > 0 && Number.isFinite(p.n) && Number.isFinite(p.mStar));
  const ns = finite.map((p) => p.n);
  const nLo = ns.length > 0 ? Math.min(...ns) : Number.NaN;
  const nHi = ns.length > 0 ? Math.max(...ns) : Number.NaN;
  const level = fit?.level ?? 0.95;
  const pct = `${fmt(100 * level)}%`;
  let title = o.title ?? 'Width threshold m*(n) for gradient descent to reach ε';
  const ys = points.flatMap((p) => [p.mStar, p.lo ?? p.mStar, p.hi ?? p.mStar]).filter((v) => v > 0 && Number.isFinite(v));
  if (fit !== null) {
    // Two points fit exactly and leave no degrees of freedom for a CI: say so rather than print NaN.
    const hasCi = Number.isFinite(fit.ci[0]) && Number.isFinite(fit.ci[1]);
    if (o.title === undefined) title += `: fitted exponent ${fmt(fit.exponent)} (${hasCi ? `${pct} CI ${fmt(fit.ci[0])}–${fmt(fit.ci[1])}` : 'no CI from two points'})`;
    if (ns.length > 0) {
      const grid = Array.from({ length: 24 }, (_, i) => nLo * (nHi / nLo) ** (i / 23));
      const y = grid.map((n) => fit.prefactor * n ** fit.exponent);
      series.push({
        name: `fit${fit.label ? ` (${fit.label})` : ''}: m* ≈ ${fmt(fit.prefactor)}·n^${fmt(fit.exponent)}${hasCi ? `, exponent ${pct} CI [${fmt(fit.ci[0])}, ${fmt(fit.ci[1])}]` : ' (two points, no CI)'}`,
        x: grid,
        y,
        color: '#222',
      });
      ys.push(...y.filter((v) => v > 0 && Number.isFinite(v)));
    }
  }
  // Reference orders through the first point (smallest n) of the first group, each stopped where it
  // leaves the frame (the y range of the data and the fit, ×4 headroom) so the data keep the room.
  const firstGroup: ThresholdPoint[] = groups.values().next().value ?? [];
  const first = firstGroup.filter((p) => p.bound === undefined && p.n > 0 && p.mStar > 0 && Number.isFinite(p.n) && Number.isFinite(p.mStar)).sort((a, b) => a.n - b.n)[0];
  const orders = o.orders ?? [2, 4, 6];
  const refColors = ['#59a14f', '#e0a458', '#c26d6d', '#9a8fc2'];
  const yTop = ys.length > 0 ? Math.max(...ys) * 4 : Number.NaN;
  let leave = false;
  if (first !== undefined && nHi > first.n) {
    orders.forEach((p, i) => {
      const nEnd = Math.min(nHi, first.n * (yTop / first.mStar) ** (1 / p));
      if (nEnd < nHi) leave = true;
      const grid = Array.from({ length: 24 }, (_, j) => first.n * (nEnd / first.n) ** (j / 23));
      series.push({ name: `order ${power('n', p)} (through the first point)`, x: grid, y: grid.map((n) => first.mStar * (n / first.n) ** p), style: 'dashed', color: refColors[i % refColors.length] });
    });
  }
  return lineChart({
    ...common(o),
    title,
    xLabel: 'number of training points n (log scale)',
    yLabel: 'smallest width m*(n) that converges (log scale)',
    logX: true,
    logY: true,
    series,
    rules: o.rules,
    subtitle: subtitle([
      `Dashed: orders ${orders.map((p) => power('n', p)).join(', ')} drawn through the first measured point: slopes to compare, not constants (the theory gives orders: ${power('n', 2)}·n^(o(1)) for exp in the abstract, ${power('n', 4)}–${power('n', 6)} for ReLU in Du et al. / Song & Yang)${leave ? '; the steeper ones stop where they leave the range of the data' : ''}. Bars: the search bracket or spread.`,
      ...(bounds.upper || bounds.lower
        ? [`Open triangles are bounds, not thresholds, and are not fitted: ${[bounds.upper ? '▽ m*(n) ≤ the smallest width run, which already converged' : '', bounds.lower ? '△ m*(n) > the largest width run, none of which converged' : ''].filter((s) => s !== '').join('; ')}.`]
        : []),
    ], o),
  });
}

/** ReLU: fraction of activation patterns flipped since initialisation, against iteration, one curve per run (width). */
export function flipsOverSteps(runs: readonly FlipRun[], o: FigureOptions): FigureSpec {
  checkRuns('flipsOverSteps', runs);
  return lineChart({
    ...common(o),
    title: o.title ?? 'ReLU activation patterns flipped since initialisation',
    xLabel: 'iteration k',
    yLabel: 'fraction of 1{⟨w_r(k), x_i⟩ ≥ 0} that changed',
    series: runs.map((r, i): Series => ({ name: r.label, x: r.steps, y: r.flipFraction, color: seriesColor(i, runs.length) })),
    rules: o.rules,
    subtitle: subtitle(['Fraction of the n·m (sample, neuron) pairs whose activation differs from k = 0 (Du et al. 2019: fewer flips at larger m).'], o),
  });
}
