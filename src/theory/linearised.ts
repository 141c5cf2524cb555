/**
 * The linearised prediction of docs/theory.md §3–4: near initialisation GD follows
 * r(k+1) ≈ (I − η H(W(0))) r(k), so r(k) ≈ (I − η H0)^k r(0). Through the eigendecomposition
 * H0 = Σ_i λ_i v_i v_iᵀ, with c_i = ⟨v_i, r(0)⟩:
 *   ‖(I − ηH0)^k r(0)‖² = Σ_i c_i² (1 − ηλ_i)^{2k}      — O(n) per k after one O(n³) eigh.
 * H0 and η must be on the same scale: the kernel the backend computes for the run with the run's
 * η, or equivalently the NTK-normalised kernel with η κ² m.
 */
import { eigh } from '../linalg/eigh.js';
import type { EighResult } from '../linalg/eigh.js';

export interface LinearisedPrediction {
  /** ‖(I − ηH0)^k r(0)‖₂ for integer k ≥ 0. */
  residualNorm(k: number): number;
  /** [residualNorm(0), …, residualNorm(steps)] (one loop: the monitor's whole curve). */
  residualNorms(steps: number): number[];
  /** (I − ηH0)^k r(0) itself (O(n²)). */
  residual(k: number, out?: Float64Array): Float64Array;
  /** Eigenvalues λ_i of H0 (ascending) and the coefficients c_i = ⟨v_i, r(0)⟩. */
  readonly values: Float64Array;
  readonly coefficients: Float64Array;
}

/** From an eigendecomposition of H0 (eigenvectors as rows, as eigh returns them). */
export function linearisedPrediction(H0: EighResult, r0: Float64Array, eta: number): LinearisedPrediction {
  const n = r0.length;
  const { values, vectors } = H0;
  if (values.length !== n) throw new RangeError(`r(0) has length ${n}, H0 has ${values.length} eigenvalues`);
  const c = new Float64Array(n);
  const logAbs = new Float64Array(n); // ln|1 − ηλ_i|
  const sign = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < n; t++) s += vectors[i * n + t] * r0[t];
    c[i] = s;
    const f = 1 - eta * values[i];
    logAbs[i] = Math.log(Math.abs(f));
    sign[i] = f < 0 ? -1 : 1;
  }
  const checkK = (k: number): void => {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`step k must be a non-negative integer, got ${k}`);
  };
  const norm = (k: number): number => {
    if (k === 0) return Math.sqrt(c.reduce((acc, v) => acc + v * v, 0)); // (1 − ηλ)^0 = 1 even where ln|1 − ηλ| = −∞
    // ‖(I − ηH0)^k r(0)‖² = Σ c_i² (1 − ηλ_i)^{2k}   (docs/theory.md §4, linearised prediction)
    let s = 0;
    for (let i = 0; i < n; i++) if (c[i] !== 0) s += c[i] * c[i] * Math.exp(2 * k * logAbs[i]);
    return Math.sqrt(s);
  };
  return {
    values,
    coefficients: c,
    residualNorm(k: number): number {
      checkK(k);
      return norm(k);
    },
    residualNorms(steps: number): number[] {
      checkK(steps);
      const out = new Array<number>(steps + 1);
      for (let k = 0; k <= steps; k++) out[k] = norm(k);
      return out;
    },
    residual(k: number, out = new Float64Array(n)): Float64Array {
      checkK(k);
      if (k === 0) {
        out.set(r0);
        return out;
      }
      out.fill(0);
      for (let i = 0; i < n; i++) {
        const f = c[i] * Math.exp(k * logAbs[i]) * (k % 2 === 1 ? sign[i] : 1);
        if (f === 0) continue;
        for (let t = 0; t < n; t++) out[t] += f * vectors[i * n + t];
      }
      return out;
    },
  };
}

/** Same, from the dense H0 (n×n, row-major): one eigh. */
export function linearisedFromKernel(H0: Float64Array, n: number, r0: Float64Array, eta: number): LinearisedPrediction {
  return linearisedPrediction(eigh(H0, n), r0, eta);
}

/** The envelope of docs/theory.md §4D: ‖r(k)‖ ≤ (1 − ηλ/2)^{k/2} ‖r(0)‖ (NaN when 1 − ηλ/2 < 0). */
export function contractionEnvelope(k: number, eta: number, lambda: number, r0Norm: number): number {
  const f = 1 - (eta * lambda) / 2;
  if (f < 0) return NaN;
  // (1 − ηλ/2)^{k/2} ‖r(0)‖   (docs/theory.md §4D)
  return Math.pow(f, k / 2) * r0Norm;
}

/** [contractionEnvelope(0, …), …, contractionEnvelope(steps, …)] (one loop: the monitor's whole curve). */
export function contractionEnvelopes(steps: number, eta: number, lambda: number, r0Norm: number): number[] {
  const out = new Array<number>(steps + 1);
  for (let k = 0; k <= steps; k++) out[k] = contractionEnvelope(k, eta, lambda, r0Norm);
  return out;
}

/**
 * The linearised prediction of the steps to ε (docs/theory.md §4E): the slowest mode of
 * r(k) ≈ (I − ηH0)^k r(0) contracts by 1 − ηλ_min(H0) per step, so
 *   T = ln(‖r(0)‖/ε) / (−ln(1 − η λ_min(H0))).
 * 0 when ‖r(0)‖ ≤ ε; Infinity when λ_min(H0) ≤ 0 (that mode never contracts); 1 when ηλ_min ≥ 1
 * (that mode is gone after one step). `eta` and `lambdaMin0` on the same scale (η κ² m with the NTK-scale λ).
 */
export function linearisedSteps(r0Norm: number, epsilon: number, eta: number, lambdaMin0: number): number {
  if (!(r0Norm > epsilon)) return 0;
  const q = eta * lambdaMin0;
  if (!(q > 0)) return Infinity;
  if (q >= 1) return 1;
  return Math.log(r0Norm / epsilon) / -Math.log1p(-q);
}
