/**
 * Kernel regression by gradient descent, in closed form (docs/theory.md §6): given a kernel H on
 * the training points (n×n), its cross-kernel C = H(X*, X) on test points (n*×n), the initial
 * residual r(0), the initial test outputs f0* and a step η on the same scale as H,
 *
 *   train:  r(k)     = (I − ηH)^k r(0)
 *   test:   f_k(x*)  = f0(x*) − C · P_k · r(0),   P_k = η Σ_{j<k} (I − ηH)^j = V diag(g_k(λ_i)) Vᵀ,
 *           g_k(λ)   = (1 − (1 − ηλ)^k)/λ   (→ kη as λ → 0;  → 1/λ as k → ∞ when 0 < ηλ < 2)
 *
 * This is the linearised network (H = H(W(0)), f0 = F(W(0), ·)) and the infinite-width
 * prediction (H = H^lim, f0 = 0, r(0) = −y) of §6 alike. Everything goes through one
 * eigendecomposition of H: no inverse of a near-singular matrix is ever formed. Directions whose
 * eigenvalue is zero to rounding (|λ_i| ≤ n ε λ_max, linalg/eigh.ts zeroToRounding) are left out of
 * P_k: in exact arithmetic a positive semi-definite joint kernel has C v_i = 0 there, so they carry
 * only rounding error (and at k → ∞ this is the pseudo-inverse, the minimum-norm interpolant).
 */
import { eigh, zeroToRounding, type EighResult } from '../linalg/eigh.js';

export interface KernelRegressionInput {
  /** H on the training points, n×n row-major, symmetric (only its lower triangle is read). */
  readonly H: Float64Array;
  readonly n: number;
  /** C = H(X*, X), nTest×n row-major. */
  readonly cross: Float64Array;
  readonly nTest: number;
  /** r(0) = f0(X) − y, length n. */
  readonly r0: Float64Array;
  /** f0(X*), length nTest (the infinite-width prediction starts at 0: omit it). */
  readonly f0Test?: Float64Array;
  /** Step size on the scale of H. */
  readonly eta: number;
  /** A decomposition of H already at hand (eigh(H, n)). */
  readonly eigen?: EighResult;
}

export interface KernelRegression {
  /** Eigenvalues of H, ascending, and the coefficients c_i = ⟨v_i, r(0)⟩. */
  readonly values: Float64Array;
  readonly coefficients: Float64Array;
  /** How many directions were left out as zero to rounding. */
  readonly dropped: number;
  /** η λ_max(H) < 2: the recursion converges (docs/theory.md §6, stability of the step). */
  readonly stable: boolean;
  /** ‖(I − ηH)^k r(0)‖₂ (k = Infinity: the part of r(0) on the dropped directions). */
  trainResidualNorm(k: number): number;
  /** f_k(X*) (k a non-negative integer, or Infinity for the limit of a stable recursion). */
  predict(k: number, out?: Float64Array): Float64Array;
}

function checkStep(k: number): void {
  if (!(k === Infinity || (Number.isInteger(k) && k >= 0))) throw new RangeError(`step k must be a non-negative integer or Infinity, got ${k}`);
}

/** (1 − ηλ)^k, exact for k = 0 and accurate for small ηλ through log1p. */
function decay(eta: number, lambda: number, k: number): number {
  if (k === 0) return 1;
  const f = 1 - eta * lambda;
  if (k === Infinity) return Math.abs(f) < 1 ? 0 : Math.abs(f) === 1 ? (f === 1 ? 1 : NaN) : Infinity;
  if (f > 0) return Math.exp(k * Math.log1p(-eta * lambda));
  return Math.pow(f, k);
}

/** g_k(λ) = (1 − (1 − ηλ)^k)/λ = η Σ_{j<k} (1 − ηλ)^j   (docs/theory.md §6). */
export function geometricFactor(eta: number, lambda: number, k: number): number {
  if (k === 0) return 0;
  if (lambda === 0) return k * eta;
  if (k === Infinity) return decay(eta, lambda, k) === 0 ? 1 / lambda : NaN;
  const t = eta * lambda;
  // −expm1(k log1p(−ηλ)) keeps every digit when kηλ is small; beyond ηλ ≥ 1 the plain power is exact enough
  const numerator = t < 1 ? -Math.expm1(k * Math.log1p(-t)) : 1 - Math.pow(1 - t, k);
  return numerator / lambda;
}

export function kernelRegression(o: KernelRegressionInput): KernelRegression {
  const { n, nTest, eta } = o;
  if (o.H.length !== n * n) throw new RangeError(`H has ${o.H.length} entries, expected n² = ${n * n}`);
  if (o.cross.length !== nTest * n) throw new RangeError(`the cross-kernel has ${o.cross.length} entries, expected n*·n = ${nTest * n}`);
  if (o.r0.length !== n) throw new RangeError(`r(0) has length ${o.r0.length}, expected ${n}`);
  if (o.f0Test && o.f0Test.length !== nTest) throw new RangeError(`f0(X*) has length ${o.f0Test.length}, expected ${nTest}`);
  if (!(eta > 0 && Number.isFinite(eta))) throw new RangeError(`η must be positive and finite, got ${eta}`);
  const { values: raw, vectors } = o.eigen ?? eigh(o.H, n);
  const top = raw[n - 1];
  const values = Float64Array.from(raw, (v) => zeroToRounding(v, top, n));
  const kept = Array.from(values, (v) => v !== 0);
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < n; t++) s += vectors[i * n + t] * o.r0[t];
    c[i] = s;
  }
  // C v_i for every kept direction: the test side of each eigen-component, O(n* n²) once
  const Cv = new Float64Array(nTest * n);
  for (let i = 0; i < n; i++) {
    if (!kept[i]) continue;
    for (let s = 0; s < nTest; s++) {
      let acc = 0;
      for (let t = 0; t < n; t++) acc += o.cross[s * n + t] * vectors[i * n + t];
      Cv[s * n + i] = acc;
    }
  }
  const stable = eta * top < 2;
  return {
    values,
    coefficients: c,
    dropped: kept.filter((x) => !x).length,
    stable,
    trainResidualNorm(k: number): number {
      checkStep(k);
      // ‖r(k)‖² = Σ_i (1 − ηλ_i)^{2k} c_i²   (docs/theory.md §6, spectral view); dropped directions stay
      let s = 0;
      for (let i = 0; i < n; i++) {
        if (c[i] === 0) continue;
        const f = kept[i] ? decay(eta, values[i], k) : 1;
        s += f * f * c[i] * c[i];
      }
      return Math.sqrt(s);
    },
    predict(k: number, out = new Float64Array(nTest)): Float64Array {
      checkStep(k);
      const g = Float64Array.from(values, (lam, i) => (kept[i] ? geometricFactor(eta, lam, k) * c[i] : 0));
      // f_k(x*) = f0(x*) − Σ_i (C v_i) g_k(λ_i) c_i   (docs/theory.md §6)
      for (let s = 0; s < nTest; s++) {
        let acc = 0;
        for (let i = 0; i < n; i++) if (g[i] !== 0) acc += Cv[s * n + i] * g[i];
        out[s] = (o.f0Test ? o.f0Test[s] : 0) - acc;
      }
      return out;
    },
  };
}

/** The spectral view of docs/theory.md §6 (Arora et al. 2019) of labels y on a kernel H. */
export interface LabelProjections {
  /** Eigenvalues of H in descending order (rank 1 = largest). */
  readonly values: Float64Array;
  /** (v_iᵀ y)², in the same order; they sum to ‖y‖². */
  readonly energy: Float64Array;
  /** Cumulative fraction Σ_{j≤i} (v_jᵀ y)² / ‖y‖². */
  readonly cumulative: Float64Array;
  /** yᵀ H⁻¹ y = Σ_i (v_iᵀ y)²/λ_i; Infinity when y has energy on a direction of eigenvalue zero to rounding. */
  readonly rkhsNormSq: number;
  /** Σ_i (1 − ηλ_i)^{2k} (v_iᵀ y)²: the predicted squared training residual at step k (r(0) = −y). */
  predictedResidualSq(eta: number, k: number): number;
}

export function labelProjections(H: Float64Array, n: number, y: Float64Array, eigen: EighResult = eigh(H, n)): LabelProjections {
  if (y.length !== n) throw new RangeError(`y has length ${y.length}, expected ${n}`);
  const top = eigen.values[n - 1];
  const values = new Float64Array(n);
  const energy = new Float64Array(n);
  const cumulative = new Float64Array(n);
  let ySq = 0;
  for (let t = 0; t < n; t++) ySq += y[t] * y[t];
  let acc = 0;
  let rkhs = 0;
  for (let rank = 0; rank < n; rank++) {
    const i = n - 1 - rank;
    let p = 0;
    for (let t = 0; t < n; t++) p += eigen.vectors[i * n + t] * y[t];
    const lam = zeroToRounding(eigen.values[i], top, n);
    values[rank] = lam;
    energy[rank] = p * p;
    acc += p * p;
    cumulative[rank] = ySq > 0 ? acc / ySq : 0;
    // a direction of eigenvalue 0 with energy above rounding makes the interpolant's norm infinite
    rkhs += lam > 0 ? (p * p) / lam : p * p > n * Number.EPSILON * ySq ? Infinity : 0;
  }
  return {
    values,
    energy,
    cumulative,
    rkhsNormSq: rkhs,
    predictedResidualSq(eta: number, k: number): number {
      checkStep(k);
      let s = 0;
      for (let rank = 0; rank < n; rank++) {
        const f = values[rank] === 0 ? 1 : decay(eta, values[rank], k);
        s += f * f * energy[rank];
      }
      return s;
    },
  };
}
