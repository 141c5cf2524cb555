/**
 * The largest eigenvalue of a symmetric operator A given only as v ↦ A v, when a cheap symmetric
 * approximation Ã ≈ A is at hand (for --eta auto: Ã = the infinite-width kernel, A = H(W(0))), by
 * the Jacobi–Davidson method (Sleijpen & van der Vorst 1996; Saad, "Numerical Methods for Large
 * Eigenvalue Problems", 2nd ed., §8.4) with Ã in the correction equation.
 *
 * Each iteration costs one product with A:
 * - Rayleigh–Ritz on the search space V (orthonormal, kept with AV): the largest eigenpair (θ, s)
 *   of Vᵀ A V gives the Ritz pair (θ, u = V s) and its residual r = A u − θ u (no product).
 * - Correction: t ⟂ u from (I − u uᵀ)(θ I − Ã)(I − u uᵀ) t = r, solved by conjugate gradients (the
 *   operator is positive definite on u⊥ while θ lies above Ã's second eigenvalue; CG stops at the
 *   first sign of indefiniteness). With Ã = A this is Newton's method on the eigenproblem; with
 *   ‖A − Ã‖ small against the gap λ₁ − λ₂ the eigenvector error shrinks by about ‖A − Ã‖/gap per
 *   iteration (the eigenvalue's error by its square). Where the correction is unusable, V grows
 *   by r instead, which spans the Lanczos (Krylov) space: never worse than Lanczos.
 * - t is orthogonalised against V twice (classical Gram–Schmidt, "twice is enough") and A t formed.
 *
 * Stopping: the Ritz value θ ≤ λ_max (interlacing) and some eigenvalue lies within ρ = ‖r‖ of it;
 * with λ₂ ≤ γ < θ, λ_max − θ ≤ ρ²/(θ − γ) (Kato–Temple). γ is the caller's estimate of λ₂ (Ã's
 * second eigenvalue), so the bound is an estimate; it must be ≤ tol (relative) and θ's relative
 * change over the last iteration ≤ changeTol, or ρ ≤ tol·θ. Deterministic: same inputs, same bits.
 */
import { eigh } from './eigh.js';

export interface ApproximateOperator {
  /** out = Ã v, Ã symmetric and close to A. */
  apply(v: Float64Array, out: Float64Array): void;
  /** An estimate of λ₂(A) (e.g. λ₂(Ã)): the lower end of the gap in the error estimate. */
  readonly second: number;
}

export interface DavidsonTopOptions {
  /** Unit-norm or not, nonzero: the first basis vector (e.g. Ã's top eigenvector). Copied. */
  readonly start: Float64Array;
  readonly approx: ApproximateOperator;
  /** Relative tolerance of the estimated error ρ²/((θ − γ)θ) (and of ρ/θ). Default 1e-8. */
  readonly tol?: number;
  /** θ's relative change over the last iteration must be ≤ this too. Default 1e-6. */
  readonly changeTol?: number;
  /** Maximum products with A. Default min(n, 100). */
  readonly maxIter?: number;
  /** Conjugate-gradient steps per correction (products with Ã). Default 100. */
  readonly innerIter?: number;
  /** CG stops when its residual fell by this factor. Default 1e-6. */
  readonly innerTol?: number;
}

export interface DavidsonTopResult {
  /** θ, the largest Ritz value: a lower bound on λ_max. */
  readonly value: number;
  /** ρ = ‖A u − θ u‖. */
  readonly residual: number;
  /** ρ²/((θ − γ)θ): the estimated relative error of θ (Infinity where θ ≤ γ). */
  readonly errorEstimate: number;
  /** Products with A. */
  readonly iterations: number;
  /** Products with Ã (the corrections' CG steps). */
  readonly innerProducts: number;
  readonly converged: boolean;
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/** w ← w − Σ_i (v_iᵀ w) v_i over the basis, twice; returns ‖w‖ after. */
function orthogonalise(V: readonly Float64Array[], w: Float64Array, n: number): number {
  for (let pass = 0; pass < 2; pass++) {
    for (const v of V) {
      const c = dot(v, w, n);
      for (let i = 0; i < n; i++) w[i] -= c * v[i];
    }
  }
  return Math.sqrt(dot(w, w, n));
}

/**
 * @param apply writes A v into out (A symmetric n×n); called once per iteration, and the generator
 *              pauses after each call
 */
export function* davidsonTopSteps(apply: (v: Float64Array, out: Float64Array) => void, opts: DavidsonTopOptions): Generator<void, DavidsonTopResult, void> {
  const n = opts.start.length;
  if (n < 1) throw new RangeError('Jacobi–Davidson: the start vector is empty');
  const tol = opts.tol ?? 1e-8;
  const changeTol = opts.changeTol ?? 1e-6;
  const maxIter = Math.min(n, opts.maxIter ?? 100);
  const innerIter = opts.innerIter ?? 100;
  const innerTol = opts.innerTol ?? 1e-6;
  const { approx } = opts;
  const V: Float64Array[] = [];
  const AV: Float64Array[] = [];
  /** Vᵀ A V, row-major maxIter × maxIter (entries i, j < V.length filled). */
  const M = new Float64Array(maxIter * maxIter);
  let innerProducts = 0;

  const first = Float64Array.from(opts.start);
  const s0 = Math.sqrt(dot(first, first, n));
  if (!(s0 > 0) || !Number.isFinite(s0)) throw new RangeError('Jacobi–Davidson: start vector must be finite and nonzero');
  for (let i = 0; i < n; i++) first[i] /= s0;

  const u = new Float64Array(n);
  const Au = new Float64Array(n);
  const r = new Float64Array(n);
  // CG work
  const t = new Float64Array(n);
  const res = new Float64Array(n);
  const dir = new Float64Array(n);
  const q = new Float64Array(n);
  const y = new Float64Array(n);

  /** Adds the unit vector v to the basis: one product with A, and the new row/column of M. */
  const extend = (v: Float64Array): boolean => {
    const av = new Float64Array(n);
    apply(v, av);
    for (let i = 0; i < n; i++) if (!Number.isFinite(av[i])) return false;
    const k = V.length;
    V.push(v);
    AV.push(av);
    for (let i = 0; i <= k; i++) {
      // symmetric in exact arithmetic: average the two computed halves
      const mik = i === k ? dot(v, av, n) : 0.5 * (dot(V[i], av, n) + dot(v, AV[i], n));
      M[i * maxIter + k] = mik;
      M[k * maxIter + i] = mik;
    }
    return true;
  };

  /** (I − uuᵀ)(θI − Ã)(I − uuᵀ) x into out. */
  const correctionOperator = (theta: number, x: Float64Array, out: Float64Array): void => {
    y.set(x);
    const cu = dot(u, y, n);
    for (let i = 0; i < n; i++) y[i] -= cu * u[i];
    approx.apply(y, out);
    innerProducts++;
    for (let i = 0; i < n; i++) out[i] = theta * y[i] - out[i];
    const co = dot(u, out, n);
    for (let i = 0; i < n; i++) out[i] -= co * u[i];
  };

  /** CG on the correction equation with right-hand side r (projected), from t = 0; t is the result (possibly 0). */
  const correction = (theta: number): void => {
    t.fill(0);
    res.set(r);
    const cr = dot(u, res, n);
    for (let i = 0; i < n; i++) res[i] -= cr * u[i];
    dir.set(res);
    let rr = dot(res, res, n);
    const stop = innerTol * innerTol * rr;
    for (let it = 0; it < innerIter && rr > stop; it++) {
      correctionOperator(theta, dir, q);
      const curvature = dot(dir, q, n);
      if (!(curvature > 0) || !Number.isFinite(curvature)) break; // not positive definite here: keep what we have
      const a = rr / curvature;
      for (let i = 0; i < n; i++) {
        t[i] += a * dir[i];
        res[i] -= a * q[i];
      }
      const rr2 = dot(res, res, n);
      const beta = rr2 / rr;
      rr = rr2;
      for (let i = 0; i < n; i++) dir[i] = res[i] + beta * dir[i];
    }
  };

  const fail = (iterations: number): DavidsonTopResult => ({ value: NaN, residual: NaN, errorEstimate: NaN, iterations, innerProducts, converged: false });
  if (!extend(first)) return fail(1);
  yield;
  let prev = NaN;
  for (;;) {
    const k = V.length;
    // Rayleigh–Ritz: the top eigenpair of the k×k matrix Vᵀ A V
    const Mk = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) Mk[i * k + j] = M[i * maxIter + j];
    const { values, vectors } = eigh(Mk, k);
    const theta = values[k - 1];
    u.fill(0);
    Au.fill(0);
    for (let j = 0; j < k; j++) {
      const sj = vectors[(k - 1) * k + j];
      const v = V[j];
      const av = AV[j];
      for (let i = 0; i < n; i++) {
        u[i] += sj * v[i];
        Au[i] += sj * av[i];
      }
    }
    for (let i = 0; i < n; i++) r[i] = Au[i] - theta * u[i];
    const rho = Math.sqrt(dot(r, r, n));
    const scale = Math.abs(theta);
    const gap = theta - approx.second;
    const errorEstimate = gap > 0 ? (rho * rho) / (gap * scale) : Infinity; // Kato–Temple with γ = approx.second
    const change = Math.abs(theta - prev) / scale;
    prev = theta;
    const done = rho <= tol * scale || (errorEstimate <= tol && change <= changeTol);
    if (done || k === maxIter) return { value: theta, residual: rho, errorEstimate, iterations: k, innerProducts, converged: done };
    // expand: the Jacobi–Davidson correction, or the residual where that is unusable
    correction(theta);
    const before = Math.sqrt(dot(t, t, n));
    let grown = before > 0 && Number.isFinite(before) ? orthogonalise(V, t, n) : 0;
    let next = t;
    if (!(grown > 1e-8 * before)) {
      next = Float64Array.from(r);
      const rn = Math.sqrt(dot(next, next, n));
      grown = rn > 0 ? orthogonalise(V, next, n) : 0;
      if (!(grown > 1e-8 * rn)) return { value: theta, residual: rho, errorEstimate, iterations: k, innerProducts, converged: true }; // V is invariant: θ is an eigenvalue
    }
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = next[i] / grown;
    if (!extend(v)) return fail(k + 1);
    yield;
  }
}
