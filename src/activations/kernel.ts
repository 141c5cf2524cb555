/**
 * Infinite-width kernels of any activation from its per-entry formula (types.ts, LimitKernel), for
 * inputs X (n×d, row-major). On the NTK scale: the limit of H(W(0)) as m → ∞ with κ = 1/√m (for
 * κ = 1 the limit of H(W(0))/m).
 */
import { DataError } from '../errors.js';
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

/**
 * An entry that is not finite: the inputs are too large for the kernel (e^{‖x_i + x_j‖²/2} passes
 * the largest double once ‖x‖ ≈ 18.8 for exp). A DataError naming the entry and the norms, never
 * a NaN that would surface later as an eigen-solver's internal error.
 */
function overflow(act: Activation, v: number, i: number, j: number, qi: number, qj: number): DataError {
  return new DataError(
    `the infinite-width kernel ${act.limit.symbol} is ${v} at entry (${i + 1}, ${j + 1}) (${i === j ? `‖x_${i + 1}‖ = ${Math.sqrt(qi).toPrecision(4)}` : `‖x_${i + 1}‖ = ${Math.sqrt(qi).toPrecision(4)}, ‖x_${j + 1}‖ = ${Math.sqrt(qj).toPrecision(4)}`}): the inputs are too large for it; the theory assumes ‖x‖ ≤ 1`,
    { field: 'normalize', hints: [{ field: 'normalize', value: 'unit' }] },
  );
}

/**
 * H^lim(X, X), n×n: the lower triangle from the activation's entry formula, mirrored. `G`: X Xᵀ
 * when the caller has it (kernel/infinite.ts: from the addon, the same bits), overwritten by H^lim.
 */
export function limitKernel(act: Activation, X: Float64Array, n: number, d: number, G?: Float64Array): Float64Array {
  const H = G ?? inputGram(X, n, d);
  const q = Float64Array.from({ length: n }, (_, i) => H[i * n + i]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = act.limit.entry(H[i * n + j], q[i], q[j], X, i * d, X, j * d, d);
      if (!Number.isFinite(v)) throw overflow(act, v, i, j, q[i], q[j]);
      H[i * n + j] = H[j * n + i] = v;
    }
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
      const v = act.limit.entry(g, qa[i], qb[j], A, i * d, B, j * d, d);
      if (!Number.isFinite(v)) throw overflow(act, v, i, j, qa[i], qb[j]);
      K[i * nb + j] = v;
    }
  }
  return K;
}
