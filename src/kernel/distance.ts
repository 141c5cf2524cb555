/**
 * Spectral-norm distances between kernels (docs/theory.md §4 A, B): ‖H(W) − H^lim‖₂ and
 * ‖H(W(k)) − H(W(0))‖₂. Both arguments must be on the same scale (use normalisedKernel for H(W)).
 */
import { spectralNormSym } from '../linalg/dense.js';
import type { SpectralNormOptions } from '../linalg/dense.js';

/** ‖A − B‖₂ = max |λ(A − B)| for symmetric n×n A, B. */
export function spectralDistance(A: Float64Array, B: Float64Array, n: number, opts: SpectralNormOptions = {}): number {
  const D = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) D[k] = A[k] - B[k];
  return spectralNormSym(D, n, opts);
}
