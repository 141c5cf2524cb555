/**
 * Spectral-norm distances between kernels (theory.md §4 A, B): ‖H(W) − H^cts‖₂ and
 * ‖H(W(k)) − H(W(0))‖₂. Both arguments must be on the same scale (use normalisedKernel for H(W)).
 */
import { spectralNormSym } from '../linalg/dense.js';
import type { SpectralNormOptions } from '../linalg/dense.js';
import type { Backend, Problem } from '../backend/types.js';
import { normalisedKernel } from './empirical.js';

/** ‖A − B‖₂ = max |λ(A − B)| for symmetric n×n A, B. */
export function spectralDistance(A: Float64Array, B: Float64Array, n: number, opts: SpectralNormOptions = {}): number {
  const D = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) D[k] = A[k] - B[k];
  return spectralNormSym(D, n, opts);
}

/**
 * ‖H(W)/(κ²m) − H^lim‖₂: distance of the run's kernel, NTK-normalised (kernel/empirical.ts), from
 * the infinite-width kernel H^cts or H^∞ (theory.md §4B).
 */
export function distanceToLimit(backend: Backend, p: Problem, W: Float64Array, limit: Float64Array, opts: SpectralNormOptions = {}): number {
  return spectralDistance(normalisedKernel(backend, p, W), limit, p.n, opts);
}
