/**
 * The reference backend: theory.md §1–3 written out loop by loop in plain TypeScript, float64.
 * It is the oracle that every fast backend is tested against, so clarity wins over speed here;
 * the only concession is the loop order (neuron outer, sample inner), which keeps w_r in cache.
 */
import { ACTIVATIONS } from './activation.js';
import type { Backend, Problem } from './types.js';

/** ⟨w_r, x_i⟩ */
function dot(W: Float64Array, r: number, X: Float64Array, i: number, d: number): number {
  let s = 0;
  const wo = r * d;
  const xo = i * d;
  for (let j = 0; j < d; j++) s += W[wo + j] * X[xo + j];
  return s;
}

/** Neurons summed sequentially at the leaves of the reduction tree. */
export const NEURON_LEAF = 64;

/**
 * out_i = Σ_{r0 ≤ r < r1} a_r σ(⟨w_r, x_i⟩), reduced over neurons as a balanced binary tree split at
 * the midpoint, with sequential leaves of ≤ NEURON_LEAF neurons; the top level is always split at
 * ⌊m/2⌋, however small m is. Two halves of equal length are
 * summed by identical trees, so with coupled initialisation (second half = first half with negated
 * a_r) the two partial sums are exact negatives and F(W(0), x) = 0 exactly, as theory.md §3 states.
 * Pairwise summation also bounds the rounding error by O(log m) ulps instead of O(m).
 */
function neuronSum(p: Problem, W: Float64Array, r0: number, r1: number, out: Float64Array, top = true): void {
  const { n, d, X, a } = p;
  out.fill(0, 0, n);
  if (r1 - r0 <= NEURON_LEAF && !(top && r1 - r0 >= 2)) {
    const { sigma } = ACTIVATIONS[p.activation];
    for (let r = r0; r < r1; r++) {
      for (let i = 0; i < n; i++) out[i] += a[r] * sigma(dot(W, r, X, i, d));
    }
    return;
  }
  const mid = r0 + Math.floor((r1 - r0) / 2);
  const right = new Float64Array(n);
  neuronSum(p, W, r0, mid, out, false);
  neuronSum(p, W, mid, r1, right, false);
  for (let i = 0; i < n; i++) out[i] += right[i];
}

export class ReferenceBackend implements Backend {
  readonly name = 'reference';
  readonly precision = 'f64' as const;
  readonly threads = 1;

  // u_i = κ Σ_r a_r σ(⟨w_r, x_i⟩)
  forward(p: Problem, W: Float64Array, u: Float64Array): void {
    neuronSum(p, W, 0, p.m, u);
    for (let i = 0; i < p.n; i++) u[i] *= p.kappa;
  }

  // ∂L/∂w_r = κ a_r Σ_i r_i σ'(⟨w_r, x_i⟩) x_i
  gradient(p: Problem, W: Float64Array, res: Float64Array, G: Float64Array): void {
    const { n, d, m, X, a, kappa } = p;
    const { dsigma } = ACTIVATIONS[p.activation];
    G.fill(0, 0, m * d);
    for (let r = 0; r < m; r++) {
      const go = r * d;
      for (let i = 0; i < n; i++) {
        const c = res[i] * dsigma(dot(W, r, X, i, d));
        for (let j = 0; j < d; j++) G[go + j] += c * X[i * d + j];
      }
      const scale = kappa * a[r];
      for (let j = 0; j < d; j++) G[go + j] *= scale;
    }
  }

  // W(k+1) = W(k) − η ∇L(W(k)), then u = F(W(k+1), X)
  step(p: Problem, W: Float64Array, res: Float64Array, eta: number, u: Float64Array): void {
    const G = new Float64Array(p.m * p.d);
    this.gradient(p, W, res, G);
    for (let k = 0; k < G.length; k++) W[k] -= eta * G[k];
    this.forward(p, W, u);
  }

  // (J V)_i = κ Σ_r a_r σ'(⟨w_r, x_i⟩) ⟨v_r, x_i⟩
  jvp(p: Problem, W: Float64Array, V: Float64Array, out: Float64Array): void {
    const { n, d, m, X, a, kappa } = p;
    const { dsigma } = ACTIVATIONS[p.activation];
    out.fill(0, 0, n);
    for (let r = 0; r < m; r++) {
      for (let i = 0; i < n; i++) {
        out[i] += a[r] * dsigma(dot(W, r, X, i, d)) * dot(V, r, X, i, d);
      }
    }
    for (let i = 0; i < n; i++) out[i] *= kappa;
  }

  // H_ij = κ² ⟨x_i, x_j⟩ Σ_r σ'(⟨w_r,x_i⟩) σ'(⟨w_r,x_j⟩), i.e. H = κ² (X Xᵀ) ∘ (S Sᵀ)
  gram(p: Problem, W: Float64Array, H: Float64Array): void {
    const { n, d, m, X, kappa } = p;
    const { dsigma } = ACTIVATIONS[p.activation];
    const S = new Float64Array(n * m); // S_ir = σ'(⟨w_r, x_i⟩), sample-major
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < m; r++) S[i * m + r] = dsigma(dot(W, r, X, i, d));
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let ss = 0;
        for (let r = 0; r < m; r++) ss += S[i * m + r] * S[j * m + r];
        let xx = 0;
        for (let t = 0; t < d; t++) xx += X[i * d + t] * X[j * d + t];
        H[i * n + j] = H[j * n + i] = kappa * kappa * xx * ss;
      }
    }
  }

  patternFlips(p: Problem, W0: Float64Array, W: Float64Array): number {
    const { n, d, m, X } = p;
    let flips = 0;
    for (let r = 0; r < m; r++) {
      for (let i = 0; i < n; i++) {
        if (dot(W0, r, X, i, d) >= 0 !== dot(W, r, X, i, d) >= 0) flips++;
      }
    }
    return flips;
  }
}
