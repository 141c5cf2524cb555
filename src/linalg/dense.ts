/**
 * Small dense helpers for symmetric n×n matrices stored row-major in Float64Array.
 */
import { lambdaMinMax } from './eigh.js';
import { lanczosExtremes } from './lanczos.js';
import { checkSquare } from './tridiagonal.js';

/** out = A x for the (full, symmetric or not) row-major n×n matrix A. */
export function symMatVec(A: Float64Array, n: number, x: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += A[o + j] * x[j];
    out[i] = s;
  }
}

/** Frobenius norm ‖A‖_F. */
export function frobeniusNorm(A: Float64Array, n: number): number {
  let s = 0;
  for (let k = 0; k < n * n; k++) s += A[k] * A[k];
  return Math.sqrt(s);
}

/** Σ A_ii. */
export function trace(A: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += A[i * n + i];
  return s;
}

export type SpectralMethod = 'dense' | 'lanczos' | 'auto';

export interface SpectralNormOptions {
  /**
   * "dense": tridiagonalisation + bisection, exact to O(nε‖A‖), O(n³).
   * "lanczos": matrix-free, O(n² k) for k ≲ 100 steps; certified only to its residual bound and
   *  falls back to dense if not converged.
   * "auto" (default): dense for n ≤ 400, else Lanczos.
   */
  method?: SpectralMethod;
  /** Relative tolerance for Lanczos. Default 1e-10. */
  tol?: number;
}

/** Whether spectralNormSym reduces an n×n matrix densely under these options (else Lanczos). */
export function spectralIsDense(n: number, opts: SpectralNormOptions = {}): boolean {
  const method = opts.method ?? 'auto';
  return method === 'dense' || (method === 'auto' && n <= 400);
}

/** Spectral norm of the symmetric matrix A: ‖A‖₂ = max |λ_i(A)|. */
export function spectralNormSym(A: Float64Array, n: number, opts: SpectralNormOptions = {}): number {
  if (spectralIsDense(n, opts)) {
    const { lambdaMin, lambdaMax } = lambdaMinMax(A, n);
    return Math.max(Math.abs(lambdaMin), Math.abs(lambdaMax));
  }
  checkSquare(A, n);
  const res = lanczosExtremes((v, out) => symMatVec(A, n, v, out), n, { tol: opts.tol ?? 1e-10, maxIter: Math.min(n, 200) });
  if (!res.converged) {
    const { lambdaMin, lambdaMax } = lambdaMinMax(A, n);
    return Math.max(Math.abs(lambdaMin), Math.abs(lambdaMax));
  }
  return Math.max(Math.abs(res.min), Math.abs(res.max));
}
