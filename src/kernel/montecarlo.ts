/**
 * Monte Carlo over initialisations: how far H(W(0)) is from its infinite-width limit at width m
 * (docs/theory.md §3 and §4B). W(0) and a are drawn from new Rng(seed, "init") exactly as the model
 * draws a Gaussian initialisation, so seed s here is the initialisation of a run with seed s.
 */
import { ReferenceBackend } from '../backend/reference.js';
import type { Backend, Problem } from '../backend/types.js';
import type { Activation } from '../activations/types.js';
import { Rng } from '../random/xoshiro.js';
import { spectralDistance } from './distance.js';
import { infiniteKernel } from './infinite.js';
import { drawGaussianW, drawSigns } from './init.js';

export interface InitDistanceOptions {
  readonly activation: Activation;
  /** n×d inputs (normalised as for training). */
  readonly X: Float64Array;
  readonly n: number;
  readonly d: number;
  /** Width m. */
  readonly m: number;
  /** Seeds, one initialisation each. */
  readonly seeds: readonly number[];
  /** The infinite-width kernel, if already computed (else computed here). */
  readonly limit?: Float64Array;
  /** Computes H(W(0)) with this backend's gram (default: the reference backend). */
  readonly backend?: Backend;
}

export interface InitDistanceStats {
  readonly activation: string;
  readonly m: number;
  readonly count: number;
  /** Mean of ‖H(W(0)) − H^lim‖₂ over the seeds (H NTK-normalised, i.e. κ = 1/√m). */
  readonly mean: number;
  /** Sample standard deviation (n − 1 denominator; 0 for one seed). */
  readonly sd: number;
  readonly min: number;
  readonly max: number;
  /** One distance per seed, in the order of `seeds`. */
  readonly values: Float64Array;
}

/** ‖H(W(0)) − H^lim‖₂ over seeds at one width (H^cts for exp, H^∞ for ReLU, …). */
export function initDistanceStats(o: InitDistanceOptions): InitDistanceStats {
  if (!Number.isInteger(o.m) || o.m < 1) throw new RangeError(`width m must be a positive integer, got ${o.m}`);
  if (o.seeds.length < 1) throw new RangeError('at least one seed is needed');
  const limit = o.limit ?? infiniteKernel(o.activation, o.X, o.n, o.d);
  const backend = o.backend ?? new ReferenceBackend();
  const values = new Float64Array(o.seeds.length);
  const H = new Float64Array(o.n * o.n);
  o.seeds.forEach((seed, k) => {
    const rng = new Rng(seed, 'init');
    const W = drawGaussianW(o.m, o.d, rng);
    // a enters H only through the softmax network's c = Σ a_r s_r (pointwise: a_r² = 1)
    const a = drawSigns(o.m, rng);
    const problem: Problem = { n: o.n, d: o.d, m: o.m, X: o.X, y: new Float64Array(o.n), a, kappa: 1 / Math.sqrt(o.m), activation: o.activation };
    backend.gram(problem, W, H); // κ = 1/√m puts H on the NTK scale
    values[k] = spectralDistance(H, limit, o.n);
  });
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  const sd = values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0;
  return { activation: o.activation.name, m: o.m, count: values.length, mean, sd, min: Math.min(...values), max: Math.max(...values), values };
}
