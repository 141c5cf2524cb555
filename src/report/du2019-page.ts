/**
 * The page of `overparam replicate du2019`: the three figures of Du et al. 2019 (docs/theory.md §3) —
 * training loss and ReLU pattern flips against iteration, one curve per width, and the largest
 * movement against width — followed by the generic sections of results-page.ts for the same runs.
 */
import type { Du2019ActivationSummary, Du2019Setup } from '../experiments/du2019.js';
import type { RunResult } from '../experiments/run.js';
import { formatNumber, lineChart, seriesColor } from './chart.js';
import { flipsOverSteps, movementVsWidth } from './figures.js';
import { activationName, conventionsOf, maxMovement, resultsSections, type ResultsPage } from './results-page.js';
import type { FigureEntry, FlipRun, Series, WidthSample } from './types.js';

const fmt = formatNumber;

/** The run of each (activation, width) drawn in the per-iteration figures: the lowest seed. */
function curveRuns(results: readonly RunResult[], s: Du2019Setup): Map<string, RunResult> {
  const out = new Map<string, RunResult>();
  const sorted = [...results].filter((r) => r.status !== 'error' && r.history !== null).sort((a, b) => a.spec.model.seed - b.spec.model.seed);
  for (const r of sorted) {
    const key = `${r.spec.model.activation}/${r.spec.model.m}`;
    if (!out.has(key) && s.widths.includes(r.spec.model.m)) out.set(key, r);
  }
  return out;
}

/** "n = 200, d = 100, widths 100…25600, 2 seeds, η …": the scale the page states. */
export function du2019ScaleText(s: Du2019Setup): string {
  const etas = s.steps.map((st) => `${activationName(st.activation)} η = ${fmt(st.eta)} (1/λ_max = 1/${fmt(st.lambdaMax)}; λ_min = ${fmt(st.lambdaMin)})`).join(', ');
  return `scale ${s.name}: n = ${s.n} points uniform on the unit sphere in d = ${s.d}, labels N(0,1) (data seed ${s.dataSeed}); widths ${s.widths.join(', ')}; ${s.seeds} seed(s) per width; ${etas}; stop at ‖F(W,X) − y‖₂ ≤ ${fmt(s.epsilon)} or ${s.maxSteps} steps`;
}

export function du2019Page(results: readonly RunResult[], s: Du2019Setup, summary: readonly Du2019ActivationSummary[], o: { wallSeconds?: number; maxRuns?: number } = {}): ResultsPage {
  const runs = results.filter((r) => r.status !== 'error');
  const curves = curveRuns(runs, s);
  const scaleText = du2019ScaleText(s);
  const conv = conventionsOf(runs);
  const figures: FigureEntry[] = [];

  // 1. Training loss L(W(k)) = ½‖r(k)‖² against k: colour = width, dash = activation.
  const series: Series[] = [];
  const dash: Record<string, 'solid' | 'dashed' | 'dotted'> = { relu: 'solid', exp: 'dashed' };
  for (const st of s.steps) {
    s.widths.forEach((m, i) => {
      const r = curves.get(`${st.activation}/${m}`);
      if (!r) return;
      const h = r.history!;
      series.push({
        name: `${activationName(st.activation)}, m = ${m}`,
        x: h.k,
        y: h.residual.map((v) => 0.5 * v * v),
        color: seriesColor(i, s.widths.length),
        style: dash[st.activation] ?? 'dotted',
      });
    });
  }
  figures.push({
    name: 'du2019-loss',
    spec: lineChart({
      title: 'Training loss against iteration, one curve per width (Du et al. 2019, Fig. 1a)',
      xLabel: 'iteration k',
      yLabel: 'training loss ½‖F(W(k), X) − y‖₂² (log scale)',
      logY: true,
      series,
      // the stopping criterion ‖r‖₂ ≤ ε in this figure's units: L = ½ε²
      rules: [{ name: `target ½ε² = ${fmt(0.5 * s.epsilon * s.epsilon)}`, y: 0.5 * s.epsilon * s.epsilon, style: 'dotted', color: '#777' }],
      subtitle: [`Colour: width m; solid: ReLU, dashed: exp; lowest seed per width; grey dotted: the target ½ε² (‖r‖₂ = ε). One fixed η per activation for every width: ${s.steps.map((st) => `${activationName(st.activation)} ${fmt(st.eta)}`).join(', ')}.`, scaleText],
      conventions: conv,
    }),
    caption: 'Training loss against iteration for each width; wider networks converge at least as fast (the paper’s Figure 1a, here for ReLU and exp).',
  });

  // 2. ReLU pattern flips against iteration, one curve per width.
  const flipRuns: FlipRun[] = s.widths
    .map((m) => curves.get(`relu/${m}`))
    .filter((r): r is RunResult => r !== undefined && r.history?.flipFraction !== undefined)
    .map((r) => ({ label: `m = ${r.spec.model.m}`, steps: r.history!.k, flipFraction: r.history!.flipFraction! }));
  if (flipRuns.length > 0) {
    figures.push({
      name: 'du2019-flips',
      spec: flipsOverSteps(flipRuns, {
        conventions: conventionsOf(runs.filter((r) => r.spec.model.activation === 'relu')),
        title: 'ReLU: activation patterns flipped since initialisation (Du et al. 2019, Fig. 1b)',
        subtitle: [`Lowest seed per width. ${scaleText}`],
      }),
      caption: 'The fraction of (sample, neuron) pairs whose ReLU pattern changed since k = 0; fewer at larger m (the paper’s Figure 1b). exp has no patterns to flip.',
    });
  }

  // 3. Largest movement against width, mean and min–max over seeds, with the fitted slope.
  const samples: WidthSample[] = runs.map((r) => ({ series: activationName(r.spec.model.activation), m: r.spec.model.m, value: maxMovement(r), seed: r.spec.model.seed }));
  const slopes = summary
    .filter((a) => a.slope !== null)
    .map((a) => `${activationName(a.activation)} ${fmt(a.slope!.exponent)}${a.slope!.ci ? ` (95% CI ${fmt(a.slope!.ci[0])} to ${fmt(a.slope!.ci[1])})` : ''}`);
  figures.push({
    name: 'du2019-movement',
    spec: movementVsWidth(samples, {
      conventions: conv,
      title: 'Largest neuron movement against width (Du et al. 2019, Fig. 1c)',
      subtitle: [`Fitted slope of log max movement on log m: ${slopes.join('; ') || 'n/a'} (docs/theory.md §4 C: −1/2, up to the e^{O(B)} of exp’s largest neuron).`, scaleText],
    }),
    caption: 'max_k max_r ‖w_r(k) − w_r(0)‖₂ at the end of training against m: the larger the width, the less any neuron moves (the paper’s Figure 1c).',
  });

  const generic = resultsSections(runs, null, { maxRuns: o.maxRuns ?? 4, omit: ['flips', 'movement-width'] });
  const table = {
    caption: 'Per activation and width: steps, largest movement (mean over seeds, [min, max]) and final flip fraction',
    columns: ['activation', 'η', 'width m', 'converged/seeds', 'steps (mean)', 'max movement (mean)', '[min, max] over seeds', 'flipped patterns (ReLU)'],
    rows: summary.flatMap((a) =>
      a.rows.map((r) => [activationName(a.activation), a.eta, r.m, `${r.converged}/${r.seeds}`, r.steps, r.maxMovement, `[${fmt(r.minMovement)}, ${fmt(r.maxMovementHi)}]`, r.flipFraction === null ? null : r.flipFraction]),
    ),
  };
  const time = o.wallSeconds !== undefined ? ` The runs took ${o.wallSeconds.toFixed(1)} s of wall time (resumed runs not counted).` : '';
  return {
    page: {
      title: 'Replication of Du, Zhai, Póczos & Singh (ICLR 2019), Figure 1: ReLU and exp',
      intro: `The experiment of docs/theory.md §3: points uniform on the unit sphere, labels N(0,1), full-batch GD with one fixed step size for all widths, for ReLU (the paper) and exp (this project). Larger m should converge faster, flip fewer activation patterns, and move less.\n\nRan at ${scaleText}.${time}${s.name !== 'full' ? ' The paper used n = d = 1000 (the scale `full`).' : ''}`,
      conventions: conv,
      sections: [{ heading: 'Du et al. 2019, Figure 1', text: 'Made by `overparam replicate du2019`.', figures, tables: [table] }, ...generic.sections],
    },
    skipped: generic.skipped,
    shownRuns: generic.shownRuns,
    certificateRuns: generic.certificateRuns,
    monitoredRuns: generic.monitoredRuns,
  };
}
