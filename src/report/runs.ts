/**
 * What the report pages read off results-file lines (`RunResult`, experiments/run.ts): the kernel
 * monitor's report of a run, the conventions a set of runs shares, labels that name what differs,
 * and the choice of runs to draw.
 */
import type { RunResult, StoredNtkReport } from '../experiments/run.js';

export { maxMovement } from '../experiments/analysis.js';
import { ACTIVATIONS, isActivationName } from '../activations/index.js';
import { formatNumber } from './chart.js';
import { normalizationText, precisionText, scalingText } from './conventions.js';
import type { CertificateRow, WidthSample } from './types.js';

const fmt = formatNumber;

/** The kernel monitor's report of a run, when it was monitored. */
export function ntkOf(r: RunResult): StoredNtkReport | undefined {
  const mon = r.monitors?.ntk;
  return mon && typeof mon === 'object' && mon.initial ? mon : undefined;
}

/** How reports name an activation: its table label ("ReLU"), else the name as given. */
export const activationName = (a: string): string => (isActivationName(a) ? ACTIVATIONS[a].label : a);

export function distinct<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function dataText(r: RunResult): string {
  const d = r.spec.data;
  return d.kind === 'synthetic' ? `${d.inputs} n = ${d.n}, d = ${d.d}, labels ${d.labels}, data seed ${d.seed}` : d.path;
}

/**
 * The conventions shared by a set of runs as a `key value` object (docs/theory.md §1: activation,
 * scaling, init, normalisation, precision), listing every distinct value when they differ.
 */
export function conventionsOf(runs: readonly RunResult[], extra: Record<string, string> = {}): Record<string, string> {
  const list = (xs: readonly string[]): string => {
    const u = distinct(xs);
    return u.length <= 3 ? u.join(', ') : `${u.slice(0, 3).join(', ')} and ${u.length - 3} more`;
  };
  const c = runs.map((r) => r.conventions).filter((x): x is NonNullable<RunResult['conventions']> => x !== null);
  const etas = runs.map((r) => r.spec.eta);
  const etaText = etas.every((e) => e === 'auto') ? 'auto: 1/λ_max(H(W(0))) per run' : list(etas.map((e) => (e === 'auto' ? 'auto' : fmt(e))));
  return {
    activation: list(runs.map((r) => activationName(r.spec.model.activation))),
    scaling: list((c.length > 0 ? c.map((x) => x.scaling) : runs.map((r) => r.spec.model.scaling)).map(scalingText)),
    init: list(runs.map((r) => r.spec.model.init)),
    normalisation: list(c.length > 0 ? c.map((x) => normalizationText(x.normalization)) : runs.map((r) => r.spec.normalize)),
    precision: list(c.length > 0 ? c.map((x) => `${precisionText(x.precision)} (${x.backend})`) : runs.map((r) => precisionText(r.spec.precision))),
    data: list(runs.map(dataText)),
    ...(runs.some((r) => r.spec.labelNoise !== undefined) ? { 'label noise': list(runs.map((r) => fmt(r.spec.labelNoise ?? 0))) } : {}),
    ...(runs.some((r) => r.test !== undefined) ? { 'test points': list(runs.map((r) => (r.test ? `${r.test.n} (${r.test.source})` : 'none'))) } : {}),
    ...(runs.some((r) => r.spec.alpha !== undefined) ? { model: `centred α(F − F(W(0))), α = ${list(runs.map((r) => (r.spec.alpha === undefined ? 'plain' : fmt(r.spec.alpha))))}` } : {}),
    η: etaText,
    stop: `‖F(W,X) − y‖₂ ≤ ε = ${list(runs.map((r) => fmt(r.spec.epsilon)))} (unsquared) or ${list(runs.map((r) => String(r.spec.maxSteps)))} steps`,
    ...extra,
  };
}

/** Labels naming only what differs among `runs` (activation, init, n, m, seed), e.g. "exp, m = 1024, seed 1". */
export function runLabels(runs: readonly RunResult[]): string[] {
  const varies = (f: (r: RunResult) => unknown) => distinct(runs.map((r) => String(f(r)))).length > 1;
  const n = (r: RunResult) => (r.spec.data.kind === 'synthetic' ? r.spec.data.n : r.spec.data.path);
  const parts: [boolean, (r: RunResult) => string][] = [
    [varies((r) => r.spec.model.activation), (r) => activationName(r.spec.model.activation)],
    [varies((r) => r.spec.model.init), (r) => r.spec.model.init],
    [varies((r) => r.spec.alpha), (r) => (r.spec.alpha === undefined ? 'plain' : `α = ${fmt(r.spec.alpha)}`)],
    [varies(n), (r) => `n = ${n(r)}`],
    [varies((r) => r.spec.model.m), (r) => `m = ${r.spec.model.m}`],
    [varies((r) => r.spec.model.seed), (r) => `seed ${r.spec.model.seed}`],
  ];
  const used = parts.filter(([v]) => v);
  const labels = runs.map((r) => (used.length > 0 ? used.map(([, f]) => f(r)).join(', ') : `m = ${r.spec.model.m}`));
  // distinct runs that still share a label (e.g. two data sets): number them
  return labels.map((l, i) => (labels.indexOf(l) !== labels.lastIndexOf(l) ? `${l} (#${i + 1})` : l));
}

export const byRecipe = (a: RunResult, b: RunResult): number => {
  const key = (r: RunResult): [string, string, number, number, number] => [r.spec.model.activation, r.spec.model.init, r.spec.data.kind === 'synthetic' ? r.spec.data.n : 0, r.spec.model.m, r.spec.model.seed];
  const ka = key(a);
  const kb = key(b);
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  return 0;
};

/**
 * Up to `max` monitored runs for the per-run figures: the lowest seed of each (activation, init, n, m),
 * then evenly spaced across that ordered list so that small and large widths are both shown.
 */
export function pickRuns(monitored: readonly RunResult[], max: number): RunResult[] {
  const sorted = [...monitored].sort(byRecipe);
  const firstSeed = new Map<string, RunResult>();
  for (const r of sorted) {
    const key = JSON.stringify([r.spec.model.activation, r.spec.model.init, r.spec.data, r.spec.alpha ?? null, r.spec.model.m]);
    if (!firstSeed.has(key)) firstSeed.set(key, r);
  }
  const pool = [...firstSeed.values()];
  if (pool.length <= max) return pool;
  if (max <= 1) return pool.slice(0, Math.max(0, max));
  const idx = distinct(Array.from({ length: max }, (_, j) => Math.round((j * (pool.length - 1)) / (max - 1))));
  return idx.map((i) => pool[i]);
}

/** A per-step series stored at the history's steps, or (older files) at every step 0…steps. */
export function stepsFor(values: readonly unknown[], r: RunResult): number[] | undefined {
  const h = r.history;
  if (h && values.length === h.k.length) return h.k;
  if (values.length === r.steps + 1) return Array.from({ length: values.length }, (_, k) => k);
  return undefined;
}

export const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

/** The series key of a width figure: activation, plus init / n / data when those vary. */
export function widthKeys(runs: readonly RunResult[]): (r: RunResult) => string {
  const varies = (f: (r: RunResult) => string) => distinct(runs.map(f)).length > 1;
  const init = (r: RunResult) => r.spec.model.init;
  const n = (r: RunResult) => (r.spec.data.kind === 'synthetic' ? `n = ${r.spec.data.n}` : r.spec.data.path);
  const vi = varies(init);
  const vn = varies(n);
  return (r) => [activationName(r.spec.model.activation), vi ? `${init(r)} init` : '', vn ? n(r) : ''].filter((s) => s.length > 0).join(', ');
}

/** Whether some series of the samples has at least two distinct widths (else a width plot says nothing). */
export function twoWidths(samples: readonly WidthSample[]): boolean {
  const by = new Map<string, Set<number>>();
  for (const s of samples) {
    if (!by.has(s.series)) by.set(s.series, new Set());
    by.get(s.series)!.add(s.m);
  }
  return [...by.values()].some((ms) => ms.size >= 2);
}

export function certificateRows(mon: StoredNtkReport): CertificateRow[] {
  return mon.certificate.map((c) => ({
    condition: c.note ? `${c.name} (${c.note})` : c.name,
    measured: c.measured,
    threshold: c.threshold,
    comparison: c.comparison,
    held: c.held,
    ref: c.ref,
  }));
}
