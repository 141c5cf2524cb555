/**
 * Extreme eigenvalues of a symmetric operator given only as v ↦ A v (matrix-free), by the Lanczos
 * process with full reorthogonalisation (Golub & Van Loan §10.1–10.3; Parlett, "The Symmetric
 * Eigenvalue Problem", ch. 13).
 *
 * Numerics:
 * - Every new Lanczos vector is orthogonalised against all previous ones twice (classical
 *   Gram–Schmidt, "twice is enough": Giraud et al. 2005), so the basis stays orthonormal to
 *   O(ε) and no spurious copies of converged Ritz values appear. Cost per step: one product
 *   plus O(jn) for the reorthogonalisation.
 * - Ritz values θ of the tridiagonal T_j interlace the spectrum: λ_min ≤ θ_min and θ_max ≤ λ_max.
 *   Each Ritz pair (θ, y) has residual ‖A y − θ y‖ = β_j |s_j| (s_j the last component of T's
 *   eigenvector), so some eigenvalue of A lies within that distance of θ (Kahan–Parlett). Like
 *   every Krylov method, Lanczos cannot see eigenvectors orthogonal to the start vector: a random
 *   start makes that a probability-zero event, but the bound is "near an eigenvalue", not "near
 *   the extreme one" — for an exact extreme, use the dense route (eigh.ts).
 * - On breakdown (β ≈ 0: an invariant subspace was found) the process restarts with a fresh
 *   random vector orthogonal to the basis, so that the whole spectrum stays reachable.
 */
import { Rng } from '../random/xoshiro.js';
import { tridiagonalQL } from './ql.js';

const EPS = 2.220446049250313e-16;

export interface LanczosOptions {
  /** Maximum number of Lanczos steps (= products). Default min(n, 300). */
  maxIter?: number;
  /** Converged when both extreme residual bounds are ≤ tol · max(|θ_min|, |θ_max|). Default 1e-10. */
  tol?: number;
  /** Starting vector (copied). Default: standard normal from Rng(seed, "lanczos"). */
  start?: Float64Array;
  /** Seed for the default start vector. Default 0. */
  seed?: number;
}

export interface LanczosResult {
  /** Smallest Ritz value: an upper bound on λ_min (interlacing). */
  readonly min: number;
  /** Largest Ritz value: a lower bound on λ_max. */
  readonly max: number;
  /** Residual bound of the smallest Ritz pair (an eigenvalue lies within it). */
  readonly minResidual: number;
  /** Residual bound of the largest Ritz pair. */
  readonly maxResidual: number;
  /** Lanczos steps done (operator products). */
  readonly iterations: number;
  readonly converged: boolean;
  /** All Ritz values at the end, ascending. */
  readonly ritzValues: Float64Array;
}

interface Ritz {
  values: Float64Array;
  /** last components of the eigenvectors of T, in the order of `values` */
  bottom: Float64Array;
  /** the unit eigenvector of T for its largest eigenvalue (the first of equal ones) */
  top: Float64Array;
}

/** Eigenvalues of T_k (α, β) and the last components of its unit eigenvectors. */
function ritz(alpha: Float64Array, beta: Float64Array, k: number): Ritz {
  const d = Float64Array.from(alpha.subarray(0, k));
  const e = new Float64Array(k);
  for (let i = 1; i < k; i++) e[i] = beta[i - 1];
  const Zt = new Float64Array(k * k);
  for (let i = 0; i < k; i++) Zt[i * k + i] = 1;
  tridiagonalQL(d, e, k, Zt);
  const order = Array.from({ length: k }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  let best = 0;
  for (let i = 1; i < k; i++) if (d[i] > d[best]) best = i;
  return {
    values: Float64Array.from(order, (i) => d[i]),
    bottom: Float64Array.from(order, (i) => Zt[i * k + k - 1]),
    top: Zt.slice(best * k, best * k + k),
  };
}

/** Orthogonalises w against rows 0 … count−1 of Q, twice; returns the coefficients' sum per row in c. */
function reorthogonalise(Q: Float64Array, count: number, n: number, w: Float64Array, c: Float64Array): void {
  c.fill(0, 0, count);
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < count; i++) {
      const o = i * n;
      let s = 0;
      for (let t = 0; t < n; t++) s += Q[o + t] * w[t];
      for (let t = 0; t < n; t++) w[t] -= s * Q[o + t];
      c[i] += s;
    }
  }
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/**
 * @param apply writes A v into out (A symmetric n×n)
 */
export function lanczosExtremes(
  apply: (v: Float64Array, out: Float64Array) => void,
  n: number,
  opts: LanczosOptions = {},
): LanczosResult {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`Lanczos: size must be a positive integer, got ${n}`);
  const maxIter = Math.min(n, opts.maxIter ?? 300);
  const tol = opts.tol ?? 1e-10;
  const rng = new Rng(opts.seed ?? 0, 'lanczos');
  const Q = new Float64Array(maxIter * n);
  const alpha = new Float64Array(maxIter);
  const beta = new Float64Array(maxIter);
  const w = new Float64Array(n);
  const c = new Float64Array(maxIter);

  const q0 = opts.start ? Float64Array.from(opts.start) : rng.fillNormal(new Float64Array(n));
  if (q0.length !== n) throw new RangeError(`Lanczos: start vector has length ${q0.length}, expected ${n}`);
  let s0 = norm(q0);
  if (!(s0 > 0) || !Number.isFinite(s0)) throw new RangeError('Lanczos: start vector must be finite and nonzero');
  for (let t = 0; t < n; t++) Q[t] = q0[t] / s0;

  let k = 0;
  let result: Ritz = { values: new Float64Array(0), bottom: new Float64Array(0), top: new Float64Array(0) };
  let converged = false;
  let tNorm = 0; // running estimate of ‖T‖ for the breakdown test
  let lastB = 0;
  for (let j = 0; j < maxIter; j++) {
    const qj = Q.subarray(j * n, j * n + n);
    apply(qj, w);
    for (let t = 0; t < n; t++) {
      if (!Number.isFinite(w[t])) throw new RangeError('Lanczos: the operator returned a non-finite value');
    }
    reorthogonalise(Q, j + 1, n, w, c);
    alpha[j] = c[j]; // = q_jᵀ A q_j after reorthogonalisation (the β_{j−1} q_{j−1} term is removed by it too)
    let b = norm(w);
    tNorm = Math.max(tNorm, Math.abs(alpha[j]) + b + (j > 0 ? beta[j - 1] : 0));
    k = j + 1;
    lastB = b;
    // convergence check on T_k (cheap: k ≤ maxIter ≤ a few hundred); every step while small
    if (k === maxIter || k <= 40 || k % 5 === 0 || b <= 1e3 * EPS * tNorm) {
      result = ritz(alpha, beta, k);
      const bMin = Math.abs(b * result.bottom[0]);
      const bMax = Math.abs(b * result.bottom[k - 1]);
      const scale = Math.max(Math.abs(result.values[0]), Math.abs(result.values[k - 1]));
      if (k === n || (bMin <= tol * scale && bMax <= tol * scale)) {
        converged = true;
        return finish(result, b, k, converged);
      }
    }
    if (k === maxIter) break;
    if (b <= 1e3 * EPS * tNorm) {
      // invariant subspace: restart from a random vector orthogonal to the basis
      let tries = 0;
      do {
        rng.fillNormal(w);
        reorthogonalise(Q, k, n, w, c);
        b = norm(w);
      } while (b < 1e-8 && ++tries < 5);
      s0 = b;
      beta[j] = 0;
      for (let t = 0; t < n; t++) Q[k * n + t] = w[t] / s0;
    } else {
      beta[j] = b;
      for (let t = 0; t < n; t++) Q[k * n + t] = w[t] / b;
    }
  }
  return finish(result, lastB, k, converged);
}

function finish(r: Ritz, b: number, k: number, converged: boolean): LanczosResult {
  return {
    min: r.values[0],
    max: r.values[k - 1],
    minResidual: Math.abs(b * r.bottom[0]),
    maxResidual: Math.abs(b * r.bottom[k - 1]),
    iterations: k,
    converged,
    ritzValues: r.values,
  };
}

export interface LanczosTopOptions {
  /**
   * Stop when both the estimated relative error of θ₁ = the largest Ritz value, ρ²/((θ₁ − θ₂) θ₁)
   * (Kato–Temple with the second Ritz value θ₂ standing in for λ₂), and θ₁'s relative change over
   * the last step are ≤ tol; or when ρ ≤ tol·θ₁ (an eigenvalue lies within ρ of θ₁). Default 1e-8.
   */
  tol?: number;
  /** Maximum number of steps (= products). Default min(n, 300). */
  maxIter?: number;
  /** Also return the unit Ritz vector of θ₁ (O(kn) once, at the end). */
  vector?: boolean;
}

export interface LanczosTopResult {
  /** θ₁, the largest Ritz value: a lower bound on λ_max (interlacing). */
  readonly value: number;
  /** θ₂, the second largest Ritz value (≤ λ₂); NaN after one step. */
  readonly second: number;
  /** ρ = ‖A y − θ₁ y‖ of the top Ritz pair (β_k |s_k|). */
  readonly residual: number;
  /** Steps done (operator products). */
  readonly iterations: number;
  readonly converged: boolean;
  /** With `vector`: the unit Ritz vector y of θ₁. */
  readonly vector?: Float64Array;
}

/**
 * The largest eigenvalue of a symmetric operator by the Lanczos process (full reorthogonalisation
 * as in lanczosExtremes), pausing after every product so that a caller can stay responsive. Only
 * the top of the spectrum is watched. On breakdown (an invariant subspace: β ≈ 0) the Ritz values
 * are eigenvalues of A, and θ₁ is λ_max unless the start was orthogonal to its eigenvector; the
 * iteration stops there (converged). Deterministic: the same operator and start give the same bits.
 *
 * @param apply writes A v into out (A symmetric n×n)
 * @param start nonzero starting vector (copied), length n
 */
export function* lanczosTopSteps(
  apply: (v: Float64Array, out: Float64Array) => void,
  start: Float64Array,
  opts: LanczosTopOptions = {},
): Generator<void, LanczosTopResult, void> {
  const n = start.length;
  if (n < 1) throw new RangeError('Lanczos: the start vector is empty');
  const maxIter = Math.min(n, opts.maxIter ?? 300);
  const tol = opts.tol ?? 1e-8;
  const Q = new Float64Array(maxIter * n);
  const alpha = new Float64Array(maxIter);
  const beta = new Float64Array(maxIter);
  const w = new Float64Array(n);
  const c = new Float64Array(maxIter);
  const s0 = norm(start);
  if (!(s0 > 0) || !Number.isFinite(s0)) throw new RangeError('Lanczos: start vector must be finite and nonzero');
  for (let t = 0; t < n; t++) Q[t] = start[t] / s0;
  let tNorm = 0;
  let prev = NaN;
  let k = 0;
  let result: Ritz = { values: new Float64Array(0), bottom: new Float64Array(0), top: new Float64Array(0) };
  let b = 0;
  let converged = false;
  for (let j = 0; j < maxIter; j++) {
    apply(Q.subarray(j * n, j * n + n), w);
    for (let t = 0; t < n; t++) {
      if (!Number.isFinite(w[t])) return { value: NaN, second: NaN, residual: NaN, iterations: j + 1, converged: false };
    }
    reorthogonalise(Q, j + 1, n, w, c);
    alpha[j] = c[j];
    b = norm(w);
    tNorm = Math.max(tNorm, Math.abs(alpha[j]) + b + (j > 0 ? beta[j - 1] : 0));
    k = j + 1;
    const breakdown = b <= 1e3 * EPS * tNorm;
    // the Ritz values of T_k every step while k ≤ 40 (where expensive products stop), then every 5th (O(k³) each)
    if (k <= 40 || k % 5 === 0 || k === maxIter || k === n || breakdown) {
      result = ritz(alpha, beta, k);
      const top = result.values[k - 1];
      const second = k > 1 ? result.values[k - 2] : NaN;
      const rho = Math.abs(b * result.bottom[k - 1]);
      const scale = Math.abs(top);
      const estimate = k > 1 && top > second ? (rho * rho) / ((top - second) * scale) : Infinity; // Kato–Temple, θ₂ for λ₂
      const change = Math.abs(top - prev) / scale; // since the last check
      prev = top;
      if (k === n || breakdown || rho <= tol * scale || (estimate <= tol && change <= tol)) {
        converged = true;
        break;
      }
    }
    if (k === maxIter) break;
    beta[j] = b;
    for (let t = 0; t < n; t++) Q[k * n + t] = w[t] / b;
    yield;
  }
  const value = result.values[k - 1];
  const out = { value, second: k > 1 ? result.values[k - 2] : NaN, residual: Math.abs(b * result.bottom[k - 1]), iterations: k, converged };
  if (!opts.vector) return out;
  // y = Q_kᵀ s with s the unit eigenvector of T_k for θ₁ (from the last Ritz step, which is at this k)
  const y = new Float64Array(n);
  for (let i = 0; i < k; i++) {
    const si = result.top[i];
    const o = i * n;
    for (let t = 0; t < n; t++) y[t] += si * Q[o + t];
  }
  const sy = norm(y);
  for (let t = 0; t < n; t++) y[t] /= sy;
  return { ...out, vector: y };
}
