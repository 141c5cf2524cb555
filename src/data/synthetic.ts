/**
 * Synthetic data sets, drawn from the project's generator so that the same seed gives the same
 * bits. Each quantity has its own stream, so that point i (its input and its label) is the same
 * whatever n is: the inputs row by row from "data", N(0,1) labels one per row from "labels", and
 * the teacher network from "teacher" (drawn before any point). A set of n + n* points therefore
 * starts with the set of n points, and its last n* rows are held-out points from the same
 * distribution and the same teacher (docs/theory.md §6).
 */
import { OptionError } from '../errors.js';
import { Rng } from '../random/xoshiro.js';
import type { Dataset } from './dataset.js';

export type InputKind = 'sphere' | 'gaussian';
export type LabelKind = 'normal' | 'teacher';
export const INPUT_KINDS: readonly InputKind[] = ['sphere', 'gaussian'];
export const LABEL_KINDS: readonly LabelKind[] = ['normal', 'teacher'];

/** Width of the random teacher network that produces "teacher" labels. */
export const TEACHER_WIDTH = 8;

export interface SyntheticSpec {
  /** "sphere": uniform on the unit sphere S^{d−1} (Du et al. 2019); "gaussian": N(0, I_d/d), so E‖x‖² = 1. */
  inputs: InputKind;
  n: number;
  d: number;
  /** "normal": y_i ~ N(0,1); "teacher": y = F_teacher(x), a random exp network of width 8, κ = 1/√8. */
  labels: LabelKind;
  seed: number;
}

export const DEFAULT_SYNTHETIC: SyntheticSpec = { inputs: 'sphere', n: 64, d: 8, labels: 'normal', seed: 0 };

export function describeSynthetic(s: SyntheticSpec): string {
  return `${s.inputs}(n=${s.n}, d=${s.d}, labels=${s.labels}, seed=${s.seed})`;
}

export function generateSynthetic(spec: SyntheticSpec): Dataset {
  const { n, d } = spec;
  if (!Number.isSafeInteger(n) || n < 1) throw new OptionError(`n must be a positive integer, got ${n}`);
  if (!Number.isSafeInteger(d) || d < 1) throw new OptionError(`d must be a positive integer, got ${d}`);
  if (!INPUT_KINDS.includes(spec.inputs)) throw new OptionError(`unknown input distribution '${spec.inputs}' (expected sphere or gaussian)`);
  if (!LABEL_KINDS.includes(spec.labels)) throw new OptionError(`unknown label kind '${spec.labels}' (expected normal or teacher)`);
  const rng = new Rng(spec.seed, 'data');
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const z = rng.normal();
      X[i * d + j] = z;
      s += z * z;
    }
    // sphere: a standard normal vector divided by its norm is uniform on S^{d−1}
    const scale = spec.inputs === 'sphere' ? Math.sqrt(s) : Math.sqrt(d);
    for (let j = 0; j < d; j++) X[i * d + j] /= scale;
  }
  const y = new Float64Array(n);
  if (spec.labels === 'normal') {
    const labels = new Rng(spec.seed, 'labels');
    for (let i = 0; i < n; i++) y[i] = labels.normal();
  } else {
    // y_i = (1/√k) Σ_t b_t exp(⟨v_t, x_i⟩), v_t ~ N(0, I_d), b_t = ±1
    const k = TEACHER_WIDTH;
    const teacher = new Rng(spec.seed, 'teacher');
    const V = teacher.fillNormal(new Float64Array(k * d));
    const b = Array.from({ length: k }, () => teacher.sign());
    for (let i = 0; i < n; i++) {
      let u = 0;
      for (let t = 0; t < k; t++) {
        let z = 0;
        for (let j = 0; j < d; j++) z += V[t * d + j] * X[i * d + j];
        u += b[t] * Math.exp(z);
      }
      y[i] = u / Math.sqrt(k);
    }
  }
  return { n, d, X, y, source: describeSynthetic(spec) };
}

/**
 * n training points and n* held-out points of the same distribution and the same teacher: the
 * first n and the last n* rows of the set of n + n* points (the training set is generateSynthetic(spec) bit for bit).
 */
export function generateSyntheticWithTest(spec: SyntheticSpec, nTest: number): { train: Dataset; test: Dataset } {
  if (!Number.isSafeInteger(nTest) || nTest < 1) throw new OptionError(`the number of test points must be a positive integer, got ${nTest}`, { field: 'testN' });
  const all = generateSynthetic({ ...spec, n: spec.n + nTest });
  const { n, d } = spec;
  return {
    train: { n, d, X: all.X.slice(0, n * d), y: all.y.slice(0, n), source: describeSynthetic(spec) },
    test: { n: nTest, d, X: all.X.slice(n * d), y: all.y.slice(n), source: `${describeSynthetic({ ...spec, n: nTest })} [test: rows ${n + 1}…${n + nTest} of the same stream]` },
  };
}
