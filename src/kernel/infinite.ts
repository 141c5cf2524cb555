/**
 * Infinite-width kernels (docs/theory.md §3, §5) of inputs X (n×d, row-major): the limit of the
 * empirical NTK H(W(0)) with κ = 1/√m as m → ∞ (for κ = 1 the limit of H(W(0))/m; see empirical.ts).
 * Each activation's formula lives in its own module (src/activations/); these are its entry points.
 */
import { ACTIVATIONS, inputGram, limitCrossKernel, limitKernel, type Activation } from '../activations/index.js';
import { nativeRoutines } from '../backend/routines.js';

export { inputGram } from '../activations/index.js';

/** H^lim(X, X) of the activation (n×n). */
export function infiniteKernel(activation: Activation, X: Float64Array, n: number, d: number): Float64Array {
  return limitKernel(activation, X, n, d, inputGramFast(X, n, d));
}

/**
 * X Xᵀ (n×n) from the addon where it is built, the same bits as inputGram: in a fresh process the
 * TypeScript's O(n²d) loop runs in V8's interpreter, most of the kernel monitor's 1 ms for H^lim at
 * n = 64.
 */
export function inputGramFast(X: Float64Array, n: number, d: number): Float64Array {
  // the addon takes shapes of at least 1 × 1; anything else keeps the TypeScript's behaviour
  const native = Number.isInteger(n) && n >= 1 && Number.isInteger(d) && d >= 1 && X.length >= n * d ? nativeRoutines() : null;
  if (native === null) return inputGram(X, n, d);
  const G = new Float64Array(n * n);
  native.inputGram(X, n, d, G);
  return G;
}

/** H^lim(A, B) (na×nb), the cross-kernel between test and training points (docs/theory.md §6). */
export function infiniteCrossKernel(activation: Activation, A: Float64Array, na: number, B: Float64Array, nb: number, d: number): Float64Array {
  return limitCrossKernel(activation, A, na, B, nb, d);
}

/** Exp: H^cts_ij = ⟨x_i,x_j⟩ exp(‖x_i + x_j‖²/2)  (§3). */
export const hCts = (X: Float64Array, n: number, d: number): Float64Array => limitKernel(ACTIVATIONS.exp, X, n, d);

/** ReLU (Du et al. 2019): H^∞_ij = ⟨x_i,x_j⟩ (π − θ_ij)/(2π)  (§3). */
export const hInf = (X: Float64Array, n: number, d: number): Float64Array => limitKernel(ACTIVATIONS.relu, X, n, d);
