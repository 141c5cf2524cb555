/**
 * The experiment of Du, Zhai, Póczos & Singh (ICLR 2019), docs/theory.md §3: n points uniform on the
 * unit sphere in R^d, labels N(0,1), one fixed step size for every width; for several widths m,
 * the training loss and (ReLU) the fraction of flipped activation patterns against iteration, and
 * the largest movement max_r ‖w_r(k) − w_r(0)‖₂ against m. Their finding: larger m converges
 * faster, flips fewer patterns and moves less. Run here for ReLU (theirs) and exp (this project's).
 */
import { activationByName, type ActivationName } from '../activations/index.js';
import { generateSynthetic } from '../data/synthetic.js';
import { OptionError } from '../errors.js';
import { infiniteKernel } from '../kernel/infinite.js';
import { lambdaMinMax } from '../linalg/eigh.js';
import { autoMonitorEvery } from '../theory/train-monitor.js';
import { finishedRuns, maxMovement } from './analysis.js';
import type { RunResult } from './run.js';
import { validateRunSpec, type DataRecipe, type RunSpec } from './spec.js';
import { fitPowerLaw, type PowerLawFit } from './stats.js';

export type Du2019ScaleName = 'quick' | 'default' | 'full';

export interface Du2019Scale {
  name: Du2019ScaleName;
  n: number;
  d: number;
  widths: number[];
  seeds: number;
  maxSteps: number;
  epsilon: number;
}

/**
 * quick: seconds, for tests. default: about a minute on 2 cores (measured: see docs/figures/README.md).
 * full: the paper's n = d = 1000 (widths ours); hours of CPU at the largest width.
 */
export const DU2019_SCALES: Record<Du2019ScaleName, Du2019Scale> = {
  quick: { name: 'quick', n: 20, d: 10, widths: [50, 200, 800], seeds: 1, maxSteps: 2000, epsilon: 1e-4 },
  default: { name: 'default', n: 200, d: 100, widths: [100, 400, 1600, 6400, 25600], seeds: 2, maxSteps: 5000, epsilon: 1e-4 },
  full: { name: 'full', n: 1000, d: 1000, widths: [100, 1000, 10000], seeds: 1, maxSteps: 5000, epsilon: 1e-4 },
};

/** The fixed step of one activation, from the infinite-width kernel of the data. */
export interface Du2019Step {
  activation: ActivationName;
  eta: number;
  /** λ_max and λ_min of H^∞ (ReLU) or H^cts (exp) on the data (docs/theory.md §3). */
  lambdaMax: number;
  lambdaMin: number;
}

export interface Du2019Setup extends Du2019Scale {
  activations: ActivationName[];
  dataSeed: number;
  steps: Du2019Step[];
}

/** The data recipe: points uniform on S^{d−1}, labels N(0, 1) (docs/theory.md §3). */
export function du2019Data(s: Pick<Du2019Setup, 'n' | 'd' | 'dataSeed'>): DataRecipe {
  return { kind: 'synthetic', inputs: 'sphere', n: s.n, d: s.d, labels: 'normal', seed: s.dataSeed };
}

/**
 * η = 1/λ_max(K) with K the infinite-width kernel of the data (H^∞ for ReLU, H^cts for exp), the
 * same for every width, as the paper uses one step for all widths. Under κ = 1/√m, H(W(0)) → K as
 * m grows, and GD on the linearised dynamics r(k+1) = (I − ηH) r(k) is stable for η < 2/λ_max(H):
 * 1/λ_max(K) leaves a factor 2 for the finite-width fluctuation of λ_max(H(W(0))).
 */
export function du2019Step(activation: ActivationName, n: number, d: number, dataSeed: number): Du2019Step {
  const data = generateSynthetic({ inputs: 'sphere', n, d, labels: 'normal', seed: dataSeed });
  const K = infiniteKernel(activationByName(activation), data.X, n, d); // sphere points are already unit rows: normalisation 'unit' leaves them
  const { lambdaMin, lambdaMax } = lambdaMinMax(K, n);
  return { activation, eta: 1 / lambdaMax, lambdaMax, lambdaMin };
}

export interface Du2019Overrides {
  n?: number;
  d?: number;
  widths?: number[];
  seeds?: number;
  maxSteps?: number;
  epsilon?: number;
  activations?: ActivationName[];
  dataSeed?: number;
}

export function du2019Setup(scale: Du2019ScaleName, o: Du2019Overrides = {}): Du2019Setup {
  const base = DU2019_SCALES[scale];
  const s = {
    ...base,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  } as Du2019Scale & Du2019Overrides;
  const activations = s.activations ?? ['relu', 'exp'];
  if (activations.length === 0) throw new OptionError('du2019: no activation');
  if (s.widths.length === 0) throw new OptionError('du2019: no width');
  const dataSeed = s.dataSeed ?? 0;
  const widths = [...new Set(s.widths)].sort((a, b) => a - b);
  return {
    name: base.name,
    n: s.n,
    d: s.d,
    widths,
    seeds: s.seeds,
    maxSteps: s.maxSteps,
    epsilon: s.epsilon,
    activations,
    dataSeed,
    steps: activations.map((a) => du2019Step(a, s.n, s.d, dataSeed)),
  };
}

/**
 * The runs: activation × width × seed, NTK scaling, Gaussian init, fixed η per activation, the
 * kernel monitor at its automatic interval (so the page also has λ_min, ‖H(W(0)) − H^∞‖ and the certificate).
 */
export function du2019Specs(s: Du2019Setup): RunSpec[] {
  const out: RunSpec[] = [];
  for (const step of s.steps) {
    for (const m of s.widths) {
      for (let seed = 0; seed < s.seeds; seed++) {
        out.push(
          validateRunSpec({
            data: du2019Data(s),
            model: { activation: step.activation, scaling: 'ntk', init: 'gaussian', m, seed },
            normalize: 'unit',
            eta: step.eta,
            epsilon: s.epsilon,
            maxSteps: s.maxSteps,
            precision: 'f64',
            monitorEvery: autoMonitorEvery(s.n, m, s.d),
          }),
        );
      }
    }
  }
  return out;
}

export interface Du2019WidthRow {
  m: number;
  seeds: number;
  converged: number;
  /** Mean over seeds of max_k max_r ‖w_r(k) − w_r(0)‖₂. */
  maxMovement: number;
  minMovement: number;
  maxMovementHi: number;
  /** Mean over seeds of the steps taken and of the final flip fraction (ReLU). */
  steps: number;
  flipFraction: number | null;
}

export interface Du2019ActivationSummary {
  activation: ActivationName;
  eta: number;
  rows: Du2019WidthRow[];
  /** Slope of log(max movement) on log m (docs/theory.md §4 C predicts −1/2, up to e^{O(B)} for exp). */
  slope: PowerLawFit | null;
}

const mean = (xs: readonly number[]): number => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);


export function du2019Summary(results: readonly RunResult[], s: Du2019Setup): Du2019ActivationSummary[] {
  const runs = finishedRuns(results);
  return s.steps.map((step) => {
    const rows: Du2019WidthRow[] = [];
    for (const m of s.widths) {
      const rs = runs.filter((r) => r.spec.model.activation === step.activation && r.spec.model.m === m);
      if (rs.length === 0) continue;
      const mv = rs.map(maxMovement);
      const flips = rs.map((r) => r.flipFraction).filter((f): f is number => typeof f === 'number');
      rows.push({
        m,
        seeds: rs.length,
        converged: rs.filter((r) => r.status === 'converged').length,
        maxMovement: mean(mv),
        minMovement: Math.min(...mv),
        maxMovementHi: Math.max(...mv),
        steps: mean(rs.map((r) => r.steps)),
        flipFraction: flips.length > 0 ? mean(flips) : null,
      });
    }
    let slope: PowerLawFit | null = null;
    if (rows.length >= 2) {
      try {
        slope = fitPowerLaw(rows.map((r) => r.m), rows.map((r) => r.maxMovement));
      } catch {
        slope = null; // non-positive movements: nothing to fit
      }
    }
    return { activation: step.activation, eta: step.eta, rows, slope };
  });
}
