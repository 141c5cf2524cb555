/**
 * Dense symmetric eigenproblems, A = V Λ Vᵀ, for row-major n×n Float64Array matrices.
 *
 * Route: Householder tridiagonalisation (tridiagonal.ts, 4n³/3 flops) then either the implicit QL
 * iteration with Wilkinson shifts (ql.ts: all eigenvalues in O(n²), eigenvectors in O(n³)) or
 * bisection with Sturm counts (sturm.ts: a few selected eigenvalues in O(n) each per digit).
 * Both stages are backward stable, so every computed eigenvalue is within O(n ε ‖A‖₂) of an exact
 * one (Weyl), and computed eigenvectors are orthonormal to O(n ε). Eigenvectors of eigenvalues
 * separated by a gap g are accurate to O(n ε ‖A‖₂ / g) (Davis–Kahan); in a cluster only the
 * spanned subspace is determined, as in LAPACK.
 *
 * Only the lower triangle of A is read; A is never modified.
 */
import { tridiagonalQL } from './ql.js';
import { bisectEigenvalue, bisectEigenvalues } from './sturm.js';
import { applyQ, tridiagonalize, type TridiagonalForm } from './tridiagonal.js';

export interface EighResult {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  /**
   * n×n, eigenvector k (unit norm, for values[k]) is ROW k: vectors[k*n … k*n+n).
   * (This is Vᵀ in the notation A = V Λ Vᵀ; note it differs from numpy's column convention.)
   */
  readonly vectors: Float64Array;
}

/** All eigenvalues of the symmetric matrix A, ascending. */
export function eigvalsh(A: Float64Array, n: number): Float64Array {
  const t = tridiagonalize(A, n);
  const d = Float64Array.from(t.d);
  const e = Float64Array.from(t.e);
  tridiagonalQL(d, e, n, null);
  return d.sort();
}

/** All eigenvalues (ascending) and orthonormal eigenvectors (as rows) of the symmetric matrix A. */
export function eigh(A: Float64Array, n: number): EighResult {
  return eighOfForm(tridiagonalize(A, n));
}

/**
 * eigh from A's tridiagonal form (tridiagonalize(A, n)), which is only read: the same bits as
 * eigh(A), for a caller that also wants other eigenvalues of A from the same reduction
 * (lambdaMinMaxOfForm) and so reduces A once.
 */
export function eighOfForm(t: TridiagonalForm): EighResult {
  const { n } = t;
  const d = Float64Array.from(t.d);
  const e = Float64Array.from(t.e);
  const Zt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Zt[i * n + i] = 1;
  tridiagonalQL(d, e, n, Zt); // rows of Zt: eigenvectors of T
  applyQ(t, Zt, n); // rows: eigenvectors of A
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    values[k] = d[order[k]];
    vectors.set(Zt.subarray(order[k] * n, order[k] * n + n), k * n);
  }
  return { values, vectors };
}

/**
 * Selected eigenvalues by index (0 = smallest) through bisection on the tridiagonal form: the
 * cheap route when only λ_min, λ_max or a few others are needed (the O(n³) reduction still
 * dominates; the selection itself is O(n) per bit per eigenvalue).
 */
export function eigvalshByIndex(A: Float64Array, n: number, indices: readonly number[]): Float64Array {
  return bisectEigenvalues(tridiagonalize(A, n), n, indices);
}

/** λ_min and λ_max of the symmetric matrix A (one reduction, two bisections). */
export function lambdaMinMax(A: Float64Array, n: number): { lambdaMin: number; lambdaMax: number } {
  return lambdaMinMaxOfForm(tridiagonalize(A, n));
}

/** λ_min and λ_max from A's tridiagonal form (two bisections; the same bits as lambdaMinMax(A)). */
export function lambdaMinMaxOfForm(t: TridiagonalForm): { lambdaMin: number; lambdaMax: number } {
  const [lambdaMin, lambdaMax] = bisectEigenvalues(t, t.n, [0, t.n - 1]);
  return { lambdaMin, lambdaMax };
}

/** λ_min of the symmetric matrix A (docs/theory.md §3: λ := λ_min(H^cts)). */
export function lambdaMin(A: Float64Array, n: number): number {
  return bisectEigenvalue(tridiagonalize(A, n), n, 0);
}

/**
 * λ = λ_min(K) of a kernel matrix (positive semi-definite in exact arithmetic; docs/theory.md §3),
 * read as 0 when |λ_min| is within the eigensolver's backward error n·ε·λ_max (ε = 2⁻⁵²): such a
 * value is rounding noise of either sign, and the kernel is singular (e.g. repeated inputs).
 */
export function kernelLambdaMin(K: Float64Array, n: number): number {
  const { lambdaMin: low, lambdaMax: high } = lambdaMinMax(K, n);
  return zeroToRounding(low, high, n);
}

/** An eigenvalue of an n×n symmetric matrix with largest eigenvalue λ_max, as 0 within n·ε·|λ_max|. */
export function zeroToRounding(lambda: number, lambdaMax: number, n: number): number {
  return Math.abs(lambda) <= n * Number.EPSILON * Math.abs(lambdaMax) ? 0 : lambda;
}
