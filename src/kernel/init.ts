/**
 * The initial weights of docs/theory.md §1, drawn exactly as the model does, so that a seed here gives
 * the same W(0) as a training run with that seed: stream "init", then w_r(0) ~ N(0, I_d) neuron by
 * neuron (W[r*d + j], r outer, j inner), then the signs a_r.
 */
import type { Rng } from '../random/xoshiro.js';

/** W(0): m×d neuron-major, W[r*d + j] = rng.normal() in the order r = 0 … m−1, j = 0 … d−1. */
export function drawGaussianW(m: number, d: number, rng: Rng): Float64Array {
  const W = new Float64Array(m * d);
  for (let k = 0; k < m * d; k++) W[k] = rng.normal();
  return W;
}

/** a_r = rng.sign() for r = 0 … m−1; drawn after W from the same generator. */
export function drawSigns(m: number, rng: Rng): Float64Array {
  const a = new Float64Array(m);
  for (let r = 0; r < m; r++) a[r] = rng.sign();
  return a;
}
