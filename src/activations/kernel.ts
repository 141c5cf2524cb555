/**
 * Infinite-width kernels of any activation from its per-entry formula (types.ts, LimitKernel), for
 * inputs X (n×d, row-major). On the NTK scale: the limit of H(W(0)) as m → ∞ with κ = 1/√m (for
 * κ = 1 the limit of H(W(0))/m).
 */
import type { Activation } from './types.js';

/** G = X Xᵀ (n×n), each entry summed over coordinates in order. */
export function inputGram(X: Float64Array, n: number, d: number): Float64Array {
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += X[i * d + t] * X[j * d + t];
      G[i * n + j] = G[j * n + i] = s;
    }
  }
  return G;
}

function sqNorms(X: Float64Array, n: number, d: number): Float64Array {
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += X[i * d + t] * X[i * d + t];
    q[i] = s;
  }
  return q;
}

/** H^lim(X, X), n×n: the lower triangle from the activation's entry formula, mirrored. */
export function limitKernel(act: Activation, X: Float64Array, n: number, d: number): Float64Array {
  const H = inputGram(X, n, d);
  const q = Float64Array.from({ length: n }, (_, i) => H[i * n + i]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) H[i * n + j] = H[j * n + i] = act.limit.entry(H[i * n + j], q[i], q[j], X, i * d, X, j * d, d);
  }
  return H;
}

/** H^lim(A, B), na×nb: the cross-kernel between two sets of inputs (docs/theory.md §6). */
export function limitCrossKernel(act: Activation, A: Float64Array, na: number, B: Float64Array, nb: number, d: number): Float64Array {
  const qa = sqNorms(A, na, d);
  const qb = sqNorms(B, nb, d);
  const K = new Float64Array(na * nb);
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      let g = 0;
      for (let t = 0; t < d; t++) g += A[i * d + t] * B[j * d + t];
      K[i * nb + j] = act.limit.entry(g, qa[i], qb[j], A, i * d, B, j * d, d);
    }
  }
  return K;
}
