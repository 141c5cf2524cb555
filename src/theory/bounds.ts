/**
 * The a-priori quantities of the convergence argument, docs/theory.md §4, with κ = 1/√m, ‖x_i‖ ≤ 1 and
 * σ = exp. Every formula is the sufficient (conservative) condition written there; nothing here
 * is a constant of the abstract, which states only the order m = Ω(n^{2+o(1)} log(n/δ)).
 */
import { OptionError } from '../errors.js';

/** The abstract's width order, as text: it has no explicit constant (docs/theory.md §4). */
export const PAPER_WIDTH_ORDER = 'm = Ω(n^{2+o(1)} · log(n/δ))';

function positive(name: string, v: number): void {
  if (!(v > 0) || !Number.isFinite(v)) throw new OptionError(`${name} must be a positive finite number, got ${v}`);
}
function probability(delta: number): void {
  if (!(delta > 0 && delta < 1)) throw new OptionError(`δ must lie in (0, 1), got ${delta}`);
}

/** With probability 1 − δ, B ≤ √(2 ln(2mn/δ))   (docs/theory.md §4, definition of B). */
export function bHighProb(m: number, n: number, delta: number): number {
  positive('m', m);
  positive('n', n);
  probability(delta);
  // B ≤ √(2 ln(2mn/δ))   (docs/theory.md §4)
  return Math.sqrt(2 * Math.log((2 * m * n) / delta));
}

/** Observed B = max_{r,i} |⟨w_r(0), x_i⟩| for X n×d and W m×d (docs/theory.md §4). */
export function observedB(X: Float64Array, n: number, d: number, W: Float64Array, m: number): number {
  let b = 0;
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let t = 0; t < d; t++) z += W[r * d + t] * X[i * d + t];
      b = Math.max(b, Math.abs(z));
    }
  }
  return b;
}

/** R* = ½ ln(1 + λ/(4 n e^{2B})): the movement that keeps ‖H(W) − H(W(0))‖₂ ≤ λ/4  (docs/theory.md §4A). */
export function rStar(lambda: number, n: number, B: number): number {
  // R* = ½ ln(1 + λ / (4 n e^{2B}))   (docs/theory.md §4A); log1p keeps it accurate when the ratio is tiny
  return 0.5 * Math.log1p(lambda / (4 * n * Math.exp(2 * B)));
}

/** Stability: ‖H(W) − H(W(0))‖₂ ≤ n e^{2B} (e^{2R} − 1) when every neuron moved ≤ R  (docs/theory.md §4A). */
export function stabilityBound(n: number, B: number, R: number): number {
  // n e^{2B} (e^{2R} − 1)   (docs/theory.md §4A)
  return n * Math.exp(2 * B) * Math.expm1(2 * R);
}

/** Concentration: w.p. 1 − δ, ‖H(W(0)) − H^cts‖₂ ≤ n e^{2B} √(2 ln(2n²/δ)/m)  (docs/theory.md §4B). */
export function concentrationBound(n: number, B: number, m: number, delta: number): number {
  probability(delta);
  // n e^{2B} √(2 ln(2n²/δ) / m)   (docs/theory.md §4B)
  return n * Math.exp(2 * B) * Math.sqrt((2 * Math.log((2 * n * n) / delta)) / m);
}

/** Width from B, for a given B: m ≥ 32 n² e^{4B} ln(2n²/δ) / λ²  (docs/theory.md §4B). */
export function widthFromB(n: number, B: number, lambda: number, delta: number): number {
  probability(delta);
  positive('λ', lambda);
  // m ≥ 32 n² e^{4B} ln(2n²/δ) / λ²   (docs/theory.md §4B)
  return (32 * n * n * Math.exp(4 * B) * Math.log((2 * n * n) / delta)) / (lambda * lambda);
}

/** Width from C: m ≥ 16 n e^{2(B+R*)} ‖r(0)‖² / (λ² R*²)  (docs/theory.md §4C). */
export function widthFromC(n: number, B: number, rStarValue: number, r0Sq: number, lambda: number): number {
  positive('λ', lambda);
  // m ≥ 16 n e^{2(B+R*)} ‖r(0)‖² / (λ² R*²)   (docs/theory.md §4C)
  return (16 * n * Math.exp(2 * (B + rStarValue)) * r0Sq) / (lambda * lambda * rStarValue * rStarValue);
}

/** Step size from D: η ≤ λ / (4 n² e^{4(B+R*)})  (docs/theory.md §4D). On the NTK scale (κ = 1/√m). */
export function etaFromD(lambda: number, n: number, B: number, rStarValue: number): number {
  // η ≤ λ / (4 n² e^{4(B+R*)})   (docs/theory.md §4D)
  return lambda / (4 * n * n * Math.exp(4 * (B + rStarValue)));
}

/** Steps from D: T = ⌈ln(‖r(0)‖²/ε²) / (ηλ/2)⌉, 0 if already ‖r(0)‖ ≤ ε  (docs/theory.md §4D). */
export function stepsFromD(r0Sq: number, eps: number, eta: number, lambda: number): number {
  positive('ε', eps);
  positive('η', eta);
  positive('λ', lambda);
  if (r0Sq <= eps * eps) return 0;
  // T = ⌈ln(‖r(0)‖²/ε²) / (ηλ/2)⌉   (docs/theory.md §4D)
  return Math.ceil(Math.log(r0Sq / (eps * eps)) / ((eta * lambda) / 2));
}

/** Contraction factor per step of D: ‖r(k+1)‖² ≤ (1 − ηλ/2) ‖r(k)‖²  (docs/theory.md §4D). */
export function contractionFactor(eta: number, lambda: number): number {
  // 1 − ηλ/2   (docs/theory.md §4D)
  return 1 - (eta * lambda) / 2;
}

/**
 * E‖r(0)‖² of the exp network at initialisation with κ = 1/√m: Σ_i (E[e^{2⟨w,x_i⟩}] + y_i²) with
 * E[e^{2⟨w,x⟩}] = e^{2‖x‖²} (docs/theory.md §1; ≈ n(e² + mean y²) for unit inputs, §4).
 */
export function expectedR0Sq(X: Float64Array, n: number, d: number, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let q = 0;
    for (let t = 0; t < d; t++) q += X[i * d + t] * X[i * d + t];
    s += Math.exp(2 * q) + y[i] * y[i];
  }
  return s;
}
