/**
 * Householder reduction of a dense symmetric matrix to tridiagonal form, T = Qᵀ A Q.
 *
 * Numerics (Golub & Van Loan §8.3.1; the EISPACK tred2 / Numerical Recipes variant):
 * - Row i (i = n−1 … 1) is reduced by a reflector P_i = I − u uᵀ / h acting on coordinates
 *   0 … i−1, so A ← P_i A P_i. Each reflector is orthogonal, so the reduction is backward
 *   stable: T is the exact tridiagonal form of A + E with ‖E‖₂ = O(n ε ‖A‖₂).
 * - Before forming u the row is divided by its 1-norm ("scale"), so that ‖x‖² cannot overflow or
 *   underflow; the sign of the pivot g = −sign(f)‖x‖ avoids cancellation in u_l = f − g.
 * - Only the lower triangle is read or written, row by row (row-major, contiguous inner loops).
 *   The symmetric rank-2 update A ← A − u qᵀ − q uᵀ of step i is not applied at once: it is
 *   fused into the next step's symmetric product p = A u, so that each step streams the
 *   remaining triangle once instead of twice (the main cost for n ≳ 500, where A leaves cache).
 *
 * Cost: 4n³/3 flops. The reflectors are kept (row i of the work array holds u_i in 0 … i−1) when
 * eigenvectors are wanted; `applyQ` then maps eigenvectors of T back to eigenvectors of A.
 *
 * `tridiagonalize` and `applyQ` run the addon's port of this code (backend/routines.ts: the same
 * bits) where it is built; the `…Reference` functions here are the specification it is tested against.
 */
import { nativeRoutines } from '../backend/routines.js';

export interface TridiagonalForm {
  readonly n: number;
  /** Diagonal of T. */
  readonly d: Float64Array;
  /** Sub-diagonal: e[i] = T[i][i−1] for i ≥ 1; e[0] = 0. */
  readonly e: Float64Array;
  /** Work array (n×n); row i holds the Householder vector u_i in entries 0 … i−1. */
  readonly reflectors: Float64Array;
  /** h[i] = uᵢᵀuᵢ / 2, or 0 where no reflection was needed (P_i = I). */
  readonly h: Float64Array;
}

/** Throws on a bad shape or a non-finite entry (which would make the QL iteration spin). */
export function checkSquare(A: Float64Array, n: number, what = 'matrix'): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what}: size must be a positive integer, got ${n}`);
  if (A.length < n * n) throw new RangeError(`${what}: needs ${n * n} entries for n = ${n}, got ${A.length}`);
  for (let k = 0; k < n * n; k++) {
    if (!Number.isFinite(A[k])) throw new RangeError(`${what}: entry (${Math.floor(k / n)}, ${k % n}) is not finite`);
  }
}

/**
 * Row j of the fused pass with the pending update: a_jk ← a_jk − (u_j q_k + q_j u_k) for k < j,
 * then s = Σ_k a_jk u_k (returned) and p_k += a_jk u_j; the diagonal a_jj gets its update too.
 * A function of its own, small, so that the JIT compiles it early and fully (the same arithmetic).
 */
function fusedRowPending(a: Float64Array, rj: number, ri: number, ru: number, qOld: Float64Array, p: Float64Array, j: number, uj: number): number {
  const uoj = a[ru + j];
  const qoj = qOld[j];
  let s = 0;
  for (let k = 0; k < j; k++) {
    const ajk = a[rj + k] - (uoj * qOld[k] + qoj * a[ru + k]);
    a[rj + k] = ajk;
    s += ajk * a[ri + k];
    p[k] += ajk * uj;
  }
  a[rj + j] -= 2 * uoj * qoj;
  return s;
}

/** The same without a pending update (the first reflector). */
function fusedRow(a: Float64Array, rj: number, ri: number, p: Float64Array, j: number, uj: number): number {
  let s = 0;
  for (let k = 0; k < j; k++) {
    const ajk = a[rj + k];
    s += ajk * a[ri + k];
    p[k] += ajk * uj;
  }
  return s;
}

/**
 * Reduces the symmetric n×n matrix A (row-major; only the lower triangle is read) to T = QᵀAQ.
 * A is not modified.
 */
export function tridiagonalize(A: Float64Array, n: number): TridiagonalForm {
  const native = nativeRoutines();
  if (native === null) return tridiagonalizeReference(A, n);
  checkSquare(A, n);
  const a = A.slice(0, n * n);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const h = new Float64Array(n);
  native.tridiagonalize(n, a, d, e, h);
  return { n, d, e, reflectors: a, h };
}

/** tridiagonalize in TypeScript: the specification of the native route. */
export function tridiagonalizeReference(A: Float64Array, n: number): TridiagonalForm {
  checkSquare(A, n);
  const a = A.slice(0, n * n); // a copy (memcpy); A is not modified
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const h = new Float64Array(n);
  const p = new Float64Array(n);
  let qOld = new Float64Array(n); // q of the pending update (its u is row `pending` of a)
  let qNew = new Float64Array(n);
  let pending = -1; // row whose rank-2 update A ← A − u qᵀ − q uᵀ is not yet applied to rows < pending

  for (let i = n - 1; i >= 1; i--) {
    const l = i - 1;
    const ri = i * n;
    if (pending >= 0) {
      // the pending update on row i, entries 0 … i
      const ru = pending * n;
      const ui = a[ru + i];
      const qi = qOld[i];
      for (let k = 0; k <= i; k++) a[ri + k] -= ui * qOld[k] + qi * a[ru + k];
    }
    d[i] = a[ri + i];
    let scale = 0;
    for (let k = 0; k <= l; k++) scale += Math.abs(a[ri + k]);
    if (l === 0 || scale === 0) {
      // already tridiagonal in this row: P_i = I; the pending update stays valid for rows < i
      e[i] = a[ri + l];
      h[i] = 0;
      continue;
    }
    // Householder vector u (scaled row), P = I − u uᵀ / hh   (Golub & Van Loan alg. 5.1.1)
    let hh = 0;
    for (let k = 0; k <= l; k++) {
      const v = a[ri + k] / scale;
      a[ri + k] = v;
      hh += v * v;
    }
    const f = a[ri + l];
    const g = f >= 0 ? -Math.sqrt(hh) : Math.sqrt(hh);
    e[i] = scale * g;
    hh -= f * g; // = uᵀu / 2
    a[ri + l] = f - g;
    h[i] = hh;

    // Fused pass over rows 0 … l: apply the pending update to row j, then accumulate p = A u
    // from the lower triangle (row j contributes to p_j and, by symmetry, to p_k for k < j).
    p.fill(0, 0, l + 1);
    const ru = pending >= 0 ? pending * n : -1;
    for (let j = 0; j <= l; j++) {
      const rj = j * n;
      const uj = a[ri + j];
      const s = ru >= 0 ? fusedRowPending(a, rj, ri, ru, qOld, p, j, uj) : fusedRow(a, rj, ri, p, j, uj);
      p[j] += s + a[rj + j] * uj;
    }
    // p ← A u / hh;  K = uᵀp / (2 hh);  q = p − K u;  A ← A − u qᵀ − q uᵀ   (tred2)
    let up = 0;
    for (let j = 0; j <= l; j++) {
      p[j] /= hh;
      up += a[ri + j] * p[j];
    }
    const K = up / (hh + hh);
    for (let j = 0; j <= l; j++) qNew[j] = p[j] - K * a[ri + j];
    const t = qOld;
    qOld = qNew;
    qNew = t;
    pending = i;
  }
  if (pending >= 0) a[0] -= 2 * a[pending * n] * qOld[0];
  d[0] = a[0];
  e[0] = 0;
  return { n, d, e, reflectors: a, h };
}

/**
 * Maps eigenvectors of T to eigenvectors of A: x = Q z = P_{n−1}(⋯(P_1 z)).
 * `Z` holds `count` vectors as rows (vector k is Z[k*n … k*n+n)), overwritten in place.
 * Vectors are processed four at a time so that each reflector is read once per block.
 */
export function applyQ(form: TridiagonalForm, Z: Float64Array, count: number): void {
  const native = nativeRoutines();
  if (native === null) return applyQReference(form, Z, count);
  if (Z.length < count * form.n) throw new RangeError(`applyQ: Z has ${Z.length} entries, needs ${count * form.n}`);
  native.applyQ(form.n, form.reflectors, form.h, Z, count);
}

/** applyQ in TypeScript: the specification of the native route. */
export function applyQReference(form: TridiagonalForm, Z: Float64Array, count: number): void {
  const { n, reflectors: a, h } = form;
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const o0 = k * n;
    for (let i = 1; i < n; i++) {
      const hi = h[i];
      if (hi === 0) continue;
      reflect4(a, i * n, i, hi, Z, o0, n);
    }
  }
  for (; k < count; k++) {
    const o = k * n;
    for (let i = 1; i < n; i++) {
      const hi = h[i];
      if (hi === 0) continue;
      reflect1(a, i * n, i, hi, Z, o);
    }
  }
}

// The reflections of applyQ as small functions of their own, so that the JIT compiles them early and
// whole (the first call of a large function otherwise runs long in the interpreter); same arithmetic.

/** Rows o0 … o0+3n of Z (four vectors, n apart): z ← z − (u·z / h) u with u = a[ri … ri+i). */
function reflect4(a: Float64Array, ri: number, i: number, hi: number, Z: Float64Array, o0: number, n: number): void {
  const o1 = o0 + n;
  const o2 = o1 + n;
  const o3 = o2 + n;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let t = 0; t < i; t++) {
    const u = a[ri + t];
    s0 += u * Z[o0 + t];
    s1 += u * Z[o1 + t];
    s2 += u * Z[o2 + t];
    s3 += u * Z[o3 + t];
  }
  s0 /= hi;
  s1 /= hi;
  s2 /= hi;
  s3 /= hi;
  for (let t = 0; t < i; t++) {
    const u = a[ri + t];
    Z[o0 + t] -= s0 * u;
    Z[o1 + t] -= s1 * u;
    Z[o2 + t] -= s2 * u;
    Z[o3 + t] -= s3 * u;
  }
}

/** One vector (row o of Z): z ← z − (u·z / h) u. */
function reflect1(a: Float64Array, ri: number, i: number, hi: number, Z: Float64Array, o: number): void {
  let s = 0;
  for (let t = 0; t < i; t++) s += a[ri + t] * Z[o + t];
  s /= hi;
  for (let t = 0; t < i; t++) Z[o + t] -= s * a[ri + t];
}
