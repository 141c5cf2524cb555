/**
 * A report page from results-file lines (`RunResult`, experiments/run.ts): the monitored
 * quantities of docs/theory.md §4 along the runs, the width dependence of §4 B–C, the width
 * threshold m*(n), and each monitored run's certificate, one function per section. A figure whose
 * data are absent is left out and the page says why (in its section text, and in `skipped` for the
 * caller to print).
 *
 * Kernel quantities come from the kernel monitor (`monitors.ntk`, theory/train-monitor.ts) and are
 * on its NTK scale H/(κ²m) with the matching step η κ² m, so λ, λ/2 and the envelope are the same
 * numbers for "ntk" and "none" scaling.
 */
import type { MStarCurve, MStarPoint } from '../experiments/analysis.js';
import type { RunResult } from '../experiments/run.js';
import { ACTIVATIONS, isActivationName } from '../activations/index.js';
import { formatNumber } from './chart.js';
import { flipsOverSteps, kernelDistanceVsWidth, lambdaMinOverSteps, lossCurves, movementOverSteps, movementVsWidth, thresholdVsN } from './figures.js';
import { certificateTable } from './page.js';
import { heldOutSection } from './heldout-section.js';
import { activationName, byRecipe, certificateRows, conventionsOf, distinct, maxMovement, ntkOf, num, pickRuns, runLabels, stepsFor, twoWidths, widthKeys } from './runs.js';
import type { Cell, FigureEntry, FlipRun, LambdaRun, LossRun, MovementRun, Page, PageSection, PowerFit, Table, ThresholdPoint, WidthSample } from './types.js';

export { activationName, conventionsOf, maxMovement, ntkOf, pickRuns, runLabels } from './runs.js';

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

/** One section of the page and the figures it could not draw. */
interface SectionOf {
  section: PageSection;
  skipped: SkippedFigure[];
}

function skipText(skipped: readonly SkippedFigure[]): string {
  return skipped.map((s) => `Not drawn: ${s.name}. ${s.reason}`).join('\n\n');
}

function sectionText(lead: string, skipped: readonly SkippedFigure[]): string {
  return [lead, skipText(skipped)].filter((t) => t.length > 0).join('\n\n');
}

/** R* (docs/theory.md §4A) is the exp network's constant: drawn only where §4 is derived for the activation. */
const hasRStar = (r: RunResult): boolean => isActivationName(r.spec.model.activation) && ACTIVATIONS[r.spec.model.activation].theory.apriori;

/** Section 1, along the runs: the three loss curves, λ_min(H(W(k))) and R(k) (§4). */
function dynamicsSection(runs: readonly RunResult[], monitored: readonly RunResult[], shown: readonly RunResult[], labels: readonly string[], omit: ReadonlySet<string>): SectionOf {
  const figures: FigureEntry[] = [];
  const skipped: SkippedFigure[] = [];
  if (shown.length === 0) {
    const reason = `No monitored runs among the ${runs.length} finished run(s): these figures need the kernel monitor (the runs' monitorEvery > 0).`;
    for (const name of ['loss', 'lambda-min', 'movement']) skipped.push({ name, reason });
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
        epsilon: r.spec.epsilon,
        ...(r.initialResidual !== null ? { r0: r.initialResidual } : {}),
      };
    });
    const noLin = shown.filter((r) => !ntkOf(r)!.linearised).length;
    figures.push({
      name: 'loss',
      spec: lossCurves(loss, { conventions: conv, subtitle: [which, ...cutNotes].filter((t) => t.length > 0) }),
      caption: `‖F(W(k),X) − y‖₂ along ${shown.length === 1 ? 'the run' : `${shown.length} monitored runs`} against the linearised prediction (I − ηH(W(0)))ᵏ r(0) and the envelope (1 − ηλ/2)^(k/2)‖r(0)‖ of docs/theory.md §4 D.${noLin > 0 ? ` ${noLin} run(s) have no linearised curve (n above the monitor's limit for the O(n³) eigendecomposition).` : ''}`,
    });
    const lam: LambdaRun[] = shown.map((r, i) => {
      const mon = ntkOf(r)!;
      return { label: labels[i], steps: mon.observations.map((ob) => ob.k), lambdaMin: mon.observations.map((ob) => num(ob.lambdaMin)), lambda: mon.initial.lambda };
    });
    figures.push({
      name: 'lambda-min',
      spec: lambdaMinOverSteps(lam, { conventions: conv, subtitle: which || undefined }),
      caption: `λ_min(H(W(k))) at the monitored steps against λ/2 (λ = λ_min of the infinite-width kernel), the level §4 C–D need; every ${distinct(shown.map((r) => ntkOf(r)!.every)).join(', ')} steps.`,
    });
    const mov: MovementRun[] = shown.map((r, i) => {
      const mon = ntkOf(r)!;
      const h = r.history!;
      return { label: labels[i], steps: h.k, movement: h.movement, ...(hasRStar(r) && Number.isFinite(mon.initial.rStar) ? { rStar: mon.initial.rStar } : {}) };
    });
    figures.push({
      name: 'movement',
      spec: movementOverSteps(mov, { conventions: conv, subtitle: which || undefined }),
      caption: 'R(k) = max_r ‖w_r(k) − w_r(0)‖₂ against R* of docs/theory.md §4 A (exp runs only: R* is the exp network’s stability radius).',
    });
    const relu = shown.map((r, i) => [r, labels[i]] as const).filter(([r]) => r.history?.flipFraction !== undefined);
    if (relu.length > 0 && !omit.has('flips')) {
      const flips: FlipRun[] = relu.map(([r, label]) => ({ label, steps: r.history!.k, flipFraction: r.history!.flipFraction! }));
      figures.push({ name: 'flips', spec: flipsOverSteps(flips, { conventions: conventionsOf(relu.map(([r]) => r)) }), caption: 'ReLU runs: the fraction of activation patterns 1{⟨w_r(k), x_i⟩ ≥ 0} that changed since initialisation.' });
    }
  }
  return {
    section: {
      heading: 'Along the runs: loss, kernel eigenvalue, movement',
      text: sectionText(
        'What docs/theory.md §4 checks on a run: the actual residual against the linearised dynamics and the envelope of §4 D, λ_min(H(W(k))) against λ/2, and the movement R(k) against R*. Kernel values are on the monitor’s NTK scale H/(κ²m).',
        skipped,
      ),
      figures,
    },
    skipped,
  };
}

/** Section 2, against width: ‖H(W(0)) − H^lim‖₂ (§4 B) and the largest movement (§4 C). */
function widthSection(runs: readonly RunResult[], monitored: readonly RunResult[], omit: ReadonlySet<string>): SectionOf {
  const figures: FigureEntry[] = [];
  const skipped: SkippedFigure[] = [];
  const keyOfMon = widthKeys(monitored);
  const kernelSamples: WidthSample[] = monitored.map((r) => ({ series: keyOfMon(r), m: r.spec.model.m, value: ntkOf(r)!.initial.initDistance, seed: r.spec.model.seed }));
  if (!twoWidths(kernelSamples)) {
    skipped.push({
      name: 'kernel-distance',
      reason: monitored.length === 0 ? 'It needs monitored runs (‖H(W(0)) − H^lim‖₂ is measured by the kernel monitor at k = 0).' : 'It needs monitored runs at two or more widths of the same activation.',
    });
  } else {
    figures.push({
      name: 'kernel-distance',
      spec: kernelDistanceVsWidth(kernelSamples, { conventions: conventionsOf(monitored, { kernels: 'NTK scale H/(κ²m)' }) }),
      caption: '‖H(W(0)) − H^lim‖₂ (H^cts for exp, H^∞ for ReLU, …) at initialisation against width, mean and min–max over seeds, with the m^(−1/2) rate of the entrywise Hoeffding bound of docs/theory.md §4 B.',
    });
  }
  const keyOfRun = widthKeys(runs);
  const moveSamples: WidthSample[] = runs.map((r) => ({ series: keyOfRun(r), m: r.spec.model.m, value: maxMovement(r), seed: r.spec.model.seed }));
  if (omit.has('movement-width')) {
    // drawn elsewhere on the page
  } else if (!twoWidths(moveSamples)) {
    skipped.push({ name: 'movement-width', reason: runs.length === 0 ? 'There are no finished runs.' : 'It needs finished runs at two or more widths of the same activation.' });
  } else {
    figures.push({
      name: 'movement-width',
      spec: movementVsWidth(moveSamples, { conventions: conventionsOf(runs) }),
      caption: 'The largest distance any neuron moved, max_k max_r ‖w_r(k) − w_r(0)‖₂, against width: mean and min–max over seeds (docs/theory.md §4 C: it shrinks like m^(−1/2), up to e^{O(B)} for exp).',
    });
  }
  return {
    section: {
      heading: 'Against width: the initial kernel and the movement',
      text: sectionText(
        'docs/theory.md §4 B: H(W(0)) concentrates on its infinite-width limit at rate m^(−1/2) (slowly for exp, whose neurons are lognormal); §4 C: each neuron moves O(1/√m).',
        skipped,
      ),
      figures,
    },
    skipped,
  };
}

/** The m*(n) cell of the threshold table: the width where bracketed, a bound ("≤ 256", "> 4096") where censored. */
function mStarCell(p: MStarPoint): Cell {
  if (p.censored === 'above' || p.mStar === null) return { text: `> ${p.widths.at(-1)?.m ?? '?'} (none converged)`, tone: 'bad' };
  if (p.censored === 'below') return { text: `≤ ${p.mStar} (smallest width run converged)` };
  return p.mStar;
}

/** Section 3, the width threshold m*(n) per activation and initialisation, with its fit. */
function thresholdSection(runs: readonly RunResult[], curves: readonly MStarCurve[], delta: number): SectionOf {
  const figures: FigureEntry[] = [];
  const skipped: SkippedFigure[] = [];
  const tables: Table[] = [];
  for (const c of curves) {
    const name = `threshold-${c.activation}-${c.init}`;
    const group = runs.filter((r) => r.spec.model.activation === c.activation && r.spec.model.init === c.init);
    // m* is a threshold only where a failing width brackets it from below; elsewhere it is a bound
    const found = c.points.filter((p) => p.mStar !== null && p.censored === null);
    const below = c.points.filter((p) => p.censored === 'below');
    const above = c.points.filter((p) => p.censored === 'above');
    const pts: ThresholdPoint[] = [
      ...found.map((p) => ({ n: p.n, mStar: p.mStar!, ...(p.mBelow !== null ? { lo: p.mBelow, hi: p.mStar! } : {}) })),
      ...below.map((p): ThresholdPoint => ({ n: p.n, mStar: p.mStar!, bound: 'upper' })),
      ...above.flatMap((p): ThresholdPoint[] => (p.widths.length > 0 ? [{ n: p.n, mStar: p.widths.at(-1)!.m, bound: 'lower' }] : [])),
    ];
    const label = `${activationName(c.activation)}, ${c.init} init`;
    const boundNote = [
      below.length > 0 ? `at n = ${below.map((p) => p.n).join(', ')} the smallest width run (${distinct(below.map((p) => String(p.mStar))).join(', ')}) already converged, so m*(n) ≤ that width is an upper bound, not a threshold (run smaller widths to find m*)` : '',
      above.length > 0 ? `at n = ${above.map((p) => p.n).join(', ')} no width run converged (m*(n) > ${distinct(above.map((p) => String(p.widths.at(-1)?.m ?? '?'))).join(', ')})` : '',
    ].filter((s) => s !== '');
    if (new Set(found.map((p) => p.n)).size < 2 || c.fit === null) {
      skipped.push({
        name,
        reason: `${label}: m*(n) was bracketed (a failing width below a converging one) at ${found.length} value(s) of n; a log-log plot and a fit need two or more (run \`overparam threshold\` with several n)${boundNote.length > 0 ? `; ${boundNote.join('; ')}` : ''}.`,
      });
    } else {
      const fit: PowerFit = { exponent: c.fit.exponent, prefactor: c.fit.constant, ci: c.fit.ci ?? [Number.NaN, Number.NaN], level: c.fit.level, label };
      figures.push({
        name,
        spec: thresholdVsN(pts, fit, {
          conventions: conventionsOf(group, { success: `rate over seeds ≥ 1 − δ, δ = ${fmt(delta)}` }),
          subtitle: [
            `Theory (orders, sufficient conditions): ${c.theory.join('; ')}.`,
            `Fitted over the ${c.fit.points} n with a bracketed m*${boundNote.length > 0 ? `; not fitted: ${boundNote.join('; ')}` : ''}.`,
          ],
        }),
        caption: `${label}: the smallest width m*(n) at which a fraction ≥ 1 − δ = ${fmt(1 - delta)} of the seeds reached ε, on log-log axes, with the least-squares fit of log m* on log n; bars from the largest failing width below m* to m*${below.length + above.length > 0 ? '; open triangles are bounds (▽ m* ≤ the smallest width run, △ m* > the largest), not fitted' : ''}.`,
      });
    }
    tables.push({
      caption: `${label}: m*(n) read off the runs (success rate over seeds at each width run; ≤: the smallest width run already converged, an upper bound; >: none converged)`,
      columns: ['n', 'm*(n)', 'largest failing width below', 'widths run: converged/seeds'],
      rows: c.points.map((p) => [p.n, mStarCell(p), p.censored === 'above' ? null : p.mBelow, p.widths.map((w) => `${w.m}: ${w.converged}/${w.runs}`).join(', ')]),
    });
    if (c.fit) {
      tables.push({
        caption: `${label}: power-law fit m* ≈ C·n^b over the n with a bracketed m* (bounds left out)`,
        columns: ['b (exponent)', `${Math.round(100 * c.fit.level)}% CI of b`, 'C', 'R²', 'points', 'bounds left out', 'theory (orders)'],
        rows: [[c.fit.exponent, c.fit.ci ? `[${fmt(c.fit.ci[0])}, ${fmt(c.fit.ci[1])}]` : 'none (two points)', c.fit.constant, c.fit.r2, c.fit.points, c.censored.below + c.censored.above, c.theory.join('; ')]],
      });
    }
  }
  if (curves.length === 0) skipped.push({ name: 'threshold', reason: 'No finished runs on synthetic data (m*(n) needs n, which file data sets do not record in the run spec).' });
  return {
    section: {
      heading: 'How wide must the network be? m*(n)',
      text: sectionText(
        `For each activation, initialisation and n: m*(n) is the smallest width run whose success rate over seeds is ≥ 1 − δ (δ = ${fmt(delta)}; success = ‖F(W,X) − y‖₂ ≤ ε within the step budget). Read off the results, so it is as fine as the widths that were run (\`overparam threshold\` bisects on a geometric grid). The theory's orders are drawn through the first point: slopes to compare, not constants.`,
        skipped,
      ),
      figures,
      tables,
    },
    skipped,
  };
}

/** Section 4, the a-posteriori certificate of up to `max` monitored runs. */
function certificateSection(monitored: readonly RunResult[], max: number): { section: PageSection; labels: string[] } {
  const certRuns = pickRuns(monitored, max);
  const labels = runLabels(certRuns);
  const tables = certRuns.map((r, i) => certificateTable(certificateRows(ntkOf(r)!), `Certificate of ${labels[i]} (${r.status}, ${r.steps} steps; measured at ${ntkOf(r)!.observations.length} monitored steps)`));
  const notes = distinct(certRuns.map((r) => ntkOf(r)!.note).filter((t): t is string => t !== undefined));
  return {
    section: {
      heading: 'The a-posteriori certificate',
      text:
        certRuns.length === 0
          ? 'No monitored runs: the certificate needs the kernel monitor (the runs\' monitorEvery > 0).'
          : [
              `Each condition of the convergence argument of docs/theory.md §4, measured on the run beside its threshold. They are sufficient conditions: a run may converge with some of them failing. ${certRuns.length < monitored.length ? `Showing ${certRuns.length} of ${monitored.length} monitored runs: ${labels.join('; ')}.` : ''}`,
              ...notes.map((t) => `Note: ${t}.`),
            ].join('\n\n'),
      figures: [],
      tables,
    },
    labels,
  };
}

/** The sections of a results page (monitored dynamics, widths, threshold, certificates) and what was skipped. */
export function resultsSections(
  results: readonly RunResult[],
  curves: readonly MStarCurve[] | null,
  o: ResultsPageOptions = {},
): { sections: PageSection[]; skipped: SkippedFigure[]; shownRuns: string[]; certificateRuns: string[]; monitoredRuns: number } {
  const omit = new Set(o.omit ?? []);
  const runs = results.filter((r) => r.status !== 'error' && r.history !== null);
  const monitored = runs.filter((r) => ntkOf(r) !== undefined).sort(byRecipe);
  const shown = pickRuns(monitored, o.maxRuns ?? 4);
  const labels = runLabels(shown);
  const parts: SectionOf[] = [dynamicsSection(runs, monitored, shown, labels, omit), widthSection(runs, monitored, omit)];
  if (curves !== null) parts.push(thresholdSection(runs, curves, o.delta ?? 0));
  const held = heldOutSection(runs, o.maxRuns ?? 4);
  if (held) parts.push(held);
  const certs = certificateSection(monitored, o.maxCertificates ?? 4);
  return {
    sections: [...parts.map((p) => p.section), certs.section],
    skipped: parts.flatMap((p) => p.skipped),
    shownRuns: labels,
    certificateRuns: certs.labels,
    monitoredRuns: monitored.length,
  };
}

/** The whole page for `overparam report` and `train --report`. */
export function resultsPage(results: readonly RunResult[], curves: readonly MStarCurve[] | null, o: ResultsPageOptions = {}): ResultsPage {
  const s = resultsSections(results, curves, o);
  const runs = results.filter((r) => r.status !== 'error');
  const errors = results.length - runs.length;
  const sources = o.sources && o.sources.length > 0 ? ` from ${o.sources.map((p) => `\`${p}\``).join(', ')}` : '';
  const intro =
    o.intro ??
    `${results.length} run(s)${sources}: ${runs.filter((r) => r.status === 'converged').length} reached ε, ${runs.filter((r) => r.status !== 'converged').length} did not${errors > 0 ? `, ${errors} failed with an error and are left out` : ''}; ${s.monitoredRuns} were monitored (kernel quantities of docs/theory.md §4).`;
  return {
    page: { title: o.title ?? 'overparam report', intro, conventions: conventionsOf(runs.length > 0 ? runs : results), sections: s.sections },
    skipped: s.skipped,
    shownRuns: s.shownRuns,
    certificateRuns: s.certificateRuns,
    monitoredRuns: s.monitoredRuns,
  };
}
