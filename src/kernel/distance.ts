/**
 * Spectral-norm distances between kernels (docs/theory.md §4 A, B): ‖H(W) − H^lim‖₂ and
 * ‖H(W(k)) − H(W(0))‖₂. Both arguments must be on the same scale (use normalisedKernel for H(W)).
 */
import { nativeRoutines } from '../backend/routines.js';
import { spectralIsDense, spectralNormSym } from '../linalg/dense.js';
import type { SpectralNormOptions } from '../linalg/dense.js';
import { lambdaMinMax } from '../linalg/eigh.js';

/** ‖A − B‖₂ = max |λ(A − B)| for symmetric n×n A, B. */
export function spectralDistance(A: Float64Array, B: Float64Array, n: number, opts: SpectralNormOptions = {}): number {
  const D = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) D[k] = A[k] - B[k];
  return spectralNormSym(D, n, opts);
}

/**
 * λ_min(A), λ_max(A) and ‖B − C‖₂: the values of lambdaMinMax(A, n) and spectralDistance(B, C, n,
 * opts), bit for bit. Where both are dense reductions and the addon is built, they are computed in
 * one native call, the two reductions side by side on up to `threads` workers (each is sequential
 * code, so the thread count changes no bit): the kernel monitor's λ extremes of H(W(k)) with
 * ‖H(W(k)) − H(W(0))‖₂ at every observation, and λ of H^lim with ‖H(W(0)) − H^lim‖₂ at its start
 * (docs/theory.md §4, §6).
 */
export function extremesAndDistance(
  A: Float64Array,
  B: Float64Array,
  C: Float64Array,
  n: number,
  opts: SpectralNormOptions = {},
  threads = 1,
): { lambdaMin: number; lambdaMax: number; distance: number } {
  const sized = Number.isInteger(n) && n >= 1 && A.length >= n * n && B.length >= n * n && C.length >= n * n;
  const native = spectralIsDense(n, opts) && sized ? nativeRoutines() : null;
  if (native !== null) {
    const out = new Float64Array(4);
    // a non-finite entry (status 1): the route below, whose reduction names it
    if (native.extremesPair(n, A, B, C, threads, out) === 0) {
      return { lambdaMin: out[0], lambdaMax: out[1], distance: Math.max(Math.abs(out[2]), Math.abs(out[3])) };
    }
  }
  const { lambdaMin, lambdaMax } = lambdaMinMax(A, n);
  return { lambdaMin, lambdaMax, distance: spectralDistance(B, C, n, opts) };
}
