/**
 * The page of `overparam replicate arora2019`: true against random labels (Arora, Du, Hu, Li & Wang,
 * ICML 2019; docs/theory.md §6, the spectral view) — the training loss against iteration beside its
 * spectral prediction, one figure per activation; the labels' energy on the eigenvectors of H^lim
 * against rank; and the table of yᵀ(H^lim)⁻¹y, losses and test errors for both label kinds.
 */
import { ACTIVATIONS } from '../activations/index.js';
import type { Arora2019Setup, Arora2019Spectrum, Arora2019Summary } from '../experiments/arora2019.js';
import { labelsOf } from '../experiments/arora2019.js';
import type { RunResult } from '../experiments/run.js';
import { formatNumber } from './chart.js';
import { activationName, conventionsOf, type ResultsPage } from './results-page.js';
import { cumulativeEnergyByRank, lossWithSpectralPrediction, type EnergyCurve, type PredictedLossRun } from './spectral-figures.js';
import type { FigureEntry, Table } from './types.js';

const fmt = formatNumber;
const LABEL_TEXT = { true: 'true (teacher) labels', random: 'random labels' } as const;
const LABEL_COLOR = { true: '#4e79a7', random: '#e15759' } as const;

/** "n = 500 points uniform on the unit sphere in d = 10, …": the scale the page and the CLI state. */
export function arora2019ScaleText(s: Arora2019Setup): string {
  const etas = s.steps.map((st) => `${activationName(st.activation)} η = ${fmt(st.eta)} (1/λ_max(${ACTIVATIONS[st.activation].limit.symbol}) = 1/${fmt(st.lambdaMax)}; λ_min = ${fmt(st.lambdaMin)})`).join(', ');
  const test = s.nTest > 0 ? `${s.nTest} held-out points from the same stream with the teacher's labels` : 'no held-out points';
  return (
    `scale ${s.name}: n = ${s.n} synthetic points uniform on the unit sphere in d = ${s.d} (data seed ${s.dataSeed}); true labels from a random width-8 exp teacher, ` +
    `random labels every one replaced by a label drawn from them (label noise 1); ${test}; width m = ${s.m}, coupled initialisation, ${s.seeds} seed(s); ` +
    `${etas}, the same for both label kinds; ${s.maxSteps} steps (ε = ${fmt(s.epsilon)}, never reached)`
  );
}

/** The lowest seed's run per (activation, label kind), for the per-iteration figures. */
function curveRuns(results: readonly RunResult[]): Map<string, RunResult> {
  const out = new Map<string, RunResult>();
  const sorted = [...results].filter((r) => r.status !== 'error' && r.history !== null).sort((a, b) => a.spec.model.seed - b.spec.model.seed);
  for (const r of sorted) {
    const key = `${r.spec.model.activation}/${labelsOf(r.spec)}`;
    if (!out.has(key)) out.set(key, r);
  }
  return out;
}

export function arora2019Page(results: readonly RunResult[], s: Arora2019Setup, summary: Arora2019Summary, spectra: readonly Arora2019Spectrum[], o: { wallSeconds?: number } = {}): ResultsPage {
  const runs = results.filter((r) => r.status !== 'error');
  const curves = curveRuns(runs);
  const scaleText = arora2019ScaleText(s);
  const extra = { labels: 'true: the teacher’s; random: label noise 1 (every label replaced)', loss: '‖F(W,X) − y‖₂² (not halved)' };
  const conv = conventionsOf(runs, extra);
  // the figures state the scale in one line; their conventions carry the data, η, steps and test points
  const shortScale = `Synthetic data (not MNIST/CIFAR): n = ${s.n}, d = ${s.d}, width m = ${s.m}, coupled initialisation, ${s.maxSteps} steps, ${s.seeds} seed(s).`;
  const figures: FigureEntry[] = [];
  const notes: string[] = [];

  // 1. Per activation: ‖r(k)‖² against k for both label kinds, each beside its spectral prediction.
  for (const step of s.steps) {
    const lossRuns: PredictedLossRun[] = [];
    for (const labels of ['true', 'random'] as const) {
      const r = curves.get(`${step.activation}/${labels}`);
      const sp = spectra.find((x) => x.activation === step.activation && x.labels === labels);
      if (!r || !sp) continue;
      lossRuns.push({
        label: `${LABEL_TEXT[labels]}, seed ${r.spec.model.seed}`,
        steps: r.history!.k,
        loss: r.history!.residual.map((v) => v * v),
        predicted: sp.predicted.lossSq,
        predictedSteps: sp.predicted.k,
        color: LABEL_COLOR[labels],
      });
    }
    if (lossRuns.length === 0) {
      notes.push(`Not drawn: the loss figure of ${activationName(step.activation)}: no finished run.`);
      continue;
    }
    const kernel = ACTIVATIONS[step.activation].limit.symbol;
    figures.push({
      name: `arora2019-loss-${step.activation}`,
      spec: lossWithSpectralPrediction(lossRuns, {
        conventions: conventionsOf(
          runs.filter((r) => r.spec.model.activation === step.activation),
          extra,
        ),
        title: `${activationName(step.activation)}: training loss for true and random labels, and the spectral prediction (Arora et al. 2019)`,
        subtitle: [`Prediction on ${kernel} with the runs' η = ${fmt(step.eta)} = 1/λ_max(${kernel}); lowest seed per label kind. ${shortScale}`],
      }),
      caption: `${activationName(step.activation)}: ‖F(W(k), X) − y‖₂² against k for the teacher's labels and for random labels (solid), and Σ_i (1 − ηλ_i)^{2k} (v_iᵀy)² on ${kernel} (dashed). Arora et al. found random labels fitted more slowly, their energy sitting on eigenvectors of small λ_i.`,
    });
  }

  // 2. Cumulative energy on the eigenvectors of H^lim, true against random, one line style per activation.
  const styles = ['solid', 'dashed', 'dotted'] as const;
  const energy: EnergyCurve[] = spectra.map((sp) => ({
    label: `${activationName(sp.activation)} (${ACTIVATIONS[sp.activation].limit.symbol}), ${LABEL_TEXT[sp.labels]}`,
    cumulative: sp.cumulative,
    color: LABEL_COLOR[sp.labels],
    style: styles[s.activations.indexOf(sp.activation) % styles.length],
  }));
  figures.push({
    name: 'arora2019-projections',
    spec: cumulativeEnergyByRank(energy, {
      conventions: conv,
      title: 'Energy of true and random labels on the eigenvectors of H^lim (after Arora et al. 2019)',
      subtitle: [`Colour: label kind; line style: activation (${s.activations.map((a, i) => `${activationName(a)} ${styles[i % styles.length]}`).join(', ')}). ${shortScale}`],
    }),
    caption: 'Cumulative fraction of ‖y‖² on the top i eigenvectors of the infinite-width kernel, for the teacher’s labels and for random labels (Arora et al.: true labels sit on the leading eigenvectors, random labels spread over the spectrum).',
  });

  const top = (sp: Arora2019Spectrum | undefined, q: number) => sp?.ranksFor.find((r) => r.fraction === q)?.rank ?? null;
  const kEarly = summary.rows[0]?.kEarly ?? 0;
  const table: Table = {
    caption: `Per activation and label kind (mean over seeds): losses ‖r(k)‖² = ‖F(W(k), X) − y‖₂² beside the spectral prediction, yᵀ(H^lim)⁻¹y and the test error`,
    columns: [
      'activation',
      'labels',
      'η',
      '‖y‖²',
      'yᵀ(H^lim)⁻¹y',
      '√(2 yᵀ(H^lim)⁻¹y / n)',
      'top eigenvectors holding 50% / 90% of ‖y‖²',
      `‖r(${kEarly})‖² (predicted)`,
      `‖r(${s.maxSteps})‖² [min, max] (predicted)`,
      `‖r(${s.maxSteps})‖² / ‖y‖²`,
      'network test RMSE',
      'kernel interpolation test RMSE',
    ],
    rows: summary.rows.map((r) => {
      const sp = spectra.find((x) => x.activation === r.activation && x.labels === r.labels);
      return [
        activationName(r.activation),
        r.labels,
        r.eta,
        r.yNormSq,
        r.rkhsNormSq,
        r.boundTerm,
        `${top(sp, 0.5)} / ${top(sp, 0.9)} of ${s.n}`,
        `${fmt(r.lossEarly)} (${fmt(r.predictedEarly)})`,
        `${fmt(r.lossFinal)} [${fmt(r.lossFinalMin)}, ${fmt(r.lossFinalMax)}] (${fmt(r.predictedFinal)})`,
        r.relativeFinal,
        r.testRmse,
        r.kernelTestRmse,
      ];
    }),
  };
  const findings = summary.findings
    .map(
      (f) =>
        `${activationName(f.activation)}: random labels had left a larger fraction ‖r(k)‖²/‖y‖² of their loss than true labels at k = ${f.kEarly} in ${f.randomSlowerEarly} of ${f.seeds} seed(s) (geometric mean ratio ${fmt(f.ratioEarly)}), and at k = ${s.maxSteps} in ${f.randomSlowerFinal} of ${f.seeds} (ratio ${fmt(f.ratioFinal)}).`,
    )
    .join(' ');
  const rkhs = s.steps
    .map((st) => {
      const t = spectra.find((x) => x.activation === st.activation && x.labels === 'true');
      const r = spectra.find((x) => x.activation === st.activation && x.labels === 'random');
      return t && r ? `${activationName(st.activation)} ${fmt(t.rkhsNormSq)} (true) against ${fmt(r.rkhsNormSq)} (random)` : '';
    })
    .filter((x) => x.length > 0)
    .join('; ');
  const time = o.wallSeconds !== undefined ? ` The runs took ${o.wallSeconds.toFixed(1)} s of wall time (resumed runs not counted).` : '';
  const intro = [
    'Arora, Du, Hu, Li & Wang (ICML 2019) trained two-layer ReLU networks on MNIST and CIFAR with true labels and with random labels, and explained the difference by the spectrum of the infinite-width kernel H^∞ (docs/theory.md §6, the spectral view): GD on the linearised network leaves ‖r(k)‖² = Σ_i (1 − ηλ_i)^{2k} (v_iᵀy)², so labels whose energy (v_iᵀy)² sits on eigenvectors of large λ_i are fitted quickly, and their generalisation bound grows with √(2 yᵀ(H^∞)⁻¹y / n).',
    `The data here are synthetic, not MNIST or CIFAR images (this project has no image data): ${scaleText}.${time}`,
    `Conventions: NTK scaling F(W, x) = (1/√m) Σ_r a_r σ(⟨w_r, x⟩) (κ = 1/√m), only W trained; coupled initialisation (pairs w_{r+m/2}(0) = w_r(0), a_{r+m/2} = −a_r), so F(W(0), ·) = 0 and r(0) = −y exactly, as the prediction assumes; inputs normalised to unit norm (they already are); full-batch GD with one fixed step η = 1/λ_max(H^lim) per activation, computed on the training inputs and therefore the same for true and random labels; every run takes exactly ${s.maxSteps} steps (ε = ${fmt(s.epsilon)} is never reached); float64. Losses are ‖F(W(k), X) − y‖₂², not halved. The prediction uses H^lim itself (H^∞ for ReLU, H^cts for exp) with the same η; the network's own H(W(0)) differs from it at width m = ${s.m}, and more so as the features move.${s.nTest > 0 ? ' Test error: on the held-out points with the teacher’s (clean) labels, as RMSE ‖f − y*‖₂/√n*, for the network after the last step and for the infinite-width kernel interpolation f = H^lim(x*, X)(H^lim)⁻¹y (from the held-out monitor of docs/theory.md §6).' : ''}`,
    `yᵀ(H^lim)⁻¹y: ${rkhs}. ${findings}`,
  ].join('\n\n');
  return {
    page: {
      title: 'Replication of Arora, Du, Hu, Li & Wang (ICML 2019): true against random labels, ReLU and exp, on synthetic data',
      intro,
      conventions: conv,
      sections: [
        {
          heading: 'True and random labels (after Arora et al. 2019)',
          text: ['Made by `overparam replicate arora2019`.', ...notes].join('\n\n'),
          figures,
          tables: [table],
        },
      ],
    },
    skipped: [],
    shownRuns: [...curves.values()].map((r) => `${r.spec.model.activation}, ${labelsOf(r.spec)} labels, seed ${r.spec.model.seed}`),
    certificateRuns: [],
    monitoredRuns: 0,
  };
}
