/**
 * The dense routes as they were before they were split into small functions for the JIT (issue 15,
 * item 5), kept verbatim so that tests can pin the new code to the old bits: tridiagonalize and
 * applyQ (src/linalg/tridiagonal.ts), tridiagonalQL with its rotations (src/linalg/ql.ts), eigh and
 * lambdaMinMax (src/linalg/eigh.ts), movementStats by sorting (src/model/movement.ts).
 */
import { bisectEigenvalue } from '../../src/linalg/sturm.js';
import { hypot2 } from '../../src/linalg/ql.js';
import { checkSquare, type TridiagonalForm } from '../../src/linalg/tridiagonal.js';
import type { EighResult } from '../../src/linalg/eigh.js';

export function oldTridiagonalize(A: Float64Array, n: number): TridiagonalForm {
  checkSquare(A, n);
  const a = Float64Array.from(A.subarray(0, n * n));
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
      let s = 0;
      if (ru >= 0) {
        const uoj = a[ru + j];
        const qoj = qOld[j];
        for (let k = 0; k < j; k++) {
          const ajk = a[rj + k] - (uoj * qOld[k] + qoj * a[ru + k]);
          a[rj + k] = ajk;
          s += ajk * a[ri + k];
          p[k] += ajk * uj;
        }
        a[rj + j] -= 2 * uoj * qoj;
      } else {
        for (let k = 0; k < j; k++) {
          const ajk = a[rj + k];
          s += ajk * a[ri + k];
          p[k] += ajk * uj;
        }
      }
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
export function oldApplyQ(form: TridiagonalForm, Z: Float64Array, count: number): void {
  const { n, reflectors: a, h } = form;
  let k = 0;
  for (; k + 4 <= count; k += 4) {
    const o0 = k * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    for (let i = 1; i < n; i++) {
      const hi = h[i];
      if (hi === 0) continue;
      const ri = i * n;
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
  }
  for (; k < count; k++) {
    const o = k * n;
    for (let i = 1; i < n; i++) {
      const hi = h[i];
      if (hi === 0) continue;
      const ri = i * n;
      let s = 0;
      for (let t = 0; t < i; t++) s += a[ri + t] * Z[o + t];
      s /= hi;
      for (let t = 0; t < i; t++) Z[o + t] -= s * a[ri + t];
    }
  }
}

const EPS = 2.220446049250313e-16;

const CHUNK = 128;

/**
 * Applies one sweep's rotations i = hi, hi−1, …, lo to rows of Zt: rows (i, i+1) ←
 * (c·z_i − s·z_{i+1}, s·z_i + c·z_{i+1}). Done column-chunk by column-chunk with the running row
 * kept in `carry`, so that each element is read and written once per sweep (not twice) and the
 * working set stays in cache.
 */
function oldrotateRows(Zt: Float64Array, n: number, cs: Float64Array, sn: Float64Array, lo: number, hi: number, carry: Float64Array): void {
  if (hi < lo) return;
  for (let k0 = 0; k0 < n; k0 += CHUNK) {
    const len = Math.min(CHUNK, n - k0);
    const top = (hi + 1) * n + k0;
    for (let k = 0; k < len; k++) carry[k] = Zt[top + k];
    for (let i = hi; i >= lo; i--) {
      const c = cs[i];
      const s = sn[i];
      const ri = i * n + k0;
      const r1 = ri + n;
      for (let k = 0; k < len; k++) {
        const zi = Zt[ri + k];
        const zf = carry[k];
        Zt[r1 + k] = s * zi + c * zf;
        carry[k] = c * zi - s * zf;
      }
    }
    const bot = lo * n + k0;
    for (let k = 0; k < len; k++) Zt[bot + k] = carry[k];
  }
}

/**
 * In place: on return d holds the eigenvalues (unsorted) and e is destroyed.
 * @param d  diagonal, length n
 * @param e  sub-diagonal with e[i] = T[i][i−1] (e[0] ignored), length n
 * @param Zt null for values only; else n×n whose rows are rotated along (pass the identity to get
 *           the eigenvectors of T as rows: row j belongs to the eigenvalue d[j])
 */
export function oldTridiagonalQL(d: Float64Array, e: Float64Array, n: number, Zt: Float64Array | null): void {
  // shift the sub-diagonal to e[i] = T[i+1][i]
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  const cs = new Float64Array(n);
  const sn = new Float64Array(n);
  const carry = new Float64Array(CHUNK);
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= EPS * dd) break;
      }
      if (m === l) break;
      if (++iter > 60) throw new RangeError(`tridiagonal QL did not converge for eigenvalue ${l}`);
      // Wilkinson shift from the 2×2 block at l
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = hypot2(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = hypot2(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // the rotation underflowed: deflate and restart the sweep
          d[i + 1] -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        cs[i] = c;
        sn[i] = s;
      }
      if (Zt !== null) oldrotateRows(Zt, n, cs, sn, underflow ? i + 1 : l, m - 1, carry);
      if (underflow) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

/** All eigenvalues (ascending) and orthonormal eigenvectors (as rows) of the symmetric matrix A. */
export function oldEigh(A: Float64Array, n: number): EighResult {
  const t = oldTridiagonalize(A, n);
  const d = Float64Array.from(t.d);
  const e = Float64Array.from(t.e);
  const Zt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Zt[i * n + i] = 1;
  oldTridiagonalQL(d, e, n, Zt); // rows of Zt: eigenvectors of T
  oldApplyQ(t, Zt, n); // rows: eigenvectors of A
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    values[k] = d[order[k]];
    vectors.set(Zt.subarray(order[k] * n, order[k] * n + n), k * n);
  }
  return { values, vectors };
}

/** λ_min and λ_max of the symmetric matrix A (one reduction, two bisections). */
export function oldLambdaMinMax(A: Float64Array, n: number): { lambdaMin: number; lambdaMax: number } {
  const t = oldTridiagonalize(A, n);
  return { lambdaMin: bisectEigenvalue(t, n, 0), lambdaMax: bisectEigenvalue(t, n, n - 1) };
}

export function oldMovementStats(W: Float64Array, W0: Float64Array, m: number, d: number): { max: number; median: number; frobenius: number } {
  const sq = new Float64Array(m);
  let total = 0;
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = W[r * d + j] - W0[r * d + j];
      s += t * t;
    }
    sq[r] = s;
    total += s;
  }
  sq.sort();
  const mid = m >> 1;
  // sqrt is monotone: the median of the norms is the root of the median of their squares
  const median = m % 2 === 1 ? Math.sqrt(sq[mid]) : (Math.sqrt(sq[mid - 1]) + Math.sqrt(sq[mid])) / 2;
  return { max: Math.sqrt(sq[m - 1]), median, frobenius: Math.sqrt(total) };
}
