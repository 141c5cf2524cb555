/**
 * The experiment of Arora, Du, Hu, Li & Wang (ICML 2019), docs/theory.md §6 "the spectral view":
 * the same inputs with true labels and with random labels, trained by full-batch GD with one fixed
 * step; true labels are fitted fast and random labels slowly, and the spectrum of the infinite-width
 * kernel says why: expand y on the eigenvectors v_i of H^lim, and the linearised residual is
 *
 *   ‖r(k)‖² = Σ_i (1 − ηλ_i)^{2k} (v_iᵀ y)²        (r(0) = −y: coupled initialisation, F(W(0), ·) = 0)
 *
 * so labels whose energy sits on the leading eigenvectors are learned in few steps. Their
 * generalisation bound grows with √(2 yᵀ(H^lim)⁻¹y / n), which is small for true labels and large
 * for random ones.
 *
 * Here, with no image data at hand: synthetic points uniform on the unit sphere, "true" labels from
 * the project's random width-8 exp teacher (data/synthetic.ts), "random" labels every one of them
 * replaced by a label drawn at random from the labels themselves (data/noise.ts, labelNoise 1);
 * ReLU (their network) and exp; coupled initialisation; one step η = 1/λ_max(H^lim) per activation,
 * the same for both label kinds (it depends on the inputs only); a fixed number of steps (ε = 1e-12,
 * never reached, so every run takes the whole budget); held-out points from the same stream with
 * the teacher's labels, for the test error.
 */
import { activationByName, type ActivationName } from '../activations/index.js';
import type { Dataset } from '../data/dataset.js';
import { applyNormalization, fitNormalization } from '../data/normalize.js';
import { OptionError } from '../errors.js';
import { infiniteKernel } from '../kernel/infinite.js';
import { labelProjections, type LabelProjections } from '../kernel/regression.js';
import { eigh, lambdaMinMax, zeroToRounding } from '../linalg/eigh.js';
import { finishedRuns } from './analysis.js';
import { loadRunData, thinnedSteps, type RunResult } from './run.js';
import { validateRunSpec, type DataRecipe, type RunSpec } from './spec.js';

export type Arora2019ScaleName = 'quick' | 'default' | 'full';

/** "true": the teacher's labels; "random": every label replaced by one drawn from the labels (labelNoise 1). */
export type Arora2019Labels = 'true' | 'random';
export const ARORA2019_LABELS: readonly Arora2019Labels[] = ['true', 'random'];

export interface Arora2019Scale {
  name: Arora2019ScaleName;
  /** Training points, input dimension, held-out points (0: none). */
  n: number;
  d: number;
  nTest: number;
  /** The one width m. */
  m: number;
  seeds: number;
  /** Steps every run takes (no early stop). */
  maxSteps: number;
}

/**
 * quick: seconds, for tests. default: about two minutes on 2 cores (measured; README.md).
 * full: the largest synthetic setting judged sensible here (the paper: n = 10 000 MNIST/CIFAR
 * images, m = 10 000); about 30 ms per step at n = 2000, m = 10 000 on 2 cores, so tens of minutes.
 */
export const ARORA2019_SCALES: Record<Arora2019ScaleName, Arora2019Scale> = {
  quick: { name: 'quick', n: 40, d: 8, nTest: 20, m: 400, seeds: 1, maxSteps: 300 },
  default: { name: 'default', n: 500, d: 10, nTest: 200, m: 8000, seeds: 2, maxSteps: 3000 },
  full: { name: 'full', n: 2000, d: 20, nTest: 1000, m: 10000, seeds: 1, maxSteps: 5000 },
};

/** ε of every run: far below anything reached, so that each run takes its full step budget. */
export const ARORA2019_EPSILON = 1e-12;

/** The fixed step of one activation, from the infinite-width kernel of the training inputs. */
export interface Arora2019Step {
  activation: ActivationName;
  eta: number;
  lambdaMax: number;
  lambdaMin: number;
}

export interface Arora2019Setup extends Arora2019Scale {
  activations: ActivationName[];
  dataSeed: number;
  epsilon: number;
  steps: Arora2019Step[];
}

/** The data recipe: points uniform on S^{d−1}, labels from the random exp teacher. */
export function arora2019Data(s: Pick<Arora2019Setup, 'n' | 'd' | 'dataSeed'>): DataRecipe {
  return { kind: 'synthetic', inputs: 'sphere', n: s.n, d: s.d, labels: 'teacher', seed: s.dataSeed };
}

/** The training set of one label kind, its inputs normalised as the runs normalise them ('unit'). */
export function arora2019Dataset(s: Pick<Arora2019Setup, 'n' | 'd' | 'dataSeed'>, labels: Arora2019Labels): Dataset {
  const { train } = loadRunData({ data: arora2019Data(s), ...(labels === 'random' ? { labelNoise: 1 } : {}) });
  const norm = fitNormalization('unit', train.X, train.n, train.d, train.source);
  return { ...train, X: applyNormalization(norm, train.X, train.n, train.d, train.source) };
}

export interface Arora2019Overrides {
  n?: number;
  d?: number;
  nTest?: number;
  m?: number;
  seeds?: number;
  maxSteps?: number;
  activations?: ActivationName[];
  dataSeed?: number;
}

/**
 * η = 1/λ_max(H^lim) of the training inputs per activation: the same for true and random labels,
 * since the kernel does not see the labels. Under κ = 1/√m, H(W(0)) → H^lim, and the linearised
 * recursion is stable for η < 2/λ_max: 1/λ_max leaves a factor 2 for the finite width.
 */
export function arora2019Setup(scale: Arora2019ScaleName, o: Arora2019Overrides = {}): Arora2019Setup {
  const base = ARORA2019_SCALES[scale];
  const s = { ...base, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as Arora2019Scale & Arora2019Overrides;
  const activations = s.activations ?? ['relu', 'exp'];
  if (activations.length === 0) throw new OptionError('arora2019: no activation');
  const dataSeed = s.dataSeed ?? 0;
  const ds = arora2019Dataset({ n: s.n, d: s.d, dataSeed }, 'true');
  const steps = activations.map((activation): Arora2019Step => {
    const K = infiniteKernel(activationByName(activation), ds.X, ds.n, ds.d);
    const { lambdaMin, lambdaMax } = lambdaMinMax(K, ds.n);
    return { activation, eta: 1 / lambdaMax, lambdaMax, lambdaMin: zeroToRounding(lambdaMin, lambdaMax, ds.n) };
  });
  return { name: base.name, n: s.n, d: s.d, nTest: s.nTest, m: s.m, seeds: s.seeds, maxSteps: s.maxSteps, activations, dataSeed, epsilon: ARORA2019_EPSILON, steps };
}

/**
 * The runs: activation × label kind × seed, NTK scaling, coupled initialisation (r(0) = −y
 * exactly), the fixed η of the activation, the full step budget, no kernel monitor (the held-out
 * points, when there are any, bring the held-out monitor of docs/theory.md §6).
 */
export function arora2019Specs(s: Arora2019Setup): RunSpec[] {
  const out: RunSpec[] = [];
  for (const step of s.steps) {
    for (const labels of ARORA2019_LABELS) {
      for (let seed = 0; seed < s.seeds; seed++) {
        out.push(
          validateRunSpec({
            data: arora2019Data(s),
            ...(s.nTest > 0 ? { test: { kind: 'synthetic', n: s.nTest } } : {}),
            ...(labels === 'random' ? { labelNoise: 1 } : {}),
            model: { activation: step.activation, scaling: 'ntk', init: 'coupled', m: s.m, seed },
            normalize: 'unit',
            eta: step.eta,
            epsilon: s.epsilon,
            maxSteps: s.maxSteps,
            precision: 'f64',
            monitorEvery: 0,
          }),
        );
      }
    }
  }
  return out;
}

/** The label kind of a run of this experiment. */
export const labelsOf = (spec: RunSpec): Arora2019Labels => (spec.labelNoise !== undefined && spec.labelNoise > 0 ? 'random' : 'true');

/** The spectral view of one label kind on one activation's H^lim (docs/theory.md §6). */
export interface Arora2019Spectrum {
  activation: ActivationName;
  labels: Arora2019Labels;
  /** ‖y‖² = ‖r(0)‖². */
  yNormSq: number;
  /** yᵀ(H^lim)⁻¹y, and √(2 yᵀ(H^lim)⁻¹y / n), the data-dependent term of Arora et al.'s bound. */
  rkhsNormSq: number;
  boundTerm: number;
  /** Cumulative fraction of ‖y‖² on the top i eigenvectors, i = 1 … n (rank 1 = largest λ). */
  cumulative: number[];
  /** The fewest top eigenvectors holding 50%, 90% and 99% of ‖y‖². */
  ranksFor: { fraction: number; rank: number }[];
  /** The predicted ‖r(k)‖² = Σ_i (1 − ηλ_i)^{2k}(v_iᵀy)² at the steps k of the runs' histories. */
  predicted: { k: number[]; lossSq: number[] };
}

/** The fewest leading eigenvectors whose cumulative energy reaches `fraction`. */
export function rankFor(cumulative: ArrayLike<number>, fraction: number): number {
  for (let i = 0; i < cumulative.length; i++) if (cumulative[i] >= fraction - 1e-12) return i + 1;
  return cumulative.length;
}

/** The steps at which the runs' histories are stored (no early stop: all maxSteps + 1 states, thinned). */
export const historySteps = (s: Pick<Arora2019Setup, 'maxSteps'>): number[] => thinnedSteps(s.maxSteps + 1);

/** One eigendecomposition of H^lim per activation; both label kinds projected on it. */
export function arora2019Spectra(s: Arora2019Setup): Arora2019Spectrum[] {
  const data = { true: arora2019Dataset(s, 'true'), random: arora2019Dataset(s, 'random') };
  const ks = historySteps(s);
  const out: Arora2019Spectrum[] = [];
  for (const step of s.steps) {
    const ds = data.true;
    const K = infiniteKernel(activationByName(step.activation), ds.X, ds.n, ds.d);
    const eigen = eigh(K, ds.n);
    for (const labels of ARORA2019_LABELS) {
      const y = data[labels].y;
      const p: LabelProjections = labelProjections(K, ds.n, y, eigen);
      let yNormSq = 0;
      for (const v of y) yNormSq += v * v;
      out.push({
        activation: step.activation,
        labels,
        yNormSq,
        rkhsNormSq: p.rkhsNormSq,
        boundTerm: Math.sqrt((2 * p.rkhsNormSq) / ds.n),
        cumulative: Array.from(p.cumulative),
        ranksFor: [0.5, 0.9, 0.99].map((fraction) => ({ fraction, rank: rankFor(p.cumulative, fraction) })),
        predicted: { k: ks, lossSq: ks.map((k) => p.predictedResidualSq(step.eta, k)) },
      });
    }
  }
  return out;
}

const mean = (xs: readonly number[]): number => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/** Per activation and label kind, over the seeds. Losses are ‖r(k)‖² = ‖F(W(k), X) − y‖₂² (not halved). */
export interface Arora2019Row {
  activation: ActivationName;
  labels: Arora2019Labels;
  eta: number;
  seeds: number;
  /** The step of the last state (the budget), and a step a tenth of the way. */
  steps: number;
  kEarly: number;
  /** ‖r(k)‖² at kEarly and at the last step: mean over seeds, and [min, max] at the last step. */
  lossEarly: number;
  lossFinal: number;
  lossFinalMin: number;
  lossFinalMax: number;
  /** ‖r(k)‖² / ‖y‖² (mean over seeds) at kEarly and at the last step: the fraction of the initial loss left. */
  relativeEarly: number;
  relativeFinal: number;
  /** The spectral prediction Σ_i (1 − ηλ_i)^{2k}(v_iᵀy)² at kEarly and at the last step. */
  predictedEarly: number;
  predictedFinal: number;
  yNormSq: number;
  rkhsNormSq: number;
  boundTerm: number;
  /** The network's test error on the held-out points (teacher labels): ‖u* − y*‖₂ and RMSE, mean over seeds (null without test points). */
  testResidual: number | null;
  testRmse: number | null;
  /** The infinite-width kernel interpolation's test RMSE (k → ∞), from the held-out monitor (null without test points). */
  kernelTestRmse: number | null;
}

/**
 * Per activation: in how many seeds random labels had left a larger fraction of their initial loss
 * than true labels, ‖r(k)‖²/‖y‖², at the comparison step kEarly (a tenth of the budget) and at the last step.
 */
export interface Arora2019Finding {
  activation: ActivationName;
  seeds: number;
  kEarly: number;
  randomSlowerEarly: number;
  randomSlowerFinal: number;
  /** Geometric mean over seeds of the relative loss, random ÷ true, at kEarly and at the last step. */
  ratioEarly: number;
  ratioFinal: number;
}

export interface Arora2019Summary {
  rows: Arora2019Row[];
  findings: Arora2019Finding[];
}

/** The value of a history at step k (the nearest recorded step at or below k). */
function at(ks: readonly number[], values: readonly number[], k: number): number {
  let best = -1;
  for (let i = 0; i < ks.length; i++) if (ks[i] <= k) best = i;
  return best >= 0 ? values[best] : Number.NaN;
}

export function arora2019Summary(results: readonly RunResult[], s: Arora2019Setup, spectra: readonly Arora2019Spectrum[]): Arora2019Summary {
  const runs = finishedRuns(results);
  const ks = historySteps(s);
  const kEarly = ks.reduce((best, k) => (Math.abs(k - s.maxSteps / 10) < Math.abs(best - s.maxSteps / 10) ? k : best), ks[0]);
  const rows: Arora2019Row[] = [];
  // ‖r(k)‖²/‖y‖² per (activation, labels, seed) at kEarly and at the last step
  const rel = new Map<string, { early: number; final: number }>();
  for (const step of s.steps) {
    for (const labels of ARORA2019_LABELS) {
      const sp = spectra.find((x) => x.activation === step.activation && x.labels === labels)!;
      const rs = runs.filter((r) => r.spec.model.activation === step.activation && labelsOf(r.spec) === labels && r.history !== null);
      const loss = (r: RunResult, k: number) => at(r.history!.k, r.history!.residual, k) ** 2;
      const finals = rs.map((r) => (r.residual ?? Number.NaN) ** 2);
      const earlies = rs.map((r) => loss(r, kEarly));
      rs.forEach((r, i) => rel.set(`${step.activation}/${labels}/${r.spec.model.seed}`, { early: earlies[i] / sp.yNormSq, final: finals[i] / sp.yNormSq }));
      const tests = rs.filter((r) => r.test !== undefined);
      const kernel = rs
        .map((r) => {
          const h = r.monitors?.heldout;
          return h?.infinite.limit ? h.infinite.limit.test / Math.sqrt(h.nTest) : undefined;
        })
        .filter((v): v is number => typeof v === 'number');
      rows.push({
        activation: step.activation,
        labels,
        eta: step.eta,
        seeds: rs.length,
        steps: s.maxSteps,
        kEarly,
        lossEarly: mean(earlies),
        lossFinal: mean(finals),
        lossFinalMin: finals.length ? Math.min(...finals) : Number.NaN,
        lossFinalMax: finals.length ? Math.max(...finals) : Number.NaN,
        relativeEarly: mean(earlies) / sp.yNormSq,
        relativeFinal: mean(finals) / sp.yNormSq,
        predictedEarly: at(sp.predicted.k, sp.predicted.lossSq, kEarly),
        predictedFinal: at(sp.predicted.k, sp.predicted.lossSq, s.maxSteps),
        yNormSq: sp.yNormSq,
        rkhsNormSq: sp.rkhsNormSq,
        boundTerm: sp.boundTerm,
        testResidual: tests.length ? mean(tests.map((r) => r.test!.residual)) : null,
        testRmse: tests.length ? mean(tests.map((r) => r.test!.rmse)) : null,
        kernelTestRmse: kernel.length ? mean(kernel) : null,
      });
    }
  }
  const geoMean = (xs: readonly number[]) => Math.exp(mean(xs.map(Math.log)));
  const findings = s.steps.map((step): Arora2019Finding => {
    const early: number[] = [];
    const final: number[] = [];
    for (let seed = 0; seed < s.seeds; seed++) {
      const t = rel.get(`${step.activation}/true/${seed}`);
      const r = rel.get(`${step.activation}/random/${seed}`);
      if (t === undefined || r === undefined) continue;
      early.push(r.early / t.early);
      final.push(r.final / t.final);
    }
    return {
      activation: step.activation,
      seeds: early.length,
      kEarly,
      randomSlowerEarly: early.filter((x) => x > 1).length,
      randomSlowerFinal: final.filter((x) => x > 1).length,
      ratioEarly: geoMean(early),
      ratioFinal: geoMean(final),
    };
  });
  return { rows, findings };
}
