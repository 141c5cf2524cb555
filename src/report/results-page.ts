/**
 * A report page from results-file lines (`RunResult`, experiments/run.ts): the monitored
 * quantities of theory.md §4 along the runs, the width dependence of §4 B–C, the width threshold
 * m*(n), and each monitored run's certificate. A figure whose data are absent is left out and the
 * page says why (in its section text, and in `skipped` for the caller to print).
 *
 * Kernel quantities come from the kernel monitor (`monitors.ntk`, theory/train-monitor.ts) and are
 * on its NTK scale H/(κ²m) with the matching step η κ² m, so λ, λ/2 and the envelope are the same
 * numbers for "ntk" and "none" scaling.
 */
import type { MStarCurve } from '../experiments/analysis.js';
import type { RunResult } from '../experiments/run.js';
import type { NtkReport } from '../theory/train-monitor.js';
import { formatNumber } from './chart.js';
import { certificateTable } from './page.js';
import { flipsOverSteps, kernelDistanceVsWidth, lambdaMinOverSteps, lossCurves, movementOverSteps, movementVsWidth, thresholdVsN } from './figures.js';
import type { CertificateRow, FigureEntry, FlipRun, LambdaRun, LossRun, MovementRun, Page, PageSection, PowerFit, Table, ThresholdPoint, WidthSample } from './types.js';

const fmt = formatNumber;

export interface ResultsPageOptions {
  title?: string;
  /** Paragraphs before the conventions (default: what was read). */
  intro?: string;
  /** At most this many monitored runs in the per-run figures (default 4). */
  maxRuns?: number;
  /** At most this many certificate tables (default 4). */
  maxCertificates?: number;
  /** δ used for m*(n) (stated on the page; default 0). */
  delta?: number;
  /** Where the results came from, for the intro. */
  sources?: readonly string[];
  /** Figure names to leave out without a note (a page that draws them its own way, e.g. du2019's flips). */
  omit?: readonly string[];
}

/** The linearised prediction is cut where it exceeds this multiple of ‖r(0)‖ (it diverges when ηλ_max(H(W(0))) > 2). */
export const LINEARISED_CUT = 100;

export interface SkippedFigure {
  name: string;
  reason: string;
}

export interface ResultsPage {
  page: Page;
  skipped: SkippedFigure[];
  /** Labels of the monitored runs drawn in the per-run figures / given a certificate table. */
  shownRuns: string[];
  certificateRuns: string[];
  monitoredRuns: number;
}

/** The kernel monitor's report of a run, when it was monitored. */
export function ntkOf(r: RunResult): NtkReport | undefined {
  const mon = r.monitors?.ntk as NtkReport | undefined;
  return mon && typeof mon === 'object' && mon.initial ? mon : undefined;
}

const ACT: Record<string, string> = { relu: 'ReLU', exp: 'exp' };
export const activationName = (a: string): string => ACT[a] ?? a;

function distinct<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function dataText(r: RunResult): string {
  const d = r.spec.data;
  return d.kind === 'synthetic' ? `${d.inputs} n = ${d.n}, d = ${d.d}, labels ${d.labels}, data seed ${d.seed}` : d.path;
}

/**
 * The conventions shared by a set of runs as a `key value` object (theory.md §1: activation,
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
    scaling: list(c.length > 0 ? c.map((x) => x.scaling) : runs.map((r) => r.spec.model.scaling)),
    init: list(runs.map((r) => r.spec.model.init)),
    normalisation: list(c.length > 0 ? c.map((x) => x.normalization) : runs.map((r) => r.spec.normalize)),
    precision: list(c.length > 0 ? c.map((x) => `${x.precision} (${x.backend})`) : runs.map((r) => r.spec.precision)),
    data: list(runs.map(dataText)),
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
    [varies(n), (r) => `n = ${n(r)}`],
    [varies((r) => r.spec.model.m), (r) => `m = ${r.spec.model.m}`],
    [varies((r) => r.spec.model.seed), (r) => `seed ${r.spec.model.seed}`],
  ];
  const used = parts.filter(([v]) => v);
  const labels = runs.map((r) => (used.length > 0 ? used.map(([, f]) => f(r)).join(', ') : `m = ${r.spec.model.m}`));
  // distinct runs that still share a label (e.g. two data sets): number them
  return labels.map((l, i) => (labels.indexOf(l) !== labels.lastIndexOf(l) ? `${l} (#${i + 1})` : l));
}

const byRecipe = (a: RunResult, b: RunResult): number => {
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
    const key = JSON.stringify([r.spec.model.activation, r.spec.model.init, r.spec.data, r.spec.model.m]);
    if (!firstSeed.has(key)) firstSeed.set(key, r);
  }
  const pool = [...firstSeed.values()];
  if (pool.length <= max) return pool;
  if (max <= 1) return pool.slice(0, Math.max(0, max));
  const idx = distinct(Array.from({ length: max }, (_, j) => Math.round((j * (pool.length - 1)) / (max - 1))));
  return idx.map((i) => pool[i]);
}

/** A per-step series stored at the history's steps, or (older files) at every step 0…steps. */
function stepsFor(values: readonly unknown[], r: RunResult): number[] | undefined {
  const h = r.history;
  if (h && values.length === h.k.length) return h.k;
  if (values.length === r.steps + 1) return Array.from({ length: values.length }, (_, k) => k);
  return undefined;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);

/** The series key of a width figure: activation, plus init / n / data when those vary. */
function widthKeys(runs: readonly RunResult[]): (r: RunResult) => string {
  const varies = (f: (r: RunResult) => string) => distinct(runs.map(f)).length > 1;
  const init = (r: RunResult) => r.spec.model.init;
  const n = (r: RunResult) => (r.spec.data.kind === 'synthetic' ? `n = ${r.spec.data.n}` : r.spec.data.path);
  const vi = varies(init);
  const vn = varies(n);
  return (r) => [activationName(r.spec.model.activation), vi ? `${init(r)} init` : '', vn ? n(r) : ''].filter((s) => s.length > 0).join(', ');
}

/** Whether some series of the samples has at least two distinct widths (else a width plot says nothing). */
function twoWidths(samples: readonly WidthSample[]): boolean {
  const by = new Map<string, Set<number>>();
  for (const s of samples) {
    if (!by.has(s.series)) by.set(s.series, new Set());
    by.get(s.series)!.add(s.m);
  }
  return [...by.values()].some((ms) => ms.size >= 2);
}

/** Largest movement over the run: max over the recorded history (which keeps the last step), else the final value. */
export function maxMovement(r: RunResult): number {
  const h = r.history?.movement ?? [];
  let best = r.movement ?? Number.NaN;
  for (const v of h) if (Number.isFinite(v) && !(v <= best)) best = v;
  return best;
}

function certificateRows(mon: NtkReport): CertificateRow[] {
  return mon.certificate.map((c) => ({
    condition: c.note ? `${c.name} (${c.note})` : c.name,
    measured: c.measured,
    threshold: c.threshold,
    comparison: c.comparison,
    held: c.held,
    ref: c.ref,
  }));
}

function skipText(skipped: readonly SkippedFigure[]): string {
  return skipped.map((s) => `Not drawn: ${s.name}. ${s.reason}`).join('\n\n');
}

/** The sections of a results page (monitored dynamics, widths, threshold, certificates) and what was skipped. */
export function resultsSections(
  results: readonly RunResult[],
  curves: readonly MStarCurve[] | null,
  o: ResultsPageOptions = {},
): { sections: PageSection[]; skipped: SkippedFigure[]; shownRuns: string[]; certificateRuns: string[]; monitoredRuns: number } {
  const maxRuns = o.maxRuns ?? 4;
  const maxCerts = o.maxCertificates ?? 4;
  const omit = new Set(o.omit ?? []);
  const runs = results.filter((r) => r.status !== 'error' && r.history !== null);
  const monitored = runs.filter((r) => ntkOf(r) !== undefined).sort(byRecipe);
  const skipped: SkippedFigure[] = [];
  const sections: PageSection[] = [];

  // --- 1. Along the runs: the three loss curves, λ_min(H(W(k))) and R(k) (theory.md §4) ---
  const shown = pickRuns(monitored, maxRuns);
  const labels = runLabels(shown);
  const dyn: FigureEntry[] = [];
  const dynSkipped: SkippedFigure[] = [];
  if (shown.length === 0) {
    const reason = `No monitored runs among the ${runs.length} finished run(s): these figures need the kernel monitor (run with --monitor-every K > 0, or monitorEvery in the sweep spec).`;
    for (const name of ['loss', 'lambda-min', 'movement']) dynSkipped.push({ name, reason });
  } else {
    const conv = conventionsOf(shown, { kernels: 'NTK scale H/(κ²m), step η κ² m' });
    const which = shown.length < monitored.length ? `Showing ${shown.length} of ${monitored.length} monitored runs (lowest seed per width, spread over widths): ${labels.join('; ')}.` : '';
    const cutNotes: string[] = [];
    const loss: LossRun[] = shown.map((r, i) => {
      const mon = ntkOf(r)!;
      const h = r.history!;
      const lin = mon.linearised;
      const linSteps = lin ? stepsFor(lin, r) : undefined;
      // (I − ηH(W(0)))^k r(0) grows geometrically once ηλ_max(H(W(0))) > 2 — at small widths the
      // heavy-tailed exp kernel can do that while GD itself converges; cut it so the data keep the axis.
      const r0 = r.initialResidual ?? h.residual[0];
      let linValues = lin ? lin.map(num) : undefined;
      if (linValues && linSteps) {
        const cut = linValues.findIndex((v) => !(v <= LINEARISED_CUT * r0));
        if (cut >= 0) {
          cutNotes.push(`${labels[i] || 'the run'}: linearised prediction exceeds ${LINEARISED_CUT}‖r(0)‖ from k = ${linSteps[cut]} (ηλ_max(H(W(0))) > 2: the linearised dynamics are unstable at this width) and is cut there.`);
          linValues = linValues.slice(0, cut);
        }
      }
      return {
        label: labels[i],
        steps: h.k,
        residual: h.residual,
        ...(linValues && linSteps ? { linearised: linValues, linearisedSteps: linSteps.slice(0, linValues.length) } : {}),
        eta: mon.initial.etaNtk,
        lambda: mon.initial.lambda,
        ...(r.initialResidual !== null ? { r0: r.initialResidual } : {}),
      };
    });
    const noLin = shown.filter((r) => !ntkOf(r)!.linearised).length;
    dyn.push({
      name: 'loss',
      spec: lossCurves(loss, { conventions: conv, subtitle: [which, ...cutNotes].filter((t) => t.length > 0) }),
      caption: `‖F(W(k),X) − y‖₂ along ${shown.length === 1 ? 'the run' : `${shown.length} monitored runs`} against the linearised prediction (I − ηH(W(0)))ᵏ r(0) and the envelope (1 − ηλ/2)^(k/2)‖r(0)‖ of theory.md §4 D.${noLin > 0 ? ` ${noLin} run(s) have no linearised curve (n above the monitor's limit for the O(n³) eigendecomposition).` : ''}`,
    });
    const lam: LambdaRun[] = shown.map((r, i) => {
      const mon = ntkOf(r)!;
      return { label: labels[i], steps: mon.observations.map((ob) => ob.k), lambdaMin: mon.observations.map((ob) => num(ob.lambdaMin)), lambda: mon.initial.lambda };
    });
    dyn.push({
      name: 'lambda-min',
      spec: lambdaMinOverSteps(lam, { conventions: conv, subtitle: which || undefined }),
      caption: `λ_min(H(W(k))) at the monitored steps against λ/2 (λ = λ_min of the infinite-width kernel), the level §4 C–D need; every ${distinct(shown.map((r) => ntkOf(r)!.every)).join(', ')} steps.`,
    });
    const mov: MovementRun[] = shown.map((r, i) => {
      const mon = ntkOf(r)!;
      const h = r.history!;
      // R* (theory.md §4 A) is the exp network's constant; for ReLU the monitor has no such threshold
      return { label: labels[i], steps: h.k, movement: h.movement, ...(r.spec.model.activation === 'exp' && Number.isFinite(mon.initial.rStar) ? { rStar: mon.initial.rStar } : {}) };
    });
    dyn.push({
      name: 'movement',
      spec: movementOverSteps(mov, { conventions: conv, subtitle: which || undefined }),
      caption: 'R(k) = max_r ‖w_r(k) − w_r(0)‖₂ against R* of theory.md §4 A (exp runs only: R* is the exp network’s stability radius).',
    });
    const relu = shown.map((r, i) => [r, labels[i]] as const).filter(([r]) => r.history?.flipFraction !== undefined);
    if (relu.length > 0 && !omit.has('flips')) {
      const flips: FlipRun[] = relu.map(([r, label]) => ({ label, steps: r.history!.k, flipFraction: r.history!.flipFraction! }));
      dyn.push({ name: 'flips', spec: flipsOverSteps(flips, { conventions: conventionsOf(relu.map(([r]) => r)) }), caption: 'ReLU runs: the fraction of activation patterns 1{⟨w_r(k), x_i⟩ ≥ 0} that changed since initialisation.' });
    }
  }
  skipped.push(...dynSkipped);
  sections.push({
    heading: 'Along the runs: loss, kernel eigenvalue, movement',
    text: [
      'What theory.md §4 checks on a run: the actual residual against the linearised dynamics and the envelope of §4 D, λ_min(H(W(k))) against λ/2, and the movement R(k) against R*. Kernel values are on the monitor’s NTK scale H/(κ²m).',
      skipText(dynSkipped),
    ]
      .filter((t) => t.length > 0)
      .join('\n\n'),
    figures: dyn,
  });

  // --- 2. Against width: ‖H(W(0)) − H^cts‖₂ (§4 B) and the largest movement (§4 C) ---
  const widthFigs: FigureEntry[] = [];
  const widthSkipped: SkippedFigure[] = [];
  const keyOfMon = widthKeys(monitored);
  const kernelSamples: WidthSample[] = monitored.map((r) => ({ series: keyOfMon(r), m: r.spec.model.m, value: ntkOf(r)!.initial.initDistance, seed: r.spec.model.seed }));
  if (!twoWidths(kernelSamples)) {
    widthSkipped.push({
      name: 'kernel-distance',
      reason: monitored.length === 0 ? 'It needs monitored runs (‖H(W(0)) − H^cts‖₂ is measured by the kernel monitor at k = 0).' : 'It needs monitored runs at two or more widths of the same activation.',
    });
  } else {
    widthFigs.push({
      name: 'kernel-distance',
      spec: kernelDistanceVsWidth(kernelSamples, { conventions: conventionsOf(monitored, { kernels: 'NTK scale H/(κ²m)' }) }),
      caption: '‖H(W(0)) − H^cts‖₂ (H^∞ for ReLU) at initialisation against width, mean and min–max over seeds, with the m^(−1/2) rate of the entrywise Hoeffding bound of theory.md §4 B.',
    });
  }
  const keyOfRun = widthKeys(runs);
  const moveSamples: WidthSample[] = runs.map((r) => ({ series: keyOfRun(r), m: r.spec.model.m, value: maxMovement(r), seed: r.spec.model.seed }));
  if (omit.has('movement-width')) {
    // drawn elsewhere on the page
  } else if (!twoWidths(moveSamples)) {
    widthSkipped.push({ name: 'movement-width', reason: runs.length === 0 ? 'There are no finished runs.' : 'It needs finished runs at two or more widths of the same activation.' });
  } else {
    widthFigs.push({
      name: 'movement-width',
      spec: movementVsWidth(moveSamples, { conventions: conventionsOf(runs) }),
      caption: 'The largest distance any neuron moved, max_k max_r ‖w_r(k) − w_r(0)‖₂, against width: mean and min–max over seeds (theory.md §4 C: it shrinks like m^(−1/2), up to e^{O(B)} for exp).',
    });
  }
  skipped.push(...widthSkipped);
  sections.push({
    heading: 'Against width: the initial kernel and the movement',
    text: [
      'Theory.md §4 B: H(W(0)) concentrates on its infinite-width limit at rate m^(−1/2) (slowly for exp, whose neurons are lognormal); §4 C: each neuron moves O(1/√m).',
      skipText(widthSkipped),
    ]
      .filter((t) => t.length > 0)
      .join('\n\n'),
    figures: widthFigs,
  });

  // --- 3. The width threshold m*(n) ---
  if (curves !== null) {
    const delta = o.delta ?? 0;
    const thrFigs: FigureEntry[] = [];
    const thrSkipped: SkippedFigure[] = [];
    const tables: Table[] = [];
    for (const c of curves) {
      const name = `threshold-${c.activation}-${c.init}`;
      const group = runs.filter((r) => r.spec.model.activation === c.activation && r.spec.model.init === c.init);
      const found = c.points.filter((p) => p.mStar !== null);
      const pts: ThresholdPoint[] = found.map((p) => ({ n: p.n, mStar: p.mStar!, ...(p.mBelow !== null ? { lo: p.mBelow, hi: p.mStar! } : {}) }));
      const label = `${activationName(c.activation)}, ${c.init} init`;
      if (new Set(found.map((p) => p.n)).size < 2 || c.fit === null) {
        thrSkipped.push({ name, reason: `${label}: m*(n) was found at ${found.length} value(s) of n; a log-log plot and a fit need two or more (run \`overparam threshold\` with several --n).` });
      } else {
        const fit: PowerFit = { exponent: c.fit.exponent, prefactor: c.fit.constant, ci: c.fit.ci ?? [Number.NaN, Number.NaN], level: c.fit.level, label };
        thrFigs.push({
          name,
          spec: thresholdVsN(pts, fit, {
            conventions: conventionsOf(group, { 'success': `rate over seeds ≥ 1 − δ, δ = ${fmt(delta)}` }),
            subtitle: [
              `Theory (orders, sufficient conditions): ${c.theory.join('; ')}.`,
              ...c.points.filter((p) => p.mStar === null).map((p) => `n = ${p.n}: no width up to ${p.widths.at(-1)?.m ?? '?'} succeeded (not drawn, not fitted).`),
            ],
          }),
          caption: `${label}: the smallest width m*(n) at which a fraction ≥ 1 − δ = ${fmt(1 - delta)} of the seeds reached ε, on log-log axes, with the least-squares fit of log m* on log n; bars from the largest failing width below m* to m*.`,
        });
      }
      tables.push({
        caption: `${label}: m*(n) read off the runs (success rate over seeds at each width run)`,
        columns: ['n', 'm*(n)', 'largest failing width below', 'widths run: converged/seeds'],
        rows: c.points.map((p) => [p.n, p.mStar === null ? { text: `none of ≤ ${p.widths.at(-1)?.m ?? '?'}`, tone: 'bad' } : p.mStar, p.mBelow, p.widths.map((w) => `${w.m}: ${w.converged}/${w.runs}`).join(', ')]),
      });
      if (c.fit) {
        tables.push({
          caption: `${label}: power-law fit m* ≈ C·n^b`,
          columns: ['b (exponent)', `${Math.round(100 * c.fit.level)}% CI of b`, 'C', 'R²', 'points', 'theory (orders)'],
          rows: [[c.fit.exponent, c.fit.ci ? `[${fmt(c.fit.ci[0])}, ${fmt(c.fit.ci[1])}]` : 'none (two points)', c.fit.constant, c.fit.r2, c.fit.points, c.theory.join('; ')]],
        });
      }
    }
    if (curves.length === 0) thrSkipped.push({ name: 'threshold', reason: 'No finished runs on synthetic data (m*(n) needs n, which file data sets do not record in the run spec).' });
    skipped.push(...thrSkipped);
    sections.push({
      heading: 'How wide must the network be? m*(n)',
      text: [
        `For each activation, initialisation and n: m*(n) is the smallest width run whose success rate over seeds is ≥ 1 − δ (δ = ${fmt(delta)}; success = ‖F(W,X) − y‖₂ ≤ ε within the step budget). Read off the results, so it is as fine as the widths that were run (\`overparam threshold\` bisects on a geometric grid). The theory's orders are drawn through the first point: slopes to compare, not constants.`,
        skipText(thrSkipped),
      ]
        .filter((t) => t.length > 0)
        .join('\n\n'),
      figures: thrFigs,
      tables,
    });
  }

  // --- 4. Certificates ---
  const certRuns = pickRuns(monitored, maxCerts);
  const certLabels = runLabels(certRuns);
  const certTables = certRuns.map((r, i) => certificateTable(certificateRows(ntkOf(r)!), `Certificate of ${certLabels[i]} (${r.status}, ${r.steps} steps; measured at ${ntkOf(r)!.observations.length} monitored steps)`));
  sections.push({
    heading: 'The a-posteriori certificate',
    text:
      certRuns.length === 0
        ? 'No monitored runs: the certificate needs the kernel monitor (--monitor-every).'
        : `Each condition of the convergence argument of theory.md §4, measured on the run beside its threshold. They are sufficient conditions: a run may converge with some of them failing. ${certRuns.length < monitored.length ? `Showing ${certRuns.length} of ${monitored.length} monitored runs: ${certLabels.join('; ')}.` : ''}`,
    figures: [],
    tables: certTables,
  });

  return { sections, skipped, shownRuns: labels, certificateRuns: certLabels, monitoredRuns: monitored.length };
}

/** The whole page for `overparam report` and `train --report`. */
export function resultsPage(results: readonly RunResult[], curves: readonly MStarCurve[] | null, o: ResultsPageOptions = {}): ResultsPage {
  const s = resultsSections(results, curves, o);
  const runs = results.filter((r) => r.status !== 'error');
  const errors = results.length - runs.length;
  const sources = o.sources && o.sources.length > 0 ? ` from ${o.sources.map((p) => `\`${p}\``).join(', ')}` : '';
  const intro =
    o.intro ??
    `${results.length} run(s)${sources}: ${runs.filter((r) => r.status === 'converged').length} reached ε, ${runs.filter((r) => r.status !== 'converged').length} did not${errors > 0 ? `, ${errors} failed with an error and are left out` : ''}; ${s.monitoredRuns} were monitored (kernel quantities of theory.md §4).`;
  return {
    page: { title: o.title ?? 'overparam report', intro, conventions: conventionsOf(runs.length > 0 ? runs : results), sections: s.sections },
    skipped: s.skipped,
    shownRuns: s.shownRuns,
    certificateRuns: s.certificateRuns,
    monitoredRuns: s.monitoredRuns,
  };
}
