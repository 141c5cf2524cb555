/**
 * Eigenvalues (and optionally eigenvectors) of a symmetric tridiagonal matrix by the implicit
 * QL algorithm with Wilkinson shifts (EISPACK tql2 / Numerical Recipes tqli; Golub & Van Loan §8.3).
 *
 * Numerics:
 * - Shift: the eigenvalue of the leading 2×2 block of the active window closest to d[l]
 *   (Wilkinson's shift), which gives cubic convergence in practice and global convergence.
 * - Each sweep chases the bulge with Givens rotations, so T stays exactly tridiagonal and the
 *   computed eigenvalues are those of T + E with ‖E‖₂ = O(ε ‖T‖₂).
 * - Deflation when |e_m| ≤ ε (|d_m| + |d_{m+1}|) (the relative test of tql2); should that fail to
 *   converge (neighbours zero to rounding), a second pass adds tql2's absolute test ε ‖T‖.
 * - Rotations use a scaled hypot, never √(f² + g²) directly, so no overflow for large entries.
 * - At most 60 sweeps per eigenvalue; beyond that a RangeError (has never been seen for finite T).
 *
 * Eigenvectors: the rotations are accumulated into `Zt`, whose ROWS are the vectors
 * (a rotation of columns i, i+1 of Z is a rotation of two contiguous rows of Zᵀ).
 *
 * `tridiagonalQL` runs the addon's port of this code (backend/routines.ts: the same bits) where it
 * is built; `tridiagonalQLReference` is the specification it is tested against.
 */
import { nativeRoutines } from '../backend/routines.js';

const EPS = 2.220446049250313e-16;

/** √(a² + b²) without destructive overflow or underflow. */
export function hypot2(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) {
    const t = y / x;
    return x * Math.sqrt(1 + t * t);
  }
  if (y === 0) return 0;
  const t = x / y;
  return y * Math.sqrt(1 + t * t);
}

const CHUNK = 128;

/**
 * Applies one sweep's rotations i = hi, hi−1, …, lo to rows of Zt: rows (i, i+1) ←
 * (c·z_i − s·z_{i+1}, s·z_i + c·z_{i+1}). Done column-chunk by column-chunk with the running row
 * kept in `carry`, so that each element is read and written once per sweep (not twice) and the
 * working set stays in cache.
 */
function rotateRows(Zt: Float64Array, n: number, cs: Float64Array, sn: Float64Array, lo: number, hi: number, carry: Float64Array): void {
  if (hi < lo) return;
  for (let k0 = 0; k0 < n; k0 += CHUNK) {
    const len = Math.min(CHUNK, n - k0);
    const top = (hi + 1) * n + k0;
    for (let k = 0; k < len; k++) carry[k] = Zt[top + k];
    for (let i = hi; i >= lo; i--) {
      const ri = i * n + k0;
      rotatePair(Zt, ri, ri + n, carry, len, cs[i], sn[i]);
    }
    const bot = lo * n + k0;
    for (let k = 0; k < len; k++) Zt[bot + k] = carry[k];
  }
}

/**
 * One rotation of rotateRows: row r1 ← s·z_i + c·carry, carry ← c·z_i − s·carry over len entries.
 * A small function of its own so that the JIT compiles it early and whole (same arithmetic).
 */
function rotatePair(Zt: Float64Array, ri: number, r1: number, carry: Float64Array, len: number, c: number, s: number): void {
  for (let k = 0; k < len; k++) {
    const zi = Zt[ri + k];
    const zf = carry[k];
    Zt[r1 + k] = s * zi + c * zf;
    carry[k] = c * zi - s * zf;
  }
}

/**
 * In place: on return d holds the eigenvalues (unsorted) and e is destroyed.
 * @param d  diagonal, length n
 * @param e  sub-diagonal with e[i] = T[i][i−1] (e[0] ignored), length n
 * @param Zt null for values only; else n×n whose rows are rotated along (pass the identity to get
 *           the eigenvectors of T as rows: row j belongs to the eigenvalue d[j])
 */
export function tridiagonalQL(d: Float64Array, e: Float64Array, n: number, Zt: Float64Array | null): void {
  const native = nativeRoutines();
  if (native === null) return tridiagonalQLReference(d, e, n, Zt);
  if (native.tridiagonalQL(n, d, e, Zt) !== 0) throw new RangeError('tridiagonal QL did not converge');
}

/** tridiagonalQL in TypeScript: the specification of the native route. */
export function tridiagonalQLReference(d: Float64Array, e: Float64Array, n: number, Zt: Float64Array | null): void {
  const d0 = Float64Array.from(d);
  const e0 = Float64Array.from(e);
  const Z0 = Zt ? Float64Array.from(Zt) : null;
  try {
    qlIterate(d, e, n, Zt, 0);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    // The relative test alone can fail to deflate an off-diagonal beside eigenvalues that are zero
    // to rounding (a rank-deficient kernel: both neighbours ≈ 0). Start again with tql2's absolute
    // test as well, |e_m| ≤ ε max_i(|d_i| + |e_i|): only here, so that every matrix that converged
    // before keeps its bits.
    d.set(d0);
    e.set(e0);
    if (Zt && Z0) Zt.set(Z0);
    let norm = 0;
    for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d0[i]) + Math.abs(e0[i]));
    qlIterate(d, e, n, Zt, norm);
  }
}

/** The QL iteration; `norm` > 0 adds the absolute deflation test |e_m| ≤ ε · norm. */
function qlIterate(d: Float64Array, e: Float64Array, n: number, Zt: Float64Array | null, norm: number): void {
  // shift the sub-diagonal to e[i] = T[i+1][i]
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  const cs = new Float64Array(n);
  const sn = new Float64Array(n);
  const carry = new Float64Array(CHUNK);
  const pg = new Float64Array(2);
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      const m = blockEnd(d, e, l, n, EPS * norm);
      if (m === l) break;
      if (++iter > 60) throw new RangeError(`tridiagonal QL did not converge for eigenvalue ${l}`);
      // Wilkinson shift from the 2×2 block at l
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      const r = hypot2(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      const i = qlSweep(d, e, cs, sn, l, m, g, pg);
      const underflow = i >= l;
      if (Zt !== null) rotateRows(Zt, n, cs, sn, underflow ? i + 1 : l, m - 1, carry);
      if (underflow) continue;
      d[l] -= pg[0];
      e[l] = pg[1];
      e[m] = 0;
    }
  }
}

// The parts of tridiagonalQL as small functions of their own, so that the JIT compiles them early
// and whole (one large function's first call otherwise runs long in the interpreter); same arithmetic.

/** The end m ≥ l of the unreduced block from l: the first m with |e_m| ≤ ε (|d_m| + |d_{m+1}|) (or ≤ floor), else n − 1. */
function blockEnd(d: Float64Array, e: Float64Array, l: number, n: number, floor: number): number {
  let m = l;
  for (; m < n - 1; m++) {
    const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
    if (Math.abs(e[m]) <= EPS * dd || Math.abs(e[m]) <= floor) break;
  }
  return m;
}

/**
 * One implicit QL sweep i = m−1 … l with shift g, its rotations into cs, sn. Returns the i at which
 * a rotation underflowed (d[i+1] and e[m] then deflated, the sweep to be restarted), or l − 1 when
 * it completed; the sweep's final p and g in pg[0], pg[1].
 */
function qlSweep(d: Float64Array, e: Float64Array, cs: Float64Array, sn: Float64Array, l: number, m: number, g: number, pg: Float64Array): number {
  let s = 1;
  let c = 1;
  let p = 0;
  let i = m - 1;
  for (; i >= l; i--) {
    const f = s * e[i];
    const b = c * e[i];
    let r = hypot2(f, g);
    e[i + 1] = r;
    if (r === 0) {
      // the rotation underflowed: deflate and restart the sweep
      d[i + 1] -= p;
      e[m] = 0;
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
  pg[0] = p;
  pg[1] = g;
  return i;
}
