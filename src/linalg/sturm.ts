/**
 * Selected eigenvalues of a symmetric tridiagonal matrix by bisection on Sturm counts
 * (Golub & Van Loan §8.4.1; LAPACK dstebz).
 *
 * The count of eigenvalues below x is the number of negative pivots of the LDLᵀ factorisation of
 * T − xI: q_0 = d_0 − x, q_i = d_i − x − e_i² / q_{i−1}. This recurrence is backward stable
 * (Kahan): the count is exact for a matrix within a few ulps of T, so bisection pins each
 * eigenvalue to an absolute accuracy of about ε‖T‖, independent of the other eigenvalues and of
 * clustering. A zero pivot is replaced by −pivmin (pivmin = tiny · max(1, max e²)) as in dstebz.
 *
 * `bisectEigenvalue` runs the addon's port of this code (backend/routines.ts: the same bits) where
 * it is built; `bisectEigenvalueReference` is the specification it is tested against.
 */
import { nativeRoutines } from '../backend/routines.js';

const EPS = 2.220446049250313e-16;
const SAFE_MIN = 2.2250738585072014e-308;

export interface Tridiag {
  /** Diagonal, length n. */
  readonly d: Float64Array;
  /** Sub-diagonal with e[i] = T[i][i−1] for i ≥ 1 (e[0] ignored). */
  readonly e: Float64Array;
}

function pivmin(t: Tridiag, n: number): number {
  let m = 1;
  for (let i = 1; i < n; i++) m = Math.max(m, t.e[i] * t.e[i]);
  return SAFE_MIN * m;
}

/** Number of eigenvalues of T strictly below x (in exact arithmetic; see the module note). */
export function sturmCount(t: Tridiag, n: number, x: number, pmin = pivmin(t, n)): number {
  const { d, e } = t;
  let q = d[0] - x;
  if (Math.abs(q) <= pmin) q = -pmin;
  let count = q < 0 ? 1 : 0;
  for (let i = 1; i < n; i++) {
    q = d[i] - x - (e[i] * e[i]) / q;
    if (Math.abs(q) <= pmin) q = -pmin;
    if (q < 0) count++;
  }
  return count;
}

/** Gershgorin interval [lo, hi] containing every eigenvalue of T. */
export function gershgorin(t: Tridiag, n: number): [lo: number, hi: number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const rad = (i > 0 ? Math.abs(t.e[i]) : 0) + (i < n - 1 ? Math.abs(t.e[i + 1]) : 0);
    lo = Math.min(lo, t.d[i] - rad);
    hi = Math.max(hi, t.d[i] + rad);
  }
  return [lo, hi];
}

/**
 * The k-th smallest eigenvalue of T (k = 0 … n−1) by bisection; returned to an absolute accuracy
 * of about 4ε·max(|lo|, |hi|) of the Gershgorin interval, plus the rounding of the count itself.
 */
export function bisectEigenvalue(t: Tridiag, n: number, k: number): number {
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new RangeError(`eigenvalue index ${k} out of 0 … ${n - 1}`);
  return nativeRoutines() === null ? bisectEigenvalueReference(t, n, k) : bisectEigenvalues(t, n, [k])[0];
}

/** bisectEigenvalue for each index of ks (the same bits as one at a time; natively two bisections run interleaved). */
export function bisectEigenvalues(t: Tridiag, n: number, ks: readonly number[]): Float64Array {
  for (const k of ks) if (!Number.isInteger(k) || k < 0 || k >= n) throw new RangeError(`eigenvalue index ${k} out of 0 … ${n - 1}`);
  const native = nativeRoutines();
  const out = new Float64Array(ks.length);
  if (native === null) ks.forEach((k, c) => (out[c] = bisectEigenvalueReference(t, n, k)));
  else native.bisectEigenvalues(n, t.d, t.e, ks, out);
  return out;
}

/** bisectEigenvalue in TypeScript: the specification of the native route. */
export function bisectEigenvalueReference(t: Tridiag, n: number, k: number): number {
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new RangeError(`eigenvalue index ${k} out of 0 … ${n - 1}`);
  const pmin = pivmin(t, n);
  let [lo, hi] = gershgorin(t, n);
  if (lo === hi) return lo; // T = lo·I exactly (e.g. the zero matrix)
  const span = Math.max(Math.abs(lo), Math.abs(hi));
  // widen slightly so the count at the ends is certainly 0 and n despite rounding
  lo -= 4 * EPS * span + 2 * pmin;
  hi += 4 * EPS * span + 2 * pmin;
  const tol = 2 * EPS * span + 2 * pmin;
  for (let it = 0; it < 200 && hi - lo > tol; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (sturmCount(t, n, mid, pmin) > k) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}
